/* digits-color-probe.c — a hidden child that carries a colour from the theme's CSS.
 *
 * Widgets that draw with cairo or GtkSnapshot need the theme's colours (the accent, the
 * success and error colours) in light and dark. GTK 4.8 offers no dependable lookup of
 * named colours, but a child with a CSS class gets its colour from the theme like any
 * label, and follows theme changes: the drawing widget reads it back.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "digits-color-probe.h"

GtkWidget *
digits_color_probe_new (GtkWidget  *parent,
                        const char *css_class)
{
  GtkWidget *probe;

  g_return_val_if_fail (GTK_IS_WIDGET (parent), NULL);
  g_return_val_if_fail (css_class != NULL, NULL);

  probe = gtk_label_new (NULL);
  gtk_widget_add_css_class (probe, css_class);
  gtk_widget_set_visible (probe, FALSE);
  gtk_widget_set_parent (probe, parent);
  return probe;
}

void
digits_color_probe_get (GtkWidget *probe,
                        GdkRGBA   *color)
{
  g_return_if_fail (GTK_IS_WIDGET (probe));
  g_return_if_fail (color != NULL);

  gtk_style_context_get_color (gtk_widget_get_style_context (probe), color);
}

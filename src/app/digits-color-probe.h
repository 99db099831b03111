/* digits-color-probe.h — a hidden child that carries a colour from the theme's CSS to a
 * widget that draws for itself.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A never-shown label with css_class, made a child of parent, which unparents it in
 * dispose. Being invisible, it needs no allocation. */
GtkWidget *digits_color_probe_new      (GtkWidget  *parent,
                                        const char *css_class);

/* The colour the theme gives the probe's class now (it follows light and dark). */
void       digits_color_probe_get      (GtkWidget  *probe,
                                        GdkRGBA    *color);

G_END_DECLS

/* digits-glyph-row.c — the digits found in an image, one toggle button each.
 *
 * Each button shows the 28×28 input the network read and its answer; pressing one emits
 * "glyph-selected" so that the window shows that digit's probabilities.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-glyph-row.h"
#include "digits-preview.h"

struct _DigitsGlyphRow
{
  GtkWidget parent_instance;

  int       selected;
  gboolean  updating;
};

G_DEFINE_FINAL_TYPE (DigitsGlyphRow, digits_glyph_row, GTK_TYPE_WIDGET)

enum {
  SIGNAL_GLYPH_SELECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear (DigitsGlyphRow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
}

static void
toggled_cb (GtkToggleButton *button,
            DigitsGlyphRow  *self)
{
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "glyph-index"));

  if (self->updating || !gtk_toggle_button_get_active (button) || index == self->selected)
    return;

  self->selected = index;
  g_signal_emit (self, signals[SIGNAL_GLYPH_SELECTED], 0, index);
}

static GtkWidget *
create_button (const DigitsGlyph *glyph,
               guint              index,
               const char        *name,
               int                percent)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *preview = digits_preview_new ();
  g_autofree char *description = NULL;

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "glyph");
  g_object_set_data (G_OBJECT (button), "glyph-index", GINT_TO_POINTER (index));

  g_object_set (preview, "cell-size", 2, NULL);
  digits_preview_set_input (DIGITS_PREVIEW (preview), glyph->input);
  gtk_box_append (GTK_BOX (box), preview);
  gtk_box_append (GTK_BOX (box), gtk_label_new (name != NULL ? name : "?"));
  gtk_button_set_child (GTK_BUTTON (button), box);

  if (name != NULL)
    /* TRANSLATORS: one digit found in an image: "Digit 2: 7, 98 percent" */
    description = g_strdup_printf (_("Digit %u: %s, %d percent"), index + 1, name, percent);
  else
    description = g_strdup_printf (_("Digit %u"), index + 1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
  gtk_widget_set_tooltip_text (button, description);

  return button;
}

void
digits_glyph_row_set_glyphs (DigitsGlyphRow     *self,
                             const DigitsGlyph  *glyphs,
                             guint               n_glyphs,
                             const char * const *names,
                             const int          *percents)
{
  GtkToggleButton *group = NULL;

  g_return_if_fail (DIGITS_IS_GLYPH_ROW (self));
  g_return_if_fail (n_glyphs == 0 || glyphs != NULL);

  clear (self);
  self->updating = TRUE;
  for (guint i = 0; i < n_glyphs; i++)
    {
      GtkWidget *button = create_button (&glyphs[i], i, names != NULL ? names[i] : NULL,
                                         percents != NULL ? percents[i] : 0);

      if (group == NULL)
        group = GTK_TOGGLE_BUTTON (button);
      else
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), (int) i == self->selected);
      g_signal_connect (button, "toggled", G_CALLBACK (toggled_cb), self);
      gtk_widget_set_parent (button, GTK_WIDGET (self));
    }
  self->updating = FALSE;
}

void
digits_glyph_row_set_selected (DigitsGlyphRow *self,
                               int             index)
{
  int i = 0;

  g_return_if_fail (DIGITS_IS_GLYPH_ROW (self));

  self->selected = index;
  self->updating = TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    if (i == index)
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child), TRUE);
  self->updating = FALSE;
}

static void
digits_glyph_row_dispose (GObject *object)
{
  clear (DIGITS_GLYPH_ROW (object));

  G_OBJECT_CLASS (digits_glyph_row_parent_class)->dispose (object);
}

static void
digits_glyph_row_class_init (DigitsGlyphRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_glyph_row_dispose;

  /**
   * DigitsGlyphRow::glyph-selected:
   * @index: the glyph whose button was pressed
   */
  signals[SIGNAL_GLYPH_SELECTED] =
    g_signal_new ("glyph-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "digitsglyphrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
digits_glyph_row_init (DigitsGlyphRow *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
}

GtkWidget *
digits_glyph_row_new (void)
{
  return g_object_new (DIGITS_TYPE_GLYPH_ROW, NULL);
}

/* digits-window-answer.c — the network's answer to the canvas or to an open image.
 *
 * The canvas answers on every change (at most once a frame while drawing): its strokes
 * are preprocessed the MNIST way and classified on the main thread, which takes well
 * under a millisecond. An image's digits were found when it was read; each is
 * classified here, and the one selected is shown like the canvas's answer.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-window-private.h"

const char *
digits_window_get_class_name (DigitsWindow *self,
                              int           k)
{
  const char *name = self->model != NULL ? digits_model_class_name (self->model, k) : NULL;

  return name != NULL ? name : "?";
}

static int
classify (DigitsWindow *self,
          const float  *input,
          float        *probs)
{
  int top = digits_model_classify (self->model, input, probs);

  if (top < 0 || top >= (int) self->n_classes)
    top = nn_argmax (probs, self->n_classes);

  return top;
}

static void
set_answer (DigitsWindow *self,
            const char   *answer,
            const char   *caption,
            const char   *description,
            gboolean      unsure)
{
  GtkWidget *answer_label = GTK_WIDGET (self->answer_label);
  GtkWidget *caption_label = GTK_WIDGET (self->caption_label);

  gtk_label_set_text (self->answer_label, answer);
  gtk_label_set_text (self->caption_label, caption);
  gtk_widget_remove_css_class (answer_label, "placeholder");

  if (g_utf8_strlen (answer, -1) > 2)
    gtk_widget_add_css_class (answer_label, "long");
  else
    gtk_widget_remove_css_class (answer_label, "long");

  if (unsure)
    {
      gtk_widget_add_css_class (answer_label, "unsure");
      gtk_widget_add_css_class (caption_label, "unsure");
    }
  else
    {
      gtk_widget_remove_css_class (answer_label, "unsure");
      gtk_widget_remove_css_class (caption_label, "unsure");
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (answer_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
}

/* One class's answer in words: the big text, the line under it and what a screen reader
 * says. */
static void
describe_answer (DigitsWindow  *self,
                 const float   *probs,
                 int            top,
                 char         **caption,
                 char         **description,
                 gboolean      *unsure)
{
  const char *name = digits_window_get_class_name (self, top);
  int percent = digits_percent (probs[top]);

  *unsure = probs[top] < DIGITS_UNSURE_BELOW;
  if (*unsure)
    {
      /* TRANSLATORS: a low-confidence answer: "Maybe 7? 48%" */
      *caption = g_strdup_printf (_("Maybe %s? %d%%"), name, percent);
      /* TRANSLATORS: for screen readers: "Unsure, maybe 7, 48 percent" */
      *description = g_strdup_printf (_("Unsure, maybe %s, %d percent"), name, percent);
    }
  else
    {
      /* TRANSLATORS: the confidence of an answer: "98% sure" */
      *caption = g_strdup_printf (_("%d%% sure"), percent);
      /* TRANSLATORS: for screen readers: "Predicted 7, 98 percent" */
      *description = g_strdup_printf (_("Predicted %s, %d percent"), name, percent);
    }
}

void
digits_window_show_canvas_answer (DigitsWindow *self)
{
  g_autofree char *caption = NULL;
  g_autofree char *description = NULL;
  gboolean unsure;

  /* A model from the Train page answers until the person chooses. */
  gtk_label_set_text (self->chart_heading, digits_model_store_is_on_trial (self->store)
                                           ? _("Probabilities (new model)")
                                           : _("Probabilities"));

  if (!self->canvas_has_input)
    {
      digits_preview_set_input (self->preview, NULL);
      digits_chart_set_probabilities (self->chart, NULL, 0);
      /* An empty canvas has no answer: a faint question mark holds its place. */
      set_answer (self, "?", _("Draw a digit"), _("Nothing drawn yet"), FALSE);
      gtk_widget_add_css_class (GTK_WIDGET (self->answer_label), "placeholder");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Empty"),
                                      -1);
      return;
    }

  digits_preview_set_input (self->preview, self->canvas_input);

  if (self->canvas_top < 0)
    {
      digits_chart_set_probabilities (self->chart, NULL, 0);
      set_answer (self, "?", _("No model to read it with"), _("No model to read it with"),
                  TRUE);
      return;
    }

  digits_chart_set_probabilities (self->chart, self->canvas_probs, self->n_classes);
  describe_answer (self, self->canvas_probs, self->canvas_top, &caption, &description,
                   &unsure);
  set_answer (self, digits_window_get_class_name (self, self->canvas_top), caption,
              description, unsure);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

void
digits_window_answer_canvas (DigitsWindow *self)
{
  const DigitsStroke *strokes;
  guint n_strokes;

  gint64 start = g_get_monotonic_time ();

  strokes = digits_canvas_get_strokes (self->canvas, &n_strokes);
  self->canvas_top = -1;
  /* A gallery's test digit stays the input until the person draws. */
  if (n_strokes > 0)
    self->input_is_test_digit = FALSE;
  if (!self->input_is_test_digit)
    self->canvas_has_input = n_strokes > 0 &&
                             digits_preprocess_strokes_placed (strokes, n_strokes, 1.0f,
                                                               self->canvas_input,
                                                               &self->canvas_placement);

  if (self->canvas_has_input && self->model != NULL)
    self->canvas_top = classify (self, self->canvas_input, self->canvas_probs);

  /* G_MESSAGES_DEBUG=Digits shows how long an answer takes (preprocess + network). */
  g_debug ("Answered %u strokes in %.3f ms", n_strokes,
           (g_get_monotonic_time () - start) / 1000.0);

  if (!self->showing_image)
    digits_window_show_canvas_answer (self);
}

static void
show_image_answer (DigitsWindow *self)
{
  guint n = self->glyphs->len;
  const DigitsGlyph *glyph = &g_array_index (self->glyphs, DigitsGlyph, self->selected);
  const float *probs = self->model != NULL
                       ? self->glyph_probs + (gsize) self->selected * self->n_classes
                       : NULL;
  g_autofree char *caption = NULL;
  g_autofree char *description = NULL;
  gboolean unsure = FALSE;

  if (n > 1)
    {
      g_autofree char *heading = NULL;

      /* TRANSLATORS: the chart's heading for one of several digits in an image */
      heading = g_strdup_printf (_("Digit %d of %u"), self->selected + 1, n);
      gtk_label_set_text (self->chart_heading, heading);
    }
  else
    {
      gtk_label_set_text (self->chart_heading, _("Probabilities"));
    }

  digits_preview_set_input (self->preview, glyph->input);
  digits_chart_set_probabilities (self->chart, probs, probs != NULL ? self->n_classes : 0);

  if (self->model == NULL)
    {
      set_answer (self, "?", _("No model to read it with"), _("No model to read it with"),
                  TRUE);
      return;
    }

  if (n == 1)
    {
      describe_answer (self, self->glyph_probs, self->glyph_tops[0], &caption, &description,
                       &unsure);
    }
  else
    {
      guint n_unsure = 0;

      for (guint i = 0; i < n; i++)
        if (self->glyph_probs[(gsize) i * self->n_classes + self->glyph_tops[i]] <
            DIGITS_UNSURE_BELOW)
          n_unsure++;

      if (n_unsure == 0)
        caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u digit, read left to right",
                                                "%u digits, read left to right", n), n);
      else
        caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u digits, unsure of %u",
                                                "%u digits, unsure of %u", n_unsure),
                                   n, n_unsure);
      unsure = n_unsure > 0;
      /* TRANSLATORS: for screen readers: "Read 2024" */
      description = g_strdup_printf (_("Read %s"), self->reading);
    }

  set_answer (self, self->reading, caption, description, unsure);
}

void
digits_window_select_glyph (DigitsWindow *self,
                            int           index)
{
  if (!self->showing_image || index < 0 || index >= (int) self->glyphs->len)
    return;

  self->selected = index;
  digits_image_view_set_selected (self->image_view, index);
  digits_glyph_row_set_selected (self->glyph_row, index);

  show_image_answer (self);
}

void
digits_window_answer_image (DigitsWindow *self)
{
  guint n;
  g_autoptr (GString) reading = g_string_new (NULL);
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autofree int *percents = NULL;

  if (!self->showing_image)
    return;

  n = self->glyphs->len;
  g_clear_pointer (&self->glyph_probs, g_free);
  g_clear_pointer (&self->glyph_tops, g_free);
  g_clear_pointer (&self->reading, g_free);

  if (self->model != NULL)
    {
      self->glyph_probs = g_new0 (float, (gsize) n * self->n_classes);
      self->glyph_tops = g_new0 (int, n);
      percents = g_new0 (int, n);

      for (guint i = 0; i < n; i++)
        {
          const DigitsGlyph *glyph = &g_array_index (self->glyphs, DigitsGlyph, i);
          const char *name;

          self->glyph_tops[i] = classify (self, glyph->input,
                                          self->glyph_probs + (gsize) i * self->n_classes);
          name = digits_window_get_class_name (self, self->glyph_tops[i]);

          /* Digits make a number; other labels (clothes) make a list. */
          if (i > 0 && self->model->labels != DIGITS_LABELS_DIGITS)
            g_string_append (reading, _(", "));
          g_string_append (reading, name);
          g_ptr_array_add (labels, (gpointer) name);
          percents[i] = digits_percent (self->glyph_probs[(gsize) i * self->n_classes +
                                                      self->glyph_tops[i]]);
        }

      self->reading = g_string_free (g_steal_pointer (&reading), FALSE);
    }

  digits_image_view_set_glyphs (self->image_view,
                                (const DigitsGlyph *) self->glyphs->data, n,
                                self->model != NULL
                                  ? (const char * const *) labels->pdata
                                  : NULL);
  digits_image_view_set_selected (self->image_view, self->selected);
  digits_glyph_row_set_glyphs (self->glyph_row, (const DigitsGlyph *) self->glyphs->data, n,
                               self->model != NULL
                                 ? (const char * const *) labels->pdata
                                 : NULL,
                               percents);
  digits_glyph_row_set_selected (self->glyph_row, self->selected);
  show_image_answer (self);
}

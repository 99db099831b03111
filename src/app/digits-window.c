/* digits-window.c — the main window: the canvas, opened images and the network's answer.
 *
 * The canvas answers on every change (at most once a frame while drawing): its strokes
 * are preprocessed the MNIST way and classified on the main thread, which takes well
 * under a millisecond. Images are decoded and searched for digits in a GTask thread;
 * only their result touches widgets. Errors never clear what the person drew.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "core/digits-dataset.h"
#include "core/digits-preprocess.h"
#include "digits-chart.h"
#include "digits-fold-box.h"
#include "digits-image-view.h"
#include "digits-preview.h"
#include "digits-train-view.h"
#include "digits-window.h"

/* Below this probability the answer is given as a guess ("Maybe 7? 48%"). */
#define UNSURE_BELOW 0.6f
/* Opened images are shown at most this large; the digits are found at full size. */
#define DISPLAY_MAX_SIDE 2048

struct _DigitsWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkWidget       *content;
  GtkSpinner      *spinner;
  GtkRevealer     *message_revealer;
  GtkWidget       *message_box;
  GtkLabel        *message_label;
  GtkWidget       *message_open_button;
  AdwViewStack    *main_stack;
  DigitsFoldBox   *draw_page;
  GtkAspectFrame  *canvas_frame;
  GtkWidget       *result_box;
  GtkStack        *input_stack;
  DigitsCanvas    *canvas;
  GtkWidget       *hint_label;
  DigitsImageView *image_view;
  GtkBox          *glyph_box;
  GtkLabel        *image_name_label;
  GtkLabel        *answer_label;
  GtkLabel        *caption_label;
  GtkLabel        *chart_heading;
  DigitsChart     *chart;
  DigitsPreview   *preview;
  DigitsTrainView *train_view;

  GSettings       *settings;            /* NULL when the schema is not installed */
  GtkNativeDialog *file_chooser;
  GCancellable    *load_cancellable;
  guint            n_loading;
  gboolean         disposed;

  DigitsModel     *model;
  guint            n_classes;
  /* The model in use (remembered across restarts); model differs from it while a
   * training run shows its newest weights or its result. NULL: none could be loaded. */
  DigitsModel     *in_use;
  gboolean         in_use_builtin;
  gboolean         on_trial;            /* a trained model answers, not the one in use */
  DigitsModel     *previous;            /* the model in use before "Use This Model" */
  gboolean         previous_builtin;

  /* The canvas's answer. */
  float            canvas_input[DIGITS_PIXELS];
  gboolean         canvas_has_input;
  float           *canvas_probs;        /* n_classes */
  int              canvas_top;

  /* The open image's answer. */
  gboolean         showing_image;
  GArray          *glyphs;              /* of DigitsGlyph */
  float           *glyph_probs;         /* glyphs->len × n_classes */
  int             *glyph_tops;
  int              selected;
  char            *reading;

  char            *last_toast;
};

G_DEFINE_FINAL_TYPE (DigitsWindow, digits_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- messages ---- */

static void show_message (DigitsWindow   *self,
                          GtkMessageType  type,
                          gboolean        offer_model,
                          const char     *format,
                          ...) G_GNUC_PRINTF (4, 5);

static void
show_message (DigitsWindow   *self,
              GtkMessageType  type,
              gboolean        offer_model,
              const char     *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  gtk_label_set_text (self->message_label, text);
  if (type == GTK_MESSAGE_ERROR)
    gtk_widget_add_css_class (self->message_box, "error");
  else
    gtk_widget_remove_css_class (self->message_box, "error");
  gtk_widget_set_visible (self->message_open_button, offer_model);
  gtk_revealer_set_reveal_child (self->message_revealer, TRUE);
}

static void
hide_message (DigitsWindow *self)
{
  gtk_revealer_set_reveal_child (self->message_revealer, FALSE);
}

static void
message_close_clicked_cb (DigitsWindow *self)
{
  hide_message (self);
}

/* Passing news, with an Undo button when @undo is not NULL. */
static void
show_toast (DigitsWindow *self,
            const char   *title,
            GCallback     undo)
{
  AdwToast *toast = adw_toast_new (title);

  if (undo != NULL)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      g_signal_connect_object (toast, "button-clicked", undo, self, G_CONNECT_SWAPPED);
    }
  g_free (self->last_toast);
  self->last_toast = g_strdup (title);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- answers ---- */

static const char *
get_class_name (DigitsWindow *self,
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

/* Rounded, except that only certainty is 100%. */
static int
to_percent (float p)
{
  int percent = (int) lroundf (CLAMP (p, 0.0f, 1.0f) * 100.0f);

  return percent == 100 && p < 1.0f ? 99 : percent;
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
  const char *name = get_class_name (self, top);
  int percent = to_percent (probs[top]);

  *unsure = probs[top] < UNSURE_BELOW;
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

static void
show_canvas_answer (DigitsWindow *self)
{
  g_autofree char *caption = NULL;
  g_autofree char *description = NULL;
  gboolean unsure;

  /* A model from the Train page answers until the person chooses. */
  gtk_label_set_text (self->chart_heading, self->on_trial ? _("Probabilities (new model)")
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
  set_answer (self, get_class_name (self, self->canvas_top), caption, description, unsure);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
answer_canvas (DigitsWindow *self)
{
  const DigitsStroke *strokes;
  guint n_strokes;

  gint64 start = g_get_monotonic_time ();

  strokes = digits_canvas_get_strokes (self->canvas, &n_strokes);
  self->canvas_top = -1;
  self->canvas_has_input = n_strokes > 0 &&
                           digits_preprocess_strokes (strokes, n_strokes, 1.0f,
                                                      self->canvas_input);

  if (self->canvas_has_input && self->model != NULL)
    self->canvas_top = classify (self, self->canvas_input, self->canvas_probs);

  /* G_MESSAGES_DEBUG=Digits shows how long an answer takes (preprocess + network). */
  g_debug ("Answered %u strokes in %.3f ms", n_strokes,
           (g_get_monotonic_time () - start) / 1000.0);

  if (!self->showing_image)
    show_canvas_answer (self);
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
        if (self->glyph_probs[(gsize) i * self->n_classes + self->glyph_tops[i]] < UNSURE_BELOW)
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

static void
select_glyph (DigitsWindow *self,
              int           index)
{
  GtkWidget *child;
  int i = 0;

  if (!self->showing_image || index < 0 || index >= (int) self->glyphs->len)
    return;

  self->selected = index;
  digits_image_view_set_selected (self->image_view, index);

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->glyph_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    if (i == index && !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (child)))
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child), TRUE);

  show_image_answer (self);
}

static void
glyph_toggled_cb (GtkToggleButton *button,
                  DigitsWindow    *self)
{
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "glyph-index"));

  if (gtk_toggle_button_get_active (button) && index != self->selected)
    select_glyph (self, index);
}

static void
glyph_activated_cb (DigitsImageView *view,
                    int              index,
                    DigitsWindow    *self)
{
  select_glyph (self, index);
}

static void
rebuild_glyph_row (DigitsWindow *self)
{
  GtkWidget *child;
  GtkToggleButton *group = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->glyph_box))) != NULL)
    gtk_box_remove (self->glyph_box, child);

  if (self->glyphs == NULL)
    return;

  for (guint i = 0; i < self->glyphs->len; i++)
    {
      const DigitsGlyph *glyph = &g_array_index (self->glyphs, DigitsGlyph, i);
      GtkWidget *button = gtk_toggle_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *preview = digits_preview_new ();
      GtkWidget *label;
      g_autofree char *description = NULL;

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "glyph");
      g_object_set_data (G_OBJECT (button), "glyph-index", GINT_TO_POINTER (i));

      g_object_set (preview, "cell-size", 2, NULL);
      digits_preview_set_input (DIGITS_PREVIEW (preview), glyph->input);
      gtk_box_append (GTK_BOX (box), preview);

      if (self->model != NULL)
        {
          int top = self->glyph_tops[i];
          float p = self->glyph_probs[(gsize) i * self->n_classes + top];

          label = gtk_label_new (get_class_name (self, top));
          /* TRANSLATORS: one digit found in an image: "Digit 2: 7, 98 percent" */
          description = g_strdup_printf (_("Digit %u: %s, %d percent"), i + 1,
                                         get_class_name (self, top), to_percent (p));
        }
      else
        {
          label = gtk_label_new ("?");
          description = g_strdup_printf (_("Digit %u"), i + 1);
        }
      gtk_box_append (GTK_BOX (box), label);

      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                      -1);
      gtk_widget_set_tooltip_text (button, description);

      if (group == NULL)
        group = GTK_TOGGLE_BUTTON (button);
      else
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), (int) i == self->selected);
      g_signal_connect (button, "toggled", G_CALLBACK (glyph_toggled_cb), self);

      gtk_box_append (self->glyph_box, button);
    }
}

static void
answer_image (DigitsWindow *self)
{
  guint n;
  g_autoptr (GString) reading = g_string_new (NULL);
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

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

      for (guint i = 0; i < n; i++)
        {
          const DigitsGlyph *glyph = &g_array_index (self->glyphs, DigitsGlyph, i);
          const char *name;

          self->glyph_tops[i] = classify (self, glyph->input,
                                          self->glyph_probs + (gsize) i * self->n_classes);
          name = get_class_name (self, self->glyph_tops[i]);

          /* Digits make a number; other labels (clothes) make a list. */
          if (i > 0 && self->model->labels != DIGITS_LABELS_DIGITS)
            g_string_append (reading, _(", "));
          g_string_append (reading, name);
          g_ptr_array_add (labels, (gpointer) name);
        }

      self->reading = g_string_free (g_steal_pointer (&reading), FALSE);
    }

  digits_image_view_set_glyphs (self->image_view,
                                (const DigitsGlyph *) self->glyphs->data, n,
                                self->model != NULL
                                  ? (const char * const *) labels->pdata
                                  : NULL);
  digits_image_view_set_selected (self->image_view, self->selected);
  rebuild_glyph_row (self);
  show_image_answer (self);
}

/* ---- actions ---- */

static void
update_actions (DigitsWindow *self)
{
  gboolean empty = digits_canvas_is_empty (self->canvas);
  GtkWidget *widget = GTK_WIDGET (self);
  /* Ctrl+Z, Delete and Escape must not change a drawing that the Train page hides. */
  gboolean drawing = g_strcmp0 (adw_view_stack_get_visible_child_name (self->main_stack),
                                "draw") == 0;

  gtk_widget_action_set_enabled (widget, "win.undo", drawing && !self->showing_image && !empty);
  gtk_widget_action_set_enabled (widget, "win.clear",
                                 drawing && (self->showing_image || !empty));
  gtk_widget_action_set_enabled (widget, "win.close-image", drawing && self->showing_image);
  gtk_widget_action_set_enabled (widget, "win.save-model", self->model != NULL);
  gtk_widget_set_visible (self->hint_label, empty);
}

/* While training goes on behind the Draw page, the Train tab says so. */
static void
update_train_attention (DigitsWindow *self)
{
  AdwViewStackPage *page = adw_view_stack_get_page (self->main_stack,
                                                     GTK_WIDGET (self->train_view));
  gboolean shown = adw_view_stack_get_visible_child (self->main_stack) ==
                   GTK_WIDGET (self->train_view);

  if (page != NULL)
    adw_view_stack_page_set_needs_attention (page, !shown &&
                                             digits_train_view_is_running (self->train_view));
}

static void
main_page_changed_cb (AdwViewStack *stack,
                      GParamSpec   *pspec,
                      DigitsWindow *self)
{
  update_actions (self);
  update_train_attention (self);
}

/* Narrow: the answer goes under the canvas, both centred. */
static void
draw_page_folded_cb (DigitsFoldBox *box,
                     GParamSpec    *pspec,
                     DigitsWindow  *self)
{
  gboolean folded = digits_fold_box_get_folded (box);

  gtk_aspect_frame_set_xalign (self->canvas_frame, folded ? 0.5f : 1.0f);
  gtk_widget_set_halign (self->result_box, folded ? GTK_ALIGN_FILL : GTK_ALIGN_START);
}

static void
canvas_changed_cb (DigitsWindow *self)
{
  answer_canvas (self);
  update_actions (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);

  if (!self->showing_image)
    digits_canvas_undo (self->canvas);
}

/* Delete and Escape clear what is shown: the canvas, or the image (back to the canvas,
 * whose strokes were kept). */
static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);

  if (self->showing_image)
    digits_window_close_image (self);
  else
    digits_canvas_clear (self->canvas);
}

static void
close_image_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  digits_window_close_image (DIGITS_WINDOW (widget));
}

static void
clear_file_chooser (DigitsWindow *self)
{
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }
}

static GtkFileChooserNative *
create_file_chooser (DigitsWindow         *self,
                     const char           *title,
                     GtkFileChooserAction  action,
                     const char           *accept_label,
                     GCallback             response_cb)
{
  GtkFileChooserNative *native;

  clear_file_chooser (self);
  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                        accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", response_cb, self);
  self->file_chooser = GTK_NATIVE_DIALOG (native);

  return native;
}

static GFile *
take_chosen_file (DigitsWindow *self,
                  int           response)
{
  GFile *file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->file_chooser != NULL)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (self->file_chooser));

  /* Not destroyed here: the dialog is still emitting its response. */
  g_clear_object (&self->file_chooser);

  return file;
}

static char *
get_display_name (GFile *file)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *basename = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL)
    return g_strdup (g_file_info_get_display_name (info));

  /* Not there (yet): a file about to be saved, or a missing one. */
  basename = g_file_get_basename (file);
  return g_filename_display_name (basename);
}

/* The chooser offers `main` first and selected, and "All Files" after it. */
static void
add_filters (GtkFileChooser *chooser,
             GtkFileFilter  *main)
{
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_chooser_add_filter (chooser, main);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, all);
  gtk_file_chooser_set_filter (chooser, main);
}

static void
open_image_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        DigitsWindow    *self)
{
  g_autoptr (GFile) file = take_chosen_file (self, response);

  if (file != NULL)
    digits_window_open_file (self, file);
}

static void
open_image_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr (GtkFileFilter) images = gtk_file_filter_new ();

  native = create_file_chooser (self, _("Open Image"), GTK_FILE_CHOOSER_ACTION_OPEN,
                                _("_Open"), G_CALLBACK (open_image_response_cb));

  gtk_file_filter_set_name (images, _("Images"));
  gtk_file_filter_add_pixbuf_formats (images);
  add_filters (GTK_FILE_CHOOSER (native), images);

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
open_model_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        DigitsWindow    *self)
{
  g_autoptr (GFile) file = take_chosen_file (self, response);

  if (file != NULL)
    digits_window_open_model (self, file);
}

static void
open_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr (GtkFileFilter) models = gtk_file_filter_new ();

  native = create_file_chooser (self, _("Open Model"), GTK_FILE_CHOOSER_ACTION_OPEN,
                                _("_Open"), G_CALLBACK (open_model_response_cb));

  gtk_file_filter_set_name (models, _("Digits Models"));
  gtk_file_filter_add_pattern (models, "*.model");
  add_filters (GTK_FILE_CHOOSER (native), models);

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
save_model_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        DigitsWindow    *self)
{
  g_autoptr (GFile) file = take_chosen_file (self, response);

  if (file != NULL)
    digits_window_save_model (self, file);
}

static void
save_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);
  GtkFileChooserNative *native;

  if (self->model == NULL)
    return;

  native = create_file_chooser (self, _("Save Model As"), GTK_FILE_CHOOSER_ACTION_SAVE,
                                _("_Save"), G_CALLBACK (save_model_response_cb));
  /* TRANSLATORS: the suggested file name when saving a model */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), _("digits.model"));

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
paste_texture_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (DigitsWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  if (self->disposed)
    return;

  if (texture == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE,
                    _("Could not paste the image: %s"), error->message);
      return;
    }

  digits_window_open_texture (self, texture, _("Pasted image"));
}

static void
paste_files_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (DigitsWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  const GValue *value;
  GSList *files;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, &error);
  if (self->disposed)
    return;

  files = value != NULL ? g_value_get_boxed (value) : NULL;
  if (files == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE, _("Could not paste the file: %s"),
                    error != NULL ? error->message : _("the clipboard holds no file"));
      return;
    }

  digits_window_open_file (self, files->data);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  g_autoptr (GdkContentFormats) formats = NULL;

  /* What the clipboard can become: image/png can be read as a texture, a copied file
   * from the file manager as a file list. */
  formats = gdk_content_formats_ref (gdk_clipboard_get_formats (clipboard));
  formats = gdk_content_formats_union_deserialize_gtypes (formats);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    gdk_clipboard_read_texture_async (clipboard, NULL, paste_texture_cb, g_object_ref (self));
  else if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    NULL, paste_files_cb, g_object_ref (self));
  else
    show_message (self, GTK_MESSAGE_INFO, FALSE,
                  _("There is no image on the clipboard to paste. Copy an image or an "
                    "image file first."));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         DigitsWindow  *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files == NULL)
        return FALSE;

      digits_window_open_file (self, files->data);
      return TRUE;
    }

  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      digits_window_open_file (self, g_value_get_object (value));
      return TRUE;
    }

  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      digits_window_open_texture (self, g_value_get_object (value), _("Dropped image"));
      return TRUE;
    }

  return FALSE;
}

/* ---- loading images ---- */

typedef struct
{
  /* in */
  GFile      *file;          /* or: */
  GdkTexture *texture;
  guint8     *pixels;        /* the texture's, premultiplied ARGB32 in native order */
  int         width;
  int         height;
  /* out */
  char       *name;
  GdkPixbuf  *pixbuf;        /* for display, when read from a file */
  int         image_width;   /* the glyphs' coordinate space */
  int         image_height;
  GArray     *glyphs;
} LoadJob;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_clear_object (&job->file);
  g_clear_object (&job->texture);
  g_clear_pointer (&job->pixels, g_free);
  g_clear_pointer (&job->name, g_free);
  g_clear_object (&job->pixbuf);
  g_clear_pointer (&job->glyphs, g_array_unref);
  g_free (job);
}

/* gdk_texture_download gives premultiplied BGRA (ARGB32 as native words); the core wants
 * straight RGBA bytes. */
static void
convert_argb32_to_rgba (guint8 *pixels,
                        gsize   n_pixels)
{
  for (gsize i = 0; i < n_pixels; i++)
    {
      guint8 *p = pixels + i * 4;
      guint32 word;
      guint a, r, g, b;

      memcpy (&word, p, sizeof word);
      a = word >> 24;
      r = (word >> 16) & 0xff;
      g = (word >> 8) & 0xff;
      b = word & 0xff;

      if (a != 0 && a != 255)
        {
          r = MIN (255u, (r * 255 + a / 2) / a);
          g = MIN (255u, (g * 255 + a / 2) / a);
          b = MIN (255u, (b * 255 + a / 2) / a);
        }

      p[0] = r;
      p[1] = g;
      p[2] = b;
      p[3] = a;
    }
}

static GdkPixbuf *
load_display_pixbuf (const char  *path,
                     GError     **error)
{
  int width = 0, height = 0;

  if (gdk_pixbuf_get_file_info (path, &width, &height) != NULL &&
      (width > DISPLAY_MAX_SIDE || height > DISPLAY_MAX_SIDE))
    return gdk_pixbuf_new_from_file_at_scale (path, DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE,
                                              TRUE, error);

  return gdk_pixbuf_new_from_file (path, error);
}

static gboolean
load_file (LoadJob       *job,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *path = g_file_get_path (job->file);
  GdkPixbuf *oriented;

  if (path != NULL)
    {
      job->glyphs = digits_glyphs_from_file (path, error);
      if (job->glyphs == NULL)
        return FALSE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (gdk_pixbuf_get_file_info (path, &job->image_width, &job->image_height) == NULL)
        return FALSE;

      job->pixbuf = load_display_pixbuf (path, error);
      if (job->pixbuf == NULL)
        return FALSE;

      /* The core turns photos the way their EXIF note says, and so must the display;
       * the boxes are then in the turned image's pixels. */
      oriented = gdk_pixbuf_apply_embedded_orientation (job->pixbuf);
      if (oriented != NULL)
        {
          g_object_unref (job->pixbuf);
          job->pixbuf = oriented;
        }
      if ((gdk_pixbuf_get_width (job->pixbuf) > gdk_pixbuf_get_height (job->pixbuf)) !=
          (job->image_width > job->image_height))
        {
          int t = job->image_width;

          job->image_width = job->image_height;
          job->image_height = t;
        }

      return TRUE;
    }
  else
    {
      /* Not a local file (a phone, a network share): decode from memory. */
      g_autoptr (GInputStream) stream = NULL;

      stream = G_INPUT_STREAM (g_file_read (job->file, cancellable, error));
      if (stream == NULL)
        return FALSE;

      job->pixbuf = gdk_pixbuf_new_from_stream_at_scale (stream,
                                                         DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE,
                                                         TRUE, cancellable, error);
      if (job->pixbuf == NULL)
        return FALSE;

      job->image_width = gdk_pixbuf_get_width (job->pixbuf);
      job->image_height = gdk_pixbuf_get_height (job->pixbuf);
      job->glyphs = digits_glyphs_from_rgba (gdk_pixbuf_read_pixels (job->pixbuf),
                                             job->image_width, job->image_height,
                                             gdk_pixbuf_get_rowstride (job->pixbuf),
                                             gdk_pixbuf_get_has_alpha (job->pixbuf),
                                             error);
      return job->glyphs != NULL;
    }
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  gboolean ok;

  if (job->file != NULL)
    {
      job->name = get_display_name (job->file);
      ok = load_file (job, cancellable, &error);
    }
  else
    {
      convert_argb32_to_rgba (job->pixels, (gsize) job->width * job->height);
      job->image_width = job->width;
      job->image_height = job->height;
      job->glyphs = digits_glyphs_from_rgba (job->pixels, job->width, job->height,
                                             job->width * 4, TRUE, &error);
      ok = job->glyphs != NULL;
    }

  if (ok && job->glyphs->len == 0)
    {
      g_set_error_literal (&error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT, _("No digit found"));
      ok = FALSE;
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
update_loading (DigitsWindow *self)
{
  gboolean loading = self->n_loading > 0;

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_spinner_set_spinning (self->spinner, loading);
}

static void
show_image (DigitsWindow *self,
            GdkTexture   *texture,
            int           image_width,
            int           image_height,
            GArray       *glyphs,
            const char   *name)
{
  g_clear_pointer (&self->glyphs, g_array_unref);
  self->glyphs = g_array_ref (glyphs);
  self->selected = 0;
  self->showing_image = TRUE;

  digits_image_view_set_image (self->image_view, texture, image_width, image_height);
  gtk_label_set_text (self->image_name_label, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->image_view),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, name,
                                  -1);
  gtk_stack_set_visible_child_name (self->input_stack, "image");
  /* An image opened, pasted or dropped while the Train page is up is shown, not hidden. */
  adw_view_stack_set_visible_child_name (self->main_stack, "draw");

  answer_image (self);
  update_actions (self);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  DigitsWindow *self = DIGITS_WINDOW (source);
  LoadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  self->n_loading--;
  if (self->disposed)
    return;
  update_loading (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      const char *name = job->name != NULL ? job->name : _("The image");

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* What was drawn stays: an error only explains itself. */
      if (g_error_matches (error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT))
        show_message (self, GTK_MESSAGE_WARNING, FALSE,
                      _("No digit was found in “%s”. Digits looks for dark writing on a "
                        "light background, or light writing on a dark one."), name);
      else if (error->domain == DIGITS_ERROR)
        /* The core's messages name the file and say what is wrong with it. */
        show_message (self, GTK_MESSAGE_ERROR, FALSE, "%s", error->message);
      else
        show_message (self, GTK_MESSAGE_ERROR, FALSE,
                      _("“%s” could not be read: %s"), name, error->message);
      return;
    }

  if (job->texture != NULL)
    texture = g_object_ref (job->texture);
  else
    texture = gdk_texture_new_for_pixbuf (job->pixbuf);

  hide_message (self);
  show_image (self, texture, job->image_width, job->image_height, job->glyphs, job->name);
}

static void
start_load (DigitsWindow *self,
            LoadJob      *job)
{
  g_autoptr (GTask) task = NULL;

  /* Only the newest image counts. */
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->load_cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_name (task, "digits-load-image");
  g_task_set_task_data (task, job, load_job_free);
  g_task_run_in_thread (task, load_thread);

  self->n_loading++;
  update_loading (self);
}

/* ---- the model in use ----
 *
 * The model chosen with "Use This Model" or Open Model is copied to
 * $XDG_DATA_HOME/digits/current.model (atomically) and its path kept in GSettings, so it
 * is in use again after a restart. Training only shows its models on trial until one
 * is chosen.
 */

static char *
get_current_model_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "digits", "current.model", NULL);
}

static char *
describe_model (const DigitsModel *model,
                gboolean           builtin)
{
  const char *accuracy = digits_model_get_meta (model, "test_accuracy");
  const char *dataset = digits_model_get_meta (model, "dataset");
  double value = accuracy != NULL ? g_ascii_strtod (accuracy, NULL) : NAN;
  g_autofree char *where = NULL;

  if (dataset != NULL && strchr (dataset, G_DIR_SEPARATOR) != NULL)
    where = g_path_get_basename (dataset);
  else if (g_strcmp0 (dataset, "fashion-mnist") == 0)
    where = g_strdup (_("Fashion-MNIST"));
  else
    where = g_strdup (_("MNIST"));

  if (builtin)
    return isfinite (value)
           /* TRANSLATORS: "The built-in model: 98.98% right on MNIST's test set" */
           ? g_strdup_printf (_("The built-in model: %.2f%% right on %s’s test set"),
                              value * 100.0, where)
           : g_strdup (_("The built-in model"));

  return isfinite (value)
         /* TRANSLATORS: "Your own model: 97.81% right on MNIST's test set" */
         ? g_strdup_printf (_("Your own model: %.2f%% right on %s’s test set"),
                            value * 100.0, where)
         : g_strdup (_("Your own model"));
}

static void
show_model_in_use (DigitsWindow *self)
{
  g_autofree char *description = NULL;

  if (self->in_use != NULL)
    description = describe_model (self->in_use, self->in_use_builtin);
  else
    description = g_strdup (_("None: no model could be loaded"));

  digits_train_view_set_model_in_use (self->train_view, description);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.revert-model",
                                 !self->in_use_builtin || self->on_trial);
}

static DigitsModel *
load_builtin_model (GError **error)
{
  DigitsModel *model = digits_model_load_builtin (error);

  if (model != NULL && model->net->sizes[0] != DIGITS_PIXELS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("it expects %d inputs, not 28 × 28"), model->net->sizes[0]);
      g_clear_pointer (&model, digits_model_free);
    }

  return model;
}

/* The model in use becomes what answers. */
static void
answer_with_model_in_use (DigitsWindow *self)
{
  self->on_trial = FALSE;
  digits_window_set_model (self, self->in_use != NULL ? digits_model_copy (self->in_use)
                                                      : NULL);
  show_model_in_use (self);
}

static void
train_model_updated_cb (DigitsTrainView   *view,
                        const DigitsModel *model,
                        DigitsWindow      *self)
{
  /* The canvas and the open image answer with the newest weights; the model in use
   * stays what it is until the person chooses. */
  self->on_trial = TRUE;
  digits_window_set_model (self, digits_model_copy (model));
  show_model_in_use (self);
}

/* The toast's Undo: the model in use before goes back in use. */
static void
undo_use_clicked_cb (DigitsWindow *self)
{
  DigitsModel *previous = g_steal_pointer (&self->previous);

  if (self->previous_builtin || previous == NULL)
    {
      g_clear_pointer (&previous, digits_model_free);
      digits_window_revert_model (self);
    }
  else
    {
      digits_window_use_model (self, previous);
    }
}

static void
train_use_model_cb (DigitsTrainView   *view,
                    const DigitsModel *model,
                    DigitsWindow      *self)
{
  DigitsModel *previous = self->in_use != NULL ? digits_model_copy (self->in_use) : NULL;
  gboolean previous_builtin = self->in_use_builtin;

  digits_window_use_model (self, digits_model_copy (model));
  g_clear_pointer (&self->previous, digits_model_free);
  self->previous = previous;
  self->previous_builtin = previous_builtin;
  show_toast (self, _("Using the new model"), G_CALLBACK (undo_use_clicked_cb));
}

static void
train_discarded_cb (DigitsTrainView *view,
                    DigitsWindow    *self)
{
  answer_with_model_in_use (self);
}

static void
train_state_changed_cb (DigitsTrainView *view,
                        DigitsWindow    *self)
{
  update_train_attention (self);
}

/* Ctrl+T trains from either page, so that the canvas can be watched as it learns; only
 * without data does it go to the Train page, which says where the data goes. */
static void
train_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);

  if (!digits_train_view_has_data (self->train_view))
    adw_view_stack_set_visible_child_name (self->main_stack, "train");
  digits_train_view_toggle (self->train_view);
}

static void
revert_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    DigitsWindow     *self)
{
  if (g_strcmp0 (response, "revert") == 0)
    digits_window_revert_model (self);
}

/* Going back forgets the person's own model (its kept copy is deleted): asked first. */
static void
revert_model_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);
  GtkWidget *dialog;

  if (self->in_use_builtin)
    {
      digits_window_revert_model (self);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Use the Built-in Model?"),
                                   _("Your own model will be forgotten. Save it first "
                                     "(Save Model As…) to keep it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revert", _("_Use Built-in"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revert",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (revert_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The reason in a core error, without the "PATH: " the core puts first for the command
 * line: the window names the file itself. */
static const char *
error_reason (const GError *error, const char *path)
{
  const char *message = error->message;

  if (path != NULL && g_str_has_prefix (message, path)
      && g_str_has_prefix (message + strlen (path), ": "))
    return message + strlen (path) + 2;
  return message;
}

/* At start: the model chosen last time, or the built-in one with a word why. */
static void
restore_model_in_use (DigitsWindow *self)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  DigitsModel *model;

  if (self->settings == NULL)
    return;

  path = g_settings_get_string (self->settings, "model-file");
  if (*path == '\0')
    return;

  model = digits_model_load (path, &error);
  if (model != NULL && model->net->sizes[0] != DIGITS_PIXELS)
    {
      g_set_error (&error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("it expects %d inputs, not 28 × 28"), model->net->sizes[0]);
      g_clear_pointer (&model, digits_model_free);
    }

  if (model == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      /* Said once: the next start is quiet. */
      g_settings_set_string (self->settings, "model-file", "");
      show_message (self, GTK_MESSAGE_WARNING, FALSE,
                    _("The model you chose could not be loaded from %s (%s). Digits uses "
                      "its built-in model instead."), display, error_reason (error, path));
      return;
    }

  g_clear_pointer (&self->in_use, digits_model_free);
  self->in_use = model;
  self->in_use_builtin = FALSE;
}

/* ---- window ---- */

static void
load_window_state (DigitsWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  /* Run uninstalled without GSETTINGS_SCHEMA_DIR, the window simply forgets its size. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found: the window size is not remembered", APP_ID);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
digits_window_close_request (GtkWindow *window)
{
  DigitsWindow *self = DIGITS_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (digits_window_parent_class)->close_request (window);
}

static void
digits_window_dispose (GObject *object)
{
  DigitsWindow *self = DIGITS_WINDOW (object);

  /* No gtk_widget_dispose_template () here: in GTK 4.8.3 it is fatal for an application
   * window under gtk_test_init (). The window's children go with it anyway. */
  self->disposed = TRUE;
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  clear_file_chooser (self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (digits_window_parent_class)->dispose (object);
}

static void
digits_window_finalize (GObject *object)
{
  DigitsWindow *self = DIGITS_WINDOW (object);

  g_clear_pointer (&self->model, digits_model_free);
  g_clear_pointer (&self->in_use, digits_model_free);
  g_clear_pointer (&self->previous, digits_model_free);
  g_clear_pointer (&self->canvas_probs, g_free);
  g_clear_pointer (&self->glyphs, g_array_unref);
  g_clear_pointer (&self->glyph_probs, g_free);
  g_clear_pointer (&self->glyph_tops, g_free);
  g_clear_pointer (&self->reading, g_free);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (digits_window_parent_class)->finalize (object);
}

static void
digits_window_class_init (DigitsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = digits_window_dispose;
  object_class->finalize = digits_window_finalize;
  window_class->close_request = digits_window_close_request;

  g_type_ensure (DIGITS_TYPE_CANVAS);
  g_type_ensure (DIGITS_TYPE_FOLD_BOX);
  g_type_ensure (DIGITS_TYPE_CHART);
  g_type_ensure (DIGITS_TYPE_IMAGE_VIEW);
  g_type_ensure (DIGITS_TYPE_PREVIEW);
  g_type_ensure (DIGITS_TYPE_TRAIN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/digits-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, content);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, message_box);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, message_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, message_open_button);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, draw_page);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, canvas_frame);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, result_box);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, input_stack);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, glyph_box);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, image_name_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, answer_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, caption_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, chart_heading);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, preview);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, train_view);
  gtk_widget_class_bind_template_callback (widget_class, canvas_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, glyph_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_model_updated_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_use_model_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_discarded_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_state_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_image_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.save-model", NULL, save_model_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "win.close-image", NULL, close_image_action);
  gtk_widget_class_install_action (widget_class, "win.train", NULL, train_action);
  gtk_widget_class_install_action (widget_class, "win.revert-model", NULL, revert_model_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK,
                                       "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.open-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "win.save-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.clear", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.clear", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.clear", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK,
                                       "win.train", NULL);
}

static void
digits_window_init (DigitsWindow *self)
{
  g_autoptr (GError) error = NULL;
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE, GDK_TYPE_TEXTURE };
  DigitsModel *model;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->canvas_top = -1;
  self->n_classes = 10;
  self->canvas_probs = g_new0 (float, self->n_classes);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (self->content, GTK_EVENT_CONTROLLER (drop));
  gtk_widget_add_css_class (self->content, "drop-target");

  g_signal_connect (self->draw_page, "notify::folded", G_CALLBACK (draw_page_folded_cb), self);
  g_signal_connect (self->main_stack, "notify::visible-child",
                    G_CALLBACK (main_page_changed_cb), self);

  load_window_state (self);

  model = load_builtin_model (&error);
  self->in_use = model != NULL ? digits_model_copy (model) : NULL;
  self->in_use_builtin = TRUE;
  restore_model_in_use (self);
  if (!self->in_use_builtin)
    g_clear_pointer (&model, digits_model_free);
  digits_window_set_model (self, self->in_use_builtin ? model
                                                      : digits_model_copy (self->in_use));
  show_model_in_use (self);
  answer_canvas (self);
  update_actions (self);
  if (self->in_use == NULL)
    show_message (self, GTK_MESSAGE_WARNING, TRUE,
                  _("The built-in model could not be loaded (%s). Open a model file to "
                    "recognise digits."), error->message);

  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

DigitsWindow *
digits_window_new (DigitsApplication *app)
{
  g_return_val_if_fail (app == NULL || DIGITS_IS_APPLICATION (app), NULL);

  return g_object_new (DIGITS_TYPE_WINDOW, "application", app, NULL);
}

const DigitsModel *
digits_window_get_model (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return self->model;
}

void
digits_window_set_model (DigitsWindow *self,
                         DigitsModel  *model)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  g_return_if_fail (DIGITS_IS_WINDOW (self));
  g_return_if_fail (model == NULL || model->net->sizes[0] == DIGITS_PIXELS);

  if (model == self->model)
    return;

  g_clear_pointer (&self->model, digits_model_free);
  self->model = model;
  self->n_classes = model != NULL ? (guint) model->net->sizes[model->net->n_layers] : 10;

  g_clear_pointer (&self->canvas_probs, g_free);
  self->canvas_probs = g_new0 (float, self->n_classes);

  if (model != NULL)
    {
      for (guint k = 0; k < self->n_classes; k++)
        g_ptr_array_add (labels, (gpointer) get_class_name (self, k));
      g_ptr_array_add (labels, NULL);
    }
  digits_chart_set_labels (self->chart,
                           model != NULL ? (const char * const *) labels->pdata : NULL);

  answer_canvas (self);
  answer_image (self);
  update_actions (self);
}

/**
 * digits_window_open_model:
 *
 * Loads a model file and answers with it. Returns: %FALSE, with a message in the window
 * and the current model kept, when the file is not a model Digits can use.
 */
gboolean
digits_window_open_model (DigitsWindow *self,
                          GFile        *file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  DigitsModel *model;

  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  name = get_display_name (file);
  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE,
                    _("Could not open the model “%s”: only local files can be opened. "
                      "The current model stays in use."), name);
      return FALSE;
    }

  model = digits_model_load (path, &error);
  if (model != NULL && model->net->sizes[0] != DIGITS_PIXELS)
    {
      g_set_error (&error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("it expects %d inputs, not 28 × 28"), model->net->sizes[0]);
      g_clear_pointer (&model, digits_model_free);
    }

  if (model == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE,
                    _("Could not open the model “%s”: %s. The current model stays in use."),
                    name, error_reason (error, path));
      return FALSE;
    }

  hide_message (self);
  digits_window_use_model (self, model);

  return TRUE;
}

/**
 * digits_window_save_model:
 *
 * Saves the model in use, atomically. Returns: %FALSE, with a message in the window,
 * when it could not be saved.
 */
gboolean
digits_window_save_model (DigitsWindow *self,
                          GFile        *file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->model == NULL)
    return FALSE;

  name = get_display_name (file);
  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE,
                    _("Could not save the model as “%s”: only local files can be written."),
                    name);
      return FALSE;
    }

  if (!digits_model_save (self->model, path, &error))
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE,
                    _("Could not save the model as “%s”: %s"), name, error->message);
      return FALSE;
    }

  hide_message (self);
  show_toast (self, _("Model saved"), NULL);
  return TRUE;
}

void
digits_window_open_file (DigitsWindow *self,
                         GFile        *file)
{
  LoadJob *job;

  g_return_if_fail (DIGITS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (LoadJob, 1);
  job->file = g_object_ref (file);
  start_load (self, job);
}

void
digits_window_open_texture (DigitsWindow *self,
                            GdkTexture   *texture,
                            const char   *name)
{
  int width, height;
  LoadJob *job;

  g_return_if_fail (DIGITS_IS_WINDOW (self));
  g_return_if_fail (GDK_IS_TEXTURE (texture));

  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  if ((guint64) width * height > DIGITS_IMAGE_MAX_PIXELS)
    {
      show_message (self, GTK_MESSAGE_ERROR, FALSE,
                    _("The image is too large: %d × %d pixels."), width, height);
      return;
    }

  job = g_new0 (LoadJob, 1);
  job->texture = g_object_ref (texture);
  job->name = g_strdup (name != NULL ? name : _("Image"));
  job->width = width;
  job->height = height;
  job->pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, job->pixels, (gsize) width * 4);
  start_load (self, job);
}

gboolean
digits_window_is_loading (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);

  return self->n_loading > 0;
}

void
digits_window_close_image (DigitsWindow *self)
{
  g_return_if_fail (DIGITS_IS_WINDOW (self));

  if (!self->showing_image)
    return;

  self->showing_image = FALSE;
  gtk_stack_set_visible_child_name (self->input_stack, "canvas");
  digits_image_view_set_image (self->image_view, NULL, 0, 0);
  g_clear_pointer (&self->glyphs, g_array_unref);
  g_clear_pointer (&self->glyph_probs, g_free);
  g_clear_pointer (&self->glyph_tops, g_free);
  g_clear_pointer (&self->reading, g_free);
  rebuild_glyph_row (self);

  show_canvas_answer (self);
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

int
digits_window_get_prediction (DigitsWindow *self,
                              float        *confidence)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), -1);

  if (confidence != NULL)
    *confidence = self->canvas_top >= 0 ? self->canvas_probs[self->canvas_top] : 0.0f;

  return self->canvas_top;
}

const char *
digits_window_get_status (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->caption_label);
}

const char *
digits_window_get_reading (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return self->showing_image ? self->reading : NULL;
}

const char *
digits_window_get_message (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->message_revealer))
    return NULL;

  return gtk_label_get_text (self->message_label);
}

DigitsCanvas *
digits_window_get_canvas (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return self->canvas;
}

GtkWidget *
digits_window_get_chart (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->chart);
}

GtkWidget *
digits_window_get_preview (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->preview);
}

/**
 * digits_window_use_model:
 *
 * Makes @model (owned) the model in use: it answers now and again after a restart (a
 * copy is saved in the user's data folder). Returns: %FALSE, with a message, when the
 * copy could not be saved; the model answers for this session all the same.
 */
gboolean
digits_window_use_model (DigitsWindow *self,
                         DigitsModel  *model)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = get_current_model_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  gboolean saved = FALSE;

  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (model != NULL && model->net->sizes[0] == DIGITS_PIXELS, FALSE);

  g_clear_pointer (&self->in_use, digits_model_free);
  self->in_use = digits_model_copy (model);
  self->in_use_builtin = FALSE;
  self->on_trial = FALSE;
  digits_window_set_model (self, model);

  if (self->settings != NULL)
    {
      if (g_mkdir_with_parents (folder, 0755) != 0)
        g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                     "%s: %s", folder, g_strerror (errno));
      else if (digits_model_save (self->in_use, path, &error))
        saved = TRUE;

      if (saved)
        g_settings_set_string (self->settings, "model-file", path);
      else
        show_message (self, GTK_MESSAGE_WARNING, FALSE,
                      _("The model is in use now, but could not be kept for the next start "
                        "(%s)."), error->message);
    }

  show_model_in_use (self);
  return saved || self->settings == NULL;
}

/**
 * digits_window_revert_model:
 *
 * Goes back to the built-in model, now and after a restart.
 */
void
digits_window_revert_model (DigitsWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = get_current_model_path ();
  DigitsModel *model;

  g_return_if_fail (DIGITS_IS_WINDOW (self));

  model = load_builtin_model (&error);
  if (model == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, TRUE,
                    _("The built-in model could not be loaded (%s)."), error->message);
      return;
    }

  g_clear_pointer (&self->in_use, digits_model_free);
  self->in_use = model;
  self->in_use_builtin = TRUE;
  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "model-file", "");
      g_unlink (path);
    }

  answer_with_model_in_use (self);
}

gboolean
digits_window_is_on_trial (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);

  return self->on_trial;
}

DigitsTrainView *
digits_window_get_train_view (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return self->train_view;
}

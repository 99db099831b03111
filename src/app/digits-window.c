/* digits-window.c — the main window: the canvas, opened images and the network's answer.
 *
 * This file holds the GObject, its state, messages and the model in use; the rest of the
 * window is split by concern (see digits-window-private.h). Errors never clear what
 * the person drew.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "core/digits-image-file.h"
#include "digits-train-view.h"
#include "digits-window-private.h"

G_DEFINE_FINAL_TYPE (DigitsWindow, digits_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- messages ---- */

void
digits_window_show_message (DigitsWindow   *self,
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

void
digits_window_hide_message (DigitsWindow *self)
{
  gtk_revealer_set_reveal_child (self->message_revealer, FALSE);
}

static void
message_close_clicked_cb (DigitsWindow *self)
{
  digits_window_hide_message (self);
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
  digits_window_add_toast (self, toast);
}

void
digits_window_add_toast (DigitsWindow *self,
                         AdwToast     *toast)
{
  g_free (self->last_toast);
  self->last_toast = g_strdup (adw_toast_get_title (toast));
  g_set_weak_pointer (&self->last_toast_shown, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- state ---- */

void
digits_window_update_actions (DigitsWindow *self)
{
  gboolean empty = digits_canvas_is_empty (self->canvas);
  GtkWidget *widget = GTK_WIDGET (self);
  /* Ctrl+Z, Delete and Escape must not change a drawing that the Train page hides. */
  gboolean drawing = g_strcmp0 (adw_view_stack_get_visible_child_name (self->main_stack),
                                "draw") == 0;

  gtk_widget_action_set_enabled (widget, "win.undo", drawing && !self->showing_image && !empty);
  gtk_widget_action_set_enabled (widget, "win.clear",
                                 drawing && (self->showing_image || !empty ||
                                             self->input_is_test_digit));
  gtk_widget_action_set_enabled (widget, "win.close-image", drawing && self->showing_image);
  gtk_widget_action_set_enabled (widget, "win.save-model", self->model != NULL);
  gtk_widget_set_visible (self->hint_label, empty && !self->input_is_test_digit);
  digits_window_teach_update (self);
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
  digits_window_update_actions (self);
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
  digits_window_answer_canvas (self);
  digits_window_update_actions (self);
}

static void
glyph_selected_cb (DigitsGlyphRow *row,
                   int             index,
                   DigitsWindow   *self)
{
  digits_window_select_glyph (self, index);
}

static void
glyph_activated_cb (DigitsImageView *view,
                    int              index,
                    DigitsWindow    *self)
{
  digits_window_select_glyph (self, index);
}

/* ---- the model in use (its rules are DigitsModelStore's) ---- */

/* Says which model is in use, and whether going back to the built-in one can be asked:
 * the one place that decides the Revert button's state (it follows its action). */
static void
store_changed_cb (DigitsModelStore *store,
                  DigitsWindow     *self)
{
  g_autofree char *description = digits_model_store_describe (store);

  digits_train_view_set_model_in_use (self->train_view, description);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.revert-model",
                                 digits_model_store_can_revert (store));
}

/* The model in use becomes what answers. */
static void
answer_with_model_in_use (DigitsWindow *self)
{
  const DigitsModel *model = digits_model_store_get_model (self->store);

  digits_model_store_set_on_trial (self->store, FALSE);
  digits_window_set_model (self, model != NULL ? digits_model_copy (model) : NULL);
}

static void
train_model_updated_cb (DigitsTrainView   *view,
                        const DigitsModel *model,
                        DigitsWindow      *self)
{
  digits_window_try_model (self, model);
}

/* The canvas and the open image answer with the newest weights; the model in use
 * stays what it is until the person chooses. */
void
digits_window_try_model (DigitsWindow      *self,
                         const DigitsModel *model)
{
  digits_model_store_set_on_trial (self->store, TRUE);
  digits_window_set_model (self, digits_model_copy (model));
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
  digits_window_keep_tried_model (self, model);
}

/* "Use This Model": in use from now on, with an Undo. */
void
digits_window_keep_tried_model (DigitsWindow      *self,
                                const DigitsModel *model)
{
  const DigitsModel *in_use = digits_model_store_get_model (self->store);
  DigitsModel *previous = in_use != NULL ? digits_model_copy (in_use) : NULL;
  gboolean previous_builtin = digits_model_store_is_builtin (self->store);

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

void
digits_window_discard_tried_model (DigitsWindow *self)
{
  answer_with_model_in_use (self);
}

static void
train_state_changed_cb (DigitsTrainView *view,
                        DigitsWindow    *self)
{
  update_train_attention (self);
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
  digits_window_clear_file_chooser (self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (digits_window_parent_class)->dispose (object);
}

static void
digits_window_finalize (GObject *object)
{
  DigitsWindow *self = DIGITS_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->model, digits_model_free);
  g_clear_pointer (&self->previous, digits_model_free);
  g_clear_pointer (&self->canvas_probs, g_free);
  g_clear_pointer (&self->glyphs, g_array_unref);
  g_clear_pointer (&self->glyph_probs, g_free);
  g_clear_pointer (&self->glyph_tops, g_free);
  g_clear_pointer (&self->reading, g_free);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_weak_pointer (&self->last_toast_shown);
  digits_window_teach_free (self);
  digits_window_finalize_inspect (self);

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
  g_type_ensure (DIGITS_TYPE_GLYPH_ROW);
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
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, glyph_row);
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
  gtk_widget_class_bind_template_callback (widget_class, glyph_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_model_updated_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_use_model_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_discarded_cb);
  gtk_widget_class_bind_template_callback (widget_class, train_state_changed_cb);
  digits_window_class_add_inspect (widget_class);

  digits_window_class_add_actions (widget_class);
}

static void
digits_window_init (DigitsWindow *self)
{
  g_autoptr (GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->canvas_top = -1;
  self->n_classes = 10;
  self->canvas_probs = g_new0 (float, self->n_classes);

  digits_window_init_dnd (self);
  digits_window_teach_init (self);
  digits_window_init_inspect (self);
  g_signal_connect (self->draw_page, "notify::folded", G_CALLBACK (draw_page_folded_cb), self);
  g_signal_connect (self->main_stack, "notify::visible-child",
                    G_CALLBACK (main_page_changed_cb), self);

  load_window_state (self);

  self->store = digits_model_store_new (self->settings, NULL);
  g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb), self);
  if (!digits_model_store_load (self->store, &error))
    digits_window_show_message (self, GTK_MESSAGE_WARNING,
                                digits_model_store_get_model (self->store) == NULL,
                                "%s", error->message);
  answer_with_model_in_use (self);
  digits_window_answer_canvas (self);
  digits_window_update_actions (self);

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

  if (model == self->model)
    return;

  g_clear_pointer (&self->model, digits_model_free);
  self->model = model;
  digits_window_inspect_model_changed (self);
  self->n_classes = model != NULL ? (guint) model->net->sizes[model->net->n_layers] : 10;

  g_clear_pointer (&self->canvas_probs, g_free);
  self->canvas_probs = g_new0 (float, self->n_classes);

  if (model != NULL)
    {
      for (guint k = 0; k < self->n_classes; k++)
        g_ptr_array_add (labels, (gpointer) digits_window_get_class_name (self, k));
      g_ptr_array_add (labels, NULL);
    }
  digits_chart_set_labels (self->chart,
                           model != NULL ? (const char * const *) labels->pdata : NULL);

  digits_window_answer_canvas (self);
  digits_window_answer_image (self);
  digits_window_update_actions (self);
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

  name = digits_file_get_display_name (file);
  path = g_file_get_path (file);
  if (path == NULL)
    {
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
                                  _("Could not open the model “%s”: only local files can be "
                                  "opened. The current model stays in use."), name);
      return FALSE;
    }

  /* The core says what is wrong with the file; the window names it, once. */
  model = digits_model_load (path, &error);
  if (model == NULL)
    {
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
                                  _("Could not open the model “%s”: %s. The current model "
                                    "stays in use."), name, error->message);
      return FALSE;
    }

  digits_window_hide_message (self);
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

  name = digits_file_get_display_name (file);
  path = g_file_get_path (file);
  if (path == NULL)
    {
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
                                  _("Could not save the model as “%s”: only local files "
                                    "can be written."), name);
      return FALSE;
    }

  if (!digits_model_save (self->model, path, &error))
    {
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
                                  _("Could not save the model as “%s”: %s"), name,
                                  error->message);
      return FALSE;
    }

  digits_window_hide_message (self);
  show_toast (self, _("Model saved"), NULL);
  return TRUE;
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
  digits_glyph_row_set_glyphs (self->glyph_row, NULL, 0, NULL, NULL);

  digits_window_show_canvas_answer (self);
  digits_window_update_actions (self);
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
  gboolean kept;

  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  kept = digits_model_store_use (self->store, model, &error);
  digits_window_set_model (self, model);
  if (!kept)
    digits_window_show_message (self, GTK_MESSAGE_WARNING, FALSE, "%s", error->message);

  return kept;
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

  g_return_if_fail (DIGITS_IS_WINDOW (self));

  if (!digits_model_store_revert (self->store, &error))
    {
      digits_window_show_message (self, GTK_MESSAGE_ERROR, TRUE, "%s", error->message);
      return;
    }

  answer_with_model_in_use (self);
}

gboolean
digits_window_is_on_trial (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);

  return digits_model_store_is_on_trial (self->store);
}

DigitsTrainView *
digits_window_get_train_view (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return self->train_view;
}

/* ---- for tests ---- */

const char *
digits_window_get_last_toast (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), NULL);

  return self->last_toast;
}

gboolean
digits_window_press_toast_button (DigitsWindow *self)
{
  g_return_val_if_fail (DIGITS_IS_WINDOW (self), FALSE);

  if (self->last_toast_shown == NULL ||
      adw_toast_get_button_label (self->last_toast_shown) == NULL)
    return FALSE;

  g_signal_emit_by_name (self->last_toast_shown, "button-clicked");
  return TRUE;
}

void
digits_window_show_page (DigitsWindow *self,
                         const char   *name)
{
  g_return_if_fail (DIGITS_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->main_stack, name);
}

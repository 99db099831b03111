/* digits-window-actions.c — the window's actions, their keys, file choosers and dialogs.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-window-private.h"

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
  digits_window_forget_test_digit (self);
}

static void
close_image_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  digits_window_close_image (DIGITS_WINDOW (widget));
}

void
digits_window_clear_file_chooser (DigitsWindow *self)
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

  digits_window_clear_file_chooser (self);
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
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  digits_window_paste (DIGITS_WINDOW (widget));
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

/* "Evaluate": the model in use on the test set, shown where a trained model's results are:
 * the Train page's confusion matrix and Mistakes gallery. */
static void
evaluate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  DigitsWindow *self = DIGITS_WINDOW (widget);
  const DigitsModel *model = digits_model_store_get_model (self->store);
  g_autoptr (GError) error = NULL;

  adw_view_stack_set_visible_child_name (self->main_stack, "train");
  if (model != NULL && !digits_train_view_evaluate_model (self->train_view, model, &error))
    digits_window_add_toast (self, adw_toast_new (error->message));
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

  if (digits_model_store_is_builtin (self->store))
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

void
digits_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_image_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.save-model", NULL, save_model_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "win.close-image", NULL, close_image_action);
  gtk_widget_class_install_action (widget_class, "win.train", NULL, train_action);
  gtk_widget_class_install_action (widget_class, "win.revert-model", NULL, revert_model_action);
  gtk_widget_class_install_action (widget_class, "win.evaluate", NULL, evaluate_action);

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

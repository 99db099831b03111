/* digits-train-view-data.c — where the Train page's data is, and fetching MNIST.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "core/digits-dataset.h"
#include "digits-train-view-private.h"
#ifdef DIGITS_HAVE_DOWNLOAD
#include "core/digits-downloader.h"
#endif

const char * const digits_train_dataset_ids[] = { "mnist", "fashion-mnist", "folder" };

static gboolean
folder_holds_idx (const char *folder)
{
  static const char * const bases[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  };

  if (folder == NULL || *folder == '\0')
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *plain = g_build_filename (folder, bases[i], NULL);
      g_autofree char *gz = g_strconcat (plain, ".gz", NULL);

      if (!g_file_test (plain, G_FILE_TEST_IS_REGULAR) &&
          !g_file_test (gz, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }

  return TRUE;
}

DatasetKind
digits_train_view_get_dataset_kind (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->dataset_row);

  if (selected >= self->n_datasets)
    return DATASET_MNIST;

  return self->dataset_kinds[selected];
}

/* Whether the data set last read (self->data) is the chosen folder's: then it is used
 * again rather than read anew. */
gboolean
digits_train_view_data_is_read (DigitsTrainView *self)
{
  return self->data != NULL && g_strcmp0 (self->data->folder, self->data_folder) == 0;
}

void
digits_train_view_select_dataset_kind (DigitsTrainView *self,
                                       DatasetKind      kind)
{
  for (guint i = 0; i < self->n_datasets; i++)
    if (self->dataset_kinds[i] == kind)
      {
        adw_combo_row_set_selected (self->dataset_row, i);
        return;
      }

  adw_combo_row_set_selected (self->dataset_row, 0);
}

void
digits_train_view_update_data_status (DigitsTrainView *self)
{
  DatasetKind kind = digits_train_view_get_dataset_kind (self);
  g_autofree char *markup = NULL;
  g_autofree char *user_dir = g_build_filename (g_get_user_data_dir (), "digits", "mnist",
                                                NULL);

  g_clear_pointer (&self->data_folder, g_free);
  switch (kind)
    {
    case DATASET_MNIST:
      self->data_folder = digits_dataset_find_mnist ();
      break;
    case DATASET_FASHION:
      if (folder_holds_idx (FASHION_MNIST_DIR))
        self->data_folder = g_strdup (FASHION_MNIST_DIR);
      break;
    case DATASET_FOLDER:
    default:
      if (folder_holds_idx (self->folder))
        self->data_folder = g_strdup (self->folder);
      break;
    }

  gtk_widget_set_visible (self->choose_folder_button, kind == DATASET_FOLDER);

  if (self->data_folder != NULL)
    {
      g_autofree char *display = g_filename_display_name (self->data_folder);
      /* TRANSLATORS: where the training data was found */
      g_autofree char *text = g_strdup_printf (_("In %s"), display);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dataset_row), text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->dataset_row), display);
    }
  else if (kind == DATASET_FOLDER && self->folder == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dataset_row),
                                   _("No folder chosen yet"));
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dataset_row), _("Not found"));
    }

  /* The empty page explains where the files go. */
  if (kind == DATASET_FOLDER && self->folder != NULL)
    {
      g_autofree char *display = g_filename_display_name (self->folder);

      adw_status_page_set_title (self->no_data_page, _("No Training Data in This Folder"));
      markup = g_markup_printf_escaped (_("Digits needs the four files of an MNIST-style "
                                          "data set, such as <tt>train-images-idx3-ubyte.gz"
                                          "</tt>, in <b>%s</b>."), display);
    }
  else
    {
      g_autofree char *display = g_filename_display_name (user_dir);

      adw_status_page_set_title (self->no_data_page, _("No Training Data Yet"));
      markup = g_markup_printf_escaped (_("Digits learns from MNIST, 70,000 handwritten "
                                          "digits. Put its four files "
                                          "(<tt>train-images-idx3-ubyte.gz</tt> and the "
                                          "others) in <b>%s</b> or in <b>%s</b>, or name "
                                          "their folder in the <tt>DIGITS_MNIST_DIR</tt> "
                                          "environment variable."),
                                        display, SYSTEM_MNIST_DIR);
    }
  adw_status_page_set_description (self->no_data_page, markup);

#ifdef DIGITS_HAVE_DOWNLOAD
  gtk_widget_set_visible (self->download_button,
                          kind == DATASET_MNIST && self->download_cancellable == NULL);
#else
  gtk_widget_set_visible (self->download_button, FALSE);
#endif
}

static void
dataset_changed_cb (DigitsTrainView *self)
{
  digits_train_view_update_data_status (self);
  digits_train_view_save_settings (self);
  digits_train_view_update (self);
  digits_train_view_update_network (self);
}

static void
folder_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    DigitsTrainView *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  /* Not destroyed here: the dialog is still emitting its response. */
  g_clear_object (&self->folder_chooser);

  if (file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        digits_train_view_set_folder (self, path);
    }
}

static void
choose_folder_clicked_cb (DigitsTrainView *self)
{
  GtkFileChooserNative *native;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->folder_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->folder_chooser);
      g_clear_object (&self->folder_chooser);
    }

  native = gtk_file_chooser_native_new (_("Choose a Folder with Training Data"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (folder_response_cb), self);
  self->folder_chooser = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->folder_chooser);
}

/* ---- downloading ---- */

#ifdef DIGITS_HAVE_DOWNLOAD
static void
set_download_status (DigitsTrainView *self,
                     const char      *text,
                     gboolean         is_error)
{
  g_free (self->download_status);
  self->download_status = g_strdup (text);
  gtk_label_set_text (self->download_status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->download_status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->download_status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->download_status_label), "error");
}

static void
download_progress_cb (guint64     received,
                      guint64     total,
                      const char *file_name,
                      gpointer    user_data)
{
  DigitsTrainView *self = user_data;
  g_autofree char *have = g_format_size (received);
  g_autofree char *all = g_format_size (total);
  g_autofree char *text = NULL;

  if (self->disposed)
    return;

  /* TRANSLATORS: "3.1 MB of 11.6 MB: train-images-idx3-ubyte.gz" */
  text = g_strdup_printf (_("%s of %s: %s"), have, all, file_name);
  gtk_progress_bar_set_fraction (self->download_progress,
                                 total > 0 ? (double) received / total : 0.0);
  gtk_progress_bar_set_text (self->download_progress, text);
}

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (DigitsTrainView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *folder = digits_download_mnist_finish (result, &error);

  g_clear_object (&self->download_cancellable);
  if (self->disposed)
    return;

  gtk_widget_set_visible (self->download_box, FALSE);

  if (folder == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_download_status (self, _("The download was cancelled."), FALSE);
        }
      else
        {
          text = g_strdup_printf (_("MNIST could not be downloaded: %s"), error->message);
          set_download_status (self, text, TRUE);
        }
    }
  else
    {
      g_autofree char *display = g_filename_display_name (folder);
      g_autofree char *text = g_strdup_printf (_("MNIST was downloaded to %s."), display);

      set_download_status (self, text, FALSE);
    }

  digits_train_view_refresh_data (self);
}
#endif

static void
download_clicked_cb (DigitsTrainView *self)
{
  digits_train_view_download (self);
}

static void
download_cancel_clicked_cb (DigitsTrainView *self)
{
  digits_train_view_cancel_download (self);
}

void
digits_train_view_class_add_data (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, dataset_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_cancel_clicked_cb);
}

/* Fashion-MNIST is offered only when Debian's dataset-fashion-mnist is installed. */
void
digits_train_view_init_data (DigitsTrainView *self)
{
  g_autoptr (GtkStringList) datasets = gtk_string_list_new (NULL);

  self->dataset_kinds[self->n_datasets++] = DATASET_MNIST;
  gtk_string_list_append (datasets, _("MNIST"));
  if (folder_holds_idx (FASHION_MNIST_DIR))
    {
      self->dataset_kinds[self->n_datasets++] = DATASET_FASHION;
      gtk_string_list_append (datasets, _("Fashion-MNIST"));
    }
  self->dataset_kinds[self->n_datasets++] = DATASET_FOLDER;
  gtk_string_list_append (datasets, _("A Folder"));

  self->loading_settings = TRUE;
  adw_combo_row_set_model (self->dataset_row, G_LIST_MODEL (datasets));
  self->loading_settings = FALSE;
}

void
digits_train_view_set_folder (DigitsTrainView *self,
                              const char      *folder)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  g_free (self->folder);
  self->folder = g_strdup (folder);
  if (digits_train_view_get_dataset_kind (self) != DATASET_FOLDER)
    digits_train_view_select_dataset_kind (self, DATASET_FOLDER);   /* updates and saves */
  else
    dataset_changed_cb (self);
}

void
digits_train_view_refresh_data (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  digits_train_view_update_data_status (self);
  digits_train_view_update (self);
}

gboolean
digits_train_view_has_data (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  return self->data_folder != NULL;
}

void
digits_train_view_download (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

#ifdef DIGITS_HAVE_DOWNLOAD
  if (self->download_cancellable != NULL)
    return;

  self->download_cancellable = g_cancellable_new ();
  set_download_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->download_progress, 0.0);
  gtk_progress_bar_set_text (self->download_progress, _("Connecting…"));
  gtk_widget_set_visible (self->download_box, TRUE);
  gtk_widget_set_visible (self->download_button, FALSE);
  digits_train_view_update (self);

  digits_download_mnist_async (NULL, self->download_cancellable,
                               download_progress_cb, g_object_ref (self), g_object_unref,
                               download_done_cb, g_object_ref (self));
#endif
}

void
digits_train_view_cancel_download (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  g_cancellable_cancel (self->download_cancellable);
}

gboolean
digits_train_view_is_downloading (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  return self->download_cancellable != NULL;
}

const char *
digits_train_view_get_download_status (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  return self->download_status;
}

/* digits-window-dnd.c — images into the window: opened, pasted or dropped.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "core/digits-dataset.h"
#include "core/digits-image-file.h"
#include "digits-window-private.h"

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
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
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
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
                                  _("Could not paste the file: %s"),
                                  error != NULL ? error->message
                                                : _("the clipboard holds no file"));
      return;
    }

  digits_window_open_file (self, files->data);
}

void
digits_window_paste (DigitsWindow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
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
    digits_window_show_message (self, GTK_MESSAGE_INFO, FALSE,
                                _("There is no image on the clipboard to paste. Copy an "
                                  "image or an image file first."));
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

void
digits_window_init_dnd (DigitsWindow *self)
{
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE, GDK_TYPE_TEXTURE };
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (self->content, GTK_EVENT_CONTROLLER (drop));
  gtk_widget_add_css_class (self->content, "drop-target");
}

/* ---- reading images ----
 *
 * A file is read in a GTask thread by the core (decoded once: the upright picture and
 * its digits); a pasted or dropped texture is searched for digits there too. Every
 * load ends in load_done_cb, with a result, an error or a cancel, and so the spinner
 * always stops.
 */

typedef struct
{
  /* in */
  GFile       *file;          /* or: */
  GdkTexture  *texture;
  guint8      *pixels;        /* the texture's, premultiplied ARGB32 in native order */
  int          width;
  int          height;
  char        *name;
  /* out */
  DigitsImage *image;
} LoadJob;

static void
load_job_free (gpointer data)
{
  LoadJob *job = data;

  g_clear_object (&job->file);
  g_clear_object (&job->texture);
  g_clear_pointer (&job->pixels, g_free);
  g_clear_pointer (&job->name, g_free);
  g_clear_pointer (&job->image, digits_image_free);
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

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;

  if (job->file != NULL)
    {
      job->image = digits_image_load (job->file, cancellable, &error);
    }
  else
    {
      convert_argb32_to_rgba (job->pixels, (gsize) job->width * job->height);
      job->image = g_new0 (DigitsImage, 1);
      job->image->width = job->width;
      job->image->height = job->height;
      job->image->glyphs = digits_glyphs_from_rgba (job->pixels, job->width, job->height,
                                                    job->width * 4, TRUE, &error);
      if (job->image->glyphs == NULL)
        g_clear_pointer (&job->image, digits_image_free);
    }

  if (job->image != NULL)
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

  digits_window_answer_image (self);
  digits_window_update_actions (self);
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
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* What was drawn stays: an error only explains itself. The core says what is
       * wrong; the window names the file, once. */
      if (g_error_matches (error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT))
        digits_window_show_message (self, GTK_MESSAGE_WARNING, FALSE,
                                    _("No digit was found in “%s”. Digits looks for dark "
                                    "writing on a light background, or light writing on "
                                    "a dark one."), job->name);
      else
        digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
                                    _("Could not open “%s”: %s."), job->name,
                                    error->message);
      return;
    }

  if (job->texture != NULL)
    texture = g_object_ref (job->texture);
  else
    texture = gdk_texture_new_for_pixbuf (job->image->picture);

  digits_window_hide_message (self);
  show_image (self, texture, job->image->width, job->image->height, job->image->glyphs,
              job->name);
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

void
digits_window_open_file (DigitsWindow *self,
                         GFile        *file)
{
  LoadJob *job;

  g_return_if_fail (DIGITS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (LoadJob, 1);
  job->file = g_object_ref (file);
  job->name = digits_file_get_display_name (file);
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
      digits_window_show_message (self, GTK_MESSAGE_ERROR, FALSE,
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

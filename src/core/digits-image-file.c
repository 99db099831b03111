/* digits-image-file.c — an image file read once: the picture and the digits in it.
 *
 * One decode serves both the window, which shows the picture and boxes the digits, and
 * the command line, which reads them: the same pixels, turned upright once, so the boxes
 * always fit the picture.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "digits-dataset.h"
#include "digits-image-file.h"

void
digits_image_free (DigitsImage *image)
{
  if (image == NULL)
    return;

  g_clear_object (&image->picture);
  g_clear_pointer (&image->glyphs, g_array_unref);
  g_free (image);
}

/* The decoder's reason, when it gives one, in brackets: the caller names the file. */
void
digits_image_set_unreadable_error (GError       **error,
                                   int            code,
                                   const GError  *reason)
{
  if (reason != NULL)
    g_set_error (error, DIGITS_ERROR, code, _("it is not an image Digits can read (%s)"),
                 reason->message);
  else
    g_set_error_literal (error, DIGITS_ERROR, code, _("it is not an image Digits can read"));
}

/* Checks what the header says before anything is decoded: there is a file, not a
 * folder, in a known format, and not a decompression bomb. */
gboolean
digits_image_file_check (const char  *path,
                         int         *width,
                         int         *height,
                         GError     **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND, _("there is no such file"));
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("it is a folder, not an image"));
      return FALSE;
    }

  /* The sniffing does not say why a format is unknown; a stream decoder does, without
   * naming the path. */
  if (gdk_pixbuf_get_file_info (path, width, height) == NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (path);
      g_autoptr (GInputStream) stream = G_INPUT_STREAM (g_file_read (file, NULL, &local));
      g_autoptr (GdkPixbuf) decoded = NULL;

      if (stream != NULL)
        decoded = gdk_pixbuf_new_from_stream (stream, NULL, &local);
      digits_image_set_unreadable_error (error, DIGITS_ERROR_UNSUPPORTED, local);
      return FALSE;
    }
  if (*width > 0 && *height > 0 && !digits_image_check_size (*width, *height, error))
    return FALSE;

  return TRUE;
}

static GdkPixbuf *
decode_stream (GFile         *file,
               int            width,
               int            height,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr (GInputStream) stream = G_INPUT_STREAM (g_file_read (file, cancellable, error));

  if (stream == NULL)
    return NULL;

  if (width > 0 && MAX (width, height) <= DIGITS_IMAGE_WORK_SIDE)
    return gdk_pixbuf_new_from_stream (stream, cancellable, error);

  return gdk_pixbuf_new_from_stream_at_scale (stream, DIGITS_IMAGE_WORK_SIDE,
                                              DIGITS_IMAGE_WORK_SIDE, TRUE, cancellable,
                                              error);
}

/* Decodes at most DIGITS_IMAGE_WORK_SIDE a side (JPEG even decodes faster so). A local
 * file is read whole by the loader, which notices a file cut short; its messages name
 * the path, so the reason is asked of a stream decoder, whose messages do not: the
 * caller names the file, once. */
GdkPixbuf *
digits_image_decode (GFile         *file,
                     const char    *path,
                     int            width,
                     int            height,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr (GdkPixbuf) partial = NULL;
  GdkPixbuf *pixbuf;

  if (path == NULL)
    return decode_stream (file, width, height, cancellable, error);

  if (width > 0 && MAX (width, height) <= DIGITS_IMAGE_WORK_SIDE)
    pixbuf = gdk_pixbuf_new_from_file (path, NULL);
  else
    pixbuf = gdk_pixbuf_new_from_file_at_scale (path, DIGITS_IMAGE_WORK_SIDE,
                                                DIGITS_IMAGE_WORK_SIDE, TRUE, NULL);
  if (pixbuf != NULL)
    return pixbuf;

  partial = decode_stream (file, width, height, cancellable, error);
  if (partial != NULL)
    g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                         _("the file is cut short or damaged"));
  return NULL;
}

char *
digits_file_get_display_name (GFile *file)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *basename = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL)
    return g_strdup (g_file_info_get_display_name (info));

  basename = g_file_get_basename (file);
  return g_filename_display_name (basename);
}

/* Boxes from the decoded picture's pixels to the upright file's own. */
static void
scale_boxes (DigitsImage *image,
             double       scale)
{
  for (guint i = 0; i < image->glyphs->len; i++)
    {
      DigitsGlyph *g = &g_array_index (image->glyphs, DigitsGlyph, i);
      int x1 = MIN ((int) ceil ((g->x + g->width) * scale), image->width);
      int y1 = MIN ((int) ceil ((g->y + g->height) * scale), image->height);

      g->x = (int) floor (g->x * scale);
      g->y = (int) floor (g->y * scale);
      g->width = MAX (x1 - g->x, 1);
      g->height = MAX (y1 - g->y, 1);
    }
}

static gboolean
find_glyphs (DigitsImage  *image,
             int           width,
             int           height,
             GError      **error)
{
  GdkPixbuf *pixbuf = image->picture;
  int pw = gdk_pixbuf_get_width (pixbuf), ph = gdk_pixbuf_get_height (pixbuf);
  double scale;

  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_n_channels (pixbuf) != (gdk_pixbuf_get_has_alpha (pixbuf) ? 4 : 3))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("it has a pixel format Digits cannot read"));
      return FALSE;
    }

  image->glyphs = digits_glyphs_from_rgba (gdk_pixbuf_read_pixels (pixbuf), pw, ph,
                                           gdk_pixbuf_get_rowstride (pixbuf),
                                           gdk_pixbuf_get_has_alpha (pixbuf), error);
  if (image->glyphs == NULL)
    return FALSE;

  /* The file's own size, upright: the decoded picture's, scaled back up. */
  scale = width > 0 && height > 0 ? (double) MAX (width, height) / MAX (pw, ph) : 1.0;
  image->width = (int) lround (pw * scale);
  image->height = (int) lround (ph * scale);
  if (scale != 1.0)
    scale_boxes (image, scale);

  return TRUE;
}

DigitsImage *
digits_image_load (GFile         *file,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr (DigitsImage) image = g_new0 (DigitsImage, 1);
  g_autofree char *path = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GdkPixbuf) decoded = NULL;
  int width = 0, height = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_file_get_path (file);

  if (path != NULL && !digits_image_file_check (path, &width, &height, error))
    return NULL;

  decoded = digits_image_decode (file, path, width, height, cancellable, &local);
  if (decoded == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        digits_image_set_unreadable_error (error, DIGITS_ERROR_CORRUPT, local);
      return NULL;
    }

  /* Photos are often stored sideways with an EXIF note saying which way is up. */
  image->picture = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (image->picture == NULL)
    image->picture = g_object_ref (decoded);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!find_glyphs (image, width, height, error))
    return NULL;

  return g_steal_pointer (&image);
}

GArray *
digits_glyphs_from_file (const char *path, GError **error)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (DigitsImage) image = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  image = digits_image_load (file, NULL, error);
  if (image == NULL)
    return NULL;

  return g_steal_pointer (&image->glyphs);
}

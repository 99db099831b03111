/* digits-image-file.h — an image file read once: the picture and the digits in it.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "digits-preprocess.h"

G_BEGIN_DECLS

typedef struct {
  GdkPixbuf *picture;   /* as decoded (at most DIGITS_IMAGE_WORK_SIDE a side), upright */
  int        width;     /* the upright image's own size, in which the glyphs' boxes are */
  int        height;
  GArray    *glyphs;    /* of DigitsGlyph, left to right, at least one */
} DigitsImage;

/* Decodes @file once (gdk-pixbuf; its size checked before decoding, turned the way its
 * EXIF note says) and finds its digits. Local files and others (a phone, a share) alike.
 * Every failure sets @error; its message says what is wrong with the file and leaves
 * naming it to the caller ("Could not open “a.png”: …"). Cancelled: G_IO_ERROR_CANCELLED. */
DigitsImage *digits_image_load        (GFile         *file,
                                       GCancellable  *cancellable,
                                       GError       **error);
void         digits_image_free        (DigitsImage   *image);

/* FALSE with DIGITS_ERROR_TOO_LARGE over DIGITS_IMAGE_MAX_PIXELS. */
gboolean     digits_image_check_size  (int            width,
                                       int            height,
                                       GError       **error);

/* What a file's header says, before anything is decoded: it exists, is not a folder, is
 * in a format Digits reads and is not too large to decode. Errors do not name the file. */
gboolean     digits_image_file_check  (const char    *path,
                                       int           *width,
                                       int           *height,
                                       GError       **error);

/* Decodes a file whose header digits_image_file_check read (width × height; path NULL
 * for a file that is not local), at most DIGITS_IMAGE_WORK_SIDE a side, as stored (not
 * turned upright). The error is the decoder's reason, without the file's name. */
GdkPixbuf   *digits_image_decode      (GFile         *file,
                                       const char    *path,
                                       int            width,
                                       int            height,
                                       GCancellable  *cancellable,
                                       GError       **error);

/* "it is not an image Digits can read (reason)", with the decoder's reason when there
 * is one; @code a DigitsError. */
void         digits_image_set_unreadable_error (GError       **error,
                                                int            code,
                                                const GError  *reason);

/* The name to show a person: the file's display name, or its base name made readable
 * when it is not there (yet). */
char        *digits_file_get_display_name (GFile        *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsImage, digits_image_free)

G_END_DECLS

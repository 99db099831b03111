/* digits-image-view.h — an opened image with a box around each digit found in it.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/digits-preprocess.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_IMAGE_VIEW (digits_image_view_get_type ())

G_DECLARE_FINAL_TYPE (DigitsImageView, digits_image_view, DIGITS, IMAGE_VIEW, GtkWidget)

GtkWidget *digits_image_view_new          (void);
/* The glyphs' boxes are in a space of image_width × image_height pixels, which the
 * texture is stretched over (it may have been scaled down for display). */
void       digits_image_view_set_image    (DigitsImageView    *self,
                                           GdkTexture         *texture,
                                           int                 image_width,
                                           int                 image_height);
/* The texture shown (borrowed, or NULL) and the size its glyphs' boxes are in. */
GdkTexture *digits_image_view_get_image    (DigitsImageView    *self,
                                           int                *image_width,
                                           int                *image_height);
/* glyphs: n_glyphs (copied boxes); labels: one short text for each box, or NULL. */
void       digits_image_view_set_glyphs   (DigitsImageView    *self,
                                           const DigitsGlyph  *glyphs,
                                           guint               n_glyphs,
                                           const char * const *labels);
void       digits_image_view_set_selected (DigitsImageView    *self,
                                           int                 selected);

G_END_DECLS

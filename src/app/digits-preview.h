/* digits-preview.h — the 28×28 input the network sees, magnified and pixelated.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_PREVIEW (digits_preview_get_type ())

G_DECLARE_FINAL_TYPE (DigitsPreview, digits_preview, DIGITS, PREVIEW, GtkWidget)

GtkWidget *digits_preview_new       (void);
/* input: DIGITS_PIXELS floats in [0, 1] (copied), or NULL for nothing. */
void       digits_preview_set_input (DigitsPreview *self,
                                     const float   *input);

/* overlay: a 28×28 surface drawn over the input (referenced), or NULL. */
void       digits_preview_set_overlay (DigitsPreview   *self,
                                       cairo_surface_t *overlay);
/* A 28×28 ARGB32 surface of DIGITS_PIXELS × 4 non-premultiplied RGBA bytes, the overlay
 * of the preview and of the canvas (which draws the same one over the strokes). */
cairo_surface_t *digits_overlay_surface_new (const guint8 *rgba);
/* The input shown (DIGITS_PIXELS floats), or NULL. */
const float *digits_preview_get_input (DigitsPreview *self);

G_END_DECLS

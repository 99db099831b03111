/* digits-canvas.h — where a person draws a digit.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/digits-preprocess.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_CANVAS (digits_canvas_get_type ())

G_DECLARE_FINAL_TYPE (DigitsCanvas, digits_canvas, DIGITS, CANVAS, GtkWidget)

GtkWidget          *digits_canvas_new           (void);

/* Points are normalised: (0, 0) is the top left corner of the canvas, (1, 1) the bottom
 * right, so strokes keep their shape when the canvas is resized. Emits "changed". */
void                digits_canvas_add_stroke    (DigitsCanvas      *self,
                                                 const DigitsPoint *points,
                                                 guint              n_points);
gboolean            digits_canvas_undo          (DigitsCanvas      *self);
void                digits_canvas_clear         (DigitsCanvas      *self);

gboolean            digits_canvas_is_empty      (DigitsCanvas      *self);
guint               digits_canvas_get_n_strokes (DigitsCanvas      *self);
/* The strokes in normalised coordinates, owned by the canvas. */
const DigitsStroke *digits_canvas_get_strokes   (DigitsCanvas      *self,
                                                 guint             *n_strokes);
/* Colours the strokes with a 28×28 overlay of the network's input (a surface from
 * digits_overlay_surface_new, referenced; NULL: none), placed the way preprocessing placed
 * the strokes' normalised points in the input, so each stroke shows what its part of the
 * input did (a saliency map). Whoever answers "changed" sets the next one. */
void                digits_canvas_set_overlay   (DigitsCanvas          *self,
                                                 cairo_surface_t       *overlay,
                                                 const DigitsPlacement *placement);
gboolean            digits_canvas_has_overlay   (DigitsCanvas      *self);
/* Black ink on white paper at the canvas's size (side × side before it has one); NULL
 * when empty. The caller owns the surface. */
cairo_surface_t    *digits_canvas_render_ink    (DigitsCanvas      *self,
                                                 int                side);

G_END_DECLS

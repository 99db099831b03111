/* digits-image-private.h — what the four parts of the image reader share; not installed.
 *
 * pixels → grey → coverage → components → glyphs → 28×28:
 *   digits-image.c         the public entry points: RGBA or grey pixels → grey levels,
 *                          streamed a row at a time and scaled to the working size;
 *   digits-image-ink.c     grey → ink coverage 0..1 (paper level, polarity, uneven light);
 *   digits-image-glyphs.c  coverage → connected components → one group of marks per digit
 *                          → each digit cut out and handed to digits_preprocess_ink;
 *   digits-image-stroke.c  each cut-out digit's strokes brought to MNIST's thickness first.
 */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

/* ---- digits-image-ink.c ---- */

/* The histogram bin (grey level 0..255) of a grey value; inline because it runs per pixel. */
static inline int
digits_image_bin_grey (float v)
{
  return CLAMP ((int) lrintf (v), 0, 255);
}

/* The grey level below which fraction of a 256-bin histogram's total lies (0.5: median). */
double digits_image_find_percentile (const guint *hist, guint total, double fraction);

/* Turns w × h grey levels 0..255 into ink coverage 0..1 in place: finds the paper level
 * and the ink's polarity from the border, removes uneven lighting. FALSE when no ink. */
gboolean digits_image_grey_to_coverage (float *grey, int w, int h);

/* ---- digits-image-stroke.c ---- */

/* A new copy of one digit's w × h coverage crop with its strokes thickened or thinned into
 * MNIST's range; it may be larger (room to grow), its size in out_w × out_h. */
float *digits_image_normalize_thickness (const float *crop, int w, int h,
                                         int *out_w, int *out_h);

/* ---- digits-image-glyphs.c ---- */

/* Finds the digits in w × h grey levels 0..255 (consumed, freed) and returns an array of
 * DigitsGlyph, left to right, with boxes in the caller's orig_w × orig_h pixels (scale_x,
 * scale_y: caller's pixels per working pixel); NULL and DIGITS_ERROR_NO_DIGIT if none. */
GArray *digits_image_find_glyphs (float *grey, int w, int h, double scale_x, double scale_y,
                                  int orig_w, int orig_h, GError **error);

G_END_DECLS

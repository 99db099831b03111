/* digits-preprocess.h — the one way ink becomes network input.
 *
 * MNIST's digits were made like this, so drawn and opened digits must be too:
 * crop to the ink's bounding box; scale so the longer side is 20 px keeping the
 * aspect ratio, area-averaged; place in 28×28 with the centre of mass at the
 * centre. 0 = background, 1 = ink.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DIGITS_SIDE   28
#define DIGITS_PIXELS (DIGITS_SIDE * DIGITS_SIDE)
#define DIGITS_BOX    20

/* A raster of ink coverage in [0, 1] (1 = ink), width × height, rows `stride` floats apart.
 * Returns FALSE (and leaves out untouched) when there is no ink. */
gboolean digits_preprocess_ink (const float *ink, int width, int height, int stride,
                                float out[DIGITS_PIXELS]);

/* Where preprocessing put the ink, so that what is drawn over the input (a saliency map)
 * can be drawn over the source too: a source point (x, y) lands on
 * (scale · x + x_offset, scale · y + y_offset) of the input, whose pixel (i, j) spans
 * [i, i + 1) × [j, j + 1). Source points are a raster's pixel edges (pixel k spans
 * [k, k + 1)) or the strokes' own coordinates. */
typedef struct {
  double scale;
  double x_offset;
  double y_offset;
} DigitsPlacement;

/* digits_preprocess_ink, also saying where the ink went (placement may be NULL). */
gboolean digits_preprocess_ink_placed (const float *ink, int width, int height, int stride,
                                       float out[DIGITS_PIXELS], DigitsPlacement *placement);

/* ---- strokes drawn with a mouse, pen or finger ---- */

typedef struct {
  float x, y;          /* any coordinate space; only the shape matters */
} DigitsPoint;

typedef struct {
  GArray *points;      /* of DigitsPoint */
} DigitsStroke;

/* Stroke width as a fraction of the digit's longer side: MNIST's pen. */
#define DIGITS_PEN_FRACTION 0.15f

/* Renders strokes (anti-aliased, round caps and joins) with a pen whose width is
 * DIGITS_PEN_FRACTION × pen_scale of the ink's longer side, and preprocesses the result.
 * pen_scale 1.0 matches MNIST. A single dot is a short digit-sized mark.
 * Returns FALSE when there are no points. */
gboolean digits_preprocess_strokes (const DigitsStroke *strokes, guint n_strokes,
                                    float pen_scale, float out[DIGITS_PIXELS]);
/* The same, also saying where the strokes' points went (placement may be NULL). */
gboolean digits_preprocess_strokes_placed (const DigitsStroke *strokes, guint n_strokes,
                                           float pen_scale, float out[DIGITS_PIXELS],
                                           DigitsPlacement *placement);

/* ---- images ---- */

typedef struct {
  float input[DIGITS_PIXELS];  /* ready for the network */
  int x, y, width, height;     /* where the digit was, in the image's pixels */
} DigitsGlyph;

/* Largest image side accepted after decoding; larger images are scaled down first. */
#define DIGITS_IMAGE_WORK_SIDE 1024
#define DIGITS_IMAGE_MAX_PIXELS ((guint64) 100u * 1000u * 1000u)

/* Grey levels (0 black .. 255 white) → one glyph per digit, left to right.
 * Polarity (dark on light or light on dark) comes from the border. Returns an
 * array of DigitsGlyph; with no ink: NULL and DIGITS_ERROR_NO_DIGIT "No digit found". */
GArray *digits_glyphs_from_grey (const guint8 *grey, int width, int height, int stride,
                                 GError **error);

/* RGBA or RGB bytes (8 bits a channel, non-premultiplied); transparent pixels count as
 * the background. Large images are scaled down to DIGITS_IMAGE_WORK_SIDE first. */
GArray *digits_glyphs_from_rgba (const guint8 *pixels, int width, int height, int stride,
                                 gboolean has_alpha, GError **error);

/* Decodes a file with gdk-pixbuf (size checked before decoding) and finds its glyphs. */
GArray *digits_glyphs_from_file (const char *path, GError **error);

G_END_DECLS

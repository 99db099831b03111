/* digits-preprocess.c — ink raster or strokes → one MNIST-style 28×28 input.
 *
 * MNIST's recipe (LeCun et al.): crop to the ink's bounding box, scale so the longer side
 * is 20 px keeping the aspect ratio with an anti-aliasing (area-averaging) filter, then
 * translate so the intensity-weighted centre of mass sits at the centre of the 28×28
 * field. Measured on MNIST's 60,000 training digits, that centre is pixel index
 * (14.0, 14.0) (Σ i·v / Σ v), i.e. the continuous point (14.5, 14.5) when pixel i spans
 * [i, i + 1): that is the target used here.
 *
 * The translation is sub-pixel: it is folded into the one resampling step (the digit is
 * scaled straight into its final place), so it costs no extra blur, and a second pass
 * removes the small error that area-averaging makes in the centre of mass.
 */
#include "config.h"

#include "digits-preprocess.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

/* Coverage below this is anti-aliasing fringe or noise, not ink, when finding the box. */
#define INK_THRESHOLD 0.1f

/* Where MNIST's centre of mass is, in pixel indices (see above). */
#define CENTRE_INDEX 14.0

/* Upscaling integrates a linear reconstruction over each output pixel by sampling it. */
#define UPSCALE_SUBSAMPLES 16

/* Longer side of the point bounding box when strokes are rasterised: fine enough that
 * area-averaging down to 20 px gives MNIST-like grey edges, small enough to be instant. */
#define STROKE_RENDER_SIDE 96.0

/* One axis of the separable resampling: output pixel i takes Σ w[i][k] · src[k], k in
 * [first[i], last[i]). */
typedef struct {
  float *w;                   /* DIGITS_SIDE × n */
  int first[DIGITS_SIDE];
  int last[DIGITS_SIDE];
  int n;
} Weights;

/* Source pixel k spans [k, k + 1) and lands on [s·k + offset, s·(k + 1) + offset) of the
 * output axis. Shrinking (s ≤ 1): each output pixel is the exact average of the source
 * area it covers (a box filter, as MNIST did). Enlarging small ink: a box would give
 * blocks, so the source is reconstructed linearly between pixel centres (clamped at its
 * edges so nothing leaks past the box) and that is averaged over each output pixel. */
static void
compute_weights (Weights *wt, int n, double s, double offset)
{
  memset (wt->w, 0, sizeof (float) * DIGITS_SIDE * n);
  wt->n = n;

  if (s <= 1.0)
    {
      for (int k = 0; k < n; k++)
        {
          double a = s * k + offset;
          double b = a + s;
          int i0 = MAX ((int) floor (a), 0);
          int i1 = MIN ((int) ceil (b), DIGITS_SIDE);

          for (int i = i0; i < i1; i++)
            {
              double overlap = MIN (b, i + 1.0) - MAX (a, (double) i);
              if (overlap > 0)
                wt->w[i * n + k] += (float) overlap;
            }
        }
    }
  else
    {
      double end = offset + s * n;

      for (int i = 0; i < DIGITS_SIDE; i++)
        for (int t = 0; t < UPSCALE_SUBSAMPLES; t++)
          {
            double d = i + (t + 0.5) / UPSCALE_SUBSAMPLES;
            double x, f;
            int k;

            if (d < offset || d >= end)
              continue;

            x = (d - offset) / s - 0.5;
            if (x <= 0)
              {
                wt->w[i * n] += 1.0f / UPSCALE_SUBSAMPLES;
                continue;
              }
            if (x >= n - 1)
              {
                wt->w[i * n + n - 1] += 1.0f / UPSCALE_SUBSAMPLES;
                continue;
              }
            k = (int) x;
            f = x - k;
            wt->w[i * n + k] += (float) ((1.0 - f) / UPSCALE_SUBSAMPLES);
            wt->w[i * n + k + 1] += (float) (f / UPSCALE_SUBSAMPLES);
          }
    }

  for (int i = 0; i < DIGITS_SIDE; i++)
    {
      int first = n, last = 0;

      for (int k = 0; k < n; k++)
        if (wt->w[i * n + k] != 0.0f)
          {
            first = MIN (first, k);
            last = k + 1;
          }
      wt->first[i] = first;
      wt->last[i] = last;
    }
}

/* out = Wy · crop · Wxᵀ, the horizontal pass first into tmp (h × DIGITS_SIDE). */
static void
resample (const float *crop, int w, int h, const Weights *wx, const Weights *wy,
          float *tmp, float out[DIGITS_PIXELS])
{
  for (int y = 0; y < h; y++)
    {
      const float *row = crop + (gsize) y * w;

      for (int i = 0; i < DIGITS_SIDE; i++)
        {
          const float *wr = wx->w + i * w;
          float acc = 0.0f;

          for (int k = wx->first[i]; k < wx->last[i]; k++)
            acc += wr[k] * row[k];
          tmp[y * DIGITS_SIDE + i] = acc;
        }
    }

  for (int j = 0; j < DIGITS_SIDE; j++)
    {
      const float *wr = wy->w + j * h;

      for (int i = 0; i < DIGITS_SIDE; i++)
        {
          float acc = 0.0f;

          for (int k = wy->first[j]; k < wy->last[j]; k++)
            acc += wr[k] * tmp[k * DIGITS_SIDE + i];
          out[j * DIGITS_SIDE + i] = CLAMP (acc, 0.0f, 1.0f);
        }
    }
}

/* Centre of mass in pixel indices; FALSE when there is no mass. */
static gboolean
compute_centre_of_mass (const float *v, int w, int h, double *cx, double *cy)
{
  double m = 0, mx = 0, my = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double p = v[y * w + x];
        m += p;
        mx += p * x;
        my += p * y;
      }
  if (m <= 0)
    return FALSE;
  *cx = mx / m;
  *cy = my / m;
  return TRUE;
}

/* Keeps the scaled box inside the field: a lopsided digit whose centre of mass is far from
 * the middle of its box would otherwise lose ink over the edge. MNIST did not need this
 * (a 20 px box has 4 px to spare each side), so it rarely changes anything. */
static double
clamp_offset (double offset, double extent)
{
  return CLAMP (offset, 0.0, MAX (DIGITS_SIDE - extent, 0.0));
}

gboolean
digits_preprocess_ink (const float *ink, int width, int height, int stride,
                       float out[DIGITS_PIXELS])
{
  return digits_preprocess_ink_placed (ink, width, height, stride, out, NULL);
}

/* The box [x0, x1] × [y0, y1] around the pixels with ink; FALSE when there are none. */
static gboolean
ink_box (const float *ink, int width, int height, int stride,
         int *x0, int *y0, int *x1, int *y1)
{
  *x0 = width;
  *y0 = height;
  *x1 = *y1 = -1;
  for (int y = 0; y < height; y++)
    {
      const float *row = ink + (gsize) y * stride;

      for (int x = 0; x < width; x++)
        if (row[x] > INK_THRESHOLD)   /* false for NaN too */
          {
            *x0 = MIN (*x0, x);
            *x1 = MAX (*x1, x);
            *y0 = MIN (*y0, y);
            *y1 = MAX (*y1, y);
          }
    }
  return *x1 >= 0;
}

gboolean
digits_preprocess_ink_placed (const float *ink, int width, int height, int stride,
                              float out[DIGITS_PIXELS], DigitsPlacement *placement)
{
  int x0, x1, y0, y1, bw, bh;
  g_autofree float *crop = NULL;
  g_autofree float *tmp = NULL;
  g_autofree float *wx_buf = NULL;
  g_autofree float *wy_buf = NULL;
  Weights wx, wy;
  double s, cx = 0, cy = 0, ox, oy;
  float result[DIGITS_PIXELS];

  g_return_val_if_fail (width >= 0 && height >= 0, FALSE);
  g_return_val_if_fail (ink != NULL || width == 0 || height == 0, FALSE);
  g_return_val_if_fail (stride >= width, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!ink_box (ink, width, height, stride, &x0, &y0, &x1, &y1))
    return FALSE;

  bw = x1 - x0 + 1;
  bh = y1 - y0 + 1;

  /* A clean copy of the box: out-of-range values and NaN from a careless caller would
   * otherwise spread through the sums. */
  crop = g_new (float, (gsize) bw * bh);
  for (int y = 0; y < bh; y++)
    for (int x = 0; x < bw; x++)
      {
        float v = ink[(gsize) (y0 + y) * stride + x0 + x];
        crop[y * bw + x] = v > 0.0f ? MIN (v, 1.0f) : 0.0f;
      }

  s = (double) DIGITS_BOX / MAX (bw, bh);

  /* The crop's centre of mass (pixel centres at k + 0.5) decides where it lands. */
  compute_centre_of_mass (crop, bw, bh, &cx, &cy);
  ox = clamp_offset (CENTRE_INDEX + 0.5 - s * (cx + 0.5), s * bw);
  oy = clamp_offset (CENTRE_INDEX + 0.5 - s * (cy + 0.5), s * bh);

  wx_buf = g_new (float, (gsize) DIGITS_SIDE * bw);
  wy_buf = g_new (float, (gsize) DIGITS_SIDE * bh);
  wx.w = wx_buf;
  wy.w = wy_buf;
  tmp = g_new (float, (gsize) bh * DIGITS_SIDE);

  for (int pass = 0; pass < 3; pass++)
    {
      double rx, ry;

      compute_weights (&wx, bw, s, ox);
      compute_weights (&wy, bh, s, oy);
      resample (crop, bw, bh, &wx, &wy, tmp, result);

      /* Area-averaging moves the centre of mass by a fraction of a pixel; nudge it back. */
      if (pass == 2 || !compute_centre_of_mass (result, DIGITS_SIDE, DIGITS_SIDE, &rx, &ry))
        break;
      if (fabs (rx - CENTRE_INDEX) < 0.01 && fabs (ry - CENTRE_INDEX) < 0.01)
        break;
      ox = clamp_offset (ox + CENTRE_INDEX - rx, s * bw);
      oy = clamp_offset (oy + CENTRE_INDEX - ry, s * bh);
    }

  memcpy (out, result, sizeof result);
  /* The box's pixel x0 + k landed on [s·k + ox, s·(k + 1) + ox). */
  if (placement != NULL)
    {
      placement->scale = s;
      placement->x_offset = ox - s * x0;
      placement->y_offset = oy - s * y0;
    }
  return TRUE;
}

/* ---- strokes ---- */

static gboolean
point_is_finite (const DigitsPoint *p)
{
  return isfinite (p->x) && isfinite (p->y);
}

gboolean
digits_preprocess_strokes (const DigitsStroke *strokes, guint n_strokes,
                           float pen_scale, float out[DIGITS_PIXELS])
{
  return digits_preprocess_strokes_placed (strokes, n_strokes, pen_scale, out, NULL);
}

/* The box around the strokes' finite points; FALSE when there are none. */
static gboolean
strokes_box (const DigitsStroke *strokes, guint n_strokes,
             double *min_x, double *min_y, double *max_x, double *max_y)
{
  gboolean any = FALSE;

  *min_x = *min_y = G_MAXDOUBLE;
  *max_x = *max_y = -G_MAXDOUBLE;
  for (guint s = 0; s < n_strokes; s++)
    {
      GArray *points = strokes[s].points;

      for (guint i = 0; points != NULL && i < points->len; i++)
        {
          const DigitsPoint *p = &g_array_index (points, DigitsPoint, i);

          if (!point_is_finite (p))
            continue;
          *min_x = MIN (*min_x, p->x);
          *min_y = MIN (*min_y, p->y);
          *max_x = MAX (*max_x, p->x);
          *max_y = MAX (*max_y, p->y);
          any = TRUE;
        }
    }
  return any;
}

/* One path for all strokes, each point p at (p − min) · k + margin, stroked once: where
 * strokes cross, the ink is the union and not a double-dark overlap. */
static void
strokes_draw (cairo_t *cr, const DigitsStroke *strokes, guint n_strokes,
              double min_x, double min_y, double k, double margin)
{
  for (guint s = 0; s < n_strokes; s++)
    {
      GArray *points = strokes[s].points;
      gboolean started = FALSE;

      for (guint i = 0; points != NULL && i < points->len; i++)
        {
          const DigitsPoint *p = &g_array_index (points, DigitsPoint, i);
          double x, y;

          if (!point_is_finite (p))
            continue;
          x = (p->x - min_x) * k + margin;
          y = (p->y - min_y) * k + margin;
          if (!started)
            {
              cairo_move_to (cr, x, y);
              started = TRUE;
            }
          cairo_line_to (cr, x, y);   /* a lone point is a zero-length segment: a round dot */
        }
    }
  cairo_stroke (cr);
}

/* The strokes drawn with a round pen as coverage 0–1 in a new width × height raster. */
static float *
strokes_raster (const DigitsStroke *strokes, guint n_strokes, double min_x, double min_y,
                double k, double pen, double margin, int width, int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, width, height);
  float *raster;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }

  cairo_t *cr = cairo_create (surface);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_GRAY);
  cairo_set_line_width (cr, pen);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_source_rgba (cr, 0, 0, 0, 1);
  strokes_draw (cr, strokes, n_strokes, min_x, min_y, k, margin);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  raster = g_new (float, (gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      raster[y * width + x] = data[y * stride + x] / 255.0f;
  cairo_surface_destroy (surface);
  return raster;
}

gboolean
digits_preprocess_strokes_placed (const DigitsStroke *strokes, guint n_strokes,
                                  float pen_scale, float out[DIGITS_PIXELS],
                                  DigitsPlacement *placement)
{
  double min_x, min_y, max_x, max_y;
  double longer, k, pen, margin;
  int width, height;
  g_autofree float *raster = NULL;
  DigitsPlacement in_raster;
  gboolean ok;

  g_return_val_if_fail (strokes != NULL || n_strokes == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!strokes_box (strokes, n_strokes, &min_x, &min_y, &max_x, &max_y))
    return FALSE;

  /* A dot (or a tap that never moved) has no size of its own: give it a unit size so it
   * becomes a round mark one pen wide, which preprocessing then enlarges like any ink. */
  longer = MAX (max_x - min_x, max_y - min_y);
  if (!(longer > 1e-6 * MAX (1.0, MAX (fabs (max_x), fabs (max_y)))))
    longer = 1e-6 * MAX (1.0, MAX (fabs (max_x), fabs (max_y)));

  if (!(pen_scale > 0.0f) || !isfinite (pen_scale))
    pen_scale = 1.0f;
  pen_scale = MIN (pen_scale, 8.0f);

  /* Everything is drawn at a fixed size relative to the point box, so the result does not
   * depend on how large the digit was drawn; a straight "1" has zero width and is as wide
   * as the pen. */
  k = STROKE_RENDER_SIDE / longer;
  pen = DIGITS_PEN_FRACTION * pen_scale * STROKE_RENDER_SIDE;
  margin = ceil (pen / 2.0) + 2.0;
  width = (int) ceil ((max_x - min_x) * k + 2.0 * margin);
  height = (int) ceil ((max_y - min_y) * k + 2.0 * margin);

  raster = strokes_raster (strokes, n_strokes, min_x, min_y, k, pen, margin, width, height);
  if (raster == NULL)
    return FALSE;

  ok = digits_preprocess_ink_placed (raster, width, height, width, out, &in_raster);
  /* A point p was drawn at (p - min) · k + margin of the raster. */
  if (ok && placement != NULL)
    {
      placement->scale = in_raster.scale * k;
      placement->x_offset = in_raster.scale * (margin - min_x * k) + in_raster.x_offset;
      placement->y_offset = in_raster.scale * (margin - min_y * k) + in_raster.y_offset;
    }
  return ok;
}

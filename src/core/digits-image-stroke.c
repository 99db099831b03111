/* digits-image-stroke.c — one digit's strokes brought into MNIST's range of thickness.
 *
 * pixels → grey → coverage → components → [glyphs] → 28×28 (see digits-image-private.h).
 * digits-image-glyphs.c cuts each digit out of the coverage and calls
 * digits_image_normalize_thickness before digits_preprocess_ink: the stroke width is
 * measured with an exact distance transform and the edges moved in or out by the
 * difference, faint hairlines counting as ink when thickening.
 */
#include "config.h"

#include "digits-image-private.h"

#include <math.h>
#include <string.h>

/* Stroke width (see stroke_width) relative to the digit's longer side. On MNIST's training
 * digits its 5th, 50th and 95th percentiles are 0.103, 0.135 and 0.199 (the low end is
 * MNIST's two-pixel floor); Digits' own pen gives 0.13 at any size. Digits outside this
 * range are thickened or thinned into it. */
#define THICKNESS_MIN 0.095
#define THICKNESS_MAX 0.19

/* The faintest coverage that still counts as a hairline when strokes are thickened (see
 * with_faint_ridges); below it, a trace is more likely grain than ink. */
#define RIDGE_MIN 0.15f

/* One dimension of Felzenszwalb and Huttenlocher's exact squared Euclidean distance
 * transform: d[i] = min_q (i − q)² + f[q]. v, z: scratch of n and n + 1. */
static void
distance_transform_1d (const double *f, double *d, int n, int *v, double *z)
{
  int k = 0;

  v[0] = 0;
  z[0] = -HUGE_VAL;
  z[1] = HUGE_VAL;
  for (int q = 1; q < n; q++)
    {
      double s = ((f[q] + (double) q * q) - (f[v[k]] + (double) v[k] * v[k])) / (2.0 * (q - v[k]));

      while (s <= z[k])
        {
          k--;
          s = ((f[q] + (double) q * q) - (f[v[k]] + (double) v[k] * v[k])) / (2.0 * (q - v[k]));
        }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = HUGE_VAL;
    }

  k = 0;
  for (int q = 0; q < n; q++)
    {
      while (z[k + 1] < q)
        k++;
      d[q] = (double) (q - v[k]) * (q - v[k]) + f[v[k]];
    }
}

/* Euclidean distance from every pixel to the nearest stroke pixel (ink) or paper pixel. */
static float *
distance_to (const float *v, int w, int h, gboolean ink)
{
  int n = MAX (w, h);
  float *dist = g_new (float, (gsize) w * h);
  g_autofree double *f = g_new (double, n);
  g_autofree double *d = g_new (double, n);
  g_autofree double *z = g_new (double, n + 1);
  g_autofree int *idx = g_new (int, n);
  g_autofree double *sq = g_new (double, (gsize) w * h);
  const double far = 1e20;   /* no seed in the row: farther than anything real */

  for (int y = 0; y < h; y++)
    {
      for (int x = 0; x < w; x++)
        f[x] = ((v[(gsize) y * w + x] >= 0.5f) == ink) ? 0.0 : far;
      distance_transform_1d (f, d, w, idx, z);
      memcpy (sq + (gsize) y * w, d, sizeof (double) * w);
    }
  for (int x = 0; x < w; x++)
    {
      for (int y = 0; y < h; y++)
        f[y] = sq[(gsize) y * w + x];
      distance_transform_1d (f, d, h, idx, z);
      for (int y = 0; y < h; y++)
        dist[(gsize) y * w + x] = (float) sqrt (d[y]);
    }
  return dist;
}

/* The width of the strokes: across a stroke W wide, the distance to the nearest paper
 * runs from 0 up to W/2 and back, averaging W/4, whatever the stroke's direction. */
static double
stroke_width (const float *v, int w, int h)
{
  g_autofree float *dist = distance_to (v, w, h, FALSE);
  double sum = 0;
  gsize n = 0;

  for (gsize i = 0; i < (gsize) w * h; i++)
    if (v[i] >= 0.5f)
      {
        sum += dist[i] - 0.5;
        n++;
      }
  return n > 0 ? 4.0 * sum / n : 0.0;
}

/* A copy of v in which the faint ridges count as ink: the pixels of RIDGE_MIN to 0.5
 * coverage that are no lighter than both neighbours across some direction and darker
 * than one. A hairline narrower than a pixel reaches the crop as a trace of such partial
 * pixels (a 0.3-pixel line reads 0.3), while a stroke's anti-aliased edge always has a
 * darker neighbour on one side and is never a ridge. */
static float *
with_faint_ridges (const float *v, int w, int h)
{
  static const int dirs[4][2] = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 1, -1 } };
  float *seeds = g_memdup2 (v, sizeof (float) * w * h);

  for (int y = 1; y < h - 1; y++)
    for (int x = 1; x < w - 1; x++)
      {
        float c = v[(gsize) y * w + x];

        if (c < RIDGE_MIN || c >= 0.5f)
          continue;
        for (int d = 0; d < 4; d++)
          {
            float a = v[(gsize) (y - dirs[d][1]) * w + x - dirs[d][0]];
            float b = v[(gsize) (y + dirs[d][1]) * w + x + dirs[d][0]];

            if (c >= a && c >= b && (c > a || c > b))
              {
                seeds[(gsize) y * w + x] = 1.0f;
                break;
              }
          }
      }
  return seeds;
}

/* Brings one digit's strokes into MNIST's range of thickness: a digit typed in a hairline
 * font or written with a fine pen would otherwise reach the network as a faint grey trace,
 * one written with a marker as a blob. The strokes are measured and moved, edge by edge,
 * at the crop's own resolution where they are still well resolved; a distance transform
 * makes that cost the same for any amount. */
float *
digits_image_normalize_thickness (const float *crop, int w, int h, int *out_w, int *out_h)
{
  double width = stroke_width (crop, w, h);
  double longer = MAX (w, h) - 2;   /* the crop has a pixel of margin all round */
  double rel = width / longer;
  double radius = (CLAMP (rel, THICKNESS_MIN, THICKNESS_MAX) - rel) * longer / 2.0;
  int pad, pw, ph;
  float *result;
  g_autofree float *dist = NULL;

  if (width <= 0 || fabs (radius) < 0.25)
    {
      *out_w = w;
      *out_h = h;
      return g_memdup2 (crop, sizeof (float) * w * h);
    }

  /* Room to grow into. */
  pad = radius > 0 ? (int) ceil (radius) + 2 : 0;
  pw = w + 2 * pad;
  ph = h + 2 * pad;
  result = g_new0 (float, (gsize) pw * ph);
  for (int y = 0; y < h; y++)
    memcpy (result + (gsize) (y + pad) * pw + pad, crop + (gsize) y * w, sizeof (float) * w);
  *out_w = pw;
  *out_h = ph;

  /* Coverage of a pixel whose centre is d from the nearest stroke pixel once the edge
   * (half a pixel beyond that one's centre) moves out by radius; thinning likewise from
   * the nearest paper pixel. Thickening grows the hairlines too, not just the strokes
   * that already read as ink. */
  if (radius > 0)
    {
      g_autofree float *seeds = with_faint_ridges (result, pw, ph);

      dist = distance_to (seeds, pw, ph, TRUE);
    }
  else
    dist = distance_to (result, pw, ph, FALSE);
  for (gsize i = 0; i < (gsize) pw * ph; i++)
    {
      if (radius > 0)
        result[i] = MAX (result[i], (float) CLAMP (radius + 1.0 - dist[i], 0.0, 1.0));
      else
        result[i] = MIN (result[i], (float) CLAMP (dist[i] + radius, 0.0, 1.0));
    }
  return result;
}

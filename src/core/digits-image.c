/* digits-image.c — image files, RGBA and grey pixels → one MNIST-style glyph per digit.
 *
 * decode (gdk-pixbuf) → grey (alpha composited over the paper) → scaled to a working size
 * → paper level and ink polarity from the border → background removed against a local
 * paper estimate (photos are unevenly lit) → continuous ink coverage (anti-aliasing kept)
 * → connected components → specks dropped, pieces of one digit merged → strokes brought
 * into MNIST's range of thickness → digits_preprocess_ink per digit, left to right.
 */
#include "config.h"

#include "digits-preprocess.h"
#include "digits-image-file.h"
#include "digits-dataset.h"

#include <glib/gi18n-lib.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>

/* An image is read as a number, not a page: more than this many marks is not a digit. */
#define MAX_GLYPHS 64

/* Components kept for merging; the rest of a noisy photo's specks are dropped by size. */
#define MAX_COMPONENTS 1024

/* Paper and ink closer than this (in grey levels) means there is no ink, only noise. */
#define MIN_CONTRAST 28.0

/* Components grow from pixels of at least this coverage through pixels of at least
 * MASK_WEAK (hysteresis), so a hairline joining two thick strokes keeps them one mark. */
#define MASK_COVERAGE 0.35f
#define MASK_WEAK 0.12f

/* Below this size (a fraction of the image's longer side) a mark is dust, not a digit. */
#define MIN_MARK_FRACTION 0.025

/* Background estimate: blocks of about 1/8 of the image, each block's paper level taken
 * from its brightest (for dark ink) fifth of pixels. */
#define BACKGROUND_BLOCKS 8
#define BACKGROUND_PERCENTILE 0.8
#define BACKGROUND_MIN_SIDE 24

/* Stroke width (see stroke_width) relative to the digit's longer side. On MNIST's training
 * digits its 5th, 50th and 95th percentiles are 0.103, 0.135 and 0.199 (the low end is
 * MNIST's two-pixel floor); Digits' own pen gives 0.13 at any size. Digits outside this
 * range are thickened or thinned into it. */
#define THICKNESS_MIN 0.095
#define THICKNESS_MAX 0.19

/* The faintest coverage that still counts as a hairline when strokes are thickened (see
 * with_faint_ridges); below it, a trace is more likely grain than ink. */
#define RIDGE_MIN 0.15f

typedef struct {
  int x0, y0, x1, y1;   /* inclusive box */
  double mass;          /* Σ coverage */
  int group;            /* union-find parent, then the glyph's index */
  gboolean dropped;
} Component;

/* ---- small helpers ---- */

static float
luma (const guint8 *p)
{
  /* Rec. 601 weights, on the sRGB values as stored, like most decoders' grey. */
  return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
}

/* Median of values 0..255 through a histogram: the border can be large, and rounding to
 * a grey level is all the precision a paper level needs. */
static double
histogram_percentile (const guint *hist, guint total, double fraction)
{
  guint want = (guint) (fraction * (total - 1));
  guint seen = 0;

  for (int i = 0; i < 256; i++)
    {
      seen += hist[i];
      if (seen > want)
        return i;
    }
  return 255;
}

static inline int
grey_bin (float v)
{
  return CLAMP ((int) lrintf (v), 0, 255);
}

/* Exact area average of one row of w values into nw (≤ w). */
static void
downscale_row (const float *src, int w, float *dst, int nw)
{
  double fx = (double) w / nw;

  for (int i = 0; i < nw; i++)
    {
      double a = i * fx, b = a + fx, acc = 0;
      int k0 = (int) floor (a), k1 = MIN ((int) ceil (b), w);

      for (int k = k0; k < k1; k++)
        acc += (MIN (b, k + 1.0) - MAX (a, (double) k)) * src[k];
      dst[i] = (float) (acc / fx);
    }
}

/* Exact area average of h rows of nw values into nh (≤ h) rows. */
static float *
downscale_columns (const float *src, int h, int nw, int nh)
{
  float *dst = g_new0 (float, (gsize) nw * nh);
  double fy = (double) h / nh;

  for (int j = 0; j < nh; j++)
    {
      double a = j * fy, b = a + fy;
      int k0 = (int) floor (a), k1 = MIN ((int) ceil (b), h);
      float *out = dst + (gsize) j * nw;

      for (int k = k0; k < k1; k++)
        {
          float weight = (float) ((MIN (b, k + 1.0) - MAX (a, (double) k)) / fy);
          const float *row = src + (gsize) k * nw;

          for (int i = 0; i < nw; i++)
            out[i] += weight * row[i];
        }
    }
  return dst;
}

/* The working size for an image: its longer side at most DIGITS_IMAGE_WORK_SIDE. */
static void
work_size (int width, int height, int *nw, int *nh)
{
  int longer = MAX (width, height);

  if (longer <= DIGITS_IMAGE_WORK_SIDE)
    {
      *nw = width;
      *nh = height;
      return;
    }
  *nw = MAX (1, (int) lround ((double) width * DIGITS_IMAGE_WORK_SIDE / longer));
  *nh = MAX (1, (int) lround ((double) height * DIGITS_IMAGE_WORK_SIDE / longer));
}

/* ---- background and ink ---- */

/* A smooth estimate of the paper's grey level at every pixel. A photo's lighting falls off
 * across the page, so one global threshold would turn a shadow into ink or lose the ink in
 * the bright part. Each block's paper level is a high (for dark ink) percentile of it, a
 * 3×3 block maximum recovers blocks that ink fills, and bilinear interpolation between
 * block centres makes it smooth. */
static float *
estimate_background (const float *grey, int w, int h, gboolean dark_ink, double paper)
{
  float *bg = g_new (float, (gsize) w * h);
  int bs, gw, gh;
  g_autofree float *level = NULL;
  g_autofree float *spread = NULL;

  if (MAX (w, h) < BACKGROUND_MIN_SIDE)
    {
      for (gsize i = 0; i < (gsize) w * h; i++)
        bg[i] = (float) paper;
      return bg;
    }

  bs = MAX (8, (MAX (w, h) + BACKGROUND_BLOCKS - 1) / BACKGROUND_BLOCKS);
  gw = (w + bs - 1) / bs;
  gh = (h + bs - 1) / bs;
  level = g_new (float, (gsize) gw * gh);
  spread = g_new (float, (gsize) gw * gh);

  for (int by = 0; by < gh; by++)
    for (int bx = 0; bx < gw; bx++)
      {
        guint hist[256] = { 0 };
        guint n = 0;

        for (int y = by * bs; y < MIN (h, (by + 1) * bs); y++)
          for (int x = bx * bs; x < MIN (w, (bx + 1) * bs); x++)
            {
              hist[grey_bin (grey[(gsize) y * w + x])]++;
              n++;
            }
        level[by * gw + bx] = (float) histogram_percentile (hist, n, dark_ink
                                                            ? BACKGROUND_PERCENTILE
                                                            : 1.0 - BACKGROUND_PERCENTILE);
      }

  for (int by = 0; by < gh; by++)
    for (int bx = 0; bx < gw; bx++)
      {
        float best = level[by * gw + bx];

        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int nx = bx + dx, ny = by + dy;

              if (nx < 0 || ny < 0 || nx >= gw || ny >= gh)
                continue;
              best = dark_ink ? MAX (best, level[ny * gw + nx]) : MIN (best, level[ny * gw + nx]);
            }
        spread[by * gw + bx] = best;
      }

  for (int y = 0; y < h; y++)
    {
      double gy = CLAMP ((y + 0.5) / bs - 0.5, 0.0, gh - 1.0);
      int y0 = (int) gy, y1 = MIN (y0 + 1, gh - 1);
      float fy = (float) (gy - y0);

      for (int x = 0; x < w; x++)
        {
          double gx = CLAMP ((x + 0.5) / bs - 0.5, 0.0, gw - 1.0);
          int x0 = (int) gx, x1 = MIN (x0 + 1, gw - 1);
          float fx = (float) (gx - x0);
          float top = spread[y0 * gw + x0] * (1 - fx) + spread[y0 * gw + x1] * fx;
          float bottom = spread[y1 * gw + x0] * (1 - fx) + spread[y1 * gw + x1] * fx;

          bg[(gsize) y * w + x] = top * (1 - fy) + bottom * fy;
        }
    }
  return bg;
}

/* Otsu's threshold on a histogram: the split that best separates two classes. */
static int
otsu_threshold (const guint *hist, guint64 total)
{
  double sum = 0, sum_b = 0, best = -1;
  guint64 w_b = 0;
  int threshold = 0;

  for (int i = 0; i < 256; i++)
    sum += (double) i * hist[i];

  for (int t = 0; t < 256; t++)
    {
      double m_b, m_f, between;

      w_b += hist[t];
      if (w_b == 0)
        continue;
      if (w_b == total)
        break;
      sum_b += (double) t * hist[t];
      m_b = sum_b / w_b;
      m_f = (sum - sum_b) / (total - w_b);
      between = (double) w_b * (total - w_b) * (m_b - m_f) * (m_b - m_f);
      if (between > best)
        {
          best = between;
          threshold = t;
        }
    }
  return threshold;
}

/* Turns grey levels into ink coverage 0..1 in place. FALSE when there is no ink. */
static gboolean
grey_to_coverage (float *grey, int w, int h)
{
  gsize n = (gsize) w * h;
  guint border_hist[256] = { 0 };
  guint border_n = 0;
  guint hist[256] = { 0 };
  double paper, ink_level, noise_floor, mean_b = 0, var_b = 0;
  guint64 count_b = 0, count_f = 0, seen = 0;
  gboolean dark_ink;
  int threshold;
  g_autofree float *bg = NULL;

  for (int x = 0; x < w; x++)
    {
      border_hist[grey_bin (grey[x])]++;
      border_hist[grey_bin (grey[(gsize) (h - 1) * w + x])]++;
      border_n += 2;
    }
  for (int y = 1; y < h - 1; y++)
    {
      border_hist[grey_bin (grey[(gsize) y * w])]++;
      border_hist[grey_bin (grey[(gsize) y * w + w - 1])]++;
      border_n += 2;
    }
  paper = histogram_percentile (border_hist, border_n, 0.5);

  /* Light paper means dark ink and the other way round; a mid-grey paper is decided by
   * which side more of the image strays to. */
  dark_ink = paper >= 128;
  if (paper > 80 && paper < 176)
    {
      guint64 darker = 0, lighter = 0;

      for (gsize i = 0; i < n; i++)
        {
          darker += grey[i] < paper - 40;
          lighter += grey[i] > paper + 40;
        }
      dark_ink = darker >= lighter;
    }

  bg = estimate_background (grey, w, h, dark_ink, paper);
  for (gsize i = 0; i < n; i++)
    {
      float c = dark_ink ? bg[i] - grey[i] : grey[i] - bg[i];

      grey[i] = MAX (c, 0.0f);
      hist[grey_bin (grey[i])]++;
    }

  threshold = otsu_threshold (hist, n);
  for (int i = 0; i <= threshold; i++)
    {
      count_b += hist[i];
      mean_b += (double) i * hist[i];
    }
  if (count_b == 0 || count_b == n)
    return FALSE;
  mean_b /= count_b;
  for (int i = 0; i <= threshold; i++)
    var_b += (i - mean_b) * (i - mean_b) * hist[i];
  var_b /= count_b;
  count_f = n - count_b;

  /* The ink's own level: the upper quartile of the ink class, so a stroke's core reads as
   * full ink (as MNIST's do) while its anti-aliased edges stay partial. */
  ink_level = 255;
  for (int i = threshold + 1; i < 256; i++)
    {
      seen += hist[i];
      if (seen > 0.75 * (count_f - 1))
        {
          ink_level = i;
          break;
        }
    }
  noise_floor = MIN (mean_b + 3.0 * sqrt (var_b), 0.5 * threshold);
  if (ink_level < MIN_CONTRAST || ink_level - noise_floor < 0.75 * MIN_CONTRAST)
    return FALSE;

  for (gsize i = 0; i < n; i++)
    grey[i] = (float) CLAMP ((grey[i] - noise_floor) / (ink_level - noise_floor), 0.0, 1.0);
  return TRUE;
}

/* ---- components ---- */

static int
find_root (Component *comps, int i)
{
  while (comps[i].group != i)
    {
      comps[i].group = comps[comps[i].group].group;
      i = comps[i].group;
    }
  return i;
}

/* 8-connected components of the stroke mask, with hysteresis. labels[i] is the component
 * index + 1, 0 for no stroke. */
static GArray *
label_components (const float *cov, int w, int h, int *labels)
{
  GArray *comps = g_array_new (FALSE, FALSE, sizeof (Component));
  gsize n = (gsize) w * h;
  g_autofree gsize *stack = NULL;

  memset (labels, 0, n * sizeof (int));
  stack = g_new (gsize, n);

  for (gsize start = 0; start < n; start++)
    {
      Component c;
      gsize top = 0;
      int id;

      if (labels[start] != 0 || cov[start] < MASK_COVERAGE)
        continue;

      id = (int) comps->len + 1;
      c.x0 = c.x1 = (int) (start % w);
      c.y0 = c.y1 = (int) (start / w);
      c.mass = 0;
      c.group = (int) comps->len;
      c.dropped = FALSE;

      labels[start] = id;
      stack[top++] = start;
      while (top > 0)
        {
          gsize p = stack[--top];
          int px = (int) (p % w), py = (int) (p / w);

          c.mass += cov[p];
          c.x0 = MIN (c.x0, px);
          c.x1 = MAX (c.x1, px);
          c.y0 = MIN (c.y0, py);
          c.y1 = MAX (c.y1, py);

          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              {
                int qx = px + dx, qy = py + dy;
                gsize q;

                if (qx < 0 || qy < 0 || qx >= w || qy >= h)
                  continue;
                q = (gsize) qy * w + qx;
                if (labels[q] != 0 || cov[q] < MASK_WEAK)
                  continue;
                labels[q] = id;
                stack[top++] = q;
              }
        }
      g_array_append_val (comps, c);
    }
  return comps;
}

/* Do two marks belong to one digit? Two digits side by side share their rows but barely
 * overlap in columns, even slanted. The parts of one broken digit are either stacked (the
 * bar and body of a "5", the loops of an "8": much column overlap, little row overlap),
 * nested (the upright of a "4" within the columns of its other stroke), or a small piece
 * close to a large one (a "7"'s or "1"'s flag). Whatever the rule, together they must
 * not be much taller than the tallest single mark, or rows of digits would fuse. */
static gboolean
belong_together (const Component *a, const Component *b, int tallest)
{
  int wa = a->x1 - a->x0 + 1, wb = b->x1 - b->x0 + 1;
  int ha = a->y1 - a->y0 + 1, hb = b->y1 - b->y0 + 1;
  int x_overlap = MIN (a->x1, b->x1) - MAX (a->x0, b->x0) + 1;
  int y_overlap = MIN (a->y1, b->y1) - MAX (a->y0, b->y0) + 1;
  int joint_h = MAX (a->y1, b->y1) - MIN (a->y0, b->y0) + 1;
  double x_ratio = (double) x_overlap / MIN (wa, wb);
  double y_ratio = (double) y_overlap / MIN (ha, hb);
  const Component *big = a->mass >= b->mass ? a : b;
  const Component *small = a->mass >= b->mass ? b : a;
  int big_h = MIN (big->y1 - big->y0 + 1, tallest);
  int small_side = MAX (small->x1 - small->x0, small->y1 - small->y0) + 1;
  int distance = MAX (MAX (-x_overlap, -y_overlap), 0);

  /* A flat bar just above a mark's columns is the top of a "5" or "7" whose stem was too
   * faint to join them; the pair may then be taller than any other mark. */
  if (x_ratio > 0.5 && small->y1 < big->y0 && small->y1 - small->y0 + 1 <= 0.35 * big_h
      && -y_overlap <= 0.6 * big_h && joint_h <= 2 * tallest)
    return TRUE;
  if (joint_h > 1.5 * tallest || -y_overlap > 0.6 * MAX (ha, hb))
    return FALSE;
  if (x_ratio > 0.5 && y_ratio < 0.7)
    return TRUE;
  if (x_ratio > 0.85)
    return TRUE;
  return small->mass < 0.35 * big->mass && small_side < 0.7 * big_h
         && distance <= 0.12 * big_h;
}

static int
compare_mass_desc (gconstpointer a, gconstpointer b)
{
  const Component *ca = a, *cb = b;

  return (ca->mass < cb->mass) - (ca->mass > cb->mass);
}

static int
compare_glyph_x (gconstpointer a, gconstpointer b)
{
  const DigitsGlyph *ga = a, *gb = b;
  int ca = 2 * ga->x + ga->width, cb = 2 * gb->x + gb->width;

  if (ca != cb)
    return (ca > cb) - (ca < cb);
  return (ga->y > gb->y) - (ga->y < gb->y);
}

/* ---- stroke thickness ---- */

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
static float *
normalize_thickness (const float *crop, int w, int h, int *out_w, int *out_h)
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

/* ---- the pipeline ---- */

/* Drops dust: marks too small for the image, then marks far lighter than the heaviest.
 * Returns the height of the tallest mark left. */
static int
drop_dust (GArray *comps, int w, int h)
{
  double min_mark = MAX (3.0, MIN_MARK_FRACTION * MAX (w, h));
  double max_mass = 0;
  guint n_kept = 0;
  int tallest = 0;

  for (guint i = 0; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);

      if (MAX (c->x1 - c->x0, c->y1 - c->y0) + 1 < min_mark)
        c->dropped = TRUE;
      else
        max_mass = MAX (max_mass, c->mass);
    }
  for (guint i = 0; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);

      if (!c->dropped && c->mass < 0.05 * max_mass)
        c->dropped = TRUE;
      n_kept += !c->dropped;
    }

  /* Merging compares every pair; a photo full of grain leaves many marks, and only the
   * heaviest can be digits. */
  if (n_kept > MAX_COMPONENTS)
    {
      g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (Component));
      double cut;

      for (guint i = 0; i < comps->len; i++)
        if (!g_array_index (comps, Component, i).dropped)
          g_array_append_val (kept, g_array_index (comps, Component, i));
      g_array_sort (kept, compare_mass_desc);
      cut = g_array_index (kept, Component, MAX_COMPONENTS - 1).mass;
      for (guint i = 0; i < comps->len; i++)
        {
          Component *c = &g_array_index (comps, Component, i);
          c->dropped |= c->mass < cut;
        }
    }

  for (guint i = 0; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);

      if (!c->dropped)
        tallest = MAX (tallest, c->y1 - c->y0 + 1);
    }
  return tallest;
}

static gboolean
is_root (GArray *comps, guint i)
{
  Component *c = &g_array_index (comps, Component, i);

  return !c->dropped && find_root ((Component *) comps->data, (int) i) == (int) i;
}

/* Union-find over the kept marks, comparing the boxes of whole groups as they grow: after
 * it, each root's box and mass are its group's. */
static void
merge_marks (GArray *comps, int tallest)
{
  gboolean merged;

  do
    {
      merged = FALSE;
      for (guint i = 0; i < comps->len; i++)
        {
          Component *a = &g_array_index (comps, Component, i);

          if (!is_root (comps, i))
            continue;
          for (guint j = i + 1; j < comps->len; j++)
            {
              Component *b = &g_array_index (comps, Component, j);

              if (!is_root (comps, j) || !belong_together (a, b, tallest))
                continue;
              b->group = (int) i;
              a->x0 = MIN (a->x0, b->x0);
              a->y0 = MIN (a->y0, b->y0);
              a->x1 = MAX (a->x1, b->x1);
              a->y1 = MAX (a->y1, b->y1);
              a->mass += b->mass;
              merged = TRUE;
            }
        }
    }
  while (merged);
}

/* Numbers the groups that are digits 0..n-1 (at most MAX_GLYPHS, the heaviest) and
 * returns, for every mark, its digit's number or -1. */
static int *
number_digits (GArray *comps, guint *n_digits)
{
  g_autoptr(GArray) roots = g_array_new (FALSE, FALSE, sizeof (Component));
  g_autofree int *root_number = g_new (int, comps->len);
  int *digit_of = g_new (int, comps->len);
  double max_mass = 0;
  int tallest = 0;

  for (guint i = 0; i < comps->len; i++)
    if (is_root (comps, i))
      {
        Component *a = &g_array_index (comps, Component, i);

        max_mass = MAX (max_mass, a->mass);
        tallest = MAX (tallest, a->y1 - a->y0 + 1);
      }

  /* Groups much lighter or much smaller than the main digits are stray marks. Each root
   * copied into roots carries its own index in .group, to be found again after sorting. */
  for (guint i = 0; i < comps->len; i++)
    {
      Component a = g_array_index (comps, Component, i);

      root_number[i] = -1;
      if (!is_root (comps, i) || a.mass < 0.08 * max_mass
          || MAX (a.x1 - a.x0, a.y1 - a.y0) + 1 < 0.3 * tallest)
        continue;
      a.group = (int) i;
      g_array_append_val (roots, a);
    }
  if (roots->len > MAX_GLYPHS)
    {
      g_array_sort (roots, compare_mass_desc);
      g_array_set_size (roots, MAX_GLYPHS);
    }
  for (guint r = 0; r < roots->len; r++)
    root_number[g_array_index (roots, Component, r).group] = (int) r;

  for (guint i = 0; i < comps->len; i++)
    {
      Component *c = &g_array_index (comps, Component, i);

      digit_of[i] = c->dropped ? -1 : root_number[find_root ((Component *) comps->data, (int) i)];
    }
  *n_digits = roots->len;
  return digit_of;
}

/* Cuts one digit out of the coverage (its own marks only, not a neighbour's that reaches
 * into its box) and makes its glyph. The box is in working pixels until the end. */
static gboolean
cut_glyph (const float *cov, const int *labels, const int *digit_of, int w, int h,
           int digit, int bx0, int by0, int bx1, int by1, DigitsGlyph *glyph)
{
  /* One pixel more all round so the faint edges of the strokes come too. */
  int x0 = MAX (bx0 - 1, 0), y0 = MAX (by0 - 1, 0);
  int x1 = MIN (bx1 + 1, w - 1), y1 = MIN (by1 + 1, h - 1);
  int cw = x1 - x0 + 1, ch = y1 - y0 + 1, tw, th;
  g_autofree float *crop = g_new0 (float, (gsize) cw * ch);
  g_autofree float *thick = NULL;

  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        gsize p = (gsize) y * w + x;
        int label = labels[p];
        gboolean mine = label != 0 && digit_of[label - 1] == digit;

        /* Unlabelled faint pixels belong to the digit they touch. */
        if (label == 0)
          for (int dy = -1; dy <= 1 && !mine; dy++)
            for (int dx = -1; dx <= 1 && !mine; dx++)
              {
                int qx = x + dx, qy = y + dy, lq;

                if (qx < 0 || qy < 0 || qx >= w || qy >= h)
                  continue;
                lq = labels[(gsize) qy * w + qx];
                mine = lq != 0 && digit_of[lq - 1] == digit;
              }
        if (mine)
          crop[(y - y0) * cw + (x - x0)] = cov[p];
      }

  thick = normalize_thickness (crop, cw, ch, &tw, &th);
  return digits_preprocess_ink (thick, tw, th, tw, glyph->input);
}

/* grey: w × h levels 0..255, consumed. scale maps working pixels back to the caller's. */
static GArray *
find_glyphs (float *grey, int w, int h, double scale_x, double scale_y,
             int orig_w, int orig_h, GError **error)
{
  g_autofree float *cov = grey;
  g_autofree int *labels = NULL;
  g_autofree int *digit_of = NULL;
  g_autoptr(GArray) comps = NULL;
  g_autoptr(GArray) glyphs = g_array_new (FALSE, TRUE, sizeof (DigitsGlyph));
  guint n_digits = 0;

  if (grey_to_coverage (cov, w, h))
    {
      labels = g_new (int, (gsize) w * h);
      comps = label_components (cov, w, h, labels);
      merge_marks (comps, drop_dust (comps, w, h));
      digit_of = number_digits (comps, &n_digits);
    }

  for (guint d = 0; d < n_digits; d++)
    {
      const Component *g = NULL;
      DigitsGlyph glyph;

      for (guint i = 0; i < comps->len && g == NULL; i++)
        if (digit_of[i] == (int) d && is_root (comps, i))
          g = &g_array_index (comps, Component, i);
      g_assert (g != NULL);

      if (!cut_glyph (cov, labels, digit_of, w, h, (int) d, g->x0, g->y0, g->x1, g->y1,
                      &glyph))
        continue;

      /* The box in the caller's pixels. */
      glyph.x = (int) CLAMP (floor (g->x0 * scale_x), 0, orig_w - 1);
      glyph.y = (int) CLAMP (floor (g->y0 * scale_y), 0, orig_h - 1);
      glyph.width = (int) CLAMP (ceil ((g->x1 + 1) * scale_x), glyph.x + 1, orig_w) - glyph.x;
      glyph.height = (int) CLAMP (ceil ((g->y1 + 1) * scale_y), glyph.y + 1, orig_h) - glyph.y;
      g_array_append_val (glyphs, glyph);
    }

  if (glyphs->len == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT,
                           _("No digit found in the image"));
      return NULL;
    }
  g_array_sort (glyphs, compare_glyph_x);
  return g_steal_pointer (&glyphs);
}

/* Grey levels arrive a row at a time at full size and are kept at the working size, so a
 * photo-sized image never needs a full-size float copy. */
typedef struct {
  int width, height;      /* as given */
  int nw, nh;             /* working size */
  float *rows;            /* height × nw: each row already narrowed */
  float *row;             /* width: the row being filled */
} GreyRows;

static void
grey_rows_init (GreyRows *g, int width, int height)
{
  g->width = width;
  g->height = height;
  work_size (width, height, &g->nw, &g->nh);
  g->rows = g_new (float, (gsize) height * g->nw);
  g->row = g_new (float, width);
}

static float *
grey_rows_next (GreyRows *g)
{
  return g->row;
}

static void
grey_rows_commit (GreyRows *g, int y)
{
  float *dst = g->rows + (gsize) y * g->nw;

  if (g->nw == g->width)
    memcpy (dst, g->row, sizeof (float) * g->width);
  else
    downscale_row (g->row, g->width, dst, g->nw);
}

/* Consumes the rows and finds the glyphs, in the given image's pixels. */
static GArray *
grey_rows_find_glyphs (GreyRows *g, GError **error)
{
  float *grey = g->rows;

  g_clear_pointer (&g->row, g_free);
  if (g->nh != g->height)
    {
      grey = downscale_columns (g->rows, g->height, g->nw, g->nh);
      g_free (g->rows);
    }
  g->rows = NULL;
  return find_glyphs (grey, g->nw, g->nh, (double) g->width / g->nw,
                      (double) g->height / g->nh, g->width, g->height, error);
}

gboolean
digits_image_check_size (int width, int height, GError **error)
{
  if ((guint64) width * (guint64) height > DIGITS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("The image is too large (%d × %d pixels); Digits reads images of up to "
                     "%u megapixels"),
                   width, height, (guint) (DIGITS_IMAGE_MAX_PIXELS / 1000000u));
      return FALSE;
    }
  return TRUE;
}

GArray *
digits_glyphs_from_grey (const guint8 *grey, int width, int height, int stride,
                         GError **error)
{
  GreyRows rows;

  g_return_val_if_fail (grey != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= width, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!digits_image_check_size (width, height, error))
    return NULL;

  grey_rows_init (&rows, width, height);
  for (int y = 0; y < height; y++)
    {
      float *row = grey_rows_next (&rows);

      for (int x = 0; x < width; x++)
        row[x] = grey[(gsize) y * stride + x];
      grey_rows_commit (&rows, y);
    }
  return grey_rows_find_glyphs (&rows, error);
}

GArray *
digits_glyphs_from_rgba (const guint8 *pixels, int width, int height, int stride,
                         gboolean has_alpha, GError **error)
{
  int channels = has_alpha ? 4 : 3;
  guint hist[256] = { 0 };
  guint n_border = 0, n_opaque = 0;
  gboolean transparent_paper;
  double paper = 255;
  GreyRows rows;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail ((gint64) stride >= (gint64) width * (has_alpha ? 4 : 3), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!digits_image_check_size (width, height, error))
    return NULL;

  /* Transparent pixels are paper. When the border is mostly opaque, the paper is the
   * colour it shows and transparency is composited over that, whatever the polarity;
   * when it is mostly transparent (ink on nothing), ink is whatever is opaque. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p;

        if (y != 0 && y != height - 1 && x != 0 && x != width - 1)
          {
            x = width - 2;   /* jump to the right edge */
            continue;
          }
        p = pixels + (gsize) y * stride + (gsize) x * channels;
        n_border++;
        if (!has_alpha || p[3] >= 128)
          {
            n_opaque++;
            hist[grey_bin (luma (p))]++;
          }
      }
  transparent_paper = has_alpha && n_opaque * 2 < n_border;
  if (!transparent_paper && n_opaque > 0)
    paper = histogram_percentile (hist, n_opaque, 0.5);

  grey_rows_init (&rows, width, height);
  for (int y = 0; y < height; y++)
    {
      const guint8 *row = pixels + (gsize) y * stride;
      float *out = grey_rows_next (&rows);

      for (int x = 0; x < width; x++)
        {
          const guint8 *p = row + (gsize) x * channels;
          float a = has_alpha ? p[3] / 255.0f : 1.0f;

          if (transparent_paper)
            out[x] = 255.0f * (1.0f - a);
          else
            out[x] = a * luma (p) + (1.0f - a) * (float) paper;
        }
      grey_rows_commit (&rows, y);
    }
  return grey_rows_find_glyphs (&rows, error);
}

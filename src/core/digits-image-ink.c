/* digits-image-ink.c — grey levels → ink coverage, the second step of the image reader.
 *
 * pixels → grey → [coverage] → components → glyphs → 28×28 (see digits-image-private.h).
 * The paper level and the ink's polarity come from the border; the background is removed
 * against a local paper estimate (photos are unevenly lit); Otsu's threshold separates ink
 * from paper, and coverage is scaled between the paper's noise and the ink's own level so
 * anti-aliased edges stay partial. digits_image_find_glyphs calls this.
 */
#include "config.h"

#include "digits-image-private.h"

#include <math.h>

/* Paper and ink closer than this (in grey levels) means there is no ink, only noise. */
#define MIN_CONTRAST 28.0

/* Background estimate: blocks of about 1/8 of the image, each block's paper level taken
 * from its brightest (for dark ink) fifth of pixels. */
#define BACKGROUND_BLOCKS 8
#define BACKGROUND_PERCENTILE 0.8
#define BACKGROUND_MIN_SIDE 24

/* Median of values 0..255 through a histogram: the border can be large, and rounding to
 * a grey level is all the precision a paper level needs. */
double
digits_image_find_percentile (const guint *hist, guint total, double fraction)
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
              hist[digits_image_bin_grey (grey[(gsize) y * w + x])]++;
              n++;
            }
        level[by * gw + bx] =
          (float) digits_image_find_percentile (hist, n, dark_ink
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

/* The paper's grey level: the median of the image's border. */
static double
find_paper_level (const float *grey, int w, int h)
{
  guint border_hist[256] = { 0 };
  guint border_n = 0;

  for (int x = 0; x < w; x++)
    {
      border_hist[digits_image_bin_grey (grey[x])]++;
      border_hist[digits_image_bin_grey (grey[(gsize) (h - 1) * w + x])]++;
      border_n += 2;
    }
  for (int y = 1; y < h - 1; y++)
    {
      border_hist[digits_image_bin_grey (grey[(gsize) y * w])]++;
      border_hist[digits_image_bin_grey (grey[(gsize) y * w + w - 1])]++;
      border_n += 2;
    }
  return digits_image_find_percentile (border_hist, border_n, 0.5);
}

/* Light paper means dark ink and the other way round; a mid-grey paper is decided by
 * which side more of the image strays to. */
static gboolean
is_ink_dark (const float *grey, gsize n, double paper)
{
  guint64 darker = 0, lighter = 0;

  if (paper <= 80 || paper >= 176)
    return paper >= 128;
  for (gsize i = 0; i < n; i++)
    {
      darker += grey[i] < paper - 40;
      lighter += grey[i] > paper + 40;
    }
  return darker >= lighter;
}

/* Turns grey levels into ink coverage 0..1 in place. FALSE when there is no ink. */
gboolean
digits_image_grey_to_coverage (float *grey, int w, int h)
{
  gsize n = (gsize) w * h;
  guint hist[256] = { 0 };
  double paper, ink_level, noise_floor, mean_b = 0, var_b = 0;
  guint64 count_b = 0, count_f = 0, seen = 0;
  gboolean dark_ink;
  int threshold;
  g_autofree float *bg = NULL;

  paper = find_paper_level (grey, w, h);
  dark_ink = is_ink_dark (grey, n, paper);
  bg = estimate_background (grey, w, h, dark_ink, paper);
  for (gsize i = 0; i < n; i++)
    {
      float c = dark_ink ? bg[i] - grey[i] : grey[i] - bg[i];

      grey[i] = MAX (c, 0.0f);
      hist[digits_image_bin_grey (grey[i])]++;
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

/* digits-augment.c — random distortions of training digits.
 *
 * MNIST's writers held their pens one way and its preprocessing normalised size and
 * position; people drawing with a mouse or photographing a note do neither quite the same.
 * A small random affine map (rotation, scale, shear, shift) about the digit's centre of
 * mass, sampled bilinearly, and now and then a thicker or thinner stroke, teach the
 * network that variety. Everything random comes from the caller's NnRng, so a seeded
 * training run is reproducible.
 */
#include "config.h"

#include "digits-augment.h"

#include <math.h>
#include <string.h>

#define MAX_SIDE 1024

void
digits_augment_config_defaults (DigitsAugmentConfig *config)
{
  g_return_if_fail (config != NULL);

  config->max_rotate_deg = 12.0f;
  config->max_scale = 0.12f;
  config->max_shear = 0.15f;
  config->max_shift = 2.0f;
  config->thickness_prob = 0.3f;
}

/* Uniform in [−max, max]. */
static float
uniform_symmetric (NnRng *rng, float max)
{
  return (2.0f * nn_rng_uniform (rng) - 1.0f) * max;
}

/* Grey morphology over a 3×3 neighbourhood, blended with the original by amount: a full
 * 3×3 dilation adds two pixels to a stroke MNIST draws two or three wide, too much to do
 * every time; thinning uses the gentler cross so thin strokes are not wiped out. */
static void
change_thickness (const guint8 *in, guint8 *out, int side, gboolean thicker, float amount)
{
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        int v = in[y * side + x];
        int m = v;

        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int qx = x + dx, qy = y + dy, q;

              if (!thicker && dx != 0 && dy != 0)
                continue;
              q = (qx < 0 || qy < 0 || qx >= side || qy >= side) ? 0 : in[qy * side + qx];
              m = thicker ? MAX (m, q) : MIN (m, q);
            }
        out[y * side + x] = (guint8) lrintf (v + amount * (m - v));
      }
}

void
digits_augment (const DigitsAugmentConfig *config, NnRng *rng,
                const guint8 *in, guint8 *out, int side)
{
  float angle, scale, shear, tx, ty, thick_roll, thick_dir, thick_amount;
  float a, b, c, d, det, ia, ib, ic, id, cx, cy;
  double mass = 0, mx = 0, my = 0;
  guint8 stack_buf[64 * 64];
  g_autofree guint8 *heap_buf = NULL;
  const guint8 *src = in;

  g_return_if_fail (config != NULL);
  g_return_if_fail (rng != NULL);
  g_return_if_fail (in != NULL && out != NULL && in != out);
  g_return_if_fail (side > 0 && side <= MAX_SIDE);

  /* The same count of draws every time, whatever the config: a run's random sequence then
   * does not shift when one distortion is switched off. */
  angle = uniform_symmetric (rng, config->max_rotate_deg) * (float) (G_PI / 180.0);
  scale = 1.0f + uniform_symmetric (rng, config->max_scale);
  shear = uniform_symmetric (rng, config->max_shear);
  tx = uniform_symmetric (rng, config->max_shift);
  ty = uniform_symmetric (rng, config->max_shift);
  thick_roll = nn_rng_uniform (rng);
  thick_dir = nn_rng_uniform (rng);
  thick_amount = nn_rng_uniform (rng);

  if (thick_roll < config->thickness_prob)
    {
      guint8 *buf = stack_buf;
      gboolean thicker = thick_dir < 0.5f;

      if (side * side > (int) sizeof stack_buf)
        buf = heap_buf = g_malloc ((gsize) side * side);
      change_thickness (in, buf, side, thicker,
                        thicker ? 0.25f + 0.5f * thick_amount : 0.3f + 0.4f * thick_amount);
      src = buf;
    }

  /* Rotate, shear and scale about the centre of mass, so the digit stays where
   * preprocessing put it and only the shift moves it. */
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        double v = src[y * side + x];
        mass += v;
        mx += v * x;
        my += v * y;
      }
  cx = mass > 0 ? (float) (mx / mass) : (side - 1) / 2.0f;
  cy = mass > 0 ? (float) (my / mass) : (side - 1) / 2.0f;

  /* Forward map: rotation · shear · scale. Sampling needs its inverse. */
  a = scale * cosf (angle);
  b = scale * (cosf (angle) * shear - sinf (angle));
  c = scale * sinf (angle);
  d = scale * (sinf (angle) * shear + cosf (angle));
  det = a * d - b * c;
  if (fabsf (det) < 1e-6f)
    {
      memcpy (out, src, (gsize) side * side);
      return;
    }
  ia = d / det;
  ib = -b / det;
  ic = -c / det;
  id = a / det;

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        float px = x - cx - tx, py = y - cy - ty;
        float sx = ia * px + ib * py + cx;
        float sy = ic * px + id * py + cy;
        int x0 = (int) floorf (sx), y0 = (int) floorf (sy);
        float fx = sx - x0, fy = sy - y0;
        float v = 0.0f;

        for (int j = 0; j <= 1; j++)
          for (int i = 0; i <= 1; i++)
            {
              int qx = x0 + i, qy = y0 + j;
              float weight = (i ? fx : 1.0f - fx) * (j ? fy : 1.0f - fy);

              if (qx >= 0 && qy >= 0 && qx < side && qy < side && weight > 0.0f)
                v += weight * src[qy * side + qx];
            }
        out[y * side + x] = (guint8) CLAMP (lrintf (v), 0, 255);
      }
}

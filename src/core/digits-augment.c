/* digits-augment.c — random distortions of training digits.
 *
 * MNIST's writers held their pens one way and its preprocessing normalised size and
 * position; people drawing with a mouse or photographing a note do neither quite the same.
 * A small random affine map (rotation, scale, shear, shift) about the digit's centre of
 * mass, sampled bilinearly, and now and then a thicker or thinner stroke, teach the
 * network that variety. An elastic distortion (Simard et al. 2003, "Best practices for
 * convolutional neural networks applied to visual document analysis") bends the strokes
 * the way a hand wobbles, which no affine map can. A share of the "1"s get the long flag
 * that MNIST's American writers seldom drew and much of the world does (digits_augment_one),
 * or a flagged 1 reads as a 7. Everything random comes from the caller's NnRng, so a
 * seeded training run is reproducible.
 *
 * Training calls this for every sample, so it is written to be cheap (a few µs for 28×28):
 * images carry a one-pixel zero border so no tap needs a bounds check, and the elastic
 * field is computed on a coarse grid.
 */
#include "config.h"

#include "digits-augment.h"

#include <math.h>
#include <string.h>

#define MAX_SIDE 1024
#define MAX_RADIUS 16
#define STACK_SIDE 62   /* padded images up to this side live on the stack */
/* Floats of elastic field on the stack: 28×28 digits need 2,418 at the default sigma and
 * up to 4,720 at any sigma; augmentation runs for every training sample. */
#define STACK_FIELD 4800

void
digits_augment_config_defaults (DigitsAugmentConfig *config)
{
  g_return_if_fail (config != NULL);

  config->max_rotate_deg = 15.0f;
  config->max_scale = 0.15f;
  config->max_shear = 0.25f;
  config->max_shift = 2.0f;
  config->thickness_prob = 0.5f;
  config->elastic_prob = 0.0f;
  config->elastic_alpha = 34.0f;
  config->elastic_sigma = 4.0f;
  config->flag_one_prob = 0.3f;
}

/* Uniform in [−max, max]. */
static float
uniform_symmetric (NnRng *rng, float max)
{
  return (2.0f * nn_rng_uniform (rng) - 1.0f) * max;
}

/* Grey morphology over a 3×3 neighbourhood, blended with the original by amount: a full
 * 3×3 dilation adds two pixels to a stroke MNIST draws two or three wide, too much to do
 * every time; thinning uses the gentler cross so thin strokes are not wiped out.
 * in and out are padded (stride side + 2); out's border must already be zero. */
static void
change_thickness (const guint8 *in, guint8 *out, int side, gboolean thicker, float amount)
{
  int stride = side + 2;

  for (int y = 1; y <= side; y++)
    for (int x = 1; x <= side; x++)
      {
        const guint8 *p = in + y * stride + x;
        int v = p[0], m;

        if (thicker)
          {
            m = MAX (MAX (MAX (p[-stride - 1], p[-stride]), MAX (p[-stride + 1], p[-1])),
                     MAX (MAX (p[1], p[stride - 1]), MAX (p[stride], p[stride + 1])));
            m = MAX (m, v);
          }
        else
          {
            m = MIN (MIN (p[-stride], p[-1]), MIN (p[1], p[stride]));
            m = MIN (m, v);
          }
        out[y * stride + x] = (guint8) (v + amount * (m - v) + 0.5f);
      }
}

/* Blurs n × n values in place by a kernel of 2r + 1 taps, one axis at a time, with zeros
 * beyond the edge. work holds (n + 2r) × n + n + 2r floats. The loops run along rows with
 * the tap outermost, so they vectorise. */
static void
blur (float *v, int n, const float *kernel, int r, float *work)
{
  int width = n + 2 * r;
  float *h = work, *row = work + (gsize) width * n;

  memset (h, 0, sizeof (float) * (gsize) width * n);
  memset (row, 0, sizeof (float) * (gsize) width);
  for (int y = 0; y < n; y++)
    {
      float *hy = h + (gsize) (y + r) * n;

      memcpy (row + r, v + (gsize) y * n, sizeof (float) * n);
      for (int t = 0; t <= 2 * r; t++)
        for (int x = 0; x < n; x++)
          hy[x] += kernel[t] * row[x + t];
    }
  for (int y = 0; y < n; y++)
    {
      float *vy = v + (gsize) y * n;

      memset (vy, 0, sizeof (float) * n);
      for (int t = 0; t <= 2 * r; t++)
        {
          const float *hr = h + (gsize) (y + t) * n;

          for (int x = 0; x < n; x++)
            vy[x] += kernel[t] * hr[x];
        }
    }
}

static int
elastic_step (float sigma)
{
  return CLAMP ((int) (sigma / 2.0f), 1, 8);
}

static int
elastic_radius (float sigma)
{
  return CLAMP ((int) ceilf (2.5f * sigma / (float) elastic_step (sigma)), 1, MAX_RADIUS);
}

static int
elastic_nodes (float sigma, int side)
{
  return (side - 1) / elastic_step (sigma) + 2;
}

/* Floats make_elastic_field needs: the field (2 side²) and its work space. */
static gsize
elastic_floats (float sigma, int side)
{
  gsize n = elastic_nodes (sigma, side), r = elastic_radius (sigma);

  return 2 * (gsize) side * side + 2 * n * n + (n + 2 * r) * n + n + 2 * r;
}

/* Simard's field: uniform noise in [−alpha, alpha] per pixel and axis, blurred by a
 * normalised Gaussian of sigma. Blurring that much leaves nothing finer than sigma, so
 * the noise is drawn on a grid `step` pixels apart, blurred there by sigma / step and
 * interpolated bilinearly: the same field for a step²-th of the draws and a step³-th of
 * the arithmetic. A node's noise is the mean of step² pixels' noise, so its amplitude is
 * alpha / step. field gets dx (side²) then dy (side²). */
static void
make_elastic_field (NnRng *rng, float alpha, float sigma, int side, float *field)
{
  int step = elastic_step (sigma), r = elastic_radius (sigma), n = elastic_nodes (sigma, side);
  float kernel[2 * MAX_RADIUS + 1], sum = 0.0f, s = sigma / (float) step;
  float amplitude = alpha / (float) step;
  float *nodes = field + 2 * (gsize) side * side, *work = nodes + 2 * (gsize) n * n;
  float *line = work;   /* free again once the blur is done */

  for (int t = -r; t <= r; t++)
    sum += kernel[t + r] = expf (-(float) (t * t) / (2.0f * s * s));
  for (int t = 0; t <= 2 * r; t++)
    kernel[t] /= sum;

  for (int axis = 0; axis < 2; axis++)
    {
      float *g = nodes + (gsize) axis * n * n, *out = field + (gsize) axis * side * side;

      for (int i = 0; i < n * n; i++)
        g[i] = amplitude * ((float) (nn_rng_next (rng) >> 8) * 0x1p-23f - 1.0f);
      blur (g, n, kernel, r, work);

      for (int y = 0, j = 0, k = 0; y < side; y++)
        {
          float fy = (float) k / (float) step;
          const float *g0 = g + (gsize) j * n, *g1 = g0 + n;
          float *o = out + (gsize) y * side;

          /* Blend the two rows of nodes first, then along the row. */
          for (int i = 0; i < n; i++)
            line[i] = g0[i] + fy * (g1[i] - g0[i]);
          for (int x = 0, i = 0, m = 0; x < side; x++)
            {
              o[x] = line[i] + (float) m / (float) step * (line[i + 1] - line[i]);
              if (++m == step)
                m = 0, i++;
            }
          if (++k == step)
            k = 0, j++;
        }
    }
}

/* A displacement field from a generator of its own, so its many draws do not shift the
 * caller's sequence. In stack (STACK_FIELD floats) when it fits, else in a new *heap. */
static float *
make_elastic_field_in (const DigitsAugmentConfig *config, guint64 seed, int side,
                       float *stack, float **heap)
{
  gsize n_floats = elastic_floats (config->elastic_sigma, side);
  float *field = n_floats <= STACK_FIELD ? stack : (*heap = g_new (float, n_floats));
  NnRng field_rng;

  nn_rng_seed (&field_rng, seed, 0x656c);
  make_elastic_field (&field_rng, config->elastic_alpha, config->elastic_sigma, side, field);
  return field;
}

/* The centre of mass of a side × side image inside a padded buffer (its middle when there
 * is no ink). */
static void
find_centre (const guint8 *src, int stride, int side, float *cx, float *cy)
{
  guint64 mass = 0, mx = 0, my = 0;

  for (int y = 0; y < side; y++)
    {
      const guint8 *row = src + (gsize) (y + 1) * stride + 1;
      guint64 row_mass = 0;

      for (int x = 0; x < side; x++)
        {
          row_mass += row[x];
          mx += (guint64) row[x] * x;
        }
      mass += row_mass;
      my += row_mass * y;
    }
  *cx = mass > 0 ? (float) ((double) mx / mass) : (side - 1) / 2.0f;
  *cy = mass > 0 ? (float) ((double) my / mass) : (side - 1) / 2.0f;
}

/* Each output pixel read from the padded source through the inverse map about (cx, cy),
 * shifted by (tx, ty) and displaced by the elastic field when there is one. Bilinear
 * sampling; a source point within a pixel of the image reads the zero border. */
static void
sample (const guint8 *src, int stride, int side, const float inverse[4], float cx, float cy,
        float tx, float ty, const float *field, guint8 *out)
{
  const float ia = inverse[0], ib = inverse[1], ic = inverse[2], id = inverse[3];

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        float px = x - cx - tx, py = y - cy - ty;
        float sx = ia * px + ib * py + cx + 1.0f;   /* in padded coordinates */
        float sy = ic * px + id * py + cy + 1.0f;
        float v = 0.0f;

        if (field != NULL)
          {
            sx += field[y * side + x];
            sy += field[(gsize) side * side + y * side + x];
          }
        if (sx >= 0.0f && sy >= 0.0f && sx < side + 1 && sy < side + 1)
          {
            int x0 = (int) sx, y0 = (int) sy;
            float fx = sx - x0, fy = sy - y0;
            const guint8 *p = src + (gsize) y0 * stride + x0;

            v = (1.0f - fy) * ((1.0f - fx) * p[0] + fx * p[1])
                + fy * ((1.0f - fx) * p[stride] + fx * p[stride + 1]);
          }
        out[y * side + x] = (guint8) MIN (v + 0.5f, 255.0f);
      }
}

void
digits_augment (const DigitsAugmentConfig *config, NnRng *rng,
                const guint8 *in, guint8 *out, int side)
{
  float angle, scale, shear, tx, ty, thick_roll, thick_dir, thick_amount, elastic_roll;
  float a, b, c, d, det, cx, cy;
  guint64 elastic_seed;
  guint8 stack_buf[2 * (STACK_SIDE + 2) * (STACK_SIDE + 2)];
  g_autofree guint8 *heap_buf = NULL;
  float field_buf[STACK_FIELD];
  g_autofree float *field_heap = NULL;
  const float *field = NULL;
  guint8 *padded = stack_buf, *src;
  int stride = side + 2;
  gsize n_padded = (gsize) stride * stride;

  g_return_if_fail (config != NULL);
  g_return_if_fail (rng != NULL);
  g_return_if_fail (in != NULL && out != NULL && in != out);
  g_return_if_fail (side > 0 && side <= MAX_SIDE);

  /* The same count of draws every time, whatever the config: a run's random sequence then
   * does not shift when one distortion is switched off. The elastic field takes its many
   * draws from a generator of its own, seeded from this one. */
  angle = uniform_symmetric (rng, config->max_rotate_deg) * (float) (G_PI / 180.0);
  scale = 1.0f + uniform_symmetric (rng, config->max_scale);
  shear = uniform_symmetric (rng, config->max_shear);
  tx = uniform_symmetric (rng, config->max_shift);
  ty = uniform_symmetric (rng, config->max_shift);
  thick_roll = nn_rng_uniform (rng);
  thick_dir = nn_rng_uniform (rng);
  thick_amount = nn_rng_uniform (rng);
  elastic_roll = nn_rng_uniform (rng);
  elastic_seed = (guint64) nn_rng_next (rng) << 32;
  elastic_seed |= nn_rng_next (rng);

  if (side > STACK_SIDE)
    padded = heap_buf = g_malloc (2 * n_padded);
  memset (padded, 0, 2 * n_padded);
  for (int y = 0; y < side; y++)
    memcpy (padded + (gsize) (y + 1) * stride + 1, in + (gsize) y * side, side);
  src = padded;

  if (thick_roll < config->thickness_prob)
    {
      gboolean thicker = thick_dir < 0.5f;

      src = padded + n_padded;
      change_thickness (padded, src, side, thicker,
                        thicker ? 0.25f + 0.5f * thick_amount : 0.3f + 0.4f * thick_amount);
    }

  if (elastic_roll < config->elastic_prob && config->elastic_alpha > 0.0f
      && config->elastic_sigma > 0.0f)
    field = make_elastic_field_in (config, elastic_seed, side, field_buf, &field_heap);

  /* Rotate, shear and scale about the centre of mass, so the digit stays where
   * preprocessing put it and only the shift moves it. */
  find_centre (src, stride, side, &cx, &cy);

  /* Forward map: rotation · shear · scale. Sampling needs its inverse. */
  a = scale * cosf (angle);
  b = scale * (cosf (angle) * shear - sinf (angle));
  c = scale * sinf (angle);
  d = scale * (sinf (angle) * shear + cosf (angle));
  det = a * d - b * c;
  if (fabsf (det) < 1e-6f)
    {
      for (int y = 0; y < side; y++)
        memcpy (out + (gsize) y * side, src + (gsize) (y + 1) * stride + 1, side);
      return;
    }
  {
    const float inverse[4] = { d / det, -b / det, -c / det, a / det };

    sample (src, stride, side, inverse, cx, cy, tx, ty, field, out);
  }
}

void
digits_augment_one (const DigitsAugmentConfig *config, NnRng *rng, guint8 *img, int side)
{
  float roll, length_frac, angle_deg;
  int top = -1, bottom = -1;
  double mass = 0, top_x = 0, top_mass = 0;
  float px, py, ex, ey, width, half;

  g_return_if_fail (config != NULL && rng != NULL && img != NULL);
  g_return_if_fail (side > 0 && side <= MAX_SIDE);

  /* The same draws every time, flag or not. */
  roll = nn_rng_uniform (rng);
  length_frac = 0.25f + 0.2f * nn_rng_uniform (rng);
  angle_deg = 30.0f + 30.0f * nn_rng_uniform (rng);
  if (roll >= config->flag_one_prob)
    return;

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        guint8 v = img[(gsize) y * side + x];

        mass += v;
        if (v >= 128)
          {
            if (top < 0)
              top = y;
            bottom = y;
          }
      }
  if (top < 0 || bottom - top < 4)
    return;

  /* Where the stem starts: the middle of the ink in its top two rows. */
  for (int y = top; y <= top + 1; y++)
    for (int x = 0; x < side; x++)
      {
        guint8 v = img[(gsize) y * side + x];

        top_x += (double) v * x;
        top_mass += v;
      }
  px = (float) (top_x / top_mass);
  py = (float) top;

  /* As wide as the stem: its ink over its height, within MNIST's range of pens. */
  width = CLAMP ((float) (mass / 255.0 / (bottom - top + 1)), 1.5f, 4.0f);
  half = width / 2.0f;
  ex = px - length_frac * (bottom - top + 1) * cosf (angle_deg * (float) (G_PI / 180.0));
  ey = py + length_frac * (bottom - top + 1) * sinf (angle_deg * (float) (G_PI / 180.0));

  /* An anti-aliased segment with round ends: coverage falls off over a pixel at the edge. */
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        float dx = ex - px, dy = ey - py;
        float t = CLAMP (((x - px) * dx + (y - py) * dy) / (dx * dx + dy * dy), 0.0f, 1.0f);
        float qx = px + t * dx - x, qy = py + t * dy - y;
        float cover = CLAMP (half + 0.5f - sqrtf (qx * qx + qy * qy), 0.0f, 1.0f);
        guint8 *v = &img[(gsize) y * side + x];

        *v = MAX (*v, (guint8) lroundf (255.0f * cover));
      }
}

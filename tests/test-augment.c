/* test-augment.c — random distortions of training digits. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "digits-augment.h"

#define SIDE 28

/* A "7"-like digit: a bar and a diagonal, with grey edges. */
static void
make_digit (guint8 *img)
{
  memset (img, 0, SIDE * SIDE);
  for (int x = 7; x <= 20; x++)
    {
      img[6 * SIDE + x] = 255;
      img[7 * SIDE + x] = 255;
      img[8 * SIDE + x] = 90;
    }
  for (int y = 8; y <= 22; y++)
    {
      int x = 20 - (y - 8) / 2;
      img[y * SIDE + x] = 255;
      img[y * SIDE + x - 1] = 200;
      img[y * SIDE + x + 1] = 60;
    }
}

static double
mass_n (const guint8 *img, int n)
{
  double m = 0;

  for (int i = 0; i < n; i++)
    m += img[i];
  return m;
}

static double
mass (const guint8 *img)
{
  return mass_n (img, SIDE * SIDE);
}

static void
centre_of_mass (const guint8 *img, double *cx, double *cy)
{
  double m = 0, mx = 0, my = 0;

  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      {
        m += img[y * SIDE + x];
        mx += (double) img[y * SIDE + x] * x;
        my += (double) img[y * SIDE + x] * y;
      }
  *cx = mx / m;
  *cy = my / m;
}

/* With every distortion off, the digit comes back as it went in. */
static void
test_identity (void)
{
  DigitsAugmentConfig config = { 0 };
  guint8 in[SIDE * SIDE], out[SIDE * SIDE];
  NnRng rng;

  make_digit (in);
  nn_rng_seed (&rng, 1, 1);
  for (int i = 0; i < 20; i++)
    {
      memset (out, 0x55, sizeof out);
      digits_augment (&config, &rng, in, out, SIDE);
      g_assert_cmpmem (in, sizeof in, out, sizeof out);
    }
}

static void
test_defaults (void)
{
  DigitsAugmentConfig config;

  digits_augment_config_defaults (&config);
  g_assert_cmpfloat (config.max_rotate_deg, ==, 15.0f);
  g_assert_cmpfloat (config.max_scale, ==, 0.15f);
  g_assert_cmpfloat (config.max_shear, ==, 0.25f);
  g_assert_cmpfloat (config.max_shift, ==, 2.0f);
  g_assert_cmpfloat (config.thickness_prob, ==, 0.5f);
  g_assert_cmpfloat (config.elastic_prob, ==, 0.0f);
  g_assert_cmpfloat (config.elastic_alpha, ==, 34.0f);
  g_assert_cmpfloat (config.elastic_sigma, ==, 4.0f);
  g_assert_cmpfloat (config.flag_one_prob, ==, 0.3f);
}

/* The same seed gives the same distortions; another seed, others. */
static void
test_deterministic (void)
{
  DigitsAugmentConfig config;
  guint8 in[SIDE * SIDE], a[SIDE * SIDE], b[SIDE * SIDE];
  NnRng r1, r2, r3;
  int differ = 0;

  digits_augment_config_defaults (&config);
  make_digit (in);
  nn_rng_seed (&r1, 42, 7);
  nn_rng_seed (&r2, 42, 7);
  nn_rng_seed (&r3, 43, 7);
  for (int i = 0; i < 50; i++)
    {
      digits_augment (&config, &r1, in, a, SIDE);
      digits_augment (&config, &r2, in, b, SIDE);
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
      digits_augment (&config, &r3, in, b, SIDE);
      differ += memcmp (a, b, sizeof a) != 0;
    }
  g_assert_cmpint (differ, >, 40);
  /* Both generators were advanced alike: they are still in step. */
  g_assert_cmpuint (nn_rng_next (&r1), ==, nn_rng_next (&r2));
}

/* Distorted digits stay digits: ink is kept, roughly where it was, and the input is not
 * touched. */
static void
test_default_distortions (void)
{
  DigitsAugmentConfig config;
  guint8 in[SIDE * SIDE], copy[SIDE * SIDE], out[SIDE * SIDE];
  double m_in, cx_in, cy_in, ratio_sum = 0;
  double min_ratio = G_MAXDOUBLE, max_ratio = 0;
  int changed = 0;
  const int n = 500;
  NnRng rng;

  digits_augment_config_defaults (&config);
  config.elastic_prob = 0.5f;   /* the affine map and the elastic field together */
  make_digit (in);
  memcpy (copy, in, sizeof in);
  m_in = mass (in);
  centre_of_mass (in, &cx_in, &cy_in);
  nn_rng_seed (&rng, 2024, 3);

  for (int i = 0; i < n; i++)
    {
      double ratio, cx, cy;

      digits_augment (&config, &rng, in, out, SIDE);
      ratio = mass (out) / m_in;
      ratio_sum += ratio;
      min_ratio = MIN (min_ratio, ratio);
      max_ratio = MAX (max_ratio, ratio);
      changed += memcmp (in, out, sizeof in) != 0;

      /* The shift is at most 2 px each way and scaling about the centre of mass keeps it;
       * the elastic field moves it by about a pixel (RMS) more. */
      centre_of_mass (out, &cx, &cy);
      g_assert_cmpfloat (fabs (cx - cx_in), <, 6.0);
      g_assert_cmpfloat (fabs (cy - cy_in), <, 6.0);
    }
  g_assert_cmpmem (in, sizeof in, copy, sizeof copy);
  g_assert_cmpint (changed, ==, n);
  g_test_message ("ink ratio: mean %.3f, min %.3f, max %.3f", ratio_sum / n, min_ratio,
                  max_ratio);
  g_assert_cmpfloat (ratio_sum / n, >, 0.85);
  g_assert_cmpfloat (ratio_sum / n, <, 1.25);
  g_assert_cmpfloat (min_ratio, >, 0.25);
  g_assert_cmpfloat (max_ratio, <, 3.0);
}

/* Each distortion alone: rotation turns about the centre of mass (and, at up to 90°,
 * can stand a horizontal bar upright), shifts move it by at most max_shift, scaling
 * changes its length. */
static void
test_geometry (void)
{
  DigitsAugmentConfig config = { 0 };
  guint8 in[SIDE * SIDE] = { 0 }, out[SIDE * SIDE];
  double cx_in, cy_in, cx, cy;
  gboolean upright = FALSE, left = FALSE, right = FALSE, shorter = FALSE, longer = FALSE;
  NnRng rng;

  for (int x = 6; x < 22; x++)
    in[14 * SIDE + x] = 255;
  centre_of_mass (in, &cx_in, &cy_in);
  nn_rng_seed (&rng, 5, 5);

  config.max_rotate_deg = 90.0f;
  for (int i = 0; i < 200; i++)
    {
      int x0 = SIDE, x1 = -1, y0 = SIDE, y1 = -1;

      digits_augment (&config, &rng, in, out, SIDE);
      centre_of_mass (out, &cx, &cy);
      g_assert_cmpfloat (fabs (cx - cx_in), <, 0.5);
      g_assert_cmpfloat (fabs (cy - cy_in), <, 0.5);
      for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
          if (out[y * SIDE + x] > 128)
            {
              x0 = MIN (x0, x);
              x1 = MAX (x1, x);
              y0 = MIN (y0, y);
              y1 = MAX (y1, y);
            }
      upright |= y1 - y0 >= 12 && x1 - x0 <= 2;
    }
  g_assert_true (upright);

  config.max_rotate_deg = 0.0f;
  config.max_shift = 2.0f;
  for (int i = 0; i < 100; i++)
    {
      digits_augment (&config, &rng, in, out, SIDE);
      centre_of_mass (out, &cx, &cy);
      g_assert_cmpfloat (fabs (cx - cx_in), <=, 2.01);
      g_assert_cmpfloat (fabs (cy - cy_in), <=, 2.01);
      g_assert_cmpfloat (fabs (mass (out) - mass (in)), <, 0.02 * mass (in));
      left |= cx < cx_in - 1.0;
      right |= cx > cx_in + 1.0;
    }
  g_assert_true (left && right);

  config.max_shift = 0.0f;
  config.max_scale = 0.5f;
  for (int i = 0; i < 100; i++)
    {
      double m;

      digits_augment (&config, &rng, in, out, SIDE);
      m = mass (out) / mass (in);   /* a one-pixel bar: ink grows with its length */
      shorter |= m < 0.75;
      longer |= m > 1.25;
    }
  g_assert_true (shorter && longer);
}

/* Thickening or thinning alone changes the amount of ink, not the place. */
static void
test_thickness (void)
{
  DigitsAugmentConfig config = { 0 };
  guint8 in[SIDE * SIDE], out[SIDE * SIDE];
  int thicker = 0, thinner = 0;
  NnRng rng;

  config.thickness_prob = 1.0f;
  make_digit (in);
  nn_rng_seed (&rng, 9, 9);
  for (int i = 0; i < 100; i++)
    {
      double ratio;

      digits_augment (&config, &rng, in, out, SIDE);
      ratio = mass (out) / mass (in);
      g_assert_cmpfloat (fabs (ratio - 1.0), >, 0.1);
      thicker += ratio > 1.0;
      thinner += ratio < 1.0;
      /* nothing appears far from the strokes */
      g_assert_cmpint (out[0], ==, 0);
      g_assert_cmpint (out[27 * SIDE + 27], ==, 0);
    }
  g_assert_cmpint (thicker, >, 25);
  g_assert_cmpint (thinner, >, 25);
}

/* The elastic field alone: off at zero strength; otherwise reproducible, smooth (a dot
 * moves by Simard's amount, not by pixels' worth of noise), keeping the ink and keeping it
 * near where it was. */
static void
test_elastic (void)
{
  DigitsAugmentConfig config = { 0 };
  guint8 in[SIDE * SIDE], near[SIDE * SIDE] = { 0 }, a[SIDE * SIDE], b[SIDE * SIDE];
  guint8 dot[SIDE * SIDE] = { 0 };
  double ratio_sum = 0, sq = 0, dot_x, dot_y;
  int changed = 0;
  const int n = 400;
  NnRng r1, r2;

  make_digit (in);
  config.elastic_prob = 1.0f;
  config.elastic_sigma = 4.0f;
  nn_rng_seed (&r1, 11, 1);
  for (int i = 0; i < 10; i++)
    {
      digits_augment (&config, &r1, in, a, SIDE);   /* alpha 0 */
      g_assert_cmpmem (in, sizeof in, a, sizeof a);
    }
  config.elastic_alpha = 34.0f;
  config.elastic_prob = 0.0f;
  digits_augment (&config, &r1, in, a, SIDE);
  g_assert_cmpmem (in, sizeof in, a, sizeof a);
  config.elastic_prob = 1.0f;

  /* Ink ends up within 6 px of where it was (the field's RMS is about 1.4 px). */
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      for (int dy = -6; dy <= 6 && in[y * SIDE + x]; dy++)
        for (int dx = -6; dx <= 6; dx++)
          if (x + dx >= 0 && y + dy >= 0 && x + dx < SIDE && y + dy < SIDE)
            near[(y + dy) * SIDE + x + dx] = 1;

  nn_rng_seed (&r1, 12, 1);
  nn_rng_seed (&r2, 12, 1);
  for (int i = 0; i < n; i++)
    {
      double ratio;

      digits_augment (&config, &r1, in, a, SIDE);
      digits_augment (&config, &r2, in, b, SIDE);
      g_assert_cmpmem (a, sizeof a, b, sizeof b);
      changed += memcmp (in, a, sizeof in) != 0;
      ratio = mass (a) / mass (in);
      ratio_sum += ratio;
      g_assert_cmpfloat (ratio, >, 0.5);
      g_assert_cmpfloat (ratio, <, 2.0);
      for (int p = 0; p < SIDE * SIDE; p++)
        if (!near[p])
          g_assert_cmpint (a[p], ==, 0);
    }
  g_assert_cmpint (changed, ==, n);
  g_assert_cmpfloat (ratio_sum / n, >, 0.9);
  g_assert_cmpfloat (ratio_sum / n, <, 1.1);

  /* A dot in the middle moves by the field there: about 34 × sqrt (1/3) / (2 × 4 × sqrt π)
   * = 1.38 px RMS on each axis. Unsmoothed noise would tear it apart instead. */
  for (int y = 13; y <= 14; y++)
    for (int x = 13; x <= 14; x++)
      dot[y * SIDE + x] = 255;
  centre_of_mass (dot, &dot_x, &dot_y);
  for (int i = 0; i < n; i++)
    {
      double cx, cy;

      digits_augment (&config, &r1, dot, a, SIDE);
      centre_of_mass (a, &cx, &cy);
      sq += (cx - dot_x) * (cx - dot_x) + (cy - dot_y) * (cy - dot_y);
    }
  g_test_message ("dot moved by %.2f px RMS per axis", sqrt (sq / (2 * n)));
  g_assert_cmpfloat (sqrt (sq / (2 * n)), >, 1.0);
  g_assert_cmpfloat (sqrt (sq / (2 * n)), <, 1.8);
}

/* Any side works, an empty image stays empty. */
static void
test_sides_and_empty (void)
{
  DigitsAugmentConfig config;
  g_autofree guint8 *in = g_malloc0 (100 * 100);
  g_autofree guint8 *out = g_malloc (100 * 100);
  NnRng rng;

  digits_augment_config_defaults (&config);
  nn_rng_seed (&rng, 1, 2);
  digits_augment (&config, &rng, in, out, 100);
  for (int i = 0; i < 100 * 100; i++)
    g_assert_cmpint (out[i], ==, 0);

  for (int y = 30; y < 70; y++)
    in[y * 100 + 50] = 255;
  digits_augment (&config, &rng, in, out, 100);
  /* A one-pixel line: stretching or squeezing it changes its ink more than a stroke's. */
  g_assert_cmpfloat (mass_n (out, 100 * 100), >, 0.3 * mass_n (in, 100 * 100));
  g_assert_cmpfloat (mass_n (out, 100 * 100), <, 3.0 * mass_n (in, 100 * 100));
}

/* An upright "1": a stem three pixels wide from row 5 to row 23 at column 14. */
static void
make_one (guint8 *img)
{
  memset (img, 0, SIDE * SIDE);
  for (int y = 5; y <= 23; y++)
    {
      img[y * SIDE + 13] = 128;
      img[y * SIDE + 14] = 255;
      img[y * SIDE + 15] = 128;
    }
}

/* The flag: new ink only up and to the left of the stem's middle, leaving the stem as it
 * was, reaching 25-45% of the height to the left and 30-60 degrees down; never with chance
 * 0, and the same random draws either way, so a run's sequence does not depend on it. */
static void
test_flag_one (void)
{
  DigitsAugmentConfig config;
  guint8 in[SIDE * SIDE], out[SIDE * SIDE];
  NnRng with, without;
  int flagged = 0;

  digits_augment_config_defaults (&config);
  g_assert_cmpfloat (config.flag_one_prob, >, 0.0f);
  g_assert_cmpfloat (config.flag_one_prob, <, 1.0f);
  make_one (in);
  nn_rng_seed (&with, 7, 1);
  nn_rng_seed (&without, 7, 1);

  for (int i = 0; i < 50; i++)
    {
      double left = 0;
      int reach = 14, lowest = 0;

      config.flag_one_prob = 1.0f;
      memcpy (out, in, sizeof out);
      digits_augment_one (&config, &with, out, SIDE);
      config.flag_one_prob = 0.0f;
      {
        guint8 same[SIDE * SIDE];

        memcpy (same, in, sizeof same);
        digits_augment_one (&config, &without, same, SIDE);
        g_assert_cmpmem (same, sizeof same, in, sizeof in);
      }
      g_assert_cmpuint (nn_rng_next (&with), ==, nn_rng_next (&without));

      for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
          {
            guint8 a = in[y * SIDE + x], b = out[y * SIDE + x];

            g_assert_cmpuint (b, >=, a);     /* the stem stays */
            if (b > a)
              {
                g_assert_cmpint (x, <=, 15);  /* to the left of the stem (plus its edge) */
                g_assert_cmpint (y, >=, 3);   /* from the top down (plus the round end) */
                g_assert_cmpint (y, <=, 16);
                left += b - a;
                if (b >= 128)
                  {
                    reach = MIN (reach, x);
                    lowest = MAX (lowest, y);
                  }
              }
          }
      g_assert_cmpfloat (left, >, 255.0 * 4);
      /* 19 rows tall: 4.75 to 8.55 pixels long, so 2.4 to 7.4 to the left, 2.4 to 7.4 down. */
      g_assert_cmpint (14 - reach, >=, 2);
      g_assert_cmpint (14 - reach, <=, 8);
      g_assert_cmpint (lowest - 5, >=, 2);
      g_assert_cmpint (lowest - 5, <=, 8);
      flagged++;
    }
  g_assert_cmpint (flagged, ==, 50);

  /* Nothing to flag: a blank image stays blank. */
  memset (in, 0, sizeof in);
  memcpy (out, in, sizeof out);
  config.flag_one_prob = 1.0f;
  digits_augment_one (&config, &with, out, SIDE);
  g_assert_cmpmem (out, sizeof out, in, sizeof in);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/augment/identity", test_identity);
  g_test_add_func ("/augment/defaults", test_defaults);
  g_test_add_func ("/augment/deterministic", test_deterministic);
  g_test_add_func ("/augment/default-distortions", test_default_distortions);
  g_test_add_func ("/augment/geometry", test_geometry);
  g_test_add_func ("/augment/thickness", test_thickness);
  g_test_add_func ("/augment/elastic", test_elastic);
  g_test_add_func ("/augment/sides-and-empty", test_sides_and_empty);
  g_test_add_func ("/augment/flag-one", test_flag_one);

  return g_test_run ();
}

/* test-preprocess.c — the MNIST recipe for ink rasters and drawn strokes. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "digits-preprocess.h"
#include "test-util.h"

/* ---- helpers ---- */

typedef struct {
  double mass;
  double cx, cy;          /* centre of mass, pixel indices */
  int x0, y0, x1, y1;     /* box of pixels > 0.1, inclusive */
} Stats;

static Stats
measure (const float *v)
{
  Stats s = { 0, 0, 0, DIGITS_SIDE, DIGITS_SIDE, -1, -1 };

  for (int y = 0; y < DIGITS_SIDE; y++)
    for (int x = 0; x < DIGITS_SIDE; x++)
      {
        float p = v[y * DIGITS_SIDE + x];

        s.mass += p;
        s.cx += p * x;
        s.cy += p * y;
        if (p > 0.1f)
          {
            s.x0 = MIN (s.x0, x);
            s.y0 = MIN (s.y0, y);
            s.x1 = MAX (s.x1, x);
            s.y1 = MAX (s.y1, y);
          }
      }
  if (s.mass > 0)
    {
      s.cx /= s.mass;
      s.cy /= s.mass;
    }
  return s;
}

static void
assert_in_range (const float *v)
{
  for (int i = 0; i < DIGITS_PIXELS; i++)
    g_assert_true (v[i] >= 0.0f && v[i] <= 1.0f);
}

static void
fill_rect (float *raster, int stride, int x, int y, int w, int h, float value)
{
  for (int j = y; j < y + h; j++)
    for (int i = x; i < x + w; i++)
      raster[j * stride + i] = value;
}

/* ---- digits_preprocess_ink ---- */

/* A small square far in a corner comes out 20 px wide, centred. */
static void
test_ink_small_square_centred (void)
{
  int w = 200, h = 150;
  g_autofree float *raster = g_new0 (float, w * h);
  float out[DIGITS_PIXELS];
  Stats s;

  fill_rect (raster, w, 170, 10, 12, 12, 1.0f);
  g_assert_true (digits_preprocess_ink (raster, w, h, w, out));
  assert_in_range (out);

  s = measure (out);
  g_assert_cmpfloat_with_epsilon (s.cx, 14.0, 0.5);
  g_assert_cmpfloat_with_epsilon (s.cy, 14.0, 0.5);
  g_assert_cmpint (ABS ((s.x1 - s.x0 + 1) - 20), <=, 1);
  g_assert_cmpint (ABS ((s.y1 - s.y0 + 1) - 20), <=, 1);
  /* A solid square stays solid in the middle. */
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 14], >, 0.99f);
  /* The corners of the field stay empty. */
  g_assert_cmpfloat (out[0], ==, 0.0f);
  g_assert_cmpfloat (out[DIGITS_PIXELS - 1], ==, 0.0f);
}

/* Ink smaller than 20 px is enlarged smoothly, not as blocks, and still centred. */
static void
test_ink_tiny_enlarged (void)
{
  float raster[10 * 10] = { 0 };
  float out[DIGITS_PIXELS];
  Stats s;
  int distinct = 0;
  float seen[DIGITS_PIXELS];

  fill_rect (raster, 10, 2, 3, 3, 3, 1.0f);
  raster[3 * 10 + 2] = 0.5f;
  g_assert_true (digits_preprocess_ink (raster, 10, 10, 10, out));
  assert_in_range (out);
  s = measure (out);
  g_assert_cmpfloat_with_epsilon (s.cx, 14.0, 0.5);
  g_assert_cmpfloat_with_epsilon (s.cy, 14.0, 0.5);
  g_assert_cmpint (ABS ((s.x1 - s.x0 + 1) - 20), <=, 1);

  /* Bilinear enlargement of the half-grey corner gives many levels, not 2 or 3 blocks. */
  for (int i = 0; i < DIGITS_PIXELS; i++)
    {
      gboolean known = FALSE;

      for (int j = 0; j < distinct && !known; j++)
        known = fabsf (seen[j] - out[i]) < 1e-3f;
      if (!known)
        seen[distinct++] = out[i];
    }
  g_assert_cmpint (distinct, >, 10);
}

/* A tall thin bar keeps its aspect ratio: 20 px tall, far narrower than that. */
static void
test_ink_aspect_ratio (void)
{
  int w = 100, h = 100;
  g_autofree float *raster = g_new0 (float, w * h);
  float out[DIGITS_PIXELS];
  Stats s;
  int bw, bh;

  fill_rect (raster, w, 40, 10, 10, 80, 1.0f);   /* 10 × 80: 2.5 × 20 after scaling */
  g_assert_true (digits_preprocess_ink (raster, w, h, w, out));
  s = measure (out);
  bw = s.x1 - s.x0 + 1;
  bh = s.y1 - s.y0 + 1;
  g_assert_cmpint (ABS (bh - 20), <=, 1);
  g_assert_cmpint (bw, <, bh);
  g_assert_cmpint (bw, >=, 2);
  g_assert_cmpint (bw, <=, 4);
  g_assert_cmpfloat_with_epsilon (s.cx, 14.0, 0.5);
  g_assert_cmpfloat_with_epsilon (s.cy, 14.0, 0.5);
  /* Ink mass scales with area: 800 px² × (20/80)² = 50. */
  g_assert_cmpfloat_with_epsilon (s.mass, 50.0, 1.0);
}

/* Shrinking averages areas: a one-pixel checkerboard becomes flat mid grey, and a
 * box edge that falls between pixels is a partial grey, as MNIST's anti-aliasing gives. */
static void
test_ink_area_averaging (void)
{
  int w = 80, h = 80;
  g_autofree float *raster = g_new0 (float, w * h);
  float out[DIGITS_PIXELS];
  int greys = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      raster[y * w + x] = ((x + y) % 2) ? 1.0f : 0.0f;
  g_assert_true (digits_preprocess_ink (raster, w, h, w, out));
  /* Fully covered pixels are exact averages of 4×4 source blocks. */
  for (int y = 8; y < 20; y++)
    for (int x = 8; x < 20; x++)
      g_assert_cmpfloat_with_epsilon (out[y * DIGITS_SIDE + x], 0.5f, 0.02f);

  /* A 30 × 60 block: 10 × 20, its sides land on fractional positions. */
  memset (raster, 0, sizeof (float) * w * h);
  fill_rect (raster, w, 7, 11, 30, 60, 1.0f);
  g_assert_true (digits_preprocess_ink (raster, w, h, w, out));
  for (int i = 0; i < DIGITS_PIXELS; i++)
    greys += out[i] > 0.05f && out[i] < 0.95f;
  g_assert_cmpint (greys, >, 0);
  g_assert_cmpfloat_with_epsilon (measure (out).mass, 200.0, 2.0);
}

static void
test_ink_empty (void)
{
  float raster[30 * 20];
  float out[DIGITS_PIXELS];

  for (int i = 0; i < 30 * 20; i++)
    raster[i] = 0.0f;
  for (int i = 0; i < DIGITS_PIXELS; i++)
    out[i] = 0.25f;
  g_assert_false (digits_preprocess_ink (raster, 30, 20, 30, out));
  /* Faint noise is not ink either. */
  for (int i = 0; i < 30 * 20; i++)
    raster[i] = (i % 7) * 0.01f;
  g_assert_false (digits_preprocess_ink (raster, 30, 20, 30, out));
  g_assert_false (digits_preprocess_ink (raster, 0, 0, 0, out));
  /* out untouched */
  for (int i = 0; i < DIGITS_PIXELS; i++)
    g_assert_cmpfloat (out[i], ==, 0.25f);
}

/* The stride is honoured and out-of-range values are clamped, NaN ignored. */
static void
test_ink_stride_and_garbage (void)
{
  int w = 40, h = 40, stride = 64;
  g_autofree float *a = g_new0 (float, stride * h);
  g_autofree float *b = g_new0 (float, w * h);
  float out_a[DIGITS_PIXELS], out_b[DIGITS_PIXELS];

  for (int y = 0; y < h; y++)
    for (int x = w; x < stride; x++)
      a[y * stride + x] = 1.0f;   /* padding that must not be read as ink */
  fill_rect (a, stride, 5, 5, 20, 30, 1.0f);
  fill_rect (b, w, 5, 5, 20, 30, 1.0f);
  a[6 * stride + 6] = 7.0f;
  a[7 * stride + 7] = NAN;
  b[7 * w + 7] = 0.0f;
  g_assert_true (digits_preprocess_ink (a, w, h, stride, out_a));
  g_assert_true (digits_preprocess_ink (b, w, h, w, out_b));
  assert_in_range (out_a);
  g_assert_cmpfloat (test_mean_abs_diff (out_a, out_b), <, 0.01);
}

/* ---- strokes ---- */

/* The placement says where the ink went: input pixels wholly inside the rectangle it maps
 * to are full ink, those wholly outside it blank. */
static void
test_ink_placement (void)
{
  enum { W = 100, H = 60 };
  g_autofree float *ink = g_new0 (float, W * H);
  float out[DIGITS_PIXELS];
  DigitsPlacement at = { 0 };
  double u0, u1, v0, v1;

  for (int y = 10; y < 30; y++)
    for (int x = 30; x < 70; x++)
      ink[y * W + x] = 1.0f;
  g_assert_true (digits_preprocess_ink_placed (ink, W, H, W, out, &at));
  g_assert_cmpfloat_with_epsilon (at.scale, 20.0 / 40.0, 1e-9);

  u0 = at.scale * 30 + at.x_offset;
  u1 = at.scale * 70 + at.x_offset;
  v0 = at.scale * 10 + at.y_offset;
  v1 = at.scale * 30 + at.y_offset;
  g_assert_cmpfloat_with_epsilon (u1 - u0, 20.0, 1e-9);
  g_assert_cmpfloat (u0, >=, 0.0);
  g_assert_cmpfloat (v1, <=, DIGITS_SIDE);
  for (int j = 0; j < DIGITS_SIDE; j++)
    for (int i = 0; i < DIGITS_SIDE; i++)
      {
        float v = out[j * DIGITS_SIDE + i];

        if (i >= u0 && i + 1 <= u1 && j >= v0 && j + 1 <= v1)
          g_assert_cmpfloat (v, >, 0.99f);
        else if (i + 1 <= u0 || i >= u1 || j + 1 <= v0 || j >= v1)
          g_assert_cmpfloat (v, ==, 0.0f);
      }
}

static void
add_polyline (GArray *strokes, const float *xy, int n, float scale, float dx, float dy)
{
  DigitsStroke stroke;

  stroke.points = g_array_new (FALSE, FALSE, sizeof (DigitsPoint));
  for (int i = 0; i < n; i++)
    {
      DigitsPoint p = { xy[2 * i] * scale + dx, xy[2 * i + 1] * scale + dy };
      g_array_append_val (stroke.points, p);
    }
  g_array_append_val (strokes, stroke);
}

static void
add_circle (GArray *strokes, float cx, float cy, float rx, float ry)
{
  DigitsStroke stroke;

  stroke.points = g_array_new (FALSE, FALSE, sizeof (DigitsPoint));
  for (int i = 0; i <= 64; i++)
    {
      DigitsPoint p = { cx + rx * cosf (i * 2 * G_PI / 64), cy + ry * sinf (i * 2 * G_PI / 64) };
      g_array_append_val (stroke.points, p);
    }
  g_array_append_val (strokes, stroke);
}

static void
free_strokes (GArray *strokes)
{
  for (guint i = 0; i < strokes->len; i++)
    g_array_unref (g_array_index (strokes, DigitsStroke, i).points);
  g_array_unref (strokes);
}

static gboolean
preprocess (GArray *strokes, float pen_scale, float out[DIGITS_PIXELS])
{
  return digits_preprocess_strokes ((DigitsStroke *) strokes->data, strokes->len, pen_scale, out);
}

/* A perfectly vertical "1": zero width, yet a centred upright bar as wide as the pen. */
static void
test_strokes_vertical_one (void)
{
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  const float line[] = { 50, 10, 50, 90 };
  float out[DIGITS_PIXELS];
  Stats s;
  int bw, bh;

  add_polyline (strokes, line, 2, 1, 0, 0);
  g_assert_true (preprocess (strokes, 1.0f, out));
  assert_in_range (out);
  s = measure (out);
  bw = s.x1 - s.x0 + 1;
  bh = s.y1 - s.y0 + 1;
  g_assert_cmpint (ABS (bh - 20), <=, 1);
  g_assert_cmpint (bw, >=, 2);
  g_assert_cmpint (bw, <=, 5);
  g_assert_cmpfloat_with_epsilon (s.cx, 14.0, 0.5);
  g_assert_cmpfloat_with_epsilon (s.cy, 14.0, 0.5);
  /* The bar's core is solid ink; left and right of it is paper. */
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 14], >, 0.9f);
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 8], ==, 0.0f);
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 20], ==, 0.0f);
  free_strokes (strokes);
}

/* A "0" is a ring: ink around, paper in the middle. */
static void
test_strokes_zero_ring (void)
{
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  float out[DIGITS_PIXELS];
  Stats s;

  add_circle (strokes, 300, 200, 60, 90);
  g_assert_true (preprocess (strokes, 1.0f, out));
  s = measure (out);
  g_assert_cmpfloat_with_epsilon (s.cx, 14.0, 0.5);
  g_assert_cmpfloat_with_epsilon (s.cy, 14.0, 0.5);
  g_assert_cmpint (ABS ((s.y1 - s.y0 + 1) - 20), <=, 1);
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 14], <, 0.05f);   /* the hole */
  g_assert_cmpfloat (out[13 * DIGITS_SIDE + 13], <, 0.05f);
  /* ink on the ring left, right, top and bottom of the centre */
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + s.x0 + 1], >, 0.5f);
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + s.x1 - 1], >, 0.5f);
  g_assert_cmpfloat (out[(s.y0 + 1) * DIGITS_SIDE + 14], >, 0.5f);
  g_assert_cmpfloat (out[(s.y1 - 1) * DIGITS_SIDE + 14], >, 0.5f);
  free_strokes (strokes);
}

/* The pen is relative to the digit: the same shape at any size or place gives the same
 * input, so a digit drawn small reads like one drawn large. */
static void
test_strokes_size_invariant (void)
{
  const float seven[] = { 10, 10, 60, 10, 35, 90 };
  const float bar[] = { 25, 50, 50, 50 };
  float small[DIGITS_PIXELS], large[DIGITS_PIXELS];
  GArray *a = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  GArray *b = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));

  add_polyline (a, seven, 3, 1.0f, 0, 0);
  add_polyline (a, bar, 2, 1.0f, 0, 0);
  add_polyline (b, seven, 3, 2.0f, 333, -50);
  add_polyline (b, bar, 2, 2.0f, 333, -50);
  g_assert_true (preprocess (a, 1.0f, small));
  g_assert_true (preprocess (b, 1.0f, large));
  g_assert_cmpfloat (test_mean_abs_diff (small, large), <, 0.01);
  free_strokes (a);
  free_strokes (b);
}

/* A larger pen_scale means more ink; the MNIST pen gives MNIST's amount of ink. */
static void
test_strokes_pen_scale (void)
{
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  float thin[DIGITS_PIXELS], normal[DIGITS_PIXELS], thick[DIGITS_PIXELS];
  double m_thin, m_normal, m_thick;

  add_circle (strokes, 0, 0, 40, 60);
  g_assert_true (preprocess (strokes, 0.5f, thin));
  g_assert_true (preprocess (strokes, 1.0f, normal));
  g_assert_true (preprocess (strokes, 2.0f, thick));
  m_thin = measure (thin).mass;
  m_normal = measure (normal).mass;
  m_thick = measure (thick).mass;
  g_assert_cmpfloat (m_thin, <, m_normal);
  g_assert_cmpfloat (m_normal, <, m_thick);
  /* MNIST's zeros hold 136 of ink on average (Σ pixel values, 0..1 each). */
  g_assert_cmpfloat (m_normal, >, 100.0);
  g_assert_cmpfloat (m_normal, <, 175.0);
  free_strokes (strokes);
}

/* A tap without moving is a dot, not nothing; no points at all is nothing. */
static void
test_strokes_degenerate (void)
{
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  const float dot[] = { 12, 34 };
  const float same[] = { 5, 5, 5, 5, 5, 5 };
  float out[DIGITS_PIXELS];
  DigitsStroke empty = { NULL };
  Stats s;

  g_assert_false (digits_preprocess_strokes (NULL, 0, 1.0f, out));
  g_assert_false (digits_preprocess_strokes (&empty, 1, 1.0f, out));

  add_polyline (strokes, dot, 1, 1, 0, 0);
  g_assert_true (preprocess (strokes, 1.0f, out));
  s = measure (out);
  g_assert_cmpfloat_with_epsilon (s.cx, 14.0, 0.5);
  g_assert_cmpfloat_with_epsilon (s.cy, 14.0, 0.5);
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 14], >, 0.9f);
  free_strokes (strokes);

  strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  add_polyline (strokes, same, 3, 1, 0, 0);
  g_assert_true (preprocess (strokes, 1.0f, out));
  free_strokes (strokes);
}

/* A "+" drawn as two strokes: both come through, crossing in the middle. */
static void
test_strokes_several (void)
{
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  const float h[] = { 0, 50, 100, 50 };
  const float v[] = { 50, 0, 50, 100 };
  float out[DIGITS_PIXELS];
  Stats s;

  add_polyline (strokes, h, 2, 1, 0, 0);
  add_polyline (strokes, v, 2, 1, 0, 0);
  g_assert_true (preprocess (strokes, 1.0f, out));
  s = measure (out);
  g_assert_cmpint (ABS ((s.x1 - s.x0 + 1) - 20), <=, 1);
  g_assert_cmpint (ABS ((s.y1 - s.y0 + 1) - 20), <=, 1);
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 5], >, 0.5f);
  g_assert_cmpfloat (out[5 * DIGITS_SIDE + 14], >, 0.5f);
  g_assert_cmpfloat (out[5 * DIGITS_SIDE + 5], ==, 0.0f);
  /* The crossing is not darker than full ink. */
  g_assert_cmpfloat (out[14 * DIGITS_SIDE + 14], <=, 1.0f);
  free_strokes (strokes);
}

/* Each drawn point lands on ink of the input, the corner an "L" leaves empty on none, and
 * the points' span plus one pen width fills the 20 px box: the placement is the strokes'. */
static void
test_strokes_placement (void)
{
  GArray *strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  const float l[] = { 0, 0, 0, 300, 150, 300 };
  float out[DIGITS_PIXELS];
  DigitsPlacement at = { 0 };
  const DigitsStroke *stroke;
  double u, v;

  add_polyline (strokes, l, 3, 1, 300, 100);
  g_assert_true (digits_preprocess_strokes_placed ((DigitsStroke *) strokes->data,
                                                   strokes->len, 1.0f, out, &at));
  g_assert_cmpfloat (fabs (at.scale * 300 * (1 + DIGITS_PEN_FRACTION) - 20.0), <, 1.0);

  stroke = &g_array_index (strokes, DigitsStroke, 0);
  for (guint i = 0; i + 1 < stroke->points->len; i++)
    for (int t = 0; t <= 10; t++)
      {
        const DigitsPoint *a = &g_array_index (stroke->points, DigitsPoint, i);
        const DigitsPoint *b = a + 1;

        u = at.scale * (a->x + (b->x - a->x) * t / 10.0) + at.x_offset;
        v = at.scale * (a->y + (b->y - a->y) * t / 10.0) + at.y_offset;
        g_assert_cmpfloat (out[(int) v * DIGITS_SIDE + (int) u], >, 0.5f);
      }

  u = at.scale * 450 + at.x_offset;
  v = at.scale * 100 + at.y_offset;
  g_assert_cmpfloat (out[(int) v * DIGITS_SIDE + (int) MIN (u, DIGITS_SIDE - 1)], ==, 0.0f);
  free_strokes (strokes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preprocess/ink/small-square-centred", test_ink_small_square_centred);
  g_test_add_func ("/preprocess/ink/tiny-enlarged", test_ink_tiny_enlarged);
  g_test_add_func ("/preprocess/ink/aspect-ratio", test_ink_aspect_ratio);
  g_test_add_func ("/preprocess/ink/area-averaging", test_ink_area_averaging);
  g_test_add_func ("/preprocess/ink/empty", test_ink_empty);
  g_test_add_func ("/preprocess/ink/stride-and-garbage", test_ink_stride_and_garbage);
  g_test_add_func ("/preprocess/strokes/vertical-one", test_strokes_vertical_one);
  g_test_add_func ("/preprocess/strokes/zero-ring", test_strokes_zero_ring);
  g_test_add_func ("/preprocess/strokes/size-invariant", test_strokes_size_invariant);
  g_test_add_func ("/preprocess/strokes/pen-scale", test_strokes_pen_scale);
  g_test_add_func ("/preprocess/strokes/degenerate", test_strokes_degenerate);
  g_test_add_func ("/preprocess/strokes/several", test_strokes_several);
  g_test_add_func ("/preprocess/ink/placement", test_ink_placement);
  g_test_add_func ("/preprocess/strokes/placement", test_strokes_placement);

  return g_test_run ();
}

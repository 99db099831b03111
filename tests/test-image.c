/* test-image.c — images (grey, RGBA, files) → one MNIST-style glyph per digit. */
#include "config.h"

#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "digits-preprocess.h"
#include "test-util.h"

/* ---- drawing test images ---- */

/* Ink coverage (0..1) of shapes drawn by cairo: the test's "paper", later coloured. */
typedef struct {
  int width, height;
  float *cover;
} Ink;

typedef void (*DrawFunc) (cairo_t *cr, double x, double y, double size);

static void
draw_seven (cairo_t *cr, double x, double y, double size)
{
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + 0.65 * size, y);
  cairo_line_to (cr, x + 0.3 * size, y + size);
}

static void
draw_zero (cairo_t *cr, double x, double y, double size)
{
  cairo_save (cr);
  cairo_translate (cr, x + 0.35 * size, y + 0.5 * size);
  cairo_scale (cr, 0.3 * size, 0.5 * size);
  cairo_new_sub_path (cr);
  cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore (cr);
}

static void
draw_one (cairo_t *cr, double x, double y, double size)
{
  cairo_move_to (cr, x + 0.2 * size, y + 0.15 * size);
  cairo_line_to (cr, x + 0.38 * size, y);
  cairo_line_to (cr, x + 0.38 * size, y + size);
}

/* A "5" whose top bar does not touch its body, as a quick hand often leaves it. */
static void
draw_broken_five (cairo_t *cr, double x, double y, double size)
{
  cairo_move_to (cr, x + 0.2 * size, y);
  cairo_line_to (cr, x + 0.65 * size, y);
  cairo_move_to (cr, x + 0.1 * size, y + 0.12 * size);
  cairo_line_to (cr, x + 0.07 * size, y + 0.45 * size);
  cairo_curve_to (cr, x + 0.5 * size, y + 0.3 * size, x + 0.75 * size, y + 0.6 * size,
                  x + 0.6 * size, y + 0.85 * size);
  cairo_curve_to (cr, x + 0.45 * size, y + 1.05 * size, x + 0.15 * size, y + size,
                  x + 0.05 * size, y + 0.9 * size);
}

/* A "5" written fast, its stem too faint to see: a bar, a gap, and the body below. */
static void
draw_stemless_five (cairo_t *cr, double x, double y, double size)
{
  cairo_move_to (cr, x + 0.15 * size, y);
  cairo_line_to (cr, x + 0.65 * size, y);
  cairo_move_to (cr, x + 0.1 * size, y + 0.42 * size);
  cairo_curve_to (cr, x + 0.5 * size, y + 0.3 * size, x + 0.75 * size, y + 0.6 * size,
                  x + 0.6 * size, y + 0.85 * size);
  cairo_curve_to (cr, x + 0.45 * size, y + 1.05 * size, x + 0.15 * size, y + size,
                  x + 0.05 * size, y + 0.9 * size);
}

/* The thick downstroke of a calligraphic "0": its left side. */
static void
draw_left_arc (cairo_t *cr, double x, double y, double size)
{
  cairo_save (cr);
  cairo_translate (cr, x + 0.35 * size, y + 0.5 * size);
  cairo_scale (cr, 0.3 * size, 0.5 * size);
  cairo_new_sub_path (cr);
  cairo_arc (cr, 0, 0, 1, 0.6 * G_PI, 1.4 * G_PI);
  cairo_restore (cr);
}

static Ink
ink_new (int width, int height)
{
  Ink ink = { width, height, g_new0 (float, (gsize) width * height) };
  return ink;
}

/* Strokes a shape with a pen width given as a fraction of the size, adding to the ink. */
static void
ink_draw (Ink *ink, DrawFunc draw, double x, double y, double size, double pen)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, ink->width,
                                                         ink->height);
  cairo_t *cr = cairo_create (surface);
  const guint8 *data;
  int stride;

  cairo_set_line_width (cr, pen * size);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  draw (cr, x, y, size);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int j = 0; j < ink->height; j++)
    for (int i = 0; i < ink->width; i++)
      {
        float *p = &ink->cover[(gsize) j * ink->width + i];
        *p = MAX (*p, data[j * stride + i] / 255.0f);
      }
  cairo_surface_destroy (surface);
}

static void
ink_dot (Ink *ink, double x, double y, double radius)
{
  for (int j = 0; j < ink->height; j++)
    for (int i = 0; i < ink->width; i++)
      if (hypot (i + 0.5 - x, j + 0.5 - y) <= radius)
        ink->cover[(gsize) j * ink->width + i] = 1.0f;
}

static void
ink_clear (Ink *ink)
{
  g_clear_pointer (&ink->cover, g_free);
}

/* Grey bytes: paper level where there is no ink, ink level where it is full. */
static guint8 *
ink_to_grey (const Ink *ink, double paper, double level, int stride)
{
  guint8 *grey = g_malloc0 ((gsize) stride * ink->height);

  for (int j = 0; j < ink->height; j++)
    for (int i = 0; i < ink->width; i++)
      {
        float c = ink->cover[(gsize) j * ink->width + i];
        grey[(gsize) j * stride + i] = (guint8) lround (paper + c * (level - paper));
      }
  return grey;
}

/* Grey input of the one glyph found, asserting there is exactly one. */
static DigitsGlyph
single_glyph (GArray *glyphs)
{
  DigitsGlyph g;

  g_assert_nonnull (glyphs);
  g_assert_cmpuint (glyphs->len, ==, 1);
  g = g_array_index (glyphs, DigitsGlyph, 0);
  g_array_unref (glyphs);
  return g;
}

static double
mass (const float *v)
{
  double m = 0;

  for (int i = 0; i < DIGITS_PIXELS; i++)
    m += v[i];
  return m;
}

static void
assert_mnist_like (const float *v)
{
  double m = 0, cx = 0, cy = 0;

  for (int y = 0; y < DIGITS_SIDE; y++)
    for (int x = 0; x < DIGITS_SIDE; x++)
      {
        float p = v[y * DIGITS_SIDE + x];

        g_assert_true (p >= 0.0f && p <= 1.0f);
        m += p;
        cx += p * x;
        cy += p * y;
      }
  g_assert_cmpfloat (m, >, 20.0);
  g_assert_cmpfloat_with_epsilon (cx / m, 14.0, 0.6);
  g_assert_cmpfloat_with_epsilon (cy / m, 14.0, 0.6);
}

/* A reference: the seven, alone, black on white. */
static DigitsGlyph
reference_seven (void)
{
  Ink ink = ink_new (160, 140);
  g_autofree guint8 *grey = NULL;
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw_seven, 50, 20, 100, 0.15);
  grey = ink_to_grey (&ink, 255, 0, ink.width);
  g = single_glyph (digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width, &error));
  g_assert_no_error (error);
  ink_clear (&ink);
  return g;
}

/* ---- tests ---- */

static void
test_dark_on_light (void)
{
  DigitsGlyph g = reference_seven ();

  assert_mnist_like (g.input);
  /* The box is where the seven was drawn (with the pen's half width around it). */
  g_assert_cmpint (ABS (g.x - 42), <=, 3);
  g_assert_cmpint (ABS (g.y - 12), <=, 3);
  g_assert_cmpint (ABS (g.width - 81), <=, 4);
  g_assert_cmpint (ABS (g.height - 115), <=, 4);
}

/* The image path and the drawing path agree: a seven is a seven however it arrives. */
static void
test_matches_strokes (void)
{
  DigitsGlyph g = reference_seven ();
  DigitsStroke stroke = { g_array_new (FALSE, FALSE, sizeof (DigitsPoint)) };
  const DigitsPoint pts[] = { { 0, 0 }, { 65, 0 }, { 30, 100 } };
  float drawn[DIGITS_PIXELS];

  g_array_append_vals (stroke.points, pts, 3);
  g_assert_true (digits_preprocess_strokes (&stroke, 1, 1.0f, drawn));
  g_assert_cmpfloat (test_mean_abs_diff (g.input, drawn), <, 0.04);
  g_array_unref (stroke.points);
}

/* Chalk on a blackboard reads like pencil on paper; so does a mid-grey background. */
static void
test_polarity (void)
{
  DigitsGlyph ref = reference_seven ();
  Ink ink = ink_new (160, 140);
  g_autofree guint8 *light = NULL;
  g_autofree guint8 *grey_paper = NULL;
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw_seven, 50, 20, 100, 0.15);

  light = ink_to_grey (&ink, 20, 230, ink.width);
  g = single_glyph (digits_glyphs_from_grey (light, ink.width, ink.height, ink.width, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.03);
  g_assert_cmpint (ABS (g.x - ref.x), <=, 1);

  grey_paper = ink_to_grey (&ink, 140, 30, ink.width);
  g = single_glyph (digits_glyphs_from_grey (grey_paper, ink.width, ink.height, ink.width,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.03);
  ink_clear (&ink);
}

/* "70" side by side: two glyphs, the seven first, each with its own box. */
static void
test_two_digits (void)
{
  Ink ink = ink_new (300, 160);
  g_autofree guint8 *grey = NULL;
  g_autoptr(GArray) glyphs = NULL;
  GError *error = NULL;
  DigitsGlyph seven, zero;

  /* Zero drawn first, on the right: the order must come from position. */
  ink_draw (&ink, draw_zero, 170, 30, 100, 0.15);
  ink_draw (&ink, draw_seven, 40, 30, 100, 0.15);
  grey = ink_to_grey (&ink, 250, 10, 320);
  glyphs = digits_glyphs_from_grey (grey, ink.width, ink.height, 320, &error);
  g_assert_no_error (error);
  g_assert_nonnull (glyphs);
  g_assert_cmpuint (glyphs->len, ==, 2);

  seven = g_array_index (glyphs, DigitsGlyph, 0);
  zero = g_array_index (glyphs, DigitsGlyph, 1);
  g_assert_cmpint (ABS (seven.x - 32), <=, 3);
  g_assert_cmpint (ABS (seven.width - 81), <=, 4);
  g_assert_cmpint (ABS (seven.y - 22), <=, 3);
  g_assert_cmpint (ABS (zero.x - 167), <=, 3);
  g_assert_cmpint (ABS (zero.width - 75), <=, 4);
  g_assert_cmpint (ABS (zero.height - 115), <=, 4);
  g_assert_cmpint (seven.x + seven.width, <=, zero.x);
  assert_mnist_like (seven.input);
  assert_mnist_like (zero.input);
  g_assert_cmpfloat (test_mean_abs_diff (seven.input, reference_seven ().input), <, 0.03);

  /* The zero is a ring: its middle is empty. */
  g_assert_cmpfloat (zero.input[14 * DIGITS_SIDE + 14], <, 0.05f);
  ink_clear (&ink);
}

/* A row of many digits comes back whole and in order. */
static void
test_many_digits (void)
{
  Ink ink = ink_new (900, 120);
  g_autofree guint8 *grey = NULL;
  g_autoptr(GArray) glyphs = NULL;
  GError *error = NULL;

  for (int i = 0; i < 10; i++)
    ink_draw (&ink, i % 2 ? draw_zero : draw_one, 20 + i * 85, 20, 70, 0.15);
  grey = ink_to_grey (&ink, 255, 0, ink.width);
  glyphs = digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (glyphs->len, ==, 10);
  for (guint i = 1; i < glyphs->len; i++)
    g_assert_cmpint (g_array_index (glyphs, DigitsGlyph, i - 1).x, <,
                     g_array_index (glyphs, DigitsGlyph, i).x);
  /* ones and zeros alternate: the zeros have far more ink */
  g_assert_cmpfloat (mass (g_array_index (glyphs, DigitsGlyph, 1).input), >,
                     1.3 * mass (g_array_index (glyphs, DigitsGlyph, 0).input));
  ink_clear (&ink);
}

/* A page of 90 marks is not a number: at most 64 glyphs come back, still in order. */
static void
test_too_many_marks (void)
{
  Ink ink = ink_new (1000, 900);
  g_autofree guint8 *grey = NULL;
  g_autoptr(GArray) glyphs = NULL;
  GError *error = NULL;

  for (int row = 0; row < 9; row++)
    for (int col = 0; col < 10; col++)
      ink_draw (&ink, draw_zero, 20 + col * 98, 20 + row * 98, 70, 0.15);
  grey = ink_to_grey (&ink, 255, 0, ink.width);
  glyphs = digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (glyphs->len, ==, 64);
  for (guint i = 1; i < glyphs->len; i++)
    g_assert_cmpint (2 * g_array_index (glyphs, DigitsGlyph, i - 1).x
                     + g_array_index (glyphs, DigitsGlyph, i - 1).width, <=,
                     2 * g_array_index (glyphs, DigitsGlyph, i).x
                     + g_array_index (glyphs, DigitsGlyph, i).width);
  ink_clear (&ink);
}

/* The one glyph found in a 200 × 200 image of a shape drawn 110 px tall at (50, 40),
 * black on white; it must look like an MNIST digit. */
static DigitsGlyph
glyph_of_drawing (DrawFunc draw, double pen)
{
  Ink ink = ink_new (200, 200);
  g_autofree guint8 *grey = NULL;
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw, 50, 40, 110, pen);
  grey = ink_to_grey (&ink, 255, 0, ink.width);
  g = single_glyph (digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width, &error));
  g_assert_no_error (error);
  assert_mnist_like (g.input);
  ink_clear (&ink);
  return g;
}

/* The two parts of a broken "5" are one digit. */
static void
test_broken_digit_merged (void)
{
  DigitsGlyph g = glyph_of_drawing (draw_broken_five, 0.12);

  g_assert_cmpint (g.y, <=, 36);   /* the box includes the bar */
}

/* Nor are the bar and body of a "5" whose stem is lost, though together they are taller
 * than any one mark. */
static void
test_stemless_five_merged (void)
{
  DigitsGlyph g = glyph_of_drawing (draw_stemless_five, 0.1);

  g_assert_cmpint (g.y, <=, 36);
  g_assert_cmpint (g.y + g.height, >=, 150);
}

/* Dust and a stray dot do not become digits or stretch the digit's box. */
static void
test_specks_ignored (void)
{
  DigitsGlyph ref = reference_seven ();
  Ink ink = ink_new (160, 140);
  g_autofree guint8 *grey = NULL;
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw_seven, 50, 20, 100, 0.15);
  ink_dot (&ink, 10, 10, 1.5);
  ink_dot (&ink, 150, 130, 2.0);
  ink_dot (&ink, 20, 120, 1.0);
  ink_dot (&ink, 130, 70, 1.5);
  for (int i = 0; i < 40; i++)
    ink.cover[(i * 7919) % (ink.width * ink.height)] = 1.0f;   /* salt */
  grey = ink_to_grey (&ink, 255, 0, ink.width);
  g = single_glyph (digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ABS (g.x - ref.x), <=, 1);
  g_assert_cmpint (ABS (g.width - ref.width), <=, 2);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.02);
  ink_clear (&ink);
}

/* A photo lit from one side: the paper goes from bright to dim, and the ink in the dim
 * part is lighter than the paper in the bright part. */
static void
test_uneven_lighting (void)
{
  DigitsGlyph ref = reference_seven ();
  Ink ink = ink_new (320, 280);
  g_autofree guint8 *grey = g_malloc ((gsize) 320 * 280);
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw_seven, 100, 40, 200, 0.15);
  for (int y = 0; y < ink.height; y++)
    for (int x = 0; x < ink.width; x++)
      {
        double paper = 250 - 150.0 * x / ink.width;   /* 250 → 100 */
        double level = paper * 0.35;
        float c = ink.cover[y * ink.width + x];
        grey[y * ink.width + x] = (guint8) lround (paper + c * (level - paper));
      }
  g = single_glyph (digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.05);
  ink_clear (&ink);
}

/* A hairline and a marker are brought to MNIST's stroke thickness. */
static void
test_thickness_normalised (void)
{
  DigitsGlyph ref = reference_seven ();
  double pens[] = { 0.02, 0.35 };

  for (guint i = 0; i < G_N_ELEMENTS (pens); i++)
    {
      Ink ink = ink_new (400, 360);
      g_autofree guint8 *grey = NULL;
      GError *error = NULL;
      DigitsGlyph g;

      ink_draw (&ink, draw_seven, 100, 60, 250, pens[i]);
      grey = ink_to_grey (&ink, 255, 0, ink.width);
      g = single_glyph (digits_glyphs_from_grey (grey, ink.width, ink.height, ink.width,
                                                 &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (mass (g.input), >, 0.6 * mass (ref.input));
      g_assert_cmpfloat (mass (g.input), <, 1.6 * mass (ref.input));
      ink_clear (&ink);
    }
}

/* Pixels of solid ink (at least half covered) in the right half of a glyph's input. */
static int
solid_right (const float *v)
{
  int n = 0;

  for (int y = 0; y < DIGITS_SIDE; y++)
    for (int x = DIGITS_SIDE / 2; x < DIGITS_SIDE; x++)
      n += v[y * DIGITS_SIDE + x] >= 0.5f;
  return n;
}

/* A small calligraphic "0", light on dark: one thick downstroke on the left, the rest a
 * hairline narrower than a pixel that reaches the image as a faint trace. Thickening must
 * grow the hairline too, so the network sees a ring rather than a ")" beside a grey smear:
 * its right half holds at least half the solid ink of a ring drawn with an even pen (a
 * third when only strokes that were already solid grew). */
static void
test_hairline_thickened (void)
{
  Ink even = ink_new (60, 64), mixed = ink_new (60, 64);
  g_autofree guint8 *even_grey = NULL, *mixed_grey = NULL;
  GError *error = NULL;
  DigitsGlyph e, m;

  ink_draw (&even, draw_zero, 15, 10, 44, 0.08);
  ink_draw (&mixed, draw_zero, 15, 10, 44, 0.01);      /* 0.44 px */
  ink_draw (&mixed, draw_left_arc, 15, 10, 44, 0.08);  /* 3.5 px */
  even_grey = ink_to_grey (&even, 33, 191, even.width);
  mixed_grey = ink_to_grey (&mixed, 33, 191, mixed.width);
  e = single_glyph (digits_glyphs_from_grey (even_grey, 60, 64, 60, &error));
  g_assert_no_error (error);
  m = single_glyph (digits_glyphs_from_grey (mixed_grey, 60, 64, 60, &error));
  g_assert_no_error (error);
  g_test_message ("solid ink in the right half: %d (even pen: %d)", solid_right (m.input),
                  solid_right (e.input));
  g_assert_cmpint (solid_right (m.input), >=, solid_right (e.input) / 2);
  ink_clear (&even);
  ink_clear (&mixed);
}

static void
test_blank (void)
{
  guint8 blank[64 * 48];
  g_autofree guint8 *noisy = g_malloc (200 * 150);
  GError *error = NULL;
  GArray *glyphs;

  memset (blank, 200, sizeof blank);
  glyphs = digits_glyphs_from_grey (blank, 64, 48, 64, &error);
  g_assert_null (glyphs);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT);
  g_assert_cmpstr (error->message, ==, "no digit was found in it");
  g_clear_error (&error);

  /* Paper with sensor noise and a soft shadow is still blank. */
  for (int y = 0; y < 150; y++)
    for (int x = 0; x < 200; x++)
      noisy[y * 200 + x] = (guint8) (180 + 40.0 * y / 150 + ((x * 31 + y * 17) % 9) - 4);
  glyphs = digits_glyphs_from_grey (noisy, 200, 150, 200, &error);
  g_assert_null (glyphs);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT);
  g_clear_error (&error);
}

/* RGBA: ink opaque on a transparent canvas, and ink on paper with transparency around it. */
static void
test_alpha (void)
{
  DigitsGlyph ref = reference_seven ();
  Ink ink = ink_new (160, 140);
  int stride = ink.width * 4;
  g_autofree guint8 *rgba = g_malloc0 ((gsize) stride * ink.height);
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw_seven, 50, 20, 100, 0.15);

  /* White ink on nothing: colour says nothing, alpha is the ink. Transparent pixels
   * carry black (as many encoders leave them), which must not read as ink. */
  for (int i = 0; i < ink.width * ink.height; i++)
    {
      guint8 *p = rgba + (gsize) i * 4;
      float c = ink.cover[i];

      p[0] = p[1] = p[2] = c > 0 ? 255 : 0;
      p[3] = (guint8) lround (255 * c);
    }
  g = single_glyph (digits_glyphs_from_rgba (rgba, ink.width, ink.height, stride, TRUE,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.03);

  /* Opaque white paper with dark ink, and a transparent hole in the middle of the paper
   * that is not ink either. */
  for (int y = 0; y < ink.height; y++)
    for (int x = 0; x < ink.width; x++)
      {
        guint8 *p = rgba + (gsize) y * stride + x * 4;
        float c = ink.cover[y * ink.width + x];
        gboolean hole = x > 110 && x < 140 && y > 90 && y < 120;

        p[0] = p[1] = p[2] = (guint8) lround (255 * (1 - c));
        p[3] = hole ? 0 : 255;
      }
  g = single_glyph (digits_glyphs_from_rgba (rgba, ink.width, ink.height, stride, TRUE,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.03);
  ink_clear (&ink);
}

/* Blue ballpoint on yellowish paper, as RGB without alpha. */
static void
test_colour (void)
{
  DigitsGlyph ref = reference_seven ();
  Ink ink = ink_new (160, 140);
  int stride = ink.width * 3 + 5;
  g_autofree guint8 *rgb = g_malloc0 ((gsize) stride * ink.height);
  const double paper[3] = { 250, 240, 190 }, pen[3] = { 30, 40, 160 };
  GError *error = NULL;
  DigitsGlyph g;

  ink_draw (&ink, draw_seven, 50, 20, 100, 0.15);
  for (int y = 0; y < ink.height; y++)
    for (int x = 0; x < ink.width; x++)
      for (int k = 0; k < 3; k++)
        {
          float c = ink.cover[y * ink.width + x];
          double v = paper[k] + c * (pen[k] - paper[k]);

          rgb[(gsize) y * stride + x * 3 + k] = (guint8) lround (v);
        }
  g = single_glyph (digits_glyphs_from_rgba (rgb, ink.width, ink.height, stride, FALSE,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (test_mean_abs_diff (g.input, ref.input), <, 0.03);
  ink_clear (&ink);
}

/* A large buffer handed over directly is scaled down inside, boxes still in its pixels. */
static void
test_large_buffer (void)
{
  const int w = 2600, h = 1500;
  g_autofree guint8 *grey = g_malloc ((gsize) w * h);
  g_autoptr(GArray) glyphs = NULL;
  GError *error = NULL;
  DigitsGlyph g;

  memset (grey, 230, (gsize) w * h);
  for (int y = 300; y < 1100; y++)
    for (int x = 1700; x < 1820; x++)
      grey[(gsize) y * w + x] = 20;
  glyphs = digits_glyphs_from_grey (grey, w, h, w, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (glyphs->len, ==, 1);
  g = g_array_index (glyphs, DigitsGlyph, 0);
  g_assert_cmpint (ABS (g.x - 1700), <=, 4);
  g_assert_cmpint (ABS (g.y - 300), <=, 4);
  g_assert_cmpint (ABS (g.width - 120), <=, 6);
  g_assert_cmpint (ABS (g.height - 800), <=, 6);
  assert_mnist_like (g.input);
}

/* ---- files ---- */

static char *
make_tmp_dir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("digits-test-image-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tmp (const char *dir, const char *const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

/* A 4000 × 3000 photo-sized PNG: read at a working size, fast, boxes in its own pixels. */
static void
test_large_file (void)
{
  const int w = 4000, h = 3000;
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "big.png", NULL);
  const char *names[] = { "big.png", NULL };
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  g_autoptr(GArray) glyphs = NULL;
  GError *error = NULL;
  gint64 start;
  double seconds;

  /* White, with a black "1" (a bar) 1200 tall and a "0" (a ring) beside it. */
  for (int y = 0; y < h; y++)
    {
      guint8 *row = pixels + (gsize) y * stride;

      memset (row, 255, (gsize) w * 3);
      for (int x = 0; x < w; x++)
        {
          double r = hypot ((x - 2600) / 400.0, (y - 1500) / 600.0);
          gboolean bar = x >= 1400 && x < 1560 && y >= 900 && y < 2100;
          gboolean ring = r > 0.82 && r < 1.0;

          if (bar || ring)
            row[x * 3] = row[x * 3 + 1] = row[x * 3 + 2] = 0;
        }
    }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, "compression", "1", NULL));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  glyphs = digits_glyphs_from_file (path, &error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  g_assert_nonnull (glyphs);
  g_assert_cmpuint (glyphs->len, ==, 2);
  g_test_message ("4000×3000 PNG read in %.2f s", seconds);

  {
    DigitsGlyph *one = &g_array_index (glyphs, DigitsGlyph, 0);
    DigitsGlyph *zero = &g_array_index (glyphs, DigitsGlyph, 1);

    g_assert_cmpint (ABS (one->x - 1400), <=, 12);
    g_assert_cmpint (ABS (one->y - 900), <=, 12);
    g_assert_cmpint (ABS (one->height - 1200), <=, 24);
    g_assert_cmpint (ABS (zero->x - 2200), <=, 12);
    g_assert_cmpint (ABS (zero->width - 800), <=, 24);
    assert_mnist_like (one->input);
    assert_mnist_like (zero->input);
  }
  remove_tmp (dir, names);
}

static void
test_file_errors (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *text = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.png", NULL);
  g_autofree char *good = g_build_filename (dir, "good.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  const char *names[] = { "photo.jpg", "cut.png", "good.png", NULL };
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 300, 200);
  g_autofree char *png = NULL;
  gsize png_len;
  GError *error = NULL;

  g_assert_true (g_file_set_contents (text, "this is not a picture\n", -1, &error));
  g_assert_null (digits_glyphs_from_file (text, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == DIGITS_ERROR);
  g_test_message ("%s", error->message);
  /* What is wrong with the file, not its name: the caller names it, once. */
  g_assert_cmpstr (error->message, ==, "it is not an image Digits can read (Unrecognized "
                   "image file format)");
  g_clear_error (&error);

  /* A real PNG cut in half. */
  gdk_pixbuf_fill (pixbuf, 0xffffffff);
  {
    g_autoptr(GdkPixbuf) bar = gdk_pixbuf_new_subpixbuf (pixbuf, 100, 50, 40, 100);
    gdk_pixbuf_fill (bar, 0x000000ff);
  }
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_len, "png", &error,
                                            "compression", "0", NULL));
  g_assert_true (g_file_set_contents (good, png, png_len, &error));
  g_assert_true (g_file_set_contents (cut, png, png_len / 2, &error));

  {
    g_autoptr(GArray) glyphs = digits_glyphs_from_file (good, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (glyphs->len, ==, 1);
  }

  g_assert_null (digits_glyphs_from_file (cut, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==, "it is not an image Digits can read (the file is cut "
                   "short or damaged)");
  g_clear_error (&error);

  g_assert_null (digits_glyphs_from_file (missing, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "there is no such file");
  g_clear_error (&error);

  g_assert_null (digits_glyphs_from_file (dir, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "it is a folder, not an image");
  g_clear_error (&error);

  remove_tmp (dir, names);
}

/* A PNG whose header claims 100 000 × 100 000 pixels is refused before decoding. */
static void
test_file_too_large (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "bomb.png", NULL);
  const char *names[] = { "bomb.png", NULL };
  guint8 png[8 + 25 + 12 + 12] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 *ihdr = png + 8;
  GError *error = NULL;

  test_put_be32 (ihdr, 13);
  memcpy (ihdr + 4, "IHDR", 4);
  test_put_be32 (ihdr + 8, 100000);
  test_put_be32 (ihdr + 12, 100000);
  ihdr[16] = 8;   /* bit depth */
  ihdr[17] = 2;   /* RGB */
  test_put_be32 (ihdr + 21, (guint32) crc32 (0, ihdr + 4, 17));
  /* an empty IDAT: decoders learn the size when the image data begins */
  test_put_be32 (ihdr + 25, 0);
  memcpy (ihdr + 29, "IDAT", 4);
  test_put_be32 (ihdr + 33, (guint32) crc32 (0, ihdr + 29, 4));
  test_put_be32 (ihdr + 37, 0);
  memcpy (ihdr + 41, "IEND", 4);
  test_put_be32 (ihdr + 45, (guint32) crc32 (0, ihdr + 41, 4));

  g_assert_true (g_file_set_contents (path, (const char *) png, sizeof png, &error));
  g_assert_null (digits_glyphs_from_file (path, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==, "the image is too large (100000 × 100000 pixels); "
                   "Digits reads images of up to 100 megapixels");
  g_clear_error (&error);
  remove_tmp (dir, names);
}

static void
test_blank_file (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "blank.png", NULL);
  const char *names[] = { "blank.png", NULL };
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 120, 90);
  GError *error = NULL;

  gdk_pixbuf_fill (pixbuf, 0xf0f0f0ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_null (digits_glyphs_from_file (path, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NO_DIGIT);
  g_clear_error (&error);
  remove_tmp (dir, names);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image/grey/dark-on-light", test_dark_on_light);
  g_test_add_func ("/image/grey/matches-strokes", test_matches_strokes);
  g_test_add_func ("/image/grey/polarity", test_polarity);
  g_test_add_func ("/image/grey/two-digits", test_two_digits);
  g_test_add_func ("/image/grey/many-digits", test_many_digits);
  g_test_add_func ("/image/grey/too-many-marks", test_too_many_marks);
  g_test_add_func ("/image/grey/broken-digit-merged", test_broken_digit_merged);
  g_test_add_func ("/image/grey/stemless-five-merged", test_stemless_five_merged);
  g_test_add_func ("/image/grey/hairline-thickened", test_hairline_thickened);
  g_test_add_func ("/image/grey/specks-ignored", test_specks_ignored);
  g_test_add_func ("/image/grey/uneven-lighting", test_uneven_lighting);
  g_test_add_func ("/image/grey/thickness-normalised", test_thickness_normalised);
  g_test_add_func ("/image/grey/blank", test_blank);
  g_test_add_func ("/image/rgba/alpha", test_alpha);
  g_test_add_func ("/image/rgba/colour", test_colour);
  g_test_add_func ("/image/grey/large-buffer", test_large_buffer);
  g_test_add_func ("/image/file/large", test_large_file);
  g_test_add_func ("/image/file/errors", test_file_errors);
  g_test_add_func ("/image/file/too-large", test_file_too_large);
  g_test_add_func ("/image/file/blank", test_blank_file);

  return g_test_run ();
}

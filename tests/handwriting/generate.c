/* generate.c — a test set of "real" handwriting that no training saw.
 *
 * Digits rendered from Debian's handwriting fonts and from synthetic mouse-like strokes
 * (jittered digit skeletons, smoothed, with a wobbling hand), at varied sizes, positions,
 * slants, stroke thickness and colours, with paper noise and uneven lighting, written as
 * PNG files with a labels file. The same seed gives the same set.
 *
 *   digits-handwriting-gen --out DIR [--fonts N] [--strokes N] [--numbers N] [--seed S]
 *   digits-handwriting-gen --sheet FILE      (every font's digits, to look at)
 *   digits-handwriting-gen --writer NAME --out DIR [--teach 10] [--unseen 20] [--seed S]
 *
 * A writer is one person's hand that MNIST lacks (see writer_names): DIR/teach/<digit>/ and
 * DIR/unseen/<digit>/ hold their digits as PNG files in the my-digits layout, black ink on
 * white paper like the canvas.
 *
 * DIR/labels.tsv:  file <TAB> digits <TAB> kind (font|strokes|number) <TAB> source
 * DIR/strokes.tsv: file <TAB> digit <TAB> strokes as "x,y x,y ...;x,y ..." in the image's
 *                  pixels, for feeding the same drawings to digits_preprocess_strokes.
 */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

/* Families as fontconfig names them, with the Debian package that brings each: those whose
 * digits look written, in print and script hands, thin and bold. */
static const struct {
  const char *family;
  const char *package;
} candidate_fonts[] = {
  { "Breip", "fonts-breip" },
  { "Comic Neue", "fonts-comic-neue" },
  { "Dancing Script", "fonts-dancingscript" },
  { "Delphine", "fonts-sjfonts" },
  { "Steve", "fonts-sjfonts" },
  { "DkgHandwriting", "fonts-dkg-handwriting" },
  { "Ecolier_court", "fonts-ecolier-court" },
  { "Humor Sans", "fonts-humor-sans" },
  { "Kaushan Script", "fonts-kaushanscript" },
  { "Klee One", "fonts-klee" },
  { "Kristi", "fonts-kristi" },
  { "Rufscript", "fonts-rufscript" },
  { "Tomson Talks", "fonts-tomsontalks" },
  { "Yusei Magic", "fonts-yusei-magic" },
  /* not fonts-femkeklaver: its digits are hollow outlines, which nobody writes */
};

/* Layouts are measured at this size (px) and scaled from there. */
#define REF_SIZE 200.0

typedef struct {
  double x, y;
} Pt;

typedef enum {
  MARK_FONT,
  MARK_STROKES,
} MarkKind;

/* One digit, in a unit box: its ink spans [0, width] × [0, 1]. */
typedef struct {
  MarkKind kind;
  int digit;
  /* fonts */
  const char *family;
  PangoLayout *layout;
  PangoRectangle ink;       /* at REF_SIZE */
  double bold;              /* extra outline, a fraction of the height */
  /* strokes */
  GPtrArray *polys;         /* of GArray of Pt (unit box), one per pen-down */
  double pen;               /* pen width, a fraction of the height */
  gboolean hollow;          /* drawn as an outline of the stroke (bubble writing) */
  double width;
} Mark;

/* Writers (--writer): hands MNIST's American writers did not have. */
typedef enum {
  WRITER_NONE,
  WRITER_CONTINENTAL,   /* mouse strokes: slashed 0, crossed 7, long-flag 1, open 4, hooked 9 */
  WRITER_FONT,          /* Kristi: strongly slanted script */
  WRITER_BUBBLE,        /* mouse strokes drawn as hollow outlines */
} Writer;

static const char *const writer_names[] = { NULL, "continental", "kristi", "bubble" };

typedef struct {
  GRand *rand;
  Writer writer;
  GPtrArray *families;      /* available handwriting families (char *) */
  PangoFontMap *font_map;
  PangoContext *context;
} Generator;

/* ---- randomness ---- */

static double
uniform (GRand *r, double lo, double hi)
{
  return g_rand_double_range (r, lo, hi);
}

static double
normal (GRand *r, double sigma)
{
  /* Box–Muller, from GRand so that the seed alone decides. */
  double u = g_rand_double_range (r, 1e-12, 1.0);
  double v = g_rand_double (r);

  return sigma * sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static gboolean
chance (GRand *r, double p)
{
  return g_rand_double (r) < p;
}

/* ---- fonts ---- */

static gboolean
font_usable (Generator *gen, const char *family)
{
  PangoFontDescription *desc = pango_font_description_from_string (family);
  PangoFont *font;
  PangoFontDescription *got;
  gboolean ok;

  pango_font_description_set_absolute_size (desc, REF_SIZE * PANGO_SCALE);
  font = pango_font_map_load_font (gen->font_map, gen->context, desc);
  if (font == NULL)
    {
      pango_font_description_free (desc);
      return FALSE;
    }
  /* fontconfig substitutes silently: make sure it is the family asked for, with digits */
  got = pango_font_describe (font);
  ok = g_ascii_strcasecmp (pango_font_description_get_family (got), family) == 0;
  for (gunichar c = '0'; ok && c <= '9'; c++)
    ok = pango_font_has_char (font, c);
  pango_font_description_free (got);
  pango_font_description_free (desc);
  g_object_unref (font);
  return ok;
}

static PangoLayout *
make_layout (Generator *gen, const char *family, int digit, PangoRectangle *ink)
{
  PangoLayout *layout = pango_layout_new (gen->context);
  PangoFontDescription *desc = pango_font_description_from_string (family);
  char text[2] = { (char) ('0' + digit), 0 };

  pango_font_description_set_absolute_size (desc, REF_SIZE * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, ink, NULL);
  pango_font_description_free (desc);
  return layout;
}

/* ---- digit skeletons for the synthetic strokes ----
 *
 * Each digit is a few strokes (pen lifts); a stroke is smooth pieces joined at corners.
 * Coordinates in a box about 0.7 wide and 1 tall, y down. */

typedef struct {
  GPtrArray *strokes;   /* of GPtrArray of GArray of Pt (pieces) */
} Skeleton;

static GArray *
piece_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (Pt));
}

static void
skeleton_lift (Skeleton *s)
{
  g_ptr_array_add (s->strokes, g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref));
}

static GArray *
skeleton_piece (Skeleton *s)
{
  GPtrArray *stroke;
  GArray *piece = piece_new ();

  if (s->strokes->len == 0)
    skeleton_lift (s);
  stroke = g_ptr_array_index (s->strokes, s->strokes->len - 1);
  g_ptr_array_add (stroke, piece);
  return piece;
}

/* A smooth piece through the given points: "x,y x,y ...". */
static void
skeleton_add (Skeleton *s, const char *spec)
{
  GArray *piece = skeleton_piece (s);
  g_auto(GStrv) items = g_strsplit (spec, " ", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      Pt p;

      if (sscanf (items[i], "%lf,%lf", &p.x, &p.y) == 2)
        g_array_append_val (piece, p);
    }
}

/* An ellipse from angle a0 (radians, 0 = right, y down so π/2 = bottom), going the way
 * of sweep (2π ± a little: a drawn "0" overshoots or falls short). */
static void
skeleton_ellipse (Skeleton *s, double cx, double cy, double rx, double ry, double a0,
                  double sweep)
{
  GArray *piece = skeleton_piece (s);
  int n = 12;

  for (int i = 0; i <= n; i++)
    {
      double a = a0 + sweep * i / n;
      Pt p = { cx + rx * cos (a), cy + ry * sin (a) };
      g_array_append_val (piece, p);
    }
}

/* The continental writer's own forms, or FALSE for a digit written like anyone's. */
static gboolean
skeleton_continental (Skeleton *s, int digit, GRand *r)
{
  switch (digit)
    {
    case 0:   /* slashed, so it is never an O */
      skeleton_ellipse (s, 0.35, 0.5, uniform (r, 0.24, 0.3), 0.5, -G_PI / 2, -2 * G_PI);
      skeleton_lift (s);
      skeleton_add (s, "0.62,0.08 0.08,0.92");
      return TRUE;
    case 1:   /* a flag as long as half the stem, no foot */
      skeleton_add (s, "0.0,0.45 0.2,0.22 0.4,0");
      skeleton_add (s, "0.4,0 0.4,1");
      return TRUE;
    case 4:   /* open at the top */
      skeleton_add (s, "0.1,0 0.02,0.62");
      skeleton_add (s, "0.02,0.62 0.74,0.62");
      skeleton_lift (s);
      skeleton_add (s, "0.55,0.2 0.55,1");
      return TRUE;
    case 7:   /* crossed, with a small hook at the start */
      skeleton_add (s, "0,0.12 0.05,0 0.68,0");
      skeleton_add (s, "0.68,0 0.3,1");
      skeleton_lift (s);
      skeleton_add (s, "0.2,0.52 0.66,0.48");
      return TRUE;
    case 9:   /* a round head on a curled tail */
      skeleton_ellipse (s, 0.35, 0.27, 0.28, 0.27, 0, -2 * G_PI);
      skeleton_lift (s);
      skeleton_add (s, "0.63,0.27 0.6,0.75 0.45,0.97 0.2,0.92");
      return TRUE;
    default:
      return FALSE;
    }
}

static void
skeleton_build (Skeleton *s, int digit, GRand *r, Writer writer)
{
  double over = uniform (r, -0.25, 0.35);
  double dir = chance (r, 0.8) ? -1.0 : 1.0;   /* most people draw a 0 anticlockwise */

  s->strokes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  if (writer == WRITER_CONTINENTAL && skeleton_continental (s, digit, r))
    return;

  switch (digit)
    {
    case 0:
      skeleton_ellipse (s, 0.35, 0.5, uniform (r, 0.24, 0.34), 0.5, -G_PI / 2,
                        dir * (2 * G_PI + over));
      break;
    case 1:
      switch (g_rand_int_range (r, 0, 3))
        {
        case 0:
          skeleton_add (s, "0.38,0 0.36,1");
          break;
        case 1:
          skeleton_add (s, "0.14,0.22 0.38,0");
          skeleton_add (s, "0.38,0 0.38,1");
          break;
        default:
          skeleton_add (s, "0.14,0.22 0.38,0");
          skeleton_add (s, "0.38,0 0.38,1");
          skeleton_lift (s);
          skeleton_add (s, "0.12,1 0.64,1");
          break;
        }
      break;
    case 2:
      skeleton_add (s, "0.05,0.25 0.18,0.05 0.38,0 0.58,0.08 0.62,0.28 0.5,0.5 0.25,0.75 "
                       "0.03,1");
      if (chance (r, 0.5))
        skeleton_add (s, "0.03,1 0.7,1");
      else
        skeleton_add (s, "0.03,1 0.18,0.9 0.3,0.93 0.5,1 0.7,0.97");
      break;
    case 3:
      if (chance (r, 0.75))
        {
          skeleton_add (s, "0.06,0.12 0.3,0 0.55,0.07 0.62,0.24 0.5,0.42 0.28,0.48");
          skeleton_add (s, "0.28,0.48 0.52,0.55 0.66,0.74 0.56,0.93 0.32,1 0.05,0.9");
        }
      else
        {
          skeleton_add (s, "0.05,0 0.62,0");
          skeleton_add (s, "0.62,0 0.3,0.4");
          skeleton_add (s, "0.3,0.4 0.55,0.47 0.66,0.7 0.56,0.92 0.3,1 0.04,0.9");
        }
      break;
    case 4:
      if (chance (r, 0.5))
        {
          skeleton_add (s, "0.5,0 0.02,0.68");
          skeleton_add (s, "0.02,0.68 0.72,0.68");
          skeleton_lift (s);
          skeleton_add (s, "0.52,0.02 0.52,1");
        }
      else
        {
          skeleton_add (s, "0.12,0 0.05,0.6");
          skeleton_add (s, "0.05,0.6 0.72,0.6");
          skeleton_lift (s);
          skeleton_add (s, "0.5,0.05 0.5,1");
        }
      break;
    case 5:
      if (chance (r, 0.5))
        {
          skeleton_add (s, "0.62,0 0.12,0");
          skeleton_add (s, "0.12,0 0.08,0.45");
          skeleton_add (s, "0.08,0.45 0.35,0.37 0.58,0.47 0.66,0.68 0.57,0.9 0.32,1 0.04,0.9");
        }
      else
        {
          skeleton_add (s, "0.12,0 0.08,0.45");
          skeleton_add (s, "0.08,0.45 0.35,0.37 0.58,0.47 0.66,0.68 0.57,0.9 0.32,1 0.04,0.9");
          skeleton_lift (s);
          skeleton_add (s, "0.12,0 0.62,0.02");
        }
      break;
    case 6:
      skeleton_add (s, "0.55,0 0.3,0.14 0.12,0.42 0.06,0.7 0.15,0.92 0.36,1 0.56,0.92 "
                       "0.63,0.72 0.52,0.55 0.3,0.52 0.1,0.64");
      break;
    case 7:
      switch (g_rand_int_range (r, 0, 3))
        {
        case 0:
          skeleton_add (s, "0,0 0.68,0");
          skeleton_add (s, "0.68,0 0.28,1");
          break;
        case 1:
          skeleton_add (s, "0,0 0.68,0");
          skeleton_add (s, "0.68,0 0.28,1");
          skeleton_lift (s);
          skeleton_add (s, "0.2,0.5 0.62,0.5");
          break;
        default:
          skeleton_add (s, "0,0.06 0.68,0");
          skeleton_add (s, "0.68,0 0.5,0.35 0.38,0.7 0.33,1");
          break;
        }
      break;
    case 8:
      if (chance (r, 0.6))
        skeleton_add (s, "0.6,0.12 0.35,0 0.1,0.12 0.13,0.32 0.35,0.47 0.6,0.63 0.65,0.85 "
                         "0.35,1 0.07,0.85 0.12,0.63 0.35,0.47 0.57,0.32 0.6,0.12");
      else
        {
          skeleton_ellipse (s, 0.35, 0.24, 0.22, 0.24, -G_PI / 2, dir * 2 * G_PI);
          skeleton_lift (s);
          skeleton_ellipse (s, 0.35, 0.73, 0.29, 0.27, -G_PI / 2, dir * 2 * G_PI);
        }
      break;
    case 9:
      skeleton_ellipse (s, 0.35, 0.27, 0.28, 0.27, 0, -(2 * G_PI + uniform (r, -0.2, 0.1)));
      skeleton_lift (s);
      if (chance (r, 0.6))
        skeleton_add (s, "0.63,0.22 0.6,1");
      else
        skeleton_add (s, "0.63,0.22 0.62,0.6 0.52,0.88 0.32,1");
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Catmull–Rom through a piece's points, densely. */
static void
smooth_piece (const GArray *ctl, GArray *out)
{
  const int steps = 10;
  guint n = ctl->len;

  if (n == 1)
    {
      g_array_append_val (out, g_array_index (ctl, Pt, 0));
      return;
    }
  for (guint i = 0; i + 1 < n; i++)
    {
      Pt p0 = g_array_index (ctl, Pt, i > 0 ? i - 1 : i);
      Pt p1 = g_array_index (ctl, Pt, i);
      Pt p2 = g_array_index (ctl, Pt, i + 1);
      Pt p3 = g_array_index (ctl, Pt, i + 2 < n ? i + 2 : i + 1);

      for (int k = (i == 0 ? 0 : 1); k <= steps; k++)
        {
          double t = (double) k / steps, t2 = t * t, t3 = t2 * t;
          Pt q = {
            0.5 * (2 * p1.x + (-p0.x + p2.x) * t + (2 * p0.x - 5 * p1.x + 4 * p2.x - p3.x) * t2
                   + (-p0.x + 3 * p1.x - 3 * p2.x + p3.x) * t3),
            0.5 * (2 * p1.y + (-p0.y + p2.y) * t + (2 * p0.y - 5 * p1.y + 4 * p2.y - p3.y) * t2
                   + (-p0.y + 3 * p1.y - 3 * p2.y + p3.y) * t3),
          };
          g_array_append_val (out, q);
        }
    }
}

/* A drawn digit: the skeleton's points jittered, its pieces smoothed and joined into one
 * polyline per pen-down, then a slow wobble added as a hand on a mouse does. */
static GPtrArray *
draw_skeleton (int digit, GRand *r, Writer writer)
{
  Skeleton s;
  GPtrArray *polys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  double jitter = uniform (r, 0.01, 0.035);

  skeleton_build (&s, digit, r, writer);
  for (guint i = 0; i < s.strokes->len; i++)
    {
      GPtrArray *stroke = g_ptr_array_index (s.strokes, i);
      GArray *poly = g_array_new (FALSE, FALSE, sizeof (Pt));
      Pt carry = { 0, 0 }, wobble = { 0, 0 };
      gboolean have_carry = FALSE;

      for (guint j = 0; j < stroke->len; j++)
        {
          GArray *ctl = g_array_copy (g_ptr_array_index (stroke, j));
          GArray *dense = g_array_new (FALSE, FALSE, sizeof (Pt));

          /* A corner is shared by two pieces: it must move as one point. */
          for (guint k = 0; k < ctl->len; k++)
            {
              Pt *p = &g_array_index (ctl, Pt, k);

              if (k == 0 && have_carry)
                *p = carry;
              else
                {
                  p->x += normal (r, jitter);
                  p->y += normal (r, jitter);
                }
            }
          carry = g_array_index (ctl, Pt, ctl->len - 1);
          have_carry = TRUE;
          smooth_piece (ctl, dense);
          g_array_append_vals (poly, dense->data, dense->len);
          g_array_unref (dense);
          g_array_unref (ctl);
        }

      for (guint k = 0; k < poly->len; k++)
        {
          Pt *p = &g_array_index (poly, Pt, k);

          wobble.x = 0.85 * wobble.x + normal (r, 0.002);
          wobble.y = 0.85 * wobble.y + normal (r, 0.002);
          p->x += wobble.x;
          p->y += wobble.y;
        }
      g_ptr_array_add (polys, poly);
    }
  g_ptr_array_unref (s.strokes);
  return polys;
}

/* ---- marks ---- */

static double
random_bold (GRand *r)
{
  return chance (r, 0.4) ? uniform (r, 0.01, 0.07) : 0.0;
}

/* From a fine pen to a marker; MNIST's is about 0.15. */
static double
random_pen (GRand *r)
{
  return uniform (r, 0.07, 0.22);
}

static void
mark_clear (Mark *m)
{
  g_clear_object (&m->layout);
  g_clear_pointer (&m->polys, g_ptr_array_unref);
}

/* A font-rendered digit, made bolder by stroking its outline with bold × its height
 * (negative: at random, 40% of the time). */
static void
mark_font (Generator *gen, Mark *m, int digit, const char *family, double bold)
{
  memset (m, 0, sizeof *m);
  m->kind = MARK_FONT;
  m->digit = digit;
  m->family = family;
  m->layout = make_layout (gen, family, digit, &m->ink);
  m->bold = bold >= 0 ? bold : random_bold (gen->rand);
  m->width = (double) m->ink.width / MAX (m->ink.height, 1);
}

/* A synthetic drawn digit with a pen of that fraction of its height (negative: at random),
 * normalised to height 1. */
static void
mark_strokes (Generator *gen, Mark *m, int digit, double pen)
{
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE, h;

  memset (m, 0, sizeof *m);
  m->kind = MARK_STROKES;
  m->digit = digit;
  m->polys = draw_skeleton (digit, gen->rand, gen->writer);
  m->hollow = gen->writer == WRITER_BUBBLE;
  m->pen = pen > 0 ? pen : random_pen (gen->rand);

  for (guint i = 0; i < m->polys->len; i++)
    {
      GArray *poly = g_ptr_array_index (m->polys, i);

      for (guint k = 0; k < poly->len; k++)
        {
          Pt p = g_array_index (poly, Pt, k);
          x0 = MIN (x0, p.x);
          y0 = MIN (y0, p.y);
          x1 = MAX (x1, p.x);
          y1 = MAX (y1, p.y);
        }
    }
  /* Scale so the skeleton plus the pen spans height 1 from y = 0. */
  h = (y1 - y0) + m->pen * (y1 - y0);
  for (guint i = 0; i < m->polys->len; i++)
    {
      GArray *poly = g_ptr_array_index (m->polys, i);

      for (guint k = 0; k < poly->len; k++)
        {
          Pt *p = &g_array_index (poly, Pt, k);
          p->x = (p->x - x0) / h + m->pen * (y1 - y0) / (2 * h);
          p->y = (p->y - y0) / h + m->pen * (y1 - y0) / (2 * h);
        }
    }
  m->pen = m->pen * (y1 - y0) / h;
  m->width = (x1 - x0) / h + m->pen;
}

/* Draws a mark through matrix (unit box → image pixels). Stroke points are written to
 * strokes (image pixels) when not NULL. */
static void
mark_draw (const Mark *m, cairo_t *cr, const cairo_matrix_t *matrix, double height_px,
           GString *strokes)
{
  if (m->kind == MARK_FONT)
    {
      double k = 1.0 / MAX (m->ink.height, 1);

      cairo_save (cr);
      cairo_transform (cr, matrix);
      cairo_scale (cr, k, k);
      cairo_translate (cr, -m->ink.x, -m->ink.y);
      cairo_new_path (cr);
      cairo_move_to (cr, 0, 0);   /* layouts are drawn from the current point */
      pango_cairo_update_layout (cr, m->layout);
      if (m->bold > 0)
        {
          pango_cairo_layout_path (cr, m->layout);
          cairo_fill_preserve (cr);
          cairo_set_line_width (cr, m->bold * m->ink.height);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_stroke (cr);
        }
      else
        pango_cairo_show_layout (cr, m->layout);
      cairo_restore (cr);
      return;
    }

  cairo_save (cr);
  cairo_new_path (cr);
  cairo_set_line_width (cr, m->pen * height_px);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < m->polys->len; i++)
    {
      GArray *poly = g_ptr_array_index (m->polys, i);

      if (strokes != NULL && i > 0)
        g_string_append_c (strokes, ';');
      for (guint k = 0; k < poly->len; k++)
        {
          Pt p = g_array_index (poly, Pt, k);

          cairo_matrix_transform_point (matrix, &p.x, &p.y);
          if (k == 0)
            cairo_move_to (cr, p.x, p.y);
          cairo_line_to (cr, p.x, p.y);
          if (strokes != NULL)
            g_string_append_printf (strokes, "%s%.1f,%.1f", k ? " " : "", p.x, p.y);
        }
    }
  if (m->hollow)
    {
      /* Bubble writing: the stroke's outline only, its inside the (white) paper again. */
      cairo_stroke_preserve (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_set_line_width (cr, m->pen * height_px * 0.6);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* The image-pixel box of a mark's unit box under matrix, with room for its pen. */
static void
mark_extents (const Mark *m, const cairo_matrix_t *matrix, double height_px,
              double *x0, double *y0, double *x1, double *y1)
{
  double corners[4][2] = { { 0, 0 }, { m->width, 0 }, { 0, 1 }, { m->width, 1 } };
  double pad = (m->bold + 0.02) * height_px;

  *x0 = *y0 = G_MAXDOUBLE;
  *x1 = *y1 = -G_MAXDOUBLE;
  for (int i = 0; i < 4; i++)
    {
      double x = corners[i][0], y = corners[i][1];

      cairo_matrix_transform_point (matrix, &x, &y);
      *x0 = MIN (*x0, x - pad);
      *y0 = MIN (*y0, y - pad);
      *x1 = MAX (*x1, x + pad);
      *y1 = MAX (*y1, y + pad);
    }
}

/* ---- colours and paper ---- */

typedef struct {
  double paper[3], ink[3];
  gboolean transparent;
} Colours;

static double
luma (const double *c)
{
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

static void
pick_colours (GRand *r, Colours *c)
{
  double roll = g_rand_double (r);

  c->transparent = FALSE;
  do
    {
      if (roll < 0.7)
        {
          /* paper: white, cream, grey; ink: black, blue, red, green, pencil */
          double base = uniform (r, 185, 255);
          static const double inks[][3] = {
            { 10, 10, 10 }, { 25, 35, 140 }, { 20, 60, 190 }, { 150, 20, 25 },
            { 20, 90, 40 }, { 80, 80, 85 },
          };
          int k = g_rand_int_range (r, 0, G_N_ELEMENTS (inks));

          c->paper[0] = MIN (255, base + uniform (r, -5, 10));
          c->paper[1] = MIN (255, base + uniform (r, -8, 5));
          c->paper[2] = MIN (255, base + uniform (r, -30, 5));
          for (int i = 0; i < 3; i++)
            c->ink[i] = CLAMP (inks[k][i] + uniform (r, -15, 15), 0, 255);
        }
      else if (roll < 0.9)
        {
          /* chalk on a board, white on black */
          double base = uniform (r, 0, 70);
          double chalk = uniform (r, 190, 255);

          c->paper[0] = base;
          c->paper[1] = base + uniform (r, 0, 25);
          c->paper[2] = base + uniform (r, 0, 10);
          for (int i = 0; i < 3; i++)
            c->ink[i] = CLAMP (chalk + uniform (r, -15, 0), 0, 255);
        }
      else
        {
          /* ink on nothing */
          c->transparent = TRUE;
          c->paper[0] = c->paper[1] = c->paper[2] = 0;
          for (int i = 0; i < 3; i++)
            c->ink[i] = uniform (r, 0, 255);
          return;
        }
    }
  while (fabs (luma (c->paper) - luma (c->ink)) < 90);
}

/* Sensor noise and light falling off across the page, on an RGB24 surface. */
static void
age_paper (GRand *r, cairo_surface_t *surface)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint8 *data;
  double sigma = chance (r, 0.4) ? uniform (r, 2, 12) : 0.0;
  double light = chance (r, 0.3) ? uniform (r, 0.15, 0.4) : 0.0;
  double angle = uniform (r, 0, 2 * G_PI);
  double dx = cos (angle), dy = sin (angle);

  if (sigma == 0 && light == 0)
    return;
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 *px = (guint32 *) (data + (gsize) y * stride) + x;
        double t = ((x - w / 2.0) * dx + (y - h / 2.0) * dy) / MAX (w, h) + 0.5;
        double gain = 1.0 - light * t;
        guint32 out = 0xff000000u;

        for (int ch = 0; ch < 3; ch++)
          {
            double v = ((*px >> (8 * ch)) & 0xff) * gain + (sigma > 0 ? normal (r, sigma) : 0);
            out |= (guint32) CLAMP (lround (v), 0, 255) << (8 * ch);
          }
        *px = out;
      }
  cairo_surface_mark_dirty (surface);
}

/* ---- one image ---- */

/* Lays out marks left to right at height height_px, each slanted and turned a little,
 * with random margins, and writes the PNG. */
static gboolean
render_image (Generator *gen, Mark *marks, int n, double height_px, const char *path,
              GString *strokes, GError **error)
{
  GRand *r = gen->rand;
  g_autofree cairo_matrix_t *mats = g_new (cairo_matrix_t, n);
  g_autofree double *heights = g_new (double, n);
  double bx0 = G_MAXDOUBLE, by0 = G_MAXDOUBLE, bx1 = -G_MAXDOUBLE, by1 = -G_MAXDOUBLE;
  double cursor = 0;
  double slant = uniform (r, -0.3, 0.15);
  int width, height;
  Colours colours;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  for (int i = 0; i < n; i++)
    {
      double h = heights[i] = height_px * (n > 1 ? uniform (r, 0.9, 1.1) : 1.0);
      double aspect = uniform (r, 0.8, 1.2);
      double rotate = uniform (r, -8, 8) * G_PI / 180;
      double x0, y0, x1, y1;
      cairo_matrix_t scale, shear, turn;

      cairo_matrix_init_scale (&scale, h * aspect, h);
      cairo_matrix_init (&shear, 1, 0, slant + uniform (r, -0.05, 0.05), 1, 0, 0);
      cairo_matrix_init_rotate (&turn, rotate);
      /* unit box → scaled → sheared about its foot → turned */
      cairo_matrix_multiply (&mats[i], &scale, &shear);
      cairo_matrix_multiply (&mats[i], &mats[i], &turn);

      mark_extents (&marks[i], &mats[i], h, &x0, &y0, &x1, &y1);
      /* next to the previous one, with a gap */
      mats[i].x0 += cursor - x0;
      mats[i].y0 += uniform (r, -0.06, 0.06) * height_px - y0;
      mark_extents (&marks[i], &mats[i], h, &x0, &y0, &x1, &y1);
      cursor = x1 + uniform (r, 0.12, 0.45) * height_px;
      bx0 = MIN (bx0, x0);
      by0 = MIN (by0, y0);
      bx1 = MAX (bx1, x1);
      by1 = MAX (by1, y1);
    }

  {
    double left = uniform (r, 0.08, 1.2) * height_px, right = uniform (r, 0.08, 1.2) * height_px;
    double top = uniform (r, 0.08, 0.8) * height_px, bottom = uniform (r, 0.08, 0.8) * height_px;

    width = (int) ceil (bx1 - bx0 + left + right);
    height = (int) ceil (by1 - by0 + top + bottom);
    for (int i = 0; i < n; i++)
      {
        mats[i].x0 += left - bx0;
        mats[i].y0 += top - by0;
      }
  }

  if (gen->writer != WRITER_NONE)
    colours = (Colours) { { 255, 255, 255 }, { 0, 0, 0 }, FALSE };   /* the canvas */
  else
    pick_colours (r, &colours);
  surface = cairo_image_surface_create (colours.transparent ? CAIRO_FORMAT_ARGB32
                                                            : CAIRO_FORMAT_RGB24,
                                        width, height);
  cr = cairo_create (surface);
  if (!colours.transparent)
    {
      cairo_set_source_rgb (cr, colours.paper[0] / 255, colours.paper[1] / 255,
                            colours.paper[2] / 255);
      cairo_paint (cr);
    }
  cairo_set_source_rgb (cr, colours.ink[0] / 255, colours.ink[1] / 255, colours.ink[2] / 255);
  for (int i = 0; i < n; i++)
    mark_draw (&marks[i], cr, &mats[i], heights[i], n == 1 ? strokes : NULL);
  cairo_destroy (cr);
  if (!colours.transparent && gen->writer == WRITER_NONE)
    age_paper (r, surface);

  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* ---- the set ---- */

/* Digit heights from 20 to 360 px, evenly on a log scale: thumbnails to phone photos. */
static double
pick_height (GRand *r)
{
  return exp (uniform (r, log (20.0), log (360.0)));
}

static const char *
pick_family (Generator *gen)
{
  return g_ptr_array_index (gen->families, g_rand_int_range (gen->rand, 0, gen->families->len));
}

static gboolean
write_set (Generator *gen, const char *dir, int n_fonts, int n_strokes, int n_numbers,
           GError **error)
{
  g_autoptr(GString) labels = g_string_new ("file\tdigits\tkind\tsource\n");
  g_autoptr(GString) strokes = g_string_new ("");
  g_autofree char *labels_path = g_build_filename (dir, "labels.tsv", NULL);
  g_autofree char *strokes_path = g_build_filename (dir, "strokes.tsv", NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }

  for (int i = 0; i < n_fonts; i++)
    {
      g_autofree char *name = g_strdup_printf ("font-%04d.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      Mark m;

      mark_font (gen, &m, i % 10, pick_family (gen), -1);
      if (!render_image (gen, &m, 1, pick_height (gen->rand), path, NULL, error))
        return FALSE;
      g_string_append_printf (labels, "%s\t%d\tfont\t%s\n", name, m.digit, m.family);
      mark_clear (&m);
    }

  for (int i = 0; i < n_strokes; i++)
    {
      g_autofree char *name = g_strdup_printf ("strokes-%04d.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GString) points = g_string_new ("");
      Mark m;

      mark_strokes (gen, &m, i % 10, -1);
      if (!render_image (gen, &m, 1, pick_height (gen->rand), path, points, error))
        return FALSE;
      g_string_append_printf (labels, "%s\t%d\tstrokes\tpen %.3f\n", name, m.digit, m.pen);
      g_string_append_printf (strokes, "%s\t%d\t%s\n", name, m.digit, points->str);
      mark_clear (&m);
    }

  for (int i = 0; i < n_numbers; i++)
    {
      g_autofree char *name = g_strdup_printf ("number-%04d.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      int len = g_rand_int_range (gen->rand, 2, 6);
      Mark marks[5];
      char digits[6] = { 0 };
      gboolean drawn = chance (gen->rand, 0.4);
      const char *family = pick_family (gen);
      double pen = random_pen (gen->rand), bold = random_bold (gen->rand);

      /* one writer: the same hand and pen for every digit of the number */
      for (int k = 0; k < len; k++)
        {
          int d = g_rand_int_range (gen->rand, 0, 10);

          if (drawn)
            mark_strokes (gen, &marks[k], d, pen);
          else
            mark_font (gen, &marks[k], d, family, bold);
          digits[k] = (char) ('0' + d);
        }
      if (!render_image (gen, marks, len, pick_height (gen->rand), path, NULL, error))
        return FALSE;
      g_string_append_printf (labels, "%s\t%s\tnumber\t%s\n", name, digits,
                              drawn ? "strokes" : family);
      for (int k = 0; k < len; k++)
        mark_clear (&marks[k]);
    }

  return g_file_set_contents (labels_path, labels->str, labels->len, error)
         && g_file_set_contents (strokes_path, strokes->str, strokes->len, error);
}

/* One writer's digits in the my-digits layout: DIR/teach/<d>/NNNN.png (n_teach a digit) and
 * DIR/unseen/<d>/NNNN.png (n_unseen a digit), drawn at canvas sizes. */
static gboolean
write_writer (Generator *gen, const char *dir, int n_teach, int n_unseen, GError **error)
{
  const char *parts[] = { "teach", "unseen" };
  const int counts[] = { n_teach, n_unseen };

  for (int part = 0; part < 2; part++)
    for (int d = 0; d < 10; d++)
      {
        g_autofree char *class_dir = g_strdup_printf ("%s/%s/%d", dir, parts[part], d);

        if (g_mkdir_with_parents (class_dir, 0755) != 0)
          {
            g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s",
                         class_dir, g_strerror (errno));
            return FALSE;
          }
        for (int i = 0; i < counts[part]; i++)
          {
            g_autofree char *path = g_strdup_printf ("%s/%04d.png", class_dir, i + 1);
            double height = exp (uniform (gen->rand, log (80.0), log (240.0)));
            Mark m;

            if (gen->writer == WRITER_FONT)
              mark_font (gen, &m, d, "Kristi", 0);
            else
              mark_strokes (gen, &m, d, gen->writer == WRITER_BUBBLE
                                        ? uniform (gen->rand, 0.2, 0.28)
                                        : uniform (gen->rand, 0.08, 0.16));
            if (!render_image (gen, &m, 1, height, path, NULL, error))
              return FALSE;
            mark_clear (&m);
          }
      }
  return TRUE;
}

/* Every available font's ten digits (and a row of drawn ones), black on white. */
static gboolean
write_sheet (Generator *gen, const char *path, GError **error)
{
  const int cell = 64, rows = gen->families->len + 2, label = 160;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                         label + cell * 10, cell * rows);
  PangoLayout *name = pango_layout_new (gen->context);
  PangoFontDescription *sans = pango_font_description_from_string ("Sans 11");
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  pango_layout_set_font_description (name, sans);
  for (int row = 0; row < rows; row++)
    {
      cairo_new_path (cr);
      cairo_move_to (cr, 8, row * cell + cell / 2 - 8);
      pango_layout_set_text (name, row < (int) gen->families->len
                             ? g_ptr_array_index (gen->families, row) : "(drawn strokes)", -1);
      pango_cairo_show_layout (cr, name);
    }
  for (int row = 0; row < rows; row++)
    for (int d = 0; d < 10; d++)
      {
        Mark m;
        cairo_matrix_t mat;
        double h = cell * 0.7;

        if (row < (int) gen->families->len)
          mark_font (gen, &m, d, g_ptr_array_index (gen->families, row), 0);
        else
          mark_strokes (gen, &m, d, row == rows - 1 ? 0.2 : 0.1);
        cairo_matrix_init (&mat, h, 0, 0, h, label + d * cell + (cell - m.width * h) / 2,
                           row * cell + cell * 0.15);
        mark_draw (&m, cr, &mat, h, NULL);
        mark_clear (&m);
      }
  cairo_destroy (cr);
  pango_font_description_free (sans);
  g_object_unref (name);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *out = NULL;
  g_autofree char *sheet = NULL;
  int n_fonts = 1000, n_strokes = 1000, n_numbers = 200;
  gint64 seed = 1;
  gboolean list = FALSE;
  g_autofree char *writer = NULL;
  int n_teach = 10, n_unseen = 20;
  GOptionEntry entries[] = {
    { "writer", 0, 0, G_OPTION_ARG_STRING, &writer,
      "One writer's digits (continental, kristi or bubble) in DIR/teach and DIR/unseen",
      "NAME" },
    { "teach", 0, 0, G_OPTION_ARG_INT, &n_teach, "Writer: digits a class to teach (10)", "N" },
    { "unseen", 0, 0, G_OPTION_ARG_INT, &n_unseen, "Writer: digits a class to test (20)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the set into DIR", "DIR" },
    { "fonts", 0, 0, G_OPTION_ARG_INT, &n_fonts, "Single digits from fonts (1000)", "N" },
    { "strokes", 0, 0, G_OPTION_ARG_INT, &n_strokes, "Single drawn digits (1000)", "N" },
    { "numbers", 0, 0, G_OPTION_ARG_INT, &n_numbers, "Images of 2-5 digits (200)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (1)", "S" },
    { "sheet", 0, 0, G_OPTION_ARG_FILENAME, &sheet, "Write a contact sheet of the fonts",
      "FILE" },
    { "list-fonts", 0, 0, G_OPTION_ARG_NONE, &list, "List the fonts and their packages", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- make a handwriting test set");
  g_autoptr(GError) error = NULL;
  cairo_font_options_t *options;
  Generator gen = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (out == NULL && sheet == NULL && !list)
    {
      g_printerr ("Give --out DIR, --sheet FILE or --list-fonts\n");
      return 2;
    }
  if (writer != NULL)
    {
      for (guint i = 1; i < G_N_ELEMENTS (writer_names); i++)
        if (g_str_equal (writer, writer_names[i]))
          gen.writer = (Writer) i;
      if (gen.writer == WRITER_NONE || out == NULL)
        {
          g_printerr ("--writer takes continental, kristi or bubble, with --out DIR\n");
          return 2;
        }
    }
  if (n_fonts < 0 || n_strokes < 0 || n_numbers < 0 || n_teach < 0 || n_unseen < 0)
    {
      g_printerr ("Counts must not be negative\n");
      return 2;
    }

  gen.rand = g_rand_new_with_seed_array ((const guint32[]) { (guint32) seed,
                                                             (guint32) (seed >> 32) }, 2);
  gen.font_map = pango_cairo_font_map_new ();
  gen.context = pango_font_map_create_context (gen.font_map);
  /* Unhinted outlines: the same shapes at every size, and no snapping to the pixel grid
   * that a scaled digit would not have. */
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (gen.context, options);
  cairo_font_options_destroy (options);

  gen.families = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (candidate_fonts); i++)
    {
      gboolean ok = font_usable (&gen, candidate_fonts[i].family);

      if (list)
        g_print ("%-16s %-24s %s\n", candidate_fonts[i].family, candidate_fonts[i].package,
                 ok ? "installed" : "missing");
      if (ok)
        g_ptr_array_add (gen.families, (gpointer) candidate_fonts[i].family);
      else if (!list)
        g_printerr ("note: font “%s” (%s) is not installed; skipped\n",
                    candidate_fonts[i].family, candidate_fonts[i].package);
    }
  if (gen.writer == WRITER_NONE && gen.families->len == 0
      && (n_fonts > 0 || (n_numbers > 0 && out != NULL) || sheet))
    {
      g_printerr ("No handwriting font is installed (apt-get install fonts-breip ...)\n");
      return 1;
    }

  if (sheet != NULL && !write_sheet (&gen, sheet, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (gen.writer == WRITER_FONT && !font_usable (&gen, "Kristi"))
    {
      g_printerr ("The kristi writer needs the font Kristi (apt-get install fonts-kristi)\n");
      return 1;
    }
  if (gen.writer != WRITER_NONE)
    {
      if (!write_writer (&gen, out, n_teach, n_unseen, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  else if (out != NULL && !write_set (&gen, out, n_fonts, n_strokes, n_numbers, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_ptr_array_unref (gen.families);
  g_object_unref (gen.context);
  g_object_unref (gen.font_map);
  g_rand_free (gen.rand);
  return 0;
}

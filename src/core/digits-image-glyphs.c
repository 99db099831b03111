/* digits-image-glyphs.c — coverage → marks → digits → one glyph per digit.
 *
 * pixels → grey → coverage → [components → glyphs] → 28×28 (see digits-image-private.h).
 * digits_image_find_glyphs runs the rest of the flow on the working-size grey image from
 * digits-image.c: ink coverage (digits-image-ink.c) → 8-connected components with
 * hysteresis → specks dropped, the pieces of one digit merged (belong_together) → the
 * digits numbered → each cut out with its own marks only, its strokes brought to MNIST's
 * thickness (digits-image-stroke.c) and made 28×28 by digits_preprocess_ink, left to right.
 */
#include "config.h"

#include "digits-preprocess.h"
#include "digits-image-private.h"
#include "digits-dataset.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* An image is read as a number, not a page: more than this many marks is not a digit. */
#define MAX_GLYPHS 64

/* Components kept for merging; the rest of a noisy photo's specks are dropped by size. */
#define MAX_COMPONENTS 1024

/* Components grow from pixels of at least this coverage through pixels of at least
 * MASK_WEAK (hysteresis), so a hairline joining two thick strokes keeps them one mark. */
#define MASK_COVERAGE 0.35f
#define MASK_WEAK 0.12f

/* Below this size (a fraction of the image's longer side) a mark is dust, not a digit. */
#define MIN_MARK_FRACTION 0.025

typedef struct {
  int x0, y0, x1, y1;   /* inclusive box */
  double mass;          /* Σ coverage */
  int group;            /* union-find parent, then the glyph's index */
  gboolean dropped;
} Component;

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

  thick = digits_image_normalize_thickness (crop, cw, ch, &tw, &th);
  return digits_preprocess_ink (thick, tw, th, tw, glyph->input);
}

/* grey: w × h levels 0..255, consumed. scale maps working pixels back to the caller's. */
GArray *
digits_image_find_glyphs (float *grey, int w, int h, double scale_x, double scale_y,
                          int orig_w, int orig_h, GError **error)
{
  g_autofree float *cov = grey;
  g_autofree int *labels = NULL;
  g_autofree int *digit_of = NULL;
  g_autoptr(GArray) comps = NULL;
  g_autoptr(GArray) glyphs = g_array_new (FALSE, TRUE, sizeof (DigitsGlyph));
  guint n_digits = 0;

  if (digits_image_grey_to_coverage (cov, w, h))
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
                           _("no digit was found in it"));
      return NULL;
    }
  g_array_sort (glyphs, compare_glyph_x);
  return g_steal_pointer (&glyphs);
}

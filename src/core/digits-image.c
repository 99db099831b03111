/* digits-image.c — image files, RGBA and grey pixels → one MNIST-style glyph per digit.
 *
 * The public entry points and the first step of the flow, pixels → grey: alpha composited
 * over the paper, each row narrowed to the working size as it arrives and then the rows
 * (GreyRows). The grey image goes to digits_image_find_glyphs (digits-image-glyphs.c), which
 * turns it into ink coverage (digits-image-ink.c), finds the marks and groups them into
 * digits, and brings each digit's strokes to MNIST's thickness (digits-image-stroke.c)
 * before digits_preprocess_ink makes its 28×28 input. digits-image-private.h maps the parts.
 */
#include "config.h"

#include "digits-preprocess.h"
#include "digits-image-file.h"
#include "digits-image-private.h"
#include "digits-dataset.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

static float
luma (const guint8 *p)
{
  /* Rec. 601 weights, on the sRGB values as stored, like most decoders' grey. */
  return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
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
  return digits_image_find_glyphs (grey, g->nw, g->nh, (double) g->width / g->nw,
                                   (double) g->height / g->nh, g->width, g->height, error);
}

gboolean
digits_image_check_size (int width, int height, GError **error)
{
  if ((guint64) width * (guint64) height > DIGITS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the image is too large (%d × %d pixels); Digits reads images of up to "
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
            hist[digits_image_bin_grey (luma (p))]++;
          }
      }
  transparent_paper = has_alpha && n_opaque * 2 < n_border;
  if (!transparent_paper && n_opaque > 0)
    paper = digits_image_find_percentile (hist, n_opaque, 0.5);

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

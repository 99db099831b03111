/* fuzz-pixels.c — Digits' own image pipeline (grey, polarity, background, components,
 * thickness, MNIST-style preprocessing) on pixels as a decoder hands them over, with
 * coverage guiding the fuzzer through it. Input: one flags byte (bit 0: alpha, bit 1:
 * grey, bits 2–4: each pixel repeated 1–8 times each way, so small inputs make large
 * images), two bytes of width (little-endian), then pixels; the height is what the
 * pixels fill.
 */
#include "config.h"

#include <string.h>

#include "digits-dataset.h"
#include "digits-preprocess.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) glyphs = NULL;
  g_autofree guint8 *pixels = NULL;
  gboolean alpha, grey;
  int channels, repeat, src_w, src_h, w, h, stride;

  if (size < 3)
    return 0;
  alpha = data[0] & 1;
  grey = (data[0] >> 1) & 1;
  repeat = 1 + ((data[0] >> 2) & 7);
  channels = grey ? 1 : alpha ? 4 : 3;
  src_w = data[1] | (data[2] << 8);
  data += 3;
  size -= 3;
  if (src_w == 0 || size < (size_t) src_w * channels)
    return 0;
  src_h = (int) (size / ((size_t) src_w * channels));
  w = src_w * repeat;
  h = src_h * repeat;
  /* Rows padded as decoders pad them, so the stride is honoured, not assumed. */
  stride = w * channels + 3;
  pixels = g_malloc ((gsize) stride * h);
  for (int y = 0; y < h; y++)
    {
      guint8 *row = pixels + (gsize) y * stride;

      for (int x = 0; x < w; x++)
        memcpy (row + (gsize) x * channels,
                data + ((gsize) (y / repeat) * src_w + x / repeat) * channels, channels);
      memset (row + (gsize) w * channels, 0xa5, 3);
    }

  if (grey)
    glyphs = digits_glyphs_from_grey (pixels, w, h, stride, &error);
  else
    glyphs = digits_glyphs_from_rgba (pixels, w, h, stride, alpha, &error);

  if (glyphs == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == DIGITS_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (glyphs->len, >, 0);
  for (guint i = 0; i < glyphs->len; i++)
    {
      const DigitsGlyph *g = &g_array_index (glyphs, DigitsGlyph, i);

      g_assert_cmpint (g->x, >=, 0);
      g_assert_cmpint (g->y, >=, 0);
      g_assert_cmpint (g->width, >, 0);
      g_assert_cmpint (g->height, >, 0);
      g_assert_cmpint (g->x + g->width, <=, w);
      g_assert_cmpint (g->y + g->height, <=, h);
      for (int p = 0; p < DIGITS_PIXELS; p++)
        g_assert_true (g->input[p] >= 0.0f && g->input[p] <= 1.0f);
    }
  return 0;
}

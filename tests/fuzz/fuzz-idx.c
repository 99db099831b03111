/* fuzz-idx.c — the IDX reader on any bytes: as an image file, as a label file, and once
 * more gzip-compressed (so the fuzzer explores IDX content behind the gzip path as well
 * as broken gzip streams). It must return a data set or a DIGITS_ERROR, nothing else.
 */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "fuzz.h"

/* Big enough for a few real images, small enough to keep each run fast. */
#define MAX_GZIP_INPUT (64u * 1024u)

static GBytes *good_images;
static GBytes *good_labels;

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* One 28×28 image and its label: the partner of each fuzzed file. */
  static guint8 images[16 + 784];
  static guint8 labels[8 + 1];

  put_be32 (images, 0x803);
  put_be32 (images + 4, 1);
  put_be32 (images + 8, 28);
  put_be32 (images + 12, 28);
  memset (images + 16, 0x80, 784);
  put_be32 (labels, 0x801);
  put_be32 (labels + 4, 1);
  labels[8] = 7;
  good_images = g_bytes_new_static (images, sizeof images);
  good_labels = g_bytes_new_static (labels, sizeof labels);
  return 0;
}

static void
check (GBytes *images, GBytes *labels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) set = digits_dataset_load_idx_bytes (images, "images", labels,
                                                                "labels", &error);

  if (set == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == DIGITS_ERROR);
      g_assert_true (strstr (error->message, "images") != NULL
                     || strstr (error->message, "labels") != NULL);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (set->n, >, 0);
  g_assert_cmpuint (set->rows, >, 0);
  g_assert_cmpuint (set->cols, >, 0);
  for (guint i = 0; i < set->n; i++)
    g_assert_cmpuint (set->labels[i], <, set->n_classes);
  /* Every pixel is really there: reading the last one must be valid. */
  g_assert_cmpuint (set->images[(gsize) set->n * set->rows * set->cols - 1], <=, 255);
}

static GBytes *
gzip (const uint8_t *data, size_t size)
{
  z_stream z = { 0 };
  g_autofree guint8 *out = NULL;
  gsize cap = compressBound ((uLong) size) + 64;
  int ret;

  out = g_malloc (cap);
  g_assert_cmpint (deflateInit2 (&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                 Z_DEFAULT_STRATEGY), ==, Z_OK);
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) size;
  z.next_out = out;
  z.avail_out = (uInt) cap;
  ret = deflate (&z, Z_FINISH);
  g_assert_cmpint (ret, ==, Z_STREAM_END);
  cap = z.total_out;
  deflateEnd (&z);
  return g_bytes_new_take (g_steal_pointer (&out), cap);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);

  check (bytes, good_labels);
  check (good_images, bytes);

  if (size <= MAX_GZIP_INPUT && !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b))
    {
      g_autoptr(GBytes) packed = gzip (data, size);

      check (packed, good_labels);
      check (good_images, packed);
    }
  return 0;
}

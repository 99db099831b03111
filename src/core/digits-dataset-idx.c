/* digits-dataset-idx.c — IDX files (MNIST and its relatives) checked and read.
 *
 * IDX files come from anywhere, so every number in a header is checked against
 * fixed bounds before it sizes anything, and the buffer for the pixels grows as
 * data really arrives: a small file that lies about its length never costs more
 * memory than it holds (and never more than DIGITS_IDX_MAX_BYTES in any case).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-dataset-private.h"

/* The pixel buffer starts this big and grows as the data arrives. */
#define FIRST_ALLOC  ((gsize) 1u << 20)

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
read_header (IdxReader *r, guint8 *header, gsize header_len, guint32 magic, GError **error)
{
  gboolean images = magic == IDX_IMAGES_MAGIC;
  guint32 found;
  gsize got;

  if (!digits_idx_reader_read_all (r, header, header_len, &got, error))
    return FALSE;

  if (got == 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT, _("%s: the file is empty"), r->name);
      return FALSE;
    }
  /* The magic first, so that a foreign file short of a header is called foreign. A file
   * shorter than the magic is padded with the expected bytes: a true prefix of an IDX
   * file then passes on to "truncated", anything else does not. */
  if (got < 4)
    {
      guint8 expected[4] = { magic >> 24, (magic >> 16) & 0xff, (magic >> 8) & 0xff,
                             magic & 0xff };

      memcpy (expected, header, got);
      memcpy (header, expected, 4);
    }
  found = read_be32 (header);
  if (found != magic)
    {
      if (found == IDX_LABELS_MAGIC)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: this is an IDX label file, not an image file"), r->name);
      else if (found == IDX_IMAGES_MAGIC)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: this is an IDX image file, not a label file"), r->name);
      else if (got < 4)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     images ? _("%s: not an IDX image file (it is only %u bytes long)")
                            : _("%s: not an IDX label file (it is only %u bytes long)"),
                     r->name, (guint) got);
      else
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     images ? _("%s: not an IDX image file (it begins with 0x%08X, "
                                "expected 0x%08X)")
                            : _("%s: not an IDX label file (it begins with 0x%08X, "
                                "expected 0x%08X)"),
                     r->name, found, magic);
      return FALSE;
    }
  if (got < header_len)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: truncated: the file ends inside the IDX header (%u of %u bytes)"),
                   r->name, (guint) got, (guint) header_len);
      return FALSE;
    }
  return TRUE;
}

/* Reads exactly `expected` bytes of content into a buffer that grows as the data
 * arrives, so a lying header costs no more memory than the file really holds. */
static guint8 *
read_payload (IdxReader *r, gsize expected, gsize *got, GError **error)
{
  gsize cap = MIN (expected, FIRST_ALLOC);
  gsize len = 0;
  g_autofree guint8 *data = NULL;

  /* A regular raw file already passed the size check: its length is real. */
  if (r->size_known)
    cap = expected;

  data = g_try_malloc (MAX (cap, 1));
  if (data == NULL)
    goto oom;

  while (len < expected)
    {
      gsize n;

      if (len == cap)
        {
          gsize new_cap = cap > expected / 2 ? expected : cap * 2;
          guint8 *grown = g_try_realloc (data, new_cap);

          if (grown == NULL)
            goto oom;
          data = grown;
          cap = new_cap;
        }
      if (!digits_idx_reader_read_all (r, data + len, cap - len, &n, error))
        return NULL;
      if (n == 0)
        break;
      len += n;
    }

  *got = len;
  return g_steal_pointer (&data);

oom:
  {
    g_autofree char *size = g_format_size (expected);

    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                 _("%s: not enough memory for its %s of data"), r->name, size);
    return NULL;
  }
}

static char *
format_u64 (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

/* The header's count of images or labels: at least one, and not absurdly many. */
static gboolean
check_count (const char *path, guint32 n, gboolean images, GError **error)
{
  if (n > DIGITS_IDX_MAX_ITEMS)
    {
      if (images)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                     _("%s: the header claims %u images, more than the %u Digits accepts"),
                     path, n, DIGITS_IDX_MAX_ITEMS);
      else
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                     _("%s: the header claims %u labels, more than the %u Digits accepts"),
                     path, n, DIGITS_IDX_MAX_ITEMS);
      return FALSE;
    }
  if (n == 0)
    {
      if (images)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: the header says the file holds no images"), path);
      else
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: the header says the file holds no labels"), path);
      return FALSE;
    }
  return TRUE;
}

/* A raw file longer than its header says: n_extra bytes after the n items. */
static void
set_extra_error (GError **error, const char *path, guint64 n_extra, guint n, gboolean images)
{
  g_autofree char *extra = format_u64 (n_extra);
  gulong plural = (gulong) MIN (n_extra, G_MAXULONG);

  if (images)
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                 ngettext ("%s: %s unexpected byte after the %u images the header promises",
                           "%s: %s unexpected bytes after the %u images the header promises",
                           plural), path, extra, n);
  else
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                 ngettext ("%s: %s unexpected byte after the %u labels the header promises",
                           "%s: %s unexpected bytes after the %u labels the header promises",
                           plural), path, extra, n);
}

typedef struct {
  guint n, rows, cols;
  guint8 *data;
} IdxImages;

/* The images' sides and their total size: *bytes, when they are within bounds. */
static gboolean
check_image_size (const char *path, guint32 n, guint32 rows, guint32 cols, guint64 *bytes,
                  GError **error)
{
  if (rows == 0 || cols == 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: the header claims images of %u×%u pixels"), path, rows, cols);
      return FALSE;
    }
  if (rows > DIGITS_IDX_MAX_SIDE || cols > DIGITS_IDX_MAX_SIDE)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("%s: the header claims images of %u×%u pixels; "
                     "Digits accepts at most %u×%u"),
                   path, rows, cols, DIGITS_IDX_MAX_SIDE, DIGITS_IDX_MAX_SIDE);
      return FALSE;
    }

  /* At most 10^7 × 1024 × 1024: no overflow in 64 bits. */
  *bytes = (guint64) n * rows * cols;
  if (*bytes > DIGITS_IDX_MAX_BYTES)
    {
      g_autofree char *have = g_format_size_full (*bytes, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (DIGITS_IDX_MAX_BYTES,
                                                   G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("%s: the header claims %u images of %u×%u, %s of pixels; "
                     "Digits accepts at most %s"),
                   path, n, rows, cols, have, limit);
      return FALSE;
    }
  return TRUE;
}

static void
set_images_cut_error (GError **error, const char *path, guint n, guint rows, guint cols,
                      guint64 got, guint64 bytes)
{
  g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
               _("%s: truncated: the header promises %u images of %u×%u but the file "
                 "ends after %u bytes of pixel data (of %u)"),
               path, n, rows, cols, (guint) got, (guint) bytes);
}

static gboolean
load_images (const IdxSource *src, IdxImages *out, GError **error)
{
  const char *path = src->name;
  g_autoptr(IdxReader) r = digits_idx_reader_open (src, error);
  guint8 header[16];
  guint32 n, rows, cols;
  guint64 bytes = 0;
  gsize got = 0;
  g_autofree guint8 *data = NULL;

  if (r == NULL || !read_header (r, header, sizeof header, IDX_IMAGES_MAGIC, error))
    return FALSE;

  n = read_be32 (header + 4);
  rows = read_be32 (header + 8);
  cols = read_be32 (header + 12);

  if (!check_count (path, n, TRUE, error)
      || !check_image_size (path, n, rows, cols, &bytes, error))
    return FALSE;

  /* A raw file's length is known: judge it before allocating or reading anything. */
  if (r->size_known && r->file_size != sizeof header + bytes)
    {
      if (r->file_size < sizeof header + bytes)
        set_images_cut_error (error, path, n, rows, cols, r->file_size - sizeof header, bytes);
      else
        set_extra_error (error, path, r->file_size - sizeof header - bytes, n, TRUE);
      return FALSE;
    }

  data = read_payload (r, (gsize) bytes, &got, error);
  if (data == NULL)
    return FALSE;
  if (got < bytes)
    {
      set_images_cut_error (error, path, n, rows, cols, got, bytes);
      return FALSE;
    }
  if (!digits_idx_reader_check_end (r, TRUE, n, error))
    return FALSE;

  out->n = n;
  out->rows = rows;
  out->cols = cols;
  out->data = g_steal_pointer (&data);
  return TRUE;
}

static guint8 *
load_labels (const IdxSource *src, guint n_classes, guint *n_out, GError **error)
{
  const char *path = src->name;
  g_autoptr(IdxReader) r = digits_idx_reader_open (src, error);
  guint8 header[8];
  guint32 n;
  gsize got = 0;
  g_autofree guint8 *labels = NULL;

  if (r == NULL || !read_header (r, header, sizeof header, IDX_LABELS_MAGIC, error))
    return NULL;

  n = read_be32 (header + 4);
  if (!check_count (path, n, FALSE, error))
    return NULL;
  if (r->size_known && r->file_size != sizeof header + (guint64) n)
    {
      if (r->file_size < sizeof header + (guint64) n)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: truncated: the header promises %u labels but the file ends "
                       "after %u of them"),
                     path, n, (guint) (r->file_size - sizeof header));
      else
        set_extra_error (error, path, r->file_size - sizeof header - n, n, FALSE);
      return NULL;
    }

  labels = read_payload (r, n, &got, error);
  if (labels == NULL)
    return NULL;
  if (got < n)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: truncated: the header promises %u labels but the file ends "
                     "after %u of them"), path, n, (guint) got);
      return NULL;
    }
  if (!digits_idx_reader_check_end (r, FALSE, n, error))
    return NULL;

  for (guint i = 0; i < n; i++)
    if (labels[i] >= n_classes)
      {
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: item %u has label %u, but labels must be below %u"),
                     path, i, labels[i], n_classes);
        return NULL;
      }

  *n_out = n;
  return g_steal_pointer (&labels);
}

static DigitsDataset *
load_idx (const IdxSource *images_src, const IdxSource *labels_src, GError **error)
{
  IdxImages images = { 0 };
  g_autofree guint8 *labels = NULL;
  guint n_labels = 0;
  DigitsDataset *set;

  /* Labels first: they are small, so a mismatch costs no large read. */
  labels = load_labels (labels_src, IDX_N_CLASSES, &n_labels, error);
  if (labels == NULL)
    return NULL;
  if (!load_images (images_src, &images, error))
    return NULL;

  if (images.n != n_labels)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s holds %u images but %s holds %u labels; there must be one label "
                     "per image"),
                   images_src->name, images.n, labels_src->name, n_labels);
      g_free (images.data);
      return NULL;
    }

  set = g_new0 (DigitsDataset, 1);
  set->n = images.n;
  set->rows = images.rows;
  set->cols = images.cols;
  set->images = images.data;
  set->labels = g_steal_pointer (&labels);
  set->n_classes = IDX_N_CLASSES;
  return set;
}

DigitsDataset *
digits_dataset_load_idx (const char *images_path,
                         const char *labels_path,
                         GError    **error)
{
  IdxSource images = { images_path, images_path, NULL };
  IdxSource labels = { labels_path, labels_path, NULL };

  g_return_val_if_fail (images_path != NULL, NULL);
  g_return_val_if_fail (labels_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_idx (&images, &labels, error);
}

DigitsDataset *
digits_dataset_load_idx_bytes (GBytes     *images_bytes,
                               const char *images_name,
                               GBytes     *labels_bytes,
                               const char *labels_name,
                               GError    **error)
{
  IdxSource images = { images_name, NULL, images_bytes };
  IdxSource labels = { labels_name, NULL, labels_bytes };

  g_return_val_if_fail (images_bytes != NULL && images_name != NULL, NULL);
  g_return_val_if_fail (labels_bytes != NULL && labels_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_idx (&images, &labels, error);
}

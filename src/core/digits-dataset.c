/* digits-dataset.c — IDX data sets (MNIST and its relatives) held as bytes.
 *
 * IDX files come from anywhere, so every number in a header is checked against
 * fixed bounds before it sizes anything, and the buffer for the pixels grows as
 * data really arrives: a small file that lies about its length never costs more
 * memory than it holds (and never more than DIGITS_IDX_MAX_BYTES in any case).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <zlib.h>

#include "digits-dataset.h"

G_DEFINE_QUARK (digits-error-quark, digits_error)

#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_N_CLASSES    10u

/* Compressed input is read this much at a time; the pixel buffer starts this big. */
#define READ_CHUNK   (256u * 1024u)
#define FIRST_ALLOC  ((gsize) 1u << 20)

typedef struct {
  const char *name;          /* for messages: the path as the caller gave it */
  GInputStream *in;
  gboolean gz;
  gboolean z_ready;          /* inflateInit2 succeeded, inflateEnd owed */
  gboolean member_done;      /* inflate reached the end of a gzip member */
  gboolean in_eof;
  z_stream z;
  guint8 *buf;               /* READ_CHUNK bytes of file content */
  gsize pending_pos;         /* raw mode: bytes of buf not yet handed out */
  gsize pending_len;
  gboolean size_known;       /* a regular file: its size tells truncation up front */
  guint64 file_size;
} IdxReader;

static void
idx_reader_free (IdxReader *r)
{
  if (r->z_ready)
    inflateEnd (&r->z);
  g_clear_object (&r->in);
  g_free (r->buf);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdxReader, idx_reader_free)

static void
set_open_error (GError **error, const char *name, const GError *io_error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND, _("%s: no such file"), name);
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                 _("%s: is a folder, not a data file"), name);
  else
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                 _("%s: cannot be read: %s"), name, io_error->message);
}

static gssize
read_stream (IdxReader *r, guint8 *dst, gsize len, GError **error)
{
  g_autoptr(GError) local = NULL;
  gssize n = g_input_stream_read (r->in, dst, len, NULL, &local);

  if (n < 0)
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                 _("%s: cannot be read: %s"), r->name, local->message);
  return n;
}

/* Where an IDX file's bytes come from: a path, or bytes already in memory. */
typedef struct {
  const char *name;          /* for messages */
  const char *path;          /* or NULL */
  GBytes *bytes;             /* when path is NULL */
} IdxSource;

static IdxReader *
idx_reader_open (const IdxSource *src, GError **error)
{
  const char *path = src->name;
  g_autoptr(IdxReader) r = NULL;
  gssize n;

  r = g_new0 (IdxReader, 1);
  r->name = src->name;

  if (src->path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (src->path);
      g_autoptr(GError) local = NULL;
      g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &local);
      g_autoptr(GFileInfo) info = NULL;

      if (in == NULL)
        {
          set_open_error (error, path, local);
          return NULL;
        }
      info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                             G_FILE_ATTRIBUTE_STANDARD_TYPE, NULL, NULL);
      if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
        {
          r->size_known = TRUE;
          r->file_size = (guint64) g_file_info_get_size (info);
        }
      r->in = G_INPUT_STREAM (g_steal_pointer (&in));
    }
  else
    {
      r->in = g_memory_input_stream_new_from_bytes (src->bytes);
      r->size_known = TRUE;
      r->file_size = g_bytes_get_size (src->bytes);
    }
  r->buf = g_malloc (READ_CHUNK);

  /* Gzip or raw is told by content, not by name: a renamed file still reads. */
  n = read_stream (r, r->buf, READ_CHUNK, error);
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT, _("%s: the file is empty"), path);
      return NULL;
    }

  if (n >= 2 && r->buf[0] == 0x1f && r->buf[1] == 0x8b)
    {
      /* 16 + MAX_WBITS: gzip wrapper only, so its CRC-32 and length are checked. */
      if (inflateInit2 (&r->z, 16 + MAX_WBITS) != Z_OK)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("%s: cannot start decompressing: out of memory"), path);
          return NULL;
        }
      r->z_ready = TRUE;
      r->gz = TRUE;
      r->size_known = FALSE;   /* the compressed size says nothing of the content's */
      r->z.next_in = r->buf;
      r->z.avail_in = (uInt) n;
    }
  else
    {
      r->pending_pos = 0;
      r->pending_len = (gsize) n;
    }

  return g_steal_pointer (&r);
}

static gboolean
fill_compressed (IdxReader *r, GError **error)
{
  gssize n;

  if (r->z.avail_in > 0 || r->in_eof)
    return TRUE;
  n = read_stream (r, r->buf, READ_CHUNK, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    r->in_eof = TRUE;
  r->z.next_in = r->buf;
  r->z.avail_in = (uInt) n;
  return TRUE;
}

/* Reads up to len content bytes; fewer only at the end of the content. */
static gssize
idx_reader_read (IdxReader *r, guint8 *dst, gsize len, GError **error)
{
  gsize done = 0;

  len = MIN (len, (gsize) G_MAXSSIZE);

  if (!r->gz)
    {
      while (done < len)
        {
          gssize n;

          if (r->pending_pos < r->pending_len)
            {
              gsize take = MIN (len - done, r->pending_len - r->pending_pos);

              memcpy (dst + done, r->buf + r->pending_pos, take);
              r->pending_pos += take;
              done += take;
              continue;
            }
          if (r->in_eof)
            break;
          n = read_stream (r, dst + done, len - done, error);
          if (n < 0)
            return -1;
          if (n == 0)
            r->in_eof = TRUE;
          done += (gsize) n;
        }
      return (gssize) done;
    }

  while (done < len)
    {
      gsize want = MIN (len - done, (gsize) G_MAXUINT32);
      int ret;

      if (r->member_done)
        {
          /* gzip allows several members one after another; anything else is garbage. */
          if (!fill_compressed (r, error))
            return -1;
          if (r->z.avail_in == 0)
            break;
          if (r->z.next_in[0] != 0x1f)
            {
              g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("%s: unexpected bytes after the end of the compressed data"),
                           r->name);
              return -1;
            }
          inflateReset (&r->z);
          r->member_done = FALSE;
        }

      if (!fill_compressed (r, error))
        return -1;

      r->z.next_out = dst + done;
      r->z.avail_out = (uInt) want;
      ret = inflate (&r->z, Z_NO_FLUSH);
      done += want - r->z.avail_out;

      switch (ret)
        {
        case Z_OK:
          break;
        case Z_STREAM_END:
          r->member_done = TRUE;
          break;
        case Z_BUF_ERROR:
          /* No progress possible: only an input that ran out explains it here. */
          if (r->z.avail_in == 0 && r->in_eof)
            {
              g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("%s: truncated: the compressed data ends early"), r->name);
              return -1;
            }
          break;
        case Z_MEM_ERROR:
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("%s: out of memory while decompressing"), r->name);
          return -1;
        default:
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       _("%s: the compressed data is damaged (%s)"), r->name,
                       r->z.msg != NULL ? r->z.msg : _("unknown zlib error"));
          return -1;
        }
    }

  return (gssize) done;
}

static gboolean
idx_reader_read_all (IdxReader *r, guint8 *dst, gsize len, gsize *got, GError **error)
{
  gssize n = idx_reader_read (r, dst, len, error);

  if (n < 0)
    return FALSE;
  *got = (gsize) n;
  return TRUE;
}

/* After the promised content, the file must end: extra bytes mean the header lies. */
static gboolean
check_at_end (IdxReader *r, gboolean images, guint count, GError **error)
{
  guint8 extra;
  gsize got;

  if (!idx_reader_read_all (r, &extra, 1, &got, error))
    return FALSE;
  if (got == 0)
    return TRUE;

  if (images)
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                 _("%s: unexpected data after the %u images the header promises"),
                 r->name, count);
  else
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                 _("%s: unexpected data after the %u labels the header promises"),
                 r->name, count);
  return FALSE;
}

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

  if (!idx_reader_read_all (r, header, header_len, &got, error))
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
      if (!idx_reader_read_all (r, data + len, cap - len, &n, error))
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

typedef struct {
  guint n, rows, cols;
  guint8 *data;
} IdxImages;

static gboolean
load_images (const IdxSource *src, IdxImages *out, GError **error)
{
  const char *path = src->name;
  g_autoptr(IdxReader) r = idx_reader_open (src, error);
  guint8 header[16];
  guint32 n, rows, cols;
  guint64 bytes;
  gsize got = 0;
  g_autofree guint8 *data = NULL;

  if (r == NULL || !read_header (r, header, sizeof header, IDX_IMAGES_MAGIC, error))
    return FALSE;

  n = read_be32 (header + 4);
  rows = read_be32 (header + 8);
  cols = read_be32 (header + 12);

  if (n > DIGITS_IDX_MAX_ITEMS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("%s: the header claims %u images, more than the %u Digits accepts"),
                   path, n, DIGITS_IDX_MAX_ITEMS);
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: the header says the file holds no images"), path);
      return FALSE;
    }
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
  bytes = (guint64) n * rows * cols;
  if (bytes > DIGITS_IDX_MAX_BYTES)
    {
      g_autofree char *have = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (DIGITS_IDX_MAX_BYTES,
                                                   G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("%s: the header claims %u images of %u×%u, %s of pixels; "
                     "Digits accepts at most %s"),
                   path, n, rows, cols, have, limit);
      return FALSE;
    }

  /* A raw file's length is known: judge it before allocating or reading anything. */
  if (r->size_known && r->file_size != sizeof header + bytes)
    {
      if (r->file_size < sizeof header + bytes)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: truncated: the header promises %u images of %u×%u but the file "
                       "ends after %u bytes of pixel data (of %u)"),
                     path, n, rows, cols, (guint) (r->file_size - sizeof header),
                     (guint) bytes);
      else
        {
          guint64 n_extra = r->file_size - sizeof header - bytes;
          g_autofree char *extra = format_u64 (n_extra);

          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       ngettext ("%s: %s unexpected byte after the %u images the header "
                                 "promises",
                                 "%s: %s unexpected bytes after the %u images the header "
                                 "promises", (gulong) MIN (n_extra, G_MAXULONG)),
                       path, extra, n);
        }
      return FALSE;
    }

  data = read_payload (r, (gsize) bytes, &got, error);
  if (data == NULL)
    return FALSE;
  if (got < bytes)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: truncated: the header promises %u images of %u×%u but the file "
                     "ends after %u bytes of pixel data (of %u)"),
                   path, n, rows, cols, (guint) got, (guint) bytes);
      return FALSE;
    }
  if (!check_at_end (r, TRUE, n, error))
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
  g_autoptr(IdxReader) r = idx_reader_open (src, error);
  guint8 header[8];
  guint32 n;
  gsize got = 0;
  g_autofree guint8 *labels = NULL;

  if (r == NULL || !read_header (r, header, sizeof header, IDX_LABELS_MAGIC, error))
    return NULL;

  n = read_be32 (header + 4);
  if (n > DIGITS_IDX_MAX_ITEMS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("%s: the header claims %u labels, more than the %u Digits accepts"),
                   path, n, DIGITS_IDX_MAX_ITEMS);
      return NULL;
    }
  if (n == 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: the header says the file holds no labels"), path);
      return NULL;
    }
  if (r->size_known && r->file_size != sizeof header + (guint64) n)
    {
      if (r->file_size < sizeof header + (guint64) n)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("%s: truncated: the header promises %u labels but the file ends "
                       "after %u of them"),
                     path, n, (guint) (r->file_size - sizeof header));
      else
        {
          guint64 n_extra = r->file_size - sizeof header - n;
          g_autofree char *extra = format_u64 (n_extra);

          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       ngettext ("%s: %s unexpected byte after the %u labels the header "
                                 "promises",
                                 "%s: %s unexpected bytes after the %u labels the header "
                                 "promises", (gulong) MIN (n_extra, G_MAXULONG)),
                       path, extra, n);
        }
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
  if (!check_at_end (r, FALSE, n, error))
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

/* The standard name, raw or gzip-compressed (raw first: it reads faster). */
static char *
find_idx_file (const char *dir, const char *base)
{
  g_autofree char *raw = g_build_filename (dir, base, NULL);
  g_autofree char *gz = g_strconcat (raw, ".gz", NULL);

  if (g_file_test (raw, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&raw);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&gz);
  return NULL;
}

static gboolean
find_pair (const char *dir, const char *prefix, char **images, char **labels, GError **error)
{
  g_autofree char *images_base = g_strconcat (prefix, "-images-idx3-ubyte", NULL);
  g_autofree char *labels_base = g_strconcat (prefix, "-labels-idx1-ubyte", NULL);
  const char *missing = NULL;

  *images = find_idx_file (dir, images_base);
  *labels = find_idx_file (dir, labels_base);
  if (*images == NULL)
    missing = images_base;
  else if (*labels == NULL)
    missing = labels_base;
  if (missing == NULL)
    return TRUE;

  /* There, but a device, a pipe or a folder: say so, not that it is missing. */
  for (int gz = 0; gz < 2; gz++)
    {
      g_autofree char *name = g_strconcat (missing, gz ? ".gz" : "", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("%s: not an ordinary file (a folder, device or pipe); MNIST's files "
                         "must be ordinary files"), path);
          g_clear_pointer (images, g_free);
          g_clear_pointer (labels, g_free);
          return FALSE;
        }
    }

  g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
               _("%s: neither %s nor %s.gz is there (MNIST's four files belong in this folder)"),
               dir, missing, missing);
  g_clear_pointer (images, g_free);
  g_clear_pointer (labels, g_free);
  return FALSE;
}

gboolean
digits_dataset_load_mnist_dir (const char     *dir,
                               DigitsDataset **train,
                               DigitsDataset **test,
                               GError        **error)
{
  g_autofree char *train_images = NULL, *train_labels = NULL;
  g_autofree char *test_images = NULL, *test_labels = NULL;
  g_autoptr(DigitsDataset) train_set = NULL;
  g_autoptr(DigitsDataset) test_set = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                   _("%s: no such folder (it should hold MNIST's four files)"), dir);
      return FALSE;
    }

  /* Find all the wanted files before reading any: a missing one is reported at once. */
  if (train != NULL && !find_pair (dir, "train", &train_images, &train_labels, error))
    return FALSE;
  if (test != NULL && !find_pair (dir, "t10k", &test_images, &test_labels, error))
    return FALSE;

  if (train != NULL)
    {
      train_set = digits_dataset_load_idx (train_images, train_labels, error);
      if (train_set == NULL)
        return FALSE;
    }
  if (test != NULL)
    {
      test_set = digits_dataset_load_idx (test_images, test_labels, error);
      if (test_set == NULL)
        return FALSE;
    }

  /* A network takes one input size: the two halves must agree. */
  if (train_set != NULL && test_set != NULL &&
      (train_set->rows != test_set->rows || train_set->cols != test_set->cols))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s holds images of %u×%u but %s holds images of %u×%u; "
                     "they must be the same size"),
                   train_images, train_set->rows, train_set->cols,
                   test_images, test_set->rows, test_set->cols);
      return FALSE;
    }

  if (train != NULL)
    *train = g_steal_pointer (&train_set);
  if (test != NULL)
    *test = g_steal_pointer (&test_set);
  return TRUE;
}

DigitsDataset *
digits_dataset_new (guint n, guint rows, guint cols, guint n_classes)
{
  DigitsDataset *set;
  guint64 bytes = (guint64) n * rows * cols;

  g_return_val_if_fail (bytes <= G_MAXSIZE, NULL);
  g_return_val_if_fail (n_classes >= 1 && n_classes <= 256, NULL);

  set = g_new0 (DigitsDataset, 1);
  set->n = n;
  set->rows = rows;
  set->cols = cols;
  set->n_classes = n_classes;
  set->images = g_malloc0 ((gsize) bytes);
  set->labels = g_malloc0 (n);
  return set;
}

DigitsDataset *
digits_dataset_slice (const DigitsDataset *set, guint start, guint n)
{
  DigitsDataset *part;
  gsize item;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (start <= set->n && n <= set->n - start, NULL);

  part = digits_dataset_new (n, set->rows, set->cols, set->n_classes);
  item = (gsize) set->rows * set->cols;
  if (n > 0)
    {
      memcpy (part->images, set->images + (gsize) start * item, (gsize) n * item);
      memcpy (part->labels, set->labels + start, n);
    }
  return part;
}

void
digits_dataset_free (DigitsDataset *set)
{
  if (set == NULL)
    return;
  g_free (set->images);
  g_free (set->labels);
  g_free (set);
}

static gboolean
holds_mnist (const char *dir)
{
  static const char *const bases[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  };

  if (dir == NULL || *dir == '\0')
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *path = find_idx_file (dir, bases[i]);

      if (path == NULL)
        return FALSE;
    }
  return TRUE;
}

char *
digits_dataset_find_mnist (void)
{
  const char *env = g_getenv ("DIGITS_MNIST_DIR");
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "digits", "mnist", NULL);

  if (holds_mnist (env))
    return g_strdup (env);
  if (holds_mnist (user))
    return g_steal_pointer (&user);
  if (holds_mnist ("/usr/share/datasets/mnist"))
    return g_strdup ("/usr/share/datasets/mnist");
  return NULL;
}

/* digits-dataset-stream.c — the bytes of an IDX file, raw or gzip-compressed.
 *
 * A file or bytes in memory, read a chunk at a time and inflated when compressed; a
 * regular file's size tells truncation up front, and every stream error names the file.
 * The IDX headers and what they promise are checked in digits-dataset-idx.c.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-dataset-private.h"

/* Compressed input is read this much at a time. */
#define READ_CHUNK   (256u * 1024u)


void
digits_idx_reader_free (IdxReader *r)
{
  if (r->z_ready)
    inflateEnd (&r->z);
  g_clear_object (&r->in);
  g_free (r->buf);
  g_free (r);
}

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

IdxReader *
digits_idx_reader_open (const IdxSource *src, GError **error)
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

/* An uncompressed file: what the open call's sniffing read first, then the stream. */
static gssize
read_raw (IdxReader *r, guint8 *dst, gsize len, GError **error)
{
  gsize done = 0;

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

/* After a gzip member ends: 1 when another begins, 0 when the data ends, -1 with @error
 * set when something else follows. */
static int
start_next_member (IdxReader *r, GError **error)
{
  if (!fill_compressed (r, error))
    return -1;
  if (r->z.avail_in == 0)
    return 0;
  /* gzip allows several members one after another; anything else is garbage. */
  if (r->z.next_in[0] != 0x1f)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: unexpected bytes after the end of the compressed data"), r->name);
      return -1;
    }
  inflateReset (&r->z);
  r->member_done = FALSE;
  return 1;
}

/* What inflate's return says: TRUE to go on, FALSE with @error set. */
static gboolean
check_inflate (IdxReader *r, int ret, GError **error)
{
  switch (ret)
    {
    case Z_OK:
      return TRUE;
    case Z_STREAM_END:
      r->member_done = TRUE;
      return TRUE;
    case Z_BUF_ERROR:
      /* No progress possible: only an input that ran out explains it here. */
      if (r->z.avail_in == 0 && r->in_eof)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       _("%s: truncated: the compressed data ends early"), r->name);
          return FALSE;
        }
      return TRUE;
    case Z_MEM_ERROR:
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("%s: out of memory while decompressing"), r->name);
      return FALSE;
    default:
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s: the compressed data is damaged (%s)"), r->name,
                   r->z.msg != NULL ? r->z.msg : _("unknown zlib error"));
      return FALSE;
    }
}

/* Reads up to len content bytes; fewer only at the end of the content. */
static gssize
idx_reader_read (IdxReader *r, guint8 *dst, gsize len, GError **error)
{
  gsize done = 0;

  len = MIN (len, (gsize) G_MAXSSIZE);
  if (!r->gz)
    return read_raw (r, dst, len, error);

  while (done < len)
    {
      gsize want = MIN (len - done, (gsize) G_MAXUINT32);
      int ret;

      if (r->member_done)
        {
          int next = start_next_member (r, error);

          if (next < 0)
            return -1;
          if (next == 0)
            break;
        }
      if (!fill_compressed (r, error))
        return -1;

      r->z.next_out = dst + done;
      r->z.avail_out = (uInt) want;
      ret = inflate (&r->z, Z_NO_FLUSH);
      done += want - r->z.avail_out;
      if (!check_inflate (r, ret, error))
        return -1;
    }

  return (gssize) done;
}

gboolean
digits_idx_reader_read_all (IdxReader *r, guint8 *dst, gsize len, gsize *got, GError **error)
{
  gssize n = idx_reader_read (r, dst, len, error);

  if (n < 0)
    return FALSE;
  *got = (gsize) n;
  return TRUE;
}

/* After the promised content, the file must end: extra bytes mean the header lies. */
gboolean
digits_idx_reader_check_end (IdxReader *r, gboolean images, guint count, GError **error)
{
  guint8 extra;
  gsize got;

  if (!digits_idx_reader_read_all (r, &extra, 1, &got, error))
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

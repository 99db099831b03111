/* digits-dataset-private.h — what the parts of the data set reader share; not installed.
 *
 *   digits-dataset.c         data sets made, sliced and freed; MNIST's files found;
 *   digits-dataset-idx.c     IDX headers checked, images and labels read into a data set;
 *   digits-dataset-stream.c  a file's (or memory's) bytes, raw or gzip-inflated.
 */
#pragma once

#include <gio/gio.h>
#include <zlib.h>

#include "digits-dataset.h"

G_BEGIN_DECLS

#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_N_CLASSES    10u

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

/* Where an IDX file's bytes come from: a path, or bytes already in memory. */
typedef struct {
  const char *name;          /* for messages */
  const char *path;          /* or NULL */
  GBytes *bytes;             /* when path is NULL */
} IdxSource;

IdxReader *digits_idx_reader_open      (const IdxSource *src, GError **error);
void       digits_idx_reader_free      (IdxReader *r);

/* Reads up to len bytes, fewer only at the end of the content; *got says how many. */
gboolean   digits_idx_reader_read_all  (IdxReader *r, guint8 *dst, gsize len, gsize *got,
                                        GError **error);

/* After the promised count of images (or labels), the file must end: extra bytes mean
 * the header lies. */
gboolean   digits_idx_reader_check_end (IdxReader *r, gboolean images, guint count,
                                        GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdxReader, digits_idx_reader_free)

G_END_DECLS

/* test-robustness.c — every kind of bad input Digits is known to meet, and what it says.
 *
 * Each case writes one bad data set, model or image file, opens it the way the programs
 * do, and checks the answer: the right DIGITS_ERROR code, a message that names the file
 * and says what is wrong (how long it took is printed, not asserted), while the peak resident
 * memory grows by no more than the case's bound (measured by resetting the kernel's
 * high-water mark, /proc/self/clear_refs, before the call). README.md's "Bad input"
 * table is this list: `test-robustness --markdown` prints it.
 *
 * The /robustness/limits/ cases run digits-cli itself on the four headline limits (a
 * header that lies, a 30,000 × 30,000 PNG, a 2 GB file, a billion parameters) and measure
 * the whole process's peak memory with wait4().
 */
#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-preprocess.h"
#include "test-util.h"


#define MiB (1024u * 1024u)
#define TWO_GB ((goffset) 2 * 1024 * 1024 * 1024)

/* The peak memory a refusal may add, unless a case says otherwise. */
#define DEFAULT_GROWTH (8u * MiB)

static char *tmp_dir;

typedef enum {
  KIND_DATASET,
  KIND_MODEL,
  KIND_IMAGE,
} Kind;

/* What a case writes: the files to open (a data set is read from a folder holding
 * MNIST's four files, a model and an image from their path). */
typedef struct {
  char *dir;
  char *model;
  char *image;
} Files;

typedef struct {
  const char *name;            /* test path below /robustness/ */
  Kind kind;
  const char *what;            /* README: the bad input */
  void (*make) (Files *f);
  int code;                    /* DigitsError */
  const char *says;            /* the message holds this */
  guint64 max_growth;          /* 0: DEFAULT_GROWTH */
} Case;

/* ---- writing files ---- */

static char *
case_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
write_file (const char *path, const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, &error));
  g_assert_no_error (error);
}

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

/* An IDX image file: `n` images of rows × cols actually present, `promised` in the header. */
static GByteArray *
idx_images (guint n, guint rows, guint cols, guint promised)
{
  GByteArray *out = g_byte_array_new ();

  g_byte_array_set_size (out, 16 + n * rows * cols);
  test_put_be32 (out->data, 0x803);
  test_put_be32 (out->data + 4, promised);
  test_put_be32 (out->data + 8, rows);
  test_put_be32 (out->data + 12, cols);
  for (guint i = 0; i < n * rows * cols; i++)
    out->data[16 + i] = (guint8) (i * 7);
  return out;
}

static GByteArray *
idx_labels (guint n, guint promised)
{
  GByteArray *out = g_byte_array_new ();

  g_byte_array_set_size (out, 8 + n);
  test_put_be32 (out->data, 0x801);
  test_put_be32 (out->data + 4, promised);
  for (guint i = 0; i < n; i++)
    out->data[8 + i] = (guint8) (i % 10);
  return out;
}

static void
write_idx (Files *f, const char *base, GByteArray *bytes, gboolean gz)
{
  g_autofree char *name = g_strconcat (base, gz ? ".gz" : "", NULL);
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  if (gz)
    {
      g_autoptr(GByteArray) packed = test_gzip_bytes (bytes->data, bytes->len);

      write_file (path, packed->data, packed->len);
    }
  else
    write_file (path, bytes->data, bytes->len);
}

/* A folder with a good MNIST-shaped test half (12 digits) unless a case replaces one. */
static void
mnist_dir (Files *f, GByteArray *images, gboolean images_gz, GByteArray *labels,
           gboolean labels_gz)
{
  g_autoptr(GByteArray) good_images = idx_images (12, 28, 28, 12);
  g_autoptr(GByteArray) good_labels = idx_labels (12, 12);

  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0755), ==, 0);
  write_idx (f, "t10k-images-idx3-ubyte", images ? images : good_images, images_gz);
  write_idx (f, "t10k-labels-idx1-ubyte", labels ? labels : good_labels, labels_gz);
}

static GByteArray *
model_bytes (void)
{
  NnNet *net = nn_net_new ((const int[]) { 784, 16, 10 }, 3);
  g_autoptr(DigitsModel) model = NULL;
  g_autoptr(GBytes) bytes = NULL;

  nn_net_init_he (net, 3);
  model = digits_model_new (net, DIGITS_LABELS_DIGITS);
  digits_model_set_meta (model, "dataset", "test");
  bytes = digits_model_serialize (model);
  return g_bytes_unref_to_array (g_steal_pointer (&bytes));
}

static void
fix_crc (GByteArray *file)
{
  test_put_le32 (file->data + file->len - 4,
                 (guint32) crc32 (crc32 (0, Z_NULL, 0), file->data, file->len - 4));
}

/* Offsets in a 784-16-10 model file (see digits-model.h). */
enum {
  OFF_VERSION = 8,
  OFF_HEADER_LEN = 12,
  OFF_PREPROCESS = 16,
  OFF_N_LAYERS = 28,
  OFF_SIZE0 = 32,
  OFF_SIZE1 = 36,
  OFF_LABEL_SET = 52,
  OFF_META = 60,
};

static guint8 *
n_params_field (GByteArray *file)
{
  return file->data + 16 + get_le32 (file->data + OFF_HEADER_LEN) - 8;
}

static void
write_model (Files *f, GByteArray *file)
{
  f->model = g_build_filename (f->dir, "digits.model", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0755), ==, 0);
  write_file (f->model, file->data, file->len);
}

static void
set_image (Files *f, const char *name)
{
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0755), ==, 0);
  f->image = g_build_filename (f->dir, name, NULL);
}

/* A PNG with the header's size as given and image data that is only a stub. */
static GByteArray *
png_header (guint32 width, guint32 height)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *out = g_byte_array_new ();
  guint8 ihdr[25], idat[12 + 8], iend[12];

  g_byte_array_append (out, signature, 8);
  test_put_be32 (ihdr, 13);
  memcpy (ihdr + 4, "IHDR", 4);
  test_put_be32 (ihdr + 8, width);
  test_put_be32 (ihdr + 12, height);
  ihdr[16] = 8;                  /* bit depth */
  ihdr[17] = 2;                  /* RGB */
  ihdr[18] = ihdr[19] = ihdr[20] = 0;
  test_put_be32 (ihdr + 21, (guint32) crc32 (0, ihdr + 4, 17));
  g_byte_array_append (out, ihdr, sizeof ihdr);
  /* A zlib stream of a few zero bytes: far too little for the rows promised. */
  test_put_be32 (idat, 8);
  memcpy (idat + 4, "IDAT", 4);
  memcpy (idat + 8, "\x78\x9c\x63\x00\x00\x00\x01\x00", 8);
  test_put_be32 (idat + 16, (guint32) crc32 (0, idat + 4, 12));
  g_byte_array_append (out, idat, sizeof idat);
  test_put_be32 (iend, 0);
  memcpy (iend + 4, "IEND", 4);
  test_put_be32 (iend + 8, (guint32) crc32 (0, iend + 4, 4));
  g_byte_array_append (out, iend, sizeof iend);
  return out;
}

static GByteArray *
good_png (gboolean with_digit)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 60, 40);
  g_autoptr(GError) error = NULL;
  gchar *buffer = NULL;
  gsize len = 0;
  GByteArray *out;

  gdk_pixbuf_fill (pixbuf, 0xf0f0f0ff);
  if (with_digit)
    {
      g_autoptr(GdkPixbuf) bar = gdk_pixbuf_new_subpixbuf (pixbuf, 26, 6, 6, 28);

      gdk_pixbuf_fill (bar, 0x101010ff);
    }
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &len, "png", &error, NULL));
  g_assert_no_error (error);
  out = g_byte_array_new_take ((guint8 *) buffer, len);
  return out;
}

static void
sparse_2gb (const char *path, const guint8 *head, gsize len)
{
  write_file (path, head, len);
  g_assert_cmpint (truncate (path, TWO_GB), ==, 0);
}

/* ---- data sets ---- */

static void
make_dataset_empty (Files *f)
{
  g_autoptr(GByteArray) nothing = g_byte_array_new ();

  mnist_dir (f, nothing, FALSE, NULL, FALSE);
}

static void
make_dataset_text (Files *f)
{
  g_autoptr(GByteArray) text = g_byte_array_new ();

  g_byte_array_append (text, (const guint8 *) "<html>404 Not Found</html>\n", 27);
  mnist_dir (f, text, FALSE, NULL, FALSE);
}

static void
make_dataset_swapped (Files *f)
{
  g_autoptr(GByteArray) labels = idx_labels (12, 12);

  mnist_dir (f, labels, FALSE, NULL, FALSE);
}

static void
make_dataset_short_header (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (0, 28, 28, 12);

  g_byte_array_set_size (images, 10);
  mnist_dir (f, images, FALSE, NULL, FALSE);
}

static void
make_dataset_no_items (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (0, 28, 28, 0);

  mnist_dir (f, images, FALSE, NULL, FALSE);
}

static void
make_dataset_zero_side (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 0, 28, 12);

  mnist_dir (f, images, FALSE, NULL, FALSE);
}

static void
make_dataset_huge_side (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (0, 28, 0xffffffffu, 12);

  mnist_dir (f, images, FALSE, NULL, FALSE);
}

static void
make_dataset_huge_count (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (0, 28, 28, 0x80000000u);

  mnist_dir (f, images, TRUE, NULL, FALSE);
}

static void
make_dataset_huge_total (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (0, 28, 28, 2000000u);   /* 1.5 GB */

  mnist_dir (f, images, FALSE, NULL, FALSE);
}

/* 1,000,000 labels are real (1 MB); the images' header promises 750 MB, under the
 * bound, but the gzip stream holds twelve. */
static void
make_dataset_lie_gz (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 1000000u);
  g_autoptr(GByteArray) labels = idx_labels (1000000u, 1000000u);

  mnist_dir (f, images, TRUE, labels, TRUE);
}

static void
make_dataset_lie_raw (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 1000000u);
  g_autoptr(GByteArray) labels = idx_labels (1000000u, 1000000u);

  mnist_dir (f, images, FALSE, labels, TRUE);
}

static void
make_dataset_truncated (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 12);

  g_byte_array_set_size (images, images->len - 100);
  mnist_dir (f, images, FALSE, NULL, FALSE);
}

static void
make_dataset_trailing (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 12);

  g_byte_array_append (images, (const guint8 *) "\n", 1);
  mnist_dir (f, images, FALSE, NULL, FALSE);
}

static void
make_dataset_gz_cut (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 12);
  g_autoptr(GByteArray) packed = test_gzip_bytes (images->data, images->len);

  g_byte_array_set_size (packed, packed->len / 2);
  mnist_dir (f, packed, FALSE, NULL, FALSE);
}

static void
make_dataset_gz_crc (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 12);
  g_autoptr(GByteArray) packed = test_gzip_bytes (images->data, images->len);

  packed->data[packed->len - 6] ^= 0x10;
  mnist_dir (f, packed, FALSE, NULL, FALSE);
}

static void
make_dataset_gz_garbage (Files *f)
{
  g_autoptr(GByteArray) images = idx_images (12, 28, 28, 12);
  g_autoptr(GByteArray) packed = test_gzip_bytes (images->data, images->len);

  g_byte_array_append (packed, (const guint8 *) "\0\0\0\0trailer", 11);
  mnist_dir (f, packed, FALSE, NULL, FALSE);
}

static void
make_dataset_bad_label (Files *f)
{
  g_autoptr(GByteArray) labels = idx_labels (12, 12);

  labels->data[8 + 4] = 200;
  mnist_dir (f, NULL, FALSE, labels, FALSE);
}

static void
make_dataset_count_mismatch (Files *f)
{
  g_autoptr(GByteArray) labels = idx_labels (11, 11);

  mnist_dir (f, NULL, FALSE, labels, FALSE);
}

static void
make_dataset_missing_file (Files *f)
{
  g_autofree char *labels = g_build_filename (f->dir, "t10k-labels-idx1-ubyte", NULL);

  mnist_dir (f, NULL, FALSE, NULL, FALSE);
  g_assert_cmpint (g_remove (labels), ==, 0);
}

static void
make_dataset_missing_dir (Files *f)
{
  /* The folder is never made. */
}

static void
make_dataset_folder (Files *f)
{
  g_autofree char *images = g_build_filename (f->dir, "t10k-images-idx3-ubyte", NULL);

  mnist_dir (f, NULL, FALSE, NULL, FALSE);
  g_assert_cmpint (g_remove (images), ==, 0);
  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);
}

/* 2 GB of images (sparse: no disk used) behind a header that promises 10,000. */
static void
make_dataset_2gb (Files *f)
{
  g_autoptr(GByteArray) head = idx_images (0, 28, 28, 10000);
  g_autofree char *images = g_build_filename (f->dir, "t10k-images-idx3-ubyte", NULL);

  mnist_dir (f, NULL, FALSE, NULL, FALSE);
  sparse_2gb (images, head->data, head->len);
}

/* A file that never ends: reading must stop at once. */
static void
make_dataset_endless (Files *f)
{
  g_autofree char *images = g_build_filename (f->dir, "t10k-images-idx3-ubyte", NULL);

  mnist_dir (f, NULL, FALSE, NULL, FALSE);
  g_assert_cmpint (g_remove (images), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", images), ==, 0);
}

/* ---- models ---- */

static void
make_model_empty (Files *f)
{
  g_autoptr(GByteArray) nothing = g_byte_array_new ();

  write_model (f, nothing);
}

static void
make_model_png (Files *f)
{
  g_autoptr(GByteArray) png = good_png (TRUE);

  write_model (f, png);
}

static void
make_model_cut_header (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  g_byte_array_set_size (file, 30);
  write_model (f, file);
}

static void
make_model_cut_params (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  g_byte_array_set_size (file, file->len / 2);
  write_model (f, file);
}

static void
make_model_trailing (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  g_byte_array_append (file, (const guint8 *) "\n", 1);
  write_model (f, file);
}

static void
make_model_newer (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_VERSION, DIGITS_MODEL_VERSION + 1);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_version0 (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_VERSION, 0);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_bit_flip (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  file->data[file->len / 2] ^= 0x04;
  write_model (f, file);
}

static void
make_model_billion (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();
  guint8 *n_params = n_params_field (file);

  test_put_le32 (n_params, 1000000000u);
  test_put_le32 (n_params + 4, 0);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_huge_header (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_HEADER_LEN, 0xfffffff0u);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_params_mismatch (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_SIZE1, 17);   /* 784-17-10 needs other counts */
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_layers (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_N_LAYERS, 200);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_wide (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_SIZE1, 1000000);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_input (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_SIZE0, 1024);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_preprocess (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_PREPROCESS, 9);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_label_set (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  test_put_le32 (file->data + OFF_LABEL_SET, 5);
  fix_crc (file);
  write_model (f, file);
}

static void
make_model_utf8 (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  g_assert_cmpmem (file->data + OFF_META, 8, "dataset=", 8);
  file->data[OFF_META + 9] = 0xc3;   /* a lead byte and no continuation */
  fix_crc (file);
  write_model (f, file);
}

static void
set_param (GByteArray *file, guint index, float v)
{
  guint32 bits;

  memcpy (&bits, &v, sizeof bits);
  test_put_le32 (n_params_field (file) + 8 + 4 * index, bits);
  fix_crc (file);
}

static void
make_model_nan (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  set_param (file, 100, NAN);
  write_model (f, file);
}

/* Finite, but so large that a forward pass would overflow to infinity (found by
 * fuzzing: the file loaded and every answer was NaN). */
static void
make_model_overflow (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  for (guint i = 0; i < 784 * 16; i += 97)
    set_param (file, i, 3e38f);
  write_model (f, file);
}

static void
make_model_missing (Files *f)
{
  f->model = g_build_filename (f->dir, "digits.model", NULL);
}

static void
make_model_folder (Files *f)
{
  f->model = g_build_filename (f->dir, "digits.model", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->model, 0755), ==, 0);
}

static void
make_model_2gb (Files *f)
{
  g_autoptr(GByteArray) file = model_bytes ();

  write_model (f, file);
  g_assert_cmpint (truncate (f->model, TWO_GB), ==, 0);
}

static gpointer
endless_writer (gpointer data)
{
  g_autofree char *path = data;
  static const guint8 zeros[65536];
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  if (write (fd, DIGITS_MODEL_MAGIC, 8) == 8)
    while (write (fd, zeros, sizeof zeros) > 0)
      ;
  close (fd);
  return NULL;
}

/* A stream that never ends is judged by its first bytes, not read to the bound. */
static void
make_model_endless (Files *f)
{
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0755), ==, 0);
  f->model = g_build_filename (f->dir, "digits.model", NULL);
  g_assert_cmpint (symlink ("/dev/zero", f->model), ==, 0);
}

/* The same with the right magic: cut off at the largest model file there can be. */
static void
make_model_endless_magic (Files *f)
{
  g_autofree char *fifo = NULL;

  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0755), ==, 0);
  f->model = g_build_filename (f->dir, "digits.model", NULL);
  g_assert_cmpint (mkfifo (f->model, 0600), ==, 0);
  /* A writer that sends the magic and then zeros until the reader goes away. */
  fifo = g_strdup (f->model);
  g_thread_unref (g_thread_new ("endless-writer", endless_writer, g_steal_pointer (&fifo)));
}

/* ---- images ---- */

static void
make_image_missing (Files *f)
{
  set_image (f, "photo.png");
}

static void
make_image_folder (Files *f)
{
  set_image (f, "photo.png");
  g_assert_cmpint (g_mkdir (f->image, 0755), ==, 0);
}

static void
make_image_empty (Files *f)
{
  set_image (f, "photo.png");
  write_file (f->image, (const guint8 *) "", 0);
}

static void
make_image_text (Files *f)
{
  set_image (f, "photo.jpg");
  write_file (f->image, (const guint8 *) "this is not a picture\n", 22);
}

static void
make_image_cut (Files *f)
{
  g_autoptr(GByteArray) png = good_png (TRUE);

  set_image (f, "photo.png");
  write_file (f->image, png->data, png->len / 2);
}

static void
make_image_bad_crc (Files *f)
{
  g_autoptr(GByteArray) png = good_png (TRUE);

  png->data[8 + 4 + 4 + 2] ^= 0x01;   /* the width, under IHDR's CRC */
  set_image (f, "photo.png");
  write_file (f->image, png->data, png->len);
}

static void
make_image_zero_size (Files *f)
{
  g_autoptr(GByteArray) png = png_header (0, 0);

  set_image (f, "photo.png");
  write_file (f->image, png->data, png->len);
}

static void
make_image_huge_png (Files *f)
{
  g_autoptr(GByteArray) png = png_header (30000, 30000);

  set_image (f, "huge.png");
  write_file (f->image, png->data, png->len);
}

/* At the 100-megapixel limit the header is accepted, and the stub image data fails. */
static void
make_image_stub_png (Files *f)
{
  g_autoptr(GByteArray) png = png_header (10000, 10000);

  set_image (f, "huge.png");
  write_file (f->image, png->data, png->len);
}

static void
make_image_huge_gif (Files *f)
{
  /* GIF89a, 65535 × 65535, a global palette of two colours, then nothing. */
  static const guint8 gif[] = {
    'G', 'I', 'F', '8', '9', 'a', 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff,
    0xff, ',', 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 2, 2, 0x44, 1, 0, ';',
  };

  set_image (f, "huge.gif");
  write_file (f->image, gif, sizeof gif);
}

static void
make_image_huge_svg (Files *f)
{
  const char *svg = "<svg xmlns='http://www.w3.org/2000/svg' width='200000' height='200000'>"
                    "<rect width='100%' height='100%' fill='white'/></svg>\n";

  set_image (f, "huge.svg");
  write_file (f->image, (const guint8 *) svg, strlen (svg));
}

static void
make_image_huge_bmp (Files *f)
{
  guint8 bmp[54] = { 'B', 'M' };

  test_put_le32 (bmp + 2, sizeof bmp);
  test_put_le32 (bmp + 10, sizeof bmp);
  test_put_le32 (bmp + 14, 40);
  test_put_le32 (bmp + 18, 0x7fffffff);  /* width */
  test_put_le32 (bmp + 22, 0x7fffffff);  /* height */
  bmp[26] = 1;                           /* planes */
  bmp[28] = 24;                          /* bits per pixel */
  set_image (f, "huge.bmp");
  write_file (f->image, bmp, sizeof bmp);
}

static void
make_image_2gb (Files *f)
{
  g_autoptr(GByteArray) png = png_header (64, 64);

  set_image (f, "huge.png");
  /* The header, then 2 GB of zeros where the next chunk belongs. */
  sparse_2gb (f->image, png->data, 8 + 25);
}

static void
make_image_endless (Files *f)
{
  set_image (f, "photo.png");
  g_assert_cmpint (symlink ("/dev/zero", f->image), ==, 0);
}

static void
make_image_blank (Files *f)
{
  g_autoptr(GByteArray) png = good_png (FALSE);

  set_image (f, "blank.png");
  write_file (f->image, png->data, png->len);
}

/* Salt and pepper everywhere: no mark is a digit. */
static void
make_image_noise (Files *f)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 400, 300);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < 300; y++)
    for (int x = 0; x < 400; x++)
      {
        guint8 v = g_rand_int_range (rand, 0, 100) < 3 ? 0 : 255;

        memset (pixels + (gsize) y * stride + x * 3, v, 3);
      }
  set_image (f, "noise.png");
  g_assert_true (gdk_pixbuf_save (pixbuf, f->image, "png", &error, NULL));
}

/* ---- the table ---- */

static const Case cases[] = {
  { "dataset/empty", KIND_DATASET, "an empty file",
    make_dataset_empty, DIGITS_ERROR_CORRUPT, "the file is empty" },
  { "dataset/not-idx", KIND_DATASET, "a web page saved under an IDX name",
    make_dataset_text, DIGITS_ERROR_CORRUPT, "not an IDX image file" },
  { "dataset/swapped", KIND_DATASET, "a label file where the images belong",
    make_dataset_swapped, DIGITS_ERROR_CORRUPT, "this is an IDX label file" },
  { "dataset/short-header", KIND_DATASET, "a file that ends inside its header",
    make_dataset_short_header, DIGITS_ERROR_CORRUPT, "ends inside the IDX header" },
  { "dataset/no-items", KIND_DATASET, "a header that promises no images",
    make_dataset_no_items, DIGITS_ERROR_CORRUPT, "holds no images" },
  { "dataset/zero-side", KIND_DATASET, "images of 0 × 28 pixels",
    make_dataset_zero_side, DIGITS_ERROR_CORRUPT, "images of 0×28 pixels" },
  { "dataset/huge-side", KIND_DATASET, "images of 28 × 4,294,967,295 pixels",
    make_dataset_huge_side, DIGITS_ERROR_TOO_LARGE, "accepts at most 1024×1024" },
  { "dataset/huge-count", KIND_DATASET, "a gzip header that claims 2³¹ images",
    make_dataset_huge_count, DIGITS_ERROR_TOO_LARGE, "claims 2147483648 images" },
  { "dataset/huge-total", KIND_DATASET, "a header that claims 1.5 GB of pixels",
    make_dataset_huge_total, DIGITS_ERROR_TOO_LARGE, "Digits accepts at most 1" },
  { "dataset/lie-gz", KIND_DATASET,
    "a header that lies: 1,000,000 images (750 MB) promised, 12 in the gzip stream",
    make_dataset_lie_gz, DIGITS_ERROR_CORRUPT, "truncated", 24 * MiB },
  { "dataset/lie-raw", KIND_DATASET,
    "a header that lies: 1,000,000 images promised, 12 in the raw file",
    make_dataset_lie_raw, DIGITS_ERROR_CORRUPT, "truncated", 24 * MiB },
  { "dataset/truncated", KIND_DATASET, "pixel data cut short",
    make_dataset_truncated, DIGITS_ERROR_CORRUPT, "truncated" },
  { "dataset/trailing", KIND_DATASET, "a byte after the last image",
    make_dataset_trailing, DIGITS_ERROR_CORRUPT, "1 unexpected byte after the 12 images" },
  { "dataset/gzip-cut", KIND_DATASET, "a gzip file cut in half",
    make_dataset_gz_cut, DIGITS_ERROR_CORRUPT, "the compressed data ends early" },
  { "dataset/gzip-crc", KIND_DATASET, "a gzip file whose CRC-32 does not match",
    make_dataset_gz_crc, DIGITS_ERROR_CORRUPT, "the compressed data is damaged" },
  { "dataset/gzip-garbage", KIND_DATASET, "junk after the end of the gzip stream",
    make_dataset_gz_garbage, DIGITS_ERROR_CORRUPT, "unexpected bytes after the end" },
  { "dataset/bad-label", KIND_DATASET, "a label of 200 among digits 0–9",
    make_dataset_bad_label, DIGITS_ERROR_CORRUPT, "item 4 has label 200" },
  { "dataset/count-mismatch", KIND_DATASET, "12 images but 11 labels",
    make_dataset_count_mismatch, DIGITS_ERROR_CORRUPT, "one label per image" },
  { "dataset/missing-file", KIND_DATASET, "a folder without its label file",
    make_dataset_missing_file, DIGITS_ERROR_NOT_FOUND, "nor t10k-labels-idx1-ubyte.gz" },
  { "dataset/missing-folder", KIND_DATASET, "a folder that does not exist",
    make_dataset_missing_dir, DIGITS_ERROR_NOT_FOUND, "no such folder" },
  { "dataset/folder", KIND_DATASET, "a folder where the image file belongs",
    make_dataset_folder, DIGITS_ERROR_FAILED, "not an ordinary file" },
  { "dataset/2gb", KIND_DATASET, "a 2 GB image file whose header promises 10,000 images",
    make_dataset_2gb, DIGITS_ERROR_CORRUPT, "unexpected bytes after the 10000 images" },
  { "dataset/endless", KIND_DATASET, "a device that never ends (/dev/zero) as the image file",
    make_dataset_endless, DIGITS_ERROR_FAILED, "not an ordinary file" },

  { "model/empty", KIND_MODEL, "an empty file",
    make_model_empty, DIGITS_ERROR_CORRUPT, "the file is empty" },
  { "model/foreign", KIND_MODEL, "a PNG picture named digits.model",
    make_model_png, DIGITS_ERROR_CORRUPT, "not a Digits model file" },
  { "model/cut-header", KIND_MODEL, "a file cut inside its header",
    make_model_cut_header, DIGITS_ERROR_CORRUPT, "truncated" },
  { "model/cut-params", KIND_MODEL, "a file cut in the middle of the parameters",
    make_model_cut_params, DIGITS_ERROR_CORRUPT, "truncated: the file is" },
  { "model/trailing", KIND_MODEL, "a byte after the checksum",
    make_model_trailing, DIGITS_ERROR_CORRUPT, "damaged: the file is" },
  { "model/newer", KIND_MODEL, "a model from a newer Digits (format 3)",
    make_model_newer, DIGITS_ERROR_UNSUPPORTED, "update Digits to use it" },
  { "model/version-0", KIND_MODEL, "format version 0",
    make_model_version0, DIGITS_ERROR_CORRUPT, "format 0, which never existed" },
  { "model/bit-flip", KIND_MODEL, "one bit flipped in the parameters",
    make_model_bit_flip, DIGITS_ERROR_CORRUPT, "checksum does not match" },
  { "model/billion-params", KIND_MODEL, "a header that claims a billion parameters",
    make_model_billion, DIGITS_ERROR_TOO_LARGE, "claims 1000000000 parameters" },
  { "model/huge-header", KIND_MODEL, "a header that claims to be 4 GB long",
    make_model_huge_header, DIGITS_ERROR_TOO_LARGE, "Digits accepts at most 65536" },
  { "model/params-mismatch", KIND_MODEL, "layer sizes that need other parameter counts",
    make_model_params_mismatch, DIGITS_ERROR_CORRUPT, "parameters but its layers need" },
  { "model/layers", KIND_MODEL, "200 layers",
    make_model_layers, DIGITS_ERROR_TOO_LARGE, "Digits accepts 1 to 8" },
  { "model/wide", KIND_MODEL, "a layer of a million units",
    make_model_wide, DIGITS_ERROR_TOO_LARGE, "a layer of 1000000 units" },
  { "model/input-size", KIND_MODEL, "a network that takes 1,024 inputs",
    make_model_input, DIGITS_ERROR_CORRUPT, "takes 1024 inputs" },
  { "model/preprocessing", KIND_MODEL, "an unknown kind of preprocessing",
    make_model_preprocess, DIGITS_ERROR_UNSUPPORTED, "(preprocessing 9)" },
  { "model/label-set", KIND_MODEL, "an unknown label set",
    make_model_label_set, DIGITS_ERROR_UNSUPPORTED, "label set this version" },
  { "model/not-utf8", KIND_MODEL, "a description that is not UTF-8",
    make_model_utf8, DIGITS_ERROR_CORRUPT, "not valid UTF-8" },
  { "model/nan", KIND_MODEL, "a parameter that is NaN",
    make_model_nan, DIGITS_ERROR_CORRUPT, "parameter 100 is not a finite number" },
  { "model/overflow", KIND_MODEL, "finite parameters so large that answers overflow",
    make_model_overflow, DIGITS_ERROR_CORRUPT, "its answers would overflow" },
  { "model/missing", KIND_MODEL, "a file that does not exist",
    make_model_missing, DIGITS_ERROR_NOT_FOUND, "no such file" },
  { "model/folder", KIND_MODEL, "a folder",
    make_model_folder, DIGITS_ERROR_FAILED, "is a folder, not a model file" },
  { "model/2gb", KIND_MODEL, "a 2 GB file",
    make_model_2gb, DIGITS_ERROR_TOO_LARGE, "too large (2.0" },
  { "model/endless", KIND_MODEL, "a file that never ends (/dev/zero)",
    make_model_endless, DIGITS_ERROR_CORRUPT, "not a Digits model file" },
  { "model/endless-magic", KIND_MODEL, "a pipe that sends the magic, then zeros forever",
    make_model_endless_magic, DIGITS_ERROR_TOO_LARGE, "too large; Digits reads model files",
    300 * MiB },

  { "image/missing", KIND_IMAGE, "a file that does not exist",
    make_image_missing, DIGITS_ERROR_NOT_FOUND, "there is no such file" },
  { "image/folder", KIND_IMAGE, "a folder",
    make_image_folder, DIGITS_ERROR_UNSUPPORTED, "is a folder, not an image" },
  { "image/empty", KIND_IMAGE, "an empty file",
    make_image_empty, DIGITS_ERROR_UNSUPPORTED, "not an image Digits can read" },
  { "image/text", KIND_IMAGE, "a text file named photo.jpg",
    make_image_text, DIGITS_ERROR_UNSUPPORTED, "not an image Digits can read" },
  { "image/cut", KIND_IMAGE, "a PNG cut in half",
    make_image_cut, DIGITS_ERROR_CORRUPT, "not an image Digits can read" },
  { "image/bad-crc", KIND_IMAGE, "a PNG whose header fails its CRC",
    make_image_bad_crc, DIGITS_ERROR_UNSUPPORTED, "not an image Digits can read" },
  { "image/zero-size", KIND_IMAGE, "a PNG of 0 × 0 pixels",
    make_image_zero_size, DIGITS_ERROR_UNSUPPORTED, "not an image Digits can read" },
  { "image/huge-png", KIND_IMAGE, "a 30,000 × 30,000 PNG (a 100-byte file)",
    make_image_huge_png, DIGITS_ERROR_TOO_LARGE, "(30000 × 30000 pixels)" },
  { "image/stub-png", KIND_IMAGE, "a 10,000 × 10,000 PNG whose image data is a stub",
    make_image_stub_png, DIGITS_ERROR_CORRUPT, "not an image Digits can read", 450 * MiB },
  { "image/huge-gif", KIND_IMAGE, "a 65,535 × 65,535 GIF",
    make_image_huge_gif, DIGITS_ERROR_TOO_LARGE, "(65535 × 65535 pixels)" },
  { "image/huge-svg", KIND_IMAGE, "an SVG of 200,000 × 200,000 pixels",
    make_image_huge_svg, DIGITS_ERROR_TOO_LARGE, "(200000 × 200000 pixels)", 32 * MiB },
  { "image/huge-bmp", KIND_IMAGE, "a BMP header that claims 2³¹ × 2³¹ pixels",
    make_image_huge_bmp, -1, "image" },
  { "image/2gb", KIND_IMAGE, "a 2 GB file: a PNG header, then zeros",
    make_image_2gb, DIGITS_ERROR_UNSUPPORTED, "not an image Digits can read" },
  { "image/endless", KIND_IMAGE, "a file that never ends (/dev/zero)",
    make_image_endless, DIGITS_ERROR_UNSUPPORTED, "not an image Digits can read" },
  { "image/blank", KIND_IMAGE, "a picture with no ink",
    make_image_blank, DIGITS_ERROR_NO_DIGIT, "no digit was found" },
  { "image/noise", KIND_IMAGE, "salt-and-pepper noise and nothing else",
    make_image_noise, DIGITS_ERROR_NO_DIGIT, "no digit was found" },
};

/* ---- running a case ---- */

static void
reset_peak_memory (void)
{
  int fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

  /* "5" resets the resident high-water mark (Linux ≥ 4.0). */
  if (fd >= 0)
    {
      if (write (fd, "5", 1) != 1)
        g_test_message ("cannot reset the peak memory");
      close (fd);
    }
}

/* A field of /proc/self/status in bytes, or 0 where there is none. */
static guint64
status_bytes (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field) + 1, NULL, 10) * 1024u;
}

typedef struct {
  GError *error;
  double seconds;
  guint64 growth;     /* peak resident memory added, bytes */
} Outcome;

static void
run_case (const Case *c, Files *f, Outcome *out)
{
  guint64 before;
  gint64 start;

  reset_peak_memory ();
  before = status_bytes ("VmRSS:");
  start = g_get_monotonic_time ();

  switch (c->kind)
    {
    case KIND_DATASET:
      {
        g_autoptr(DigitsDataset) set = NULL;

        g_assert_false (digits_dataset_load_mnist_dir (f->dir, NULL, &set, &out->error));
        g_assert_null (set);
      }
      break;
    case KIND_MODEL:
      {
        g_autoptr(DigitsModel) model = digits_model_load (f->model, &out->error);

        g_assert_null (model);
      }
      break;
    case KIND_IMAGE:
      {
        g_autoptr(GArray) glyphs = digits_glyphs_from_file (f->image, &out->error);

        g_assert_null (glyphs);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  out->seconds = (g_get_monotonic_time () - start) / 1e6;
  out->growth = status_bytes ("VmHWM:");
  out->growth = out->growth > before ? out->growth - before : 0;
}

static void
files_clear (Files *f)
{
  g_free (f->dir);
  g_free (f->model);
  g_free (f->image);
}

/* The message as a person sees it: without the test's temporary folder. */
static char *
shown_message (const char *message, const char *dir)
{
  g_autofree char *prefix = g_strconcat (dir, G_DIR_SEPARATOR_S, NULL);
  g_auto(GStrv) parts = g_strsplit (message, prefix, -1);
  g_autofree char *joined = g_strjoinv ("", parts);
  g_auto(GStrv) bare = g_strsplit (joined, dir, -1);

  return g_strjoinv ("DIR", bare);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  Files f = { 0 };
  Outcome out = { 0 };
  g_autofree char *base = g_strdelimit (g_strdup (c->name), "/", '-');
  guint64 bound = c->max_growth ? c->max_growth : DEFAULT_GROWTH;
  g_autofree char *shown = NULL;

  f.dir = case_path (base);
  c->make (&f);
  run_case (c, &f, &out);

  g_assert_nonnull (out.error);
  g_assert_true (out.error->domain == DIGITS_ERROR);
  shown = shown_message (out.error->message, f.dir);
  g_test_message ("%s: %s (%.3f s, peak +%.1f MiB)", c->name, shown, out.seconds,
                  out.growth / (double) MiB);
  if (c->code >= 0)
    g_assert_cmpint (out.error->code, ==, c->code);
  g_assert_nonnull (strstr (out.error->message, c->says));
  /* A data set's message names the file or folder at fault (there are four files); a
   * model's or image's says only what is wrong: its caller names the file, once. */
  if (c->kind != KIND_DATASET)
    {
      g_autofree char *name = g_path_get_basename (c->kind == KIND_MODEL ? f.model : f.image);

      g_assert_null (strstr (out.error->message, name));
    }
  else
    g_assert_nonnull (strstr (out.error->message, f.dir));
  if (!TEST_UNDER_ASAN && status_bytes ("VmHWM:") > 0)
    g_assert_cmpuint (out.growth, <=, bound);

  g_clear_error (&out.error);
  files_clear (&f);
}

/* ---- the four headline limits, through digits-cli ---- */

typedef struct {
  int status;
  double seconds;
  guint64 max_rss;    /* bytes */
  char *err;
} CliRun;

static void
cli_run (CliRun *run, const char *const *args)
{
  const char *cli = g_getenv ("DIGITS_CLI");
  g_autofree char *err_path = case_path ("cli-stderr");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  struct rusage usage;
  gint64 start;
  pid_t pid;
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  start = g_get_monotonic_time ();
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = open (err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);

      if (fd < 0 || null < 0 || dup2 (fd, 2) < 0 || dup2 (null, 1) < 0)
        _exit (99);
      execv (cli, (char **) argv->pdata);
      _exit (98);
    }
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  run->seconds = (g_get_monotonic_time () - start) / 1e6;
  run->max_rss = (guint64) usage.ru_maxrss * 1024u;
  g_assert_true (WIFEXITED (status));
  run->status = WEXITSTATUS (status);
  g_assert_true (g_file_get_contents (err_path, &run->err, NULL, NULL));
}

/* The CLI's own size doing nothing much: the baseline for the bound. */
static guint64 cli_baseline;

static guint64
cli_baseline_rss (void)
{
  if (cli_baseline == 0)
    {
      CliRun run = { 0 };

      cli_run (&run, (const char *[]) { "info", NULL });
      g_assert_cmpint (run.status, ==, 0);
      cli_baseline = run.max_rss;
      g_test_message ("digits-cli info (built-in model): peak %.1f MiB",
                      cli_baseline / (double) MiB);
      g_free (run.err);
    }
  return cli_baseline;
}

static void
assert_cli_refuses (const char *const *args, const char *says, guint64 extra)
{
  CliRun run = { 0 };
  guint64 baseline = cli_baseline_rss ();

  cli_run (&run, args);
  g_test_message ("digits-cli %s: exit %d in %.3f s, peak %.1f MiB (baseline %.1f MiB): %s",
                   args[0], run.status, run.seconds, run.max_rss / (double) MiB,
                   baseline / (double) MiB, g_strchomp (run.err));
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, says));
  g_assert_null (strchr (run.err, '\n'));    /* one line (chomped above) */
  if (!TEST_UNDER_ASAN)
    g_assert_cmpuint (run.max_rss, <=, baseline + extra);
  g_free (run.err);
}

static void
test_limit_lying_header (void)
{
  Files f = { 0 };

  f.dir = case_path ("limit-lie");
  make_dataset_lie_gz (&f);
  assert_cli_refuses ((const char *[]) { "eval", "--data", f.dir, NULL }, "truncated",
                      16 * MiB);
  files_clear (&f);
}

static void
test_limit_huge_png (void)
{
  Files f = { 0 };

  f.dir = case_path ("limit-png");
  make_image_huge_png (&f);
  assert_cli_refuses ((const char *[]) { "classify", f.image, NULL }, "too large",
                      4 * MiB);
  files_clear (&f);
}

static void
test_limit_2gb (void)
{
  Files model = { 0 }, data = { 0 }, image = { 0 };

  model.dir = case_path ("limit-2gb-model");
  make_model_2gb (&model);
  assert_cli_refuses ((const char *[]) { "info", "--model", model.model, NULL },
                      "too large", 4 * MiB);
  data.dir = case_path ("limit-2gb-data");
  make_dataset_2gb (&data);
  assert_cli_refuses ((const char *[]) { "eval", "--data", data.dir, NULL },
                      "unexpected bytes", 4 * MiB);
  image.dir = case_path ("limit-2gb-image");
  make_image_2gb (&image);
  assert_cli_refuses ((const char *[]) { "classify", image.image, NULL },
                      "not an image", 4 * MiB);
  files_clear (&model);
  files_clear (&data);
  files_clear (&image);
}

static void
test_limit_billion_params (void)
{
  Files f = { 0 };

  f.dir = case_path ("limit-billion");
  make_model_billion (&f);
  assert_cli_refuses ((const char *[]) { "info", "--model", f.model, NULL },
                      "1000000000 parameters", 4 * MiB);
  files_clear (&f);
}

/* ---- nothing lost ---- */

static DigitsModel *
big_model (guint64 seed)
{
  NnNet *net = nn_net_new ((const int[]) { 784, 512, 10 }, 3);   /* 1.6 MB on disk */

  nn_net_init_he (net, seed);
  return digits_model_new (net, DIGITS_LABELS_DIGITS);
}

/* Temporary files a killed save left beside the model (g_file_set_contents' own). */
static guint
count_leftovers (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "digits.model."))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_remove (path);
        n++;
      }
  return n;
}

/* Forks a child saving b, a, b... to path forever and SIGKILLs it as soon as a temporary
 * file shows beside the model (or after 10 s if none ever does): the kill is aimed at a
 * write, instead of at a random moment that a slow or loaded machine makes miss. */
static void
kill_saving_child_mid_write (const DigitsModel *a, const DigitsModel *b, const char *path,
                             const char *dir)
{
  gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean seen = FALSE;
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      for (int k = 0;; k++)
        if (!digits_model_save (k % 2 ? a : b, path, NULL))
          _exit (3);
    }
  while (!seen && g_get_monotonic_time () < give_up)
    {
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while (d != NULL && !seen && (name = g_dir_read_name (d)) != NULL)
        seen = g_str_has_prefix (name, "digits.model.");
    }
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
}

/* A save killed mid-write leaves the previous file whole. test-model's save-killed test
 * kills saves at random moments; this one also proves that kills land inside a save
 * (the half-written temporary file is still there) and that the model file then is
 * exactly one of the models saved. */
static void
test_save_killed_mid_write (void)
{
  g_autoptr(DigitsModel) first = big_model (1);
  g_autoptr(DigitsModel) second = big_model (2);
  g_autofree char *dir = case_path ("save-killed");
  g_autofree char *path = g_build_filename (dir, "digits.model", NULL);
  g_autoptr(GError) error = NULL;
  guint mid_write = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (digits_model_save (first, path, &error));
  g_assert_no_error (error);

  for (int round = 0; round < 10; round++)
    {
      g_autoptr(DigitsModel) loaded = NULL;

      kill_saving_child_mid_write (first, second, path, dir);
      if (count_leftovers (dir) > 0)
        mid_write++;
      loaded = digits_model_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (loaded->net->n_params, ==, first->net->n_params);
      g_assert_true (memcmp (loaded->net->params, first->net->params,
                             first->net->n_params * sizeof (float)) == 0
                     || memcmp (loaded->net->params, second->net->params,
                                second->net->n_params * sizeof (float)) == 0);
    }
  g_test_message ("%u of 10 kills landed while a temporary file was being written",
                  mid_write);
  g_assert_cmpuint (mid_write, >, 0);
}

/* ---- the README table ---- */

static const char *
kind_name (Kind kind)
{
  switch (kind)
    {
    case KIND_DATASET: return "data set";
    case KIND_MODEL: return "model";
    case KIND_IMAGE: return "image";
    default: g_assert_not_reached ();
    }
}

static void
print_markdown (void)
{
  g_print ("| | Bad input | What Digits says | Test |\n|---|---|---|---|\n");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      Files f = { 0 };
      Outcome out = { 0 };
      g_autofree char *base = g_strdelimit (g_strdup (c->name), "/", '-');
      g_autofree char *shown = NULL;

      f.dir = case_path (base);
      c->make (&f);
      run_case (c, &f, &out);
      shown = shown_message (out.error->message, f.dir);
      g_print ("| %s | %s | %s | `/robustness/%s` |\n", kind_name (c->kind), c->what, shown,
               c->name);
      g_clear_error (&out.error);
      files_clear (&f);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean markdown = argc == 2 && g_str_equal (argv[1], "--markdown");
  int status;

  /* Messages as a person reads them, whatever the machine's language. */
  /* The endless pipe's writer learns of the reader's exit from EPIPE, not a signal. */
  signal (SIGPIPE, SIG_IGN);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("digits-robustness-XXXXXX", &error);
  g_assert_no_error (error);

  if (markdown)
    {
      print_markdown ();
      test_remove_tree (tmp_dir);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/robustness/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/robustness/limits/lying-header", test_limit_lying_header);
  g_test_add_func ("/robustness/limits/huge-png", test_limit_huge_png);
  g_test_add_func ("/robustness/limits/2gb-files", test_limit_2gb);
  g_test_add_func ("/robustness/limits/billion-params", test_limit_billion_params);
  g_test_add_func ("/robustness/save/killed-mid-write", test_save_killed_mid_write);

  status = g_test_run ();
  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}

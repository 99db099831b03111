/* test-dataset.c — the IDX reader on good files and on every kind of bad one.
 *
 * The files are built here, byte by byte, in a fresh temporary folder; each bad one
 * must give the right error code and a message that names the file.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "digits-dataset.h"
#include "test-util.h"

#define IMAGES_MAGIC 0x00000803u
#define LABELS_MAGIC 0x00000801u

static char *tmp_dir;
static char *real_mnist_dir;   /* DIGITS_MNIST_DIR as the test was started with */

/* ---- building files ---- */

static guint8
pixel_at (guint item, guint i)
{
  return (guint8) ((item * 31u + i * 7u) & 0xffu);
}

/* An image file whose header says n_header items but which holds n_data of them. */
static GByteArray *
make_images (guint32 n_header, guint32 rows, guint32 cols, guint n_data)
{
  GByteArray *out = g_byte_array_new ();

  test_append_be32 (out, IMAGES_MAGIC);
  test_append_be32 (out, n_header);
  test_append_be32 (out, rows);
  test_append_be32 (out, cols);
  for (guint item = 0; item < n_data; item++)
    for (guint i = 0; i < rows * cols; i++)
      {
        guint8 v = pixel_at (item, i);

        g_byte_array_append (out, &v, 1);
      }
  return out;
}

static GByteArray *
make_labels (guint32 n_header, guint n_data)
{
  GByteArray *out = g_byte_array_new ();

  test_append_be32 (out, LABELS_MAGIC);
  test_append_be32 (out, n_header);
  for (guint i = 0; i < n_data; i++)
    {
      guint8 v = (guint8) (i % 10u);

      g_byte_array_append (out, &v, 1);
    }
  return out;
}

/* Writes bytes (gzip-compressed first if asked) to a file in the temporary folder. */
static char *
write_file (const char *name, const GByteArray *bytes, gboolean gz)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (gz)
    {
      g_autoptr(GByteArray) packed = test_gzip_bytes (bytes->data, bytes->len);

      g_file_set_contents (path, (const char *) packed->data, packed->len, &error);
    }
  else
    g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  return path;
}

static char *
write_good_labels (const char *name, guint n)
{
  g_autoptr(GByteArray) labels = make_labels (n, n);

  return write_file (name, labels, FALSE);
}

static char *
write_good_images (const char *name, guint n)
{
  g_autoptr(GByteArray) images = make_images (n, 28, 28, n);

  return write_file (name, images, FALSE);
}

/* ---- checking outcomes ---- */

static void
check_good_set (const DigitsDataset *set, guint n, guint rows, guint cols)
{
  g_assert_nonnull (set);
  g_assert_cmpuint (set->n, ==, n);
  g_assert_cmpuint (set->rows, ==, rows);
  g_assert_cmpuint (set->cols, ==, cols);
  g_assert_cmpuint (set->n_classes, ==, 10);
  for (guint item = 0; item < n; item++)
    {
      g_assert_cmpuint (set->labels[item], ==, item % 10u);
      for (guint i = 0; i < rows * cols; i++)
        g_assert_cmpuint (set->images[(gsize) item * rows * cols + i], ==, pixel_at (item, i));
    }
}

/* The load must fail with `code`, and the message must name `culprit` (and hold `word`). */
static void
assert_fails (const char *images, const char *labels, int code, const char *culprit,
              const char *word)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) set = digits_dataset_load_idx (images, labels, &error);
  g_autofree char *base = g_path_get_basename (culprit);

  g_assert_null (set);
  g_assert_error (error, DIGITS_ERROR, code);
  g_test_message ("%s", error->message);
  if (strstr (error->message, base) == NULL)
    g_error ("message “%s” does not name %s", error->message, base);
  if (word != NULL && strstr (error->message, word) == NULL)
    g_error ("message “%s” does not say “%s”", error->message, word);
}

/* ---- good files ---- */

static void
test_good (gconstpointer data)
{
  gboolean gz = GPOINTER_TO_INT (data);
  g_autoptr(GByteArray) images = make_images (25, 28, 28, 25);
  g_autoptr(GByteArray) labels = make_labels (25, 25);
  g_autofree char *images_path = write_file (gz ? "good-images.gz" : "good-images", images, gz);
  g_autofree char *labels_path = write_file (gz ? "good-labels.gz" : "good-labels", labels, gz);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) set = digits_dataset_load_idx (images_path, labels_path, &error);

  g_assert_no_error (error);
  check_good_set (set, 25, 28, 28);
}

/* The content decides, not the name: gzip data called ".idx", raw data called ".gz". */
static void
test_good_misnamed (void)
{
  g_autoptr(GByteArray) images = make_images (7, 5, 9, 7);
  g_autoptr(GByteArray) labels = make_labels (7, 7);
  g_autofree char *images_path = write_file ("misnamed-images.idx", images, TRUE);
  g_autofree char *labels_path = write_file ("misnamed-labels.gz", labels, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) set = digits_dataset_load_idx (images_path, labels_path, &error);

  g_assert_no_error (error);
  check_good_set (set, 7, 5, 9);
}

/* gzip allows several members back to back, and `cat a.gz b.gz` makes such files. */
static void
test_good_gzip_members (void)
{
  g_autoptr(GByteArray) images = make_images (10, 28, 28, 10);
  g_autoptr(GByteArray) first = test_gzip_bytes (images->data, 16 + 4 * 784);
  g_autoptr(GByteArray) second = test_gzip_bytes (images->data + 16 + 4 * 784,
                                                  images->len - 16 - 4 * 784);
  g_autofree char *labels_path = write_good_labels ("members-labels", 10);
  g_autofree char *images_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) set = NULL;

  g_byte_array_append (first, second->data, second->len);
  images_path = write_file ("members-images", first, FALSE);
  set = digits_dataset_load_idx (images_path, labels_path, &error);
  g_assert_no_error (error);
  check_good_set (set, 10, 28, 28);
}

/* Larger than one read chunk and one first allocation, so the growing paths run. */
static void
test_good_large (gconstpointer data)
{
  gboolean gz = GPOINTER_TO_INT (data);
  guint n = 3000;    /* 2.35 MB of pixels */
  g_autoptr(GByteArray) images = make_images (n, 28, 28, n);
  g_autoptr(GByteArray) labels = make_labels (n, n);
  g_autofree char *images_path = write_file (gz ? "large-images.gz" : "large-images", images, gz);
  g_autofree char *labels_path = write_file (gz ? "large-labels.gz" : "large-labels", labels, gz);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) set = digits_dataset_load_idx (images_path, labels_path, &error);

  g_assert_no_error (error);
  check_good_set (set, n, 28, 28);
}

static void
write_mnist_dir (const char *dir, gboolean gz_train, guint n_train, guint n_test)
{
  struct { const char *name; gboolean images; guint n; gboolean gz; } files[] = {
    { "train-images-idx3-ubyte", TRUE, n_train, gz_train },
    { "train-labels-idx1-ubyte", FALSE, n_train, gz_train },
    { "t10k-images-idx3-ubyte", TRUE, n_test, FALSE },
    { "t10k-labels-idx1-ubyte", FALSE, n_test, FALSE },
  };

  g_autofree char *base = g_path_get_basename (dir);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GByteArray) bytes = files[i].images
                                    ? make_images (files[i].n, 28, 28, files[i].n)
                                    : make_labels (files[i].n, files[i].n);
      g_autofree char *name = g_strconcat (files[i].name, files[i].gz ? ".gz" : "", NULL);
      g_autofree char *rel = g_build_filename (base, name, NULL);

      g_free (write_file (rel, bytes, files[i].gz));
    }
}

static void
test_mnist_dir (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "mnist", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) train = NULL;
  g_autoptr(DigitsDataset) test = NULL;
  g_autoptr(DigitsDataset) only_test = NULL;

  write_mnist_dir (dir, TRUE, 30, 12);
  g_assert_true (digits_dataset_load_mnist_dir (dir, &train, &test, &error));
  g_assert_no_error (error);
  check_good_set (train, 30, 28, 28);
  check_good_set (test, 12, 28, 28);

  /* Half of it only. */
  g_assert_true (digits_dataset_load_mnist_dir (dir, NULL, &only_test, &error));
  g_assert_no_error (error);
  check_good_set (only_test, 12, 28, 28);
}

static void
test_mnist_dir_missing (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "mnist-half", NULL);
  g_autofree char *labels = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
  g_autofree char *nowhere = g_build_filename (tmp_dir, "no-such-folder", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) train = NULL;
  g_autoptr(DigitsDataset) test = NULL;

  write_mnist_dir (dir, FALSE, 10, 10);
  g_assert_cmpint (g_remove (labels), ==, 0);

  /* The training half is all there. */
  g_assert_true (digits_dataset_load_mnist_dir (dir, &train, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&train, digits_dataset_free);

  g_assert_false (digits_dataset_load_mnist_dir (dir, &train, &test, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, "t10k-labels-idx1-ubyte"));
  g_assert_null (train);
  g_assert_null (test);
  g_clear_error (&error);

  g_assert_false (digits_dataset_load_mnist_dir (nowhere, &train, &test, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, nowhere));
}

static void
test_find_mnist (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "mnist-found", NULL);
  g_autofree char *found = NULL;

  write_mnist_dir (dir, TRUE, 3, 3);
  g_setenv ("DIGITS_MNIST_DIR", dir, TRUE);
  found = digits_dataset_find_mnist ();
  g_assert_cmpstr (found, ==, dir);
  g_clear_pointer (&found, g_free);

  /* A folder without the files is passed over. */
  g_setenv ("DIGITS_MNIST_DIR", tmp_dir, TRUE);
  found = digits_dataset_find_mnist ();
  g_assert_cmpstr (found, !=, tmp_dir);

  if (real_mnist_dir != NULL)
    g_setenv ("DIGITS_MNIST_DIR", real_mnist_dir, TRUE);
  else
    g_unsetenv ("DIGITS_MNIST_DIR");
}

static void
test_slice (void)
{
  g_autoptr(DigitsDataset) set = digits_dataset_new (10, 3, 2, 10);
  g_autoptr(DigitsDataset) part = NULL;
  g_autoptr(DigitsDataset) none = NULL;

  for (guint i = 0; i < 10 * 6; i++)
    set->images[i] = (guint8) i;
  for (guint i = 0; i < 10; i++)
    set->labels[i] = (guint8) (9 - i);

  part = digits_dataset_slice (set, 4, 3);
  g_assert_cmpuint (part->n, ==, 3);
  g_assert_cmpuint (part->rows, ==, 3);
  g_assert_cmpuint (part->cols, ==, 2);
  g_assert_cmpuint (part->n_classes, ==, 10);
  g_assert_cmpmem (part->images, 18, set->images + 24, 18);
  g_assert_cmpmem (part->labels, 3, set->labels + 4, 3);
  g_assert_true (part->images != set->images + 24);

  none = digits_dataset_slice (set, 10, 0);
  g_assert_cmpuint (none->n, ==, 0);
}

/* ---- bad files ---- */

static void
test_bad_magic (void)
{
  g_autoptr(GByteArray) images = make_images (5, 28, 28, 5);
  g_autoptr(GByteArray) text = g_byte_array_new ();
  g_autofree char *labels_path = write_good_labels ("magic-labels", 5);
  g_autofree char *images_path = NULL;
  g_autofree char *text_path = NULL;

  images->data[3] = 0x04;
  images_path = write_file ("magic-images", images, FALSE);
  assert_fails (images_path, labels_path, DIGITS_ERROR_CORRUPT, images_path, "not an IDX");

  /* Labels where images belong, and the other way round. */
  assert_fails (labels_path, labels_path, DIGITS_ERROR_CORRUPT, labels_path, "label file");
  g_clear_pointer (&images_path, g_free);
  images_path = write_good_images ("magic-good-images", 5);
  assert_fails (images_path, images_path, DIGITS_ERROR_CORRUPT, images_path, "image file");

  /* Something else altogether, shorter than a header. */
  g_byte_array_append (text, (const guint8 *) "hi\n", 3);
  text_path = write_file ("magic-text", text, FALSE);
  assert_fails (text_path, labels_path, DIGITS_ERROR_CORRUPT, text_path, "not an IDX");
}

static void
test_bad_dims (void)
{
  g_autofree char *labels_path = write_good_labels ("dims-labels", 5);
  struct { guint32 rows, cols; int code; } cases[] = {
    { 0, 28, DIGITS_ERROR_CORRUPT },
    { 28, 0, DIGITS_ERROR_CORRUPT },
    { 5000, 28, DIGITS_ERROR_TOO_LARGE },
    { 28, 0xffffffffu, DIGITS_ERROR_TOO_LARGE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) images = make_images (5, cases[i].rows, cases[i].cols, 0);
      g_autofree char *name = g_strdup_printf ("dims-images-%zu", i);
      g_autofree char *path = write_file (name, images, i % 2 == 1);

      assert_fails (path, labels_path, cases[i].code, path, NULL);
    }
}

/* Limits of virtual memory for this process: a reader that allocated what a lying
 * header asks for would abort the subprocess. Not under AddressSanitizer or
 * MemorySanitizer, whose shadow memory needs terabytes of address space. */
#define LIMIT_MEMORY (!TEST_UNDER_ASAN && !TEST_UNDER_MSAN)

static void
limit_memory (guint64 headroom)
{
#if LIMIT_MEMORY
  g_autofree char *statm = NULL;
  guint64 pages = 0;
  struct rlimit limit;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    pages = g_ascii_strtoull (statm, NULL, 10);
  limit.rlim_cur = limit.rlim_max = pages * 4096u * 2u + headroom;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
#endif
}

static void
test_bad_count_huge (void)
{
  g_autofree char *labels_path = write_good_labels ("huge-labels", 5);
  g_autoptr(GByteArray) images = make_images (0x80000000u, 28, 28, 5);
  g_autoptr(GByteArray) labels = make_labels (0x80000000u, 5);
  g_autoptr(GByteArray) big = make_images (2000000u, 28, 28, 5);    /* 1.5 GB of pixels */
  g_autofree char *images_path = write_file ("huge-images", images, FALSE);
  g_autofree char *images_gz = write_file ("huge-images.gz", images, TRUE);
  g_autofree char *lying_labels = write_file ("huge-labels-lie.gz", labels, TRUE);
  g_autofree char *big_path = write_file ("huge-bytes.gz", big, TRUE);

  assert_fails (images_path, labels_path, DIGITS_ERROR_TOO_LARGE, images_path, "2147483648");
  assert_fails (images_gz, labels_path, DIGITS_ERROR_TOO_LARGE, images_gz, "2147483648");
  assert_fails (images_gz, lying_labels, DIGITS_ERROR_TOO_LARGE, lying_labels, "2147483648");
  /* Refused from the header's claim: the file holds only five digits, so a reader that
   * went on would fail differently (the file ends early), not say "GiB". */
  assert_fails (big_path, labels_path, DIGITS_ERROR_TOO_LARGE, big_path, "GiB");
}

/* A plausible count (750 MB of pixels, under the bound) in a tiny gzip file: the reader
 * must find the lie without first allocating what the header asks for. */
static void
test_bad_count_lie_subprocess (void)
{
  g_autoptr(GByteArray) images = make_images (1000000u, 28, 28, 3);
  g_autoptr(GByteArray) labels = make_labels (1000000u, 1000000u);
  g_autofree char *images_path = write_file ("lie-images.gz", images, TRUE);
  g_autofree char *labels_path = write_file ("lie-labels.gz", labels, TRUE);
  g_autofree char *raw_path = write_file ("lie-images", images, FALSE);

  /* 1 MB of labels is real; 750 MB of pixels would break the limit. */
  limit_memory (256u << 20);
  assert_fails (images_path, labels_path, DIGITS_ERROR_CORRUPT, images_path, "truncated");
  assert_fails (raw_path, labels_path, DIGITS_ERROR_CORRUPT, raw_path, "truncated");
}

static void
test_bad_count_lie (void)
{
  g_test_trap_subprocess ("/dataset/bad/count-lie/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_bad_truncated_header (void)
{
  g_autoptr(GByteArray) images = make_images (5, 28, 28, 0);
  g_autoptr(GByteArray) labels = make_labels (5, 0);
  g_autofree char *good_images = write_good_images ("trunc-head-good-images", 5);
  g_autofree char *good_labels = write_good_labels ("trunc-head-good-labels", 5);
  g_autofree char *images_path = NULL;
  g_autofree char *labels_path = NULL;

  g_byte_array_set_size (images, 10);
  g_byte_array_set_size (labels, 6);
  images_path = write_file ("trunc-head-images", images, TRUE);
  labels_path = write_file ("trunc-head-labels", labels, FALSE);
  assert_fails (images_path, good_labels, DIGITS_ERROR_CORRUPT, images_path, "header");
  assert_fails (good_images, labels_path, DIGITS_ERROR_CORRUPT, labels_path, "header");
}

static void
test_bad_truncated_data (gconstpointer data)
{
  gboolean gz = GPOINTER_TO_INT (data);
  g_autoptr(GByteArray) images = make_images (60, 28, 28, 60);
  g_autoptr(GByteArray) labels = make_labels (60, 60);
  g_autofree char *good_images = write_good_images (gz ? "trunc-gi.gz" : "trunc-gi", 60);
  g_autofree char *good_labels = write_good_labels (gz ? "trunc-gl.gz" : "trunc-gl", 60);
  g_autofree char *images_path = NULL;
  g_autofree char *labels_path = NULL;

  g_byte_array_set_size (images, 16 + 59 * 784 + 100);
  g_byte_array_set_size (labels, 8 + 42);
  images_path = write_file (gz ? "trunc-images.gz" : "trunc-images", images, gz);
  labels_path = write_file (gz ? "trunc-labels.gz" : "trunc-labels", labels, gz);
  assert_fails (images_path, good_labels, DIGITS_ERROR_CORRUPT, images_path,
                "truncated: the header promises 60 images of 28×28 but the file ends after "
                "46356 bytes of pixel data");
  assert_fails (good_images, labels_path, DIGITS_ERROR_CORRUPT, labels_path,
                "truncated: the header promises 60 labels but the file ends after 42");
}

static void
test_bad_trailing (gconstpointer data)
{
  gboolean gz = GPOINTER_TO_INT (data);
  g_autoptr(GByteArray) images = make_images (6, 28, 28, 6);
  g_autoptr(GByteArray) labels = make_labels (6, 6);
  g_autofree char *good_images = write_good_images (gz ? "trail-gi.gz" : "trail-gi", 6);
  g_autofree char *good_labels = write_good_labels (gz ? "trail-gl.gz" : "trail-gl", 6);
  g_autofree char *images_path = NULL;
  g_autofree char *labels_path = NULL;

  g_byte_array_append (images, (const guint8 *) "garbage", 7);
  g_byte_array_append (labels, (const guint8 *) "\x01", 1);
  images_path = write_file (gz ? "trail-images.gz" : "trail-images", images, gz);
  labels_path = write_file (gz ? "trail-labels.gz" : "trail-labels", labels, gz);
  assert_fails (images_path, good_labels, DIGITS_ERROR_CORRUPT, images_path, "unexpected");
  assert_fails (good_images, labels_path, DIGITS_ERROR_CORRUPT, labels_path, "unexpected");
}

static void
test_bad_label (void)
{
  g_autoptr(GByteArray) labels = make_labels (8, 8);
  g_autofree char *images_path = write_good_images ("label-images", 8);
  g_autofree char *labels_path = NULL;

  labels->data[8 + 5] = 10;
  labels_path = write_file ("label-labels.gz", labels, TRUE);
  assert_fails (images_path, labels_path, DIGITS_ERROR_CORRUPT, labels_path,
                "item 5 has label 10");
  labels->data[8 + 5] = 255;
  g_clear_pointer (&labels_path, g_free);
  labels_path = write_file ("label-labels", labels, FALSE);
  assert_fails (images_path, labels_path, DIGITS_ERROR_CORRUPT, labels_path, "label 255");
}

static void
test_bad_count_mismatch (void)
{
  g_autofree char *images_path = write_good_images ("mismatch-images", 8);
  g_autofree char *labels_path = write_good_labels ("mismatch-labels", 9);

  assert_fails (images_path, labels_path, DIGITS_ERROR_CORRUPT, images_path, "8 images");
  assert_fails (images_path, labels_path, DIGITS_ERROR_CORRUPT, labels_path, "9 labels");
}

static void
test_bad_gzip (void)
{
  g_autoptr(GByteArray) images = make_images (50, 28, 28, 50);
  g_autoptr(GByteArray) packed = test_gzip_bytes (images->data, images->len);
  g_autoptr(GByteArray) cut = NULL;
  g_autoptr(GByteArray) tail = NULL;
  g_autofree char *labels_path = write_good_labels ("gzip-labels", 50);
  g_autofree char *cut_path = NULL;
  g_autofree char *garbled_path = NULL;
  g_autofree char *crc_path = NULL;
  g_autofree char *tail_path = NULL;

  /* Cut in the middle of the compressed data. */
  cut = g_byte_array_new ();
  g_byte_array_append (cut, packed->data, packed->len / 2);
  cut_path = write_file ("gzip-cut", cut, FALSE);
  assert_fails (cut_path, labels_path, DIGITS_ERROR_CORRUPT, cut_path, "truncated");

  /* Garbage after a whole gzip stream. */
  tail = g_byte_array_new ();
  g_byte_array_append (tail, packed->data, packed->len);
  g_byte_array_append (tail, (const guint8 *) "\0\0junk", 6);
  tail_path = write_file ("gzip-tail", tail, FALSE);
  assert_fails (tail_path, labels_path, DIGITS_ERROR_CORRUPT, tail_path, "unexpected");

  /* The gzip trailer's CRC-32 no longer matches. */
  packed->data[packed->len - 6] ^= 0x40;
  crc_path = write_file ("gzip-crc", packed, FALSE);
  assert_fails (crc_path, labels_path, DIGITS_ERROR_CORRUPT, crc_path, "damaged");
  packed->data[packed->len - 6] ^= 0x40;

  /* The deflate data itself scrambled. */
  for (guint i = 20; i < 60; i++)
    packed->data[i] ^= 0xa5;
  garbled_path = write_file ("gzip-garbled", packed, FALSE);
  assert_fails (garbled_path, labels_path, DIGITS_ERROR_CORRUPT, garbled_path, NULL);
}

/* Whatever bit of a small gzip file is damaged, the reader must stop with an error
 * naming the file, never crash, hang or hand back wrong data. A few bits carry no
 * meaning (gzip's mtime and flags, the padding after the last deflate block): those
 * files may load, but then with exactly the right content, as gzip's CRC-32 vouches. */
static void
test_bad_gzip_every_byte (void)
{
  g_autoptr(GByteArray) labels = make_labels (40, 40);
  g_autoptr(GByteArray) packed = test_gzip_bytes (labels->data, labels->len);
  g_autofree char *images_path = write_good_images ("every-images", 40);
  guint n_loaded = 0, n_tried = 0;

  for (guint i = 0; i < packed->len; i++)
    for (guint bit = 0; bit < 8; bit++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(DigitsDataset) set = NULL;
        g_autofree char *path = NULL;

        packed->data[i] ^= (guint8) (1u << bit);
        path = write_file ("every-labels", packed, FALSE);
        set = digits_dataset_load_idx (images_path, path, &error);
        packed->data[i] ^= (guint8) (1u << bit);
        n_tried++;

        if (set != NULL)
          {
            check_good_set (set, 40, 28, 28);
            n_loaded++;
          }
        else
          {
            g_assert_true (error->domain == DIGITS_ERROR);
            g_assert_nonnull (strstr (error->message, "every-labels"));
          }
      }
  g_test_message ("%u of %u single-bit changes were harmless", n_loaded, n_tried);
  g_assert_cmpuint (n_loaded, <, n_tried / 4);
}

static void
test_bad_empty (void)
{
  g_autoptr(GByteArray) nothing = g_byte_array_new ();
  g_autofree char *empty = write_file ("empty", nothing, FALSE);
  g_autofree char *empty_gz = write_file ("empty.gz", nothing, TRUE);
  g_autofree char *labels_path = write_good_labels ("empty-labels", 3);
  g_autofree char *images_path = write_good_images ("empty-images", 3);

  assert_fails (empty, labels_path, DIGITS_ERROR_CORRUPT, empty, "empty");
  assert_fails (images_path, empty, DIGITS_ERROR_CORRUPT, empty, "empty");
  assert_fails (empty_gz, labels_path, DIGITS_ERROR_CORRUPT, empty_gz, "empty");
}

static void
test_bad_missing (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "missing-images", NULL);
  g_autofree char *labels_path = write_good_labels ("missing-labels", 3);

  assert_fails (missing, labels_path, DIGITS_ERROR_NOT_FOUND, missing, "no such file");
  assert_fails (labels_path, missing, DIGITS_ERROR_NOT_FOUND, missing, "no such file");
  assert_fails (tmp_dir, labels_path, DIGITS_ERROR_FAILED, tmp_dir, "folder");
}

/* ---- the real thing ---- */

static void
test_real_mnist (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) train = NULL;
  g_autoptr(DigitsDataset) test = NULL;
  guint64 ink = 0;

  if (real_mnist_dir == NULL)
    {
      g_test_skip ("DIGITS_MNIST_DIR is not set");
      return;
    }
  g_assert_true (digits_dataset_load_mnist_dir (real_mnist_dir, &train, &test, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (train->n, ==, 60000);
  g_assert_cmpuint (test->n, ==, 10000);
  g_assert_cmpuint (train->rows, ==, 28);
  g_assert_cmpuint (train->cols, ==, 28);
  g_assert_cmpuint (train->labels[0], ==, 5);
  g_assert_cmpuint (test->labels[0], ==, 7);
  /* MNIST's first training digit: a 5 of 166 inked pixels. */
  for (guint i = 0; i < 784; i++)
    ink += train->images[i] > 0;
  g_assert_cmpuint (ink, ==, 166);
}

/* ---- the harness ---- */

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  real_mnist_dir = g_strdup (g_getenv ("DIGITS_MNIST_DIR"));
  tmp_dir = g_dir_make_tmp ("digits-dataset-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_data_func ("/dataset/good/raw", GINT_TO_POINTER (FALSE), test_good);
  g_test_add_data_func ("/dataset/good/gz", GINT_TO_POINTER (TRUE), test_good);
  g_test_add_func ("/dataset/good/misnamed", test_good_misnamed);
  g_test_add_func ("/dataset/good/gzip-members", test_good_gzip_members);
  g_test_add_data_func ("/dataset/good/large-raw", GINT_TO_POINTER (FALSE), test_good_large);
  g_test_add_data_func ("/dataset/good/large-gz", GINT_TO_POINTER (TRUE), test_good_large);
  g_test_add_func ("/dataset/mnist-dir", test_mnist_dir);
  g_test_add_func ("/dataset/mnist-dir-missing", test_mnist_dir_missing);
  g_test_add_func ("/dataset/find-mnist", test_find_mnist);
  g_test_add_func ("/dataset/slice", test_slice);
  g_test_add_func ("/dataset/bad/magic", test_bad_magic);
  g_test_add_func ("/dataset/bad/dims", test_bad_dims);
  g_test_add_func ("/dataset/bad/count-huge", test_bad_count_huge);
  g_test_add_func ("/dataset/bad/count-lie", test_bad_count_lie);
  g_test_add_func ("/dataset/bad/count-lie/subprocess", test_bad_count_lie_subprocess);
  g_test_add_func ("/dataset/bad/truncated-header", test_bad_truncated_header);
  g_test_add_data_func ("/dataset/bad/truncated-data-raw", GINT_TO_POINTER (FALSE),
                        test_bad_truncated_data);
  g_test_add_data_func ("/dataset/bad/truncated-data-gz", GINT_TO_POINTER (TRUE),
                        test_bad_truncated_data);
  g_test_add_data_func ("/dataset/bad/trailing-raw", GINT_TO_POINTER (FALSE), test_bad_trailing);
  g_test_add_data_func ("/dataset/bad/trailing-gz", GINT_TO_POINTER (TRUE), test_bad_trailing);
  g_test_add_func ("/dataset/bad/label", test_bad_label);
  g_test_add_func ("/dataset/bad/count-mismatch", test_bad_count_mismatch);
  g_test_add_func ("/dataset/bad/gzip", test_bad_gzip);
  g_test_add_func ("/dataset/bad/gzip-every-byte", test_bad_gzip_every_byte);
  g_test_add_func ("/dataset/bad/empty", test_bad_empty);
  g_test_add_func ("/dataset/bad/missing", test_bad_missing);
  g_test_add_func ("/dataset/real-mnist", test_real_mnist);

  status = g_test_run ();

  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (real_mnist_dir);
  return status;
}

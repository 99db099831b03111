/* test-my-digits.c — the person's examples on disk: numbering, never overwriting, foreign
 * and damaged files skipped by name and left alone, Undo, relabel, import/export, the
 * 28×28 inputs being the classify path's, and a full or read-only disk losing nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* unshare */
#endif
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "digits-my-digits.h"
#include "digits-preprocess.h"
#include "test-util.h"

static char *tmp_root;

static char *
fresh_dir (const char *name)
{
  char *dir = g_build_filename (tmp_root, name, NULL);

  test_remove_tree (dir);
  return dir;
}

static cairo_status_t
append_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A drawn digit as PNG bytes: black ink on white paper, 160 × 200, like a canvas. */
static GBytes *
drawn_png (int digit, double wobble)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 160, 200);
  cairo_t *cr = cairo_create (s);
  g_autoptr(GByteArray) out = g_byte_array_new ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 16);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  if (digit == 0)
    {
      cairo_save (cr);
      cairo_translate (cr, 80, 100);
      cairo_scale (cr, 45 + wobble, 70);
      cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
      cairo_restore (cr);
    }
  else
    {
      cairo_move_to (cr, 80 + wobble, 30);
      cairo_line_to (cr, 80 - wobble, 170);
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (s, append_cb, out), ==, 0);
  cairo_surface_destroy (s);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
write_file (const char *dir, const char *rel, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

static void
assert_file_bytes (const char *dir, const char *rel, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *got = NULL;
  gsize got_len = 0;

  g_assert_true (g_file_get_contents (path, &got, &got_len, NULL));
  g_assert_cmpmem (got, got_len, data, len);
}

static gboolean
messages_name (GPtrArray *messages, const char *rel, const char *why)
{
  for (guint i = 0; i < messages->len; i++)
    {
      const char *m = g_ptr_array_index (messages, i);
      if (strstr (m, rel) != NULL && strstr (m, why) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_add_numbers (void)
{
  g_autofree char *dir = fresh_dir ("add");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 0);
  g_autoptr(GBytes) zero = drawn_png (0, 0);
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (digits_my_digits_total (store), ==, 0);   /* made on the first add */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  a = digits_my_digits_add_png (store, 1, one, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "0001.png");
  b = digits_my_digits_add_png (store, 1, one, &error);
  g_assert_cmpstr (b, ==, "0002.png");
  assert_file_bytes (dir, "1/0001.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));

  /* Another program's 0007.png is never replaced: the next number is 8. */
  write_file (dir, "0/0007.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));
  g_assert_true (digits_my_digits_rescan (store, &error));
  c = digits_my_digits_add_png (store, 0, one, &error);
  g_assert_cmpstr (c, ==, "0008.png");
  assert_file_bytes (dir, "0/0007.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));
  g_assert_cmpuint (digits_my_digits_count (store, 0), ==, 2);
  g_assert_cmpuint (digits_my_digits_count (store, 1), ==, 2);
  g_assert_cmpuint (digits_my_digits_total (store), ==, 4);
  g_assert_cmpstr (g_ptr_array_index (digits_my_digits_list (store, 0), 0), ==, "0007.png");

  /* Not a PNG, not a digit: refused before anything is written. */
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  g_assert_null (digits_my_digits_add_png (store, 3, text, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "An example must be a PNG image");
  g_clear_error (&error);
  g_assert_null (digits_my_digits_add_png (store, 10, one, &error));
  g_assert_cmpstr (error->message, ==, "10 is not a digit from 0 to 9");
  g_clear_error (&error);
  g_autofree char *three = g_build_filename (dir, "3", NULL);
  g_assert_false (g_file_test (three, G_FILE_TEST_EXISTS));
}

static void
test_add_surface_and_pixels (void)
{
  g_autofree char *dir = fresh_dir ("surface");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 120, 150);
  cairo_t *cr = cairo_create (s);
  guint8 input_a[DIGITS_PIXELS], input_b[DIGITS_PIXELS];
  g_autofree guint8 *rgba = g_new (guint8, 120 * 150 * 4);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 12);
  cairo_move_to (cr, 60, 20);
  cairo_line_to (cr, 60, 130);
  cairo_stroke (cr);
  cairo_destroy (cr);
  g_autofree char *a = digits_my_digits_add_surface (store, 1, s, &error);
  g_assert_no_error (error);

  /* The same picture as RGBA bytes (white paper, black ink). */
  cairo_surface_flush (s);
  for (int y = 0; y < 150; y++)
    for (int x = 0; x < 120; x++)
      {
        guint32 px = *(guint32 *) (cairo_image_surface_get_data (s)
                                   + y * cairo_image_surface_get_stride (s) + x * 4);
        guint8 v = (guint8) (px & 0xff);
        guint8 *o = rgba + (y * 120 + x) * 4;
        o[0] = o[1] = o[2] = v;
        o[3] = 255;
      }
  cairo_surface_destroy (s);
  g_autofree char *b = digits_my_digits_add_pixels (store, 1, rgba, 120, 150, 480, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b, ==, "0002.png");

  g_autofree char *pa = digits_my_digits_path (store, 1, a);
  g_autofree char *pb = digits_my_digits_path (store, 1, b);
  g_assert_true (digits_my_digits_read_example (pa, input_a, &error));
  g_assert_true (digits_my_digits_read_example (pb, input_b, &error));
  g_assert_cmpmem (input_a, DIGITS_PIXELS, input_b, DIGITS_PIXELS);
}

/* Every kind of foreign or damaged entry: skipped by name, and still there, unchanged. */
static void
test_foreign_files (void)
{
  g_autofree char *dir = fresh_dir ("foreign");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 3);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = NULL;
  gsize len = g_bytes_get_size (one);
  const guint8 *png = g_bytes_get_data (one, NULL);
  g_autofree char *big = NULL, *loop_a = NULL, *loop_b = NULL, *sub = NULL, *noread = NULL;

  write_file (dir, "1/0001.png", png, len);
  write_file (dir, "1/notes.txt", "hi", 2);
  write_file (dir, "1/0002.png", "", 0);
  write_file (dir, "1/0003.png", "GIF89a not really", 17);
  write_file (dir, "1/0004.png", png, len / 2);                  /* cut short */
  write_file (dir, "1/12.png", png, len);                        /* too few digits */
  write_file (dir, "README", "mine", 4);
  write_file (dir, "x/0001.png", png, len);
  write_file (dir, "7", "a file where a class folder goes", 32);
  big = g_build_filename (dir, "1", "0005.png", NULL);
  write_file (dir, "1/0005.png", png, len);
  g_assert_cmpint (truncate (big, 9 * 1024 * 1024), ==, 0);
  loop_a = g_build_filename (dir, "1", "0006.png", NULL);
  loop_b = g_build_filename (dir, "1", "0007.png", NULL);
  g_assert_cmpint (symlink (loop_b, loop_a), ==, 0);
  g_assert_cmpint (symlink (loop_a, loop_b), ==, 0);
  sub = g_build_filename (dir, "1", "0008.png", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);

  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_assert_no_error (error);
  GPtrArray *skipped = digits_my_digits_skipped (store);
  g_assert_true (messages_name (skipped, "“1/notes.txt” is skipped",
                                "its name is not a number like 0001.png"));
  g_assert_true (messages_name (skipped, "“1/12.png”", "not a number like 0001.png"));
  g_assert_true (messages_name (skipped, "“1/0002.png”", "the file is empty"));
  g_assert_true (messages_name (skipped, "“1/0005.png”", "too large for a drawing"));
  g_assert_true (messages_name (skipped, "“1/0006.png”", "symbolic link"));
  g_assert_true (messages_name (skipped, "“1/0007.png”", "symbolic link"));
  g_assert_true (messages_name (skipped, "“1/0008.png”", "a folder inside a class folder"));
  g_assert_true (messages_name (skipped, "“README”", "only the class folders 0 to 9"));
  g_assert_true (messages_name (skipped, "“x”", "only the class folders 0 to 9"));
  g_assert_true (messages_name (skipped, "“7”", "a class must be a folder"));
  g_assert_cmpuint (skipped->len, ==, 10);
  /* 0001, 0003 (not a PNG) and 0004 (cut short) look like examples until read. */
  g_assert_cmpuint (digits_my_digits_count (store, 1), ==, 3);

  g_autoptr(DigitsDataset) set = digits_my_digits_load (store, messages, &names, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->n, ==, 1);
  g_assert_cmpuint (set->labels[0], ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "1/0001.png");
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_true (messages_name (messages, "“1/0003.png” is skipped", "not a PNG image"));
  g_assert_true (messages_name (messages, "“1/0004.png” is skipped", "not an image Digits"));

  /* A new example takes a number none of them has; all of them are still there. */
  g_autofree char *added = digits_my_digits_add_png (store, 1, one, &error);
  g_assert_cmpstr (added, ==, "0009.png");
  assert_file_bytes (dir, "1/notes.txt", "hi", 2);
  assert_file_bytes (dir, "1/0002.png", "", 0);
  assert_file_bytes (dir, "1/0003.png", "GIF89a not really", 17);
  assert_file_bytes (dir, "1/0004.png", png, len / 2);
  assert_file_bytes (dir, "README", "mine", 4);
  g_assert_true (g_file_test (big, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (loop_a, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (sub, G_FILE_TEST_IS_DIR));

  /* An unreadable file (root reads anything, so only when not root). */
  if (geteuid () != 0)
    {
      noread = g_build_filename (dir, "2", "0001.png", NULL);
      write_file (dir, "2/0001.png", png, len);
      g_assert_cmpint (g_chmod (noread, 0), ==, 0);
      g_assert_true (digits_my_digits_rescan (store, &error));
      g_ptr_array_set_size (messages, 0);
      g_autoptr(DigitsDataset) again = digits_my_digits_load (store, messages, NULL, NULL,
                                                              &error);
      g_assert_cmpuint (again->n, ==, 2);   /* 1/0001 and 1/0009 */
      g_assert_true (messages_name (messages, "“2/0001.png”", "cannot be read"));
      g_chmod (noread, 0644);
    }

  /* The store's folder being a file is an error, not an empty store. */
  g_autofree char *file = g_build_filename (dir, "README", NULL);
  g_assert_null (digits_my_digits_open (file, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "README"));
}

static void
test_delete_restore_relabel (void)
{
  g_autofree char *dir = fresh_dir ("delete");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 5);
  g_autoptr(GBytes) zero = drawn_png (0, 0);
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_autofree char *a = digits_my_digits_add_png (store, 7, one, &error);
  g_autofree char *b = digits_my_digits_add_png (store, 7, zero, &error);
  g_autofree char *path = digits_my_digits_path (store, 7, a);

  g_autoptr(DigitsRemovedExample) removed = digits_my_digits_delete (store, 7, a, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (digits_my_digits_count (store, 7), ==, 1);
  g_assert_true (g_bytes_equal (removed->png, one));

  g_autofree char *back = digits_my_digits_restore (store, removed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back, ==, "0001.png");
  assert_file_bytes (dir, "7/0001.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));

  /* Undo after the name was taken again: the next free one, nothing replaced. */
  g_autoptr(DigitsRemovedExample) again = digits_my_digits_delete (store, 7, a, &error);
  write_file (dir, "7/0001.png", "other", 5);
  g_autofree char *moved_back = digits_my_digits_restore (store, again, &error);
  g_assert_cmpstr (moved_back, ==, "0003.png");
  assert_file_bytes (dir, "7/0001.png", "other", 5);

  /* Deleting what is not listed fails and touches nothing. */
  g_assert_null (digits_my_digits_delete (store, 7, "0001.png", &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There is no example “0001.png” of 7");
  g_clear_error (&error);

  /* Relabel into a class that has files: a new number there, the old one gone. */
  write_file (dir, "1/0001.png", "someone's", 9);
  g_assert_true (digits_my_digits_rescan (store, &error));
  g_autofree char *relabelled = digits_my_digits_relabel (store, 7, b, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (relabelled, ==, "0002.png");
  assert_file_bytes (dir, "1/0001.png", "someone's", 9);
  assert_file_bytes (dir, "1/0002.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));
  g_autofree char *old = digits_my_digits_path (store, 7, b);
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (digits_my_digits_count (store, 7), ==, 2)   /* 0001 (other) and 0003 */;
  g_assert_cmpuint (digits_my_digits_count (store, 1), ==, 2);
}

static void
test_import_export (void)
{
  g_autofree char *src = fresh_dir ("import-src");
  g_autofree char *dir = fresh_dir ("import-store");
  g_autofree char *out = fresh_dir ("export");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 0);
  g_autoptr(GBytes) zero = drawn_png (0, 4);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);

  write_file (src, "0/0001.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));
  write_file (src, "1/0004.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));
  write_file (src, "1/0005.png", "junk", 4);
  write_file (src, "1/photo.jpg", "junk", 4);

  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_autofree char *mine = digits_my_digits_add_png (store, 1, zero, &error);
  g_assert_cmpstr (mine, ==, "0001.png");
  g_assert_cmpint (digits_my_digits_import (store, src, messages, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_true (messages_name (messages, "“1/0005.png” is skipped", "not a PNG image"));
  g_assert_true (messages_name (messages, "“1/photo.jpg” is skipped", "not a number"));
  assert_file_bytes (dir, "1/0001.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));
  assert_file_bytes (dir, "1/0002.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));
  assert_file_bytes (dir, "0/0001.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));

  /* Export into a folder that already holds a 1: nothing there is replaced. */
  write_file (out, "1/0001.png", "keep", 4);
  g_ptr_array_set_size (messages, 0);
  g_assert_cmpint (digits_my_digits_export (store, out, messages, &error), ==, 3);
  assert_file_bytes (out, "1/0001.png", "keep", 4);
  assert_file_bytes (out, "1/0003.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));
  assert_file_bytes (out, "0/0001.png", g_bytes_get_data (zero, NULL), g_bytes_get_size (zero));

  g_assert_cmpint (digits_my_digits_import (store, dir, messages, &error), ==, -1);
  g_assert_cmpstr (error->message, ==, "That is the folder of your digits itself");
  g_clear_error (&error);
  g_autofree char *missing = g_build_filename (tmp_root, "nowhere", NULL);
  g_assert_cmpint (digits_my_digits_import (store, missing, messages, &error), ==, -1);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
}

/* The example's input is exactly what digits-cli classify feeds the network. */
static void
test_load_is_classify_path (void)
{
  g_autofree char *dir = fresh_dir ("load");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);

  for (int i = 0; i < 6; i++)
    {
      g_autoptr(GBytes) png = drawn_png (i % 2, i);
      g_autofree char *name = digits_my_digits_add_png (store, (guint) (i % 2) * 3, png, &error);
      g_assert_no_error (error);
      g_assert_nonnull (name);
    }
  g_autoptr(DigitsDataset) set = digits_my_digits_load (store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->n, ==, 6);
  for (guint i = 0; i < set->n; i++)
    {
      guint label = i < 3 ? 0 : 3;
      const char *name = g_ptr_array_index (digits_my_digits_list (store, label), i % 3);
      g_autofree char *path = digits_my_digits_path (store, label, name);
      g_autoptr(GArray) glyphs = digits_glyphs_from_file (path, &error);

      g_assert_cmpuint (set->labels[i], ==, label);
      g_assert_cmpuint (glyphs->len, ==, 1);
      for (int p = 0; p < DIGITS_PIXELS; p++)
        g_assert_cmpint (abs ((int) set->images[i * DIGITS_PIXELS + p]
                              - (int) lroundf (g_array_index (glyphs, DigitsGlyph, 0).input[p]
                                               * 255.0f)), <=, 1);
    }

  GCancellable *cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_assert_null (digits_my_digits_load (store, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (cancel);
}

/* Writes that cannot happen: a clear error, and every example already kept is intact. */
static void
assert_write_fails_keeping (DigitsMyDigits *store, const char *dir, GBytes *kept,
                            const char *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = drawn_png (0, 2);
  g_autofree char *name = digits_my_digits_add_png (store, 1, png, &error);

  g_assert_null (name);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Could not save your example in “"));
  g_assert_nonnull (strstr (error->message, why));
  g_assert_nonnull (strstr (error->message, "nothing already kept was changed"));
  assert_file_bytes (dir, "1/0001.png", g_bytes_get_data (kept, NULL), g_bytes_get_size (kept));
  g_assert_cmpuint (digits_my_digits_count (store, 1), ==, 1);

  /* No temporary file is left behind. */
  g_clear_error (&error);
  g_autoptr(DigitsMyDigits) again = digits_my_digits_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (digits_my_digits_skipped (again)->len, ==, 0);
  g_assert_cmpuint (digits_my_digits_total (again), ==, 1);
}

static void
test_full_disk_file_limit (void)
{
  g_autofree char *dir = fresh_dir ("full");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 0);
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_autofree char *a = digits_my_digits_add_png (store, 1, one, &error);
  g_assert_cmpstr (a, ==, "0001.png");
  struct rlimit old, small = { 64, 64 };

  /* A file-size limit fails writes the way a full disk does, for root too. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small.rlim_max = old.rlim_max;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  assert_write_fails_keeping (store, dir, one, "File too large");
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);
}

static void
test_path_under_a_file (void)
{
  g_autofree char *base = fresh_dir ("under-file");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 0);

  write_file (base, "plain", "x", 1);
  g_autofree char *dir = g_build_filename (base, "plain", "my-digits", NULL);
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_assert_no_error (error);
  g_assert_null (digits_my_digits_add_png (store, 4, one, &error));
  g_assert_cmpstr (strstr (error->message, "Not a directory"), !=, NULL);
  g_assert_true (g_str_has_prefix (error->message, "Could not make the folder “"));
  assert_file_bytes (base, "plain", "x", 1);
}

/* A folder without write permission (meaningless for root, who writes anyway: CI runs as
 * root, where path-under-a-file and real-mounts cover it). */
static void
test_read_only_folder (void)
{
  g_autofree char *dir = fresh_dir ("read-only");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 0);
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_autofree char *a = digits_my_digits_add_png (store, 1, one, &error);
  g_autofree char *class_dir = g_build_filename (dir, "1", NULL);

  if (geteuid () == 0)
    {
      g_test_skip ("running as root, which writes into read-only folders");
      return;
    }
  g_assert_cmpint (g_chmod (class_dir, 0555), ==, 0);
  assert_write_fails_keeping (store, dir, one, "Permission denied");
  g_assert_null (digits_my_digits_delete (store, 1, a, &error));
  g_assert_nonnull (strstr (error->message, "Permission denied"));
  g_chmod (class_dir, 0755);
  assert_file_bytes (dir, "1/0001.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));
}

/* A real read-only file system and a real full one: tmpfs mounts in a mount namespace of
 * this process's own, where the system allows it (root in CI; skipped elsewhere). */
static void
test_real_mounts (void)
{
  g_autofree char *ro = fresh_dir ("ro-mount");
  g_autofree char *full = fresh_dir ("full-mount");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = drawn_png (1, 0);

  if (unshare (CLONE_NEWNS) != 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      g_test_skip ("no mount namespace here (needs CAP_SYS_ADMIN); the file-size limit and "
                   "path-under-a-file cases stand in for a full and a read-only disk");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (ro, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (full, 0755), ==, 0);

  /* Read-only: an example is there, then the file system becomes read-only. */
  g_assert_cmpint (mount ("tmpfs", ro, "tmpfs", 0, "size=1m"), ==, 0);
  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (ro, &error);
  g_autofree char *a = digits_my_digits_add_png (store, 1, one, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mount (NULL, ro, NULL, MS_REMOUNT | MS_RDONLY, NULL), ==, 0);
  assert_write_fails_keeping (store, ro, one, "Read-only file system");
  g_autoptr(DigitsRemovedExample) removed = digits_my_digits_delete (store, 1, a, &error);
  g_assert_null (removed);
  g_assert_nonnull (strstr (error->message, "Read-only file system"));
  g_clear_error (&error);
  assert_file_bytes (ro, "1/0001.png", g_bytes_get_data (one, NULL), g_bytes_get_size (one));
  umount (ro);

  /* Full: fill a 64 KiB tmpfs with examples until one does not fit. */
  g_assert_cmpint (mount ("tmpfs", full, "tmpfs", 0, "size=64k"), ==, 0);
  g_autoptr(DigitsMyDigits) small = digits_my_digits_open (full, &error);
  guint kept = 0;
  for (;;)
    {
      g_autofree char *name = digits_my_digits_add_png (small, 1, one, &error);
      if (name == NULL)
        break;
      kept++;
    }
  g_assert_cmpuint (kept, >, 0);
  g_assert_nonnull (strstr (error->message, "No space left on device"));
  g_clear_error (&error);
  g_autoptr(DigitsMyDigits) reread = digits_my_digits_open (full, &error);
  g_assert_cmpuint (digits_my_digits_total (reread), ==, kept);
  g_assert_cmpuint (digits_my_digits_skipped (reread)->len, ==, 0);
  g_autoptr(DigitsDataset) set = digits_my_digits_load (reread, NULL, NULL, NULL, &error);
  g_assert_cmpuint (set->n, ==, kept);
  umount (full);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_root = g_dir_make_tmp ("digits-my-digits-XXXXXX", NULL);

  g_test_add_func ("/my-digits/add-numbers", test_add_numbers);
  g_test_add_func ("/my-digits/add-surface-and-pixels", test_add_surface_and_pixels);
  g_test_add_func ("/my-digits/foreign-files", test_foreign_files);
  g_test_add_func ("/my-digits/delete-restore-relabel", test_delete_restore_relabel);
  g_test_add_func ("/my-digits/import-export", test_import_export);
  g_test_add_func ("/my-digits/load-is-classify-path", test_load_is_classify_path);
  g_test_add_func ("/my-digits/full-disk-file-limit", test_full_disk_file_limit);
  g_test_add_func ("/my-digits/path-under-a-file", test_path_under_a_file);
  g_test_add_func ("/my-digits/read-only-folder", test_read_only_folder);
  g_test_add_func ("/my-digits/real-mounts", test_real_mounts);

  int status = g_test_run ();
  test_remove_tree (tmp_root);
  g_free (tmp_root);
  return status;
}

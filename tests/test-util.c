/* test-util.c — small helpers that several unit tests (and the fuzz corpus tool) share. */
#include "config.h"

#include "test-util.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "digits-preprocess.h"

void
test_put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

void
test_put_le32 (guint8 *p, guint32 v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

void
test_append_be32 (GByteArray *out, guint32 v)
{
  guint8 b[4];

  test_put_be32 (b, v);
  g_byte_array_append (out, b, 4);
}

GByteArray *
test_gzip_bytes (const guint8 *data, gsize len)
{
  z_stream z = { 0 };
  GByteArray *out = g_byte_array_new ();

  g_byte_array_set_size (out, (guint) compressBound ((uLong) len) + 64);
  g_assert_cmpint (deflateInit2 (&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                   ==, Z_OK);
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) len;
  z.next_out = out->data;
  z.avail_out = out->len;
  g_assert_cmpint (deflate (&z, Z_FINISH), ==, Z_STREAM_END);
  g_byte_array_set_size (out, (guint) z.total_out);
  deflateEnd (&z);
  return out;
}

gboolean
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_remove (path) == 0;
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        test_remove_tree (child);
      }
  return g_rmdir (path) == 0;
}

double
test_mean_abs_diff (const float *a, const float *b)
{
  double sum = 0;

  for (int i = 0; i < DIGITS_PIXELS; i++)
    sum += fabs (a[i] - b[i]);
  return sum / DIGITS_PIXELS;
}

void
test_kill_saving_child (const DigitsModel *a, const DigitsModel *b, const char *path,
                        GRand *rand, int min_us, int max_us)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      for (int k = 0;; k++)
        if (!digits_model_save (k % 2 ? a : b, path, NULL))
          _exit (3);
    }
  g_usleep ((gulong) g_rand_int_range (rand, min_us, max_us));
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
}

gint64
test_bytes_read (void)
{
  g_autofree char *io = NULL;
  const char *rchar;

  if (!g_file_get_contents ("/proc/self/io", &io, NULL, NULL)
      || (rchar = strstr (io, "rchar: ")) == NULL)
    return -1;
  return g_ascii_strtoll (rchar + 7, NULL, 10);
}

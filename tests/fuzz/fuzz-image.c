/* fuzz-image.c — image files as Digits opens them: the bytes go to a file and
 * digits_glyphs_from_file sniffs, size-checks, decodes (gdk-pixbuf, any format it has a
 * loader for) and reads the digits. The answer must be glyphs or a DIGITS_ERROR.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "digits-dataset.h"
#include "digits-preprocess.h"
#include "fuzz.h"

static char *tmp_path;

static void
remove_tmp (void)
{
  g_unlink (tmp_path);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("digits-fuzz-image-XXXXXX", &tmp_path, &error);

  g_assert_no_error (error);
  close (fd);
  atexit (remove_tmp);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) glyphs = NULL;
  int fd = open (tmp_path, O_WRONLY | O_TRUNC | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, size), ==, (gssize) size);
  close (fd);

  glyphs = digits_glyphs_from_file (tmp_path, &error);
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

      g_assert_cmpint (g->width, >, 0);
      g_assert_cmpint (g->height, >, 0);
      for (int p = 0; p < DIGITS_PIXELS; p++)
        g_assert_true (g->input[p] >= 0.0f && g->input[p] <= 1.0f);
    }
  return 0;
}

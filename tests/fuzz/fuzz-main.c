/* fuzz-main.c — runs a fuzz target once on each file given, or on each file in each
 * folder given, without libFuzzer: this is how `meson test` replays the corpus with
 * any compiler, sanitizers or not. Arguments that start with '-' are libFuzzer's and
 * ignored here, so the same command line works for both kinds of build.
 */
#include "config.h"

#include <stdio.h>

#include <glib.h>

#include "fuzz.h"

static gboolean
run_file (const char *path, guint *n_run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  (*n_run)++;
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
run_dir (const char *path, guint *n_run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  gboolean ok = TRUE;

  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);   /* the same order every run */
  for (guint i = 0; i < names->len; i++)
    if (!g_file_test (names->pdata[i], G_FILE_TEST_IS_DIR))
      ok = run_file (names->pdata[i], n_run) && ok;
  return ok;
}

int
main (int argc, char **argv)
{
  guint n_run = 0;
  gboolean ok = TRUE;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      if (argv[i][0] == '-')
        continue;
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        ok = run_dir (argv[i], &n_run) && ok;
      else
        ok = run_file (argv[i], &n_run) && ok;
    }
  printf ("%s: %u inputs run\n", argv[0], n_run);
  if (n_run == 0)
    {
      g_printerr ("%s: no input given\n", argv[0]);
      return 1;
    }
  return ok ? 0 : 1;
}

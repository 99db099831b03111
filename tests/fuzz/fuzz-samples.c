/* fuzz-samples.c — a folder of the person's digits as Digits finds it: the input describes
 * entries (class folder, name, kind, contents) that are made in a fresh folder, which is
 * then scanned and loaded and given one new example. Whatever the names, sizes and formats:
 * no crash, every entry accounted for (loaded or skipped with a message), and every file
 * that was there is still there with the same bytes — nothing deleted or overwritten.
 *
 * Input: entries, each  kind (1 byte) | class (1) | name length (1) | name | size (2, LE) |
 * contents. kind % 5: 0 file in a class folder, 1 folder, 2 symbolic link (to contents as
 * a path), 3 named pipe, 4 file at the top.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "digits-my-digits.h"
#include "fuzz.h"
#include "test-util.h"

static char *root;
static char *dir;

static void
remove_root (void)
{
  test_remove_tree (root);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  root = g_dir_make_tmp ("digits-fuzz-samples-XXXXXX", NULL);
  g_assert_nonnull (root);
  dir = g_build_filename (root, "my-digits", NULL);
  atexit (remove_root);
  return 0;
}

/* Names from a small alphabet, so they stay in the folder; digits and ".png" are common so
 * the interesting names (0001.png, 12.png, 00000001.png) come up. */
static char *
make_name (const guint8 *p, guint len)
{
  static const char alphabet[] = "0123456789012345.png.pngabcXYZ-_~";
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < len; i++)
    g_string_append_c (s, alphabet[p[i] % (sizeof alphabet - 1)]);
  if (s->len == 0 || g_str_equal (s->str, ".") || g_str_equal (s->str, ".."))
    g_string_append (s, "0001.png");
  return g_string_free (s, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  size_t at = 0;

  test_remove_tree (dir);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);

  for (guint entry = 0; entry < 64 && at + 3 <= size; entry++)
    {
      guint kind = data[at] % 5, label = data[at + 1] % 12, name_len = data[at + 2] % 16;
      g_autofree char *name = NULL;
      g_autofree char *parent = NULL;
      g_autofree char *path = NULL;
      guint len;

      at += 3;
      if (at + name_len + 2 > size)
        break;
      name = make_name (data + at, name_len);
      at += name_len;
      len = MIN ((guint) (data[at] | data[at + 1] << 8), size - at - 2);
      at += 2;

      /* Class 10 and 11 are folders that are not classes. */
      parent = kind == 4 ? g_strdup (dir) : g_strdup_printf ("%s/%u", dir, label);
      g_mkdir_with_parents (parent, 0755);
      path = g_build_filename (parent, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        {
          at += len;
          continue;
        }
      switch (kind)
        {
        case 0:
        case 4:
          if (g_file_set_contents (path, (const char *) data + at, len, NULL))
            g_hash_table_insert (files, g_strdup (path), g_bytes_new (data + at, len));
          break;
        case 1:
          g_mkdir (path, 0755);
          break;
        case 2:
          {
            g_autofree char *target = g_strndup ((const char *) data + at, len);
            if (symlink (target, path) != 0)
              g_assert_cmpint (errno, !=, 0);
          }
          break;
        default:
          mkfifo (path, 0644);
          break;
        }
      at += len;
    }

  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_assert_no_error (error);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DigitsDataset) set = digits_my_digits_load (store, messages, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Every listed example was either loaded or named in a message. */
  g_assert_cmpuint (set->n + messages->len, ==, digits_my_digits_total (store));
  for (guint i = 0; i < set->n; i++)
    g_assert_cmpuint (set->labels[i], <, 10);
  for (guint i = 0; i < messages->len; i++)
    g_assert_nonnull (strstr (g_ptr_array_index (messages, i), "” is skipped: "));

  /* A new example goes to a fresh name. */
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (png, sizeof png);
  g_autofree char *added = digits_my_digits_add_png (store, 3, bytes, &error);
  if (added != NULL)
    {
      g_autofree char *path = digits_my_digits_path (store, 3, added);
      g_assert_false (g_hash_table_contains (files, path));
    }

  /* Nothing that was there is gone or changed. */
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (key, &contents, &len, NULL));
      g_assert_cmpmem (contents, len, g_bytes_get_data (value, NULL), g_bytes_get_size (value));
    }
  return 0;
}

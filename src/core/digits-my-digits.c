/* digits-my-digits.c — the person's examples on disk (see digits-my-digits.h): the
 * folder scanned, what it holds listed, and why an entry is skipped. Writing an example:
 * digits-my-digits-write.c; reading them out, import and export: -import.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "digits-my-digits-private.h"

const guint8 digits_my_digits_png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

char *
digits_my_digits_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "digits", "my-digits", NULL);
}

/* "0007.png" → 7: four to eight ASCII digits, then ".png". */
gboolean
digits_my_digits_parse_name (const char *name, guint *number)
{
  gsize digits = 0;
  guint64 v = 0;

  while (g_ascii_isdigit (name[digits]))
    v = v * 10 + (guint64) (name[digits++] - '0');
  if (digits < 4 || digits > 8 || strcmp (name + digits, ".png") != 0)
    return FALSE;
  *number = (guint) v;
  return TRUE;
}

gint
digits_my_digits_compare_names (gconstpointer a, gconstpointer b)
{
  guint na = 0, nb = 0;

  digits_my_digits_parse_name (*(const char *const *) a, &na);
  digits_my_digits_parse_name (*(const char *const *) b, &nb);
  return (na > nb) - (na < nb);
}

static void
skip (DigitsMyDigits *self, const char *relative, const char *why)
{
  g_autofree char *display = g_filename_display_name (relative);

  /* TRANSLATORS: a file in the person's digits folder that is left alone, and why */
  g_ptr_array_add (self->skipped, g_strdup_printf (_("“%s” is skipped: %s"), display, why));
}

/* Why a folder entry cannot be an example, or NULL when it can. */
const char *
digits_my_digits_entry_fault (const char *path, guint64 *size, char **owned)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return *owned = g_strdup_printf (_("it cannot be read (%s)"), g_strerror (errno));
  if (S_ISLNK (st.st_mode))
    return _("it is a symbolic link, which Digits does not follow here");
  if (S_ISDIR (st.st_mode))
    return _("it is a folder inside a class folder");
  if (!S_ISREG (st.st_mode))
    return _("it is not a regular file");
  if (st.st_size == 0)
    return _("the file is empty");
  if ((guint64) st.st_size > DIGITS_MY_DIGITS_MAX_FILE)
    return *owned = g_strdup_printf (_("it is too large for a drawing (%llu bytes; at most %u)"),
                                     (unsigned long long) st.st_size,
                                     DIGITS_MY_DIGITS_MAX_FILE);
  *size = (guint64) st.st_size;
  return NULL;
}

static void
scan_class (DigitsMyDigits *self, guint label, const char *class_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (class_dir, 0, &error);
  char rel_dir[4];
  const char *name;

  g_snprintf (rel_dir, sizeof rel_dir, "%u", label);
  if (dir == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("the folder cannot be read (%s)"),
                                              error->message);
      skip (self, rel_dir, why);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (class_dir, name, NULL);
      g_autofree char *rel = g_build_filename (rel_dir, name, NULL);
      g_autofree char *owned = NULL;
      guint64 size = 0;
      guint number;
      const char *fault;

      if (!digits_my_digits_parse_name (name, &number))
        {
          skip (self, rel, _("its name is not a number like 0001.png"));
          continue;
        }
      /* Even a damaged file keeps its number: a new example never takes it. */
      self->next[label] = MAX (self->next[label], MIN (number, DIGITS_MY_DIGITS_MAX_NUMBER) + 1);
      fault = digits_my_digits_entry_fault (path, &size, &owned);
      if (fault != NULL)
        {
          skip (self, rel, fault);
          continue;
        }
      g_ptr_array_add (self->names[label], g_strdup (name));
    }
  g_ptr_array_sort (self->names[label], digits_my_digits_compare_names);
}

gboolean
digits_my_digits_rescan (DigitsMyDigits *self, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (self != NULL, FALSE);

  for (guint c = 0; c < DIGITS_MY_DIGITS_CLASSES; c++)
    {
      g_ptr_array_set_size (self->names[c], 0);
      self->next[c] = 1;
    }
  g_ptr_array_set_size (self->skipped, 0);

  if (!g_file_test (self->dir, G_FILE_TEST_EXISTS))
    return TRUE;
  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL)
    {
      g_autofree char *display = g_filename_display_name (self->dir);
      g_set_error (error, DIGITS_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR)
                   ? DIGITS_ERROR_UNSUPPORTED : DIGITS_ERROR_FAILED,
                   _("The folder of your digits “%s” cannot be read: %s"), display,
                   local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);
      GStatBuf st;

      if (name[0] >= '0' && name[0] <= '9' && name[1] == '\0')
        {
          if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
            scan_class (self, (guint) (name[0] - '0'), path);
          else
            skip (self, name, _("a class must be a folder, not a file or link"));
        }
      else
        skip (self, name, _("only the class folders 0 to 9 belong here"));
    }
  g_ptr_array_sort (self->skipped, (GCompareFunc) g_strcmp0);
  return TRUE;
}

DigitsMyDigits *
digits_my_digits_open (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr(DigitsMyDigits) self = g_new0 (DigitsMyDigits, 1);
  self->dir = g_strdup (dir);
  for (guint c = 0; c < DIGITS_MY_DIGITS_CLASSES; c++)
    self->names[c] = g_ptr_array_new_with_free_func (g_free);
  self->skipped = g_ptr_array_new_with_free_func (g_free);
  if (!digits_my_digits_rescan (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
digits_my_digits_free (DigitsMyDigits *self)
{
  if (self == NULL)
    return;
  for (guint c = 0; c < DIGITS_MY_DIGITS_CLASSES; c++)
    g_clear_pointer (&self->names[c], g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_free (self->dir);
  g_free (self);
}

const char *
digits_my_digits_get_dir (const DigitsMyDigits *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

GPtrArray *
digits_my_digits_list (const DigitsMyDigits *self, guint label)
{
  g_return_val_if_fail (self != NULL && label < DIGITS_MY_DIGITS_CLASSES, NULL);
  return self->names[label];
}

guint
digits_my_digits_count (const DigitsMyDigits *self, guint label)
{
  g_return_val_if_fail (self != NULL && label < DIGITS_MY_DIGITS_CLASSES, 0);
  return self->names[label]->len;
}

guint
digits_my_digits_total (const DigitsMyDigits *self)
{
  guint total = 0;

  g_return_val_if_fail (self != NULL, 0);
  for (guint c = 0; c < DIGITS_MY_DIGITS_CLASSES; c++)
    total += self->names[c]->len;
  return total;
}

GPtrArray *
digits_my_digits_skipped (const DigitsMyDigits *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->skipped;
}

char *
digits_my_digits_path (const DigitsMyDigits *self, guint label, const char *name)
{
  char class_name[4];

  g_return_val_if_fail (self != NULL && label < DIGITS_MY_DIGITS_CLASSES, NULL);
  g_snprintf (class_name, sizeof class_name, "%u", label);
  return g_build_filename (self->dir, class_name, name, NULL);
}

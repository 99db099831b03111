/* digits-my-digits.c — the person's examples on disk (see digits-my-digits.h).
 *
 * Nothing here removes or replaces a file it was not asked to: new files are written to a
 * temporary name and renamed with RENAME_NOREPLACE (or linked, where the file system has no
 * such rename), so two writers, or another program, can never lose one another's examples.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* renameat2 */
#endif
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "digits-my-digits.h"

struct _DigitsMyDigits
{
  char *dir;
  GPtrArray *names[DIGITS_MY_DIGITS_CLASSES];   /* char *, in number order */
  guint next[DIGITS_MY_DIGITS_CLASSES];         /* above every number taken */
  GPtrArray *skipped;                           /* char * messages */
};

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

char *
digits_my_digits_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "digits", "my-digits", NULL);
}

/* "0007.png" → 7: four to eight ASCII digits, then ".png". */
static gboolean
parse_name (const char *name, guint *number)
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

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  guint na = 0, nb = 0;

  parse_name (*(const char *const *) a, &na);
  parse_name (*(const char *const *) b, &nb);
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
static const char *
entry_fault (const char *path, guint64 *size, char **owned)
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
    return *owned = g_strdup_printf (_("it is too large for a drawing (%" G_GUINT64_FORMAT
                                       " bytes; at most %u)"),
                                     (guint64) st.st_size, DIGITS_MY_DIGITS_MAX_FILE);
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

      if (!parse_name (name, &number))
        {
          skip (self, rel, _("its name is not a number like 0001.png"));
          continue;
        }
      /* Even a damaged file keeps its number: a new example never takes it. */
      self->next[label] = MAX (self->next[label], MIN (number, DIGITS_MY_DIGITS_MAX_NUMBER) + 1);
      fault = entry_fault (path, &size, &owned);
      if (fault != NULL)
        {
          skip (self, rel, fault);
          continue;
        }
      g_ptr_array_add (self->names[label], g_strdup (name));
    }
  g_ptr_array_sort (self->names[label], compare_names);
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

static gboolean
is_listed (const DigitsMyDigits *self, guint label, const char *name, guint *index)
{
  return g_ptr_array_find_with_equal_func (self->names[label], name, g_str_equal, index);
}

static void
set_write_error (GError **error, const char *folder, int saved_errno)
{
  g_autofree char *display = g_filename_display_name (folder);

  g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
               _("Could not save your example in “%s”: %s; nothing already kept was "
                 "changed"), display, g_strerror (saved_errno));
}

/* Moves from → class_dir/<a free number>.png without ever replacing a file; tries
 * wanted (a name) first when given. Returns the name, or NULL with errno set. */
static char *
move_to_free_name (DigitsMyDigits *self, guint label, const char *from, const char *wanted)
{
  g_autofree char *class_dir = digits_my_digits_path (self, label, NULL);
  guint number;
  gboolean use_wanted = wanted != NULL && parse_name (wanted, &number);

  for (guint tries = 0; tries < 10000; tries++)
    {
      g_autofree char *name = NULL;
      g_autofree char *to = NULL;

      if (tries == 0 && use_wanted)
        name = g_strdup (wanted);
      else if (self->next[label] > DIGITS_MY_DIGITS_MAX_NUMBER)
        {
          errno = ENOSPC;
          return NULL;
        }
      else
        name = g_strdup_printf ("%04u.png", self->next[label]++);
      to = g_build_filename (class_dir, name, NULL);

      if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        {
          if (parse_name (name, &number))
            self->next[label] = MAX (self->next[label], number + 1);
          return g_steal_pointer (&name);
        }
      if (errno == EINVAL || errno == ENOSYS)
        {
          /* No RENAME_NOREPLACE here; a hard link also refuses to replace a file. */
          if (link (from, to) == 0)
            {
              g_unlink (from);
              return g_steal_pointer (&name);
            }
        }
      if (errno != EEXIST)
        return NULL;
    }
  errno = EEXIST;
  return NULL;
}

static gboolean
make_class_dir (DigitsMyDigits *self, guint label, GError **error)
{
  g_autofree char *class_dir = digits_my_digits_path (self, label, NULL);

  if (g_mkdir_with_parents (class_dir, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (class_dir);
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Could not make the folder “%s” for your examples: %s"), display,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Writes all of data to fd and syncs it; FALSE with errno set. */
static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gssize done = write (fd, data, len);

      if (done < 0 && errno == EINTR)
        continue;
      if (done <= 0)
        {
          if (done == 0)
            errno = EIO;
          return FALSE;
        }
      data += done;
      len -= (gsize) done;
    }
  return fsync (fd) == 0;
}

/* Writes bytes as a new example: whole and synced under a temporary name first. */
static char *
write_new (DigitsMyDigits *self, guint label, const guint8 *data, gsize len,
           const char *wanted, GError **error)
{
  g_autofree char *class_dir = NULL;
  g_autofree char *tmp = NULL;
  char *name;
  int fd, saved;

  if (!make_class_dir (self, label, error))
    return NULL;
  class_dir = digits_my_digits_path (self, label, NULL);
  tmp = g_build_filename (class_dir, ".new-XXXXXX.png", NULL);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      set_write_error (error, class_dir, errno);
      return NULL;
    }
  if (!write_all (fd, data, len))
    {
      saved = errno;
      close (fd);
      g_unlink (tmp);
      set_write_error (error, class_dir, saved);
      return NULL;
    }
  if (close (fd) != 0)
    {
      saved = errno;
      g_unlink (tmp);
      set_write_error (error, class_dir, saved);
      return NULL;
    }
  name = move_to_free_name (self, label, tmp, wanted);
  if (name == NULL)
    {
      saved = errno;
      g_unlink (tmp);
      set_write_error (error, class_dir, saved);
      return NULL;
    }
  g_ptr_array_add (self->names[label], g_strdup (name));
  g_ptr_array_sort (self->names[label], compare_names);
  return name;
}

static gboolean
check_label (guint label, GError **error)
{
  if (label >= DIGITS_MY_DIGITS_CLASSES)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("%u is not a digit from 0 to 9"), label);
      return FALSE;
    }
  return TRUE;
}

char *
digits_my_digits_add_png (DigitsMyDigits *self, guint label, GBytes *png, GError **error)
{
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (self != NULL && png != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_label (label, error))
    return NULL;
  data = g_bytes_get_data (png, &len);
  if (len < sizeof png_signature || memcmp (data, png_signature, sizeof png_signature) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("An example must be a PNG image"));
      return NULL;
    }
  if (len > DIGITS_MY_DIGITS_MAX_FILE)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("The example is too large (%" G_GSIZE_FORMAT " bytes; at most %u)"),
                   len, DIGITS_MY_DIGITS_MAX_FILE);
      return NULL;
    }
  return write_new (self, label, data, len, NULL, error);
}

char *
digits_my_digits_add_pixels (DigitsMyDigits *self, guint label, const guint8 *pixels,
                             int width, int height, int stride, gboolean has_alpha,
                             GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) local_error = NULL;
  gchar *buffer = NULL;
  gsize size = 0;

  g_return_val_if_fail (pixels != NULL && width > 0 && height > 0, NULL);
  g_return_val_if_fail ((gint64) stride >= (gint64) width * (has_alpha ? 4 : 3), NULL);

  pixbuf = gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB, has_alpha, 8, width, height,
                                     stride, NULL, NULL);
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &local_error, NULL))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Could not make a PNG of the drawing: %s"), local_error->message);
      return NULL;
    }
  png = g_bytes_new_take (buffer, size);
  return digits_my_digits_add_png (self, label, png, error);
}

static cairo_status_t
append_png_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

char *
digits_my_digits_add_surface (DigitsMyDigits *self, guint label, cairo_surface_t *surface,
                              GError **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) png = NULL;
  cairo_status_t status;

  g_return_val_if_fail (surface != NULL, NULL);

  cairo_surface_flush (surface);
  status = cairo_surface_write_to_png_stream (surface, append_png_cb, out);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Could not make a PNG of the drawing: %s"),
                   cairo_status_to_string (status));
      return NULL;
    }
  png = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  return digits_my_digits_add_png (self, label, png, error);
}

void
digits_removed_example_free (DigitsRemovedExample *removed)
{
  if (removed == NULL)
    return;
  g_free (removed->name);
  g_clear_pointer (&removed->png, g_bytes_unref);
  g_free (removed);
}

static gboolean
check_listed (const DigitsMyDigits *self, guint label, const char *name, guint *index,
              GError **error)
{
  if (!check_label (label, error))
    return FALSE;
  if (!is_listed (self, label, name, index))
    {
      g_autofree char *display = g_filename_display_name (name);
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                   _("There is no example “%s” of %u"), display, label);
      return FALSE;
    }
  return TRUE;
}

DigitsRemovedExample *
digits_my_digits_delete (DigitsMyDigits *self, guint label, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *display = NULL;
  g_autoptr(GError) local_error = NULL;
  DigitsRemovedExample *removed;
  char *contents = NULL;
  gsize len = 0;
  guint index;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);
  if (!check_listed (self, label, name, &index, error))
    return NULL;

  path = digits_my_digits_path (self, label, name);
  display = g_filename_display_name (path);
  /* Read first: Undo needs the bytes, and a file that cannot be read is not deleted. */
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Could not delete “%s”: %s"), display, local_error->message);
      return NULL;
    }
  if (g_unlink (path) != 0)
    {
      int saved = errno;
      g_free (contents);
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Could not delete “%s”: %s"), display, g_strerror (saved));
      return NULL;
    }
  g_ptr_array_remove_index (self->names[label], index);

  removed = g_new0 (DigitsRemovedExample, 1);
  removed->label = label;
  removed->name = g_strdup (name);
  removed->png = g_bytes_new_take (contents, len);
  return removed;
}

char *
digits_my_digits_restore (DigitsMyDigits *self, const DigitsRemovedExample *removed,
                          GError **error)
{
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (self != NULL && removed != NULL, NULL);
  if (!check_label (removed->label, error))
    return NULL;
  data = g_bytes_get_data (removed->png, &len);
  return write_new (self, removed->label, data, len, removed->name, error);
}

char *
digits_my_digits_relabel (DigitsMyDigits *self, guint label, const char *name,
                          guint new_label, GError **error)
{
  g_autofree char *from = NULL;
  char *new_name;
  guint index;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);
  if (!check_listed (self, label, name, &index, error) || !check_label (new_label, error))
    return NULL;
  if (new_label == label)
    return g_strdup (name);
  if (!make_class_dir (self, new_label, error))
    return NULL;

  from = digits_my_digits_path (self, label, name);
  new_name = move_to_free_name (self, new_label, from, NULL);
  if (new_name == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (from);
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Could not move “%s” to the examples of %u: %s; it stays where it was"),
                   display, new_label, g_strerror (saved));
      return NULL;
    }
  g_ptr_array_remove_index (self->names[label], index);
  g_ptr_array_add (self->names[new_label], g_strdup (new_name));
  g_ptr_array_sort (self->names[new_label], compare_names);
  return new_name;
}

gboolean
digits_my_digits_read_example (const char *path, guint8 out[DIGITS_PIXELS], GError **error)
{
  g_autoptr(GArray) glyphs = NULL;
  g_autofree char *owned = NULL;
  guint8 head[sizeof png_signature];
  const DigitsGlyph *best = NULL;
  guint64 size = 0;
  const char *fault;
  FILE *f;
  gsize got;

  g_return_val_if_fail (path != NULL, FALSE);

  fault = entry_fault (path, &size, &owned);
  if (fault != NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED, fault);
      return FALSE;
    }
  f = g_fopen (path, "rbe");
  if (f == NULL)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, _("it cannot be read (%s)"),
                   g_strerror (errno));
      return FALSE;
    }
  got = fread (head, 1, sizeof head, f);
  fclose (f);
  if (got != sizeof head || memcmp (head, png_signature, sizeof head) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("it is not a PNG image"));
      return FALSE;
    }

  glyphs = digits_glyphs_from_file (path, error);
  if (glyphs == NULL)
    return FALSE;
  /* One drawing is one digit; when the reader splits it, the largest part is the digit. */
  for (guint i = 0; i < glyphs->len; i++)
    {
      const DigitsGlyph *g = &g_array_index (glyphs, DigitsGlyph, i);
      if (best == NULL || (gint64) g->width * g->height > (gint64) best->width * best->height)
        best = g;
    }
  for (int p = 0; p < DIGITS_PIXELS; p++)
    out[p] = (guint8) CLAMP ((int) (best->input[p] * 255.0f + 0.5f), 0, 255);
  return TRUE;
}

DigitsDataset *
digits_my_digits_load (DigitsMyDigits *self, GPtrArray *messages, GPtrArray **names,
                       GCancellable *cancellable, GError **error)
{
  g_autoptr(DigitsDataset) set = NULL;
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Sized from the scan: 784 bytes an example, whatever the PNGs weigh. */
  set = digits_dataset_new (digits_my_digits_total (self), DIGITS_SIDE, DIGITS_SIDE,
                            DIGITS_MY_DIGITS_CLASSES);
  for (guint c = 0; c < DIGITS_MY_DIGITS_CLASSES; c++)
    for (guint i = 0; i < self->names[c]->len; i++)
      {
        const char *name = g_ptr_array_index (self->names[c], i);
        g_autofree char *path = digits_my_digits_path (self, c, name);
        g_autofree char *rel = g_strdup_printf ("%u/%s", c, name);
        g_autoptr(GError) read_error = NULL;

        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          return NULL;
        if (!digits_my_digits_read_example (path, set->images + (gsize) n * DIGITS_PIXELS,
                                            &read_error))
          {
            g_autofree char *display = g_filename_display_name (rel);
            if (messages != NULL)
              g_ptr_array_add (messages, g_strdup_printf (_("“%s” is skipped: %s"), display,
                                                          read_error->message));
            continue;
          }
        set->labels[n++] = (guint8) c;
        g_ptr_array_add (loaded, g_steal_pointer (&rel));
      }
  set->n = n;
  if (names != NULL)
    *names = g_steal_pointer (&loaded);
  return g_steal_pointer (&set);
}

/* Copies every example of `from` into `to`; the heart of import and export. */
static int
copy_examples (DigitsMyDigits *from, DigitsMyDigits *to, GPtrArray *messages, GError **error)
{
  int copied = 0;

  if (messages != NULL)
    for (guint i = 0; i < from->skipped->len; i++)
      g_ptr_array_add (messages, g_strdup (g_ptr_array_index (from->skipped, i)));

  for (guint c = 0; c < DIGITS_MY_DIGITS_CLASSES; c++)
    for (guint i = 0; i < from->names[c]->len; i++)
      {
        const char *name = g_ptr_array_index (from->names[c], i);
        g_autofree char *path = digits_my_digits_path (from, c, name);
        g_autofree char *rel = g_strdup_printf ("%u/%s", c, name);
        g_autofree char *display = g_filename_display_name (rel);
        g_autofree char *contents = NULL;
        g_autofree char *new_name = NULL;
        g_autoptr(GError) read_error = NULL;
        guint8 input[DIGITS_PIXELS];
        gsize len = 0;

        /* Only what Digits itself could learn from is copied. */
        if (!digits_my_digits_read_example (path, input, &read_error)
            || !g_file_get_contents (path, &contents, &len, &read_error))
          {
            if (messages != NULL)
              g_ptr_array_add (messages, g_strdup_printf (_("“%s” is skipped: %s"), display,
                                                          read_error->message));
            continue;
          }
        new_name = write_new (to, c, (const guint8 *) contents, len, NULL, error);
        if (new_name == NULL)
          return -1;
        copied++;
      }
  return copied;
}

static gboolean
same_folder (const char *a, const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, NULL);
  g_autofree char *cb = g_canonicalize_filename (b, NULL);

  return g_str_equal (ca, cb);
}

int
digits_my_digits_import (DigitsMyDigits *self, const char *from_dir, GPtrArray *messages,
                         GError **error)
{
  g_autoptr(DigitsMyDigits) from = NULL;

  g_return_val_if_fail (self != NULL && from_dir != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!g_file_test (from_dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (from_dir);
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                   _("“%s” is not a folder"), display);
      return -1;
    }
  if (same_folder (from_dir, self->dir))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("That is the folder of your digits itself"));
      return -1;
    }
  from = digits_my_digits_open (from_dir, error);
  if (from == NULL)
    return -1;
  return copy_examples (from, self, messages, error);
}

int
digits_my_digits_export (DigitsMyDigits *self, const char *to_dir, GPtrArray *messages,
                         GError **error)
{
  g_autoptr(DigitsMyDigits) to = NULL;

  g_return_val_if_fail (self != NULL && to_dir != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (same_folder (to_dir, self->dir))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("That is the folder of your digits itself"));
      return -1;
    }
  to = digits_my_digits_open (to_dir, error);
  if (to == NULL)
    return -1;
  return copy_examples (self, to, messages, error);
}

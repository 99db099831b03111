/* digits-my-digits-write.c — examples added, deleted, restored and relabelled.
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

#include "digits-my-digits-private.h"

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
  gboolean use_wanted = wanted != NULL && digits_my_digits_parse_name (wanted, &number);

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
          if (digits_my_digits_parse_name (name, &number))
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
char *
digits_my_digits_write_new (DigitsMyDigits *self, guint label, const guint8 *data, gsize len,
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
  g_ptr_array_sort (self->names[label], digits_my_digits_compare_names);
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
  if (len < sizeof digits_my_digits_png_signature
      || memcmp (data, digits_my_digits_png_signature, sizeof digits_my_digits_png_signature) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("An example must be a PNG image"));
      return NULL;
    }
  if (len > DIGITS_MY_DIGITS_MAX_FILE)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   /* Not G_GSIZE_FORMAT: xgettext cannot see through the macro. */
                   _("The example is too large (%llu bytes; at most %u)"),
                   (unsigned long long) len, DIGITS_MY_DIGITS_MAX_FILE);
      return NULL;
    }
  return digits_my_digits_write_new (self, label, data, len, NULL, error);
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
  return digits_my_digits_write_new (self, removed->label, data, len, removed->name, error);
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
  g_ptr_array_sort (self->names[new_label], digits_my_digits_compare_names);
  return new_name;
}

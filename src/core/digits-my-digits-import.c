/* digits-my-digits-import.c — examples read out of the folder: one as MNIST-style
 * pixels, all as a data set, or copied from or to another folder (import and export).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "digits-my-digits-private.h"

gboolean
digits_my_digits_read_example (const char *path, guint8 out[DIGITS_PIXELS], GError **error)
{
  g_autoptr(GArray) glyphs = NULL;
  g_autofree char *owned = NULL;
  guint8 head[sizeof digits_my_digits_png_signature];
  const DigitsGlyph *best = NULL;
  guint64 size = 0;
  const char *fault;
  FILE *f;
  gsize got;

  g_return_val_if_fail (path != NULL, FALSE);

  fault = digits_my_digits_entry_fault (path, &size, &owned);
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
  if (got != sizeof head || memcmp (head, digits_my_digits_png_signature, sizeof head) != 0)
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
        new_name = digits_my_digits_write_new (to, c, (const guint8 *) contents, len, NULL, error);
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

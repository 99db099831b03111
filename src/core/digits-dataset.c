/* digits-dataset.c — data sets held as bytes: made, sliced, freed, and MNIST's four
 * files found in a folder. Reading the files: digits-dataset-idx.c and -stream.c.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-dataset-private.h"

G_DEFINE_QUARK (digits-error-quark, digits_error)

/* The standard name, raw or gzip-compressed (raw first: it reads faster). */
static char *
find_idx_file (const char *dir, const char *base)
{
  g_autofree char *raw = g_build_filename (dir, base, NULL);
  g_autofree char *gz = g_strconcat (raw, ".gz", NULL);

  if (g_file_test (raw, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&raw);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&gz);
  return NULL;
}

static gboolean
find_pair (const char *dir, const char *prefix, char **images, char **labels, GError **error)
{
  g_autofree char *images_base = g_strconcat (prefix, "-images-idx3-ubyte", NULL);
  g_autofree char *labels_base = g_strconcat (prefix, "-labels-idx1-ubyte", NULL);
  const char *missing = NULL;

  *images = find_idx_file (dir, images_base);
  *labels = find_idx_file (dir, labels_base);
  if (*images == NULL)
    missing = images_base;
  else if (*labels == NULL)
    missing = labels_base;
  if (missing == NULL)
    return TRUE;

  /* There, but a device, a pipe or a folder: say so, not that it is missing. */
  for (int gz = 0; gz < 2; gz++)
    {
      g_autofree char *name = g_strconcat (missing, gz ? ".gz" : "", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("%s: not an ordinary file (a folder, device or pipe); MNIST's files "
                         "must be ordinary files"), path);
          g_clear_pointer (images, g_free);
          g_clear_pointer (labels, g_free);
          return FALSE;
        }
    }

  g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
               _("%s: neither %s nor %s.gz is there (MNIST's four files belong in this folder)"),
               dir, missing, missing);
  g_clear_pointer (images, g_free);
  g_clear_pointer (labels, g_free);
  return FALSE;
}

gboolean
digits_dataset_load_mnist_dir (const char     *dir,
                               DigitsDataset **train,
                               DigitsDataset **test,
                               GError        **error)
{
  g_autofree char *train_images = NULL, *train_labels = NULL;
  g_autofree char *test_images = NULL, *test_labels = NULL;
  g_autoptr(DigitsDataset) train_set = NULL;
  g_autoptr(DigitsDataset) test_set = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                   _("%s: no such folder (it should hold MNIST's four files)"), dir);
      return FALSE;
    }

  /* Find all the wanted files before reading any: a missing one is reported at once. */
  if (train != NULL && !find_pair (dir, "train", &train_images, &train_labels, error))
    return FALSE;
  if (test != NULL && !find_pair (dir, "t10k", &test_images, &test_labels, error))
    return FALSE;

  if (train != NULL)
    {
      train_set = digits_dataset_load_idx (train_images, train_labels, error);
      if (train_set == NULL)
        return FALSE;
    }
  if (test != NULL)
    {
      test_set = digits_dataset_load_idx (test_images, test_labels, error);
      if (test_set == NULL)
        return FALSE;
    }

  /* A network takes one input size: the two halves must agree. */
  if (train_set != NULL && test_set != NULL &&
      (train_set->rows != test_set->rows || train_set->cols != test_set->cols))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s holds images of %u×%u but %s holds images of %u×%u; "
                     "they must be the same size"),
                   train_images, train_set->rows, train_set->cols,
                   test_images, test_set->rows, test_set->cols);
      return FALSE;
    }

  if (train != NULL)
    *train = g_steal_pointer (&train_set);
  if (test != NULL)
    *test = g_steal_pointer (&test_set);
  return TRUE;
}

DigitsDataset *
digits_dataset_new (guint n, guint rows, guint cols, guint n_classes)
{
  DigitsDataset *set;
  guint64 bytes = (guint64) n * rows * cols;

  g_return_val_if_fail (bytes <= G_MAXSIZE, NULL);
  g_return_val_if_fail (n_classes >= 1 && n_classes <= 256, NULL);

  set = g_new0 (DigitsDataset, 1);
  set->n = n;
  set->rows = rows;
  set->cols = cols;
  set->n_classes = n_classes;
  set->images = g_malloc0 ((gsize) bytes);
  set->labels = g_malloc0 (n);
  return set;
}

DigitsDataset *
digits_dataset_slice (const DigitsDataset *set, guint start, guint n)
{
  DigitsDataset *part;
  gsize item;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (start <= set->n && n <= set->n - start, NULL);

  part = digits_dataset_new (n, set->rows, set->cols, set->n_classes);
  item = (gsize) set->rows * set->cols;
  if (n > 0)
    {
      memcpy (part->images, set->images + (gsize) start * item, (gsize) n * item);
      memcpy (part->labels, set->labels + start, n);
    }
  return part;
}

void
digits_dataset_free (DigitsDataset *set)
{
  if (set == NULL)
    return;
  g_free (set->images);
  g_free (set->labels);
  g_free (set);
}

static gboolean
holds_mnist (const char *dir)
{
  static const char *const bases[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  };

  if (dir == NULL || *dir == '\0')
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *path = find_idx_file (dir, bases[i]);

      if (path == NULL)
        return FALSE;
    }
  return TRUE;
}

char *
digits_dataset_find_mnist (void)
{
  const char *env = g_getenv ("DIGITS_MNIST_DIR");
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "digits", "mnist", NULL);

  if (holds_mnist (env))
    return g_strdup (env);
  if (holds_mnist (user))
    return g_steal_pointer (&user);
  if (holds_mnist ("/usr/share/datasets/mnist"))
    return g_strdup ("/usr/share/datasets/mnist");
  return NULL;
}

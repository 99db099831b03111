/* digits-model.c — a trained network with what it needs to be used.
 *
 * This file holds the model object (new, copy, free, metadata, classify, class names) and
 * its files on disk: loading with a bounded read, atomic saving, the built-in model, and
 * the words for what went wrong. The bytes themselves are made in digits-model-write.c,
 * checked and parsed in digits-model-read.c and digits-model-read-header.c; the file
 * format is laid out in digits-model-private.h.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-model-private.h"

/* From the resource bundle compiled into this library (c_name digits_model). Calling it
 * also makes the linker keep that object, whose constructor registers the bundle. */
GResource *digits_model_get_resource (void);

#define BUILTIN_PATH RESOURCE_PREFIX "/model/digits.model"

/* ---- the model in memory ---- */

DigitsModel *
digits_model_new (NnNet *net, DigitsLabelSet labels)
{
  DigitsModel *model;

  g_return_val_if_fail (net != NULL, NULL);
  /* A model is read from MNIST-style 28×28 input into the ten classes of its label set;
   * anything else could not be saved in a file that loads. */
  g_return_val_if_fail (net->n_layers >= 1 && net->n_layers <= NN_MAX_LAYERS, NULL);
  g_return_val_if_fail (net->sizes[0] == (int) (INPUT_SIDE * INPUT_SIDE), NULL);
  g_return_val_if_fail (net->sizes[net->n_layers] == (int) N_CLASSES, NULL);
  g_return_val_if_fail (nn_net_is_dense (net)
                        || (net->in_c == 1 && net->in_h == (int) INPUT_SIDE
                            && net->in_w == (int) INPUT_SIDE), NULL);
  g_return_val_if_fail (labels == DIGITS_LABELS_DIGITS || labels == DIGITS_LABELS_FASHION,
                        NULL);

  model = g_new0 (DigitsModel, 1);
  model->net = net;
  model->labels = labels;
  model->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return model;
}

DigitsModel *
digits_model_copy (const DigitsModel *model)
{
  DigitsModel *copy;
  NnNet *net;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (model != NULL, NULL);

  net = nn_net_copy (model->net);
  if (net == NULL)
    g_error ("%s: out of memory", G_STRFUNC);

  copy = digits_model_new (net, model->labels);
  g_hash_table_iter_init (&iter, model->metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->metadata, g_strdup (key), g_strdup (value));
  return copy;
}

void
digits_model_free (DigitsModel *model)
{
  if (model == NULL)
    return;
  g_clear_pointer (&model->net, nn_net_free);
  g_clear_pointer (&model->metadata, g_hash_table_unref);
  g_free (model);
}

static gboolean
is_valid_key (const char *key)
{
  return key != NULL && *key != '\0' && strchr (key, '=') == NULL && strchr (key, '\n') == NULL
         && g_utf8_validate (key, -1, NULL);
}

/* value NULL removes the key. Newlines in a value become spaces: the file keeps one
 * "key=value" per line. */
void
digits_model_set_meta (DigitsModel *model, const char *key, const char *value)
{
  char *copy;

  g_return_if_fail (model != NULL);
  g_return_if_fail (is_valid_key (key));
  g_return_if_fail (value == NULL || g_utf8_validate (value, -1, NULL));

  if (value == NULL)
    {
      g_hash_table_remove (model->metadata, key);
      return;
    }
  copy = g_strdup (value);
  g_strdelimit (copy, "\n\r", ' ');
  g_hash_table_insert (model->metadata, g_strdup (key), copy);
}

const char *
digits_model_get_meta (const DigitsModel *model, const char *key)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (model->metadata, key);
}

int
digits_model_classify (const DigitsModel *model, const float *input, float *probs)
{
  int n_classes;

  g_return_val_if_fail (model != NULL && model->net != NULL, -1);
  g_return_val_if_fail (input != NULL, -1);
  g_return_val_if_fail (probs != NULL, -1);

  n_classes = model->net->sizes[model->net->n_layers];
  if (nn_net_forward (model->net, input, 1, probs) != 0)
    return -1;
  return nn_argmax (probs, n_classes);
}

const char *
digits_model_class_name (const DigitsModel *model, int k)
{
  static const char *const digit_names[N_CLASSES] = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
  };
  static const char *const fashion_names[N_CLASSES] = {
    N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
    N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"),
  };

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (k >= 0 && k < (int) N_CLASSES, NULL);

  if (model->labels == DIGITS_LABELS_FASHION)
    return _(fashion_names[k]);
  return digit_names[k];
}

/* ---- files ---- */

/* Why a model file could not be opened, without its path (GIO's messages name it): the
 * caller names the file, once. */
static void
set_open_error (GError **error, const GError *io_error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                         _("there is no such file"));
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                         _("it is a folder, not a model file"));
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, _("permission denied"));
  else
    g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, _("it cannot be read"));
}

/* A regular file is refused by its size alone when too large; otherwise *cap becomes its
 * size and one byte more, which shows a file that grew meanwhile. */
static gboolean
size_first_read (GFileInputStream *in, gsize *cap, GError **error)
{
  g_autoptr(GFileInfo) info = NULL;
  const gsize limit = DIGITS_MODEL_MAX_FILE;
  guint64 size;

  info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                         G_FILE_ATTRIBUTE_STANDARD_TYPE, NULL, NULL);
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return TRUE;

  size = (guint64) g_file_info_get_size (info);
  if (size > limit)
    {
      g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *most = g_format_size_full (limit, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file is too large (%s); Digits reads model files of up to %s"),
                   have, most);
      return FALSE;
    }
  *cap = (gsize) size + 1;
  return TRUE;
}

/* Reads at most DIGITS_MODEL_MAX_FILE bytes; a regular file over that is refused by its
 * size alone, and a stream that never ends is cut off at the bound. */
static GBytes *
read_bounded (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local = NULL;
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &local);
  g_autofree guint8 *data = NULL;
  gsize cap = 65536, len = 0;
  const gsize limit = DIGITS_MODEL_MAX_FILE;

  if (in == NULL)
    {
      set_open_error (error, local);
      return NULL;
    }

  if (!size_first_read (in, &cap, error))
    return NULL;

  data = g_try_malloc (cap);
  while (data != NULL)
    {
      gssize n;

      if (len == cap)
        {
          gsize new_cap = cap > (limit + 1) / 2 ? limit + 1 : cap * 2;
          guint8 *grown;

          if (cap == limit + 1)
            {
              g_autofree char *most = g_format_size_full (limit, G_FORMAT_SIZE_IEC_UNITS);

              g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                           _("the file is too large; Digits reads model files of up to %s"),
                           most);
              return NULL;
            }
          grown = g_try_realloc (data, new_cap);
          if (grown == NULL)
            break;
          data = grown;
          cap = new_cap;
        }
      n = g_input_stream_read (G_INPUT_STREAM (in), data + len, cap - len, NULL, &local);
      if (n < 0)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("it cannot be read: %s"), local->message);
          return NULL;
        }
      if (n == 0)
        return g_bytes_new_take (g_steal_pointer (&data), len);
      len += (gsize) n;
      /* Not a model at all (a device, a pipe of something else): the loader refuses it by
       * its first bytes, so there is no need to read up to the bound first. */
      if (len >= MAGIC_LEN && memcmp (data, DIGITS_MODEL_MAGIC, MAGIC_LEN) != 0)
        return g_bytes_new_take (g_steal_pointer (&data), len);
    }

  g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("there is not enough memory to read it"));
  return NULL;
}

DigitsModel *
digits_model_load (const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = read_bounded (path, error);
  if (bytes == NULL)
    return NULL;
  return digits_model_deserialize (bytes, error);
}

static const char *
save_error_reason (const GError *error)
{
  if (error->domain != G_FILE_ERROR)
    return _("it could not be written");

  switch (error->code)
    {
    case G_FILE_ERROR_NOENT:
      return _("the folder does not exist");
    case G_FILE_ERROR_NOTDIR:
      return _("part of its path is a file, not a folder");
    case G_FILE_ERROR_ISDIR:
      return _("that is a folder");
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
      return _("permission denied");
    case G_FILE_ERROR_ROFS:
      return _("the disk is read-only");
    case G_FILE_ERROR_NOSPC:
      return _("the disk is full");
    default:
      return _("it could not be written");
    }
}

/* Errors say what went wrong without the path: the caller names the file. */
gboolean
digits_model_save (const DigitsModel *model, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  const guint8 *data;
  gsize size = 0;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = digits_model_serialize (model);
  if (bytes == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("this model cannot be saved"));
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &size);

  /* Such a file would never load again; better to say so now, while the old file (and
   * the settings that diverged) are still there. */
  for (gsize i = 0; i < model->net->n_params; i++)
    if (!isfinite (model->net->params[i]))
      {
        g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                             _("the model's parameters are not all finite numbers "
                               "(did training diverge?)"));
        return FALSE;
      }

  /* A temporary file renamed over the old one (and synced first): a crash or a full disk
   * at any moment leaves either the old file or the new one, never a mix. */
  if (!g_file_set_contents_full (path, (const char *) data, (gssize) size,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, &local))
    {
      /* Said without a file name: GLib's message names the temporary file, and the
       * caller names the real one. */
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           save_error_reason (local));
      return FALSE;
    }
  return TRUE;
}

DigitsModel *
digits_model_load_builtin (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_resource_lookup_data (digits_model_get_resource (), BUILTIN_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &local);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      /* Until a model is trained, the bundle holds an empty placeholder. */
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                           _("this build of Digits carries none; train one with "
                             "“digits-cli train --out resources/model/digits.model” and "
                             "rebuild, or open a model file"));
      return NULL;
    }

  return digits_model_deserialize (bytes, error);
}

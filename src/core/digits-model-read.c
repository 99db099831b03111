/* digits-model-read.c — a model file's bytes checked and turned into a model.
 *
 * Reading goes from the cheapest, most telling checks to the rest: magic, version,
 * then the sizes that decide the file's length (refused before any allocation when
 * absurd), then the length itself (truncated or trailing data), then the CRC over
 * everything, and only then the meaning of each header field (digits-model-read-header.c)
 * and the parameters. The layout is in digits-model-private.h.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-model-private.h"

/* Largest output magnitude a model's answers may reach before the file is called damaged:
 * far above what training makes (a few thousand at most), far below float's 3.4e38. */
#define MAX_ACTIVATION 1e30

/* A bound on every layer's outputs for inputs in [0, 1] (what preprocessing makes), from
 * the weights' absolute row sums: if it holds, no sum in a forward pass can overflow to
 * infinity and the probabilities are always numbers. Finite but huge parameters would
 * otherwise give NaN answers from a file that loaded. */
static gboolean
activations_bounded (const NnNet *net)
{
  double bound = 1.0;

  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      int in = ly->fan_in, out = ly->out_c;
      double largest = 0;

      /* Pooling picks one of its inputs: the bound carries over. */
      if (ly->n_weights == 0)
        continue;
      for (int o = 0; o < out; o++)
        {
          double sum = fabs (net->b[l][o]);

          for (int i = 0; i < in; i++)
            sum += fabs (net->w[l][(gsize) i * out + o]) * bound;
          largest = MAX (largest, sum);
        }
      bound = largest;
      if (!(bound <= MAX_ACTIVATION))
        return FALSE;
    }
  return TRUE;
}

/* Also used by the header's parser. */
guint32
digits_model_get_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint64
get_le64 (const guint8 *p)
{
  return (guint64) digits_model_get_le32 (p) | ((guint64) digits_model_get_le32 (p + 4) << 32);
}

static char *
format_u64 (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

/* Always FALSE, for a file that ends inside its preamble or header. */
static gboolean
set_truncated_header (GError **error, gsize size)
{
  g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
               _("truncated: the file ends after %u bytes, inside its header"), (guint) size);
  return FALSE;
}

/* Magic and format version, before the rest of the preamble: a newer format may be laid
 * out differently from there on, so it must not be judged by this one's rules. */
static gboolean
check_version (const guint8 *data, gsize size, guint32 *version, GError **error)
{
  if (size == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT, _("the file is empty"));
      return FALSE;
    }
  if (memcmp (data, DIGITS_MODEL_MAGIC, MIN (size, MAGIC_LEN)) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("it is not a Digits model file"));
      return FALSE;
    }
  if (size < MAGIC_LEN + 4)
    return set_truncated_header (error, size);

  *version = digits_model_get_le32 (data + 8);
  /* Formats are numbered 1, 2, 3…: a number in the millions is text or noise written
   * over the header, not a file from the future. */
  if (*version > MAX_PLAUSIBLE_VERSION)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: its header claims model format %u, which no version of "
                     "Digits writes"), *version);
      return FALSE;
    }
  if (*version > DIGITS_MODEL_VERSION)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("it was made by a newer version of Digits (model format %u; this "
                     "version reads format %u); update Digits to use it"),
                   *version, DIGITS_MODEL_VERSION);
      return FALSE;
    }
  if (*version == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: it claims model format 0, which never existed"));
      return FALSE;
    }
  return TRUE;
}

/* The sizes that decide the file's length, refused when absurd, then the length itself
 * and the CRC: after this every byte the header points at is there and intact. */
static gboolean
check_layout (const guint8 *data, gsize size, guint32 *header_len, guint64 *n_params,
              GError **error)
{
  guint64 expected;

  if (size < PREAMBLE_LEN)
    return set_truncated_header (error, size);
  if (size > DIGITS_MODEL_MAX_FILE)
    {
      g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (DIGITS_MODEL_MAX_FILE,
                                                   G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file is too large (%s); Digits reads model files of up to %s"),
                   have, limit);
      return FALSE;
    }

  *header_len = digits_model_get_le32 (data + 12);
  if (*header_len > MAX_HEADER_LEN)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file's header claims %u bytes; Digits accepts at most %u"),
                   *header_len, MAX_HEADER_LEN);
      return FALSE;
    }
  if (*header_len < 8)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its header is too short to describe a model"));
      return FALSE;
    }
  if (size < (gsize) PREAMBLE_LEN + *header_len)
    return set_truncated_header (error, size);

  *n_params = get_le64 (data + PREAMBLE_LEN + *header_len - 8);
  if (*n_params > DIGITS_MODEL_MAX_PARAMS)
    {
      g_autofree char *claimed = format_u64 (*n_params);
      g_autofree char *limit = format_u64 (DIGITS_MODEL_MAX_PARAMS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file claims %s parameters; Digits accepts at most %s"), claimed, limit);
      return FALSE;
    }

  expected = (guint64) PREAMBLE_LEN + *header_len + 4 * *n_params + 4;
  if (size != expected)
    {
      g_autofree char *have = format_u64 (size);
      g_autofree char *want = format_u64 (expected);

      if (size < expected)
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("truncated: the file is %s bytes long but its header describes %s"),
                     have, want);
      else
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("damaged: the file is %s bytes long but its header describes %s"),
                     have, want);
      return FALSE;
    }

  if (digits_model_crc (data, size - 4) != digits_model_get_le32 (data + size - 4))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its checksum does not match its contents"));
      return FALSE;
    }
  return TRUE;
}

/* The parameters, each a finite float32, into a network sized by the checked header. */
static NnNet *
read_params (const NnArch *arch, const guint8 *params, guint64 n_params, GError **error)
{
  NnNet *net = nn_net_new_arch (arch);

  if (net == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("there is not enough memory to load it"));
      return NULL;
    }
  for (guint64 i = 0; i < n_params; i++)
    {
      guint32 bits = digits_model_get_le32 (params + 4 * i);
      float v;

      memcpy (&v, &bits, sizeof v);
      if (!isfinite (v))
        {
          g_autofree char *index = format_u64 (i);

          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       _("damaged: parameter %s is not a finite number"), index);
          nn_net_free (net);
          return NULL;
        }
      net->params[i] = v;
    }
  if (!activations_bounded (net))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its parameters are so large that its answers would "
                             "overflow"));
      nn_net_free (net);
      return NULL;
    }
  return net;
}

static DigitsModel *
deserialize (const guint8 *data, gsize size, GError **error)
{
  guint32 version = 0, header_len = 0;
  guint64 n_params = 0;
  NnArch arch;
  DigitsLabelSet labels = DIGITS_LABELS_DIGITS;
  g_autoptr(GHashTable) metadata = NULL;
  const guint8 *header;
  NnNet *net;
  DigitsModel *model;

  if (!check_version (data, size, &version, error)
      || !check_layout (data, size, &header_len, &n_params, error))
    return NULL;

  /* Every size is checked and the data is all there: now the header's meaning. */
  header = data + PREAMBLE_LEN;
  metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!digits_model_parse_header (version, header, header_len, &arch, &labels, metadata, error))
    return NULL;
  if (n_params != nn_arch_params (&arch))
    {
      g_autofree char *claimed = format_u64 (n_params);
      g_autofree char *want = format_u64 (nn_arch_params (&arch));

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: it holds %s parameters but its layers need %s"), claimed, want);
      return NULL;
    }

  net = read_params (&arch, header + header_len, n_params, error);
  if (net == NULL)
    return NULL;
  model = digits_model_new (net, labels);
  g_hash_table_unref (model->metadata);
  model->metadata = g_steal_pointer (&metadata);
  return model;
}

DigitsModel *
digits_model_deserialize (GBytes *bytes, GError **error)
{
  gsize size = 0;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  return deserialize (data, size, error);
}

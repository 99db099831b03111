/* digits-model.c — a trained network with what it needs to be used, and its file format.
 *
 * The layout is in digits-model.h. "header bytes" counts everything from the end of
 * that field (offset 16) up to the first parameter, the u64 n_params included, so
 * the whole file is 16 + header bytes + 4 × n_params + 4 bytes long, and n_params
 * sits in the 8 bytes just before the parameters. Every multi-byte number is
 * little-endian and packed by hand, never by copying a struct.
 *
 * Reading goes from the cheapest, most telling checks to the rest: magic, version,
 * then the sizes that decide the file's length (refused before any allocation when
 * absurd), then the length itself (truncated or trailing data), then the CRC over
 * everything, and only then the meaning of each header field and the parameters.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "digits-model.h"

/* From the resource bundle compiled into this library (c_name digits_model). Calling it
 * also makes the linker keep that object, whose constructor registers the bundle. */
GResource *digits_model_get_resource (void);

#define MAGIC_LEN        8u
/* Above this, a format number is damage, not a newer Digits (see deserialize). */
#define MAX_PLAUSIBLE_VERSION 1000u
#define PREAMBLE_LEN     16u                /* magic, version, header bytes */
#define MAX_HEADER_LEN   65536u             /* the slack DIGITS_MODEL_MAX_FILE leaves */
#define INPUT_SIDE       28u
#define N_CLASSES        10u

enum {
  PREPROCESS_MNIST = 1,                     /* 20 px box, centre of mass centred, 28×28 */
};

enum {
  ACTIVATION_RELU = 1,
};

enum {
  OUTPUT_SOFTMAX = 1,
};

/* Format 2's layer kinds and flags. */
enum {
  KIND_DENSE = 1,
  KIND_CONV = 2,
  KIND_POOL = 3,
};

#define FLAG_VALID 1u
#define FLAG_RELU  2u
#define LAYER_FIELDS 7u

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

/* ---- writing ---- */

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };

  g_byte_array_append (out, b, sizeof b);
}

static void
put_u64 (GByteArray *out, guint64 v)
{
  put_u32 (out, (guint32) (v & 0xffffffffu));
  put_u32 (out, (guint32) (v >> 32));
}

static guint32
compute_crc (const guint8 *data, gsize len)
{
  uLong crc = crc32 (0L, Z_NULL, 0);

  /* zlib takes uInt lengths: feed it in pieces that always fit. */
  while (len > 0)
    {
      uInt piece = (uInt) MIN (len, (gsize) 1u << 30);

      crc = crc32 (crc, data, piece);
      data += piece;
      len -= piece;
    }
  return (guint32) crc;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted keys: the same model always gives the same bytes. */
static GString *
format_metadata (const DigitsModel *model)
{
  g_autofree gpointer *keys = NULL;
  guint n_keys = 0;
  GString *text = g_string_new (NULL);

  keys = g_hash_table_get_keys_as_array (model->metadata, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *value = g_hash_table_lookup (model->metadata, keys[i]);
      gsize line = strlen (keys[i]) + 1 + strlen (value) + 1;

      /* The header has a fixed ceiling; metadata is the only part that can grow. */
      if (text->len + line > MAX_HEADER_LEN / 2)
        {
          g_warning ("Model metadata too long; “%s” and what follows are not saved",
                     (const char *) keys[i]);
          break;
        }
      g_string_append_printf (text, "%s=%s\n", (const char *) keys[i], value);
    }
  return text;
}

GBytes *
digits_model_serialize (const DigitsModel *model)
{
  const NnNet *net;
  g_autoptr(GByteArray) header = NULL;
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GString) meta = NULL;
  guint64 n_params;
  gboolean dense;

  g_return_val_if_fail (model != NULL && model->net != NULL, NULL);

  net = model->net;
  n_params = net->n_params;
  g_return_val_if_fail (n_params <= DIGITS_MODEL_MAX_PARAMS, NULL);
  g_return_val_if_fail (net->n_layers >= 1 && net->n_layers <= NN_MAX_LAYERS, NULL);

  dense = nn_net_is_dense (net);
  header = g_byte_array_new ();
  put_u32 (header, PREPROCESS_MNIST);
  if (dense)
    {
      put_u32 (header, INPUT_SIDE);
      put_u32 (header, (guint32) net->sizes[net->n_layers]);
      put_u32 (header, (guint32) net->n_layers);
      for (int l = 0; l <= net->n_layers; l++)
        put_u32 (header, (guint32) net->sizes[l]);
      for (int l = 0; l + 1 < net->n_layers; l++)
        put_u32 (header, ACTIVATION_RELU);
    }
  else
    {
      static const guint32 kinds[] = { [NN_LAYER_DENSE] = KIND_DENSE,
                                       [NN_LAYER_CONV] = KIND_CONV,
                                       [NN_LAYER_POOL] = KIND_POOL };

      put_u32 (header, (guint32) net->in_c);
      put_u32 (header, (guint32) net->in_h);
      put_u32 (header, (guint32) net->in_w);
      put_u32 (header, (guint32) net->sizes[net->n_layers]);
      put_u32 (header, (guint32) net->n_layers);
      for (int l = 0; l < net->n_layers; l++)
        {
          const NnLayer *ly = &net->layers[l];

          put_u32 (header, kinds[ly->kind]);
          put_u32 (header, (guint32) ly->size);
          put_u32 (header, (guint32) ly->units);
          put_u32 (header, (ly->valid ? FLAG_VALID : 0) | (ly->relu ? FLAG_RELU : 0));
          put_u32 (header, (guint32) ly->out_c);
          put_u32 (header, (guint32) ly->out_h);
          put_u32 (header, (guint32) ly->out_w);
        }
    }
  put_u32 (header, OUTPUT_SOFTMAX);
  put_u32 (header, (guint32) model->labels);
  meta = format_metadata (model);
  put_u32 (header, (guint32) meta->len);
  g_byte_array_append (header, (const guint8 *) meta->str, (guint) meta->len);
  put_u64 (header, n_params);

  out = g_byte_array_sized_new ((guint) (PREAMBLE_LEN + header->len + 4 * n_params + 4));
  g_byte_array_append (out, (const guint8 *) DIGITS_MODEL_MAGIC, MAGIC_LEN);
  put_u32 (out, dense ? DIGITS_MODEL_VERSION_DENSE : DIGITS_MODEL_VERSION);
  put_u32 (out, header->len);
  g_byte_array_append (out, header->data, header->len);
  for (guint64 i = 0; i < n_params; i++)
    {
      guint32 bits;

      memcpy (&bits, &net->params[i], sizeof bits);
      put_u32 (out, bits);
    }
  put_u32 (out, compute_crc (out->data, out->len));

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- reading ---- */

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


typedef struct {
  const guint8 *p;
  gsize left;
} Cursor;

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint64
get_le64 (const guint8 *p)
{
  return (guint64) get_le32 (p) | ((guint64) get_le32 (p + 4) << 32);
}

static gboolean
take_u32 (Cursor *c, guint32 *v)
{
  if (c->left < 4)
    return FALSE;
  *v = get_le32 (c->p);
  c->p += 4;
  c->left -= 4;
  return TRUE;
}

static char *
format_u64 (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

static gboolean
header_short (GError **error)
{
  g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       _("damaged: its header is shorter than the fields it declares"));
  return FALSE;
}

static gboolean
parse_metadata (const char *text, gsize len, GHashTable *metadata, GError **error)
{
  g_auto(GStrv) lines = NULL;

  if (!g_utf8_validate_len (text, len, NULL))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its description is not valid UTF-8 text"));
      return FALSE;
    }
  {
    g_autofree char *copy = g_strndup (text, len);

    lines = g_strsplit (copy, "\n", -1);
  }
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq;

      if (lines[i][0] == '\0')
        continue;
      eq = strchr (lines[i], '=');
      if (eq == NULL || eq == lines[i])
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       _("damaged: line %u of its description is not “key=value”"), i + 1);
          return FALSE;
        }
      *eq = '\0';
      g_hash_table_insert (metadata, g_strdup (lines[i]), g_strdup (eq + 1));
    }
  return TRUE;
}

/* Format 1's network: dense layers of the sizes listed, ReLU between them. */
static gboolean
parse_dense_layers (Cursor *c, NnArch *arch, GError **error)
{
  guint32 side, n_classes, n_layers;
  int sizes[NN_MAX_LAYERS + 1];
  int n_sizes;

  if (!take_u32 (c, &side) || !take_u32 (c, &n_classes) || !take_u32 (c, &n_layers))
    return header_short (error);
  if (side != INPUT_SIDE)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model expects %u×%u images; Digits makes %u×%u"),
                   side, side, INPUT_SIDE, INPUT_SIDE);
      return FALSE;
    }
  if (n_layers == 0 || n_layers > 8)
    {
      /* Format 1 never held more than 8 layers. */
      g_set_error (error, DIGITS_ERROR,
                   n_layers == 0 ? DIGITS_ERROR_CORRUPT : DIGITS_ERROR_TOO_LARGE,
                   _("the model has %u layers; Digits accepts 1 to %u"), n_layers, 8u);
      return FALSE;
    }

  for (guint l = 0; l <= n_layers; l++)
    {
      guint32 size;

      if (!take_u32 (c, &size))
        return header_short (error);
      if (size == 0 || size > NN_MAX_WIDTH)
        {
          g_set_error (error, DIGITS_ERROR,
                       size == 0 ? DIGITS_ERROR_CORRUPT : DIGITS_ERROR_TOO_LARGE,
                       _("the model has a layer of %u units; Digits accepts 1 to %u"),
                       size, NN_MAX_WIDTH);
          return FALSE;
        }
      sizes[l] = (int) size;
    }
  n_sizes = (int) n_layers + 1;

  if (nn_arch_check (sizes, n_sizes) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its layer sizes do not describe a valid network"));
      return FALSE;
    }
  if (sizes[0] != (int) (side * side))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: its network takes %d inputs, but %u×%u images give %u"),
                   sizes[0], side, side, side * side);
      return FALSE;
    }
  if (n_classes != N_CLASSES)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model tells %u classes apart; Digits knows label sets of %u"),
                   n_classes, N_CLASSES);
      return FALSE;
    }
  if (sizes[n_layers] != (int) n_classes)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: its network has %d outputs for %u classes"),
                   sizes[n_layers], n_classes);
      return FALSE;
    }

  for (guint l = 0; l + 1 < n_layers; l++)
    {
      guint32 activation;

      if (!take_u32 (c, &activation))
        return header_short (error);
      if (activation != ACTIVATION_RELU)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                       _("the model uses an activation this version of Digits does not "
                         "know (%u)"),
                       activation);
          return FALSE;
        }
    }
  if (nn_arch_from_sizes (sizes, n_sizes, 1, (int) side, (int) side, arch) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its layer sizes do not describe a valid network"));
      return FALSE;
    }
  return TRUE;
}

/* Format 2's network: kinds, sizes and flags of every layer, each layer's output shape
 * checked against what the layers before it make. */
static gboolean
parse_layers (Cursor *c, NnArch *arch, GError **error)
{
  guint32 in_c, in_h, in_w, n_classes, n_layers;
  NnLayer layers[NN_MAX_LAYERS];
  char why[256];

  if (!take_u32 (c, &in_c) || !take_u32 (c, &in_h) || !take_u32 (c, &in_w)
      || !take_u32 (c, &n_classes) || !take_u32 (c, &n_layers))
    return header_short (error);
  if (in_c != 1 || in_h != INPUT_SIDE || in_w != INPUT_SIDE)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model expects %u×%u×%u inputs; Digits makes 1×%u×%u"),
                   in_c, in_h, in_w, INPUT_SIDE, INPUT_SIDE);
      return FALSE;
    }
  if (n_classes != N_CLASSES)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model tells %u classes apart; Digits knows label sets of %u"),
                   n_classes, N_CLASSES);
      return FALSE;
    }
  if (n_layers == 0 || n_layers > NN_MAX_LAYERS)
    {
      g_set_error (error, DIGITS_ERROR,
                   n_layers == 0 ? DIGITS_ERROR_CORRUPT : DIGITS_ERROR_TOO_LARGE,
                   _("the model has %u layers; Digits accepts 1 to %u"), n_layers, NN_MAX_LAYERS);
      return FALSE;
    }
  if (c->left / 4 < LAYER_FIELDS * n_layers)
    return header_short (error);

  memset (arch, 0, sizeof *arch);
  arch->in_c = 1, arch->in_h = INPUT_SIDE, arch->in_w = INPUT_SIDE;
  arch->n_layers = (int) n_layers;
  for (guint l = 0; l < n_layers; l++)
    {
      guint32 f[LAYER_FIELDS];

      for (guint i = 0; i < LAYER_FIELDS; i++)
        take_u32 (c, &f[i]);
      if (f[0] < KIND_DENSE || f[0] > KIND_POOL || f[3] > (FLAG_VALID | FLAG_RELU))
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                       _("layer %u is of a kind this version of Digits does not know "
                         "(%u, flags %u)"), l + 1, f[0], f[3]);
          return FALSE;
        }
      /* Sizes beyond any limit are refused here, before they meet int arithmetic. */
      if (f[1] > NN_MAX_KERNEL || f[2] > NN_MAX_WIDTH)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                       _("layer %u is larger than Digits accepts"), l + 1);
          return FALSE;
        }
      arch->layers[l] = (NnLayerSpec) {
        .kind = f[0] == KIND_CONV ? NN_LAYER_CONV : f[0] == KIND_POOL ? NN_LAYER_POOL
                                                                      : NN_LAYER_DENSE,
        .size = (int) f[1], .units = (int) f[2], .valid = (f[3] & FLAG_VALID) != 0,
      };
      layers[l].relu = (f[3] & FLAG_RELU) != 0;
      layers[l].out_c = (int) MIN (f[4], (guint32) G_MAXINT);
      layers[l].out_h = (int) MIN (f[5], (guint32) G_MAXINT);
      layers[l].out_w = (int) MIN (f[6], (guint32) G_MAXINT);
    }
  {
    NnLayer want[NN_MAX_LAYERS];

    if (nn_arch_resolve (arch, want, why, sizeof why) != 0)
      {
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                     _("damaged: its layers do not describe a valid network: %s"), why);
        return FALSE;
      }
    for (guint l = 0; l < n_layers; l++)
      {
        if (layers[l].relu != want[l].relu)
          {
            g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                         _("layer %u's activation is one this version of Digits does not "
                           "use there"), l + 1);
            return FALSE;
          }
        if (layers[l].out_c != want[l].out_c || layers[l].out_h != want[l].out_h
            || layers[l].out_w != want[l].out_w)
          {
            g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                         _("damaged: layer %u claims a %d×%d×%d output where its layers "
                           "make %d×%d×%d"), l + 1, layers[l].out_c, layers[l].out_h,
                         layers[l].out_w, want[l].out_c, want[l].out_h, want[l].out_w);
            return FALSE;
          }
      }
  }
  return TRUE;
}

/* The header's fields, after the CRC vouched for them: do they describe a model this
 * version can use? */
static gboolean
parse_header (guint32 version, const guint8 *data, gsize len, NnArch *arch,
              DigitsLabelSet *labels, GHashTable *metadata, GError **error)
{
  Cursor c = { data, len };
  guint32 preprocess, output, label_set, meta_len;

  if (!take_u32 (&c, &preprocess))
    return header_short (error);
  if (preprocess != PREPROCESS_MNIST)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model expects input prepared in a way this version of Digits "
                     "does not know (preprocessing %u)"), preprocess);
      return FALSE;
    }
  if (version == 1 ? !parse_dense_layers (&c, arch, error) : !parse_layers (&c, arch, error))
    return FALSE;

  if (!take_u32 (&c, &output) || !take_u32 (&c, &label_set) || !take_u32 (&c, &meta_len))
    return header_short (error);
  if (output != OUTPUT_SOFTMAX)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model uses an output layer this version of Digits does not "
                     "know (%u)"), output);
      return FALSE;
    }
  if (label_set != DIGITS_LABELS_DIGITS && label_set != DIGITS_LABELS_FASHION)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model uses a label set this version of Digits does not "
                     "know (%u)"), label_set);
      return FALSE;
    }
  *labels = (DigitsLabelSet) label_set;

  /* What remains is the description and the u64 n_params, exactly. */
  if (meta_len > c.left || c.left - meta_len != 8)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its header's length does not match its fields"));
      return FALSE;
    }
  return parse_metadata ((const char *) c.p, meta_len, metadata, error);
}

static DigitsModel *
deserialize (const guint8 *data, gsize size, GError **error)
{
  guint32 version, header_len, stored_crc;
  guint64 n_params, expected;
  NnArch arch;
  DigitsLabelSet labels = DIGITS_LABELS_DIGITS;
  g_autoptr(GHashTable) metadata = NULL;
  const guint8 *header, *params;
  NnNet *net;
  DigitsModel *model;

  if (size == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT, _("the file is empty"));
      return NULL;
    }
  if (memcmp (data, DIGITS_MODEL_MAGIC, MIN (size, MAGIC_LEN)) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("not a Digits model file"));
      return NULL;
    }
  /* The version before the rest of the preamble: a newer format may be laid out
   * differently from here on, so it must not be judged by this one's rules. */
  if (size < MAGIC_LEN + 4)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("truncated: the file ends after %u bytes, inside its header"), (guint) size);
      return NULL;
    }

  version = get_le32 (data + 8);
  /* Formats are numbered 1, 2, 3…: a number in the millions is text or noise written
   * over the header, not a file from the future. */
  if (version > MAX_PLAUSIBLE_VERSION)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: its header claims model format %u, which no version of "
                     "Digits writes"), version);
      return NULL;
    }
  if (version > DIGITS_MODEL_VERSION)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("made by a newer version of Digits (model format %u; this version "
                     "reads format %u); update Digits to use it"),
                   version, DIGITS_MODEL_VERSION);
      return NULL;
    }
  if (version == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: it claims model format 0, which never existed"));
      return NULL;
    }
  if (size < PREAMBLE_LEN)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("truncated: the file ends after %u bytes, inside its header"), (guint) size);
      return NULL;
    }

  if (size > DIGITS_MODEL_MAX_FILE)
    {
      g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *limit = g_format_size_full (DIGITS_MODEL_MAX_FILE,
                                                   G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file is too large (%s); Digits reads model files of up to %s"),
                   have, limit);
      return NULL;
    }

  header_len = get_le32 (data + 12);
  if (header_len > MAX_HEADER_LEN)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file's header claims %u bytes; Digits accepts at most %u"),
                   header_len, MAX_HEADER_LEN);
      return NULL;
    }
  if (header_len < 8)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its header is too short to describe a model"));
      return NULL;
    }
  if (size < (gsize) PREAMBLE_LEN + header_len)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("truncated: the file ends after %u bytes, inside its header"), (guint) size);
      return NULL;
    }

  header = data + PREAMBLE_LEN;
  params = header + header_len;
  n_params = get_le64 (params - 8);
  if (n_params > DIGITS_MODEL_MAX_PARAMS)
    {
      g_autofree char *claimed = format_u64 (n_params);
      g_autofree char *limit = format_u64 (DIGITS_MODEL_MAX_PARAMS);

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                   _("the file claims %s parameters; Digits accepts at most %s"), claimed, limit);
      return NULL;
    }

  expected = (guint64) PREAMBLE_LEN + header_len + 4 * n_params + 4;
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
      return NULL;
    }

  stored_crc = get_le32 (data + size - 4);
  if (compute_crc (data, size - 4) != stored_crc)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its checksum does not match its contents"));
      return NULL;
    }

  metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!parse_header (version, header, header_len, &arch, &labels, metadata, error))
    return NULL;
  if (n_params != nn_arch_params (&arch))
    {
      g_autofree char *claimed = format_u64 (n_params);
      g_autofree char *want = format_u64 (nn_arch_params (&arch));

      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: it holds %s parameters but its layers need %s"), claimed, want);
      return NULL;
    }

  /* Every size is checked and the data is all there: now allocation is safe. */
  net = nn_net_new_arch (&arch);
  if (net == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("not enough memory to load it"));
      return NULL;
    }
  for (guint64 i = 0; i < n_params; i++)
    {
      guint32 bits = get_le32 (params + 4 * i);
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

/* Reads at most DIGITS_MODEL_MAX_FILE bytes; a regular file over that is refused by its
 * size alone, and a stream that never ends is cut off at the bound. */
static GBytes *
read_bounded (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local = NULL;
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &local);
  g_autoptr(GFileInfo) info = NULL;
  g_autofree guint8 *data = NULL;
  gsize cap = 65536, len = 0;
  const gsize limit = DIGITS_MODEL_MAX_FILE;

  if (in == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND, _("%s: no such file"), path);
      else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                     _("%s: is a folder, not a model file"), path);
      else
        g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                     _("%s: cannot be read: %s"), path, local->message);
      return NULL;
    }

  info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                         G_FILE_ATTRIBUTE_STANDARD_TYPE, NULL, NULL);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      guint64 size = (guint64) g_file_info_get_size (info);

      if (size > limit)
        {
          g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
          g_autofree char *most = g_format_size_full (limit, G_FORMAT_SIZE_IEC_UNITS);

          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                       _("%s: too large (%s); Digits reads model files of up to %s"),
                       path, have, most);
          return NULL;
        }
      /* One more byte than promised shows a file that grew meanwhile. */
      cap = (gsize) size + 1;
    }

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
                           _("%s: too large; Digits reads model files of up to %s"),
                           path, most);
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
                       _("%s: cannot be read: %s"), path, local->message);
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

  g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
               _("%s: not enough memory to read it"), path);
  return NULL;
}

DigitsModel *
digits_model_load (const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  DigitsModel *model;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = read_bounded (path, error);
  if (bytes == NULL)
    return NULL;
  model = digits_model_deserialize (bytes, error);
  if (model == NULL)
    g_prefix_error (error, "%s: ", path);
  return model;
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
  DigitsModel *model;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_resource_lookup_data (digits_model_get_resource (), BUILTIN_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &local);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      /* Until a model is trained, the bundle holds an empty placeholder. */
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                           _("This build of Digits carries no built-in model; train one "
                             "with “digits-cli train --out resources/model/digits.model” "
                             "and rebuild, or open a model file"));
      return NULL;
    }

  model = digits_model_deserialize (bytes, error);
  if (model == NULL)
    g_prefix_error (error, _("The built-in model: "));
  return model;
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

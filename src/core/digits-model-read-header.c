/* digits-model-read-header.c — the header of a model file, field by field, after the CRC
 * vouched for its bytes: does it describe a model this version of Digits can use?
 *
 * Format 1 lists dense layer sizes; format 2 lists every layer's kind, size, flags and
 * output shape, each checked against what the layers before it make. The layout is in
 * digits-model-private.h; the preamble, the length and the CRC are checked before this
 * runs (digits-model-read.c).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-model-private.h"

typedef struct {
  const guint8 *p;
  gsize left;
} Cursor;

static gboolean
take_u32 (Cursor *c, guint32 *v)
{
  if (c->left < 4)
    return FALSE;
  *v = digits_model_get_le32 (c->p);
  c->p += 4;
  c->left -= 4;
  return TRUE;
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

static gboolean
check_classes (guint32 n_classes, GError **error)
{
  if (n_classes != N_CLASSES)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("the model tells %u classes apart; Digits knows label sets of %u"),
                   n_classes, N_CLASSES);
      return FALSE;
    }
  return TRUE;
}

/* Format 1: the n sizes of the input and of every layer's output. */
static gboolean
take_dense_sizes (Cursor *c, guint n, int *sizes, GError **error)
{
  for (guint l = 0; l < n; l++)
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
  return TRUE;
}

/* Format 1: the n activations between the layers, each of which must be ReLU. */
static gboolean
take_activations (Cursor *c, guint n, GError **error)
{
  for (guint l = 0; l < n; l++)
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

  if (!take_dense_sizes (c, n_layers + 1, sizes, error))
    return FALSE;
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
  if (!check_classes (n_classes, error))
    return FALSE;
  if (sizes[n_layers] != (int) n_classes)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: its network has %d outputs for %u classes"),
                   sizes[n_layers], n_classes);
      return FALSE;
    }

  if (!take_activations (c, n_layers - 1, error))
    return FALSE;
  if (nn_arch_from_sizes (sizes, n_sizes, 1, (int) side, (int) side, arch) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                           _("damaged: its layer sizes do not describe a valid network"));
      return FALSE;
    }
  return TRUE;
}

/* Format 2: layer l's kind, sizes and flags into spec; its activation and the output shape
 * it claims into claimed, to be checked against what the layers make. */
static gboolean
take_layer (Cursor *c, guint l, NnLayerSpec *spec, NnLayer *claimed, GError **error)
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
  *spec = (NnLayerSpec) {
    .kind = f[0] == KIND_CONV ? NN_LAYER_CONV : f[0] == KIND_POOL ? NN_LAYER_POOL
                                                                  : NN_LAYER_DENSE,
    .size = (int) f[1], .units = (int) f[2], .valid = (f[3] & FLAG_VALID) != 0,
  };
  claimed->relu = (f[3] & FLAG_RELU) != 0;
  claimed->out_c = (int) MIN (f[4], (guint32) G_MAXINT);
  claimed->out_h = (int) MIN (f[5], (guint32) G_MAXINT);
  claimed->out_w = (int) MIN (f[6], (guint32) G_MAXINT);
  return TRUE;
}

/* Each layer's claimed activation and output shape against what the engine makes of
 * the architecture: a file that disagrees with itself is damaged. */
static gboolean
check_claimed_shapes (const NnArch *arch, const NnLayer *claimed, GError **error)
{
  NnLayer want[NN_MAX_LAYERS];
  char why[256];

  if (nn_arch_resolve (arch, want, why, sizeof why) != 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("damaged: its layers do not describe a valid network: %s"), why);
      return FALSE;
    }
  for (int l = 0; l < arch->n_layers; l++)
    {
      if (claimed[l].relu != want[l].relu)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                       _("layer %u's activation is one this version of Digits does not "
                         "use there"), (guint) l + 1);
          return FALSE;
        }
      if (claimed[l].out_c != want[l].out_c || claimed[l].out_h != want[l].out_h
          || claimed[l].out_w != want[l].out_w)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                       _("damaged: layer %u claims a %d×%d×%d output where its layers "
                         "make %d×%d×%d"), (guint) l + 1, claimed[l].out_c, claimed[l].out_h,
                       claimed[l].out_w, want[l].out_c, want[l].out_h, want[l].out_w);
          return FALSE;
        }
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
  if (!check_classes (n_classes, error))
    return FALSE;
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
    if (!take_layer (c, l, &arch->layers[l], &layers[l], error))
      return FALSE;
  return check_claimed_shapes (arch, layers, error);
}

/* The header's fields, after the CRC vouched for them: do they describe a model this
 * version can use? */
gboolean
digits_model_parse_header (guint32 version, const guint8 *data, gsize len, NnArch *arch,
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

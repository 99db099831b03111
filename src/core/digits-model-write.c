/* digits-model-write.c — a model turned into the bytes of a model file (formats 1 and 2).
 *
 * The layout is described byte by byte in digits-model-private.h. Every number is packed
 * by hand, little-endian, never by copying a struct, so the bytes are the same on every
 * machine; the metadata is written in key order, so the same model gives the same file.
 */
#include "config.h"

#include <string.h>

#include <zlib.h>

#include "digits-model.h"
#include "digits-model-private.h"

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

/* Also used by the reader to check a file. */
guint32
digits_model_crc (const guint8 *data, gsize len)
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
  put_u32 (out, digits_model_crc (out->data, out->len));

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

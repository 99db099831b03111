/* test-model-conv.c — model file format 2 (networks with convolutions and pooling):
 * the layout field by field, a round trip, and every header field checked. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "test-util.h"

static DigitsModel *
make_conv_model (const char *spec)
{
  NnArch arch;
  char err[256];
  NnNet *net;

  g_assert_cmpint (nn_arch_parse (spec, 1, 28, 28, 10, &arch, err, sizeof err), ==, 0);
  net = nn_net_new_arch (&arch);
  nn_net_init_he (net, 4);
  for (int l = 0; l < net->n_layers; l++)
    for (gsize o = 0; o < net->layers[l].n_biases; o++)
      net->b[l][o] = 0.01f * (float) (o + 1);
  return digits_model_new (net, DIGITS_LABELS_DIGITS);
}

static GByteArray *
to_array (const DigitsModel *model)
{
  g_autoptr(GBytes) bytes = digits_model_serialize (model);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GByteArray *array = g_byte_array_new ();

  g_byte_array_append (array, data, (guint) len);
  return array;
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
fix_crc (GByteArray *file)
{
  test_put_le32 (file->data + file->len - 4,
                 (guint32) crc32 (crc32 (0, Z_NULL, 0), file->data, file->len - 4));
}

static void
test_round_trip (void)
{
  g_autoptr(DigitsModel) model = make_conv_model ("conv3x4,pool2,conv5x6v,pool2,dense12");
  g_autoptr(GByteArray) file = to_array (model);
  g_autoptr(GBytes) bytes = g_bytes_new (file->data, file->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) back = digits_model_deserialize (bytes, &error);
  char spec[NN_SPEC_MAX];
  float input[784], p1[10], p2[10];

  g_assert_no_error (error);
  g_assert_true (nn_net_same_arch (model->net, back->net));
  g_assert_cmpmem (model->net->params, model->net->n_params * 4, back->net->params,
                   back->net->n_params * 4);
  nn_net_spec (back->net, spec, sizeof spec);
  g_assert_cmpstr (spec, ==, "conv3x4,pool2,conv5x6v,pool2,dense12");
  for (int i = 0; i < 784; i++)
    input[i] = (float) ((i * 7) % 11) / 10.0f;
  g_assert_cmpint (digits_model_classify (model, input, p1), ==,
                   digits_model_classify (back, input, p2));
  g_assert_cmpmem (p1, sizeof p1, p2, sizeof p2);
}

/* The layout documented in digits-model.h, checked field by field. */
static void
test_layout (void)
{
  g_autoptr(DigitsModel) model = make_conv_model ("conv3x4v,pool2");
  g_autoptr(GByteArray) file = to_array (model);
  const guint8 *p = file->data;
  static const guint32 want[] = {
    2, 0 /* header bytes */, 1, 1, 28, 28, 10, 3,
    2, 3, 4, 3, 4, 26, 26,        /* conv3x4v: valid, ReLU, 4×26×26 */
    3, 2, 0, 0, 4, 13, 13,        /* pool2 */
    1, 0, 10, 0, 10, 1, 1,        /* the output layer: dense10, no ReLU */
    1, 0,                         /* softmax, digits */
  };

  g_assert_cmpmem (p, 8, "DIGITSNN", 8);
  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    if (i != 1)
      g_assert_cmpuint (le32 (p + 8 + 4 * i), ==, want[i]);
  g_assert_cmpuint (le32 (p + 12), ==, file->len - 16 - 4 * model->net->n_params - 4);
  g_assert_cmpuint (model->net->n_params, ==, 9 * 4 + 4 + 676 * 10 + 10);
}

static void
test_bad_fields (void)
{
  /* Offsets of conv3x4v,pool2's header: 16 preprocessing, 20/24/28 input shape,
   * 32 classes, 36 layers, 40 + 28·l the fields of layer l. */
  struct { guint offset; guint32 value; int code; const char *word; } cases[] = {
    { 16, 2, DIGITS_ERROR_UNSUPPORTED, "preprocessing" },
    { 20, 3, DIGITS_ERROR_UNSUPPORTED, "3×28×28 inputs" },
    { 28, 27, DIGITS_ERROR_UNSUPPORTED, "inputs" },
    { 32, 11, DIGITS_ERROR_UNSUPPORTED, "classes" },
    { 36, 0, DIGITS_ERROR_CORRUPT, "layers" },
    { 36, 17, DIGITS_ERROR_TOO_LARGE, "layers" },
    { 36, 0xffffffffu, DIGITS_ERROR_TOO_LARGE, "layers" },
    { 36, 2, DIGITS_ERROR_CORRUPT, NULL },
    { 40, 9, DIGITS_ERROR_UNSUPPORTED, "kind" },
    { 44, 0x7fffffffu, DIGITS_ERROR_TOO_LARGE, "larger" },
    { 44, 0, DIGITS_ERROR_CORRUPT, "convolution is 1×1" },
    { 48, 2000, DIGITS_ERROR_CORRUPT, "1024 channels" },
    { 52, 8, DIGITS_ERROR_UNSUPPORTED, "kind" },
    { 52, 1, DIGITS_ERROR_UNSUPPORTED, "activation" },
    { 56, 5, DIGITS_ERROR_CORRUPT, "claims a 5×26×26 output" },
    { 60, 28, DIGITS_ERROR_CORRUPT, "output" },
    { 72, 15, DIGITS_ERROR_CORRUPT, "claims a 4×13×13 output where its layers make 4×1×1" },
    { 96, 3, DIGITS_ERROR_CORRUPT, "the output layer (pool0)" },
    { 104, 11, DIGITS_ERROR_CORRUPT, NULL },
    { 124, 2, DIGITS_ERROR_UNSUPPORTED, "output layer" },
  };
  g_autoptr(DigitsModel) model = make_conv_model ("conv3x4v,pool2");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) file = to_array (model);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(DigitsModel) back = NULL;

      test_put_le32 (file->data + cases[i].offset, cases[i].value);
      fix_crc (file);
      bytes = g_bytes_new (file->data, file->len);
      back = digits_model_deserialize (bytes, &error);
      g_assert_null (back);
      g_test_message ("offset %u: %s", cases[i].offset, error->message);
      g_assert_error (error, DIGITS_ERROR, cases[i].code);
      if (cases[i].word != NULL && strstr (error->message, cases[i].word) == NULL)
        g_error ("message “%s” does not say “%s”", error->message, cases[i].word);
      /* Core says what is wrong, never where: callers name the file. */
      g_assert_false (g_str_has_prefix (error->message, "/"));
    }
}

/* A dense-only net is still written as format 1, which every Digits reads. */
static void
test_dense_stays_format_1 (void)
{
  g_autoptr(DigitsModel) model = make_conv_model ("dense16");
  g_autoptr(GByteArray) file = to_array (model);

  g_assert_cmpuint (le32 (file->data + 8), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-conv/round-trip", test_round_trip);
  g_test_add_func ("/model-conv/layout", test_layout);
  g_test_add_func ("/model-conv/bad-fields", test_bad_fields);
  g_test_add_func ("/model-conv/dense-stays-format-1", test_dense_stays_format_1);
  return g_test_run ();
}

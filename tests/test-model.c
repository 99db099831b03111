/* test-model.c — model files: round trips, and every way a file can be damaged.
 *
 * A model that survives a round trip must predict exactly as before; a file with any
 * byte damaged or cut short must be refused with an error, and a save must never cost
 * the user the previous file.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "test-util.h"

static char *tmp_dir;

/* ---- helpers ---- */

static DigitsModel *
make_model (const int *hidden, int n_hidden, guint64 seed, DigitsLabelSet labels)
{
  int sizes[NN_MAX_LAYERS + 1];
  int n = 0;
  NnNet *net;

  sizes[n++] = 784;
  for (int i = 0; i < n_hidden; i++)
    sizes[n++] = hidden[i];
  sizes[n++] = 10;
  net = nn_net_new (sizes, n);
  g_assert_nonnull (net);
  nn_net_init_he (net, seed);
  /* Non-zero biases too, so that every parameter's bytes matter. */
  for (int l = 0; l < net->n_layers; l++)
    for (int o = 0; o < net->sizes[l + 1]; o++)
      net->b[l][o] = 0.01f * (float) (o + 1) * (l % 2 ? -1.0f : 1.0f);
  return digits_model_new (net, labels);
}

/* The smallest model a file can hold: 784 → 10. */
static DigitsModel *
make_small_model (void)
{
  DigitsModel *model = make_model (NULL, 0, 7, DIGITS_LABELS_DIGITS);

  digits_model_set_meta (model, "dataset", "test");
  return model;
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
write_bytes (const char *path, const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
}

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

/* After editing a file's bytes on purpose, make its CRC right again, so that what is
 * tested is the check of the field and not the checksum. */
static void
fix_crc (GByteArray *file)
{
  test_put_le32 (file->data + file->len - 4,
                 (guint32) crc32 (crc32 (0, Z_NULL, 0), file->data, file->len - 4));
}

static GByteArray *
serialize_to_array (const DigitsModel *model)
{
  g_autoptr(GBytes) bytes = digits_model_serialize (model);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GByteArray *array = g_byte_array_new ();

  g_assert_nonnull (bytes);
  g_byte_array_append (array, data, (guint) len);
  return array;
}

static DigitsModel *
deserialize_array (const GByteArray *file, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (file->data, file->len);

  return digits_model_deserialize (bytes, error);
}

static void
assert_refused (const GByteArray *file, int code, const char *word)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = deserialize_array (file, &error);

  g_assert_null (model);
  g_assert_error (error, DIGITS_ERROR, code);
  g_test_message ("%s", error->message);
  if (word != NULL && strstr (error->message, word) == NULL)
    g_error ("message “%s” does not say “%s”", error->message, word);
}

static void
assert_same_model (const DigitsModel *a, const DigitsModel *b)
{
  g_assert_cmpint (a->net->n_layers, ==, b->net->n_layers);
  g_assert_cmpmem (a->net->sizes, sizeof a->net->sizes, b->net->sizes, sizeof b->net->sizes);
  g_assert_cmpuint (a->net->n_params, ==, b->net->n_params);
  g_assert_cmpmem (a->net->params, a->net->n_params * sizeof (float),
                   b->net->params, b->net->n_params * sizeof (float));
  g_assert_cmpint (a->labels, ==, b->labels);
  g_assert_cmpuint (g_hash_table_size (a->metadata), ==, g_hash_table_size (b->metadata));
}

static void
random_input (GRand *rand, float *input)
{
  for (int i = 0; i < 784; i++)
    input[i] = g_rand_int_range (rand, 0, 3) == 0 ? (float) g_rand_double (rand) : 0.0f;
}

/* Identical predictions, bit for bit, on many inputs. */
static void
assert_same_predictions (const DigitsModel *a, const DigitsModel *b)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  float input[784], pa[10], pb[10];

  for (int k = 0; k < 50; k++)
    {
      int ca, cb;

      random_input (rand, input);
      ca = digits_model_classify (a, input, pa);
      cb = digits_model_classify (b, input, pb);
      g_assert_cmpint (ca, >=, 0);
      g_assert_cmpint (ca, <, 10);
      g_assert_cmpint (ca, ==, cb);
      g_assert_cmpmem (pa, sizeof pa, pb, sizeof pb);
    }
}

/* ---- round trips ---- */

static void
test_round_trip (void)
{
  const int hidden[] = { 32, 16 };
  g_autoptr(DigitsModel) model = make_model (hidden, 2, 1, DIGITS_LABELS_DIGITS);
  g_autoptr(DigitsModel) again = NULL;
  g_autoptr(DigitsModel) loaded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bytes_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("round-trip.model");

  digits_model_set_meta (model, "accuracy", "0.9812");
  bytes = digits_model_serialize (model);
  g_assert_nonnull (bytes);
  /* 16 + header + 4 × params + 4 */
  g_assert_cmpuint (g_bytes_get_size (bytes), >, 4 * model->net->n_params + 20);

  again = digits_model_deserialize (bytes, &error);
  g_assert_no_error (error);
  assert_same_model (model, again);
  assert_same_predictions (model, again);

  /* The same model always gives the same bytes. */
  bytes_again = digits_model_serialize (again);
  g_assert_true (g_bytes_equal (bytes, bytes_again));

  g_assert_true (digits_model_save (model, path, &error));
  g_assert_no_error (error);
  loaded = digits_model_load (path, &error);
  g_assert_no_error (error);
  assert_same_model (model, loaded);
  assert_same_predictions (model, loaded);
  g_assert_cmpstr (digits_model_get_meta (loaded, "accuracy"), ==, "0.9812");
}

/* The layout documented in digits-model.h, checked field by field. */
static void
test_layout (void)
{
  g_autoptr(DigitsModel) model = make_model ((const int[]) { 20 }, 1, 3, DIGITS_LABELS_FASHION);
  g_autoptr(GByteArray) file = serialize_to_array (model);
  const guint8 *p = file->data;
  guint32 header_len, meta_len;
  guint64 n_params;

  g_assert_cmpmem (p, 8, "DIGITSNN", 8);
  g_assert_cmpuint (get_le32 (p + 8), ==, DIGITS_MODEL_VERSION_DENSE);
  header_len = get_le32 (p + 12);
  g_assert_cmpuint (get_le32 (p + 16), ==, 1);      /* MNIST-style preprocessing */
  g_assert_cmpuint (get_le32 (p + 20), ==, 28);
  g_assert_cmpuint (get_le32 (p + 24), ==, 10);
  g_assert_cmpuint (get_le32 (p + 28), ==, 2);      /* dense layers */
  g_assert_cmpuint (get_le32 (p + 32), ==, 784);
  g_assert_cmpuint (get_le32 (p + 36), ==, 20);
  g_assert_cmpuint (get_le32 (p + 40), ==, 10);
  g_assert_cmpuint (get_le32 (p + 44), ==, 1);      /* ReLU */
  g_assert_cmpuint (get_le32 (p + 48), ==, 1);      /* softmax */
  g_assert_cmpuint (get_le32 (p + 52), ==, DIGITS_LABELS_FASHION);
  meta_len = get_le32 (p + 56);
  g_assert_cmpuint (meta_len, ==, 0);
  n_params = get_le32 (p + 60) | ((guint64) get_le32 (p + 64) << 32);
  g_assert_cmpuint (n_params, ==, 784 * 20 + 20 + 20 * 10 + 10);
  g_assert_cmpuint (header_len, ==, 68 - 16);
  g_assert_cmpuint (file->len, ==, 68 + 4 * n_params + 4);
  /* The first weight, as little-endian float32. */
  {
    guint32 bits = get_le32 (p + 68);
    float w;

    memcpy (&w, &bits, sizeof w);
    g_assert_true (w == model->net->params[0]);
  }
  g_assert_cmpuint (get_le32 (p + file->len - 4), ==,
                    (guint32) crc32 (crc32 (0, Z_NULL, 0), p, file->len - 4));
}

static void
test_metadata (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(DigitsModel) again = NULL;
  g_autoptr(GByteArray) file = NULL;
  g_autoptr(GError) error = NULL;

  digits_model_set_meta (model, "accuracy", "0.9801");
  digits_model_set_meta (model, "epochs", "10");
  digits_model_set_meta (model, "optimizer", "adam");
  digits_model_set_meta (model, "created", "2024-05-01T10:00:00Z");
  digits_model_set_meta (model, "note", "two\nlines = ünïcödé");
  digits_model_set_meta (model, "gone", "soon");
  digits_model_set_meta (model, "gone", NULL);
  g_assert_null (digits_model_get_meta (model, "gone"));

  file = serialize_to_array (model);
  again = deserialize_array (file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (again->metadata), ==, 6);
  g_assert_cmpstr (digits_model_get_meta (again, "dataset"), ==, "test");
  g_assert_cmpstr (digits_model_get_meta (again, "accuracy"), ==, "0.9801");
  g_assert_cmpstr (digits_model_get_meta (again, "epochs"), ==, "10");
  g_assert_cmpstr (digits_model_get_meta (again, "optimizer"), ==, "adam");
  g_assert_cmpstr (digits_model_get_meta (again, "created"), ==, "2024-05-01T10:00:00Z");
  g_assert_cmpstr (digits_model_get_meta (again, "note"), ==, "two lines = ünïcödé");
  g_assert_null (digits_model_get_meta (again, "missing"));
}

static void
test_copy (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(DigitsModel) copy = digits_model_copy (model);

  assert_same_model (model, copy);
  g_assert_cmpstr (digits_model_get_meta (copy, "dataset"), ==, "test");
  g_assert_true (copy->net != model->net);
  copy->net->params[0] += 1.0f;
  digits_model_set_meta (copy, "dataset", "other");
  g_assert_true (copy->net->params[0] != model->net->params[0]);
  g_assert_cmpstr (digits_model_get_meta (model, "dataset"), ==, "test");
}

static void
test_class_names (void)
{
  g_autoptr(DigitsModel) digits = make_small_model ();
  g_autoptr(DigitsModel) fashion = make_model (NULL, 0, 1, DIGITS_LABELS_FASHION);

  g_assert_cmpstr (digits_model_class_name (digits, 0), ==, "0");
  g_assert_cmpstr (digits_model_class_name (digits, 7), ==, "7");
  g_assert_cmpstr (digits_model_class_name (fashion, 0), ==, "T-shirt/top");
  g_assert_cmpstr (digits_model_class_name (fashion, 9), ==, "Ankle boot");
}

static void
test_builtin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);

  if (model == NULL)
    {
      /* The placeholder of a build without a trained model: a clear error, no crash. */
      g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "this build of Digits carries none"));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (model->net->sizes[0], ==, 784);
  g_assert_cmpint (model->net->sizes[model->net->n_layers], ==, 10);
  /* The built-in model is the convolutional network `cnn` names. */
  {
    char spec[NN_SPEC_MAX];

    nn_net_spec (model->net, spec, sizeof spec);
    g_assert_cmpstr (spec, ==, NN_SPEC_CNN);
  }
}

/* ---- damaged files ---- */

/* Any single-bit change anywhere must be refused: the CRC catches what the field
 * checks do not. */
static void
test_every_bit_flip (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(GByteArray) file = serialize_to_array (model);

  for (guint i = 0; i < file->len; i++)
    {
      /* Every bit of the header and trailer; one bit (varying) per parameter byte. */
      gboolean all_bits = i < 80 || i + 8 >= file->len;

      for (guint bit = all_bits ? 0 : i % 8; bit < 8; bit++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(DigitsModel) damaged = NULL;

          file->data[i] ^= (guint8) (1u << bit);
          damaged = deserialize_array (file, &error);
          file->data[i] ^= (guint8) (1u << bit);
          if (damaged != NULL)
            g_error ("flipping bit %u of byte %u was not noticed", bit, i);
          g_assert_true (error != NULL && error->domain == DIGITS_ERROR);
          if (!all_bits)
            break;
        }
    }

  /* And the untouched file still loads. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DigitsModel) again = deserialize_array (file, &error);

    g_assert_no_error (error);
    assert_same_model (model, again);
  }
}

static void
test_every_truncation (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(GByteArray) file = serialize_to_array (model);

  for (guint len = 0; len < file->len; len++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (file->data, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(DigitsModel) cut = digits_model_deserialize (bytes, &error);

      g_assert_null (cut);
      g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT);
      if (len > 0 && strstr (error->message, "truncated") == NULL)
        g_error ("cut at %u: “%s” does not say truncated", len, error->message);
    }
}

static void
test_empty (void)
{
  g_autoptr(GByteArray) empty = g_byte_array_new ();
  g_autofree char *path = tmp_path ("empty.model");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = NULL;

  assert_refused (empty, DIGITS_ERROR_CORRUPT, "empty");

  write_bytes (path, NULL, 0);
  model = digits_model_load (path, &error);
  g_assert_null (model);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT);
  /* What is wrong, not which file: the caller names it, once. */
  g_assert_cmpstr (error->message, ==, "the file is empty");
}

static void
test_trailing (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(GByteArray) file = serialize_to_array (model);

  g_byte_array_append (file, (const guint8 *) "\0\0\0\0", 4);
  assert_refused (file, DIGITS_ERROR_CORRUPT, "bytes long");
}

static void
test_wrong_version (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(GByteArray) file = serialize_to_array (model);
  g_autofree char *path = tmp_path ("future.model");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) loaded = NULL;

  test_put_le32 (file->data + 8, DIGITS_MODEL_VERSION + 1);
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_UNSUPPORTED, "made by a newer version of Digits");

  write_bytes (path, file->data, file->len);
  loaded = digits_model_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  {
    g_autofree char *expected =
      g_strdup_printf ("it was made by a newer version of Digits (model format %u; this "
                       "version reads format %u); update Digits to use it",
                       DIGITS_MODEL_VERSION + 1, DIGITS_MODEL_VERSION);
    g_assert_cmpstr (error->message, ==, expected);
  }

  /* A format number no Digits will reach is damage (here, text over the header). */
  memcpy (file->data + 8, "t a ", 4);
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_CORRUPT, "damaged: its header claims model format");
  test_put_le32 (file->data + 8, DIGITS_MODEL_VERSION + 1);
  fix_crc (file);

  /* Only the preamble of a newer file: still told apart from a damaged one. */
  g_byte_array_set_size (file, 12);
  assert_refused (file, DIGITS_ERROR_UNSUPPORTED, "newer version");
  g_clear_pointer (&file, g_byte_array_unref);
  file = serialize_to_array (model);

  test_put_le32 (file->data + 8, 0);
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_CORRUPT, NULL);
}

static void
test_foreign (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0 };
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autofree char *path = tmp_path ("picture.model");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = NULL;

  g_byte_array_append (file, png, sizeof png);
  assert_refused (file, DIGITS_ERROR_CORRUPT, "not a Digits model file");

  g_byte_array_set_size (file, 0);
  g_byte_array_append (file, (const guint8 *) "hi", 2);
  assert_refused (file, DIGITS_ERROR_CORRUPT, "not a Digits model file");

  write_bytes (path, png, sizeof png);
  model = digits_model_load (path, &error);
  g_assert_null (model);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "it is not a Digits model file");
}

/* A small file that claims huge sizes: refused at once, before any allocation that
 * its claims would size. */
static void
test_huge_claims (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(GByteArray) file = serialize_to_array (model);
  guint32 header_len = get_le32 (file->data + 12);
  guint8 *n_params = file->data + 16 + header_len - 8;

  /* A billion parameters. */
  test_put_le32 (n_params, 1000000000u);
  test_put_le32 (n_params + 4, 0);
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_TOO_LARGE, "1000000000 parameters");

  /* 2^63 parameters: 4 × n_params would overflow 64 bits if not bounded first. */
  test_put_le32 (n_params, 0);
  test_put_le32 (n_params + 4, 0x80000000u);
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_TOO_LARGE, "parameters");

  /* Just past the bound. */
  test_put_le32 (n_params, (guint32) (DIGITS_MODEL_MAX_PARAMS + 1));
  test_put_le32 (n_params + 4, (guint32) ((DIGITS_MODEL_MAX_PARAMS + 1) >> 32));
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_TOO_LARGE, "parameters");

  /* A header that claims to be 4 GiB long. */
  g_clear_pointer (&file, g_byte_array_unref);
  file = serialize_to_array (model);
  test_put_le32 (file->data + 12, 0xffffffffu);
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_TOO_LARGE, NULL);
}

/* Header fields that are wrong but consistent, with a valid CRC: each one checked. */
static void
test_bad_fields (void)
{
  struct { guint offset; guint32 value; int code; } cases[] = {
    { 16, 2, DIGITS_ERROR_UNSUPPORTED },            /* preprocessing */
    { 20, 32, DIGITS_ERROR_UNSUPPORTED },           /* input side */
    { 24, 11, DIGITS_ERROR_UNSUPPORTED },           /* n_classes */
    { 28, 0, DIGITS_ERROR_CORRUPT },                /* n_layers */
    { 28, 9, DIGITS_ERROR_TOO_LARGE },
    { 28, 0x7fffffffu, DIGITS_ERROR_TOO_LARGE },
    { 28, 3, DIGITS_ERROR_CORRUPT },                /* then the fields are misread */
    { 32, 785, DIGITS_ERROR_CORRUPT },              /* inputs vs 28 × 28 */
    { 36, 100000, DIGITS_ERROR_TOO_LARGE },         /* a layer too wide */
    { 36, 0, DIGITS_ERROR_CORRUPT },
    { 36, 17, DIGITS_ERROR_CORRUPT },               /* sizes vs n_params */
    { 40, 3, DIGITS_ERROR_CORRUPT },                /* outputs vs classes */
    { 44, 2, DIGITS_ERROR_UNSUPPORTED },            /* activation */
    { 48, 0, DIGITS_ERROR_UNSUPPORTED },            /* output */
    { 52, 7, DIGITS_ERROR_UNSUPPORTED },            /* label set */
    { 56, 1000, DIGITS_ERROR_CORRUPT },             /* metadata length */
  };
  g_autoptr(DigitsModel) model = make_model ((const int[]) { 16 }, 1, 5, DIGITS_LABELS_DIGITS);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) file = serialize_to_array (model);

      test_put_le32 (file->data + cases[i].offset, cases[i].value);
      fix_crc (file);
      assert_refused (file, cases[i].code, NULL);
    }
}

static void
test_bad_metadata (void)
{
  g_autoptr(DigitsModel) model = make_small_model ();
  g_autoptr(GByteArray) file = serialize_to_array (model);
  /* "dataset=test\n" sits at offset 52 of a 784 → 10 model's file. */
  guint8 *meta = file->data + 52;

  g_assert_cmpmem (meta, 13, "dataset=test\n", 13);
  meta[2] = 0xff;             /* not UTF-8 */
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_CORRUPT, "UTF-8");
  meta[2] = 0;                /* an embedded NUL */
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_CORRUPT, NULL);
  meta[2] = 't';
  meta[7] = '-';              /* no '=' */
  fix_crc (file);
  assert_refused (file, DIGITS_ERROR_CORRUPT, "key=value");
}

static void
test_not_finite (void)
{
  const float bad[] = { NAN, INFINITY, -INFINITY };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(DigitsModel) model = make_small_model ();
      g_autoptr(GByteArray) file = NULL;

      model->net->params[1234] = bad[i];
      file = serialize_to_array (model);
      assert_refused (file, DIGITS_ERROR_CORRUPT, "parameter 1234 is not a finite number");
    }
}

/* ---- files on disk ---- */

static void
test_load_missing (void)
{
  g_autofree char *path = tmp_path ("no-such.model");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load (path, &error);

  g_assert_null (model);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "there is no such file");
  g_clear_error (&error);

  model = digits_model_load (tmp_dir, &error);
  g_assert_null (model);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "it is a folder, not a model file");
}

/* A 2 GB file (sparse: it costs no disk) is refused by its size, without being read. */
static void
test_load_huge_file (void)
{
  g_autofree char *path = tmp_path ("huge.model");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = NULL;
  gint64 before;

  write_bytes (path, (const guint8 *) "DIGITSNN", 8);
  g_assert_cmpint (truncate (path, (off_t) 2 * 1024 * 1024 * 1024), ==, 0);

  before = test_bytes_read ();
  model = digits_model_load (path, &error);
  g_assert_null (model);
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  /* g_format_size puts a no-break space before the unit. */
  g_assert_true (g_str_has_prefix (error->message, "the file is too large (2.0\xc2\xa0GiB); "));
  g_assert_null (strstr (error->message, path));
  /* Not read: at most a header's worth of bytes went through read(). */
  if (before >= 0)
    g_assert_cmpint (test_bytes_read () - before, <, 64 * 1024);
  g_remove (path);
}

static DigitsModel *
load_or_die (const char *path)
{
  g_autoptr(GError) error = NULL;
  DigitsModel *model = digits_model_load (path, &error);

  g_assert_no_error (error);
  return model;
}

static void
test_save_failures_keep_old (void)
{
  g_autoptr(DigitsModel) old_model = make_model ((const int[]) { 8 }, 1, 11, DIGITS_LABELS_DIGITS);
  g_autoptr(DigitsModel) new_model = make_model ((const int[]) { 8 }, 1, 12, DIGITS_LABELS_DIGITS);
  g_autofree char *dir = tmp_path ("save");
  g_autofree char *path = g_build_filename (dir, "digits.model", NULL);
  g_autofree char *as_dir = g_build_filename (dir, "folder.model", NULL);
  g_autofree char *in_file = g_build_filename (path, "child.model", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) loaded = NULL;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_true (digits_model_save (old_model, path, &error));
  g_assert_no_error (error);

  /* Saving over an existing file replaces it whole. */
  g_assert_true (digits_model_save (new_model, path, &error));
  g_assert_no_error (error);
  loaded = load_or_die (path);
  assert_same_model (new_model, loaded);
  g_clear_pointer (&loaded, digits_model_free);
  g_assert_true (digits_model_save (old_model, path, &error));

  /* A folder where the file should go: refused, the folder untouched. */
  g_assert_cmpint (g_mkdir (as_dir, 0755), ==, 0);
  g_assert_false (digits_model_save (new_model, as_dir, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (g_file_test (as_dir, G_FILE_TEST_IS_DIR));

  /* A path through a file: refused. */
  g_assert_false (digits_model_save (new_model, in_file, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
  g_clear_error (&error);

  /* A folder that cannot be written (only meaningful when not root). */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
      g_assert_false (digits_model_save (new_model, path, &error));
      g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
      g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
    }
  else
    g_test_message ("running as root: the unwritable-folder case cannot fail, skipped");

  loaded = load_or_die (path);
  assert_same_model (old_model, loaded);
}

/* A save killed at a random moment, again and again: what is on disk always loads
 * and is one of the models saved, never a mix. */
static void
test_save_killed (void)
{
  g_autoptr(DigitsModel) a = make_model ((const int[]) { 64 }, 1, 21, DIGITS_LABELS_DIGITS);
  g_autoptr(DigitsModel) b = make_model ((const int[]) { 64 }, 1, 22, DIGITS_LABELS_DIGITS);
  g_autoptr(DigitsModel) c = make_model ((const int[]) { 32 }, 1, 23, DIGITS_LABELS_DIGITS);
  g_autofree char *dir = tmp_path ("killed");
  g_autofree char *path = g_build_filename (dir, "digits.model", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_true (digits_model_save (a, path, &error));
  g_assert_no_error (error);

  guint seen[3] = { 0 };

  for (int round = 0; round < 25; round++)
    {
      g_autoptr(DigitsModel) loaded = NULL;

      test_kill_saving_child (b, c, path, rand, 0, 30000);
      loaded = load_or_die (path);
      if (loaded->net->sizes[1] == 32)
        {
          assert_same_model (c, loaded);
          seen[2]++;
        }
      else if (memcmp (loaded->net->params, a->net->params, a->net->n_params * 4) == 0)
        {
          assert_same_model (a, loaded);
          seen[0]++;
        }
      else
        {
          assert_same_model (b, loaded);
          seen[1]++;
        }
    }
  g_test_message ("after a kill the file held: the first model %u times, "
                  "the others %u and %u times", seen[0], seen[1], seen[2]);
}

/* ---- the harness ---- */

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("digits-model-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/model/round-trip", test_round_trip);
  g_test_add_func ("/model/layout", test_layout);
  g_test_add_func ("/model/metadata", test_metadata);
  g_test_add_func ("/model/copy", test_copy);
  g_test_add_func ("/model/class-names", test_class_names);
  g_test_add_func ("/model/builtin", test_builtin);
  g_test_add_func ("/model/bad/every-bit-flip", test_every_bit_flip);
  g_test_add_func ("/model/bad/every-truncation", test_every_truncation);
  g_test_add_func ("/model/bad/empty", test_empty);
  g_test_add_func ("/model/bad/trailing", test_trailing);
  g_test_add_func ("/model/bad/wrong-version", test_wrong_version);
  g_test_add_func ("/model/bad/foreign", test_foreign);
  g_test_add_func ("/model/bad/huge-claims", test_huge_claims);
  g_test_add_func ("/model/bad/fields", test_bad_fields);
  g_test_add_func ("/model/bad/metadata", test_bad_metadata);
  g_test_add_func ("/model/bad/not-finite", test_not_finite);
  g_test_add_func ("/model/file/missing", test_load_missing);
  g_test_add_func ("/model/file/huge", test_load_huge_file);
  g_test_add_func ("/model/file/save-failures-keep-old", test_save_failures_keep_old);
  g_test_add_func ("/model/file/save-killed", test_save_killed);

  status = g_test_run ();

  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}

/* fuzz-model.c — the model loader on any bytes, as they are and once more with the
 * trailing CRC-32 made right, so the fuzzer gets past the checksum to the fields behind
 * it. It must return a model that works or a DIGITS_ERROR, nothing else.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <zlib.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-preprocess.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  return 0;
}

static void
check (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_deserialize (bytes, &error);
  float input[DIGITS_PIXELS];
  float probs[16];
  float sum = 0;
  int k;

  if (model == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == DIGITS_ERROR);
      g_assert_cmpuint (strlen (error->message), >, 0);
      return;
    }
  g_assert_no_error (error);

  /* A model that loads must classify, and write back to the same bytes. */
  for (int i = 0; i < DIGITS_PIXELS; i++)
    input[i] = (float) (i % 7) / 6.0f;
  k = digits_model_classify (model, input, probs);
  g_assert_cmpint (k, >=, 0);
  g_assert_cmpint (k, <, 10);
  for (int i = 0; i < 10; i++)
    sum += probs[i];
  g_assert_true (isfinite (sum));
  g_assert_nonnull (digits_model_class_name (model, k));
  {
    g_autoptr(GBytes) again = digits_model_serialize (model);
    g_autoptr(DigitsModel) reloaded = digits_model_deserialize (again, &error);

    g_assert_no_error (error);
    g_assert_nonnull (reloaded);
    g_assert_cmpuint (reloaded->net->n_params, ==, model->net->n_params);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);

  check (bytes);
  if (size >= 20)
    {
      guint8 *fixed = g_memdup2 (data, size);
      guint32 crc = (guint32) crc32 (crc32 (0, Z_NULL, 0), fixed, (uInt) (size - 4));
      g_autoptr(GBytes) fixed_bytes = NULL;

      fixed[size - 4] = crc & 0xff;
      fixed[size - 3] = (crc >> 8) & 0xff;
      fixed[size - 2] = (crc >> 16) & 0xff;
      fixed[size - 1] = crc >> 24;
      fixed_bytes = g_bytes_new_take (fixed, size);
      check (fixed_bytes);
    }
  return 0;
}

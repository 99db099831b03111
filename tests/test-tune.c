/* test-tune.c — the tuner without MNIST files: the held-out rule, classes with no examples,
 * a single example, the mix's size, cancelling, and a folder of 10,000 examples that loads
 * into 784 bytes each and starts training with memory bounded.
 */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "digits-my-digits.h"
#include "digits-preprocess.h"
#include "digits-tune.h"
#include "test-util.h"


#define MiB (1024u * 1024u)

static char *tmp_root;

/* A data set of n digits: a vertical bar for odd labels, a ring for even, so the built-in
 * model has something digit-like to read. labels[i] = classes[i % n_classes]. */
static DigitsDataset *
fake_set (guint n, const guint *classes, guint n_classes)
{
  DigitsDataset *set = digits_dataset_new (n, DIGITS_SIDE, DIGITS_SIDE, 10);

  for (guint i = 0; i < n; i++)
    {
      guint8 *img = set->images + (gsize) i * DIGITS_PIXELS;
      guint label = classes[i % n_classes];

      set->labels[i] = (guint8) label;
      for (int y = 4; y < 24; y++)
        for (int x = 0; x < DIGITS_SIDE; x++)
          {
            double r = hypot ((x - 14) / 6.0, (y - 14) / 10.0);
            gboolean ink = label % 2 ? abs (x - 14) <= 1 : fabs (r - 1.0) < 0.2;
            img[y * DIGITS_SIDE + x] = ink ? 255 : 0;
          }
    }
  return set;
}

static void
test_held_out_rule (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  /* 10 of class 1, 4 of class 2, 5 of class 3, none of the others. */
  const guint classes[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3 };
  g_autoptr(DigitsDataset) examples = fake_set (G_N_ELEMENTS (classes), classes,
                                                G_N_ELEMENTS (classes));
  DigitsTuneConfig config;

  g_assert_no_error (error);
  digits_tune_config_defaults (&config);
  config.epochs = 1;
  g_autoptr(DigitsTuner) tuner = digits_tuner_new (&config, model, examples, NULL, NULL,
                                                   &error);
  g_assert_no_error (error);
  const DigitsTuneResult *r = digits_tuner_get_result (tuner);
  /* Every 5th of a class with at least 5: two of the 1s, one of the 3s, none of the 2s. */
  g_assert_cmpuint (r->n_held_out, ==, 3);
  g_assert_cmpuint (r->n_train, ==, 16);
  g_assert_true (r->samples_before >= 0 && r->samples_before <= 1);
  g_assert_true (isnan (r->mnist_before));        /* no MNIST test set given */
  g_assert_true (isnan (r->samples_after));       /* not run yet */
  /* Without MNIST the mix is the examples themselves, once. */
  g_assert_cmpuint (digits_tuner_mix_size (tuner), ==, 16);

  g_assert_true (digits_tuner_run (tuner, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (r->samples_after >= 0 && r->samples_after <= 1);

  /* Hold-out off: all trained on, nothing to measure. */
  config.hold_out_every = 0;
  g_autoptr(DigitsTuner) all = digits_tuner_new (&config, model, examples, NULL, NULL, &error);
  g_assert_cmpuint (digits_tuner_get_result (all)->n_train, ==, G_N_ELEMENTS (classes));
  g_assert_true (isnan (digits_tuner_get_result (all)->samples_before));
}

static void
test_single_example_and_none (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  const guint seven[] = { 7 };
  g_autoptr(DigitsDataset) one = fake_set (1, seven, 1);
  g_autoptr(DigitsDataset) none = fake_set (0, seven, 1);
  g_autoptr(DigitsDataset) mnist = fake_set (300, (const guint[]) { 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                                                    9 }, 10);
  g_autoptr(DigitsDataset) check = digits_dataset_slice (mnist, 0, TEST_SANITIZED ? 50 : 300);
  DigitsTuneConfig config;

  digits_tune_config_defaults (&config);
  config.epochs = 1;
  config.mnist_mix = 200;
  g_autoptr(DigitsTuner) tuner = digits_tuner_new (&config, model, one, mnist, check, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (digits_tuner_get_result (tuner)->n_train, ==, 1);
  g_assert_cmpuint (digits_tuner_get_result (tuner)->n_held_out, ==, 0);
  /* 200 MNIST digits and the one example repeated to about a tenth: 0.1/0.9 × 200 = 22. */
  g_assert_cmpuint (digits_tuner_mix_size (tuner), ==, 200 + 22);
  g_assert_true (digits_tuner_run (tuner, NULL, NULL, NULL, &error));
  g_assert_true (isnan (digits_tuner_get_result (tuner)->samples_after));
  g_assert_false (isnan (digits_tuner_get_result (tuner)->mnist_after));

  g_autoptr(DigitsModel) tuned = digits_tuner_snapshot (tuner);
  g_assert_cmpstr (digits_model_get_meta (tuned, "tuned_on_examples"), ==, "1");
  g_assert_true (nn_net_same_arch (tuned->net, model->net));

  g_assert_null (digits_tuner_new (&config, model, none, mnist, check, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There are no examples of your digits to learn from");
}

/* The blend: with keep 0.5 every weight is halfway between the start's and those of the
 * same run (same seed, bit-identical) with keep 0; mnist_changed counts the test digits
 * answered unlike the start, checked one by one; keep out of range is refused. */
static void
test_keep_blends (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  const guint classes[] = { 1, 7 };
  g_autoptr(DigitsDataset) examples = fake_set (20, classes, 2);
  g_autoptr(DigitsDataset) mnist = fake_set (200, (const guint[]) { 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                                                    9 }, 10);
  /* What the tuners score on: each scoring runs the CNN over it, ~20–30 times slower under
   * the sanitizers, so there a quarter of it. */
  g_autoptr(DigitsDataset) check = digits_dataset_slice (mnist, 0, TEST_SANITIZED ? 50 : 200);
  float p_start[10], p_tuned[10];
  guint changed = 0;
  DigitsTuneConfig config;

  g_assert_no_error (error);
  digits_tune_config_defaults (&config);
  config.epochs = 1;
  config.mnist_mix = 100;
  config.lr = 1e-3f;   /* enough to move some answers */
  config.threads = 1;
  g_autoptr(DigitsTuner) full = digits_tuner_new (&config, model, examples, mnist, check, &error);
  g_assert_no_error (error);
  g_assert_true (digits_tuner_run (full, NULL, NULL, NULL, &error));
  config.keep = 0.5f;
  g_autoptr(DigitsTuner) half = digits_tuner_new (&config, model, examples, mnist, check, &error);
  g_assert_no_error (error);
  g_assert_true (digits_tuner_run (half, NULL, NULL, NULL, &error));

  g_autoptr(DigitsModel) a = digits_tuner_snapshot (full);
  g_autoptr(DigitsModel) b = digits_tuner_snapshot (half);
  double moved = 0.0;
  for (size_t i = 0; i < model->net->n_params; i++)
    {
      float w0 = model->net->params[i];
      moved += fabsf (a->net->params[i] - w0);
      g_assert_cmpfloat (fabsf (b->net->params[i] - (0.5f * w0 + 0.5f * a->net->params[i])),
                         <=, 1e-6f + 1e-6f * fabsf (w0));
    }
  g_assert_cmpfloat (moved, >, 0.0);

  for (guint i = 0; i < check->n; i++)
    {
      float x[DIGITS_PIXELS];
      for (guint k = 0; k < DIGITS_PIXELS; k++)
        x[k] = check->images[(gsize) i * DIGITS_PIXELS + k] / 255.0f;
      int before = digits_model_classify (model, x, p_start);
      int after = digits_model_classify (a, x, p_tuned);
      g_assert_cmpint (before, >=, 0);
      g_assert_cmpint (after, >=, 0);
      changed += before != after;
    }
  g_assert_cmpfloat (digits_tuner_get_result (full)->mnist_changed, ==,
                     (double) changed / check->n);
  g_assert_cmpfloat (digits_tuner_get_result (half)->mnist_changed, >=, 0.0);
  g_assert_cmpfloat (digits_tuner_get_result (half)->mnist_changed, <=, 1.0);
  /* The snapshot names what it scored on the test set given: the blend's figure. */
  g_autofree char *want = g_strdup_printf ("%.4f", digits_tuner_get_result (half)->mnist_after);
  g_assert_cmpstr (digits_model_get_meta (b, "test_accuracy"), ==, want);

  config.keep = 1.0f;
  g_assert_null (digits_tuner_new (&config, model, examples, mnist, check, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "A share of 1.00 of the start's weights is out of range (0 to below 1)");
}

typedef struct {
  DigitsTuner *tuner;
  DigitsModel *first;   /* the snapshot when the first epoch ended */
} FirstEpoch;

static void
first_epoch_cb (const DigitsTuneProgress *p, gpointer user_data)
{
  FirstEpoch *state = user_data;

  if (p->train.event == DIGITS_TRAIN_EPOCH_DONE && p->train.epoch == 1)
    state->first = digits_tuner_snapshot (state->tuner);
}

/* average: after two epochs, the mean of the weights at the two epochs' ends, which the
 * same run without averaging (same seed, bit-identical) passes through. */
static void
test_average (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  const guint classes[] = { 1, 7 };
  g_autoptr(DigitsDataset) examples = fake_set (20, classes, 2);
  g_autoptr(DigitsDataset) mnist = fake_set (100, (const guint[]) { 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                                                    9 }, 10);
  DigitsTuneConfig config;
  FirstEpoch plain_state = { NULL, NULL }, mean_state = { NULL, NULL };

  g_assert_no_error (error);
  digits_tune_config_defaults (&config);
  config.epochs = 2;
  config.mnist_mix = 60;
  config.lr = 1e-3f;
  config.threads = 1;
  g_autoptr(DigitsTuner) plain = digits_tuner_new (&config, model, examples, mnist, NULL,
                                                   &error);
  g_assert_no_error (error);
  plain_state.tuner = plain;
  g_assert_true (digits_tuner_run (plain, first_epoch_cb, &plain_state, NULL, &error));
  config.average = TRUE;
  g_autoptr(DigitsTuner) mean = digits_tuner_new (&config, model, examples, mnist, NULL,
                                                  &error);
  g_assert_no_error (error);
  mean_state.tuner = mean;
  g_assert_true (digits_tuner_run (mean, first_epoch_cb, &mean_state, NULL, &error));

  g_autoptr(DigitsModel) w1 = plain_state.first;
  g_autoptr(DigitsModel) m1 = mean_state.first;
  g_autoptr(DigitsModel) w2 = digits_tuner_snapshot (plain);
  g_autoptr(DigitsModel) m2 = digits_tuner_snapshot (mean);
  double apart = 0.0;
  for (size_t i = 0; i < model->net->n_params; i++)
    {
      float want = (float) (((double) w1->net->params[i] + w2->net->params[i]) / 2.0);

      g_assert_cmpfloat (m1->net->params[i], ==, w1->net->params[i]);
      g_assert_cmpfloat (fabsf (m2->net->params[i] - want), <=, 1e-6f * (1 + fabsf (want)));
      apart += fabsf (w1->net->params[i] - w2->net->params[i]);
    }
  g_assert_cmpfloat (apart, >, 0.0);
}

typedef struct {
  GCancellable *cancel;
  guint64 first_step;
} StartState;

static void
first_step_cb (const DigitsTuneProgress *p, gpointer user_data)
{
  StartState *state = user_data;

  if (state->first_step == 0)
    state->first_step = p->train.step;
  g_cancellable_cancel (state->cancel);
}

static guint64
status_bytes (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  return line != NULL ? g_ascii_strtoull (line + strlen (field) + 1, NULL, 10) * 1024u : 0;
}

static void
reset_peak_memory (void)
{
  int fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

  if (fd >= 0)
    {
      if (write (fd, "5", 1) != 1)
        g_test_message ("cannot reset the peak memory");
      close (fd);
    }
}

static cairo_status_t
append_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A small drawing of a bar, as PNG bytes. */
static GBytes *
bar_png (int slant)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 32, 40);
  cairo_t *cr = cairo_create (s);
  GByteArray *out = g_byte_array_new ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 4);
  cairo_move_to (cr, 16 + slant, 5);
  cairo_line_to (cr, 16 - slant, 35);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_write_to_png_stream (s, append_cb, out);
  cairo_surface_destroy (s);
  return g_byte_array_free_to_bytes (out);
}

static void
test_ten_thousand (void)
{
  /* Under the sanitizers a tenth: reading the set back and the tuner's first look at its
   * held-out fifth with the CNN take a minute there at full size; the plain build reads
   * all 10,000. */
  const guint n = TEST_SANITIZED ? 1000 : 10000;
  g_autofree char *dir = g_build_filename (tmp_root, "ten-thousand", NULL);
  g_autoptr(GError) error = NULL;
  GBytes *pngs[7];

  for (int k = 0; k < 7; k++)
    pngs[k] = bar_png (k - 3);
  /* Written plainly (no fsync per file): this is the folder another tool might leave. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%u/%04u.png", dir, i % 10, i / 10 + 1);
      g_autofree char *parent = g_path_get_dirname (path);
      GBytes *png = pngs[i % 7];

      if (i < 10)
        g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      FILE *f = fopen (path, "wb");
      g_assert_nonnull (f);
      g_assert_cmpuint (fwrite (g_bytes_get_data (png, NULL), 1, g_bytes_get_size (png), f), ==,
                        g_bytes_get_size (png));
      g_assert_cmpint (fclose (f), ==, 0);
    }
  for (int k = 0; k < 7; k++)
    g_bytes_unref (pngs[k]);

  g_autoptr(DigitsMyDigits) store = digits_my_digits_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (digits_my_digits_total (store), ==, n);

  reset_peak_memory ();
  guint64 before = status_bytes ("VmRSS:");
  g_autoptr(DigitsDataset) set = digits_my_digits_load (store, NULL, NULL, NULL, &error);
  guint64 growth = status_bytes ("VmHWM:") - before;
  g_assert_no_error (error);
  g_assert_cmpuint (set->n, ==, n);
  g_assert_cmpuint (set->rows * set->cols, ==, DIGITS_PIXELS);   /* 784 bytes an example */
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (set->labels[i], ==, i / (n / 10));
  g_test_message ("loading %u examples: peak resident memory +%.1f MiB "
                  "(the set is %.1f MiB)", n, growth / (double) MiB,
                  n * (DIGITS_PIXELS + 1.0) / MiB);
  /* The set (7.5 MiB) and one decoded image at a time; not 10,000 PNGs or float inputs. */
  if (!TEST_UNDER_ASAN && before > 0)
    g_assert_cmpuint (growth, <, 24 * MiB);

  /* Tuning starts: the tuner takes the examples and 2,000 "MNIST" digits, and its first
   * steps run. Its mix holds each example once (a tenth would be under one repeat). */
  g_autoptr(GError) model_error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&model_error);
  g_autoptr(DigitsDataset) mnist = fake_set (2000, (const guint[]) { 0, 1, 2, 3, 4, 5, 6, 7,
                                                                     8, 9 }, 10);
  DigitsTuneConfig config;
  digits_tune_config_defaults (&config);
  config.threads = 2;
  g_autoptr(DigitsTuner) tuner = digits_tuner_new (&config, model, set, mnist, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (digits_tuner_get_result (tuner)->n_train, ==, n / 5 * 4);
  g_assert_cmpuint (digits_tuner_get_result (tuner)->n_held_out, ==, n / 5);
  g_assert_cmpuint (digits_tuner_mix_size (tuner), ==, 2000 + n / 5 * 4);
  g_assert_cmpuint (digits_tuner_mix_bytes (tuner), ==,
                    (gsize) (2000 + n / 5 * 4) * (DIGITS_PIXELS + 1));

  StartState state = { g_cancellable_new (), 0 };
  g_assert_false (digits_tuner_run (tuner, first_step_cb, &state, state.cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (state.first_step, >=, 1);
  g_object_unref (state.cancel);
  g_autoptr(DigitsModel) partial = digits_tuner_snapshot (tuner);
  g_assert_nonnull (partial);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_root = g_dir_make_tmp ("digits-tune-XXXXXX", NULL);

  g_test_add_func ("/tune/held-out-rule", test_held_out_rule);
  g_test_add_func ("/tune/single-example-and-none", test_single_example_and_none);
  g_test_add_func ("/tune/keep-blends", test_keep_blends);
  g_test_add_func ("/tune/average", test_average);
  g_test_add_func ("/tune/ten-thousand-examples", test_ten_thousand);

  int status = g_test_run ();
  test_remove_tree (tmp_root);
  g_free (tmp_root);
  return status;
}

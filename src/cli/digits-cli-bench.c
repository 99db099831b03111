/* digits-cli-bench.c — `digits-cli bench`: the engine's speed, printed as figures.
 *
 * Trains 784-128-128-10 with plain SGD for one epoch of 60,000 samples at batch 32 and
 * 128 (on MNIST when it is found, else on random bytes: the arithmetic is the same),
 * then times single-sample inference, the 10,000-digit test set, and a whole canvas
 * update (strokes → preprocessing → probabilities).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "digits-cli-bench-net.h"
#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-preprocess.h"

#include "digits-cli.h"

typedef struct {
  int batch;
  double seconds;
  double samples_per_second;
  double gflops;
} TrainFigure;

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* FLOPs of one training sample: forward and weight gradients for every layer, input
 * gradients for all but the first (nothing needs the gradient of the pixels). */
static double
train_flops_per_sample (const NnNet *net)
{
  double flops = 0;
  for (int l = 0; l < net->n_layers; l++)
    {
      double macs = (double) net->sizes[l] * net->sizes[l + 1];
      flops += 2 * macs + 2 * macs + (l > 0 ? 2 * macs : 0);
    }
  return flops;
}

static TrainFigure
time_training (const guint8 *images, const guint8 *labels, guint n, int batch, int threads,
               guint64 seed)
{
  const int sizes[] = { DIGITS_PIXELS, 128, 128, 10 };
  NnOptConfig opt;
  TrainFigure figure = { .batch = batch };

  nn_opt_config_defaults (&opt, NN_OPT_SGD);
  opt.lr = 0.1f;
  NnNet *net = nn_net_new (sizes, G_N_ELEMENTS (sizes));
  nn_net_init_he (net, seed);
  NnTrainer *trainer = nn_trainer_new (net, &opt, batch, threads);

  /* Warm the caches and the worker threads before the clock starts. */
  for (int i = 0; i < 20; i++)
    nn_trainer_step (trainer, images, labels, batch, NULL);

  gint64 t0 = g_get_monotonic_time ();
  for (guint start = 0; start + (guint) batch <= n; start += (guint) batch)
    nn_trainer_step (trainer, images + (gsize) start * DIGITS_PIXELS, labels + start, batch,
                     NULL);
  figure.seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  guint done = n / (guint) batch * (guint) batch;
  figure.samples_per_second = done / figure.seconds;
  figure.gflops = train_flops_per_sample (net) * figure.samples_per_second / 1e9;
  /* Report per 60,000 samples, whatever the remainder. */
  figure.seconds = 60000.0 / figure.samples_per_second;

  nn_trainer_free (trainer);
  nn_net_free (net);
  return figure;
}

static void
make_seven (DigitsStroke *stroke)
{
  static const DigitsPoint points[] = {
    { 60, 50 }, { 90, 48 }, { 130, 47 }, { 170, 50 }, { 200, 52 },
    { 185, 90 }, { 165, 130 }, { 150, 170 }, { 138, 210 }, { 130, 240 },
  };
  stroke->points = g_array_new (FALSE, FALSE, sizeof (DigitsPoint));
  /* Mouse events arrive every few pixels; interpolate to make it realistic. */
  for (gsize i = 0; i + 1 < G_N_ELEMENTS (points); i++)
    for (int t = 0; t < 8; t++)
      {
        DigitsPoint p = {
          points[i].x + (points[i + 1].x - points[i].x) * t / 8.0f,
          points[i].y + (points[i + 1].y - points[i].y) * t / 8.0f,
        };
        g_array_append_val (stroke->points, p);
      }
}

typedef struct {
  int rounds;
  double single_us;      /* medians */
  double set_ms;         /* per 10,000 digits */
  double canvas_us;
} InferenceFigure;

/* Fills images and labels with MNIST's first n training digits when it is found (test then
 * holds its test set), else with seeded random bytes. Returns "mnist" or "random". */
static const char *
load_bench_data (const char *data_dir, guint8 *images, guint8 *labels, guint n,
                 DigitsDataset **test)
{
  g_autoptr(DigitsDataset) train = NULL;
  NnRng rng;

  if (digits_cli_load_mnist (data_dir, FALSE, &train, test, NULL)
      && train->n >= n && train->rows * train->cols == DIGITS_PIXELS)
    {
      memcpy (images, train->images, (gsize) n * DIGITS_PIXELS);
      memcpy (labels, train->labels, n);
      return "mnist";
    }

  nn_rng_seed (&rng, 7, 7);
  for (gsize i = 0; i < (gsize) n * DIGITS_PIXELS; i++)
    images[i] = (guint8) (nn_rng_next (&rng) >> 24);
  for (guint i = 0; i < n; i++)
    labels[i] = (guint8) nn_rng_below (&rng, 10);
  return "random";
}

/* One digit, the test set and a canvas update, each timed over a few rounds, through a
 * trained-looking net: the built-in model when it loads. */
static InferenceFigure
time_inference (const guint8 *images, const DigitsDataset *test, int samples)
{
  g_autoptr(DigitsModel) model = digits_model_load_builtin (NULL);
  const int sizes[] = { DIGITS_PIXELS, 128, 128, 10 };
  NnNet *owned = NULL;
  const NnNet *net = model ? model->net : (owned = nn_net_new (sizes, G_N_ELEMENTS (sizes)));
  if (owned)
    nn_net_init_he (owned, 3);

  float input[DIGITS_PIXELS], probs[10];
  for (int i = 0; i < DIGITS_PIXELS; i++)
    input[i] = images[i] / 255.0f;

  /* A quick check (--samples below 60,000) times inference on as large a share of the
   * digits, in 3 rounds: through a CNN under the sanitizers the full run takes minutes. */
  const gboolean full = samples == 60000;
  const int rounds = full ? 9 : 3, reps = MAX (20, 2000 / (60000 / samples));
  const guint set_n = MAX (100, 10000 / (60000 / (guint) samples));
  double single[9], set_ms[9], canvas[9];
  g_autofree float *set_probs = g_new (float, (gsize) set_n * 10);
  const guint8 *set_images = test && test->n >= set_n ? test->images : images;
  DigitsStroke seven;
  float out[DIGITS_PIXELS];
  make_seven (&seven);

  for (int r = 0; r < rounds; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      for (int i = 0; i < reps; i++)
        nn_net_forward (net, input, 1, probs);
      single[r] = (g_get_monotonic_time () - t0) / (double) reps;

      t0 = g_get_monotonic_time ();
      nn_net_forward_u8 (net, set_images, set_n, set_probs);
      set_ms[r] = (g_get_monotonic_time () - t0) / 1000.0 * (10000.0 / set_n);

      t0 = g_get_monotonic_time ();
      for (int i = 0; i < 100; i++)
        {
          digits_preprocess_strokes (&seven, 1, 1.0f, out);
          nn_net_forward (net, out, 1, probs);
        }
      canvas[r] = (g_get_monotonic_time () - t0) / 100.0;
    }
  g_array_unref (seven.points);
  g_clear_pointer (&owned, nn_net_free);

  qsort (single, rounds, sizeof (double), compare_doubles);
  qsort (set_ms, rounds, sizeof (double), compare_doubles);
  qsort (canvas, rounds, sizeof (double), compare_doubles);
  return (InferenceFigure) {
    rounds, single[rounds / 2], set_ms[rounds / 2], canvas[rounds / 2],
  };
}

static void
print_bench_json (int threads, const char *source, const TrainFigure figures[2],
                  const InferenceFigure *inference)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "{\"threads\":%d,\"data\":\"%s\",\"kernels\":\"%s\",\"train\":[",
                          threads, source, nn_kernel_name ());
  for (int i = 0; i < 2; i++)
    {
      g_string_append_printf (s, "%s{\"batch\":%d", i ? "," : "", figures[i].batch);
      digits_cli_append_json_member (s, "samples_per_second", figures[i].samples_per_second,
                                     "%.0f");
      digits_cli_append_json_member (s, "seconds_per_epoch", figures[i].seconds, "%.4f");
      digits_cli_append_json_member (s, "gflops", figures[i].gflops, "%.2f");
      g_string_append_c (s, '}');
    }
  g_string_append_c (s, ']');
  digits_cli_append_json_member (s, "inference_us", inference->single_us, "%.3f");
  digits_cli_append_json_member (s, "test_set_ms", inference->set_ms, "%.3f");
  digits_cli_append_json_member (s, "canvas_update_us", inference->canvas_us, "%.2f");
  g_string_append (s, "}\n");
  fputs (s->str, stdout);
}

static void
print_bench_text (int threads, const char *source, const TrainFigure figures[2],
                  const InferenceFigure *inference)
{
  printf (_("Digits benchmark: 784-128-128-10, %d threads, %s kernels, %s data\n\n"),
          threads, nn_kernel_name (), source);
  printf (_("Training, plain SGD, 60,000 samples:\n"));
  for (int i = 0; i < 2; i++)
    printf (_("  batch %3d   %9.0f samples/s   %6.3f s/epoch   %6.1f GFLOP/s\n"),
            figures[i].batch, figures[i].samples_per_second, figures[i].seconds,
            figures[i].gflops);
  printf (_("\nInference (median of %d rounds):\n"), inference->rounds);
  printf (_("  one digit            %8.2f µs\n"), inference->single_us);
  printf (_("  10,000 test digits   %8.2f ms\n"), inference->set_ms);
  printf (_("  canvas update        %8.2f µs (strokes → preprocessing → probabilities)\n"),
          inference->canvas_us);
}

int
digits_cli_bench (int argc, char **argv)
{
  gboolean json = FALSE;
  gint threads = 0;
  gint samples = 60000;
  g_autofree char *data_dir = NULL;
  g_autofree char *net_spec = NULL;

  GOptionEntry entries[] = {
    { "net", 0, 0, G_OPTION_ARG_STRING, &net_spec,
      N_("Time this network instead (see digits-cli train --help): per layer, an epoch "
         "against the arithmetic floor, one digit"), N_("SPEC") },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("MNIST folder (default: $DIGITS_MNIST_DIR; random data when none)"), N_("DIR") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    /* Fewer for a quick check (the tests under sanitizers); figures stay per 60,000
     * samples and per 10,000 test digits. */
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples,
      N_("Training samples to time at each batch size (default: 60000); fewer also time "
         "inference on fewer digits"), "N" },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Measure training throughput (784-128-128-10, plain SGD, "
                                  "60,000 samples at batch 32 and 128), single-digit "
                                  "inference, the 10,000-digit test set and a canvas update."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "bench"))
    return 2;
  if (threads < 0 || threads > 256)
    {
      g_printerr ("digits-cli bench: %s\n", _("--threads takes a number from 1 to 256"));
      return 2;
    }
  if (threads == 0)
    threads = (gint) g_get_num_processors ();
  if (samples < 128 || samples > 60000)
    {
      g_printerr ("digits-cli bench: %s\n", _("--samples takes a number from 128 to 60000"));
      return 2;
    }

  /* Data: MNIST if we can find it, otherwise random bytes of the same shape. */
  const guint n = 60000;
  g_autofree guint8 *images = g_new (guint8, (gsize) n * DIGITS_PIXELS);
  g_autofree guint8 *labels = g_new (guint8, n);
  g_autoptr(DigitsDataset) test = NULL;
  const char *source = load_bench_data (data_dir, images, labels, n, &test);

  if (net_spec != NULL)
    return digits_bench_net (net_spec, threads, json, images, labels, n);

  TrainFigure figures[2] = {
    time_training (images, labels, (guint) samples, 32, threads, 1),
    time_training (images, labels, (guint) samples, 128, threads, 1),
  };
  InferenceFigure inference = time_inference (images, test, samples);

  if (json)
    print_bench_json (threads, source, figures, &inference);
  else
    print_bench_text (threads, source, figures, &inference);
  return 0;
}

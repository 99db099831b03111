/* digits-cli-bench-net.c — `digits-cli bench --net SPEC`: where a network's time goes.
 *
 * Measures, in one run: the machine's sgemm peak (the engine's best kernel on a
 * cache-friendly product, on one core and on every thread at once); each layer's forward,
 * input-gradient and weight-gradient time on a batch of 64 on one core, with its GFLOP/s
 * and share of the one-core peak; a training epoch (Adam, batch 64, all threads) against
 * the arithmetic floor (training FLOPs ÷ the all-thread peak); and one digit's inference.
 * Times are the thread's CPU time where they can be (a shared machine preempts); the
 * epoch is given both in wall-clock time and in CPU time per thread.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "digits-cli-bench-net.h"
#include "digits-cli.h"
#include "digits-preprocess.h"
#include "digits-train-estimate.h"
#include "nn/nn-private.h"

#define BATCH 64

static double
seconds_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
}

/* CPU time of this thread: on a shared machine, what a kernel costs when it runs. */
static double
thread_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- peak ---- */

typedef struct {
  double gflops;
} PeakJob;

#define PM 198
#define PN 128
#define PS 512

static gpointer
peak_thread (gpointer data)
{
  PeakJob *job = data;
  const NnKernels *k = nn_kernels_best ();
  g_autofree float *a = g_new (float, PM * PS);
  g_autofree float *b = g_new (float, PS * PN);
  g_autofree float *c = g_new (float, PM * PN);
  double best = 0;

  for (int i = 0; i < PM * PS; i++)
    a[i] = (float) (i % 13) * 0.1f;
  for (int i = 0; i < PS * PN; i++)
    b[i] = (float) (i % 7) * 0.1f;
  /* Best of a few 0.1 s rounds: the machine may be shared. */
  for (int round = 0; round < 5; round++)
    {
      double t0 = thread_seconds ();
      int reps = 0;
      do
        {
          k->gemm (PM, PN, PS, a, PS, 1, b, PN, c, PN, NULL, NULL);
          reps++;
        }
      while (thread_seconds () - t0 < 0.1);
      best = MAX (best, 2.0 * PM * PN * PS * reps / (thread_seconds () - t0) / 1e9);
    }
  job->gflops = best;
  return NULL;
}

/* GFLOP/s of the best kernel on one core and on `threads` cores at once. */
static void
measure_peak (int threads, double *one, double *all)
{
  PeakJob jobs[64];
  GThread *th[64];

  threads = CLAMP (threads, 1, 64);
  peak_thread (&jobs[0]);
  *one = jobs[0].gflops;
  for (int t = 0; t < threads; t++)
    th[t] = g_thread_new ("peak", peak_thread, &jobs[t]);
  *all = 0;
  for (int t = 0; t < threads; t++)
    {
      g_thread_join (th[t]);
      *all += jobs[t].gflops;
    }
}

/* ---- per layer ---- */

typedef struct {
  double fwd, bwd, dw;           /* seconds per batch */
  double fwd_flops, bwd_flops, dw_flops;
} LayerFigure;

static double
time_it (void (*fn) (gpointer), gpointer data)
{
  double best = G_MAXDOUBLE;
  for (int round = 0; round < 5; round++)
    {
      double t0 = thread_seconds ();
      int reps = 0;
      do
        {
          fn (data);
          reps++;
        }
      while (thread_seconds () - t0 < 0.03);
      best = MIN (best, (thread_seconds () - t0) / reps);
    }
  return best;
}

typedef struct {
  const NnNet *net;
  int l;
  const NnKernels *k;
  float *x, *y, *dy, *dyw, *dx, *wt, *gw, *gb, *tmp, *col;
  int *idx, *scratch;
} LayerJob;

static void
run_forward (gpointer data)
{
  LayerJob *j = data;
  const NnLayer *ly = &j->net->layers[j->l];
  NnWork wk = { .col = j->col, .idx = j->idx, .scratch = j->scratch };
  nn_layer_ops (ly->kind)->forward (j->k, ly, j->net->w[j->l], j->net->b[j->l], j->x, NULL,
                                    BATCH, j->l == 0, j->y, &wk);
}

static void
run_backward (gpointer data)
{
  LayerJob *j = data;
  const NnLayer *ly = &j->net->layers[j->l];
  const NnLayerOps *ops = nn_layer_ops (ly->kind);
  NnWork wk = { .idx = j->idx, .tmp = j->tmp, .scratch = j->scratch };
  if (ly->n_weights > 0)
    ops->prepare (ly, j->net->w[j->l], 0, ly->fan_in, j->wt);
  ops->backward (j->k, ly, j->wt, j->dy, BATCH, j->x, j->dx, &wk);
}

static void
run_dw (gpointer data)
{
  LayerJob *j = data;
  const NnLayer *ly = &j->net->layers[j->l];
  if (j->dyw != NULL)
    nn_conv_widen (ly, j->dy, BATCH, j->dyw);
  nn_layer_weight_grad (j->k, ly, ly->kind == NN_LAYER_CONV ? j->col : j->x, NULL, j->dy, j->dyw,
                        BATCH, 0, ly->fan_in, 0, ly->out_c, j->gw, j->gb, j->scratch);
}

static LayerFigure
time_layer (const NnNet *net, int l)
{
  const NnLayer *ly = &net->layers[l];
  gsize in = (gsize) net->sizes[l], out = (gsize) net->sizes[l + 1];
  LayerJob j = { .net = net, .l = l, .k = nn_kernels_best () };
  LayerFigure f = { 0 };
  NnRng rng;

  j.x = g_new (float, BATCH * in);
  j.dx = g_new (float, BATCH * in);
  j.y = g_new (float, BATCH * out);
  j.dy = g_new (float, BATCH * out);
  j.col = g_new (float, MAX (nn_layer_col_len (ly, BATCH), 1));
  j.tmp = g_new (float, MAX (nn_layer_tmp_len (ly), 1));
  /* A conv's weight gradient reads its deltas widened, unless windowed (compact). */
  j.dyw = ly->kind == NN_LAYER_CONV && !nn_conv_windowed (ly)
            ? g_new (float, nn_layer_widened_len (ly, BATCH)) : NULL;
  j.wt = g_new (float, MAX (ly->n_weights, 1));
  j.gw = g_new (float, MAX (ly->n_weights, 1));
  j.gb = g_new (float, MAX (ly->n_biases, 1));
  j.idx = g_new0 (int, BATCH * out);
  j.scratch = g_new (int, nn_layer_scratch_len (ly, BATCH));
  nn_rng_seed (&rng, 5, (guint64) l);
  /* Inputs like a ReLU's outputs: about half zero. */
  for (gsize i = 0; i < BATCH * in; i++)
    j.x[i] = MAX (nn_rng_normal (&rng), 0.0f);
  for (gsize i = 0; i < BATCH * out; i++)
    j.dy[i] = nn_rng_normal (&rng) * 0.01f;

  double pix = ly->kind == NN_LAYER_CONV ? (double) ly->out_h * ly->out_w : 1;
  double macs = (double) ly->n_weights * pix;
  f.fwd = time_it (run_forward, &j);
  f.fwd_flops = 2 * macs * BATCH;
  /* Training never takes the first layer's input gradient: none is shown for it. */
  if (l > 0)
    {
      f.bwd = time_it (run_backward, &j);
      f.bwd_flops = ly->kind == NN_LAYER_CONV ? 2.0 * ly->in_h * ly->in_w * ly->size * ly->size
                                                  * ly->out_c * ly->in_c * BATCH
                                              : 2 * macs * BATCH;
    }
  if (ly->n_weights > 0)
    {
      f.dw = time_it (run_dw, &j);
      f.dw_flops = 2 * macs * BATCH;
    }
  g_free (j.x), g_free (j.dx), g_free (j.y), g_free (j.dy), g_free (j.col), g_free (j.tmp);
  g_free (j.dyw);
  g_free (j.wt), g_free (j.gw), g_free (j.gb), g_free (j.idx), g_free (j.scratch);
  return f;
}

/* ---- the whole net ---- */

static double
process_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Seconds per 60,000 samples of Adam at batch 64 on `threads` threads, wall-clock; and
 * in *cpu the process's CPU time over the same steps ÷ threads: what the epoch would take
 * with the cores to itself (spinning between phases included). */
static double
time_epoch (NnNet *net, const guint8 *images, const guint8 *labels, guint n, int threads,
            double *cpu)
{
  NnOptConfig opt;
  nn_opt_config_defaults (&opt, NN_OPT_ADAM);
  NnTrainer *tr = nn_trainer_new (net, &opt, BATCH, threads);
  guint steps = 0, start = 0;

  for (int i = 0; i < 10; i++)
    nn_trainer_step (tr, images, labels, BATCH, NULL);
  gint64 t0 = g_get_monotonic_time ();
  double c0 = process_seconds ();
  while (seconds_since (t0) < 3.0 && steps < 60000 / BATCH)
    {
      if (start + BATCH > n)
        start = 0;
      nn_trainer_step (tr, images + (gsize) start * DIGITS_PIXELS, labels + start, BATCH, NULL);
      start += BATCH;
      steps++;
    }
  double per_step = seconds_since (t0) / steps;
  *cpu = (process_seconds () - c0) / steps / threads * 60000.0 / BATCH;
  nn_trainer_free (tr);
  return per_step * 60000.0 / BATCH;
}

/* Everything `bench --net` measures, in one run. */
typedef struct {
  double one, all;                  /* sgemm peak, GFLOP/s: one core, all threads */
  LayerFigure layers[NN_MAX_LAYERS];
  double epoch, epoch_cpu, floor;   /* seconds per 60,000 digits */
  double single;                    /* µs of CPU time for one digit */
  double flops;                     /* of training one digit */
} NetFigures;

static void
measure_net (NnNet *net, int threads, const guint8 *images, const guint8 *labels, guint n,
             NetFigures *f)
{
  float input[DIGITS_PIXELS], probs[10];

  measure_peak (threads, &f->one, &f->all);
  for (int l = 0; l < net->n_layers; l++)
    f->layers[l] = time_layer (net, l);
  f->epoch = time_epoch (net, images, labels, n, threads, &f->epoch_cpu);
  /* Two FLOPs a multiply-add: forward, weight gradient, and the input gradient of every
   * layer but the first. */
  f->flops = 2 * digits_net_train_macs (net);
  f->floor = f->flops * 60000.0 / (f->all * 1e9);

  for (int i = 0; i < DIGITS_PIXELS; i++)
    input[i] = images[i] / 255.0f;
  f->single = G_MAXDOUBLE;
  for (int r = 0; r < 7; r++)
    {
      double t0 = thread_seconds ();
      for (int i = 0; i < 200; i++)
        nn_net_forward (net, input, 1, probs);
      f->single = MIN (f->single, (thread_seconds () - t0) / 200 * 1e6);
    }
}

static void
print_net_json (const NnNet *net, const char *canonical, int threads, const NetFigures *f)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "{\"net\":\"%s\",\"parameters\":%zu,\"threads\":%d,"
                          "\"kernels\":\"%s\"", canonical, net->n_params, threads,
                          nn_kernel_name ());
  digits_cli_append_json_member (s, "peak_gflops_one", f->one, "%.1f");
  digits_cli_append_json_member (s, "peak_gflops_all", f->all, "%.1f");
  g_string_append (s, ",\"layers\":[");
  for (int l = 0; l < net->n_layers; l++)
    {
      const LayerFigure *lf = &f->layers[l];

      g_string_append_printf (s, "%s{\"kind\":\"%s\"", l ? "," : "",
                              nn_layer_ops (net->layers[l].kind)->name);
      digits_cli_append_json_member (s, "forward_ms", lf->fwd * 1e3, "%.4f");
      digits_cli_append_json_member (s, "backward_ms", lf->bwd * 1e3, "%.4f");
      digits_cli_append_json_member (s, "weight_grad_ms", lf->dw * 1e3, "%.4f");
      digits_cli_append_json_member (s, "gflops",
                                     (lf->fwd_flops + lf->bwd_flops + lf->dw_flops)
                                       / (lf->fwd + lf->bwd + lf->dw) / 1e9, "%.2f");
      g_string_append_c (s, '}');
    }
  g_string_append_c (s, ']');
  digits_cli_append_json_member (s, "epoch_seconds", f->epoch, "%.3f");
  digits_cli_append_json_member (s, "epoch_cpu_seconds", f->epoch_cpu, "%.3f");
  digits_cli_append_json_member (s, "floor_seconds", f->floor, "%.3f");
  digits_cli_append_json_member (s, "inference_us", f->single, "%.2f");
  g_string_append (s, "}\n");
  fputs (s->str, stdout);
}

/* One row of the per-layer table: its token, output shape, and three timed passes. */
static void
print_layer_row (const NnNet *net, const NnArch *arch, int l, const LayerFigure *lf,
                 double one)
{
  const NnLayer *ly = &net->layers[l];
  char tok[32], shape[32], cell[3][48];
  NnArch a1 = { .n_layers = 2 };
  const double t[3] = { lf->fwd, lf->bwd, lf->dw };
  const double fl[3] = { lf->fwd_flops, lf->bwd_flops, lf->dw_flops };

  a1.layers[0] = arch->layers[l];
  nn_arch_format (&a1, tok, sizeof tok);
  if (l == net->n_layers - 1)
    g_snprintf (tok, sizeof tok, "dense%d", ly->out_c);
  g_snprintf (shape, sizeof shape, "%d×%d×%d", ly->out_c, ly->out_h, ly->out_w);
  for (int i = 0; i < 3; i++)
    if (t[i] > 0 && fl[i] > 0)
      g_snprintf (cell[i], sizeof cell[i], "%7.3f %6.1f %4.0f%%", t[i] * 1e3,
                  fl[i] / t[i] / 1e9, 100 * fl[i] / t[i] / 1e9 / one);
    else if (t[i] > 0)
      g_snprintf (cell[i], sizeof cell[i], "%7.3f      -     -", t[i] * 1e3);
    else
      g_snprintf (cell[i], sizeof cell[i], "%22s", "-");
  printf ("  %-2d %-8s %-12s %22s %22s %22s\n", l + 1, tok, shape, cell[0], cell[1], cell[2]);
}

static void
print_net_text (const NnNet *net, const NnArch *arch, const char *canonical, int threads,
                const NetFigures *f)
{
  printf (_("Digits benchmark: %s (%zu parameters), %s kernels\n"), canonical, net->n_params,
          nn_kernel_name ());
  printf (_("sgemm peak (this run): %.1f GFLOP/s on one core, %.1f on %d threads\n\n"), f->one,
          f->all, threads);
  printf (_("Per layer, batch %d, one core (ms; GFLOP/s; share of one core's peak):\n"), BATCH);
  printf ("  %-2s %-8s %-12s %22s %22s %22s\n", "#", _("layer"), _("output"), _("forward"),
          _("input gradient"), _("weight gradient"));
  for (int l = 0; l < net->n_layers; l++)
    print_layer_row (net, arch, l, &f->layers[l], f->one);
  printf (_("\nTraining (Adam, batch %d, %d threads): %.2f s per 60,000 digits (%.2f s of CPU "
            "time per thread); floor %.2f s (%.2f GFLOP ÷ %.1f GFLOP/s): %.2f× the floor "
            "(%.2f× by CPU time)\n"),
          BATCH, threads, f->epoch, f->epoch_cpu, f->floor,
          f->flops * 60000 / 1e9, f->all, f->epoch / f->floor,
          f->epoch_cpu / f->floor);
  printf (_("One digit's inference: %.1f µs of CPU time (one core)\n"), f->single);
}

int
digits_bench_net (const char *spec, int threads, gboolean json, const guint8 *images,
                  const guint8 *labels, guint n)
{
  NnArch arch;
  char why[256], canonical[NN_SPEC_MAX];
  NetFigures figures = { 0 };
  NnNet *net;

  if (nn_arch_parse (spec, 1, DIGITS_SIDE, DIGITS_SIDE, 10, &arch, why, sizeof why) != 0)
    {
      g_printerr ("digits-cli bench: --net: %s\n", why);
      return 2;
    }
  nn_arch_format (&arch, canonical, sizeof canonical);
  net = nn_net_new_arch (&arch);
  nn_net_init_he (net, 1);

  measure_net (net, threads, images, labels, n, &figures);
  if (json)
    print_net_json (net, canonical, threads, &figures);
  else
    print_net_text (net, &arch, canonical, threads, &figures);
  nn_net_free (net);
  return 0;
}

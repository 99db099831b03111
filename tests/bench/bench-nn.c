/* bench-nn.c — engine throughput figures (prints numbers; not a test).
 *
 *   bench-nn [--threads N] [--kernels reference|avx2|avx512] [--epochs N]
 *            [--batch N] [--mnist DIR | --random | --dense]
 *
 * Trains 784-128-128-10 with plain SGD (lr 0.1) for 60,000 samples per
 * epoch at batch 32 and 128, then times single-sample inference and a
 * 10,000-sample forward pass. Data: MNIST from --mnist or $DIGITS_MNIST_DIR
 * when present, else random bytes with MNIST's share of zero pixels
 * (--dense: no zeros, the worst case for the zero-skipping input layer).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "nn/nn-private.h"

#define N_TRAIN 60000
#define N_TEST 10000
#define DIM 784

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Reads count × size bytes of an IDX file after its header, or NULL. */
static uint8_t *
read_idx (const char *dir, const char *name, size_t want, int header_words)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s.gz", dir, name);
  gzFile f = gzopen (path, "rb");
  if (f == NULL)
    {
      snprintf (path, sizeof path, "%s/%s", dir, name);
      f = gzopen (path, "rb");
    }
  if (f == NULL)
    return NULL;
  unsigned char header[16];
  uint8_t *data = malloc (want);
  if (data == NULL || gzread (f, header, 4 * header_words) != 4 * header_words
      || gzread (f, data, (unsigned) want) != (int) want)
    {
      free (data);
      data = NULL;
    }
  gzclose (f);
  return data;
}

static void
random_bytes (NnRng *rng, uint8_t *x, size_t n, float zero_fraction)
{
  for (size_t i = 0; i < n; i++)
    x[i] = nn_rng_uniform (rng) < zero_fraction ? 0 : (uint8_t) (1 + nn_rng_below (rng, 255));
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int threads = 2, epochs = 1, dense = 0, force_random = 0, only_batch = 0;
  const char *kernels = NULL;
  const char *mnist = getenv ("DIGITS_MNIST_DIR");
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--threads") == 0 && i + 1 < argc)
        threads = atoi (argv[++i]);
      else if (strcmp (argv[i], "--kernels") == 0 && i + 1 < argc)
        kernels = argv[++i];
      else if (strcmp (argv[i], "--epochs") == 0 && i + 1 < argc)
        epochs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--batch") == 0 && i + 1 < argc)
        only_batch = atoi (argv[++i]);
      else if (strcmp (argv[i], "--mnist") == 0 && i + 1 < argc)
        mnist = argv[++i];
      else if (strcmp (argv[i], "--random") == 0)
        force_random = 1;
      else if (strcmp (argv[i], "--dense") == 0)
        dense = force_random = 1;
      else
        {
          fprintf (stderr, "usage: %s [--threads N] [--kernels NAME] [--epochs N] "
                   "[--batch N] [--mnist DIR | --random | --dense]\n", argv[0]);
          return 2;
        }
    }

  const NnKernels *k = kernels ? nn_kernels_by_name (kernels) : nn_kernels_best ();
  if (k == NULL)
    {
      fprintf (stderr, "kernels %s not available on this CPU\n", kernels);
      return 1;
    }

  uint8_t *xtrain = NULL, *ytrain = NULL, *xtest = NULL;
  const char *data_name = "MNIST";
  if (!force_random && mnist != NULL)
    {
      xtrain = read_idx (mnist, "train-images-idx3-ubyte", (size_t) N_TRAIN * DIM, 4);
      ytrain = read_idx (mnist, "train-labels-idx1-ubyte", N_TRAIN, 2);
      xtest = read_idx (mnist, "t10k-images-idx3-ubyte", (size_t) N_TEST * DIM, 4);
    }
  NnRng rng;
  nn_rng_seed (&rng, 1, 1);
  if (xtrain == NULL || ytrain == NULL || xtest == NULL)
    {
      free (xtrain);
      free (ytrain);
      free (xtest);
      float zeros = dense ? 0.0f : 0.81f;
      data_name = dense ? "random bytes, no zeros" : "random bytes, 81% zeros like MNIST";
      xtrain = malloc ((size_t) N_TRAIN * DIM);
      ytrain = malloc (N_TRAIN);
      xtest = malloc ((size_t) N_TEST * DIM);
      random_bytes (&rng, xtrain, (size_t) N_TRAIN * DIM, zeros);
      random_bytes (&rng, xtest, (size_t) N_TEST * DIM, zeros);
      for (int i = 0; i < N_TRAIN; i++)
        ytrain[i] = (uint8_t) nn_rng_below (&rng, 10);
    }

  int sizes[] = { DIM, 128, 128, 10 };
  /* Multiply-adds per sample: forward once, backward twice minus the input
   * layer's unused dx. */
  double fwd_flop = 2.0 * (784 * 128 + 128 * 128 + 128 * 10);
  double train_flop = 3 * fwd_flop - 2.0 * 784 * 128;

  printf ("kernels: %s   threads: %d   data: %s\n", k->name, threads, data_name);
  if (k != nn_kernels_best ())
    printf ("(inference always uses the best kernels: %s)\n", nn_kernel_name ());

  uint32_t *order = malloc (sizeof (uint32_t) * N_TRAIN);
  uint8_t *bx = malloc ((size_t) 128 * DIM), by[128];
  int batches[] = { 32, 128 };
  if (only_batch > 0)
    batches[0] = batches[1] = only_batch < 128 ? only_batch : 128;
  for (int bi = only_batch > 0; bi < 2; bi++)
    {
      int batch = batches[bi];
      NnNet *net = nn_net_new (sizes, 4);
      nn_net_init_he (net, 42);
      NnOptConfig cfg;
      nn_opt_config_defaults (&cfg, NN_OPT_SGD);
      NnTrainer *tr = nn_trainer_new (net, &cfg, batch, threads);
      nn_trainer_set_kernels (tr, k);
      for (uint32_t i = 0; i < N_TRAIN; i++)
        order[i] = i;
      double best = 1e9, loss_sum = 0;
      int correct_sum = 0;
      /* Each step's time (gather included), for an epoch figure that other
       * programs' preemptions of this one barely move: the median step. */
      int max_steps = N_TRAIN / batch;
      double *step_t = malloc (sizeof (double) * max_steps * (epochs + 1));
      int n_step_t = 0;
      for (int e = 0; e < epochs + 1; e++)   /* epoch 0 warms caches and clocks */
        {
          nn_rng_shuffle (&rng, order, N_TRAIN);
          double t0 = now ();
          loss_sum = 0;
          correct_sum = 0;
          int steps = 0;
          for (int s = 0; s + batch <= N_TRAIN; s += batch)
            {
              double ts = now ();
              /* Gathering the shuffled batch is part of an epoch's cost. */
              for (int i = 0; i < batch; i++)
                {
                  memcpy (bx + (size_t) i * DIM, xtrain + (size_t) order[s + i] * DIM, DIM);
                  by[i] = ytrain[order[s + i]];
                }
              int correct;
              loss_sum += nn_trainer_step (tr, bx, by, batch, &correct);
              correct_sum += correct;
              steps++;
              if (e > 0 || epochs == 0)
                step_t[n_step_t++] = now () - ts;
            }
          double dt = now () - t0;
          loss_sum /= steps;
          if (e > 0 && dt < best)
            best = dt;
          if (e == 0 && epochs == 0)
            best = dt;
        }
      int used = N_TRAIN / batch * batch;
      qsort (step_t, n_step_t, sizeof (double), cmp_double);
      double median = step_t[n_step_t / 2] * max_steps;
      printf ("train batch %3d: %7.3f s/epoch  %9.0f samples/s  %6.1f GFLOP/s  "
              "(loss %.3f, train acc %.3f)\n"
              "                 %7.3f s/epoch from the median step\n",
              batch, best * N_TRAIN / used, used / best, used * train_flop / best * 1e-9,
              loss_sum, (double) correct_sum / used, median * N_TRAIN / used);
      free (step_t);
      nn_trainer_free (tr);
      nn_net_free (net);
    }

  /* Inference with trained-looking weights: He init (speed does not depend
   * on the values, only on the zero pixels of the inputs). */
  NnNet *net = nn_net_new (sizes, 4);
  nn_net_init_he (net, 7);
  float probs[10];
  enum { REPS = 2000 };
  double *t = malloc (sizeof (double) * REPS);
  for (int r = 0; r < 200; r++)
    nn_net_forward_u8 (net, xtest + (size_t) (r % N_TEST) * DIM, 1, probs);
  for (int r = 0; r < REPS; r++)
    {
      const uint8_t *x = xtest + (size_t) (r * 7 % N_TEST) * DIM;
      double t0 = now ();
      nn_net_forward_u8 (net, x, 1, probs);
      t[r] = now () - t0;
    }
  qsort (t, REPS, sizeof (double), cmp_double);
  printf ("inference, one sample:  median %.2f us  (p10 %.2f, p90 %.2f)\n", t[REPS / 2] * 1e6,
          t[REPS / 10] * 1e6, t[REPS * 9 / 10] * 1e6);
  /* The canvas and image files give floats, not bytes. */
  float xf[DIM];
  for (int r = 0; r < REPS; r++)
    {
      const uint8_t *x = xtest + (size_t) (r * 7 % N_TEST) * DIM;
      for (int i = 0; i < DIM; i++)
        xf[i] = x[i] / 255.0f;
      double t0 = now ();
      nn_net_forward (net, xf, 1, probs);
      t[r] = now () - t0;
    }
  qsort (t, REPS, sizeof (double), cmp_double);
  printf ("inference, one sample from floats:  median %.2f us\n", t[REPS / 2] * 1e6);

  float *all = malloc (sizeof (float) * 10 * N_TEST);
  double best = 1e9;
  for (int r = 0; r < 10; r++)
    {
      double t0 = now ();
      nn_net_forward_u8 (net, xtest, N_TEST, all);
      double dt = now () - t0;
      if (dt < best)
        best = dt;
    }
  printf ("inference, 10,000 samples: %.2f ms  %.1f GFLOP/s\n", best * 1e3,
          N_TEST * fwd_flop / best * 1e-9);

  free (all);
  free (t);
  nn_net_free (net);
  free (order);
  free (bx);
  free (xtrain);
  free (ytrain);
  free (xtest);
  return 0;
}

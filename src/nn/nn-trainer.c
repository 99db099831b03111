/* nn-trainer.c — batched forward, backward and update on persistent threads.
 *
 * Every matrix product of a step is split among the threads by output
 * elements (columns where there are enough, else rows), never along a sum, so
 * each number is computed by one thread in one fixed order: the result does
 * not even depend on the thread count. Threads meet at a barrier between the
 * phases; the caller's thread is thread 0. */
#include "nn-private.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64
/* Pauses (~25 ns each here) before yielding, then yields before sleeping:
 * phases are microseconds apart, and with more threads than free cores a
 * yield lets the thread being waited for run. */
#define PHASE_SPINS 4000
#define START_SPINS 4000
#define YIELDS 100

/* ---- a barrier that spins, then sleeps ---- */

typedef struct {
  atomic_uint count;
  atomic_uint gen;
  atomic_int sleepers;
  atomic_int n;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} Barrier;

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

static void
barrier_wait (Barrier *b, int spins)
{
  unsigned g = atomic_load (&b->gen);
  if (atomic_fetch_add (&b->count, 1) + 1 == (unsigned) atomic_load (&b->n))
    {
      atomic_store (&b->count, 0);
      atomic_fetch_add (&b->gen, 1);
      /* A sleeper registers before re-checking gen, so either it sees the new
       * gen or we see it and wake it (both sides are sequentially consistent). */
      if (atomic_load (&b->sleepers) > 0)
        {
          pthread_mutex_lock (&b->mu);
          pthread_cond_broadcast (&b->cv);
          pthread_mutex_unlock (&b->mu);
        }
      return;
    }
  for (int i = 0; i < spins; i++)
    {
      if (atomic_load_explicit (&b->gen, memory_order_acquire) != g)
        return;
      cpu_relax ();
    }
  for (int i = 0; i < YIELDS; i++)
    {
      if (atomic_load_explicit (&b->gen, memory_order_acquire) != g)
        return;
      sched_yield ();
    }
  pthread_mutex_lock (&b->mu);
  atomic_fetch_add (&b->sleepers, 1);
  while (atomic_load (&b->gen) == g)
    pthread_cond_wait (&b->cv, &b->mu);
  atomic_fetch_sub (&b->sleepers, 1);
  pthread_mutex_unlock (&b->mu);
}

/* ---- the trainer ---- */

typedef struct {
  NnTrainer *trainer;
  int tid;
} Worker;

struct NnTrainer {
  NnNet *net;
  NnOptConfig config;
  const NnKernels *kernels;
  int max_batch;
  int n_threads;
  uint64_t t;

  float *grads;                 /* one allocation, laid out as net->params */
  float *gw[NN_MAX_LAYERS], *gb[NN_MAX_LAYERS];
  float *state;                 /* optimizer state: m then v, each n_params */
  float *m, *v;

  float *arena;                 /* activations and friends, one allocation */
  float *act[NN_MAX_LAYERS];    /* layer outputs after ReLU; the last: probabilities */
  float *delta[NN_MAX_LAYERS];  /* dLoss/d(pre-activation) of each layer's output */
  float *wt[NN_MAX_LAYERS];     /* Wᵀ of layers ≥ 1, for dx = dy·Wᵀ as a plain product */
  float *loss;                  /* per sample */
  int *correct;                 /* per sample */
  int *scratch;                 /* per thread, scratch_len ints */
  size_t scratch_len;

  /* The current job, written by thread 0 before the start barrier. */
  const uint8_t *x;
  const uint8_t *labels;
  int batch;
  int apply;
  NnOptStep ost;

  Barrier bar;
  int quit;
  int n_workers;
  pthread_t threads[MAX_THREADS];
  Worker workers[MAX_THREADS];
};

typedef struct {
  int r0, r1, c0, c1;
} Part;

/* This thread's share of a rows × cols output: whole 16-column strips when
 * there are enough, so vectors stay full, else a band of rows. */
static Part
partition (int rows, int cols, int nt, int tid)
{
  Part p = { 0, rows, 0, cols };
  if (nt == 1)
    return p;
  if (cols >= 32 * nt)
    {
      int units = (cols + 15) / 16;
      int u0 = units * tid / nt, u1 = units * (tid + 1) / nt;
      p.c0 = u0 * 16 < cols ? u0 * 16 : cols;
      p.c1 = u1 * 16 < cols ? u1 * 16 : cols;
    }
  else
    {
      p.r0 = (int) ((long) rows * tid / nt);
      p.r1 = (int) ((long) rows * (tid + 1) / nt);
    }
  return p;
}

static void
sync_threads (NnTrainer *tr)
{
  if (tr->n_threads > 1)
    barrier_wait (&tr->bar, PHASE_SPINS);
}

static void
transpose_weights (NnTrainer *tr, int tid)
{
  const NnNet *net = tr->net;
  for (int j = 1; j < net->n_layers; j++)
    {
      int in = net->sizes[j], out = net->sizes[j + 1];
      int i0 = (int) ((long) in * tid / tr->n_threads);
      int i1 = (int) ((long) in * (tid + 1) / tr->n_threads);
      const float *w = net->w[j];
      float *wt = tr->wt[j];
      /* In 16 × 16 blocks, so both sides stay in a few cache lines. */
      for (int ib = i0; ib < i1; ib += 16)
        for (int ob = 0; ob < out; ob += 16)
          {
            int ie = ib + 16 < i1 ? ib + 16 : i1, oe = ob + 16 < out ? ob + 16 : out;
            for (int o = ob; o < oe; o++)
              for (int i = ib; i < ie; i++)
                wt[(size_t) o * in + i] = w[(size_t) i * out + o];
          }
    }
}

static void
loss_rows (NnTrainer *tr, int r0, int r1)
{
  const NnNet *net = tr->net;
  int L = net->n_layers, classes = net->sizes[L];
  float *z = tr->act[L - 1] + (size_t) r0 * classes;
  for (int r = r0; r < r1; r++)
    tr->correct[r] = nn_argmax (tr->act[L - 1] + (size_t) r * classes, classes)
                     == tr->labels[r];
  nn_softmax_ce_forward (z, tr->labels + r0, r1 - r0, classes, z, tr->loss + r0);
  nn_softmax_ce_backward (z, tr->labels + r0, r1 - r0, classes, 1.0f / (float) tr->batch,
                          tr->delta[L - 1] + (size_t) r0 * classes);
}

static void
forward (NnTrainer *tr, int tid, int *scratch)
{
  const NnNet *net = tr->net;
  const NnKernels *k = tr->kernels;
  int L = net->n_layers, B = tr->batch, nt = tr->n_threads;
  for (int j = 0; j < L; j++)
    {
      int in = net->sizes[j], out = net->sizes[j + 1];
      Part p = partition (B, out, nt, tid);
      NnEpilogue ep = { .bias = net->b[j] + p.c0, .relu = j < L - 1 };
      float *c = tr->act[j] + (size_t) p.r0 * out + p.c0;
      if (p.r1 > p.r0 && p.c1 > p.c0)
        {
          if (j == 0)
            k->gemm_u8 (p.r1 - p.r0, p.c1 - p.c0, in, tr->x + (size_t) p.r0 * in, in, 1,
                        net->w[0] + p.c0, out, c, out, &ep, scratch);
          else
            k->gemm (p.r1 - p.r0, p.c1 - p.c0, in, tr->act[j - 1] + (size_t) p.r0 * in, in, 1,
                     net->w[j] + p.c0, out, c, out, &ep, NULL);
        }
      if (j < L - 1)
        sync_threads (tr);
      else if (p.c0 == 0 && p.c1 == out)
        {
          /* Split by rows: this thread's logits are complete, go on. */
          loss_rows (tr, p.r0, p.r1);
          sync_threads (tr);
        }
      else
        {
          sync_threads (tr);
          int r0 = (int) ((long) B * tid / nt), r1 = (int) ((long) B * (tid + 1) / nt);
          loss_rows (tr, r0, r1);
          sync_threads (tr);
        }
    }
}

static void
update_block (NnTrainer *tr, int j, Part p)
{
  const NnNet *net = tr->net;
  int out = net->sizes[j + 1];
  size_t base = (size_t) (net->w[j] - net->params);
  for (int i = p.r0; i < p.r1; i++)
    {
      size_t off = base + (size_t) i * out + p.c0;
      tr->kernels->opt_update (&tr->ost, net->params + off, tr->grads + off,
                               tr->m ? tr->m + off : NULL, tr->v ? tr->v + off : NULL,
                               (size_t) (p.c1 - p.c0), 1);
    }
}

static void
update_bias (NnTrainer *tr, int j, int c0, int c1)
{
  const NnNet *net = tr->net;
  size_t off = (size_t) (net->b[j] - net->params) + c0;
  tr->kernels->opt_update (&tr->ost, net->params + off, tr->grads + off,
                           tr->m ? tr->m + off : NULL, tr->v ? tr->v + off : NULL,
                           (size_t) (c1 - c0), 0);
}

static void
backward (NnTrainer *tr, int tid, int *scratch)
{
  const NnNet *net = tr->net;
  const NnKernels *k = tr->kernels;
  int L = net->n_layers, B = tr->batch, nt = tr->n_threads;
  for (int j = L - 1; j >= 0; j--)
    {
      int in = net->sizes[j], out = net->sizes[j + 1];
      const float *d = tr->delta[j];

      /* delta of the layer below = (d·Wᵀ) where its ReLU was open. Reads the
       * transposed copy, so W itself may be updated meanwhile. */
      if (j > 0)
        {
          Part p = partition (B, in, nt, tid);
          NnEpilogue ep = { .mask = tr->act[j - 1] + (size_t) p.r0 * in + p.c0, .ldm = in };
          if (p.r1 > p.r0 && p.c1 > p.c0)
            k->gemm (p.r1 - p.r0, p.c1 - p.c0, out, d + (size_t) p.r0 * out, out, 1,
                     tr->wt[j] + p.c0, in, tr->delta[j - 1] + (size_t) p.r0 * in + p.c0, in,
                     &ep, NULL);
        }

      /* dW = inputᵀ·d over the whole batch, then the update of the same block
       * while it is in cache. */
      Part p = partition (in, out, nt, tid);
      float *g = tr->gw[j] + (size_t) p.r0 * out + p.c0;
      if (p.r1 > p.r0 && p.c1 > p.c0)
        {
          if (j == 0)
            k->gemm_u8 (p.r1 - p.r0, p.c1 - p.c0, B, tr->x + p.r0, 1, in, d + p.c0, out, g, out,
                        NULL, scratch);
          else
            k->gemm (p.r1 - p.r0, p.c1 - p.c0, B, tr->act[j - 1] + p.r0, 1, in, d + p.c0, out,
                     g, out, NULL, NULL);
          if (tr->apply)
            update_block (tr, j, p);
        }
      int split_cols = !(p.c0 == 0 && p.c1 == out);
      if (split_cols || tid == 0)
        {
          nn_colsum (d + p.c0, B, p.c1 - p.c0, out, tr->gb[j] + p.c0);
          if (tr->apply)
            update_bias (tr, j, p.c0, p.c1);
        }
      sync_threads (tr);
    }
}

static void
run_step (NnTrainer *tr, int tid)
{
  int *scratch = tr->scratch + (size_t) tid * tr->scratch_len;
  transpose_weights (tr, tid);
  forward (tr, tid, scratch);
  backward (tr, tid, scratch);
}

static void *
worker_main (void *data)
{
  Worker *w = data;
  NnTrainer *tr = w->trainer;
  for (;;)
    {
      barrier_wait (&tr->bar, START_SPINS);
      if (tr->quit)
        break;
      run_step (tr, w->tid);
    }
  return NULL;
}

static size_t
round16 (size_t n)
{
  return (n + 15) & ~(size_t) 15;
}

NnTrainer *
nn_trainer_new (NnNet *net, const NnOptConfig *config, int max_batch, int n_threads)
{
  if (net == NULL || config == NULL || max_batch < 1 || max_batch > (1 << 24))
    return NULL;
  if (nn_arch_check (net->sizes, net->n_layers + 1) != 0)
    return NULL;
  if (n_threads < 1)
    n_threads = 1;
  if (n_threads > MAX_THREADS)
    n_threads = MAX_THREADS;

  NnTrainer *tr = calloc (1, sizeof *tr);
  if (tr == NULL)
    return NULL;
  tr->net = net;
  tr->config = *config;
  tr->kernels = nn_kernels_best ();
  tr->max_batch = max_batch;
  tr->n_threads = n_threads;

  int L = net->n_layers;
  size_t np = net->n_params;
  tr->grads = aligned_alloc (64, round16 (np) * sizeof (float));
  int per = nn_opt_state_per_param (config->kind);
  if (per > 0)
    tr->state = aligned_alloc (64, round16 (np * per) * sizeof (float));

  /* Every view starts on a 64-byte line. */
  size_t total = 0;
  for (int j = 0; j < L; j++)
    {
      size_t rows = (size_t) max_batch * net->sizes[j + 1];
      total += 2 * round16 (rows);
      if (j > 0)
        total += round16 ((size_t) net->sizes[j] * net->sizes[j + 1]);
    }
  total += round16 (max_batch);
  tr->arena = aligned_alloc (64, total * sizeof (float));
  tr->correct = calloc (max_batch, sizeof (int));
  tr->scratch_len = round16 ((size_t) (max_batch > NN_MAX_WIDTH ? max_batch : NN_MAX_WIDTH));
  tr->scratch = calloc (tr->scratch_len * n_threads, sizeof (int));
  if (tr->grads == NULL || (per > 0 && tr->state == NULL) || tr->arena == NULL
      || tr->correct == NULL || tr->scratch == NULL)
    {
      nn_trainer_free (tr);
      return NULL;
    }

  memset (tr->grads, 0, np * sizeof (float));
  if (per > 0)
    {
      memset (tr->state, 0, np * per * sizeof (float));
      tr->m = tr->state;
      tr->v = per > 1 ? tr->state + np : NULL;
    }
  for (int j = 0; j < L; j++)
    {
      tr->gw[j] = tr->grads + (net->w[j] - net->params);
      tr->gb[j] = tr->grads + (net->b[j] - net->params);
    }
  float *p = tr->arena;
  for (int j = 0; j < L; j++)
    {
      size_t rows = round16 ((size_t) max_batch * net->sizes[j + 1]);
      tr->act[j] = p;
      p += rows;
      tr->delta[j] = p;
      p += rows;
      if (j > 0)
        {
          tr->wt[j] = p;
          p += round16 ((size_t) net->sizes[j] * net->sizes[j + 1]);
        }
    }
  tr->loss = p;
  memset (tr->arena, 0, total * sizeof (float));

  pthread_mutex_init (&tr->bar.mu, NULL);
  pthread_cond_init (&tr->bar.cv, NULL);
  atomic_init (&tr->bar.count, 0);
  atomic_init (&tr->bar.gen, 0);
  atomic_init (&tr->bar.sleepers, 0);
  atomic_init (&tr->bar.n, n_threads);
  for (int i = 1; i < n_threads; i++)
    {
      tr->workers[i].trainer = tr;
      tr->workers[i].tid = i;
      if (pthread_create (&tr->threads[i], NULL, worker_main, &tr->workers[i]) != 0)
        {
          /* Run with the threads we got: results do not depend on the count,
           * and no waiter can complete the barrier before thread 0 arrives. */
          tr->n_threads = i;
          atomic_store (&tr->bar.n, i);
          break;
        }
      tr->n_workers = i;
    }
  return tr;
}

void
nn_trainer_free (NnTrainer *tr)
{
  if (tr == NULL)
    return;
  if (tr->n_workers > 0)
    {
      tr->quit = 1;
      barrier_wait (&tr->bar, 0);
      for (int i = 1; i <= tr->n_workers; i++)
        pthread_join (tr->threads[i], NULL);
    }
  if (tr->bar.n > 0)
    {
      pthread_mutex_destroy (&tr->bar.mu);
      pthread_cond_destroy (&tr->bar.cv);
    }
  free (tr->grads);
  free (tr->state);
  free (tr->arena);
  free (tr->correct);
  free (tr->scratch);
  free (tr);
}

static float
run_batch (NnTrainer *tr, const uint8_t *x, const uint8_t *labels, int batch, int *n_correct,
           int apply)
{
  if (n_correct != NULL)
    *n_correct = 0;
  if (tr == NULL || x == NULL || labels == NULL || batch < 1 || batch > tr->max_batch)
    return NAN;
  int classes = tr->net->sizes[tr->net->n_layers];
  for (int i = 0; i < batch; i++)
    if (labels[i] >= classes)
      return NAN;

  tr->x = x;
  tr->labels = labels;
  tr->batch = batch;
  tr->apply = apply;
  nn_opt_step_prepare (&tr->ost, &tr->config, tr->t);
  if (tr->n_threads > 1)
    barrier_wait (&tr->bar, START_SPINS);
  run_step (tr, 0);

  double total = 0.0;
  int correct = 0;
  for (int i = 0; i < batch; i++)
    {
      total += tr->loss[i];
      correct += tr->correct[i];
    }
  if (n_correct != NULL)
    *n_correct = correct;
  if (apply)
    tr->t++;
  return (float) (total / batch);
}

float
nn_trainer_step (NnTrainer *tr, const uint8_t *x, const uint8_t *labels, int batch,
                 int *n_correct)
{
  return run_batch (tr, x, labels, batch, n_correct, 1);
}

uint64_t
nn_trainer_steps_taken (const NnTrainer *tr)
{
  return tr != NULL ? tr->t : 0;
}

float
nn_trainer_gradient (NnTrainer *tr, const uint8_t *x, const uint8_t *labels, int batch,
                     const float **grads)
{
  float loss = run_batch (tr, x, labels, batch, NULL, 0);
  if (grads != NULL)
    *grads = tr != NULL ? tr->grads : NULL;
  return loss;
}

void
nn_trainer_set_kernels (NnTrainer *tr, const NnKernels *kernels)
{
  if (tr != NULL && kernels != NULL)
    tr->kernels = kernels;
}

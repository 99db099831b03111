/* nn-trainer.c — batched forward, backward and update on persistent threads.
 *
 * The trainer walks the net's layers through the layer table (nn-private.h),
 * the same functions inference uses. A step is three phases, each cut into
 * chunks of output elements (bands of samples or blocks of a weight matrix,
 * never a piece of a sum), so every number is computed in one fixed order
 * whichever thread runs its chunk, and the weights are the same bits for any
 * thread count or scheduling:
 *
 *   0. the weights each layer's backward pass reads, prepared (Wᵀ, flipped
 *      filters), by row bands;
 *   1. per band of samples, everything that only needs those samples: every
 *      layer forward, softmax + cross-entropy, the deltas back down, and each
 *      convolution's weight gradient of each sample (while its maps are in cache);
 *   2. every layer's weight gradient over the whole batch (a convolution's: the
 *      sum of its samples', in sample order), and its update, by row bands.
 *
 * Each thread first takes the chunks of its own share, then what the others
 * have not started: a thread the OS has preempted holds up at most the chunk
 * it is in, not half the step — which matters on a busy desktop. (In phase 2
 * a thread's share of each matrix is one chunk; see nn-trainer-plan.c.)
 *
 * This file: the threads, waiting and scheduling, and the public entry points; the
 * other nn-trainer-*.c files are listed in nn-trainer-private.h. */
#include "nn-trainer-private.h"

#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- waiting: spin, then sleep ---- */

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

static void
wake_sleepers (NnTrainer *tr)
{
  /* A sleeper registers before its last look at the condition, so either it
   * sees our change or we see it (both sides sequentially consistent). */
  if (atomic_load (&tr->sleepers) > 0)
    {
      pthread_mutex_lock (&tr->mu);
      pthread_cond_broadcast (&tr->cv);
      pthread_mutex_unlock (&tr->mu);
    }
}

/* Waits until *c differs from value (want_change), or else until it equals
 * value or carries another step's tag (the step was over before we saw it). */
static uint64_t
wait_counter (NnTrainer *tr, Counter *c, uint64_t value, int want_change)
{
  uint64_t now;
#define READY(x) (want_change ? (x) != value : ((x) == value || ((x) >> 32) != (value >> 32)))
  for (int i = 0; i < SPINS; i++)
    {
      now = atomic_load_explicit (&c->v, memory_order_acquire);
      if (READY (now) || atomic_load_explicit (&tr->quit, memory_order_relaxed))
        return now;
      cpu_relax ();
    }
  pthread_mutex_lock (&tr->mu);
  atomic_fetch_add (&tr->sleepers, 1);
  for (;;)
    {
      now = atomic_load (&c->v);
      if (READY (now) || atomic_load (&tr->quit))
        break;
      pthread_cond_wait (&tr->cv, &tr->mu);
    }
  atomic_fetch_sub (&tr->sleepers, 1);
  pthread_mutex_unlock (&tr->mu);
#undef READY
  return now;
}

/* ---- scheduling ---- */

/* The next chunk of phase p for thread tid: its own first, then the others'.
 * -1 when none is left, -2 when the step is over (a late thread). */
static int
claim_chunk (NnTrainer *tr, int p, int tid, uint32_t sid)
{
  int nt = tr->n_threads;
  for (int k = 0; k < nt; k++)
    {
      int owner = (tid + k) % nt;
      Counter *c = &tr->claim[p * nt + owner];
      uint64_t v = atomic_load (&c->v);
      for (;;)
        {
          if ((uint32_t) (v >> 32) != sid)
            return -2;
          if ((int) (uint32_t) v >= tr->home_start[p][owner + 1])
            break;
          if (atomic_compare_exchange_weak (&c->v, &v, v + 1))
            return (int) (uint32_t) v;
        }
    }
  return -1;
}

/* Runs step sid as thread tid; returns early if the step is found to be over. */
static void
run_step (NnTrainer *tr, int tid, uint32_t sid)
{
  int *scratch = tr->scratch + (size_t) tid * tr->scratch_len;
  float *tmp = tr->tmp ? tr->tmp + (size_t) tid * tr->tmp_len : NULL;
  Local lc = { tr->local ? tr->local + (size_t) tid * tr->local_len : NULL,
               tr->ilocal ? tr->ilocal + (size_t) tid * tr->ilocal_len : NULL };
  for (int p = 0; p < tr->n_phases; p++)
    {
      int n = tr->phase_start[p + 1] - tr->phase_start[p];
      int idx;
      while ((idx = claim_chunk (tr, p, tid, sid)) >= 0)
        {
          nn_trainer_run_chunk (tr, &tr->chunks[idx], scratch, tmp, &lc);
          uint64_t d = atomic_fetch_add (&tr->done[p].v, 1) + 1;
          if ((int) (uint32_t) d == n)
            wake_sleepers (tr);
        }
      if (idx == -2)
        return;
      uint64_t want = ((uint64_t) sid << 32) | (uint32_t) n;
      uint64_t now = wait_counter (tr, &tr->done[p], want, 0);
      if (now != want)
        return;   /* quit, or a later step reset the counter */
    }
}

static void *
worker_main (void *data)
{
  Worker *w = data;
  NnTrainer *tr = w->trainer;
  uint64_t seen = 0;
  for (;;)
    {
      seen = wait_counter (tr, &tr->step, seen, 1);
      if (atomic_load (&tr->quit))
        break;
      run_step (tr, w->tid, (uint32_t) seen);
      atomic_store (&tr->exited[w->tid].v, seen);
    }
  return NULL;
}

/* ---- public ---- */
/* The counters and the lock, and the worker threads (as many as start). */
static void
trainer_start_workers (NnTrainer *tr)
{
  for (int i = 0; i < MAX_PHASES * tr->n_threads; i++)
    atomic_init (&tr->claim[i].v, 0);
  for (int i = 0; i < MAX_PHASES; i++)
    atomic_init (&tr->done[i].v, 0);
  atomic_init (&tr->step.v, 0);
  for (int i = 0; i < MAX_THREADS; i++)
    atomic_init (&tr->exited[i].v, 0);
  atomic_init (&tr->sleepers, 0);
  atomic_init (&tr->quit, 0);
  pthread_mutex_init (&tr->mu, NULL);
  pthread_cond_init (&tr->cv, NULL);
  tr->sync_ready = 1;
  for (int i = 1; i < tr->n_threads; i++)
    {
      tr->workers[i].trainer = tr;
      tr->workers[i].tid = i;
      if (pthread_create (&tr->threads[i], NULL, worker_main, &tr->workers[i]) != 0)
        break;
      tr->n_workers = i;
    }
  /* Run with the threads we got: the results do not depend on the count. */
  tr->n_threads = tr->n_workers + 1;
}

NnTrainer *
nn_trainer_new (NnNet *net, const NnOptConfig *config, int max_batch, int n_threads)
{
  if (net == NULL || config == NULL || max_batch < 1 || max_batch > (1 << 24))
    return NULL;
  if (net->n_layers < 1 || net->n_layers > NN_MAX_LAYERS
      || net->layers[net->n_layers - 1].kind != NN_LAYER_DENSE)
    return NULL;
  if (n_threads < 1)
    n_threads = 1;
  if (n_threads > MAX_THREADS)
    n_threads = MAX_THREADS;

  /* Its counters sit on their own cache lines, so the struct is aligned. */
  NnTrainer *tr = aligned_alloc (64, (sizeof (NnTrainer) + 63) & ~(size_t) 63);
  if (tr == NULL)
    return NULL;
  memset (tr, 0, sizeof *tr);
  tr->net = net;
  tr->config = *config;
  tr->kernels = nn_kernels_best ();
  tr->max_batch = max_batch;
  tr->n_threads = n_threads;

  int per = nn_opt_state_per_param (config->kind);
  size_t arena_len;
  if (!nn_trainer_allocate (tr, per, &arena_len))
    {
      nn_trainer_free (tr);
      return NULL;
    }
  nn_trainer_lay_out (tr, per, arena_len);
  trainer_start_workers (tr);
  return tr;
}

void
nn_trainer_free (NnTrainer *tr)
{
  if (tr == NULL)
    return;
  if (tr->n_workers > 0)
    {
      atomic_store (&tr->quit, 1);
      pthread_mutex_lock (&tr->mu);
      pthread_cond_broadcast (&tr->cv);
      pthread_mutex_unlock (&tr->mu);
      for (int i = 1; i <= tr->n_workers; i++)
        pthread_join (tr->threads[i], NULL);
    }
  if (tr->sync_ready)
    {
      pthread_mutex_destroy (&tr->mu);
      pthread_cond_destroy (&tr->cv);
    }
  free (tr->grads);
  free (tr->state);
  free (tr->arena);
  free (tr->idx_arena);
  free (tr->local);
  free (tr->ilocal);
  free (tr->tmp);
  free (tr->correct);
  free (tr->scratch);
  free (tr->chunks);
  free (tr->claim);
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

  if (batch != tr->plan_batch)
    {
      /* Workers read the plan unlocked: change it only once each has left
       * the last published step (a late one may not even have started it). */
      for (int w = 1; w <= tr->n_workers; w++)
        while (atomic_load (&tr->exited[w].v) != (uint64_t) tr->published)
          sched_yield ();
      nn_trainer_plan (tr, batch);
    }
  tr->x = x;
  tr->labels = labels;
  tr->batch = batch;
  tr->apply = apply;
  nn_opt_step_prepare (&tr->ost, &tr->config, tr->t);

  uint32_t sid = ++tr->sid;
  if (sid == 0)
    sid = ++tr->sid;   /* 0 is the "nothing yet" of fresh counters */
  int nt = tr->n_threads;
  for (int p = 0; p < tr->n_phases; p++)
    {
      for (int t = 0; t < nt; t++)
        atomic_store (&tr->claim[p * nt + t].v,
                      ((uint64_t) sid << 32) | (uint32_t) tr->home_start[p][t]);
      atomic_store (&tr->done[p].v, (uint64_t) sid << 32);
    }
  /* Threads or not: chunks are the same either way, so this choice may
   * follow the clock without touching the results. */
  int all = nt > 1;
  if (nt > 1)
    {
      int better = tr->ema[1] <= tr->ema[0] || tr->ema[0] == 0.0;
      int every = tr->ema[1] < 0.7 * tr->ema[0] ? PROBE_CLEAR : PROBE_CLOSE;
      int probe = tr->steps_run % every == PROBE_CLOSE - 1;
      all = tr->ema[1] == 0.0 || (better != probe);
    }
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  if (all)
    {
      tr->published = sid;
      atomic_store (&tr->step.v, sid);
      wake_sleepers (tr);
    }
  run_step (tr, 0, sid);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  double per = ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9) / batch;
  /* A step the OS preempted can take 50 times the usual: cap it, or one
   * such step would flip the choice. */
  if (tr->ema[all] > 0.0 && per > 3.0 * tr->ema[all])
    per = 3.0 * tr->ema[all];
  tr->ema[all] = tr->ema[all] == 0.0 ? per : 0.8 * tr->ema[all] + 0.2 * per;
  tr->steps_run++;

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

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
 *      layer forward, softmax + cross-entropy, and the deltas back down;
 *   2. every layer's weight gradient over the whole batch, and its update, by
 *      row bands.
 *
 * Each thread first takes the chunks of its own share, then what the others
 * have not started: a thread the OS has preempted holds up at most the chunk
 * it is in, not half the step — which matters on a busy desktop. (In phase 2
 * a thread's share of each matrix is one chunk; see plan.) */
#include "nn-private.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 64
#define MAX_PHASES 3
/* Pauses (~25 ns each here) before sleeping: phases are microseconds apart.
 * No sched_yield: it hands the core to any other runnable task for a whole
 * time slice (a niced compiler made two threads 2x slower than one), while
 * a sleeper is woken, and scheduled, the moment its condition is met. */
#define SPINS 4000
/* Chunks per thread and matrix when preparing weights: enough to share out a preempted
 * thread's work, few enough to keep tiles whole. */
#define SUBCHUNKS 4
#define TILE_ROWS 6
/* Now and then one step runs in the mode not in use, so the trainer notices
 * when a busy machine makes one thread the faster choice: often while the
 * two are close, rarely while threads clearly win. */
#define PROBE_CLOSE 32
#define PROBE_CLEAR 512

typedef enum {
  CHUNK_PREPARE,     /* rows [r0, r1) of W[j] into wt[j] */
  CHUNK_CHAIN,       /* samples [r0, r1): every layer forward, softmax-CE, deltas back to 0 */
  CHUNK_DW,          /* gw[j] block = input[j]ᵀ · delta[j], update; bias too if r0 == 0 */
} ChunkKind;

typedef struct {
  unsigned char kind;
  unsigned char j;
  int r0, r1, c0, c1;
} Chunk;

typedef struct {
  _Alignas (64) atomic_uint_fast64_t v;   /* step id << 32 | count */
} Counter;

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
  float *col[NN_MAX_LAYERS];    /* conv: the batch's padded inputs, kept for dW */
  float *dyw[NN_MAX_LAYERS];    /* conv: its deltas widened for dW (delta itself if wide) */
  int wide[NN_MAX_LAYERS];      /* a conv's deltas written widened by the layer above */
  float *wt[NN_MAX_LAYERS];     /* layers ≥ 1: weights prepared for their backward pass */
  int *idx[NN_MAX_LAYERS];      /* pool: where each max came from */
  int *idx_arena;
  /* What only its own chunk of the chain reads lives in the thread's own buffers, sized
   * for the largest chunk (see chunk_local): 1 + its offset there, or 0 when batch-wide. */
  size_t act_loc[NN_MAX_LAYERS], delta_loc[NN_MAX_LAYERS], idx_loc[NN_MAX_LAYERS];
  float *local;                 /* per thread, local_len floats */
  int *ilocal;                  /* per thread, ilocal_len ints */
  size_t local_len, ilocal_len;
  float *tmp;                   /* per thread, tmp_len floats */
  size_t tmp_len;
  float *loss;                  /* per sample */
  int *correct;                 /* per sample */
  int *scratch;                 /* per thread, scratch_len ints */
  size_t scratch_len;

  /* The current job, written by thread 0 before the step is published. */
  const uint8_t *x;
  const uint8_t *labels;
  int batch;
  int apply;
  NnOptStep ost;

  /* The step's plan for plan_batch rows: phases of chunks, each phase's
   * chunks grouped by home thread. */
  int plan_batch;
  int n_phases;
  int phase_start[MAX_PHASES + 1];
  int home_start[MAX_PHASES][MAX_THREADS + 1];
  Chunk *chunks;
  int max_chunks;

  /* Scheduling: claim[p * n_threads + t] is the next chunk of t's share of
   * phase p, done[p] counts finished chunks; both tagged with the step id so
   * a thread still leaving an old step can never take a new step's chunk. */
  Counter *claim;
  Counter done[MAX_PHASES];
  Counter step;                 /* id of the published step */
  Counter exited[MAX_THREADS];  /* id of the step each worker last left */
  uint32_t sid;
  uint32_t published;           /* last step id shown to the workers */
  uint64_t steps_run;
  double ema[2];                /* seconds per sample: [0] one thread, [1] all */
  atomic_int sleepers;
  atomic_int quit;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int sync_ready;
  int n_workers;
  pthread_t threads[MAX_THREADS];
  Worker workers[MAX_THREADS];
};

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

/* ---- planning ---- */

static void
add_chunk (NnTrainer *tr, int *n, ChunkKind kind, int j, int r0, int r1, int c0, int c1)
{
  if (r1 <= r0 || c1 <= c0 || *n >= tr->max_chunks)
    return;
  tr->chunks[(*n)++] = (Chunk) { (unsigned char) kind, (unsigned char) j, r0, r1, c0, c1 };
}

/* Thread tid's share of the rows of a matrix (of whole register tiles), cut into up to
 * subchunks bands. */
static void
add_share (NnTrainer *tr, int *n, ChunkKind kind, int j, int rows, int cols, int tid,
           int subchunks)
{
  int nt = tr->n_threads;
  int all = (rows + TILE_ROWS - 1) / TILE_ROWS;
  int r0 = all * tid / nt * TILE_ROWS, r1 = all * (tid + 1) / nt * TILE_ROWS;
  r0 = r0 < rows ? r0 : rows;
  r1 = r1 < rows ? r1 : rows;
  int tiles = (r1 - r0 + TILE_ROWS - 1) / TILE_ROWS;
  int sub = nt == 1 ? 1 : tiles < subchunks ? tiles : subchunks;
  for (int s = 0; s < sub; s++)
    {
      int a = r0 + tiles * s / sub * TILE_ROWS, b = r0 + tiles * (s + 1) / sub * TILE_ROWS;
      add_chunk (tr, n, kind, j, a, b < r1 ? b : r1, 0, cols);
    }
}

/* Thread tid's band of samples for the chain phase, in chunks of a quarter of what is
 * left (whole units): big chunks first, small ones last, so whichever thread finishes
 * first takes over small pieces and the threads finish together. A unit is one sample
 * in a net with convolutions (their work is per sample), a register tile of rows
 * otherwise. In a convolutional net a chunk is also at most CHAIN_MAX samples (or a
 * 64th of the band, for huge batches), whatever the thread count: every layer's maps
 * for the chunk, forward and back, then stay in a core's L2 (~250 KB a sample for the
 * app's network); more and the chain waits on L3. At most CHAIN_CHUNKS chunks a thread. */
#define CHAIN_MAX 8
#define CHAIN_CHUNKS 160

static void
add_chain_share (NnTrainer *tr, int *n, int batch, int tid, int conv)
{
  int nt = tr->n_threads, unit = conv ? 1 : TILE_ROWS, units = (batch + unit - 1) / unit;
  int u0 = units * tid / nt, u1 = units * (tid + 1) / nt;
  int cap = (u1 - u0) / 64 > CHAIN_MAX ? (u1 - u0) / 64 : CHAIN_MAX;
  while (u0 < u1)
    {
      int take = nt == 1 ? u1 - u0 : (u1 - u0 + 3) / 4;
      if (conv && take > cap)
        take = cap;
      int b = (u0 + take) * unit;
      add_chunk (tr, n, CHUNK_CHAIN, 0, u0 * unit, b < batch ? b : batch, 0, 1);
      u0 += take;
    }
}

static void
plan (NnTrainer *tr, int batch)
{
  const NnNet *net = tr->net;
  int L = net->n_layers, nt = tr->n_threads, n = 0, p = 0;

  int any = 0, conv = 0;
  for (int k = 1; k < L; k++)
    any |= net->layers[k].n_weights > 0;
  for (int k = 0; k < L; k++)
    conv |= net->layers[k].kind == NN_LAYER_CONV;
  if (any)
    {
      tr->phase_start[p] = n;
      for (int t = 0; t < nt; t++)
        {
          tr->home_start[p][t] = n;
          for (int k = 1; k < L; k++)
            if (net->layers[k].n_weights > 0)
              add_share (tr, &n, CHUNK_PREPARE, k, net->layers[k].fan_in, 1, t, SUBCHUNKS);
        }
      tr->home_start[p++][nt] = n;
    }

  tr->phase_start[p] = n;
  for (int t = 0; t < nt; t++)
    {
      tr->home_start[p][t] = n;
      add_chain_share (tr, &n, batch, t, conv);
    }
  tr->home_start[p++][nt] = n;

  /* One band of rows of each weight matrix per thread: a chunk streams every delta of the
   * batch (for a convolution, MBs of them), so each extra chunk costs that stream again —
   * four a thread, cut across columns as well, made this phase 65% more work on two
   * threads than on one. Whole rows keep the register tiles full and the update in one
   * contiguous run. */
  tr->phase_start[p] = n;
  for (int t = 0; t < nt; t++)
    {
      tr->home_start[p][t] = n;
      for (int j = 0; j < L; j++)
        if (net->layers[j].n_weights > 0)
          add_share (tr, &n, CHUNK_DW, j, net->layers[j].fan_in, net->layers[j].out_c, t, 1);
    }
  tr->home_start[p++][nt] = n;

  tr->phase_start[p] = n;
  tr->n_phases = p;
  tr->plan_batch = batch;
}

/* ---- the work of one chunk ---- */

/* Rows [r0, r1) of W[j], whole: one contiguous run. */
static void
update_block (NnTrainer *tr, int j, const Chunk *c)
{
  const NnNet *net = tr->net;
  int out = net->layers[j].out_c;
  size_t off = (size_t) (net->w[j] - net->params) + (size_t) c->r0 * out;
  tr->kernels->opt_update (&tr->ost, net->params + off, tr->grads + off,
                           tr->m ? tr->m + off : NULL, tr->v ? tr->v + off : NULL,
                           (size_t) (c->r1 - c->r0) * out, 1);
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

/* Softmax + cross-entropy of rows [r0, r1) of the logits, and their delta. */
static void
loss_rows (NnTrainer *tr, int r0, int r1)
{
  int j = tr->net->n_layers - 1, classes = tr->net->sizes[j + 1];
  float *z = tr->act[j] + (size_t) r0 * classes;
  for (int r = r0; r < r1; r++)
    tr->correct[r] = nn_argmax (tr->act[j] + (size_t) r * classes, classes) == tr->labels[r];
  nn_softmax_ce_forward (z, tr->labels + r0, r1 - r0, classes, z, tr->loss + r0);
  nn_softmax_ce_backward (z, tr->labels + r0, r1 - r0, classes, 1.0f / (float) tr->batch,
                          tr->delta[j] + (size_t) r0 * classes);
}

/* A conv's weight gradient reads its deltas widened (nn_conv_widen). A pool or conv
 * above it writes them that way in the first place (wide); a dense layer above writes
 * compact deltas, which are widened into dyw once the band's are done. */
static int
keeps_wide (const NnNet *net, int l)
{
  return net->layers[l].kind == NN_LAYER_CONV && l + 1 < net->n_layers
         && net->layers[l + 1].kind != NN_LAYER_DENSE;
}

/* Floats of one sample's deltas of layer l, and floats a row when widened (else 0). */
static size_t
delta_len (const NnTrainer *tr, int l)
{
  return tr->wide[l] ? nn_layer_widened_len (&tr->net->layers[l], 1)
                     : (size_t) tr->net->sizes[l + 1];
}

static int
delta_row (const NnTrainer *tr, int l)
{
  const NnLayer *ly = &tr->net->layers[l];
  return tr->wide[l] ? (ly->out_w + ly->size - 1) * ly->out_c : 0;
}

/* A thread's chunk-local buffers. */
typedef struct {
  float *f;
  int *i;
} Local;

/* Layer l's outputs, deltas and pool indices for the chunk starting at sample r0. */
static float *
act_rows (const NnTrainer *tr, const Local *lc, int l, int r0)
{
  return tr->act_loc[l] ? lc->f + tr->act_loc[l] - 1
                        : tr->act[l] + (size_t) r0 * tr->net->sizes[l + 1];
}

static float *
delta_rows (const NnTrainer *tr, const Local *lc, int l, int r0)
{
  return tr->delta_loc[l] ? lc->f + tr->delta_loc[l] - 1 : tr->delta[l] + r0 * delta_len (tr, l);
}

static int *
idx_rows (const NnTrainer *tr, const Local *lc, int l, int r0)
{
  if (tr->idx_loc[l])
    return lc->i + tr->idx_loc[l] - 1;
  return tr->idx[l] ? tr->idx[l] + (size_t) r0 * tr->net->sizes[l + 1] : NULL;
}

/* Samples [r0, r1): they are independent until the weight gradients, so no
 * need to wait for other threads between these layers. */
static void
chain_rows (NnTrainer *tr, int r0, int r1, int *scratch, float *tmp, const Local *lc)
{
  const NnNet *net = tr->net;
  const NnKernels *k = tr->kernels;
  int L = net->n_layers, n = r1 - r0;
  for (int l = 0; l < L; l++)
    {
      const NnLayer *ly = &net->layers[l];
      NnWork wk = { .col = tr->col[l] ? tr->col[l] + nn_layer_col_len (ly, r0) : NULL,
                    .idx = idx_rows (tr, lc, l, r0), .scratch = scratch };
      nn_layer_ops (ly->kind)->forward (k, ly, net->w[l], net->b[l],
                                        l > 0 ? act_rows (tr, lc, l - 1, r0) : NULL,
                                        l == 0 ? tr->x + (size_t) r0 * net->sizes[0] : NULL, n,
                                        l == 0, act_rows (tr, lc, l, r0), &wk);
    }
  loss_rows (tr, r0, r1);
  for (int l = L - 1; l >= 1; l--)
    {
      const NnLayer *ly = &net->layers[l];
      const float *mask = net->layers[l - 1].relu ? act_rows (tr, lc, l - 1, r0) : NULL;
      NnWork wk = { .idx = idx_rows (tr, lc, l, r0), .tmp = tmp, .scratch = scratch,
                    .dy_row = delta_row (tr, l), .dx_row = delta_row (tr, l - 1) };
      nn_layer_ops (ly->kind)->backward (k, ly, tr->wt[l], delta_rows (tr, lc, l, r0), n, mask,
                                         delta_rows (tr, lc, l - 1, r0), &wk);
    }
  for (int l = 0; l < L; l++)
    if (net->layers[l].kind == NN_LAYER_CONV && !tr->wide[l])
      nn_conv_widen (&net->layers[l], tr->delta[l] + (size_t) r0 * net->sizes[l + 1], n,
                     tr->dyw[l] + nn_layer_widened_len (&net->layers[l], r0));
}

static void
run_chunk (NnTrainer *tr, const Chunk *c, int *scratch, float *tmp, const Local *lc)
{
  const NnNet *net = tr->net;
  int j = c->j;
  const NnLayer *ly = &net->layers[j];

  switch ((ChunkKind) c->kind)
    {
    case CHUNK_PREPARE:
      nn_layer_ops (ly->kind)->prepare (ly, net->w[j], c->r0, c->r1, tr->wt[j]);
      break;

    case CHUNK_CHAIN:
      chain_rows (tr, c->r0, c->r1, scratch, tmp, lc);
      break;

    case CHUNK_DW:
      {
        const float *a = ly->kind == NN_LAYER_CONV ? tr->col[j] : j > 0 ? tr->act[j - 1] : NULL;
        const uint8_t *ab = a == NULL ? tr->x : NULL;
        nn_layer_weight_grad (tr->kernels, ly, a, ab, tr->delta[j], tr->dyw[j], tr->batch,
                              c->r0, c->r1, c->c0, c->c1, tr->gw[j],
                              c->r0 == 0 ? tr->gb[j] : NULL, scratch);
        /* Update while the block is in cache: W is not read in this phase. */
        if (tr->apply)
          {
            update_block (tr, j, c);
            if (c->r0 == 0)
              update_bias (tr, j, c->c0, c->c1);
          }
      }
      break;
    }
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
          run_chunk (tr, &tr->chunks[idx], scratch, tmp, &lc);
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

static size_t
round16 (size_t n)
{
  return (n + 15) & ~(size_t) 15;
}

/* In a convolutional net (whose chain chunks are at most chunk_max samples), what only
 * the chain reads — every layer's outputs but those a dense layer's weight gradient reads
 * and the last, the deltas of layers without weights, the pool indices — lives in each
 * thread's own buffers, reused chunk after chunk: megabytes a batch the threads would
 * otherwise write to lines long out of cache. Sets act_loc, delta_loc, idx_loc and the
 * buffers' lengths. */
static void
chunk_local (NnTrainer *tr)
{
  const NnNet *net = tr->net;
  int L = net->n_layers, conv = 0;
  for (int l = 0; l < L; l++)
    conv |= net->layers[l].kind == NN_LAYER_CONV;
  if (!conv)
    return;
  /* add_chain_share's cap with every sample on one thread. */
  size_t chunk_max = tr->max_batch / 64 > CHAIN_MAX ? (size_t) tr->max_batch / 64 : CHAIN_MAX;
  for (int l = 0; l + 1 < L; l++)
    {
      if (net->layers[l + 1].kind != NN_LAYER_DENSE)
        {
          tr->act_loc[l] = tr->local_len + 1;
          tr->local_len += round16 (chunk_max * net->sizes[l + 1]);
        }
      if (net->layers[l].n_weights == 0)
        {
          tr->delta_loc[l] = tr->local_len + 1;
          tr->local_len += round16 (chunk_max * delta_len (tr, l));
        }
      if (net->layers[l].kind == NN_LAYER_POOL)
        {
          tr->idx_loc[l] = tr->ilocal_len + 1;
          tr->ilocal_len += round16 (chunk_max * net->sizes[l + 1]);
        }
    }
}

/* The gradients, the optimizer's state and one arena of per-layer views (activations,
 * deltas, padded conv inputs and widened deltas, prepared weights, pooling indices),
 * sized for max_batch.
 * FALSE when any allocation fails; *arena_len: the arena's length in floats. */
static int
trainer_allocate (NnTrainer *tr, int per, size_t *arena_len)
{
  const NnNet *net = tr->net;
  const int max_batch = tr->max_batch, n_threads = tr->n_threads;
  size_t np = net->n_params;

  tr->grads = aligned_alloc (64, round16 (np) * sizeof (float));
  if (per > 0)
    tr->state = aligned_alloc (64, round16 (np * per) * sizeof (float));

  /* Every view starts on a 64-byte line. */
  size_t total = 0, idx_total = 0, scratch = (size_t) max_batch;
  for (int j = 0; j < net->n_layers; j++)
    tr->wide[j] = keeps_wide (net, j);
  chunk_local (tr);
  for (int j = 0; j < net->n_layers; j++)
    {
      const NnLayer *ly = &net->layers[j];
      size_t rows = (size_t) max_batch * net->sizes[j + 1];
      /* act and delta (widened or not) unless chunk-local, and a conv's widened copy
       * unless delta is one */
      total += (tr->act_loc[j] ? 0 : round16 (rows))
               + (tr->delta_loc[j] ? 0 : round16 ((size_t) max_batch * delta_len (tr, j)))
               + round16 (nn_layer_col_len (ly, max_batch))
               + (tr->wide[j] ? 0 : round16 (nn_layer_widened_len (ly, max_batch)));
      if (j > 0)
        total += round16 (nn_layer_ops (ly->kind)->prepared_size (ly));
      if (ly->kind == NN_LAYER_POOL && !tr->idx_loc[j])
        idx_total += round16 (rows);
      if (nn_layer_tmp_len (ly) > tr->tmp_len)
        tr->tmp_len = nn_layer_tmp_len (ly);
      if (nn_layer_scratch_len (ly, max_batch) > scratch)
        scratch = nn_layer_scratch_len (ly, max_batch);
    }
  total += round16 (max_batch);
  tr->tmp_len = round16 (tr->tmp_len);
  tr->arena = aligned_alloc (64, total * sizeof (float));
  tr->idx_arena = idx_total ? aligned_alloc (64, idx_total * sizeof (int)) : NULL;
  tr->tmp = tr->tmp_len ? aligned_alloc (64, tr->tmp_len * n_threads * sizeof (float)) : NULL;
  if (tr->local_len)
    tr->local = aligned_alloc (64, tr->local_len * n_threads * sizeof (float));
  if (tr->ilocal_len)
    tr->ilocal = aligned_alloc (64, tr->ilocal_len * n_threads * sizeof (int));
  tr->correct = calloc (max_batch, sizeof (int));
  tr->scratch_len = round16 (scratch);
  tr->scratch = calloc (tr->scratch_len * n_threads, sizeof (int));
  /* Per phase and thread: up to NN_MAX_LAYERS shares of SUBCHUNKS, and the chain's. */
  tr->max_chunks = MAX_PHASES * n_threads * SUBCHUNKS * (NN_MAX_LAYERS + 1)
                   + n_threads * CHAIN_CHUNKS;
  tr->chunks = calloc (tr->max_chunks, sizeof (Chunk));
  tr->claim = aligned_alloc (64, sizeof (Counter) * MAX_PHASES * n_threads);
  *arena_len = total;
  return !(tr->grads == NULL || (per > 0 && tr->state == NULL) || tr->arena == NULL
           || tr->correct == NULL || tr->scratch == NULL || tr->chunks == NULL
           || tr->claim == NULL || (idx_total && tr->idx_arena == NULL)
           || (tr->tmp_len && tr->tmp == NULL) || (tr->local_len && tr->local == NULL)
           || (tr->ilocal_len && tr->ilocal == NULL));
}

/* Zeroes what trainer_allocate got and points each layer's views into it. */
static void
trainer_lay_out (NnTrainer *tr, int per, size_t arena_len)
{
  const NnNet *net = tr->net;
  size_t np = net->n_params;

  memset (tr->grads, 0, np * sizeof (float));
  if (per > 0)
    {
      memset (tr->state, 0, np * per * sizeof (float));
      tr->m = tr->state;
      tr->v = per > 1 ? tr->state + np : NULL;
    }
  for (int j = 0; j < net->n_layers; j++)
    if (net->w[j] != NULL)
      {
        tr->gw[j] = tr->grads + (net->w[j] - net->params);
        tr->gb[j] = tr->grads + (net->b[j] - net->params);
      }
  float *p = tr->arena;
  int *q = tr->idx_arena;
  for (int j = 0; j < net->n_layers; j++)
    {
      const NnLayer *ly = &net->layers[j];
      size_t rows = round16 ((size_t) tr->max_batch * net->sizes[j + 1]);
      if (!tr->act_loc[j])
        {
          tr->act[j] = p;
          p += rows;
        }
      if (!tr->delta_loc[j])
        {
          tr->delta[j] = p;
          p += round16 ((size_t) tr->max_batch * delta_len (tr, j));
        }
      if (ly->kind == NN_LAYER_CONV)
        {
          tr->col[j] = p;
          p += round16 (nn_layer_col_len (ly, tr->max_batch));
        }
      if (tr->wide[j])
        tr->dyw[j] = tr->delta[j];
      else if (ly->kind == NN_LAYER_CONV)
        {
          tr->dyw[j] = p;
          p += round16 (nn_layer_widened_len (ly, tr->max_batch));
        }
      if (j > 0 && ly->n_weights > 0)
        {
          tr->wt[j] = p;
          p += round16 (nn_layer_ops (ly->kind)->prepared_size (ly));
        }
      if (ly->kind == NN_LAYER_POOL && !tr->idx_loc[j])
        {
          tr->idx[j] = q;
          q += rows;
        }
    }
  tr->loss = p;
  memset (tr->arena, 0, arena_len * sizeof (float));
}

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
  if (!trainer_allocate (tr, per, &arena_len))
    {
      nn_trainer_free (tr);
      return NULL;
    }
  trainer_lay_out (tr, per, arena_len);
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
      plan (tr, batch);
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

/* nn-trainer-private.h — what the trainer's files share: its struct, the chunks a step is
 * cut into, and the layout of its per-layer buffers. Included by nn-trainer*.c only:
 *
 *   nn-trainer.c         threads, waiting and scheduling; the public entry points
 *   nn-trainer-plan.c    cutting a step into phases of chunks
 *   nn-trainer-chunk.c   the work of one chunk (a band of samples, a band of weight rows)
 *   nn-trainer-memory.c  the gradients, optimizer state and every layer's buffers
 */
#pragma once

#include "nn-private.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

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
/* A convolutional net's chain chunks: at most CHAIN_MAX samples (see add_chain_share);
 * at most CHAIN_CHUNKS chunks a thread. */
#define CHAIN_MAX 8
#define CHAIN_CHUNKS 160
/* Now and then one step runs in the mode not in use, so the trainer notices
 * when a busy machine makes one thread the faster choice: often while the
 * two are close, rarely while threads clearly win. */
#define PROBE_CLOSE 32
#define PROBE_CLEAR 512

typedef enum {
  CHUNK_PREPARE,     /* rows [r0, r1) of W[j] into wt[j] */
  CHUNK_CHAIN,       /* samples [r0, r1): every layer forward, softmax-CE, deltas back to 0,
                        each conv's per-sample weight gradients */
  CHUNK_DW,          /* gw[j] block = input[j]ᵀ · delta[j] (a conv: Σ of its samples'),
                        update; bias too if r0 == 0 */
} ChunkKind;

typedef struct {
  unsigned char kind;
  unsigned char j;
  int r0, r1;   /* rows: samples, or weight rows (whole) */
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
  /* conv: each sample's weight and bias gradient (part_len floats a sample), computed in
   * the chain while the sample's maps are in cache and summed in sample order in phase 2;
   * its padded inputs (or windows) and widened deltas are chunk-local (col_loc, dyw_loc) */
  float *part[NN_MAX_LAYERS];
  size_t part_len[NN_MAX_LAYERS];
  int wide[NN_MAX_LAYERS];      /* a conv's deltas written widened by the layer above */
  float *wt[NN_MAX_LAYERS];     /* layers ≥ 1: weights prepared for their backward pass */
  int *idx[NN_MAX_LAYERS];      /* pool: where each max came from */
  int *idx_arena;
  /* What only its own chunk of the chain reads lives in the thread's own buffers, sized
   * for the largest chunk (see chunk_local): 1 + its offset there, or 0 when batch-wide
   * (col_loc and dyw_loc: always there, for each conv and each that needs_dyw). */
  size_t act_loc[NN_MAX_LAYERS], delta_loc[NN_MAX_LAYERS], idx_loc[NN_MAX_LAYERS];
  size_t col_loc[NN_MAX_LAYERS], dyw_loc[NN_MAX_LAYERS];
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

/* A thread's chunk-local buffers. */
typedef struct {
  float *f;
  int *i;
} Local;

static inline size_t
round16 (size_t n)
{
  return (n + 15) & ~(size_t) 15;
}

/* A conv's weight gradient reads its deltas widened (nn_conv_widen), unless windowed. A
 * pool or conv above it writes them that way in the first place (wide); a dense layer
 * above writes compact deltas, which are widened into dyw once the chunk's are done. */
static inline int
keeps_wide (const NnNet *net, int l)
{
  return net->layers[l].kind == NN_LAYER_CONV && !nn_conv_windowed (&net->layers[l])
         && l + 1 < net->n_layers && net->layers[l + 1].kind != NN_LAYER_DENSE;
}

/* A conv whose weight gradient reads its deltas widened into dyw. */
static inline int
needs_dyw (const NnTrainer *tr, int l)
{
  const NnLayer *ly = &tr->net->layers[l];
  return ly->kind == NN_LAYER_CONV && !tr->wide[l] && !nn_conv_windowed (ly);
}

/* Floats of one sample's deltas of layer l, and floats a row when widened (else 0). */
static inline size_t
delta_len (const NnTrainer *tr, int l)
{
  return tr->wide[l] ? nn_layer_widened_len (&tr->net->layers[l], 1)
                     : (size_t) tr->net->sizes[l + 1];
}

static inline int
delta_row (const NnTrainer *tr, int l)
{
  const NnLayer *ly = &tr->net->layers[l];
  return tr->wide[l] ? (ly->out_w + ly->size - 1) * ly->out_c : 0;
}

/* nn-trainer-plan.c: the step's chunks for batch rows, into tr->chunks and friends. */
void nn_trainer_plan (NnTrainer *tr, int batch);
/* nn-trainer-chunk.c: one chunk of the current step, on a thread's scratch and buffers. */
void nn_trainer_run_chunk (NnTrainer *tr, const Chunk *c, int *scratch, float *tmp,
                           const Local *lc);
/* nn-trainer-memory.c: everything sized for max_batch (FALSE when an allocation fails;
 * *arena_len: the arena's floats), then zeroed and every layer's views pointed into it. */
int nn_trainer_allocate (NnTrainer *tr, int per, size_t *arena_len);
void nn_trainer_lay_out (NnTrainer *tr, int per, size_t arena_len);

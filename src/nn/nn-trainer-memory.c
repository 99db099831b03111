/* nn-trainer-memory.c — the trainer's memory: gradients, optimizer state, and one arena
 * of every layer's views (outputs, deltas, per-sample conv weight gradients, prepared
 * weights, pool indices), or per-thread buffers for what only one chunk reads. */
#include "nn-trainer-private.h"

#include <stdlib.h>
#include <string.h>

/* In a convolutional net (whose chain chunks are at most chunk_max samples), what only
 * the chain reads — every layer's outputs but those a dense layer's weight gradient reads
 * and the last, the deltas of all but dense layers, the pool indices, a conv's padded
 * inputs and widened deltas (its weight gradient is taken in the chain) — lives in each
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
      if (net->layers[l].kind == NN_LAYER_POOL)
        {
          tr->idx_loc[l] = tr->ilocal_len + 1;
          tr->ilocal_len += round16 (chunk_max * net->sizes[l + 1]);
        }
    }
  for (int l = 0; l + 1 < L; l++)
    {
      const NnLayer *ly = &net->layers[l];
      if (ly->n_weights == 0 || ly->kind == NN_LAYER_CONV)
        {
          tr->delta_loc[l] = tr->local_len + 1;
          tr->local_len += round16 (chunk_max * delta_len (tr, l));
        }
      if (ly->kind != NN_LAYER_CONV)
        continue;
      tr->col_loc[l] = tr->local_len + 1;
      tr->local_len += round16 (nn_layer_col_len (ly, chunk_max));
      if (needs_dyw (tr, l))
        {
          tr->dyw_loc[l] = tr->local_len + 1;
          tr->local_len += round16 (nn_layer_widened_len (ly, chunk_max));
        }
    }
}

/* The gradients, the optimizer's state and one arena of per-layer views (activations,
 * deltas, per-sample conv weight gradients, prepared weights, pooling indices), sized for
 * max_batch; and the per-thread buffers.
 * FALSE when any allocation fails; *arena_len: the arena's length in floats. */
int
nn_trainer_allocate (NnTrainer *tr, int per, size_t *arena_len)
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
      /* act and delta (widened or not) unless chunk-local; a conv's per-sample gradients */
      if (ly->kind == NN_LAYER_CONV)
        tr->part_len[j] = round16 ((size_t) ly->n_weights + ly->n_biases);
      total += (tr->act_loc[j] ? 0 : round16 (rows))
               + (tr->delta_loc[j] ? 0 : round16 ((size_t) max_batch * delta_len (tr, j)))
               + tr->part_len[j] * max_batch;
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
void
nn_trainer_lay_out (NnTrainer *tr, int per, size_t arena_len)
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
      if (tr->part_len[j])
        {
          tr->part[j] = p;
          p += tr->part_len[j] * tr->max_batch;
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

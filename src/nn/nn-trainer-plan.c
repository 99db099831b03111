/* nn-trainer-plan.c — a step cut into phases of chunks (see nn-trainer.c for the phases
 * and why chunks are never pieces of a sum): which chunks, how big, whose first. */
#include "nn-trainer-private.h"

static void
add_chunk (NnTrainer *tr, int *n, ChunkKind kind, int j, int r0, int r1)
{
  if (r1 <= r0 || *n >= tr->max_chunks)
    return;
  tr->chunks[(*n)++] = (Chunk) { (unsigned char) kind, (unsigned char) j, r0, r1 };
}

/* Thread tid's share of the rows of a matrix (of whole register tiles), cut into up to
 * subchunks bands. */
static void
add_share (NnTrainer *tr, int *n, ChunkKind kind, int j, int rows, int tid, int subchunks)
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
      add_chunk (tr, n, kind, j, a, b < r1 ? b : r1);
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
      add_chunk (tr, n, CHUNK_CHAIN, 0, u0 * unit, b < batch ? b : batch);
      u0 += take;
    }
}

void
nn_trainer_plan (NnTrainer *tr, int batch)
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
              add_share (tr, &n, CHUNK_PREPARE, k, net->layers[k].fan_in, t, SUBCHUNKS);
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
          add_share (tr, &n, CHUNK_DW, j, net->layers[j].fan_in, t, 1);
    }
  tr->home_start[p++][nt] = n;

  tr->phase_start[p] = n;
  tr->n_phases = p;
  tr->plan_batch = batch;
}


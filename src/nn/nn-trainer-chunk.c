/* nn-trainer-chunk.c — the work of one chunk of a step: preparing weights for the
 * backward pass, a band of samples through every layer and back (the chain), or a band of
 * one layer's weight rows: its gradient over the whole batch, then its update. */
#include "nn-trainer-private.h"

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
update_bias (NnTrainer *tr, int j)
{
  const NnNet *net = tr->net;
  size_t off = (size_t) (net->b[j] - net->params);
  tr->kernels->opt_update (&tr->ost, net->params + off, tr->grads + off,
                           tr->m ? tr->m + off : NULL, tr->v ? tr->v + off : NULL,
                           (size_t) net->layers[j].out_c, 0);
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
                          tr->config.smooth,
                          tr->delta[j] + (size_t) r0 * classes);
}


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

/* A conv's padded inputs (or windows) for the chunk: always chunk-local. */
static float *
col_rows (const NnTrainer *tr, const Local *lc, int l)
{
  return lc->f + tr->col_loc[l] - 1;
}

/* The deltas conv l's weight gradient reads: widened (by the layer above, or here into
 * the chunk-local dyw), or compact when windowed. */
static float *
dyw_rows (const NnTrainer *tr, const Local *lc, int l, int r0)
{
  return needs_dyw (tr, l) ? lc->f + tr->dyw_loc[l] - 1 : delta_rows (tr, lc, l, r0);
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
      NnWork wk = { .col = ly->kind == NN_LAYER_CONV ? col_rows (tr, lc, l) : NULL,
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
  /* Each conv's weight gradient, a sample at a time while its maps are in cache: every
   * sample's sum runs over its positions in one order, and phase 2 adds the samples' in
   * sample order, so the bits do not depend on which thread took which samples. */
  for (int l = 0; l < L; l++)
    {
      const NnLayer *ly = &net->layers[l];
      if (ly->kind != NN_LAYER_CONV)
        continue;
      float *dyw = dyw_rows (tr, lc, l, r0), *col = col_rows (tr, lc, l);
      size_t pmap = nn_layer_col_len (ly, 1);
      size_t wmap = nn_conv_windowed (ly) ? (size_t) net->sizes[l + 1]
                                          : nn_layer_widened_len (ly, 1);
      if (needs_dyw (tr, l))
        nn_conv_widen (ly, delta_rows (tr, lc, l, r0), n, dyw);
      for (int s = 0; s < n; s++)
        {
          float *part = tr->part[l] + (size_t) (r0 + s) * tr->part_len[l];
          nn_layer_weight_grad (k, ly, col + s * pmap, NULL, dyw + s * wmap, dyw + s * wmap, 1,
                                0, ly->fan_in, 0, ly->out_c, part, part + ly->n_weights,
                                scratch);
        }
    }
}

/* Rows [r0, r1) of conv j's weight gradient (and its bias gradient with the first rows):
 * the sum of the batch's per-sample gradients, in sample order. */
static void
sum_run (const NnTrainer *tr, int j, size_t off, size_t len, float *g)
{
  const float *part = tr->part[j] + off;
  size_t stride = tr->part_len[j];
  for (size_t i = 0; i < len; i++)
    g[i] = part[i];
  for (int s = 1; s < tr->batch; s++)
    {
      const float *p = part + s * stride;
      for (size_t i = 0; i < len; i++)
        g[i] += p[i];
    }
}

static void
sum_parts (NnTrainer *tr, int j, int r0, int r1)
{
  const NnLayer *ly = &tr->net->layers[j];
  sum_run (tr, j, (size_t) r0 * ly->out_c, (size_t) (r1 - r0) * ly->out_c,
           tr->gw[j] + (size_t) r0 * ly->out_c);
  if (r0 == 0)   /* a part's bias gradient follows its weights' */
    sum_run (tr, j, ly->n_weights, ly->n_biases, tr->gb[j]);
}

void
nn_trainer_run_chunk (NnTrainer *tr, const Chunk *c, int *scratch, float *tmp, const Local *lc)
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
        if (ly->kind == NN_LAYER_CONV)
          sum_parts (tr, j, c->r0, c->r1);
        else
          {
            const float *a = j > 0 ? tr->act[j - 1] : NULL;
            nn_layer_weight_grad (tr->kernels, ly, a, a == NULL ? tr->x : NULL, tr->delta[j],
                                  NULL, tr->batch, c->r0, c->r1, 0, ly->out_c, tr->gw[j],
                                  c->r0 == 0 ? tr->gb[j] : NULL, scratch);
          }
        /* Update while the block is in cache: W is not read in this phase. */
        if (tr->apply)
          {
            update_block (tr, j, c);
            if (c->r0 == 0)
              update_bias (tr, j);
          }
      }
      break;
    }
}

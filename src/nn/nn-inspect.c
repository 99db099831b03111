/* nn-inspect.c — looking inside a net: every layer's output, the input
 * gradient of a class's score (saliency), the first layer's filters. One
 * sample, on the calling thread, through the same layer table as training. */
#include "nn-private.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  float *act[NN_MAX_LAYERS];   /* channels last, as the layers make them */
  int *idx[NN_MAX_LAYERS];
  float *col, *tmp, *wt, *d[2];
  int *scratch;
  void *mem;
} Pass;

static int
pass_init (Pass *ps, const NnNet *net, int backward)
{
  size_t floats = 0, ints = 0, col = 0, tmp = 0, wt = 0, width = (size_t) net->sizes[0];
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      floats += (size_t) net->sizes[l + 1];
      ints += (size_t) net->sizes[l + 1] + nn_layer_scratch_len (ly, 1);
      col = col > nn_layer_col_len (ly, 1) ? col : nn_layer_col_len (ly, 1);
      tmp = tmp > nn_layer_tmp_len (ly) ? tmp : nn_layer_tmp_len (ly);
      size_t p = nn_layer_ops (ly->kind)->prepared_size (ly);
      wt = wt > p ? wt : p;
      width = width > (size_t) net->sizes[l + 1] ? width : (size_t) net->sizes[l + 1];
    }
  floats += col;
  if (backward)
    floats += tmp + wt + 2 * width;
  ps->mem = malloc (floats * sizeof (float) + ints * sizeof (int));
  if (ps->mem == NULL)
    return -1;
  float *p = ps->mem;
  for (int l = 0; l < net->n_layers; l++)
    ps->act[l] = p, p += net->sizes[l + 1];
  ps->col = p, p += col;
  if (backward)
    {
      ps->tmp = p, p += tmp;
      ps->wt = p, p += wt;
      ps->d[0] = p, p += width;
      ps->d[1] = p, p += width;
    }
  int *q = (int *) p;
  for (int l = 0; l < net->n_layers; l++)
    ps->idx[l] = q, q += net->sizes[l + 1];
  ps->scratch = q;
  return 0;
}

/* Forward of one sample keeping every layer's output; the last is probabilities. */
static void
pass_forward (Pass *ps, const NnNet *net, const float *x)
{
  const NnKernels *k = nn_kernels_best ();
  const float *cur = x;
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      NnWork wk = { .col = ps->col, .idx = ps->idx[l], .scratch = ps->scratch };
      nn_layer_ops (ly->kind)->forward (k, ly, net->w[l], net->b[l], cur, NULL, 1, l == 0,
                                        ps->act[l], &wk);
      cur = ps->act[l];
    }
  int classes = net->sizes[net->n_layers];
  nn_softmax_forward (ps->act[net->n_layers - 1], 1, classes, ps->act[net->n_layers - 1]);
}

int
nn_net_forward_layers (const NnNet *net, const float *x, float *const *outs)
{
  Pass ps;
  if (net == NULL || x == NULL || outs == NULL || pass_init (&ps, net, 0) != 0)
    return -1;
  pass_forward (&ps, net, x);
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      if (outs[l] == NULL)
        continue;
      int C = ly->out_c, P = ly->out_h * ly->out_w;
      /* Channels last to channel by channel. */
      for (int p = 0; p < P; p++)
        for (int c = 0; c < C; c++)
          outs[l][(size_t) c * P + p] = ps.act[l][(size_t) p * C + c];
    }
  free (ps.mem);
  return 0;
}

int
nn_net_input_gradient (const NnNet *net, const float *x, int klass, NnGradTarget target,
                       float *dx)
{
  Pass ps;
  if (net == NULL || x == NULL || dx == NULL || klass < 0
      || klass >= net->sizes[net->n_layers] || pass_init (&ps, net, 1) != 0)
    return -1;
  const NnKernels *k = nn_kernels_best ();
  pass_forward (&ps, net, x);
  int L = net->n_layers, classes = net->sizes[L];
  const float *p = ps.act[L - 1];
  float *d = ps.d[0];
  /* d z_k / d z = onehot(k); d log p_k / d z = onehot(k) - p, its k-th entry written as
   * the sum of the other classes' p: a sure answer's p_k rounds to 1.0f (1 in 5 MNIST
   * digits for a CNN), so 1 - p_k would be 0, but the others keep their digits. */
  float others = 0.0f;
  for (int c = 0; c < classes; c++)
    others += c == klass ? 0.0f : p[c];
  for (int c = 0; c < classes; c++)
    if (target == NN_GRAD_LOG_PROB)
      d[c] = c == klass ? others : -p[c];
    else
      d[c] = c == klass ? 1.0f : 0.0f;
  for (int l = L - 1; l >= 0; l--)
    {
      const NnLayer *ly = &net->layers[l];
      const NnLayerOps *ops = nn_layer_ops (ly->kind);
      float *out = l == 0 ? dx : ps.d[(L - l) % 2];
      const float *mask = l > 0 && net->layers[l - 1].relu ? ps.act[l - 1] : NULL;
      if (ly->n_weights > 0)
        ops->prepare (ly, net->w[l], 0, ly->fan_in, ps.wt);
      NnWork wk = { .idx = ps.idx[l], .tmp = ps.tmp, .scratch = ps.scratch };
      ops->backward (k, ly, ps.wt, d, 1, mask, out, &wk);
      d = out;
    }
  free (ps.mem);
  return 0;
}

int
nn_net_first_filter (const NnNet *net, int f, int c, float *kout)
{
  if (net == NULL || kout == NULL || net->n_layers < 1)
    return -1;
  const NnLayer *ly = &net->layers[0];
  if (f < 0 || f >= ly->out_c || ly->n_weights == 0)
    return -1;
  if (ly->kind == NN_LAYER_DENSE)
    {
      for (int i = 0; i < ly->in_c; i++)
        kout[i] = net->w[0][(size_t) i * ly->out_c + f];
      return 0;
    }
  if (c < 0 || c >= ly->in_c)
    return -1;
  int K = ly->size;
  for (int i = 0; i < K * K; i++)
    kout[i] = net->w[0][((size_t) i * ly->in_c + c) * ly->out_c + f];
  return 0;
}

/* nn-layers.c — dense, ReLU and softmax + cross-entropy, each a forward /
 * backward pair over a batch whose rows are samples. The trainer calls the
 * kernels directly with the same epilogues to split work among threads; these
 * are the plain entry points (inference, tests). */
#include "nn-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
nn_dense_forward (const NnKernels *k, const float *x, int n, int in, const float *w,
                  const float *b, int out, int relu, float *y)
{
  NnEpilogue ep = { .bias = b, .relu = relu };
  k->gemm (n, out, in, x, in, 1, w, out, y, out, &ep, NULL);
}

void
nn_dense_forward_u8 (const NnKernels *k, const uint8_t *x, int n, int in, const float *w,
                     const float *b, int out, int relu, float *y)
{
  int scratch[NN_MAX_WIDTH];
  NnEpilogue ep = { .bias = b, .relu = relu };
  k->gemm_u8 (n, out, in, x, in, 1, w, out, y, out, &ep, scratch);
}

void
nn_dense_forward_sparse (const NnKernels *k, const float *x, int n, int in, const float *w,
                         const float *b, int out, int relu, float *y)
{
  int scratch[NN_MAX_WIDTH];
  NnEpilogue ep = { .bias = b, .relu = relu };
  k->gemm_sparse (n, out, in, x, in, 1, w, out, y, out, &ep, scratch);
}

void
nn_colsum (const float *dy, int n, int cols, size_t ld, float *db)
{
  memset (db, 0, sizeof (float) * cols);
  /* Row by row, so each column is summed in row order whatever the vector
   * width the compiler picks. */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < cols; j++)
      db[j] += dy[i * ld + j];
}

int
nn_dense_backward (const NnKernels *k, const float *x, const float *dy, int n, int in,
                   const float *w, int out, float *dx, float *dw, float *db)
{
  /* dW[i][o] = Σ_rows x[r][i] dy[r][o]: the transposed-A form of the gemm. */
  k->gemm (in, out, n, x, 1, in, dy, out, dw, out, NULL, NULL);
  nn_colsum (dy, n, out, out, db);
  if (dx != NULL)
    {
      /* dx = dy·Wᵀ through a transposed copy, as the trainer does. */
      float *wt = malloc (sizeof (float) * in * out);
      if (wt == NULL)
        return -1;
      for (int i = 0; i < in; i++)
        for (int o = 0; o < out; o++)
          wt[(size_t) o * in + i] = w[(size_t) i * out + o];
      k->gemm (n, in, out, dy, out, 1, wt, in, dx, in, NULL, NULL);
      free (wt);
    }
  return 0;
}

void
nn_relu_forward (const float *x, float *y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void
nn_relu_backward (const float *y, const float *dy, float *dx, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

/* exp(z - max) into p and returns their sum; the max keeps exp ≤ 1, so logits
 * of ±1e4 neither overflow nor leave all zeros. */
static float
exp_shifted (const float *z, int classes, float max, float *p)
{
  float sum = 0.0f;
  for (int c = 0; c < classes; c++)
    {
      p[c] = expf (z[c] - max);
      sum += p[c];
    }
  return sum;
}

static float
row_max (const float *z, int classes)
{
  float m = z[0];
  for (int c = 1; c < classes; c++)
    if (z[c] > m)
      m = z[c];
  return m;
}

void
nn_softmax_forward (const float *logits, int n, int classes, float *probs)
{
  for (int i = 0; i < n; i++)
    {
      const float *z = logits + (size_t) i * classes;
      float *p = probs + (size_t) i * classes;
      float sum = exp_shifted (z, classes, row_max (z, classes), p);
      float inv = 1.0f / sum;
      for (int c = 0; c < classes; c++)
        p[c] *= inv;
    }
}

float
nn_softmax_ce_forward (const float *logits, const uint8_t *labels, int n, int classes,
                       float *probs, float *loss)
{
  float total = 0.0f;
  for (int i = 0; i < n; i++)
    {
      const float *z = logits + (size_t) i * classes;
      float *p = probs + (size_t) i * classes;
      float max = row_max (z, classes);
      float zy = z[labels[i]];   /* before p, which may be z itself, overwrites it */
      float sum = exp_shifted (z, classes, max, p);
      float inv = 1.0f / sum;
      for (int c = 0; c < classes; c++)
        p[c] *= inv;
      /* -log softmax(z)[y] = log Σ exp(z - max) - (z[y] - max): sum ≥ 1. */
      float l = logf (sum) - (zy - max);
      if (loss != NULL)
        loss[i] = l;
      total += l;
    }
  return total;
}

void
nn_softmax_ce_backward (const float *probs, const uint8_t *labels, int n, int classes,
                        float scale, float smooth, float *dlogits)
{
  float off = smooth / (float) classes, on = 1.0f - smooth + off;
  for (int i = 0; i < n; i++)
    {
      const float *p = probs + (size_t) i * classes;
      float *d = dlogits + (size_t) i * classes;
      for (int c = 0; c < classes; c++)
        d[c] = (p[c] - (c == labels[i] ? on : off)) * scale;
    }
}

/* ---- the layer table ---- */

static void
dense_forward (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
               const float *x, const uint8_t *xb, int n, int first, float *y, const NnWork *wk)
{
  NnEpilogue ep = { .bias = b, .relu = l->relu };
  int in = l->in_c, out = l->out_c;
  if (xb != NULL)
    k->gemm_u8 (n, out, in, xb, in, 1, w, out, y, out, &ep, wk->scratch);
  else if (first)
    k->gemm_sparse (n, out, in, x, in, 1, w, out, y, out, &ep, wk->scratch);
  else
    k->gemm (n, out, in, x, in, 1, w, out, y, out, &ep, NULL);
}

static void
dense_backward (const NnKernels *k, const NnLayer *l, const float *wt, const float *dy, int n,
                const float *mask, float *dx, const NnWork *wk)
{
  (void) wk;
  int in = l->in_c, out = l->out_c;
  NnEpilogue ep = { .mask = mask, .ldm = (size_t) in };
  k->gemm (n, in, out, dy, out, 1, wt, in, dx, in, mask ? &ep : NULL, NULL);
}

static size_t
dense_prepared_size (const NnLayer *l)
{
  return l->n_weights;
}

/* Rows [r0, r1) of W into Wᵀ, in 16 × 16 blocks so both sides stay in a few lines. */
static void
dense_prepare (const NnLayer *l, const float *w, int r0, int r1, float *wt)
{
  int in = l->in_c, out = l->out_c;
  for (int ib = r0; ib < r1; ib += 16)
    for (int ob = 0; ob < out; ob += 16)
      {
        int ie = ib + 16 < r1 ? ib + 16 : r1, oe = ob + 16 < out ? ob + 16 : out;
        for (int o = ob; o < oe; o++)
          for (int i = ib; i < ie; i++)
            wt[(size_t) o * in + i] = w[(size_t) i * out + o];
      }
}

static const NnLayerOps dense_ops = { "dense", dense_forward, dense_backward,
                                      dense_prepared_size, dense_prepare };
extern const NnLayerOps nn_conv_ops, nn_pool_ops;

const NnLayerOps *
nn_layer_ops (NnLayerKind kind)
{
  switch (kind)
    {
    case NN_LAYER_CONV:
      return &nn_conv_ops;
    case NN_LAYER_POOL:
      return &nn_pool_ops;
    case NN_LAYER_DENSE:
    default:
      return &dense_ops;
    }
}

size_t
nn_layer_scratch_len (const NnLayer *l, int n)
{
  size_t s = (size_t) (l->fan_in > l->in_c ? l->fan_in : l->in_c);
  return s > (size_t) n ? s : (size_t) n;
}

size_t
nn_layer_col_len (const NnLayer *l, int n)
{
  if (l->kind != NN_LAYER_CONV)
    return 0;
  size_t pad = (size_t) (l->out_h + l->size - 1) * (l->out_w + l->size - 1) * l->in_c;
  if (nn_conv_windowed (l))   /* a plane per filter tap, then the padded map they come from */
    return (size_t) n * ((size_t) l->out_h * l->out_w * l->fan_in + pad);
  return (size_t) n * pad;
}

size_t
nn_layer_widened_len (const NnLayer *l, int n)
{
  if (l->kind != NN_LAYER_CONV)
    return 0;
  return (size_t) n * l->out_h * (l->out_w + l->size - 1) * l->out_c;
}

size_t
nn_layer_tmp_len (const NnLayer *l)
{
  if (l->kind != NN_LAYER_CONV)
    return 0;
  return (size_t) (l->in_h + l->size - 1) * (l->in_w + l->size - 1) * l->out_c;
}

#define DW_BLOCK 128

void
nn_layer_weight_grad (const NnKernels *k, const NnLayer *l, const float *a, const uint8_t *ab,
                      const float *dy, const float *dyw, int n, int r0, int r1, int c0, int c1,
                      float *dw, float *db, int *scratch)
{
  int out = l->out_c, fan = l->fan_in;
  int rows = n * (l->kind == NN_LAYER_CONV ? l->out_h * l->out_w : 1);
  if (nn_conv_windowed (l))
    {
      /* dW = Σ over every pixel of the batch of its window × its delta row (compact). */
      size_t pmap = nn_layer_col_len (l, 1), pix = (size_t) l->out_h * l->out_w;
      for (int s = 0; s < n; s++)
        {
          NnEpilogue ep = { .accumulate = s > 0 };
          k->gemm (r1 - r0, c1 - c0, (int) pix, a + s * pmap + r0 * pix, pix, 1,
                   dy + s * pix * out + c0, out, dw + (size_t) r0 * out + c0, out, &ep, NULL);
        }
    }
  else if (l->kind == NN_LAYER_CONV)
    {
      /* dW row (ky, j) = Σ over the batch's positions q of padded row ky + q's float j ×
       * the delta at q: positions run over the padded width (the deltas there are zero),
       * so each sample and filter row is one product over every position at once. */
      int K = l->size, C = l->in_c, pw = l->out_w + K - 1, seg = K * C;
      int q = (l->out_h - 1) * pw + l->out_w;
      size_t pmap = nn_layer_col_len (l, 1), wmap = nn_layer_widened_len (l, 1);
      for (int s = 0; s < n; s++)   /* samples outside: one sample's maps stay in cache */
        for (int ky = 0; ky < K; ky++)
          {
            int a0 = r0 > ky * seg ? r0 : ky * seg;
            int a1 = r1 < (ky + 1) * seg ? r1 : (ky + 1) * seg;
            NnEpilogue ep = { .accumulate = s > 0 };
            if (a1 > a0)
              k->gemm (a1 - a0, c1 - c0, q, a + s * pmap + (size_t) ky * pw * C + (a0 - ky * seg),
                       1, (size_t) C, dyw + s * wmap + c0, out, dw + (size_t) a0 * out + c0, out,
                       &ep, NULL);
          }
    }
  /* dW[i][o] = Σ_rows A[r][i] dy[r][o]: the transposed-A form of the gemm. */
  else if (ab != NULL)
    k->gemm_u8 (r1 - r0, c1 - c0, rows, ab + r0, 1, fan, dy + c0, out,
                dw + (size_t) r0 * out + c0, out, NULL, scratch);
  else
    /* In blocks of rows whose deltas stay in L1 and inputs in L2; accumulating keeps
     * the bits of one sum. */
    for (int p0 = 0; p0 < rows; p0 += DW_BLOCK)
      {
        NnEpilogue ep = { .accumulate = p0 > 0 };
        int pn = rows - p0 < DW_BLOCK ? rows - p0 : DW_BLOCK;
        k->gemm (r1 - r0, c1 - c0, pn, a + (size_t) p0 * fan + r0, 1, fan,
                 dy + (size_t) p0 * out + c0, out, dw + (size_t) r0 * out + c0, out, &ep, NULL);
      }
  if (db != NULL)
    {
      /* Σ over rows as a 1-row product with a stride-0 row of ones: vectorised,
       * still summed row by row (1·d is exact). A conv's from its widened deltas
       * (the zeros of the padded width add nothing), whichever layout dy has. */
      static const float one = 1.0f;
      if (l->kind == NN_LAYER_CONV && !nn_conv_windowed (l))
        k->gemm (1, c1 - c0, n * l->out_h * (l->out_w + l->size - 1), &one, 0, 0, dyw + c0, out,
                 db + c0, out, NULL, NULL);
      else
        k->gemm (1, c1 - c0, rows, &one, 0, 0, dy + c0, out, db + c0, out, NULL, NULL);
    }
}

/* nn-conv.c — 2-D convolution and max-pooling on channels-last maps.
 *
 * A convolution is a matrix product over im2col rows: one row per output
 * pixel holding the size×size×in_c window around it, times W (fan_in ×
 * out_c), through the same cache-blocked kernels as dense layers — so the
 * reference, AVX2 and AVX-512 kernel sets (and their bias + ReLU epilogue)
 * serve convolutions too, with the same every-sum-in-order guarantee.
 *
 * The input gradient is itself a convolution: of the output's deltas, padded
 * by size - 1 - pad, with the filters flipped and their channels swapped
 * (prepared once per step). It runs one sample at a time so the im2col of
 * the deltas stays in cache. The weight gradient, Σ over every output pixel
 * of the batch of im2col row × delta row, is nn_layer_weight_grad. */
#include "nn-private.h"

#include <stdlib.h>
#include <string.h>

/* The map with its zero border, laid out so every window is size rows of size·c
 * contiguous floats: rows [-pad_t, dst_h - pad_t + size - 1), columns likewise. */
static void
pad_map (const float *src, int src_h, int src_w, int c, int ph, int pw, int pad_t, int pad_l,
         float *pad)
{
  for (int py = 0; py < ph; py++)
    {
      float *row = pad + (size_t) py * pw * c;
      int sy = py - pad_t;
      if (sy < 0 || sy >= src_h)
        {
          memset (row, 0, sizeof (float) * pw * c);
          continue;
        }
      /* Columns px with 0 <= px - pad_l < src_w come from the map. */
      int a = pad_l < 0 ? 0 : pad_l < pw ? pad_l : pw;
      int b = pad_l + src_w < pw ? pad_l + src_w : pw;
      int skip = pad_l < 0 ? -pad_l : 0;
      if (b < a)
        b = a;
      memset (row, 0, sizeof (float) * a * c);
      memcpy (row + (size_t) a * c, src + ((size_t) sy * src_w + skip) * c,
              sizeof (float) * (b - a) * c);
      memset (row + (size_t) b * c, 0, sizeof (float) * (pw - b) * c);
    }
}

void
nn_im2col (const float *src, int src_h, int src_w, int c, int dst_h, int dst_w, int size,
           int pad_t, int pad_l, float *col)
{
  int ph = dst_h + size - 1, pw = dst_w + size - 1;
  size_t row = (size_t) size * size * c, span = (size_t) size * c;
  float stack[4096];
  size_t n = (size_t) ph * pw * c;
  float *pad = n <= 4096 ? stack : malloc (sizeof (float) * n);
  if (pad == NULL)
    return;
  pad_map (src, src_h, src_w, c, ph, pw, pad_t, pad_l, pad);
  for (int y = 0; y < dst_h; y++)
    for (int x = 0; x < dst_w; x++)
      {
        float *restrict dst = col + ((size_t) y * dst_w + x) * row;
        for (int ky = 0; ky < size; ky++)
          {
            const float *restrict from = pad + ((size_t) (y + ky) * pw + x) * c;
            for (size_t i = 0; i < span; i++)
              dst[ky * span + i] = from[i];
          }
      }
  if (pad != stack)
    free (pad);
}

void
nn_im2col_u8 (const uint8_t *src, int src_h, int src_w, int c, int dst_h, int dst_w, int size,
              int pad_t, int pad_l, float *col)
{
  /* Through floats of the map (one sample: small), then as any map. */
  size_t n = (size_t) src_h * src_w * c;
  float stack[4096] = { 0 };
  float *f = n <= 4096 ? stack : malloc (sizeof (float) * n);
  if (f == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    f[i] = nn_u8_to_float[src[i]];
  nn_im2col (f, src_h, src_w, c, dst_h, dst_w, size, pad_t, pad_l, col);
  if (f != stack)
    free (f);
}

/* ---- conv ---- */

static void
conv_forward (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
              const float *x, const uint8_t *xb, int n, int first, float *y, const NnWork *wk)
{
  size_t in = (size_t) l->in_c * l->in_h * l->in_w;
  size_t pix = (size_t) l->out_h * l->out_w, row = (size_t) l->fan_in;
  for (int s = 0; s < n; s++)
    {
      float *col = wk->col + s * pix * row;
      if (xb != NULL)
        nn_im2col_u8 (xb + s * in, l->in_h, l->in_w, l->in_c, l->out_h, l->out_w, l->size,
                      l->pad_t, l->pad_l, col);
      else
        nn_im2col (x + s * in, l->in_h, l->in_w, l->in_c, l->out_h, l->out_w, l->size,
                   l->pad_t, l->pad_l, col);
    }
  NnEpilogue ep = { .bias = b, .relu = l->relu };
  int m = (int) (n * pix);
  if (first)
    k->gemm_sparse (m, l->out_c, l->fan_in, wk->col, row, 1, w, l->out_c, y, l->out_c, &ep,
                    wk->scratch);
  else
    k->gemm (m, l->out_c, l->fan_in, wk->col, row, 1, w, l->out_c, y, l->out_c, &ep, NULL);
}

static size_t
conv_prepared_size (const NnLayer *l)
{
  return l->n_weights;
}

/* wt row (ky'·size + kx')·out_c + co, column ci = W row ((size-1-ky')·size + size-1-kx')·in_c
 * + ci, column co: the filters turned half a turn, in and out channels swapped. */
static void
conv_prepare (const NnLayer *l, const float *w, int r0, int r1, float *wt)
{
  int K = l->size, ci_n = l->in_c, co_n = l->out_c;
  for (int r = r0; r < r1; r++)
    {
      int kk = r / ci_n, ci = r % ci_n;
      int ky = kk / K, kx = kk % K;
      int fk = (K - 1 - ky) * K + (K - 1 - kx);
      const float *src = w + (size_t) r * co_n;
      for (int co = 0; co < co_n; co++)
        wt[((size_t) fk * co_n + co) * ci_n + ci] = src[co];
    }
}

static void
conv_backward (const NnKernels *k, const NnLayer *l, const float *wt, const float *dy, int n,
               const float *mask, float *dx, const NnWork *wk)
{
  size_t in = (size_t) l->in_c * l->in_h * l->in_w;
  size_t out = (size_t) l->out_c * l->out_h * l->out_w;
  int K = l->size, rowlen = K * K * l->out_c;
  for (int s = 0; s < n; s++)
    {
      nn_im2col (dy + s * out, l->out_h, l->out_w, l->out_c, l->in_h, l->in_w, K,
                 K - 1 - l->pad_t, K - 1 - l->pad_l, wk->tmp);
      NnEpilogue ep = { .mask = mask ? mask + s * in : NULL, .ldm = (size_t) l->in_c };
      k->gemm (l->in_h * l->in_w, l->in_c, rowlen, wk->tmp, rowlen, 1, wt, l->in_c,
               dx + s * in, l->in_c, mask ? &ep : NULL, NULL);
    }
}

/* ---- max-pool ---- */

/* One sample's pooling; written branch-free over channels so it vectorises. */
static void
pool_sample (const NnLayer *l, const float *x, float *y, int *idx)
{
  int S = l->size, C = l->in_c, W = l->in_w;
  for (int oy = 0; oy < l->out_h; oy++)
    for (int ox = 0; ox < l->out_w; ox++)
      {
        size_t o = ((size_t) oy * l->out_w + ox) * C;
        float *restrict yo = y + o;
        size_t at0 = ((size_t) (oy * S) * W + ox * S) * C;
        for (int c = 0; c < C; c++)
          yo[c] = x[at0 + c];
        if (idx != NULL)
          for (int c = 0; c < C; c++)
            idx[o + c] = (int) (at0 + c);
        for (int dy = 0; dy < S; dy++)
          for (int dx = (dy == 0); dx < S; dx++)
            {
              size_t at = ((size_t) (oy * S + dy) * W + (ox * S + dx)) * C;
              const float *restrict xi = x + at;
              /* The first of equal maxima wins: only strictly greater replaces. */
              if (idx != NULL)
                {
                  int *restrict io = idx + o;
                  for (int c = 0; c < C; c++)
                    io[c] = xi[c] > yo[c] ? (int) (at + c) : io[c];
                }
              for (int c = 0; c < C; c++)
                yo[c] = xi[c] > yo[c] ? xi[c] : yo[c];
            }
      }
}

static void
pool_forward (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
              const float *x, const uint8_t *xb, int n, int first, float *y, const NnWork *wk)
{
  (void) k, (void) w, (void) b, (void) first;
  size_t in = (size_t) l->in_c * l->in_h * l->in_w, out = (size_t) l->out_c * l->out_h * l->out_w;
  float *buf = NULL;
  if (xb != NULL)
    {
      /* A pool straight on the bytes of the input: one sample at a time in floats. */
      buf = malloc (sizeof (float) * in);
      if (buf == NULL)
        return;
    }
  for (int s = 0; s < n; s++)
    {
      const float *xs = x ? x + s * in : buf;
      if (xb != NULL)
        for (size_t i = 0; i < in; i++)
          buf[i] = nn_u8_to_float[xb[s * in + i]];
      pool_sample (l, xs, y + s * out, wk->idx ? wk->idx + s * out : NULL);
    }
  free (buf);
}

static void
pool_backward (const NnKernels *k, const NnLayer *l, const float *wt, const float *dy, int n,
               const float *mask, float *dx, const NnWork *wk)
{
  (void) k, (void) wt;
  size_t in = (size_t) l->in_c * l->in_h * l->in_w;
  size_t out = (size_t) l->out_c * l->out_h * l->out_w;
  for (int s = 0; s < n; s++)
    {
      float *d = dx + s * in;
      memset (d, 0, sizeof (float) * in);
      /* Windows do not overlap: each input gets at most one delta. */
      for (size_t o = 0; o < out; o++)
        d[wk->idx[s * out + o]] = dy[s * out + o];
      if (mask != NULL)
        for (size_t i = 0; i < in; i++)
          d[i] = mask[s * in + i] > 0.0f ? d[i] : 0.0f;
    }
}

static size_t
pool_prepared_size (const NnLayer *l)
{
  (void) l;
  return 0;
}

static void
pool_prepare (const NnLayer *l, const float *w, int r0, int r1, float *wt)
{
  (void) l, (void) w, (void) r0, (void) r1, (void) wt;
}

const NnLayerOps nn_conv_ops = { "conv", conv_forward, conv_backward, conv_prepared_size,
                                 conv_prepare, 1 };
const NnLayerOps nn_pool_ops = { "pool", pool_forward, pool_backward, pool_prepared_size,
                                 pool_prepare, 0 };

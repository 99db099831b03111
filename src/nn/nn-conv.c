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

#include <string.h>

/* One window row: size × c values starting at column x0 of source row sy
 * (sy, x0 may be outside the map: zeros there). */
static inline void
window_row (const float *src, int src_h, int src_w, int c, int sy, int x0, int size, float *dst)
{
  if (sy < 0 || sy >= src_h)
    {
      memset (dst, 0, sizeof (float) * size * c);
      return;
    }
  int a = x0 < 0 ? -x0 : 0;
  int b = x0 + size > src_w ? src_w - x0 : size;
  if (b < a)
    b = a;
  if (a > 0)
    memset (dst, 0, sizeof (float) * a * c);
  if (b > a)
    memcpy (dst + (size_t) a * c, src + ((size_t) sy * src_w + x0 + a) * c,
            sizeof (float) * (b - a) * c);
  if (b < size)
    memset (dst + (size_t) b * c, 0, sizeof (float) * (size - b) * c);
}

void
nn_im2col (const float *src, int src_h, int src_w, int c, int dst_h, int dst_w, int size,
           int pad_t, int pad_l, float *col)
{
  size_t row = (size_t) size * size * c;
  for (int y = 0; y < dst_h; y++)
    for (int x = 0; x < dst_w; x++)
      {
        float *dst = col + ((size_t) y * dst_w + x) * row;
        for (int ky = 0; ky < size; ky++)
          window_row (src, src_h, src_w, c, y - pad_t + ky, x - pad_l, size,
                      dst + (size_t) ky * size * c);
      }
}

void
nn_im2col_u8 (const uint8_t *src, int src_h, int src_w, int c, int dst_h, int dst_w, int size,
              int pad_t, int pad_l, float *col)
{
  size_t row = (size_t) size * size * c;
  for (int y = 0; y < dst_h; y++)
    for (int x = 0; x < dst_w; x++)
      {
        float *dst = col + ((size_t) y * dst_w + x) * row;
        for (int ky = 0; ky < size; ky++)
          {
            int sy = y - pad_t + ky;
            for (int kx = 0; kx < size; kx++)
              {
                int sx = x - pad_l + kx;
                float *d = dst + ((size_t) ky * size + kx) * c;
                if (sy < 0 || sy >= src_h || sx < 0 || sx >= src_w)
                  memset (d, 0, sizeof (float) * c);
                else
                  for (int ci = 0; ci < c; ci++)
                    d[ci] = nn_u8_to_float[src[((size_t) sy * src_w + sx) * c + ci]];
              }
          }
      }
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

static void
pool_forward (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
              const float *x, const uint8_t *xb, int n, int first, float *y, const NnWork *wk)
{
  (void) k, (void) w, (void) b, (void) first;
  int S = l->size, C = l->in_c, W = l->in_w;
  size_t in = (size_t) C * l->in_h * W, out = (size_t) C * l->out_h * l->out_w;
  float buf[NN_MAX_CHANNELS];
  for (int s = 0; s < n; s++)
    for (int oy = 0; oy < l->out_h; oy++)
      for (int ox = 0; ox < l->out_w; ox++)
        {
          size_t o = s * out + ((size_t) oy * l->out_w + ox) * C;
          float *yo = y + o;
          int *io = wk->idx ? wk->idx + o : NULL;
          for (int dy = 0; dy < S; dy++)
            for (int dx = 0; dx < S; dx++)
              {
                size_t at = ((size_t) (oy * S + dy) * W + (ox * S + dx)) * C;
                const float *xi = x ? x + s * in + at : buf;
                if (xb != NULL)
                  for (int c = 0; c < C; c++)
                    buf[c] = nn_u8_to_float[xb[s * in + at + c]];
                /* The first of equal maxima wins: strictly greater replaces. */
                for (int c = 0; c < C; c++)
                  if ((dy == 0 && dx == 0) || xi[c] > yo[c])
                    {
                      yo[c] = xi[c];
                      if (io != NULL)
                        io[c] = (int) (at + c);
                    }
              }
        }
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

/* nn-conv.c — 2-D convolution and max-pooling on channels-last maps.
 *
 * A convolution is a matrix product through the same cache-blocked kernels as dense
 * layers — so the reference, AVX2 and AVX-512 kernel sets (and their bias + ReLU
 * epilogue) serve convolutions too, with the same every-sum-in-order guarantee. Its rows
 * are output pixels, its steps the size×size×in_c window around each, in the order
 * (ky, kx, ci) of W's rows. The input is padded once into a map whose every window is
 * size rows of size·in_c contiguous floats, so an output row's windows for one filter
 * row ky are a strided view of one padded row: each output row is size products summed
 * in place, filter row by filter row — the order, and the bits, of one product over
 * im2col rows, without writing those rows out (nine times the input for a 3×3 filter:
 * more memory traffic than arithmetic, and a libc copy per window row).
 *
 * The input gradient is itself a convolution, done the same way: of the output's deltas,
 * padded by size - 1 - pad, with the filters flipped and their channels swapped (prepared
 * once per step), one sample at a time so its padded deltas stay in cache. The weight
 * gradient, Σ over every output pixel of window × delta row, is nn_layer_weight_grad: it
 * reads the padded maps the forward pass kept and the deltas laid out on the padded
 * map's width (nn_conv_widen); a windowed conv (below), its windows and compact deltas.
 * The trainer takes it one sample at a time and adds the samples' up in order. */
#include "nn-private.h"

#include <stdlib.h>
#include <string.h>

/* Filter rows shorter than this (size × in_c floats: a first layer on one channel) make
 * a product of a few steps per filter row, most of whose time goes to loading and
 * storing its outputs again. Such a conv writes out each pixel's whole window instead
 * (nine floats a pixel for 3×3 on one channel, as nine shifted copies of the input) and
 * multiplies once. */
#define WINDOWED_SEG 16

/* The map (rows of src_row floats) with its zero border, laid out so every window is
 * size rows of size·c contiguous floats: rows [-pad_t, dst_h - pad_t + size - 1), columns
 * likewise. */
static void
pad_map (const float *src, int src_h, int src_w, size_t src_row, int c, int ph, int pw,
         int pad_t, int pad_l, float *pad)
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
      memcpy (row + (size_t) a * c, src + (size_t) sy * src_row + (size_t) skip * c,
              sizeof (float) * (b - a) * c);
      memset (row + (size_t) b * c, 0, sizeof (float) * (pw - b) * c);
    }
}

/* ---- conv ---- */

/* One sample's input padded for its windows: (out_h + size - 1) × (out_w + size - 1)
 * pixels, from floats or (a first layer) bytes. */
static void
pad_input (const NnLayer *l, const float *x, const uint8_t *xb, float *pad)
{
  int K = l->size, C = l->in_c, ph = l->out_h + K - 1, pw = l->out_w + K - 1;
  if (x != NULL)
    {
      pad_map (x, l->in_h, l->in_w, (size_t) l->in_w * C, C, ph, pw, l->pad_t, l->pad_l, pad);
      return;
    }
  memset (pad, 0, sizeof (float) * ph * pw * C);
  for (int y = 0; y < l->in_h; y++)
    {
      int py = y + l->pad_t;
      if (py < 0 || py >= ph)
        continue;
      for (int xx = 0; xx < l->in_w; xx++)
        {
          int px = xx + l->pad_l;
          if (px < 0 || px >= pw)
            continue;
          for (int c = 0; c < C; c++)
            pad[((size_t) py * pw + px) * C + c]
              = nn_u8_to_float[xb[((size_t) y * l->in_w + xx) * C + c]];
        }
    }
}

int
nn_conv_windowed (const NnLayer *l)
{
  return l->kind == NN_LAYER_CONV && l->size * l->in_c < WINDOWED_SEG;
}

/* A windowed conv's sample: its padded input, then from it one plane per row of W (ky,
 * kx, ci): at each output pixel, the input that filter tap sees. With one channel each
 * plane row is a run of the padded row. */
static void
window_input (const NnLayer *l, const float *x, const uint8_t *xb, float *win)
{
  int K = l->size, C = l->in_c, OW = l->out_w, OH = l->out_h, pw = OW + K - 1;
  size_t pix = (size_t) OH * OW;
  float *pad = win + pix * l->fan_in;
  pad_input (l, x, xb, pad);
  for (int ky = 0; ky < K; ky++)
    for (int kx = 0; kx < K; kx++)
      for (int c = 0; c < C; c++)
        {
          float *plane = win + (size_t) ((ky * K + kx) * C + c) * pix;
          for (int oy = 0; oy < OH; oy++)
            {
              const float *src = pad + ((size_t) (oy + ky) * pw + kx) * C + c;
              float *dst = plane + (size_t) oy * OW;
              if (C == 1)
                memcpy (dst, src, sizeof (float) * OW);
              else
                for (int ox = 0; ox < OW; ox++)
                  dst[ox] = src[(size_t) ox * C];
            }
        }
}

static void
conv_forward (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
              const float *x, const uint8_t *xb, int n, int first, float *y, const NnWork *wk)
{
  (void) first;   /* zero inputs are not skipped: 3-step products leave nothing to gain */
  size_t in = (size_t) l->in_c * l->in_h * l->in_w;
  size_t out = (size_t) l->out_c * l->out_h * l->out_w;
  int K = l->size, C = l->in_c, CO = l->out_c, OW = l->out_w, pw = OW + K - 1;
  size_t pmap = nn_layer_col_len (l, 1), seg = (size_t) K * C;
  if (nn_conv_windowed (l))
    {
      /* One product a sample over every pixel's whole window: the same sum, in the same
       * order, as size products of seg steps each, without re-reading the outputs. */
      NnEpilogue ep = { .bias = b, .relu = l->relu };
      for (int s = 0; s < n; s++)
        {
          float *win = wk->col + s * pmap;
          window_input (l, x ? x + s * in : NULL, xb ? xb + s * in : NULL, win);
          k->gemm (l->out_h * OW, CO, l->fan_in, win, 1, (size_t) l->out_h * OW, w,
                   (size_t) CO, y + s * out, (size_t) CO, &ep, NULL);
        }
      return;
    }
  for (int s = 0; s < n; s++)
    {
      float *pad = wk->col + s * pmap;
      pad_input (l, x ? x + s * in : NULL, xb ? xb + s * in : NULL, pad);
      for (int oy = 0; oy < l->out_h; oy++)
        for (int ky = 0; ky < K; ky++)
          {
            NnEpilogue ep = { .accumulate = ky > 0 };
            if (ky == K - 1)
              ep.bias = b, ep.relu = l->relu;
            k->gemm (OW, CO, (int) seg, pad + (size_t) (oy + ky) * pw * C, (size_t) C, 1,
                     w + ky * seg * CO, (size_t) CO, y + s * out + (size_t) oy * OW * CO,
                     (size_t) CO, &ep, NULL);
          }
    }
}

void
nn_conv_widen (const NnLayer *l, const float *dy, int n, float *dyw)
{
  int OW = l->out_w, CO = l->out_c, pw = OW + l->size - 1;
  for (int s = 0; s < n; s++)
    for (int oy = 0; oy < l->out_h; oy++)
      {
        const float *from = dy + (((size_t) s * l->out_h + oy) * OW) * CO;
        float *to = dyw + (((size_t) s * l->out_h + oy) * pw) * CO;
        memcpy (to, from, sizeof (float) * OW * CO);
        memset (to + (size_t) OW * CO, 0, sizeof (float) * (pw - OW) * CO);
      }
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

/* The deltas of one sample padded by size - 1 - pad into wk->tmp; then each input row is
 * size products, one per filter row, straight from the padded rows (every window of a
 * row is a strided view of them: no im2col copy), summed in place in the order one
 * im2col product would take — the same bits — with the mask applied by the last. dy and
 * dx may be widened (wk->dy_row, wk->dx_row): then rows are that many floats apart, and
 * the end of each dx row past its pixels is zeroed. */
static void
conv_backward (const NnKernels *k, const NnLayer *l, const float *wt, const float *dy, int n,
               const float *mask, float *dx, const NnWork *wk)
{
  size_t in = (size_t) l->in_c * l->in_h * l->in_w;
  int K = l->size, H = l->in_h, W = l->in_w, C = l->in_c, CO = l->out_c;
  int ph = H + K - 1, pw = W + K - 1;
  size_t span = (size_t) K * CO;
  size_t dy_row = wk->dy_row ? (size_t) wk->dy_row : (size_t) l->out_w * CO;
  size_t dx_row = wk->dx_row ? (size_t) wk->dx_row : (size_t) W * C;
  for (int s = 0; s < n; s++)
    {
      pad_map (dy + s * l->out_h * dy_row, l->out_h, l->out_w, dy_row, CO, ph, pw,
               K - 1 - l->pad_t, K - 1 - l->pad_l, wk->tmp);
      for (int y = 0; y < H; y++)
        {
          float *row = dx + (s * (size_t) H + y) * dx_row;
          for (int ky = 0; ky < K; ky++)
            {
              NnEpilogue ep = { .accumulate = ky > 0, .ldm = (size_t) C };
              if (ky == K - 1 && mask != NULL)
                ep.mask = mask + s * in + (size_t) y * W * C;
              k->gemm (W, C, (int) span, wk->tmp + (size_t) (y + ky) * pw * CO, (size_t) CO, 1,
                       wt + (size_t) ky * span * C, (size_t) C, row, (size_t) C, &ep, NULL);
            }
          if (dx_row > (size_t) W * C)
            memset (row + (size_t) W * C, 0, sizeof (float) * (dx_row - (size_t) W * C));
        }
    }
}

/* ---- max-pool ---- */

static void
pool_forward (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
              const float *x, const uint8_t *xb, int n, int first, float *y, const NnWork *wk)
{
  (void) w, (void) b, (void) first;
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
      k->pool (l->in_h, l->in_w, l->in_c, l->size, l->out_h, l->out_w, xs, y + s * out,
               wk->idx ? wk->idx + s * out : NULL);
    }
  free (buf);
}

static void
pool_backward (const NnKernels *k, const NnLayer *l, const float *wt, const float *dy, int n,
               const float *mask, float *dx, const NnWork *wk)
{
  (void) wt;
  size_t in = (size_t) l->in_c * l->in_h * l->in_w;
  size_t out = (size_t) l->out_c * l->out_h * l->out_w;
  size_t dx_row = wk->dx_row ? (size_t) wk->dx_row : (size_t) l->in_w * l->in_c;
  for (int s = 0; s < n; s++)
    k->unpool (l->in_h, l->in_w, l->in_c, l->size, l->out_h, l->out_w, wk->idx + s * out,
               dy + s * out, mask ? mask + s * in : NULL, dx + s * l->in_h * dx_row, dx_row);
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
                                 conv_prepare };
const NnLayerOps nn_pool_ops = { "pool", pool_forward, pool_backward, pool_prepared_size,
                                 pool_prepare };

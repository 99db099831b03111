/* nn-kernels-avx512.c — the AVX-512 kernels: a register tile of 6 rows × up to 64
 * columns (four vectors), masked loads and stores for the edges. Compiled for any x86-64
 * (the target attribute is per function) and only called where cpuid says so. */
#include "nn-kernels-private.h"

#if NN_X86

#define T512 __attribute__ ((target ("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma") NN_UNCHECKED))

INLINE T512 void
tile512 (const int R, const int V, const int MODE, __mmask16 lm, int ns, const int *list,
         const void *a, size_t ars, size_t ass, const float *b, size_t ldb, float *c,
         size_t ldc, const NnEpilogue *ep, size_t i0, size_t j0)
{
  __m512 acc[8][4];
  const int from_c = ep != NULL && ep->accumulate;
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++)
      acc[r][v] = !from_c ? _mm512_setzero_ps ()
                  : _mm512_maskz_loadu_ps (v == V - 1 ? lm : (__mmask16) 0xFFFF,
                                           c + r * ldc + 16 * v);

  for (int t = 0; t < ns; t++)
    {
      size_t st = MODE != MODE_DENSE ? (size_t) list[t] : (size_t) t;
      const float *brow = b + st * ldb;
      __m512 bv[4];
#pragma GCC unroll 4
      for (int v = 0; v < V; v++)
        bv[v] = v == V - 1 ? _mm512_maskz_loadu_ps (lm, brow + 16 * v)
                           : _mm512_loadu_ps (brow + 16 * v);
#pragma GCC unroll 8
      for (int r = 0; r < R; r++)
        {
          float av = MODE == MODE_U8 ? nn_u8_to_float[((const uint8_t *) a)[r * ars + st * ass]]
                        : ((const float *) a)[r * ars + st * ass];
          __m512 ab = _mm512_set1_ps (av);
#pragma GCC unroll 4
          for (int v = 0; v < V; v++)
            acc[r][v] = _mm512_fmadd_ps (ab, bv[v], acc[r][v]);
        }
    }

  const __m512 zero = _mm512_setzero_ps ();
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < V; v++)
      {
        __mmask16 mk = v == V - 1 ? lm : (__mmask16) 0xFFFF;
        __m512 x = acc[r][v];
        size_t j = j0 + 16 * v;
        if (ep != NULL)
          {
            if (ep->bias != NULL)
              x = _mm512_add_ps (x, _mm512_maskz_loadu_ps (mk, ep->bias + j));
            if (ep->relu)
              x = _mm512_maskz_max_ps ((__mmask16) 0xFFFF, x, zero);
            if (ep->mask != NULL)
              {
                __m512 mv = _mm512_maskz_loadu_ps (mk, ep->mask + (i0 + r) * ep->ldm + j);
                x = _mm512_maskz_mov_ps (_mm512_cmp_ps_mask (mv, zero, _CMP_GT_OQ), x);
              }
          }
        _mm512_mask_storeu_ps (c + r * ldc + 16 * v, mk, x);
      }
}

#define TILE512_CASES(MODE_)                                                                  \
  switch (R * 8 + V)                                                                          \
    {                                                                                         \
    case 1 * 8 + 1: tile512 (1, 1, MODE_, TILE_ARGS); break;                                    \
    case 1 * 8 + 2: tile512 (1, 2, MODE_, TILE_ARGS); break;                                    \
    case 1 * 8 + 3: tile512 (1, 3, MODE_, TILE_ARGS); break;                                    \
    case 1 * 8 + 4: tile512 (1, 4, MODE_, TILE_ARGS); break;                                    \
    case 2 * 8 + 1: tile512 (2, 1, MODE_, TILE_ARGS); break;                                    \
    case 2 * 8 + 2: tile512 (2, 2, MODE_, TILE_ARGS); break;                                    \
    case 2 * 8 + 3: tile512 (2, 3, MODE_, TILE_ARGS); break;                                    \
    case 2 * 8 + 4: tile512 (2, 4, MODE_, TILE_ARGS); break;                                    \
    case 3 * 8 + 1: tile512 (3, 1, MODE_, TILE_ARGS); break;                                    \
    case 3 * 8 + 2: tile512 (3, 2, MODE_, TILE_ARGS); break;                                    \
    case 3 * 8 + 3: tile512 (3, 3, MODE_, TILE_ARGS); break;                                    \
    case 3 * 8 + 4: tile512 (3, 4, MODE_, TILE_ARGS); break;                                    \
    case 4 * 8 + 1: tile512 (4, 1, MODE_, TILE_ARGS); break;                                    \
    case 4 * 8 + 2: tile512 (4, 2, MODE_, TILE_ARGS); break;                                    \
    case 4 * 8 + 3: tile512 (4, 3, MODE_, TILE_ARGS); break;                                    \
    case 4 * 8 + 4: tile512 (4, 4, MODE_, TILE_ARGS); break;                                    \
    case 5 * 8 + 1: tile512 (5, 1, MODE_, TILE_ARGS); break;                                    \
    case 5 * 8 + 2: tile512 (5, 2, MODE_, TILE_ARGS); break;                                    \
    case 5 * 8 + 3: tile512 (5, 3, MODE_, TILE_ARGS); break;                                    \
    case 5 * 8 + 4: tile512 (5, 4, MODE_, TILE_ARGS); break;                                    \
    case 6 * 8 + 1: tile512 (6, 1, MODE_, TILE_ARGS); break;                                    \
    case 6 * 8 + 2: tile512 (6, 2, MODE_, TILE_ARGS); break;                                    \
    case 6 * 8 + 3: tile512 (6, 3, MODE_, TILE_ARGS); break;                                    \
    case 7 * 8 + 1: tile512 (7, 1, MODE_, TILE_ARGS); break;                                    \
    case 8 * 8 + 1: tile512 (8, 1, MODE_, TILE_ARGS); break;                                    \
    default: tile512 (6, 4, MODE_, TILE_ARGS); break;                                           \
    }

#define TILE_ARGS lm, ns, list, ap, ars, ass, b + j0, ldb, c + i0 * ldc + j0, ldc, ep, i0, j0

static T512 void
gemm_avx512 (int m, int n, int s, const float *a, size_t ars, size_t ass, const float *b,
             size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  (void) scratch;
  const int *list = NULL;
  int ns = s;
  /* One vector of columns: up to 8 rows a tile, the rows shared evenly among the tiles,
   * so each tile has enough sums in flight to cover the FMA's latency. */
  int tiles = n <= 16 ? (m + 7) / 8 : (m + 5) / 6;
  for (int t = 0; t < tiles; t++)
    {
      size_t i0 = (size_t) m * t / tiles;
      int R = (int) ((size_t) m * (t + 1) / tiles - i0);
      const float *ap = a + i0 * ars;
      for (size_t j0 = 0; j0 < (size_t) n; j0 += 64)
        {
          int w = n - (int) j0 < 64 ? n - (int) j0 : 64;
          int V = (w + 15) / 16;
          __mmask16 lm = w % 16 ? (__mmask16) ((1u << (w % 16)) - 1) : (__mmask16) 0xFFFF;
          TILE512_CASES (MODE_DENSE)
        }
    }
}

static T512 int
list_nonzero_avx512 (int r, int s, const uint8_t *a, size_t ars, size_t ass, int before,
                   int after, int *list)
{
  if (ass != 1)
    return list_nonzero_strided (r, s, a, ars, ass, before, after, list);
  int cnt = 0;
  for (int s0 = 0; s0 < s; s0 += 64)
    {
      int w = s - s0 < 64 ? s - s0 : 64;
      __mmask64 lm = w == 64 ? ~(__mmask64) 0 : (((__mmask64) 1 << w) - 1);
      __m512i v = _mm512_maskz_loadu_epi8 (lm, a + s0);
      for (int i = 1; i < r; i++)
        v = _mm512_or_si512 (v, _mm512_maskz_loadu_epi8 (lm, a + i * ars + s0));
      uint64_t nz = _mm512_test_epi8_mask (v, v);
      while (nz != 0)
        {
          list[cnt++] = s0 + __builtin_ctzll (nz);
          nz &= nz - 1;
        }
    }
  return cnt;
}

static T512 int
list_nonzero_f32_avx512 (int r, int s, const float *a, size_t ars, size_t ass, int *list)
{
  if (ass != 1)
    return list_nonzero_f32_scalar (r, s, a, ars, ass, 0, list, 0);
  const __m512 zero = _mm512_setzero_ps ();
  int cnt = 0;
  for (int s0 = 0; s0 < s; s0 += 16)
    {
      int w = s - s0 < 16 ? s - s0 : 16;
      __mmask16 lm = w == 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << w) - 1);
      __mmask16 nz = 0;
      /* NaN counts as non-zero, so it still spreads as it would in a dense sum. */
      for (int i = 0; i < r; i++)
        nz |= _mm512_cmp_ps_mask (_mm512_maskz_loadu_ps (lm, a + i * ars + s0), zero,
                                  _CMP_NEQ_UQ);
      nz &= lm;
      while (nz != 0)
        {
          list[cnt++] = s0 + __builtin_ctz (nz);
          nz &= nz - 1;
        }
    }
  return cnt;
}

/* Two 3-row tiles instead of one of 6 when the rows' non-zero inputs
 * overlap little, as in digits: fewer steps outweigh the smaller tile's
 * lower FMA rate (measured ~0.85 of the 6-row tile's). */
static T512 int
halves_pay_avx512 (int mode, int s, const void *a, size_t ars)
{
  int c6 = 0, c3 = 0;
  if (mode == MODE_U8)
    {
      const uint8_t *b = a;
      for (int s0 = 0; s0 < s; s0 += 64)
        {
          int w = s - s0 < 64 ? s - s0 : 64;
          __mmask64 lm = w == 64 ? ~(__mmask64) 0 : (((__mmask64) 1 << w) - 1);
          __m512i u = _mm512_maskz_loadu_epi8 (lm, b + s0);
          u = _mm512_or_si512 (u, _mm512_maskz_loadu_epi8 (lm, b + ars + s0));
          u = _mm512_or_si512 (u, _mm512_maskz_loadu_epi8 (lm, b + 2 * ars + s0));
          __m512i v = _mm512_maskz_loadu_epi8 (lm, b + 3 * ars + s0);
          v = _mm512_or_si512 (v, _mm512_maskz_loadu_epi8 (lm, b + 4 * ars + s0));
          v = _mm512_or_si512 (v, _mm512_maskz_loadu_epi8 (lm, b + 5 * ars + s0));
          uint64_t mu = _mm512_test_epi8_mask (u, u), mv = _mm512_test_epi8_mask (v, v);
          c3 += __builtin_popcountll (mu) + __builtin_popcountll (mv);
          c6 += __builtin_popcountll (mu | mv);
        }
    }
  else
    {
      const float *f = a;
      const __m512 zero = _mm512_setzero_ps ();
      for (int s0 = 0; s0 < s; s0 += 16)
        {
          int w = s - s0 < 16 ? s - s0 : 16;
          __mmask16 lm = w == 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << w) - 1);
          unsigned mk[6];
          for (int i = 0; i < 6; i++)
            mk[i] = _mm512_cmp_ps_mask (_mm512_maskz_loadu_ps (lm, f + i * ars + s0), zero,
                                        _CMP_NEQ_UQ) & lm;
          unsigned mu = mk[0] | mk[1] | mk[2], mv = mk[3] | mk[4] | mk[5];
          c3 += __builtin_popcount (mu) + __builtin_popcount (mv);
          c6 += __builtin_popcount (mu | mv);
        }
    }
  return 10 * c3 < 17 * c6;
}

#undef TILE_ARGS
#define TILE_ARGS lm, ns, list, ap, ars, ass, b + j0, ldb, c + ti * ldc + j0, ldc, ep, ti, j0

INLINE T512 void
gemm_sparse_avx512_any (const int mode, int m, int n, int s, const void *a, size_t ars,
                        size_t ass, const float *b, size_t ldb, float *c, size_t ldc,
                        const NnEpilogue *ep, int *scratch)
{
  const size_t es = mode == MODE_U8 ? 1 : sizeof (float);
  int *list = scratch;
  for (size_t i0 = 0; i0 < (size_t) m; i0 += 6)
    {
      int R = m - (int) i0 < 6 ? m - (int) i0 : 6;
      const char *a0 = (const char *) a + i0 * ars * es;
      int parts = R == 6 && ass == 1 && halves_pay_avx512 (mode, s, a0, ars) ? 2 : 1;
      R /= parts;
      for (int h = 0; h < parts; h++)
        {
          size_t ti = i0 + (size_t) h * R;
          const void *ap = (const char *) a + ti * ars * es;
          int ns = mode == MODE_U8
                     ? list_nonzero_avx512 (R, s, ap, ars, ass, (int) ti, m - (int) ti, list)
                     : list_nonzero_f32_avx512 (R, s, ap, ars, ass, list);
          for (size_t j0 = 0; j0 < (size_t) n; j0 += 64)
            {
              int w = n - (int) j0 < 64 ? n - (int) j0 : 64;
              int V = (w + 15) / 16;
              __mmask16 lm = w % 16 ? (__mmask16) ((1u << (w % 16)) - 1) : (__mmask16) 0xFFFF;
              TILE512_CASES (mode)
            }
        }
    }
}

static T512 void
gemm_u8_avx512 (int m, int n, int s, const uint8_t *a, size_t ars, size_t ass, const float *b,
                size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  gemm_sparse_avx512_any (MODE_U8, m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);
}

static T512 void
gemm_sparse_avx512 (int m, int n, int s, const float *a, size_t ars, size_t ass, const float *b,
                    size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  gemm_sparse_avx512_any (MODE_SPARSE, m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);
}

#undef TILE_ARGS

/* GCC 12's _mm512_sqrt_ps trips -Wmaybe-uninitialized on its own filler. */
INLINE T512 __m512
sqrt512 (__m512 x)
{
  return _mm512_maskz_sqrt_ps ((__mmask16) 0xFFFF, x);
}

static T512 void
opt_update_avx512 (const NnOptStep *st, float *w, const float *g, float *m, float *v, size_t n,
                   int is_weight)
{
  OPT_UPDATE_BODY (__m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_add_ps,
                   _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps, sqrt512)
}

/* Pooling 16 channels at a time: the compares of the reference, as lane masks. */
static T512 void
pool_avx512 (int h, int w, int c, int s, int oh, int ow, const float *x, float *y, int *idx)
{
  if (c % 16 != 0)
    {
      nn_pool_ref (h, w, c, s, oh, ow, x, y, idx);
      return;
    }
  const __m512i iota = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      for (int k = 0; k < c; k += 16)
        {
          size_t o = ((size_t) oy * ow + ox) * c + k;
          size_t at0 = ((size_t) (oy * s) * w + ox * s) * c + k;
          __m512 m = _mm512_loadu_ps (x + at0);
          __m512i id = _mm512_add_epi32 (_mm512_set1_epi32 ((int) at0), iota);
          for (int dy = 0; dy < s; dy++)
            for (int dx = (dy == 0); dx < s; dx++)
              {
                size_t at = ((size_t) (oy * s + dy) * w + (ox * s + dx)) * c + k;
                __m512 v = _mm512_loadu_ps (x + at);
                __mmask16 gt = _mm512_cmp_ps_mask (v, m, _CMP_GT_OQ);
                m = _mm512_mask_mov_ps (m, gt, v);
                id = _mm512_mask_mov_epi32 (id, gt,
                                            _mm512_add_epi32 (_mm512_set1_epi32 ((int) at), iota));
              }
          _mm512_storeu_ps (y + o, m);
          if (idx != NULL)
            _mm512_storeu_si512 (idx + o, id);
        }
}

/* Each input of a window written once: dy where it is the window's maximum. */
static T512 void
unpool_avx512 (int h, int w, int c, int s, int oh, int ow, const int *idx, const float *dy,
               const float *mask, float *dx, size_t ldx)
{
  if (c % 16 != 0)
    {
      nn_unpool_ref (h, w, c, s, oh, ow, idx, dy, mask, dx, ldx);
      return;
    }
  const __m512i iota = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512 zero = _mm512_setzero_ps ();
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      for (int k = 0; k < c; k += 16)
        {
          size_t o = ((size_t) oy * ow + ox) * c + k;
          __m512i id = _mm512_loadu_si512 (idx + o);
          __m512 d = _mm512_loadu_ps (dy + o);
          for (int wy = 0; wy < s; wy++)
            for (int wx = 0; wx < s; wx++)
              {
                size_t at = ((size_t) (oy * s + wy) * w + (ox * s + wx)) * c + k;
                size_t to = (size_t) (oy * s + wy) * ldx + (size_t) (ox * s + wx) * c + k;
                __mmask16 hit = _mm512_cmpeq_epi32_mask (
                  id, _mm512_add_epi32 (_mm512_set1_epi32 ((int) at), iota));
                if (mask != NULL)
                  hit &= _mm512_cmp_ps_mask (_mm512_loadu_ps (mask + at), zero, _CMP_GT_OQ);
                _mm512_storeu_ps (dx + to, _mm512_maskz_mov_ps (hit, d));
              }
        }
  unpool_edges (h, c, s, oh, ow, dx, ldx);
}

const NnKernels nn_kernels_avx512_set = { "avx512", gemm_avx512, gemm_u8_avx512,
                                          gemm_sparse_avx512, opt_update_avx512,
                                          pool_avx512, unpool_avx512 };

#endif /* NN_X86 */

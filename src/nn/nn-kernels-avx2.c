/* nn-kernels-avx2.c — the AVX2 + FMA kernels: a register tile of 6 rows × up to 16
 * columns (two vectors), lane masks for the edges. Compiled for any x86-64 (the target
 * attribute is per function) and only called where cpuid says so. */
#include "nn-kernels-private.h"

#if NN_X86

#define T256 __attribute__ ((target ("avx2,fma") NN_UNCHECKED))

INLINE T256 __m256i
lane_mask256 (int w)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 (w), _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}

INLINE T256 void
tile256 (const int R, const int V, const int MODE, const int FULL, __m256i lm, int ns,
         const int *list,
         const void *a, size_t ars, size_t ass, const float *b, size_t ldb, float *c,
         size_t ldc, const NnEpilogue *ep, size_t i0, size_t j0)
{
  __m256 acc[6][2];
  const int from_c = ep != NULL && ep->accumulate;
#pragma GCC unroll 6
  for (int r = 0; r < R; r++)
#pragma GCC unroll 2
    for (int v = 0; v < V; v++)
      acc[r][v] = !from_c ? _mm256_setzero_ps ()
                  : v == V - 1 && !FULL ? _mm256_maskload_ps (c + r * ldc + 8 * v, lm)
                                        : _mm256_loadu_ps (c + r * ldc + 8 * v);

  for (int t = 0; t < ns; t++)
    {
      size_t st = MODE != MODE_DENSE ? (size_t) list[t] : (size_t) t;
      const float *brow = b + st * ldb;
      __m256 bv[2];
#pragma GCC unroll 2
      for (int v = 0; v < V; v++)
        bv[v] = v == V - 1 && !FULL ? _mm256_maskload_ps (brow + 8 * v, lm)
                                    : _mm256_loadu_ps (brow + 8 * v);
#pragma GCC unroll 6
      for (int r = 0; r < R; r++)
        {
          float av = MODE == MODE_U8 ? nn_u8_to_float[((const uint8_t *) a)[r * ars + st * ass]]
                        : ((const float *) a)[r * ars + st * ass];
          __m256 ab = _mm256_set1_ps (av);
#pragma GCC unroll 2
          for (int v = 0; v < V; v++)
            acc[r][v] = _mm256_fmadd_ps (ab, bv[v], acc[r][v]);
        }
    }

  const __m256 zero = _mm256_setzero_ps ();
#pragma GCC unroll 6
  for (int r = 0; r < R; r++)
#pragma GCC unroll 2
    for (int v = 0; v < V; v++)
      {
        /* Masked moves are slow on some CPUs: only the ragged last vector uses them. */
        int part = v == V - 1 && !FULL;
        __m256 x = acc[r][v];
        size_t j = j0 + 8 * v;
        if (ep != NULL)
          {
            if (ep->bias != NULL)
              x = _mm256_add_ps (x, part ? _mm256_maskload_ps (ep->bias + j, lm)
                                         : _mm256_loadu_ps (ep->bias + j));
            if (ep->relu)
              x = _mm256_max_ps (x, zero);
            if (ep->mask != NULL)
              {
                const float *mp = ep->mask + (i0 + r) * ep->ldm + j;
                __m256 mv = part ? _mm256_maskload_ps (mp, lm) : _mm256_loadu_ps (mp);
                x = _mm256_and_ps (x, _mm256_cmp_ps (mv, zero, _CMP_GT_OQ));
              }
          }
        if (part)
          _mm256_maskstore_ps (c + r * ldc + 8 * v, lm, x);
        else
          _mm256_storeu_ps (c + r * ldc + 8 * v, x);
      }
}

#define TILE256_CASES(MODE_)                                                                  \
  switch ((R * 4 + V) * 2 + full)                                                             \
    {                                                                                         \
    case (1 * 4 + 1) * 2 + 0: tile256 (1, 1, MODE_, 0, TILE_ARGS); break;                       \
    case (1 * 4 + 1) * 2 + 1: tile256 (1, 1, MODE_, 1, TILE_ARGS); break;                       \
    case (1 * 4 + 2) * 2 + 0: tile256 (1, 2, MODE_, 0, TILE_ARGS); break;                       \
    case (1 * 4 + 2) * 2 + 1: tile256 (1, 2, MODE_, 1, TILE_ARGS); break;                       \
    case (2 * 4 + 1) * 2 + 0: tile256 (2, 1, MODE_, 0, TILE_ARGS); break;                       \
    case (2 * 4 + 1) * 2 + 1: tile256 (2, 1, MODE_, 1, TILE_ARGS); break;                       \
    case (2 * 4 + 2) * 2 + 0: tile256 (2, 2, MODE_, 0, TILE_ARGS); break;                       \
    case (2 * 4 + 2) * 2 + 1: tile256 (2, 2, MODE_, 1, TILE_ARGS); break;                       \
    case (3 * 4 + 1) * 2 + 0: tile256 (3, 1, MODE_, 0, TILE_ARGS); break;                       \
    case (3 * 4 + 1) * 2 + 1: tile256 (3, 1, MODE_, 1, TILE_ARGS); break;                       \
    case (3 * 4 + 2) * 2 + 0: tile256 (3, 2, MODE_, 0, TILE_ARGS); break;                       \
    case (3 * 4 + 2) * 2 + 1: tile256 (3, 2, MODE_, 1, TILE_ARGS); break;                       \
    case (4 * 4 + 1) * 2 + 0: tile256 (4, 1, MODE_, 0, TILE_ARGS); break;                       \
    case (4 * 4 + 1) * 2 + 1: tile256 (4, 1, MODE_, 1, TILE_ARGS); break;                       \
    case (4 * 4 + 2) * 2 + 0: tile256 (4, 2, MODE_, 0, TILE_ARGS); break;                       \
    case (4 * 4 + 2) * 2 + 1: tile256 (4, 2, MODE_, 1, TILE_ARGS); break;                       \
    case (5 * 4 + 1) * 2 + 0: tile256 (5, 1, MODE_, 0, TILE_ARGS); break;                       \
    case (5 * 4 + 1) * 2 + 1: tile256 (5, 1, MODE_, 1, TILE_ARGS); break;                       \
    case (5 * 4 + 2) * 2 + 0: tile256 (5, 2, MODE_, 0, TILE_ARGS); break;                       \
    case (5 * 4 + 2) * 2 + 1: tile256 (5, 2, MODE_, 1, TILE_ARGS); break;                       \
    case (6 * 4 + 1) * 2 + 0: tile256 (6, 1, MODE_, 0, TILE_ARGS); break;                       \
    case (6 * 4 + 1) * 2 + 1: tile256 (6, 1, MODE_, 1, TILE_ARGS); break;                       \
    case (6 * 4 + 2) * 2 + 0: tile256 (6, 2, MODE_, 0, TILE_ARGS); break;                       \
    default: tile256 (6, 2, MODE_, 1, TILE_ARGS); break;                                        \
    }

#define TILE_ARGS lm, ns, list, ap, ars, ass, b + j0, ldb, c + i0 * ldc + j0, ldc, ep, i0, j0

static T256 void
gemm_avx2 (int m, int n, int s, const float *a, size_t ars, size_t ass, const float *b,
           size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  (void) scratch;
  const int *list = NULL;
  int ns = s;
  /* The rows shared evenly among the tiles: a short last tile has too few sums in
   * flight to cover the FMA's latency (14 rows: 5, 5, 4, not 6, 6, 2). */
  int tiles = (m + 5) / 6;
  for (int t = 0; t < tiles; t++)
    {
      size_t i0 = (size_t) m * t / tiles;
      int R = (int) ((size_t) m * (t + 1) / tiles - i0);
      const float *ap = a + i0 * ars;
      for (size_t j0 = 0; j0 < (size_t) n; j0 += 16)
        {
          int w = n - (int) j0 < 16 ? n - (int) j0 : 16;
          int V = (w + 7) / 8;
          __m256i lm = lane_mask256 (w % 8 ? w % 8 : 8);
          int full = w % 8 == 0;
          TILE256_CASES (MODE_DENSE)
        }
    }
}

static T256 int
list_nonzero_avx2 (int r, int s, const uint8_t *a, size_t ars, size_t ass, int before,
                   int after, int *list)
{
  if (ass != 1)
    return list_nonzero_strided (r, s, a, ars, ass, before, after, list);
  int cnt = 0, s0 = 0;
  for (; s0 + 32 <= s; s0 += 32)
    {
      __m256i v = _mm256_loadu_si256 ((const __m256i *) (a + s0));
      for (int i = 1; i < r; i++)
        v = _mm256_or_si256 (v, _mm256_loadu_si256 ((const __m256i *) (a + i * ars + s0)));
      __m256i zero = _mm256_cmpeq_epi8 (v, _mm256_setzero_si256 ());
      uint32_t nz = ~(uint32_t) _mm256_movemask_epi8 (zero);
      while (nz != 0)
        {
          list[cnt++] = s0 + __builtin_ctz (nz);
          nz &= nz - 1;
        }
    }
  return list_nonzero_scalar (r, s, a, ars, ass, s0, list, cnt);
}

static T256 int
list_nonzero_f32_avx2 (int r, int s, const float *a, size_t ars, size_t ass, int *list)
{
  if (ass != 1)
    return list_nonzero_f32_scalar (r, s, a, ars, ass, 0, list, 0);
  const __m256 zero = _mm256_setzero_ps ();
  int cnt = 0, s0 = 0;
  for (; s0 + 8 <= s; s0 += 8)
    {
      unsigned nz = 0;
      for (int i = 0; i < r; i++)
        nz |= (unsigned) _mm256_movemask_ps (
          _mm256_cmp_ps (_mm256_loadu_ps (a + i * ars + s0), zero, _CMP_NEQ_UQ));
      while (nz != 0)
        {
          list[cnt++] = s0 + __builtin_ctz (nz);
          nz &= nz - 1;
        }
    }
  return list_nonzero_f32_scalar (r, s, a, ars, ass, s0, list, cnt);
}

INLINE T256 void
gemm_sparse_avx2_any (const int mode, int m, int n, int s, const void *a, size_t ars,
                      size_t ass, const float *b, size_t ldb, float *c, size_t ldc,
                      const NnEpilogue *ep, int *scratch)
{
  const size_t es = mode == MODE_U8 ? 1 : sizeof (float);
  int *list = scratch;
  for (size_t i0 = 0; i0 < (size_t) m; i0 += 6)
    {
      int R = m - (int) i0 < 6 ? m - (int) i0 : 6;
      const void *ap = (const char *) a + i0 * ars * es;
      int ns = mode == MODE_U8
                 ? list_nonzero_avx2 (R, s, ap, ars, ass, (int) i0, m - (int) i0, list)
                 : list_nonzero_f32_avx2 (R, s, ap, ars, ass, list);
      for (size_t j0 = 0; j0 < (size_t) n; j0 += 16)
        {
          int w = n - (int) j0 < 16 ? n - (int) j0 : 16;
          int V = (w + 7) / 8;
          __m256i lm = lane_mask256 (w % 8 ? w % 8 : 8);
          int full = w % 8 == 0;
          TILE256_CASES (mode)
        }
    }
}

static T256 void
gemm_u8_avx2 (int m, int n, int s, const uint8_t *a, size_t ars, size_t ass, const float *b,
              size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  gemm_sparse_avx2_any (MODE_U8, m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);
}

static T256 void
gemm_sparse_avx2 (int m, int n, int s, const float *a, size_t ars, size_t ass, const float *b,
                  size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  gemm_sparse_avx2_any (MODE_SPARSE, m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);
}

#undef TILE_ARGS

static T256 void
opt_update_avx2 (const NnOptStep *st, float *w, const float *g, float *m, float *v, size_t n,
                 int is_weight)
{
  OPT_UPDATE_BODY (__m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_add_ps,
                   _mm256_sub_ps, _mm256_mul_ps, _mm256_div_ps, _mm256_sqrt_ps)
}

/* Pooling 8 channels at a time: the compares of the reference, as lane masks. */
static T256 void
pool_avx2 (int h, int w, int c, int s, int oh, int ow, const float *x, float *y, int *idx)
{
  if (c % 8 != 0)
    {
      nn_pool_ref (h, w, c, s, oh, ow, x, y, idx);
      return;
    }
  const __m256i iota = _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7);
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      for (int k = 0; k < c; k += 8)
        {
          size_t o = ((size_t) oy * ow + ox) * c + k;
          size_t at0 = ((size_t) (oy * s) * w + ox * s) * c + k;
          __m256 m = _mm256_loadu_ps (x + at0);
          __m256i id = _mm256_add_epi32 (_mm256_set1_epi32 ((int) at0), iota);
          for (int dy = 0; dy < s; dy++)
            for (int dx = (dy == 0); dx < s; dx++)
              {
                size_t at = ((size_t) (oy * s + dy) * w + (ox * s + dx)) * c + k;
                __m256 v = _mm256_loadu_ps (x + at);
                __m256 gt = _mm256_cmp_ps (v, m, _CMP_GT_OQ);
                m = _mm256_blendv_ps (m, v, gt);
                id = _mm256_blendv_epi8 (id, _mm256_add_epi32 (_mm256_set1_epi32 ((int) at), iota),
                                         _mm256_castps_si256 (gt));
              }
          _mm256_storeu_ps (y + o, m);
          if (idx != NULL)
            _mm256_storeu_si256 ((__m256i *) (idx + o), id);
        }
}

/* Each input of a window written once: dy where it is the window's maximum. */
static T256 void
unpool_avx2 (int h, int w, int c, int s, int oh, int ow, const int *idx, const float *dy,
             const float *mask, float *dx, size_t ldx)
{
  if (c % 8 != 0)
    {
      nn_unpool_ref (h, w, c, s, oh, ow, idx, dy, mask, dx, ldx);
      return;
    }
  const __m256i iota = _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 zero = _mm256_setzero_ps ();
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      for (int k = 0; k < c; k += 8)
        {
          size_t o = ((size_t) oy * ow + ox) * c + k;
          __m256i id = _mm256_loadu_si256 ((const __m256i *) (idx + o));
          __m256 d = _mm256_loadu_ps (dy + o);
          for (int wy = 0; wy < s; wy++)
            for (int wx = 0; wx < s; wx++)
              {
                size_t at = ((size_t) (oy * s + wy) * w + (ox * s + wx)) * c + k;
                size_t to = (size_t) (oy * s + wy) * ldx + (size_t) (ox * s + wx) * c + k;
                __m256 hit = _mm256_castsi256_ps (
                  _mm256_cmpeq_epi32 (id, _mm256_add_epi32 (_mm256_set1_epi32 ((int) at), iota)));
                if (mask != NULL)
                  hit = _mm256_and_ps (hit, _mm256_cmp_ps (_mm256_loadu_ps (mask + at), zero,
                                                           _CMP_GT_OQ));
                _mm256_storeu_ps (dx + to, _mm256_and_ps (hit, d));
              }
        }
  unpool_edges (h, c, s, oh, ow, dx, ldx);
}

const NnKernels nn_kernels_avx2_set = { "avx2", gemm_avx2, gemm_u8_avx2, gemm_sparse_avx2,
                                        opt_update_avx2, pool_avx2, unpool_avx2 };

#endif /* NN_X86 */

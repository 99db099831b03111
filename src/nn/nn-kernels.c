/* nn-kernels.c — the matrix products under every layer: a plain C reference
 * and AVX2/FMA and AVX-512 versions picked at run time by cpuid, so one
 * binary runs on any x86-64.
 *
 * The fast kernels broadcast one element of A and multiply it with a row of
 * B held in vector registers (B's rows are contiguous in both uses: weights
 * W[in][out] forward and deltas dY[batch][out] for weight gradients), over a
 * register tile of 6 rows × up to 64 (AVX-512) or 16 (AVX2) columns. Each
 * output's sum runs over s in order with one FMA per term, so the tile shape
 * never changes the bits, and bias, ReLU and the ReLU-backward mask are
 * applied while the tile is still in registers.
 *
 * Digits are ~80% zero pixels, so the input layer's kernels (bytes, or
 * floats through gemm_sparse) first list the steps where some row of the
 * tile is non-zero and sum over those only. That is exact: the skipped
 * terms are ±0 added to a sum that starts at +0, which leaves it unchanged
 * unless the sum is -0, possible only after a product underflows (|x·w| <
 * 1e-45, which inputs of 1/255 and weights of this scale never produce). */
#include "nn-private.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define NN_X86 1
#include <immintrin.h>
#else
#define NN_X86 0
#endif

/* Under AddressSanitizer the fast kernels are not instrumented access by access: their
 * 32- and 64-byte and masked loads each become a call that walks shadow memory, which made
 * a convolutional network ~150 times slower than plain (most of the sanitizer tests' time)
 * and the file itself take minutes to compile. Instead each call's operands are checked as
 * whole spans on entry (kernels_checked below): every byte the kernel's contract lets it
 * touch must be addressable, and the first one that is not is reported by ASan as the
 * read or write it would be. The reference kernels stay instrumented access by access, and
 * the tests hold the fast ones to them on odd shapes. ThreadSanitizer still sees every
 * access (its build does not set this). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(NN_ASAN)
#define NN_ASAN 1
#endif
#ifdef NN_ASAN
#include <sanitizer/asan_interface.h>
#ifdef __clang__
#define NN_UNCHECKED , no_sanitize ("address", "undefined", "coverage")
#else
#define NN_UNCHECKED , no_sanitize ("address", "undefined")
#endif
#else
#define NN_UNCHECKED
#endif

#define U8F(i) ((float) (i) / 255.0f)
#define U8F4(i) U8F (i), U8F ((i) + 1), U8F ((i) + 2), U8F ((i) + 3)
#define U8F16(i) U8F4 (i), U8F4 ((i) + 4), U8F4 ((i) + 8), U8F4 ((i) + 12)
#define U8F64(i) U8F16 (i), U8F16 ((i) + 16), U8F16 ((i) + 32), U8F16 ((i) + 48)

/* Folded by the compiler with the same rounding as a run-time division. */
const float nn_u8_to_float[256] = { U8F64 (0), U8F64 (64), U8F64 (128), U8F64 (192) };

/* ---- reference ---- */

static inline float
epilogue_ref (float x, const NnEpilogue *ep, size_t i, size_t j)
{
  if (ep == NULL)
    return x;
  if (ep->bias != NULL)
    x += ep->bias[j];
  if (ep->relu)
    x = x > 0.0f ? x : 0.0f;
  if (ep->mask != NULL)
    x = ep->mask[i * ep->ldm + j] > 0.0f ? x : 0.0f;
  return x;
}

static void
gemm_ref (int m, int n, int s, const float *a, size_t ars, size_t ass, const float *b,
          size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  (void) scratch;
  for (int i = 0; i < m; i++)
    {
      float *crow = c + (size_t) i * ldc;
      if (ep == NULL || !ep->accumulate)
        for (int j = 0; j < n; j++)
          crow[j] = 0.0f;
      for (int t = 0; t < s; t++)
        {
          float av = a[i * ars + t * ass];
          const float *brow = b + (size_t) t * ldb;
          for (int j = 0; j < n; j++)
            crow[j] += av * brow[j];
        }
      for (int j = 0; j < n; j++)
        crow[j] = epilogue_ref (crow[j], ep, i, j);
    }
}

static void
gemm_u8_ref (int m, int n, int s, const uint8_t *a, size_t ars, size_t ass, const float *b,
             size_t ldb, float *c, size_t ldc, const NnEpilogue *ep, int *scratch)
{
  (void) scratch;
  for (int i = 0; i < m; i++)
    {
      float *crow = c + (size_t) i * ldc;
      if (ep == NULL || !ep->accumulate)
        for (int j = 0; j < n; j++)
          crow[j] = 0.0f;
      for (int t = 0; t < s; t++)
        {
          float av = (float) a[i * ars + t * ass] / 255.0f;
          const float *brow = b + (size_t) t * ldb;
          for (int j = 0; j < n; j++)
            crow[j] += av * brow[j];
        }
      for (int j = 0; j < n; j++)
        crow[j] = epilogue_ref (crow[j], ep, i, j);
    }
}

static const NnKernels kernels_ref = { "reference", gemm_ref, gemm_u8_ref, gemm_ref,
                                       nn_opt_update };

/* Steps s where any of the r rows of a tile has a non-zero byte. Branch-free
 * so the random zero pattern of digits costs no mispredictions. */
static inline int
list_nonzero_scalar (int r, int s, const uint8_t *a, size_t ars, size_t ass, int s0, int *list,
                     int cnt)
{
  for (int t = s0; t < s; t++)
    {
      unsigned nz = 0;
      for (int i = 0; i < r; i++)
        nz |= a[i * ars + t * ass];
      list[cnt] = t;
      cnt += nz != 0;
    }
  return cnt;
}

/* The same for a transposed A (ars == 1): each step's r bytes are adjacent,
 * so one 8-byte load tests them all. The load must stay inside the call's
 * bytes of the row: [tile - before, tile + after). */
static inline int
list_nonzero_strided (int r, int s, const uint8_t *a, size_t ars, size_t ass, int before,
                      int after, int *list)
{
  const uint8_t *at;
  uint64_t keep;
  if (ars != 1 || ass < 8)
    return list_nonzero_scalar (r, s, a, ars, ass, 0, list, 0);
  if (after >= 8)
    {
      at = a;
      keep = ~(uint64_t) 0 >> (8 * (8 - r));
    }
  else if (before + r >= 8)
    {
      at = a + r - 8;
      keep = ~(uint64_t) 0 << (8 * (8 - r));
    }
  else
    return list_nonzero_scalar (r, s, a, ars, ass, 0, list, 0);
  int cnt = 0;
  for (int t = 0; t < s; t++)
    {
      uint64_t u;
      memcpy (&u, at + (size_t) t * ass, 8);   /* little-endian: byte i is bits 8i.. */
      list[cnt] = t;
      cnt += (u & keep) != 0;
    }
  return cnt;
}

/* Kinds of A for the fast tiles: floats summed over every step, bytes or
 * floats summed over a list of the steps that are non-zero in some row. */
enum { MODE_DENSE, MODE_U8, MODE_SPARSE };

static inline int
list_nonzero_f32_scalar (int r, int s, const float *a, size_t ars, size_t ass, int s0, int *list,
                         int cnt)
{
  for (int t = s0; t < s; t++)
    {
      int nz = 0;
      for (int i = 0; i < r; i++)
        nz |= a[i * ars + t * ass] != 0.0f;
      list[cnt] = t;
      cnt += nz;
    }
  return cnt;
}

#if NN_X86

/* ---- AVX-512 ---- */

#define T512 __attribute__ ((target ("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma") NN_UNCHECKED))
#define INLINE static inline __attribute__ ((always_inline))

INLINE T512 void
tile512 (const int R, const int V, const int MODE, __mmask16 lm, int ns, const int *list,
         const void *a, size_t ars, size_t ass, const float *b, size_t ldb, float *c,
         size_t ldc, const NnEpilogue *ep, size_t i0, size_t j0)
{
  __m512 acc[6][4];
  const int from_c = ep != NULL && ep->accumulate;
#pragma GCC unroll 6
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
#pragma GCC unroll 6
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
#pragma GCC unroll 6
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
  for (size_t i0 = 0; i0 < (size_t) m; i0 += 6)
    {
      int R = m - (int) i0 < 6 ? m - (int) i0 : 6;
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

/* The update rules of nn-opt.c written out per vector; the scalar code
 * finishes the tail, which gives the same bits. */
#define OPT_UPDATE_BODY(VT, W, LOAD, STORE, SET1, ADD, SUB, MUL, DIV, SQRT)                     \
  size_t i = 0;                                                                               \
  const float lr = st->lr, l2 = is_weight ? st->l2 : 0.0f;                                    \
  const VT vlr = SET1 (lr), vl2 = SET1 (l2);                                                  \
  switch (st->kind)                                                                           \
    {                                                                                         \
    case NN_OPT_MOMENTUM:                                                                     \
      {                                                                                       \
        const VT mu = SET1 (st->momentum);                                                    \
        for (; i + W <= n; i += W)                                                            \
          {                                                                                   \
            VT wi = LOAD (w + i);                                                             \
            VT gi = ADD (LOAD (g + i), MUL (vl2, wi));                                        \
            VT mi = SUB (MUL (mu, LOAD (m + i)), MUL (vlr, gi));                              \
            STORE (m + i, mi);                                                                \
            STORE (w + i, ADD (wi, mi));                                                      \
          }                                                                                   \
      }                                                                                       \
      break;                                                                                  \
    case NN_OPT_ADAM:                                                                         \
      {                                                                                       \
        const VT b1 = SET1 (st->beta1), b2 = SET1 (st->beta2), eps = SET1 (st->eps);          \
        const VT nb1 = SET1 (1.0f - st->beta1), nb2 = SET1 (1.0f - st->beta2);                \
        const VT ic1 = SET1 (1.0f / st->c1), ic2 = SET1 (1.0f / st->c2);                      \
        for (; i + W <= n; i += W)                                                            \
          {                                                                                   \
            VT wi = LOAD (w + i);                                                             \
            VT gi = ADD (LOAD (g + i), MUL (vl2, wi));                                        \
            VT mi = ADD (MUL (b1, LOAD (m + i)), MUL (nb1, gi));                              \
            VT vi = ADD (MUL (b2, LOAD (v + i)), MUL (MUL (nb2, gi), gi));                    \
            STORE (m + i, mi);                                                                \
            STORE (v + i, vi);                                                                \
            VT step = DIV (MUL (vlr, MUL (mi, ic1)), ADD (SQRT (MUL (vi, ic2)), eps));        \
            STORE (w + i, SUB (wi, step));                                                    \
          }                                                                                   \
      }                                                                                       \
      break;                                                                                  \
    case NN_OPT_SGD:                                                                          \
    default:                                                                                  \
      if (l2 == 0.0f)                                                                         \
        for (; i + W <= n; i += W)                                                            \
          STORE (w + i, SUB (LOAD (w + i), MUL (vlr, LOAD (g + i))));                         \
      else                                                                                    \
        for (; i + W <= n; i += W)                                                            \
          {                                                                                   \
            VT wi = LOAD (w + i);                                                             \
            STORE (w + i, SUB (wi, MUL (vlr, ADD (LOAD (g + i), MUL (vl2, wi)))));            \
          }                                                                                   \
      break;                                                                                  \
    }                                                                                         \
  if (i < n)                                                                                  \
    nn_opt_update (st, w + i, g + i, m ? m + i : NULL, v ? v + i : NULL, n - i, is_weight);

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

static const NnKernels kernels_avx512 = { "avx512", gemm_avx512, gemm_u8_avx512,
                                          gemm_sparse_avx512, opt_update_avx512 };

/* ---- AVX2 + FMA ---- */

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
  for (size_t i0 = 0; i0 < (size_t) m; i0 += 6)
    {
      int R = m - (int) i0 < 6 ? m - (int) i0 : 6;
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

static const NnKernels kernels_avx2 = { "avx2", gemm_avx2, gemm_u8_avx2, gemm_sparse_avx2,
                                        opt_update_avx2 };

static int
cpu_has_avx512 (void)
{
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
         && __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512vl");
}

static int
cpu_has_avx2 (void)
{
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
}

#ifdef NN_ASAN
/* The spans a kernel may touch, checked whole on entry (see NN_ASAN above). Called from
 * instrumented code, the access to the first bad byte is what ASan reports. */
static void
check_span (const void *p, size_t bytes, int write)
{
  char *bad;

  if (p == NULL || bytes == 0)
    return;
  bad = __asan_region_is_poisoned ((void *) p, bytes);
  if (bad == NULL)
    return;
  if (write)
    *(volatile char *) bad = 0;
  else
    (void) *(volatile const char *) bad;
}

static void
check_gemm (int m, int n, int s, const void *a, size_t esize, size_t ars, size_t ass,
            const float *b, size_t ldb, const float *c, size_t ldc, const NnEpilogue *ep,
            const int *scratch, int uses_scratch)
{
  if (m <= 0 || n <= 0)
    return;
  if (s > 0)
    {
      check_span (a, ((size_t) (m - 1) * ars + (size_t) (s - 1) * ass + 1) * esize, 0);
      check_span (b, ((size_t) (s - 1) * ldb + (size_t) n) * sizeof (float), 0);
      if (uses_scratch)
        check_span (scratch, (size_t) s * sizeof (int), 1);
    }
  check_span (c, ((size_t) (m - 1) * ldc + (size_t) n) * sizeof (float), 1);
  if (ep != NULL)
    {
      check_span (ep->bias, (size_t) n * sizeof (float), 0);
      if (ep->mask != NULL)
        check_span (ep->mask, ((size_t) (m - 1) * ep->ldm + (size_t) n) * sizeof (float), 0);
    }
}

#define CHECKED_SET(SET)                                                                     \
  static void                                                                                \
  gemm_##SET##_checked (int m, int n, int s, const float *a, size_t ars, size_t ass,         \
                        const float *b, size_t ldb, float *c, size_t ldc,                    \
                        const NnEpilogue *ep, int *scratch)                                  \
  {                                                                                          \
    check_gemm (m, n, s, a, sizeof (float), ars, ass, b, ldb, c, ldc, ep, scratch, 0);       \
    kernels_##SET.gemm (m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);                  \
  }                                                                                          \
  static void                                                                                \
  gemm_u8_##SET##_checked (int m, int n, int s, const uint8_t *a, size_t ars, size_t ass,    \
                           const float *b, size_t ldb, float *c, size_t ldc,                 \
                           const NnEpilogue *ep, int *scratch)                               \
  {                                                                                          \
    check_gemm (m, n, s, a, 1, ars, ass, b, ldb, c, ldc, ep, scratch, 1);                    \
    kernels_##SET.gemm_u8 (m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);               \
  }                                                                                          \
  static void                                                                                \
  gemm_sparse_##SET##_checked (int m, int n, int s, const float *a, size_t ars, size_t ass,  \
                               const float *b, size_t ldb, float *c, size_t ldc,             \
                               const NnEpilogue *ep, int *scratch)                           \
  {                                                                                          \
    check_gemm (m, n, s, a, sizeof (float), ars, ass, b, ldb, c, ldc, ep, scratch, 1);       \
    kernels_##SET.gemm_sparse (m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);           \
  }                                                                                          \
  static void                                                                                \
  opt_update_##SET##_checked (const NnOptStep *st, float *w, const float *g, float *m,       \
                              float *v, size_t n, int is_weight)                             \
  {                                                                                          \
    check_span (w, n * sizeof (float), 1);                                                   \
    check_span (g, n * sizeof (float), 0);                                                   \
    check_span (m, n * sizeof (float), 1);                                                   \
    check_span (v, n * sizeof (float), 1);                                                   \
    kernels_##SET.opt_update (st, w, g, m, v, n, is_weight);                                 \
  }                                                                                          \
  static const NnKernels kernels_##SET##_checked = {                                         \
    #SET, gemm_##SET##_checked, gemm_u8_##SET##_checked, gemm_sparse_##SET##_checked,        \
    opt_update_##SET##_checked                                                               \
  };

CHECKED_SET (avx512)
CHECKED_SET (avx2)
#define KERNELS_AVX512 (&kernels_avx512_checked)
#define KERNELS_AVX2   (&kernels_avx2_checked)
#else
#define KERNELS_AVX512 (&kernels_avx512)
#define KERNELS_AVX2   (&kernels_avx2)
#endif

#endif /* NN_X86 */

const NnKernels *
nn_kernels_reference (void)
{
  return &kernels_ref;
}

const NnKernels *
nn_kernels_best (void)
{
  /* DIGITS_KERNELS=avx2 (or reference) measures a lesser set on this CPU. */
  const char *forced = getenv ("DIGITS_KERNELS");
  const NnKernels *k = forced != NULL && *forced != '\0' ? nn_kernels_by_name (forced) : NULL;
  if (k != NULL)
    return k;
#if NN_X86
  if (cpu_has_avx512 ())
    return KERNELS_AVX512;
  if (cpu_has_avx2 ())
    return KERNELS_AVX2;
#endif
  return &kernels_ref;
}

const NnKernels *
nn_kernels_by_name (const char *name)
{
  if (name == NULL)
    return NULL;
  if (strcmp (name, "reference") == 0)
    return &kernels_ref;
#if NN_X86
  if (strcmp (name, "avx2") == 0 && cpu_has_avx2 ())
    return KERNELS_AVX2;
  if (strcmp (name, "avx512") == 0 && cpu_has_avx512 ())
    return KERNELS_AVX512;
#endif
  return NULL;
}

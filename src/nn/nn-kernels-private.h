/* nn-kernels-private.h — what the kernel sets share: the sanitizer switch, the step
 * lists of the sparse kernels, the vector update rule, and each set's table. Included
 * by nn-kernels*.c only; the rest of the engine sees nn-private.h's NnKernels. */
#pragma once

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
 * whole spans on entry (CHECKED_SET in nn-kernels.c): every byte the kernel's contract lets it
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

#define INLINE static inline __attribute__ ((always_inline))

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

/* The reference pooling: what the fast sets fall back to for channel counts their
 * vectors do not divide. */
void nn_pool_ref (int h, int w, int c, int s, int oh, int ow, const float *x, float *y,
                  int *idx);
void nn_unpool_ref (int h, int w, int c, int s, int oh, int ow, const int *idx,
                    const float *dy, const float *mask, float *dx, size_t ldx);

/* Zero what no window covers: the rows and columns a pool drops, and the rest of each
 * row of ldx floats. */
static inline void
unpool_edges (int h, int c, int s, int oh, int ow, float *dx, size_t ldx)
{
  for (int y = 0; y < h; y++)
    {
      size_t x0 = y < oh * s ? (size_t) ow * s * c : 0;
      if (x0 < ldx)
        memset (dx + y * ldx + x0, 0, sizeof (float) * (ldx - x0));
    }
}

extern const NnKernels nn_kernels_ref_set;
#if NN_X86
extern const NnKernels nn_kernels_avx512_set;
extern const NnKernels nn_kernels_avx2_set;
#endif


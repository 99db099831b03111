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
 * 1e-45, which inputs of 1/255 and weights of this scale never produce).
 *
 * This file picks a set at run time and, under AddressSanitizer, checks each call's
 * operands (see nn-kernels-private.h); the sets themselves are in nn-kernels-ref.c,
 * nn-kernels-avx2.c and nn-kernels-avx512.c. */
#include "nn-kernels-private.h"

#if NN_X86

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

/* One checked wrapper per kernel of a set: NAME_SET_checked checks, then calls the set's. */
#define CHECKED_GEMM(NAME, SET, A_TYPE, USES_SCRATCH)                                         \
  static void                                                                                \
  NAME##_##SET##_checked (int m, int n, int s, const A_TYPE *a, size_t ars, size_t ass,      \
                          const float *b, size_t ldb, float *c, size_t ldc,                  \
                          const NnEpilogue *ep, int *scratch)                                \
  {                                                                                          \
    check_gemm (m, n, s, a, sizeof (A_TYPE), ars, ass, b, ldb, c, ldc, ep, scratch,          \
                USES_SCRATCH);                                                               \
    nn_kernels_##SET##_set.NAME (m, n, s, a, ars, ass, b, ldb, c, ldc, ep, scratch);         \
  }

#define CHECKED_SET(SET)                                                                     \
  CHECKED_GEMM (gemm, SET, float, 0)                                                         \
  CHECKED_GEMM (gemm_u8, SET, uint8_t, 1)                                                    \
  CHECKED_GEMM (gemm_sparse, SET, float, 1)                                                  \
  static void                                                                                \
  opt_update_##SET##_checked (const NnOptStep *st, float *w, const float *g, float *m,       \
                              float *v, size_t n, int is_weight)                             \
  {                                                                                          \
    check_span (w, n * sizeof (float), 1);                                                   \
    check_span (g, n * sizeof (float), 0);                                                   \
    check_span (m, n * sizeof (float), 1);                                                   \
    check_span (v, n * sizeof (float), 1);                                                   \
    nn_kernels_##SET##_set.opt_update (st, w, g, m, v, n, is_weight);                        \
  }                                                                                          \
  static void                                                                                \
  pool_##SET##_checked (int h, int w, int c, int s, int oh, int ow, const float *x, float *y,  \
                        int *idx)                                                            \
  {                                                                                          \
    check_span (x, (size_t) h * w * c * sizeof (float), 0);                                  \
    check_span (y, (size_t) oh * ow * c * sizeof (float), 1);                                \
    check_span (idx, (size_t) oh * ow * c * sizeof (int), 1);                                \
    nn_kernels_##SET##_set.pool (h, w, c, s, oh, ow, x, y, idx);                             \
  }                                                                                          \
  static void                                                                                \
  unpool_##SET##_checked (int h, int w, int c, int s, int oh, int ow, const int *idx,         \
                          const float *dy, const float *mask, float *dx, size_t ldx)         \
  {                                                                                          \
    check_span (idx, (size_t) oh * ow * c * sizeof (int), 0);                                \
    check_span (dy, (size_t) oh * ow * c * sizeof (float), 0);                               \
    check_span (mask, (size_t) h * w * c * sizeof (float), 0);                               \
    check_span (dx, (size_t) h * ldx * sizeof (float), 1);                                   \
    nn_kernels_##SET##_set.unpool (h, w, c, s, oh, ow, idx, dy, mask, dx, ldx);              \
  }                                                                                          \
  static const NnKernels kernels_##SET##_checked = {                                         \
    #SET, gemm_##SET##_checked, gemm_u8_##SET##_checked, gemm_sparse_##SET##_checked,        \
    opt_update_##SET##_checked, pool_##SET##_checked, unpool_##SET##_checked                 \
  };

CHECKED_SET (avx512)
CHECKED_SET (avx2)
#define KERNELS_AVX512 (&kernels_avx512_checked)
#define KERNELS_AVX2   (&kernels_avx2_checked)
#else
#define KERNELS_AVX512 (&nn_kernels_avx512_set)
#define KERNELS_AVX2   (&nn_kernels_avx2_set)
#endif

#endif /* NN_X86 */

const NnKernels *
nn_kernels_reference (void)
{
  return &nn_kernels_ref_set;
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
  return &nn_kernels_ref_set;
}

const NnKernels *
nn_kernels_by_name (const char *name)
{
  if (name == NULL)
    return NULL;
  if (strcmp (name, "reference") == 0)
    return &nn_kernels_ref_set;
#if NN_X86
  if (strcmp (name, "avx2") == 0 && cpu_has_avx2 ())
    return KERNELS_AVX2;
  if (strcmp (name, "avx512") == 0 && cpu_has_avx512 ())
    return KERNELS_AVX512;
#endif
  return NULL;
}

/* nn-kernels-ref.c — the plain C kernels: the yardstick the fast ones are held to, and
 * what runs on a CPU without AVX2. -O3 vectorises their independent columns. */
#include "nn-kernels-private.h"

#define U8F(i) ((float) (i) / 255.0f)
#define U8F4(i) U8F (i), U8F ((i) + 1), U8F ((i) + 2), U8F ((i) + 3)
#define U8F16(i) U8F4 (i), U8F4 ((i) + 4), U8F4 ((i) + 8), U8F4 ((i) + 12)
#define U8F64(i) U8F16 (i), U8F16 ((i) + 16), U8F16 ((i) + 32), U8F16 ((i) + 48)

/* Folded by the compiler with the same rounding as a run-time division. */
const float nn_u8_to_float[256] = { U8F64 (0), U8F64 (64), U8F64 (128), U8F64 (192) };

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

const NnKernels nn_kernels_ref_set = { "reference", gemm_ref, gemm_u8_ref, gemm_ref,
                                       nn_opt_update };

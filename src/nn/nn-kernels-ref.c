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

/* Written branch-free over channels so -O3 vectorises it. */
void
nn_pool_ref (int h, int w, int c, int s, int oh, int ow, const float *x, float *y, int *idx)
{
  (void) h;
  for (int oy = 0; oy < oh; oy++)
    for (int ox = 0; ox < ow; ox++)
      {
        size_t o = ((size_t) oy * ow + ox) * c;
        float *restrict yo = y + o;
        size_t at0 = ((size_t) (oy * s) * w + ox * s) * c;
        for (int k = 0; k < c; k++)
          yo[k] = x[at0 + k];
        if (idx != NULL)
          for (int k = 0; k < c; k++)
            idx[o + k] = (int) (at0 + k);
        for (int dy = 0; dy < s; dy++)
          for (int dx = (dy == 0); dx < s; dx++)
            {
              size_t at = ((size_t) (oy * s + dy) * w + (ox * s + dx)) * c;
              const float *restrict xi = x + at;
              if (idx != NULL)
                {
                  int *restrict io = idx + o;
                  for (int k = 0; k < c; k++)
                    io[k] = xi[k] > yo[k] ? (int) (at + k) : io[k];
                }
              for (int k = 0; k < c; k++)
                yo[k] = xi[k] > yo[k] ? xi[k] : yo[k];
            }
      }
}

void
nn_unpool_ref (int h, int w, int c, int s, int oh, int ow, const int *idx, const float *dy,
               const float *mask, float *dx, size_t ldx)
{
  size_t row = (size_t) w * c, out = (size_t) oh * ow * c;
  (void) s;
  memset (dx, 0, sizeof (float) * h * ldx);
  /* Windows do not overlap: each input gets at most one delta. */
  for (size_t o = 0; o < out; o++)
    dx[idx[o] / row * ldx + idx[o] % row] = dy[o];
  if (mask != NULL)
    for (int y = 0; y < h; y++)
      for (size_t i = 0; i < row; i++)
        dx[y * ldx + i] = mask[y * row + i] > 0.0f ? dx[y * ldx + i] : 0.0f;
}

const NnKernels nn_kernels_ref_set = { "reference", gemm_ref, gemm_u8_ref, gemm_ref,
                                       nn_opt_update, nn_pool_ref, nn_unpool_ref };

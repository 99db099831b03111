/* nn-rng.c — PCG32 (O'Neill's XSH-RR variant): small state, good statistics,
 * and the same stream on every platform, which determinism relies on. */
#include "nn.h"

#include <math.h>

#define PCG_MULT 6364136223846793005ULL

uint32_t
nn_rng_next (NnRng *rng)
{
  uint64_t old = rng->state;
  rng->state = old * PCG_MULT + rng->inc;
  uint32_t xorshifted = (uint32_t) (((old >> 18) ^ old) >> 27);
  uint32_t rot = (uint32_t) (old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

void
nn_rng_seed (NnRng *rng, uint64_t seed, uint64_t stream)
{
  rng->state = 0;
  rng->inc = (stream << 1) | 1;
  nn_rng_next (rng);
  rng->state += seed;
  nn_rng_next (rng);
}

uint32_t
nn_rng_below (NnRng *rng, uint32_t n)
{
  if (n <= 1)
    return 0;
  /* Reject the low values that would make r % n favour small results. */
  uint32_t threshold = (uint32_t) (-n) % n;
  for (;;)
    {
      uint32_t r = nn_rng_next (rng);
      if (r >= threshold)
        return r % n;
    }
}

float
nn_rng_uniform (NnRng *rng)
{
  /* 24 bits fill a float's mantissa exactly, so the result is < 1. */
  return (float) (nn_rng_next (rng) >> 8) * 0x1p-24f;
}

float
nn_rng_normal (NnRng *rng)
{
  /* Box–Muller in double; u1 in (0, 1] keeps log finite. */
  double u1 = ((double) (nn_rng_next (rng) >> 8) + 1.0) * 0x1p-24;
  double u2 = (double) (nn_rng_next (rng) >> 8) * 0x1p-24;
  return (float) (sqrt (-2.0 * log (u1)) * cos (6.283185307179586476925 * u2));
}

void
nn_rng_shuffle (NnRng *rng, uint32_t *items, size_t n)
{
  for (size_t i = n; i > 1; i--)
    {
      size_t j = nn_rng_below (rng, (uint32_t) i);
      uint32_t t = items[i - 1];
      items[i - 1] = items[j];
      items[j] = t;
    }
}

/* test-nn-util.h — what the engine's unit tests (test-nn.c, test-nn-conv.c) share. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "nn/nn-private.h"

/* The mean loss of batch samples under net's architecture with its parameters taken
 * from params, in double precision, written from the definitions (each test its own). */
typedef double (*TestNetLoss) (const NnNet *net, const double *params, const uint8_t *x,
                               const uint8_t *labels, int batch);

/* fd[i] = the central difference, step 1e-6, of loss in parameter i, for each of net's
 * parameters; params is left as it was. */
static inline void
test_finite_differences (TestNetLoss loss, const NnNet *net, double *params, const uint8_t *x,
                         const uint8_t *labels, int batch, double *fd)
{
  const double eps = 1e-6;
  for (size_t i = 0; i < net->n_params; i++)
    {
      double keep = params[i];
      params[i] = keep + eps;
      double lp = loss (net, params, x, labels, batch);
      params[i] = keep - eps;
      double lm = loss (net, params, x, labels, batch);
      params[i] = keep;
      fd[i] = (lp - lm) / (2 * eps);
    }
}

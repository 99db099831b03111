/* nn-calibrate.c — temperature scaling (Guo et al. 2017, "On calibration of modern
 * neural networks"): one factor on every logit, fitted to minimise the cross-entropy of
 * labelled digits, then folded into the last layer's weights and biases. The argmax of
 * every digit is unchanged; only how sure the probabilities are moves.
 *
 * A network trained with label smoothing learns to put ~(1 − s) on its answer however
 * clear the digit (0.93 for a perfect 7 at s = 0.1); the fit sharpens it back to what
 * the digits support. */
#include "nn-private.h"

#include <math.h>
#include <stdlib.h>

/* Mean cross-entropy of softmax(beta · l) where l holds each row's log-probabilities
 * (logits up to a constant per row, which softmax ignores). */
static double
scaled_nll (const float *l, const uint8_t *labels, size_t n, int classes, double beta)
{
  double total = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      const float *r = l + i * classes;
      double max = r[0];
      for (int c = 1; c < classes; c++)
        max = fmax (max, r[c]);
      double sum = 0.0;
      for (int c = 0; c < classes; c++)
        sum += exp (beta * (r[c] - max));
      total += log (sum) - beta * (r[labels[i]] - max);
    }
  return total / (double) n;
}

int
nn_net_fit_logit_scale (NnNet *net, const uint8_t *x, const uint8_t *labels, size_t n,
                        float *scale)
{
  if (scale != NULL)
    *scale = 1.0f;
  if (net == NULL || x == NULL || labels == NULL || n == 0)
    return -1;
  int L = net->n_layers, classes = net->sizes[L];
  for (size_t i = 0; i < n; i++)
    if (labels[i] >= classes)
      return -1;
  float *l = malloc (sizeof (float) * n * (size_t) classes);
  if (l == NULL || nn_net_forward_u8 (net, x, n, l) != 0)
    {
      free (l);
      return -1;
    }
  /* Log-probabilities, floored where float's exp underflowed: such a class is out of the
   * running at any scale the fit would choose. */
  for (size_t i = 0; i < n * (size_t) classes; i++)
    l[i] = logf (fmaxf (l[i], 1e-37f));

  /* The cross-entropy is convex in beta (a log-sum-exp of functions linear in it): a
   * golden-section search over log beta finds its minimum. */
  const double g = (sqrt (5.0) - 1.0) / 2.0;
  double a = log (0.05), b = log (20.0);
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = scaled_nll (l, labels, n, classes, exp (c));
  double fd = scaled_nll (l, labels, n, classes, exp (d));
  for (int it = 0; it < 60; it++)
    {
      if (fc < fd)
        {
          b = d, d = c, fd = fc;
          c = b - g * (b - a);
          fc = scaled_nll (l, labels, n, classes, exp (c));
        }
      else
        {
          a = c, c = d, fc = fd;
          d = a + g * (b - a);
          fd = scaled_nll (l, labels, n, classes, exp (d));
        }
    }
  free (l);

  float beta = (float) exp ((a + b) / 2.0);
  const NnLayer *last = &net->layers[L - 1];
  for (size_t i = 0; i < last->n_weights; i++)
    net->w[L - 1][i] *= beta;
  for (size_t i = 0; i < last->n_biases; i++)
    net->b[L - 1][i] *= beta;
  if (scale != NULL)
    *scale = beta;
  return 0;
}

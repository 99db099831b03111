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

/* Mean cross-entropy of softmax(beta · d) where d holds each row's log-probabilities
 * less the row's largest (logits up to a constant per row, which softmax ignores). */
static double
scaled_nll (const double *d, const uint8_t *labels, size_t n, int classes, double beta)
{
  double total = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      const double *r = d + i * classes;
      double sum = 0.0;
      for (int c = 0; c < classes; c++)
        sum += exp (beta * r[c]);
      total += log (sum) - beta * r[labels[i]];
    }
  return total / (double) n;
}

int
nn_net_fit_logit_scale (const NnNet *net, const uint8_t *x, const uint8_t *labels, size_t n,
                        float *scale)
{
  if (scale != NULL)
    *scale = 1.0f;
  if (net == NULL || x == NULL || labels == NULL || n == 0)
    return -1;
  int classes = net->sizes[net->n_layers];
  for (size_t i = 0; i < n; i++)
    if (labels[i] >= classes)
      return -1;
  float *p = malloc (sizeof (float) * n * (size_t) classes);
  double *d = malloc (sizeof (double) * n * (size_t) classes);
  if (p == NULL || d == NULL || nn_net_forward_u8 (net, x, n, p) != 0)
    {
      free (p);
      free (d);
      return -1;
    }
  /* Log-probabilities, floored where float's exp underflowed (such a class is out of the
   * running at any scale the fit would choose), less each row's largest: once here, not
   * at every step of the search. */
  for (size_t i = 0; i < n; i++)
    {
      float *r = p + i * classes;
      double max = -INFINITY;
      for (int c = 0; c < classes; c++)
        {
          r[c] = logf (fmaxf (r[c], 1e-37f));
          max = fmax (max, r[c]);
        }
      for (int c = 0; c < classes; c++)
        d[i * classes + c] = r[c] - max;
    }
  free (p);

  /* The cross-entropy is convex in beta (a log-sum-exp of functions linear in it): a
   * golden-section search over log beta finds its minimum. */
  const double g = (sqrt (5.0) - 1.0) / 2.0;
  double a = log (0.05), b = log (20.0);
  double c = b - g * (b - a), e = a + g * (b - a);
  double fc = scaled_nll (d, labels, n, classes, exp (c));
  double fe = scaled_nll (d, labels, n, classes, exp (e));
  for (int it = 0; it < 60; it++)
    {
      if (fc < fe)
        {
          b = e, e = c, fe = fc;
          c = b - g * (b - a);
          fc = scaled_nll (d, labels, n, classes, exp (c));
        }
      else
        {
          a = c, c = e, fc = fe;
          e = a + g * (b - a);
          fe = scaled_nll (d, labels, n, classes, exp (e));
        }
    }
  free (d);
  if (scale != NULL)
    *scale = (float) exp ((a + b) / 2.0);
  return 0;
}

void
nn_net_scale_logits (NnNet *net, float scale)
{
  const NnLayer *last = &net->layers[net->n_layers - 1];
  for (size_t i = 0; i < last->n_weights; i++)
    net->w[net->n_layers - 1][i] *= scale;
  for (size_t i = 0; i < last->n_biases; i++)
    net->b[net->n_layers - 1][i] *= scale;
}

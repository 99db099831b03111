/* digits-look-engine.c — TO BE REPLACED: a stand-in for the engine's input gradient.
 *
 * The `cnn` branch adds nn_net_input_gradient (NN_GRAD_LOG_PROB) to src/nn for every layer
 * kind. Until it is merged, this computes the same for the dense-only engine so saliency
 * can be built and tested; after the merge look_input_gradient becomes a one-line call.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "digits-look-private.h"

int
look_input_gradient (const NnNet *net, const float *x, int klass, float *dx)
{
  const int L = net->n_layers;
  const int classes = net->sizes[L];
  size_t total = 0;

  if (klass < 0 || klass >= classes)
    return -1;
  for (int l = 0; l <= L; l++)
    total += (size_t) net->sizes[l];

  /* a[l]: the input of layer l (after ReLU); a[L]: the logits. d: two gradient buffers. */
  float *buf = malloc (sizeof (float) * (total + 2 * NN_MAX_WIDTH + (size_t) net->sizes[0]));
  if (buf == NULL)
    return -1;
  float *a[NN_MAX_LAYERS + 1];
  float *d = buf + total, *d_in = d + NN_MAX_WIDTH;
  a[0] = buf;
  for (int l = 0; l < L; l++)
    a[l + 1] = a[l] + net->sizes[l];
  for (int i = 0; i < net->sizes[0]; i++)
    a[0][i] = x[i];

  for (int l = 0; l < L; l++)
    {
      const int in = net->sizes[l], out = net->sizes[l + 1];
      for (int o = 0; o < out; o++)
        {
          double z = net->b[l][o];
          for (int i = 0; i < in; i++)
            z += (double) a[l][i] * net->w[l][(size_t) i * out + o];
          a[l + 1][o] = (l + 1 < L && z < 0) ? 0.0f : (float) z;
        }
    }

  /* d log softmax(z)[k] / dz = e_k − p. */
  double top = a[L][0], norm = 0;
  for (int k = 1; k < classes; k++)
    top = fmax (top, a[L][k]);
  for (int k = 0; k < classes; k++)
    norm += exp (a[L][k] - top);
  for (int k = 0; k < classes; k++)
    d[k] = (k == klass) - (float) (exp (a[L][k] - top) / norm);

  for (int l = L - 1; l >= 0; l--)
    {
      const int in = net->sizes[l], out = net->sizes[l + 1];
      float *target = l == 0 ? dx : d_in;
      for (int i = 0; i < in; i++)
        {
          double g = 0;
          if (l == 0 || a[l][i] > 0)
            for (int o = 0; o < out; o++)
              g += (double) net->w[l][(size_t) i * out + o] * d[o];
          target[i] = (float) g;
        }
      if (l > 0)
        for (int i = 0; i < in; i++)
          d[i] = d_in[i];
    }
  free (buf);
  return 0;
}

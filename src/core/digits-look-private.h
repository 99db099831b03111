/* digits-look-private.h — the few facts about a network that the look-inside code (evaluation,
 * explanation, activations) reads from the engine, kept in one place so that a change in the
 * engine's network struct is one edit here.
 */
#pragma once

#include "digits-model.h"

static inline int
look_n_inputs (const DigitsModel *model)
{
  return model->net->sizes[0];
}

static inline int
look_n_classes (const DigitsModel *model)
{
  return model->net->sizes[model->net->n_layers];
}

/* The gradient of log p(klass | x) with respect to x (n_inputs floats) into dx: the one
 * engine call saliency makes. Returns 0, or -1 (no memory, klass out of range). */
static inline int
look_input_gradient (const NnNet *net, const float *x, int klass, float *dx)
{
  return nn_net_input_gradient (net, x, klass, NN_GRAD_LOG_PROB, dx);
}

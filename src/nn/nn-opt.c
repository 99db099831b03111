/* nn-opt.c — SGD, momentum and Adam, with the lr / (1 + decay·t) schedule and
 * L2 on weights. Element-wise only, so any vectorisation the compiler picks
 * gives the same bits. */
#include "nn-private.h"

#include <math.h>
#include <string.h>

void
nn_opt_config_defaults (NnOptConfig *config, NnOptKind kind)
{
  if (config == NULL)
    return;
  memset (config, 0, sizeof *config);
  config->kind = kind;
  config->momentum = 0.9f;
  config->beta1 = 0.9f;
  config->beta2 = 0.999f;
  config->eps = 1e-8f;
  switch (kind)
    {
    case NN_OPT_MOMENTUM:
      config->lr = 0.05f;
      break;
    case NN_OPT_ADAM:
      config->lr = 1e-3f;
      break;
    case NN_OPT_SGD:
    default:
      config->kind = NN_OPT_SGD;
      config->lr = 0.1f;
      break;
    }
}

const char *
nn_opt_kind_to_string (NnOptKind kind)
{
  switch (kind)
    {
    case NN_OPT_SGD:
      return "sgd";
    case NN_OPT_MOMENTUM:
      return "momentum";
    case NN_OPT_ADAM:
      return "adam";
    default:
      return NULL;
    }
}

int
nn_opt_kind_from_string (const char *s, NnOptKind *kind)
{
  static const NnOptKind kinds[] = { NN_OPT_SGD, NN_OPT_MOMENTUM, NN_OPT_ADAM };
  if (s == NULL)
    return -1;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp (s, nn_opt_kind_to_string (kinds[i])) == 0)
      {
        if (kind != NULL)
          *kind = kinds[i];
        return 0;
      }
  return -1;
}

int
nn_opt_state_per_param (NnOptKind kind)
{
  return kind == NN_OPT_ADAM ? 2 : kind == NN_OPT_MOMENTUM ? 1 : 0;
}

void
nn_opt_step_prepare (NnOptStep *st, const NnOptConfig *config, uint64_t t)
{
  memset (st, 0, sizeof *st);
  st->kind = config->kind;
  /* t counts steps already taken, so the first step uses lr itself. */
  double lr = (double) config->lr / (1.0 + (double) config->decay * (double) t);
  if (config->anneal_steps > 0)
    {
      double done = t < config->anneal_steps ? (double) t / (double) config->anneal_steps : 1.0;
      lr *= 0.5 * (1.0 + cos (M_PI * done));
    }
  st->lr = (float) lr;
  st->l2 = config->l2;
  st->momentum = config->momentum;
  st->beta1 = config->beta1;
  st->beta2 = config->beta2;
  st->eps = config->eps;
  /* Adam's bias correction for step t + 1 (1-based), in double then rounded once. */
  st->c1 = (float) (1.0 - pow ((double) config->beta1, (double) (t + 1)));
  st->c2 = (float) (1.0 - pow ((double) config->beta2, (double) (t + 1)));
}

void
nn_opt_update (const NnOptStep *st, float *restrict w, const float *restrict g,
               float *restrict m, float *restrict v, size_t n, int is_weight)
{
  const float lr = st->lr;
  const float l2 = is_weight ? st->l2 : 0.0f;
  switch (st->kind)
    {
    case NN_OPT_MOMENTUM:
      {
        const float mu = st->momentum;
        for (size_t i = 0; i < n; i++)
          {
            float gi = g[i] + l2 * w[i];
            m[i] = mu * m[i] - lr * gi;
            w[i] += m[i];
          }
      }
      break;
    case NN_OPT_ADAM:
      {
        const float b1 = st->beta1, b2 = st->beta2, eps = st->eps;
        const float ic1 = 1.0f / st->c1, ic2 = 1.0f / st->c2;
        for (size_t i = 0; i < n; i++)
          {
            float gi = g[i] + l2 * w[i];
            m[i] = b1 * m[i] + (1.0f - b1) * gi;
            v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
            float mh = m[i] * ic1, vh = v[i] * ic2;
            w[i] -= lr * mh / (sqrtf (vh) + eps);
          }
      }
      break;
    case NN_OPT_SGD:
    default:
      if (l2 == 0.0f)
        for (size_t i = 0; i < n; i++)
          w[i] -= lr * g[i];
      else
        for (size_t i = 0; i < n; i++)
          w[i] -= lr * (g[i] + l2 * w[i]);
      break;
    }
}

/* digits-train-estimate.c — a network's size and arithmetic from its spec, and this
 * machine's training speed from a short timed run, for an estimate of an epoch's time.
 *
 * The speed is measured once on the app's default network and applied to others by
 * their multiply-adds: conv and dense layers run on the same kernels, so the
 * arithmetic sets the time within a factor that the README's Speed section shows.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "digits-augment.h"
#include "digits-dataset.h"
#include "digits-preprocess.h"
#include "digits-train-estimate.h"
#include "digits-trainer.h"

#define MEASURE_BATCH     64
#define MEASURE_MIN_STEPS 3

/* "128, 64" → "dense128, dense64"; other tokens are left for the parser to judge. */
static char *
name_bare_numbers (const char *spec)
{
  g_auto(GStrv) tokens = g_strsplit (spec, ",", -1);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_autofree char *token = g_strstrip (g_strdup (tokens[i]));
      gboolean digits = *token != '\0';

      for (const char *p = token; *p != '\0'; p++)
        digits = digits && g_ascii_isdigit (*p);
      if (digits)
        {
          g_free (tokens[i]);
          tokens[i] = g_strconcat ("dense", token, NULL);
        }
    }
  return g_strjoinv (",", tokens);
}

static double
train_macs (const NnLayer *layers,
            int            n_layers)
{
  double total = 0;

  for (int l = 0; l < n_layers; l++)
    {
      const NnLayer *ly = &layers[l];
      double macs = (double) ly->n_weights
                    * (ly->kind == NN_LAYER_CONV ? ly->out_h * ly->out_w : 1);

      /* Forward, the weights' gradient, and the input's gradient but for the first. */
      total += macs * (l == 0 ? 2 : 3);
    }
  return total;
}

/* digits_net_info, and the architecture it read into *arch. */
static gboolean
read_spec (const char *spec, guint n_classes, DigitsNetInfo *info, NnArch *arch,
           GError **error)
{
  g_autofree char *named = name_bare_numbers (spec);
  NnLayer layers[NN_MAX_LAYERS];
  char err[256];

  if (nn_arch_parse (named, 1, DIGITS_SIDE, DIGITS_SIDE, (int) n_classes, arch,
                     err, sizeof err) != 0
      || nn_arch_resolve (arch, layers, err, sizeof err) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, err);
      return FALSE;
    }
  if (nn_arch_format (arch, info->spec, sizeof info->spec) < 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("The network has too many layers to write down"));
      return FALSE;
    }
  info->n_params = nn_arch_params (arch);
  info->train_macs = train_macs (layers, arch->n_layers);
  return TRUE;
}

gboolean
digits_net_info (const char     *spec,
                 guint           n_classes,
                 DigitsNetInfo  *info,
                 GError        **error)
{
  NnArch arch;

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return read_spec (spec, n_classes, info, &arch, error);
}

double
digits_net_train_macs (const NnNet *net)
{
  g_return_val_if_fail (net != NULL, 0.0);
  return train_macs (net->layers, net->n_layers);
}

static int
compare_times (const void *a,
               const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
measure_augment (void)
{
  DigitsAugmentConfig config;
  guint8 in[DIGITS_PIXELS], out[DIGITS_PIXELS];
  const int n = 200;
  NnRng rng;
  gint64 start;

  digits_augment_config_defaults (&config);
  nn_rng_seed (&rng, 7, 1);
  /* A thick bar: augmentation's cost depends little on the drawing. */
  for (int i = 0; i < DIGITS_PIXELS; i++)
    in[i] = (i % DIGITS_SIDE > 10 && i % DIGITS_SIDE < 16 && i / DIGITS_SIDE > 4) ? 255 : 0;

  start = g_get_monotonic_time ();
  for (int i = 0; i < n; i++)
    digits_augment (&config, &rng, in, out, DIGITS_SIDE);
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC / n;
}

gboolean
digits_train_speed_measure (guint              threads,
                            double             seconds,
                            DigitsTrainSpeed  *speed,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autofree guint8 *x = g_new (guint8, (gsize) MEASURE_BATCH * DIGITS_PIXELS);
  guint8 labels[MEASURE_BATCH];
  NnOptConfig opt;
  DigitsNetInfo info;
  NnArch arch;
  NnNet *net;
  NnTrainer *trainer;
  NnRng rng;
  gint64 times[64], total = 0;
  guint n_times = 0;
  gboolean first = TRUE;

  g_return_val_if_fail (speed != NULL, FALSE);

  if (!read_spec (DIGITS_TRAIN_NET_APP, 10, &info, &arch, error))
    return FALSE;
  net = nn_net_new_arch (&arch);
  if (net == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("Not enough memory for the network"));
      return FALSE;
    }
  nn_net_init_he (net, 1);
  nn_opt_config_defaults (&opt, NN_OPT_ADAM);
  trainer = nn_trainer_new (net, &opt, MEASURE_BATCH,
                            threads > 0 ? (int) threads : (int) g_get_num_processors ());
  if (trainer == NULL)
    {
      nn_net_free (net);
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("Not enough memory for training"));
      return FALSE;
    }

  nn_rng_seed (&rng, 1, 2);
  for (gsize i = 0; i < (gsize) MEASURE_BATCH * DIGITS_PIXELS; i++)
    x[i] = (guint8) nn_rng_below (&rng, 256);
  for (guint i = 0; i < MEASURE_BATCH; i++)
    labels[i] = (guint8) (i % 10);

  /* The first step pays for first touches of memory: not counted. The median step
   * stands for them all, as a busy machine stalls a few steps for long. */
  while (!g_cancellable_is_cancelled (cancellable)
         && (n_times < MEASURE_MIN_STEPS || total < seconds * G_USEC_PER_SEC)
         && n_times < G_N_ELEMENTS (times))
    {
      gint64 start = g_get_monotonic_time ();

      nn_trainer_step (trainer, x, labels, MEASURE_BATCH, NULL);
      if (first)
        {
          first = FALSE;
          continue;
        }
      times[n_times] = g_get_monotonic_time () - start;
      total += times[n_times++];
    }
  nn_trainer_free (trainer);
  nn_net_free (net);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  qsort (times, n_times, sizeof times[0], compare_times);
  speed->seconds_per_mac = times[n_times / 2] / (double) G_USEC_PER_SEC
                           / (MEASURE_BATCH * info.train_macs);
  speed->augment_seconds = measure_augment ();
  return TRUE;
}

double
digits_train_speed_epoch (const DigitsTrainSpeed *speed,
                          const DigitsNetInfo    *info,
                          guint                   n_samples,
                          gboolean                augment)
{
  g_return_val_if_fail (speed != NULL && info != NULL, 0.0);

  return n_samples * (info->train_macs * speed->seconds_per_mac
                      + (augment ? speed->augment_seconds : 0.0));
}

void
digits_train_speed_learn (DigitsTrainSpeed    *speed,
                          const DigitsNetInfo *info,
                          guint                n_samples,
                          gboolean             augment,
                          double               epoch_seconds)
{
  double arithmetic;

  g_return_if_fail (speed != NULL && info != NULL);

  if (n_samples == 0 || !(epoch_seconds > 0) || !(info->train_macs > 0))
    return;
  arithmetic = epoch_seconds / n_samples - (augment ? speed->augment_seconds : 0.0);
  if (arithmetic > 0)
    speed->seconds_per_mac = arithmetic / info->train_macs;
}

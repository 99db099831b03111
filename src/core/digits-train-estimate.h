/* digits-train-estimate.h — what a network costs before it is trained: its parameters,
 * its arithmetic per training sample, and so the time an epoch takes on this machine.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nn/nn.h"

G_BEGIN_DECLS

typedef struct {
  char spec[NN_SPEC_MAX];   /* canonical, as the trainer takes it ("" = no hidden layer) */
  gsize n_params;
  double train_macs;        /* multiply-adds of one sample's training (forward + backward) */
} DigitsNetInfo;

/* Reads a network spec as nn_arch_parse does ("mlp", "cnn",
 * "conv3x16,pool2,dense128"), for 28×28 digits in n_classes classes; a bare number is a
 * dense layer ("128,64", as the Train page's older settings wrote). Fails with the
 * parser's message, which names the bad token. */
gboolean digits_net_info (const char     *spec,
                          guint           n_classes,
                          DigitsNetInfo  *info,
                          GError        **error);
/* DigitsNetInfo's train_macs of a network already built. */
double   digits_net_train_macs (const NnNet *net);

/* How fast this machine trains, from a short timed run. */
typedef struct {
  double seconds_per_mac;       /* training arithmetic, all threads at work */
  double augment_seconds;       /* distorting one sample (on the training thread) */
} DigitsTrainSpeed;

/* Times training steps of DIGITS_TRAIN_NET_APP on random digits (batch 64, on threads
 * threads; 0 = all cores) for about seconds seconds (at least 3 after a first one not
 * counted; the median counts), and augmentation. Blocks: call it from a worker thread, whose
 * priority its trainer's threads inherit. FALSE with G_IO_ERROR_CANCELLED if cancelled. */
gboolean digits_train_speed_measure (guint              threads,
                                     double             seconds,
                                     DigitsTrainSpeed  *speed,
                                     GCancellable      *cancellable,
                                     GError           **error);

/* The expected seconds of one epoch of info's network over n_samples digits. */
double   digits_train_speed_epoch   (const DigitsTrainSpeed *speed,
                                     const DigitsNetInfo    *info,
                                     guint                   n_samples,
                                     gboolean                augment);

/* A real epoch of info's network took epoch_seconds over n_samples digits: later
 * estimates follow it. */
void     digits_train_speed_learn   (DigitsTrainSpeed       *speed,
                                     const DigitsNetInfo    *info,
                                     guint                   n_samples,
                                     gboolean                augment,
                                     double                  epoch_seconds);

G_END_DECLS

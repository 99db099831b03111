/* digits-train-run.h — a training run on a thread of its own, reporting to the main loop.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "digits-trainer.h"

G_BEGIN_DECLS

/* A data set read once and shared between runs (and the evaluation after them). */
typedef struct
{
  char          *folder;
  DigitsDataset *train;
  DigitsDataset *test;     /* may be NULL */
} DigitsTrainData;

DigitsTrainData *digits_train_data_ref   (DigitsTrainData *data);
void             digits_train_data_unref (DigitsTrainData *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsTrainData, digits_train_data_unref)

#define DIGITS_TYPE_TRAIN_RUN (digits_train_run_get_type ())

G_DECLARE_FINAL_TYPE (DigitsTrainRun, digits_train_run, DIGITS, TRAIN_RUN, GObject)

/* One run: reads the MNIST-style data in @folder (unless @data, read before for that
 * folder, is given), trains on its first @subset items (0: all) and reports to the
 * thread-default main context of the caller, by signals:
 *   "loaded"                       the data is read, training starts;
 *   "progress" (progress, model)   a DigitsTrainProgress *, and a newer snapshot of the
 *                                  weights (a DigitsModel *) every 200 steps and after
 *                                  each epoch, else NULL; both valid during the emission;
 *   "finished"                     the thread has ended: see get_model and get_error.
 * The thread lowers its priority by @nice first (0: not), so that its trainer's worker
 * threads inherit it and a window drawing meanwhile keeps the CPU it needs. */
/* The nice value for training beside a window: the window always wins the CPU. */
#define DIGITS_TRAIN_NICE 10

/* Lowers the calling thread's priority by nice (0: not); on Linux the threads it creates
 * inherit it. */
void             digits_lower_thread_priority (int nice);

DigitsTrainRun  *digits_train_run_new        (const DigitsTrainConfig *config,
                                              const char              *folder,
                                              DigitsTrainData         *data,
                                              guint                    subset,
                                              const char              *dataset_name,
                                              int                      nice);
gboolean         digits_train_run_start      (DigitsTrainRun          *self,
                                              GError                 **error);
/* Asks the thread to stop after its current batch (reading the data cannot stop). */
void             digits_train_run_stop       (DigitsTrainRun          *self);
/* No more signals; the thread may go on reading the data unseen. */
void             digits_train_run_abandon    (DigitsTrainRun          *self);
/* Waits for the thread (after stop or abandon); the events it still had are dropped. */
void             digits_train_run_join       (DigitsTrainRun          *self);

gboolean         digits_train_run_is_loaded  (DigitsTrainRun          *self);
/* After "finished": the model trained so far (transfer full; NULL if no step was taken),
 * why the run ended early (G_IO_ERROR_CANCELLED after stop), the data it read. */
DigitsModel     *digits_train_run_take_model (DigitsTrainRun          *self);
const GError    *digits_train_run_get_error  (DigitsTrainRun          *self);
DigitsTrainData *digits_train_run_get_data   (DigitsTrainRun          *self);
/* When the thread ended (g_get_monotonic_time), or 0. */
gint64           digits_train_run_get_finished_time (DigitsTrainRun   *self);

G_END_DECLS

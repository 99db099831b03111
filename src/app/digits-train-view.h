/* digits-train-view.h — training a model inside the app: settings, live curves, results.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/digits-model.h"
#include "core/digits-trainer.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_TRAIN_VIEW (digits_train_view_get_type ())

G_DECLARE_FINAL_TYPE (DigitsTrainView, digits_train_view, DIGITS, TRAIN_VIEW, GtkWidget)

typedef enum {
  DIGITS_TRAIN_STATE_IDLE,        /* nothing trained, or the result was discarded */
  DIGITS_TRAIN_STATE_RUNNING,     /* reading data or training */
  DIGITS_TRAIN_STATE_STOPPED,     /* stopped by the user: keep or discard? */
  DIGITS_TRAIN_STATE_EVALUATING,  /* working out the confusion matrix */
  DIGITS_TRAIN_STATE_DONE,        /* a trained model to use, save or discard */
  DIGITS_TRAIN_STATE_FAILED,
} DigitsTrainState;

GtkWidget        *digits_train_view_new              (void);

/* Starts training with the settings shown; FALSE (with the reason shown) if it cannot. */
gboolean          digits_train_view_start            (DigitsTrainView *self);
/* Asks the training thread to stop after its current batch. */
void              digits_train_view_stop             (DigitsTrainView *self);
/* Train, or stop when training (Ctrl+T). */
void              digits_train_view_toggle           (DigitsTrainView *self);
/* After a stop: keep the partial model (then it is evaluated) or drop it. */
void              digits_train_view_keep             (DigitsTrainView *self);
void              digits_train_view_discard          (DigitsTrainView *self);

gboolean          digits_train_view_is_running       (DigitsTrainView *self);

/* Uses this folder of IDX files as the data set ("A folder"). */
void              digits_train_view_set_folder       (DigitsTrainView *self,
                                                      const char      *folder);
/* Looks again for the data (after a download, or files copied by hand). */
void              digits_train_view_refresh_data     (DigitsTrainView *self);
gboolean          digits_train_view_has_data         (DigitsTrainView *self);

/* Downloads MNIST into $XDG_DATA_HOME/digits/mnist (no-op without libsoup). */
void              digits_train_view_download         (DigitsTrainView *self);
void              digits_train_view_cancel_download  (DigitsTrainView *self);

/* Measures model (copied: the model in use) on the chosen data set's test set in a thread
 * (reading it first if need be), then shows its confusion matrix and mistakes as after
 * training. FALSE with error when it cannot start: no data (the page says where to get
 * it), training or measuring already, or a trained model not yet used or discarded. */
gboolean          digits_train_view_evaluate_model   (DigitsTrainView   *self,
                                                      const DigitsModel *model,
                                                      GError           **error);

/* What the window uses now, in words ("The built-in model, 98.98% on MNIST"). */
void              digits_train_view_set_model_in_use (DigitsTrainView *self,
                                                      const char      *description);

G_END_DECLS

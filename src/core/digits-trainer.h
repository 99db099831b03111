/* digits-trainer.h — training a DigitsModel on a data set, on any thread. */
#pragma once

#include <gio/gio.h>
#include "digits-dataset.h"
#include "digits-model.h"

G_BEGIN_DECLS

/* The app's default network on the Train page: an epoch in ≈ 6 s of CPU time per core
 * on 2 cores (AVX-512), 98.64% on the MNIST test set after one augmented epoch with the
 * defaults below. The built-in model's architecture is NN_SPEC_CNN ("cnn"). */
#define DIGITS_TRAIN_NET_APP "conv3x16,pool2,conv3x32,pool2,dense128"

typedef struct {
  /* The network as a spec string ("conv3x32,pool2,conv3x64,pool2,dense128", "mlp",
   * "cnn"; see nn_arch_parse). Empty: dense layers of the sizes in hidden[]. */
  char net[NN_SPEC_MAX];
  int hidden[NN_MAX_LAYERS - 1];
  int n_hidden;               /* default 2: 128, 128 */
  guint epochs;
  guint batch;
  NnOptConfig opt;
  guint64 seed;
  guint threads;              /* 0 = all cores */
  gboolean augment;           /* random shifts, rotations, scale, thickness */
  float elastic;              /* with augment: chance of an elastic distortion, 0–1 */
  /* The learning rate also falls along a half cosine to 0 over all epochs (see
   * NnOptConfig.anneal_steps; the trainer fills that in). */
  gboolean anneal;
  DigitsLabelSet labels;
} DigitsTrainConfig;

void digits_train_config_defaults (DigitsTrainConfig *config);

typedef enum {
  DIGITS_TRAIN_STEP,          /* a few times a second */
  DIGITS_TRAIN_EPOCH_DONE,    /* after each epoch, with test accuracy */
} DigitsTrainEvent;

typedef struct {
  DigitsTrainEvent event;
  guint epoch;                /* 1-based */
  guint epochs;
  guint64 step;               /* steps taken in all */
  guint64 steps_per_epoch;
  float loss;                 /* running mean of the epoch so far */
  float train_accuracy;       /* running fraction correct of the epoch so far */
  float test_accuracy;        /* EPOCH_DONE: on the test set; else NAN */
  double samples_per_second;
  double epoch_seconds;       /* EPOCH_DONE: training time of the epoch, evaluation excluded */
  double seconds_left;        /* estimate */
} DigitsTrainProgress;

typedef void (*DigitsTrainProgressFunc) (const DigitsTrainProgress *progress, gpointer user_data);

typedef struct _DigitsTrainer DigitsTrainer;

DigitsTrainer *digits_trainer_new (const DigitsTrainConfig *config,
                                   DigitsDataset           *train,   /* borrowed */
                                   DigitsDataset           *test,    /* borrowed, may be NULL */
                                   GError                 **error);
/* Fine-tuning: trains a copy of start's network (its architecture, not config's hidden
 * sizes) further; start is not changed. */
DigitsTrainer *digits_trainer_new_from_model (const DigitsTrainConfig *config,
                                              const DigitsModel       *start,  /* borrowed */
                                              DigitsDataset           *train,  /* borrowed */
                                              DigitsDataset           *test,   /* may be NULL */
                                              GError                 **error);
void           digits_trainer_free (DigitsTrainer *trainer);

/* Runs all epochs on the calling thread. progress is called on that thread.
 * Returns FALSE with G_IO_ERROR_CANCELLED when cancelled between batches;
 * the model trained so far stays available. */
gboolean digits_trainer_run (DigitsTrainer          *trainer,
                             DigitsTrainProgressFunc progress,
                             gpointer                user_data,
                             GCancellable           *cancellable,
                             GError                **error);

/* A copy of the newest weights, safe from any thread at any time. */
DigitsModel *digits_trainer_snapshot (DigitsTrainer *trainer);

/* Accuracy of a model on a data set; confusion (n_classes², row = truth) may be NULL. */
double digits_evaluate (const DigitsModel *model, const DigitsDataset *set, guint *confusion);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsTrainer, digits_trainer_free)

G_END_DECLS

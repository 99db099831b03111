/* digits-tune.h — fine-tuning a model on the person's own examples, mixed with MNIST so it
 * does not forget, with before/after accuracy on examples it did not train on.
 *
 * The held-out rule: in each class, with its examples in file-number order, every
 * hold_out_every-th one (the 5th, 10th, … by default) is kept out of training and measured
 * on. A class with fewer examples than that has none held out, so with very few examples
 * there may be nothing to measure on (the accuracies are then NAN). No cross-validation:
 * the figures always describe the model you get.
 *
 * The mix: the training set of an epoch is mnist_mix MNIST training digits (a seeded random
 * choice, the same every epoch) plus the person's training examples repeated so they make
 * about `share` of it; the trainer shuffles and augments all of it (digits_augment).
 * The result: the tuned weights blended with the start's, keep·start + (1 − keep)·tuned
 * (weight-space ensembling, "WiSE-FT"): the blend keeps most of what the person's digits
 * taught and forgets less MNIST than the tuned weights alone. Every snapshot and every
 * per-epoch figure is of the blend, the model the person gets.
 * The defaults were chosen on the writers of tests/handwriting: accuracy on the held-out
 * fifth of their teaching halves, and MNIST on the validation split (tune --validation).
 */
#pragma once

#include <gio/gio.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-trainer.h"

G_BEGIN_DECLS

typedef struct {
  guint epochs;            /* default 6 */
  guint batch;             /* default 64 */
  NnOptKind optimizer;     /* default NN_OPT_ADAM */
  float lr;                /* default 2e-4 (a tenth of training's) */
  guint mnist_mix;         /* MNIST digits mixed in, default 12,000; 0 = none */
  float share;             /* of the mix that is the person's examples, default 0.1 */
  guint hold_out_every;    /* default 5; 0 = hold nothing out */
  float keep;              /* of the start's weights blended into the result, 0 to <1 */
  gboolean average;        /* the result: the mean of the weights at each epoch's end */
  guint64 seed;            /* default 1 */
  guint threads;           /* 0 = all cores */
} DigitsTuneConfig;

void digits_tune_config_defaults (DigitsTuneConfig *config);

typedef struct {
  guint n_train;           /* the person's examples trained on */
  guint n_held_out;        /* and measured on */
  double samples_before;   /* fraction correct on the held-out examples, NAN if none */
  double samples_after;
  double mnist_before;     /* on the MNIST test set, NAN without one */
  double mnist_after;
  double mnist_changed;    /* MNIST digits answered differently from the start, NAN without */
} DigitsTuneResult;

typedef struct {
  DigitsTrainProgress train;   /* train.test_accuracy: on the MNIST test set */
  double samples_accuracy;     /* EPOCH_DONE: on the held-out examples; else NAN */
  double mnist_changed;        /* EPOCH_DONE: MNIST test digits answered unlike the start */
} DigitsTuneProgress;

typedef void (*DigitsTuneProgressFunc) (const DigitsTuneProgress *progress, gpointer user_data);

typedef struct _DigitsTuner DigitsTuner;

/* examples: the person's (digits_my_digits_load), in class then number order. mnist_train
 * and mnist_test may be NULL. All borrowed; start is copied. Measures "before" here. */
DigitsTuner *digits_tuner_new (const DigitsTuneConfig *config,
                               const DigitsModel      *start,
                               const DigitsDataset    *examples,
                               const DigitsDataset    *mnist_train,
                               DigitsDataset          *mnist_test,
                               GError                **error);
void         digits_tuner_free (DigitsTuner *tuner);

/* Runs every epoch on the calling thread; progress is called on it. Cancelled between
 * batches with G_IO_ERROR_CANCELLED; the weights so far stay in the snapshot. */
gboolean digits_tuner_run (DigitsTuner           *tuner,
                           DigitsTuneProgressFunc progress,
                           gpointer               user_data,
                           GCancellable          *cancellable,
                           GError               **error);

/* The newest weights, safe from any thread at any time. */
DigitsModel *digits_tuner_snapshot (DigitsTuner *tuner);

/* Before is known from digits_tuner_new, after once digits_tuner_run succeeded. */
const DigitsTuneResult *digits_tuner_get_result (const DigitsTuner *tuner);

/* The training mix's size in items, and its bytes (for bounding memory in tests). */
guint  digits_tuner_mix_size  (const DigitsTuner *tuner);
gsize  digits_tuner_mix_bytes (const DigitsTuner *tuner);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsTuner, digits_tuner_free)

G_END_DECLS

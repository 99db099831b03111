/* digits-trainer.c — epochs of shuffled mini-batches on any thread, with progress,
 * cancellation between batches and weight snapshots for the UI.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-augment.h"
#include "digits-preprocess.h"
#include "digits-trainer.h"

#define PROGRESS_INTERVAL_US  (G_USEC_PER_SEC / 5)   /* progress at most 5 times a second */
#define SNAPSHOT_INTERVAL     200                     /* steps between weight snapshots */
#define EVAL_CHUNK            1024

struct _DigitsTrainer
{
  DigitsTrainConfig config;
  DigitsDataset *train;     /* borrowed */
  DigitsDataset *test;      /* borrowed, may be NULL */

  NnNet *net;               /* being trained, touched only by the running thread */
  NnTrainer *nn;
  NnRng rng;
  guint epochs_done;

  GMutex lock;              /* guards snapshot */
  NnNet *snapshot;
  guint64 snapshot_step;
  double snapshot_accuracy;
  float snapshot_scale;     /* the logit scale folded into the snapshot; 0: none */
};

/* Digits a smoothed run's logit scale is fitted on (the first of the training set). */
#define CALIBRATION_DIGITS 10000

void
digits_train_config_defaults (DigitsTrainConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->n_hidden = 2;
  config->hidden[0] = 128;
  config->hidden[1] = 128;
  config->epochs = 30;
  config->batch = 64;
  nn_opt_config_defaults (&config->opt, NN_OPT_ADAM);
  config->opt.lr = 2e-3f;
  config->opt.decay = 1e-4f;
  config->seed = 1;
  config->threads = 0;
  config->augment = TRUE;
  config->labels = DIGITS_LABELS_DIGITS;
}

/* The batch a run uses (no larger than the set) and the steps of one epoch. */
static guint64
steps_per_epoch (guint batch, guint n, guint *used_batch)
{
  guint b = MIN (batch, n);

  if (used_batch != NULL)
    *used_batch = b;
  return (n + b - 1) / b;
}

static gboolean
check_dataset (const DigitsDataset *set, const char *what, GError **error)
{
  if (set->rows * set->cols != DIGITS_PIXELS)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("The %s set holds %u×%u images; Digits trains on 28×28 images"),
                   what, set->rows, set->cols);
      return FALSE;
    }
  if (set->n_classes != 10)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("The %s set has %u classes; Digits trains on 10"), what, set->n_classes);
      return FALSE;
    }
  return TRUE;
}

/* The architecture config names: its spec string, or else its hidden layer sizes. */
static gboolean
resolve_arch (const DigitsTrainConfig *config, guint n_classes, NnArch *arch, GError **error)
{
  int sizes[NN_MAX_LAYERS + 1];
  int n_sizes = 0;

  if (config->net[0] != '\0')
    {
      char err[256];

      if (nn_arch_parse (config->net, 1, DIGITS_SIDE, DIGITS_SIDE, (int) n_classes,
                         arch, err, sizeof err) != 0)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, _("Network “%s”: %s"),
                       config->net, err);
          return FALSE;
        }
      return TRUE;
    }

  sizes[n_sizes++] = DIGITS_PIXELS;
  if (config->n_hidden < 0 || config->n_hidden > NN_MAX_LAYERS - 1)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Digits supports at most %d hidden layers"), NN_MAX_LAYERS - 1);
      return FALSE;
    }
  for (int i = 0; i < config->n_hidden; i++)
    sizes[n_sizes++] = config->hidden[i];
  sizes[n_sizes++] = (int) n_classes;
  if (nn_arch_from_sizes (sizes, n_sizes, 1, DIGITS_SIDE, DIGITS_SIDE, arch) != 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Hidden layers must have between 1 and %d units"), NN_MAX_WIDTH);
      return FALSE;
    }
  return TRUE;
}

/* start: the weights to begin from (fine-tuning), or NULL for a new He-initialised net
 * of config's architecture. */
static DigitsTrainer *
trainer_new (const DigitsTrainConfig *config,
             const NnNet             *start,
             DigitsDataset           *train,
             DigitsDataset           *test,
             GError                 **error)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (train != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_dataset (train, _("training"), error))
    return NULL;
  if (test != NULL && !check_dataset (test, _("test"), error))
    return NULL;
  if (train->n == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("The training set is empty"));
      return NULL;
    }
  if (config->batch < 1 || config->batch > 4096)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("Batch size %u is out of range (1 to 4096)"), config->batch);
      return NULL;
    }
  if (!(config->opt.lr > 0.0f) || !isfinite (config->opt.lr))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("The learning rate must be a positive number"));
      return NULL;
    }

  NnArch arch;
  /* Fine-tuning: the architecture is the starting net's. */
  if (start == NULL && !resolve_arch (config, train->n_classes, &arch, error))
    return NULL;

  g_autoptr(DigitsTrainer) self = g_new0 (DigitsTrainer, 1);
  self->config = *config;
  self->train = train;
  self->test = test;
  g_mutex_init (&self->lock);

  self->net = start != NULL ? nn_net_copy (start) : nn_net_new_arch (&arch);
  if (self->net == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("Not enough memory for the network"));
      return NULL;
    }
  if (start == NULL)
    nn_net_init_he (self->net, config->seed);
  nn_rng_seed (&self->rng, config->seed, 0x5eedu);

  guint threads = config->threads ? config->threads : g_get_num_processors ();
  if (config->anneal)
    self->config.opt.anneal_steps = config->epochs * steps_per_epoch (config->batch, train->n,
                                                                      NULL);
  self->nn = nn_trainer_new (self->net, &self->config.opt, (int) config->batch, (int) threads);
  self->snapshot = nn_net_copy (self->net);
  if (self->nn == NULL || self->snapshot == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("Not enough memory for training"));
      return NULL;
    }
  self->snapshot_accuracy = NAN;

  return g_steal_pointer (&self);
}

DigitsTrainer *
digits_trainer_new (const DigitsTrainConfig *config,
                    DigitsDataset           *train,
                    DigitsDataset           *test,
                    GError                 **error)
{
  return trainer_new (config, NULL, train, test, error);
}

DigitsTrainer *
digits_trainer_new_from_model (const DigitsTrainConfig *config,
                               const DigitsModel       *start,
                               DigitsDataset           *train,
                               DigitsDataset           *test,
                               GError                 **error)
{
  g_return_val_if_fail (start != NULL, NULL);

  if (start->net->sizes[0] != DIGITS_PIXELS
      || start->net->sizes[start->net->n_layers] != (int) train->n_classes)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("The model does not fit the training set (different input size "
                             "or number of classes)"));
      return NULL;
    }
  return trainer_new (config, start->net, train, test, error);
}

void
digits_trainer_free (DigitsTrainer *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->nn, nn_trainer_free);
  g_clear_pointer (&self->net, nn_net_free);
  g_clear_pointer (&self->snapshot, nn_net_free);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static void
publish_snapshot (DigitsTrainer *self, guint64 step)
{
  g_mutex_lock (&self->lock);
  nn_net_copy_into (self->snapshot, self->net);
  self->snapshot_step = step;
  self->snapshot_scale = 0.0f;
  g_mutex_unlock (&self->lock);
}

static DigitsModel *
model_for_net (const DigitsTrainer *self, NnNet *net)
{
  DigitsModel *model = digits_model_new (net, self->config.labels);
  const NnOptConfig *opt = &self->config.opt;
  char buf[64];

  digits_model_set_meta (model, "optimizer", nn_opt_kind_to_string (opt->kind));
  g_snprintf (buf, sizeof buf, "%g", opt->lr);
  digits_model_set_meta (model, "lr", buf);
  /* With lr alone a run could not be repeated: the schedule is lr / (1 + decay × step). */
  g_snprintf (buf, sizeof buf, "%g", opt->decay);
  digits_model_set_meta (model, "decay", buf);
  g_snprintf (buf, sizeof buf, "%u", self->config.batch);
  digits_model_set_meta (model, "batch", buf);
  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, self->config.seed);
  digits_model_set_meta (model, "seed", buf);
  digits_model_set_meta (model, "augment", self->config.augment ? "yes" : "no");
  if (self->config.augment && self->config.elastic > 0)
    {
      g_snprintf (buf, sizeof buf, "%g", self->config.elastic);
      digits_model_set_meta (model, "elastic", buf);
    }
  if (opt->smooth > 0)
    {
      g_snprintf (buf, sizeof buf, "%g", opt->smooth);
      digits_model_set_meta (model, "smooth", buf);
    }
  if (self->config.anneal)
    digits_model_set_meta (model, "schedule", "cosine");
  return model;
}

DigitsModel *
digits_trainer_snapshot (DigitsTrainer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  NnNet *copy = nn_net_copy (self->snapshot);
  double accuracy = self->snapshot_accuracy;
  guint epochs = self->epochs_done;
  float scale = self->snapshot_scale;
  g_mutex_unlock (&self->lock);

  if (copy == NULL)
    return NULL;

  DigitsModel *model = model_for_net (self, copy);
  char buf[32];
  g_snprintf (buf, sizeof buf, "%u", epochs);
  digits_model_set_meta (model, "epochs", buf);
  if (!isnan (accuracy))
    {
      g_snprintf (buf, sizeof buf, "%.4f", accuracy);
      digits_model_set_meta (model, "test_accuracy", buf);
    }
  if (scale > 0.0f)
    {
      g_snprintf (buf, sizeof buf, "%.4g", scale);
      digits_model_set_meta (model, "logit_scale", buf);
    }
  return model;
}

double
digits_evaluate (const DigitsModel *model, const DigitsDataset *set, guint *confusion)
{
  g_return_val_if_fail (model != NULL && set != NULL, NAN);

  const int n_classes = model->net->sizes[model->net->n_layers];
  const guint pixels = set->rows * set->cols;
  guint correct = 0;

  if (set->n == 0 || (int) pixels != model->net->sizes[0])
    return NAN;
  if (confusion != NULL)
    memset (confusion, 0, sizeof (guint) * (gsize) n_classes * (gsize) n_classes);

  g_autofree float *probs = g_new (float, (gsize) EVAL_CHUNK * (gsize) n_classes);
  for (guint start = 0; start < set->n; start += EVAL_CHUNK)
    {
      guint n = MIN (EVAL_CHUNK, set->n - start);
      if (nn_net_forward_u8 (model->net, set->images + (gsize) start * pixels, n, probs) != 0)
        return NAN;
      for (guint i = 0; i < n; i++)
        {
          int guess = nn_argmax (probs + (gsize) i * n_classes, n_classes);
          int truth = set->labels[start + i];
          correct += guess == truth;
          if (confusion != NULL && truth < n_classes)
            confusion[truth * n_classes + guess]++;
        }
    }
  return (double) correct / set->n;
}

static void
fill_batch (DigitsTrainer        *self,
            const guint32        *order,
            guint                 count,
            const DigitsAugmentConfig *augment,
            guint8               *x,
            guint8               *labels)
{
  const DigitsDataset *set = self->train;

  for (guint i = 0; i < count; i++)
    {
      const guint8 *src = set->images + (gsize) order[i] * DIGITS_PIXELS;
      guint8 flagged[DIGITS_PIXELS];

      if (augment != NULL && set->labels[order[i]] == 1
          && self->config.labels == DIGITS_LABELS_DIGITS)
        {
          memcpy (flagged, src, DIGITS_PIXELS);
          digits_augment_one (augment, &self->rng, flagged, DIGITS_SIDE);
          src = flagged;
        }
      if (augment != NULL)
        digits_augment (augment, &self->rng, src, x + (gsize) i * DIGITS_PIXELS, DIGITS_SIDE);
      else
        memcpy (x + (gsize) i * DIGITS_PIXELS, src, DIGITS_PIXELS);
      labels[i] = set->labels[order[i]];
    }
}

/* What a run carries from step to step and from epoch to epoch. */
typedef struct {
  DigitsTrainProgressFunc progress;
  gpointer user_data;
  guint batch;
  guint64 steps_per_epoch;
  DigitsAugmentConfig augment;
  guint32 *order;
  guint8 *x, *labels;
  double train_seconds_total;     /* of the epochs finished */
  guint64 samples_total;
  gint64 last_report;
  /* the epoch under way */
  guint epoch;
  gint64 epoch_start;
  double loss_sum;
  guint64 correct, seen;
} Run;

/* At most every PROGRESS_INTERVAL_US, how the epoch goes and how long is left. */
static void
report_step (const DigitsTrainer *self, Run *run, guint64 step)
{
  const guint n = self->train->n;
  gint64 now = g_get_monotonic_time ();
  double elapsed, rate;

  if (run->progress == NULL || now - run->last_report < PROGRESS_INTERVAL_US)
    return;

  elapsed = (now - run->epoch_start) / (double) G_USEC_PER_SEC;
  rate = (run->samples_total + run->seen) / (run->train_seconds_total + elapsed + 1e-9);
  DigitsTrainProgress p = {
    .event = DIGITS_TRAIN_STEP,
    .epoch = run->epoch,
    .epochs = self->config.epochs,
    .step = step,
    .steps_per_epoch = run->steps_per_epoch,
    .loss = (float) (run->loss_sum / run->seen),
    .train_accuracy = (float) run->correct / run->seen,
    .test_accuracy = NAN,
    .samples_per_second = rate,
    .epoch_seconds = elapsed,
    .seconds_left = ((guint64) (self->config.epochs - run->epoch) * n + (n - run->seen)) / rate,
  };
  run->last_report = now;
  run->progress (&p, run->user_data);
}

/* One pass over the shuffled training set; FALSE when cancelled or diverged. */
static gboolean
train_epoch (DigitsTrainer *self, Run *run, GCancellable *cancellable, GError **error)
{
  const guint n = self->train->n;

  for (guint64 s = 0; s < run->steps_per_epoch; s++)
    {
      guint start = (guint) (s * run->batch);
      guint count = MIN (run->batch, n - start);
      int n_correct = 0;
      float loss;
      guint64 step;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          publish_snapshot (self, nn_trainer_steps_taken (self->nn));
          return FALSE;
        }

      fill_batch (self, run->order + start, count,
                  self->config.augment ? &run->augment : NULL, run->x, run->labels);
      loss = nn_trainer_step (self->nn, run->x, run->labels, (int) count, &n_correct);
      if (!isfinite (loss))
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("Training diverged (the loss became %f) in epoch %u; "
                         "try a smaller learning rate"), loss, run->epoch);
          return FALSE;
        }
      run->loss_sum += (double) loss * count;
      run->correct += (guint64) n_correct;
      run->seen += count;

      step = nn_trainer_steps_taken (self->nn);
      if (step % SNAPSHOT_INTERVAL == 0)
        publish_snapshot (self, step);
      report_step (self, run, step);
    }
  return TRUE;
}

/* The epoch's snapshot published and measured on the test set, and reported. */
static void
end_epoch (DigitsTrainer *self, Run *run)
{
  const DigitsTrainConfig *config = &self->config;
  double epoch_seconds = (g_get_monotonic_time () - run->epoch_start) / (double) G_USEC_PER_SEC;
  double test_accuracy = NAN;

  run->train_seconds_total += epoch_seconds;
  run->samples_total += run->seen;
  publish_snapshot (self, nn_trainer_steps_taken (self->nn));

  if (self->test != NULL)
    {
      /* The snapshot is a consistent copy; evaluate on it without holding the lock
       * for long, since only this thread replaces the snapshot's contents. */
      DigitsModel view = { .net = self->snapshot, .labels = config->labels };
      test_accuracy = digits_evaluate (&view, self->test, NULL);
    }

  g_mutex_lock (&self->lock);
  self->epochs_done = run->epoch;
  self->snapshot_accuracy = test_accuracy;
  g_mutex_unlock (&self->lock);

  if (run->progress != NULL)
    {
      double rate = run->samples_total / (run->train_seconds_total + 1e-9);
      DigitsTrainProgress p = {
        .event = DIGITS_TRAIN_EPOCH_DONE,
        .epoch = run->epoch,
        .epochs = config->epochs,
        .step = nn_trainer_steps_taken (self->nn),
        .steps_per_epoch = run->steps_per_epoch,
        .loss = (float) (run->loss_sum / MAX (run->seen, 1)),
        .train_accuracy = (float) run->correct / MAX (run->seen, 1),
        .test_accuracy = (float) test_accuracy,
        .samples_per_second = rate,
        .epoch_seconds = epoch_seconds,
        .seconds_left = (double) (config->epochs - run->epoch) * self->train->n / rate,
      };
      run->progress (&p, run->user_data);
    }
}

/* Label smoothing teaches the network to stay ~(1 − s) sure of even a perfect digit: the
 * snapshot handed out (the trained net, as the last epoch published it) gets its logits
 * scaled to what the training digits support (nn_net_fit_logit_scale; every answer stays
 * the same), once. The network being trained keeps its own, so a resumed run goes on from
 * where it was. Without memory for the fit the snapshot stays as trained. */
static void
calibrate_snapshot (DigitsTrainer *self)
{
  guint n = MIN (self->train->n, CALIBRATION_DIGITS);
  float scale;

  if (nn_net_fit_logit_scale (self->net, self->train->images, self->train->labels, n,
                              &scale) != 0)
    return;
  g_mutex_lock (&self->lock);
  if (self->snapshot_scale == 0.0f)
    {
      nn_net_scale_logits (self->snapshot, scale);
      self->snapshot_scale = scale;
    }
  g_mutex_unlock (&self->lock);
}

gboolean
digits_trainer_run (DigitsTrainer          *self,
                    DigitsTrainProgressFunc progress,
                    gpointer                user_data,
                    GCancellable           *cancellable,
                    GError                **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  const guint n = self->train->n;
  guint batch;
  const guint64 steps = steps_per_epoch (self->config.batch, n, &batch);
  g_autofree guint32 *order = g_new (guint32, n);
  g_autofree guint8 *x = g_new (guint8, (gsize) batch * DIGITS_PIXELS);
  g_autofree guint8 *labels = g_new (guint8, batch);
  Run run = {
    .progress = progress, .user_data = user_data,
    .batch = batch, .steps_per_epoch = steps,
    .order = order, .x = x, .labels = labels,
    .last_report = g_get_monotonic_time (),
  };

  digits_augment_config_defaults (&run.augment);
  run.augment.elastic_prob = self->config.elastic;
  for (guint i = 0; i < n; i++)
    order[i] = i;

  for (guint epoch = self->epochs_done + 1; epoch <= self->config.epochs; epoch++)
    {
      run.epoch = epoch;
      run.epoch_start = g_get_monotonic_time ();
      run.loss_sum = 0;
      run.correct = run.seen = 0;
      nn_rng_shuffle (&self->rng, order, n);

      if (!train_epoch (self, &run, cancellable, error))
        return FALSE;
      end_epoch (self, &run);
    }

  if (self->config.opt.smooth > 0.0f)
    calibrate_snapshot (self);
  return TRUE;
}

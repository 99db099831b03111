/* digits-tune.c — fine-tuning on the person's examples (see digits-tune.h): the split, the
 * mix with MNIST, and before/after measurements around an ordinary DigitsTrainer run.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-evaluation.h"
#include "digits-preprocess.h"
#include "digits-tune.h"

/* The person's examples are repeated at most this often in a mix: with a handful of
 * examples a larger share would only be the same few digits over and over. */
#define MAX_REPEAT 400u

struct _DigitsTuner
{
  DigitsTuneConfig config;
  DigitsModel *start;
  DigitsDataset *held_out;      /* the person's, measured on */
  DigitsDataset *mix;           /* what the trainer trains on */
  DigitsDataset *mnist_test;    /* borrowed, may be NULL */
  guint8 *start_answers;        /* the start's answer to each MNIST test digit */
  GMutex lock;                  /* guards sum and n_sum */
  double *sum;                  /* average: the weights at each epoch's end, summed */
  guint n_sum;
  gint mnist_now;               /* the blend's newest MNIST accuracy ×10⁴, -1 unknown; atomic */
  gboolean scored;              /* an epoch's end of this run measured the final weights */
  double last_samples, last_mnist, last_changed;   /* what it measured */
  DigitsTrainer *trainer;
  DigitsTuneResult result;
  DigitsTuneProgressFunc progress;
  gpointer progress_data;
};

void
digits_tune_config_defaults (DigitsTuneConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->epochs = 6;
  config->batch = 64;
  config->optimizer = NN_OPT_ADAM;
  /* 1e-4 for the convolutional built-in: at 2e-4 its MNIST accuracy fell 0.3–0.4 points on
   * the writers' teaching halves (tune --validation), at 1e-4 0.18. */
  config->lr = 1e-4f;
  config->mnist_mix = 12000;
  config->share = 0.1f;
  config->hold_out_every = 5;
  config->seed = 1;
  config->keep = 0.0f;
  config->average = FALSE;
}

static gboolean
is_held_out (const DigitsTuneConfig *config, guint class_total, guint index_in_class)
{
  return config->hold_out_every > 0 && class_total >= config->hold_out_every
         && (index_in_class + 1) % config->hold_out_every == 0;
}

/* Splits the examples into training and held-out sets, in their order. */
static void
split_examples (const DigitsTuneConfig *config, const DigitsDataset *examples,
                DigitsDataset **train, DigitsDataset **held)
{
  guint totals[256] = { 0 }, seen[256] = { 0 };
  guint n_held = 0, t = 0, h = 0;

  for (guint i = 0; i < examples->n; i++)
    totals[examples->labels[i]]++;
  for (guint i = 0; i < examples->n; i++)
    {
      guint c = examples->labels[i];
      n_held += is_held_out (config, totals[c], seen[c]++);
    }
  *train = digits_dataset_new (examples->n - n_held, DIGITS_SIDE, DIGITS_SIDE, 10);
  *held = digits_dataset_new (n_held, DIGITS_SIDE, DIGITS_SIDE, 10);
  memset (seen, 0, sizeof seen);
  for (guint i = 0; i < examples->n; i++)
    {
      guint c = examples->labels[i];
      DigitsDataset *to = is_held_out (config, totals[c], seen[c]++) ? *held : *train;
      guint k = to == *held ? h++ : t++;

      memcpy (to->images + (gsize) k * DIGITS_PIXELS,
              examples->images + (gsize) i * DIGITS_PIXELS, DIGITS_PIXELS);
      to->labels[k] = (guint8) c;
    }
}

/* MNIST digits chosen at random (seeded) plus the person's, repeated to make their share. */
static DigitsDataset *
make_mix (const DigitsTuneConfig *config, const DigitsDataset *own,
          const DigitsDataset *mnist)
{
  guint n_mnist = mnist != NULL ? MIN (config->mnist_mix, mnist->n) : 0;
  guint repeat = 1;
  DigitsDataset *mix;
  NnRng rng;

  if (n_mnist > 0)
    {
      double share = CLAMP (config->share, 0.01, 0.99);
      double want = share / (1.0 - share) * n_mnist / own->n;
      repeat = (guint) CLAMP (lround (want), 1, (long) MAX_REPEAT);
    }
  mix = digits_dataset_new (n_mnist + repeat * own->n, DIGITS_SIDE, DIGITS_SIDE, 10);

  if (n_mnist > 0)
    {
      g_autofree guint32 *order = g_new (guint32, mnist->n);

      for (guint i = 0; i < mnist->n; i++)
        order[i] = i;
      nn_rng_seed (&rng, config->seed, 0x6d69u);
      nn_rng_shuffle (&rng, order, mnist->n);
      for (guint i = 0; i < n_mnist; i++)
        {
          memcpy (mix->images + (gsize) i * DIGITS_PIXELS,
                  mnist->images + (gsize) order[i] * DIGITS_PIXELS, DIGITS_PIXELS);
          mix->labels[i] = mnist->labels[order[i]];
        }
    }
  for (guint r = 0; r < repeat; r++)
    {
      gsize at = n_mnist + (gsize) r * own->n;

      memcpy (mix->images + at * DIGITS_PIXELS, own->images, (gsize) own->n * DIGITS_PIXELS);
      memcpy (mix->labels + at, own->labels, own->n);
    }
  return mix;
}

static double
evaluate_or_nan (const DigitsModel *model, const DigitsDataset *set)
{
  return set != NULL && set->n > 0 ? digits_evaluate (model, set, NULL) : NAN;
}

/* Accuracy on set, and each digit's answer into answers (set->n bytes); NAN if empty or
 * the model does not fit the set. */
static double
answer_all (const DigitsModel *model, const DigitsDataset *set, guint8 *answers)
{
  g_autoptr(DigitsEvaluation) evaluation = NULL;

  if (set->n == 0)
    return NAN;
  evaluation = digits_evaluation_run (model, set, NULL, NULL);
  if (evaluation == NULL)
    return NAN;
  for (guint i = 0; i < set->n; i++)
    answers[i] = digits_evaluation_get_verdict (evaluation, i)->answer;
  return digits_evaluation_get_accuracy (evaluation);
}

/* MNIST accuracy of model, and the fraction of digits it answers unlike the start. */
static double
measure_mnist (const DigitsTuner *self, const DigitsModel *model, double *changed)
{
  guint n_changed = 0;
  double accuracy;

  *changed = NAN;
  if (self->mnist_test == NULL || self->mnist_test->n == 0)
    return NAN;
  g_autofree guint8 *answers = g_malloc (self->mnist_test->n);
  accuracy = answer_all (model, self->mnist_test, answers);
  if (isnan (accuracy))
    return NAN;
  for (guint i = 0; i < self->mnist_test->n; i++)
    n_changed += answers[i] != self->start_answers[i];
  *changed = (double) n_changed / self->mnist_test->n;
  return accuracy;
}

static void
note_mnist (DigitsTuner *self, double accuracy)
{
  if (!isnan (accuracy))
    g_atomic_int_set (&self->mnist_now, (gint) lround (accuracy * 10000.0));
}

/* average: adds the weights at an epoch's end (now, the trainer's) to the sum. */
static void
add_to_average (DigitsTuner *self, const DigitsModel *now)
{
  const size_t n = now->net->n_params;

  g_mutex_lock (&self->lock);
  if (self->sum == NULL)
    self->sum = g_new0 (double, n);
  for (size_t i = 0; i < n; i++)
    self->sum[i] += now->net->params[i];
  self->n_sum++;
  g_mutex_unlock (&self->lock);
}

/* average: the mean so far in place of the newest weights (those until an epoch ends). */
static void
use_average (DigitsTuner *self, DigitsModel *model)
{
  g_mutex_lock (&self->lock);
  if (self->n_sum > 0)
    for (size_t i = 0; i < model->net->n_params; i++)
      model->net->params[i] = (float) (self->sum[i] / self->n_sum);
  g_mutex_unlock (&self->lock);
}

/* keep·start + (1 − keep)·tuned, in place; both nets have the same architecture. */
static void
blend_with_start (const DigitsTuner *self, DigitsModel *tuned)
{
  const float keep = self->config.keep;
  const float *w0 = self->start->net->params;
  float *w = tuned->net->params;

  if (keep <= 0.0f)
    return;
  for (size_t i = 0; i < tuned->net->n_params; i++)
    w[i] = keep * w0[i] + (1.0f - keep) * w[i];
}

/* The trainer's weights made the tuner's: averaged, then blended with the start. */
static void
finish_weights (DigitsTuner *self, DigitsModel *model)
{
  if (self->config.average)
    use_average (self, model);
  blend_with_start (self, model);
}

/* Measures the tuner's weights on the held-out examples and MNIST. */
static void
score (DigitsTuner *self, const DigitsModel *model)
{
  self->last_samples = evaluate_or_nan (model, self->held_out);
  self->last_mnist = measure_mnist (self, model, &self->last_changed);
  self->scored = TRUE;
  note_mnist (self, self->last_mnist);
}

DigitsTuner *
digits_tuner_new (const DigitsTuneConfig *config,
                  const DigitsModel      *start,
                  const DigitsDataset    *examples,
                  const DigitsDataset    *mnist_train,
                  DigitsDataset          *mnist_test,
                  GError                **error)
{
  g_autoptr(DigitsDataset) own = NULL;
  DigitsTrainConfig train_config;

  g_return_val_if_fail (config != NULL && start != NULL && examples != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (examples->rows * examples->cols != DIGITS_PIXELS
      || (mnist_train != NULL && mnist_train->rows * mnist_train->cols != DIGITS_PIXELS))
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("Fine-tuning needs 28×28 digits"));
      return NULL;
    }
  if (config->epochs < 1 || config->epochs > 1000)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("%u epochs is out of range (1 to 1000)"), config->epochs);
      return NULL;
    }
  if (!(config->keep >= 0.0f && config->keep < 1.0f))
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("A share of %.2f of the start's weights is out of range (0 to below 1)"),
                   config->keep);
      return NULL;
    }

  g_autoptr(DigitsTuner) self = g_new0 (DigitsTuner, 1);
  self->config = *config;
  self->mnist_test = mnist_test;
  self->mnist_now = -1;
  g_mutex_init (&self->lock);
  self->start = digits_model_copy (start);
  split_examples (config, examples, &own, &self->held_out);
  if (own->n == 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                           _("There are no examples of your digits to learn from"));
      return NULL;
    }
  self->mix = make_mix (config, own, mnist_train);

  digits_train_config_defaults (&train_config);
  train_config.epochs = config->epochs;
  train_config.batch = config->batch;
  nn_opt_config_defaults (&train_config.opt, config->optimizer);
  train_config.opt.lr = config->lr;
  train_config.opt.decay = 0;
  train_config.seed = config->seed;
  train_config.threads = config->threads;
  train_config.augment = TRUE;
  train_config.labels = start->labels;
  /* No test set for the trainer: each epoch's figures are of the blend (train_progress_cb). */
  self->trainer = digits_trainer_new_from_model (&train_config, start, self->mix, NULL, error);
  if (self->trainer == NULL)
    return NULL;

  self->result.n_train = own->n;
  self->result.n_held_out = self->held_out->n;
  self->result.samples_before = evaluate_or_nan (start, self->held_out);
  if (mnist_test != NULL && mnist_test->n > 0)
    {
      self->start_answers = g_malloc (mnist_test->n);
      self->result.mnist_before = answer_all (start, mnist_test, self->start_answers);
    }
  else
    self->result.mnist_before = NAN;
  self->result.mnist_changed = NAN;
  self->result.samples_after = NAN;
  self->result.mnist_after = NAN;
  return g_steal_pointer (&self);
}

void
digits_tuner_free (DigitsTuner *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->trainer, digits_trainer_free);
  g_clear_pointer (&self->mix, digits_dataset_free);
  g_clear_pointer (&self->held_out, digits_dataset_free);
  g_clear_pointer (&self->start, digits_model_free);
  g_free (self->start_answers);
  g_free (self->sum);
  g_mutex_clear (&self->lock);
  g_free (self);
}

DigitsModel *
digits_tuner_snapshot (DigitsTuner *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  DigitsModel *model = digits_trainer_snapshot (self->trainer);
  char buf[32];

  if (model == NULL)
    return NULL;
  finish_weights (self, model);
  if (g_atomic_int_get (&self->mnist_now) >= 0)
    {
      g_snprintf (buf, sizeof buf, "%.4f", g_atomic_int_get (&self->mnist_now) / 10000.0);
      digits_model_set_meta (model, "test_accuracy", buf);
    }
  /* Where it came from: the start's data set, then the person's examples. */
  g_snprintf (buf, sizeof buf, "%u", self->result.n_train);
  digits_model_set_meta (model, "tuned_on_examples", buf);
  digits_model_set_meta (model, "dataset",
                         digits_model_get_meta (self->start, "dataset") != NULL
                         ? digits_model_get_meta (self->start, "dataset") : "mnist");
  return model;
}

static void
train_progress_cb (const DigitsTrainProgress *train, gpointer user_data)
{
  DigitsTuner *self = user_data;
  DigitsTuneProgress p = { .train = *train, .samples_accuracy = NAN, .mnist_changed = NAN };

  if (train->event == DIGITS_TRAIN_EPOCH_DONE)
    {
      /* One copy of the weights serves the average and the measurement. */
      g_autoptr(DigitsModel) now = digits_trainer_snapshot (self->trainer);

      if (self->config.average)
        add_to_average (self, now);
      finish_weights (self, now);
      score (self, now);
      p.samples_accuracy = self->last_samples;
      p.train.test_accuracy = (float) self->last_mnist;
      p.mnist_changed = self->last_changed;
    }
  if (self->progress != NULL)
    self->progress (&p, self->progress_data);
}

gboolean
digits_tuner_run (DigitsTuner           *self,
                  DigitsTuneProgressFunc progress,
                  gpointer               user_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->progress = progress;
  self->progress_data = user_data;
  self->scored = FALSE;
  if (!digits_trainer_run (self->trainer, train_progress_cb, self, cancellable, error))
    return FALSE;

  /* The last epoch's end measured the weights the run ends with: measured again only
   * when no epoch ran. */
  if (!self->scored)
    {
      g_autoptr(DigitsModel) after = digits_trainer_snapshot (self->trainer);

      finish_weights (self, after);
      score (self, after);
    }
  self->result.samples_after = self->last_samples;
  self->result.mnist_after = self->last_mnist;
  self->result.mnist_changed = self->last_changed;
  return TRUE;
}

const DigitsTuneResult *
digits_tuner_get_result (const DigitsTuner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->result;
}

guint
digits_tuner_mix_size (const DigitsTuner *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->mix->n;
}

gsize
digits_tuner_mix_bytes (const DigitsTuner *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (gsize) self->mix->n * (DIGITS_PIXELS + 1);
}

/* digits-train-view-progress.c — a run as it goes: progress, curves, the epoch log, and
 * the results (test accuracy and confusion matrix) when it is done.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "digits-train-view-private.h"

#define CURVE_SMOOTHING     40.0   /* steps */

static char *
format_duration (double seconds)
{
  if (!isfinite (seconds) || seconds < 0)
    return g_strdup ("");

  if (seconds < 5)
    return g_strdup (_("Almost done"));

  if (seconds < 90)
    {
      int s = (int) lround (seconds);

      /* TRANSLATORS: time left for training */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About %d second left",
                                           "About %d seconds left", s), s);
    }

  if (seconds < 90 * 60)
    {
      int m = (int) lround (seconds / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About %d minute left",
                                           "About %d minutes left", m), m);
    }

  {
    int h = (int) lround (seconds / 3600);

    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About %d hour left",
                                         "About %d hours left", h), h);
  }
}

static const char *
get_class_name (DigitsTrainView *self,
                guint            k)
{
  if (self->model != NULL)
    return digits_model_class_name (self->model, (int) k);

  return NULL;
}

static guint64
step_in_epoch (const DigitsTrainProgress *p)
{
  if (p->epoch == 0)
    return 0;
  if (p->event == DIGITS_TRAIN_EPOCH_DONE)
    return p->steps_per_epoch;

  return p->step - (guint64) (p->epoch - 1) * p->steps_per_epoch;
}

static void
show_progress (DigitsTrainView           *self,
               const DigitsTrainProgress *p)
{
  guint64 total_steps = p->steps_per_epoch * p->epochs;
  guint64 steps = step_in_epoch (p);
  double fraction = total_steps > 0 ? (double) p->step / total_steps : 0.0;
  int percent = (int) floor (CLAMP (fraction, 0.0, 1.0) * 100.0);
  g_autofree char *text = NULL;
  g_autofree char *speed = NULL;
  g_autofree char *left = NULL;
  g_autofree char *rate = NULL;
  /* Formatted apart: xgettext cannot see through G_GUINT64_FORMAT in a msgid. */
  g_autofree char *step_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, steps);
  g_autofree char *steps_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, p->steps_per_epoch);

  /* TRANSLATORS: "Epoch 2 of 5 · Step 350 of 938 · 37%" */
  text = g_strdup_printf (_("Epoch %u of %u · Step %s of %s · %d%%"),
                          p->epoch, p->epochs, step_text, steps_text, percent);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));

  rate = g_strdup_printf ("%'.0f", p->samples_per_second);
  /* TRANSLATORS: training speed: "12,345 images a second" */
  speed = g_strdup_printf (_("%s images a second"), rate);
  gtk_label_set_text (self->speed_label, speed);

  left = format_duration (p->seconds_left);
  gtk_label_set_text (self->time_label, left);
}

static void
add_log_row (DigitsTrainView           *self,
             const DigitsTrainProgress *p)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *epoch = g_strdup_printf (_("Epoch %u"), p->epoch);
  g_autofree char *loss = g_strdup_printf (_("Loss %.3f"), p->loss);
  g_autofree char *train = g_strdup_printf (_("Training %.1f%%"), p->train_accuracy * 100.0);
  g_autofree char *test = isnan (p->test_accuracy)
                          ? g_strdup (_("No test set"))
                          : g_strdup_printf (_("Test %.2f%%"), p->test_accuracy * 100.0);
  g_autofree char *time = g_strdup_printf (_("%.1f s"), p->epoch_seconds);
  g_autofree char *title = g_strdup_printf ("%s · %s", epoch, test);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s · %s", loss, train, time);
  g_autofree char *description = NULL;

  /* A row that wraps rather than a table: it reads as well at 360 px as at 1080. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, "numeric");

  description = g_strdup_printf ("%s, %s, %s, %s, %s", epoch, loss, train, test, time);
  /* Newest first: the epoch that just ended is always in sight. */
  gtk_list_box_prepend (self->log_list, row);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
}

static void
clear_log (DigitsTrainView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->log_list))) != NULL)
    gtk_list_box_remove (self->log_list, child);
}

/* A new run: empty curves, log, matrix and progress. */
void
digits_train_view_reset_progress (DigitsTrainView *self,
                                  guint            epochs)
{
  memset (&self->last_progress, 0, sizeof self->last_progress);
  self->curve_points = 0;
  g_array_set_size (self->test_accuracies, 0);
  digits_curve_chart_reset (self->curve_chart, epochs);
  digits_confusion_matrix_set (self->confusion_matrix, NULL, 10, NULL);
  digits_train_view_set_evaluation (self, NULL, NULL);
  clear_log (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->speed_label, "");
  gtk_label_set_text (self->time_label, "");
}

void
digits_train_view_handle_progress (DigitsTrainView           *self,
                                   const DigitsTrainProgress *p,
                                   const DigitsModel         *model)
{
  double position = p->steps_per_epoch > 0 ? (double) p->step / p->steps_per_epoch : 0.0;

  double loss = p->loss, accuracy = p->train_accuracy;
  guint64 steps = step_in_epoch (p);
  guint64 before = p->epoch == self->last_progress.epoch ? step_in_epoch (&self->last_progress)
                                                         : 0;

  /* The trainer reports running means over the epoch so far, which jump at each new
   * epoch; the chart shows the mean over the steps since the last report instead. */
  if (before > 0 && steps > before)
    {
      loss = (p->loss * (double) steps - self->last_progress.loss * (double) before) /
             (double) (steps - before);
      accuracy = (p->train_accuracy * (double) steps -
                  self->last_progress.train_accuracy * (double) before) /
                 (double) (steps - before);
    }

  /* Smoothed over about CURVE_SMOOTHING steps, so that a short interval (the tail of
   * an epoch) does not make a spike. */
  if (steps > before)
    {
      double alpha = 1.0 - exp (-(double) (steps - before) / CURVE_SMOOTHING);

      if (self->curve_points == 0)
        alpha = 1.0;
      self->smooth_loss += alpha * (loss - self->smooth_loss);
      self->smooth_accuracy += alpha * (accuracy - self->smooth_accuracy);
      self->curve_points++;
    }

  self->last_progress = *p;
  show_progress (self, p);
  if (steps > before)
    digits_curve_chart_add_step (self->curve_chart, position, (float) self->smooth_loss,
                                 (float) self->smooth_accuracy);

  if (p->event == DIGITS_TRAIN_EPOCH_DONE)
    {
      float test_accuracy = p->test_accuracy;

      g_array_append_val (self->test_accuracies, test_accuracy);
      digits_curve_chart_add_epoch (self->curve_chart, p->epoch, p->test_accuracy);
      add_log_row (self, p);
      g_debug ("Epoch %u: loss %.4f, training %.4f, test %.4f, %.2f s, %.0f images/s",
               p->epoch, p->loss, p->train_accuracy, p->test_accuracy, p->epoch_seconds,
               p->samples_per_second);
    }

  g_signal_emit (self, digits_train_view_signals[SIGNAL_PROGRESS], 0, p);

  /* The canvas learns along: it answers with the newest weights. */
  if (model != NULL && self->state == DIGITS_TRAIN_STATE_RUNNING)
    g_signal_emit (self, digits_train_view_signals[SIGNAL_MODEL_UPDATED], 0, model);
}

/* Stopped by the person after some steps: keep or discard? */
void
digits_train_view_show_stopped (DigitsTrainView *self)
{
  g_autofree char *text = NULL;
  /* Formatted apart: xgettext cannot see through G_GUINT64_FORMAT in a msgid. */
  g_autofree char *step_text = g_strdup_printf ("%'" G_GUINT64_FORMAT,
                                                self->last_progress.step);

  /* TRANSLATORS: "Stopped in epoch 2 of 5, after 1,250 steps. Keep …?" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Stopped in epoch %u of %u, after %s step. Keep "
                                       "the partly trained model?",
                                       "Stopped in epoch %u of %u, after %s steps. Keep "
                                       "the partly trained model?",
                                       (gulong) MIN (self->last_progress.step, G_MAXULONG)),
                          MAX (self->last_progress.epoch, 1u),
                          self->last_progress.epochs,
                          step_text);
  gtk_label_set_text (self->stopped_label, text);
  gtk_label_set_text (self->progress_label, _("Stopped"));
  gtk_label_set_text (self->time_label, "");
}

void
digits_train_view_show_took (DigitsTrainView *self)
{
  double seconds = (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
  /* TRANSLATORS: how long a training run took: "Trained in 6.1 s" */
  g_autofree char *took = g_strdup_printf (_("Trained in %.1f s"), seconds);

  gtk_label_set_text (self->time_label, took);
}

/* ---- the results ---- */

typedef struct
{
  DigitsModel *model;
  DigitsTrainData *data;
  DigitsEvaluation *evaluation;   /* every digit's verdict, for the matrix's cells */
  gboolean in_use;                /* "Evaluate": the model in use, not one just trained */
} EvalJob;

static void
eval_job_free (gpointer data)
{
  EvalJob *job = data;

  g_clear_pointer (&job->model, digits_model_free);
  g_clear_pointer (&job->data, digits_train_data_unref);
  g_clear_pointer (&job->evaluation, digits_evaluation_free);
  g_free (job);
}

static void
eval_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EvalJob *job = task_data;
  GError *error = NULL;

  /* No lower priority here: GTask's pool threads are reused and could not get it back. */
  job->evaluation = digits_evaluation_run (job->model, job->data->test, cancellable, &error);
  if (job->evaluation == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_results (DigitsTrainView *self,
              EvalJob         *job)
{
  guint n_classes = (guint) self->model->net->sizes[self->model->net->n_layers];
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autofree char *accuracy = NULL;
  g_autofree char *caption = NULL;
  const char *epochs = digits_model_get_meta (self->model, "epochs");

  for (guint k = 0; k < n_classes; k++)
    g_ptr_array_add (labels, (gpointer) get_class_name (self, k));
  g_ptr_array_add (labels, NULL);

  if (n_classes <= 16)
    digits_confusion_matrix_set (self->confusion_matrix,
                                 digits_evaluation_get_confusion (job->evaluation), n_classes,
                                 (const char * const *) labels->pdata);

  /* TRANSLATORS: the test accuracy of the trained model: "97.81%" */
  accuracy = g_strdup_printf (_("%.2f%%"),
                              digits_evaluation_get_accuracy (job->evaluation) * 100.0);
  gtk_label_set_text (self->accuracy_label, accuracy);
  if (job->in_use)
    caption = g_strdup_printf (_("the model in use, right on the %'u test images"),
                               job->data->test->n);
  else
    caption = g_strdup_printf (_("right on the %'u test images the model never saw, "
                                 "after %s epochs"),
                               job->data->test->n, epochs != NULL ? epochs : "0");
  gtk_label_set_text (self->accuracy_caption, caption);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->accuracy_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accuracy,
                                  -1);
  gtk_label_set_text (self->progress_label, _("Done"));
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
}

/* A step of an evaluation (reading the test set, measuring) has ended: FALSE when the view
 * has moved on (disposed, cancelled, no longer evaluating the same model), else TRUE, with
 * *error set if the step failed. */
gboolean
digits_train_view_evaluation_step_ended (DigitsTrainView *self,
                                         GAsyncResult    *result,
                                         GError         **error)
{
  if (!g_task_propagate_boolean (G_TASK (result), error) &&
      (self->disposed || g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    return FALSE;
  return !self->disposed && self->state == DIGITS_TRAIN_STATE_EVALUATING && self->model != NULL;
}

/* A new step of an evaluation: the one under way, if any, is no longer wanted. */
void
digits_train_view_renew_eval_cancellable (DigitsTrainView *self)
{
  g_cancellable_cancel (self->eval_cancellable);
  g_clear_object (&self->eval_cancellable);
  self->eval_cancellable = g_cancellable_new ();
}

static void
eval_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (source);
  EvalJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!digits_train_view_evaluation_step_ended (self, result, &error))
    return;
  if (error != NULL)
    {
      gtk_label_set_text (self->accuracy_label, "");
      gtk_label_set_text (self->accuracy_caption, error->message);
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_DONE);
      return;
    }

  show_results (self, job);
  digits_train_view_set_evaluation (self, g_steal_pointer (&job->evaluation), job->data);
  digits_train_view_set_state (self, DIGITS_TRAIN_STATE_DONE);
}

void
digits_train_view_start_evaluation (DigitsTrainView *self,
                                    gboolean         in_use)
{
  g_autoptr (GTask) task = NULL;
  EvalJob *job;

  if (self->model == NULL || self->data == NULL || self->data->test == NULL)
    {
      gtk_label_set_text (self->accuracy_label, "");
      gtk_label_set_text (self->accuracy_caption, _("There is no test set to measure the "
                                                    "model on."));
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_DONE);
      return;
    }

  job = g_new0 (EvalJob, 1);
  job->model = digits_model_copy (self->model);
  job->data = digits_train_data_ref (self->data);
  job->in_use = in_use;

  digits_train_view_renew_eval_cancellable (self);

  gtk_label_set_text (self->progress_label, _("Measuring the model on the test set…"));
  digits_train_view_set_state (self, DIGITS_TRAIN_STATE_EVALUATING);

  task = g_task_new (self, self->eval_cancellable, eval_done_cb, NULL);
  g_task_set_source_tag (task, digits_train_view_start_evaluation);
  g_task_set_name (task, "digits-evaluate");
  g_task_set_task_data (task, job, eval_job_free);
  g_task_run_in_thread (task, eval_thread);
}

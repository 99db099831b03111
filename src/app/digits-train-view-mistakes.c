/* digits-train-view-mistakes.c — the evaluation behind the confusion matrix, opened:
 * a cell's digits or every misread, in a gallery window; a digit picked there is shown
 * on the Draw page (the "show-digit" signal) so its answer can be looked into. Also
 * "Evaluate": the model in use measured the same way, without training first.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-train-view-private.h"

static void
digit_activated_cb (DigitsMistakesView *view,
                    guint               index,
                    DigitsTrainView    *self)
{
  const DigitsDataset *set;
  float input[28 * 28];

  if (self->evaluation == NULL || self->eval_data == NULL)
    return;

  set = self->eval_data->test;
  g_return_if_fail (index < set->n && set->rows == 28 && set->cols == 28);
  for (guint i = 0; i < 28 * 28; i++)
    input[i] = set->images[(gsize) index * 28 * 28 + i] / 255.0f;

  g_signal_emit (self, digits_train_view_signals[SIGNAL_SHOW_DIGIT], 0, input);
}

DigitsMistakesView *
digits_train_view_open_mistakes (DigitsTrainView *self,
                                 int              label,
                                 int              answer)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  if (self->mistakes_window == NULL)
    {
      self->mistakes_window = digits_mistakes_window_new (GTK_WIDGET (self),
                                                          &self->mistakes_view);
      g_signal_connect (self->mistakes_view, "digit-activated",
                        G_CALLBACK (digit_activated_cb), self);
    }

  digits_mistakes_view_set_evaluation (self->mistakes_view, self->evaluation,
                                       self->eval_data != NULL ? self->eval_data->test : NULL);
  digits_mistakes_view_set_filter (self->mistakes_view, label, answer);
  gtk_window_present (self->mistakes_window);

  return self->mistakes_view;
}

static void
matrix_cell_activated_cb (DigitsConfusionMatrix *matrix,
                          guint                  row,
                          guint                  column,
                          DigitsTrainView       *self)
{
  if (self->evaluation != NULL)
    digits_train_view_open_mistakes (self, (int) row, (int) column);
}

static void
mistakes_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  digits_train_view_open_mistakes (DIGITS_TRAIN_VIEW (widget), -1, -1);
}

void
digits_train_view_class_add_mistakes (GtkWidgetClass *widget_class)
{
  /**
   * DigitsTrainView::show-digit:
   * @input: (type gpointer): 784 floats in [0, 1], valid during the emission
   *
   * A test digit was picked in the gallery: show it as the network's input.
   */
  digits_train_view_signals[SIGNAL_SHOW_DIGIT] =
    g_signal_new ("show-digit", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_bind_template_callback (widget_class, matrix_cell_activated_cb);
  gtk_widget_class_install_action (widget_class, "train.mistakes", NULL, mistakes_action);
}

void
digits_train_view_init_mistakes (DigitsTrainView *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.mistakes", FALSE);
}

void
digits_train_view_dispose_mistakes (DigitsTrainView *self)
{
  digits_train_view_stop_pulse (self);
  if (self->mistakes_window != NULL)
    {
      digits_mistakes_view_set_evaluation (self->mistakes_view, NULL, NULL);
      gtk_window_destroy (self->mistakes_window);
      self->mistakes_window = NULL;
      self->mistakes_view = NULL;
    }
  g_clear_pointer (&self->evaluation, digits_evaluation_free);
  g_clear_pointer (&self->eval_data, digits_train_data_unref);
}

void
digits_train_view_set_evaluation (DigitsTrainView  *self,
                                  DigitsEvaluation *evaluation,
                                  DigitsTrainData  *data)
{
  /* The gallery borrows both: let go of them there first. */
  if (self->mistakes_view != NULL)
    digits_mistakes_view_set_evaluation (self->mistakes_view, evaluation,
                                         evaluation != NULL ? data->test : NULL);
  g_clear_pointer (&self->evaluation, digits_evaluation_free);
  g_clear_pointer (&self->eval_data, digits_train_data_unref);
  self->evaluation = evaluation;
  if (evaluation != NULL)
    self->eval_data = digits_train_data_ref (data);
  if (evaluation == NULL && self->mistakes_window != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->mistakes_window), FALSE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.mistakes", evaluation != NULL);
}

/* For tests: an evaluation of model on test, as at the end of training. */
void
digits_train_view_evaluate_on (DigitsTrainView     *self,
                               const DigitsModel   *model,
                               const DigitsDataset *test)
{
  DigitsTrainData *data = g_atomic_rc_box_new0 (DigitsTrainData);

  data->test = digits_dataset_slice (test, 0, test->n);
  data->folder = g_strdup ("");
  g_clear_pointer (&self->model, digits_model_free);
  self->model = digits_model_copy (model);
  g_clear_pointer (&self->data, digits_train_data_unref);
  self->data = data;
  digits_train_view_start_evaluation (self, FALSE);
}

const DigitsEvaluation *
digits_train_view_get_evaluation (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  return self->evaluation;
}

/* ---- Evaluate: the model in use ---- */

static gboolean
pulse_cb (gpointer data)
{
  DigitsTrainView *self = data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

void
digits_train_view_stop_pulse (DigitsTrainView *self)
{
  g_clear_handle_id (&self->eval_pulse, g_source_remove);
}

static void
read_test_set_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  DigitsTrainData *data = task_data;
  GError *error = NULL;

  if (!digits_dataset_load_mnist_dir (data->folder, &data->train, &data->test, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The data is read (kept for training too): measure the model waiting in self->model. */
static void
test_set_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (source);
  DigitsTrainData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!digits_train_view_evaluation_step_ended (self, result, &error))
    return;
  if (error != NULL)
    {
      gtk_label_set_text (self->progress_label, error->message);
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_FAILED);
      return;
    }

  g_clear_pointer (&self->data, digits_train_data_unref);
  self->data = digits_train_data_ref (data);
  digits_train_view_start_evaluation (self, TRUE);
}

gboolean
digits_train_view_evaluate_model (DigitsTrainView   *self,
                                  const DigitsModel *model,
                                  GError           **error)
{
  g_autoptr (GTask) task = NULL;
  DigitsTrainData *data;

  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  if (self->state == DIGITS_TRAIN_STATE_RUNNING || self->state == DIGITS_TRAIN_STATE_EVALUATING)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Wait until training or measuring has finished."));
      return FALSE;
    }
  /* Measuring the model in use replaces the results shown: not a model nobody chose. */
  if (self->model != NULL && !self->used)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Use or discard the trained model first."));
      return FALSE;
    }
  if (self->data_folder == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("There is no test set to measure the model on: get MNIST "
                             "first."));
      return FALSE;
    }

  g_clear_pointer (&self->model, digits_model_free);
  self->model = digits_model_copy (model);
  self->used = TRUE;              /* it is the model in use: nothing to use or discard */
  digits_train_view_set_evaluation (self, NULL, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->progress_label), "error");
  /* Not evaluating yet, so no pulse runs; set_state stops this one when measuring ends. */
  self->eval_pulse = g_timeout_add (100, pulse_cb, self);

  if (digits_train_view_data_is_read (self) && self->data->test != NULL)
    {
      digits_train_view_start_evaluation (self, TRUE);
      return TRUE;
    }

  digits_train_view_renew_eval_cancellable (self);
  gtk_label_set_text (self->progress_label, _("Reading the test set…"));
  digits_train_view_set_state (self, DIGITS_TRAIN_STATE_EVALUATING);

  data = g_atomic_rc_box_new0 (DigitsTrainData);
  data->folder = g_strdup (self->data_folder);
  task = g_task_new (self, self->eval_cancellable, test_set_read_cb, NULL);
  g_task_set_source_tag (task, digits_train_view_evaluate_model);
  g_task_set_name (task, "digits-read-test-set");
  g_task_set_task_data (task, data, (GDestroyNotify) digits_train_data_unref);
  g_task_run_in_thread (task, read_test_set_thread);
  return TRUE;
}

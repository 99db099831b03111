/* digits-teach-dialog.c — fine-tuning on the person's digits, on a thread of its own.
 *
 * The thread loads the examples (its own handle on the folder) and MNIST, measures the
 * model before, and tunes (core/digits-tune). Progress comes back to the main thread by
 * g_idle_add, with a snapshot each epoch that the window answers with, on trial, exactly
 * as while training. Only the main thread touches widgets.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "core/digits-my-digits.h"
#include "digits-teach-dialog.h"
#include "digits-window-private.h"

struct _DigitsTeachDialog
{
  AdwWindow         parent_instance;

  DigitsWindow     *window;          /* weak */
  char             *dir;
  DigitsTuneConfig  config;
  guint             n_train;         /* MNIST slices, 0 = all */
  guint             n_test;

  GtkLabel         *status_label;
  GtkProgressBar   *progress_bar;
  GtkLabel         *result_label;
  GtkWidget        *start_button;
  GtkWidget        *cancel_button;
  GtkWidget        *use_button;
  GtkWidget        *discard_button;

  GCancellable     *cancellable;     /* while running */
  DigitsModel      *result_model;    /* the tuned model, until used or discarded */
  DigitsTuneResult  result;
  gboolean          has_result;
  guint             n_progress;
};

G_DEFINE_FINAL_TYPE (DigitsTeachDialog, digits_teach_dialog, ADW_TYPE_WINDOW)

/* ---- the thread ---- */

typedef struct {
  DigitsTeachDialog *self;           /* a reference, for the idle callbacks */
  DigitsTuneConfig   config;
  char              *dir;
  DigitsModel       *start;
  guint              n_train, n_test;
  DigitsTuner       *tuner;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->tuner, digits_tuner_free);
  g_clear_pointer (&job->start, digits_model_free);
  g_free (job->dir);
  g_free (job);
}

typedef struct {
  DigitsTeachDialog  *self;
  DigitsTuneProgress  progress;
  DigitsModel        *snapshot;
} Report;

static gboolean
report_progress_cb (gpointer data)
{
  Report *report = data;
  DigitsTeachDialog *self = report->self;
  const DigitsTrainProgress *t = &report->progress.train;
  g_autofree char *text = NULL;

  if (self->cancellable != NULL)
    {
      guint64 per_epoch = MAX (t->steps_per_epoch, 1);
      double done = (t->epoch - 1) + (double) (t->step % per_epoch) / per_epoch;

      self->n_progress++;
      gtk_progress_bar_set_fraction (self->progress_bar, done / MAX (t->epochs, 1));
      if (t->event == DIGITS_TRAIN_EPOCH_DONE)
        text = g_strdup_printf (_("Epoch %u of %u: your digits %.1f%%, MNIST %.2f%%"),
                                t->epoch, t->epochs, 100.0 * report->progress.samples_accuracy,
                                100.0 * t->test_accuracy);
      else
        text = g_strdup_printf (_("Epoch %u of %u: loss %.3f"), t->epoch, t->epochs, t->loss);
      gtk_label_set_text (self->status_label, text);
      if (report->snapshot != NULL && self->window != NULL)
        digits_window_try_model (self->window, report->snapshot);
    }
  g_clear_pointer (&report->snapshot, digits_model_free);
  g_object_unref (report->self);
  g_free (report);
  return G_SOURCE_REMOVE;
}

static void
tune_progress_cb (const DigitsTuneProgress *progress,
                  gpointer                  user_data)
{
  Job *job = user_data;
  Report *report = g_new0 (Report, 1);

  report->self = g_object_ref (job->self);
  report->progress = *progress;
  if (progress->train.event == DIGITS_TRAIN_EPOCH_DONE)
    report->snapshot = digits_tuner_snapshot (job->tuner);
  /* The task's own completion comes at default priority: so do the reports, in order. */
  g_idle_add_full (G_PRIORITY_DEFAULT, report_progress_cb, report, NULL);
}

static DigitsDataset *
take_slice (DigitsDataset *set,
            guint          n)
{
  DigitsDataset *slice;

  if (set == NULL || n == 0 || n >= set->n)
    return set;
  slice = digits_dataset_slice (set, 0, n);
  digits_dataset_free (set);
  return slice;
}

static void
teach_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr (DigitsMyDigits) store = NULL;
  g_autoptr (DigitsDataset) examples = NULL;
  g_autoptr (DigitsDataset) train = NULL;
  g_autoptr (DigitsDataset) test = NULL;
  g_autofree char *mnist = digits_dataset_find_mnist ();
  GError *error = NULL;

  store = digits_my_digits_open (job->dir, &error);
  if (store != NULL)
    examples = digits_my_digits_load (store, NULL, NULL, cancellable, &error);
  if (examples == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (mnist == NULL)
    {
      g_task_return_new_error (task, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND, "%s",
                               _("MNIST is needed so that Digits forgets nothing: download "
                                 "it on the Train page first"));
      return;
    }
  if (!digits_dataset_load_mnist_dir (mnist, &train, &test, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  train = take_slice (train, job->n_train);
  test = take_slice (test, job->n_test);

  job->tuner = digits_tuner_new (&job->config, job->start, examples, train, test, &error);
  if (job->tuner == NULL || !digits_tuner_run (job->tuner, tune_progress_cb, job,
                                               cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
teach_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  DigitsTeachDialog *self = DIGITS_TEACH_DIALOG (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  gtk_widget_set_sensitive (self->start_button, TRUE);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (self->status_label,
                          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                          ? _("Stopped: the model in use is unchanged") : error->message);
      if (self->window != NULL)
        digits_window_discard_tried_model (self->window);
      return;
    }

  self->result = *digits_tuner_get_result (job->tuner);
  self->has_result = TRUE;
  g_clear_pointer (&self->result_model, digits_model_free);
  self->result_model = digits_tuner_snapshot (job->tuner);
  if (self->window != NULL)
    digits_window_try_model (self->window, self->result_model);

  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_label_set_text (self->status_label, _("Done. Try it on the Draw page, then keep it or "
                                            "not."));
  text = g_strdup_printf (_("Your digits (%u held out): %.1f%% before, %.1f%% after\n"
                            "MNIST test: %.2f%% before, %.2f%% after"),
                          self->result.n_held_out,
                          100.0 * self->result.samples_before,
                          100.0 * self->result.samples_after,
                          100.0 * self->result.mnist_before, 100.0 * self->result.mnist_after);
  gtk_label_set_text (self->result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  gtk_widget_set_sensitive (self->use_button, TRUE);
  gtk_widget_set_sensitive (self->discard_button, TRUE);
}

gboolean
digits_teach_dialog_start (DigitsTeachDialog *self)
{
  g_autoptr (GTask) task = NULL;
  const DigitsModel *model;
  Job *job;

  g_return_val_if_fail (DIGITS_IS_TEACH_DIALOG (self), FALSE);

  if (self->cancellable != NULL || self->window == NULL)
    return FALSE;
  model = digits_window_get_model (self->window);
  if (model == NULL)
    {
      gtk_label_set_text (self->status_label, _("There is no model to teach"));
      return FALSE;
    }

  job = g_new0 (Job, 1);
  job->self = self;
  job->config = self->config;
  job->dir = g_strdup (self->dir);
  job->start = digits_model_copy (model);
  job->n_train = self->n_train;
  job->n_test = self->n_test;

  self->has_result = FALSE;
  self->n_progress = 0;
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), FALSE);
  gtk_widget_set_sensitive (self->start_button, FALSE);
  gtk_widget_set_sensitive (self->cancel_button, TRUE);
  gtk_widget_set_sensitive (self->use_button, FALSE);
  gtk_widget_set_sensitive (self->discard_button, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->status_label, _("Reading your digits and MNIST, measuring the "
                                            "model before…"));

  task = g_task_new (self, self->cancellable, teach_done_cb, NULL);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, teach_thread);
  return TRUE;
}

void
digits_teach_dialog_cancel (DigitsTeachDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
digits_teach_dialog_use (DigitsTeachDialog *self)
{
  if (self->result_model == NULL || self->window == NULL)
    return;
  digits_window_keep_tried_model (self->window, self->result_model);
  g_clear_pointer (&self->result_model, digits_model_free);
  gtk_window_close (GTK_WINDOW (self));
}

void
digits_teach_dialog_discard (DigitsTeachDialog *self)
{
  g_clear_pointer (&self->result_model, digits_model_free);
  if (self->window != NULL)
    digits_window_discard_tried_model (self->window);
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- the window ---- */

static GtkWidget *
add_button (DigitsTeachDialog *self,
            GtkWidget         *box,
            const char        *label,
            GCallback          clicked)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  g_signal_connect_swapped (button, "clicked", clicked, self);
  gtk_box_append (GTK_BOX (box), button);
  return button;
}

static void
build_window (DigitsTeachDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *intro = gtk_label_new (_("Digits learns your hand from the digits you kept, "
                                      "mixed with MNIST so that it forgets nothing. Every "
                                      "fifth of yours is held out to measure on."));
  GtkWidget *label;

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_box_append (GTK_BOX (inner), intro);

  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->progress_bar));
  label = gtk_label_new (_("Not started"));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  self->status_label = GTK_LABEL (label);
  gtk_box_append (GTK_BOX (inner), label);
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_visible (label, FALSE);
  self->result_label = GTK_LABEL (label);
  gtk_box_append (GTK_BOX (inner), label);

  self->start_button = add_button (self, buttons, _("_Teach"),
                                   G_CALLBACK (digits_teach_dialog_start));
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  self->cancel_button = add_button (self, buttons, _("_Stop"),
                                    G_CALLBACK (digits_teach_dialog_cancel));
  self->use_button = add_button (self, buttons, _("_Use This Model"),
                                 G_CALLBACK (digits_teach_dialog_use));
  self->discard_button = add_button (self, buttons, _("_Discard"),
                                     G_CALLBACK (digits_teach_dialog_discard));
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  gtk_widget_set_sensitive (self->use_button, FALSE);
  gtk_widget_set_sensitive (self->discard_button, FALSE);
  gtk_box_append (GTK_BOX (inner), buttons);

  gtk_widget_set_margin_top (inner, 18);
  gtk_widget_set_margin_bottom (inner, 18);
  gtk_widget_set_margin_start (inner, 18);
  gtk_widget_set_margin_end (inner, 18);
  gtk_box_append (GTK_BOX (box), inner);
  adw_window_set_content (ADW_WINDOW (self), box);
}

static gboolean
digits_teach_dialog_close_request (GtkWindow *window)
{
  DigitsTeachDialog *self = DIGITS_TEACH_DIALOG (window);

  /* Closing stops a run; a result not chosen is discarded. */
  digits_teach_dialog_cancel (self);
  if (self->result_model != NULL && self->window != NULL)
    digits_window_discard_tried_model (self->window);
  g_clear_pointer (&self->result_model, digits_model_free);
  return GTK_WINDOW_CLASS (digits_teach_dialog_parent_class)->close_request (window);
}

static void
digits_teach_dialog_dispose (GObject *object)
{
  DigitsTeachDialog *self = DIGITS_TEACH_DIALOG (object);

  digits_teach_dialog_cancel (self);
  g_clear_weak_pointer (&self->window);
  G_OBJECT_CLASS (digits_teach_dialog_parent_class)->dispose (object);
}

static void
digits_teach_dialog_finalize (GObject *object)
{
  DigitsTeachDialog *self = DIGITS_TEACH_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->result_model, digits_model_free);
  g_free (self->dir);
  G_OBJECT_CLASS (digits_teach_dialog_parent_class)->finalize (object);
}

static void
digits_teach_dialog_class_init (DigitsTeachDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = digits_teach_dialog_dispose;
  object_class->finalize = digits_teach_dialog_finalize;
  window_class->close_request = digits_teach_dialog_close_request;
}

static void
digits_teach_dialog_init (DigitsTeachDialog *self)
{
  digits_tune_config_defaults (&self->config);
  /* Leave the drawing a core: the answer to a stroke must not wait for tuning. */
  self->config.threads = MAX (1, g_get_num_processors () - 1);
  gtk_window_set_title (GTK_WINDOW (self), _("Teach Digits Your Hand"));
  gtk_window_set_default_size (GTK_WINDOW (self), 460, -1);
  build_window (self);
}

DigitsTeachDialog *
digits_teach_dialog_new (DigitsWindow *window,
                         const char   *dir)
{
  DigitsTeachDialog *self = g_object_new (DIGITS_TYPE_TEACH_DIALOG,
                                          "transient-for", window,
                                          "destroy-with-parent", TRUE,
                                          NULL);

  g_set_weak_pointer (&self->window, window);
  self->dir = g_strdup (dir);
  return self;
}

void
digits_teach_dialog_set_config (DigitsTeachDialog      *self,
                                const DigitsTuneConfig *config,
                                guint                   n_train,
                                guint                   n_test)
{
  self->config = *config;
  self->n_train = n_train;
  self->n_test = n_test;
}

gboolean
digits_teach_dialog_is_running (DigitsTeachDialog *self)
{
  return self->cancellable != NULL;
}

const DigitsTuneResult *
digits_teach_dialog_get_result (DigitsTeachDialog *self)
{
  return self->has_result ? &self->result : NULL;
}

const char *
digits_teach_dialog_get_status (DigitsTeachDialog *self)
{
  return gtk_label_get_text (self->status_label);
}

guint
digits_teach_dialog_get_n_progress (DigitsTeachDialog *self)
{
  return self->n_progress;
}

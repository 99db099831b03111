/* digits-train-view.c — training a model inside the app: settings, live curves, results.
 *
 * The training runs in a DigitsTrainRun (core): a thread of its own at a lower priority,
 * which reports to the main loop. This file holds the view's GObject, its state and
 * actions, and drives the run; the rest is split by concern (see
 * digits-train-view-private.h).
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-train-view-private.h"

G_DEFINE_FINAL_TYPE (DigitsTrainView, digits_train_view, GTK_TYPE_WIDGET)

guint digits_train_view_signals[N_SIGNALS];

/* ---- the view's state ---- */

void
digits_train_view_set_state (DigitsTrainView  *self,
                             DigitsTrainState  state)
{
  /* The progress bar pulses only while measuring, however measuring ends (a discard
   * meanwhile too), and before the state is checked: DONE may follow DONE. */
  if (state != DIGITS_TRAIN_STATE_EVALUATING)
    digits_train_view_stop_pulse (self);
  if (self->state == state)
    return;

  self->state = state;
  digits_train_view_update (self);
  g_signal_emit (self, digits_train_view_signals[SIGNAL_STATE_CHANGED], 0);
}

void
digits_train_view_update (DigitsTrainView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->state == DIGITS_TRAIN_STATE_RUNNING;
  gboolean has_data = self->data_folder != NULL;
  gboolean busy = running || self->state == DIGITS_TRAIN_STATE_EVALUATING;
  const char *page;

  gtk_widget_action_set_enabled (widget, "train.toggle",
                                 running || (has_data && !busy && self->net_valid &&
                                             self->download_cancellable == NULL));
  gtk_widget_action_set_enabled (widget, "train.keep",
                                 self->state == DIGITS_TRAIN_STATE_STOPPED);
  gtk_widget_action_set_enabled (widget, "train.discard",
                                 self->state == DIGITS_TRAIN_STATE_STOPPED ||
                                 (self->state == DIGITS_TRAIN_STATE_DONE && !self->used));
  gtk_widget_action_set_enabled (widget, "train.use",
                                 self->state == DIGITS_TRAIN_STATE_DONE && self->model != NULL &&
                                 !self->used);

  /* Settings cannot change under a running trainer. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->dataset_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->subset_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->augment_switch), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->network_expander), !busy);

  if (running)
    {
      gtk_label_set_text_with_mnemonic (self->train_button_label, _("_Stop"));
      gtk_image_set_from_icon_name (self->train_button_icon, "media-playback-stop-symbolic");
      gtk_widget_set_tooltip_text (self->train_button, _("Stop Training (Ctrl+T)"));
      gtk_widget_remove_css_class (self->train_button, "suggested-action");
      gtk_widget_add_css_class (self->train_button, "destructive-action");
    }
  else
    {
      gtk_label_set_text_with_mnemonic (self->train_button_label,
                                        self->state == DIGITS_TRAIN_STATE_IDLE
                                        ? _("_Train") : _("_Train Again"));
      gtk_image_set_from_icon_name (self->train_button_icon, "media-playback-start-symbolic");
      gtk_widget_set_tooltip_text (self->train_button, _("Start Training (Ctrl+T)"));
      gtk_widget_remove_css_class (self->train_button, "destructive-action");
      gtk_widget_add_css_class (self->train_button, "suggested-action");
    }

  if (!has_data && (self->state == DIGITS_TRAIN_STATE_IDLE ||
                    self->state == DIGITS_TRAIN_STATE_FAILED))
    gtk_stack_set_visible_child_name (self->right_stack, "no-data");
  else
    gtk_stack_set_visible_child_name (self->right_stack, "train");

  switch (self->state)
    {
    case DIGITS_TRAIN_STATE_STOPPED:
      page = "stopped";
      break;
    case DIGITS_TRAIN_STATE_DONE:
      page = "results";
      break;
    case DIGITS_TRAIN_STATE_IDLE:
    case DIGITS_TRAIN_STATE_RUNNING:
    case DIGITS_TRAIN_STATE_EVALUATING:
    case DIGITS_TRAIN_STATE_FAILED:
    default:
      page = "log";
      break;
    }
  gtk_stack_set_visible_child_name (self->bottom_stack, page);
}

/* ---- the run (DigitsTrainRun, in core), on the main thread ---- */

static void
run_loaded_cb (DigitsTrainRun  *run,
               DigitsTrainView *self)
{
  gtk_label_set_text (self->progress_label, _("Training…"));
}

static void
run_progress_cb (DigitsTrainRun            *run,
                 const DigitsTrainProgress *progress,
                 const DigitsModel         *model,
                 DigitsTrainView           *self)
{
  digits_train_view_handle_progress (self, progress, model);
  digits_train_view_learn_speed (self, progress);
}

/* Lets go of the run; a run still reading its data is kept to be joined when the view
 * goes, so that stopping is instant. */
static void
drop_run (DigitsTrainView *self)
{
  if (self->run == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->run, self);
  if (!digits_train_run_is_loaded (self->run))
    {
      digits_train_run_abandon (self->run);
      g_ptr_array_add (self->abandoned, g_steal_pointer (&self->run));
    }
  g_clear_object (&self->run);
}

static void
run_finished_cb (DigitsTrainRun  *run,
                 DigitsTrainView *self)
{
  const GError *error = digits_train_run_get_error (run);
  DigitsTrainData *data = digits_train_run_get_data (run);

  if (self->stop_requested > 0)
    {
      self->stop_latency = (digits_train_run_get_finished_time (run) - self->stop_requested) /
                           (double) G_USEC_PER_SEC;
      g_debug ("Training stopped %.1f ms after it was asked to", self->stop_latency * 1000.0);
      self->stop_requested = 0;
    }

  /* Keep what was read for the next run. */
  if (data != NULL && self->data != data)
    {
      g_clear_pointer (&self->data, digits_train_data_unref);
      self->data = digits_train_data_ref (data);
    }

  g_clear_pointer (&self->model, digits_model_free);
  self->model = digits_train_run_take_model (run);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Training failed: %s"), error->message);

      drop_run (self);
      gtk_label_set_text (self->progress_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "error");
      g_clear_pointer (&self->model, digits_model_free);
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_FAILED);
      g_signal_emit (self, digits_train_view_signals[SIGNAL_DISCARDED], 0);
      return;
    }

  drop_run (self);
  if (error != NULL && self->model == NULL)
    {
      /* Stopped before a single step: nothing to keep. */
      gtk_label_set_text (self->progress_label, _("Stopped"));
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_IDLE);
      g_signal_emit (self, digits_train_view_signals[SIGNAL_DISCARDED], 0);
    }
  else if (error != NULL)
    {
      digits_train_view_show_stopped (self);
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_STOPPED);
    }
  else
    {
      digits_train_view_show_took (self);
      g_signal_emit (self, digits_train_view_signals[SIGNAL_MODEL_UPDATED], 0, self->model);
      digits_train_view_start_evaluation (self, FALSE);
    }
}

/* ---- actions ---- */

static void
toggle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  digits_train_view_toggle (DIGITS_TRAIN_VIEW (widget));
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  digits_train_view_keep (DIGITS_TRAIN_VIEW (widget));
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  digits_train_view_discard (DIGITS_TRAIN_VIEW (widget));
}

static void
use_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (widget);

  if (self->model != NULL && self->state == DIGITS_TRAIN_STATE_DONE && !self->used)
    {
      g_signal_emit (self, digits_train_view_signals[SIGNAL_USE_MODEL], 0, self->model);
      /* It is the model in use now: nothing left to choose. */
      self->used = TRUE;
      gtk_button_set_label (GTK_BUTTON (self->use_button), _("In Use"));
      digits_train_view_update (self);
    }
}

/* ---- GObject ---- */

static void
digits_train_view_dispose (GObject *object)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (object);

  self->disposed = TRUE;

  /* Closing the window or quitting mid-training: stop the thread and wait for it (the
   * run's dispose does), and for those stopped while they read their data. */
  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      digits_train_run_stop (self->run);
      g_clear_object (&self->run);
    }
  g_clear_pointer (&self->abandoned, g_ptr_array_unref);
  g_cancellable_cancel (self->eval_cancellable);
  g_clear_object (&self->eval_cancellable);
  g_cancellable_cancel (self->download_cancellable);
  g_clear_object (&self->download_cancellable);

  if (self->folder_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->folder_chooser);
      g_clear_object (&self->folder_chooser);
    }
  g_clear_object (&self->settings);
  digits_train_view_dispose_network (self);
  digits_train_view_dispose_mistakes (self);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (digits_train_view_parent_class)->dispose (object);
}

static void
digits_train_view_finalize (GObject *object)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (object);

  g_clear_pointer (&self->data, digits_train_data_unref);
  g_clear_pointer (&self->model, digits_model_free);
  g_clear_pointer (&self->test_accuracies, g_array_unref);
  g_free (self->folder);
  g_free (self->data_folder);
  g_free (self->download_status);

  G_OBJECT_CLASS (digits_train_view_parent_class)->finalize (object);
}

static void
add_signals (DigitsTrainViewClass *klass)
{
  /**
   * DigitsTrainView::progress:
   * @progress: (type gpointer): a const DigitsTrainProgress *
   *
   * A step or an epoch of training, on the main thread.
   */
  digits_train_view_signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * DigitsTrainView::model-updated:
   * @model: (type gpointer): a const DigitsModel *, valid during the emission
   *
   * Newer weights to answer with while training, and the trained model at the end.
   */
  digits_train_view_signals[SIGNAL_MODEL_UPDATED] =
    g_signal_new ("model-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * DigitsTrainView::use-model:
   * @model: (type gpointer): a const DigitsModel *, valid during the emission
   *
   * The person chose the trained model as the one to use from now on.
   */
  digits_train_view_signals[SIGNAL_USE_MODEL] =
    g_signal_new ("use-model", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * DigitsTrainView::discarded:
   *
   * The trained model was dropped: answer with the model in use again.
   */
  digits_train_view_signals[SIGNAL_DISCARDED] =
    g_signal_new ("discarded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  digits_train_view_signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
digits_train_view_class_init (DigitsTrainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_train_view_dispose;
  object_class->finalize = digits_train_view_finalize;

  add_signals (klass);

  g_type_ensure (DIGITS_TYPE_CURVE_CHART);
  g_type_ensure (DIGITS_TYPE_FOLD_BOX);
  g_type_ensure (DIGITS_TYPE_CONFUSION_MATRIX);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/digits-train-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "digitstrainview");

  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, scroller);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, settings_scroller);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, in_use_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, choose_folder_button);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, subset_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, augment_switch);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, network_expander);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, network_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, hidden_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, spec_error_icon);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, net_info_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, optimizer_row);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, rate_spin);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, right_stack);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, no_data_page);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, download_button);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, download_box);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, download_progress);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, download_status_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, train_button);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, train_button_icon);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, train_button_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, speed_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, time_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, curve_chart);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, bottom_stack);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, log_list);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, stopped_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, accuracy_label);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, accuracy_caption);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, use_button);
  gtk_widget_class_bind_template_child (widget_class, DigitsTrainView, confusion_matrix);

  digits_train_view_class_add_settings (widget_class);
  digits_train_view_class_add_data (widget_class);
  digits_train_view_class_add_mistakes (widget_class);

  gtk_widget_class_install_action (widget_class, "train.toggle", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "train.keep", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "train.discard", NULL, discard_action);
  gtk_widget_class_install_action (widget_class, "train.use", NULL, use_action);
}

static void
digits_train_view_init (DigitsTrainView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->test_accuracies = g_array_new (FALSE, FALSE, sizeof (float));
  self->abandoned = g_ptr_array_new_with_free_func (g_object_unref);
  self->stop_latency = -1.0;

  digits_train_view_init_data (self);
  digits_train_view_init_settings (self);
  digits_train_view_init_mistakes (self);
  digits_train_view_update_data_status (self);
  digits_train_view_set_model_in_use (self, NULL);
  gtk_label_set_text (self->progress_label, _("Ready to train"));

  digits_train_view_update (self);
}

GtkWidget *
digits_train_view_new (void)
{
  return g_object_new (DIGITS_TYPE_TRAIN_VIEW, NULL);
}

gboolean
digits_train_view_start (DigitsTrainView *self)
{
  g_autoptr (GError) error = NULL;
  DigitsTrainConfig config;
  DatasetKind kind;
  DigitsTrainData *data = NULL;

  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  if (self->state == DIGITS_TRAIN_STATE_RUNNING ||
      self->state == DIGITS_TRAIN_STATE_EVALUATING || self->data_folder == NULL)
    return FALSE;

  gtk_widget_remove_css_class (GTK_WIDGET (self->progress_label), "error");

  if (!digits_train_view_build_config (self, &config, &error))
    {
      gtk_label_set_text (self->progress_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "error");
      return FALSE;
    }

  digits_train_view_save_settings (self);
  /* A result nobody chose goes: the window answers with the model in use again. */
  if (self->model != NULL && !self->used)
    g_signal_emit (self, digits_train_view_signals[SIGNAL_DISCARDED], 0);
  g_clear_pointer (&self->model, digits_model_free);

  if (digits_train_view_data_is_read (self))
    data = self->data;
  kind = digits_train_view_get_dataset_kind (self);
  self->run = digits_train_run_new (&config, self->data_folder, data,
                                    digits_train_view_get_subset (self),
                                    kind == DATASET_FOLDER ? self->data_folder
                                                           : digits_train_dataset_ids[kind],
                                    DIGITS_TRAIN_NICE);
  g_signal_connect (self->run, "loaded", G_CALLBACK (run_loaded_cb), self);
  g_signal_connect (self->run, "progress", G_CALLBACK (run_progress_cb), self);
  g_signal_connect (self->run, "finished", G_CALLBACK (run_finished_cb), self);

  self->stop_requested = 0;
  self->started = g_get_monotonic_time ();
  self->used = FALSE;
  gtk_button_set_label (GTK_BUTTON (self->use_button), _("_Use This Model"));
  digits_train_view_reset_progress (self, config.epochs);
  gtk_label_set_text (self->progress_label, data != NULL ? _("Training…")
                                                         : _("Reading the training data…"));

  if (!digits_train_run_start (self->run, &error))
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      g_clear_object (&self->run);
      gtk_label_set_text (self->progress_label, error->message);
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_FAILED);
      return FALSE;
    }
  digits_train_view_set_state (self, DIGITS_TRAIN_STATE_RUNNING);
  return TRUE;
}

void
digits_train_view_stop (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  if (self->run == NULL || self->state != DIGITS_TRAIN_STATE_RUNNING)
    return;

  if (self->stop_requested == 0)
    self->stop_requested = g_get_monotonic_time ();
  digits_train_run_stop (self->run);

  if (!digits_train_run_is_loaded (self->run))
    {
      /* Still reading the data, which cannot be interrupted: the run may finish that
       * unseen (it is joined when the view goes); the view is free at once. */
      drop_run (self);
      self->stop_latency = (g_get_monotonic_time () - self->stop_requested) /
                           (double) G_USEC_PER_SEC;
      self->stop_requested = 0;
      gtk_label_set_text (self->progress_label, _("Stopped"));
      digits_train_view_set_state (self, DIGITS_TRAIN_STATE_IDLE);
      g_signal_emit (self, digits_train_view_signals[SIGNAL_DISCARDED], 0);
      return;
    }

  gtk_label_set_text (self->progress_label, _("Stopping…"));
}

void
digits_train_view_toggle (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  if (self->state == DIGITS_TRAIN_STATE_RUNNING)
    digits_train_view_stop (self);
  else
    digits_train_view_start (self);
}

void
digits_train_view_keep (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  if (self->state != DIGITS_TRAIN_STATE_STOPPED || self->model == NULL)
    return;

  g_signal_emit (self, digits_train_view_signals[SIGNAL_MODEL_UPDATED], 0, self->model);
  digits_train_view_start_evaluation (self, FALSE);
}

void
digits_train_view_discard (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  if (self->state != DIGITS_TRAIN_STATE_STOPPED && self->state != DIGITS_TRAIN_STATE_DONE &&
      self->state != DIGITS_TRAIN_STATE_EVALUATING)
    return;

  g_cancellable_cancel (self->eval_cancellable);
  g_clear_pointer (&self->model, digits_model_free);
  digits_train_view_set_evaluation (self, NULL, NULL);
  gtk_label_set_text (self->progress_label, _("Ready to train"));
  digits_train_view_set_state (self, DIGITS_TRAIN_STATE_IDLE);
  g_signal_emit (self, digits_train_view_signals[SIGNAL_DISCARDED], 0);
}

DigitsTrainState
digits_train_view_get_state (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), DIGITS_TRAIN_STATE_IDLE);

  return self->state;
}

gboolean
digits_train_view_is_running (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  return self->state == DIGITS_TRAIN_STATE_RUNNING;
}

const DigitsModel *
digits_train_view_get_model (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  return self->model;
}

const float *
digits_train_view_get_test_accuracies (DigitsTrainView *self,
                                       guint           *n_epochs)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  if (n_epochs != NULL)
    *n_epochs = self->test_accuracies->len;

  return (const float *) self->test_accuracies->data;
}

double
digits_train_view_get_stop_latency (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), -1.0);

  return self->stop_latency;
}

void
digits_train_view_set_subset (DigitsTrainView *self,
                              guint            n)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  self->subset_override = n;
  digits_train_view_update_network (self);
}

void
digits_train_view_set_epochs (DigitsTrainView *self,
                              guint            epochs)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  gtk_spin_button_set_value (self->epochs_spin, epochs);
}

void
digits_train_view_set_network (DigitsTrainView *self,
                               const char      *id,
                               const char      *spec)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  if (spec != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->hidden_row), spec);
  digits_train_view_select_network_id (self, id);
}

void
digits_train_view_set_model_in_use (DigitsTrainView *self,
                                    const char      *description)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  /* Use Built-in follows win.revert-model, which the window enables: one place. */
  adw_preferences_row_set_title (self->in_use_row,
                                 description != NULL ? description : _("The built-in model"));
}

GtkWidget *
digits_train_view_get_curve_chart (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  return GTK_WIDGET (self->curve_chart);
}

GtkWidget *
digits_train_view_get_confusion_matrix (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  return GTK_WIDGET (self->confusion_matrix);
}

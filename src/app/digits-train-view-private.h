/* digits-train-view-private.h — what the Train page's files share.
 *
 * The page is split by concern: digits-train-view.c (the GObject, its state, actions
 * and the run it drives), -settings.c (the settings rows and GSettings), -network.c (the
 * network's choices, its size and time per epoch), -data.c (where
 * the data set is, the folder chooser and the download) and -progress.c (progress,
 * curves, the epoch log and the results). The training itself is DigitsTrainRun's,
 * in core.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/digits-train-estimate.h"
#include "core/digits-train-run.h"
#include "digits-confusion-matrix.h"
#include "digits-curve-chart.h"
#include "digits-fold-box.h"
#include "digits-train-view.h"
#include "digits-mistakes-view.h"
#include "core/digits-evaluation.h"

G_BEGIN_DECLS

typedef enum {
  DATASET_MNIST,
  DATASET_FASHION,
  DATASET_FOLDER,
} DatasetKind;

#define FASHION_MNIST_DIR   "/usr/share/datasets/fashion-mnist"
#define SYSTEM_MNIST_DIR    "/usr/share/datasets/mnist"

extern const char * const digits_train_dataset_ids[];

enum {
  SIGNAL_PROGRESS,
  SIGNAL_MODEL_UPDATED,
  SIGNAL_USE_MODEL,
  SIGNAL_DISCARDED,
  SIGNAL_STATE_CHANGED,
  SIGNAL_SHOW_DIGIT,
  N_SIGNALS
};

extern guint digits_train_view_signals[N_SIGNALS];

struct _DigitsTrainView
{
  GtkWidget               parent_instance;

  /* template */
  GtkWidget              *scroller;
  GtkScrolledWindow      *settings_scroller;
  AdwPreferencesRow      *in_use_row;
  AdwComboRow            *dataset_row;
  GtkWidget              *choose_folder_button;
  AdwComboRow            *subset_row;
  GtkSwitch              *augment_switch;
  AdwExpanderRow         *network_expander;
  AdwComboRow            *network_row;
  GtkWidget              *hidden_row;        /* the custom network's spec */
  GtkWidget              *spec_error_icon;
  GtkWidget              *net_info_row;
  GtkSpinButton          *epochs_spin;
  GtkSpinButton          *batch_spin;
  AdwComboRow            *optimizer_row;
  GtkSpinButton          *rate_spin;
  GtkStack               *right_stack;
  AdwStatusPage          *no_data_page;
  GtkWidget              *download_button;
  GtkWidget              *download_box;
  GtkProgressBar         *download_progress;
  GtkLabel               *download_status_label;
  GtkWidget              *train_button;
  GtkImage               *train_button_icon;
  GtkLabel               *train_button_label;
  GtkLabel               *progress_label;
  GtkProgressBar         *progress_bar;
  GtkLabel               *speed_label;
  GtkLabel               *time_label;
  DigitsCurveChart       *curve_chart;
  GtkStack               *bottom_stack;
  GtkListBox             *log_list;
  GtkLabel               *stopped_label;
  GtkLabel               *accuracy_label;
  GtkLabel               *accuracy_caption;
  GtkWidget              *use_button;
  DigitsConfusionMatrix  *confusion_matrix;

  GSettings              *settings;          /* NULL without the schema */
  gboolean                loading_settings;
  DatasetKind             dataset_kinds[3];  /* by dropdown position */
  guint                   n_datasets;
  char                   *folder;            /* "A folder" */
  char                   *data_folder;       /* where the chosen data set is, or NULL */
  guint                   subset_override;
  DigitsNetInfo           net_info;          /* the chosen network, if net_valid */
  gboolean                net_valid;

  DigitsTrainState        state;
  DigitsTrainRun         *run;               /* training now, or NULL */
  DigitsTrainData        *data;              /* the last data set read */
  gint64                  stop_requested;
  gint64                  started;
  gboolean                used;              /* the result became the model in use */
  GPtrArray              *abandoned;         /* runs stopped while reading data */
  double                  stop_latency;
  DigitsModel            *model;             /* trained or kept */
  GArray                 *test_accuracies;   /* of float */
  DigitsTrainProgress     last_progress;
  double                  smooth_loss;
  double                  smooth_accuracy;
  guint                   curve_points;
  GCancellable           *eval_cancellable;
  DigitsEvaluation       *evaluation;        /* the last one shown, or NULL */
  DigitsTrainData        *eval_data;         /* its test set's data */
  guint                   eval_pulse;        /* pulses the progress bar meanwhile, or 0 */
  GtkWindow              *mistakes_window;   /* the gallery, made when first opened */
  DigitsMistakesView     *mistakes_view;

  GCancellable           *download_cancellable;
  char                   *download_status;
  GtkNativeDialog        *folder_chooser;
  gboolean                disposed;
};

/* digits-train-view.c */
void        digits_train_view_set_state          (DigitsTrainView   *self,
                                                  DigitsTrainState   state);
void        digits_train_view_update             (DigitsTrainView   *self);

/* digits-train-view-settings.c */
void        digits_train_view_class_add_settings (GtkWidgetClass    *widget_class);
void        digits_train_view_init_settings      (DigitsTrainView   *self);
void        digits_train_view_save_settings      (DigitsTrainView   *self);
gboolean    digits_train_view_build_config       (DigitsTrainView   *self,
                                                  DigitsTrainConfig *config,
                                                  GError           **error);
guint       digits_train_view_get_subset         (DigitsTrainView   *self);

/* digits-train-view-network.c */
void        digits_train_view_init_network       (DigitsTrainView   *self);
void        digits_train_view_dispose_network    (DigitsTrainView   *self);
/* Checks the chosen network and shows its size and time; call when a setting changed. */
void        digits_train_view_update_network     (DigitsTrainView   *self);
/* A run's progress: a finished epoch's time refines the estimate. */
void        digits_train_view_learn_speed        (DigitsTrainView   *self,
                                                  const DigitsTrainProgress *progress);
/* The chosen network, or the parser's message for a bad custom spec. */
gboolean    digits_train_view_get_net            (DigitsTrainView   *self,
                                                  DigitsNetInfo     *info,
                                                  GError           **error);
const char *digits_train_view_get_network_id     (DigitsTrainView   *self);
void        digits_train_view_select_network_id  (DigitsTrainView   *self,
                                                  const char        *id);

/* digits-train-view-data.c */
void        digits_train_view_class_add_data     (GtkWidgetClass    *widget_class);
void        digits_train_view_init_data          (DigitsTrainView   *self);
DatasetKind digits_train_view_get_dataset_kind   (DigitsTrainView   *self);
void        digits_train_view_select_dataset_kind (DigitsTrainView  *self,
                                                  DatasetKind        kind);
void        digits_train_view_update_data_status (DigitsTrainView   *self);
gboolean    digits_train_view_data_is_read       (DigitsTrainView   *self);

/* digits-train-view-progress.c */
void        digits_train_view_reset_progress     (DigitsTrainView   *self,
                                                  guint              epochs);
void        digits_train_view_handle_progress    (DigitsTrainView   *self,
                                                  const DigitsTrainProgress *p,
                                                  const DigitsModel *model);
void        digits_train_view_show_stopped       (DigitsTrainView   *self);
void        digits_train_view_show_took          (DigitsTrainView   *self);
/* in_use: the model measured is the model in use ("Evaluate"), not one just trained. */
void        digits_train_view_start_evaluation   (DigitsTrainView   *self,
                                                  gboolean           in_use);
void        digits_train_view_renew_eval_cancellable (DigitsTrainView *self);
gboolean    digits_train_view_evaluation_step_ended (DigitsTrainView *self,
                                                     GAsyncResult    *result,
                                                     GError         **error);

/* digits-train-view-mistakes.c: the evaluation's digits, by cell or all misreads */
void        digits_train_view_class_add_mistakes (GtkWidgetClass    *widget_class);
void        digits_train_view_init_mistakes      (DigitsTrainView   *self);
void        digits_train_view_dispose_mistakes   (DigitsTrainView   *self);
/* Takes evaluation; data is the set it was made on. */
void        digits_train_view_set_evaluation     (DigitsTrainView   *self,
                                                  DigitsEvaluation  *evaluation,
                                                  DigitsTrainData   *data);
/* The progress bar pulses while the model in use is measured; stopped at the end. */
void        digits_train_view_stop_pulse         (DigitsTrainView   *self);

/* For tests only. */
/* Evaluates model on test (both copied) as after training, without a data folder. */
void              digits_train_view_evaluate_on      (DigitsTrainView     *self,
                                                      const DigitsModel   *model,
                                                      const DigitsDataset *test);
const DigitsEvaluation *digits_train_view_get_evaluation (DigitsTrainView *self);
/* Opens the gallery on a cell (label, answer; -1 any), as a click on the matrix does. */
DigitsMistakesView *digits_train_view_open_mistakes  (DigitsTrainView *self,
                                                      int              label,
                                                      int              answer);
DigitsTrainState  digits_train_view_get_state        (DigitsTrainView *self);
/* The trained (or kept) model, or NULL. */
const DigitsModel *digits_train_view_get_model       (DigitsTrainView *self);
/* Test accuracy of each epoch so far (NAN where there was no test set). */
const float      *digits_train_view_get_test_accuracies (DigitsTrainView *self,
                                                         guint           *n_epochs);
/* Seconds from the last stop request to the training thread's end, or a negative number. */
double            digits_train_view_get_stop_latency (DigitsTrainView *self);
/* For tests and quick demos: train on the first n training items (0: the setting's). */
void              digits_train_view_set_subset       (DigitsTrainView *self,
                                                      guint            n);
void              digits_train_view_set_epochs       (DigitsTrainView *self,
                                                      guint            epochs);
/* Chooses a network as a person would: a named one ("default", "builtin", "mlp") or
 * "Custom…" with spec typed in. */
void              digits_train_view_set_network      (DigitsTrainView *self,
                                                      const char      *id,
                                                      const char      *spec);
/* The expected seconds of an epoch of the chosen network, or -1 while this computer's
 * speed is being measured (or the network is not valid). */
double            digits_train_view_get_epoch_estimate (DigitsTrainView *self);
gboolean          digits_train_view_is_downloading   (DigitsTrainView *self);
/* The line under the download button ("Downloaded…", or why it failed), or NULL. */
const char       *digits_train_view_get_download_status (DigitsTrainView *self);
GtkWidget        *digits_train_view_get_curve_chart  (DigitsTrainView *self);
GtkWidget        *digits_train_view_get_confusion_matrix (DigitsTrainView *self);


G_END_DECLS

/* digits-train-view.c — training a model inside the app: settings, live curves, results.
 *
 * The trainer runs in a GThread of its own. That thread first lowers its priority (nice
 * 10) and only then creates the DigitsTrainer, whose worker threads inherit the lower
 * priority: the UI thread always wins the CPU, so drawing and answering while training
 * feel as they do idle. The thread talks to the UI only by queueing events (heap structs)
 * and scheduling one idle callback on the main context to hand them over; it never
 * touches a widget. Stopping cancels a GCancellable that the trainer checks before every
 * batch; closing the view cancels and joins the thread.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/digits-dataset.h"
#include "core/digits-preprocess.h"
#include "digits-confusion-matrix.h"
#include "digits-curve-chart.h"
#include "digits-fold-box.h"
#include "digits-train-view.h"
#ifdef DIGITS_HAVE_DOWNLOAD
#include "digits-downloader.h"
#endif

#define TRAIN_NICE          10
#define CURVE_SMOOTHING     40.0   /* steps */
#define FASHION_MNIST_DIR   "/usr/share/datasets/fashion-mnist"
#define SYSTEM_MNIST_DIR    "/usr/share/datasets/mnist"

typedef enum {
  DATASET_MNIST,
  DATASET_FASHION,
  DATASET_FOLDER,
} DatasetKind;

static const char * const dataset_ids[] = { "mnist", "fashion-mnist", "folder" };

static const guint subset_sizes[] = { 0, 10000, 2000 };

static const NnOptKind optimizer_kinds[] = { NN_OPT_ADAM, NN_OPT_MOMENTUM, NN_OPT_SGD };

/* The networks offered, by combo row position, as stored in "train-network". Until the
 * engine has convolutions in the trainer, both named ones train today's default. */
static const char * const network_ids[] = { "builtin", "mlp", "custom" };
#define NETWORK_CUSTOM 2

/* ---- data shared between runs ---- */

typedef struct
{
  char          *folder;
  DigitsDataset *train;
  DigitsDataset *test;
} TrainData;

static void
train_data_clear (gpointer data)
{
  TrainData *self = data;

  g_free (self->folder);
  g_clear_pointer (&self->train, digits_dataset_free);
  g_clear_pointer (&self->test, digits_dataset_free);
}

static TrainData *
train_data_ref (TrainData *data)
{
  return g_atomic_rc_box_acquire (data);
}

static void
train_data_unref (TrainData *data)
{
  g_atomic_rc_box_release_full (data, train_data_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrainData, train_data_unref)

/* ---- a run: what the thread and the view share ---- */

typedef enum {
  EVENT_LOADED,
  EVENT_PROGRESS,
  EVENT_FINISHED,
} EventKind;

typedef struct
{
  EventKind            kind;
  DigitsTrainProgress  progress;
  DigitsModel         *model;      /* a newer snapshot, or NULL */
} TrainEvent;

typedef struct _DigitsTrainView DigitsTrainView;

typedef struct
{
  /* in: set before the thread starts */
  DigitsTrainConfig  config;
  char              *folder;
  char              *dataset_name;
  guint              subset;
  TrainData         *data;          /* cached by the view, or loaded by the thread */
  GCancellable      *cancellable;

  /* the thread's own */
  DigitsTrainer     *trainer;
  guint64            snapshot_bucket;

  /* the hand-over */
  GMutex             lock;
  GQueue             events;        /* of TrainEvent */
  guint              idle_id;

  /* main thread only */
  DigitsTrainView   *view;          /* NULL once the view is gone */

  /* out: read after the thread was joined */
  gboolean           completed;
  GError            *error;
  DigitsModel       *model;
  gint64             finished_time;
} TrainJob;

static void
train_event_free (gpointer data)
{
  TrainEvent *event = data;

  g_clear_pointer (&event->model, digits_model_free);
  g_free (event);
}

static void
train_job_clear (gpointer data)
{
  TrainJob *job = data;

  g_free (job->folder);
  g_free (job->dataset_name);
  g_clear_pointer (&job->data, train_data_unref);
  g_clear_object (&job->cancellable);
  g_queue_clear_full (&job->events, train_event_free);
  g_mutex_clear (&job->lock);
  g_clear_error (&job->error);
  g_clear_pointer (&job->model, digits_model_free);
}

static TrainJob *
train_job_ref (TrainJob *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
train_job_unref (gpointer job)
{
  g_atomic_rc_box_release_full (job, train_job_clear);
}

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
  GtkWidget              *hidden_row;
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

  DigitsTrainState        state;
  TrainJob               *job;
  GThread                *thread;
  TrainData              *data;              /* the last data set read */
  gint64                  stop_requested;
  gint64                  started;
  gboolean                job_loaded;
  gboolean                used;              /* the result became the model in use */        /* the run has its data and is training */
  GPtrArray              *abandoned;         /* threads stopped while reading data */
  double                  stop_latency;
  DigitsModel            *model;             /* trained or kept */
  GArray                 *test_accuracies;   /* of float */
  DigitsTrainProgress     last_progress;
  double                  smooth_loss;
  double                  smooth_accuracy;
  guint                   curve_points;
  GCancellable           *eval_cancellable;

  GCancellable           *download_cancellable;
  char                   *download_status;
  GtkNativeDialog        *folder_chooser;
  gboolean                disposed;
};

G_DEFINE_FINAL_TYPE (DigitsTrainView, digits_train_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_PROGRESS,
  SIGNAL_MODEL_UPDATED,
  SIGNAL_USE_MODEL,
  SIGNAL_DISCARDED,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_view (DigitsTrainView *self);
static void start_evaluation (DigitsTrainView *self);

/* ---- the training thread ---- */

static void
post_event (TrainJob   *job,
            TrainEvent *event);

static void
lower_thread_priority (void)
{
  /* On Linux a nice value belongs to a thread; threads created from here inherit it. */
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), TRAIN_NICE) != 0)
    g_debug ("Could not lower the training thread's priority: %s", g_strerror (errno));
}

static void
train_progress_cb (const DigitsTrainProgress *progress,
                   gpointer                   user_data)
{
  TrainJob *job = user_data;
  TrainEvent *event = g_new0 (TrainEvent, 1);
  /* The trainer publishes a snapshot every 200 steps and after each epoch. */
  guint64 bucket = progress->step / 200;

  event->kind = EVENT_PROGRESS;
  event->progress = *progress;
  if (progress->event == DIGITS_TRAIN_EPOCH_DONE || bucket != job->snapshot_bucket)
    {
      event->model = digits_trainer_snapshot (job->trainer);
      job->snapshot_bucket = bucket;
    }

  post_event (job, event);
}

static gpointer
train_thread (gpointer data)
{
  TrainJob *job = data;
  g_autoptr (DigitsDataset) subset = NULL;
  DigitsDataset *train;
  TrainEvent *event;

  lower_thread_priority ();

  if (job->data == NULL)
    {
      DigitsDataset *train_set = NULL, *test_set = NULL;

      if (digits_dataset_load_mnist_dir (job->folder, &train_set, &test_set, &job->error))
        {
          job->data = g_atomic_rc_box_new0 (TrainData);
          job->data->folder = g_strdup (job->folder);
          job->data->train = train_set;
          job->data->test = test_set;
        }
    }

  if (job->data != NULL && !g_cancellable_set_error_if_cancelled (job->cancellable,
                                                                  &job->error))
    {
      event = g_new0 (TrainEvent, 1);
      event->kind = EVENT_LOADED;
      post_event (job, event);

      train = job->data->train;
      if (job->subset > 0 && job->subset < train->n)
        train = subset = digits_dataset_slice (train, 0, job->subset);

      /* Created here, after the priority was lowered, so that its workers inherit it. */
      job->trainer = digits_trainer_new (&job->config, train, job->data->test, &job->error);
      if (job->trainer != NULL)
        {
          job->completed = digits_trainer_run (job->trainer, train_progress_cb, job,
                                               job->cancellable, &job->error);
          job->model = digits_trainer_snapshot (job->trainer);
          if (job->model != NULL)
            {
              g_autoptr (GDateTime) now = g_date_time_new_now_local ();
              g_autofree char *created = g_date_time_format_iso8601 (now);

              digits_model_set_meta (job->model, "dataset", job->dataset_name);
              digits_model_set_meta (job->model, "created", created);
            }
          g_clear_pointer (&job->trainer, digits_trainer_free);
        }
    }

  job->finished_time = g_get_monotonic_time ();
  event = g_new0 (TrainEvent, 1);
  event->kind = EVENT_FINISHED;
  post_event (job, event);
  train_job_unref (job);

  return NULL;
}

/* ---- events, on the main thread ---- */

static void handle_event (DigitsTrainView *self,
                          TrainJob        *job,
                          TrainEvent      *event);

static gboolean
dispatch_events_cb (gpointer data)
{
  TrainJob *job = data;
  GQueue events = G_QUEUE_INIT;
  TrainEvent *event;
  g_autoptr (DigitsTrainView) view = NULL;

  g_mutex_lock (&job->lock);
  events = job->events;
  g_queue_init (&job->events);
  job->idle_id = 0;
  g_mutex_unlock (&job->lock);

  if (job->view != NULL)
    view = g_object_ref (job->view);

  while ((event = g_queue_pop_head (&events)) != NULL)
    {
      /* The view may let go of this run while handling an event. */
      if (view != NULL && job->view == view)
        handle_event (view, job, event);
      train_event_free (event);
    }

  return G_SOURCE_REMOVE;
}

static void
post_event (TrainJob   *job,
            TrainEvent *event)
{
  g_mutex_lock (&job->lock);
  g_queue_push_tail (&job->events, event);
  if (job->idle_id == 0)
    job->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, dispatch_events_cb,
                                    train_job_ref (job), train_job_unref);
  g_mutex_unlock (&job->lock);
}

/* Cancels the run, waits for its thread and drops what it still had to say. */
static void
finish_job (DigitsTrainView *self)
{
  TrainJob *job = self->job;

  if (job == NULL)
    return;

  g_cancellable_cancel (job->cancellable);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));

  job->view = NULL;
  g_mutex_lock (&job->lock);
  if (job->idle_id != 0)
    {
      g_source_remove (job->idle_id);
      job->idle_id = 0;
    }
  g_queue_clear_full (&job->events, train_event_free);
  g_mutex_unlock (&job->lock);

  g_clear_pointer (&self->job, train_job_unref);
}

/* ---- words ---- */

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

/* ---- settings ---- */

static DatasetKind
get_dataset_kind (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->dataset_row);

  if (selected >= self->n_datasets)
    return DATASET_MNIST;

  return self->dataset_kinds[selected];
}

static void
select_dataset_kind (DigitsTrainView *self,
                     DatasetKind      kind)
{
  for (guint i = 0; i < self->n_datasets; i++)
    if (self->dataset_kinds[i] == kind)
      {
        adw_combo_row_set_selected (self->dataset_row, i);
        return;
      }

  adw_combo_row_set_selected (self->dataset_row, 0);
}

static gboolean
folder_holds_idx (const char *folder)
{
  static const char * const bases[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  };

  if (folder == NULL || *folder == '\0')
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *plain = g_build_filename (folder, bases[i], NULL);
      g_autofree char *gz = g_strconcat (plain, ".gz", NULL);

      if (!g_file_test (plain, G_FILE_TEST_IS_REGULAR) &&
          !g_file_test (gz, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }

  return TRUE;
}

static guint
get_subset (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->subset_row);

  if (self->subset_override > 0)
    return self->subset_override;

  return selected < G_N_ELEMENTS (subset_sizes) ? subset_sizes[selected] : 0;
}

static NnOptKind
get_optimizer (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->optimizer_row);

  return selected < G_N_ELEMENTS (optimizer_kinds) ? optimizer_kinds[selected] : NN_OPT_ADAM;
}

static void
select_optimizer (DigitsTrainView *self,
                  NnOptKind        kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (optimizer_kinds); i++)
    if (optimizer_kinds[i] == kind)
      adw_combo_row_set_selected (self->optimizer_row, i);
}

/* "128,128" → { 128, 128 }; "" → no hidden layer. */
static gboolean
parse_hidden (const char  *text,
              int         *hidden,
              int         *n_hidden,
              GError     **error)
{
  g_auto (GStrv) parts = g_strsplit_set (text, ",; ", -1);

  *n_hidden = 0;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 units;

      const char *number = g_str_has_prefix (parts[i], "dense") ? parts[i] + 5 : parts[i];

      if (*parts[i] == '\0')
        continue;

      if (!g_ascii_string_to_unsigned (number, 10, 1, NN_MAX_WIDTH, &units, NULL))
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("“%s” is not a layer size: give numbers from 1 to %d, separated "
                         "by commas"), parts[i], NN_MAX_WIDTH);
          return FALSE;
        }
      if (*n_hidden >= NN_MAX_LAYERS - 1)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("Digits supports at most %d hidden layers"), NN_MAX_LAYERS - 1);
          return FALSE;
        }
      hidden[(*n_hidden)++] = (int) units;
    }

  return TRUE;
}

static char *
format_hidden (const DigitsTrainConfig *config)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (int i = 0; i < config->n_hidden; i++)
    g_string_append_printf (text, i > 0 ? ",%d" : "%d", config->hidden[i]);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_config (DigitsTrainView         *self,
             const DigitsTrainConfig *config)
{
  g_autofree char *hidden = format_hidden (config);

  gtk_editable_set_text (GTK_EDITABLE (self->hidden_row), hidden);
  gtk_spin_button_set_value (self->epochs_spin, config->epochs);
  gtk_spin_button_set_value (self->batch_spin, config->batch);
  select_optimizer (self, config->opt.kind);
  gtk_spin_button_set_value (self->rate_spin, config->opt.lr);
  gtk_switch_set_active (self->augment_switch, config->augment);
}

static void
save_settings (DigitsTrainView *self)
{
  if (self->settings == NULL || self->loading_settings)
    return;

  g_settings_delay (self->settings);
  g_settings_set_string (self->settings, "train-dataset", dataset_ids[get_dataset_kind (self)]);
  g_settings_set_string (self->settings, "train-folder", self->folder != NULL ? self->folder : "");
  g_settings_set_uint (self->settings, "train-subset",
                       subset_sizes[MIN (adw_combo_row_get_selected (self->subset_row),
                                         G_N_ELEMENTS (subset_sizes) - 1)]);
  g_settings_set_string (self->settings, "train-network",
                         network_ids[MIN (adw_combo_row_get_selected (self->network_row),
                                          G_N_ELEMENTS (network_ids) - 1)]);
  g_settings_set_string (self->settings, "train-hidden",
                         gtk_editable_get_text (GTK_EDITABLE (self->hidden_row)));
  g_settings_set_uint (self->settings, "train-epochs",
                       (guint) gtk_spin_button_get_value_as_int (self->epochs_spin));
  g_settings_set_uint (self->settings, "train-batch",
                       (guint) gtk_spin_button_get_value_as_int (self->batch_spin));
  g_settings_set_string (self->settings, "train-optimizer",
                         nn_opt_kind_to_string (get_optimizer (self)));
  g_settings_set_double (self->settings, "train-learning-rate",
                         gtk_spin_button_get_value (self->rate_spin));
  g_settings_set_boolean (self->settings, "train-augment",
                          gtk_switch_get_active (self->augment_switch));
  g_settings_apply (self->settings);
}

static void
load_settings (DigitsTrainView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *network = NULL;
  DigitsTrainConfig config;
  NnOptKind kind;
  guint subset;

  digits_train_config_defaults (&config);
  self->loading_settings = TRUE;
  show_config (self, &config);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "train-epochs"))
    {
      self->loading_settings = FALSE;
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);

  dataset = g_settings_get_string (self->settings, "train-dataset");
  g_free (self->folder);
  self->folder = g_settings_get_string (self->settings, "train-folder");
  if (*self->folder == '\0')
    g_clear_pointer (&self->folder, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (dataset_ids); i++)
    if (g_strcmp0 (dataset, dataset_ids[i]) == 0)
      select_dataset_kind (self, (DatasetKind) i);

  subset = g_settings_get_uint (self->settings, "train-subset");
  for (guint i = 0; i < G_N_ELEMENTS (subset_sizes); i++)
    if (subset_sizes[i] == subset)
      adw_combo_row_set_selected (self->subset_row, i);

  network = g_settings_get_string (self->settings, "train-network");
  for (guint i = 0; i < G_N_ELEMENTS (network_ids); i++)
    if (g_strcmp0 (network, network_ids[i]) == 0)
      adw_combo_row_set_selected (self->network_row, i);
  hidden = g_settings_get_string (self->settings, "train-hidden");
  gtk_editable_set_text (GTK_EDITABLE (self->hidden_row), hidden);
  gtk_spin_button_set_value (self->epochs_spin, g_settings_get_uint (self->settings,
                                                                     "train-epochs"));
  gtk_spin_button_set_value (self->batch_spin, g_settings_get_uint (self->settings,
                                                                    "train-batch"));
  optimizer = g_settings_get_string (self->settings, "train-optimizer");
  if (nn_opt_kind_from_string (optimizer, &kind) == 0)
    select_optimizer (self, kind);
  gtk_spin_button_set_value (self->rate_spin, g_settings_get_double (self->settings,
                                                                     "train-learning-rate"));
  gtk_switch_set_active (self->augment_switch,
                         g_settings_get_boolean (self->settings, "train-augment"));

  self->loading_settings = FALSE;
}

static void
setting_changed_cb (DigitsTrainView *self)
{
  save_settings (self);
}

/* Only "Custom…" takes a layer list. */
static void
network_changed_cb (DigitsTrainView *self)
{
  gtk_widget_set_visible (self->hidden_row,
                          adw_combo_row_get_selected (self->network_row) == NETWORK_CUSTOM);
  save_settings (self);
}

/* Narrow: the settings go above the training, the network's folded away, and the page
 * scrolls as a whole. */
static void
columns_folded_cb (DigitsFoldBox   *columns,
                   GParamSpec      *pspec,
                   DigitsTrainView *self)
{
  gboolean folded = digits_fold_box_get_folded (columns);

  adw_expander_row_set_expanded (self->network_expander, !folded);
  gtk_scrolled_window_set_policy (self->settings_scroller, GTK_POLICY_NEVER,
                                  folded ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC);
}

static void
optimizer_changed_cb (DigitsTrainView *self)
{
  NnOptConfig opt;
  DigitsTrainConfig defaults;

  if (self->loading_settings)
    return;

  /* Each optimizer has its own good learning rate: start from it. */
  digits_train_config_defaults (&defaults);
  nn_opt_config_defaults (&opt, get_optimizer (self));
  if (opt.kind == defaults.opt.kind)
    opt = defaults.opt;
  gtk_spin_button_set_value (self->rate_spin, opt.lr);
  save_settings (self);
}

static void
defaults_clicked_cb (DigitsTrainView *self)
{
  DigitsTrainConfig config;

  digits_train_config_defaults (&config);
  self->loading_settings = TRUE;
  show_config (self, &config);
  adw_combo_row_set_selected (self->subset_row, 0);
  adw_combo_row_set_selected (self->network_row, 0);
  self->loading_settings = FALSE;
  save_settings (self);
}

static gboolean
build_config (DigitsTrainView    *self,
              DigitsTrainConfig  *config,
              GError            **error)
{
  DigitsTrainConfig defaults;
  NnOptKind kind = get_optimizer (self);

  digits_train_config_defaults (&defaults);
  *config = defaults;

  if (adw_combo_row_get_selected (self->network_row) == NETWORK_CUSTOM &&
      !parse_hidden (gtk_editable_get_text (GTK_EDITABLE (self->hidden_row)),
                     config->hidden, &config->n_hidden, error))
    return FALSE;

  config->epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  config->batch = (guint) gtk_spin_button_get_value_as_int (self->batch_spin);
  if (kind != defaults.opt.kind)
    nn_opt_config_defaults (&config->opt, kind);
  config->opt.lr = (float) gtk_spin_button_get_value (self->rate_spin);
  config->augment = gtk_switch_get_active (self->augment_switch);
  config->labels = get_dataset_kind (self) == DATASET_FASHION ? DIGITS_LABELS_FASHION
                                                               : DIGITS_LABELS_DIGITS;

  return TRUE;
}

/* ---- the data ---- */

static void
update_data_status (DigitsTrainView *self)
{
  DatasetKind kind = get_dataset_kind (self);
  g_autofree char *markup = NULL;
  g_autofree char *user_dir = g_build_filename (g_get_user_data_dir (), "digits", "mnist",
                                                NULL);

  g_clear_pointer (&self->data_folder, g_free);
  switch (kind)
    {
    case DATASET_MNIST:
      self->data_folder = digits_dataset_find_mnist ();
      break;
    case DATASET_FASHION:
      if (folder_holds_idx (FASHION_MNIST_DIR))
        self->data_folder = g_strdup (FASHION_MNIST_DIR);
      break;
    case DATASET_FOLDER:
    default:
      if (folder_holds_idx (self->folder))
        self->data_folder = g_strdup (self->folder);
      break;
    }

  gtk_widget_set_visible (self->choose_folder_button, kind == DATASET_FOLDER);

  if (self->data_folder != NULL)
    {
      g_autofree char *display = g_filename_display_name (self->data_folder);
      /* TRANSLATORS: where the training data was found */
      g_autofree char *text = g_strdup_printf (_("In %s"), display);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dataset_row), text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->dataset_row), display);
    }
  else if (kind == DATASET_FOLDER && self->folder == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dataset_row),
                                   _("No folder chosen yet"));
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->dataset_row), _("Not found"));
    }

  /* The empty page explains where the files go. */
  if (kind == DATASET_FOLDER && self->folder != NULL)
    {
      g_autofree char *display = g_filename_display_name (self->folder);

      adw_status_page_set_title (self->no_data_page, _("No Training Data in This Folder"));
      markup = g_markup_printf_escaped (_("Digits needs the four files of an MNIST-style "
                                          "data set, such as <tt>train-images-idx3-ubyte.gz"
                                          "</tt>, in <b>%s</b>."), display);
    }
  else
    {
      g_autofree char *display = g_filename_display_name (user_dir);

      adw_status_page_set_title (self->no_data_page, _("No Training Data Yet"));
      markup = g_markup_printf_escaped (_("Digits learns from MNIST, 70,000 handwritten "
                                          "digits. Put its four files "
                                          "(<tt>train-images-idx3-ubyte.gz</tt> and the "
                                          "others) in <b>%s</b> or in <b>%s</b>, or name "
                                          "their folder in the <tt>DIGITS_MNIST_DIR</tt> "
                                          "environment variable."),
                                        display, SYSTEM_MNIST_DIR);
    }
  adw_status_page_set_description (self->no_data_page, markup);

#ifdef DIGITS_HAVE_DOWNLOAD
  gtk_widget_set_visible (self->download_button,
                          kind == DATASET_MNIST && self->download_cancellable == NULL);
#else
  gtk_widget_set_visible (self->download_button, FALSE);
#endif
}

static void
dataset_changed_cb (DigitsTrainView *self)
{
  update_data_status (self);
  save_settings (self);
  update_view (self);
}

static void
folder_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    DigitsTrainView *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  /* Not destroyed here: the dialog is still emitting its response. */
  g_clear_object (&self->folder_chooser);

  if (file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        digits_train_view_set_folder (self, path);
    }
}

static void
choose_folder_clicked_cb (DigitsTrainView *self)
{
  GtkFileChooserNative *native;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->folder_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->folder_chooser);
      g_clear_object (&self->folder_chooser);
    }

  native = gtk_file_chooser_native_new (_("Choose a Folder with Training Data"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (folder_response_cb), self);
  self->folder_chooser = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->folder_chooser);
}

/* ---- the view's state ---- */

static void
set_state (DigitsTrainView  *self,
           DigitsTrainState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  update_view (self);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
}

static void
update_view (DigitsTrainView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->state == DIGITS_TRAIN_STATE_RUNNING;
  gboolean has_data = self->data_folder != NULL;
  gboolean busy = running || self->state == DIGITS_TRAIN_STATE_EVALUATING;
  const char *page;

  gtk_widget_action_set_enabled (widget, "train.toggle",
                                 running || (has_data && !busy &&
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

static void
handle_progress (DigitsTrainView           *self,
                 const DigitsTrainProgress *p,
                 DigitsModel               *model)
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

  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, p);

  /* The canvas learns along: it answers with the newest weights. */
  if (model != NULL && self->state == DIGITS_TRAIN_STATE_RUNNING)
    g_signal_emit (self, signals[SIGNAL_MODEL_UPDATED], 0, model);
}

static void
handle_finished (DigitsTrainView *self,
                 TrainJob        *job)
{
  g_autoptr (GError) error = NULL;

  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));

  if (self->stop_requested > 0)
    {
      self->stop_latency = (job->finished_time - self->stop_requested) /
                           (double) G_USEC_PER_SEC;
      g_debug ("Training stopped %.1f ms after it was asked to", self->stop_latency * 1000.0);
      self->stop_requested = 0;
    }

  /* Keep what was read for the next run. */
  if (job->data != NULL && self->data != job->data)
    {
      g_clear_pointer (&self->data, train_data_unref);
      self->data = train_data_ref (job->data);
    }

  job->view = NULL;
  error = g_steal_pointer (&job->error);
  g_clear_pointer (&self->model, digits_model_free);
  self->model = g_steal_pointer (&job->model);
  g_clear_pointer (&self->job, train_job_unref);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Training failed: %s"), error->message);

      gtk_label_set_text (self->progress_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "error");
      g_clear_pointer (&self->model, digits_model_free);
      set_state (self, DIGITS_TRAIN_STATE_FAILED);
      g_signal_emit (self, signals[SIGNAL_DISCARDED], 0);
      return;
    }

  if (error != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *step_text = NULL;

      if (self->model == NULL)
        {
          /* Stopped before a single step: nothing to keep. */
          gtk_label_set_text (self->progress_label, _("Stopped"));
          set_state (self, DIGITS_TRAIN_STATE_IDLE);
          g_signal_emit (self, signals[SIGNAL_DISCARDED], 0);
          return;
        }

      /* Formatted apart: xgettext cannot see through G_GUINT64_FORMAT in a msgid. */
      step_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, self->last_progress.step);
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
      set_state (self, DIGITS_TRAIN_STATE_STOPPED);
      return;
    }

  {
    double seconds = (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
    /* TRANSLATORS: how long a training run took: "Trained in 6.1 s" */
    g_autofree char *took = g_strdup_printf (_("Trained in %.1f s"), seconds);

    gtk_label_set_text (self->time_label, took);
  }
  g_signal_emit (self, signals[SIGNAL_MODEL_UPDATED], 0, self->model);
  start_evaluation (self);
}

static void
handle_event (DigitsTrainView *self,
              TrainJob        *job,
              TrainEvent      *event)
{
  switch (event->kind)
    {
    case EVENT_LOADED:
      self->job_loaded = TRUE;
      gtk_label_set_text (self->progress_label, _("Training…"));
      break;
    case EVENT_PROGRESS:
      handle_progress (self, &event->progress, event->model);
      break;
    case EVENT_FINISHED:
      handle_finished (self, job);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- the results ---- */

typedef struct
{
  DigitsModel *model;
  TrainData   *data;
  guint       *confusion;
  double       accuracy;
} EvalJob;

static void
eval_job_free (gpointer data)
{
  EvalJob *job = data;

  g_clear_pointer (&job->model, digits_model_free);
  g_clear_pointer (&job->data, train_data_unref);
  g_free (job->confusion);
  g_free (job);
}

static void
eval_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EvalJob *job = task_data;
  guint n_classes = (guint) job->model->net->sizes[job->model->net->n_layers];

  /* No lower priority here: GTask's pool threads are reused and could not get it back. */
  job->confusion = g_new0 (guint, n_classes * n_classes);
  job->accuracy = digits_evaluate (job->model, job->data->test, job->confusion);
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
    digits_confusion_matrix_set (self->confusion_matrix, job->confusion, n_classes,
                                 (const char * const *) labels->pdata);

  /* TRANSLATORS: the test accuracy of the trained model: "97.81%" */
  accuracy = g_strdup_printf (_("%.2f%%"), job->accuracy * 100.0);
  gtk_label_set_text (self->accuracy_label, accuracy);
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

static void
eval_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (source);
  EvalJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self->disposed)
    return;
  if (self->state != DIGITS_TRAIN_STATE_EVALUATING || self->model == NULL)
    return;

  show_results (self, job);
  set_state (self, DIGITS_TRAIN_STATE_DONE);
}

static void
start_evaluation (DigitsTrainView *self)
{
  g_autoptr (GTask) task = NULL;
  EvalJob *job;

  if (self->model == NULL || self->data == NULL || self->data->test == NULL)
    {
      gtk_label_set_text (self->accuracy_label, "");
      gtk_label_set_text (self->accuracy_caption, _("There is no test set to measure the "
                                                    "model on."));
      set_state (self, DIGITS_TRAIN_STATE_DONE);
      return;
    }

  job = g_new0 (EvalJob, 1);
  job->model = digits_model_copy (self->model);
  job->data = train_data_ref (self->data);

  g_cancellable_cancel (self->eval_cancellable);
  g_clear_object (&self->eval_cancellable);
  self->eval_cancellable = g_cancellable_new ();

  gtk_label_set_text (self->progress_label, _("Measuring the model on the test set…"));
  set_state (self, DIGITS_TRAIN_STATE_EVALUATING);

  task = g_task_new (self, self->eval_cancellable, eval_done_cb, NULL);
  g_task_set_source_tag (task, start_evaluation);
  g_task_set_name (task, "digits-evaluate");
  g_task_set_task_data (task, job, eval_job_free);
  g_task_run_in_thread (task, eval_thread);
}

/* ---- downloading ---- */

#ifdef DIGITS_HAVE_DOWNLOAD
static void
set_download_status (DigitsTrainView *self,
                     const char      *text,
                     gboolean         is_error)
{
  g_free (self->download_status);
  self->download_status = g_strdup (text);
  gtk_label_set_text (self->download_status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->download_status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->download_status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->download_status_label), "error");
}

static void
download_progress_cb (guint64     received,
                      guint64     total,
                      const char *file_name,
                      gpointer    user_data)
{
  DigitsTrainView *self = user_data;
  g_autofree char *have = g_format_size (received);
  g_autofree char *all = g_format_size (total);
  g_autofree char *text = NULL;

  if (self->disposed)
    return;

  /* TRANSLATORS: "3.1 MB of 11.6 MB: train-images-idx3-ubyte.gz" */
  text = g_strdup_printf (_("%s of %s: %s"), have, all, file_name);
  gtk_progress_bar_set_fraction (self->download_progress,
                                 total > 0 ? (double) received / total : 0.0);
  gtk_progress_bar_set_text (self->download_progress, text);
}

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (DigitsTrainView) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *folder = digits_download_mnist_finish (result, &error);

  g_clear_object (&self->download_cancellable);
  if (self->disposed)
    return;

  gtk_widget_set_visible (self->download_box, FALSE);

  if (folder == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_download_status (self, _("The download was cancelled."), FALSE);
        }
      else
        {
          text = g_strdup_printf (_("MNIST could not be downloaded: %s"), error->message);
          set_download_status (self, text, TRUE);
        }
    }
  else
    {
      g_autofree char *display = g_filename_display_name (folder);
      g_autofree char *text = g_strdup_printf (_("MNIST was downloaded to %s."), display);

      set_download_status (self, text, FALSE);
    }

  digits_train_view_refresh_data (self);
}
#endif

static void
download_clicked_cb (DigitsTrainView *self)
{
  digits_train_view_download (self);
}

static void
download_cancel_clicked_cb (DigitsTrainView *self)
{
  digits_train_view_cancel_download (self);
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
      g_signal_emit (self, signals[SIGNAL_USE_MODEL], 0, self->model);
      /* It is the model in use now: nothing left to choose. */
      self->used = TRUE;
      gtk_button_set_label (GTK_BUTTON (self->use_button), _("In Use"));
      update_view (self);
    }
}

/* ---- GObject ---- */

static void
digits_train_view_dispose (GObject *object)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (object);

  self->disposed = TRUE;

  /* Closing the window or quitting mid-training: stop the thread and wait for it. */
  if (self->job != NULL && self->stop_requested == 0)
    self->stop_requested = g_get_monotonic_time ();
  finish_job (self);
  if (self->abandoned != NULL)
    {
      for (guint i = 0; i < self->abandoned->len; i++)
        g_thread_join (g_ptr_array_index (self->abandoned, i));
      g_clear_pointer (&self->abandoned, g_ptr_array_unref);
    }
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
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (digits_train_view_parent_class)->dispose (object);
}

static void
digits_train_view_finalize (GObject *object)
{
  DigitsTrainView *self = DIGITS_TRAIN_VIEW (object);

  g_clear_pointer (&self->data, train_data_unref);
  g_clear_pointer (&self->model, digits_model_free);
  g_clear_pointer (&self->test_accuracies, g_array_unref);
  g_free (self->folder);
  g_free (self->data_folder);
  g_free (self->download_status);

  G_OBJECT_CLASS (digits_train_view_parent_class)->finalize (object);
}

static void
digits_train_view_class_init (DigitsTrainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_train_view_dispose;
  object_class->finalize = digits_train_view_finalize;

  /**
   * DigitsTrainView::progress:
   * @progress: (type gpointer): a const DigitsTrainProgress *
   *
   * A step or an epoch of training, on the main thread.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * DigitsTrainView::model-updated:
   * @model: (type gpointer): a const DigitsModel *, valid during the emission
   *
   * Newer weights to answer with while training, and the trained model at the end.
   */
  signals[SIGNAL_MODEL_UPDATED] =
    g_signal_new ("model-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * DigitsTrainView::use-model:
   * @model: (type gpointer): a const DigitsModel *, valid during the emission
   *
   * The person chose the trained model as the one to use from now on.
   */
  signals[SIGNAL_USE_MODEL] =
    g_signal_new ("use-model", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * DigitsTrainView::discarded:
   *
   * The trained model was dropped: answer with the model in use again.
   */
  signals[SIGNAL_DISCARDED] =
    g_signal_new ("discarded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

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
  gtk_widget_class_bind_template_callback (widget_class, dataset_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, network_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, columns_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, setting_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, optimizer_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, defaults_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_cancel_clicked_cb);

  gtk_widget_class_install_action (widget_class, "train.toggle", NULL, toggle_action);
  gtk_widget_class_install_action (widget_class, "train.keep", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "train.discard", NULL, discard_action);
  gtk_widget_class_install_action (widget_class, "train.use", NULL, use_action);
}

static void
digits_train_view_init (DigitsTrainView *self)
{
  g_autoptr (GtkStringList) datasets = gtk_string_list_new (NULL);
  const char *subsets[] = {
    _("All (60,000)"), _("Quick: 10,000"), _("Tiny: 2,000"), NULL
  };
  const char *optimizers[] = { _("Adam"), _("Momentum"), _("SGD"), NULL };
  const char *networks[] = {
    _("Convolutional (built-in)"), _("Tutorial MLP"), _("Custom…"), NULL
  };
  g_autoptr (GtkStringList) network_model = gtk_string_list_new (networks);
  g_autoptr (GtkStringList) subset_model = gtk_string_list_new (subsets);
  g_autoptr (GtkStringList) optimizer_model = gtk_string_list_new (optimizers);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->test_accuracies = g_array_new (FALSE, FALSE, sizeof (float));
  self->abandoned = g_ptr_array_new ();
  self->stop_latency = -1.0;

  /* Fashion-MNIST is offered only when Debian's dataset-fashion-mnist is installed. */
  self->dataset_kinds[self->n_datasets++] = DATASET_MNIST;
  gtk_string_list_append (datasets, _("MNIST"));
  if (folder_holds_idx (FASHION_MNIST_DIR))
    {
      self->dataset_kinds[self->n_datasets++] = DATASET_FASHION;
      gtk_string_list_append (datasets, _("Fashion-MNIST"));
    }
  self->dataset_kinds[self->n_datasets++] = DATASET_FOLDER;
  gtk_string_list_append (datasets, _("A Folder"));

  self->loading_settings = TRUE;
  adw_combo_row_set_model (self->dataset_row, G_LIST_MODEL (datasets));
  adw_combo_row_set_model (self->subset_row, G_LIST_MODEL (subset_model));
  adw_combo_row_set_model (self->network_row, G_LIST_MODEL (network_model));
  adw_combo_row_set_model (self->optimizer_row, G_LIST_MODEL (optimizer_model));
  self->loading_settings = FALSE;

  load_settings (self);
  gtk_widget_set_visible (self->hidden_row,
                          adw_combo_row_get_selected (self->network_row) == NETWORK_CUSTOM);
  update_data_status (self);
  digits_train_view_set_model_in_use (self, NULL);
  gtk_label_set_text (self->progress_label, _("Ready to train"));

  update_view (self);
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
  TrainJob *job;
  guint epochs;

  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  if (self->state == DIGITS_TRAIN_STATE_RUNNING ||
      self->state == DIGITS_TRAIN_STATE_EVALUATING || self->data_folder == NULL)
    return FALSE;

  gtk_widget_remove_css_class (GTK_WIDGET (self->progress_label), "error");

  if (!build_config (self, &config, &error))
    {
      gtk_label_set_text (self->progress_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "error");
      return FALSE;
    }

  save_settings (self);
  /* A result nobody chose goes: the window answers with the model in use again. */
  if (self->model != NULL && !self->used)
    g_signal_emit (self, signals[SIGNAL_DISCARDED], 0);
  g_clear_pointer (&self->model, digits_model_free);

  job = g_atomic_rc_box_new0 (TrainJob);
  g_mutex_init (&job->lock);
  g_queue_init (&job->events);
  job->config = config;
  job->folder = g_strdup (self->data_folder);
  job->dataset_name = g_strdup (get_dataset_kind (self) == DATASET_FOLDER
                                ? self->data_folder
                                : dataset_ids[get_dataset_kind (self)]);
  job->subset = get_subset (self);
  job->cancellable = g_cancellable_new ();
  job->view = self;
  if (self->data != NULL && g_strcmp0 (self->data->folder, self->data_folder) == 0)
    job->data = train_data_ref (self->data);

  epochs = config.epochs;
  self->job = job;
  self->stop_requested = 0;
  self->started = g_get_monotonic_time ();
  self->job_loaded = job->data != NULL;
  self->used = FALSE;
  gtk_button_set_label (GTK_BUTTON (self->use_button), _("_Use This Model"));
  memset (&self->last_progress, 0, sizeof self->last_progress);
  self->curve_points = 0;
  g_array_set_size (self->test_accuracies, 0);
  digits_curve_chart_reset (self->curve_chart, epochs);
  digits_confusion_matrix_set (self->confusion_matrix, NULL, 10, NULL);
  clear_log (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->progress_label, job->data != NULL ? _("Training…")
                                                              : _("Reading the training data…"));
  gtk_label_set_text (self->speed_label, "");
  gtk_label_set_text (self->time_label, "");

  self->thread = g_thread_try_new ("digits-train", train_thread, train_job_ref (job), &error);
  if (self->thread == NULL)
    {
      train_job_unref (job);   /* the reference meant for the thread */
      g_clear_pointer (&self->job, train_job_unref);
      gtk_label_set_text (self->progress_label, error->message);
      set_state (self, DIGITS_TRAIN_STATE_FAILED);
      return FALSE;
    }
  set_state (self, DIGITS_TRAIN_STATE_RUNNING);
  return TRUE;
}

void
digits_train_view_stop (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  if (self->job == NULL || self->state != DIGITS_TRAIN_STATE_RUNNING)
    return;

  if (self->stop_requested == 0)
    self->stop_requested = g_get_monotonic_time ();
  g_cancellable_cancel (self->job->cancellable);

  if (!self->job_loaded)
    {
      /* Still reading the data, which cannot be interrupted: the thread may finish that
       * unseen (it is joined when the view goes); the view is free at once. */
      self->job->view = NULL;
      g_ptr_array_add (self->abandoned, g_steal_pointer (&self->thread));
      g_clear_pointer (&self->job, train_job_unref);
      self->stop_latency = (g_get_monotonic_time () - self->stop_requested) /
                           (double) G_USEC_PER_SEC;
      self->stop_requested = 0;
      gtk_label_set_text (self->progress_label, _("Stopped"));
      set_state (self, DIGITS_TRAIN_STATE_IDLE);
      g_signal_emit (self, signals[SIGNAL_DISCARDED], 0);
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

  g_signal_emit (self, signals[SIGNAL_MODEL_UPDATED], 0, self->model);
  start_evaluation (self);
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
  gtk_label_set_text (self->progress_label, _("Ready to train"));
  set_state (self, DIGITS_TRAIN_STATE_IDLE);
  g_signal_emit (self, signals[SIGNAL_DISCARDED], 0);
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
}

void
digits_train_view_set_epochs (DigitsTrainView *self,
                              guint            epochs)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  gtk_spin_button_set_value (self->epochs_spin, epochs);
}

void
digits_train_view_set_folder (DigitsTrainView *self,
                              const char      *folder)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  g_free (self->folder);
  self->folder = g_strdup (folder);
  if (get_dataset_kind (self) != DATASET_FOLDER)
    select_dataset_kind (self, DATASET_FOLDER);   /* updates and saves */
  else
    dataset_changed_cb (self);
}

void
digits_train_view_refresh_data (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  update_data_status (self);
  update_view (self);
}

gboolean
digits_train_view_has_data (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  return self->data_folder != NULL;
}

void
digits_train_view_download (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

#ifdef DIGITS_HAVE_DOWNLOAD
  if (self->download_cancellable != NULL)
    return;

  self->download_cancellable = g_cancellable_new ();
  set_download_status (self, NULL, FALSE);
  gtk_progress_bar_set_fraction (self->download_progress, 0.0);
  gtk_progress_bar_set_text (self->download_progress, _("Connecting…"));
  gtk_widget_set_visible (self->download_box, TRUE);
  gtk_widget_set_visible (self->download_button, FALSE);
  update_view (self);

  digits_download_mnist_async (NULL, self->download_cancellable,
                               download_progress_cb, g_object_ref (self), g_object_unref,
                               download_done_cb, g_object_ref (self));
#endif
}

void
digits_train_view_cancel_download (DigitsTrainView *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_VIEW (self));

  g_cancellable_cancel (self->download_cancellable);
}

gboolean
digits_train_view_is_downloading (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), FALSE);

  return self->download_cancellable != NULL;
}

const char *
digits_train_view_get_download_status (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), NULL);

  return self->download_status;
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

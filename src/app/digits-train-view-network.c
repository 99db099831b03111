/* digits-train-view-network.c — the Train page's network: the choices, a custom spec
 * checked as it is typed, and the chosen network's size and expected time per epoch.
 *
 * The time comes from the network's arithmetic and this computer's training speed,
 * measured once per process on a thread of its own (at the trainer's lower priority)
 * the first time the page is shown; until then the row says it is measuring.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "digits-train-view-private.h"

#define MEASURE_SECONDS  0.3
#define MNIST_TRAIN_SIZE 60000

/* By combo row position; the ids are what "train-network" stores. */
static const struct {
  const char *id;
  const char *spec;
} networks[] = {
  { "default", DIGITS_TRAIN_NET_APP },
  { "builtin", "cnn" },
  { "mlp", "mlp" },
  { "custom", NULL },
};
#define NETWORK_CUSTOM 3

/* This computer's training speed: one measurement for all views of the process. */
static struct {
  GThread          *thread;
  guint             generation;   /* of the thread: a stopped one's result comes late */
  GCancellable     *cancellable;
  gboolean          known;
  DigitsTrainSpeed  speed;
  GPtrArray        *views;        /* shown ones, told when the speed is known */
} machine;

typedef struct {
  GCancellable     *cancellable;
  guint             generation;
  gboolean          ok;
  DigitsTrainSpeed  speed;
} MeasureJob;

static void
measure_job_free (gpointer data)
{
  MeasureJob *job = data;

  g_clear_object (&job->cancellable);
  g_free (job);
}

static gboolean
is_custom (DigitsTrainView *self)
{
  return adw_combo_row_get_selected (self->network_row) == NETWORK_CUSTOM;
}

const char *
digits_train_view_get_network_id (DigitsTrainView *self)
{
  guint selected = adw_combo_row_get_selected (self->network_row);

  return networks[MIN (selected, G_N_ELEMENTS (networks) - 1)].id;
}

void
digits_train_view_select_network_id (DigitsTrainView *self,
                                     const char      *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    if (g_strcmp0 (id, networks[i].id) == 0)
      adw_combo_row_set_selected (self->network_row, i);
}

gboolean
digits_train_view_get_net (DigitsTrainView  *self,
                           DigitsNetInfo    *info,
                           GError          **error)
{
  guint selected = adw_combo_row_get_selected (self->network_row);
  const char *spec = selected < NETWORK_CUSTOM
                     ? networks[selected].spec
                     : gtk_editable_get_text (GTK_EDITABLE (self->hidden_row));

  return digits_net_info (spec, 10, info, error);
}

/* "9.4 s", "48 s", "12 min", "2.5 h" */
static char *
format_span (double seconds)
{
  if (seconds < 9.95)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 90)
    return g_strdup_printf (_("%.0f s"), seconds);
  if (seconds < 90 * 60)
    return g_strdup_printf (_("%.0f min"), seconds / 60);
  return g_strdup_printf (_("%.1f h"), seconds / 3600);
}

/* The digits an epoch goes through: the subset, or the data set read before, or MNIST's. */
static guint
count_training_digits (DigitsTrainView *self)
{
  guint n = MNIST_TRAIN_SIZE;
  guint subset = digits_train_view_get_subset (self);

  if (digits_train_view_data_is_read (self) && self->data->train != NULL)
    n = self->data->train->n;

  return subset > 0 ? MIN (subset, n) : n;
}

/* For the valid network in self->net_info. */
static char *
describe_time (DigitsTrainView *self)
{
  guint n = count_training_digits (self);
  guint epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  double epoch;
  g_autofree char *per_epoch = NULL;
  g_autofree char *all = NULL;

  if (!machine.known)
    return g_strdup (_("Measuring this computer’s speed…"));

  epoch = digits_train_view_get_epoch_estimate (self);
  per_epoch = format_span (epoch);
  if (epochs <= 1)
    /* TRANSLATORS: "About 9.4 s an epoch of 60,000 digits on this computer" */
    return g_strdup_printf (_("About %s an epoch of %'u digits on this computer"),
                            per_epoch, n);

  all = format_span (epoch * epochs);
  /* TRANSLATORS: "About 9.4 s an epoch of 60,000 digits on this computer, 4.7 min for 30" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "About %s an epoch of %'u digits on this computer, "
                                       "%s for %u",
                                       "About %s an epoch of %'u digits on this computer, "
                                       "%s for %u", epochs),
                          per_epoch, n, all, epochs);
}

double
digits_train_view_get_epoch_estimate (DigitsTrainView *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_VIEW (self), -1.0);

  if (!machine.known || !self->net_valid)
    return -1.0;

  return digits_train_speed_epoch (&machine.speed, &self->net_info,
                                   count_training_digits (self),
                                   gtk_switch_get_active (self->augment_switch));
}

/* An epoch was trained: its real time is the best guide to the next ones. */
void
digits_train_view_learn_speed (DigitsTrainView           *self,
                               const DigitsTrainProgress *progress)
{
  if (!machine.known || !self->net_valid || progress->event != DIGITS_TRAIN_EPOCH_DONE)
    return;

  digits_train_speed_learn (&machine.speed, &self->net_info, count_training_digits (self),
                            gtk_switch_get_active (self->augment_switch),
                            progress->epoch_seconds);
  for (guint i = 0; machine.views != NULL && i < machine.views->len; i++)
    digits_train_view_update_network (g_ptr_array_index (machine.views, i));
}

/* ---- measuring the speed ---- */

static gboolean
speed_measured_cb (gpointer data)
{
  MeasureJob *job = data;

  if (job->generation == machine.generation && machine.thread != NULL)
    {
      g_clear_pointer (&machine.thread, g_thread_join);
      g_clear_object (&machine.cancellable);
    }
  if (!job->ok)
    return G_SOURCE_REMOVE;

  machine.speed = job->speed;
  machine.known = TRUE;
  g_debug ("Training speed: %.2f GMAC/s, %.1f µs to distort a digit",
           1e-9 / job->speed.seconds_per_mac, job->speed.augment_seconds * 1e6);
  for (guint i = 0; machine.views != NULL && i < machine.views->len; i++)
    digits_train_view_update_network (g_ptr_array_index (machine.views, i));

  return G_SOURCE_REMOVE;
}

static gpointer
measure_thread (gpointer data)
{
  MeasureJob *job = data;
  g_autoptr (GError) error = NULL;

  /* As training's: the window keeps the CPU it needs to draw. */
  digits_lower_thread_priority (DIGITS_TRAIN_NICE);

  job->ok = digits_train_speed_measure (0, MEASURE_SECONDS, &job->speed, job->cancellable,
                                        &error);
  if (!job->ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not measure the training speed: %s", error->message);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, speed_measured_cb, job, measure_job_free);

  return NULL;
}

/* The page is shown: it needs the speed now. */
static void
view_mapped_cb (DigitsTrainView *self)
{
  MeasureJob *job;

  if (machine.views == NULL)
    machine.views = g_ptr_array_new ();
  if (!g_ptr_array_find (machine.views, self, NULL))
    g_ptr_array_add (machine.views, self);

  if (machine.known || machine.thread != NULL)
    return;

  job = g_new0 (MeasureJob, 1);
  machine.cancellable = g_cancellable_new ();
  job->cancellable = g_object_ref (machine.cancellable);
  job->generation = ++machine.generation;
  machine.thread = g_thread_new ("digits-measure", measure_thread, job);
}

/* ---- the rows ---- */

static void
show_spec_error (DigitsTrainView *self,
                 const char      *message)
{
  GtkWidget *row = self->hidden_row;

  gtk_widget_set_visible (self->spec_error_icon, message != NULL);
  gtk_widget_set_tooltip_text (self->spec_error_icon, message);
  gtk_widget_set_tooltip_text (row, message);
  if (message != NULL)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

void
digits_train_view_update_network (DigitsTrainView *self)
{
  g_autoptr (GError) error = NULL;
  AdwActionRow *info_row = ADW_ACTION_ROW (self->net_info_row);
  gboolean valid = digits_train_view_get_net (self, &self->net_info, &error);
  gboolean changed = valid != self->net_valid;

  /* Before describe_time: the estimate is only for a valid network. */
  self->net_valid = valid;

  gtk_widget_set_visible (self->hidden_row, is_custom (self));
  show_spec_error (self, valid || !is_custom (self) ? NULL : error->message);

  if (valid)
    {
      g_autofree char *size = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%'zu parameter",
                                                            "%'zu parameters",
                                                            self->net_info.n_params),
                                               self->net_info.n_params);
      g_autofree char *time = describe_time (self);

      g_autofree char *about = g_strdup_printf ("%s\n%s", *self->net_info.spec != '\0'
                                                ? self->net_info.spec
                                                : _("No hidden layer"), time);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (info_row), size);
      adw_action_row_set_subtitle (info_row, about);
      gtk_widget_remove_css_class (self->net_info_row, "error");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (info_row), error->message);
      adw_action_row_set_subtitle (info_row, _("Correct the layers to train this network"));
      gtk_widget_add_css_class (self->net_info_row, "error");
    }

  if (changed)
    digits_train_view_update (self);
}

void
digits_train_view_init_network (DigitsTrainView *self)
{
  const char *names[] = {
    /* TRANSLATORS: the networks to train; "CNN": convolutional neural network */
    _("Small CNN (quick)"), _("Built-in model’s CNN"), _("Tutorial MLP"), _("Custom…"), NULL
  };
  g_autoptr (GtkStringList) model = gtk_string_list_new (names);

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == G_N_ELEMENTS (networks) + 1);
  adw_combo_row_set_model (self->network_row, G_LIST_MODEL (model));
  g_signal_connect (self, "map", G_CALLBACK (view_mapped_cb), NULL);
}

/* The speed measurement goes on only while some view can show it. */
void
digits_train_view_dispose_network (DigitsTrainView *self)
{
  if (machine.views == NULL)
    return;

  g_ptr_array_remove (machine.views, self);
  if (machine.views->len == 0 && machine.thread != NULL)
    {
      g_cancellable_cancel (machine.cancellable);
      g_clear_pointer (&machine.thread, g_thread_join);
      g_clear_object (&machine.cancellable);
    }
}

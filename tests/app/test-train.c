/* test-train.c — the Train page under Xvfb: a training run, stop, quit, models to keep,
 * and the MNIST download against a local HTTP server.
 *
 * Tests that train need MNIST: DIGITS_MNIST_DIR names it (CI sets it); without it they
 * skip and say why. gtk_test_init () makes every GTK warning and critical fatal.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#ifdef DIGITS_HAVE_DOWNLOAD
#include <libsoup/soup.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../test-util.h"
#include "app-test-util.h"
#include "core/digits-dataset.h"
#include "core/digits-preprocess.h"
#include "digits-application.h"
#include "digits-confusion-matrix.h"
#include "digits-curve-chart.h"
#ifdef DIGITS_HAVE_DOWNLOAD
#include "digits-downloader.h"
#endif
#include "digits-window.h"
#include "digits-train-view-private.h"
#include "digits-window-private.h"

static DigitsApplication *app;
static GThread *main_thread;
static char *mnist_dir;        /* $DIGITS_MNIST_DIR as the tests started */
static char *data_home;        /* a fresh $XDG_DATA_HOME */

/* ---- helpers ---- */

static gboolean
has_mnist (void)
{
  if (mnist_dir != NULL && *mnist_dir != '\0')
    return TRUE;

  g_test_skip ("DIGITS_MNIST_DIR is not set: the training tests need MNIST");
  return FALSE;
}

/* The tests that train to the end train a CNN, the page's default; under the sanitizers,
 * where a convolution runs some hundred times slower and each epoch ends by reading
 * 10,000 test digits, a tiny one of the same layer kinds. */
static void
choose_test_network (DigitsTrainView *view)
{
  if (TEST_SANITIZED)
    digits_train_view_set_network (view, "custom", DIGITS_TEST_TINY_NET);
  else
    digits_train_view_set_network (view, "default", NULL);
}

static void
add_seven (DigitsCanvas *canvas)
{
  DigitsPoint points[24];

  for (guint i = 0; i < 12; i++)
    {
      points[i].x = 0.3f + 0.4f * i / 11.0f;
      points[i].y = 0.2f;
    }
  for (guint i = 0; i < 12; i++)
    {
      points[12 + i].x = 0.7f - 0.25f * i / 11.0f;
      points[12 + i].y = 0.2f + 0.6f * i / 11.0f;
    }

  digits_canvas_add_stroke (canvas, points, G_N_ELEMENTS (points));
}

/* The canvas's probabilities, from the model the window answers with. */
static void
get_probs (DigitsWindow *window,
           float        *probs)
{
  const DigitsStroke *strokes;
  guint n;
  float input[DIGITS_PIXELS];

  strokes = digits_canvas_get_strokes (digits_window_get_canvas (window), &n);
  g_assert_true (digits_preprocess_strokes (strokes, n, 1.0f, input));
  digits_model_classify (digits_window_get_model (window), input, probs);
}

static float
max_difference (const float *a,
                const float *b)
{
  float d = 0.0f;

  for (int i = 0; i < 10; i++)
    d = MAX (d, fabsf (a[i] - b[i]));

  return d;
}

static char *
make_temp_dir (void)
{
  g_autofree char *template = g_build_filename (g_get_tmp_dir (), "digits-test-train-XXXXXX",
                                                NULL);
  char *dir = g_mkdtemp (g_steal_pointer (&template));

  g_assert_nonnull (dir);
  return dir;
}

static gboolean
state_is (gpointer data)
{
  DigitsTrainView *view = ((gpointer *) data)[0];
  DigitsTrainState state = GPOINTER_TO_INT (((gpointer *) data)[1]);

  return digits_train_view_get_state (view) == state;
}

static gboolean
wait_for_state (DigitsTrainView  *view,
                DigitsTrainState  state,
                double            seconds)
{
  gpointer data[2] = { view, GINT_TO_POINTER (state) };

  return digits_test_wait_until (state_is, data, seconds);
}

typedef struct
{
  guint    n_progress;
  guint    n_epochs;
  guint    n_models;
  gboolean off_main_thread;
} Seen;

static void
progress_cb (DigitsTrainView           *view,
             const DigitsTrainProgress *progress,
             Seen                      *seen)
{
  /* Progress must reach the UI on the main thread, and only there. */
  if (g_thread_self () != main_thread || !g_main_context_is_owner (g_main_context_default ()))
    seen->off_main_thread = TRUE;

  seen->n_progress++;
  if (progress->event == DIGITS_TRAIN_EPOCH_DONE)
    seen->n_epochs++;
}

static void
model_updated_cb (DigitsTrainView   *view,
                  const DigitsModel *model,
                  Seen              *seen)
{
  if (g_thread_self () != main_thread)
    seen->off_main_thread = TRUE;

  seen->n_models++;
}

static gboolean
has_progress (gpointer data)
{
  return ((Seen *) data)->n_progress > 0;
}

/* ---- training ---- */

static void
test_train_run (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  DigitsCurveChart *chart;
  const float *accuracies;
  guint n_epochs;
  Seen seen = { 0, };
  float builtin[10], trained[10];

  if (!has_mnist ())
    return;

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  g_assert_true (digits_train_view_has_data (view));
  chart = DIGITS_CURVE_CHART (digits_train_view_get_curve_chart (view));

  digits_test_add_circle (digits_window_get_canvas (window));
  get_probs (window, builtin);

  g_signal_connect (view, "progress", G_CALLBACK (progress_cb), &seen);
  g_signal_connect (view, "model-updated", G_CALLBACK (model_updated_cb), &seen);

  choose_test_network (view);
  digits_train_view_set_subset (view, 2000);
  digits_train_view_set_epochs (view, 2);
  g_assert_true (digits_train_view_start (view));
  g_assert_true (digits_train_view_is_running (view));

  g_assert_true (wait_for_state (view, DIGITS_TRAIN_STATE_DONE, 120));
  g_assert_false (seen.off_main_thread);
  g_assert_cmpuint (seen.n_epochs, ==, 2);
  g_assert_cmpuint (seen.n_models, >=, 2);
  g_assert_cmpuint (digits_curve_chart_get_n_points (chart), >=, 2);
  g_assert_cmpuint (digits_curve_chart_get_n_epochs (chart), ==, 2);

  /* It learned: test accuracy rose, or is high already. */
  accuracies = digits_train_view_get_test_accuracies (view, &n_epochs);
  g_assert_cmpuint (n_epochs, ==, 2);
  g_test_message ("test accuracy: %.4f after epoch 1, %.4f after epoch 2",
                  accuracies[0], accuracies[1]);
  g_assert_true (accuracies[1] > accuracies[0] || accuracies[1] > 0.8f);

  /* The results: a confusion matrix with each class's accuracy. */
  for (guint k = 0; k < 10; k++)
    {
      double a = digits_confusion_matrix_get_class_accuracy (
        DIGITS_CONFUSION_MATRIX (digits_train_view_get_confusion_matrix (view)), k);

      g_assert_true (a >= 0.0 && a <= 1.0);
    }

  /* The trained model answers the canvas, on trial. (Both may be sure of a circle: the
   * answer is compared with the trained model's own, not with the built-in's.) */
  g_assert_true (digits_window_is_on_trial (window));
  get_probs (window, trained);
  g_test_message ("largest change of a probability: %.3f", max_difference (builtin, trained));
  {
    const DigitsModel *model = digits_train_view_get_model (view);
    float own[10], input[DIGITS_PIXELS];
    const DigitsStroke *strokes;
    guint n;

    g_assert_nonnull (model);
    g_assert_false (nn_net_is_dense (model->net));
    strokes = digits_canvas_get_strokes (digits_window_get_canvas (window), &n);
    g_assert_true (digits_preprocess_strokes (strokes, n, 1.0f, input));
    digits_model_classify (model, input, own);
    g_assert_cmpfloat (max_difference (own, trained), <, 1e-6f);
    /* The window answers with these very weights, not only the same answer. */
    g_assert_true (nn_net_same_arch (digits_window_get_model (window)->net, model->net));
    g_assert_cmpmem (digits_window_get_model (window)->net->params,
                     model->net->n_params * sizeof (float),
                     model->net->params, model->net->n_params * sizeof (float));
  }
  g_assert_cmpint (digits_window_get_prediction (window, NULL), >=, 0);

  /* Discard: back to the model in use. */
  digits_train_view_discard (view);
  g_assert_false (digits_window_is_on_trial (window));
  get_probs (window, trained);
  g_assert_cmpfloat (max_difference (builtin, trained), <, 1e-6f);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Stop mid-run, then keep the partial model and use it. How long the stop took is printed,
 * not asserted: a figure of the machine (the trainer checks before every batch). */
static void
test_train_stop_keep (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  Seen seen = { 0, };
  gint64 asked;
  double latency;
  g_autofree char *remembered = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  if (!has_mnist ())
    return;

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  g_signal_connect (view, "progress", G_CALLBACK (progress_cb), &seen);

  choose_test_network (view);
  digits_train_view_set_subset (view, 0);
  digits_train_view_set_epochs (view, 5);
  g_assert_true (digits_train_view_start (view));
  g_assert_true (digits_test_wait_until (has_progress, &seen, 60));

  asked = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);   /* Ctrl+T */
  g_assert_true (wait_for_state (view, DIGITS_TRAIN_STATE_STOPPED, 60));
  latency = digits_train_view_get_stop_latency (view);
  g_test_message ("stopped %.1f ms after the request (%.1f ms until the UI heard)",
                  latency * 1000.0, (g_get_monotonic_time () - asked) / 1000.0);
  g_assert_cmpfloat (latency, >=, 0.0);
  /* Stopped, not finished: the five epochs were cut short. */
  g_assert_cmpuint (seen.n_epochs, <, 5);
  g_assert_nonnull (digits_train_view_get_model (view));

  digits_train_view_keep (view);
  g_assert_true (wait_for_state (view, DIGITS_TRAIN_STATE_DONE, 30));
  g_assert_true (digits_window_is_on_trial (window));

  /* Use it: it is the model in use, also for the next window (the next start). */
  gtk_widget_activate_action (GTK_WIDGET (view), "train.use", NULL);
  g_assert_false (digits_window_is_on_trial (window));
  remembered = g_settings_get_string (settings, "model-file");
  g_assert_true (g_str_has_prefix (remembered, data_home));
  g_assert_true (g_file_test (remembered, G_FILE_TEST_IS_REGULAR));

  /* The toast's Undo brings the built-in model back, now and for later; using the
   * trained model again keeps it once more. */
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Using the new model");
  {
    g_autofree char *after_undo = NULL;
    g_autoptr (DigitsModel) builtin = digits_model_load_builtin (NULL);
    const DigitsStroke *strokes;
    float input[DIGITS_PIXELS], mine[10], reference[10];
    guint n;

    g_assert_true (digits_window_press_toast_button (window));
    after_undo = g_settings_get_string (settings, "model-file");
    g_assert_cmpstr (after_undo, ==, "");
    add_seven (digits_window_get_canvas (window));
    get_probs (window, mine);
    strokes = digits_canvas_get_strokes (digits_window_get_canvas (window), &n);
    g_assert_true (digits_preprocess_strokes (strokes, n, 1.0f, input));
    digits_model_classify (builtin, input, reference);
    g_assert_cmpfloat (max_difference (mine, reference), <, 1e-6f);
  }
  g_assert_true (digits_window_use_model (window, digits_model_copy (
                                            digits_train_view_get_model (view))));

  gtk_window_destroy (GTK_WINDOW (window));

  {
    DigitsWindow *second = digits_test_create_window (app);
    float probs[10], again[10];
    g_autoptr (DigitsModel) builtin = digits_model_load_builtin (NULL);
    const DigitsStroke *strokes;
    guint n;
    float input[DIGITS_PIXELS];

    add_seven (digits_window_get_canvas (second));
    get_probs (second, probs);
    strokes = digits_canvas_get_strokes (digits_window_get_canvas (second), &n);
    g_assert_true (digits_preprocess_strokes (strokes, n, 1.0f, input));
    digits_model_classify (builtin, input, again);
    g_assert_cmpfloat (max_difference (probs, again), >, 1e-4f);
    g_assert_null (digits_window_get_message (second));

    /* Revert to the built-in model: now and for later. */
    /* Going back forgets the person's model: a dialog asks first. */
    gtk_widget_activate_action (GTK_WIDGET (second), "win.revert-model", NULL);
    g_assert_false (digits_test_respond (second, "cancel"));
    get_probs (second, probs);
    g_assert_cmpfloat (max_difference (probs, again), >, 1e-4f);
    gtk_widget_activate_action (GTK_WIDGET (second), "win.revert-model", NULL);
    g_assert_true (digits_test_respond (second, "revert"));
    get_probs (second, probs);
    g_assert_cmpfloat (max_difference (probs, again), <, 1e-6f);
    g_free (remembered);
    remembered = g_settings_get_string (settings, "model-file");
    g_assert_cmpstr (remembered, ==, "");

    gtk_window_destroy (GTK_WINDOW (second));
  }
}

/* A model file gone bad between two starts: the built-in one answers, and the window
 * says why. */
static void
test_remembered_model_corrupt (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "current.model", NULL);
  g_autoptr (GError) error = NULL;
  DigitsWindow *window;
  const char *message;

  g_file_set_contents (path, "DIGITSNN but not a model", -1, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "model-file", path);

  window = digits_test_create_window (app);
  message = digits_window_get_message (window);
  g_assert_nonnull (message);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "built-in"));
  /* The file is named once, not again inside the reason. */
  g_assert_nonnull (strstr (message, path));
  g_assert_null (strstr (strstr (message, path) + strlen (path), path));
  g_assert_nonnull (digits_window_get_model (window));
  g_assert_false (digits_window_is_on_trial (window));
  gtk_window_destroy (GTK_WINDOW (window));

  /* Gone altogether. */
  g_unlink (path);
  g_settings_set_string (settings, "model-file", path);
  window = digits_test_create_window (app);
  message = digits_window_get_message (window);
  g_assert_nonnull (message);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "no such file"));
  g_assert_null (strstr (strstr (message, path) + strlen (path), path));
  gtk_window_destroy (GTK_WINDOW (window));

  g_rmdir (dir);
}

/* A model saved from training and opened again answers the same. */
static void
test_save_open_round_trip (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "trained.model", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  float trained[10], reopened[10], builtin[10];

  if (!has_mnist ())
    return;

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  add_seven (digits_window_get_canvas (window));
  get_probs (window, builtin);

  choose_test_network (view);
  digits_train_view_set_subset (view, 2000);
  digits_train_view_set_epochs (view, 1);
  g_assert_true (digits_train_view_start (view));
  g_assert_true (wait_for_state (view, DIGITS_TRAIN_STATE_DONE, 120));
  get_probs (window, trained);

  /* Ctrl+S saves the model that answers: the trained one. */
  g_assert_true (digits_window_save_model (window, file));
  digits_train_view_discard (view);
  get_probs (window, reopened);
  g_assert_cmpfloat (max_difference (builtin, reopened), <, 1e-6f);

  g_assert_true (digits_window_open_model (window, file));
  get_probs (window, reopened);
  g_assert_cmpfloat (max_difference (trained, reopened), <, 1e-6f);

  digits_window_revert_model (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
}

/* Quitting mid-training ends the thread and the process cleanly, with status 0. */
static void
test_quit_while_training (void)
{
  if (!has_mnist ())
    return;

  if (g_test_subprocess ())
    {
      DigitsWindow *window = digits_test_create_window (app);
      DigitsTrainView *view = digits_test_show_train_view (window);
      Seen seen = { 0, };
      gint64 start;

      g_signal_connect (view, "progress", G_CALLBACK (progress_cb), &seen);
      digits_train_view_set_subset (view, 0);
      digits_train_view_set_epochs (view, 30);
      g_assert_true (digits_train_view_start (view));
      g_assert_true (digits_test_wait_until (has_progress, &seen, 60));

      start = g_get_monotonic_time ();
      g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
      digits_test_wait_frames ();
      g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
      g_test_message ("the window was gone %.1f ms after Quit",
                      (g_get_monotonic_time () - start) / 1000.0);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Closing the window while the data is still being read. */
static void
test_close_while_loading (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  gint64 start;

  if (!has_mnist ())
    return;

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  digits_train_view_set_subset (view, 2000);
  g_assert_true (digits_train_view_start (view));

  start = g_get_monotonic_time ();
  gtk_window_destroy (GTK_WINDOW (window));
  g_test_message ("closed in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  digits_test_wait_frames ();
}

/* Stop while the data is still being read: the view is free at once, and trains again. */
static void
test_stop_while_loading (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  Seen seen = { 0, };

  if (!has_mnist ())
    return;

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  g_signal_connect (view, "progress", G_CALLBACK (progress_cb), &seen);
  choose_test_network (view);
  digits_train_view_set_subset (view, 2000);
  digits_train_view_set_epochs (view, 1);
  g_assert_true (digits_train_view_start (view));

  /* Free at once: idle as soon as toggle returns, without waiting for the reader. */
  digits_train_view_toggle (view);
  g_test_message ("stopped %.1f ms after the request",
                  digits_train_view_get_stop_latency (view) * 1000.0);
  g_assert_cmpint (digits_train_view_get_state (view), ==, DIGITS_TRAIN_STATE_IDLE);
  g_assert_false (digits_window_is_on_trial (window));

  g_assert_true (digits_train_view_start (view));
  g_assert_true (wait_for_state (view, DIGITS_TRAIN_STATE_DONE, 120));
  g_assert_cmpuint (seen.n_epochs, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The settings' defaults are the engine's. */
static void
test_settings_defaults (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  DigitsTrainConfig config;
  g_autoptr (GVariant) hidden = NULL;
  g_autoptr (GVariant) epochs = NULL;
  g_autoptr (GVariant) batch = NULL;
  g_autoptr (GVariant) optimizer = NULL;
  g_autoptr (GVariant) rate = NULL;
  g_autoptr (GVariant) augment = NULL;
  g_autoptr (GVariant) network = NULL;

  digits_train_config_defaults (&config);
  hidden = g_settings_get_default_value (settings, "train-hidden");
  epochs = g_settings_get_default_value (settings, "train-epochs");
  batch = g_settings_get_default_value (settings, "train-batch");
  optimizer = g_settings_get_default_value (settings, "train-optimizer");
  rate = g_settings_get_default_value (settings, "train-learning-rate");
  augment = g_settings_get_default_value (settings, "train-augment");

  /* The page's own default network, also where a custom one starts. */
  network = g_settings_get_default_value (settings, "train-network");
  g_assert_cmpstr (g_variant_get_string (network, NULL), ==, "default");
  g_assert_cmpstr (g_variant_get_string (hidden, NULL), ==, DIGITS_TRAIN_NET_APP);
  g_assert_cmpuint (g_variant_get_uint32 (epochs), ==, config.epochs);
  g_assert_cmpuint (g_variant_get_uint32 (batch), ==, config.batch);
  g_assert_cmpstr (g_variant_get_string (optimizer, NULL), ==,
                   nn_opt_kind_to_string (config.opt.kind));
  g_assert_cmpfloat_with_epsilon (g_variant_get_double (rate), config.opt.lr, 1e-7);
  g_assert_true (g_variant_get_boolean (augment) == config.augment);
}

/* ---- responsiveness: drawing while training feels as it does idle ---- */

typedef struct
{
  GArray *frames;        /* of double, ms between frames */
  gint64  last_frame;
  GArray *latencies;     /* of double, ms from "input ready" to answered */
  gint64  ready_at;
  DigitsWindow *window;
  guint   n_strokes;
  gboolean running;
} Timing;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Timing *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last_frame > 0)
    {
      double ms = (now - t->last_frame) / 1000.0;

      g_array_append_val (t->frames, ms);
    }
  t->last_frame = now;
  gtk_widget_queue_draw (widget);

  return G_SOURCE_CONTINUE;
}

/* A pointer event's worth of work: a stroke is added (and the canvas answers at once),
 * timed from the moment it was due. */
static gboolean
stroke_due_cb (gpointer data)
{
  Timing *t = data;
  DigitsCanvas *canvas = digits_window_get_canvas (t->window);
  double ms;

  if (t->n_strokes++ % 2 == 0)
    add_seven (canvas);
  else
    digits_canvas_undo (canvas);
  ms = (g_get_monotonic_time () - t->ready_at) / 1000.0;
  g_array_append_val (t->latencies, ms);

  return G_SOURCE_REMOVE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
summarise (const char *what,
           GArray     *values)
{
  double sum = 0.0;

  if (values->len == 0)
    return;
  g_array_sort (values, compare_doubles);
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  g_test_message ("%s: n=%u mean %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms", what,
                  values->len, sum / values->len,
                  g_array_index (values, double, values->len / 2),
                  g_array_index (values, double, MIN (values->len - 1, values->len * 95 / 100)),
                  g_array_index (values, double, values->len - 1));
}

static void
measure (Timing *t,
         double  seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint tick;

  g_array_set_size (t->frames, 0);
  g_array_set_size (t->latencies, 0);
  t->last_frame = 0;
  tick = gtk_widget_add_tick_callback (GTK_WIDGET (digits_window_get_canvas (t->window)),
                                       tick_cb, t, NULL);

  while (g_get_monotonic_time () < end)
    {
      GSource *source = g_timeout_source_new (0);

      /* A stroke every 20 ms or so, due at a known time. */
      t->ready_at = g_get_monotonic_time () + 20000;
      g_source_set_ready_time (source, t->ready_at);
      g_source_set_callback (source, stroke_due_cb, t, NULL);
      g_source_attach (source, NULL);

      while (!g_source_is_destroyed (source) && g_get_monotonic_time () < end + 1000000)
        g_main_context_iteration (NULL, TRUE);
      g_source_destroy (source);
      g_source_unref (source);
    }

  gtk_widget_remove_tick_callback (GTK_WIDGET (digits_window_get_canvas (t->window)), tick);
}

/* The nice values of this process's threads: the UI's (this thread's) and the highest. */
static void
get_thread_nice (int *ui,
                 int *highest)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autofree char *own = g_strdup_printf ("%ld", (long) syscall (SYS_gettid));
  const char *name;

  *ui = *highest = G_MININT;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;
      char *end;
      int nice;

      /* After "(comm)": state is field 3 of stat(5), nice field 19. */
      if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL)
        continue;
      fields = g_strsplit (end + 2, " ", 0);
      g_assert_cmpuint (g_strv_length (fields), >, 16);
      nice = atoi (fields[16]);
      *highest = MAX (*highest, nice);
      if (g_str_equal (name, own))
        *ui = nice;
    }
}

static void
test_responsive (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  Timing t = { 0, };
  Seen seen = { 0, };
  int ui_nice, highest_nice;

  if (!has_mnist ())
    return;

  window = digits_test_create_window (app);
  view = digits_window_get_train_view (window);
  t.window = window;
  t.frames = g_array_new (FALSE, FALSE, sizeof (double));
  t.latencies = g_array_new (FALSE, FALSE, sizeof (double));

  measure (&t, 2.0);
  summarise ("idle: frame interval", t.frames);
  summarise ("idle: stroke to answer", t.latencies);

  g_signal_connect (view, "progress", G_CALLBACK (progress_cb), &seen);
  digits_train_view_set_subset (view, 0);
  digits_train_view_set_epochs (view, 30);
  g_assert_true (digits_train_view_start (view));
  g_assert_true (digits_test_wait_until (has_progress, &seen, 60));

  measure (&t, 3.0);
  summarise ("training: frame interval", t.frames);
  summarise ("training: stroke to answer", t.latencies);
  g_assert_true (digits_train_view_is_running (view));

  /* The figures above are the measurement, printed, never asserted: they are the
   * machine's. What is asserted is why they hold: strokes were answered and frames drawn
   * while training, and the trainer's threads yield the CPU to the UI thread. */
  g_assert_cmpuint (t.latencies->len, >, 0);
  g_assert_cmpuint (t.frames->len, >, 0);
  get_thread_nice (&ui_nice, &highest_nice);
  g_test_message ("nice: UI thread %d, trainer threads %d", ui_nice, highest_nice);
  g_assert_cmpint (ui_nice, !=, G_MININT);
  /* (Run under nice 19 already, a thread can go no lower.) */
  if (ui_nice < 19)
    g_assert_cmpint (highest_nice, >, ui_nice);

  digits_train_view_stop (view);
  g_assert_true (wait_for_state (view, DIGITS_TRAIN_STATE_STOPPED, 10));
  digits_train_view_discard (view);

  g_array_unref (t.frames);
  g_array_unref (t.latencies);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the download, from a local HTTP server ---- */

#ifdef DIGITS_HAVE_DOWNLOAD

typedef struct
{
  SoupServer *server;
  char       *base;           /* http://127.0.0.1:port/ */
  guint       n_requests;
} Server;

/* Runs bytes through a (g)zip converter, which it takes. */
static GBytes *
convert (GBytes     *in,
         GConverter *converter)
{
  g_autoptr (GConverter) owned = converter;
  g_autoptr (GInputStream) raw = g_memory_input_stream_new_from_bytes (in);
  g_autoptr (GInputStream) stream = g_converter_input_stream_new (raw, owned);
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_cmpint (g_output_stream_splice (out, stream,
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                           NULL, NULL), >=, 0);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* Serves $DIGITS_MNIST_DIR at /good/ and the same with one damaged file at /bad/. */
static void
serve_cb (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  Server *self = user_data;
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *file = g_build_filename (mnist_dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  self->n_requests++;
  if (!g_file_get_contents (file, &contents, &length, NULL))
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (g_str_has_prefix (path, "/bad/") && g_str_has_prefix (name, "t10k-labels"))
    {
      /* Whole, valid gzip, but a label changed: only the checksum can tell. */
      g_autoptr (GBytes) zipped = g_bytes_new_take (g_steal_pointer (&contents), length);
      g_autoptr (GBytes) plain = convert (zipped, G_CONVERTER (
                                            g_zlib_decompressor_new (
                                              G_ZLIB_COMPRESSOR_FORMAT_GZIP)));
      gsize size;
      guint8 *labels = g_bytes_unref_to_data (g_steal_pointer (&plain), &size);
      g_autoptr (GBytes) changed = NULL;

      labels[size - 1] = (guint8) ((labels[size - 1] + 1) % 10);
      changed = g_bytes_new_take (labels, size);
      g_clear_pointer (&zipped, g_bytes_unref);
      zipped = convert (changed, G_CONVERTER (
                          g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6)));
      contents = g_bytes_unref_to_data (g_steal_pointer (&zipped), &length);
    }

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/gzip", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&contents), length);
}

static void
server_start (Server *self)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, serve_cb, self, NULL);
  g_assert_true (soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_test_message ("serving MNIST at %s", self->base);
}

static void
server_stop (Server *self)
{
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->base, g_free);
}

typedef struct
{
  gboolean done;
  char    *folder;
  GError  *error;
  guint    n_progress;
  gboolean off_main_thread;
} Download;

static void
download_progress_cb (guint64     received,
                      guint64     total,
                      const char *file_name,
                      gpointer    user_data)
{
  Download *d = user_data;

  if (g_thread_self () != main_thread)
    d->off_main_thread = TRUE;
  g_assert_cmpuint (received, <=, total);
  d->n_progress++;
}

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Download *d = user_data;

  d->folder = digits_download_mnist_finish (result, &d->error);
  d->done = TRUE;
}

static gboolean
download_done (gpointer data)
{
  return ((Download *) data)->done;
}

static char *
checksum_of_gz (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr (GBytes) zipped = NULL;
  g_autoptr (GBytes) plain = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  zipped = g_bytes_new_take (g_steal_pointer (&contents), length);
  plain = convert (zipped, G_CONVERTER (g_zlib_decompressor_new (
                                          G_ZLIB_COMPRESSOR_FORMAT_GZIP)));

  return g_compute_checksum_for_bytes (G_CHECKSUM_MD5, plain);
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  if (handle == NULL)
    return 0;
  while (g_dir_read_name (handle) != NULL)
    n++;

  return n;
}

static void
test_download (void)
{
  static const char * const expected[][2] = {
    { "train-images-idx3-ubyte.gz", "6bbc9ace898e44ae57da46a324031adb" },
    { "train-labels-idx1-ubyte.gz", "a25bea736e30d166cdddb491f175f624" },
    { "t10k-images-idx3-ubyte.gz", "2646ac647ad5339dbf082846283269ea" },
    { "t10k-labels-idx1-ubyte.gz", "27ae3e4e09519cfbb04c329615203637" },
  };
  Server server = { 0, };
  Download d = { 0, };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *folder = g_build_filename (dir, "digits", "mnist", NULL);
  g_autofree char *mirrors = NULL;

  if (!has_mnist ())
    return;

  server_start (&server);
  /* The first mirror is closed: the download goes on with the next. */
  mirrors = g_strdup_printf ("http://127.0.0.1:1/mnist/ %sgood/", server.base);
  g_setenv ("DIGITS_MNIST_MIRROR", mirrors, TRUE);

  digits_download_mnist_async (folder, NULL, download_progress_cb, &d, NULL,
                               download_done_cb, &d);
  g_assert_true (digits_test_wait_until (download_done, &d, 120));
  g_assert_no_error (d.error);
  g_assert_cmpstr (d.folder, ==, folder);
  g_assert_cmpuint (d.n_progress, >, 0);
  g_assert_false (d.off_main_thread);
  g_assert_cmpuint (server.n_requests, ==, 4);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (folder, expected[i][0], NULL);
      g_autofree char *md5 = checksum_of_gz (path);

      g_assert_cmpstr (md5, ==, expected[i][1]);
    }
  /* Only the folder: no temporary one left beside it. */
  {
    g_autofree char *parent = g_path_get_dirname (folder);

    g_assert_cmpuint (count_entries (parent), ==, 1);
  }

  /* The data loads. */
  {
    DigitsDataset *train = NULL, *test = NULL;
    g_autoptr (GError) error = NULL;

    g_assert_true (digits_dataset_load_mnist_dir (folder, &train, &test, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (train->n, ==, 60000);
    g_assert_cmpuint (test->n, ==, 10000);
    digits_dataset_free (train);
    digits_dataset_free (test);
  }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (folder, expected[i][0], NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
  {
    g_autofree char *parent = g_path_get_dirname (folder);

    g_rmdir (parent);
  }
  g_rmdir (dir);
  g_free (d.folder);
  g_unsetenv ("DIGITS_MNIST_MIRROR");
  server_stop (&server);
}

static void
test_download_corrupt (void)
{
  Server server = { 0, };
  Download d = { 0, };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *folder = g_build_filename (dir, "mnist", NULL);
  g_autofree char *mirror = NULL;

  if (!has_mnist ())
    return;

  server_start (&server);
  mirror = g_strdup_printf ("%sbad/", server.base);
  g_setenv ("DIGITS_MNIST_MIRROR", mirror, TRUE);

  digits_download_mnist_async (folder, NULL, NULL, NULL, NULL, download_done_cb, &d);
  g_assert_true (digits_test_wait_until (download_done, &d, 120));
  g_assert_null (d.folder);
  g_assert_nonnull (d.error);
  g_test_message ("%s", d.error->message);
  g_assert_nonnull (strstr (d.error->message, "t10k-labels-idx1-ubyte.gz"));
  g_assert_nonnull (strstr (d.error->message, "checksum"));

  /* Nothing half-written: no folder, no temporary files. */
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (dir), ==, 0);

  g_clear_error (&d.error);
  g_rmdir (dir);
  g_unsetenv ("DIGITS_MNIST_MIRROR");
  server_stop (&server);
}

/* No data: the view says where MNIST goes and downloads it into $XDG_DATA_HOME. */
static gboolean
view_download_done (gpointer data)
{
  return !digits_train_view_is_downloading (data);
}

static void
test_download_in_view (void)
{
  Server server = { 0, };
  g_autofree char *mirror = NULL;
  g_autofree char *target = g_build_filename (data_home, "digits", "mnist", NULL);
  DigitsWindow *window;
  DigitsTrainView *view;

  if (!has_mnist ())
    return;
  if (g_file_test ("/usr/share/datasets/mnist", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("MNIST is installed system-wide: the view never lacks data");
      return;
    }

  g_unsetenv ("DIGITS_MNIST_DIR");
  server_start (&server);
  mirror = g_strdup_printf ("%sgood/", server.base);
  g_setenv ("DIGITS_MNIST_MIRROR", mirror, TRUE);

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  g_assert_false (digits_train_view_has_data (view));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_false (digits_train_view_is_running (view));

  digits_train_view_download (view);
  g_assert_true (digits_train_view_is_downloading (view));
  g_assert_true (digits_test_wait_until (view_download_done, view, 120));
  g_test_message ("%s", digits_train_view_get_download_status (view));
  g_assert_true (digits_train_view_has_data (view));
  g_assert_true (g_file_test (target, G_FILE_TEST_IS_DIR));

  /* A cancelled download says so and leaves the data as it was. */
  digits_train_view_download (view);
  digits_train_view_cancel_download (view);
  g_assert_true (digits_test_wait_until (view_download_done, view, 60));
  g_assert_nonnull (strstr (digits_train_view_get_download_status (view), "cancel"));
  g_assert_true (digits_train_view_has_data (view));

  gtk_window_destroy (GTK_WINDOW (window));
  g_setenv ("DIGITS_MNIST_DIR", mnist_dir, TRUE);
  g_unsetenv ("DIGITS_MNIST_MIRROR");
  server_stop (&server);
}

/* Offline (as in a sandbox): a clear message, nothing written, no data pretended. */
static void
test_download_offline (void)
{
  Download d = { 0, };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *folder = g_build_filename (dir, "mnist", NULL);

  g_setenv ("DIGITS_MNIST_MIRROR", "http://127.0.0.1:1/ http://127.0.0.1:9/", TRUE);
  digits_download_mnist_async (folder, NULL, NULL, NULL, NULL, download_done_cb, &d);
  g_assert_true (digits_test_wait_until (download_done, &d, 120));
  g_assert_nonnull (d.error);
  g_test_message ("%s", d.error->message);
  g_assert_nonnull (strstr (d.error->message, "127.0.0.1"));
  g_assert_cmpuint (count_entries (dir), ==, 0);

  g_clear_error (&d.error);
  g_rmdir (dir);
  g_unsetenv ("DIGITS_MNIST_MIRROR");
}

#endif /* DIGITS_HAVE_DOWNLOAD */

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!digits_test_has_display ())
    return 77;

  /* A data folder of our own, before GLib reads (and keeps) $XDG_DATA_HOME. */
  data_home = make_temp_dir ();
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  mnist_dir = g_strdup (g_getenv ("DIGITS_MNIST_DIR"));
  main_thread = g_thread_self ();

  app = digits_test_init_app (&argc, &argv);

  g_test_add_func ("/train/run", test_train_run);
  g_test_add_func ("/train/stop-keep-use", test_train_stop_keep);
  g_test_add_func ("/train/remembered-model-corrupt", test_remembered_model_corrupt);
  g_test_add_func ("/train/save-open", test_save_open_round_trip);
  g_test_add_func ("/train/quit-while-training", test_quit_while_training);
  g_test_add_func ("/train/close-while-loading", test_close_while_loading);
  g_test_add_func ("/train/stop-while-loading", test_stop_while_loading);
  g_test_add_func ("/train/settings-defaults", test_settings_defaults);
  g_test_add_func ("/train/responsive", test_responsive);
#ifdef DIGITS_HAVE_DOWNLOAD
  g_test_add_func ("/train/download", test_download);
  g_test_add_func ("/train/download-corrupt", test_download_corrupt);
  g_test_add_func ("/train/download-in-view", test_download_in_view);
  g_test_add_func ("/train/download-offline", test_download_offline);
#endif

  status = g_test_run ();

  g_clear_object (&app);

  return status;
}

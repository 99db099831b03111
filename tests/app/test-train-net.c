/* test-train-net.c — the Train page's network: the choices, a custom spec checked as it
 * is typed, the size and time shown, and that the network chosen is the one trained.
 *
 * Training needs MNIST: DIGITS_MNIST_DIR names it; without it those parts skip.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "../test-util.h"
#include "app-test-util.h"
#include "digits-application.h"
#include "digits-train-view-private.h"
#include "digits-window.h"
#include "digits-window-private.h"

/* What the tests train: a small convolutional network; under the sanitizers, where a
 * convolution runs some hundred times slower, a tiny one of the same layer kinds. */
#define TEST_NET (TEST_SANITIZED ? DIGITS_TEST_TINY_NET : "conv3x8,pool2,dense64")

static DigitsApplication *app;

static const char *
info_title (DigitsTrainView *view)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (view->net_info_row));
}

static const char *
info_subtitle (DigitsTrainView *view)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (view->net_info_row));
}

static gboolean
train_enabled (DigitsTrainView *view)
{
  /* The button follows train.toggle's enabled state. */
  return gtk_widget_get_sensitive (view->train_button);
}

static void
check_named (DigitsTrainView *view,
             const char      *id,
             const char      *spec)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *size = NULL;
  DigitsTrainConfig config;
  DigitsNetInfo info;

  g_assert_true (digits_net_info (spec, 10, &info, &error));
  digits_train_view_set_network (view, id, NULL);
  size = g_strdup_printf ("%'zu parameters", info.n_params);
  g_assert_cmpstr (info_title (view), ==, size);
  g_assert_true (g_str_has_prefix (info_subtitle (view), info.spec));
  g_assert_false (gtk_widget_get_visible (view->hidden_row));
  g_assert_true (digits_train_view_build_config (view, &config, &error));
  g_assert_cmpstr (config.net, ==, info.spec);
}

/* The named networks, and a custom one: a bad spec is named inline and Train waits. */
static void
test_choices (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsTrainView *view = digits_test_show_train_view (window);
  gboolean has_data = digits_train_view_has_data (view);
  g_autoptr (GError) error = NULL;
  DigitsTrainConfig config;
  g_autofree char *app_size = g_strdup_printf ("%'u parameters", 206922);
  g_autofree char *custom_size = g_strdup_printf ("%'u parameters", 201578);

  /* The default: the small CNN (206,922 parameters). */
  g_assert_cmpstr (digits_train_view_get_network_id (view), ==, "default");
  g_assert_cmpstr (info_title (view), ==, app_size);
  check_named (view, "builtin", NN_SPEC_CNN);
  check_named (view, "mlp", NN_SPEC_MLP);
  check_named (view, "default", DIGITS_TRAIN_NET_APP);

  digits_train_view_set_network (view, "custom", "conv3x16,pool2,conv5y32");
  g_assert_true (gtk_widget_get_visible (view->hidden_row));
  g_assert_true (gtk_widget_has_css_class (view->hidden_row, "error"));
  g_assert_true (gtk_widget_get_visible (view->spec_error_icon));
  g_assert_cmpstr (info_title (view), ==,
                   "“conv5y32” (token 3): expected conv<K>x<N>[v], pool<S> or dense<N>");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (view->hidden_row), ==, info_title (view));
  g_assert_false (train_enabled (view));
  g_assert_false (digits_train_view_start (view));
  g_assert_false (digits_train_view_build_config (view, &config, &error));
  g_assert_cmpstr (error->message, ==, info_title (view));
  g_clear_error (&error);

  /* Corrected: the mark goes, Train comes back; spaces and bare numbers are forgiven. */
  digits_train_view_set_network (view, "custom", "conv3x16, pool2, 64");
  g_assert_false (gtk_widget_has_css_class (view->hidden_row, "error"));
  g_assert_false (gtk_widget_get_visible (view->spec_error_icon));
  g_assert_false (gtk_widget_has_css_class (view->net_info_row, "error"));
  g_assert_true (train_enabled (view) == has_data);
  g_assert_true (digits_train_view_build_config (view, &config, &error));
  g_assert_cmpstr (config.net, ==, "conv3x16,pool2,dense64");
  /* 3·3·16+16 + 3136·64+64 + 64·10+10 = 201,578 */
  g_assert_cmpstr (info_title (view), ==, custom_size);

  /* Remembered for the next window. */
  gtk_window_destroy (GTK_WINDOW (window));
  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  g_assert_cmpstr (digits_train_view_get_network_id (view), ==, "custom");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (view->hidden_row)), ==,
                   "conv3x16, pool2, 64");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
estimate_known (gpointer data)
{
  return digits_train_view_get_epoch_estimate (data) > 0;
}

/* The time per epoch, from a measurement made off the UI thread: it follows the network,
 * the training set's size and the epochs. Only the arithmetic is asserted, never a
 * duration. */
static void
test_estimate (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsTrainView *view = digits_test_show_train_view (window);
  g_autoptr (GError) error = NULL;
  DigitsNetInfo mlp, cnn;
  double all, part, small, big;
  g_autofree char *all_text = g_strdup_printf ("an epoch of %'u digits", 60000);
  g_autofree char *part_text = g_strdup_printf ("an epoch of %'u digits", 2000);

  digits_train_view_set_network (view, "default", NULL);
  g_assert_true (digits_test_wait_until (estimate_known, view, 60));
  g_assert_null (strstr (info_subtitle (view), "Measuring"));

  digits_train_view_set_epochs (view, 1);
  digits_train_view_set_subset (view, 0);
  all = digits_train_view_get_epoch_estimate (view);
  g_test_message ("%s: %s", info_title (view), info_subtitle (view));
  if (digits_train_view_has_data (view))
    g_assert_nonnull (strstr (info_subtitle (view), all_text));

  digits_train_view_set_subset (view, 2000);
  part = digits_train_view_get_epoch_estimate (view);
  g_assert_cmpfloat_with_epsilon (part / all, 2000.0 / 60000.0, 1e-9);
  g_assert_nonnull (strstr (info_subtitle (view), part_text));
  g_assert_null (strstr (info_subtitle (view), " for "));

  digits_train_view_set_epochs (view, 30);
  g_assert_nonnull (strstr (info_subtitle (view), " for 30"));
  g_test_message ("%s", info_subtitle (view));

  /* A network with more arithmetic is expected to take longer: the built-in's CNN over
   * the MLP, as their multiply-adds say. */
  g_assert_true (digits_net_info ("mlp", 10, &mlp, &error));
  g_assert_true (digits_net_info ("cnn", 10, &cnn, &error));
  digits_train_view_set_network (view, "mlp", NULL);
  small = digits_train_view_get_epoch_estimate (view);
  digits_train_view_set_network (view, "builtin", NULL);
  big = digits_train_view_get_epoch_estimate (view);
  g_assert_cmpfloat (cnn.train_macs, >, mlp.train_macs);
  g_assert_cmpfloat (big, >, small);

  digits_train_view_set_network (view, "custom", "dense128,");
  g_assert_cmpfloat (digits_train_view_get_epoch_estimate (view), <, 0.0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
state_is_done (gpointer data)
{
  return digits_train_view_get_state (data) == DIGITS_TRAIN_STATE_DONE;
}

static char *
trained_spec (DigitsTrainView *view)
{
  const DigitsModel *model = digits_train_view_get_model (view);
  char spec[NN_SPEC_MAX];

  g_assert_nonnull (model);
  g_assert_cmpint (nn_net_spec (model->net, spec, sizeof spec), >=, 0);
  return g_strdup (spec);
}

/* The network chosen is the one trained: a CNN live, then the tutorial's MLP. */
static void
test_trains_chosen (void)
{
  DigitsWindow *window;
  DigitsTrainView *view;
  g_autofree char *cnn = NULL;
  g_autofree char *mlp = NULL;
  const float *accuracies;
  guint n_epochs;

  if (g_getenv ("DIGITS_MNIST_DIR") == NULL)
    {
      g_test_skip ("DIGITS_MNIST_DIR is not set: training needs MNIST");
      return;
    }

  window = digits_test_create_window (app);
  view = digits_test_show_train_view (window);
  digits_train_view_set_subset (view, 2000);
  digits_train_view_set_epochs (view, 1);

  digits_train_view_set_network (view, "custom", TEST_NET);
  g_assert_true (digits_train_view_start (view));
  g_assert_true (digits_test_wait_until (state_is_done, view, 90));
  cnn = trained_spec (view);
  g_assert_cmpstr (cnn, ==, TEST_NET);
  g_assert_false (nn_net_is_dense (digits_train_view_get_model (view)->net));
  g_assert_cmpstr (digits_model_get_meta (digits_train_view_get_model (view), "decay"), ==,
                   "0.0001");
  accuracies = digits_train_view_get_test_accuracies (view, &n_epochs);
  g_assert_cmpuint (n_epochs, ==, 1);
  g_test_message ("%s: %.4f on the test set after an epoch of 2,000 digits", cnn,
                  accuracies[0]);
  g_assert_cmpfloat (accuracies[0], >, 0.5f);
  g_assert_true (digits_window_is_on_trial (window));

  digits_train_view_set_network (view, "mlp", NULL);
  g_assert_true (digits_train_view_start (view));
  g_assert_true (digits_test_wait_until (state_is_done, view, 90));
  mlp = trained_spec (view);
  g_assert_cmpstr (mlp, ==, NN_SPEC_MLP);

  digits_train_view_discard (view);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!digits_test_has_display ())
    return 77;

  app = digits_test_init_app (&argc, &argv);

  g_test_add_func ("/train-net/choices", test_choices);
  g_test_add_func ("/train-net/estimate", test_estimate);
  g_test_add_func ("/train-net/trains-chosen", test_trains_chosen);

  status = g_test_run ();
  g_clear_object (&app);

  return status;
}

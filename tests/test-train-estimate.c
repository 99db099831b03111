/* test-train-estimate.c — a network's size and arithmetic from its spec, the parser's
 * message for a bad one, and an epoch's expected time from a measured speed.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "digits-dataset.h"
#include "digits-train-estimate.h"
#include "digits-trainer.h"

static void
test_info_named (void)
{
  g_autoptr(GError) error = NULL;
  DigitsNetInfo info;

  /* The tutorial's MLP: 784·128+128 + 128·128+128 + 128·10+10. */
  g_assert_true (digits_net_info ("mlp", 10, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.spec, ==, "dense128,dense128");
  g_assert_cmpuint (info.n_params, ==, 118282);
  /* Forward 118,016 multiply-adds; the weights' gradients as many; the inputs' gradients
   * for the second and third layer (16,384 + 1,280). */
  g_assert_cmpfloat (info.train_macs, ==, 2.0 * 118016 + 16384 + 1280);

  g_assert_true (digits_net_info ("cnn", 10, &info, &error));
  g_assert_cmpstr (info.spec, ==, NN_SPEC_CNN);

  /* The app's default: conv3x16 (28×28: 144 weights × 784 places), pool, conv3x32 (14×14:
   * 4,608 × 196), pool, dense128 (1,568 × 128), dense10. */
  g_assert_true (digits_net_info (DIGITS_TRAIN_NET_APP, 10, &info, &error));
  g_assert_cmpstr (info.spec, ==, DIGITS_TRAIN_NET_APP);
  g_assert_cmpuint (info.n_params, ==, 206922);
  g_assert_cmpfloat (info.train_macs, ==,
                     2.0 * 144 * 784 + 3.0 * (4608.0 * 196 + 1568 * 128 + 1280));
}

static void
test_info_forgiving (void)
{
  g_autoptr(GError) error = NULL;
  DigitsNetInfo info;

  /* The Train page's older settings: plain numbers are dense layers. */
  g_assert_true (digits_net_info ("128,64", 10, &info, &error));
  g_assert_cmpstr (info.spec, ==, "dense128,dense64");
  g_assert_true (digits_net_info (" conv5x8 , pool2, 32", 10, &info, &error));
  g_assert_cmpstr (info.spec, ==, "conv5x8,pool2,dense32");
  /* No hidden layer at all. */
  g_assert_true (digits_net_info ("", 10, &info, &error));
  g_assert_cmpstr (info.spec, ==, "");
  g_assert_cmpuint (info.n_params, ==, 7850);
}

static void
test_info_bad (void)
{
  DigitsNetInfo info;
  struct {
    const char *spec;
    const char *message;
  } cases[] = {
    { "conv3x16,pool2,conv5y32", "“conv5y32” (token 3): expected conv<K>x<N>[v], pool<S> "
                                 "or dense<N>" },
    { "dense128,", "token 2 is empty: write layers like conv5x32,pool2,dense128" },
    { "conv3x16,12x", "“12x” (token 2): expected conv<K>x<N>[v], pool<S> or dense<N>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (digits_net_info (cases[i].spec, 10, &info, &error));
      g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* Shapes are checked too: five 2×2 poolings leave nothing of 28×28. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (digits_net_info ("pool2,pool2,pool2,pool2,pool2", 10, &info, &error));
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "pool2"));
  }
}

static void
test_epoch_estimate (void)
{
  g_autoptr(GError) error = NULL;
  DigitsTrainSpeed speed = { .seconds_per_mac = 1e-10, .augment_seconds = 2e-5 };
  DigitsNetInfo info;

  g_assert_true (digits_net_info ("mlp", 10, &info, &error));
  /* 60,000 × (253,696 × 1e-10 s + 20 µs) = 1.522… + 1.2 s */
  g_assert_cmpfloat_with_epsilon (digits_train_speed_epoch (&speed, &info, 60000, TRUE),
                                  60000 * (253696e-10 + 2e-5), 1e-9);
  g_assert_cmpfloat_with_epsilon (digits_train_speed_epoch (&speed, &info, 2000, FALSE),
                                  2000 * 253696e-10, 1e-9);

  /* A real epoch of 60,000 took 12 s: the same network's next estimate says so, and
   * another network's scales by its arithmetic. */
  digits_train_speed_learn (&speed, &info, 60000, TRUE, 12.0);
  g_assert_cmpfloat_with_epsilon (digits_train_speed_epoch (&speed, &info, 60000, TRUE),
                                  12.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (speed.seconds_per_mac, (12.0 / 60000 - 2e-5) / 253696,
                                  1e-18);
  /* Nonsense leaves it as it was. */
  digits_train_speed_learn (&speed, &info, 0, TRUE, 5.0);
  digits_train_speed_learn (&speed, &info, 60000, TRUE, -1.0);
  g_assert_cmpfloat_with_epsilon (digits_train_speed_epoch (&speed, &info, 60000, TRUE),
                                  12.0, 1e-9);
}

/* A real measurement: positive figures (printed, never compared with a duration), and a
 * cancelled one stops with G_IO_ERROR_CANCELLED. */
static void
test_measure (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  DigitsTrainSpeed speed = { 0 };
  DigitsNetInfo info;

  g_assert_true (digits_train_speed_measure (2, 0.05, &speed, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (speed.seconds_per_mac, >, 0.0);
  g_assert_cmpfloat (speed.augment_seconds, >, 0.0);
  g_assert_true (digits_net_info (DIGITS_TRAIN_NET_APP, 10, &info, &error));
  g_test_message ("%.2f GMAC/s in training, %.1f µs to distort a digit: an epoch of the "
                  "app's default network expected in %.1f s",
                  1e-9 / speed.seconds_per_mac, speed.augment_seconds * 1e6,
                  digits_train_speed_epoch (&speed, &info, 60000, TRUE));

  g_cancellable_cancel (cancellable);
  g_assert_false (digits_train_speed_measure (2, 0.05, &speed, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/train-estimate/info-named", test_info_named);
  g_test_add_func ("/train-estimate/info-forgiving", test_info_forgiving);
  g_test_add_func ("/train-estimate/info-bad", test_info_bad);
  g_test_add_func ("/train-estimate/epoch", test_epoch_estimate);
  g_test_add_func ("/train-estimate/measure", test_measure);

  return g_test_run ();
}

/* test-teach.c — correcting an answer keeps the person's digit (under Xvfb).
 *
 * Each case keeps the person's digits in a fresh temporary folder and reads back what
 * is on disk: the file in the right class folder, a PNG of the ink as drawn.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "app-test-util.h"
#include "digits-application.h"
#include "digits-my-digits-view.h"
#include "digits-my-digits-view-private.h"
#include "digits-teach-dialog.h"
#include "../test-util.h"
#include "digits-window.h"
#include "digits-window-private.h"

static DigitsApplication *app;

/* A window whose digits go to a new empty folder (returned in *dir). */
static DigitsWindow *
create_window (char **dir)
{
  g_autoptr (GError) error = NULL;
  DigitsWindow *window = digits_test_create_window (app);

  *dir = g_dir_make_tmp ("digits-teach-XXXXXX", &error);
  g_assert_no_error (error);
  digits_window_set_my_digits_dir (window, *dir);
  return window;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The files of one class folder, sorted. */
static GPtrArray *
list_class (const char *dir,
            int         label)
{
  g_autofree char *path = g_strdup_printf ("%s/%d", dir, label);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) folder = g_dir_open (path, 0, NULL);
  const char *name;

  while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static guint
count_class (const char *dir,
             int         label)
{
  g_autoptr (GPtrArray) names = list_class (dir, label);

  return names->len;
}

/* The grey level (0 black .. 255 white) of a pixel of a PNG's first channel. */
static int
grey_at (GdkPixbuf *pixbuf,
         int        x,
         int        y)
{
  const guchar *p = gdk_pixbuf_read_pixels (pixbuf) +
                    (gsize) y * gdk_pixbuf_get_rowstride (pixbuf) +
                    (gsize) x * gdk_pixbuf_get_n_channels (pixbuf);

  return p[0];
}

/* A vertical line drawn at x = 0.5 from y = 0.2 to 0.8, kept by key 7: one PNG in 7/
 * the canvas's size, black ink where the line is, white paper elsewhere. */
static void
test_key_keeps_drawing (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autoptr (GPtrArray) sevens = NULL;
  g_autoptr (GPtrArray) threes = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (GTK_WIDGET (canvas));
  int height = gtk_widget_get_height (GTK_WIDGET (canvas));
  int left = width, right = -1, top = height, bottom = -1;
  guint8 input[DIGITS_PIXELS];

  /* Nothing drawn: a digit key keeps nothing and is left to others. */
  g_assert_false (digits_window_teach_key (window, GDK_KEY_7, 0));
  g_assert_cmpuint (count_class (dir, 7), ==, 0);

  digits_test_add_line (canvas, 0.5f, 0.2f, 0.5f, 0.8f);
  g_assert_true (digits_window_teach_key (window, GDK_KEY_7, 0));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Kept as your 7");

  sevens = list_class (dir, 7);
  g_assert_cmpuint (sevens->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sevens, 0), ==, "0001.png");
  for (int k = 0; k < 10; k++)
    if (k != 7)
      g_assert_cmpuint (count_class (dir, k), ==, 0);

  path = g_build_filename (dir, "7", g_ptr_array_index (sevens, 0), NULL);
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);

  /* The ink's bounding box is the line's, widened by the pen. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (grey_at (pixbuf, x, y) < 128)
        {
          left = MIN (left, x);
          right = MAX (right, x);
          top = MIN (top, y);
          bottom = MAX (bottom, y);
        }
  g_assert_cmpint (grey_at (pixbuf, width / 2, height / 2), <, 40);
  g_assert_cmpint (grey_at (pixbuf, width / 4, height / 2), ==, 255);
  g_assert_cmpint (grey_at (pixbuf, 0, 0), ==, 255);
  g_assert_cmpint (abs ((left + right) / 2 - width / 2), <=, 2);
  g_assert_cmpint (right - left + 1, <=, (int) (0.072 * width) + 3);
  g_assert_cmpint (right - left + 1, >=, (int) (0.072 * width) - 3);
  g_assert_cmpint (top, >=, (int) (0.2 * height - 0.04 * height) - 2);
  g_assert_cmpint (bottom, <=, (int) (0.8 * height + 0.04 * height) + 2);

  /* It reads as a digit through the image path tune uses: a vertical bar in the middle. */
  g_assert_true (digits_my_digits_read_example (path, input, &error));
  g_assert_no_error (error);
  g_assert_cmpint (input[14 * 28 + 14], >, 128);
  g_assert_cmpint (input[14 * 28 + 4], ==, 0);

  /* The keypad's digits count too, and the next example gets the next number. */
  g_assert_true (digits_window_teach_key (window, GDK_KEY_KP_3, 0));
  g_assert_true (digits_window_teach_key (window, GDK_KEY_7, 0));
  threes = list_class (dir, 3);
  g_assert_cmpuint (threes->len, ==, 1);
  g_assert_cmpuint (count_class (dir, 7), ==, 2);
  g_clear_pointer (&sevens, g_ptr_array_unref);
  sevens = list_class (dir, 7);
  g_assert_cmpstr (g_ptr_array_index (sevens, 1), ==, "0002.png");

  /* With Ctrl, or on the Train page, a digit is not a correction. */
  g_assert_false (digits_window_teach_key (window, GDK_KEY_1, GDK_CONTROL_MASK));
  digits_window_show_page (window, "train");
  g_assert_false (digits_window_teach_key (window, GDK_KEY_1, 0));
  digits_window_show_page (window, "draw");
  g_assert_cmpuint (count_class (dir, 1), ==, 0);

  /* Enter keeps it as the answer shown. */
  if (digits_window_get_model (window) != NULL)
    {
      int answer = digits_window_get_prediction (window, NULL);
      guint before = count_class (dir, answer);

      g_assert_cmpint (answer, >=, 0);
      g_assert_true (digits_window_teach_key (window, GDK_KEY_Return, 0));
      g_assert_cmpuint (count_class (dir, answer), ==, before + 1);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

/* Undo deletes exactly the file its toast kept. */
static void
test_undo_removes_it (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autoptr (GPtrArray) fours = NULL;

  digits_test_add_line (canvas, 0.3f, 0.2f, 0.6f, 0.8f);
  g_assert_true (digits_window_keep_example (window, 4));
  g_assert_true (digits_window_keep_example (window, 4));
  g_assert_cmpuint (count_class (dir, 4), ==, 2);

  g_assert_true (digits_window_press_toast_button (window));
  fours = list_class (dir, 4);
  g_assert_cmpuint (fours->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fours, 0), ==, "0001.png");
  /* The drawing stays on the canvas: Undo only takes back the keeping. */
  g_assert_false (digits_canvas_is_empty (canvas));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

/* A store that cannot be written says why and loses nothing already kept. */
static void
test_failed_store_loses_nothing (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autofree char *seven_path = NULL;
  g_autofree char *three_path = NULL;
  g_autofree char *three_before = NULL;
  g_autofree char *three_after = NULL;
  g_autofree char *seven_after = NULL;
  gsize three_len, after_len;
  const char *toast;

  digits_test_add_line (canvas, 0.5f, 0.2f, 0.5f, 0.8f);
  g_assert_true (digits_window_keep_example (window, 3));
  three_path = g_build_filename (dir, "3", "0001.png", NULL);
  g_assert_true (g_file_get_contents (three_path, &three_before, &three_len, NULL));

  /* Class 7's folder is a file (root ignores permissions, so this is how it fails). */
  seven_path = g_build_filename (dir, "7", NULL);
  g_assert_true (g_file_set_contents (seven_path, "not a folder", -1, NULL));

  g_assert_false (digits_window_teach_key (window, GDK_KEY_7, 0));
  toast = digits_window_get_last_toast (window);
  g_assert_true (g_str_has_prefix (toast, "Could not keep your 7: "));
  g_assert_cmpuint (strlen (toast), >, strlen ("Could not keep your 7: ") + 10);

  g_assert_true (g_file_get_contents (seven_path, &seven_after, NULL, NULL));
  g_assert_cmpstr (seven_after, ==, "not a folder");
  g_assert_true (g_file_get_contents (three_path, &three_after, &after_len, NULL));
  g_assert_cmpmem (three_after, after_len, three_before, three_len);
  g_assert_cmpuint (count_class (dir, 3), ==, 1);

  /* The drawing is still there to keep once the folder is fixed. */
  g_assert_cmpint (g_remove (seven_path), ==, 0);
  g_assert_true (digits_window_teach_key (window, GDK_KEY_7, 0));
  g_assert_cmpuint (count_class (dir, 7), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

/* The My Digits window: counts by class, delete, relabel, import (bad files named, kept)
 * and export, each checked on disk. */
static void
test_my_digits_view (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autofree char *foreign = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *png = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *good = NULL;
  g_autofree char *three = NULL;
  g_autofree char *five = NULL;
  g_autoptr (GError) error = NULL;
  DigitsMyDigitsView *view;
  const char *skipped;
  gsize png_len;

  digits_test_add_line (canvas, 0.5f, 0.2f, 0.5f, 0.8f);
  g_assert_true (digits_window_teach_key (window, GDK_KEY_7, 0));
  g_assert_true (digits_window_teach_key (window, GDK_KEY_7, 0));
  g_assert_true (digits_window_teach_key (window, GDK_KEY_3, 0));
  foreign = g_build_filename (dir, "7", "notes.txt", NULL);
  g_assert_true (g_file_set_contents (foreign, "mine", -1, NULL));

  view = DIGITS_MY_DIGITS_VIEW (digits_window_show_my_digits (window));
  g_assert_nonnull (view);
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 7), ==, "7 — 2 examples");
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 3), ==, "3 — 1 example");
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 0), ==, "0 — 0 examples");
  g_assert_cmpuint (digits_my_digits_view_get_n_shown (view, 7), ==, 2);
  g_assert_cmpuint (digits_my_digits_view_get_n_shown (view, 0), ==, 0);
  skipped = digits_my_digits_view_get_skipped (view);
  g_assert_nonnull (strstr (skipped, "notes.txt"));

  /* Delete one seven: that file goes, the foreign one stays. */
  g_assert_true (digits_my_digits_view_delete (view, 7, "0001.png"));
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 7), ==, "7 — 1 example");
  g_assert_cmpstr (digits_my_digits_view_get_last_toast (view), ==, "Deleted one of your 7s");
  g_assert_cmpuint (count_class (dir, 7), ==, 2);  /* 0002.png and notes.txt */
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));

  /* Relabel the other: it moves to 1/. */
  g_assert_true (digits_my_digits_view_relabel (view, 7, "0002.png", 1));
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 7), ==, "7 — 0 examples");
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 1), ==, "1 — 1 example");
  g_assert_cmpuint (count_class (dir, 1), ==, 1);
  g_assert_cmpuint (count_class (dir, 7), ==, 1);
  /* Deleting what is not there says so and changes nothing. */
  g_assert_false (digits_my_digits_view_delete (view, 7, "0002.png"));
  g_assert_cmpuint (count_class (dir, 1), ==, 1);

  /* Import: a good PNG and a damaged one; the damaged one is named and left alone. */
  from = g_dir_make_tmp ("digits-import-XXXXXX", &error);
  g_assert_no_error (error);
  three = g_build_filename (dir, "3", "0001.png", NULL);
  g_assert_true (g_file_get_contents (three, &png, &png_len, NULL));
  good = g_build_filename (from, "5", "0001.png", NULL);
  bad = g_build_filename (from, "5", "0002.png", NULL);
  five = g_path_get_dirname (good);
  g_assert_cmpint (g_mkdir_with_parents (five, 0700), ==, 0);
  g_assert_true (g_file_set_contents (good, png, png_len, NULL));
  g_assert_true (g_file_set_contents (bad, "not a png", -1, NULL));
  g_assert_cmpint (digits_my_digits_view_import (view, from), ==, 1);
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 5), ==, "5 — 1 example");
  g_assert_nonnull (strstr (digits_my_digits_view_get_skipped (view), "5/0002.png"));
  g_assert_true (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (digits_my_digits_view_get_last_toast (view), ==, "Imported 1 digit");

  /* Export: every example, in the same layout. */
  to = g_dir_make_tmp ("digits-export-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (digits_my_digits_view_export (view, to), ==, 3);
  g_assert_cmpuint (count_class (to, 1), ==, 1);
  g_assert_cmpuint (count_class (to, 3), ==, 1);
  g_assert_cmpuint (count_class (to, 5), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
  g_assert_true (test_remove_tree (from));
  g_assert_true (test_remove_tree (to));
}

static gboolean
teach_finished_cb (gpointer data)
{
  return !digits_teach_dialog_is_running (data);
}

/* Draws and keeps ten ones and ten sevens, each a little different. */
static void
keep_twenty (DigitsWindow *window)
{
  DigitsCanvas *canvas = digits_window_get_canvas (window);

  for (int i = 0; i < 10; i++)
    {
      float dx = 0.02f * (i - 5);

      digits_canvas_clear (canvas);
      digits_test_add_line (canvas, 0.5f + dx, 0.2f, 0.5f - dx, 0.8f);
      g_assert_true (digits_window_keep_example (window, 1));
      digits_canvas_clear (canvas);
      digits_test_add_line (canvas, 0.3f, 0.2f + dx, 0.7f, 0.2f);
      digits_test_add_line (canvas, 0.7f, 0.2f, 0.45f + dx, 0.8f);
      digits_test_add_line (canvas, 0.4f, 0.5f, 0.7f, 0.5f + dx);
      g_assert_true (digits_window_keep_example (window, 7));
    }
}

/* Teach on a small slice of MNIST: progress comes, the result is on trial, the figures
 * before and after are real fractions, and Use This Model puts it in use. */
static void
test_teach_runs (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window;
  DigitsTeachDialog *dialog;
  const DigitsTuneResult *result;
  DigitsTuneConfig config;

  if (g_getenv ("DIGITS_MNIST_DIR") == NULL)
    {
      g_test_skip ("Set DIGITS_MNIST_DIR to an MNIST folder to teach on a slice of it");
      return;
    }
  window = create_window (&dir);
  if (digits_window_get_model (window) == NULL)
    {
      g_test_skip ("The built-in model could not be loaded");
      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_true (test_remove_tree (dir));
      return;
    }
  keep_twenty (window);
  /* The fifth kept digit brought the suggestion; later toasts followed it. */
  g_assert_false (digits_window_is_on_trial (window));

  dialog = DIGITS_TEACH_DIALOG (digits_window_show_teach (window));
  g_assert_nonnull (dialog);
  digits_tune_config_defaults (&config);
  config.epochs = 2;
  /* Under the sanitizers, where the CNN is ~20–30 times slower, half the mix and a third of
   * the test digits: the same path through the dialog in half the time. */
  config.mnist_mix = TEST_SANITIZED ? 200 : 400;
  config.threads = 1;
  digits_teach_dialog_set_config (dialog, &config, 2000, TEST_SANITIZED ? 100 : 300);
  g_assert_true (digits_teach_dialog_start (dialog));
  g_assert_true (digits_teach_dialog_is_running (dialog));
  g_assert_true (digits_test_wait_until (teach_finished_cb, dialog, 100));

  result = digits_teach_dialog_get_result (dialog);
  g_assert_nonnull (result);
  g_test_message ("held out %u: %.3f -> %.3f; MNIST slice %.4f -> %.4f", result->n_held_out,
                  result->samples_before, result->samples_after, result->mnist_before,
                  result->mnist_after);
  g_assert_cmpuint (result->n_held_out, ==, 4);   /* every fifth of 10 ones and 10 sevens */
  g_assert_cmpuint (result->n_train, ==, 16);
  g_assert_cmpfloat (result->samples_before, >=, 0.0);
  g_assert_cmpfloat (result->samples_after, <=, 1.0);
  g_assert_cmpfloat (result->mnist_before, >, 0.5);
  g_assert_cmpfloat (result->mnist_after, >, 0.5);
  g_assert_cmpuint (digits_teach_dialog_get_n_progress (dialog), >=, 2);
  g_assert_true (digits_window_is_on_trial (window));

  digits_teach_dialog_use (dialog);
  g_assert_false (digits_window_is_on_trial (window));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Using the new model");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

/* Stop leaves the model in use as it was. */
static void
test_teach_stops (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window;
  DigitsTeachDialog *dialog;

  if (g_getenv ("DIGITS_MNIST_DIR") == NULL)
    {
      g_test_skip ("Set DIGITS_MNIST_DIR to an MNIST folder to teach on a slice of it");
      return;
    }
  window = create_window (&dir);
  if (digits_window_get_model (window) == NULL)
    {
      g_test_skip ("The built-in model could not be loaded");
      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_true (test_remove_tree (dir));
      return;
    }
  keep_twenty (window);
  dialog = DIGITS_TEACH_DIALOG (digits_window_show_teach (window));
  g_assert_true (digits_teach_dialog_start (dialog));
  digits_teach_dialog_cancel (dialog);
  g_assert_true (digits_test_wait_until (teach_finished_cb, dialog, 100));
  g_assert_null (digits_teach_dialog_get_result (dialog));
  g_assert_cmpstr (digits_teach_dialog_get_status (dialog), ==,
                   "Stopped: the model in use is unchanged");
  g_assert_false (digits_window_is_on_trial (window));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

static gboolean
is_idle_cb (gpointer data)
{
  return digits_test_is_idle (data);
}

/* A digit of an opened image: the selected one is cut out with paper round it and kept;
 * read back, it is the digit the window read there. */
static void
test_image_digit_kept (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  g_autofree char *image_path = g_build_filename (dir, "seventeen.png", NULL);
  g_autofree char *kept_path = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (image_path);
  g_autoptr (GdkPixbuf) kept = NULL;
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 200);
  cairo_t *cr = cairo_create (surface);
  guint8 input[DIGITS_PIXELS];
  const DigitsGlyph *glyph;
  double diff = 0.0;

  /* A 1 on the left and a 7 on the right, dark on white. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_set_line_width (cr, 14);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_move_to (cr, 100, 40);
  cairo_line_to (cr, 100, 160);
  cairo_stroke (cr);
  cairo_move_to (cr, 240, 40);
  cairo_line_to (cr, 320, 40);
  cairo_line_to (cr, 270, 160);
  cairo_stroke (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, image_path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  digits_window_open_file (window, file);
  g_assert_true (digits_test_wait_until (is_idle_cb, window, 30));
  digits_test_wait_frames ();
  g_assert_true (window->showing_image);
  g_assert_cmpuint (window->glyphs->len, ==, 2);

  digits_window_select_glyph (window, 1);
  g_assert_true (digits_window_teach_key (window, GDK_KEY_7, 0));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Kept as your 7");
  g_assert_cmpuint (count_class (dir, 7), ==, 1);

  /* The cut-out holds the 7 and not the 1. */
  kept_path = g_build_filename (dir, "7", "0001.png", NULL);
  kept = gdk_pixbuf_new_from_file (kept_path, &error);
  g_assert_no_error (error);
  glyph = &g_array_index (window->glyphs, DigitsGlyph, 1);
  g_assert_cmpint (gdk_pixbuf_get_width (kept), >, glyph->width);
  g_assert_cmpint (gdk_pixbuf_get_width (kept), <, 250);
  g_assert_true (digits_my_digits_read_example (kept_path, input, &error));
  g_assert_no_error (error);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    diff += fabs (input[i] / 255.0 - glyph->input[i]);
  g_assert_cmpfloat (diff / DIGITS_PIXELS, <, 0.05);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

/* A button whose label is data. */
static gboolean
is_button_labelled (GtkWidget *widget,
                    gpointer   data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)),
                                              data) == 0;
}

/* The first button under widget whose label is label, or NULL. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  return digits_test_find_widget (widget, is_button_labelled, (gpointer) label);
}

/* What a click does (gtk_widget_activate only clicks after its pressed look has shown). */
static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

/* "That's a…": shown only with something drawn; each of its digits keeps the drawing in
 * the default folder under XDG_DATA_HOME, says so, and closes the popover. */
static void
test_correct_popover (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  GtkWidget *answer_box = gtk_widget_get_parent (GTK_WIDGET (window->answer_label));
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "digits", "my-digits", NULL);
  g_autofree char *three = g_build_filename (dir, "3", "0001.png", NULL);
  GtkWidget *menu_button = NULL;
  GtkPopover *popover;

  for (GtkWidget *child = gtk_widget_get_first_child (answer_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_MENU_BUTTON (child))
      menu_button = child;
  g_assert_nonnull (menu_button);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (menu_button)), ==, "That’s a…");
  g_assert_false (gtk_widget_get_visible (menu_button));

  digits_test_add_line (canvas, 0.5f, 0.2f, 0.5f, 0.8f);
  digits_test_wait_frames ();
  g_assert_true (gtk_widget_get_visible (menu_button));

  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  for (int k = 0; k < 10; k++)
    {
      char text[2] = { (char) ('0' + k), '\0' };
      g_assert_nonnull (find_button (GTK_WIDGET (popover), text));
    }
  click (find_button (GTK_WIDGET (popover), "3"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Kept as your 3");
  g_assert_true (g_file_test (three, G_FILE_TEST_IS_REGULAR));
  for (int k = 0; k < 10; k++)
    g_assert_cmpuint (count_class (dir, k), ==, k == 3 ? 1 : 0);

  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  click (find_button (GTK_WIDGET (popover), "0"));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Kept as your 0");
  g_assert_cmpuint (count_class (dir, 0), ==, 1);
  g_assert_cmpuint (count_class (dir, 3), ==, 1);

  /* Cleared: nothing to correct, so no button. */
  digits_canvas_clear (canvas);
  digits_test_wait_frames ();
  g_assert_false (gtk_widget_get_visible (menu_button));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
}

static GtkWindow *
find_teach_dialog (void)
{
  g_autoptr (GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (DIGITS_IS_TEACH_DIALOG (l->data))
      return l->data;
  return NULL;
}

/* The fifth digit kept suggests teaching, once; its button opens the Teach window. */
static void
test_suggests_teaching (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  GtkWindow *dialog;

  digits_test_add_line (canvas, 0.5f, 0.2f, 0.5f, 0.8f);
  for (int i = 0; i < 4; i++)
    g_assert_true (digits_window_keep_example (window, 1));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Kept as your 1");
  g_assert_null (find_teach_dialog ());

  g_assert_true (digits_window_keep_example (window, 7));
  g_assert_cmpuint (count_class (dir, 1), ==, 4);
  g_assert_cmpuint (count_class (dir, 7), ==, 1);
  g_assert_cmpstr (digits_window_get_last_toast (window), ==,
                   "You have corrected 5 digits — Teach Digits your hand?");
  g_assert_nonnull (window->last_toast_shown);
  g_assert_cmpstr (adw_toast_get_button_label (window->last_toast_shown), ==, "_Teach…");
  g_assert_cmpstr (adw_toast_get_action_name (window->last_toast_shown), ==, "teach.teach");
  /* The toast's button activates its action on the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window),
                                             adw_toast_get_action_name (window->last_toast_shown),
                                             NULL));
  dialog = find_teach_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  /* Once is enough. */
  g_assert_true (digits_window_keep_example (window, 1));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Kept as your 1");
  g_assert_cmpuint (count_class (dir, 1), ==, 5);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_null (find_teach_dialog ());
  g_assert_true (test_remove_tree (dir));
}

/* Import… and Export… open a folder chooser; the folder it hands back is imported from
 * or exported to (checked on disk), a cancel does nothing, a remote folder is refused. */
static void
test_folder_choosers (void)
{
  g_autofree char *dir = NULL;
  DigitsWindow *window = create_window (&dir);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autofree char *from = g_dir_make_tmp ("digits-import-XXXXXX", NULL);
  g_autofree char *to = g_dir_make_tmp ("digits-export-XXXXXX", NULL);
  g_autofree char *png = NULL;
  g_autofree char *seven = NULL;
  g_autofree char *five = NULL;
  g_autoptr (GFile) from_file = g_file_new_for_path (from);
  g_autoptr (GFile) to_file = g_file_new_for_path (to);
  g_autoptr (GFile) remote = g_file_new_for_uri ("sftp://example.com/digits");
  DigitsMyDigitsView *view;
  GtkFileChooser *chooser;
  gsize png_len;

  digits_test_add_line (canvas, 0.5f, 0.2f, 0.5f, 0.8f);
  g_assert_true (digits_window_keep_example (window, 7));
  seven = g_build_filename (dir, "7", "0001.png", NULL);
  g_assert_true (g_file_get_contents (seven, &png, &png_len, NULL));
  five = g_build_filename (from, "5", NULL);
  g_assert_cmpint (g_mkdir (five, 0700), ==, 0);
  g_clear_pointer (&five, g_free);
  five = g_build_filename (from, "5", "0001.png", NULL);
  g_assert_true (g_file_set_contents (five, png, png_len, NULL));

  view = DIGITS_MY_DIGITS_VIEW (digits_window_show_my_digits (window));
  g_assert_null (digits_my_digits_view_get_chooser (view));
  click (find_button (GTK_WIDGET (view), "_Import…"));
  chooser = digits_my_digits_view_get_chooser (view);
  g_assert_nonnull (chooser);
  g_assert_cmpint (gtk_file_chooser_get_action (chooser), ==,
                   GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  g_assert_cmpstr (gtk_native_dialog_get_title (GTK_NATIVE_DIALOG (chooser)), ==,
                   "Import Digits From a Folder");
  digits_my_digits_view_folder_chosen (view, from_file);
  g_assert_null (digits_my_digits_view_get_chooser (view));
  g_assert_cmpstr (digits_my_digits_view_get_last_toast (view), ==, "Imported 1 digit");
  g_assert_cmpstr (digits_my_digits_view_get_heading (view, 5), ==, "5 — 1 example");
  g_assert_cmpuint (count_class (dir, 5), ==, 1);
  g_assert_true (g_file_test (five, G_FILE_TEST_IS_REGULAR));

  /* Cancelled: nothing imported, no new toast. */
  click (find_button (GTK_WIDGET (view), "_Import…"));
  digits_my_digits_view_folder_chosen (view, NULL);
  g_assert_null (digits_my_digits_view_get_chooser (view));
  g_assert_cmpstr (digits_my_digits_view_get_last_toast (view), ==, "Imported 1 digit");
  g_assert_cmpuint (count_class (dir, 5), ==, 1);

  click (find_button (GTK_WIDGET (view), "_Export…"));
  chooser = digits_my_digits_view_get_chooser (view);
  g_assert_nonnull (chooser);
  g_assert_cmpstr (gtk_native_dialog_get_title (GTK_NATIVE_DIALOG (chooser)), ==,
                   "Export Your Digits to a Folder");
  digits_my_digits_view_folder_chosen (view, remote);
  g_assert_cmpstr (digits_my_digits_view_get_last_toast (view), ==,
                   "Choose a folder on this computer");
  g_assert_cmpuint (count_class (to, 7), ==, 0);

  click (find_button (GTK_WIDGET (view), "_Export…"));
  digits_my_digits_view_folder_chosen (view, to_file);
  g_assert_cmpstr (digits_my_digits_view_get_last_toast (view), ==, "Exported 2 digits");
  g_assert_cmpuint (count_class (to, 5), ==, 1);
  g_assert_cmpuint (count_class (to, 7), ==, 1);
  for (int k = 0; k < 10; k++)
    if (k != 5 && k != 7)
      g_assert_cmpuint (count_class (to, k), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (test_remove_tree (dir));
  g_assert_true (test_remove_tree (from));
  g_assert_true (test_remove_tree (to));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  if (!digits_test_has_display ())
    return 77;

  /* Nothing of the person's real data is touched, whatever a case forgets. */
  data_home = g_dir_make_tmp ("digits-data-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  app = digits_test_init_app (&argc, &argv);

  g_test_add_func ("/teach/key-keeps-drawing", test_key_keeps_drawing);
  g_test_add_func ("/teach/undo-removes-it", test_undo_removes_it);
  g_test_add_func ("/teach/failed-store-loses-nothing", test_failed_store_loses_nothing);
  g_test_add_func ("/teach/my-digits-view", test_my_digits_view);
  g_test_add_func ("/teach/image-digit-kept", test_image_digit_kept);
  g_test_add_func ("/teach/correct-popover", test_correct_popover);
  g_test_add_func ("/teach/suggests-teaching", test_suggests_teaching);
  g_test_add_func ("/teach/folder-choosers", test_folder_choosers);
  g_test_add_func ("/teach/teach-runs", test_teach_runs);
  g_test_add_func ("/teach/teach-stops", test_teach_stops);

  status = g_test_run ();

  g_clear_object (&app);
  g_assert_true (test_remove_tree (data_home));

  return status;
}

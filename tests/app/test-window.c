/* test-window.c — the Digits window under Xvfb.
 *
 * Run by `xvfb-run -a meson test`; gtk_test_init () makes every GTK warning and critical
 * fatal. Tests that need the network's answer skip (saying why) only while the built-in
 * model cannot be loaded; DIGITS_TEST_MODEL may name a model file to use meanwhile.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "app-test-util.h"
#include "digits-application.h"
#include "digits-window.h"
#include "digits-window-private.h"

static DigitsApplication *app;

/* ---- helpers ---- */

/* Returns TRUE when the window has a model to answer with. */
static gboolean
ensure_model (DigitsWindow *window)
{
  const char *path = g_getenv ("DIGITS_TEST_MODEL");
  g_autoptr (GError) error = NULL;
  DigitsModel *model;

  if (digits_window_get_model (window) != NULL)
    return TRUE;

  if (path != NULL && *path != '\0')
    {
      model = digits_model_load (path, &error);
      g_assert_no_error (error);
      digits_window_set_model (window, model);
      return TRUE;
    }

  g_test_skip ("The built-in model could not be loaded (resources/model/digits.model is "
               "not a trained model yet)");
  return FALSE;
}

/* The widget as it is drawn, as premultiplied ARGB32 (cairo's layout). */
static guchar *
render_widget (GtkWidget *widget,
               int       *width,
               int       *height,
               gsize     *stride)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  guchar *pixels;

  *width = gdk_paintable_get_intrinsic_width (paintable);
  *height = gdk_paintable_get_intrinsic_height (paintable);
  g_assert_cmpint (*width, >, 0);
  g_assert_cmpint (*height, >, 0);

  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, *width, *height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));

  *stride = (gsize) *width * 4;
  pixels = g_malloc (*stride * *height);
  gdk_texture_download (texture, pixels, *stride);

  return pixels;
}

static gboolean
renders_differently (const guchar *a,
                     const guchar *b,
                     gsize         size)
{
  return memcmp (a, b, size) != 0;
}

static char *
get_test_path (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_tmp_dir (), "digits-test-window-XXXXXX", NULL);
  static char *made = NULL;

  if (made == NULL)
    made = g_mkdtemp (g_steal_pointer (&dir));

  return g_build_filename (made, name, NULL);
}

/* Dark digits drawn with cairo: "1" is a vertical bar, "7" a bar and a diagonal. */
static void
draw_digit (cairo_t *cr,
            char     digit,
            double   x,
            double   y,
            double   size)
{
  cairo_set_line_width (cr, size * 0.14);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  switch (digit)
    {
    case '1':
      cairo_move_to (cr, x + size * 0.5, y);
      cairo_line_to (cr, x + size * 0.5, y + size);
      break;

    case '7':
      cairo_move_to (cr, x + size * 0.1, y);
      cairo_line_to (cr, x + size * 0.7, y);
      cairo_line_to (cr, x + size * 0.3, y + size);
      break;

    default:
      g_assert_not_reached ();
    }

  cairo_stroke (cr);
}

static cairo_surface_t *
create_digits_surface (const char *digits,
                       gboolean    transparent)
{
  int n = strlen (digits);
  int width = 60 + n * 120;
  int height = 200;
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  if (!transparent)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
    }
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.15);
  for (int i = 0; i < n; i++)
    draw_digit (cr, digits[i], 40 + i * 120, 40, 120);
  cairo_destroy (cr);

  return surface;
}

static GFile *
create_png (const char *digits,
            const char *name)
{
  g_autofree char *path = get_test_path (name);
  cairo_surface_t *surface = create_digits_surface (digits, FALSE);

  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  return g_file_new_for_path (path);
}

static void
open_and_wait (DigitsWindow *window,
               GFile        *file)
{
  digits_window_open_file (window, file);
  g_assert_true (digits_window_is_loading (window));
  g_assert_true (digits_test_wait_until (digits_test_is_idle, window, 30));
  digits_test_wait_frames ();
}

/* ---- tests ---- */

static void
test_window_comes_up (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GtkWidget *overlay;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Digits");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (digits_window_get_canvas (window))));

  /* The shortcuts window comes from the resources, attached by GtkApplication. */
  overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_nonnull (overlay);
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  /* The canvas is square. */
  g_assert_cmpint (abs (gtk_widget_get_width (GTK_WIDGET (digits_window_get_canvas (window))) -
                        gtk_widget_get_height (GTK_WIDGET (digits_window_get_canvas (window)))),
                   <=, 1);

  /* Nothing drawn: no answer. */
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, -1);
  g_assert_null (digits_window_get_reading (window));
  g_assert_true (digits_canvas_is_empty (digits_window_get_canvas (window)));

  if (digits_window_get_model (window) != NULL)
    g_assert_null (digits_window_get_message (window));
  else
    g_assert_nonnull (digits_window_get_message (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_strokes_answer (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  float confidence = 0;

  if (!ensure_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  /* A vertical line is a 1. */
  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  g_assert_cmpint (digits_window_get_prediction (window, &confidence), ==, 1);
  g_assert_cmpfloat (confidence, >, 0.5f);

  /* Clear leaves no answer. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear", NULL);
  g_assert_true (digits_canvas_is_empty (canvas));
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, -1);

  /* A circle is a 0. */
  digits_test_add_circle (canvas);
  g_assert_cmpint (digits_window_get_prediction (window, &confidence), ==, 0);
  g_assert_cmpfloat (confidence, >, 0.5f);

  /* Undo takes the last stroke away. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  g_assert_true (digits_canvas_is_empty (canvas));
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, -1);

  /* A 7 in two strokes: the bar, then the diagonal. */
  digits_test_add_line (canvas, 0.3f, 0.2f, 0.72f, 0.2f);
  digits_test_add_line (canvas, 0.72f, 0.2f, 0.42f, 0.85f);
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 2);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, 7);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Run with GTK_A11Y=test: with no accessibility backend there is nothing to look at. */
static void
test_accessible (void)
{
  DigitsWindow *window;
  DigitsCanvas *canvas;
  GtkAccessible *chart, *preview;
  g_autofree char *said = NULL;
  g_autofree char *failed = NULL;
  float confidence;
  int percent;

  if (g_strcmp0 (g_getenv ("GTK_A11Y"), "test") != 0)
    {
      g_test_skip ("Needs GTK_A11Y=test");
      return;
    }

  window = digits_test_create_window (app);
  canvas = digits_window_get_canvas (window);
  chart = GTK_ACCESSIBLE (digits_window_get_chart (window));
  preview = GTK_ACCESSIBLE (digits_window_get_preview (window));

  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (canvas),
                                               GTK_ACCESSIBLE_ROLE_IMG));
  g_assert_true (gtk_test_accessible_has_role (chart, GTK_ACCESSIBLE_ROLE_IMG));
  g_assert_true (gtk_test_accessible_has_role (preview, GTK_ACCESSIBLE_ROLE_IMG));
  failed = gtk_test_accessible_check_property (GTK_ACCESSIBLE (canvas),
                                               GTK_ACCESSIBLE_PROPERTY_LABEL,
                                               "Drawing canvas");
  g_assert_null (failed);
  failed = gtk_test_accessible_check_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               "No answer yet");
  g_assert_null (failed);

  if (!ensure_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  /* Screen readers hear what the window shows: "Predicted 1, 99 percent". */
  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  g_assert_cmpint (digits_window_get_prediction (window, &confidence), ==, 1);
  percent = (int) lroundf (confidence * 100.0f);
  if (percent == 100 && confidence < 1.0f)
    percent = 99;
  said = g_strdup_printf ("Predicted 1, %d percent", percent);
  failed = gtk_test_accessible_check_property (GTK_ACCESSIBLE (canvas),
                                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, said);
  g_assert_null (failed);
  g_assert_true (gtk_test_accessible_has_property (chart,
                                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  failed = gtk_test_accessible_check_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                               "No answer yet");
  g_assert_nonnull (failed);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_unsure_answer (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  const int sizes[] = { DIGITS_PIXELS, 10 };
  float confidence;

  g_assert_cmpstr (digits_window_get_status (window), ==, "Draw a digit");

  if (!ensure_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, 1);
  g_assert_true (g_str_has_suffix (digits_window_get_status (window), "% sure"));

  /* A network with every weight zero gives every digit 10%: a guess, said as one. The
   * swapped-in model answers the canvas at once. */
  digits_window_set_model (window, digits_model_new (nn_net_new (sizes, 2), DIGITS_LABELS_DIGITS));
  g_assert_cmpint (digits_window_get_prediction (window, &confidence), ==, 0);
  g_assert_cmpfloat_with_epsilon (confidence, 0.1f, 1e-4);
  g_assert_cmpstr (digits_window_get_status (window), ==, "Maybe 0? 10%");

  digits_canvas_clear (canvas);
  g_assert_cmpstr (digits_window_get_status (window), ==, "Draw a digit");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_chart_and_preview_change (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  GtkWidget *chart = digits_window_get_chart (window);
  GtkWidget *preview = digits_window_get_preview (window);
  g_autofree guchar *chart_before = NULL;
  g_autofree guchar *chart_after = NULL;
  g_autofree guchar *chart_cleared = NULL;
  g_autofree guchar *preview_before = NULL;
  g_autofree guchar *preview_after = NULL;
  g_autofree guchar *preview_other = NULL;
  gboolean have_model = ensure_model (window);
  int cw, ch, pw, ph, w, h;
  gsize cs, ps, s;

  digits_test_wait_frames ();
  chart_before = render_widget (chart, &cw, &ch, &cs);
  preview_before = render_widget (preview, &pw, &ph, &ps);

  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  digits_test_wait_frames ();
  preview_after = render_widget (preview, &w, &h, &s);
  g_assert_cmpint (w, ==, pw);
  g_assert_cmpint (h, ==, ph);
  g_assert_true (renders_differently (preview_before, preview_after, ps * ph));

  /* Another digit, another input. */
  digits_canvas_clear (canvas);
  digits_test_add_circle (canvas);
  digits_test_wait_frames ();
  preview_other = render_widget (preview, &w, &h, &s);
  g_assert_true (renders_differently (preview_after, preview_other, ps * ph));

  if (have_model)
    {
      chart_after = render_widget (chart, &w, &h, &s);
      g_assert_cmpint (w, ==, cw);
      g_assert_cmpint (h, ==, ch);
      g_assert_true (renders_differently (chart_before, chart_after, cs * ch));

      /* An empty canvas has an empty chart again. */
      digits_canvas_clear (canvas);
      digits_test_wait_frames ();
      chart_cleared = render_widget (chart, &w, &h, &s);
      g_assert_false (renders_differently (chart_before, chart_cleared, cs * ch));
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_open_image (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autoptr (GFile) one = create_png ("1", "one.png");
  g_autoptr (GFile) seventeen = create_png ("17", "seventeen.png");
  int before;

  if (!ensure_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  digits_test_add_circle (canvas);
  before = digits_window_get_prediction (window, NULL);

  open_and_wait (window, one);
  g_assert_null (digits_window_get_message (window));
  g_assert_cmpstr (digits_window_get_reading (window), ==, "1");

  /* Several digits are read left to right. */
  open_and_wait (window, seventeen);
  g_assert_null (digits_window_get_message (window));
  g_assert_cmpstr (digits_window_get_reading (window), ==, "17");

  /* Back to the canvas: the drawing and its answer were kept. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.close-image", NULL);
  g_assert_null (digits_window_get_reading (window));
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 1);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, before);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_reading_or_message (gpointer data)
{
  DigitsWindow *window = data;

  return !digits_window_is_loading (window) &&
         (digits_window_get_reading (window) != NULL ||
          digits_window_get_message (window) != NULL);
}

static void
test_paste (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  cairo_surface_t *surface;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int width, height, stride;

  if (!ensure_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  /* Text is not an image: a message says so. */
  gdk_clipboard_set_text (clipboard, "seven");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paste", NULL);
  g_assert_true (digits_test_wait_until (has_reading_or_message, window, 30));
  g_assert_nonnull (digits_window_get_message (window));
  g_assert_null (digits_window_get_reading (window));

  /* Ink on a transparent background: GDK hands it out premultiplied, and the window
   * must turn it into straight RGBA for the core. */
  surface = create_digits_surface ("7", TRUE);
  cairo_surface_flush (surface);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) stride * height);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, stride);
  cairo_surface_destroy (surface);

  gdk_clipboard_set_texture (clipboard, texture);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paste", NULL);
  g_assert_true (digits_test_wait_until (has_reading_or_message, window, 30));
  digits_test_wait_frames ();

  g_assert_null (digits_window_get_message (window));
  g_assert_cmpstr (digits_window_get_reading (window), ==, "7");

  /* The same texture dropped or handed over directly. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.close-image", NULL);
  digits_window_open_texture (window, texture, "dropped");
  g_assert_true (digits_test_wait_until (digits_test_is_idle, window, 30));
  g_assert_cmpstr (digits_window_get_reading (window), ==, "7");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_model_open_save (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autofree char *saved_path = get_test_path ("saved.model");
  g_autofree char *corrupt_path = get_test_path ("corrupt.model");
  g_autoptr (GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr (GFile) corrupt = g_file_new_for_path (corrupt_path);
  g_autoptr (GFile) unwritable = g_file_new_for_path ("/nonexistent-folder/digits.model");
  g_autoptr (GError) error = NULL;
  const DigitsModel *model;
  int answer;

  if (!ensure_model (window))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  digits_test_add_circle (canvas);
  answer = digits_window_get_prediction (window, NULL);
  model = digits_window_get_model (window);

  g_assert_true (digits_window_save_model (window, saved));
  g_assert_true (g_file_test (saved_path, G_FILE_TEST_IS_REGULAR));
  g_assert_null (digits_window_get_message (window));
  g_assert_cmpstr (digits_window_get_last_toast (window), ==, "Model saved");

  /* The file is named once, as the person chose it: no temporary name, no prefix. */
  g_assert_false (digits_window_save_model (window, unwritable));
  g_assert_cmpstr (digits_window_get_message (window), ==,
                   "Could not save the model as “digits.model”: the folder does not exist");

  /* A broken model file leaves the model in use alone; the window names it, once, as
   * the person chose it, and the core says what is wrong with it. */
  g_file_set_contents (corrupt_path, "this is not a model", -1, &error);
  g_assert_no_error (error);
  g_assert_false (digits_window_open_model (window, corrupt));
  g_assert_cmpstr (digits_window_get_message (window), ==,
                   "Could not open the model “corrupt.model”: it is not a Digits model file. "
                   "The current model stays in use.");
  g_assert_true (digits_window_get_model (window) == model);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, answer);

  /* The saved copy answers the same. */
  g_assert_true (digits_window_open_model (window, saved));
  g_assert_null (digits_window_get_message (window));
  g_assert_true (digits_window_get_model (window) != model);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, answer);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bad_images (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autofree char *corrupt_path = get_test_path ("corrupt.png");
  g_autofree char *blank_path = get_test_path ("blank.png");
  g_autoptr (GFile) corrupt = g_file_new_for_path (corrupt_path);
  g_autoptr (GFile) blank = g_file_new_for_path (blank_path);
  g_autoptr (GFile) missing = NULL;
  g_autofree char *missing_path = get_test_path ("missing.png");
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  int before;

  /* Half a PNG: the right magic, then nothing that makes sense. */
  g_file_set_contents (corrupt_path, "\x89PNG\r\n\x1a\nthis is not really an image", -1,
                       &error);
  g_assert_no_error (error);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 120, 80);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, blank_path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  missing = g_file_new_for_path (missing_path);

  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  digits_test_add_line (canvas, 0.3f, 0.3f, 0.5f, 0.15f);
  before = digits_window_get_prediction (window, NULL);

  open_and_wait (window, corrupt);
  g_assert_cmpstr (digits_window_get_message (window), ==,
                   "Could not open “corrupt.png”: it is not an image Digits can read (Fatal "
                   "error reading PNG image file: [20]is[20]: invalid chunk type).");
  g_assert_null (digits_window_get_reading (window));
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 2);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, before);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (canvas)));

  open_and_wait (window, blank);
  g_assert_cmpstr (digits_window_get_message (window), ==,
                   "No digit was found in “blank.png”. Digits looks for dark writing on a "
                   "light background, or light writing on a dark one.");
  g_assert_null (digits_window_get_reading (window));
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 2);

  open_and_wait (window, missing);
  g_assert_cmpstr (digits_window_get_message (window), ==,
                   "Could not open “missing.png”: there is no such file.");
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 2);
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, before);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- every image load ends, and the spinner with it ---- */

static GtkWidget *
find_spinner (GtkWidget *widget)
{
  if (GTK_IS_SPINNER (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_spinner (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
assert_finished (DigitsWindow *window,
                 GtkWidget    *spinner,
                 const char   *what)
{
  gboolean spinning;

  if (!digits_test_wait_until (digits_test_is_idle, window, 30))
    g_error ("%s: the load never finished", what);
  digits_test_wait_frames ();
  g_object_get (spinner, "spinning", &spinning, NULL);
  g_assert_false (spinning);
  g_assert_false (gtk_widget_get_visible (spinner));
  /* Finished means an answer or a message, never neither. */
  g_assert_true (digits_window_get_reading (window) != NULL ||
                 digits_window_get_message (window) != NULL);
}

typedef struct
{
  char          *path;
  char          *good;
  gsize          good_length;
  volatile gint  stop;
} Swapper;

/* Replaces the file, atomically and over and over, by a good PNG and by garbage: a
 * window that reads a file twice can see the good one first and the garbage next. */
static gpointer
swap_thread (gpointer data)
{
  Swapper *swapper = data;

  for (guint i = 0; !g_atomic_int_get (&swapper->stop); i++)
    {
      if (i % 2 == 0)
        g_file_set_contents (swapper->path, swapper->good, swapper->good_length, NULL);
      else
        g_file_set_contents (swapper->path, "garbage, not a picture", -1, NULL);
      g_usleep (300);
    }

  return NULL;
}

/* Each way a load can end (read, broken, missing, a folder, replaced by a newer load,
 * the file changing under it) ends: the spinner stops and the window says something. */
static void
test_load_finishes (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  GtkWidget *spinner = find_spinner (GTK_WIDGET (window));
  g_autoptr (GFile) one = create_png ("1", "finish-one.png");
  g_autoptr (GFile) seventeen = create_png ("17", "finish-seventeen.png");
  g_autofree char *broken_path = get_test_path ("finish-broken.png");
  g_autofree char *changing_path = get_test_path ("finish-changing.png");
  g_autoptr (GFile) broken = g_file_new_for_path (broken_path);
  g_autoptr (GFile) missing = g_file_new_for_path ("/nonexistent-folder/missing.png");
  g_autoptr (GFile) folder = g_file_new_for_path (g_get_tmp_dir ());
  g_autoptr (GFile) changing = g_file_new_for_path (changing_path);
  g_autofree char *one_path = g_file_get_path (one);
  Swapper swapper = { 0, };
  GThread *thread;

  g_assert_nonnull (spinner);
  g_assert_true (g_file_set_contents (broken_path, "\x89PNG\r\n\x1a\n", -1, NULL));

  digits_window_open_file (window, one);
  assert_finished (window, spinner, "a good image");
  digits_window_open_file (window, broken);
  assert_finished (window, spinner, "a broken image");
  digits_window_open_file (window, missing);
  assert_finished (window, spinner, "a missing file");
  digits_window_open_file (window, folder);
  assert_finished (window, spinner, "a folder");

  /* The newer load wins; the older one ends as cancelled. */
  digits_window_open_file (window, one);
  digits_window_open_file (window, seventeen);
  assert_finished (window, spinner, "two loads at once");
  if (ensure_model (window))
    g_assert_cmpstr (digits_window_get_reading (window), ==, "17");

  swapper.path = changing_path;
  g_assert_true (g_file_get_contents (one_path, &swapper.good, &swapper.good_length, NULL));
  g_assert_true (g_file_set_contents (changing_path, swapper.good, swapper.good_length, NULL));
  thread = g_thread_new ("swap", swap_thread, &swapper);
  for (guint i = 0; i < 40; i++)
    {
      digits_window_open_file (window, changing);
      assert_finished (window, spinner, "a file changing while it is read");
    }
  g_atomic_int_set (&swapper.stop, TRUE);
  g_thread_join (thread);
  g_free (swapper.good);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_renders_stroke (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  g_autofree guchar *pixels = NULL;
  g_autofree char *png = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GBytes) bytes = NULL;
  graphene_rect_t bounds;
  int width, height;
  gsize stride;
  guint ink_inside = 0, ink_center = 0;

  digits_test_add_line (canvas, 0.5f, 0.15f, 0.5f, 0.85f);
  digits_test_wait_frames ();

  pixels = render_widget (GTK_WIDGET (window), &width, &height, &stride);

  /* Kept for a person to look at. */
  bytes = g_bytes_new (pixels, stride * height);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, stride);
  png = get_test_path ("window.png");
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("window rendered to %s", png);

  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (canvas), GTK_WIDGET (window), &bounds));
  g_assert_cmpfloat (bounds.size.width, >, 100);

  for (int y = (int) bounds.origin.y; y < (int) (bounds.origin.y + bounds.size.height); y++)
    for (int x = (int) bounds.origin.x; x < (int) (bounds.origin.x + bounds.size.width); x++)
      {
        const guchar *p = pixels + (gsize) y * stride + (gsize) x * 4;
        int luminance = (p[0] + p[1] + p[2]) / 3;   /* B, G, R */

        if (luminance < 80)
          {
            ink_inside++;
            if (fabs (x - (bounds.origin.x + bounds.size.width / 2)) < bounds.size.width * 0.03)
              ink_center++;
          }
      }

  /* A stroke 70% of the canvas tall and about 7% wide: thousands of dark pixels, along
   * the middle. */
  g_test_message ("dark pixels in the canvas: %u, in its middle column: %u",
                  ink_inside, ink_center);
  g_assert_cmpuint (ink_inside, >, bounds.size.width * bounds.size.height * 0.02);
  g_assert_cmpuint (ink_center, >, ink_inside / 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  GtkWidget *widget;
  int        width;
} WidthCheck;

static gboolean
is_wider_cb (gpointer data)
{
  WidthCheck *check = data;

  return gtk_widget_get_width (check->widget) > check->width;
}

static gboolean
is_narrower_cb (gpointer data)
{
  WidthCheck *check = data;

  return gtk_widget_get_width (check->widget) < check->width;
}

static void
test_resize_keeps_strokes (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  const DigitsStroke *strokes;
  DigitsPoint first;
  WidthCheck check;
  int side;
  guint n;

  digits_test_add_line (canvas, 0.25f, 0.25f, 0.75f, 0.75f);
  strokes = digits_canvas_get_strokes (canvas, &n);
  first = g_array_index (strokes[0].points, DigitsPoint, 0);
  side = gtk_widget_get_width (GTK_WIDGET (canvas));

  /* The X server and the layout take their time on a loaded machine: wait for the new
   * size (generously), then check the strokes. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
  check = (WidthCheck) { GTK_WIDGET (canvas), side };
  g_assert_true (digits_test_wait_until (is_wider_cb, &check, 30));
  digits_test_wait_frames ();

  strokes = digits_canvas_get_strokes (canvas, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat (g_array_index (strokes[0].points, DigitsPoint, 0).x, ==, first.x);
  g_assert_cmpfloat (g_array_index (strokes[0].points, DigitsPoint, 0).y, ==, first.y);

  /* Small laptop to small window: still square, still holding the stroke. */
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 360);
  check.width = gtk_widget_get_width (GTK_WIDGET (canvas));
  g_assert_true (digits_test_wait_until (is_narrower_cb, &check, 30));
  digits_test_wait_frames ();
  g_assert_cmpint (abs (gtk_widget_get_width (GTK_WIDGET (canvas)) -
                        gtk_widget_get_height (GTK_WIDGET (canvas))), <=, 1);
  g_assert_cmpuint (digits_canvas_get_n_strokes (canvas), ==, 1);

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

  g_test_add_func ("/window/comes-up", test_window_comes_up);
  g_test_add_func ("/window/strokes-answer", test_strokes_answer);
  g_test_add_func ("/window/unsure-answer", test_unsure_answer);
  g_test_add_func ("/window/accessible", test_accessible);
  g_test_add_func ("/window/chart-and-preview-change", test_chart_and_preview_change);
  g_test_add_func ("/window/open-image", test_open_image);
  g_test_add_func ("/window/paste", test_paste);
  g_test_add_func ("/window/model-open-save", test_model_open_save);
  g_test_add_func ("/window/bad-images", test_bad_images);
  g_test_add_func ("/window/load-finishes", test_load_finishes);
  g_test_add_func ("/window/renders-stroke", test_renders_stroke);
  g_test_add_func ("/window/resize-keeps-strokes", test_resize_keeps_strokes);

  status = g_test_run ();

  g_clear_object (&app);

  return status;
}

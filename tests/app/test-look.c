/* test-look.c — looking inside the network from the window: the confusion matrix's
 * cells and the Mistakes gallery, a test digit shown on the Draw page.
 *
 * Without DIGITS_MNIST_DIR (and under the sanitizers) the evaluation runs on a small
 * synthetic set (strokes drawn through the app's own preprocessing), so these tests never
 * skip for want of MNIST; with it, on the first 1,000 MNIST test digits.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "../test-util.h"
#include "app-test-util.h"
#include "core/digits-dataset.h"
#include "core/digits-evaluation.h"
#include "core/digits-explain.h"
#include "core/digits-preprocess.h"
#include "digits-application.h"
#include "digits-confusion-matrix.h"
#include "digits-mistakes-view.h"
#include "digits-train-view-private.h"
#include "digits-window.h"
#include "digits-window-private.h"

static DigitsApplication *app;

/* A set of n digits: MNIST's first when it is there, else random strokes labelled i % 10
 * (the network reads them as whatever it likes: mistakes and right answers both). */
static DigitsDataset *
create_test_set (guint n)
{
  const char *dir = g_getenv ("DIGITS_MNIST_DIR");
  DigitsDataset *set;
  GRand *rand;

  /* Under the sanitizers the convolutional built-in reads some 20–30 times slower: a few
   * hundred random digits (many of them misread) rather than MNIST's first thousand. */
  if (TEST_SANITIZED)
    n = MIN (n, 300);
  else if (dir != NULL && *dir != '\0')
    {
      g_autofree char *images = g_build_filename (dir, "t10k-images-idx3-ubyte.gz", NULL);
      g_autofree char *labels = g_build_filename (dir, "t10k-labels-idx1-ubyte.gz", NULL);
      g_autoptr (GError) error = NULL;
      DigitsDataset *all = digits_dataset_load_idx (images, labels, &error);

      g_assert_no_error (error);
      set = digits_dataset_slice (all, 0, MIN (n, all->n));
      digits_dataset_free (all);
      g_test_message ("on the first %u MNIST test digits", set->n);
      return set;
    }

  set = digits_dataset_new (n, 28, 28, 10);
  rand = g_rand_new_with_seed (14);
  for (guint i = 0; i < n; i++)
    {
      DigitsStroke stroke = { g_array_new (FALSE, FALSE, sizeof (DigitsPoint)) };
      float input[DIGITS_PIXELS];

      for (int p = 0; p < 6; p++)
        {
          DigitsPoint point = { 0 };

          point.x = (float) g_rand_double_range (rand, 20, 280);
          point.y = (float) g_rand_double_range (rand, 20, 280);
          g_array_append_val (stroke.points, point);
        }
      g_assert_true (digits_preprocess_strokes (&stroke, 1, 1.0f, input));
      g_array_unref (stroke.points);
      for (int k = 0; k < DIGITS_PIXELS; k++)
        set->images[(gsize) i * DIGITS_PIXELS + k] = (guint8) lroundf (input[k] * 255.0f);
      set->labels[i] = (guint8) (i % 10);
    }
  g_rand_free (rand);
  g_test_message ("on %u synthetic digits", n);
  return set;
}

static gboolean
has_evaluation (gpointer data)
{
  return digits_train_view_get_evaluation (data) != NULL;
}

/* Evaluates the window's model on set from the Train page, as after training. */
static DigitsTrainView *
evaluate (DigitsWindow        *window,
          const DigitsDataset *set)
{
  DigitsTrainView *view = digits_window_get_train_view (window);

  g_assert_nonnull (digits_window_get_model (window));
  digits_window_show_page (window, "train");
  digits_train_view_evaluate_on (view, digits_window_get_model (window), set);
  g_assert_true (digits_test_wait_until (has_evaluation, view, 60));
  return view;
}

/* Every cell opens a gallery of exactly its count, in the promised order. */
static void
test_gallery_counts (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  g_autoptr (DigitsDataset) set = create_test_set (1000);
  DigitsTrainView *view = evaluate (window, set);
  const DigitsEvaluation *evaluation = digits_train_view_get_evaluation (view);
  const guint *confusion = digits_evaluation_get_confusion (evaluation);
  GtkWidget *matrix = digits_train_view_get_confusion_matrix (view);
  DigitsMistakesView *gallery;
  const DigitsVerdict *shown;
  guint n, n_cells = 0, n_wrong_cells = 0;

  g_assert_cmpuint (digits_evaluation_get_count (evaluation), ==, set->n);

  for (int i = 0; i < 10; i++)
    for (int j = 0; j < 10; j++)
      {
        /* The matrix's own signal opens the cell, as a click or Enter does. */
        g_signal_emit_by_name (matrix, "cell-activated", (guint) i, (guint) j);
        gallery = view->mistakes_view;
        g_assert_nonnull (gallery);
        g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view->mistakes_window)));
        shown = digits_mistakes_view_get_shown (gallery, &n);
        g_assert_cmpuint (n, ==, confusion[i * 10 + j]);
        for (guint k = 0; k < n; k++)
          {
            g_assert_cmpuint (shown[k].label, ==, i);
            g_assert_cmpuint (shown[k].answer, ==, j);
            g_assert_cmpuint (set->labels[shown[k].index], ==, i);
            /* Off the diagonal the surest mistakes first; on it the least sure. */
            if (k > 0 && i != j)
              g_assert_cmpfloat (shown[k].confidence, <=, shown[k - 1].confidence);
            if (k > 0 && i == j)
              g_assert_cmpfloat (shown[k].confidence, >=, shown[k - 1].confidence);
          }
        n_cells += n > 0;
        n_wrong_cells += n > 0 && i != j;
      }
  g_test_message ("%u cells with digits, %u of them mistakes; %u of %u right", n_cells,
                  n_wrong_cells, digits_evaluation_get_correct (evaluation), set->n);
  g_assert_cmpuint (n_wrong_cells, >, 0);

  /* "Mistakes…": every misread, each with its two top answers. */
  gtk_widget_activate_action (GTK_WIDGET (view), "train.mistakes", NULL);
  shown = digits_mistakes_view_get_shown (view->mistakes_view, &n);
  g_assert_cmpuint (n, ==, set->n - digits_evaluation_get_correct (evaluation));
  for (guint k = 0; k < n; k++)
    {
      g_assert_cmpuint (shown[k].label, !=, shown[k].answer);
      g_assert_cmpuint (shown[k].second, !=, shown[k].answer);
      g_assert_cmpfloat (shown[k].second_confidence, <=, shown[k].confidence);
    }

  /* Filtered by answer only: the misreads read as 1 are that column's off-diagonal sum. */
  digits_mistakes_view_set_filter (view->mistakes_view, -1, 1);
  digits_mistakes_view_get_shown (view->mistakes_view, &n);
  {
    guint column = 0;

    for (int i = 0; i < 10; i++)
      column += i != 1 ? confusion[i * 10 + 1] : 0;
    g_assert_cmpuint (n, ==, column);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
}

/* A mistake picked in the gallery is the Draw page's input, pixel for pixel. */
static void
test_mistake_to_preview (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  g_autoptr (DigitsDataset) set = create_test_set (1000);
  DigitsTrainView *view = evaluate (window, set);
  const DigitsVerdict *shown;
  const float *preview;
  float confidence;
  guint n;

  gtk_widget_activate_action (GTK_WIDGET (view), "train.mistakes", NULL);
  shown = digits_mistakes_view_get_shown (view->mistakes_view, &n);
  g_assert_cmpuint (n, >, 1);

  digits_mistakes_view_activate (view->mistakes_view, 1);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->main_stack), ==, "draw");
  preview = digits_preview_get_input (DIGITS_PREVIEW (digits_window_get_preview (window)));
  g_assert_nonnull (preview);
  for (int k = 0; k < DIGITS_PIXELS; k++)
    g_assert_cmpfloat (preview[k], ==, set->images[(gsize) shown[1].index * DIGITS_PIXELS + k]
                                       / 255.0f);
  /* The chart and the answer are the network's on that very input. */
  g_assert_cmpint (digits_window_get_prediction (window, &confidence), ==, shown[1].answer);
  g_assert_cmpfloat_with_epsilon (confidence, shown[1].confidence, 1e-5);
  g_assert_cmpint (digits_chart_get_top (DIGITS_CHART (digits_window_get_chart (window))), ==,
                   shown[1].answer);

  /* Delete clears it; drawing would replace it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear", NULL);
  g_assert_null (digits_preview_get_input (DIGITS_PREVIEW (digits_window_get_preview (window))));
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, -1);

  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The widget as drawn: premultiplied ARGB32 in cairo's byte order (B, G, R, A). */
static guchar *
render_widget (GtkWidget *widget,
               int       *width,
               int       *height)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  guchar *pixels;

  *width = gdk_paintable_get_intrinsic_width (paintable);
  *height = gdk_paintable_get_intrinsic_height (paintable);
  g_assert_cmpint (*width, >=, 28);
  gdk_paintable_snapshot (paintable, snapshot, *width, *height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native
                                                                  (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  pixels = g_malloc ((gsize) *width * 4 * *height);
  gdk_texture_download (texture, pixels, (gsize) *width * 4);
  return pixels;
}

/* The rendered colour at the centre of the preview's input pixel k. */
static void
get_preview_pixel (const guchar *pixels,
                   int           width,
                   int           height,
                   int           k,
                   int          *r,
                   int          *b)
{
  int cell = MAX (1, MIN (width, height) / 28);
  int x = (width - cell * 28) / 2 + (k % 28) * cell + cell / 2;
  int y = (height - cell * 28) / 2 + (k / 28) * cell + cell / 2;
  const guchar *p = pixels + ((gsize) y * width + x) * 4;

  *b = p[0];
  *r = p[2];
}

/* The overlay's red minus blue (premultiplied, 0..255) at (u, v) of the input, sampled
 * bilinearly between pixel centres as cairo does, transparent beyond the edge. */
static double
sample_red_minus_blue (const guint8 *rgba,
                       double        u,
                       double        v)
{
  double x = u - 0.5, y = v - 0.5, sum = 0.0;
  int x0 = (int) floor (x), y0 = (int) floor (y);

  for (int dy = 0; dy <= 1; dy++)
    for (int dx = 0; dx <= 1; dx++)
      {
        int i = x0 + dx, j = y0 + dy;
        double w = (dx ? x - x0 : 1 - (x - x0)) * (dy ? y - y0 : 1 - (y - y0));
        const guint8 *p;

        if (i < 0 || j < 0 || i >= DIGITS_SIDE || j >= DIGITS_SIDE)
          continue;
        p = rgba + 4 * (j * DIGITS_SIDE + i);
        sum += w * ((double) p[0] - p[2]) * p[3] / 255.0;
      }
  return sum;
}

/* The canvas colours its strokes with the overlay, where preprocessing put them: along
 * the drawn lines, ink is as red or as blue as the overlay placed there says. */
static void
check_canvas_overlay (DigitsWindow *window,
                      const float  *saliency,
                      const float   lines[][4],
                      guint         n_lines)
{
  GtkWidget *canvas = GTK_WIDGET (digits_window_get_canvas (window));
  const DigitsPlacement *at = &window->canvas_placement;
  g_autofree guchar *pixels = NULL;
  guint8 rgba[DIGITS_PIXELS * 4];
  guint n_red = 0, n_blue = 0;
  int width, height;

  g_assert_true (digits_canvas_has_overlay (DIGITS_CANVAS (canvas)));
  digits_saliency_overlay_rgba (saliency, rgba);
  digits_test_wait_frames ();
  pixels = render_widget (canvas, &width, &height);

  for (guint l = 0; l < n_lines; l++)
    for (int t = 0; t <= 40; t++)
      {
        float x = lines[l][0] + (lines[l][2] - lines[l][0]) * t / 40.0f;
        float y = lines[l][1] + (lines[l][3] - lines[l][1]) * t / 40.0f;
        int px = (int) (x * width), py = (int) (y * height);
        /* The centre of the widget pixel, in the input's coordinates. */
        double u = at->scale * (px + 0.5) / width + at->x_offset;
        double v = at->scale * (py + 0.5) / height + at->y_offset;
        double expected = sample_red_minus_blue (rgba, u, v);
        const guchar *p = pixels + ((gsize) py * width + px) * 4;
        int r = p[2], b = p[0];

        if (expected > 80)
          {
            g_assert_cmpint (r, >, b + 40);
            n_red++;
          }
        else if (expected < -80)
          {
            g_assert_cmpint (b, >, r + 40);
            n_blue++;
          }
      }
  g_test_message ("canvas: %u points checked red, %u blue", n_red, n_blue);
  g_assert_cmpuint (n_red, >, 0);
}

/* A label whose text starts with data. */
static gboolean
label_starts_with (GtkWidget *widget, gpointer data)
{
  return GTK_IS_LABEL (widget)
         && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), data);
}

/* "Why?" paints the saliency over the preview: red where ink pushed toward the answer. */
static void
test_why_overlay (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  GtkWidget *preview = digits_window_get_preview (window);
  const float *input, *saliency;
  float expected[DIGITS_PIXELS];
  g_autofree guchar *pixels = NULL;
  int target, width, height, top, most = -1, least = -1, r, b, percent;
  float confidence;
  g_autofree char *legend = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (digits_window_get_model (window));
  /* A 7: a bar and a slanted stem. */
  static const float seven[2][4] = { { 0.25f, 0.2f, 0.75f, 0.2f },
                                     { 0.75f, 0.2f, 0.4f, 0.85f } };

  for (guint l = 0; l < G_N_ELEMENTS (seven); l++)
    digits_test_add_line (canvas, seven[l][0], seven[l][1], seven[l][2], seven[l][3]);
  top = digits_window_get_prediction (window, &confidence);
  g_assert_cmpint (top, >=, 0);
  g_assert_null (digits_window_get_saliency (window, NULL));

  digits_window_set_why (window, TRUE, -1);
  saliency = digits_window_get_saliency (window, &target);
  g_assert_nonnull (saliency);
  g_assert_cmpint (target, ==, top);
  /* The legend gives the answer's probability as the answer and the bars do: rounded,
   * but 100% only for certainty (a 0.997 must not be 99% above and 100% here). */
  percent = (int) lroundf (confidence * 100.0f);
  if (percent == 100 && confidence < 1.0f)
    percent = 99;
  legend = g_strdup_printf ("Red ink pushed toward %d (%d%%), blue against", top, percent);
  g_assert_nonnull (digits_test_find_widget (GTK_WIDGET (window), label_starts_with, legend));
  input = digits_preview_get_input (DIGITS_PREVIEW (preview));
  g_assert_true (digits_explain_saliency (digits_window_get_model (window), input, top,
                                          DIGITS_SALIENCY_DEFAULT, 0, expected, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (saliency, sizeof expected, expected, sizeof expected);

  for (int k = 0; k < DIGITS_PIXELS; k++)
    {
      if (most < 0 || saliency[k] > saliency[most])
        most = k;
      if (least < 0 || saliency[k] < saliency[least])
        least = k;
    }
  g_test_message ("saliency for %d: %g at %d, %g at %d", top, saliency[most], most,
                  saliency[least], least);
  g_assert_cmpfloat (saliency[most], >, 0.0f);

  digits_test_wait_frames ();
  pixels = render_widget (preview, &width, &height);
  get_preview_pixel (pixels, width, height, most, &r, &b);
  g_test_message ("most for: red %d, blue %d", r, b);
  g_assert_cmpint (r, >, b + 60);
  if (saliency[least] < -0.25f * saliency[most])
    {
      get_preview_pixel (pixels, width, height, least, &r, &b);
      g_test_message ("most against: red %d, blue %d", r, b);
      g_assert_cmpint (b, >, r + 60);
    }
  check_canvas_overlay (window, saliency, seven, G_N_ELEMENTS (seven));

  /* Off again: the plain ink, no red. */
  digits_window_set_why (window, FALSE, -1);
  g_assert_null (digits_window_get_saliency (window, NULL));
  g_assert_false (digits_canvas_has_overlay (canvas));
  g_clear_pointer (&pixels, g_free);
  digits_test_wait_frames ();
  pixels = render_widget (preview, &width, &height);
  get_preview_pixel (pixels, width, height, most, &r, &b);
  g_assert_cmpint (ABS (r - b), <=, 8);

  /* "Why not a 4?": the saliency of 4, whatever the answer. */
  digits_window_set_why (window, TRUE, 4);
  saliency = digits_window_get_saliency (window, &target);
  g_assert_nonnull (saliency);
  g_assert_cmpint (target, ==, 4);
  g_assert_true (digits_canvas_has_overlay (canvas));

  /* A stroke more: the overlay follows, placed where the new drawing put the strokes. */
  {
    static const float bar[1][4] = { { 0.45f, 0.5f, 0.7f, 0.5f } };

    digits_test_add_line (canvas, bar[0][0], bar[0][1], bar[0][2], bar[0][3]);
    saliency = digits_window_get_saliency (window, &target);
    g_assert_cmpint (target, ==, 4);
    input = digits_preview_get_input (DIGITS_PREVIEW (preview));
    g_assert_true (digits_explain_saliency (digits_window_get_model (window), input, 4,
                                            DIGITS_SALIENCY_DEFAULT, 0, expected, &error));
    g_assert_cmpmem (saliency, sizeof expected, expected, sizeof expected);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
}

typedef struct
{
  DigitsWindow *window;
  GArray       *frames;        /* ms between frames */
  gint64        last_frame;
  guint         n_strokes;
} Timing;

static gboolean
frame_cb (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  Timing *t = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (t->last_frame > 0)
    {
      double ms = (now - t->last_frame) / 1000.0;

      g_array_append_val (t->frames, ms);
    }
  t->last_frame = now;
  return G_SOURCE_CONTINUE;
}

/* A stroke every 30 ms, as a quick hand draws, for seconds; frame intervals meanwhile. */
static void
measure (Timing     *t,
         double      seconds,
         gboolean    shown,
         const char *what)
{
  DigitsCanvas *canvas = digits_window_get_canvas (t->window);
  /* Under the sanitizers the figures mean nothing: shorter, to keep to the test's time. */
  gint64 end = g_get_monotonic_time () +
               (gint64) (seconds * (TEST_SANITIZED ? 0.5 : 1.0) * G_USEC_PER_SEC);
  gint64 next = 0;
  guint tick, updates = digits_window_get_layer_updates (t->window, NULL);
  gint64 update_us = digits_window_get_layer_update_time (t->window);
  g_autoptr (GArray) sorted = NULL;

  g_array_set_size (t->frames, 0);
  t->last_frame = 0;
  tick = gtk_widget_add_tick_callback (GTK_WIDGET (canvas), frame_cb, t, NULL);
  while (g_get_monotonic_time () < end)
    {
      if (g_get_monotonic_time () >= next)
        {
          float x = 0.2f + 0.6f * (t->n_strokes % 7) / 7.0f;

          if (t->n_strokes % 20 == 0)
            digits_canvas_clear (canvas);
          digits_test_add_line (canvas, x, 0.2f, 0.8f - x / 2, 0.8f);
          t->n_strokes++;
          next = g_get_monotonic_time () + 30 * 1000;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  gtk_widget_remove_tick_callback (GTK_WIDGET (canvas), tick);
  updates = digits_window_get_layer_updates (t->window, NULL) - updates;
  update_us = digits_window_get_layer_update_time (t->window) - update_us;

  /* Never more than once a frame (what is asserted is the rule, not the speed): each is
   * started by a frame's tick, and one started before may finish in this stretch. */
  g_assert_cmpuint (updates, <=, t->frames->len + 2);
  if (t->frames->len == 0)
    {
      /* A machine so loaded (or a sanitizer so slow) that no frame came: no figures. */
      g_test_message ("%s: no frame in %.1f s", what, seconds);
      return;
    }

  sorted = g_array_copy (t->frames);
  g_array_sort (sorted, compare_doubles);
  g_test_message ("%s: %u frames, interval median %.1f ms, 95th %.1f ms, max %.1f ms; "
                  "layer view worked out %u times, %.2f ms each on the main thread", what,
                  sorted->len, g_array_index (sorted, double, sorted->len / 2),
                  g_array_index (sorted, double, sorted->len * 95 / 100),
                  g_array_index (sorted, double, sorted->len - 1), updates,
                  updates > 0 ? update_us / 1000.0 / updates : 0.0);
  /* Live: it follows the strokes (given frames enough for one to come back). */
  if (shown && t->frames->len >= 5)
    g_assert_cmpuint (updates, >, 0);
  else if (!shown)
    g_assert_cmpuint (updates, <=, 1);   /* one may have been under way */
}

static gboolean
has_progress (gpointer data)
{
  return digits_train_view_get_state (data) == DIGITS_TRAIN_STATE_RUNNING &&
         digits_window_is_on_trial (g_object_get_data (data, "window"));
}

static gboolean
has_layer_updates (gpointer data)
{
  return digits_window_get_layer_updates (data, NULL) > 0;
}

/* "What each layer sees": a row per layer plus the filters, live with every stroke. */
static void
test_layers_live (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  const DigitsModel *model = digits_window_get_model (window);
  const char *dir = g_getenv ("DIGITS_MNIST_DIR");
  Timing t = { window, g_array_new (FALSE, FALSE, sizeof (double)), 0, 0 };
  guint n_rows = 0;

  g_assert_nonnull (model);
  /* Hidden, it costs nothing: the baseline. */
  measure (&t, 2.0, FALSE, "idle, layers hidden");
  g_assert_cmpuint (digits_window_get_layer_updates (window, NULL), ==, 0);

  digits_window_set_layers_shown (window, TRUE);
  /* Worked out on a worker thread: it comes a frame or two later. */
  g_assert_true (digits_test_wait_until (has_layer_updates, window, 30));
  g_assert_cmpuint (digits_window_get_layer_updates (window, &n_rows), >, 0);
  g_assert_cmpuint (n_rows, ==, (guint) model->net->n_layers + 1);

  measure (&t, 2.0, TRUE, "idle, layers shown");

  if (dir != NULL && *dir != '\0')
    {
      DigitsTrainView *view = digits_window_get_train_view (window);

      g_object_set_data (G_OBJECT (view), "window", window);
      /* Under the sanitizers the default CNN's 200 steps to its first snapshot take
       * minutes: the MLP trains there. */
      if (TEST_SANITIZED)
        digits_train_view_set_network (view, "mlp", NULL);
      digits_train_view_set_subset (view, 0);
      digits_train_view_set_epochs (view, 30);
      g_assert_true (digits_train_view_start (view));
      g_assert_true (digits_test_wait_until (has_progress, view, 60));
      measure (&t, 3.0, TRUE, "training, layers shown");
      /* The same load without the view: what the view itself costs while training (not
       * under the sanitizers, where the figures mean nothing and time is short). */
      digits_window_set_layers_shown (window, FALSE);
      if (!TEST_SANITIZED)
        measure (&t, 3.0, FALSE, "training, layers hidden");
      digits_train_view_stop (view);
    }
  else
    {
      g_test_message ("DIGITS_MNIST_DIR is not set: no figures while training");
    }

  g_array_unref (t.frames);
  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
}

/* A model on trial answers; the model in use's answer is shown beside it. */
static void
test_model_versus_model (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsModel *trial = digits_model_copy (digits_window_get_model (window));
  const DigitsModel *in_use;
  const float *input;
  float probs[10];
  int last = trial->net->n_layers - 1;

  /* A trial model biased to read everything as 3. */
  trial->net->b[last][3] += 100.0f;
  digits_test_add_line (digits_window_get_canvas (window), 0.5f, 0.15f, 0.5f, 0.85f);
  g_assert_cmpint (digits_window_get_versus (window), ==, -1);

  g_signal_emit_by_name (digits_window_get_train_view (window), "model-updated", trial);
  g_assert_true (digits_window_is_on_trial (window));
  g_assert_cmpint (digits_window_get_prediction (window, NULL), ==, 3);
  in_use = digits_model_store_get_model (window->store);
  input = digits_preview_get_input (DIGITS_PREVIEW (digits_window_get_preview (window)));
  g_assert_cmpint (digits_window_get_versus (window), ==,
                   digits_model_classify (in_use, input, probs));
  g_test_message ("trial reads 3, the model in use %d", digits_window_get_versus (window));
  g_assert_cmpint (digits_window_get_versus (window), !=, 3);

  /* Discarded: one answer again. */
  g_signal_emit_by_name (digits_window_get_train_view (window), "discarded");
  g_assert_false (digits_window_is_on_trial (window));
  g_assert_cmpint (digits_window_get_versus (window), ==, -1);

  digits_model_free (trial);
  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
}

/* A bar of the chart activated (a click, or Up/Down and Enter): "why not a K?" for its
 * digit, over the preview and the strokes; the answer's own bar explains the answer. */
static void
test_chart_bars (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsCanvas *canvas = digits_window_get_canvas (window);
  DigitsChart *chart = DIGITS_CHART (digits_window_get_chart (window));
  g_autofree char *name = NULL;
  int target, top, other;

  digits_test_add_line (canvas, 0.25f, 0.2f, 0.75f, 0.2f);
  digits_test_add_line (canvas, 0.75f, 0.2f, 0.4f, 0.85f);
  top = digits_window_get_prediction (window, NULL);
  g_assert_cmpint (top, >=, 0);
  other = (top + 4) % 10;
  g_assert_null (digits_window_get_saliency (window, NULL));

  g_signal_emit_by_name (chart, "bar-activated", (guint) other);
  g_assert_nonnull (digits_window_get_saliency (window, &target));
  g_assert_cmpint (target, ==, other);
  g_assert_true (digits_canvas_has_overlay (canvas));
  g_assert_cmpint (digits_chart_get_cursor (chart), ==, -1);

  g_signal_emit_by_name (chart, "bar-activated", (guint) top);
  g_assert_nonnull (digits_window_get_saliency (window, &target));
  g_assert_cmpint (target, ==, top);

  /* The keyboard: Down starts at the answer's bar and moves one on; Enter explains it. */
  {
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));
    GtkEventController *keys = NULL;
    int expected = MIN (top + 1, 9);
    gboolean handled = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
          keys = GTK_EVENT_CONTROLLER (controller);
      }
    g_assert_nonnull (keys);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (digits_chart_get_cursor (chart), ==, expected);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
    g_assert_nonnull (digits_window_get_saliency (window, &target));
    g_assert_cmpint (target, ==, expected);
  }

  name = digits_chart_get_bar_name (chart, other);
  g_test_message ("bar %d: %s", other, name);
  g_assert_true (g_str_has_prefix (name, digits_window_get_class_name (window, other)));
  g_assert_true (g_str_has_suffix (name, digits_window_get_class_name (window, other)));
  g_assert_nonnull (strstr (name, "percent, press Enter to see why it is not a"));

  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
}

/* Writes set as an MNIST folder's pair of files, prefix "train" or "t10k". */
static void
write_idx_pair (const char          *dir,
                const char          *prefix,
                const DigitsDataset *set)
{
  g_autofree char *images_name = g_strdup_printf ("%s-images-idx3-ubyte", prefix);
  g_autofree char *labels_name = g_strdup_printf ("%s-labels-idx1-ubyte", prefix);
  g_autofree char *images_path = g_build_filename (dir, images_name, NULL);
  g_autofree char *labels_path = g_build_filename (dir, labels_name, NULL);
  g_autoptr (GByteArray) images = g_byte_array_new ();
  g_autoptr (GByteArray) labels = g_byte_array_new ();
  g_autoptr (GError) error = NULL;

  test_append_be32 (images, 0x803);
  test_append_be32 (images, set->n);
  test_append_be32 (images, 28);
  test_append_be32 (images, 28);
  g_byte_array_append (images, set->images, set->n * DIGITS_PIXELS);
  test_append_be32 (labels, 0x801);
  test_append_be32 (labels, set->n);
  g_byte_array_append (labels, set->labels, set->n);
  g_assert_true (g_file_set_contents (images_path, (const char *) images->data, images->len,
                                      &error));
  g_assert_true (g_file_set_contents (labels_path, (const char *) labels->data, labels->len,
                                      &error));
}

static gboolean
is_evaluated (gpointer data)
{
  return digits_train_view_get_state (data) == DIGITS_TRAIN_STATE_DONE &&
         digits_train_view_get_evaluation (data) != NULL;
}

/* "Evaluate": the model in use measured on the chosen data's test set, read in a thread;
 * its matrix and gallery are filled as after training. */
static void
test_evaluate_in_use (void)
{
  DigitsWindow *window = digits_test_create_window (app);
  DigitsTrainView *view = digits_window_get_train_view (window);
  /* The convolutional built-in is some 20–30 times slower under the sanitizers: fewer digits
   * there (create_test_set gives at most 300 there). */
  guint n = TEST_SANITIZED ? 60 : 1000;
  g_autoptr (DigitsDataset) set = create_test_set (n);
  g_autoptr (DigitsDataset) train = digits_dataset_slice (set, 0, 10);
  g_autofree char *dir = g_dir_make_tmp ("digits-evaluate-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  const DigitsModel *in_use = digits_model_store_get_model (window->store);
  const DigitsEvaluation *evaluation;
  DigitsConfusionMatrix *matrix;
  guint total = 0, correct = 0;
  float probs[10];

  g_assert_nonnull (dir);
  g_assert_nonnull (in_use);

  /* No data: said so, nothing measured. */
  digits_train_view_set_folder (view, missing);
  g_assert_false (digits_train_view_has_data (view));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.evaluate", NULL);
  g_assert_cmpstr (digits_window_get_last_toast (window), ==,
                   "There is no test set to measure the model on: get MNIST first.");
  g_assert_null (digits_train_view_get_evaluation (view));

  write_idx_pair (dir, "train", train);
  write_idx_pair (dir, "t10k", set);
  digits_train_view_set_folder (view, dir);
  g_assert_true (digits_train_view_has_data (view));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.evaluate", NULL);
  g_assert_cmpint (digits_train_view_get_state (view), ==, DIGITS_TRAIN_STATE_EVALUATING);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (window->main_stack), ==, "train");
  g_assert_true (digits_test_wait_until (is_evaluated, view, 60));

  evaluation = digits_train_view_get_evaluation (view);
  g_assert_cmpuint (digits_evaluation_get_count (evaluation), ==, n);
  /* The model in use's own answers, not a trained model's. */
  for (guint i = 0; i < n; i += MAX (1, n / 20))
    {
      float input[DIGITS_PIXELS];

      for (int k = 0; k < DIGITS_PIXELS; k++)
        input[k] = set->images[(gsize) i * DIGITS_PIXELS + k] / 255.0f;
      g_assert_cmpint (digits_evaluation_get_verdict (evaluation, i)->answer, ==,
                       digits_model_classify (in_use, input, probs));
    }

  matrix = DIGITS_CONFUSION_MATRIX (digits_train_view_get_confusion_matrix (view));
  for (guint i = 0; i < 10; i++)
    for (guint j = 0; j < 10; j++)
      {
        guint cell = digits_confusion_matrix_get_count (matrix, i, j);
        guint shown;

        total += cell;
        correct += i == j ? cell : 0;
        g_signal_emit_by_name (matrix, "cell-activated", i, j);
        digits_mistakes_view_get_shown (view->mistakes_view, &shown);
        g_assert_cmpuint (shown, ==, cell);
      }
  g_test_message ("the model in use: %u of %u right", correct, total);
  g_assert_cmpuint (total, ==, n);
  g_assert_cmpuint (correct, ==, digits_evaluation_get_correct (evaluation));
  /* It is the model in use: nothing to use or discard. */
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (view->use_button)));
  g_assert_false (digits_window_is_on_trial (window));

  gtk_window_destroy (GTK_WINDOW (window));
  digits_test_iterate ();
  g_assert_true (test_remove_tree (dir));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!digits_test_has_display ())
    return 77;

  app = digits_test_init_app (&argc, &argv);

  g_test_add_func ("/look/gallery-counts", test_gallery_counts);
  g_test_add_func ("/look/mistake-to-preview", test_mistake_to_preview);
  g_test_add_func ("/look/why-overlay", test_why_overlay);
  g_test_add_func ("/look/layers-live", test_layers_live);
  g_test_add_func ("/look/model-versus-model", test_model_versus_model);
  g_test_add_func ("/look/chart-bars", test_chart_bars);
  g_test_add_func ("/look/evaluate-in-use", test_evaluate_in_use);

  status = g_test_run ();

  g_clear_object (&app);

  return status;
}

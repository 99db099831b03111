/* app-test-util.c — helpers the UI tests share (test-window.c, test-train.c, test-train-net.c,
 * test-app-desktop.c, test-look.c, test-teach.c), so that there is one copy of each.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "app-test-util.h"

/* Runs what the main loop has ready, without waiting for more. */
void
digits_test_iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs the main loop until @condition holds (TRUE) or @seconds have passed (FALSE). */
gboolean
digits_test_wait_until (DigitsTestCondition condition,
                        gpointer            data,
                        double              seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }

  return TRUE;
}

/* Lets a few frames pass, so that what was queued is laid out and drawn. */
void
digits_test_wait_frames (void)
{
  for (int i = 0; i < 20; i++)
    {
      digits_test_iterate ();
      g_usleep (5000);
    }
}

/* A condition: @widget is mapped and has a size. */
gboolean
digits_test_is_drawn (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* A condition: @window (a DigitsWindow) is not loading an image or model. */
gboolean
digits_test_is_idle (gpointer window)
{
  return !digits_window_is_loading (window);
}

gboolean
digits_test_has_display (void)
{
  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    return TRUE;
  g_printerr ("No display: run the UI tests under xvfb-run\n");
  return FALSE;
}

DigitsApplication *
digits_test_init_app (int    *argc,
                      char ***argv)
{
  g_autoptr (GError) error = NULL;
  DigitsApplication *app;

  gtk_test_init (argc, argv, NULL);
  app = digits_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  return app;
}

/* A new window of @app, presented, drawn and settled. */
DigitsWindow *
digits_test_create_window (DigitsApplication *app)
{
  DigitsWindow *window = digits_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (digits_test_wait_until (digits_test_is_drawn, window, 10));
  digits_test_wait_frames ();

  return window;
}

/* A straight stroke from (x0, y0) to (x1, y1), in the canvas's normalised coordinates. */
void
digits_test_add_line (DigitsCanvas *canvas,
                      float         x0,
                      float         y0,
                      float         x1,
                      float         y1)
{
  DigitsPoint points[24];

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      float t = (float) i / (G_N_ELEMENTS (points) - 1);

      points[i].x = x0 + t * (x1 - x0);
      points[i].y = y0 + t * (y1 - y0);
    }

  digits_canvas_add_stroke (canvas, points, G_N_ELEMENTS (points));
}

/* A closed loop around the canvas's middle: a zero. */
void
digits_test_add_circle (DigitsCanvas *canvas)
{
  DigitsPoint points[49];

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      double a = 2 * G_PI * i / (G_N_ELEMENTS (points) - 1);

      /* A little taller than wide, as people draw zeros. */
      points[i].x = 0.5f + 0.22f * (float) sin (a);
      points[i].y = 0.5f - 0.3f * (float) cos (a);
    }

  digits_canvas_add_stroke (canvas, points, G_N_ELEMENTS (points));
}

GtkWidget *
digits_test_find_widget (GtkWidget           *root,
                         DigitsTestWidgetTest test,
                         gpointer             data)
{
  if (test (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = digits_test_find_widget (child, test, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_header_bar (GtkWidget *widget,
               gpointer   data)
{
  return ADW_IS_HEADER_BAR (widget);
}

/* The window's AdwHeaderBar (an AdwApplicationWindow has no titlebar of GtkWindow's). */
GtkWidget *
digits_test_get_header_bar (DigitsWindow *window)
{
  GtkWidget *bar = digits_test_find_widget (GTK_WIDGET (window), is_header_bar, NULL);

  g_assert_nonnull (bar);
  return bar;
}

DigitsTrainView *
digits_test_show_train_view (DigitsWindow *window)
{
  DigitsTrainView *view = digits_window_get_train_view (window);
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (view), ADW_TYPE_VIEW_STACK);

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "train");
  digits_test_wait_frames ();

  return view;
}

/* Answers the AdwMessageDialog that @window shows with @response; TRUE when the dialog
 * was there and its response is @response's kind of "yes" (not the close response). */
gboolean
digits_test_respond (DigitsWindow *window,
                     const char   *response)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *dialog = NULL;
  gboolean affirmative;

  digits_test_wait_frames ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) &&
          gtk_window_get_transient_for (toplevel) == GTK_WINDOW (window))
        dialog = ADW_MESSAGE_DIALOG (toplevel);
    }
  g_assert_nonnull (dialog);

  affirmative = g_strcmp0 (response, adw_message_dialog_get_close_response (dialog)) != 0;
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  digits_test_wait_frames ();

  return affirmative;
}

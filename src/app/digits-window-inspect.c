/* digits-window-inspect.c — the Draw page as a place to look into the network: a test
 * digit picked in the Train page's gallery becomes its input; "Why?" overlays the
 * saliency of the answer (or of a digit picked: "why not a 4?", also by clicking its bar
 * in the chart) on the 28×28 preview and, placed back where preprocessing took them
 * from, on the strokes of the canvas.
 *
 * Saliency is gradient × input (core's default): one backward pass, so it follows every
 * stroke, and on MNIST the more faithful of the two methods core offers (test-faithfulness).
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/digits-activations.h"
#include "core/digits-explain.h"
#include "core/digits-train-run.h"
#include "digits-layer-view.h"
#include "digits-train-view.h"
#include "digits-window-private.h"

struct _DigitsInspect
{
  GtkToggleButton *why_button;
  GtkDropDown     *why_dropdown;     /* the answer, or "not a 0" … "not a 9" */
  GtkLabel        *why_label;
  float            saliency[DIGITS_PIXELS];
  int              target;           /* of the saliency shown, or -1 for none */

  GtkToggleButton *layers_button;    /* not a GtkExpander: GTK 4.8's breaks Tab here */
  GtkRevealer     *layers_revealer;
  DigitsLayerView *layer_view;
  guint            layers_tick;      /* a computation waiting for the next frame, or 0 */
  gboolean         layers_running;   /* one is under way on a worker thread */
  gboolean         layers_again;     /* the input changed meanwhile: another after it */
  guint            n_layer_updates;
  gint64           layer_update_us;  /* main-thread time they took, for the frame figures */
  /* What follows the model, not the input: made again only when the model changes (and,
   * the copy, only while no job runs, as jobs borrow it). */
  DigitsModel        *layers_model;  /* a copy: the window's may be replaced meanwhile */
  DigitsLayerFilters *filters;       /* its first layer's, or NULL until a job made them */
  gboolean            model_changed; /* since layers_model was copied */

  GtkLabel        *versus_label;     /* the model in use's answer, beside a trial's */
  int              versus_answer;
};

/* While a trained model is on trial (it answers), the model in use answers alongside. */
static void
update_versus (DigitsWindow *self)
{
  struct _DigitsInspect *inspect = self->inspect;
  const float *input = digits_preview_get_input (self->preview);
  const DigitsModel *in_use = digits_model_store_get_model (self->store);
  g_autofree float *probs = NULL;
  g_autofree char *text = NULL;

  inspect->versus_answer = -1;
  if (!digits_model_store_is_on_trial (self->store) || input == NULL || in_use == NULL ||
      in_use == self->model)
    {
      gtk_widget_set_visible (GTK_WIDGET (inspect->versus_label), FALSE);
      return;
    }

  probs = g_new0 (float, MAX (10, in_use->net->sizes[in_use->net->n_layers]));
  inspect->versus_answer = digits_model_classify (in_use, input, probs);
  /* TRANSLATORS: beside a new model's answer: "The model in use reads 7 (98%)" */
  text = g_strdup_printf (_("The model in use reads %s (%d%%)"),
                          digits_window_get_class_name (self, inspect->versus_answer),
                          (int) lroundf (100.0f * probs[inspect->versus_answer]));
  gtk_label_set_text (inspect->versus_label, text);
  gtk_widget_set_visible (GTK_WIDGET (inspect->versus_label), TRUE);
}

/* What each layer sees is worked out on a worker thread, at most once a frame and one at
 * a time: a forward pass through every layer takes the UI thread a frame's worth of time
 * while training keeps the cores busy. The main thread only starts it and shows the
 * result; the model's copy, the filters and their row are kept from job to job. */
typedef struct
{
  const DigitsModel  *model;        /* the inspect state's copy, not renewed while it runs */
  float               input[DIGITS_PIXELS];
  gboolean            has_input;
  DigitsActivations  *activations;
  DigitsLayerFilters *filters;      /* a reference to the kept ones, or made here */
  gboolean            new_filters;
  int                 width;        /* of the view, to paint its rows for */
  GPtrArray          *rows;         /* painted there too */
  gint64              main_us;      /* main-thread time spent starting it */
} LayersJob;

static void
layers_job_free (gpointer data)
{
  LayersJob *job = data;

  g_clear_pointer (&job->activations, digits_activations_free);
  g_clear_pointer (&job->filters, digits_layer_filters_unref);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_free (job);
}

static void
layers_work (LayersJob *job)
{
  if (job->filters == NULL)
    {
      DigitsMaps *maps = digits_first_layer_maps (job->model, NULL);

      job->filters = maps != NULL ? digits_layer_filters_new (maps) : NULL;
      job->new_filters = TRUE;
    }
  if (job->has_input)
    job->activations = digits_activations_new (job->model, job->input, NULL);
  job->rows = digits_layer_view_paint (job->activations, job->filters, job->width);
}

static gboolean
layers_return_cb (gpointer data)
{
  g_task_return_boolean (data, TRUE);
  return G_SOURCE_REMOVE;
}

static void
layers_pool_run (gpointer data,
                 gpointer user_data)
{
  GTask *task = data;
  GSource *back;
  static gboolean lowered;   /* read and written by the pool's one thread only */

  if (!lowered)
    {
      digits_lower_thread_priority (DIGITS_TRAIN_NICE);
      lowered = TRUE;
    }
  layers_work (g_task_get_task_data (task));
  /* Returned, and the reference dropped, on the main thread: the task's last reference
   * may hold the last one of the window, which must not be finalised here. (Not
   * g_main_context_invoke: from a thread without a context of its own it may call back
   * right here.) */
  back = g_idle_source_new ();
  g_source_set_priority (back, G_PRIORITY_DEFAULT);
  g_source_set_callback (back, layers_return_cb, task, g_object_unref);
  g_source_attach (back, g_task_get_context (task));
  g_source_unref (back);
}

/* The jobs run on a thread of their own at the trainer's lowered priority, not on GTask's
 * shared pool: while training keeps both cores busy, the UI thread then wins every
 * contest for a core and no frame of the Draw page waits for the view (a pool thread's
 * priority could not be raised again for other work once lowered). One thread, kept for
 * the process's life; jobs come one at a time anyway. */
static void
layers_run_in_thread (GTask *task)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *made = g_thread_pool_new (layers_pool_run, NULL, 1, TRUE, NULL);

      g_once_init_leave (&pool, made);
    }
  g_thread_pool_push (pool, g_object_ref (task), NULL);
}

static void schedule_layers (DigitsWindow *self);

static void
layers_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LayersJob *job = g_task_get_task_data (G_TASK (result));
  DigitsWindow *self = DIGITS_WINDOW (source);   /* kept alive by the task */
  struct _DigitsInspect *inspect;
  gint64 start = g_get_monotonic_time ();

  if (self->disposed)
    return;

  inspect = self->inspect;
  inspect->layers_running = FALSE;
  /* Kept for the next jobs: no job runs now, and the model copy they follow is the same. */
  if (job->new_filters && job->filters != NULL)
    inspect->filters = digits_layer_filters_ref (job->filters);
  if (job->filters != NULL && job->rows != NULL && job->filters->row_width != job->width)
    digits_layer_filters_keep_row (job->filters, g_ptr_array_index (job->rows, 0),
                                   job->width);
  digits_layer_view_set_painted (inspect->layer_view, g_steal_pointer (&job->activations),
                                 g_steal_pointer (&job->filters),
                                 g_steal_pointer (&job->rows), job->width);
  inspect->n_layer_updates++;
  inspect->layer_update_us += job->main_us + g_get_monotonic_time () - start;

  if (inspect->layers_again)
    {
      inspect->layers_again = FALSE;
      schedule_layers (self);
    }
}

static gboolean
layers_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  DigitsWindow *self = data;
  struct _DigitsInspect *inspect = self->inspect;
  const float *input = digits_preview_get_input (self->preview);
  g_autoptr (GTask) task = NULL;
  gint64 start = g_get_monotonic_time ();
  LayersJob *job;

  inspect->layers_tick = 0;
  /* Hidden since this frame was asked for: nothing to do. */
  if (!gtk_toggle_button_get_active (inspect->layers_button))
    return G_SOURCE_REMOVE;
  /* One at a time: the newest input is taken up when the one under way is done. */
  if (inspect->layers_running)
    {
      inspect->layers_again = TRUE;
      return G_SOURCE_REMOVE;
    }
  /* No job runs: the copy may be renewed. */
  if (inspect->model_changed || self->model == NULL)
    {
      g_clear_pointer (&inspect->layers_model, digits_model_free);
      g_clear_pointer (&inspect->filters, digits_layer_filters_unref);
      inspect->model_changed = FALSE;
    }
  if (self->model == NULL)
    {
      digits_layer_view_set (inspect->layer_view, NULL, NULL);
      return G_SOURCE_REMOVE;
    }
  if (inspect->layers_model == NULL)
    inspect->layers_model = digits_model_copy (self->model);

  job = g_new0 (LayersJob, 1);
  job->model = inspect->layers_model;
  job->filters = inspect->filters != NULL ? digits_layer_filters_ref (inspect->filters) : NULL;
  job->has_input = input != NULL;
  job->width = gtk_widget_get_width (GTK_WIDGET (inspect->layer_view));
  if (input != NULL)
    memcpy (job->input, input, sizeof job->input);

  inspect->layers_running = TRUE;
  task = g_task_new (self, NULL, layers_done_cb, NULL);
  g_task_set_source_tag (task, layers_tick_cb);
  g_task_set_name (task, "digits-layers");
  g_task_set_task_data (task, job, layers_job_free);
  job->main_us = g_get_monotonic_time () - start;
  layers_run_in_thread (task);

  return G_SOURCE_REMOVE;
}

static void
schedule_layers (DigitsWindow *self)
{
  struct _DigitsInspect *inspect = self->inspect;

  if (inspect->layers_tick != 0 || !gtk_toggle_button_get_active (inspect->layers_button) ||
      !gtk_widget_get_mapped (GTK_WIDGET (inspect->layer_view)))
    return;

  inspect->layers_tick = gtk_widget_add_tick_callback (GTK_WIDGET (inspect->layer_view),
                                                       layers_tick_cb, self, NULL);
}

static void
layers_shown_cb (DigitsWindow *self)
{
  schedule_layers (self);
}

static void
build_layers (DigitsWindow *self)
{
  struct _DigitsInspect *inspect = self->inspect;
  GtkWidget *scroller;

  inspect->layers_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_mnemonic
                                                (_("What each _layer sees")));
  gtk_widget_set_halign (GTK_WIDGET (inspect->layers_button), GTK_ALIGN_START);
  inspect->layers_revealer = GTK_REVEALER (gtk_revealer_new ());
  inspect->layer_view = DIGITS_LAYER_VIEW (digits_layer_view_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (inspect->layer_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Each layer's activations for this input, and the first "
                                    "layer's weights"),
                                  -1);
  /* Dozens of maps: they scroll rather than make the window tall. */
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller),
                                 GTK_WIDGET (inspect->layer_view));
  gtk_revealer_set_child (inspect->layers_revealer, scroller);
  g_object_bind_property (inspect->layers_button, "active", inspect->layers_revealer,
                          "reveal-child", G_BINDING_SYNC_CREATE);
  gtk_box_append (self->inspect_box, GTK_WIDGET (inspect->layers_button));
  gtk_box_append (self->inspect_box, GTK_WIDGET (inspect->layers_revealer));
  g_signal_connect_swapped (inspect->layers_button, "toggled",
                            G_CALLBACK (layers_shown_cb), self);
  g_signal_connect_swapped (inspect->layer_view, "map", G_CALLBACK (layers_shown_cb), self);
}

/* The probabilities already worked out for the preview's input (the canvas's or the
 * selected image digit's answer), or NULL: no second forward pass per stroke. */
static const float *
find_answer_probs (DigitsWindow *self,
                   const float  *input)
{
  const float *probs = NULL;
  const float *answered = NULL;

  if (self->showing_image && self->glyphs != NULL && self->glyph_probs != NULL &&
      self->selected >= 0 && self->selected < (int) self->glyphs->len)
    {
      answered = g_array_index (self->glyphs, DigitsGlyph, self->selected).input;
      probs = self->glyph_probs + (gsize) self->selected * self->n_classes;
    }
  else if (!self->showing_image && self->canvas_has_input && self->canvas_top >= 0)
    {
      answered = self->canvas_input;
      probs = self->canvas_probs;
    }

  if (answered == NULL || memcmp (answered, input, sizeof (float) * DIGITS_PIXELS) != 0)
    return NULL;
  return probs;
}

/* The saliency overlay over the strokes too, where the input is the canvas's drawing. */
static void
update_canvas_overlay (DigitsWindow    *self,
                       cairo_surface_t *overlay)
{
  gboolean drawn = overlay != NULL && !self->showing_image && !self->input_is_test_digit &&
                   self->canvas_has_input && !digits_canvas_is_empty (self->canvas);

  digits_canvas_set_overlay (self->canvas, drawn ? overlay : NULL, &self->canvas_placement);
}

/* The saliency of the preview's input for the chosen digit, as the preview's overlay and,
 * scaled back to where the strokes were, the canvas's. */
static void
update_saliency (DigitsWindow *self)
{
  struct _DigitsInspect *inspect = self->inspect;
  const float *input = digits_preview_get_input (self->preview);
  int choice = (int) gtk_drop_down_get_selected (inspect->why_dropdown) - 1;
  g_autofree float *own_probs = NULL;
  const float *probs;
  g_autoptr (GError) error = NULL;
  guint8 rgba[DIGITS_PIXELS * 4];
  cairo_surface_t *overlay;
  g_autofree char *text = NULL;
  int target;

  inspect->target = -1;
  if (!gtk_toggle_button_get_active (inspect->why_button) || input == NULL ||
      self->model == NULL)
    {
      digits_preview_set_overlay (self->preview, NULL);
      update_canvas_overlay (self, NULL);
      gtk_widget_set_visible (GTK_WIDGET (inspect->why_label), FALSE);
      return;
    }

  probs = find_answer_probs (self, input);
  if (probs == NULL)
    {
      own_probs = g_new0 (float, self->n_classes);
      digits_model_classify (self->model, input, own_probs);
      probs = own_probs;
    }
  target = nn_argmax (probs, self->n_classes);
  if (choice >= 0 && choice < (int) self->n_classes)
    target = choice;

  if (!digits_explain_saliency (self->model, input, target, DIGITS_SALIENCY_DEFAULT, 0,
                                inspect->saliency, &error))
    {
      digits_preview_set_overlay (self->preview, NULL);
      update_canvas_overlay (self, NULL);
      gtk_label_set_text (inspect->why_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (inspect->why_label), TRUE);
      return;
    }

  inspect->target = target;
  digits_saliency_overlay_rgba (inspect->saliency, rgba);
  /* One surface for both: the preview and the strokes show the same overlay. */
  overlay = digits_overlay_surface_new (rgba);
  digits_preview_set_overlay (self->preview, overlay);
  update_canvas_overlay (self, overlay);
  cairo_surface_destroy (overlay);
  /* TRANSLATORS: the saliency legend: "Red ink pushed toward 4 (12%), blue against" */
  text = g_strdup_printf (_("Red ink pushed toward %s (%d%%), blue against"),
                          digits_window_get_class_name (self, target),
                          digits_percent (probs[target]));
  gtk_label_set_text (inspect->why_label, text);
  gtk_widget_set_visible (GTK_WIDGET (inspect->why_label), TRUE);
}

static void
preview_input_changed_cb (DigitsWindow *self)
{
  update_saliency (self);
  schedule_layers (self);
  update_versus (self);
}

static void
why_changed_cb (DigitsWindow *self)
{
  update_saliency (self);
}

static void
build_why (DigitsWindow *self)
{
  struct _DigitsInspect *inspect = self->inspect;
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autoptr (GtkStringList) choices = gtk_string_list_new (NULL);

  inspect->why_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_mnemonic (_("_Why?")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (inspect->why_button),
                               _("Show which pixels pushed toward the answer (red) and "
                                 "against it (blue)"));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (inspect->why_button));

  /* TRANSLATORS: the first choice of "Why?": the network's own answer */
  gtk_string_list_append (choices, _("this answer"));
  for (int k = 0; k < 10; k++)
    {
      g_autofree char *text = NULL;

      /* TRANSLATORS: "Why?" for another digit: "not a 4" */
      text = g_strdup_printf (_("not a %d"), k);
      gtk_string_list_append (choices, text);
    }
  inspect->why_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer
                                                                           (&choices)),
                                                            NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (inspect->why_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Explain which digit"),
                                  -1);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (inspect->why_dropdown));
  gtk_box_append (self->inspect_box, row);

  inspect->why_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (inspect->why_label, 0.0f);
  gtk_label_set_wrap (inspect->why_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (inspect->why_label), "caption");
  gtk_widget_set_visible (GTK_WIDGET (inspect->why_label), FALSE);
  gtk_box_append (self->inspect_box, GTK_WIDGET (inspect->why_label));

  g_signal_connect_swapped (inspect->why_button, "toggled", G_CALLBACK (why_changed_cb), self);
  g_signal_connect_swapped (inspect->why_dropdown, "notify::selected",
                            G_CALLBACK (why_changed_cb), self);
  g_signal_connect_swapped (self->preview, "input-changed",
                            G_CALLBACK (preview_input_changed_cb), self);
}

/* A bar of the chart clicked: why (not) that digit, over the preview and the strokes. */
static void
bar_activated_cb (DigitsChart  *chart,
                  guint         k,
                  DigitsWindow *self)
{
  int top = digits_chart_get_top (chart);

  digits_window_set_why (self, TRUE, (int) k == top ? -1 : (int) k);
}

static void
train_show_digit_cb (DigitsTrainView *view,
                     const float     *input,
                     DigitsWindow    *self)
{
  digits_window_show_test_digit (self, input);
}

void
digits_window_class_add_inspect (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, train_show_digit_cb);
  gtk_widget_class_bind_template_child (widget_class, DigitsWindow, inspect_box);
}

void
digits_window_init_inspect (DigitsWindow *self)
{
  self->inspect = g_new0 (struct _DigitsInspect, 1);
  self->inspect->target = -1;
  self->inspect->versus_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->inspect->versus_label, 0.0f);
  gtk_label_set_wrap (self->inspect->versus_label, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->inspect->versus_label), FALSE);
  gtk_box_append (self->inspect_box, GTK_WIDGET (self->inspect->versus_label));
  self->inspect->versus_answer = -1;
  build_why (self);
  build_layers (self);
  g_signal_connect (self->chart, "bar-activated", G_CALLBACK (bar_activated_cb), self);
}

int
digits_window_get_versus (DigitsWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->inspect->versus_label))
         ? self->inspect->versus_answer : -1;
}

void
digits_window_set_layers_shown (DigitsWindow *self,
                                gboolean      shown)
{
  gtk_toggle_button_set_active (self->inspect->layers_button, shown);
}

guint
digits_window_get_layer_updates (DigitsWindow *self,
                                 guint        *n_rows)
{
  if (n_rows != NULL)
    *n_rows = digits_layer_view_get_n_rows (self->inspect->layer_view);
  return self->inspect->n_layer_updates;
}

gint64
digits_window_get_layer_update_time (DigitsWindow *self)
{
  return self->inspect->layer_update_us;
}

/* The window's model was replaced: the next job copies it and makes its filters again. */
void
digits_window_inspect_model_changed (DigitsWindow *self)
{
  self->inspect->model_changed = TRUE;
}

void
digits_window_finalize_inspect (DigitsWindow *self)
{
  /* Jobs hold the window: none runs any more. */
  g_clear_pointer (&self->inspect->layers_model, digits_model_free);
  g_clear_pointer (&self->inspect->filters, digits_layer_filters_unref);
  g_clear_pointer (&self->inspect, g_free);
}

void
digits_window_set_why (DigitsWindow *self,
                       gboolean      active,
                       int           target)
{
  gtk_drop_down_set_selected (self->inspect->why_dropdown, target < 0 ? 0 : target + 1);
  gtk_toggle_button_set_active (self->inspect->why_button, active);
}

const float *
digits_window_get_saliency (DigitsWindow *self,
                            int          *target)
{
  if (target != NULL)
    *target = self->inspect->target;
  return self->inspect->target >= 0 ? self->inspect->saliency : NULL;
}

/* The test digit's own pixels, not redrawn: the input is exactly what was evaluated. */
void
digits_window_show_test_digit (DigitsWindow *self,
                               const float  *input)
{
  g_return_if_fail (DIGITS_IS_WINDOW (self));

  digits_window_close_image (self);
  digits_canvas_clear (self->canvas);
  memcpy (self->canvas_input, input, sizeof self->canvas_input);
  self->canvas_has_input = TRUE;
  self->input_is_test_digit = TRUE;
  digits_window_answer_canvas (self);
  digits_window_update_actions (self);
  digits_window_show_page (self, "draw");
}

void
digits_window_forget_test_digit (DigitsWindow *self)
{
  if (!self->input_is_test_digit)
    return;

  self->input_is_test_digit = FALSE;
  digits_window_answer_canvas (self);
  digits_window_update_actions (self);
}

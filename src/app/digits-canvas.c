/* digits-canvas.c — where a person draws a digit.
 *
 * Strokes are kept in normalised coordinates so that they survive resizing and so that
 * what the network sees does not depend on the window's size. Mouse and touch come
 * through a drag gesture, pens through a stylus gesture (with their full backlog of
 * points). While a stroke is being drawn, "changed" is emitted at most once a frame.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "digits-canvas.h"
#include "digits-preview.h"

/* The on-screen pen, as a fraction of the canvas side. A digit drawn over about two
 * thirds of the canvas then looks as bold as an MNIST digit. */
#define PEN_FRACTION_OF_SIDE 0.072
/* Points closer than this (in widget pixels) add nothing but work. */
#define MIN_POINT_DISTANCE 0.75

struct _DigitsCanvas
{
  GtkWidget   parent_instance;

  GArray     *strokes;        /* of DigitsStroke, points normalised to 0..1 */
  gboolean    drawing;        /* the last stroke is still growing */
  gboolean    pending;        /* changed since "changed" was last emitted */
  guint       tick_id;

  double      drag_x;         /* where the current drag began, widget pixels */
  double      drag_y;

  cairo_surface_t *overlay;   /* 28×28 over the input's pixels, or NULL */
  DigitsPlacement  placement; /* normalised point → the overlay's pixels */
};

G_DEFINE_FINAL_TYPE (DigitsCanvas, digits_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EMPTY,
  PROP_N_STROKES,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
clear_stroke (gpointer data)
{
  DigitsStroke *stroke = data;

  g_clear_pointer (&stroke->points, g_array_unref);
}

static void
update_accessible (DigitsCanvas *self)
{
  g_autofree char *description = NULL;
  guint n = self->strokes->len;

  if (n == 0)
    description = g_strdup (_("Empty. Draw a digit with the mouse, a pen or a finger."));
  else
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "Holds %u stroke", "Holds %u strokes", n), n);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
emit_changed (DigitsCanvas *self)
{
  self->pending = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The strokes' count changed: tell the world now, not at the next frame. */
static void
strokes_changed (DigitsCanvas *self,
                 guint         old_n)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  update_accessible (self);

  if ((old_n == 0) != (self->strokes->len == 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY]);
  if (old_n != self->strokes->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STROKES]);

  emit_changed (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  DigitsCanvas *self = DIGITS_CANVAS (widget);

  self->tick_id = 0;
  if (self->pending)
    emit_changed (self);

  return G_SOURCE_REMOVE;
}

/* Coalesces the answers to pointer motion: one per frame at most. */
static void
schedule_changed (DigitsCanvas *self)
{
  self->pending = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
flush_changed (DigitsCanvas *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  if (self->pending)
    emit_changed (self);
}

static DigitsStroke *
get_current_stroke (DigitsCanvas *self)
{
  if (!self->drawing || self->strokes->len == 0)
    return NULL;

  return &g_array_index (self->strokes, DigitsStroke, self->strokes->len - 1);
}

static void
add_point (DigitsCanvas *self,
           double        x,
           double        y)
{
  DigitsStroke *stroke = get_current_stroke (self);
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  DigitsPoint point;

  if (stroke == NULL || width <= 0 || height <= 0)
    return;

  /* Ink that leaves the canvas stays on its edge, as on paper against a ruler. */
  point.x = CLAMP (x, 0.0, width) / width;
  point.y = CLAMP (y, 0.0, height) / height;

  if (stroke->points->len > 0)
    {
      const DigitsPoint *last = &g_array_index (stroke->points, DigitsPoint,
                                                stroke->points->len - 1);
      double dx = (point.x - last->x) * width;
      double dy = (point.y - last->y) * height;

      if (dx * dx + dy * dy < MIN_POINT_DISTANCE * MIN_POINT_DISTANCE)
        return;
    }

  g_array_append_val (stroke->points, point);
  schedule_changed (self);
}

static void
begin_stroke (DigitsCanvas *self,
              double        x,
              double        y)
{
  DigitsStroke stroke;
  guint old_n = self->strokes->len;

  if (self->drawing)
    return;

  stroke.points = g_array_new (FALSE, FALSE, sizeof (DigitsPoint));
  g_array_append_val (self->strokes, stroke);
  self->drawing = TRUE;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  add_point (self, x, y);

  /* The stroke's first point is an answer of its own (a dot can be a digit). */
  strokes_changed (self, old_n);
}

static void
end_stroke (DigitsCanvas *self)
{
  if (!self->drawing)
    return;

  self->drawing = FALSE;
  flush_changed (self);
}

static gboolean
is_pen_event (GdkEvent *event)
{
  GdkDeviceTool *tool;

  if (event == NULL)
    return FALSE;

  tool = gdk_event_get_device_tool (event);
  if (tool == NULL)
    return FALSE;

  switch (gdk_device_tool_get_tool_type (tool))
    {
    case GDK_DEVICE_TOOL_TYPE_PEN:
    case GDK_DEVICE_TOOL_TYPE_ERASER:
    case GDK_DEVICE_TOOL_TYPE_BRUSH:
    case GDK_DEVICE_TOOL_TYPE_PENCIL:
    case GDK_DEVICE_TOOL_TYPE_AIRBRUSH:
      return TRUE;
    case GDK_DEVICE_TOOL_TYPE_UNKNOWN:
    case GDK_DEVICE_TOOL_TYPE_MOUSE:
    case GDK_DEVICE_TOOL_TYPE_LENS:
    default:
      return FALSE;
    }
}

static GdkEvent *
get_current_event (GtkGesture *gesture)
{
  GdkEventSequence *sequence;

  sequence = gtk_gesture_single_get_current_sequence (GTK_GESTURE_SINGLE (gesture));
  return gtk_gesture_get_last_event (gesture, sequence);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               DigitsCanvas   *self)
{
  /* Pens are the stylus gesture's: it sees their every point. */
  if (is_pen_event (get_current_event (GTK_GESTURE (gesture))))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_x = x;
  self->drag_y = y;
  begin_stroke (self, x, y);
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                DigitsCanvas   *self)
{
  double x = self->drag_x + offset_x;
  double y = self->drag_y + offset_y;
  GdkEvent *event = get_current_event (GTK_GESTURE (gesture));

  /* GDK merges fast mouse motion into one event a frame; its history keeps the curve
   * smooth. History is in surface coordinates: shift it by the event's own offset. */
  if (event != NULL && gdk_event_get_event_type (event) == GDK_MOTION_NOTIFY)
    {
      g_autofree GdkTimeCoord *history = NULL;
      double event_x, event_y;
      guint n_history = 0;

      gdk_event_get_position (event, &event_x, &event_y);
      history = gdk_event_get_history (event, &n_history);

      for (guint i = 0; i < n_history; i++)
        {
          if ((history[i].flags & (GDK_AXIS_FLAG_X | GDK_AXIS_FLAG_Y)) !=
              (GDK_AXIS_FLAG_X | GDK_AXIS_FLAG_Y))
            continue;

          add_point (self,
                     history[i].axes[GDK_AXIS_X] + (x - event_x),
                     history[i].axes[GDK_AXIS_Y] + (y - event_y));
        }
    }

  add_point (self, x, y);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             DigitsCanvas   *self)
{
  add_point (self, self->drag_x + offset_x, self->drag_y + offset_y);
  end_stroke (self);
}

static void
drag_cancel_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                DigitsCanvas     *self)
{
  end_stroke (self);
}

static void
stylus_down_cb (GtkGestureStylus *gesture,
                double            x,
                double            y,
                DigitsCanvas     *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  begin_stroke (self, x, y);
}

static void
stylus_motion_cb (GtkGestureStylus *gesture,
                  double            x,
                  double            y,
                  DigitsCanvas     *self)
{
  g_autofree GdkTimeCoord *backlog = NULL;
  guint n_backlog = 0;

  if (!self->drawing)
    return;

  if (gtk_gesture_stylus_get_backlog (gesture, &backlog, &n_backlog))
    {
      for (guint i = 0; i < n_backlog; i++)
        {
          if ((backlog[i].flags & (GDK_AXIS_FLAG_X | GDK_AXIS_FLAG_Y)) ==
              (GDK_AXIS_FLAG_X | GDK_AXIS_FLAG_Y))
            add_point (self, backlog[i].axes[GDK_AXIS_X], backlog[i].axes[GDK_AXIS_Y]);
        }
    }

  add_point (self, x, y);
}

static void
stylus_up_cb (GtkGestureStylus *gesture,
              double            x,
              double            y,
              DigitsCanvas     *self)
{
  add_point (self, x, y);
  end_stroke (self);
}

/* A smooth curve through the points: quadratic pieces between the midpoints, which is
 * what a pen's path looks like and never overshoots the way splines can. */
static void
append_stroke_path (cairo_t            *cr,
                    const DigitsStroke *stroke,
                    double              width,
                    double              height)
{
  const DigitsPoint *p = (const DigitsPoint *) stroke->points->data;
  guint n = stroke->points->len;
  double cx, cy;

  if (n == 0)
    return;

  cairo_move_to (cr, p[0].x * width, p[0].y * height);

  if (n == 1)
    {
      /* A zero-length segment: round caps make it a dot. */
      cairo_line_to (cr, p[0].x * width, p[0].y * height);
      return;
    }

  cx = p[0].x * width;
  cy = p[0].y * height;

  for (guint i = 1; i + 1 < n; i++)
    {
      double qx = p[i].x * width;
      double qy = p[i].y * height;
      double mx = (p[i].x + p[i + 1].x) / 2.0 * width;
      double my = (p[i].y + p[i + 1].y) / 2.0 * height;

      /* The quadratic from (cx, cy) over (qx, qy) to (mx, my), as a cubic. */
      cairo_curve_to (cr,
                      cx + 2.0 / 3.0 * (qx - cx), cy + 2.0 / 3.0 * (qy - cy),
                      mx + 2.0 / 3.0 * (qx - mx), my + 2.0 / 3.0 * (qy - my),
                      mx, my);
      cx = mx;
      cy = my;
    }

  cairo_line_to (cr, p[n - 1].x * width, p[n - 1].y * height);
}

/* The overlay, scaled from the input's pixels to the canvas's, through the strokes' path
 * only: the strokes themselves take its colours. Smoothly scaled: a stroke is finer than
 * an input pixel blown up to the canvas. */
static void
paint_overlay (DigitsCanvas *self,
               cairo_t      *cr,
               int           width,
               int           height)
{
  const DigitsPlacement *at = &self->placement;
  cairo_pattern_t *pattern;
  cairo_matrix_t matrix;

  if (!(at->scale > 0.0))
    return;

  pattern = cairo_pattern_create_for_surface (self->overlay);
  /* The pattern's matrix takes widget pixels to the overlay's. */
  cairo_matrix_init (&matrix, at->scale / width, 0.0, 0.0, at->scale / height,
                     at->x_offset, at->y_offset);
  cairo_pattern_set_matrix (pattern, &matrix);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_NONE);
  cairo_set_source (cr, pattern);
  cairo_stroke_preserve (cr);
  cairo_pattern_destroy (pattern);
}

static void
digits_canvas_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  DigitsCanvas *self = DIGITS_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;
  GdkRGBA ink;

  if (self->strokes->len == 0 || width <= 0 || height <= 0)
    return;

  /* The ink is the canvas's CSS colour, so it follows light and dark styles. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &ink);

  /* Under an overlay the ink is faint, so that its reds and blues read as colours. */
  if (self->overlay != NULL)
    ink.alpha *= 0.3f;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &ink);
  cairo_set_line_width (cr, PEN_FRACTION_OF_SIDE * MIN (width, height));
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  /* One path for all strokes: crossings are not darker, as with a real pen. */
  for (guint i = 0; i < self->strokes->len; i++)
    append_stroke_path (cr, &g_array_index (self->strokes, DigitsStroke, i), width, height);

  cairo_stroke_preserve (cr);
  if (self->overlay != NULL)
    paint_overlay (self, cr, width, height);
  cairo_new_path (cr);
  cairo_destroy (cr);
}

/* The drawing as drawn, to keep as one of the person's examples: black ink on white paper,
 * the canvas's size (side × side when it has none yet), the same pen as on screen. */
cairo_surface_t *
digits_canvas_render_ink (DigitsCanvas *self,
                          int           side)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_surface_t *surface;
  cairo_t *cr;

  g_return_val_if_fail (DIGITS_IS_CANVAS (self), NULL);

  if (self->strokes->len == 0)
    return NULL;
  if (width <= 0 || height <= 0)
    width = height = side;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.0, 0.0, 0.0);
  cairo_set_line_width (cr, PEN_FRACTION_OF_SIDE * MIN (width, height));
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->strokes->len; i++)
    append_stroke_path (cr, &g_array_index (self->strokes, DigitsStroke, i), width, height);
  cairo_stroke (cr);
  cairo_destroy (cr);

  return surface;
}

static void
digits_canvas_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  /* Large: the canvas is what the window is for, and it takes what the height allows.
   * Given a width (a narrow window, the answer under it), it stays square up to a
   * phone's width, so that there is room to write. */
  *minimum = 160;
  *natural = 520;
  if (orientation == GTK_ORIENTATION_VERTICAL && for_size > 0)
    *minimum = MAX (*minimum, MIN (for_size, 320));
}

static GtkSizeRequestMode
digits_canvas_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
digits_canvas_dispose (GObject *object)
{
  DigitsCanvas *self = DIGITS_CANVAS (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  G_OBJECT_CLASS (digits_canvas_parent_class)->dispose (object);
}

static void
digits_canvas_finalize (GObject *object)
{
  DigitsCanvas *self = DIGITS_CANVAS (object);

  g_clear_pointer (&self->strokes, g_array_unref);
  g_clear_pointer (&self->overlay, cairo_surface_destroy);

  G_OBJECT_CLASS (digits_canvas_parent_class)->finalize (object);
}

static void
digits_canvas_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DigitsCanvas *self = DIGITS_CANVAS (object);

  switch (prop_id)
    {
    case PROP_EMPTY:
      g_value_set_boolean (value, digits_canvas_is_empty (self));
      break;

    case PROP_N_STROKES:
      g_value_set_uint (value, self->strokes->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
digits_canvas_class_init (DigitsCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_canvas_dispose;
  object_class->finalize = digits_canvas_finalize;
  object_class->get_property = digits_canvas_get_property;

  widget_class->snapshot = digits_canvas_snapshot;
  widget_class->measure = digits_canvas_measure;
  widget_class->get_request_mode = digits_canvas_get_request_mode;

  properties[PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_STROKES] =
    g_param_spec_uint ("n-strokes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DigitsCanvas::changed:
   *
   * The ink changed: a stroke was added, grew, was undone or cleared. While a stroke
   * is drawn this comes at most once a frame.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "digitscanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_canvas_init (DigitsCanvas *self)
{
  GtkGesture *drag;
  GtkGesture *stylus;

  self->strokes = g_array_new (FALSE, FALSE, sizeof (DigitsStroke));
  g_array_set_clear_func (self->strokes, clear_stroke);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (drag), FALSE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (drag_cancel_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  stylus = gtk_gesture_stylus_new ();
  g_signal_connect (stylus, "down", G_CALLBACK (stylus_down_cb), self);
  g_signal_connect (stylus, "motion", G_CALLBACK (stylus_motion_cb), self);
  g_signal_connect (stylus, "up", G_CALLBACK (stylus_up_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (stylus));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Drawing canvas"),
                                  -1);
  update_accessible (self);
}

GtkWidget *
digits_canvas_new (void)
{
  return g_object_new (DIGITS_TYPE_CANVAS, NULL);
}

void
digits_canvas_add_stroke (DigitsCanvas      *self,
                          const DigitsPoint *points,
                          guint              n_points)
{
  DigitsStroke stroke;
  guint old_n;

  g_return_if_fail (DIGITS_IS_CANVAS (self));
  g_return_if_fail (points != NULL || n_points == 0);

  if (n_points == 0)
    return;

  end_stroke (self);
  old_n = self->strokes->len;

  stroke.points = g_array_sized_new (FALSE, FALSE, sizeof (DigitsPoint), n_points);
  for (guint i = 0; i < n_points; i++)
    {
      DigitsPoint point = {
        CLAMP (points[i].x, 0.0f, 1.0f),
        CLAMP (points[i].y, 0.0f, 1.0f),
      };

      g_array_append_val (stroke.points, point);
    }
  g_array_append_val (self->strokes, stroke);

  strokes_changed (self, old_n);
}

/**
 * digits_canvas_undo:
 *
 * Removes the last stroke. Returns: %FALSE when there was none.
 */
gboolean
digits_canvas_undo (DigitsCanvas *self)
{
  guint old_n;

  g_return_val_if_fail (DIGITS_IS_CANVAS (self), FALSE);

  if (self->strokes->len == 0)
    return FALSE;

  old_n = self->strokes->len;
  self->drawing = FALSE;
  self->pending = FALSE;
  g_array_set_size (self->strokes, old_n - 1);
  strokes_changed (self, old_n);

  return TRUE;
}

void
digits_canvas_clear (DigitsCanvas *self)
{
  guint old_n;

  g_return_if_fail (DIGITS_IS_CANVAS (self));

  if (self->strokes->len == 0)
    return;

  old_n = self->strokes->len;
  self->drawing = FALSE;
  self->pending = FALSE;
  g_array_set_size (self->strokes, 0);
  strokes_changed (self, old_n);
}

gboolean
digits_canvas_is_empty (DigitsCanvas *self)
{
  g_return_val_if_fail (DIGITS_IS_CANVAS (self), TRUE);

  return self->strokes->len == 0;
}

guint
digits_canvas_get_n_strokes (DigitsCanvas *self)
{
  g_return_val_if_fail (DIGITS_IS_CANVAS (self), 0);

  return self->strokes->len;
}

const DigitsStroke *
digits_canvas_get_strokes (DigitsCanvas *self,
                           guint        *n_strokes)
{
  g_return_val_if_fail (DIGITS_IS_CANVAS (self), NULL);

  if (n_strokes != NULL)
    *n_strokes = self->strokes->len;

  return (const DigitsStroke *) self->strokes->data;
}

void
digits_canvas_set_overlay (DigitsCanvas          *self,
                           cairo_surface_t       *overlay,
                           const DigitsPlacement *placement)
{
  g_return_if_fail (DIGITS_IS_CANVAS (self));
  g_return_if_fail (overlay == NULL || placement != NULL);

  if (overlay == NULL && self->overlay == NULL)
    return;

  g_clear_pointer (&self->overlay, cairo_surface_destroy);
  if (overlay != NULL)
    {
      self->overlay = cairo_surface_reference (overlay);
      self->placement = *placement;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
digits_canvas_has_overlay (DigitsCanvas *self)
{
  g_return_val_if_fail (DIGITS_IS_CANVAS (self), FALSE);

  return self->overlay != NULL;
}

/* digits-curve-chart.c — training loss and accuracy as they evolve, drawn with cairo.
 *
 * The x axis counts epochs. Accuracy (training, as a running mean over the epoch so far,
 * and test, once an epoch ends) reads on the left axis in percent, the training loss on
 * the right one. The series' colours come from CSS through hidden children, as in
 * DigitsChart, so light, dark and high-contrast styles all work.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "digits-curve-chart.h"
#include "digits-color-probe.h"

#define PAD          8
#define TICK_GAP     6
#define LEGEND_GAP   12
#define SWATCH       10
#define MIN_WIDTH    240
#define MIN_HEIGHT   160

typedef struct
{
  float x;          /* epochs */
  float loss;
  float accuracy;
} StepPoint;

enum {
  SERIES_LOSS,
  SERIES_TRAIN,
  SERIES_TEST,
  N_SERIES
};

struct _DigitsCurveChart
{
  GtkWidget  parent_instance;

  GtkWidget *colors[N_SERIES];   /* never shown: carry the series' colours from CSS */
  GArray    *steps;              /* of StepPoint */
  GArray    *tests;              /* of float, one per epoch done */
  guint      epochs;
  float      max_loss;
};

G_DEFINE_FINAL_TYPE (DigitsCurveChart, digits_curve_chart, GTK_TYPE_WIDGET)

static const char * const series_classes[N_SERIES] = { "loss", "train", "test" };

static PangoLayout *
create_layout (DigitsCurveChart *self,
               const char       *text,
               gboolean          small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  if (small)
    pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x), round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* A "nice" upper bound for the loss axis: 0.5, 1, 2 or 5 times a power of ten. */
static double
nice_ceiling (double value)
{
  double base, f;

  if (!(value > 0))
    return 1.0;

  base = pow (10.0, floor (log10 (value)));
  f = value / base;
  if (f <= 1.0)
    return base;
  if (f <= 2.0)
    return 2.0 * base;
  if (f <= 2.5)
    return 2.5 * base;
  if (f <= 5.0)
    return 5.0 * base;
  return 10.0 * base;
}

/* The accuracy axis starts at a tenth below the lowest value seen, so that the climb
 * from 90% to 99% still shows. */
static double
get_accuracy_floor (DigitsCurveChart *self)
{
  float lowest = 1.0f;

  for (guint i = 0; i < self->steps->len; i++)
    lowest = MIN (lowest, g_array_index (self->steps, StepPoint, i).accuracy);
  for (guint i = 0; i < self->tests->len; i++)
    lowest = MIN (lowest, g_array_index (self->tests, float, i));

  return CLAMP (floor (lowest * 10.0 - 1e-6) / 10.0, 0.0, 0.9);
}

static void
append_swatch (GtkSnapshot   *snapshot,
               int            series,
               const GdkRGBA *color,
               double         x,
               double         y,
               int            height)
{
  double cy = y + height / 2.0;

  if (series == SERIES_TEST)
    {
      /* The test accuracy is drawn as dots: so is its swatch. */
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                               &GRAPHENE_RECT_INIT (x, y, SWATCH, height));

      gdk_cairo_set_source_rgba (cr, color);
      cairo_arc (cr, x + SWATCH / 2.0, cy, SWATCH / 2.0 - 0.5, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_destroy (cr);
    }
  else
    {
      gtk_snapshot_append_color (snapshot, color,
                                 &GRAPHENE_RECT_INIT (x, round (cy - 1.5), SWATCH, 3));
    }
}

/* The series' names in a centred row, or in several when the chart is narrow. */
static void
append_legend (DigitsCurveChart *self,
               GtkSnapshot      *snapshot,
               const GdkRGBA    *fg,
               const GdkRGBA    *colors,
               int               width,
               int              *legend_height)
{
  const char *names[N_SERIES] = {
    _("Training loss"), _("Training accuracy"), _("Test accuracy"),
  };
  PangoLayout *layouts[N_SERIES];
  int widths[N_SERIES], height = 0, y = 0;

  for (int i = 0; i < N_SERIES; i++)
    {
      layouts[i] = create_layout (self, names[i], FALSE);
      pango_layout_get_pixel_size (layouts[i], &widths[i], &height);
      widths[i] += SWATCH + TICK_GAP;
    }

  for (int first = 0; first < N_SERIES; )
    {
      int last = first, total = widths[first];
      double x;

      while (last + 1 < N_SERIES && total + 2 * LEGEND_GAP + widths[last + 1] <= width)
        total += 2 * LEGEND_GAP + widths[++last];

      x = MAX (0, (width - total) / 2.0);
      for (int i = first; i <= last; i++)
        {
          append_swatch (snapshot, i, &colors[i], x, y, height);
          append_text (snapshot, layouts[i], x + SWATCH + TICK_GAP, y, fg);
          x += widths[i] + 2 * LEGEND_GAP;
        }

      first = last + 1;
      y += height + (first < N_SERIES ? LEGEND_GAP : 0);
    }

  for (int i = 0; i < N_SERIES; i++)
    g_object_unref (layouts[i]);

  *legend_height = y;
}

/* Where the plot is, and its scales. */
typedef struct
{
  double px, py, pw, ph;    /* the plot area */
  double acc_floor;         /* the accuracy axis runs from here to 100% */
  double loss_top;          /* the loss axis runs from 0 to here */
  guint  epochs;
  int    text_height;
} Plot;

static double
plot_x (const Plot *plot,
        double      epoch)
{
  return plot->px + plot->pw * epoch / plot->epochs;
}

static double
plot_accuracy_y (const Plot *plot,
                 double      accuracy)
{
  double a = CLAMP (accuracy, plot->acc_floor, 1.0);

  return plot->py + plot->ph * (1.0 - (a - plot->acc_floor) / (1.0 - plot->acc_floor));
}

static double
plot_loss_y (const Plot *plot,
             double      loss)
{
  return plot->py + plot->ph * (1.0 - CLAMP (loss / plot->loss_top, 0.0, 1.0));
}

/* The accuracy grid and its labels on the left: a line every 10% (every 2% above 90%). */
static void
append_accuracy_axis (DigitsCurveChart *self,
                      GtkSnapshot      *snapshot,
                      const Plot       *plot,
                      const GdkRGBA    *grid,
                      const GdkRGBA    *color)
{
  double floor_ = plot->acc_floor;
  double tick = floor_ >= 0.9 - 1e-6 ? 0.02 : (floor_ >= 0.5 ? 0.05 : 0.1);

  for (double a = floor_; a <= 1.0 + 1e-6; a += tick)
    {
      double y = round (plot_accuracy_y (plot, a));
      g_autofree char *text = NULL;
      g_autoptr (PangoLayout) layout = NULL;
      int w;

      gtk_snapshot_append_color (snapshot, grid,
                                 &GRAPHENE_RECT_INIT (plot->px, y, plot->pw, 1));

      /* TRANSLATORS: a label on the chart's accuracy axis: "90%" */
      text = g_strdup_printf (_("%d%%"), (int) lround (a * 100.0));
      layout = create_layout (self, text, TRUE);
      pango_layout_get_pixel_size (layout, &w, NULL);
      append_text (snapshot, layout, plot->px - TICK_GAP - w, y - plot->text_height / 2.0,
                   color);
    }
}

/* The loss axis on the right: 0, half and top. */
static void
append_loss_axis (DigitsCurveChart *self,
                  GtkSnapshot      *snapshot,
                  const Plot       *plot,
                  const GdkRGBA    *color)
{
  for (int i = 0; i <= 2; i++)
    {
      double value = plot->loss_top * i / 2.0;
      double y = round (plot->py + plot->ph * (1.0 - i / 2.0));
      g_autofree char *text = g_strdup_printf ("%.2g", value);
      g_autoptr (PangoLayout) layout = create_layout (self, text, TRUE);

      append_text (snapshot, layout, plot->px + plot->pw + TICK_GAP,
                   y - plot->text_height / 2.0, color);
    }
}

/* Epoch ticks, at most about one per 40 px, the axis title and the axis line. */
static void
append_epoch_axis (DigitsCurveChart *self,
                   GtkSnapshot      *snapshot,
                   const Plot       *plot,
                   const GdkRGBA    *grid,
                   const GdkRGBA    *dim)
{
  /* TRANSLATORS: the title of the chart's x axis */
  g_autoptr (PangoLayout) title = create_layout (self, _("Epoch"), TRUE);
  double below = plot->py + plot->ph + TICK_GAP / 2.0;
  guint step = 1;
  int title_width;

  while (plot->epochs / step > MAX (1.0, plot->pw / 40.0))
    step = step == 1 ? 2 : (step == 2 ? 5 : step * 2);

  for (guint e = 0; e <= plot->epochs; e += step)
    {
      double x = round (plot_x (plot, e));
      g_autofree char *text = g_strdup_printf ("%u", e);
      g_autoptr (PangoLayout) layout = create_layout (self, text, TRUE);
      int w;

      gtk_snapshot_append_color (snapshot, grid,
                                 &GRAPHENE_RECT_INIT (x, plot->py, 1, plot->ph));
      pango_layout_get_pixel_size (layout, &w, NULL);
      append_text (snapshot, layout, x - w / 2.0, below, dim);
    }

  pango_layout_get_pixel_size (title, &title_width, NULL);
  append_text (snapshot, title, plot->px + plot->pw - title_width,
               below + plot->text_height, dim);
  gtk_snapshot_append_color (snapshot, dim,
                             &GRAPHENE_RECT_INIT (plot->px, plot->py + plot->ph, plot->pw, 1));
}

/* The loss and training accuracy as lines, the test accuracy as dots joined. */
static void
draw_series (DigitsCurveChart *self,
             cairo_t          *cr,
             const Plot       *plot,
             const GdkRGBA    *colors)
{
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, 2.0);

  for (int series = SERIES_LOSS; series <= SERIES_TRAIN && self->steps->len > 0; series++)
    {
      gdk_cairo_set_source_rgba (cr, &colors[series]);
      for (guint i = 0; i < self->steps->len; i++)
        {
          const StepPoint *p = &g_array_index (self->steps, StepPoint, i);
          double y = series == SERIES_LOSS ? plot_loss_y (plot, p->loss)
                                           : plot_accuracy_y (plot, p->accuracy);

          if (i == 0)
            cairo_move_to (cr, plot_x (plot, p->x), y);
          /* A lone first point shows as a dot (round caps). */
          cairo_line_to (cr, plot_x (plot, p->x), y);
        }
      cairo_stroke (cr);
    }

  if (self->tests->len == 0)
    return;

  gdk_cairo_set_source_rgba (cr, &colors[SERIES_TEST]);
  cairo_set_line_width (cr, 1.5);
  for (guint i = 0; i < self->tests->len; i++)
    {
      double x = plot_x (plot, i + 1.0);
      double y = plot_accuracy_y (plot, g_array_index (self->tests, float, i));

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  for (guint i = 0; i < self->tests->len; i++)
    {
      cairo_arc (cr, plot_x (plot, i + 1.0),
                 plot_accuracy_y (plot, g_array_index (self->tests, float, i)), 4.0,
                 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
digits_curve_chart_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  DigitsCurveChart *self = DIGITS_CURVE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg, dim, grid, colors[N_SERIES];
  g_autoptr (PangoLayout) probe = NULL;
  int legend_height, label_width;
  Plot plot;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  for (int i = 0; i < N_SERIES; i++)
    digits_color_probe_get (self->colors[i], &colors[i]);
  dim = fg;
  dim.alpha *= 0.65f;
  grid = fg;
  grid.alpha *= 0.1f;

  append_legend (self, snapshot, &fg, colors, width, &legend_height);

  /* TRANSLATORS: the widest label of the chart's accuracy axis */
  probe = create_layout (self, _("100%"), TRUE);
  pango_layout_get_pixel_size (probe, &label_width, &plot.text_height);

  plot.acc_floor = get_accuracy_floor (self);
  plot.loss_top = nice_ceiling (self->max_loss);
  plot.epochs = MAX (self->epochs, 1u);
  plot.px = label_width + TICK_GAP;
  plot.py = legend_height + LEGEND_GAP + plot.text_height / 2.0;
  plot.pw = width - plot.px - label_width - TICK_GAP;
  plot.ph = height - plot.py - plot.text_height - TICK_GAP - PAD;
  if (plot.pw < 20 || plot.ph < 20)
    return;

  append_accuracy_axis (self, snapshot, &plot, &grid, &colors[SERIES_TRAIN]);
  append_loss_axis (self, snapshot, &plot, &colors[SERIES_LOSS]);
  append_epoch_axis (self, snapshot, &plot, &grid, &dim);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (plot.px - 6, plot.py - 6,
                                                                 plot.pw + 12, plot.ph + 12));
  draw_series (self, cr, &plot, colors);
  cairo_destroy (cr);
}

static void
digits_curve_chart_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = 480;
    }
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = 240;
    }
}

static void
update_accessible (DigitsCurveChart *self)
{
  g_autofree char *description = NULL;

  if (self->tests->len > 0)
    {
      float last = g_array_index (self->tests, float, self->tests->len - 1);

      /* TRANSLATORS: for screen readers: "Test accuracy 97.5 percent after epoch 3" */
      description = g_strdup_printf (_("Test accuracy %.1f percent after epoch %u"),
                                     last * 100.0f, self->tests->len);
    }
  else if (self->steps->len > 0)
    {
      const StepPoint *p = &g_array_index (self->steps, StepPoint, self->steps->len - 1);

      /* TRANSLATORS: for screen readers: "Training accuracy 91.2 percent, loss 0.31" */
      description = g_strdup_printf (_("Training accuracy %.1f percent, loss %.2f"),
                                     p->accuracy * 100.0f, p->loss);
    }
  else
    {
      description = g_strdup (_("No training yet"));
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
digits_curve_chart_dispose (GObject *object)
{
  DigitsCurveChart *self = DIGITS_CURVE_CHART (object);

  for (int i = 0; i < N_SERIES; i++)
    g_clear_pointer (&self->colors[i], gtk_widget_unparent);

  G_OBJECT_CLASS (digits_curve_chart_parent_class)->dispose (object);
}

static void
digits_curve_chart_finalize (GObject *object)
{
  DigitsCurveChart *self = DIGITS_CURVE_CHART (object);

  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->tests, g_array_unref);

  G_OBJECT_CLASS (digits_curve_chart_parent_class)->finalize (object);
}

static void
digits_curve_chart_class_init (DigitsCurveChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_curve_chart_dispose;
  object_class->finalize = digits_curve_chart_finalize;

  widget_class->snapshot = digits_curve_chart_snapshot;
  widget_class->measure = digits_curve_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "digitscurvechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_curve_chart_init (DigitsCurveChart *self)
{
  for (int i = 0; i < N_SERIES; i++)
    {
      self->colors[i] = digits_color_probe_new (GTK_WIDGET (self), series_classes[i]);
    }

  self->steps = g_array_new (FALSE, FALSE, sizeof (StepPoint));
  self->tests = g_array_new (FALSE, FALSE, sizeof (float));
  self->epochs = 1;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Training loss and accuracy"),
                                  -1);
  update_accessible (self);
}

GtkWidget *
digits_curve_chart_new (void)
{
  return g_object_new (DIGITS_TYPE_CURVE_CHART, NULL);
}

void
digits_curve_chart_reset (DigitsCurveChart *self,
                          guint             epochs)
{
  g_return_if_fail (DIGITS_IS_CURVE_CHART (self));

  g_array_set_size (self->steps, 0);
  g_array_set_size (self->tests, 0);
  self->epochs = MAX (epochs, 1u);
  self->max_loss = 0.0f;

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
digits_curve_chart_add_step (DigitsCurveChart *self,
                             double            position,
                             float             loss,
                             float             train_accuracy)
{
  StepPoint point;

  g_return_if_fail (DIGITS_IS_CURVE_CHART (self));

  if (!isfinite (loss) || !isfinite (train_accuracy))
    return;

  point.x = (float) CLAMP (position, 0.0, (double) self->epochs);
  point.loss = MAX (loss, 0.0f);
  point.accuracy = CLAMP (train_accuracy, 0.0f, 1.0f);
  g_array_append_val (self->steps, point);
  self->max_loss = MAX (self->max_loss, point.loss);

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
digits_curve_chart_add_epoch (DigitsCurveChart *self,
                              guint             epoch,
                              float             test_accuracy)
{
  g_return_if_fail (DIGITS_IS_CURVE_CHART (self));

  if (!isfinite (test_accuracy) || epoch == 0)
    return;

  /* Epochs arrive in order; a gap (none expected) repeats the last value. */
  while (self->tests->len + 1 < epoch)
    {
      float last = self->tests->len > 0
                   ? g_array_index (self->tests, float, self->tests->len - 1)
                   : test_accuracy;

      g_array_append_val (self->tests, last);
    }
  if (self->tests->len >= epoch)
    g_array_index (self->tests, float, epoch - 1) = test_accuracy;
  else
    g_array_append_val (self->tests, test_accuracy);

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
digits_curve_chart_get_n_points (DigitsCurveChart *self)
{
  g_return_val_if_fail (DIGITS_IS_CURVE_CHART (self), 0);

  return self->steps->len;
}

guint
digits_curve_chart_get_n_epochs (DigitsCurveChart *self)
{
  g_return_val_if_fail (DIGITS_IS_CURVE_CHART (self), 0);

  return self->tests->len;
}

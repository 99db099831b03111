/* digits-chart.c — the network's probability for each class, as bars.
 *
 * One row a class: its name, a bar drawn with cairo, and the percentage. The highest
 * bar takes the theme's accent colour. Colours come from CSS (the chart's own colour,
 * and the colour of a hidden "accent" child: lookups of named colours are unreliable
 * in GTK 4.8), so the chart follows light and dark styles.
 *
 * A bar can be activated, by a click or by Up/Down then Enter ("bar-activated"): the
 * window explains that digit ("why not a 4?"). The chart stays one focus stop; the bar
 * under the keyboard cursor is outlined and named in the description.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "digits-chart.h"
#include "digits-color-probe.h"

#define MAX_CLASSES   64
#define COLUMN_GAP    12
#define ROW_PITCH     22  /* natural height of a row */
#define MIN_PITCH     16
#define BAR_THICKNESS 0.55 /* of a row */

struct _DigitsChart
{
  GtkWidget   parent_instance;

  GtkWidget  *accent;      /* never shown: carries the accent colour from CSS */
  GStrv       labels;
  guint       n_classes;
  float       probs[MAX_CLASSES];
  gboolean    has_probs;
  int         cursor;      /* the bar Enter activates, or -1 before Up or Down */
};

enum {
  SIGNAL_BAR_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DigitsChart, digits_chart, GTK_TYPE_WIDGET)

static PangoLayout *
create_layout (DigitsChart *self,
               const char  *text,
               gboolean     bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  /* Tabular figures keep the percentages from jittering as they change. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static int
measure_text_width (DigitsChart *self,
                    const char  *text)
{
  g_autoptr (PangoLayout) layout = create_layout (self, text, TRUE);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

static int
get_label_column_width (DigitsChart *self)
{
  int width = 0;

  for (guint i = 0; i < self->n_classes; i++)
    width = MAX (width, measure_text_width (self, self->labels[i]));

  return width;
}

static int
get_percent_column_width (DigitsChart *self)
{
  /* TRANSLATORS: the widest percentage the chart shows */
  return measure_text_width (self, _("100%"));
}

int
digits_percent (float p)
{
  int percent = (int) lroundf (CLAMP (p, 0.0f, 1.0f) * 100.0f);

  /* Only certainty is 100%. */
  return percent == 100 && p < 1.0f ? 99 : percent;
}

static char *
format_percent (float p)
{
  /* TRANSLATORS: a probability in the chart; %d is 0 to 100 */
  return g_strdup_printf (_("%d%%"), digits_percent (p));
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         center_y,
             const GdkRGBA *color)
{
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, round (center_y - height / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_rounded_rect (cairo_t *cr,
                     double   x,
                     double   y,
                     double   width,
                     double   height)
{
  double r = MIN (height, width) / 2.0;

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + width - r, y + height - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + height - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
digits_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  DigitsChart *self = DIGITS_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int label_width = get_label_column_width (self);
  int percent_width = get_percent_column_width (self);
  double bar_x = label_width + COLUMN_GAP;
  double bar_width = width - bar_x - COLUMN_GAP - percent_width;
  double pitch;
  double thickness;
  int top = digits_chart_get_top (self);
  cairo_t *cr;
  GdkRGBA fg, accent, dim, track, bar;

  if (self->n_classes == 0 || bar_width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  digits_color_probe_get (self->accent, &accent);
  dim = fg;
  dim.alpha *= 0.7f;
  track = fg;
  track.alpha *= 0.08f;
  bar = fg;
  bar.alpha *= 0.3f;

  pitch = (double) height / self->n_classes;
  thickness = round (MAX (4.0, pitch * BAR_THICKNESS));

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (bar_x, 0, bar_width, height));
  for (guint i = 0; i < self->n_classes; i++)
    {
      double y = round (i * pitch + (pitch - thickness) / 2.0);
      double p = self->has_probs ? CLAMP (self->probs[i], 0.0f, 1.0f) : 0.0;

      gdk_cairo_set_source_rgba (cr, &track);
      append_rounded_rect (cr, bar_x, y, bar_width, thickness);
      cairo_fill (cr);

      if (p * bar_width >= 1.0)
        {
          /* A bar never gets narrower than its own round ends. */
          gdk_cairo_set_source_rgba (cr, (int) i == top ? &accent : &bar);
          append_rounded_rect (cr, bar_x, y, MAX (p * bar_width, thickness), thickness);
          cairo_fill (cr);
        }
      if ((int) i == self->cursor && gtk_widget_has_focus (widget))
        {
          gdk_cairo_set_source_rgba (cr, &accent);
          cairo_set_line_width (cr, 2.0);
          append_rounded_rect (cr, bar_x + 1, y - 2, bar_width - 2, thickness + 4);
          cairo_stroke (cr);
        }
    }
  cairo_destroy (cr);

  for (guint i = 0; i < self->n_classes; i++)
    {
      gboolean is_top = (int) i == top;
      double center_y = i * pitch + pitch / 2.0;
      g_autoptr (PangoLayout) label = create_layout (self, self->labels[i], is_top);
      int text_width;

      pango_layout_get_pixel_size (label, &text_width, NULL);
      append_text (snapshot, label, label_width - text_width, center_y,
                   is_top || top < 0 ? &fg : &dim);

      if (self->has_probs)
        {
          g_autofree char *text = format_percent (self->probs[i]);
          g_autoptr (PangoLayout) percent = create_layout (self, text, is_top);

          pango_layout_get_pixel_size (percent, &text_width, NULL);
          append_text (snapshot, percent, width - text_width, center_y, is_top ? &fg : &dim);
        }
    }
}

static void
digits_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  DigitsChart *self = DIGITS_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int text = get_label_column_width (self) + get_percent_column_width (self);

      *minimum = text + 2 * COLUMN_GAP + 48;
      *natural = text + 2 * COLUMN_GAP + 180;
    }
  else
    {
      *minimum = self->n_classes * MIN_PITCH;
      *natural = self->n_classes * ROW_PITCH;
    }
}

static void
update_accessible (DigitsChart *self)
{
  g_autoptr (GString) description = g_string_new (NULL);
  guint order[MAX_CLASSES];

  if (!self->has_probs)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("No answer yet"),
                                      -1);
      return;
    }

  for (guint i = 0; i < self->n_classes; i++)
    order[i] = i;

  /* The three likeliest classes, likeliest first: what a listener wants to hear. */
  for (guint i = 0; i < MIN (3u, self->n_classes); i++)
    {
      for (guint j = i + 1; j < self->n_classes; j++)
        if (self->probs[order[j]] > self->probs[order[i]])
          {
            guint t = order[i];

            order[i] = order[j];
            order[j] = t;
          }

      if (i > 0)
        g_string_append (description, _(", "));
      /* TRANSLATORS: one bar of the chart, for screen readers: "7: 98 percent" */
      g_string_append_printf (description, _("%s: %d percent"), self->labels[order[i]],
                              digits_percent (self->probs[order[i]]));
    }

  /* The bar under the keyboard cursor, named as a bar would be if it were a widget. */
  if (self->cursor >= 0 && self->cursor < (int) self->n_classes)
    {
      g_autofree char *name = digits_chart_get_bar_name (self, self->cursor);

      g_string_append (description, _(". "));
      g_string_append (description, name);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

/* The bar the keyboard is on: read out and drawn. */
static void
set_cursor (DigitsChart *self,
            int          k)
{
  self->cursor = k;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
activate_bar (DigitsChart *self,
              int          k)
{
  if (!self->has_probs || k < 0 || k >= (int) self->n_classes)
    return;

  set_cursor (self, k);
  g_signal_emit (self, signals[SIGNAL_BAR_ACTIVATED], 0, (guint) k);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            DigitsChart     *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->n_classes == 0 || height <= 0 || y < 0 || y >= height)
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  activate_bar (self, (int) (y / ((double) height / self->n_classes)));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                DigitsChart           *self)
{
  int cursor = self->cursor;

  if (!self->has_probs || self->n_classes == 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
      cursor = cursor < 0 ? digits_chart_get_top (self) : cursor - 1;
      break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      cursor = cursor < 0 ? digits_chart_get_top (self) : cursor + 1;
      break;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_space: case GDK_KEY_KP_Space:
      activate_bar (self, cursor < 0 ? digits_chart_get_top (self) : cursor);
      return TRUE;
    default:
      return FALSE;
    }

  set_cursor (self, CLAMP (cursor, 0, (int) self->n_classes - 1));
  return TRUE;
}

static void
digits_chart_dispose (GObject *object)
{
  DigitsChart *self = DIGITS_CHART (object);

  g_clear_pointer (&self->accent, gtk_widget_unparent);

  G_OBJECT_CLASS (digits_chart_parent_class)->dispose (object);
}

static void
digits_chart_finalize (GObject *object)
{
  DigitsChart *self = DIGITS_CHART (object);

  g_clear_pointer (&self->labels, g_strfreev);

  G_OBJECT_CLASS (digits_chart_parent_class)->finalize (object);
}

static void
digits_chart_class_init (DigitsChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_chart_dispose;
  object_class->finalize = digits_chart_finalize;

  widget_class->snapshot = digits_chart_snapshot;
  widget_class->measure = digits_chart_measure;

  /**
   * DigitsChart::bar-activated:
   * @k: the class of the bar
   *
   * A bar was clicked, or chosen with the keyboard: explain that class.
   */
  signals[SIGNAL_BAR_ACTIVATED] =
    g_signal_new ("bar-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "digitschart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_chart_init (DigitsChart *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->accent = digits_color_probe_new (GTK_WIDGET (self), "accent");
  self->cursor = -1;

  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  /* The cursor's outline shows only with focus. */
  g_signal_connect (self, "notify::has-focus", G_CALLBACK (gtk_widget_queue_draw), NULL);

  digits_chart_set_labels (self, NULL);

  /* Focusable, so that Tab brings a screen reader to the probabilities after the
   * canvas: the description lists them, most likely first. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Probability of each digit"),
                                  -1);
  update_accessible (self);
}

GtkWidget *
digits_chart_new (void)
{
  return g_object_new (DIGITS_TYPE_CHART, NULL);
}

void
digits_chart_set_labels (DigitsChart        *self,
                         const char * const *labels)
{
  static const char * const digits[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                         NULL };

  g_return_if_fail (DIGITS_IS_CHART (self));

  if (labels == NULL)
    labels = digits;

  g_clear_pointer (&self->labels, g_strfreev);
  self->labels = g_strdupv ((char **) labels);
  self->n_classes = MIN (g_strv_length (self->labels), MAX_CLASSES);
  self->has_probs = FALSE;
  self->cursor = -1;

  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
digits_chart_set_probabilities (DigitsChart *self,
                                const float *probs,
                                guint        n_probs)
{
  g_return_if_fail (DIGITS_IS_CHART (self));
  g_return_if_fail (probs == NULL || n_probs == self->n_classes);

  self->has_probs = probs != NULL;
  for (guint i = 0; i < self->n_classes; i++)
    self->probs[i] = probs != NULL ? probs[i] : 0.0f;

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
digits_chart_get_top (DigitsChart *self)
{
  int top = -1;

  g_return_val_if_fail (DIGITS_IS_CHART (self), -1);

  if (!self->has_probs)
    return -1;

  for (guint i = 0; i < self->n_classes; i++)
    if (top < 0 || self->probs[i] > self->probs[top])
      top = i;

  return top;
}

char *
digits_chart_get_bar_name (DigitsChart *self,
                           int          k)
{
  g_return_val_if_fail (DIGITS_IS_CHART (self), NULL);
  g_return_val_if_fail (k >= 0 && k < (int) self->n_classes, NULL);

  if (!self->has_probs)
    return g_strdup (self->labels[k]);
  /* TRANSLATORS: a bar of the chart, for screen readers: "4: 12 percent, press Enter
   * to see why it is not a 4" */
  return g_strdup_printf (_("%s: %d percent, press Enter to see why it is not a %s"),
                          self->labels[k], digits_percent (self->probs[k]), self->labels[k]);
}

int
digits_chart_get_cursor (DigitsChart *self)
{
  g_return_val_if_fail (DIGITS_IS_CHART (self), -1);

  return self->cursor;
}

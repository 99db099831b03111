/* digits-confusion-matrix.c — which classes a model mistakes for which, as a grid.
 *
 * Rows are the true classes, columns the model's answers; a cell's shade is its share of
 * the row, so the diagonal is dark where the model is right and stray cells show what it
 * confuses. The last column gives each class's accuracy. Colours come from CSS through
 * hidden children (see DigitsChart).
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "digits-confusion-matrix.h"
#include "digits-color-probe.h"

#define MAX_CLASSES 16
#define CELL_MIN    22
#define CELL_NAT    34
#define GAP         6
#define CELL_GAP    2

enum {
  COLOR_RIGHT,
  COLOR_WRONG,
  N_COLORS
};

struct _DigitsConfusionMatrix
{
  GtkWidget  parent_instance;

  GtkWidget *colors[N_COLORS];
  guint      n_classes;
  guint      counts[MAX_CLASSES * MAX_CLASSES];
  GStrv      labels;
  gboolean   has_data;
  int        focus_row;      /* the cell the keyboard is on */
  int        focus_col;
};

enum {
  SIGNAL_CELL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DigitsConfusionMatrix, digits_confusion_matrix, GTK_TYPE_WIDGET)

static PangoLayout *
create_layout (DigitsConfusionMatrix *self,
               const char            *text,
               gboolean               bold,
               double                 scale)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static void
append_centered (GtkSnapshot   *snapshot,
                 PangoLayout   *layout,
                 double         cx,
                 double         cy,
                 double         align,   /* 0 left, 0.5 centre, 1 right of cx */
                 const GdkRGBA *color)
{
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (round (cx - w * align), round (cy - h / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static int
measure_text (DigitsConfusionMatrix *self,
              const char            *text,
              int                   *height)
{
  g_autoptr (PangoLayout) layout = create_layout (self, text, TRUE, 1.0);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (height != NULL)
    *height = h;
  return w;
}

static int
get_row_label_width (DigitsConfusionMatrix *self)
{
  int width = 0;

  for (guint i = 0; i < self->n_classes; i++)
    width = MAX (width, measure_text (self, self->labels[i], NULL));

  return width;
}

static int
get_accuracy_width (DigitsConfusionMatrix *self)
{
  /* TRANSLATORS: the widest per-class accuracy in the confusion matrix */
  return MAX (measure_text (self, _("100.0%"), NULL), measure_text (self, _("Correct"), NULL));
}

static guint
get_row_total (DigitsConfusionMatrix *self,
               guint                  row)
{
  guint total = 0;

  for (guint j = 0; j < self->n_classes; j++)
    total += self->counts[row * self->n_classes + j];

  return total;
}

/* Column headings are the class names when they fit a cell, else their numbers. */
static const char *
get_column_label (DigitsConfusionMatrix *self,
                  guint                  k,
                  char                  *buffer,
                  gsize                  size)
{
  if (g_utf8_strlen (self->labels[k], -1) <= 2)
    return self->labels[k];

  g_snprintf (buffer, size, "%u", k);
  return buffer;
}

/* One cell: shaded by its share of the row (right answers in the accent colour,
 * mistakes in the error colour), with its count when there is room. */
static void
append_cell (DigitsConfusionMatrix *self,
             GtkSnapshot           *snapshot,
             guint                  i,
             guint                  j,
             guint                  total,
             double                 x,
             double                 y,
             double                 cell,
             const GdkRGBA         *track,
             const GdkRGBA         *colors,
             const GdkRGBA         *fg)
{
  guint count = self->counts[i * self->n_classes + j];
  double share = total > 0 ? (double) count / total : 0.0;
  graphene_rect_t rect = GRAPHENE_RECT_INIT (x + CELL_GAP / 2.0, y + CELL_GAP / 2.0,
                                             cell - CELL_GAP, cell - CELL_GAP);
  GskRoundedRect rounded;
  GdkRGBA fill = { 0, 0, 0, 0 };

  gsk_rounded_rect_init_from_rect (&rounded, &rect, 3);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, track, &rect);
  if (self->has_data && count > 0)
    {
      fill = colors[i == j ? COLOR_RIGHT : COLOR_WRONG];
      /* Even one mistake should be seen: a floor under the shade. */
      fill.alpha *= (float) (i == j ? share : MIN (1.0, 0.15 + 3.0 * share));
      gtk_snapshot_append_color (snapshot, &fill, &rect);
    }
  gtk_snapshot_pop (snapshot);

  if (self->has_data && count > 0 && cell >= CELL_MIN)
    {
      g_autofree char *text = g_strdup_printf ("%u", count);
      g_autoptr (PangoLayout) layout = create_layout (self, text, i == j,
                                                      count >= 1000 ? 0.7 : 0.8);
      /* Light text on strong shades, the theme's text elsewhere. */
      GdkRGBA white = { 1, 1, 1, 1 };

      append_centered (snapshot, layout, x + cell / 2.0, y + cell / 2.0, 0.5,
                       fill.alpha > 0.55f ? &white : fg);
    }
}

/* Where the grid is: its cell size and top-left corner; FALSE when too small to draw. */
static gboolean
get_grid (DigitsConfusionMatrix *self,
          double                *cell,
          double                *gx,
          double                *gy)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int label_width = get_row_label_width (self);
  int accuracy_width = get_accuracy_width (self);
  int text_height;
  guint n = self->n_classes;

  if (n == 0)
    return FALSE;
  measure_text (self, "0", &text_height);
  *cell = floor (MIN ((gtk_widget_get_width (widget) - label_width - accuracy_width -
                       2.0 * GAP) / n,
                      (gtk_widget_get_height (widget) - 2.0 * text_height - GAP) / n));
  *gx = label_width + GAP;
  *gy = 2 * text_height + GAP;
  return *cell >= 8;
}

/* "Predicted" over the columns, "Correct" over the accuracies, and the column labels. */
static void
append_headings (DigitsConfusionMatrix *self, GtkSnapshot *snapshot, double gx, double gy,
                 double cell, int text_height, const GdkRGBA *fg, const GdkRGBA *dim)
{
  guint n = self->n_classes;
  /* TRANSLATORS: the heading above the confusion matrix's columns */
  g_autoptr (PangoLayout) heading = create_layout (self, _("Predicted"), FALSE, 0.85);
  g_autoptr (PangoLayout) correct = create_layout (self, _("Correct"), FALSE, 0.85);

  append_centered (snapshot, heading, gx + cell * n / 2.0, text_height / 2.0, 0.5, dim);
  append_centered (snapshot, correct, gx + cell * n + GAP, gy - text_height / 2.0 - 2, 0,
                   dim);
  for (guint j = 0; j < n; j++)
    {
      char buffer[16];
      const char *text = get_column_label (self, j, buffer, sizeof buffer);
      g_autoptr (PangoLayout) layout = create_layout (self, text, TRUE, 1.0);

      append_centered (snapshot, layout, gx + cell * (j + 0.5), gy - text_height / 2.0 - 2,
                       0.5, fg);
    }
}

static void
digits_confusion_matrix_snapshot (GtkWidget   *widget,
                                  GtkSnapshot *snapshot)
{
  DigitsConfusionMatrix *self = DIGITS_CONFUSION_MATRIX (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int label_width = get_row_label_width (self);
  int accuracy_width = get_accuracy_width (self);
  int text_height;
  double cell, gx, gy;
  guint n = self->n_classes;
  GdkRGBA fg, dim, track, colors[N_COLORS];

  if (n == 0)
    return;

  measure_text (self, "0", &text_height);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  for (int i = 0; i < N_COLORS; i++)
    digits_color_probe_get (self->colors[i], &colors[i]);
  dim = fg;
  dim.alpha *= 0.65f;
  track = fg;
  track.alpha *= 0.05f;

  cell = floor (MIN ((width - label_width - accuracy_width - 2.0 * GAP) / n,
                     (height - 2.0 * text_height - GAP) / n));
  if (cell < 8)
    return;

  gx = label_width + GAP;
  gy = 2 * text_height + GAP;

  append_headings (self, snapshot, gx, gy, cell, text_height, &fg, &dim);

  for (guint i = 0; i < n; i++)
    {
      guint total = get_row_total (self, i);
      double cy = gy + cell * (i + 0.5);
      g_autoptr (PangoLayout) row_label = create_layout (self, self->labels[i], TRUE, 1.0);

      append_centered (snapshot, row_label, label_width, cy, 1.0, &fg);

      for (guint j = 0; j < n; j++)
        append_cell (self, snapshot, i, j, total, gx + cell * j, gy + cell * i, cell, &track,
                     colors, &fg);

      /* The keyboard's cell gets a ring when the matrix has the focus. */
      if (gtk_widget_has_visible_focus (widget) && self->has_data && (int) i == self->focus_row)
        {
          GskRoundedRect ring;
          GdkRGBA ring_colors[4] = { fg, fg, fg, fg };
          float widths[4] = { 2, 2, 2, 2 };

          gsk_rounded_rect_init_from_rect (&ring,
                                           &GRAPHENE_RECT_INIT (gx + cell * self->focus_col,
                                                                gy + cell * i, cell, cell),
                                           4);
          gtk_snapshot_append_border (snapshot, &ring, widths, ring_colors);
        }

      if (self->has_data && total > 0)
        {
          g_autofree char *text = g_strdup_printf (_("%.1f%%"),
                                                   100.0 * self->counts[i * n + i] / total);
          g_autoptr (PangoLayout) layout = create_layout (self, text, FALSE, 1.0);

          append_centered (snapshot, layout, gx + cell * n + GAP, cy, 0, &fg);
        }
    }
}

static void
digits_confusion_matrix_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  DigitsConfusionMatrix *self = DIGITS_CONFUSION_MATRIX (widget);
  int text_height;

  measure_text (self, "0", &text_height);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int text = get_row_label_width (self) + get_accuracy_width (self) + 2 * GAP;

      *minimum = text + self->n_classes * CELL_MIN;
      *natural = text + self->n_classes * CELL_NAT;
    }
  else
    {
      *minimum = 2 * text_height + GAP + self->n_classes * CELL_MIN;
      *natural = 2 * text_height + GAP + self->n_classes * CELL_NAT;
    }
}

static void
update_accessible (DigitsConfusionMatrix *self)
{
  g_autoptr (GString) description = g_string_new (NULL);
  guint worst = 0;
  double worst_accuracy = 2.0;
  guint right = 0, total = 0;

  if (!self->has_data)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("No results yet"),
                                      -1);
      return;
    }

  for (guint i = 0; i < self->n_classes; i++)
    {
      double accuracy = digits_confusion_matrix_get_class_accuracy (self, i);

      right += self->counts[i * self->n_classes + i];
      total += get_row_total (self, i);
      if (!isnan (accuracy) && accuracy < worst_accuracy)
        {
          worst_accuracy = accuracy;
          worst = i;
        }
    }

  /* TRANSLATORS: for screen readers: "9,812 of 10,000 right; hardest: 9, 96.5 percent" */
  g_string_append_printf (description, _("%'u of %'u right; hardest: %s, %.1f percent"),
                          right, total, self->labels[worst], worst_accuracy * 100.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

static void
activate_cell (DigitsConfusionMatrix *self,
               int                    row,
               int                    col)
{
  if (!self->has_data || row < 0 || col < 0 || row >= (int) self->n_classes ||
      col >= (int) self->n_classes)
    return;

  self->focus_row = row;
  self->focus_col = col;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_CELL_ACTIVATED], 0, (guint) row, (guint) col);
}

static void
pressed_cb (GtkGestureClick       *gesture,
            int                    n_press,
            double                 x,
            double                 y,
            DigitsConfusionMatrix *self)
{
  double cell, gx, gy;

  if (!get_grid (self, &cell, &gx, &gy) || x < gx || y < gy)
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  activate_cell (self, (int) ((y - gy) / cell), (int) ((x - gx) / cell));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                DigitsConfusionMatrix *self)
{
  int n = (int) self->n_classes;
  int row = self->focus_row, col = self->focus_col;

  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up: row--; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: row++; break;
    case GDK_KEY_Left: case GDK_KEY_KP_Left: col--; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: col++; break;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_space: case GDK_KEY_KP_Space:
      activate_cell (self, row, col);
      return TRUE;
    default:
      return FALSE;
    }

  self->focus_row = CLAMP (row, 0, n - 1);
  self->focus_col = CLAMP (col, 0, n - 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
digits_confusion_matrix_dispose (GObject *object)
{
  DigitsConfusionMatrix *self = DIGITS_CONFUSION_MATRIX (object);

  for (int i = 0; i < N_COLORS; i++)
    g_clear_pointer (&self->colors[i], gtk_widget_unparent);

  G_OBJECT_CLASS (digits_confusion_matrix_parent_class)->dispose (object);
}

static void
digits_confusion_matrix_finalize (GObject *object)
{
  DigitsConfusionMatrix *self = DIGITS_CONFUSION_MATRIX (object);

  g_clear_pointer (&self->labels, g_strfreev);

  G_OBJECT_CLASS (digits_confusion_matrix_parent_class)->finalize (object);
}

static void
digits_confusion_matrix_class_init (DigitsConfusionMatrixClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_confusion_matrix_dispose;
  object_class->finalize = digits_confusion_matrix_finalize;

  widget_class->snapshot = digits_confusion_matrix_snapshot;
  widget_class->measure = digits_confusion_matrix_measure;

  /**
   * DigitsConfusionMatrix::cell-activated:
   * @row: the true class
   * @column: the answer
   *
   * A cell was clicked, or chosen with the arrow keys and Enter.
   */
  signals[SIGNAL_CELL_ACTIVATED] =
    g_signal_new ("cell-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "digitsconfusionmatrix");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_confusion_matrix_init (DigitsConfusionMatrix *self)
{
  static const char * const classes[N_COLORS] = { "right", "wrong" };

  for (int i = 0; i < N_COLORS; i++)
    {
      self->colors[i] = digits_color_probe_new (GTK_WIDGET (self), classes[i]);
    }

  digits_confusion_matrix_set (self, NULL, 10, NULL);

  /* Cells open their digits: by click, or arrows and Enter. */
  {
    GtkGesture *click = gtk_gesture_click_new ();
    GtkEventController *keys = gtk_event_controller_key_new ();

    g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
    g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
    gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Confusion matrix: true classes in rows, answers in "
                                    "columns; arrows and Enter open a cell's digits"),
                                  -1);
}

GtkWidget *
digits_confusion_matrix_new (void)
{
  return g_object_new (DIGITS_TYPE_CONFUSION_MATRIX, NULL);
}

void
digits_confusion_matrix_set (DigitsConfusionMatrix *self,
                             const guint           *counts,
                             guint                  n_classes,
                             const char * const    *labels)
{
  static const char * const digits[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                         NULL };

  g_return_if_fail (DIGITS_IS_CONFUSION_MATRIX (self));
  g_return_if_fail (n_classes > 0 && n_classes <= MAX_CLASSES);
  g_return_if_fail (labels == NULL || g_strv_length ((char **) labels) >= n_classes);
  g_return_if_fail (labels != NULL || n_classes <= 10);

  g_clear_pointer (&self->labels, g_strfreev);
  self->labels = g_strdupv ((char **) (labels != NULL ? labels : digits));
  self->n_classes = n_classes;
  self->has_data = counts != NULL;
  memset (self->counts, 0, sizeof self->counts);
  if (counts != NULL)
    memcpy (self->counts, counts, sizeof (guint) * n_classes * n_classes);

  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

double
digits_confusion_matrix_get_class_accuracy (DigitsConfusionMatrix *self,
                                            guint                  k)
{
  guint total;

  g_return_val_if_fail (DIGITS_IS_CONFUSION_MATRIX (self), NAN);

  if (!self->has_data || k >= self->n_classes)
    return NAN;

  total = get_row_total (self, k);
  return total > 0 ? (double) self->counts[k * self->n_classes + k] / total : NAN;
}

guint
digits_confusion_matrix_get_count (DigitsConfusionMatrix *self,
                                   guint                  row,
                                   guint                  column)
{
  g_return_val_if_fail (DIGITS_IS_CONFUSION_MATRIX (self), 0);

  if (!self->has_data || row >= self->n_classes || column >= self->n_classes)
    return 0;
  return self->counts[row * self->n_classes + column];
}

/* digits-fold-box.c — children side by side, or one under the other when narrow.
 *
 * The box holds two unattached GtkBoxLayouts, a row and a column, and hands each measure
 * and allocation to the one that fits the width it is given. Nothing is re-laid out
 * from inside an allocation, so resizing never loops; "folded" is told afterwards, from
 * an idle, for those (the Train page) that want to change more than the arrangement.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "digits-fold-box.h"

struct _DigitsFoldBox
{
  GtkWidget        parent_instance;

  GtkLayoutManager *row;
  GtkLayoutManager *column;
  int               fold_width;
  gboolean          folded;
  guint             notify_id;
};

G_DEFINE_FINAL_TYPE (DigitsFoldBox, digits_fold_box, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FOLD_WIDTH,
  PROP_SPACING,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The row while there is room for it: "fold-width", or more if its children need it. */
static GtkLayoutManager *
pick_layout (DigitsFoldBox *self,
             int            width)
{
  int row_min = 0;

  if (width < 0)
    return self->row;
  if (width < self->fold_width)
    return self->column;

  gtk_layout_manager_measure (self->row, GTK_WIDGET (self), GTK_ORIENTATION_HORIZONTAL, -1,
                              &row_min, NULL, NULL, NULL);
  return width < row_min ? self->column : self->row;
}

static void
digits_fold_box_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  DigitsFoldBox *self = DIGITS_FOLD_BOX (widget);
  int row_min, row_nat;

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      gtk_layout_manager_measure (pick_layout (self, for_size), widget, orientation, for_size,
                                  minimum, natural, minimum_baseline, natural_baseline);
      return;
    }

  /* As narrow as the column allows; as wide as the row likes. Widths are asked without
   * a height: which arrangement a height means is not known (height-for-width). */
  gtk_layout_manager_measure (self->column, widget, orientation, -1,
                              minimum, natural, NULL, NULL);
  gtk_layout_manager_measure (self->row, widget, orientation, -1,
                              &row_min, &row_nat, NULL, NULL);
  *natural = MAX (*natural, row_nat);
  *minimum_baseline = *natural_baseline = -1;
}

static gboolean
notify_folded_cb (gpointer data)
{
  DigitsFoldBox *self = data;

  self->notify_id = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
  return G_SOURCE_REMOVE;
}

static void
digits_fold_box_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  DigitsFoldBox *self = DIGITS_FOLD_BOX (widget);
  GtkLayoutManager *layout = pick_layout (self, width);
  gboolean folded = layout == self->column;

  gtk_layout_manager_allocate (layout, widget, width, height, baseline);

  if (folded != self->folded)
    {
      self->folded = folded;
      if (self->notify_id == 0)
        self->notify_id = g_idle_add (notify_folded_cb, self);
    }
}

/* Tab follows the children's order, row or column, not their geometry: a centred
 * answer panel would otherwise come before the canvas beside it. */
static gboolean
digits_fold_box_focus (GtkWidget        *widget,
                       GtkDirectionType  direction)
{
  gboolean forward = direction == GTK_DIR_TAB_FORWARD;
  GtkWidget *child = gtk_widget_get_focus_child (widget);

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (digits_fold_box_parent_class)->focus (widget, direction);

  if (child == NULL)
    child = forward ? gtk_widget_get_first_child (widget) : gtk_widget_get_last_child (widget);

  for (; child != NULL;
       child = forward ? gtk_widget_get_next_sibling (child) : gtk_widget_get_prev_sibling (child))
    if (gtk_widget_child_focus (child, direction))
      return TRUE;

  return FALSE;
}

static GtkSizeRequestMode
digits_fold_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
digits_fold_box_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DigitsFoldBox *self = DIGITS_FOLD_BOX (object);

  switch (prop_id)
    {
    case PROP_FOLD_WIDTH:
      g_value_set_int (value, self->fold_width);
      break;
    case PROP_SPACING:
      g_value_set_int (value, gtk_box_layout_get_spacing (GTK_BOX_LAYOUT (self->row)));
      break;
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
digits_fold_box_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  DigitsFoldBox *self = DIGITS_FOLD_BOX (object);

  switch (prop_id)
    {
    case PROP_FOLD_WIDTH:
      self->fold_width = g_value_get_int (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    case PROP_SPACING:
      gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (self->row), g_value_get_int (value));
      gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (self->column), g_value_get_int (value));
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
digits_fold_box_dispose (GObject *object)
{
  DigitsFoldBox *self = DIGITS_FOLD_BOX (object);
  GtkWidget *child;

  g_clear_handle_id (&self->notify_id, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (digits_fold_box_parent_class)->dispose (object);
}

static void
digits_fold_box_finalize (GObject *object)
{
  DigitsFoldBox *self = DIGITS_FOLD_BOX (object);

  g_clear_object (&self->row);
  g_clear_object (&self->column);

  G_OBJECT_CLASS (digits_fold_box_parent_class)->finalize (object);
}

static void
digits_fold_box_class_init (DigitsFoldBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = digits_fold_box_get_property;
  object_class->set_property = digits_fold_box_set_property;
  object_class->dispose = digits_fold_box_dispose;
  object_class->finalize = digits_fold_box_finalize;

  widget_class->measure = digits_fold_box_measure;
  widget_class->size_allocate = digits_fold_box_size_allocate;
  widget_class->get_request_mode = digits_fold_box_get_request_mode;
  widget_class->focus = digits_fold_box_focus;

  properties[PROP_FOLD_WIDTH] =
    g_param_spec_int ("fold-width", NULL, NULL, 0, G_MAXINT, 600,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "digitsfoldbox");
}

static void
digits_fold_box_init (DigitsFoldBox *self)
{
  self->fold_width = 600;
  self->row = gtk_box_layout_new (GTK_ORIENTATION_HORIZONTAL);
  self->column = gtk_box_layout_new (GTK_ORIENTATION_VERTICAL);
}

GtkWidget *
digits_fold_box_new (void)
{
  return g_object_new (DIGITS_TYPE_FOLD_BOX, NULL);
}

gboolean
digits_fold_box_get_folded (DigitsFoldBox *self)
{
  g_return_val_if_fail (DIGITS_IS_FOLD_BOX (self), FALSE);

  return self->folded;
}

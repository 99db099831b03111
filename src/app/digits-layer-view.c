/* digits-layer-view.c — what each layer sees.
 *
 * One row per layer, named, with its maps as tiles: a convolution's feature maps, a dense
 * layer's units in a grid, the output's ten probabilities; the first row is the first
 * layer's weights (filters), shaded blue (negative) to red (positive) around zero.
 * Activations are shaded from 0 to the layer's largest value, so a row shows where the
 * layer fires most. Tiles are painted with nearest filtering: a pixel is a unit.
 *
 * Each row is painted once into an image of its own when the activations (or the width)
 * change, not on every frame: drawing the view is then a copy of a few images, so a
 * window redrawn 60 times a second while the person draws does not paint hundreds of
 * tiles each time.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "digits-layer-view.h"

#define TILE     36     /* target tile side in pixels */
#define GAP      3
#define LABEL_H  18

struct _DigitsLayerView
{
  GtkWidget          parent_instance;

  DigitsActivations  *activations;
  DigitsLayerFilters *filters;

  GPtrArray         *rows;        /* of cairo_surface_t, one per row, or NULL when stale */
  int                rows_width;  /* the width they were painted for */
};

G_DEFINE_FINAL_TYPE (DigitsLayerView, digits_layer_view, GTK_TYPE_WIDGET)

static guint
get_n_rows (DigitsLayerView *self)
{
  return (self->filters != NULL) + (self->activations != NULL ? self->activations->n_layers : 0);
}

static const DigitsMaps *
get_row (DigitsLayerView *self,
         guint            row)
{
  if (self->filters != NULL)
    {
      if (row == 0)
        return self->filters->maps;
      row--;
    }
  return &self->activations->layers[row];
}

/* The shapes shown: when they change the view needs another size. */
static guint64
get_shape (DigitsLayerView *self)
{
  guint64 shape = get_n_rows (self);

  for (guint row = 0; row < get_n_rows (self); row++)
    {
      const DigitsMaps *maps = get_row (self, row);

      shape = shape * 1000003u + (guint64) maps->n_maps * 10007u + maps->height * 101u +
              maps->width;
    }
  return shape;
}

/* A map's tile: whole pixels per unit, about TILE wide (dense grids and the output wider). */
static int
get_scale (const DigitsMaps *maps)
{
  int side = MAX (maps->width, maps->height);
  int target = maps->n_maps == 1 ? 4 * TILE : TILE;

  return MAX (1, target / side);
}

/* How many tiles of scale fit on a line of width pixels. */
static int
get_per_line (const DigitsMaps *maps,
              int               scale,
              int               width)
{
  return MAX (1, width / (maps->width * scale + GAP));
}

/* The height of a row's tiles, below its label. */
static int
get_tiles_height (const DigitsMaps *maps,
                  int               scale,
                  int               per_line)
{
  int lines = (maps->n_maps + per_line - 1) / per_line;

  return lines * (maps->height * scale + GAP) + GAP;
}

static int
get_row_height (const DigitsMaps *maps,
                int               width)
{
  int scale = get_scale (maps);

  return LABEL_H + get_tiles_height (maps, scale, get_per_line (maps, scale, width));
}

/* A unit's colour, opaque ARGB32; 0 (transparent) for a cell of the grid with no unit. */
static guint32
shade (float    f,
       float    range,
       gboolean is_filter)
{
  guint32 r, g, b;

  if (isnan (f))
    return 0;
  f = range > 0 ? f / range : 0;
  if (is_filter)
    {
      /* White at zero, red for positive weights, blue for negative. */
      float a = CLAMP (fabsf (f), 0.0f, 1.0f);
      r = f >= 0 ? 255 : (guint32) lroundf (255 * (1 - a));
      b = f < 0 ? 255 : (guint32) lroundf (255 * (1 - a));
      g = (guint32) lroundf (255 * (1 - a));
    }
  else
    {
      /* Dark where the unit is silent, bright where it fires. */
      r = g = b = (guint32) lroundf (255 * CLAMP (f, 0.0f, 1.0f));
    }
  return 0xff000000u | (r << 16) | (g << 8) | b;
}

/* One row's tiles, laid out for width, into an image of their own (see above): each unit
 * a block of scale × scale pixels, written directly (nearest filtering, without cairo
 * scaling a surface per tile). */
static cairo_surface_t *
paint_row (const DigitsMaps *maps,
           gboolean          is_filter,
           int               width)
{
  int scale = get_scale (maps);
  int tw = maps->width * scale, th = maps->height * scale;
  int per_line = get_per_line (maps, scale, width);
  int height = MAX (get_tiles_height (maps, scale, per_line), 1);
  float range = is_filter ? MAX (fabsf (maps->lo), fabsf (maps->hi)) : maps->hi;
  cairo_surface_t *surface;
  guint32 *pixels;
  int stride;

  width = MAX (width, 1);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_surface_flush (surface);
  pixels = (guint32 *) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  memset (pixels, 0, (gsize) stride * 4 * height);

  for (int m = 0; m < maps->n_maps; m++)
    {
      const float *v = maps->values + (gsize) m * maps->width * maps->height;
      int x0 = (m % per_line) * (tw + GAP), y0 = (m / per_line) * (th + GAP);

      for (int y = 0; y < maps->height; y++)
        for (int x = 0; x < maps->width; x++)
          {
            guint32 colour = shade (v[y * maps->width + x], range, is_filter);

            for (int dy = 0; dy < scale && y0 + y * scale + dy < height; dy++)
              {
                guint32 *line = pixels + (gsize) (y0 + y * scale + dy) * stride;

                for (int dx = 0; dx < scale && x0 + x * scale + dx < width; dx++)
                  line[x0 + x * scale + dx] = colour;
              }
          }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
layer_filters_clear (gpointer data)
{
  DigitsLayerFilters *filters = data;

  g_clear_pointer (&filters->maps, digits_maps_free);
  g_clear_pointer (&filters->row, cairo_surface_destroy);
}

DigitsLayerFilters *
digits_layer_filters_new (DigitsMaps *maps)
{
  DigitsLayerFilters *filters = g_atomic_rc_box_new0 (DigitsLayerFilters);

  filters->maps = maps;
  return filters;
}

DigitsLayerFilters *
digits_layer_filters_ref (DigitsLayerFilters *filters)
{
  return g_atomic_rc_box_acquire (filters);
}

void
digits_layer_filters_unref (DigitsLayerFilters *filters)
{
  g_atomic_rc_box_release_full (filters, layer_filters_clear);
}

void
digits_layer_filters_keep_row (DigitsLayerFilters *filters,
                               cairo_surface_t    *row,
                               int                 width)
{
  cairo_surface_reference (row);
  g_clear_pointer (&filters->row, cairo_surface_destroy);
  filters->row = row;
  filters->row_width = width;
}

GPtrArray *
digits_layer_view_paint (const DigitsActivations  *activations,
                         const DigitsLayerFilters *filters,
                         int                       width)
{
  int n_layers = activations != NULL ? activations->n_layers : 0;
  GPtrArray *rows;

  if (width <= 0 || (filters == NULL && n_layers == 0))
    return NULL;

  rows = g_ptr_array_new_full (n_layers + 1, (GDestroyNotify) cairo_surface_destroy);
  if (filters != NULL && filters->row != NULL && filters->row_width == width)
    g_ptr_array_add (rows, cairo_surface_reference (filters->row));
  else if (filters != NULL)
    g_ptr_array_add (rows, paint_row (filters->maps, TRUE, width));
  for (int l = 0; l < n_layers; l++)
    g_ptr_array_add (rows, paint_row (&activations->layers[l], FALSE, width));
  return rows;
}

static void
paint_rows (DigitsLayerView *self,
            int              width)
{
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->rows = digits_layer_view_paint (self->activations, self->filters, width);
  self->rows_width = width;
}

static void
digits_layer_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  DigitsLayerView *self = DIGITS_LAYER_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  guint n = get_n_rows (self);
  GdkRGBA fg;
  double y = 0;

  /* Only a new width gets here with no images: new activations painted them already. */
  if (self->rows == NULL || self->rows_width != width)
    paint_rows (self, width);
  if (self->rows == NULL)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);

  for (guint row = 0; row < n; row++)
    {
      const DigitsMaps *maps = get_row (self, row);
      cairo_surface_t *image = g_ptr_array_index (self->rows, row);
      int h = get_row_height (maps, width);
      g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, maps->name);
      cairo_t *cr;

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, y));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);

      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, y + LABEL_H, width,
                                                                     h - LABEL_H));
      cairo_set_source_surface (cr, image, 0, y + LABEL_H);
      cairo_paint (cr);
      cairo_destroy (cr);
      y += h;
    }
}

static GtkSizeRequestMode
digits_layer_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
digits_layer_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  DigitsLayerView *self = DIGITS_LAYER_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 4 * TILE;
      *natural = 8 * (TILE + GAP);
      return;
    }

  *minimum = 0;
  for (guint row = 0; row < get_n_rows (self); row++)
    *minimum += get_row_height (get_row (self, row), for_size > 0 ? for_size : 8 * TILE);
  *natural = *minimum;
}

static void
digits_layer_view_finalize (GObject *object)
{
  DigitsLayerView *self = DIGITS_LAYER_VIEW (object);

  g_clear_pointer (&self->activations, digits_activations_free);
  g_clear_pointer (&self->filters, digits_layer_filters_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (digits_layer_view_parent_class)->finalize (object);
}

static void
digits_layer_view_class_init (DigitsLayerViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = digits_layer_view_finalize;
  widget_class->snapshot = digits_layer_view_snapshot;
  widget_class->measure = digits_layer_view_measure;
  widget_class->get_request_mode = digits_layer_view_get_request_mode;

  gtk_widget_class_set_css_name (widget_class, "digitslayerview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_layer_view_init (DigitsLayerView *self)
{
}

GtkWidget *
digits_layer_view_new (void)
{
  return g_object_new (DIGITS_TYPE_LAYER_VIEW, NULL);
}

void
digits_layer_view_set (DigitsLayerView    *self,
                       DigitsActivations  *activations,
                       DigitsLayerFilters *filters)
{
  digits_layer_view_set_painted (self, activations, filters, NULL, 0);
}

void
digits_layer_view_set_painted (DigitsLayerView    *self,
                               DigitsActivations  *activations,
                               DigitsLayerFilters *filters,
                               GPtrArray          *rows,
                               int                 width)
{
  guint64 old_shape;

  g_return_if_fail (DIGITS_IS_LAYER_VIEW (self));

  old_shape = get_shape (self);
  g_clear_pointer (&self->activations, digits_activations_free);
  g_clear_pointer (&self->filters, digits_layer_filters_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->activations = activations;
  self->filters = filters;
  self->rows = rows;
  self->rows_width = width;
  /* Painted here when the caller did not, off the draw path (it runs before the frame is
   * laid out); a new width repaints them in the snapshot. */
  if (rows == NULL || width != gtk_widget_get_width (GTK_WIDGET (self)))
    paint_rows (self, gtk_widget_get_width (GTK_WIDGET (self)));

  /* The same network again only needs repainting; another may need another size. */
  if (get_shape (self) != old_shape)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
digits_layer_view_get_n_rows (DigitsLayerView *self)
{
  g_return_val_if_fail (DIGITS_IS_LAYER_VIEW (self), 0);

  return get_n_rows (self);
}

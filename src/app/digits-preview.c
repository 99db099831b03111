/* digits-preview.c — the 28×28 input the network sees, magnified and pixelated.
 *
 * Each input pixel becomes a square of whole device pixels (cairo's nearest filter), so
 * the preview stays crisp at any scale. Ink takes the widget's CSS colour.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/digits-preprocess.h"
#include "digits-preview.h"

struct _DigitsPreview
{
  GtkWidget parent_instance;

  float     input[DIGITS_PIXELS];
  gboolean  has_input;
  int       cell_size;   /* preferred magnification */
  cairo_surface_t *overlay;   /* 28×28 on top of the input (saliency), or NULL */
};

enum {
  SIGNAL_INPUT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DigitsPreview, digits_preview, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CELL_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
digits_preview_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  DigitsPreview *self = DIGITS_PREVIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int cell = MAX (1, MIN (width, height) / DIGITS_SIDE);
  int side = cell * DIGITS_SIDE;
  cairo_t *cr;
  cairo_surface_t *surface;
  cairo_pattern_t *pattern;
  guint32 *pixels;
  int stride;
  GdkRGBA ink;

  if (!self->has_input)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &ink);

  /* Premultiplied ARGB32: the ink colour at the input's coverage. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DIGITS_SIDE, DIGITS_SIDE);
  cairo_surface_flush (surface);
  pixels = (guint32 *) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  for (int y = 0; y < DIGITS_SIDE; y++)
    for (int x = 0; x < DIGITS_SIDE; x++)
      {
        double a = CLAMP (self->input[y * DIGITS_SIDE + x], 0.0f, 1.0f) * ink.alpha;
        guint32 A = (guint32) lround (a * 255.0);
        guint32 R = (guint32) lround (ink.red * a * 255.0);
        guint32 G = (guint32) lround (ink.green * a * 255.0);
        guint32 B = (guint32) lround (ink.blue * a * 255.0);

        pixels[y * stride + x] = (A << 24) | (R << 16) | (G << 8) | B;
      }
  cairo_surface_mark_dirty (surface);

  cr = gtk_snapshot_append_cairo (snapshot,
                                  &GRAPHENE_RECT_INIT ((width - side) / 2, (height - side) / 2,
                                                       side, side));
  cairo_translate (cr, (width - side) / 2, (height - side) / 2);
  cairo_scale (cr, cell, cell);
  cairo_set_source_surface (cr, surface, 0, 0);
  pattern = cairo_get_source (cr);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  if (self->overlay != NULL)
    {
      cairo_set_source_surface (cr, self->overlay, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
    }
  cairo_destroy (cr);

  cairo_surface_destroy (surface);
}

static void
digits_preview_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  DigitsPreview *self = DIGITS_PREVIEW (widget);

  *minimum = DIGITS_SIDE;
  *natural = DIGITS_SIDE * self->cell_size;
}

static void
digits_preview_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DigitsPreview *self = DIGITS_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_CELL_SIZE:
      g_value_set_int (value, self->cell_size);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
digits_preview_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DigitsPreview *self = DIGITS_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_CELL_SIZE:
      if (self->cell_size != g_value_get_int (value))
        {
          self->cell_size = g_value_get_int (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
digits_preview_finalize (GObject *object)
{
  DigitsPreview *self = DIGITS_PREVIEW (object);

  g_clear_pointer (&self->overlay, cairo_surface_destroy);

  G_OBJECT_CLASS (digits_preview_parent_class)->finalize (object);
}

static void
digits_preview_class_init (DigitsPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = digits_preview_finalize;
  /**
   * DigitsPreview::input-changed:
   *
   * A new input (or none): whatever is drawn from it (saliency, layers) is out of date.
   */
  signals[SIGNAL_INPUT_CHANGED] =
    g_signal_new ("input-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  object_class->get_property = digits_preview_get_property;
  object_class->set_property = digits_preview_set_property;

  widget_class->snapshot = digits_preview_snapshot;
  widget_class->measure = digits_preview_measure;

  properties[PROP_CELL_SIZE] =
    g_param_spec_int ("cell-size", NULL, NULL, 1, 32, 4,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "digitspreview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_preview_init (DigitsPreview *self)
{
  self->cell_size = 4;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("What the network sees"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Empty"),
                                  -1);
}

GtkWidget *
digits_preview_new (void)
{
  return g_object_new (DIGITS_TYPE_PREVIEW, NULL);
}

void
digits_preview_set_input (DigitsPreview *self,
                          const float   *input)
{
  g_return_if_fail (DIGITS_IS_PREVIEW (self));

  if (input == NULL && !self->has_input)
    return;

  self->has_input = input != NULL;
  if (input != NULL)
    memcpy (self->input, input, sizeof self->input);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->has_input
                                    ? _("The drawing scaled and centred into 28 by 28 pixels")
                                    : _("Empty"),
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_INPUT_CHANGED], 0);
}

cairo_surface_t *
digits_overlay_surface_new (const guint8 *rgba)
{
  cairo_surface_t *surface;
  guint32 *pixels;
  int stride;

  g_return_val_if_fail (rgba != NULL, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, DIGITS_SIDE, DIGITS_SIDE);
  cairo_surface_flush (surface);
  pixels = (guint32 *) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  /* Non-premultiplied RGBA in, premultiplied ARGB32 out. */
  for (int i = 0; i < DIGITS_PIXELS; i++)
    {
      guint32 a = rgba[4 * i + 3];
      guint32 r = (rgba[4 * i] * a + 127) / 255;
      guint32 g = (rgba[4 * i + 1] * a + 127) / 255;
      guint32 b = (rgba[4 * i + 2] * a + 127) / 255;

      pixels[(i / DIGITS_SIDE) * stride + i % DIGITS_SIDE] = (a << 24) | (r << 16) | (g << 8) | b;
    }
  cairo_surface_mark_dirty (surface);

  return surface;
}

void
digits_preview_set_overlay (DigitsPreview   *self,
                            cairo_surface_t *overlay)
{
  g_return_if_fail (DIGITS_IS_PREVIEW (self));

  if (overlay == NULL && self->overlay == NULL)
    return;

  g_clear_pointer (&self->overlay, cairo_surface_destroy);
  if (overlay != NULL)
    self->overlay = cairo_surface_reference (overlay);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const float *
digits_preview_get_input (DigitsPreview *self)
{
  g_return_val_if_fail (DIGITS_IS_PREVIEW (self), NULL);

  return self->has_input ? self->input : NULL;
}

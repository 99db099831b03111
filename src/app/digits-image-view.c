/* digits-image-view.c — an opened image with a box around each digit found in it.
 *
 * The image is fitted into the widget, keeping its aspect ratio; each glyph gets a box
 * and a tag with what the network read. Clicking a box emits "glyph-activated".
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "digits-image-view.h"
#include "digits-color-probe.h"

#define BOX_PADDING 4.0

typedef struct
{
  int   x, y, width, height;
  char *label;
} Box;

struct _DigitsImageView
{
  GtkWidget   parent_instance;

  GtkWidget  *accent;          /* never shown: carries the accent colour from CSS */
  GdkTexture *texture;
  int         image_width;
  int         image_height;
  GArray     *boxes;           /* of Box */
  int         selected;
};

G_DEFINE_FINAL_TYPE (DigitsImageView, digits_image_view, GTK_TYPE_WIDGET)

enum {
  GLYPH_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_box (gpointer data)
{
  Box *box = data;

  g_clear_pointer (&box->label, g_free);
}

/* Where the image lies in the widget, and its scale. */
static gboolean
get_image_rect (DigitsImageView *self,
                graphene_rect_t *rect,
                double          *scale)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double s;

  if (self->texture == NULL || self->image_width <= 0 || self->image_height <= 0 ||
      width <= 0 || height <= 0)
    return FALSE;

  s = MIN ((double) width / self->image_width, (double) height / self->image_height);
  graphene_rect_init (rect,
                      round ((width - self->image_width * s) / 2.0),
                      round ((height - self->image_height * s) / 2.0),
                      round (self->image_width * s),
                      round (self->image_height * s));
  *scale = s;

  return TRUE;
}

static void
get_box_rect (DigitsImageView       *self,
              const Box             *box,
              const graphene_rect_t *image,
              double                 scale,
              graphene_rect_t       *rect)
{
  graphene_rect_init (rect,
                      round (image->origin.x + box->x * scale - BOX_PADDING),
                      round (image->origin.y + box->y * scale - BOX_PADDING),
                      round (box->width * scale + 2 * BOX_PADDING),
                      round (box->height * scale + 2 * BOX_PADDING));
}

static void
digits_image_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  DigitsImageView *self = DIGITS_IMAGE_VIEW (widget);
  graphene_rect_t image;
  double scale;
  GdkRGBA accent;
  GdkRGBA tint;
  const GdkRGBA on_accent = { 1.0f, 1.0f, 1.0f, 1.0f };

  if (!get_image_rect (self, &image, &scale))
    return;

  gtk_snapshot_append_texture (snapshot, self->texture, &image);

  if (self->boxes->len == 0)
    return;

  digits_color_probe_get (self->accent, &accent);
  tint = accent;
  tint.alpha = 0.18f;

  for (guint i = 0; i < self->boxes->len; i++)
    {
      const Box *box = &g_array_index (self->boxes, Box, i);
      gboolean selected = (int) i == self->selected;
      graphene_rect_t rect;
      cairo_t *cr;

      get_box_rect (self, box, &image, scale, &rect);
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (rect.origin.x - 2,
                                                                     rect.origin.y - 2,
                                                                     rect.size.width + 4,
                                                                     rect.size.height + 4));
      cairo_rectangle (cr, rect.origin.x, rect.origin.y, rect.size.width, rect.size.height);
      if (selected)
        {
          gdk_cairo_set_source_rgba (cr, &tint);
          cairo_fill_preserve (cr);
        }
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_set_line_width (cr, selected ? 3.0 : 2.0);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }

  /* The tags go on top of every box, so that close digits do not hide each other's. */
  for (guint i = 0; i < self->boxes->len; i++)
    {
      const Box *box = &g_array_index (self->boxes, Box, i);
      g_autoptr (PangoLayout) layout = NULL;
      graphene_rect_t rect;
      int text_width, text_height;
      double tag_x, tag_y, tag_w, tag_h;

      if (box->label == NULL)
        continue;

      get_box_rect (self, box, &image, scale, &rect);
      layout = gtk_widget_create_pango_layout (widget, box->label);
      pango_layout_get_pixel_size (layout, &text_width, &text_height);

      tag_w = text_width + 10;
      tag_h = text_height + 2;
      tag_x = rect.origin.x - 1;
      tag_y = rect.origin.y - tag_h;
      if (tag_y < 0)
        tag_y = rect.origin.y + rect.size.height;

      gtk_snapshot_append_color (snapshot, &accent,
                                 &GRAPHENE_RECT_INIT (tag_x, tag_y, tag_w, tag_h));
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (tag_x + 5, tag_y + 1));
      gtk_snapshot_append_layout (snapshot, layout, &on_accent);
      gtk_snapshot_restore (snapshot);
    }
}

static void
digits_image_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = 120;
  *natural = 400;
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            DigitsImageView *self)
{
  graphene_rect_t image;
  double scale;

  if (!get_image_rect (self, &image, &scale))
    return;

  for (guint i = 0; i < self->boxes->len; i++)
    {
      graphene_rect_t rect;

      get_box_rect (self, &g_array_index (self->boxes, Box, i), &image, scale, &rect);
      if (graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT (x, y)))
        {
          g_signal_emit (self, signals[GLYPH_ACTIVATED], 0, (int) i);
          return;
        }
    }
}

static void
digits_image_view_dispose (GObject *object)
{
  DigitsImageView *self = DIGITS_IMAGE_VIEW (object);

  g_clear_pointer (&self->accent, gtk_widget_unparent);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (digits_image_view_parent_class)->dispose (object);
}

static void
digits_image_view_finalize (GObject *object)
{
  DigitsImageView *self = DIGITS_IMAGE_VIEW (object);

  g_clear_pointer (&self->boxes, g_array_unref);

  G_OBJECT_CLASS (digits_image_view_parent_class)->finalize (object);
}

static void
digits_image_view_class_init (DigitsImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = digits_image_view_dispose;
  object_class->finalize = digits_image_view_finalize;

  widget_class->snapshot = digits_image_view_snapshot;
  widget_class->measure = digits_image_view_measure;

  /**
   * DigitsImageView::glyph-activated:
   * @index: the glyph that was clicked
   */
  signals[GLYPH_ACTIVATED] =
    g_signal_new ("glyph-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "digitsimageview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
digits_image_view_init (DigitsImageView *self)
{
  GtkGesture *click;

  self->boxes = g_array_new (FALSE, FALSE, sizeof (Box));
  g_array_set_clear_func (self->boxes, clear_box);
  self->selected = -1;

  self->accent = digits_color_probe_new (GTK_WIDGET (self), "accent");

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Opened image"),
                                  -1);
}

GtkWidget *
digits_image_view_new (void)
{
  return g_object_new (DIGITS_TYPE_IMAGE_VIEW, NULL);
}

void
digits_image_view_set_image (DigitsImageView *self,
                             GdkTexture      *texture,
                             int              image_width,
                             int              image_height)
{
  g_return_if_fail (DIGITS_IS_IMAGE_VIEW (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  g_set_object (&self->texture, texture);
  self->image_width = image_width;
  self->image_height = image_height;
  g_array_set_size (self->boxes, 0);
  self->selected = -1;

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkTexture *
digits_image_view_get_image (DigitsImageView *self,
                             int             *image_width,
                             int             *image_height)
{
  g_return_val_if_fail (DIGITS_IS_IMAGE_VIEW (self), NULL);

  *image_width = self->image_width;
  *image_height = self->image_height;
  return self->texture;
}

void
digits_image_view_set_glyphs (DigitsImageView    *self,
                              const DigitsGlyph  *glyphs,
                              guint               n_glyphs,
                              const char * const *labels)
{
  g_return_if_fail (DIGITS_IS_IMAGE_VIEW (self));
  g_return_if_fail (glyphs != NULL || n_glyphs == 0);

  g_array_set_size (self->boxes, 0);
  for (guint i = 0; i < n_glyphs; i++)
    {
      Box box = {
        glyphs[i].x, glyphs[i].y, glyphs[i].width, glyphs[i].height,
        labels != NULL ? g_strdup (labels[i]) : NULL,
      };

      g_array_append_val (self->boxes, box);
    }

  if (self->selected >= (int) n_glyphs)
    self->selected = -1;

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
digits_image_view_set_selected (DigitsImageView *self,
                                int              selected)
{
  g_return_if_fail (DIGITS_IS_IMAGE_VIEW (self));

  if (self->selected == selected)
    return;

  self->selected = selected;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

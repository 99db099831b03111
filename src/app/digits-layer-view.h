/* digits-layer-view.h — what each layer sees: activations and first-layer filters as
 * small images.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/digits-activations.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_LAYER_VIEW (digits_layer_view_get_type ())

G_DECLARE_FINAL_TYPE (DigitsLayerView, digits_layer_view, DIGITS, LAYER_VIEW, GtkWidget)

/* The first layer's weights and their row's image: they follow the model, not the input,
 * so they are shared (atomically ref-counted) across updates and threads, not made anew. */
typedef struct
{
  DigitsMaps      *maps;
  cairo_surface_t *row;        /* painted for row_width pixels, or NULL */
  int              row_width;
} DigitsLayerFilters;

DigitsLayerFilters *digits_layer_filters_new   (DigitsMaps         *maps);   /* taken */
DigitsLayerFilters *digits_layer_filters_ref   (DigitsLayerFilters *filters);
void                digits_layer_filters_unref (DigitsLayerFilters *filters);
/* Keeps row as their image for width: only while no thread paints with them. */
void                digits_layer_filters_keep_row (DigitsLayerFilters *filters,
                                                   cairo_surface_t    *row,
                                                   int                 width);

GtkWidget *digits_layer_view_new (void);
/* Takes both (either may be NULL: nothing to show). */
void       digits_layer_view_set (DigitsLayerView    *self,
                                  DigitsActivations  *activations,
                                  DigitsLayerFilters *filters);
/* The same with its rows' images painted already (by digits_layer_view_paint for width,
 * on any thread; rows taken, may be NULL). */
void       digits_layer_view_set_painted (DigitsLayerView    *self,
                                          DigitsActivations  *activations,
                                          DigitsLayerFilters *filters,
                                          GPtrArray          *rows,
                                          int                 width);
/* The images of the rows for width pixels (a GPtrArray of cairo_surface_t), or NULL with
 * nothing to show; the filters' row is their kept one when it is for width. Touches no
 * widget: a worker thread may call it. */
GPtrArray *digits_layer_view_paint (const DigitsActivations  *activations,
                                    const DigitsLayerFilters *filters,
                                    int                       width);
/* How many layers it shows (filters count as one), for tests. */
guint      digits_layer_view_get_n_rows (DigitsLayerView *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsLayerFilters, digits_layer_filters_unref)

G_END_DECLS

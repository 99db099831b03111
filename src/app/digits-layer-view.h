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

GtkWidget *digits_layer_view_new (void);
/* Takes both (either may be NULL: nothing to show). */
void       digits_layer_view_set (DigitsLayerView   *self,
                                  DigitsActivations *activations,
                                  DigitsMaps        *filters);
/* How many layers it shows (filters count as one), for tests. */
guint      digits_layer_view_get_n_rows (DigitsLayerView *self);

G_END_DECLS

/* digits-chart.h — the network's probability for each class, as bars.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_CHART (digits_chart_get_type ())

G_DECLARE_FINAL_TYPE (DigitsChart, digits_chart, DIGITS, CHART, GtkWidget)

GtkWidget *digits_chart_new               (void);
/* NULL-terminated class names; NULL means the digits "0" to "9". */
void       digits_chart_set_labels        (DigitsChart        *self,
                                           const char * const *labels);
/* One probability per class (copied), or NULL for no answer. */
void       digits_chart_set_probabilities (DigitsChart        *self,
                                           const float        *probs,
                                           guint               n_probs);
/* The highest bar, or -1 with no answer. */
int        digits_chart_get_top           (DigitsChart        *self);
/* The bar the keyboard is on (Up and Down move it, Enter activates it), or -1. */
int        digits_chart_get_cursor        (DigitsChart        *self);
/* What a screen reader hears for bar k ("4: 12 percent, press Enter to see why…"). */
char      *digits_chart_get_bar_name      (DigitsChart        *self,
                                           int                 k);
/* A probability as every view of the app shows it: whole percent, rounded, except that
 * only certainty is 100% (0.997 is 99%). */
int        digits_percent                 (float               p);

G_END_DECLS

/* digits-curve-chart.h — training loss and accuracy as they evolve, drawn with cairo.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_CURVE_CHART (digits_curve_chart_get_type ())

G_DECLARE_FINAL_TYPE (DigitsCurveChart, digits_curve_chart, DIGITS, CURVE_CHART, GtkWidget)

GtkWidget *digits_curve_chart_new          (void);
/* Forgets every point; the x axis will run from 0 to epochs. */
void       digits_curve_chart_reset        (DigitsCurveChart *self,
                                            guint             epochs);
/* position: in epochs (1.5 = half way through the second). loss ≥ 0, accuracy in [0, 1]. */
void       digits_curve_chart_add_step     (DigitsCurveChart *self,
                                            double            position,
                                            float             loss,
                                            float             train_accuracy);
void       digits_curve_chart_add_epoch    (DigitsCurveChart *self,
                                            guint             epoch,
                                            float             test_accuracy);
guint      digits_curve_chart_get_n_points (DigitsCurveChart *self);
guint      digits_curve_chart_get_n_epochs (DigitsCurveChart *self);

G_END_DECLS

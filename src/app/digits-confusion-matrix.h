/* digits-confusion-matrix.h — which classes a model mistakes for which, as a grid.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_CONFUSION_MATRIX (digits_confusion_matrix_get_type ())

G_DECLARE_FINAL_TYPE (DigitsConfusionMatrix, digits_confusion_matrix,
                      DIGITS, CONFUSION_MATRIX, GtkWidget)

GtkWidget *digits_confusion_matrix_new             (void);
/* counts: n_classes² (row = truth, column = prediction), copied; NULL clears.
 * labels: NULL-terminated class names, or NULL for "0" to "9". */
void       digits_confusion_matrix_set             (DigitsConfusionMatrix *self,
                                                    const guint           *counts,
                                                    guint                  n_classes,
                                                    const char * const    *labels);
/* The fraction of class k's items that were right, or NAN with no data. */
double     digits_confusion_matrix_get_class_accuracy (DigitsConfusionMatrix *self,
                                                       guint                  k);
/* The count shown in a cell (row = truth, column = prediction); 0 without data. */
guint      digits_confusion_matrix_get_count       (DigitsConfusionMatrix *self,
                                                    guint                  row,
                                                    guint                  column);

G_END_DECLS

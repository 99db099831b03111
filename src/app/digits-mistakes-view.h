/* digits-mistakes-view.h — a gallery of test digits from an evaluation: a confusion
 * matrix's cell, or every misread, filtered by true digit and by answer.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/digits-evaluation.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_MISTAKES_VIEW (digits_mistakes_view_get_type ())

G_DECLARE_FINAL_TYPE (DigitsMistakesView, digits_mistakes_view, DIGITS, MISTAKES_VIEW,
                      GtkWidget)

GtkWidget *digits_mistakes_view_new            (void);
/* Both borrowed: they must outlive the view's use of them (set NULL, NULL first). */
void       digits_mistakes_view_set_evaluation (DigitsMistakesView     *self,
                                                const DigitsEvaluation *evaluation,
                                                const DigitsDataset    *set);
/* -1 is "any". Both set: exactly that confusion-matrix cell (the diagonal's right
 * answers least sure first); otherwise the misreads, surest first. */
void       digits_mistakes_view_set_filter     (DigitsMistakesView     *self,
                                                int                     label,
                                                int                     answer);
/* The digits shown, in order (for tests). */
const DigitsVerdict *digits_mistakes_view_get_shown (DigitsMistakesView *self,
                                                     guint              *n);
/* Activates the position-th digit shown, as a click does. */
void       digits_mistakes_view_activate       (DigitsMistakesView     *self,
                                                guint                   position);

/* A window holding a view, transient for parent; *view gets the view. */
GtkWindow *digits_mistakes_window_new          (GtkWidget              *parent,
                                                DigitsMistakesView    **view);

G_END_DECLS

/* digits-teach-dialog.h — Teach Digits your hand: fine-tune the model in use on the
 * person's digits mixed with MNIST, in the background, and compare before and after.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/digits-tune.h"
#include "digits-window.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_TEACH_DIALOG (digits_teach_dialog_get_type ())

G_DECLARE_FINAL_TYPE (DigitsTeachDialog, digits_teach_dialog, DIGITS, TEACH_DIALOG, AdwWindow)

/* dir: the person's digits. The window gets each snapshot on trial and, when the person
 * chooses, keeps or discards the result. */
DigitsTeachDialog *digits_teach_dialog_new      (DigitsWindow      *window,
                                                 const char        *dir);
/* Starts (FALSE, saying why in the dialog, when there is nothing to teach with). */
gboolean           digits_teach_dialog_start    (DigitsTeachDialog *self);
void               digits_teach_dialog_cancel   (DigitsTeachDialog *self);

/* For tests: settings and MNIST slices (0 = all), the state and what it says. */
void               digits_teach_dialog_set_config (DigitsTeachDialog      *self,
                                                   const DigitsTuneConfig *config,
                                                   guint                   n_train,
                                                   guint                   n_test);
gboolean           digits_teach_dialog_is_running (DigitsTeachDialog *self);
/* NULL until a run has finished; then its figures. */
const DigitsTuneResult *digits_teach_dialog_get_result (DigitsTeachDialog *self);
const char        *digits_teach_dialog_get_status (DigitsTeachDialog *self);
guint              digits_teach_dialog_get_n_progress (DigitsTeachDialog *self);
/* The buttons under the result. */
void               digits_teach_dialog_use        (DigitsTeachDialog *self);
void               digits_teach_dialog_discard    (DigitsTeachDialog *self);

G_END_DECLS

/* digits-fold-box.h — children side by side, or one under the other when narrow.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_FOLD_BOX (digits_fold_box_get_type ())

G_DECLARE_FINAL_TYPE (DigitsFoldBox, digits_fold_box, DIGITS, FOLD_BOX, GtkWidget)

/* Children (added in a .ui file as plain <child>) sit in a row while the box is at least
 * "fold-width" wide, and in a column below that: libadwaita 1.2 has no AdwBreakpoint. */
GtkWidget *digits_fold_box_new         (void);
gboolean   digits_fold_box_get_folded  (DigitsFoldBox *self);

G_END_DECLS

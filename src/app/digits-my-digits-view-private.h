/* digits-my-digits-view-private.h — what the folder choosers hand over, for tests: the
 * native chooser cannot be driven without a display server's portal, so a test presses
 * Import or Export and then gives the folder the person would have chosen.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "digits-my-digits-view.h"

G_BEGIN_DECLS

/* The open Import or Export chooser, or NULL. */
GtkFileChooser *digits_my_digits_view_get_chooser    (DigitsMyDigitsView *self);
/* The open chooser's answer: closes it, then imports from or exports to folder (NULL:
 * cancelled, nothing happens; not a local folder: a toast says to choose one). */
void            digits_my_digits_view_folder_chosen  (DigitsMyDigitsView *self,
                                                      GFile              *folder);

G_END_DECLS

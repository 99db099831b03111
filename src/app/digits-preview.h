/* digits-preview.h — the 28×28 input the network sees, magnified and pixelated.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_PREVIEW (digits_preview_get_type ())

G_DECLARE_FINAL_TYPE (DigitsPreview, digits_preview, DIGITS, PREVIEW, GtkWidget)

GtkWidget *digits_preview_new       (void);
/* input: DIGITS_PIXELS floats in [0, 1] (copied), or NULL for nothing. */
void       digits_preview_set_input (DigitsPreview *self,
                                     const float   *input);

G_END_DECLS

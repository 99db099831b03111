/* digits-glyph-row.h — the digits found in an image, one toggle button each.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/digits-preprocess.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_GLYPH_ROW (digits_glyph_row_get_type ())

G_DECLARE_FINAL_TYPE (DigitsGlyphRow, digits_glyph_row, DIGITS, GLYPH_ROW, GtkWidget)

GtkWidget *digits_glyph_row_new          (void);
/* One button per glyph: what the network sees and its answer. names and percents (one
 * each per glyph) may be NULL when there is no model to read with. */
void       digits_glyph_row_set_glyphs   (DigitsGlyphRow    *self,
                                          const DigitsGlyph *glyphs,
                                          guint              n_glyphs,
                                          const char * const *names,
                                          const int         *percents);
/* Makes @index the pressed button; emits nothing. */
void       digits_glyph_row_set_selected (DigitsGlyphRow    *self,
                                          int                index);

G_END_DECLS

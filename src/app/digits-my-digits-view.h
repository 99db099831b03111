/* digits-my-digits-view.h — the person's digits: by class, with counts; delete, relabel,
 * import and export.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/digits-my-digits.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_MY_DIGITS_VIEW (digits_my_digits_view_get_type ())

G_DECLARE_FINAL_TYPE (DigitsMyDigitsView, digits_my_digits_view, DIGITS, MY_DIGITS_VIEW,
                      AdwWindow)

/* store is borrowed: it belongs to the parent window, which outlives its dialogs. */
DigitsMyDigitsView *digits_my_digits_view_new     (GtkWindow          *parent,
                                                   DigitsMyDigits     *store);
/* Reads the folder again and rebuilds the lists. */
void                digits_my_digits_view_reload  (DigitsMyDigitsView *self);

/* What the buttons do; also for tests. Each says what happened in a toast. */
gboolean            digits_my_digits_view_delete  (DigitsMyDigitsView *self,
                                                   guint               label,
                                                   const char         *name);
gboolean            digits_my_digits_view_relabel (DigitsMyDigitsView *self,
                                                   guint               label,
                                                   const char         *name,
                                                   guint               new_label);
int                 digits_my_digits_view_import  (DigitsMyDigitsView *self,
                                                   const char         *dir);
int                 digits_my_digits_view_export  (DigitsMyDigitsView *self,
                                                   const char         *dir);

/* For tests: a class's heading as shown ("7 — 2 examples"), the number of thumbnails shown
 * for it, the notes on skipped files (one line each, or ""), and the last toast. */
const char         *digits_my_digits_view_get_heading (DigitsMyDigitsView *self,
                                                       guint               label);
guint               digits_my_digits_view_get_n_shown (DigitsMyDigitsView *self,
                                                       guint               label);
const char         *digits_my_digits_view_get_skipped (DigitsMyDigitsView *self);
const char         *digits_my_digits_view_get_last_toast (DigitsMyDigitsView *self);

G_END_DECLS

/* digits-application.h — the Digits application.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DIGITS_TYPE_APPLICATION (digits_application_get_type ())

G_DECLARE_FINAL_TYPE (DigitsApplication, digits_application, DIGITS, APPLICATION,
                      AdwApplication)

DigitsApplication *digits_application_new (GApplicationFlags flags);

G_END_DECLS

/* digits-about.h — the About window, filled from the app's metainfo.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* An AdwAboutWindow with the name, summary, developer, licence, links and the newest
 * release's notes read from the metainfo in the resources (one source for the software
 * centre and the app), transient for @parent (may be NULL). */
GtkWidget *digits_about_window_new (GtkWindow *parent);

G_END_DECLS

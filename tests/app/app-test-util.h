/* app-test-util.h — helpers the UI tests share: running the main loop until something
 * is so, bringing up a window, and strokes to draw on its canvas.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "digits-application.h"
#include "digits-window.h"
#include "digits-window-private.h"

G_BEGIN_DECLS

/* What the UI tests train where a convolutional network must be trained to the end under
 * the sanitizers (~20–30 times slower there): a tiny one of the same layer kinds. */
#define DIGITS_TEST_TINY_NET "conv3x4,pool2,dense32"

typedef gboolean (*DigitsTestCondition) (gpointer data);
typedef gboolean (*DigitsTestWidgetTest) (GtkWidget *widget,
                                          gpointer   data);

void          digits_test_iterate       (void);
gboolean      digits_test_wait_until    (DigitsTestCondition  condition,
                                         gpointer             data,
                                         double               seconds);
void          digits_test_wait_frames   (void);

gboolean      digits_test_is_drawn      (gpointer             widget);
gboolean      digits_test_is_idle       (gpointer             window);

/* FALSE (after saying so) when there is no display: the test program then exits 77,
 * which meson counts as skipped. */
gboolean      digits_test_has_display   (void);
/* gtk_test_init, then a registered application that is not unique. */
DigitsApplication *digits_test_init_app (int                 *argc,
                                         char              ***argv);
DigitsWindow *digits_test_create_window (DigitsApplication   *app);

void          digits_test_add_line      (DigitsCanvas        *canvas,
                                         float                x0,
                                         float                y0,
                                         float                x1,
                                         float                y1);
void          digits_test_add_circle    (DigitsCanvas        *canvas);

/* The first widget under root (root included), depth-first in GTK's order of children,
 * for which test is TRUE; NULL if none. */
GtkWidget    *digits_test_find_widget   (GtkWidget           *root,
                                         DigitsTestWidgetTest test,
                                         gpointer             data);
GtkWidget    *digits_test_get_header_bar (DigitsWindow       *window);
/* Switches @window to its Train page and lets it draw; returns the page. */
DigitsTrainView *digits_test_show_train_view (DigitsWindow   *window);
gboolean      digits_test_respond       (DigitsWindow        *window,
                                         const char          *response);

G_END_DECLS

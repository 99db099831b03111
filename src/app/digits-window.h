/* digits-window.h — the main window: the canvas, opened images and the network's answer.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/digits-model.h"
#include "digits-application.h"
#include "digits-canvas.h"
#include "digits-train-view.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_WINDOW (digits_window_get_type ())

G_DECLARE_FINAL_TYPE (DigitsWindow, digits_window, DIGITS, WINDOW, AdwApplicationWindow)

/* app may be NULL (tests). */
DigitsWindow      *digits_window_new            (DigitsApplication *app);

/* Answers with @model (owned; NULL: none), the canvas and any open image again. */
void               digits_window_set_model      (DigitsWindow      *self,
                                                 DigitsModel       *model);

/* Open Model… and Save Model As… without their dialogs. On failure the window shows why
 * and keeps its model; they return FALSE. */
gboolean           digits_window_open_model     (DigitsWindow      *self,
                                                 GFile             *file);
gboolean           digits_window_save_model     (DigitsWindow      *self,
                                                 GFile             *file);

/* The model in use, remembered across restarts (a copy in the user's data folder):
 * use_model takes ownership and answers with it; revert goes back to the built-in one.
 * While a training run shows its models the window is "on trial". */
gboolean           digits_window_use_model      (DigitsWindow      *self,
                                                 DigitsModel       *model);
void               digits_window_revert_model   (DigitsWindow      *self);

/* Reads an image off the main thread, then shows it and what it holds. */
void               digits_window_open_file      (DigitsWindow      *self,
                                                 GFile             *file);
void               digits_window_open_texture   (DigitsWindow      *self,
                                                 GdkTexture        *texture,
                                                 const char        *name);
/* Back from an image to the canvas (whose strokes were kept). */
void               digits_window_close_image    (DigitsWindow      *self);

G_END_DECLS

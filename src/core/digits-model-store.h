/* digits-model-store.h — the model in use: which one answers, kept across restarts.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "digits-model.h"

G_BEGIN_DECLS

#define DIGITS_TYPE_MODEL_STORE (digits_model_store_get_type ())

G_DECLARE_FINAL_TYPE (DigitsModelStore, digits_model_store, DIGITS, MODEL_STORE, GObject)

/* The rules, in one place without widgets:
 * - the model in use is the built-in one until the person chooses another ("Use This
 *   Model", Open Model); that one is copied (atomically) to folder/current.model and its
 *   path kept in the settings' "model-file" key, so it is in use after a restart;
 * - a training run may put its models "on trial": they answer, but the model in use
 *   stays what it is until the person chooses;
 * - going back to the built-in model is possible when the model in use is not the
 *   built-in one, or while a trial runs;
 * - a remembered model that cannot be loaded any more is said once (the key is cleared),
 *   and the built-in model is in use.
 * settings may be NULL (nothing is remembered); folder NULL means
 * $XDG_DATA_HOME/digits. "changed" is emitted whenever any of this changes. */
DigitsModelStore  *digits_model_store_new          (GSettings         *settings,
                                                    const char        *folder);

/* Loads the built-in model and the remembered one. FALSE with @error when either could
 * not be loaded; the store is usable all the same (with the built-in model, or none). */
gboolean           digits_model_store_load         (DigitsModelStore  *self,
                                                    GError           **error);

/* The model in use (NULL when none could be loaded) and whether it is the built-in one. */
const DigitsModel *digits_model_store_get_model    (DigitsModelStore  *self);
gboolean           digits_model_store_is_builtin   (DigitsModelStore  *self);

/* Makes a copy of @model the model in use and keeps it. FALSE with @error when it could
 * not be kept for the next start; it is in use for this session all the same. Ends a
 * trial. */
gboolean           digits_model_store_use          (DigitsModelStore  *self,
                                                    const DigitsModel *model,
                                                    GError           **error);
/* Back to the built-in model, now and after a restart (the kept copy is deleted). */
gboolean           digits_model_store_revert       (DigitsModelStore  *self,
                                                    GError           **error);

void               digits_model_store_set_on_trial (DigitsModelStore  *self,
                                                    gboolean           on_trial);
gboolean           digits_model_store_is_on_trial  (DigitsModelStore  *self);
gboolean           digits_model_store_can_revert   (DigitsModelStore  *self);

/* "The built-in model: 98.95% right on MNIST’s test set", "Your own model", … */
char              *digits_model_store_describe     (DigitsModelStore  *self);
/* Where the kept copy goes. */
const char        *digits_model_store_get_path     (DigitsModelStore  *self);

G_END_DECLS

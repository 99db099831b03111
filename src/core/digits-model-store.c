/* digits-model-store.c — the model in use: which one answers, kept across restarts.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "digits-dataset.h"
#include "digits-model-store.h"

#define MODEL_KEY "model-file"

struct _DigitsModelStore
{
  GObject      parent_instance;

  GSettings   *settings;      /* NULL: nothing is remembered */
  char        *path;          /* folder/current.model */
  DigitsModel *model;         /* in use; NULL when none could be loaded */
  gboolean     builtin;
  gboolean     on_trial;
};

G_DEFINE_FINAL_TYPE (DigitsModelStore, digits_model_store, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_changed (DigitsModelStore *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
digits_model_store_finalize (GObject *object)
{
  DigitsModelStore *self = DIGITS_MODEL_STORE (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->model, digits_model_free);
  g_free (self->path);

  G_OBJECT_CLASS (digits_model_store_parent_class)->finalize (object);
}

static void
digits_model_store_class_init (DigitsModelStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = digits_model_store_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
digits_model_store_init (DigitsModelStore *self)
{
  self->builtin = TRUE;
}

DigitsModelStore *
digits_model_store_new (GSettings  *settings,
                        const char *folder)
{
  DigitsModelStore *self = g_object_new (DIGITS_TYPE_MODEL_STORE, NULL);
  g_autofree char *default_folder = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  if (folder == NULL)
    folder = default_folder = g_build_filename (g_get_user_data_dir (), "digits", NULL);

  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->path = g_build_filename (folder, "current.model", NULL);

  return self;
}

/* The core's reason does not say which model: here it is named, once. */
static void
set_builtin_error (GError       **error,
                   const GError  *reason)
{
  g_set_error (error, reason->domain, reason->code,
               _("The built-in model could not be loaded: %s"), reason->message);
}

gboolean
digits_model_store_load (DigitsModelStore  *self,
                         GError           **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *remembered = NULL;
  DigitsModel *model;

  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), FALSE);

  g_clear_pointer (&self->model, digits_model_free);
  self->builtin = TRUE;
  self->model = digits_model_load_builtin (&local);

  if (self->settings != NULL)
    remembered = g_settings_get_string (self->settings, MODEL_KEY);

  if (remembered != NULL && *remembered != '\0')
    {
      g_autoptr (GError) reason = NULL;

      model = digits_model_load (remembered, &reason);
      if (model != NULL)
        {
          g_clear_pointer (&self->model, digits_model_free);
          self->model = model;
          self->builtin = FALSE;
        }
      else
        {
          /* Said once: the next start is quiet. */
          g_autofree char *display = g_filename_display_name (remembered);

          g_settings_set_string (self->settings, MODEL_KEY, "");
          g_clear_error (&local);
          g_set_error (&local, reason->domain, reason->code,
                       _("The model you chose could not be loaded from “%s”: %s. Digits "
                         "uses its built-in model instead."), display, reason->message);
        }
    }
  else if (self->model == NULL)
    {
      g_autoptr (GError) reason = g_steal_pointer (&local);

      set_builtin_error (&local, reason);
    }

  emit_changed (self);

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

const DigitsModel *
digits_model_store_get_model (DigitsModelStore *self)
{
  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), NULL);

  return self->model;
}

gboolean
digits_model_store_is_builtin (DigitsModelStore *self)
{
  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), TRUE);

  return self->builtin;
}

/* Writes the kept copy and remembers it. */
static gboolean
keep (DigitsModelStore  *self,
      GError           **error)
{
  g_autofree char *folder = g_path_get_dirname (self->path);

  if (self->settings == NULL)
    return TRUE;

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (folder);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("the folder %s could not be made: %s"), display,
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (!digits_model_save (self->model, self->path, error))
    return FALSE;

  g_settings_set_string (self->settings, MODEL_KEY, self->path);
  return TRUE;
}

gboolean
digits_model_store_use (DigitsModelStore   *self,
                        const DigitsModel  *model,
                        GError            **error)
{
  g_autoptr (GError) local = NULL;
  gboolean kept;

  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);

  g_clear_pointer (&self->model, digits_model_free);
  self->model = digits_model_copy (model);
  self->builtin = FALSE;
  self->on_trial = FALSE;

  kept = keep (self, &local);
  emit_changed (self);

  if (!kept)
    {
      g_set_error (error, local->domain, local->code,
                   _("The model is in use now, but could not be kept for the next start "
                     "(%s)."), local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
digits_model_store_revert (DigitsModelStore  *self,
                           GError           **error)
{
  g_autoptr (GError) local = NULL;
  DigitsModel *model;

  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), FALSE);

  model = digits_model_load_builtin (&local);
  if (model == NULL)
    {
      set_builtin_error (error, local);
      return FALSE;
    }

  g_clear_pointer (&self->model, digits_model_free);
  self->model = model;
  self->builtin = TRUE;
  self->on_trial = FALSE;
  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, MODEL_KEY, "");
      g_unlink (self->path);
    }

  emit_changed (self);
  return TRUE;
}

void
digits_model_store_set_on_trial (DigitsModelStore *self,
                                 gboolean          on_trial)
{
  g_return_if_fail (DIGITS_IS_MODEL_STORE (self));

  if (self->on_trial == !!on_trial)
    return;

  self->on_trial = !!on_trial;
  emit_changed (self);
}

gboolean
digits_model_store_is_on_trial (DigitsModelStore *self)
{
  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), FALSE);

  return self->on_trial;
}

gboolean
digits_model_store_can_revert (DigitsModelStore *self)
{
  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), FALSE);

  return !self->builtin || self->on_trial;
}

char *
digits_model_store_describe (DigitsModelStore *self)
{
  const char *accuracy, *dataset;
  g_autofree char *where = NULL;
  double value;

  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), NULL);

  if (self->model == NULL)
    return g_strdup (_("None: no model could be loaded"));

  accuracy = digits_model_get_meta (self->model, "test_accuracy");
  dataset = digits_model_get_meta (self->model, "dataset");
  value = accuracy != NULL ? g_ascii_strtod (accuracy, NULL) : NAN;

  if (dataset != NULL && strchr (dataset, G_DIR_SEPARATOR) != NULL)
    where = g_path_get_basename (dataset);
  else if (g_strcmp0 (dataset, "fashion-mnist") == 0)
    where = g_strdup (_("Fashion-MNIST"));
  else
    where = g_strdup (_("MNIST"));

  if (self->builtin)
    return isfinite (value)
           /* TRANSLATORS: "The built-in model: 98.98% right on MNIST's test set" */
           ? g_strdup_printf (_("The built-in model: %.2f%% right on %s’s test set"),
                              value * 100.0, where)
           : g_strdup (_("The built-in model"));

  return isfinite (value)
         /* TRANSLATORS: "Your own model: 97.81% right on MNIST's test set" */
         ? g_strdup_printf (_("Your own model: %.2f%% right on %s’s test set"),
                            value * 100.0, where)
         : g_strdup (_("Your own model"));
}

const char *
digits_model_store_get_path (DigitsModelStore *self)
{
  g_return_val_if_fail (DIGITS_IS_MODEL_STORE (self), NULL);

  return self->path;
}

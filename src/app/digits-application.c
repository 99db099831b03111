/* digits-application.c — the Digits application.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-application.h"
#include "digits-window.h"

struct _DigitsApplication
{
  GtkApplication  parent_instance;

  GSettings      *interface_settings;   /* GNOME's light/dark preference, if any */
};

G_DEFINE_FINAL_TYPE (DigitsApplication, digits_application, GTK_TYPE_APPLICATION)

static DigitsWindow *
get_window (DigitsApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (DIGITS_IS_WINDOW (window))
    return DIGITS_WINDOW (window);

  return digits_window_new (self);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Closing the windows (rather than g_application_quit) lets them save their state. */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *authors[] = { _("The Digits authors"), NULL };
  const char *data[] = {
    _("MNIST database by Yann LeCun, Corinna Cortes and Christopher J.C. Burges "
      "(CC BY-SA 3.0)"),
    NULL
  };
  GtkAboutDialog *dialog;

  dialog = g_object_new (GTK_TYPE_ABOUT_DIALOG,
                         "transient-for", gtk_application_get_active_window (app),
                         "modal", TRUE,
                         "program-name", _("Digits"),
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Draw a digit and watch a neural network "
                                       "recognise it"),
                         "website", "https://github.com/neuraldigits/digits",
                         "copyright", _("© 2024 The Digits authors"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         /* TRANSLATORS: your names, one a line */
                         "translator-credits", _("translator-credits"),
                         NULL);
  gtk_about_dialog_add_credit_section (dialog, _("Training data"), data);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const GActionEntry app_entries[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
};

/* Plain GTK 4.8 does not follow GNOME's dark style preference by itself. */
static void
color_scheme_changed_cb (GSettings         *settings,
                         const char        *key,
                         DigitsApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");
  GtkSettings *gtk_settings = gtk_settings_get_default ();

  if (gtk_settings != NULL)
    g_object_set (gtk_settings,
                  "gtk-application-prefer-dark-theme", g_strcmp0 (scheme, "prefer-dark") == 0,
                  NULL);
}

static void
follow_color_scheme (DigitsApplication *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "color-scheme"))
    return;

  self->interface_settings = g_settings_new_full (schema, NULL, NULL);
  g_signal_connect (self->interface_settings, "changed::color-scheme",
                    G_CALLBACK (color_scheme_changed_cb), self);
  color_scheme_changed_cb (self->interface_settings, "color-scheme", self);
}

static void
digits_application_startup (GApplication *app)
{
  DigitsApplication *self = DIGITS_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr (GtkCssProvider) provider = gtk_css_provider_new ();

  G_APPLICATION_CLASS (digits_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries,
                                   G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  gtk_window_set_default_icon_name (APP_ID);
  follow_color_scheme (self);
}

static void
digits_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (DIGITS_APPLICATION (app))));
}

static void
digits_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  DigitsWindow *window = get_window (DIGITS_APPLICATION (app));

  /* One image is shown at a time: the first one. */
  if (n_files > 0)
    digits_window_open_file (window, files[0]);

  gtk_window_present (GTK_WINDOW (window));
}

static void
digits_application_dispose (GObject *object)
{
  DigitsApplication *self = DIGITS_APPLICATION (object);

  g_clear_object (&self->interface_settings);

  G_OBJECT_CLASS (digits_application_parent_class)->dispose (object);
}

static void
digits_application_class_init (DigitsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = digits_application_dispose;

  app_class->startup = digits_application_startup;
  app_class->activate = digits_application_activate;
  app_class->open = digits_application_open;
}

static void
digits_application_init (DigitsApplication *self)
{
}

DigitsApplication *
digits_application_new (GApplicationFlags flags)
{
  return g_object_new (DIGITS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", RESOURCE_PREFIX,
                       "flags", flags,
                       NULL);
}

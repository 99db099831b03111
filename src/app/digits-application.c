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
  GtkApplication   parent_instance;

  GSettings       *interface_settings;  /* GNOME's light/dark preference, if any */
  GDBusConnection *portal_bus;
  GCancellable    *portal_cancellable;
  guint            portal_subscription;
  gboolean         portal_answered;     /* the portal's preference wins over GNOME's */
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

/* ---- light and dark style ----
 *
 * Plain GTK 4.8 does not follow the desktop's light or dark preference by itself. The
 * settings portal says what the desktop wants, on GNOME and elsewhere; without a portal
 * GNOME's own setting is read. Without either, GTK's default (light) stays.
 */

#define PORTAL_BUS_NAME    "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_SETTINGS    "org.freedesktop.portal.Settings"
#define APPEARANCE         "org.freedesktop.appearance"

enum {
  PORTAL_NO_PREFERENCE,
  PORTAL_PREFER_DARK,
  PORTAL_PREFER_LIGHT,
};

static void
set_prefer_dark (gboolean prefer_dark)
{
  GtkSettings *gtk_settings = gtk_settings_get_default ();

  if (gtk_settings != NULL)
    g_object_set (gtk_settings, "gtk-application-prefer-dark-theme", prefer_dark, NULL);
}

static void
color_scheme_changed_cb (GSettings         *settings,
                         const char        *key,
                         DigitsApplication *self)
{
  g_autofree char *scheme = NULL;

  if (self->portal_answered)
    return;

  scheme = g_settings_get_string (settings, "color-scheme");
  set_prefer_dark (g_strcmp0 (scheme, "prefer-dark") == 0);
}

static void
follow_gnome_color_scheme (DigitsApplication *self)
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

/* Takes the portal's value, which older portals wrap in one more variant. */
static void
apply_portal_color_scheme (DigitsApplication *self,
                           GVariant          *value)
{
  g_autoptr (GVariant) inner = g_variant_ref (value);

  while (g_variant_is_of_type (inner, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *unwrapped = g_variant_get_variant (inner);

      g_variant_unref (inner);
      inner = unwrapped;
    }

  if (!g_variant_is_of_type (inner, G_VARIANT_TYPE_UINT32))
    return;

  self->portal_answered = TRUE;
  set_prefer_dark (g_variant_get_uint32 (inner) == PORTAL_PREFER_DARK);
}

static void
portal_setting_changed_cb (GDBusConnection *connection,
                           const char      *sender_name,
                           const char      *object_path,
                           const char      *interface_name,
                           const char      *signal_name,
                           GVariant        *parameters,
                           gpointer         user_data)
{
  DigitsApplication *self = DIGITS_APPLICATION (user_data);
  const char *namespace;
  const char *key;
  g_autoptr (GVariant) value = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssv)")))
    return;

  g_variant_get (parameters, "(&s&sv)", &namespace, &key, &value);
  if (g_strcmp0 (namespace, APPEARANCE) == 0 && g_strcmp0 (key, "color-scheme") == 0)
    apply_portal_color_scheme (self, value);
}

static void
portal_read_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (DigitsApplication) self = user_data;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      /* No portal, or one without the setting: GNOME's setting, if any, stays in charge. */
      g_debug ("No color scheme from the settings portal: %s", error->message);
      return;
    }

  g_variant_get (reply, "(v)", &value);
  apply_portal_color_scheme (self, value);
}

static void
follow_color_scheme (DigitsApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));

  /* Right away, so that a GNOME desktop's dark style shows from the first frame; the
   * portal's answer, when it comes, takes over. */
  follow_gnome_color_scheme (self);

  /* No session bus (as in the tests): nothing to ask. */
  if (bus == NULL)
    return;

  self->portal_bus = g_object_ref (bus);
  self->portal_cancellable = g_cancellable_new ();
  self->portal_subscription =
    g_dbus_connection_signal_subscribe (bus, PORTAL_BUS_NAME, PORTAL_SETTINGS,
                                        "SettingChanged", PORTAL_OBJECT_PATH, APPEARANCE,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        portal_setting_changed_cb, self, NULL);
  g_dbus_connection_call (bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, PORTAL_SETTINGS, "Read",
                          g_variant_new ("(ss)", APPEARANCE, "color-scheme"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->portal_cancellable, portal_read_done_cb,
                          g_object_ref (self));
}

static void
stop_following_color_scheme (DigitsApplication *self)
{
  g_cancellable_cancel (self->portal_cancellable);
  g_clear_object (&self->portal_cancellable);
  if (self->portal_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->portal_bus, self->portal_subscription);
  self->portal_subscription = 0;
  g_clear_object (&self->portal_bus);
  g_clear_object (&self->interface_settings);
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

  stop_following_color_scheme (self);

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

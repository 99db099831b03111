/* digits-application.c — the Digits application.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "digits-about.h"
#include "digits-application.h"
#include "digits-window.h"

struct _DigitsApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (DigitsApplication, digits_application, ADW_TYPE_APPLICATION)

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
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (digits_about_window_new (parent)));
}

static const GActionEntry app_entries[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
};

/* Light, dark and high contrast follow the desktop through AdwStyleManager (the settings
 * portal, or GNOME's own setting without one); AdwApplication loads style.css. */
static void
digits_application_startup (GApplication *app)
{
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (digits_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries,
                                   G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  gtk_window_set_default_icon_name (APP_ID);
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
digits_application_class_init (DigitsApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

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

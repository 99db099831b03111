/* main.c — starts Digits.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "digits-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (DigitsApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* DIGITS_LOCALEDIR lets the tests use translations that are built but not installed. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("DIGITS_LOCALEDIR") != NULL
                                     ? g_getenv ("DIGITS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Digits"));

  app = digits_application_new (G_APPLICATION_HANDLES_OPEN);

  return g_application_run (G_APPLICATION (app), argc, argv);
}

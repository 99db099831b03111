/* digits-about.c — the About window, filled from the app's metainfo.
 *
 * libadwaita 1.2 has no adw_about_window_new_from_appdata (1.5), so the few fields it
 * needs are read here with GMarkup: what the software centre shows is what About shows.
 * Texts go through gettext, so that the translations of the metainfo count here too.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "digits-about.h"

#define METAINFO_RESOURCE RESOURCE_PREFIX "/metainfo.xml"

typedef struct
{
  GPtrArray *path;           /* element names from the root */
  GString   *text;           /* of the element being read */
  gboolean   skip;           /* inside an element for another language */
  char      *summary;
  char      *developer;
  char      *license;
  char      *homepage;
  char      *bugtracker;
  char      *release;        /* the first (newest) release's version */
  GString   *notes;          /* its description, as AdwAboutWindow's markup */
  gboolean   in_notes;
  guint      n_releases;
  char      *url_type;
} Metainfo;

static gboolean
path_is (Metainfo   *info,
         const char *last,
         const char *parent)
{
  guint n = info->path->len;

  return n >= 2 && g_str_equal (g_ptr_array_index (info->path, n - 1), last) &&
         g_str_equal (g_ptr_array_index (info->path, n - 2), parent);
}

/* "  Some\n   words " → "Some words", translated as msgfmt extracted it. */
static char *
collapse_and_translate (const char *text)
{
  g_auto (GStrv) words = g_strsplit_set (text, " \t\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_string_append_printf (out, out->len > 0 ? " %s" : "%s", words[i]);

  return g_strdup (g_dgettext (GETTEXT_PACKAGE, out->str));
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  Metainfo *info = user_data;

  g_ptr_array_add (info->path, g_strdup (element));
  g_string_truncate (info->text, 0);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], "xml:lang"))
      info->skip = TRUE;

  if (g_str_equal (element, "url"))
    {
      g_free (info->url_type);
      info->url_type = NULL;
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "type"))
          info->url_type = g_strdup (values[i]);
    }
  else if (path_is (info, "release", "releases"))
    {
      if (info->n_releases++ == 0)
        for (guint i = 0; names[i] != NULL; i++)
          if (g_str_equal (names[i], "version"))
            info->release = g_strdup (values[i]);
    }
  else if (path_is (info, "description", "release"))
    {
      info->in_notes = info->n_releases == 1;
    }
  else if (info->in_notes && !info->skip &&
           (g_str_equal (element, "ul") || g_str_equal (element, "ol")))
    {
      g_string_append_printf (info->notes, "<%s>", element);
    }
}

static void
take_text (Metainfo    *info,
           char       **field)
{
  if (*field == NULL)
    *field = collapse_and_translate (info->text->str);
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  Metainfo *info = user_data;

  if (!info->skip)
    {
      if (path_is (info, "summary", "component"))
        take_text (info, &info->summary);
      else if (path_is (info, "developer_name", "component"))
        take_text (info, &info->developer);
      else if (path_is (info, "project_license", "component"))
        take_text (info, &info->license);
      else if (path_is (info, "url", "component") && g_strcmp0 (info->url_type, "homepage") == 0)
        take_text (info, &info->homepage);
      else if (path_is (info, "url", "component") && g_strcmp0 (info->url_type, "bugtracker") == 0)
        take_text (info, &info->bugtracker);
      else if (info->in_notes && (g_str_equal (element, "p") || g_str_equal (element, "li")))
        {
          g_autofree char *text = collapse_and_translate (info->text->str);
          g_autofree char *escaped = g_markup_escape_text (text, -1);

          g_string_append_printf (info->notes, "<%s>%s</%s>", element, escaped, element);
        }
      else if (info->in_notes && (g_str_equal (element, "ul") || g_str_equal (element, "ol")))
        g_string_append_printf (info->notes, "</%s>", element);
      else if (path_is (info, "description", "release"))
        info->in_notes = FALSE;
    }

  if (info->skip)
    {
      /* The element with xml:lang ends here: its language was another one. */
      info->skip = FALSE;
    }

  g_string_truncate (info->text, 0);
  g_ptr_array_remove_index (info->path, info->path->len - 1);
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  Metainfo *info = user_data;

  g_string_append_len (info->text, text, length);
}

static void
metainfo_clear (Metainfo *info)
{
  g_clear_pointer (&info->path, g_ptr_array_unref);
  g_string_free (info->text, TRUE);
  g_string_free (info->notes, TRUE);
  g_free (info->summary);
  g_free (info->developer);
  g_free (info->license);
  g_free (info->homepage);
  g_free (info->bugtracker);
  g_free (info->release);
  g_free (info->url_type);
}

static gboolean
read_metainfo (Metainfo  *info,
               GError   **error)
{
  static const GMarkupParser parser = { start_element_cb, end_element_cb, text_cb, NULL, NULL };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMarkupParseContext) context = NULL;
  gsize size;
  const char *data;

  bytes = g_resources_lookup_data (METAINFO_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, info, NULL);
  return g_markup_parse_context_parse (context, data, size, error) &&
         g_markup_parse_context_end_parse (context, error);
}

GtkWidget *
digits_about_window_new (GtkWindow *parent)
{
  const char *developers[] = { _("The Digits authors"), NULL };
  const char *data[] = {
    _("MNIST database by Yann LeCun, Corinna Cortes and Christopher J.C. Burges "
      "(CC BY-SA 3.0)"),
    NULL
  };
  Metainfo info = { 0, };
  g_autoptr (GError) error = NULL;
  AdwAboutWindow *about;

  info.path = g_ptr_array_new_with_free_func (g_free);
  info.text = g_string_new (NULL);
  info.notes = g_string_new (NULL);
  if (!read_metainfo (&info, &error))
    g_warning ("The metainfo could not be read: %s", error->message);

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);

  adw_about_window_set_application_name (about, _("Digits"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developers (about, developers);
  /* TRANSLATORS: your names, one a line */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  adw_about_window_set_copyright (about, _("© 2024 The Digits authors"));
  adw_about_window_add_credit_section (about, _("Training data"), data);

  if (info.summary != NULL)
    adw_about_window_set_comments (about, info.summary);
  if (info.developer != NULL)
    adw_about_window_set_developer_name (about, info.developer);
  if (g_strcmp0 (info.license, "GPL-3.0-or-later") == 0)
    adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  if (info.homepage != NULL)
    adw_about_window_set_website (about, info.homepage);
  if (info.bugtracker != NULL)
    adw_about_window_set_issue_url (about, info.bugtracker);
  if (info.release != NULL && info.notes->len > 0)
    {
      adw_about_window_set_release_notes_version (about, info.release);
      adw_about_window_set_release_notes (about, info.notes->str);
    }

  metainfo_clear (&info);
  return GTK_WIDGET (about);
}

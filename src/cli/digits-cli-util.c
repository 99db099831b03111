/* digits-cli-util.c — what every digits-cli command shares: one-line errors, option
 * parsing, JSON output in any locale, the model and the MNIST folder to use. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "digits-cli.h"

int
digits_cli_fail (const char *command, const char *message)
{
  g_printerr ("digits-cli %s: %s\n", command, message);
  return 1;
}

gboolean
digits_cli_parse_options (GOptionContext *context, int *argc, char ***argv,
                          const char *command)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr (_("digits-cli %s: %s (see digits-cli %s --help)\n"),
                  command, error->message, command);
      return FALSE;
    }
  return TRUE;
}

void
digits_cli_append_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* JSON has no NaN (what is not known is null), and a German locale's printf would write
 * 0,5: g_ascii_formatd writes a point whatever the locale. */
void
digits_cli_append_json_number (GString *out, double v, const char *format)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, v));
}

void
digits_cli_append_json_member (GString *out, const char *key, double v, const char *format)
{
  g_string_append_printf (out, ",\"%s\":", key);
  digits_cli_append_json_number (out, v, format);
}

void
digits_cli_append_json_floats (GString *out, const float *v, int n, const char *format)
{
  g_string_append_c (out, '[');
  for (int i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      digits_cli_append_json_number (out, v[i], format);
    }
  g_string_append_c (out, ']');
}

/* The core says what is wrong with a file and never names it: each message here names it
 * once, as it was typed. */
char *
digits_cli_file_message (const char *path, const char *reason)
{
  g_autofree char *display = g_filename_display_name (path);

  return g_strdup_printf (_("could not read “%s”: %s"), display, reason);
}

void
digits_cli_report_file_error (const char *command, const char *path, const GError *error,
                              gboolean json)
{
  g_autofree char *display = g_filename_display_name (path);

  if (json)
    {
      /* The file is in "file": "error" says only what is wrong with it. */
      g_autoptr(GString) s = g_string_new ("{\"file\":");

      digits_cli_append_json_string (s, display);
      g_string_append (s, ",\"digits\":\"\",\"error\":");
      digits_cli_append_json_string (s, error->message);
      g_string_append (s, "}\n");
      fputs (s->str, stdout);
    }
  else
    {
      g_autofree char *message = digits_cli_file_message (path, error->message);

      digits_cli_fail (command, message);
    }
}

DigitsModel *
digits_cli_load_model (const char *path, GError **error)
{
  g_autoptr(GError) reason = NULL;
  DigitsModel *model;

  model = path != NULL ? digits_model_load (path, &reason)
                       : digits_model_load_builtin (&reason);
  if (model != NULL)
    return model;

  if (path != NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, reason->domain, reason->code,
                   _("could not open the model “%s”: %s"), display, reason->message);
    }
  else
    g_set_error (error, reason->domain, reason->code,
                 _("the built-in model could not be loaded: %s"), reason->message);
  return NULL;
}

/* --validation: the last 5,000 training digits stand in for the test set and are not
 * trained on, so settings are chosen without looking at the test set. */
static gboolean
hold_out_validation (DigitsDataset **train, DigitsDataset **test, GError **error)
{
  const guint held = 5000;
  DigitsDataset *rest;

  if ((*train)->n <= held)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("--validation needs more than 5,000 training digits"));
      return FALSE;
    }
  *test = digits_dataset_slice (*train, (*train)->n - held, held);
  rest = digits_dataset_slice (*train, 0, (*train)->n - held);
  digits_dataset_free (*train);
  *train = rest;
  return TRUE;
}

gboolean
digits_cli_load_mnist (const char *data_dir, gboolean validation, DigitsDataset **train,
                       DigitsDataset **test, GError **error)
{
  g_autofree char *dir = data_dir != NULL ? g_strdup (data_dir) : digits_dataset_find_mnist ();

  g_return_val_if_fail (!validation || (train != NULL && test != NULL), FALSE);

  if (dir == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                           _("No MNIST folder given: pass --data DIR or set DIGITS_MNIST_DIR "
                             "(looked in $DIGITS_MNIST_DIR, $XDG_DATA_HOME/digits/mnist and "
                             "/usr/share/datasets/mnist)"));
      return FALSE;
    }
  if (!digits_dataset_load_mnist_dir (dir, train, validation ? NULL : test, error))
    return FALSE;
  return !validation || hold_out_validation (train, test, error);
}

/* digits-cli.c — Digits without a display: the commands dispatched; eval, classify and
 * info (train, bench, explain, tune: digits-cli-*.c). */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "digits-cli.h"
#include "digits-dataset.h"
#include "digits-evaluation.h"
#include "digits-model.h"
#include "digits-preprocess.h"
#include "digits-trainer.h"


typedef int (*CommandFunc) (int argc, char **argv);

typedef struct {
  const char *name;
  CommandFunc run;
  const char *summary;
} Command;

/* ---- eval ---- */

static void
print_evaluation_json (DigitsEvaluation *evaluation, guint n, int k, double ms)
{
  const guint *confusion = digits_evaluation_get_confusion (evaluation);
  g_autoptr(GString) s = g_string_new ("{\"accuracy\":");

  digits_cli_append_json_number (s, digits_evaluation_get_accuracy (evaluation), "%.6f");
  g_string_append_printf (s, ",\"count\":%u,\"correct\":%u", n,
                          digits_evaluation_get_correct (evaluation));
  digits_cli_append_json_member (s, "milliseconds", ms, "%.3f");
  g_string_append (s, ",\"confusion\":[");
  for (int t = 0; t < k; t++)
    {
      g_string_append (s, t ? ",[" : "[");
      for (int p = 0; p < k; p++)
        g_string_append_printf (s, p ? ",%u" : "%u", confusion[t * k + p]);
      g_string_append_c (s, ']');
    }
  g_string_append (s, "],");
  digits_cli_append_mistakes (s, evaluation);
  g_string_append (s, "}\n");
  fputs (s->str, stdout);
}

static void
print_evaluation_text (const DigitsModel *model, DigitsEvaluation *evaluation, guint n,
                       int k, double ms)
{
  const guint *confusion = digits_evaluation_get_confusion (evaluation);

  printf (_("Accuracy %.2f%% (%u of %u correct) in %.1f ms\n\n"),
          100.0 * digits_evaluation_get_accuracy (evaluation),
          digits_evaluation_get_correct (evaluation), n, ms);
  printf (_("Confusion matrix (rows: true class, columns: predicted)\n"));
  printf ("      ");
  for (int p = 0; p < k; p++)
    printf ("%6d", p);
  printf (_("   class accuracy\n"));
  for (int t = 0; t < k; t++)
    {
      guint row = 0;
      printf ("%6d", t);
      for (int p = 0; p < k; p++)
        {
          printf ("%6u", confusion[t * k + p]);
          row += confusion[t * k + p];
        }
      printf ("   %6.2f%%", row ? 100.0 * confusion[t * k + t] / row : 0.0);
      /* Digits name themselves; Fashion-MNIST's classes need their names. */
      if (model->labels != DIGITS_LABELS_DIGITS)
        printf ("  %s", digits_model_class_name (model, t));
      printf ("\n");
    }
}

static int
command_eval (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *data_dir = NULL;
  gboolean json = FALSE, on_train = FALSE;

  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Model file (default: the built-in model)"), N_("FILE") },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Folder with the MNIST files (default: $DIGITS_MNIST_DIR)"), N_("DIR") },
    { "train-set", 0, 0, G_OPTION_ARG_NONE, &on_train,
      N_("Evaluate on the 60,000 training digits instead of the test set"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Measure a model's accuracy on the MNIST test set, with a "
                                  "confusion matrix."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "eval"))
    return 2;
  if (argc > 1)
    return digits_cli_fail ("eval", _("unexpected argument; see digits-cli eval --help"));

  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_cli_load_model (model_path, &error);
  if (model == NULL)
    return digits_cli_fail ("eval", error->message);

  g_autoptr(DigitsDataset) set = NULL;
  if (!digits_cli_load_mnist (data_dir, FALSE, on_train ? &set : NULL, on_train ? NULL : &set,
                              &error))
    return digits_cli_fail ("eval", error->message);

  const int k = model->net->sizes[model->net->n_layers];
  if ((guint) k != set->n_classes || model->net->sizes[0] != (int) (set->rows * set->cols))
    return digits_cli_fail ("eval", _("the model does not fit this data set (different input "
                                      "size or number of classes)"));

  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(DigitsEvaluation) evaluation = digits_evaluation_run (model, set, NULL, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (evaluation == NULL)
    return digits_cli_fail ("eval", error->message);
  if (json)
    print_evaluation_json (evaluation, set->n, k, ms);
  else
    print_evaluation_text (model, evaluation, set->n, k, ms);
  return 0;
}

/* ---- classify ---- */

/* Two characters a pixel keep the picture square in a terminal. */
void
digits_cli_append_input_picture (GString *out, const float *input)
{
  static const char *const shades[] = { "  ", "░░", "▒▒", "▓▓", "██" };

  for (int y = 0; y < DIGITS_SIDE; y++)
    {
      g_string_append (out, "    ");
      for (int x = 0; x < DIGITS_SIDE; x++)
        {
          float v = CLAMP (input[y * DIGITS_SIDE + x], 0.0f, 1.0f);
          g_string_append (out, shades[(int) lroundf (v * 4.0f)]);
        }
      g_string_append_c (out, '\n');
    }
}

/* One digit of an image: its class onto digits, a line (and picture) onto detail, and its
 * probabilities onto json_probs (an array of them). */
static void
classify_glyph (const DigitsModel *model, const DigitsGlyph *glyph, gboolean show,
                float *probs, GString *digits, GString *detail, GString *json_probs)
{
  const int k = model->net->sizes[model->net->n_layers];
  int best;

  digits_model_classify (model, glyph->input, probs);
  best = nn_argmax (probs, k);
  g_string_append (digits, digits_model_class_name (model, best));

  g_string_append_printf (detail, "  %s %5.1f%%  [", digits_model_class_name (model, best),
                          100.0 * probs[best]);
  if (json_probs->len > 1)
    g_string_append_c (json_probs, ',');
  digits_cli_append_json_floats (json_probs, probs, k, "%.6f");
  for (int c = 0; c < k; c++)
    g_string_append_printf (detail, c ? " %.3f" : "%.3f", probs[c]);
  g_string_append (detail, "]  ");
  /* TRANSLATORS: where a digit is in the image: left,top width×height */
  g_string_append_printf (detail, _("at %d,%d %d×%d\n"),
                          glyph->x, glyph->y, glyph->width, glyph->height);
  if (show)
    digits_cli_append_input_picture (detail, glyph->input);
}

static int
command_classify (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  gboolean json = FALSE, show = FALSE, raw = FALSE;
  int failures = 0;

  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Model file (default: the built-in model)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON object per image"), NULL },
    { "show", 0, 0, G_OPTION_ARG_NONE, &show,
      N_("Draw each 28×28 input the network sees, in text"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw,
      N_("Each image is already the 28×28 input (white ink on black), used as is"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (_("IMAGE…"));
  g_option_context_set_summary (context,
                                _("Read the digits in image files (PNG, JPEG, …), left to "
                                  "right. Dark ink on light paper and light on dark both "
                                  "work."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "classify"))
    return 2;
  if (argc < 2)
    return digits_cli_fail ("classify", _("no image given; see digits-cli classify --help"));

  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_cli_load_model (model_path, &error);
  if (model == NULL)
    return digits_cli_fail ("classify", error->message);
  if (raw)
    return digits_cli_classify_raw (model, json, show, argc, argv);

  const int k = model->net->sizes[model->net->n_layers];
  g_autofree float *probs = g_new (float, k);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) image_error = NULL;
      g_autoptr(GArray) glyphs = digits_glyphs_from_file (argv[i], &image_error);
      g_autoptr(GString) digits = g_string_new (NULL);
      g_autoptr(GString) s = g_string_new (NULL);
      g_autofree char *display = g_filename_display_name (argv[i]);

      if (glyphs == NULL)
        {
          failures++;
          digits_cli_report_file_error ("classify", argv[i], image_error, json);
          continue;
        }

      g_autoptr(GString) detail = g_string_new (NULL);
      g_autoptr(GString) json_probs = g_string_new ("[");
      for (guint g = 0; g < glyphs->len; g++)
        classify_glyph (model, &g_array_index (glyphs, DigitsGlyph, g), show, probs,
                        digits, detail, json_probs);
      g_string_append_c (json_probs, ']');

      if (json)
        {
          g_string_append (s, "{\"file\":");
          digits_cli_append_json_string (s, display);
          g_string_append (s, ",\"digits\":");
          digits_cli_append_json_string (s, digits->str);
          g_string_append (s, ",\"probabilities\":");
          g_string_append (s, json_probs->str);
          g_string_append (s, "}\n");
          fputs (s->str, stdout);
        }
      else
        printf ("%s: %s\n%s", display, digits->str, detail->str);
    }

  return failures ? 1 : 0;
}

/* ---- info ---- */

static gint
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The metadata's keys, sorted so the same model always prints the same way. */
static gpointer *
sorted_meta_keys (const DigitsModel *model, guint *n)
{
  gpointer *keys = g_hash_table_get_keys_as_array (model->metadata, n);

  g_qsort_with_data (keys, (gint) *n, sizeof (gpointer), compare_keys, NULL);
  return keys;
}

static void
print_info_json (const DigitsModel *model)
{
  g_autoptr(GString) s = g_string_new ("{\"net\":");
  char spec[NN_SPEC_MAX];

  nn_net_spec (model->net, spec, sizeof spec);
  digits_cli_append_json_string (s, spec);
  g_string_append_printf (s, ",\"parameters\":%zu,\"labels\":", model->net->n_params);
  digits_cli_append_json_string (s, model->labels == DIGITS_LABELS_FASHION ? "fashion"
                                                                            : "digits");
  g_string_append (s, ",\"metadata\":{");
  if (model->metadata != NULL)
    {
      guint n = 0;
      g_autofree gpointer *keys = sorted_meta_keys (model, &n);

      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_c (s, ',');
          digits_cli_append_json_string (s, keys[i]);
          g_string_append_c (s, ':');
          digits_cli_append_json_string (s, g_hash_table_lookup (model->metadata, keys[i]));
        }
    }
  g_string_append (s, "}}\n");
  fputs (s->str, stdout);
}

static void
print_info_text (const DigitsModel *model, const char *model_path)
{
  g_autoptr(GString) arch = g_string_new (NULL);
  char spec[NN_SPEC_MAX];

  nn_net_spec (model->net, spec, sizeof spec);
  for (int i = 0; i < model->net->n_layers; i++)
    {
      const NnLayer *l = &model->net->layers[i];

      if (i == 0)
        g_string_append_printf (arch, "%d×%d×%d", model->net->in_c, model->net->in_h,
                                model->net->in_w);
      if (l->kind == NN_LAYER_DENSE)
        g_string_append_printf (arch, " → %d", l->out_c);
      else
        g_string_append_printf (arch, " → %d×%d×%d", l->out_c, l->out_h, l->out_w);
    }
  printf (_("Model %s\n"), model_path ? model_path : _("(built in)"));
  printf (_("  net            %s\n"), spec[0] ? spec : _("(no hidden layer)"));
  printf (_("  shapes         %s (ReLU, softmax)\n"), arch->str);
  printf (_("  parameters     %zu\n"), model->net->n_params);
  printf (_("  labels         %s\n"),
          model->labels == DIGITS_LABELS_FASHION ? "Fashion-MNIST" : _("digits 0–9"));
  if (model->metadata != NULL)
    {
      guint n = 0;
      g_autofree gpointer *keys = sorted_meta_keys (model, &n);

      for (guint i = 0; i < n; i++)
        printf ("  %-14s %s\n", (const char *) keys[i],
                (const char *) g_hash_table_lookup (model->metadata, keys[i]));
    }
}

static int
command_info (int argc, char **argv)
{
  g_autofree char *model_path = NULL;
  gboolean json = FALSE;

  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Model file (default: the built-in model)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Show a model's architecture and how it was made."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "info"))
    return 2;
  if (argc > 1)
    return digits_cli_fail ("info", _("unexpected argument; see digits-cli info --help"));

  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_cli_load_model (model_path, &error);
  if (model == NULL)
    return digits_cli_fail ("info", error->message);

  if (json)
    print_info_json (model);
  else
    print_info_text (model, model_path);
  return 0;
}

static const Command commands[] = {
  { "train", digits_cli_train, N_("Train a network on MNIST") },
  { "eval", command_eval, N_("Accuracy and confusion matrix on the test set") },
  { "classify", command_classify, N_("Read the digits in image files") },
  { "info", command_info, N_("Show a model's architecture and metadata") },
  { "bench", digits_cli_bench, N_("Measure training and inference speed") },
  { "explain", digits_cli_explain, N_("Show which pixels made each answer (saliency)") },
  { "mistakes", digits_cli_mistakes, N_("Draw the misread test digits on one sheet") },
  { "tune", digits_cli_tune, N_("Teach a model your handwriting from a folder of digits") },
};

static void
print_usage (FILE *to)
{
  fprintf (to, _("Usage: digits-cli COMMAND [OPTION…]\n\n"
                 "Digits reads handwritten digits with a neural network written from "
                 "scratch.\n\nCommands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (to, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (to, _("\nRun digits-cli COMMAND --help for a command's options.\n"
                 "MNIST is found through --data DIR or $DIGITS_MNIST_DIR.\n"));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* DIGITS_LOCALEDIR lets the tests use translations that are built but not installed. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("DIGITS_LOCALEDIR") != NULL
                                     ? g_getenv ("DIGITS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("digits-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("digits-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        /* Each command parses its own options with the command name as argv[0]. */
        g_autofree char *prgname = g_strdup_printf ("digits-cli %s", commands[i].name);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }

  g_printerr (_("digits-cli: unknown command “%s”; run digits-cli --help\n"), argv[1]);
  return 2;
}

/* digits-cli.c — Digits without a display: train, evaluate, classify, benchmark. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static gboolean
parse_hidden (const char *text, DigitsTrainConfig *config, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint n = g_strv_length (parts);

  if (g_strcmp0 (text, "") == 0 || g_strcmp0 (text, "none") == 0)
    {
      config->n_hidden = 0;
      return TRUE;
    }
  if (n > NN_MAX_LAYERS - 1)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                   _("--hidden takes at most %d layer sizes"), NN_MAX_LAYERS - 1);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, NN_MAX_WIDTH, &v, NULL))
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                       _("--hidden: “%s” is not a layer size from 1 to %d "
                         "(write sizes like 128,128)"), parts[i], NN_MAX_WIDTH);
          return FALSE;
        }
      config->hidden[i] = (int) v;
    }
  config->n_hidden = (int) n;
  return TRUE;
}

/* ---- train ---- */

typedef struct {
  gboolean json;
  gboolean tty;
} TrainOutput;

static void
train_progress_cb (const DigitsTrainProgress *p, gpointer user_data)
{
  const TrainOutput *out = user_data;

  if (p->event == DIGITS_TRAIN_STEP)
    {
      if (out->tty)
        {
          guint64 steps = MAX (p->steps_per_epoch, 1);
          double done = 100.0 * (double) (p->step % steps) / steps;
          g_autofree char *line = NULL;

          /* TRANSLATORS: train's progress line, rewritten in place while an epoch runs */
          line = g_strdup_printf (_("epoch %u/%u  %3.0f%%  loss %.4f  accuracy %.2f%%  "
                                    "%.0f samples/s"),
                                  p->epoch, p->epochs, done, p->loss,
                                  100.0 * p->train_accuracy, p->samples_per_second);
          g_printerr ("\r  %s   ", line);
        }
      return;
    }

  if (out->tty)
    g_printerr ("\r%*s\r", 78, "");

  if (out->json)
    {
      g_autoptr(GString) s = g_string_new ("{\"epoch\":");
      g_string_append_printf (s, "%u,\"loss\":", p->epoch);
      digits_cli_append_json_number (s, p->loss, "%.6f");
      g_string_append (s, ",\"train_accuracy\":");
      digits_cli_append_json_number (s, p->train_accuracy, "%.6f");
      g_string_append (s, ",\"test_accuracy\":");
      digits_cli_append_json_number (s, p->test_accuracy, "%.6f");
      g_string_append (s, ",\"seconds\":");
      digits_cli_append_json_number (s, p->epoch_seconds, "%.4f");
      g_string_append (s, "}\n");
      fputs (s->str, stdout);
    }
  else
    {
      g_autofree char *test = isnan (p->test_accuracy)
        ? g_strdup ("–")
        : g_strdup_printf ("%.2f%%", 100.0 * p->test_accuracy);
      printf (_("epoch %2u/%u  loss %.4f  train %.2f%%  test %s  %.2f s\n"),
              p->epoch, p->epochs, p->loss, 100.0 * p->train_accuracy, test,
              p->epoch_seconds);
    }
  fflush (stdout);
}

static int
command_train (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *optimizer = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *net_spec = NULL;
  g_autofree char *out_path = NULL;
  gint epochs = -1, batch = -1, threads = 0, limit = 0;
  double lr = NAN, decay = NAN, momentum = NAN, l2 = NAN;
  gint64 seed = -1;
  gboolean json = FALSE, no_augment = FALSE, augment = FALSE, validation = FALSE;
  gboolean fashion = FALSE;
  DigitsTrainConfig config;

  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Folder with the four MNIST files (default: $DIGITS_MNIST_DIR)"), N_("DIR") },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, N_("Passes over the training set"), "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, N_("Samples per step"), "N" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer,
      N_("sgd, momentum or adam"), N_("NAME") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Learning rate"), "F" },
    { "decay", 0, 0, G_OPTION_ARG_DOUBLE, &decay,
      N_("Learning-rate decay: lr / (1 + decay × step)"), "F" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &momentum, N_("Momentum (momentum optimizer)"), "F" },
    { "l2", 0, 0, G_OPTION_ARG_DOUBLE, &l2, N_("L2 weight decay"), "F" },
    { "net", 0, 0, G_OPTION_ARG_STRING, &net_spec,
      N_("The network: layers like conv5x32,pool2,conv5x64,pool2,dense128 (conv<K>x<N> "
         "'same', conv<K>x<N>v 'valid', pool<S>, dense<N>), or mlp (dense128,dense128, "
         "the default) or cnn (the built-in model's)"), N_("SPEC") },
    { "hidden", 0, 0, G_OPTION_ARG_STRING, &hidden,
      N_("Hidden dense layer sizes, short for --net denseN,denseN (default 128,128)"),
      N_("N,N") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed"), "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), "N" },
    { "augment", 0, 0, G_OPTION_ARG_NONE, &augment,
      N_("Distort training digits at random (default)"), NULL },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &no_augment,
      N_("Train on the digits as they are"), NULL },
    { "validation", 0, 0, G_OPTION_ARG_NONE, &validation,
      N_("Hold out the last 5,000 training digits and report accuracy on them "
         "instead of the test set (for choosing settings)"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      N_("Train on the first N digits only"), "N" },
    { "fashion", 0, 0, G_OPTION_ARG_NONE, &fashion,
      N_("The data are Fashion-MNIST (clothing names as labels)"), NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, N_("Save the model to FILE"),
      N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON object per epoch"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Train a network on MNIST and report each epoch."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, &argc, &argv, "train"))
    return 2;
  if (argc > 1)
    return digits_cli_fail ("train", _("unexpected argument; see digits-cli train --help"));

  digits_train_config_defaults (&config);
  if (optimizer != NULL)
    {
      NnOptKind kind;
      if (nn_opt_kind_from_string (optimizer, &kind) != 0)
        return digits_cli_fail ("train", _("--optimizer takes sgd, momentum or adam"));
      if (kind != config.opt.kind)
        nn_opt_config_defaults (&config.opt, kind);
    }
  if (epochs != -1)
    {
      if (epochs < 1 || epochs > 100000)
        return digits_cli_fail ("train", _("--epochs takes a whole number from 1 to 100000"));
      config.epochs = (guint) epochs;
    }
  if (batch != -1)
    {
      if (batch < 1 || batch > 4096)
        return digits_cli_fail ("train", _("--batch takes a whole number from 1 to 4096"));
      config.batch = (guint) batch;
    }
  if (!isnan (lr))
    {
      if (!(lr > 0 && lr < 100))
        return digits_cli_fail ("train", _("--lr takes a positive number below 100"));
      config.opt.lr = (float) lr;
    }
  if (!isnan (decay))
    {
      if (!(decay >= 0))
        return digits_cli_fail ("train", _("--decay takes a number ≥ 0"));
      config.opt.decay = (float) decay;
    }
  if (!isnan (momentum))
    {
      if (!(momentum >= 0 && momentum < 1))
        return digits_cli_fail ("train", _("--momentum takes a number from 0 to below 1"));
      config.opt.momentum = (float) momentum;
    }
  if (!isnan (l2))
    {
      if (!(l2 >= 0))
        return digits_cli_fail ("train", _("--l2 takes a number ≥ 0"));
      config.opt.l2 = (float) l2;
    }
  if (seed != -1)
    {
      if (seed < 0)
        return digits_cli_fail ("train", _("--seed takes a number ≥ 0"));
      config.seed = (guint64) seed;
    }
  if (threads < 0 || threads > 256)
    return digits_cli_fail ("train", _("--threads takes a number from 1 to 256"));
  config.threads = (guint) threads;
  if (augment && no_augment)
    return digits_cli_fail ("train", _("--augment and --no-augment contradict each other"));
  if (no_augment)
    config.augment = FALSE;
  if (fashion)
    config.labels = DIGITS_LABELS_FASHION;

  g_autoptr(GError) error = NULL;
  if (hidden != NULL && net_spec != NULL)
    return digits_cli_fail ("train", _("--net and --hidden both name the network; give one"));
  if (hidden != NULL && !parse_hidden (hidden, &config, &error))
    return digits_cli_fail ("train", error->message);
  if (net_spec != NULL)
    {
      NnArch arch;
      char why[256];

      if (nn_arch_parse (net_spec, 1, DIGITS_SIDE, DIGITS_SIDE, 10, &arch, why, sizeof why) != 0)
        {
          g_autofree char *message = g_strdup_printf ("--net: %s", why);
          return digits_cli_fail ("train", message);
        }
      if (nn_arch_format (&arch, config.net, sizeof config.net) < 0)
        return digits_cli_fail ("train", _("--net: the network is too long to describe"));
    }

  g_autoptr(DigitsDataset) train = NULL;
  g_autoptr(DigitsDataset) test = NULL;
  if (!digits_cli_load_mnist (data_dir, validation, &train, &test, &error))
    return digits_cli_fail ("train", error->message);
  if (limit > 0 && (guint) limit < train->n)
    {
      DigitsDataset *part = digits_dataset_slice (train, 0, (guint) limit);
      digits_dataset_free (train);
      train = part;
    }

  g_autoptr(DigitsTrainer) trainer = digits_trainer_new (&config, train, test, &error);
  if (trainer == NULL)
    return digits_cli_fail ("train", error->message);

  if (!json)
    {
      g_autoptr(DigitsModel) start = digits_trainer_snapshot (trainer);
      char spec[NN_SPEC_MAX];

      nn_net_spec (start->net, spec, sizeof spec);
      printf (_("Training %s (%zu parameters) on %u digits (%s, lr %g, batch %u, "
                "%u epochs%s)\n"),
              spec[0] ? spec : _("softmax regression"), start->net->n_params, train->n,
              nn_opt_kind_to_string (config.opt.kind),
              config.opt.lr, config.batch, config.epochs,
              config.augment ? _(", augmented") : "");
      fflush (stdout);
    }

  TrainOutput output = { json, isatty (STDERR_FILENO) && !json };
  if (!digits_trainer_run (trainer, train_progress_cb, &output, NULL, &error))
    return digits_cli_fail ("train", error->message);

  if (out_path != NULL)
    {
      g_autoptr(DigitsModel) model = digits_trainer_snapshot (trainer);
      digits_model_set_meta (model, "dataset",
                             fashion ? "fashion-mnist" : "mnist");
      if (!digits_model_save (model, out_path, &error))
        {
          g_autofree char *display = g_filename_display_name (out_path);
          g_autofree char *reason = g_strdup_printf (_("could not save the model as “%s”: %s"),
                                                     display, error->message);

          return digits_cli_fail ("train", reason);
        }
      if (!json)
        printf (_("Saved the model to %s\n"), out_path);
    }
  else if (!json)
    printf (_("The model was not saved (use --out FILE to keep it).\n"));

  return 0;
}

/* ---- eval ---- */

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
  const guint *confusion = digits_evaluation_get_confusion (evaluation);
  double accuracy = digits_evaluation_get_accuracy (evaluation);
  guint correct = digits_evaluation_get_correct (evaluation);

  if (json)
    {
      g_autoptr(GString) s = g_string_new ("{\"accuracy\":");
      digits_cli_append_json_number (s, accuracy, "%.6f");
      g_string_append_printf (s, ",\"count\":%u,\"correct\":%u,\"milliseconds\":%.3f,"
                              "\"confusion\":[", set->n, correct, ms);
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
      return 0;
    }

  printf (_("Accuracy %.2f%% (%u of %u correct) in %.1f ms\n\n"),
          100.0 * accuracy, correct, set->n, ms);
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
          if (json)
            {
              g_string_append (s, "{\"file\":");
              digits_cli_append_json_string (s, display);
              g_string_append (s, ",\"digits\":\"\",\"error\":");
              digits_cli_append_json_string (s, image_error->message);
              g_string_append (s, "}\n");
              fputs (s->str, stdout);
            }
          else
            {
              g_autofree char *message = digits_cli_file_message (argv[i],
                                                                  image_error->message);
              digits_cli_fail ("classify", message);
            }
          continue;
        }

      g_autoptr(GString) detail = g_string_new (NULL);
      g_autoptr(GString) json_probs = g_string_new ("[");
      for (guint g = 0; g < glyphs->len; g++)
        {
          const DigitsGlyph *glyph = &g_array_index (glyphs, DigitsGlyph, g);
          digits_model_classify (model, glyph->input, probs);
          int best = nn_argmax (probs, k);
          g_string_append (digits, digits_model_class_name (model, best));

          g_string_append_printf (detail, "  %s %5.1f%%  [", digits_model_class_name (model, best),
                                  100.0 * probs[best]);
          g_string_append (json_probs, g ? ",[" : "[");
          for (int c = 0; c < k; c++)
            {
              g_string_append_printf (detail, c ? " %.3f" : "%.3f", probs[c]);
              g_string_append_printf (json_probs, c ? ",%.6f" : "%.6f", probs[c]);
            }
          g_string_append (detail, "]  ");
          /* TRANSLATORS: where a digit is in the image: left,top width×height */
          g_string_append_printf (detail, _("at %d,%d %d×%d\n"),
                                  glyph->x, glyph->y, glyph->width, glyph->height);
          if (show)
            digits_cli_append_input_picture (detail, glyph->input);
          g_string_append_c (json_probs, ']');
        }
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

  g_autoptr(GString) arch = g_string_new (NULL);
  char spec[NN_SPEC_MAX];

  nn_net_spec (model->net, spec, sizeof spec);
  if (json)
    {
      g_autoptr(GString) s = g_string_new ("{\"net\":");
      digits_cli_append_json_string (s, spec);
      g_string_append_printf (s, ",\"parameters\":%zu,\"labels\":", model->net->n_params);
      digits_cli_append_json_string (s, model->labels == DIGITS_LABELS_FASHION ? "fashion"
                                                                                : "digits");
      g_string_append (s, ",\"metadata\":{");
      if (model->metadata != NULL)
        {
          g_autofree gpointer *keys = g_hash_table_get_keys_as_array (model->metadata, NULL);
          guint n = g_hash_table_size (model->metadata);

          g_qsort_with_data (keys, (gint) n, sizeof (gpointer), compare_keys, NULL);
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
      return 0;
    }
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
      /* Sorted, so the same model always prints the same way. */
      g_autofree gpointer *keys = g_hash_table_get_keys_as_array (model->metadata, NULL);
      guint n = g_hash_table_size (model->metadata);
      g_qsort_with_data (keys, (gint) n, sizeof (gpointer), compare_keys, NULL);
      for (guint i = 0; i < n; i++)
        printf ("  %-14s %s\n", (const char *) keys[i],
                (const char *) g_hash_table_lookup (model->metadata, keys[i]));
    }
  return 0;
}

/* ---- bench ---- */


static const Command commands[] = {
  { "train", command_train, N_("Train a network on MNIST") },
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

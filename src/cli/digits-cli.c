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

/* What `digits-cli train` was told, before it is checked. */
typedef struct {
  char *data_dir, *optimizer, *hidden, *net_spec, *out_path;
  gint epochs, batch, threads, limit;
  double lr, decay, momentum, l2;
  gint64 seed;
  gboolean json, no_augment, augment, validation, fashion;
} TrainOptions;

static void
train_options_clear (TrainOptions *o)
{
  g_free (o->data_dir);
  g_free (o->optimizer);
  g_free (o->hidden);
  g_free (o->net_spec);
  g_free (o->out_path);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TrainOptions, train_options_clear)

static gboolean
parse_train_options (int *argc, char ***argv, TrainOptions *o)
{
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &o->data_dir,
      N_("Folder with the four MNIST files (default: $DIGITS_MNIST_DIR)"), N_("DIR") },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &o->epochs, N_("Passes over the training set"), "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &o->batch, N_("Samples per step"), "N" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o->optimizer,
      N_("sgd, momentum or adam"), N_("NAME") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o->lr, N_("Learning rate"), "F" },
    { "decay", 0, 0, G_OPTION_ARG_DOUBLE, &o->decay,
      N_("Learning-rate decay: lr / (1 + decay × step)"), "F" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &o->momentum,
      N_("Momentum (momentum optimizer)"), "F" },
    { "l2", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2, N_("L2 weight decay"), "F" },
    { "net", 0, 0, G_OPTION_ARG_STRING, &o->net_spec,
      N_("The network: layers like conv5x32,pool2,conv5x64,pool2,dense128 (conv<K>x<N> "
         "'same', conv<K>x<N>v 'valid', pool<S>, dense<N>), or mlp (dense128,dense128, "
         "the default) or cnn (the built-in model's)"), N_("SPEC") },
    { "hidden", 0, 0, G_OPTION_ARG_STRING, &o->hidden,
      N_("Hidden dense layer sizes, short for --net denseN,denseN (default 128,128)"),
      N_("N,N") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Random seed"), "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Threads (default: all cores)"), "N" },
    { "augment", 0, 0, G_OPTION_ARG_NONE, &o->augment,
      N_("Distort training digits at random (default)"), NULL },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &o->no_augment,
      N_("Train on the digits as they are"), NULL },
    { "validation", 0, 0, G_OPTION_ARG_NONE, &o->validation,
      N_("Hold out the last 5,000 training digits and report accuracy on them "
         "instead of the test set (for choosing settings)"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &o->limit,
      N_("Train on the first N digits only"), "N" },
    { "fashion", 0, 0, G_OPTION_ARG_NONE, &o->fashion,
      N_("The data are Fashion-MNIST (clothing names as labels)"), NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out_path, N_("Save the model to FILE"),
      N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, N_("One JSON object per epoch"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _("Train a network on MNIST and report each epoch."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return digits_cli_parse_options (context, argc, argv, "train");
}

/* Always FALSE: an option's value refused, in the option's own words. */
static gboolean
refuse (GError **error, const char *message)
{
  g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, message);
  return FALSE;
}

/* The optimizer's numbers, checked and put over the defaults. */
static gboolean
apply_optimizer_options (const TrainOptions *o, DigitsTrainConfig *config, GError **error)
{
  if (o->optimizer != NULL)
    {
      NnOptKind kind;
      if (nn_opt_kind_from_string (o->optimizer, &kind) != 0)
        return refuse (error, _("--optimizer takes sgd, momentum or adam"));
      if (kind != config->opt.kind)
        nn_opt_config_defaults (&config->opt, kind);
    }
  if (!isnan (o->lr) && !(o->lr > 0 && o->lr < 100))
    return refuse (error, _("--lr takes a positive number below 100"));
  if (!isnan (o->decay) && !(o->decay >= 0))
    return refuse (error, _("--decay takes a number ≥ 0"));
  if (!isnan (o->momentum) && !(o->momentum >= 0 && o->momentum < 1))
    return refuse (error, _("--momentum takes a number from 0 to below 1"));
  if (!isnan (o->l2) && !(o->l2 >= 0))
    return refuse (error, _("--l2 takes a number ≥ 0"));
  if (!isnan (o->lr))
    config->opt.lr = (float) o->lr;
  if (!isnan (o->decay))
    config->opt.decay = (float) o->decay;
  if (!isnan (o->momentum))
    config->opt.momentum = (float) o->momentum;
  if (!isnan (o->l2))
    config->opt.l2 = (float) o->l2;
  return TRUE;
}

/* Everything but the optimizer and the network: the run's size, seed and data. */
static gboolean
apply_run_options (const TrainOptions *o, DigitsTrainConfig *config, GError **error)
{
  if (o->epochs != -1 && (o->epochs < 1 || o->epochs > 100000))
    return refuse (error, _("--epochs takes a whole number from 1 to 100000"));
  if (o->batch != -1 && (o->batch < 1 || o->batch > 4096))
    return refuse (error, _("--batch takes a whole number from 1 to 4096"));
  if (o->seed != -1 && o->seed < 0)
    return refuse (error, _("--seed takes a number ≥ 0"));
  if (o->threads < 0 || o->threads > 256)
    return refuse (error, _("--threads takes a number from 1 to 256"));
  if (o->augment && o->no_augment)
    return refuse (error, _("--augment and --no-augment contradict each other"));

  if (o->epochs != -1)
    config->epochs = (guint) o->epochs;
  if (o->batch != -1)
    config->batch = (guint) o->batch;
  if (o->seed != -1)
    config->seed = (guint64) o->seed;
  config->threads = (guint) o->threads;
  if (o->no_augment)
    config->augment = FALSE;
  if (o->fashion)
    config->labels = DIGITS_LABELS_FASHION;
  return TRUE;
}

/* --net or --hidden, whichever names the network. */
static gboolean
apply_net_options (const TrainOptions *o, DigitsTrainConfig *config, GError **error)
{
  NnArch arch;
  char why[256];

  if (o->hidden != NULL && o->net_spec != NULL)
    return refuse (error, _("--net and --hidden both name the network; give one"));
  if (o->hidden != NULL)
    return parse_hidden (o->hidden, config, error);
  if (o->net_spec == NULL)
    return TRUE;

  if (nn_arch_parse (o->net_spec, 1, DIGITS_SIDE, DIGITS_SIDE, 10, &arch, why, sizeof why) != 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, "--net: %s", why);
      return FALSE;
    }
  if (nn_arch_format (&arch, config->net, sizeof config->net) < 0)
    return refuse (error, _("--net: the network is too long to describe"));
  return TRUE;
}

static void
announce_training (DigitsTrainer *trainer, const DigitsDataset *train,
                   const DigitsTrainConfig *config)
{
  g_autoptr(DigitsModel) start = digits_trainer_snapshot (trainer);
  char spec[NN_SPEC_MAX];

  nn_net_spec (start->net, spec, sizeof spec);
  printf (_("Training %s (%zu parameters) on %u digits (%s, lr %g, batch %u, "
            "%u epochs%s)\n"),
          spec[0] ? spec : _("softmax regression"), start->net->n_params, train->n,
          nn_opt_kind_to_string (config->opt.kind),
          config->opt.lr, config->batch, config->epochs,
          config->augment ? _(", augmented") : "");
  fflush (stdout);
}

static int
save_trained (DigitsTrainer *trainer, const TrainOptions *o)
{
  g_autoptr(DigitsModel) model = digits_trainer_snapshot (trainer);
  g_autoptr(GError) error = NULL;

  digits_model_set_meta (model, "dataset", o->fashion ? "fashion-mnist" : "mnist");
  if (!digits_model_save (model, o->out_path, &error))
    {
      g_autofree char *display = g_filename_display_name (o->out_path);
      g_autofree char *reason = g_strdup_printf (_("could not save the model as “%s”: %s"),
                                                 display, error->message);

      return digits_cli_fail ("train", reason);
    }
  if (!o->json)
    printf (_("Saved the model to %s\n"), o->out_path);
  return 0;
}

static int
command_train (int argc, char **argv)
{
  g_auto(TrainOptions) o = {
    .epochs = -1, .batch = -1, .seed = -1,
    .lr = NAN, .decay = NAN, .momentum = NAN, .l2 = NAN,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) train = NULL;
  g_autoptr(DigitsDataset) test = NULL;
  g_autoptr(DigitsTrainer) trainer = NULL;
  DigitsTrainConfig config;

  if (!parse_train_options (&argc, &argv, &o))
    return 2;
  if (argc > 1)
    return digits_cli_fail ("train", _("unexpected argument; see digits-cli train --help"));

  digits_train_config_defaults (&config);
  if (!apply_optimizer_options (&o, &config, &error)
      || !apply_run_options (&o, &config, &error)
      || !apply_net_options (&o, &config, &error))
    return digits_cli_fail ("train", error->message);

  if (!digits_cli_load_mnist (o.data_dir, o.validation, &train, &test, &error))
    return digits_cli_fail ("train", error->message);
  if (o.limit > 0 && (guint) o.limit < train->n)
    {
      DigitsDataset *part = digits_dataset_slice (train, 0, (guint) o.limit);
      digits_dataset_free (train);
      train = part;
    }

  trainer = digits_trainer_new (&config, train, test, &error);
  if (trainer == NULL)
    return digits_cli_fail ("train", error->message);
  if (!o.json)
    announce_training (trainer, train, &config);

  TrainOutput output = { o.json, isatty (STDERR_FILENO) && !o.json };
  if (!digits_trainer_run (trainer, train_progress_cb, &output, NULL, &error))
    return digits_cli_fail ("train", error->message);

  if (o.out_path != NULL)
    return save_trained (trainer, &o);
  if (!o.json)
    printf (_("The model was not saved (use --out FILE to keep it).\n"));
  return 0;
}

/* ---- eval ---- */

static void
print_evaluation_json (DigitsEvaluation *evaluation, guint n, int k, double ms)
{
  const guint *confusion = digits_evaluation_get_confusion (evaluation);
  g_autoptr(GString) s = g_string_new ("{\"accuracy\":");

  digits_cli_append_json_number (s, digits_evaluation_get_accuracy (evaluation), "%.6f");
  g_string_append_printf (s, ",\"count\":%u,\"correct\":%u,\"milliseconds\":%.3f,"
                          "\"confusion\":[", n, digits_evaluation_get_correct (evaluation), ms);
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
  g_string_append (json_probs, json_probs->len > 1 ? ",[" : "[");
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

/* digits-cli-train.c — `digits-cli train`: options checked into a DigitsTrainConfig, MNIST
 * loaded, each epoch reported (text or JSON) and the model saved. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "digits-cli.h"
#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-preprocess.h"
#include "digits-trainer.h"

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

static void
train_progress_cb (const DigitsTrainProgress *p, gpointer user_data)
{
  const DigitsCliOutput *out = user_data;

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
  double lr, decay, momentum, l2, elastic, smooth;
  gint64 seed;
  gboolean json, no_augment, augment, validation, fashion, cosine;
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
    { "cosine", 0, 0, G_OPTION_ARG_NONE, &o->cosine,
      N_("Also lower the learning rate along a half cosine to 0 at the last step"), NULL },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &o->momentum,
      N_("Momentum (momentum optimizer)"), "F" },
    { "l2", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2, N_("L2 weight decay"), "F" },
    { "smooth", 0, 0, G_OPTION_ARG_DOUBLE, &o->smooth,
      N_("Label smoothing: the share of the target spread over all classes (default 0)"), "F" },
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
    { "elastic", 0, 0, G_OPTION_ARG_DOUBLE, &o->elastic,
      N_("Chance of an elastic distortion of a training digit (default 0)"), "P" },
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
  if (!isnan (o->smooth) && !(o->smooth >= 0 && o->smooth < 1))
    return refuse (error, _("--smooth takes a number from 0 to below 1"));
  if (!isnan (o->smooth))
    config->opt.smooth = (float) o->smooth;
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
  if (!isnan (o->elastic) && !(o->elastic >= 0 && o->elastic <= 1))
    return refuse (error, _("--elastic takes a chance from 0 to 1"));

  if (o->epochs != -1)
    config->epochs = (guint) o->epochs;
  if (o->batch != -1)
    config->batch = (guint) o->batch;
  if (o->seed != -1)
    config->seed = (guint64) o->seed;
  config->threads = (guint) o->threads;
  if (o->no_augment)
    config->augment = FALSE;
  if (!isnan (o->elastic))
    config->elastic = (float) o->elastic;
  config->anneal = o->cosine;
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
  if (o->validation)
    {
      /* What the trainer measured was the held-out digits, not the test set. */
      g_autofree char *held_out = g_strdup (digits_model_get_meta (model, "test_accuracy"));

      digits_model_set_meta (model, "validation_accuracy", held_out);
      digits_model_set_meta (model, "test_accuracy", NULL);
      digits_model_set_meta (model, "validation", "last 5,000 training digits held out");
    }
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

int
digits_cli_train (int argc, char **argv)
{
  g_auto(TrainOptions) o = {
    .epochs = -1, .batch = -1, .seed = -1,
    .lr = NAN, .decay = NAN, .momentum = NAN, .l2 = NAN, .elastic = NAN, .smooth = NAN,
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

  DigitsCliOutput output = { o.json, isatty (STDERR_FILENO) && !o.json };
  if (!digits_trainer_run (trainer, train_progress_cb, &output, NULL, &error))
    return digits_cli_fail ("train", error->message);

  if (o.out_path != NULL)
    return save_trained (trainer, &o);
  if (!o.json)
    printf (_("The model was not saved (use --out FILE to keep it).\n"));
  return 0;
}

/* digits-cli-tune.c — `digits-cli tune`: fine-tune a model on a folder of the person's
 * digits (the my-digits layout), mixed with MNIST, and say what it did on digits it did
 * not train on, before and after.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "digits-dataset.h"
#include "digits-model.h"
#include "digits-my-digits.h"
#include "digits-tune.h"

#include "digits-cli.h"

/* A bad option: said on one line, and the command stops. */
static gboolean
reject (const char *message)
{
  digits_cli_fail ("tune", message);
  return FALSE;
}

/* A key and its number, null when not known. */
static void
append_number (GString *out, const char *key, double v)
{
  g_string_append_printf (out, "\"%s\":", key);
  digits_cli_append_json_number (out, v, "%.6f");
}

static char *
percent (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.2f%%", 100.0 * v) : g_strdup ("–");
}

static void
tune_progress_cb (const DigitsTuneProgress *p, gpointer user_data)
{
  const DigitsCliOutput *out = user_data;
  const DigitsTrainProgress *t = &p->train;

  if (t->event == DIGITS_TRAIN_STEP)
    {
      if (out->tty)
        {
          /* The carriage return stays out of the message: translators never see it. */
          g_printerr ("\r");
          g_printerr (_("  epoch %u/%u  %3.0f%%  loss %.4f   "), t->epoch, t->epochs,
                      100.0 * (double) (t->step % MAX (t->steps_per_epoch, 1))
                      / MAX (t->steps_per_epoch, 1), t->loss);
        }
      return;
    }
  if (out->tty)
    g_printerr ("\r%*s\r", 60, "");

  if (out->json)
    {
      g_autoptr(GString) s = g_string_new (NULL);
      g_string_append_printf (s, "{\"epoch\":%u,", t->epoch);
      append_number (s, "loss", t->loss);
      g_string_append_c (s, ',');
      append_number (s, "train_accuracy", t->train_accuracy);
      g_string_append_c (s, ',');
      append_number (s, "samples_accuracy", p->samples_accuracy);
      g_string_append_c (s, ',');
      append_number (s, "mnist_accuracy", t->test_accuracy);
      g_string_append_c (s, ',');
      append_number (s, "mnist_changed", p->mnist_changed);
      g_string_append_c (s, ',');
      append_number (s, "seconds", t->epoch_seconds);
      g_string_append (s, "}\n");
      fputs (s->str, stdout);
    }
  else
    {
      g_autofree char *samples = percent (p->samples_accuracy);
      g_autofree char *mnist = percent (t->test_accuracy);
      printf (_("epoch %2u/%u  loss %.4f  your held-out digits %s  MNIST test %s  %.2f s\n"),
              t->epoch, t->epochs, t->loss, samples, mnist, t->epoch_seconds);
    }
  fflush (stdout);
}

/* Accuracies on a separate folder of unseen digits (--test), before and after. */
typedef struct {
  DigitsDataset *set;
  double before, after;
} UnseenTest;

static void
print_result (const DigitsTuneResult *r, const UnseenTest *unseen, gboolean json)
{
  if (json)
    {
      g_autoptr(GString) s = g_string_new ("{");
      append_number (s, "samples_before", r->samples_before);
      g_string_append_c (s, ',');
      append_number (s, "samples_after", r->samples_after);
      g_string_append_c (s, ',');
      append_number (s, "mnist_before", r->mnist_before);
      g_string_append_c (s, ',');
      append_number (s, "mnist_after", r->mnist_after);
      g_string_append_c (s, ',');
      append_number (s, "mnist_changed", r->mnist_changed);
      g_string_append_printf (s, ",\"examples_trained\":%u,\"examples_held_out\":%u",
                              r->n_train, r->n_held_out);
      if (unseen->set != NULL)
        {
          g_string_append_c (s, ',');
          append_number (s, "test_before", unseen->before);
          g_string_append_c (s, ',');
          append_number (s, "test_after", unseen->after);
          g_string_append_printf (s, ",\"test_count\":%u", unseen->set->n);
        }
      g_string_append (s, "}\n");
      fputs (s->str, stdout);
      return;
    }
  g_autofree char *sb = percent (r->samples_before);
  g_autofree char *sa = percent (r->samples_after);
  g_autofree char *mb = percent (r->mnist_before);
  g_autofree char *ma = percent (r->mnist_after);
  printf (_("\n                        before     after\n"));
  printf (_("your held-out digits %9s %9s   (%u held out, %u trained on)\n"), sb, sa,
          r->n_held_out, r->n_train);
  printf (_("MNIST test set       %9s %9s\n"), mb, ma);
  if (unseen->set != NULL)
    {
      g_autofree char *tb = percent (unseen->before);
      g_autofree char *ta = percent (unseen->after);
      printf (_("--test digits        %9s %9s   (%u digits)\n"), tb, ta, unseen->set->n);
    }
  if (r->n_held_out == 0)
    printf (_("No digit was held out to measure on: a class needs at least as many "
              "examples as --hold-out.\n"));
}

/* The numbers given on the command line, before they are checked. */
typedef struct {
  gint epochs, mix, hold_out, threads;
  gint64 seed;
  double lr, share, keep;
  const char *optimizer;
} TuneValues;

/* Checks what was given and puts it into config; FALSE (and the message) when a value is
 * out of range. */
static gboolean
apply_tune_values (const TuneValues *v, DigitsTuneConfig *config)
{
  if (v->epochs != -1 && (v->epochs < 1 || v->epochs > 1000))
    return reject (_("--epochs takes a whole number from 1 to 1000"));
  if (v->mix != -1 && (v->mix < 0 || v->mix > 10000000))
    return reject (_("--mix takes a whole number from 0 to 10000000"));
  if (v->hold_out != -1 && (v->hold_out < 0 || v->hold_out == 1 || v->hold_out > 1000))
    return reject (_("--hold-out takes 0 or a whole number from 2 to 1000"));
  if (!isnan (v->lr) && !(v->lr > 0 && v->lr < 1))
    return reject (_("--lr takes a positive number below 1"));
  if (!isnan (v->share) && !(v->share > 0 && v->share < 1))
    return reject (_("--share takes a number between 0 and 1"));
  if (!isnan (v->keep) && !(v->keep >= 0 && v->keep < 1))
    return reject (_("--keep takes a number from 0 to below 1"));
  if (v->optimizer != NULL && nn_opt_kind_from_string (v->optimizer, &config->optimizer) != 0)
    return reject (_("--optimizer takes sgd, momentum or adam"));
  if (v->seed < -1)
    return reject (_("--seed takes a number ≥ 0"));
  if (v->threads < 0 || v->threads > 256)
    return reject (_("--threads takes a number from 1 to 256"));

  if (v->epochs != -1)
    config->epochs = (guint) v->epochs;
  if (v->mix != -1)
    config->mnist_mix = (guint) v->mix;
  if (v->hold_out != -1)
    config->hold_out_every = (guint) v->hold_out;
  if (!isnan (v->lr))
    config->lr = (float) v->lr;
  if (!isnan (v->share))
    config->share = (float) v->share;
  if (!isnan (v->keep))
    config->keep = (float) v->keep;
  if (v->seed != -1)
    config->seed = (guint64) v->seed;
  config->threads = (guint) v->threads;
  return TRUE;
}

static gboolean
parse_tune_options (int *argc, char ***argv, DigitsTuneConfig *config, char **model_path,
                    char **samples, char **data_dir, char **out_path, char **test_dir,
                    gboolean *json, gboolean *validation, gboolean *average)
{
  TuneValues v = { .epochs = -1, .mix = -1, .hold_out = -1, .seed = -1,
                   .lr = NAN, .share = NAN, .keep = NAN };
  g_autofree char *optimizer = NULL;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, model_path,
      N_("Model to start from (default: the built-in model)"), N_("FILE") },
    { "samples", 's', 0, G_OPTION_ARG_FILENAME, samples,
      N_("Folder of your digits: 0/ … 9/, one PNG per digit"), N_("DIR") },
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, data_dir,
      N_("Folder with the MNIST files (default: $DIGITS_MNIST_DIR)"), N_("DIR") },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &v.epochs,
      N_("Passes over the mix (default 6)"), "N" },
    { "mix", 0, 0, G_OPTION_ARG_INT, &v.mix,
      N_("MNIST training digits mixed in, so nothing is forgotten (default 12000)"), "N" },
    { "hold-out", 0, 0, G_OPTION_ARG_INT, &v.hold_out,
      N_("Measure on every Nth digit of a class instead of training on it (default 5; "
         "0: train on all)"), "N" },
    { "validation", 0, 0, G_OPTION_ARG_NONE, validation,
      N_("Measure MNIST on the last 5,000 training digits (mixing from the rest) instead "
         "of the test set, for choosing settings"), NULL },
    { "share", 0, 0, G_OPTION_ARG_DOUBLE, &v.share,
      N_("Share of the mix that is your digits (default 0.1)"), "F" },
    { "keep", 0, 0, G_OPTION_ARG_DOUBLE, &v.keep,
      N_("Share of the starting weights blended into the result, so less is forgotten "
         "(default 0)"), "F" },
    { "average", 0, 0, G_OPTION_ARG_NONE, average,
      N_("Keep the mean of the weights at each epoch's end"), NULL },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer,
      N_("sgd, momentum or adam (default adam)"), N_("NAME") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &v.lr, N_("Learning rate (default 0.0001)"), "F" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &v.seed, N_("Random seed"), "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &v.threads, N_("Threads (default: all cores)"), "N" },
    { "test", 0, 0, G_OPTION_ARG_FILENAME, test_dir,
      N_("Also measure on a folder of unseen digits in the same layout"), N_("DIR") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, out_path, N_("Save the tuned model to FILE"),
      N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, json,
      N_("One JSON object per epoch, then one with the before/after accuracies"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context,
                                _("Teach a model your handwriting: train it further on your "
                                  "own digits mixed with MNIST, and compare before and "
                                  "after."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!digits_cli_parse_options (context, argc, argv, "tune"))
    return FALSE;
  if (*argc > 1)
    return reject (_("unexpected argument; see digits-cli tune --help"));
  if (*samples == NULL)
    return reject (_("no folder of digits given: pass --samples DIR"));
  v.optimizer = optimizer;
  return apply_tune_values (&v, config);
}

/* A folder in the my-digits layout as network inputs. Skipped files are named on stderr
 * (worth knowing, not a failure) when report is set. */
static DigitsDataset *
load_folder (const char *path, const char *what, gboolean report, GError **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DigitsMyDigits) store = NULL;
  DigitsDataset *set;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND,
                   _("%s“%s” is not a folder of digits"), what, display);
      return NULL;
    }
  store = digits_my_digits_open (path, error);
  if (store == NULL)
    return NULL;
  for (guint i = 0; i < digits_my_digits_skipped (store)->len; i++)
    g_ptr_array_add (messages, g_strdup (g_ptr_array_index (digits_my_digits_skipped (store), i)));
  set = digits_my_digits_load (store, messages, NULL, NULL, error);
  if (set != NULL && report)
    for (guint i = 0; i < messages->len; i++)
      g_printerr ("digits-cli tune: %s\n", (const char *) g_ptr_array_index (messages, i));
  return set;
}

int
digits_cli_tune (int argc, char **argv)
{
  g_autofree char *model_path = NULL, *samples = NULL, *data_dir = NULL, *out_path = NULL;
  g_autofree char *test_dir = NULL;
  g_autoptr(DigitsDataset) unseen_set = NULL;
  UnseenTest unseen = { NULL, NAN, NAN };
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE, validation = FALSE, average = FALSE;
  DigitsTuneConfig config;

  digits_tune_config_defaults (&config);
  if (!parse_tune_options (&argc, &argv, &config, &model_path, &samples, &data_dir, &out_path,
                           &test_dir, &json, &validation, &average))
    return 2;
  config.average = average;

  g_autoptr(DigitsModel) model = digits_cli_load_model (model_path, &error);
  if (model == NULL)
    return digits_cli_fail ("tune", error->message);

  g_autoptr(DigitsDataset) examples = load_folder (samples, "", TRUE, &error);
  if (examples == NULL)
    return digits_cli_fail ("tune", error->message);
  if (test_dir != NULL)
    {
      unseen_set = load_folder (test_dir, "--test: ", FALSE, &error);
      if (unseen_set == NULL)
        return digits_cli_fail ("tune", error->message);
      unseen.set = unseen_set;
      unseen.before = unseen_set->n > 0 ? digits_evaluate (model, unseen_set, NULL) : NAN;
    }

  if (examples->n == 0)
    return digits_cli_fail ("tune", _("There are no examples of your digits to learn from"));

  g_autoptr(DigitsDataset) train = NULL;
  g_autoptr(DigitsDataset) test = NULL;
  if (!digits_cli_load_mnist (data_dir, validation, &train, &test, &error))
    return digits_cli_fail ("tune", error->message);

  g_autoptr(DigitsTuner) tuner = digits_tuner_new (&config, model, examples, train, test,
                                                   &error);
  if (tuner == NULL)
    return digits_cli_fail ("tune", error->message);
  if (!json)
    {
      printf (_("Tuning on %u of your digits (%u held out to measure on), mixed with %u "
                "MNIST digits, %u epochs\n"),
              digits_tuner_get_result (tuner)->n_train,
              digits_tuner_get_result (tuner)->n_held_out, MIN (config.mnist_mix, train->n),
              config.epochs);
      fflush (stdout);
    }

  DigitsCliOutput output = { json, isatty (STDERR_FILENO) && !json };
  if (!digits_tuner_run (tuner, tune_progress_cb, &output, NULL, &error))
    return digits_cli_fail ("tune", error->message);
  g_autoptr(DigitsModel) tuned = digits_tuner_snapshot (tuner);
  if (unseen.set != NULL && unseen.set->n > 0)
    unseen.after = digits_evaluate (tuned, unseen.set, NULL);
  print_result (digits_tuner_get_result (tuner), &unseen, json);

  if (out_path != NULL)
    {
      if (!digits_model_save (tuned, out_path, &error))
        {
          /* Core says what is wrong; the file is named here, once (as train does). */
          g_autofree char *reason = g_strdup_printf ("%s: %s", out_path, error->message);
          return digits_cli_fail ("tune", reason);
        }
      if (!json)
        printf (_("Saved the tuned model to %s\n"), out_path);
    }
  else if (!json)
    printf (_("The model was not saved (use --out FILE to keep it).\n"));
  return 0;
}

/* test-train-run.c — a training run on its thread, seen from the main loop: events come
 * in order on the main thread, it learns, it stops when asked, data is read once. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "digits-train-run.h"

#define N_TRAIN 1200
#define N_TEST  300

static GThread *main_thread;

static void
put_be32 (guint8 *p,
          guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* Class k is a bright 6×6 block in its own place, with a little noise: easy to learn. */
static void
write_set (const char *dir,
           const char *prefix,
           guint       n,
           guint32     seed)
{
  g_autofree guint8 *images = g_malloc0 (16 + (gsize) n * 784);
  g_autofree guint8 *labels = g_malloc0 (8 + n);
  g_autofree char *images_name = g_strdup_printf ("%s-images-idx3-ubyte", prefix);
  g_autofree char *labels_name = g_strdup_printf ("%s-labels-idx1-ubyte", prefix);
  g_autofree char *images_path = g_build_filename (dir, images_name, NULL);
  g_autofree char *labels_path = g_build_filename (dir, labels_name, NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);

  put_be32 (images, 0x803);
  put_be32 (images + 4, n);
  put_be32 (images + 8, 28);
  put_be32 (images + 12, 28);
  put_be32 (labels, 0x801);
  put_be32 (labels + 4, n);

  for (guint i = 0; i < n; i++)
    {
      guint k = i % 10;
      guint8 *img = images + 16 + (gsize) i * 784;
      int x0 = 2 + (k % 5) * 5, y0 = 4 + (k / 5) * 12;

      labels[8 + i] = k;
      for (int p = 0; p < 784; p++)
        img[p] = g_rand_int_range (rand, 0, 40);
      for (int y = y0; y < y0 + 6; y++)
        for (int x = x0; x < x0 + 6; x++)
          img[y * 28 + x] = 255;
    }

  g_assert_true (g_file_set_contents (images_path, (char *) images, 16 + (gsize) n * 784,
                                      NULL));
  g_assert_true (g_file_set_contents (labels_path, (char *) labels, 8 + n, NULL));
}

static void
remove_set (const char *dir)
{
  const char *names[] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

  for (guint j = 0; j < G_N_ELEMENTS (names); j++)
    {
      g_autofree char *path = g_build_filename (dir, names[j], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

typedef struct
{
  gboolean loaded;
  gboolean finished;
  guint    n_progress;
  guint    n_epochs;
  guint    n_models;
  gboolean off_main_thread;
  gboolean out_of_order;
  float    last_test_accuracy;
  gboolean stop_at_first;
} Seen;

static void
loaded_cb (DigitsTrainRun *run,
           Seen           *seen)
{
  if (seen->n_progress > 0)
    seen->out_of_order = TRUE;
  seen->loaded = TRUE;
}

static void
progress_cb (DigitsTrainRun            *run,
             const DigitsTrainProgress *progress,
             const DigitsModel         *model,
             Seen                      *seen)
{
  if (g_thread_self () != main_thread)
    seen->off_main_thread = TRUE;
  if (!seen->loaded || seen->finished)
    seen->out_of_order = TRUE;

  seen->n_progress++;
  if (model != NULL)
    seen->n_models++;
  if (progress->event == DIGITS_TRAIN_EPOCH_DONE)
    {
      seen->n_epochs++;
      seen->last_test_accuracy = progress->test_accuracy;
    }
  if (seen->stop_at_first)
    digits_train_run_stop (run);
}

static void
finished_cb (DigitsTrainRun *run,
             Seen           *seen)
{
  if (g_thread_self () != main_thread)
    seen->off_main_thread = TRUE;
  seen->finished = TRUE;
}

static DigitsTrainRun *
run_to_the_end (DigitsTrainConfig *config,
                const char        *dir,
                DigitsTrainData   *data,
                Seen              *seen)
{
  g_autoptr (GError) error = NULL;
  DigitsTrainRun *run = digits_train_run_new (config, dir, data, 0, "blocks", 0);

  g_signal_connect (run, "loaded", G_CALLBACK (loaded_cb), seen);
  g_signal_connect (run, "progress", G_CALLBACK (progress_cb), seen);
  g_signal_connect (run, "finished", G_CALLBACK (finished_cb), seen);
  g_assert_true (digits_train_run_start (run, &error));
  g_assert_no_error (error);

  while (!seen->finished)
    g_main_context_iteration (NULL, TRUE);

  return run;
}

static void
make_config (DigitsTrainConfig *config,
             guint              epochs)
{
  digits_train_config_defaults (config);
  config->hidden[0] = 32;
  config->n_hidden = 1;
  config->epochs = epochs;
  config->batch = 32;
  config->augment = FALSE;
  config->threads = 1;
}

static void
test_learns (void)
{
  g_autofree char *dir = g_dir_make_tmp ("digits-test-run-XXXXXX", NULL);
  g_autoptr (DigitsTrainRun) run = NULL;
  g_autoptr (DigitsTrainRun) again = NULL;
  g_autoptr (DigitsModel) model = NULL;
  DigitsTrainConfig config;
  DigitsTrainData *data;
  Seen seen = { 0, };

  write_set (dir, "train", N_TRAIN, 1);
  write_set (dir, "t10k", N_TEST, 2);
  make_config (&config, 3);

  run = run_to_the_end (&config, dir, NULL, &seen);
  g_assert_no_error (digits_train_run_get_error (run));
  g_assert_true (seen.loaded);
  g_assert_false (seen.off_main_thread);
  g_assert_false (seen.out_of_order);
  g_assert_cmpuint (seen.n_epochs, ==, 3);
  g_assert_cmpuint (seen.n_models, >=, 3);
  g_test_message ("test accuracy after 3 epochs: %.4f", seen.last_test_accuracy);
  g_assert_cmpfloat (seen.last_test_accuracy, >, 0.95f);

  model = digits_train_run_take_model (run);
  g_assert_nonnull (model);
  g_assert_cmpstr (digits_model_get_meta (model, "dataset"), ==, "blocks");
  g_assert_cmpfloat (digits_evaluate (model, digits_train_run_get_data (run)->test, NULL),
                     >, 0.95);

  /* The data read once serves the next run, which starts loaded. */
  data = digits_train_run_get_data (run);
  g_assert_cmpuint (data->train->n, ==, N_TRAIN);
  make_config (&config, 1);
  again = digits_train_run_new (&config, NULL, data, 0, NULL, 0);
  g_assert_true (digits_train_run_start (again, NULL));
  g_assert_true (digits_train_run_is_loaded (again));
  g_clear_object (&again);

  remove_set (dir);
}

/* Stopped after the first progress: it ends cancelled, with the model so far. */
static void
test_stop (void)
{
  g_autofree char *dir = g_dir_make_tmp ("digits-test-run-XXXXXX", NULL);
  g_autoptr (DigitsTrainRun) run = NULL;
  g_autoptr (DigitsModel) model = NULL;
  DigitsTrainConfig config;
  Seen seen = { 0, };

  write_set (dir, "train", N_TRAIN, 3);
  write_set (dir, "t10k", N_TEST, 4);
  make_config (&config, 200);
  seen.stop_at_first = TRUE;

  run = run_to_the_end (&config, dir, NULL, &seen);
  g_assert_error (digits_train_run_get_error (run), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (seen.n_epochs, <, 200);
  model = digits_train_run_take_model (run);
  g_assert_nonnull (model);
  g_assert_cmpint (digits_train_run_get_finished_time (run), >, 0);

  remove_set (dir);
}

/* A folder without data: it finishes, saying why, and nothing was loaded. */
static void
test_no_data (void)
{
  g_autoptr (DigitsTrainRun) run = NULL;
  DigitsTrainConfig config;
  Seen seen = { 0, };

  make_config (&config, 1);
  run = run_to_the_end (&config, "/nonexistent-folder", NULL, &seen);
  g_assert_false (seen.loaded);
  g_assert_cmpuint (seen.n_progress, ==, 0);
  g_assert_nonnull (digits_train_run_get_error (run));
  g_assert_true (digits_train_run_get_error (run)->domain == DIGITS_ERROR);
  g_assert_null (digits_train_run_take_model (run));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/train-run/learns", test_learns);
  g_test_add_func ("/train-run/stop", test_stop);
  g_test_add_func ("/train-run/no-data", test_no_data);

  return g_test_run ();
}

/* test-model-store.c — the model in use, without a display: which model answers, what
 * is kept for the next start, trials and going back to the built-in model. */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <string.h>

#include "digits-dataset.h"
#include "digits-model-store.h"

typedef struct
{
  char      *dir;
  GSettings *settings;
} Fixture;

/* The app's schema from the build folder, the memory backend: nothing touches the
 * person's own settings. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettingsSchemaSource) source = NULL;
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();

  source = g_settings_schema_source_new_from_directory (g_getenv ("DIGITS_SCHEMA_DIR"), NULL,
                                                        TRUE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, APP_ID, FALSE);
  g_assert_nonnull (schema);
  f->settings = g_settings_new_full (schema, backend, NULL);
  f->dir = g_dir_make_tmp ("digits-test-store-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *kept = g_build_filename (f->dir, "current.model", NULL);

  g_unlink (kept);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_clear_object (&f->settings);
}

/* Another model than the built-in one: its copy, told apart by its metadata. */
static DigitsModel *
make_model (void)
{
  g_autoptr (GError) error = NULL;
  DigitsModel *model = digits_model_load_builtin (&error);

  g_assert_no_error (error);
  digits_model_set_meta (model, "test_accuracy", "0.5");
  return model;
}

static void
count_cb (DigitsModelStore *store,
          guint            *n)
{
  (*n)++;
}

static void
test_use_and_remember (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr (DigitsModelStore) store = digits_model_store_new (f->settings, f->dir);
  g_autoptr (DigitsModelStore) next = NULL;
  g_autoptr (DigitsModel) model = make_model ();
  g_autoptr (GError) error = NULL;
  g_autofree char *remembered = NULL;
  g_autofree char *described = NULL;
  guint changed = 0;

  g_signal_connect (store, "changed", G_CALLBACK (count_cb), &changed);
  g_assert_true (digits_model_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_true (digits_model_store_is_builtin (store));
  g_assert_nonnull (digits_model_store_get_model (store));
  g_assert_false (digits_model_store_can_revert (store));
  g_assert_cmpuint (changed, ==, 1);

  g_assert_true (digits_model_store_use (store, model, &error));
  g_assert_no_error (error);
  g_assert_false (digits_model_store_is_builtin (store));
  g_assert_true (digits_model_store_can_revert (store));
  g_assert_cmpuint (changed, ==, 2);
  described = digits_model_store_describe (store);
  g_assert_cmpstr (described, ==, "Your own model: 50.00% right on MNIST’s test set");

  /* Kept on disk and in the settings: the next start has it. */
  remembered = g_settings_get_string (f->settings, "model-file");
  g_assert_cmpstr (remembered, ==, digits_model_store_get_path (store));
  g_assert_true (g_file_test (remembered, G_FILE_TEST_IS_REGULAR));

  next = digits_model_store_new (f->settings, f->dir);
  g_assert_true (digits_model_store_load (next, &error));
  g_assert_false (digits_model_store_is_builtin (next));
  g_assert_cmpstr (digits_model_get_meta (digits_model_store_get_model (next),
                                          "test_accuracy"), ==, "0.5");

  /* Back to the built-in model: forgotten, the copy deleted. */
  g_assert_true (digits_model_store_revert (next, &error));
  g_assert_true (digits_model_store_is_builtin (next));
  g_assert_false (digits_model_store_can_revert (next));
  g_free (remembered);
  remembered = g_settings_get_string (f->settings, "model-file");
  g_assert_cmpstr (remembered, ==, "");
  g_assert_false (g_file_test (digits_model_store_get_path (next), G_FILE_TEST_EXISTS));
}

/* A trial lets the built-in model be gone back to; choosing ends it. */
static void
test_trial (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr (DigitsModelStore) store = digits_model_store_new (f->settings, f->dir);
  g_autoptr (DigitsModel) model = make_model ();
  guint changed = 0;

  g_assert_true (digits_model_store_load (store, NULL));
  g_signal_connect (store, "changed", G_CALLBACK (count_cb), &changed);

  digits_model_store_set_on_trial (store, TRUE);
  g_assert_true (digits_model_store_is_on_trial (store));
  g_assert_true (digits_model_store_can_revert (store));
  digits_model_store_set_on_trial (store, TRUE);
  g_assert_cmpuint (changed, ==, 1);

  g_assert_true (digits_model_store_use (store, model, NULL));
  g_assert_false (digits_model_store_is_on_trial (store));

  digits_model_store_set_on_trial (store, TRUE);
  g_assert_true (digits_model_store_revert (store, NULL));
  g_assert_false (digits_model_store_is_on_trial (store));
  g_assert_false (digits_model_store_can_revert (store));
}

/* A remembered model gone bad: said once, with its path once; the built-in one answers. */
static void
test_remembered_corrupt (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "current.model", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *remembered = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (DigitsModelStore) store = NULL;
  g_autoptr (DigitsModelStore) again = NULL;

  g_assert_true (g_file_set_contents (path, "this is not a model", -1, NULL));
  g_settings_set_string (f->settings, "model-file", path);

  store = digits_model_store_new (f->settings, f->dir);
  g_assert_false (digits_model_store_load (store, &error));
  /* The file named once, by the store; the reason from the core. */
  expected = g_strdup_printf ("The model you chose could not be loaded from “%s”: it is not "
                              "a Digits model file. Digits uses its built-in model instead.",
                              path);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_true (digits_model_store_is_builtin (store));
  g_assert_nonnull (digits_model_store_get_model (store));
  remembered = g_settings_get_string (f->settings, "model-file");
  g_assert_cmpstr (remembered, ==, "");

  /* The next start is quiet. */
  again = digits_model_store_new (f->settings, f->dir);
  g_assert_true (digits_model_store_load (again, NULL));
}

/* The copy cannot be kept: the model is in use this session, and the reason is exact. */
static void
test_cannot_keep (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *folder = g_build_filename (file, "digits", NULL);
  g_autoptr (DigitsModelStore) store = NULL;
  g_autoptr (DigitsModel) model = make_model ();
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  store = digits_model_store_new (f->settings, folder);
  g_assert_true (digits_model_store_load (store, NULL));
  g_assert_false (digits_model_store_use (store, model, &error));
  expected = g_strdup_printf ("The model is in use now, but could not be kept for the next "
                              "start (the folder %s could not be made: Not a directory).",
                              folder);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_false (digits_model_store_is_builtin (store));
  g_unlink (file);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/model-store/use-and-remember", Fixture, NULL, fixture_set_up,
              test_use_and_remember, fixture_tear_down);
  g_test_add ("/model-store/trial", Fixture, NULL, fixture_set_up, test_trial,
              fixture_tear_down);
  g_test_add ("/model-store/remembered-corrupt", Fixture, NULL, fixture_set_up,
              test_remembered_corrupt, fixture_tear_down);
  g_test_add ("/model-store/cannot-keep", Fixture, NULL, fixture_set_up, test_cannot_keep,
              fixture_tear_down);

  return g_test_run ();
}

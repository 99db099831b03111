/* test-evaluation.c — the verdicts behind a confusion matrix: every cell opens onto exactly
 * its digits, in the promised order, and the mistakes filter by true digit and answer. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "digits-dataset.h"
#include "digits-evaluation.h"
#include "digits-model.h"
#include "digits-preprocess.h"
#include "digits-trainer.h"
#include "test-util.h"


/* Scribbles: strokes of ink at random places with random labels. The built-in model reads
 * them as something, mostly wrongly, so every kind of cell gets filled. */
static DigitsDataset *
make_scribbles (guint n, guint64 seed)
{
  DigitsDataset *set = digits_dataset_new (n, DIGITS_SIDE, DIGITS_SIDE, 10);
  NnRng rng;

  nn_rng_seed (&rng, seed, 7);
  for (guint i = 0; i < n; i++)
    {
      guint8 *img = set->images + (gsize) i * DIGITS_PIXELS;
      int x = 6 + (int) nn_rng_below (&rng, 16), y = 4 + (int) nn_rng_below (&rng, 20);

      set->labels[i] = (guint8) nn_rng_below (&rng, 10);
      for (int s = 0; s < 60; s++)
        {
          x = CLAMP (x + (int) nn_rng_below (&rng, 3) - 1, 4, 23);
          y = CLAMP (y + (int) nn_rng_below (&rng, 3) - 1, 4, 23);
          img[y * DIGITS_SIDE + x] = 255;
          img[y * DIGITS_SIDE + x + 1] = 200;
        }
    }
  return set;
}

/* The set to evaluate on: MNIST's whole test set when it is here (the real thing; the
 * built-in CNN misreads only about one digit in 200, so a smaller slice leaves too few
 * mistakes to fill the matrix's cells), else 2,000 scribbles. */
static DigitsDataset *
load_set (void)
{
  const char *dir = g_getenv ("DIGITS_MNIST_DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsDataset) test = NULL;

  if (dir != NULL && digits_dataset_load_mnist_dir (dir, NULL, &test, &error))
    {
      /* Under the sanitizers the CNN takes ~15 ms a digit: the first 1,000 (7 misread by
       * the built-in model), else all. */
      guint n = TEST_SANITIZED ? 1000 : 10000;
      g_test_message ("evaluating on the first %u MNIST test digits", n);
      return digits_dataset_slice (test, 0, n);
    }
  g_test_message ("no MNIST (DIGITS_MNIST_DIR): evaluating on 2,000 scribbles");
  return make_scribbles (2000, 3);
}

static void
check_order (const DigitsVerdict *v, guint n, gboolean surest_first)
{
  for (guint i = 1; i < n; i++)
    {
      if (v[i - 1].confidence == v[i].confidence)
        g_assert_cmpuint (v[i - 1].index, <, v[i].index);
      else if (surest_first)
        g_assert_cmpfloat (v[i - 1].confidence, >, v[i].confidence);
      else
        g_assert_cmpfloat (v[i - 1].confidence, <, v[i].confidence);
    }
}

static void
test_cells_match_confusion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  g_assert_no_error (error);
  g_autoptr(DigitsDataset) set = load_set ();
  g_autoptr(DigitsEvaluation) e = digits_evaluation_run (model, set, NULL, &error);
  g_assert_no_error (error);
  guint reference[100];
  double accuracy = digits_evaluate (model, set, reference);
  const guint *confusion = digits_evaluation_get_confusion (e);
  guint total = 0, wrong = 0;

  g_assert_cmpuint (digits_evaluation_get_count (e), ==, set->n);
  g_assert_cmpuint (digits_evaluation_get_n_classes (e), ==, 10);
  g_assert_cmpfloat (digits_evaluation_get_accuracy (e), ==, accuracy);
  g_assert_cmpmem (confusion, sizeof reference, reference, sizeof reference);

  for (int t = 0; t < 10; t++)
    for (int a = 0; a < 10; a++)
      {
        guint n;
        g_autofree DigitsVerdict *cell = digits_evaluation_cell (e, t, a, &n);

        g_assert_cmpuint (n, ==, confusion[t * 10 + a]);
        g_assert_true ((n == 0) == (cell == NULL));
        total += n;
        wrong += t != a ? n : 0;
        for (guint i = 0; i < n; i++)
          {
            const DigitsVerdict *v = &cell[i];
            g_assert_cmpuint (v->label, ==, t);
            g_assert_cmpuint (v->answer, ==, a);
            g_assert_cmpuint (v->label, ==, set->labels[v->index]);
            g_assert_cmpmem (v, sizeof *v, digits_evaluation_get_verdict (e, v->index),
                             sizeof *v);
            g_assert_cmpuint (v->second, !=, v->answer);
            g_assert_cmpfloat (v->second_confidence, <=, v->confidence);
            /* The answer is the most probable class; below half only with rivals. */
            g_assert_cmpfloat (v->confidence, >=, 0.1f);
          }
        check_order (cell, n, t != a);
      }
  g_assert_cmpuint (total, ==, set->n);
  g_assert_cmpuint (wrong, ==, set->n - digits_evaluation_get_correct (e));
  g_test_message ("%u digits, %u misread", set->n, wrong);
  g_assert_cmpuint (wrong, >=, TEST_SANITIZED ? 5 : 10);
}

/* One verdict, checked against a forward pass of its own. */
static void
test_verdict_is_the_forward_pass (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  g_autoptr(DigitsDataset) set = make_scribbles (50, 11);
  g_autoptr(DigitsEvaluation) e = digits_evaluation_run (model, set, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < set->n; i++)
    {
      float input[DIGITS_PIXELS], probs[10];
      const DigitsVerdict *v = digits_evaluation_get_verdict (e, i);
      int second = -1;

      for (int p = 0; p < DIGITS_PIXELS; p++)
        input[p] = set->images[i * DIGITS_PIXELS + p] / 255.0f;
      g_assert_cmpint (digits_model_classify (model, input, probs), ==, v->answer);
      g_assert_cmpfloat_with_epsilon (probs[v->answer], v->confidence, 1e-5);
      for (int k = 0; k < 10; k++)
        if (k != v->answer && (second < 0 || probs[k] > probs[second]))
          second = k;
      g_assert_cmpint (second, ==, v->second);
      g_assert_cmpfloat_with_epsilon (probs[second], v->second_confidence, 1e-5);
    }
}

static void
test_mistakes_filter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  g_autoptr(DigitsDataset) set = make_scribbles (1000, 5);
  g_autoptr(DigitsEvaluation) e = digits_evaluation_run (model, set, NULL, &error);
  const guint *confusion = digits_evaluation_get_confusion (e);
  guint n_all, by_label_total = 0, by_answer_total = 0;
  g_autofree DigitsVerdict *all = digits_evaluation_mistakes (e, -1, -1, &n_all);

  g_assert_cmpuint (n_all, ==, set->n - digits_evaluation_get_correct (e));
  check_order (all, n_all, TRUE);
  for (guint i = 0; i < n_all; i++)
    g_assert_cmpuint (all[i].label, !=, all[i].answer);

  for (int k = 0; k < 10; k++)
    {
      guint n_label, n_answer, row = 0, column = 0;
      g_autofree DigitsVerdict *by_label = digits_evaluation_mistakes (e, k, -1, &n_label);
      g_autofree DigitsVerdict *by_answer = digits_evaluation_mistakes (e, -1, k, &n_answer);

      for (int j = 0; j < 10; j++)
        if (j != k)
          {
            row += confusion[k * 10 + j];
            column += confusion[j * 10 + k];
          }
      g_assert_cmpuint (n_label, ==, row);
      g_assert_cmpuint (n_answer, ==, column);
      for (guint i = 0; i < n_label; i++)
        g_assert_cmpuint (by_label[i].label, ==, k);
      for (guint i = 0; i < n_answer; i++)
        g_assert_cmpuint (by_answer[i].answer, ==, k);
      check_order (by_label, n_label, TRUE);
      check_order (by_answer, n_answer, TRUE);
      by_label_total += n_label;
      by_answer_total += n_answer;

      /* Both filters at once are one off-diagonal cell. */
      for (int a = 0; a < 10; a++)
        {
          guint n_both;
          g_autofree DigitsVerdict *both = digits_evaluation_mistakes (e, k, a, &n_both);
          g_assert_cmpuint (n_both, ==, a == k ? 0 : confusion[k * 10 + a]);
        }
    }
  g_assert_cmpuint (by_label_total, ==, n_all);
  g_assert_cmpuint (by_answer_total, ==, n_all);
}

/* The ordering is by confidence with ties by index; a hand-made set pins it down. */
static void
test_order_and_ties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  /* Four copies of one scribble and two of another: equal confidences must come in
   * index order. */
  g_autoptr(DigitsDataset) base = make_scribbles (2, 21);
  g_autoptr(DigitsDataset) set = digits_dataset_new (6, DIGITS_SIDE, DIGITS_SIDE, 10);
  const guint source[6] = { 0, 1, 0, 1, 0, 0 };
  float probs[10], input[DIGITS_PIXELS];
  int answer;

  for (guint i = 0; i < 6; i++)
    memcpy (set->images + i * DIGITS_PIXELS, base->images + source[i] * DIGITS_PIXELS,
            DIGITS_PIXELS);
  for (int p = 0; p < DIGITS_PIXELS; p++)
    input[p] = base->images[p] / 255.0f;
  answer = digits_model_classify (model, input, probs);
  for (guint i = 0; i < 6; i++)
    set->labels[i] = (guint8) ((answer + 1) % 10);     /* all wrong for scribble 0 */

  g_autoptr(DigitsEvaluation) e = digits_evaluation_run (model, set, NULL, &error);
  g_assert_no_error (error);
  guint n;
  g_autofree DigitsVerdict *cell = digits_evaluation_cell (e, (answer + 1) % 10, answer, &n);
  g_assert_cmpuint (n, >=, 4);
  static const guint zero_copies[] = { 0, 2, 4, 5 };
  guint zeros = 0;
  for (guint i = 0; i < n; i++)
    if (source[cell[i].index] == 0)
      {
        g_assert_cmpuint (zeros, <, 4);
        g_assert_cmpuint (cell[i].index, ==, zero_copies[zeros]);
        zeros++;
      }
  g_assert_cmpuint (zeros, ==, 4);
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  g_autoptr(DigitsDataset) small = digits_dataset_new (3, 14, 14, 10);
  g_autoptr(DigitsDataset) empty = digits_dataset_new (0, DIGITS_SIDE, DIGITS_SIDE, 10);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(DigitsDataset) set = make_scribbles (10, 1);

  g_assert_null (digits_evaluation_run (model, small, NULL, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "14×14"));
  g_clear_error (&error);

  g_cancellable_cancel (cancel);
  g_assert_null (digits_evaluation_run (model, set, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_autoptr(DigitsEvaluation) e = digits_evaluation_run (model, empty, NULL, &error);
  g_assert_no_error (error);
  guint n = 1;
  g_assert_null (digits_evaluation_mistakes (e, -1, -1, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (isnan (digits_evaluation_get_accuracy (e)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/evaluation/cells-match-confusion", test_cells_match_confusion);
  g_test_add_func ("/evaluation/verdict-is-the-forward-pass", test_verdict_is_the_forward_pass);
  g_test_add_func ("/evaluation/mistakes-filter", test_mistakes_filter);
  g_test_add_func ("/evaluation/order-and-ties", test_order_and_ties);
  g_test_add_func ("/evaluation/bad-input", test_bad_input);
  return g_test_run ();
}

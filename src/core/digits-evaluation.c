/* digits-evaluation.c — classify a data set once and keep every verdict.
 *
 * The verdicts are kept for all digits, not only the misread ones: a diagonal cell of the
 * confusion matrix (the least sure right answers) is as much worth opening as the others,
 * and 10,000 verdicts are 160 KB.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-evaluation.h"
#include "digits-look-private.h"

#define CHUNK 1024

struct _DigitsEvaluation
{
  guint n;
  guint correct;
  guint n_classes;
  DigitsVerdict *verdicts;     /* n, in data-set order */
  guint *confusion;            /* n_classes² */
};

/* The best two of n probabilities (first on ties, as nn_argmax). */
static void
find_top_two (const float *probs, int n, int *best, int *second)
{
  int b = 0, s = -1;

  for (int k = 1; k < n; k++)
    {
      if (probs[k] > probs[b])
        {
          s = b;
          b = k;
        }
      else if (s < 0 || probs[k] > probs[s])
        s = k;
    }
  *best = b;
  *second = s < 0 ? b : s;
}

DigitsEvaluation *
digits_evaluation_run (const DigitsModel   *model,
                       const DigitsDataset *set,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_return_val_if_fail (model != NULL && model->net != NULL, NULL);
  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const int n_classes = look_n_classes (model);
  const guint pixels = set->rows * set->cols;

  if ((int) pixels != look_n_inputs (model) || set->n_classes > (guint) n_classes
      || n_classes > 256)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                   _("The model reads %d pixels into %d classes; the data set has %u×%u "
                     "images in %u classes"), look_n_inputs (model), n_classes,
                   set->rows, set->cols, set->n_classes);
      return NULL;
    }

  g_autoptr(DigitsEvaluation) self = g_new0 (DigitsEvaluation, 1);
  g_autofree float *probs = g_new (float, (gsize) CHUNK * (gsize) n_classes);
  self->n = set->n;
  self->n_classes = (guint) n_classes;
  self->verdicts = g_new0 (DigitsVerdict, MAX (set->n, 1));
  self->confusion = g_new0 (guint, (gsize) n_classes * (gsize) n_classes);

  for (guint start = 0; start < set->n; start += CHUNK)
    {
      guint count = MIN (CHUNK, set->n - start);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (nn_net_forward_u8 (model->net, set->images + (gsize) start * pixels, count,
                             probs) != 0)
        {
          g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                               _("Not enough memory to evaluate the model"));
          return NULL;
        }
      for (guint i = 0; i < count; i++)
        {
          const float *p = probs + (gsize) i * n_classes;
          DigitsVerdict *v = &self->verdicts[start + i];
          int best, second;

          find_top_two (p, n_classes, &best, &second);
          v->index = start + i;
          v->label = set->labels[start + i];
          v->answer = (guint8) best;
          v->second = (guint8) second;
          v->confidence = p[best];
          v->second_confidence = p[second];
          if (v->label < n_classes)
            self->confusion[v->label * n_classes + best]++;
          self->correct += v->label == best;
        }
    }
  return g_steal_pointer (&self);
}

void
digits_evaluation_free (DigitsEvaluation *self)
{
  if (self == NULL)
    return;
  g_free (self->verdicts);
  g_free (self->confusion);
  g_free (self);
}

guint
digits_evaluation_get_count (const DigitsEvaluation *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n;
}

guint
digits_evaluation_get_correct (const DigitsEvaluation *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->correct;
}

double
digits_evaluation_get_accuracy (const DigitsEvaluation *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return self->n ? (double) self->correct / self->n : NAN;
}

guint
digits_evaluation_get_n_classes (const DigitsEvaluation *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_classes;
}

const guint *
digits_evaluation_get_confusion (const DigitsEvaluation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->confusion;
}

const DigitsVerdict *
digits_evaluation_get_verdict (const DigitsEvaluation *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n, NULL);
  return &self->verdicts[index];
}

static int
compare_surest_first (gconstpointer a, gconstpointer b)
{
  const DigitsVerdict *x = a, *y = b;

  if (x->confidence != y->confidence)
    return x->confidence > y->confidence ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static int
compare_least_sure_first (gconstpointer a, gconstpointer b)
{
  const DigitsVerdict *x = a, *y = b;

  if (x->confidence != y->confidence)
    return x->confidence < y->confidence ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* Copies the verdicts that match into a new array, sorted by compare. */
static DigitsVerdict *
select_verdicts (const DigitsEvaluation *self,
                 int                     label,
                 int                     answer,
                 gboolean                only_wrong,
                 GCompareFunc            compare,
                 guint                  *n_out)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (DigitsVerdict));

  for (guint i = 0; i < self->n; i++)
    {
      const DigitsVerdict *v = &self->verdicts[i];
      if ((label < 0 || v->label == label) && (answer < 0 || v->answer == answer)
          && (!only_wrong || v->label != v->answer))
        g_array_append_val (found, *v);
    }
  /* g_array_sort is a stable merge sort, and compare breaks ties by index anyway. */
  g_array_sort (found, compare);
  *n_out = found->len;
  return (DigitsVerdict *) g_array_free (found, found->len == 0);
}

DigitsVerdict *
digits_evaluation_cell (const DigitsEvaluation *self, int label, int answer, guint *n_out)
{
  g_return_val_if_fail (n_out != NULL, NULL);
  *n_out = 0;
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (label >= 0 && (guint) label < self->n_classes, NULL);
  g_return_val_if_fail (answer >= 0 && (guint) answer < self->n_classes, NULL);

  return select_verdicts (self, label, answer, FALSE,
                          label == answer ? compare_least_sure_first : compare_surest_first,
                          n_out);
}

DigitsVerdict *
digits_evaluation_mistakes (const DigitsEvaluation *self, int label, int answer, guint *n_out)
{
  g_return_val_if_fail (n_out != NULL, NULL);
  *n_out = 0;
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (label >= -1 && label < (int) self->n_classes, NULL);
  g_return_val_if_fail (answer >= -1 && answer < (int) self->n_classes, NULL);

  return select_verdicts (self, label, answer, TRUE, compare_surest_first, n_out);
}

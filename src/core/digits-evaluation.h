/* digits-evaluation.h — an evaluation that keeps every digit's verdict, so the cells of a
 * confusion matrix can be opened: which digits were misread, as what, how surely.
 */
#pragma once

#include <gio/gio.h>

#include "digits-dataset.h"
#include "digits-model.h"

G_BEGIN_DECLS

/* What the network said about one digit of the data set. */
typedef struct {
  guint index;                 /* in the data set */
  guint8 label;                /* the true class */
  guint8 answer;               /* the most probable class */
  guint8 second;               /* the runner-up */
  float confidence;            /* probability of answer */
  float second_confidence;     /* probability of second */
} DigitsVerdict;

typedef struct _DigitsEvaluation DigitsEvaluation;

/* Classifies every digit of set (borrowed only during the call). Cancellable between
 * chunks of digits. Errors: the model does not fit the set, no memory, cancelled. */
DigitsEvaluation *digits_evaluation_run (const DigitsModel   *model,
                                         const DigitsDataset *set,
                                         GCancellable        *cancellable,
                                         GError             **error);
void              digits_evaluation_free (DigitsEvaluation *evaluation);

guint   digits_evaluation_get_count     (const DigitsEvaluation *evaluation);
guint   digits_evaluation_get_correct   (const DigitsEvaluation *evaluation);
double  digits_evaluation_get_accuracy  (const DigitsEvaluation *evaluation);
guint   digits_evaluation_get_n_classes (const DigitsEvaluation *evaluation);
/* n_classes² counts, row = true class, column = answer. */
const guint *digits_evaluation_get_confusion (const DigitsEvaluation *evaluation);
/* The verdict on the data set's index-th digit. */
const DigitsVerdict *digits_evaluation_get_verdict (const DigitsEvaluation *evaluation,
                                                    guint                   index);

/* The digits of one confusion-matrix cell, as many as the cell counts. An off-diagonal
 * cell's misreads come most confident first (the surest mistakes are the telling ones);
 * a diagonal cell's right answers least sure first. Ties in index order. Free with g_free;
 * NULL with *n_out 0 for an empty cell. */
DigitsVerdict *digits_evaluation_cell (const DigitsEvaluation *evaluation,
                                       int                     label,
                                       int                     answer,
                                       guint                  *n_out);

/* Every misread digit whose true class is label and whose answer is answer (-1: any),
 * most confident first, ties in index order. Free with g_free; NULL when none. */
DigitsVerdict *digits_evaluation_mistakes (const DigitsEvaluation *evaluation,
                                           int                     label,
                                           int                     answer,
                                           guint                  *n_out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsEvaluation, digits_evaluation_free)

G_END_DECLS

/* digits-cli.h — the commands digits-cli.c dispatches to, and what they share. */
#pragma once

#include <glib.h>

#include "digits-dataset.h"
#include "digits-evaluation.h"
#include "digits-model.h"

/* How train and tune report progress: JSON lines, or a line redrawn on a terminal. */
typedef struct {
  gboolean json;
  gboolean tty;
} DigitsCliOutput;

/* digits-cli-train.c */
int  digits_cli_train           (int argc, char **argv);
/* digits-cli-bench.c */
int  digits_cli_bench           (int argc, char **argv);
/* digits-cli-tune.c */
int  digits_cli_tune            (int argc, char **argv);
/* digits-cli-explain.c */
int  digits_cli_explain         (int argc, char **argv);
int  digits_cli_mistakes        (int argc, char **argv);
int  digits_cli_classify_raw    (const DigitsModel *model, gboolean json, gboolean show,
                                 int argc, char **argv);
void digits_cli_append_mistakes (GString *out, const DigitsEvaluation *evaluation);

/* digits-cli-util.c: what every command shares. */
int          digits_cli_fail               (const char *command, const char *message);
gboolean     digits_cli_parse_options      (GOptionContext *context, int *argc, char ***argv,
                                            const char *command);
void         digits_cli_append_json_string (GString *out, const char *s);
/* format: a printf float format ("%.6f", "%.6g"); NaN and infinities are null. */
void         digits_cli_append_json_number (GString *out, double v, const char *format);
/* ,"key":v — a member after an object's first. */
void         digits_cli_append_json_member (GString *out, const char *key, double v,
                                            const char *format);
void         digits_cli_append_json_floats (GString *out, const float *v, int n,
                                            const char *format);
/* The model file at path, or the built-in one when path is NULL; the error names it. */
DigitsModel *digits_cli_load_model         (const char *path, GError **error);
/* "could not read “path”: reason", for an image or other input file. */
char        *digits_cli_file_message       (const char *path, const char *reason);
/* A file that could not be read: a JSON line on stdout (its "error" the bare reason) or
 * "digits-cli COMMAND: could not read “path”: reason" on stderr. */
void         digits_cli_report_file_error  (const char *command, const char *path,
                                            const GError *error, gboolean json);
/* MNIST from data_dir or where `digits_dataset_find_mnist` finds it; train or test may be
 * NULL when not wanted. With validation (both wanted) the last 5,000 training digits
 * become the test set. */
gboolean     digits_cli_load_mnist         (const char *data_dir, gboolean validation,
                                            DigitsDataset **train, DigitsDataset **test,
                                            GError **error);

/* digits-cli.c: a 28×28 input drawn in the terminal, two characters a pixel. */
void digits_cli_append_input_picture (GString *out, const float *input);

/* digits-cli.h — the commands digits-cli.c dispatches to, and what they share. */
#pragma once

#include <glib.h>

#include "digits-evaluation.h"
#include "digits-model.h"

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

/* digits-cli.c: a 28×28 input drawn in the terminal, two characters a pixel. */
void digits_cli_append_input_picture (GString *out, const float *input);

/* digits-model.h — a trained network with what it needs to be used, and its file format.
 *
 * The file format (preamble, format 1 and 2 headers, parameters, CRC) is laid out byte by
 * byte in digits-model-private.h; files of format 1 are written for dense-only networks,
 * format 2 for networks with convolutions or pooling.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include "nn/nn.h"

G_BEGIN_DECLS

#define DIGITS_MODEL_MAGIC      "DIGITSNN"
#define DIGITS_MODEL_VERSION    2u   /* the newest format this version reads and writes */
#define DIGITS_MODEL_VERSION_DENSE 1u /* what dense-only networks are written as */
#define DIGITS_MODEL_MAX_PARAMS ((guint64) 64u * 1024u * 1024u)  /* 256 MiB of floats */
#define DIGITS_MODEL_MAX_FILE   (DIGITS_MODEL_MAX_PARAMS * 4u + 65536u)

typedef enum {
  DIGITS_LABELS_DIGITS = 0,
  DIGITS_LABELS_FASHION = 1,
} DigitsLabelSet;

typedef struct {
  NnNet *net;                 /* owned */
  DigitsLabelSet labels;
  GHashTable *metadata;       /* char* → char*, owned */
} DigitsModel;

DigitsModel *digits_model_new        (NnNet *net /* owned */, DigitsLabelSet labels);
DigitsModel *digits_model_copy       (const DigitsModel *model);
void         digits_model_free       (DigitsModel *model);
void         digits_model_set_meta   (DigitsModel *model, const char *key, const char *value);
const char  *digits_model_get_meta   (const DigitsModel *model, const char *key);

GBytes      *digits_model_serialize   (const DigitsModel *model);
/* Loading and saving errors say what is wrong with the file, never its name or path: the
 * caller names the file once, in the person's words ("Could not open “a.model”: …"). */
DigitsModel *digits_model_deserialize (GBytes *bytes, GError **error);
DigitsModel *digits_model_load        (const char *path, GError **error);
/* Atomic: the old file stays whole if anything fails. */
gboolean     digits_model_save        (const DigitsModel *model, const char *path, GError **error);
/* The model compiled into the programs (resources/model/digits.model); its errors, too,
 * leave naming it ("the built-in model") to the caller. */
DigitsModel *digits_model_load_builtin (GError **error);

/* probs: n_classes floats. input: 784 floats from digits_preprocess_*. */
int          digits_model_classify    (const DigitsModel *model, const float *input, float *probs);
/* Short label for class k ("7", "T-shirt/top"). */
const char  *digits_model_class_name  (const DigitsModel *model, int k);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsModel, digits_model_free)

G_END_DECLS

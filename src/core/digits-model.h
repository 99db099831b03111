/* digits-model.h — a trained network with what it needs to be used, and its file format.
 *
 * File (little-endian):
 *   magic "DIGITSNN" (8 bytes), u32 format version (1),
 *   u32 header bytes that follow up to the parameters, then the header:
 *   u32 preprocessing id (1 = MNIST-style 28×28: 20 px box, centre of mass centred),
 *   u32 input side (28), u32 n_classes, u32 n_layers, u32 sizes[n_layers + 1],
 *   u32 activation per hidden layer (1 = ReLU), u32 output (1 = softmax),
 *   u32 label-set id (0 = digits 0–9, 1 = Fashion-MNIST), u32 metadata bytes + UTF-8
 *   text ("key=value\n": dataset, accuracy, epochs, optimizer, created),
 *   u64 n_params, then n_params float32, then u32 CRC-32 (zlib) of everything before it.
 *
 * Format 2, for networks with convolutions or pooling (dense-only nets are still written
 * as format 1, which every Digits reads): the same preamble with version 2, then
 *   u32 preprocessing id (1), u32 input channels (1), u32 input height (28),
 *   u32 input width (28), u32 n_classes, u32 n_layers (the output layer included),
 *   per layer 7 × u32: kind (1 dense, 2 conv, 3 max-pool), size (conv K, pool S, dense 0),
 *   units (dense outputs, conv channels, pool 0), flags (bit 0: 'valid' padding, bit 1:
 *   ReLU after it — set on every conv and dense layer but the last), and the output shape
 *   C, H, W (dense: N, 1, 1), which must follow from the layers before;
 *   u32 output (1 = softmax), u32 label-set id, u32 metadata bytes + text, u64 n_params,
 *   the float32 parameters in the engine's layout (nn.h), u32 CRC-32.
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
DigitsModel *digits_model_deserialize (GBytes *bytes, GError **error);
DigitsModel *digits_model_load        (const char *path, GError **error);
/* Atomic: the old file stays whole if anything fails. */
gboolean     digits_model_save        (const DigitsModel *model, const char *path, GError **error);
/* The model compiled into the programs (resources/model/digits.model). */
DigitsModel *digits_model_load_builtin (GError **error);

/* probs: n_classes floats. input: 784 floats from digits_preprocess_*. */
int          digits_model_classify    (const DigitsModel *model, const float *input, float *probs);
/* Short label for class k ("7", "T-shirt/top"). */
const char  *digits_model_class_name  (const DigitsModel *model, int k);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsModel, digits_model_free)

G_END_DECLS

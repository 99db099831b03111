/* digits-model-private.h — the model file format, in one place, for the files that write
 * and read it (digits-model.c, -write.c, -read.c, -read-header.c). Not for other code:
 * everyone else goes through digits-model.h.
 *
 * A model file, byte by byte. Every number is little-endian; "u32" is 4 bytes, "u64" 8,
 * "f32" an IEEE 754 float stored as its u32 bit pattern.
 *
 * Preamble (every format; PREAMBLE_LEN = 16 bytes):
 *   offset  0   8 bytes  magic "DIGITSNN" (DIGITS_MODEL_MAGIC, MAGIC_LEN)
 *   offset  8   u32      format version: 1 (dense only) or 2 (layer table)
 *   offset 12   u32      H, the header bytes: from offset 16 up to the first parameter,
 *                        the u64 n_params at its end included (8 <= H <= MAX_HEADER_LEN)
 * then the header (H bytes, below), then
 *   offset 16 + H            n_params × f32, the parameters in the engine's layout (nn.h)
 *   offset 16 + H + 4·n      u32 CRC-32 (zlib) of every byte before it
 * so a file is exactly 16 + H + 4·n_params + 4 bytes long, and n_params sits in the
 * 8 bytes just before the parameters.
 *
 * Header, format 1 (written for networks of dense layers only; every Digits reads it):
 *   u32 preprocessing id (PREPROCESS_MNIST: 20 px box, centre of mass centred, 28×28)
 *   u32 input side (INPUT_SIDE = 28)
 *   u32 n_classes (N_CLASSES = 10)
 *   u32 n_layers L (1 to 8)
 *   u32 sizes[L + 1]: sizes[0] = 28 × 28 inputs, sizes[L] = n_classes outputs
 *   u32 activation of each hidden layer, L − 1 of them (ACTIVATION_RELU)
 *   then the common tail.
 *
 * Header, format 2 (networks with convolutions or pooling):
 *   u32 preprocessing id (PREPROCESS_MNIST)
 *   u32 input channels (1), u32 input height (28), u32 input width (28)
 *   u32 n_classes (10)
 *   u32 n_layers L (1 to NN_MAX_LAYERS, the output layer included)
 *   per layer, LAYER_FIELDS = 7 × u32:
 *     kind     KIND_DENSE, KIND_CONV or KIND_POOL (max-pool)
 *     size     conv kernel K, pool stride S, dense 0
 *     units    dense outputs, conv channels, pool 0
 *     flags    FLAG_VALID ('valid' padding) | FLAG_RELU (ReLU after it: set on every
 *              conv and dense layer but the last)
 *     C, H, W  its output shape (dense: N, 1, 1), which must follow from the layers before
 *   then the common tail.
 *
 * Common tail of the header (both formats):
 *   u32 output (OUTPUT_SOFTMAX)
 *   u32 label set (DIGITS_LABELS_DIGITS = 0, DIGITS_LABELS_FASHION = 1)
 *   u32 M, the metadata bytes, then M bytes of UTF-8 "key=value\n" lines, sorted by key
 *       (dataset, accuracy, epochs, optimizer, created, …)
 *   u64 n_params
 */
#pragma once

#include <glib.h>

#include "digits-model.h"

G_BEGIN_DECLS

#define MAGIC_LEN        8u
/* Above this, a format number is damage, not a newer Digits (see digits-model-read.c). */
#define MAX_PLAUSIBLE_VERSION 1000u
#define PREAMBLE_LEN     16u                /* magic, version, header bytes */
#define MAX_HEADER_LEN   65536u             /* the slack DIGITS_MODEL_MAX_FILE leaves */
#define INPUT_SIDE       28u
#define N_CLASSES        10u

enum {
  PREPROCESS_MNIST = 1,                     /* 20 px box, centre of mass centred, 28×28 */
};

enum {
  ACTIVATION_RELU = 1,
};

enum {
  OUTPUT_SOFTMAX = 1,
};

/* Format 2's layer kinds and flags. */
enum {
  KIND_DENSE = 1,
  KIND_CONV = 2,
  KIND_POOL = 3,
};

#define FLAG_VALID 1u
#define FLAG_RELU  2u
#define LAYER_FIELDS 7u

/* CRC-32 (zlib's) of len bytes, len of any size (digits-model-write.c). */
guint32  digits_model_crc          (const guint8 *data, gsize len);
/* The little-endian u32 at p (digits-model-read.c). */
guint32  digits_model_get_le32     (const guint8 *p);
/* The header's len bytes (after the preamble, the u64 n_params at its end included) of a
 * file of format version 1 or 2, whose CRC has already been checked: fills arch, labels
 * and metadata, or fails with a DIGITS_ERROR (digits-model-read-header.c). */
gboolean digits_model_parse_header (guint32 version, const guint8 *data, gsize len,
                                    NnArch *arch, DigitsLabelSet *labels,
                                    GHashTable *metadata, GError **error);

G_END_DECLS

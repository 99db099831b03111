/* digits-augment.h — random distortions of 28×28 training digits, so the network
 * learns the variety of real handwriting (shifts, rotations, scale, shear, stroke
 * thickness) and not only MNIST's own. */
#pragma once

#include <glib.h>
#include "nn/nn.h"

G_BEGIN_DECLS

typedef struct {
  float max_rotate_deg;   /* ±, default 12 */
  float max_scale;        /* relative, default 0.12 (0.88 .. 1.12) */
  float max_shear;        /* default 0.15 */
  float max_shift;        /* pixels, default 2.0 */
  float thickness_prob;   /* chance of thickening or thinning the strokes, default 0.3 */
} DigitsAugmentConfig;

void digits_augment_config_defaults (DigitsAugmentConfig *config);

/* in, out: side × side bytes (0 background .. 255 ink); in != out. */
void digits_augment (const DigitsAugmentConfig *config, NnRng *rng,
                     const guint8 *in, guint8 *out, int side);

G_END_DECLS

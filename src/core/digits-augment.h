/* digits-augment.h — random distortions of 28×28 training digits, so the network
 * learns the variety of real handwriting (shifts, rotations, scale, shear, stroke
 * thickness) and not only MNIST's own. */
#pragma once

#include <glib.h>
#include "nn/nn.h"

G_BEGIN_DECLS

typedef struct {
  float max_rotate_deg;   /* ±, default 15 */
  float max_scale;        /* relative, default 0.15 (0.85 .. 1.15) */
  float max_shear;        /* default 0.25 */
  float max_shift;        /* pixels, default 2.0 */
  float thickness_prob;   /* chance of thickening or thinning the strokes, default 0.5 */
  /* Elastic distortion (Simard et al. 2003): a random displacement field, uniform noise in
   * [−1, 1] per pixel and axis smoothed by a Gaussian of elastic_sigma pixels (normalised
   * to sum 1), times elastic_alpha pixels; applied with chance elastic_prob. Off by
   * default: for the 128-128 MLP it cost handwriting accuracy (see the commit). */
  float elastic_prob;     /* default 0 */
  float elastic_alpha;    /* default 34 */
  float elastic_sigma;    /* pixels, default 4 */
  /* Chance of giving a "1" the long flag many Europeans write (see digits_augment_one). */
  float flag_one_prob;    /* default 0.3 */
} DigitsAugmentConfig;

void digits_augment_config_defaults (DigitsAugmentConfig *config);

/* in, out: side × side bytes (0 background .. 255 ink); in != out. */
void digits_augment (const DigitsAugmentConfig *config, NnRng *rng,
                     const guint8 *in, guint8 *out, int side);

/* With chance flag_one_prob, draws a flag on a "1": a stroke from the top of the stem
 * down to the left, as wide as the stem, 25–45% of the digit’s height long, 30–60° below
 * the horizontal. MNIST's writers (American Census staff and students) rarely wrote one,
 * so without this a flagged 1 reads as a 7. img: side × side bytes, changed in place. */
void digits_augment_one (const DigitsAugmentConfig *config, NnRng *rng, guint8 *img, int side);

G_END_DECLS

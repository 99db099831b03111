/* digits-activations.h — what each layer sees, as small images for a view to draw.
 *
 * For one input, every layer's output becomes a stack of maps: a convolution's or
 * pooling's channels are its feature maps (height × width each); a dense layer is one map,
 * its units laid out row by row in a near-square grid (cells past the last unit are NAN,
 * to be left blank); the last layer is the class probabilities, a 1 × classes row.
 * The first layer's weights are maps too: a convolution's filters (K × K, over the input's
 * first channel), or a dense layer's weights into each unit laid out as the 28 × 28 input.
 * Plain floats and shapes, no toolkit: a widget shades them (activations from 0 to `hi`,
 * weights symmetric around 0, see lo and hi).
 */
#pragma once

#include <glib.h>

#include "digits-model.h"

G_BEGIN_DECLS

typedef struct {
  char name[32];          /* "conv3x32", "pool2", "dense128", "output", "conv3x32 filters" */
  int n_maps;
  int height, width;      /* of each map */
  int n_values;           /* real values: units of a dense layer; n_maps × height × width else */
  float lo, hi;           /* the smallest and largest real value of all the maps */
  float *values;          /* n_maps × height × width, map by map, row by row */
} DigitsMaps;

typedef struct {
  int n_layers;
  DigitsMaps *layers;     /* one per layer of the network, input side first */
} DigitsActivations;

/* input: the network's input (sizes[0] values). NULL with an error when memory ran out. */
DigitsActivations *digits_activations_new  (const DigitsModel *model,
                                            const float       *input,
                                            GError           **error);
void               digits_activations_free (DigitsActivations *activations);

/* The first layer's weights as maps (see above). Free with digits_maps_free. */
DigitsMaps        *digits_first_layer_maps (const DigitsModel *model, GError **error);
void               digits_maps_free        (DigitsMaps *maps);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsActivations, digits_activations_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsMaps, digits_maps_free)

G_END_DECLS

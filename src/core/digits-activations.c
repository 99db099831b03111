/* digits-activations.c — each layer's output and the first layer's weights as maps.
 *
 * The engine gives every layer's output in C×H×W order (nn_net_forward_layers) and the
 * first layer's weights filter by filter (nn_net_first_filter); this only lays them out
 * as images and finds their range, so any network the engine builds can be shown.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "digits-activations.h"
#include "digits-dataset.h"
#include "digits-look-private.h"
#include "digits-preprocess.h"

static void
name_layer (const NnNet *net, int l, char *name, gsize len)
{
  const NnLayer *layer = &net->layers[l];

  if (l == net->n_layers - 1)
    /* TRANSLATORS: the network's last layer, in the layer view */
    g_strlcpy (name, _("output"), len);
  else if (layer->kind == NN_LAYER_CONV)
    g_snprintf (name, len, "conv%dx%d%s", layer->size, layer->units, layer->valid ? "v" : "");
  else if (layer->kind == NN_LAYER_POOL)
    g_snprintf (name, len, "pool%d", layer->size);
  else
    g_snprintf (name, len, "dense%d", layer->units);
}

/* Shapes maps for n values: feature maps as they are, a flat vector as a grid. */
static void
shape_maps (DigitsMaps *maps, int n_maps, int height, int width, int n_values)
{
  maps->n_maps = n_maps;
  maps->height = height;
  maps->width = width;
  maps->n_values = n_values;
}

static void
shape_grid (DigitsMaps *maps, int units)
{
  int columns = (int) ceil (sqrt ((double) units));
  shape_maps (maps, 1, (units + columns - 1) / columns, columns, units);
}

static void
find_range (DigitsMaps *maps)
{
  const int total = maps->n_maps * maps->height * maps->width;

  maps->lo = INFINITY;
  maps->hi = -INFINITY;
  for (int i = 0; i < total; i++)
    if (!isnan (maps->values[i]))
      {
        maps->lo = MIN (maps->lo, maps->values[i]);
        maps->hi = MAX (maps->hi, maps->values[i]);
      }
}

/* Allocates values for the shape, padding (cells past n_values) NAN. */
static gboolean
alloc_values (DigitsMaps *maps, GError **error)
{
  const gsize total = (gsize) maps->n_maps * maps->height * maps->width;

  maps->values = g_try_new (float, MAX (total, 1));
  if (maps->values == NULL)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("Not enough memory to show the layers"));
      return FALSE;
    }
  for (gsize i = (gsize) maps->n_values; i < total; i++)
    maps->values[i] = NAN;
  return TRUE;
}

DigitsActivations *
digits_activations_new (const DigitsModel *model, const float *input, GError **error)
{
  g_return_val_if_fail (model != NULL && model->net != NULL, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const NnNet *net = model->net;
  g_autoptr(DigitsActivations) self = g_new0 (DigitsActivations, 1);
  float *outs[NN_MAX_LAYERS] = { NULL };

  self->n_layers = net->n_layers;
  self->layers = g_new0 (DigitsMaps, net->n_layers);
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *layer = &net->layers[l];
      DigitsMaps *maps = &self->layers[l];

      name_layer (net, l, maps->name, sizeof maps->name);
      if (l == net->n_layers - 1)
        shape_maps (maps, 1, 1, layer->out_c, layer->out_c);
      else if (layer->kind == NN_LAYER_DENSE)
        shape_grid (maps, layer->out_c);
      else
        shape_maps (maps, layer->out_c, layer->out_h, layer->out_w,
                    layer->out_c * layer->out_h * layer->out_w);
      if (!alloc_values (maps, error))
        return NULL;
      outs[l] = maps->values;
    }

  /* The engine writes sizes[l + 1] values from the start: exactly n_values, before the
   * grid's padding. */
  if (nn_net_forward_layers (net, input, outs) != 0)
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                           _("Not enough memory to show the layers"));
      return NULL;
    }
  for (int l = 0; l < net->n_layers; l++)
    find_range (&self->layers[l]);
  return g_steal_pointer (&self);
}

void
digits_activations_free (DigitsActivations *self)
{
  if (self == NULL)
    return;
  for (int l = 0; l < self->n_layers; l++)
    g_free (self->layers[l].values);
  g_free (self->layers);
  g_free (self);
}

DigitsMaps *
digits_first_layer_maps (const DigitsModel *model, GError **error)
{
  g_return_val_if_fail (model != NULL && model->net != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  const NnNet *net = model->net;
  const NnLayer *first = &net->layers[0];
  g_autoptr(DigitsMaps) maps = g_new0 (DigitsMaps, 1);
  int side_h, side_w, per_map;

  if (first->kind == NN_LAYER_CONV)
    {
      side_h = side_w = first->size;
      char spec[sizeof maps->name];

      name_layer (net, 0, spec, sizeof spec);   /* its spec token: "conv3x16" */
      /* TRANSLATORS: the first layer's filters; %s is its spec, such as conv3x16 */
      g_snprintf (maps->name, sizeof maps->name, _("%s filters"), spec);
    }
  else if (first->kind == NN_LAYER_DENSE && look_n_inputs (model) == DIGITS_PIXELS)
    {
      side_h = side_w = DIGITS_SIDE;
      if (net->n_layers == 1)
        /* TRANSLATORS: the weights of a network with one layer, in the layer view */
        g_strlcpy (maps->name, _("output weights"), sizeof maps->name);
      else
        /* TRANSLATORS: the first dense layer's weights; %d is its number of units */
        g_snprintf (maps->name, sizeof maps->name, _("dense%d weights"), first->units);
    }
  else
    {
      g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED,
                           _("The first layer's weights cannot be shown as images"));
      return NULL;
    }
  per_map = side_h * side_w;
  shape_maps (maps, first->out_c, side_h, side_w, first->out_c * per_map);
  if (!alloc_values (maps, error))
    return NULL;
  /* Input channel 0: the grey input has only that one. */
  for (int f = 0; f < first->out_c; f++)
    if (nn_net_first_filter (net, f, 0, maps->values + (gsize) f * per_map) != 0)
      {
        g_set_error_literal (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                             _("The first layer's weights could not be read"));
        return NULL;
      }
  find_range (maps);
  return g_steal_pointer (&maps);
}

void
digits_maps_free (DigitsMaps *maps)
{
  if (maps == NULL)
    return;
  g_free (maps->values);
  g_free (maps);
}

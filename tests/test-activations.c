/* test-activations.c — the layer view's numbers: every layer's maps hold what that layer
 * computes (checked against a forward pass written out here), shaped as promised, for a
 * dense and a convolutional net; the first layer's weights come out as images. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "digits-activations.h"
#include "digits-model.h"
#include "digits-preprocess.h"

static void
make_input (float *input, guint64 seed)
{
  NnRng rng;

  nn_rng_seed (&rng, seed, 1);
  memset (input, 0, sizeof (float) * DIGITS_PIXELS);
  /* A thick diagonal bar with grey edges, some noise elsewhere. */
  for (int y = 4; y < 24; y++)
    for (int x = 0; x < DIGITS_SIDE; x++)
      {
        int d = abs (x - (30 - y));
        input[y * DIGITS_SIDE + x] = d < 2 ? 1.0f : d < 3 ? 0.5f : 0.0f;
      }
  for (int i = 0; i < 30; i++)
    input[nn_rng_below (&rng, DIGITS_PIXELS)] = nn_rng_uniform (&rng);
}

static void
check_range (const DigitsMaps *maps)
{
  float lo = INFINITY, hi = -INFINITY;
  int real = 0;

  for (int i = 0; i < maps->n_maps * maps->height * maps->width; i++)
    {
      if (i >= maps->n_values)
        {
          g_assert_true (isnan (maps->values[i]));
          continue;
        }
      g_assert_false (isnan (maps->values[i]));
      lo = MIN (lo, maps->values[i]);
      hi = MAX (hi, maps->values[i]);
      real++;
    }
  g_assert_cmpint (real, ==, maps->n_values);
  g_assert_cmpfloat (maps->lo, ==, lo);
  g_assert_cmpfloat (maps->hi, ==, hi);
}

static void
check_output (const DigitsModel *model, const float *input, const DigitsMaps *out)
{
  float probs[10];

  digits_model_classify (model, input, probs);
  g_assert_cmpstr (out->name, ==, "output");
  g_assert_cmpint (out->n_maps, ==, 1);
  g_assert_cmpint (out->height, ==, 1);
  g_assert_cmpint (out->width, ==, 10);
  for (int k = 0; k < 10; k++)
    g_assert_cmpfloat_with_epsilon (out->values[k], probs[k], 1e-6);
}

static void
test_dense (void)
{
  g_autoptr(GError) error = NULL;
  const int sizes[] = { DIGITS_PIXELS, 50, 20, 10 };
  NnNet *net = nn_net_new (sizes, G_N_ELEMENTS (sizes));
  nn_net_init_he (net, 3);
  for (int o = 0; o < 50; o++)
    net->b[0][o] = 0.02f * (o % 7 - 3);
  g_autoptr(DigitsModel) model = digits_model_new (net, DIGITS_LABELS_DIGITS);
  float input[DIGITS_PIXELS];

  make_input (input, 1);
  g_autoptr(DigitsActivations) a = digits_activations_new (model, input, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->n_layers, ==, 3);

  /* 50 units: an 8-wide grid of 7 rows, the last 6 cells blank. */
  const DigitsMaps *first = &a->layers[0];
  g_assert_cmpstr (first->name, ==, "dense50");
  g_assert_cmpint (first->n_maps, ==, 1);
  g_assert_cmpint (first->width, ==, 8);
  g_assert_cmpint (first->height, ==, 7);
  g_assert_cmpint (first->n_values, ==, 50);
  int active = 0;
  for (int o = 0; o < 50; o++)
    {
      double z = net->b[0][o];
      for (int i = 0; i < DIGITS_PIXELS; i++)
        z += (double) input[i] * net->w[0][i * 50 + o];
      g_assert_cmpfloat_with_epsilon (first->values[o], MAX (z, 0.0), 1e-4);
      active += z > 0;
    }
  g_assert_cmpint (active, >, 5);             /* the check saw ReLUs on and off */
  g_assert_cmpint (active, <, 45);
  check_range (first);

  g_assert_cmpstr (a->layers[1].name, ==, "dense20");
  g_assert_cmpint (a->layers[1].width, ==, 5);
  g_assert_cmpint (a->layers[1].height, ==, 4);
  check_range (&a->layers[1]);
  check_output (model, input, &a->layers[2]);
  check_range (&a->layers[2]);

  /* The first layer's weights: 50 maps of 28×28, unit by unit. */
  g_autoptr(DigitsMaps) w = digits_first_layer_maps (model, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (w->name, ==, "dense50 weights");
  g_assert_cmpint (w->n_maps, ==, 50);
  g_assert_cmpint (w->height, ==, DIGITS_SIDE);
  g_assert_cmpint (w->width, ==, DIGITS_SIDE);
  for (int f = 0; f < 50; f++)
    for (int i = 0; i < DIGITS_PIXELS; i++)
      g_assert_cmpfloat (w->values[f * DIGITS_PIXELS + i], ==, net->w[0][i * 50 + f]);
  check_range (w);
  g_assert_cmpfloat (w->lo, <, 0.0f);
  g_assert_cmpfloat (w->hi, >, 0.0f);
}

static void
test_convolutional (void)
{
  g_autoptr(GError) error = NULL;
  NnArch arch;
  char err[200];

  g_assert_cmpint (nn_arch_parse ("conv3x4,pool2,dense16", 1, DIGITS_SIDE, DIGITS_SIDE, 10,
                                  &arch, err, sizeof err), ==, 0);
  NnNet *net = nn_net_new_arch (&arch);
  nn_net_init_he (net, 4);
  for (int f = 0; f < 4; f++)
    net->b[0][f] = 0.1f * (f - 2);
  g_autoptr(DigitsModel) model = digits_model_new (net, DIGITS_LABELS_DIGITS);
  float input[DIGITS_PIXELS];

  make_input (input, 2);
  g_autoptr(DigitsActivations) a = digits_activations_new (model, input, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->n_layers, ==, 4);

  /* conv3x4, 'same': four 28×28 feature maps, checked pixel by pixel. */
  const DigitsMaps *conv = &a->layers[0];
  g_assert_cmpstr (conv->name, ==, "conv3x4");
  g_assert_cmpint (conv->n_maps, ==, 4);
  g_assert_cmpint (conv->height, ==, DIGITS_SIDE);
  g_assert_cmpint (conv->width, ==, DIGITS_SIDE);
  for (int f = 0; f < 4; f++)
    {
      float filter[9];
      g_assert_cmpint (nn_net_first_filter (net, f, 0, filter), ==, 0);
      for (int y = 0; y < DIGITS_SIDE; y++)
        for (int x = 0; x < DIGITS_SIDE; x++)
          {
            double z = net->b[0][f];
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++)
                {
                  int iy = y + ky - 1, ix = x + kx - 1;
                  if (iy >= 0 && iy < DIGITS_SIDE && ix >= 0 && ix < DIGITS_SIDE)
                    z += (double) input[iy * DIGITS_SIDE + ix] * filter[ky * 3 + kx];
                }
            g_assert_cmpfloat_with_epsilon (conv->values[(f * DIGITS_SIDE + y) * DIGITS_SIDE + x],
                                            MAX (z, 0.0), 1e-5);
          }
    }
  check_range (conv);

  /* pool2: each map the 2×2 maxima of the one above. */
  const DigitsMaps *pool = &a->layers[1];
  g_assert_cmpstr (pool->name, ==, "pool2");
  g_assert_cmpint (pool->n_maps, ==, 4);
  g_assert_cmpint (pool->height, ==, 14);
  g_assert_cmpint (pool->width, ==, 14);
  for (int f = 0; f < 4; f++)
    for (int y = 0; y < 14; y++)
      for (int x = 0; x < 14; x++)
        {
          const float *c = conv->values + f * DIGITS_PIXELS;
          float m = MAX (MAX (c[2 * y * 28 + 2 * x], c[2 * y * 28 + 2 * x + 1]),
                         MAX (c[(2 * y + 1) * 28 + 2 * x], c[(2 * y + 1) * 28 + 2 * x + 1]));
          g_assert_cmpfloat (pool->values[(f * 14 + y) * 14 + x], ==, m);
        }
  check_range (pool);

  g_assert_cmpstr (a->layers[2].name, ==, "dense16");
  g_assert_cmpint (a->layers[2].width, ==, 4);
  g_assert_cmpint (a->layers[2].height, ==, 4);
  check_range (&a->layers[2]);
  check_output (model, input, &a->layers[3]);

  /* Its filters: four 3×3 maps, as the engine stores them. */
  g_autoptr(DigitsMaps) w = digits_first_layer_maps (model, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (w->name, ==, "conv3x4 filters");
  g_assert_cmpint (w->n_maps, ==, 4);
  g_assert_cmpint (w->height, ==, 3);
  g_assert_cmpint (w->width, ==, 3);
  for (int f = 0; f < 4; f++)
    for (int i = 0; i < 9; i++)
      g_assert_cmpfloat (w->values[f * 9 + i], ==, net->w[0][i * 4 + f]);
  check_range (w);
}

/* The built-in model, whatever it is today, gives a map per layer ending in its answer. */
static void
test_builtin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  float input[DIGITS_PIXELS];

  make_input (input, 3);
  g_autoptr(DigitsActivations) a = digits_activations_new (model, input, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->n_layers, ==, model->net->n_layers);
  for (int l = 0; l < a->n_layers; l++)
    {
      g_test_message ("layer %d: %s, %d map(s) of %d x %d, %.3f to %.3f", l, a->layers[l].name,
                      a->layers[l].n_maps, a->layers[l].height, a->layers[l].width,
                      a->layers[l].lo, a->layers[l].hi);
      g_assert_cmpint (a->layers[l].n_values, ==, model->net->sizes[l + 1]);
      check_range (&a->layers[l]);
    }
  check_output (model, input, &a->layers[a->n_layers - 1]);
  g_autoptr(DigitsMaps) w = digits_first_layer_maps (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (w->n_maps, ==, model->net->layers[0].out_c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/activations/dense", test_dense);
  g_test_add_func ("/activations/convolutional", test_convolutional);
  g_test_add_func ("/activations/builtin", test_builtin);
  return g_test_run ();
}

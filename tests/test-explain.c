/* test-explain.c — saliency: the gradient is the real one (finite differences), integrated
 * gradients share out exactly the change they explain, the overlay's colours mean what the
 * README says, and raw 28×28 inputs are read exactly or refused clearly.
 * (Faithfulness on MNIST is test-faithfulness.c.) */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "digits-dataset.h"
#include "digits-explain.h"
#include "digits-model.h"
#include "digits-preprocess.h"
#include "test-util.h"


/* A 7 drawn with two strokes, as the canvas would give it. */
static void
make_seven (float *input)
{
  DigitsStroke strokes[2];
  const DigitsPoint bar[] = { { 10, 10 }, { 60, 10 } };
  const DigitsPoint stem[] = { { 60, 10 }, { 30, 90 } };

  strokes[0].points = g_array_new (FALSE, FALSE, sizeof (DigitsPoint));
  strokes[1].points = g_array_new (FALSE, FALSE, sizeof (DigitsPoint));
  g_array_append_vals (strokes[0].points, bar, 2);
  g_array_append_vals (strokes[1].points, stem, 2);
  g_assert_true (digits_preprocess_strokes (strokes, 2, 1.0f, input));
  g_array_unref (strokes[0].points);
  g_array_unref (strokes[1].points);
}

static double
log_prob (const DigitsModel *model, const float *input, int k)
{
  float probs[10];
  digits_model_classify (model, input, probs);
  return log ((double) probs[k]);
}

/* A fresh random net of other sizes: the gradient must not rely on the built-in's shape. */
static DigitsModel *
make_random_model (void)
{
  const int sizes[] = { DIGITS_PIXELS, 40, 24, 10 };
  NnNet *net = nn_net_new (sizes, G_N_ELEMENTS (sizes));
  nn_net_init_he (net, 9);
  /* Non-zero biases, so ReLUs switch off somewhere and the gradient has kinks to get right. */
  for (int l = 0; l < net->n_layers; l++)
    for (int o = 0; o < net->sizes[l + 1]; o++)
      net->b[l][o] = 0.1f * ((o % 5) - 2);
  return digits_model_new (net, DIGITS_LABELS_DIGITS);
}

/* Difference quotients of the engine's own (float) forward pass at pixel i: central, and
 * one-sided on either side (quotients[0..2]). */
static void
difference_quotients (const DigitsModel *model, const float *input, int target, int i,
                      double h, double quotients[3])
{
  float point[DIGITS_PIXELS];

  memcpy (point, input, sizeof point);
  double here = log_prob (model, point, target);
  point[i] = input[i] + (float) h;
  double up = log_prob (model, point, target);
  point[i] = input[i] - (float) h;
  double down = log_prob (model, point, target);
  quotients[0] = (up - down) / (2 * h);
  quotients[1] = (up - here) / h;
  quotients[2] = (here - down) / h;
}

/* A small random convolutional net: the saliency path is the engine's, for every layer kind. */
static DigitsModel *
make_random_conv_model (void)
{
  NnArch arch;
  char err[200];

  g_assert_cmpint (nn_arch_parse ("conv3x4,pool2,conv3x6v,dense16", 1, DIGITS_SIDE, DIGITS_SIDE,
                                  10, &arch, err, sizeof err), ==, 0);
  NnNet *net = nn_net_new_arch (&arch);
  g_assert_nonnull (net);
  nn_net_init_he (net, 5);
  for (int l = 0; l < net->n_layers; l++)
    if (net->b[l] != NULL)
      for (size_t o = 0; o < net->layers[l].n_biases; o++)
        net->b[l][o] = 0.05f * ((int) (o % 5) - 2);
  return digits_model_new (net, DIGITS_LABELS_DIGITS);
}

static void
check_gradient (const DigitsModel *model, const float *input, int target)
{
  static const double steps[] = { 1e-2, 3e-3, 1e-3, 3e-4 };
  float gradient[DIGITS_PIXELS];
  g_autoptr(GError) error = NULL;
  double largest = 0, worst = 0;
  int by_step[G_N_ELEMENTS (steps)] = { 0 };
  int mismatched = 0;
  /* Under the sanitizers every 7th pixel: each is two forward passes of the CNN. */
  const int stride = TEST_SANITIZED ? 7 : 1;

  g_assert_true (digits_explain_gradient (model, input, target, gradient, &error));
  g_assert_no_error (error);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    largest = MAX (largest, fabs (gradient[i]));
  g_assert_cmpfloat (largest, >, 1e-2);

  /* A ReLU network is piecewise linear: a unit whose input is near zero puts a kink within
   * a large step (then only the quotient on the gradient's side of it matches), and a
   * small step drowns in the float forward pass's rounding. So each pixel's gradient must
   * match a difference quotient at one of a few steps; a wrong gradient would not match at
   * any (tolerance 2% of the largest). */
  for (int i = 0; i < DIGITS_PIXELS; i += stride)
    {
      double best = INFINITY;
      guint s;
      for (s = 0; s < G_N_ELEMENTS (steps); s++)
        {
          double q[3], diff = INFINITY;
          difference_quotients (model, input, target, i, steps[s], q);
          for (int side = 0; side < 3; side++)
            diff = MIN (diff, fabs (q[side] - gradient[i]));
          best = MIN (best, diff);
          if (diff <= 0.02 * largest)
            break;
        }
      if (s == G_N_ELEMENTS (steps))
        {
          /* A max-pool window whose two largest values lie closer than the step switches
           * inside it: the quotient there mixes two linear pieces. A handful of such pixels
           * is geometry; a wrong gradient fails at most of them. */
          g_test_message ("pixel %d: gradient %.5f, nearest difference quotient %.5f away",
                          i, gradient[i], best);
          mismatched++;
          continue;
        }
      by_step[s]++;
      worst = MAX (worst, best / largest);
    }
  g_assert_cmpint (mismatched, <=, DIGITS_PIXELS / 100);
  g_test_message ("class %d: largest |gradient| %.4f; pixels agreeing at step 1e-2: %d, "
                  "3e-3: %d, 1e-3: %d, 3e-4: %d; worst %.2e of the largest", target, largest,
                  by_step[0], by_step[1], by_step[2], by_step[3], worst);
  /* Most pixels must agree at the first step already, or the tolerance does the work. */
  g_assert_cmpint (by_step[0], >=, DIGITS_PIXELS / stride / 2);
}

static void
test_gradient_matches_finite_differences (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) builtin = digits_model_load_builtin (&error);
  g_autoptr(DigitsModel) random = make_random_model ();
  g_autoptr(DigitsModel) conv = make_random_conv_model ();
  float seven[DIGITS_PIXELS], faint[DIGITS_PIXELS], noisy[DIGITS_PIXELS], probs[10];
  NnRng rng;

  make_seven (seven);
  g_assert_cmpint (digits_model_classify (builtin, seven, probs), ==, 7);
  /* Max-pooling a blank area compares equal values: a tie, where the function has no
   * derivative to check (the built-in model is convolutional). A little noise on every
   * pixel breaks the ties. */
  nn_rng_seed (&rng, 2, 2);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    noisy[i] = 0.8f * seven[i] + 0.2f * nn_rng_uniform (&rng);
  check_gradient (builtin, noisy, 1);   /* "why not a 1" */
  check_gradient (random, seven, 3);
  check_gradient (conv, noisy, 3);
  check_gradient (conv, noisy, 8);

  /* The answer itself is so sure (log p ≈ 0) that its gradient vanishes at the digit;
   * check it where integrated gradients go, on the way from the blank input. */
  for (int i = 0; i < DIGITS_PIXELS; i++)
    faint[i] = 0.3f * noisy[i];
  digits_model_classify (builtin, faint, probs);
  g_test_message ("a faint 7: p(7) = %.3f", probs[7]);
  check_gradient (builtin, faint, 7);
}

/* d log p_k / dx = Σ_j≠k p_j (dz_k/dx − dz_j/dx): the same gradient from the raw class
 * scores' gradients. It must hold where the answer is so sure that p_k rounds to 1.0f,
 * which difference quotients of the float probabilities cannot see (log 1.0f = 0). */
static void
check_against_logits (const DigitsModel *model, const float *input, int k)
{
  float probs[10], gradient[DIGITS_PIXELS], logit[10][DIGITS_PIXELS];
  g_autoptr(GError) error = NULL;
  double err = 0, norm = 0;

  digits_model_classify (model, input, probs);
  g_assert_true (digits_explain_gradient (model, input, k, gradient, &error));
  for (int c = 0; c < 10; c++)
    g_assert_cmpint (nn_net_input_gradient (model->net, input, c, NN_GRAD_LOGIT, logit[c]),
                     ==, 0);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    {
      double want = 0;
      for (int c = 0; c < 10; c++)
        if (c != k)
          want += (double) probs[c] * (logit[k][i] - logit[c][i]);
      err += (gradient[i] - want) * (gradient[i] - want);
      norm += want * want;
    }
  g_test_message ("p(%d) = %.9g: relative error %.2e", k, probs[k], sqrt (err / norm));
  g_assert_cmpfloat (norm, >, 0.0);
  g_assert_cmpfloat (sqrt (err / norm), <, 1e-3);
}

static void
test_gradient_of_a_sure_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) builtin = digits_model_load_builtin (&error);
  g_autoptr(DigitsModel) random = make_random_model ();
  float seven[DIGITS_PIXELS], probs[10];

  make_seven (seven);
  check_against_logits (builtin, seven, 7);
  check_against_logits (builtin, seven, 2);

  /* Output weights fifty times too large: the answer's p is 1.0f in float. */
  NnNet *net = random->net;
  for (size_t i = 0; i < net->layers[net->n_layers - 1].n_weights; i++)
    net->w[net->n_layers - 1][i] *= 50.0f;
  int answer = digits_model_classify (random, seven, probs);
  g_assert_cmpfloat (probs[answer], ==, 1.0f);
  check_against_logits (random, seven, answer);
}

/* The sum of integrated gradients converges to the change it explains, but unevenly: the
 * gradient of a ReLU net jumps along the path (see DIGITS_SALIENCY_STEPS). Measured on the
 * built-in model (label smoothing, logits scaled 2.49) and this 7, all ten classes: the
 * miss at 1,024 steps was at most 0.024 (class 0, change −3.27) and 4.4% of the change
 * (class 5, −0.50); at the default 256 steps at most 0.105 (class 8, −0.47). The 1% at
 * 512 steps and 5% at 64 that held on the built-in trained without smoothing do not hold
 * on this one; the bounds below leave room for another build. */
#define FINE_STEPS 1024

static void
test_integrated_gradients_complete (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  float seven[DIGITS_PIXELS], blank[DIGITS_PIXELS] = { 0 }, saliency[DIGITS_PIXELS];

  make_seven (seven);
  /* 1,280 backward passes of the CNN a class: under the sanitizers (~20–30 times slower)
   * one class shows the memory is handled right; the plain build checks four. */
  for (int target = 0; target < 10; target += TEST_SANITIZED ? 10 : 3)
    {
      double change = log_prob (model, seven, target) - log_prob (model, blank, target);
      double sum = 0, sum_default = 0;

      g_assert_true (digits_explain_saliency (model, seven, target,
                                              DIGITS_SALIENCY_INTEGRATED_GRADIENTS, FINE_STEPS,
                                              saliency, &error));
      for (int i = 0; i < DIGITS_PIXELS; i++)
        {
          sum += saliency[i];
          /* Where there is no ink there is nothing to owe. */
          if (seven[i] == 0.0f)
            g_assert_cmpfloat (saliency[i], ==, 0.0f);
        }
      g_assert_true (digits_explain_saliency (model, seven, target,
                                              DIGITS_SALIENCY_INTEGRATED_GRADIENTS, 0,
                                              saliency, &error));
      for (int i = 0; i < DIGITS_PIXELS; i++)
        sum_default += saliency[i];
      g_test_message ("class %d: log p change %.4f, sum of saliency %.4f (%d steps), %.4f (%d)",
                      target, change, sum, FINE_STEPS, sum_default, DIGITS_SALIENCY_STEPS);
      g_assert_cmpfloat (fabs (sum - change), <=, 0.03 * fabs (change) + 0.03);
      g_assert_cmpfloat (fabs (sum_default - change), <=, 0.1 * fabs (change) + 0.1);
    }
}

static void
test_gradient_times_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  float seven[DIGITS_PIXELS], gradient[DIGITS_PIXELS], saliency[DIGITS_PIXELS];

  make_seven (seven);
  g_assert_true (digits_explain_gradient (model, seven, 7, gradient, &error));
  g_assert_true (digits_explain_saliency (model, seven, 7, DIGITS_SALIENCY_GRADIENT_X_INPUT,
                                          0, saliency, &error));
  for (int i = 0; i < DIGITS_PIXELS; i++)
    g_assert_cmpfloat (saliency[i], ==, seven[i] * gradient[i]);
}

static void
test_bad_target (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DigitsModel) model = digits_model_load_builtin (&error);
  float seven[DIGITS_PIXELS], saliency[DIGITS_PIXELS];

  make_seven (seven);
  g_assert_false (digits_explain_saliency (model, seven, 10,
                                           DIGITS_SALIENCY_INTEGRATED_GRADIENTS, 0,
                                           saliency, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "There is no class 10 to explain (the model has classes 0 to 9)");
}

static void
test_overlay_colours (void)
{
  float saliency[DIGITS_PIXELS] = { 0 };
  guint8 rgba[DIGITS_PIXELS * 4];

  saliency[0] = 2.0f;      /* strongest for */
  saliency[1] = -0.5f;     /* against, a quarter as strong: half the opacity (square root) */
  saliency[2] = -2.0f;     /* strongest against */
  digits_saliency_overlay_rgba (saliency, rgba);

  g_assert_cmpuint (rgba[0], >, 200);                      /* red */
  g_assert_cmpuint (rgba[2], <, 60);
  g_assert_cmpuint (rgba[3], ==, 230);
  g_assert_cmpuint (rgba[4 + 2], >, 200);                  /* blue */
  g_assert_cmpuint (rgba[4], <, 60);
  g_assert_cmpuint (rgba[4 + 3], ==, 115);
  g_assert_cmpuint (rgba[8 + 3], ==, 230);
  for (int i = 3; i < DIGITS_PIXELS; i++)
    g_assert_cmpuint (rgba[4 * i + 3], ==, 0);             /* nothing: transparent */

  memset (saliency, 0, sizeof saliency);                   /* an empty map draws nothing */
  digits_saliency_overlay_rgba (saliency, rgba);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    g_assert_cmpuint (rgba[4 * i + 3], ==, 0);
}

static char *
save_png (const char *dir, const char *name, int width, int height, gboolean alpha,
          const guint8 *grey)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf), channels = alpha ? 4 : 3;
  char *path = g_build_filename (dir, name, NULL);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * channels;
        p[0] = p[1] = p[2] = grey[(y * width + x) % DIGITS_PIXELS];
        if (alpha)
          p[3] = (x < 14) ? 255 : 0;
      }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
  return path;
}

static void
test_raw_input (void)
{
  g_autofree char *dir = g_dir_make_tmp ("digits-explain-XXXXXX", NULL);
  guint8 grey[DIGITS_PIXELS];
  float input[DIGITS_PIXELS];
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < DIGITS_PIXELS; i++)
    grey[i] = (guint8) ((i * 37) % 256);
  g_autofree char *plain = save_png (dir, "plain.png", 28, 28, FALSE, grey);
  g_assert_true (digits_input_from_raw_file (plain, input, &error));
  g_assert_no_error (error);
  for (int i = 0; i < DIGITS_PIXELS; i++)
    g_assert_cmpfloat (input[i], ==, grey[i] / 255.0f);

  /* Transparent pixels are the black background. */
  g_autofree char *clear = save_png (dir, "clear.png", 28, 28, TRUE, grey);
  g_assert_true (digits_input_from_raw_file (clear, input, &error));
  for (int i = 0; i < DIGITS_PIXELS; i++)
    g_assert_cmpfloat (input[i], ==, (i % 28 < 14) ? grey[i] / 255.0f : 0.0f);

  g_autofree char *wide = save_png (dir, "wide.png", 30, 28, FALSE, grey);
  g_assert_false (digits_input_from_raw_file (wide, input, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "it is 30×28 pixels; a raw input must be exactly "
                   "28×28 (leave out --raw to read a digit from an image of any size)");
  g_clear_error (&error);

  g_autofree char *text = g_build_filename (dir, "notes.png", NULL);
  g_assert_true (g_file_set_contents (text, "not an image", -1, NULL));
  g_assert_false (digits_input_from_raw_file (text, input, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "it is not an image Digits can read (Unrecognized "
                   "image file format)");
  g_clear_error (&error);

  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  g_assert_false (digits_input_from_raw_file (missing, input, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (digits_input_from_raw_file (dir, input, &error));
  g_assert_error (error, DIGITS_ERROR, DIGITS_ERROR_UNSUPPORTED);

  g_unlink (plain);
  g_unlink (clear);
  g_unlink (wide);
  g_unlink (text);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/explain/gradient-matches-finite-differences",
                   test_gradient_matches_finite_differences);
  g_test_add_func ("/explain/gradient-of-a-sure-answer", test_gradient_of_a_sure_answer);
  g_test_add_func ("/explain/integrated-gradients-complete", test_integrated_gradients_complete);
  g_test_add_func ("/explain/gradient-times-input", test_gradient_times_input);
  g_test_add_func ("/explain/bad-target", test_bad_target);
  g_test_add_func ("/explain/overlay-colours", test_overlay_colours);
  g_test_add_func ("/explain/raw-input", test_raw_input);
  return g_test_run ();
}

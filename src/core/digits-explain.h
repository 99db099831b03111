/* digits-explain.h — why the network answered: saliency maps over its 28×28 input.
 *
 * A saliency map gives each input pixel a share of the target class's score, the log of
 * its probability (that class against the others): positive where the pixel's ink pushed
 * toward the class, negative where it pushed against it. The default method is gradient ×
 * input (see digits-explain.c for why, and for what was measured).
 */
#pragma once

#include <glib.h>

#include "digits-model.h"
#include "digits-preprocess.h"

G_BEGIN_DECLS

typedef enum {
  /* Σ saliency = log p(target | input) − log p(target | blank): the whole change is shared
   * out. steps gradients along the straight path from the blank input. */
  DIGITS_SALIENCY_INTEGRATED_GRADIENTS = 0,
  /* gradient × input: one backward pass; what removing each pixel's ink would do, to first
   * order. The default: the more faithful of the two on MNIST, and fast enough to be live. */
  DIGITS_SALIENCY_GRADIENT_X_INPUT = 1,
} DigitsSaliencyMethod;

#define DIGITS_SALIENCY_DEFAULT DIGITS_SALIENCY_GRADIENT_X_INPUT

/* Steps of integrated gradients. A ReLU network's gradient jumps wherever a unit or a
 * pool's winner switches along the path, so the midpoint sum converges unevenly: on the
 * built-in model and a drawn 7 it missed the change it explains by up to 0.8 (of 3.1)
 * at 64 steps and 0.1 at 256 (see test-explain.c). */
#define DIGITS_SALIENCY_STEPS 256

/* The gradient of log p(target | input) with respect to each input value. */
gboolean digits_explain_gradient (const DigitsModel *model,
                                  const float       *input,
                                  int                target,
                                  float             *gradient,
                                  GError           **error);

/* input: the network's input (DIGITS_PIXELS values, 0 background .. 1 ink); target: the
 * class to explain (the answer, or any other for "why not K"); saliency: DIGITS_PIXELS
 * values out. steps is used by integrated gradients only (0: DIGITS_SALIENCY_STEPS). */
gboolean digits_explain_saliency (const DigitsModel   *model,
                                  const float         *input,
                                  int                  target,
                                  DigitsSaliencyMethod method,
                                  guint                steps,
                                  float               *saliency,
                                  GError             **error);

/* A red (for) / blue (against) overlay of a saliency map, DIGITS_SIDE² pixels of RGBA bytes,
 * not premultiplied: the colour's opacity grows with |saliency| relative to the map's
 * largest, transparent where a pixel did nothing. Meant to be drawn over the input. */
void digits_saliency_overlay_rgba (const float *saliency, guint8 *rgba);

/* Reads an image file that is already the network's input: 28×28, grey (colour is turned
 * into grey, transparency counts as black), white ink on black as MNIST stores it. No
 * preprocessing. Errors say what is wrong with the file; the caller names it. */
gboolean digits_input_from_raw_file (const char *path, float *input, GError **error);

G_END_DECLS

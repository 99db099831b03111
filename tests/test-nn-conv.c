/* test-nn-conv.c — convolution and pooling in the engine: spec strings, a
 * double-precision forward pass written straight from the definitions,
 * gradients against finite differences, fast kernels against the reference,
 * the same weights for any thread count, and the looking-inside API. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "nn/nn-private.h"
#include "test-nn-util.h"

/* Odd shapes on purpose: even kernels, valid padding, pools that drop an edge, a first
 * layer straight from bytes with several channels, 1×1 to 5×5 filters on wide windows. */
typedef struct {
  const char *spec;
  int c, h, w, classes;
} Case;

static const Case cases[] = {
  { "conv3x4,pool2,dense5", 1, 7, 7, 3 },
  { "conv2x3,conv3x5v,pool2,dense6", 2, 8, 9, 4 },
  { "conv4x3,pool3", 1, 7, 8, 3 },
  { "pool2,conv3x7v,dense4", 3, 9, 7, 2 },
  { "dense6,conv1x3", 1, 5, 5, 3 },
  { "conv4x6,conv3x7v,pool2,dense4", 4, 9, 8, 3 },
  { "conv3x6,conv3x8,pool2,conv5x4,dense3", 1, 8, 7, 3 },
  { "conv3x16,pool2,conv3x8,pool3,dense3", 1, 9, 7, 3 },
};

static void
fill_uniform (NnRng *rng, float *v, size_t n, float lo, float hi)
{
  for (size_t i = 0; i < n; i++)
    v[i] = lo + (hi - lo) * nn_rng_uniform (rng);
}

static void
fill_bytes (NnRng *rng, uint8_t *v, size_t n, double zero_fraction)
{
  for (size_t i = 0; i < n; i++)
    v[i] = nn_rng_uniform (rng) < zero_fraction ? 0 : (uint8_t) (1 + nn_rng_below (rng, 255));
}

static NnNet *
make_net (const Case *c, uint64_t seed)
{
  NnArch arch;
  char err[256];
  if (nn_arch_parse (c->spec, c->c, c->h, c->w, c->classes, &arch, err, sizeof err) != 0)
    g_error ("%s: %s", c->spec, err);
  NnNet *net = nn_net_new_arch (&arch);
  g_assert_nonnull (net);
  nn_net_init_he (net, seed);
  NnRng rng;
  nn_rng_seed (&rng, seed, 7);
  for (int l = 0; l < net->n_layers; l++)
    if (net->b[l] != NULL)
      fill_uniform (&rng, net->b[l], net->layers[l].n_biases, -0.2f, 0.2f);
  return net;
}

/* Logits of one sample from the definitions, in double: channels-last maps,
 * x (y, x, c) at (y·W + x)·C + c, weights at the offsets nn.h documents. */
static void
ref_logits (const NnNet *net, const double *params, const double *x, double *z)
{
  size_t max = 0;
  for (int l = 0; l <= net->n_layers; l++)
    max = MAX (max, (size_t) net->sizes[l]);
  double *a = g_new (double, max), *b = g_new (double, max);
  memcpy (a, x, sizeof (double) * net->sizes[0]);
  const double *p = params;
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      const double *w = p, *bias = p + ly->n_weights;
      int C = ly->in_c, H = ly->in_h, W = ly->in_w, O = ly->out_c;
      for (int oy = 0; oy < ly->out_h; oy++)
        for (int ox = 0; ox < ly->out_w; ox++)
          for (int o = 0; o < O; o++)
            {
              double s;
              size_t at = ((size_t) oy * ly->out_w + ox) * O + o;
              if (ly->kind == NN_LAYER_DENSE)
                {
                  s = bias[o];
                  for (int i = 0; i < ly->in_c; i++)
                    s += a[i] * w[(size_t) i * O + o];
                }
              else if (ly->kind == NN_LAYER_CONV)
                {
                  int K = ly->size, pad = ly->valid ? 0 : (K - 1) / 2;
                  s = bias[o];
                  for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++)
                      for (int ci = 0; ci < C; ci++)
                        {
                          int y = oy - pad + ky, xx = ox - pad + kx;
                          if (y < 0 || y >= H || xx < 0 || xx >= W)
                            continue;
                          s += a[((size_t) y * W + xx) * C + ci]
                               * w[((size_t) (ky * K + kx) * C + ci) * O + o];
                        }
                }
              else
                {
                  int S = ly->size;
                  s = -INFINITY;
                  for (int dy = 0; dy < S; dy++)
                    for (int dx = 0; dx < S; dx++)
                      s = fmax (s, a[((size_t) (oy * S + dy) * W + ox * S + dx) * C + o]);
                }
              b[at] = ly->relu ? fmax (s, 0.0) : s;
            }
      p += ly->n_weights + ly->n_biases;
      double *t = a;
      a = b;
      b = t;
    }
  memcpy (z, a, sizeof (double) * net->sizes[net->n_layers]);
  g_free (a);
  g_free (b);
}

static double
ref_loss (const NnNet *net, const double *params, const uint8_t *x, const uint8_t *labels,
          int batch)
{
  int in = net->sizes[0], classes = net->sizes[net->n_layers];
  double *xd = g_new (double, in), z[16], total = 0;
  for (int r = 0; r < batch; r++)
    {
      for (int i = 0; i < in; i++)
        xd[i] = x[(size_t) r * in + i] / 255.0;
      ref_logits (net, params, xd, z);
      double m = z[0], sum = 0;
      for (int c = 1; c < classes; c++)
        m = fmax (m, z[c]);
      for (int c = 0; c < classes; c++)
        sum += exp (z[c] - m);
      total += log (sum) - (z[labels[r]] - m);
    }
  g_free (xd);
  return total / batch;
}

static double *
params_double (const NnNet *net)
{
  double *p = g_new (double, net->n_params);
  for (size_t i = 0; i < net->n_params; i++)
    p[i] = net->params[i];
  return p;
}

/* ---- spec strings ---- */

static void
check_spec_error (const char *spec, const char *want)
{
  NnArch arch;
  char err[256] = "";
  g_assert_cmpint (nn_arch_parse (spec, 1, 28, 28, 10, &arch, err, sizeof err), ==, -1);
  g_assert_cmpstr (err, ==, want);
}

static void
test_spec (void)
{
  static const char *canonical[] = {
    "conv5x32,pool2,conv5x64,pool2,dense128", "conv3x8v,pool3,dense10", "dense128,dense128",
    "", "pool2,conv1x1",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (canonical); i++)
    {
      NnArch arch;
      char err[256], back[NN_SPEC_MAX];
      g_assert_cmpint (nn_arch_parse (canonical[i], 1, 28, 28, 10, &arch, err, sizeof err), ==,
                       0);
      g_assert_cmpint (nn_arch_format (&arch, back, sizeof back), ==, strlen (canonical[i]));
      g_assert_cmpstr (back, ==, canonical[i]);
      NnNet *net = nn_net_new_arch (&arch);
      char spec[NN_SPEC_MAX];
      nn_net_spec (net, spec, sizeof spec);
      g_assert_cmpstr (spec, ==, canonical[i]);
      g_assert_cmpint (net->sizes[net->n_layers], ==, 10);
      nn_net_free (net);
    }

  NnArch arch;
  char err[256], back[NN_SPEC_MAX];
  g_assert_cmpint (nn_arch_parse ("mlp", 1, 28, 28, 10, &arch, err, sizeof err), ==, 0);
  nn_arch_format (&arch, back, sizeof back);
  g_assert_cmpstr (back, ==, NN_SPEC_MLP);
  g_assert_cmpint (nn_arch_parse ("cnn", 1, 28, 28, 10, &arch, err, sizeof err), ==, 0);
  nn_arch_format (&arch, back, sizeof back);
  g_assert_cmpstr (back, ==, NN_SPEC_CNN);
  /* Spaces around tokens are forgiven. */
  g_assert_cmpint (nn_arch_parse (" conv5x32 , pool2", 1, 28, 28, 10, &arch, err, sizeof err),
                   ==, 0);
  nn_arch_format (&arch, back, sizeof back);
  g_assert_cmpstr (back, ==, "conv5x32,pool2");
  /* conv5x32 'same' on 28×28: 28×28×32; pool2: 14×14×32; dense: 6272 → 10. */
  NnNet *net = nn_net_new_arch (&arch);
  g_assert_cmpint (net->sizes[1], ==, 28 * 28 * 32);
  g_assert_cmpint (net->sizes[2], ==, 14 * 14 * 32);
  g_assert_cmpuint (net->n_params, ==, 25 * 32 + 32 + 6272 * 10 + 10);
  g_assert_cmpfloat (nn_net_macs (net), ==, 784.0 * 25 * 32 + 6272.0 * 10);
  nn_net_free (net);

  check_spec_error ("conv5x32,conv5y32", "\u201cconv5y32\u201d (token 2): expected "
                    "conv<K>x<N>[v], pool<S> or dense<N>");
  check_spec_error ("dense", "\u201cdense\u201d (token 1): expected conv<K>x<N>[v], pool<S> or "
                    "dense<N>");
  check_spec_error ("conv3x8,,dense4", "token 2 is empty: write layers like "
                    "conv5x32,pool2,dense128");
  check_spec_error ("conv3x8,", "token 2 is empty: write layers like conv5x32,pool2,dense128");
  check_spec_error ("conv5x8,pool2,pool2,pool8", "\u201cpool8\u201d (token 4): a 8×8 pool is "
                    "bigger than its 7×7 map");
  check_spec_error ("pool4,conv9x8v", "\u201cconv9x8v\u201d (token 2): a valid 9×9 convolution "
                    "is larger than its 7×7 input");
  check_spec_error ("conv0x8", "\u201cconv0x8\u201d (token 1): a convolution is 1×1 to 15×15");
  check_spec_error ("dense5000", "\u201cdense5000\u201d (token 1): a dense layer has 1 to 4096 "
                    "units");
  check_spec_error ("conv3x2000", "\u201cconv3x2000\u201d (token 1): a convolution has 1 to "
                    "1024 channels");
}

/* ---- forward and gradients against the definitions ---- */

static void
test_forward_matches_definition (void)
{
  for (size_t ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      NnNet *net = make_net (&cases[ci], 3 + ci);
      NnRng rng;
      nn_rng_seed (&rng, ci, 1);
      const int n = 5;
      int in = net->sizes[0], classes = net->sizes[net->n_layers];
      uint8_t *x = g_new (uint8_t, n * in);
      fill_bytes (&rng, x, (size_t) n * in, 0.4);
      float *xf = g_new (float, n * in), probs[5 * 16], probs_f[5 * 16];
      for (int i = 0; i < n * in; i++)
        xf[i] = x[i] / 255.0f;
      g_assert_cmpint (nn_net_forward_u8 (net, x, n, probs), ==, 0);
      g_assert_cmpint (nn_net_forward (net, xf, n, probs_f), ==, 0);
      double *p = params_double (net), *xd = g_new (double, in), z[16];
      for (int r = 0; r < n; r++)
        {
          for (int i = 0; i < in; i++)
            xd[i] = x[r * in + i] / 255.0;
          ref_logits (net, p, xd, z);
          double m = z[0], sum = 0;
          for (int c = 1; c < classes; c++)
            m = fmax (m, z[c]);
          for (int c = 0; c < classes; c++)
            sum += exp (z[c] - m);
          for (int c = 0; c < classes; c++)
            {
              g_assert_cmpfloat (fabs (probs[r * classes + c] - exp (z[c] - m) / sum), <, 1e-5);
              g_assert_cmpfloat (fabs (probs_f[r * classes + c] - probs[r * classes + c]), <,
                                 1e-6);
            }
        }
      g_free (p);
      g_free (xd);
      g_free (x);
      g_free (xf);
      nn_net_free (net);
    }
}

static void
test_grad_check (void)
{
  const char *names[] = { "reference", "avx2", "avx512" };
  for (size_t ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      NnNet *net = make_net (&cases[ci], 20 + ci);
      NnRng rng;
      nn_rng_seed (&rng, 100 + ci, 0);
      const int batch = 4;
      int in = net->sizes[0];
      uint8_t *x = g_new (uint8_t, batch * in), labels[4];
      fill_bytes (&rng, x, (size_t) batch * in, 0.3);
      for (int i = 0; i < batch; i++)
        labels[i] = (uint8_t) nn_rng_below (&rng, cases[ci].classes);
      double *p = params_double (net);
      double l0 = ref_loss (net, p, x, labels, batch);
      /* The finite differences once (two double-precision passes a parameter: most of
       * this test's time under the sanitizers), then each kernel set's gradient. */
      double *fd = g_new (double, net->n_params);
      test_finite_differences (ref_loss, net, p, x, labels, batch, fd);
      for (int kk = 0; kk < 3; kk++)
        {
          const NnKernels *k = nn_kernels_by_name (names[kk]);
          if (k == NULL)
            continue;
          NnOptConfig cfg;
          nn_opt_config_defaults (&cfg, NN_OPT_SGD);
          NnTrainer *tr = nn_trainer_new (net, &cfg, batch, 1 + kk % 2);
          nn_trainer_set_kernels (tr, k);
          const float *g;
          float loss = nn_trainer_gradient (tr, x, labels, batch, &g);
          g_assert_cmpfloat (fabs (loss - l0), <, 1e-5 * (1 + l0));
          int bad = 0;
          for (size_t i = 0; i < net->n_params; i++)
            if (fabs (fd[i] - g[i]) >= 1e-4 * (1 + fabs (fd[i])))
              {
                if (bad < 5)
                  g_test_message ("%s %s param %zu: fd %g, engine %g", cases[ci].spec,
                                  names[kk], i, fd[i], g[i]);
                bad++;
              }
          g_assert_cmpint (bad, ==, 0);
          nn_trainer_free (tr);
        }
      g_free (fd);
      g_free (p);
      g_free (x);
      nn_net_free (net);
    }
}

/* ---- training: fast kernels against the reference, any thread count ---- */

static NnNet *
train_steps (const Case *c, const NnKernels *k, int threads, int steps)
{
  NnNet *net = make_net (c, 5);
  NnOptConfig cfg;
  nn_opt_config_defaults (&cfg, NN_OPT_ADAM);
  const int batch = 13;
  NnTrainer *tr = nn_trainer_new (net, &cfg, batch, threads);
  if (k != NULL)
    nn_trainer_set_kernels (tr, k);
  NnRng rng;
  nn_rng_seed (&rng, 77, 0);
  int in = net->sizes[0];
  uint8_t *x = g_new (uint8_t, batch * in), labels[13];
  for (int s = 0; s < steps; s++)
    {
      int b = s % 3 == 2 ? 7 : batch;   /* a short batch now and then, as at an epoch's end */
      fill_bytes (&rng, x, (size_t) b * in, 0.5);
      for (int i = 0; i < b; i++)
        labels[i] = (uint8_t) nn_rng_below (&rng, c->classes);
      float loss = nn_trainer_step (tr, x, labels, b, NULL);
      g_assert_true (isfinite (loss));
    }
  g_free (x);
  nn_trainer_free (tr);
  return net;
}

static void
test_threads_bit_identical (void)
{
  for (size_t ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      NnNet *one = train_steps (&cases[ci], NULL, 1, 6);
      for (int nt = 2; nt <= 3; nt++)
        {
          NnNet *more = train_steps (&cases[ci], NULL, nt, 6);
          g_assert_cmpmem (one->params, one->n_params * sizeof (float), more->params,
                           more->n_params * sizeof (float));
          nn_net_free (more);
        }
      nn_net_free (one);
    }
}

static void
test_fast_matches_reference (void)
{
  const NnKernels *ref = nn_kernels_reference ();
  const char *names[] = { "avx2", "avx512" };
  for (size_t ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      NnNet *want = train_steps (&cases[ci], ref, 1, 6);
      for (int kk = 0; kk < 2; kk++)
        {
          const NnKernels *k = nn_kernels_by_name (names[kk]);
          if (k == NULL)
            continue;
          NnNet *got = train_steps (&cases[ci], k, 2, 6);
          double worst = 0;
          for (size_t i = 0; i < want->n_params; i++)
            worst = fmax (worst, fabs (want->params[i] - got->params[i]));
          g_test_message ("%s: max |reference - %s| after 6 steps: %g", cases[ci].spec,
                          names[kk], worst);
          g_assert_cmpfloat (worst, <, 1e-4);
          nn_net_free (got);
        }
      nn_net_free (want);
    }
}

/* Pooling and its backward in each fast set against the reference, to the bit: maps
 * full of ties (a handful of values, half of them ReLU's zeros), channel counts the
 * vectors divide and not, windows that drop an edge, with and without a mask, into
 * compact rows and rows widened by two pixels (zeroed past the map). */
static void
test_pool_kernels (void)
{
  static const int shapes[][4] = {   /* h, w, c, s */
    { 28, 28, 16, 2 }, { 9, 7, 16, 2 }, { 7, 8, 8, 3 }, { 5, 5, 32, 2 }, { 6, 5, 3, 2 },
    { 4, 4, 24, 4 },
  };
  const char *names[] = { "avx2", "avx512" };
  const NnKernels *ref = nn_kernels_reference ();
  NnRng rng;
  nn_rng_seed (&rng, 31, 4);
  for (size_t si = 0; si < G_N_ELEMENTS (shapes); si++)
    {
      int h = shapes[si][0], w = shapes[si][1], c = shapes[si][2], s = shapes[si][3];
      int oh = h / s, ow = w / s;
      size_t in = (size_t) h * w * c, out = (size_t) oh * ow * c;
      float *x = g_new (float, in), *mask = g_new (float, in), *dy = g_new (float, out);
      float *y0 = g_new (float, out), *y1 = g_new (float, out);
      size_t row = (size_t) w * c, wide = row + 2 * (size_t) c;
      float *dx0 = g_new (float, h * wide), *dx1 = g_new (float, h * wide);
      float *dxc = g_new (float, in);
      int *i0 = g_new (int, out), *i1 = g_new (int, out);
      for (size_t i = 0; i < in; i++)
        {
          x[i] = nn_rng_uniform (&rng) < 0.5 ? 0.0f : (float) nn_rng_below (&rng, 4) * 0.5f;
          mask[i] = x[i];
        }
      for (size_t i = 0; i < out; i++)
        dy[i] = 1.0f + (float) i;
      ref->pool (h, w, c, s, oh, ow, x, y0, i0);
      for (size_t kk = 0; kk < G_N_ELEMENTS (names); kk++)
        {
          const NnKernels *k = nn_kernels_by_name (names[kk]);
          if (k == NULL)
            continue;
          memset (y1, 0xff, sizeof (float) * out);
          memset (i1, 0xff, sizeof (int) * out);
          k->pool (h, w, c, s, oh, ow, x, y1, i1);
          g_assert_cmpmem (y1, sizeof (float) * out, y0, sizeof (float) * out);
          g_assert_cmpmem (i1, sizeof (int) * out, i0, sizeof (int) * out);
          for (int masked = 0; masked < 2; masked++)
            for (size_t ldx = row; ldx <= wide; ldx += wide - row)
              {
                size_t len = sizeof (float) * h * ldx;
                ref->unpool (h, w, c, s, oh, ow, i0, dy, masked ? mask : NULL, dx0, ldx);
                memset (dx1, 0xff, len);   /* every float must be written */
                k->unpool (h, w, c, s, oh, ow, i0, dy, masked ? mask : NULL, dx1, ldx);
                g_assert_cmpmem (dx1, len, dx0, len);
                /* Widened rows: the same deltas, zeros past the map. */
                ref->unpool (h, w, c, s, oh, ow, i0, dy, masked ? mask : NULL, dxc, row);
                for (int y = 0; y < h; y++)
                  for (size_t i = 0; i < ldx; i++)
                    g_assert_cmpfloat (dx0[y * ldx + i], ==, i < row ? dxc[y * row + i] : 0.0f);
              }
        }
      /* The reference itself: the first of equal maxima, and a delta only there. */
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < c; ch++)
            {
              size_t o = ((size_t) oy * ow + ox) * c + ch;
              int first = -1;
              float best = -1.0f;
              for (int wy = 0; wy < s; wy++)
                for (int wx = 0; wx < s; wx++)
                  {
                    int at = ((oy * s + wy) * w + ox * s + wx) * c + ch;
                    if (x[at] > best)
                      best = x[at], first = at;
                  }
              g_assert_cmpfloat (y0[o], ==, best);
              g_assert_cmpint (i0[o], ==, first);
            }
      g_free (x), g_free (mask), g_free (dy), g_free (y0), g_free (y1);
      g_free (dx0), g_free (dx1), g_free (dxc), g_free (i0), g_free (i1);
    }
}

/* Forward of the reference kernels against each fast set on an odd shape,
 * sparse (first layer) and dense paths both. */
static void
test_conv_forward_kernels (void)
{
  NnLayer l;
  NnArch arch;
  g_assert_cmpint (nn_arch_parse ("conv3x13,conv5x19,dense3", 3, 11, 9, 2, &arch, NULL, 0), ==,
                   0);
  NnNet *net = nn_net_new_arch (&arch);
  nn_net_init_he (net, 3);
  NnRng rng;
  nn_rng_seed (&rng, 9, 9);
  for (int li = 0; li < 2; li++)
    {
      l = net->layers[li];
      int n = 3, in = l.in_c * l.in_h * l.in_w, out = l.out_c * l.out_h * l.out_w;
      float *x = g_new (float, n * in), *y0 = g_new (float, n * out), *y1 = g_new (float, n * out);
      float *col = g_new (float, nn_layer_col_len (&l, n));
      int *scratch = g_new (int, nn_layer_scratch_len (&l, n));
      fill_uniform (&rng, x, (size_t) n * in, -1, 1);
      for (int i = 0; i < n * in; i += 3)
        x[i] = 0;
      NnWork wk = { .col = col, .scratch = scratch };
      const NnLayerOps *ops = nn_layer_ops (l.kind);
      ops->forward (nn_kernels_reference (), &l, net->w[li], net->b[li], x, NULL, n, li == 0,
                    y0, &wk);
      const char *names[] = { "avx2", "avx512" };
      for (int kk = 0; kk < 2; kk++)
        {
          const NnKernels *k = nn_kernels_by_name (names[kk]);
          if (k == NULL)
            continue;
          ops->forward (k, &l, net->w[li], net->b[li], x, NULL, n, li == 0, y1, &wk);
          for (int i = 0; i < n * out; i++)
            g_assert_cmpfloat (fabs (y0[i] - y1[i]), <=, 1e-5 * (1 + fabs (y0[i])));
        }
      g_free (x);
      g_free (y0);
      g_free (y1);
      g_free (col);
      g_free (scratch);
    }
  nn_net_free (net);
}

/* A sum run in blocks with accumulate gives the bits of one long sum, in every set. */
static void
test_accumulate_blocks (void)
{
  const char *names[] = { "reference", "avx2", "avx512" };
  const int m = 13, n = 37, s = 301;
  float *a = g_new (float, m * s), *b = g_new (float, s * n);
  float *c1 = g_new (float, m * n), *c2 = g_new (float, m * n);
  NnRng rng;
  nn_rng_seed (&rng, 2, 2);
  fill_uniform (&rng, a, (size_t) m * s, -1, 1);
  fill_uniform (&rng, b, (size_t) s * n, -1, 1);
  for (int kk = 0; kk < 3; kk++)
    {
      const NnKernels *k = nn_kernels_by_name (names[kk]);
      if (k == NULL)
        continue;
      /* Transposed A, as weight gradients read it. */
      k->gemm (m, n, s, a, 1, m, b, n, c1, n, NULL, NULL);
      for (int p0 = 0; p0 < s; p0 += 64)
        {
          NnEpilogue ep = { .accumulate = p0 > 0 };
          k->gemm (m, n, MIN (64, s - p0), a + (size_t) p0 * m, 1, m, b + (size_t) p0 * n, n,
                   c2, n, &ep, NULL);
        }
      g_assert_cmpmem (c1, sizeof (float) * m * n, c2, sizeof (float) * m * n);
    }
  g_free (a);
  g_free (b);
  g_free (c1);
  g_free (c2);
}

/* ---- looking inside ---- */

static void
test_input_gradient (void)
{
  for (size_t ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      NnNet *net = make_net (&cases[ci], 40 + ci);
      int in = net->sizes[0], classes = net->sizes[net->n_layers];
      NnRng rng;
      nn_rng_seed (&rng, ci, 3);
      float *x = g_new (float, in), *dx = g_new (float, in);
      fill_uniform (&rng, x, in, 0, 1);
      double *p = params_double (net), *xd = g_new (double, in), z[16];
      for (int target = 0; target < 2; target++)
        {
          int klass = (int) (ci % classes);
          g_assert_cmpint (nn_net_input_gradient (net, x, klass, target, dx), ==, 0);
          for (int i = 0; i < in; i++)
            {
              double v[2];
              for (int sgn = 0; sgn < 2; sgn++)
                {
                  for (int j = 0; j < in; j++)
                    xd[j] = x[j];
                  xd[i] += sgn ? -1e-6 : 1e-6;
                  ref_logits (net, p, xd, z);
                  double m = z[0], sum = 0;
                  for (int c = 1; c < classes; c++)
                    m = fmax (m, z[c]);
                  for (int c = 0; c < classes; c++)
                    sum += exp (z[c] - m);
                  v[sgn] = target == NN_GRAD_LOGIT ? z[klass] : z[klass] - m - log (sum);
                }
              double fd = (v[0] - v[1]) / 2e-6;
              g_assert_cmpfloat (fabs (fd - dx[i]), <, 1e-4 * (1 + fabs (fd)));
            }
        }
      g_assert_cmpint (nn_net_input_gradient (net, x, classes, NN_GRAD_LOGIT, dx), ==, -1);
      g_free (p);
      g_free (xd);
      g_free (x);
      g_free (dx);
      nn_net_free (net);
    }
}

static void
test_forward_layers (void)
{
  NnNet *net = make_net (&cases[0], 8);   /* conv3x4,pool2,dense5 on 1×7×7, 3 classes */
  NnRng rng;
  nn_rng_seed (&rng, 1, 1);
  float x[49], conv[4 * 49], pool[4 * 9], dense[5], probs[3], want[3];
  fill_uniform (&rng, x, 49, 0, 1);
  float *outs[] = { conv, pool, dense, probs };
  g_assert_cmpint (nn_net_forward_layers (net, x, outs), ==, 0);
  g_assert_cmpint (nn_net_forward (net, x, 1, want), ==, 0);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (probs[c], ==, want[c]);
  /* C×H×W: channel 2's pool output at (1, 2) is the max of its 2×2 window of conv. */
  for (int c = 0; c < 4; c++)
    for (int y = 0; y < 3; y++)
      for (int xx = 0; xx < 3; xx++)
        {
          float m = 0;
          for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
              m = fmaxf (m, conv[c * 49 + (2 * y + dy) * 7 + 2 * xx + dx]);
          g_assert_cmpfloat (pool[c * 9 + y * 3 + xx], ==, m);
        }
  /* Filter 3 over channel 0 as 3×3, row by row. */
  float k[9];
  g_assert_cmpint (nn_net_first_filter (net, 3, 0, k), ==, 0);
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat (k[i], ==, net->w[0][i * 4 + 3]);
  g_assert_cmpint (nn_net_first_filter (net, 4, 0, k), ==, -1);
  nn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nn-conv/spec", test_spec);
  g_test_add_func ("/nn-conv/forward", test_forward_matches_definition);
  g_test_add_func ("/nn-conv/forward-kernels", test_conv_forward_kernels);
  g_test_add_func ("/nn-conv/accumulate", test_accumulate_blocks);
  g_test_add_func ("/nn-conv/grad", test_grad_check);
  g_test_add_func ("/nn-conv/threads", test_threads_bit_identical);
  g_test_add_func ("/nn-conv/fast-vs-reference", test_fast_matches_reference);
  g_test_add_func ("/nn-conv/pool-kernels", test_pool_kernels);
  g_test_add_func ("/nn-conv/input-gradient", test_input_gradient);
  g_test_add_func ("/nn-conv/forward-layers", test_forward_layers);
  return g_test_run ();
}

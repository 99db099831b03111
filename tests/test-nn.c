/* test-nn.c — the engine: RNG, layers against finite differences, stability,
 * kernels against the reference, determinism, convergence, optimizers. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "nn/nn-private.h"
#include "test-nn-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* ---- helpers ---- */

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

/* Double-precision loss of a whole net on a batch, straight from the formulas. */
static double
net_loss_double (const NnNet *net, const double *params, const uint8_t *x,
                 const uint8_t *labels, int batch)
{
  int L = net->n_layers;
  double total = 0.0;
  double a[NN_MAX_WIDTH], z[NN_MAX_WIDTH];
  for (int r = 0; r < batch; r++)
    {
      int width = net->sizes[0];
      for (int i = 0; i < width; i++)
        a[i] = x[(size_t) r * width + i] / 255.0;
      const double *p = params;
      for (int l = 0; l < L; l++)
        {
          int in = net->sizes[l], out = net->sizes[l + 1];
          const double *w = p, *b = p + (size_t) in * out;
          for (int o = 0; o < out; o++)
            {
              double s = b[o];
              for (int i = 0; i < in; i++)
                s += a[i] * w[(size_t) i * out + o];
              z[o] = s;
            }
          for (int o = 0; o < out; o++)
            a[o] = l < L - 1 ? (z[o] > 0 ? z[o] : 0) : z[o];
          p += (size_t) in * out + out;
          width = out;
        }
      double max = a[0];
      for (int c = 1; c < width; c++)
        max = fmax (max, a[c]);
      double sum = 0.0;
      for (int c = 0; c < width; c++)
        sum += exp (a[c] - max);
      total += log (sum) - (a[labels[r]] - max);
    }
  return total / batch;
}

/* ---- RNG ---- */

static void
test_rng_known_values (void)
{
  /* The PCG32 paper's demo: srandom(42, 54). */
  static const uint32_t expect[] = { 0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                     0x83d2f293, 0xbfa4784b, 0xcbed606e };
  NnRng rng;
  nn_rng_seed (&rng, 42, 54);
  for (size_t i = 0; i < G_N_ELEMENTS (expect); i++)
    g_assert_cmphex (nn_rng_next (&rng), ==, expect[i]);
}

static void
test_rng_reproducible (void)
{
  NnRng a, b, c;
  nn_rng_seed (&a, 7, 1);
  nn_rng_seed (&b, 7, 1);
  nn_rng_seed (&c, 8, 1);
  int same_as_other_seed = 0;
  for (int i = 0; i < 1000; i++)
    {
      uint32_t va = nn_rng_next (&a);
      g_assert_cmpuint (va, ==, nn_rng_next (&b));
      same_as_other_seed += va == nn_rng_next (&c);
    }
  g_assert_cmpint (same_as_other_seed, <, 3);
}

static void
test_rng_distributions (void)
{
  NnRng rng;
  nn_rng_seed (&rng, 123, 0);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; i++)
    {
      float u = nn_rng_uniform (&rng);
      g_assert_true (u >= 0.0f && u < 1.0f);
      sum += u;
    }
  g_assert_cmpfloat (fabs (sum / n - 0.5), <, 0.005);

  sum = 0;
  for (int i = 0; i < n; i++)
    {
      float z = nn_rng_normal (&rng);
      g_assert_true (isfinite (z));
      sum += z;
      sum2 += (double) z * z;
    }
  double mean = sum / n, var = sum2 / n - mean * mean;
  g_assert_cmpfloat (fabs (mean), <, 0.01);
  g_assert_cmpfloat (fabs (var - 1.0), <, 0.02);

  /* below(n): every value reached, roughly evenly (chi-square, 9 dof). */
  int counts[10] = { 0 };
  for (int i = 0; i < 100000; i++)
    {
      uint32_t v = nn_rng_below (&rng, 10);
      g_assert_cmpuint (v, <, 10);
      counts[v]++;
    }
  double chi2 = 0;
  for (int i = 0; i < 10; i++)
    chi2 += (counts[i] - 10000.0) * (counts[i] - 10000.0) / 10000.0;
  g_assert_cmpfloat (chi2, <, 30.0);   /* p ≈ 0.0004 */
  g_assert_cmpuint (nn_rng_below (&rng, 1), ==, 0);

  uint32_t items[100];
  for (uint32_t i = 0; i < 100; i++)
    items[i] = i;
  nn_rng_shuffle (&rng, items, 100);
  int seen[100] = { 0 }, moved = 0;
  for (uint32_t i = 0; i < 100; i++)
    {
      seen[items[i]]++;
      moved += items[i] != i;
    }
  for (int i = 0; i < 100; i++)
    g_assert_cmpint (seen[i], ==, 1);
  g_assert_cmpint (moved, >, 80);
}

/* ---- architecture and net ---- */

static void
test_arch (void)
{
  int good[] = { 784, 128, 128, 10 };
  g_assert_cmpint (nn_arch_check (good, 4), ==, 0);
  g_assert_cmpuint (nn_arch_param_count (good, 4), ==, 784 * 128 + 128 + 128 * 128 + 128
                    + 128 * 10 + 10);
  int one_class[] = { 4, 1 };
  int zero[] = { 4, 0, 3 };
  int wide[] = { 4, NN_MAX_WIDTH + 1, 3 };
  int many[NN_MAX_LAYERS + 2];
  for (int i = 0; i < NN_MAX_LAYERS + 2; i++)
    many[i] = 3;
  g_assert_cmpint (nn_arch_check (good, 1), !=, 0);
  g_assert_cmpint (nn_arch_check (one_class, 2), !=, 0);
  g_assert_cmpint (nn_arch_check (zero, 3), !=, 0);
  g_assert_cmpint (nn_arch_check (wide, 3), !=, 0);
  g_assert_cmpint (nn_arch_check (many, NN_MAX_LAYERS + 2), !=, 0);
  g_assert_cmpint (nn_arch_check (many, NN_MAX_LAYERS + 1), ==, 0);
  g_assert_null (nn_net_new (zero, 3));

  NnNet *net = nn_net_new (good, 4);
  g_assert_nonnull (net);
  g_assert_true (net->w[0] == net->params);
  g_assert_true (net->b[0] == net->params + 784 * 128);
  g_assert_true (net->w[1] == net->b[0] + 128);
  g_assert_true (net->b[2] + 10 == net->params + net->n_params);

  nn_net_init_he (net, 5);
  /* He: weights of layer 0 have sd sqrt(2/784); biases zero. */
  double s2 = 0;
  for (int i = 0; i < 784 * 128; i++)
    s2 += (double) net->w[0][i] * net->w[0][i];
  g_assert_cmpfloat (fabs (sqrt (s2 / (784 * 128)) / sqrt (2.0 / 784) - 1.0), <, 0.02);
  for (int i = 0; i < 128; i++)
    g_assert_cmpfloat (net->b[0][i], ==, 0.0f);

  NnNet *copy = nn_net_copy (net);
  g_assert_true (nn_net_same_arch (net, copy));
  g_assert_cmpmem (net->params, net->n_params * 4, copy->params, copy->n_params * 4);
  NnNet *again = nn_net_new (good, 4);
  nn_net_init_he (again, 5);
  g_assert_cmpmem (net->params, net->n_params * 4, again->params, again->n_params * 4);
  nn_net_init_he (again, 6);
  g_assert_true (memcmp (net->params, again->params, net->n_params * 4) != 0);
  nn_net_copy_into (again, net);
  g_assert_cmpmem (net->params, net->n_params * 4, again->params, again->n_params * 4);
  int other[] = { 784, 64, 10 };
  NnNet *diff = nn_net_new (other, 3);
  g_assert_false (nn_net_same_arch (net, diff));
  nn_net_free (diff);
  nn_net_free (again);
  nn_net_free (copy);
  nn_net_free (net);
}

static void
test_argmax (void)
{
  float a[] = { 1, 3, 3, 2 };
  float b[] = { -5, -5, -5 };
  float c[] = { -2, -1, -7 };
  float d[] = { 0, 0, 0, 9, 9 };
  g_assert_cmpint (nn_argmax (a, 4), ==, 1);
  g_assert_cmpint (nn_argmax (b, 3), ==, 0);
  g_assert_cmpint (nn_argmax (c, 3), ==, 1);
  g_assert_cmpint (nn_argmax (d, 5), ==, 3);
  g_assert_cmpint (nn_argmax (a, 1), ==, 0);
}

static void
test_opt_names (void)
{
  NnOptKind k;
  for (int i = 0; i < 3; i++)
    {
      const char *name = nn_opt_kind_to_string ((NnOptKind) i);
      g_assert_nonnull (name);
      g_assert_cmpint (nn_opt_kind_from_string (name, &k), ==, 0);
      g_assert_cmpint (k, ==, i);
    }
  g_assert_cmpint (nn_opt_kind_from_string ("rmsprop", &k), !=, 0);
  g_assert_cmpint (nn_opt_kind_from_string (NULL, &k), !=, 0);

  NnOptConfig c;
  nn_opt_config_defaults (&c, NN_OPT_SGD);
  g_assert_cmpfloat (c.lr, ==, 0.1f);
  nn_opt_config_defaults (&c, NN_OPT_MOMENTUM);
  g_assert_cmpfloat (c.lr, ==, 0.05f);
  g_assert_cmpfloat (c.momentum, ==, 0.9f);
  nn_opt_config_defaults (&c, NN_OPT_ADAM);
  g_assert_cmpfloat (c.lr, ==, 1e-3f);
  g_assert_cmpfloat (c.beta2, ==, 0.999f);
  g_assert_cmpfloat (c.decay, ==, 0.0f);
  g_assert_cmpfloat (c.l2, ==, 0.0f);
  g_assert_cmpuint (c.anneal_steps, ==, 0);
}

/* ---- layers against finite differences ---- */

static void
test_grad_dense (void)
{
  const int n = 5, in = 7, out = 9;
  NnRng rng;
  nn_rng_seed (&rng, 1, 0);
  float x[5 * 7], w[7 * 9], b[9], y[5 * 9], r[5 * 9];
  float dx[5 * 7], dw[7 * 9], db[9];
  fill_uniform (&rng, x, G_N_ELEMENTS (x), -1, 1);
  fill_uniform (&rng, w, G_N_ELEMENTS (w), -1, 1);
  fill_uniform (&rng, b, G_N_ELEMENTS (b), -1, 1);
  fill_uniform (&rng, r, G_N_ELEMENTS (r), -1, 1);

  /* Loss = Σ r·y, so dy = r. */
  const NnKernels *k = nn_kernels_best ();
  g_assert_cmpint (nn_dense_backward (k, x, r, n, in, w, out, dx, dw, db), ==, 0);

#define LOSS_OF(expr)                                                                       \
  ({                                                                                        \
    nn_dense_forward (k, x, n, in, w, b, out, 0, y);                                        \
    double s_ = 0;                                                                          \
    for (int q_ = 0; q_ < n * out; q_++)                                                    \
      s_ += (double) r[q_] * y[q_];                                                         \
    s_;                                                                                     \
  })
  const float eps = 1e-2f;
  float *groups[] = { x, w, b };
  float *grads[] = { dx, dw, db };
  int sizes[] = { n * in, in * out, out };
  for (int gi = 0; gi < 3; gi++)
    for (int i = 0; i < sizes[gi]; i++)
      {
        float keep = groups[gi][i];
        groups[gi][i] = keep + eps;
        double lp = LOSS_OF (0);
        groups[gi][i] = keep - eps;
        double lm = LOSS_OF (0);
        groups[gi][i] = keep;
        double fd = (lp - lm) / ((double) (keep + eps) - (double) (keep - eps));
        g_assert_cmpfloat (fabs (fd - grads[gi][i]), <, 1e-3 * (1 + fabs (fd)));
      }
#undef LOSS_OF
}

static void
test_grad_relu (void)
{
  NnRng rng;
  nn_rng_seed (&rng, 2, 0);
  float x[64], y[64], r[64], dx[64];
  for (int i = 0; i < 64; i++)
    {
      /* Keep away from the kink, where the derivative is not defined. */
      float v = 0.1f + nn_rng_uniform (&rng);
      x[i] = i % 2 ? v : -v;
    }
  fill_uniform (&rng, r, 64, -1, 1);
  nn_relu_forward (x, y, 64);
  nn_relu_backward (y, r, dx, 64);
  const float eps = 1e-3f;
  for (int i = 0; i < 64; i++)
    {
      float keep = x[i];
      double l[2];
      for (int side = 0; side < 2; side++)
        {
          x[i] = side ? keep - eps : keep + eps;
          nn_relu_forward (x, y, 64);
          l[side] = 0;
          for (int j = 0; j < 64; j++)
            l[side] += (double) r[j] * y[j];
        }
      x[i] = keep;
      double fd = (l[0] - l[1]) / (2.0 * eps);
      g_assert_cmpfloat (fabs (fd - dx[i]), <, 1e-3);
      g_assert_cmpfloat (dx[i], ==, x[i] > 0 ? r[i] : 0.0f);
    }
  /* In place works too, as the trainer's fused form relies on. */
  memcpy (dx, r, sizeof r);
  nn_relu_backward (y, dx, dx, 64);
  for (int i = 0; i < 64; i++)
    g_assert_cmpfloat (dx[i], ==, y[i] > 0 ? r[i] : 0.0f);
}

static double
softmax_ce_double (const float *z, int classes, int label)
{
  double max = z[0];
  for (int c = 1; c < classes; c++)
    max = fmax (max, z[c]);
  double sum = 0;
  for (int c = 0; c < classes; c++)
    sum += exp ((double) z[c] - max);
  return log (sum) - ((double) z[label] - max);
}

static void
test_grad_softmax_ce (void)
{
  const int n = 4, classes = 10;
  NnRng rng;
  nn_rng_seed (&rng, 3, 0);
  float z[40], p[40], loss[4], d[40];
  uint8_t labels[4] = { 0, 3, 9, 5 };
  fill_uniform (&rng, z, 40, -4, 4);
  float total = nn_softmax_ce_forward (z, labels, n, classes, p, loss);
  double want_total = 0;
  for (int r = 0; r < n; r++)
    {
      double l = softmax_ce_double (z + r * classes, classes, labels[r]);
      g_assert_cmpfloat (fabs (loss[r] - l), <, 1e-5 * (1 + l));
      want_total += l;
      double psum = 0;
      for (int c = 0; c < classes; c++)
        psum += p[r * classes + c];
      g_assert_cmpfloat (fabs (psum - 1.0), <, 1e-5);
    }
  g_assert_cmpfloat (fabs (total - want_total), <, 1e-4);

  /* The mean loss's gradient against central differences in double; with label
   * smoothing s the loss is (1 − s)·CE(label) + s/classes·Σ_c CE(c). */
  const double eps = 1e-4;
  const float smooths[] = { 0.0f, 0.1f, 0.5f };
  for (size_t k = 0; k < G_N_ELEMENTS (smooths); k++)
    {
      double s = smooths[k];
      nn_softmax_ce_backward (p, labels, n, classes, 1.0f / n, smooths[k], d);
      for (int r = 0; r < n; r++)
        for (int c = 0; c < classes; c++)
          {
            float zz[10];
            double l[2], h[2];
            memcpy (zz, z + r * classes, sizeof zz);
            double keep = zz[c];
            for (int side = 0; side < 2; side++)
              {
                zz[c] = (float) (side == 0 ? keep + eps : keep - eps);
                h[side] = fabs ((double) zz[c] - keep);
                l[side] = (1 - s) * softmax_ce_double (zz, classes, labels[r]);
                for (int t = 0; t < classes; t++)
                  l[side] += s / classes * softmax_ce_double (zz, classes, t);
              }
            double fd = (l[0] - l[1]) / (h[0] + h[1]) / n;
            g_assert_cmpfloat (fabs (fd - d[r * classes + c]), <, 2e-4);
          }
      /* Each row's gradient sums to 0: the target is a distribution too. */
      for (int r = 0; r < n; r++)
        {
          double sum = 0;
          for (int c = 0; c < classes; c++)
            sum += d[r * classes + c];
          g_assert_cmpfloat (fabs (sum), <, 1e-6);
        }
    }
}

/* Labels drawn from softmax(3 · logits) of the net itself: the scale that fits them best
 * is 3, up to sampling noise. The fit must find it, fold exactly that factor into the
 * last layer only, and change no input's answer. */
static void
test_logit_scale (void)
{
  enum { N = 20000, IN = 24, CLASSES = 10 };
  const int sizes[] = { IN, 16, CLASSES };
  NnNet *net = nn_net_new (sizes, 3);
  nn_net_init_he (net, 5);
  NnRng rng;
  nn_rng_seed (&rng, 11, 0);
  uint8_t *x = g_new (uint8_t, (size_t) N * IN), *labels = g_new (uint8_t, N);
  fill_bytes (&rng, x, (size_t) N * IN, 0.3);
  float *p = g_new (float, (size_t) N * CLASSES), *q = g_new (float, (size_t) N * CLASSES);
  g_assert_cmpint (nn_net_forward_u8 (net, x, N, p), ==, 0);
  for (int i = 0; i < N; i++)
    {
      /* softmax(3z) = p³ normalised */
      double w[CLASSES], sum = 0;
      for (int c = 0; c < CLASSES; c++)
        sum += w[c] = pow (p[i * CLASSES + c], 3.0);
      double u = nn_rng_uniform (&rng) * sum;
      int c = 0;
      while (c < CLASSES - 1 && (u -= w[c]) > 0)
        c++;
      labels[i] = (uint8_t) c;
    }

  NnNet *before = nn_net_copy (net);
  uint8_t bad = labels[0];
  labels[0] = CLASSES;
  float scale = 0;
  g_assert_cmpint (nn_net_fit_logit_scale (net, x, labels, N, &scale), ==, -1);
  g_assert_cmpfloat (scale, ==, 1.0f);
  g_assert_cmpmem (net->params, net->n_params * sizeof (float), before->params,
                   before->n_params * sizeof (float));
  labels[0] = bad;

  g_assert_cmpint (nn_net_fit_logit_scale (net, x, labels, N, &scale), ==, 0);
  nn_net_scale_logits (net, scale);
  g_test_message ("fitted scale %.4f (want 3)", scale);
  g_assert_cmpfloat (scale, >, 2.7f);
  g_assert_cmpfloat (scale, <, 3.3f);
  int L = net->n_layers;
  for (size_t i = 0; i < net->n_params; i++)
    {
      float *w = net->params + i;
      float want = before->params[i];
      int last = (w >= net->w[L - 1] && w < net->w[L - 1] + net->layers[L - 1].n_weights)
                 || (w >= net->b[L - 1] && w < net->b[L - 1] + net->layers[L - 1].n_biases);
      g_assert_cmpfloat (*w, ==, last ? want * scale : want);
    }
  g_assert_cmpint (nn_net_forward_u8 (net, x, N, q), ==, 0);
  for (int i = 0; i < N; i++)
    g_assert_cmpint (nn_argmax (q + i * CLASSES, CLASSES), ==, nn_argmax (p + i * CLASSES, CLASSES));

  nn_net_free (before);
  nn_net_free (net);
  g_free (x);
  g_free (labels);
  g_free (p);
  g_free (q);
}

static void
test_softmax_ce_stable (void)
{
  float z[] = { 1e4f, -1e4f, 0.0f, 1e4f - 1.0f,
                -1e4f, -1e4f, -1e4f, -1e4f,
                1e4f, 1e4f, 1e4f, 1e4f };
  uint8_t labels[] = { 0, 2, 3 };
  float p[12], loss[3], d[12];
  float total = nn_softmax_ce_forward (z, labels, 3, 4, p, loss);
  g_assert_true (isfinite (total));
  for (int i = 0; i < 12; i++)
    g_assert_true (isfinite (p[i]) && p[i] >= 0.0f && p[i] <= 1.0f);
  /* Row 0: log(1 + e^-1 + 2 e^-2e4) against the top logit. */
  g_assert_cmpfloat (fabs (loss[0] - log1p (exp (-1.0))), <, 1e-5);
  g_assert_cmpfloat (fabs (loss[1] - log (4.0)), <, 1e-5);
  g_assert_cmpfloat (fabs (loss[2] - log (4.0)), <, 1e-5);
  g_assert_cmpfloat (p[1], ==, 0.0f);

  /* The wrong class by 2e4: the loss is 2e4, not inf. */
  uint8_t wrong[] = { 1 };
  float l1;
  nn_softmax_ce_forward (z, wrong, 1, 4, p, &l1);
  g_assert_cmpfloat (fabs (l1 - 2e4), <, 1.0);
  nn_softmax_ce_backward (p, wrong, 1, 4, 1.0f, 0.0f, d);
  for (int i = 0; i < 4; i++)
    g_assert_true (isfinite (d[i]));
  g_assert_cmpfloat (d[1], ==, -1.0f);

  float probs[4];
  nn_softmax_forward (z + 8, 1, 4, probs);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (probs[i], ==, 0.25f);
}

/* A whole net: the trainer's gradient against central differences of a
 * double-precision forward pass. */
static void
test_grad_net (void)
{
  int sizes[] = { 12, 9, 7, 4 };
  NnNet *net = nn_net_new (sizes, 4);
  nn_net_init_he (net, 11);
  NnRng rng;
  nn_rng_seed (&rng, 4, 0);
  for (int l = 0; l < net->n_layers; l++)
    fill_uniform (&rng, net->b[l], net->sizes[l + 1], -0.2f, 0.2f);
  const int batch = 6;
  uint8_t x[6 * 12], labels[6];
  fill_bytes (&rng, x, sizeof x, 0.3);
  for (int i = 0; i < batch; i++)
    labels[i] = (uint8_t) nn_rng_below (&rng, 4);

  /* Computing the gradient changes no parameter, so the finite differences serve every
   * kernel set and thread count. */
  double *p = g_new (double, net->n_params);
  for (size_t i = 0; i < net->n_params; i++)
    p[i] = net->params[i];
  double l0 = net_loss_double (net, p, x, labels, batch);
  double *fd = g_new (double, net->n_params);
  test_finite_differences (net_loss_double, net, p, x, labels, batch, fd);

  const char *names[] = { "reference", "avx2", "avx512" };
  for (int kk = 0; kk < 3; kk++)
    {
      const NnKernels *k = nn_kernels_by_name (names[kk]);
      if (k == NULL)
        continue;
      for (int nt = 1; nt <= 2; nt++)
        {
          NnOptConfig cfg;
          nn_opt_config_defaults (&cfg, NN_OPT_SGD);
          NnTrainer *tr = nn_trainer_new (net, &cfg, batch, nt);
          nn_trainer_set_kernels (tr, k);
          const float *g;
          float loss = nn_trainer_gradient (tr, x, labels, batch, &g);
          g_assert_cmpfloat (fabs (loss - l0), <, 1e-5 * (1 + l0));
          int kinks = 0;
          for (size_t i = 0; i < net->n_params; i++)
            if (fabs (fd[i] - g[i]) >= 1e-4 * (1 + fabs (fd[i])))
              kinks++;   /* a ReLU input within eps of 0 */
          g_assert_cmpint (kinks, ==, 0);
          g_assert_cmpuint (nn_trainer_steps_taken (tr), ==, 0);
          nn_trainer_free (tr);
        }
    }
  g_free (fd);
  g_free (p);
  nn_net_free (net);
}

/* ---- kernels: fast against reference ---- */

static void
check_gemm_shape (const NnKernels *fast, int m, int n, int s, int transposed, int epi, int u8)
{
  const NnKernels *ref = nn_kernels_reference ();
  NnRng rng;
  nn_rng_seed (&rng, (uint64_t) (m * 131 + n * 7 + s), 9);
  size_t na = (size_t) m * s;
  float *a = g_new (float, na);
  uint8_t *ab = g_new (uint8_t, na);
  float *b = g_new (float, (size_t) s * n);
  float *bias = g_new (float, n);
  float *mask = g_new (float, (size_t) m * n);
  float *c0 = g_new (float, (size_t) m * n);
  float *c1 = g_new (float, (size_t) m * n);
  float *c2 = g_new (float, (size_t) m * n);
  int *scratch = g_new (int, s);
  fill_uniform (&rng, a, na, -1, 1);
  /* u8 == 2: few zeros, so the u8 kernels keep their 6-row tiles. */
  fill_bytes (&rng, ab, na, u8 == 2 ? 0.05 : 0.6);
  fill_uniform (&rng, b, (size_t) s * n, -1, 1);
  fill_uniform (&rng, bias, n, -1, 1);
  fill_uniform (&rng, mask, (size_t) m * n, -1, 1);

  NnEpilogue ep = { .bias = (epi & 1) ? bias : NULL, .relu = (epi & 2) != 0,
                    .mask = (epi & 4) ? mask : NULL, .ldm = n };
  /* A is m × s, or stored s × m and read transposed. */
  size_t ars = transposed ? 1 : s, ass = transposed ? m : 1;
  if (u8 == 3)
    {
      ref->gemm (m, n, s, a, ars, ass, b, n, c0, n, &ep, scratch);
      fast->gemm_sparse (m, n, s, a, ars, ass, b, n, c1, n, &ep, scratch);
      /* Skipping zeros is exact: the same bits as the dense fast kernel. */
      fast->gemm (m, n, s, a, ars, ass, b, n, c2, n, &ep, scratch);
      g_assert_cmpmem (c1, (size_t) m * n * 4, c2, (size_t) m * n * 4);
    }
  else if (u8)
    {
      ref->gemm_u8 (m, n, s, ab, ars, ass, b, n, c0, n, &ep, scratch);
      fast->gemm_u8 (m, n, s, ab, ars, ass, b, n, c1, n, &ep, scratch);
    }
  else
    {
      ref->gemm (m, n, s, a, ars, ass, b, n, c0, n, &ep, scratch);
      fast->gemm (m, n, s, a, ars, ass, b, n, c1, n, &ep, scratch);
    }
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      {
        double bound = 0;
        for (int t = 0; t < s; t++)
          bound += fabs (b[(size_t) t * n + j]);
        float x = c0[(size_t) i * n + j], y = c1[(size_t) i * n + j];
        if (!(fabs ((double) x - y) <= 1e-6 * bound + 1e-6))
          g_error ("%s %dx%dx%d t%d e%d u%d at (%d,%d): %g vs %g", fast->name, m, n, s,
                   transposed, epi, u8, i, j, x, y);
      }

  /* Split into a few row bands and column strips: every output keeps its
   * bits, as thread splits rely on. */
  int rsplit = m / 3, csplit = (n / 32) * 16;
  for (int part = 0; part < 4; part++)
    {
      int r0 = part & 1 ? rsplit : 0, r1 = part & 1 ? m : rsplit;
      int k0 = part & 2 ? csplit : 0, k1 = part & 2 ? n : csplit;
      if (r1 <= r0 || k1 <= k0)
        continue;
      NnEpilogue e2 = ep;
      if (ep.bias)
        e2.bias = bias + k0;
      if (ep.mask)
        e2.mask = mask + (size_t) r0 * n + k0;
      if (u8 == 3)
        fast->gemm_sparse (r1 - r0, k1 - k0, s, a + r0 * ars, ars, ass, b + k0, n,
                           c2 + (size_t) r0 * n + k0, n, &e2, scratch);
      else if (u8)
        fast->gemm_u8 (r1 - r0, k1 - k0, s, ab + r0 * ars, ars, ass, b + k0, n,
                       c2 + (size_t) r0 * n + k0, n, &e2, scratch);
      else
        fast->gemm (r1 - r0, k1 - k0, s, a + r0 * ars, ars, ass, b + k0, n,
                    c2 + (size_t) r0 * n + k0, n, &e2, scratch);
    }
  if (rsplit > 0 && csplit > 0)
    g_assert_cmpmem (c1, (size_t) m * n * 4, c2, (size_t) m * n * 4);

  g_free (a);
  g_free (ab);
  g_free (b);
  g_free (bias);
  g_free (mask);
  g_free (c0);
  g_free (c1);
  g_free (c2);
  g_free (scratch);
}

/* Under AddressSanitizer the fast kernels check their operands' spans on entry rather than
 * each access (CHECKED_SET in nn-kernels.c): an output one float short, or an input, must still be
 * reported, as the write or read it is, naming the buffer. */
static void
test_kernels_asan_spans (void)
{
#ifdef UNDER_ASAN
  const char *names[] = { "avx2", "avx512" };
  const char *which = g_getenv ("NN_TEST_SHORT");

  if (g_test_subprocess ())
    {
      const NnKernels *k = nn_kernels_by_name (g_getenv ("NN_TEST_SET"));
      int m = 5, n = 20, s = 7;
      int short_c = strcmp (which, "c") == 0;
      float *a = g_new0 (float, (size_t) m * s);
      float *b = g_new0 (float, (size_t) s * n - (short_c ? 0 : 1));
      float *c = g_new0 (float, (size_t) m * n - (short_c ? 1 : 0));

      k->gemm (m, n, s, a, s, 1, b, n, c, n, NULL, NULL);
      g_free (a);
      g_free (b);
      g_free (c);
      return;
    }
  for (int kk = 0; kk < 2; kk++)
    {
      if (nn_kernels_by_name (names[kk]) == NULL)
        continue;
      g_setenv ("NN_TEST_SET", names[kk], TRUE);
      g_setenv ("NN_TEST_SHORT", "c", TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr ("*heap-buffer-overflow*WRITE of size 1*");
      g_setenv ("NN_TEST_SHORT", "b", TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr ("*heap-buffer-overflow*READ of size 1*");
    }
#else
  (void) 0;
  g_test_skip ("only under AddressSanitizer, where the fast kernels check spans on entry");
#endif
}

static void
test_kernels_match_reference (void)
{
  static const int shapes[][3] = {
    { 1, 1, 1 }, { 7, 13, 5 }, { 33, 129, 17 }, { 6, 64, 784 }, { 13, 10, 128 },
    { 128, 128, 33 }, { 5, 100, 3 }, { 2, 1, 9 }, { 65, 16, 40 }, { 12, 200, 64 },
    { 9, 20, 11 }, { 14, 24, 8 },
    /* one vector of columns: 8-row tiles, rows shared evenly (14 = 7 + 7, 23 = 8 + 8 + 7) */
    { 8, 16, 19 }, { 14, 16, 96 }, { 23, 5, 7 },
  };
  const char *names[] = { "avx2", "avx512" };
  int tested = 0;
  for (int kk = 0; kk < 2; kk++)
    {
      const NnKernels *k = nn_kernels_by_name (names[kk]);
      if (k == NULL)
        {
          g_test_message ("%s kernels not supported on this CPU", names[kk]);
          continue;
        }
      tested++;
      for (size_t i = 0; i < G_N_ELEMENTS (shapes); i++)
        for (int tr = 0; tr < 2; tr++)
          for (int epi = 0; epi < 8; epi++)
            for (int u8 = 0; u8 < 4; u8++)
              check_gemm_shape (k, shapes[i][0], shapes[i][1], shapes[i][2], tr, epi, u8);
    }
  /* The reference against itself still checks the harness; fast sets are
   * expected on any x86-64 test machine of this project. */
  check_gemm_shape (nn_kernels_reference (), 7, 13, 5, 0, 7, 1);
  g_assert_nonnull (nn_kernel_name ());
  g_assert_nonnull (nn_kernels_by_name (nn_kernel_name ()));
  g_assert_null (nn_kernels_by_name ("sse9"));
#if defined(__x86_64__)
  g_assert_cmpint (tested, >=, 1);
#endif
}

/* ---- training ---- */

typedef struct {
  int dim, classes, n;
  uint8_t *x;
  uint8_t *y;
} Blobs;

/* Gaussian blobs around random byte-valued centres, clamped to 0..255. */
static Blobs
make_blobs (uint64_t seed, int dim, int classes, int n, float spread)
{
  Blobs b = { dim, classes, n, g_new (uint8_t, (size_t) n * dim), g_new (uint8_t, n) };
  NnRng rng;
  nn_rng_seed (&rng, seed, 77);
  float *centres = g_new (float, (size_t) classes * dim);
  for (int i = 0; i < classes * dim; i++)
    centres[i] = nn_rng_uniform (&rng) < 0.5f ? 0.0f : 255.0f * nn_rng_uniform (&rng);
  for (int i = 0; i < n; i++)
    {
      int c = (int) nn_rng_below (&rng, classes);
      b.y[i] = (uint8_t) c;
      for (int d = 0; d < dim; d++)
        {
          float v = centres[c * dim + d] + spread * nn_rng_normal (&rng);
          b.x[(size_t) i * dim + d] = (uint8_t) (v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
        }
    }
  g_free (centres);
  return b;
}

static void
free_blobs (Blobs *b)
{
  g_free (b->x);
  g_free (b->y);
}

static double
accuracy (const NnNet *net, const Blobs *b)
{
  float *p = g_new (float, (size_t) b->n * b->classes);
  g_assert_cmpint (nn_net_forward_u8 (net, b->x, b->n, p), ==, 0);
  int ok = 0;
  for (int i = 0; i < b->n; i++)
    ok += nn_argmax (p + (size_t) i * b->classes, b->classes) == b->y[i];
  g_free (p);
  return (double) ok / b->n;
}

/* Epochs of shuffled batches; returns the last epoch's mean loss. */
static float
train (NnTrainer *tr, const Blobs *b, int batch, int epochs, uint64_t seed)
{
  NnRng rng;
  nn_rng_seed (&rng, seed, 3);
  uint32_t *order = g_new (uint32_t, b->n);
  for (int i = 0; i < b->n; i++)
    order[i] = i;
  uint8_t *bx = g_new (uint8_t, (size_t) batch * b->dim), *by = g_new (uint8_t, batch);
  float mean = 0;
  for (int e = 0; e < epochs; e++)
    {
      nn_rng_shuffle (&rng, order, b->n);
      double sum = 0;
      int steps = 0;
      for (int s = 0; s + batch <= b->n; s += batch)
        {
          for (int i = 0; i < batch; i++)
            {
              memcpy (bx + (size_t) i * b->dim, b->x + (size_t) order[s + i] * b->dim, b->dim);
              by[i] = b->y[order[s + i]];
            }
          float l = nn_trainer_step (tr, bx, by, batch, NULL);
          g_assert_true (isfinite (l));
          sum += l;
          steps++;
        }
      mean = (float) (sum / steps);
    }
  g_free (order);
  g_free (bx);
  g_free (by);
  return mean;
}

static void
test_converges (void)
{
  Blobs trainset = make_blobs (21, 32, 5, 3000, 60.0f);
  Blobs testset = make_blobs (21, 32, 5, 1000, 60.0f);
  /* Same centres (same seed), fresh samples: the test set is new draws. */
  Blobs fresh = make_blobs (21, 32, 5, 4000, 60.0f);
  memcpy (testset.x, fresh.x + (size_t) 3000 * 32, (size_t) 1000 * 32);
  memcpy (testset.y, fresh.y + 3000, 1000);
  free_blobs (&fresh);

  int sizes[] = { 32, 24, 16, 5 };
  for (int kind = 0; kind < 3; kind++)
    {
      NnNet *net = nn_net_new (sizes, 4);
      nn_net_init_he (net, 1);
      double before = accuracy (net, &testset);
      NnOptConfig cfg;
      nn_opt_config_defaults (&cfg, (NnOptKind) kind);
      NnTrainer *tr = nn_trainer_new (net, &cfg, 32, 2);
      float first = train (tr, &trainset, 32, 1, 5);
      float last = train (tr, &trainset, 32, 5, 6);
      double after = accuracy (net, &testset);
      g_test_message ("%s: loss %.4f -> %.4f, accuracy %.3f -> %.3f",
                      nn_opt_kind_to_string ((NnOptKind) kind), first, last, before, after);
      g_assert_cmpfloat (last, <, first);
      g_assert_cmpfloat (after, >, 0.95);
      g_assert_cmpuint (nn_trainer_steps_taken (tr), ==, 6 * (3000 / 32));
      nn_trainer_free (tr);
      nn_net_free (net);
    }
  free_blobs (&trainset);
  free_blobs (&testset);
}

static NnNet *
train_copy (int sizes[], int n_sizes, const NnOptConfig *cfg, int nt, const NnKernels *k,
            const Blobs *b, int batch, int epochs)
{
  NnNet *net = nn_net_new (sizes, n_sizes);
  nn_net_init_he (net, 99);
  NnTrainer *tr = nn_trainer_new (net, cfg, batch, nt);
  if (k != NULL)
    nn_trainer_set_kernels (tr, k);
  train (tr, b, batch, epochs, 8);
  nn_trainer_free (tr);
  return net;
}

static void
test_determinism (void)
{
  Blobs b = make_blobs (5, 100, 10, 700, 50.0f);
  int sizes[] = { 100, 70, 40, 10 };
  for (int kind = 0; kind < 3; kind++)
    {
      NnOptConfig cfg;
      nn_opt_config_defaults (&cfg, (NnOptKind) kind);
      cfg.decay = 1e-4f;
      cfg.l2 = 1e-4f;
      NnNet *ref = NULL;
      for (int nt = 1; nt <= 3; nt++)
        for (int rep = 0; rep < 2; rep++)
          {
            NnNet *net = train_copy (sizes, 4, &cfg, nt, NULL, &b, 48, 2);
            if (ref == NULL)
              ref = net;
            else
              {
                /* Bit-identical run after run, and (by design) whatever the
                 * thread count. */
                g_assert_cmpmem (ref->params, ref->n_params * 4, net->params,
                                 net->n_params * 4);
                nn_net_free (net);
              }
          }
      nn_net_free (ref);
    }
  free_blobs (&b);
}

/* Batch sizes that change from step to step (a last short batch) and more
 * threads than cores: still the same bits as one thread. */
static void
test_varying_batches (void)
{
  Blobs b = make_blobs (8, 60, 6, 640, 50.0f);
  int sizes[] = { 60, 40, 36, 6 };
  static const int batches[] = { 64, 7, 1, 33, 64, 12 };
  NnNet *ref = NULL;
  for (int nt = 1; nt <= 4; nt++)
    {
      NnNet *net = nn_net_new (sizes, 4);
      nn_net_init_he (net, 4);
      NnOptConfig cfg;
      nn_opt_config_defaults (&cfg, NN_OPT_ADAM);
      NnTrainer *tr = nn_trainer_new (net, &cfg, 64, nt);
      int at = 0;
      for (int step = 0; step < 60; step++)
        {
          int batch = batches[step % G_N_ELEMENTS (batches)];
          if (at + batch > b.n)
            at = 0;
          g_assert_true (isfinite (nn_trainer_step (tr, b.x + (size_t) at * b.dim, b.y + at,
                                                    batch, NULL)));
          at += batch;
        }
      nn_trainer_free (tr);
      if (ref == NULL)
        ref = net;
      else
        {
          g_assert_cmpmem (ref->params, ref->n_params * 4, net->params, net->n_params * 4);
          nn_net_free (net);
        }
    }
  nn_net_free (ref);
  free_blobs (&b);

  /* Threads start and stop cleanly, with or without work in between. */
  int small[] = { 5, 3 };
  NnNet *net = nn_net_new (small, 2);
  NnOptConfig cfg;
  nn_opt_config_defaults (&cfg, NN_OPT_SGD);
  uint8_t x[5] = { 1, 2, 3, 4, 5 }, y[1] = { 2 };
  for (int i = 0; i < 50; i++)
    {
      NnTrainer *tr = nn_trainer_new (net, &cfg, 1, 1 + i % 3);
      if (i % 2)
        nn_trainer_step (tr, x, y, 1, NULL);
      nn_trainer_free (tr);
    }
  nn_net_free (net);
}

static void
test_reference_training_agrees (void)
{
  Blobs b = make_blobs (6, 50, 4, 400, 50.0f);
  int sizes[] = { 50, 30, 4 };
  NnOptConfig cfg;
  nn_opt_config_defaults (&cfg, NN_OPT_MOMENTUM);
  NnNet *slow = train_copy (sizes, 3, &cfg, 1, nn_kernels_reference (), &b, 20, 1);
  NnNet *fast = train_copy (sizes, 3, &cfg, 2, NULL, &b, 20, 1);
  double maxdiff = 0;
  for (size_t i = 0; i < slow->n_params; i++)
    maxdiff = fmax (maxdiff, fabs ((double) slow->params[i] - fast->params[i]));
  g_test_message ("max |reference - %s| after an epoch: %g", nn_kernel_name (), maxdiff);
  g_assert_cmpfloat (maxdiff, <, 1e-3);

  /* AVX2 and AVX-512 do the same FMAs in the same order: the same bits, so
   * a model trains identically on either kind of machine. */
  const NnKernels *k2 = nn_kernels_by_name ("avx2"), *k5 = nn_kernels_by_name ("avx512");
  if (k2 != NULL && k5 != NULL)
    {
      NnNet *a = train_copy (sizes, 3, &cfg, 2, k2, &b, 20, 1);
      NnNet *c = train_copy (sizes, 3, &cfg, 2, k5, &b, 20, 1);
      g_assert_cmpmem (a->params, a->n_params * 4, c->params, c->n_params * 4);
      nn_net_free (a);
      nn_net_free (c);
    }
  nn_net_free (slow);
  nn_net_free (fast);
  free_blobs (&b);
}

static double
weight_norm (const NnNet *net)
{
  double s = 0;
  for (int l = 0; l < net->n_layers; l++)
    for (int i = 0; i < net->sizes[l] * net->sizes[l + 1]; i++)
      s += (double) net->w[l][i] * net->w[l][i];
  return sqrt (s);
}

static void
test_l2_shrinks (void)
{
  Blobs b = make_blobs (7, 20, 3, 300, 40.0f);
  int sizes[] = { 20, 16, 3 };
  for (int kind = 0; kind < 3; kind++)
    {
      NnOptConfig cfg;
      nn_opt_config_defaults (&cfg, (NnOptKind) kind);
      NnNet *plain = train_copy (sizes, 3, &cfg, 1, NULL, &b, 30, 3);
      cfg.l2 = 0.05f;
      NnNet *decayed = train_copy (sizes, 3, &cfg, 1, NULL, &b, 30, 3);
      g_assert_cmpfloat (weight_norm (decayed), <, 0.95 * weight_norm (plain));
      nn_net_free (plain);
      nn_net_free (decayed);
    }

  /* One SGD step on a zero gradient: weights scale by exactly (1 - lr·l2)
   * and biases stay. A lone class with a huge logit margin gives ~0 gradient. */
  NnOptStep st;
  NnOptConfig cfg;
  nn_opt_config_defaults (&cfg, NN_OPT_SGD);
  cfg.l2 = 0.5f;
  nn_opt_step_prepare (&st, &cfg, 0);
  float w[4] = { 1, -2, 4, 0 }, g[4] = { 0 }, bias[2] = { 3, -3 };
  nn_opt_update (&st, w, g, NULL, NULL, 4, 1);
  nn_opt_update (&st, bias, g, NULL, NULL, 2, 0);
  g_assert_cmpfloat (w[0], ==, 1.0f - 0.1f * 0.5f * 1.0f);
  g_assert_cmpfloat (w[2], ==, 4.0f - 0.1f * (0.5f * 4.0f));
  g_assert_cmpfloat (bias[0], ==, 3.0f);
  g_assert_cmpfloat (bias[1], ==, -3.0f);
  free_blobs (&b);
}

static void
test_opt_rules (void)
{
  /* Hand-worked single elements for each rule. */
  NnOptConfig cfg;
  NnOptStep st;
  nn_opt_config_defaults (&cfg, NN_OPT_SGD);
  cfg.decay = 1.0f;
  nn_opt_step_prepare (&st, &cfg, 3);
  g_assert_cmpfloat (st.lr, ==, 0.1f / 4.0f);

  /* The half cosine: full rate at the start, half at the middle, 0 at the end and after,
   * on top of the 1 / (1 + decay·t) rule. */
  cfg.anneal_steps = 100;
  nn_opt_step_prepare (&st, &cfg, 0);
  g_assert_cmpfloat (st.lr, ==, 0.1f);
  nn_opt_step_prepare (&st, &cfg, 50);
  g_assert_cmpfloat (fabs (st.lr - 0.1 / 51.0 * 0.5), <, 1e-9);
  nn_opt_step_prepare (&st, &cfg, 100);
  g_assert_cmpfloat (st.lr, ==, 0.0f);
  nn_opt_step_prepare (&st, &cfg, 1000);
  g_assert_cmpfloat (st.lr, ==, 0.0f);
  cfg.decay = 0.0f;
  nn_opt_step_prepare (&st, &cfg, 25);
  g_assert_cmpfloat (fabs (st.lr - 0.1 * (1 + cos (G_PI / 4)) / 2), <, 1e-8);

  nn_opt_config_defaults (&cfg, NN_OPT_MOMENTUM);
  nn_opt_step_prepare (&st, &cfg, 0);
  float w = 1.0f, g = 2.0f, m = 0.0f;
  nn_opt_update (&st, &w, &g, &m, NULL, 1, 1);
  g_assert_cmpfloat (fabs (w - (1.0 - 0.05 * 2)), <, 1e-7);
  nn_opt_update (&st, &w, &g, &m, NULL, 1, 1);
  g_assert_cmpfloat (fabs (w - (0.9 - (0.9 * 0.1 + 0.1))), <, 1e-6);

  /* Adam's first step moves by lr·sign(g) whatever g's size (bias correction). */
  nn_opt_config_defaults (&cfg, NN_OPT_ADAM);
  nn_opt_step_prepare (&st, &cfg, 0);
  float ws[2] = { 0, 0 }, gs[2] = { 1e-3f, -50.0f }, ms[2] = { 0 }, vs[2] = { 0 };
  nn_opt_update (&st, ws, gs, ms, vs, 2, 1);
  g_assert_cmpfloat (fabs (ws[0] + 1e-3), <, 1e-7);
  g_assert_cmpfloat (fabs (ws[1] - 1e-3), <, 1e-7);
}

static void
test_trainer_rejects (void)
{
  int sizes[] = { 4, 3 };
  NnNet *net = nn_net_new (sizes, 2);
  nn_net_init_he (net, 1);
  NnNet *before = nn_net_copy (net);
  NnOptConfig cfg;
  nn_opt_config_defaults (&cfg, NN_OPT_SGD);
  g_assert_null (nn_trainer_new (NULL, &cfg, 4, 1));
  g_assert_null (nn_trainer_new (net, &cfg, 0, 1));
  NnTrainer *tr = nn_trainer_new (net, &cfg, 4, 2);
  uint8_t x[16] = { 0 }, bad[4] = { 0, 1, 3, 0 }, good[4] = { 0, 1, 2, 0 };
  int correct = -1;
  g_assert_true (isnan (nn_trainer_step (tr, x, bad, 4, &correct)));
  g_assert_cmpint (correct, ==, 0);
  g_assert_true (isnan (nn_trainer_step (tr, x, good, 5, NULL)));
  g_assert_true (isnan (nn_trainer_step (tr, x, good, 0, NULL)));
  g_assert_cmpmem (net->params, net->n_params * 4, before->params, net->n_params * 4);
  g_assert_cmpuint (nn_trainer_steps_taken (tr), ==, 0);
  /* All-zero input: every logit is the bias (0), so ties go to class 0. */
  float l = nn_trainer_step (tr, x, good, 4, &correct);
  g_assert_cmpfloat (fabs (l - logf (3.0f)), <, 1e-6);
  g_assert_cmpint (correct, ==, 2);
  g_assert_cmpuint (nn_trainer_steps_taken (tr), ==, 1);
  nn_trainer_free (tr);
  nn_net_free (before);
  nn_net_free (net);
}

/* ---- inference ---- */

typedef struct {
  const NnNet *net;
  const uint8_t *x;
  size_t n;
  float *out;
} ForwardJob;

static gpointer
forward_thread (gpointer data)
{
  ForwardJob *job = data;
  for (int rep = 0; rep < 20; rep++)
    g_assert_cmpint (nn_net_forward_u8 (job->net, job->x, job->n, job->out), ==, 0);
  return NULL;
}

static void
test_forward (void)
{
  int sizes[] = { 784, 128, 128, 10 };
  NnNet *net = nn_net_new (sizes, 4);
  nn_net_init_he (net, 3);
  NnRng rng;
  nn_rng_seed (&rng, 10, 0);
  for (int l = 0; l < 3; l++)
    fill_uniform (&rng, net->b[l], sizes[l + 1], -0.1f, 0.1f);
  const size_t n = 517;   /* more than one internal chunk, odd */
  uint8_t *x = g_new (uint8_t, n * 784);
  float *xf = g_new (float, n * 784);
  fill_bytes (&rng, x, n * 784, 0.8);
  for (size_t i = 0; i < n * 784; i++)
    xf[i] = x[i] / 255.0f;
  float *p8 = g_new (float, n * 10), *pf = g_new (float, n * 10), *p1 = g_new (float, 10);
  g_assert_cmpint (nn_net_forward_u8 (net, x, n, p8), ==, 0);
  g_assert_cmpint (nn_net_forward (net, xf, n, pf), ==, 0);
  /* Bytes and their float values take the same path through the sums. */
  g_assert_cmpmem (p8, n * 40, pf, n * 40);
  for (size_t i = 0; i < n; i++)
    {
      double s = 0;
      for (int c = 0; c < 10; c++)
        s += p8[i * 10 + c];
      g_assert_cmpfloat (fabs (s - 1.0), <, 1e-5);
    }
  /* One at a time gives the same bits as the batch. */
  for (size_t i = 0; i < n; i += 37)
    {
      g_assert_cmpint (nn_net_forward_u8 (net, x + i * 784, 1, p1), ==, 0);
      g_assert_cmpmem (p1, 40, p8 + i * 10, 40);
    }
  /* Against the double-precision reference. */
  double *dp = g_new (double, net->n_params);
  for (size_t i = 0; i < net->n_params; i++)
    dp[i] = net->params[i];
  for (size_t i = 0; i < n; i += 101)
    {
      uint8_t label = (uint8_t) nn_argmax (p8 + i * 10, 10);
      double l = net_loss_double (net, dp, x + i * 784, &label, 1);
      g_assert_cmpfloat (fabs (-log (p8[i * 10 + label]) - l), <, 1e-4);
    }
  g_free (dp);

  /* Several threads on one const net. */
  ForwardJob jobs[3];
  GThread *threads[3];
  for (int t = 0; t < 3; t++)
    {
      jobs[t] = (ForwardJob) { net, x, n, g_new (float, n * 10) };
      threads[t] = g_thread_new ("forward", forward_thread, &jobs[t]);
    }
  for (int t = 0; t < 3; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpmem (jobs[t].out, n * 40, p8, n * 40);
      g_free (jobs[t].out);
    }
  /* A set big enough to be split among threads gives the same bits. */
  const size_t big = 9000;
  uint8_t *xbig = g_new (uint8_t, big * 784);
  float *pbig = g_new (float, big * 10);
  for (size_t i = 0; i < big; i++)
    memcpy (xbig + i * 784, x + (i % n) * 784, 784);
  g_assert_cmpint (nn_net_forward_u8 (net, xbig, big, pbig), ==, 0);
  for (size_t i = 0; i < big; i++)
    g_assert_cmpmem (pbig + i * 10, 40, p8 + (i % n) * 10, 40);
  g_free (xbig);
  g_free (pbig);

  g_assert_cmpint (nn_net_forward_u8 (net, x, 0, p8), ==, 0);
  g_assert_cmpint (nn_net_forward_u8 (NULL, x, 1, p8), !=, 0);
  g_free (x);
  g_free (xf);
  g_free (p8);
  g_free (pf);
  g_free (p1);
  nn_net_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nn/rng/known-values", test_rng_known_values);
  g_test_add_func ("/nn/rng/reproducible", test_rng_reproducible);
  g_test_add_func ("/nn/rng/distributions", test_rng_distributions);
  g_test_add_func ("/nn/net/arch", test_arch);
  g_test_add_func ("/nn/net/argmax", test_argmax);
  g_test_add_func ("/nn/net/forward", test_forward);
  g_test_add_func ("/nn/opt/names", test_opt_names);
  g_test_add_func ("/nn/opt/rules", test_opt_rules);
  g_test_add_func ("/nn/grad/dense", test_grad_dense);
  g_test_add_func ("/nn/grad/relu", test_grad_relu);
  g_test_add_func ("/nn/grad/softmax-ce", test_grad_softmax_ce);
  g_test_add_func ("/nn/grad/net", test_grad_net);
  g_test_add_func ("/nn/softmax-ce/stable", test_softmax_ce_stable);
  g_test_add_func ("/nn/net/logit-scale", test_logit_scale);
  g_test_add_func ("/nn/kernels/match-reference", test_kernels_match_reference);
  g_test_add_func ("/nn/kernels/asan-spans", test_kernels_asan_spans);
  g_test_add_func ("/nn/train/rejects", test_trainer_rejects);
  g_test_add_func ("/nn/train/converges", test_converges);
  g_test_add_func ("/nn/train/determinism", test_determinism);
  g_test_add_func ("/nn/train/varying-batches", test_varying_batches);
  g_test_add_func ("/nn/train/reference-agrees", test_reference_training_agrees);
  g_test_add_func ("/nn/train/l2-shrinks", test_l2_shrinks);
  return g_test_run ();
}

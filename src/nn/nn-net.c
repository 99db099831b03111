/* nn-net.c — the network: architecture, parameters and inference, all
 * through the layer table that training walks too. */
#include "nn-private.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

/* Points w[] and b[] into params, in file order W0, b0, W1, b1, ... */
static void
carve_views (NnNet *net)
{
  float *p = net->params;
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      net->w[l] = ly->n_weights ? p : NULL;
      p += ly->n_weights;
      net->b[l] = ly->n_biases ? p : NULL;
      p += ly->n_biases;
    }
}

NnNet *
nn_net_new_arch (const NnArch *arch)
{
  NnLayer layers[NN_MAX_LAYERS];
  if (nn_arch_resolve (arch, layers, NULL, 0) != 0)
    return NULL;
  NnNet *net = calloc (1, sizeof *net);
  if (net == NULL)
    return NULL;
  net->n_layers = arch->n_layers;
  net->in_c = arch->in_c, net->in_h = arch->in_h, net->in_w = arch->in_w;
  net->sizes[0] = arch->in_c * arch->in_h * arch->in_w;
  for (int l = 0; l < arch->n_layers; l++)
    {
      net->layers[l] = layers[l];
      net->sizes[l + 1] = layers[l].out_c * layers[l].out_h * layers[l].out_w;
      net->n_params += layers[l].n_weights + layers[l].n_biases;
    }
  net->params = calloc (net->n_params ? net->n_params : 1, sizeof (float));
  if (net->params == NULL)
    {
      free (net);
      return NULL;
    }
  carve_views (net);
  return net;
}

NnNet *
nn_net_new (const int *sizes, int n_sizes)
{
  NnArch arch;
  if (nn_arch_check (sizes, n_sizes) != 0
      || nn_arch_from_sizes (sizes, n_sizes, sizes[0], 1, 1, &arch) != 0)
    return NULL;
  return nn_net_new_arch (&arch);
}

void
nn_net_arch (const NnNet *net, NnArch *arch)
{
  memset (arch, 0, sizeof *arch);
  arch->in_c = net->in_c, arch->in_h = net->in_h, arch->in_w = net->in_w;
  arch->n_layers = net->n_layers;
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      arch->layers[l] = (NnLayerSpec) { ly->kind, ly->size, ly->units, ly->valid };
    }
}

int
nn_net_spec (const NnNet *net, char *buf, size_t len)
{
  NnArch arch;
  if (net == NULL)
    return -1;
  nn_net_arch (net, &arch);
  return nn_arch_format (&arch, buf, len);
}

int
nn_net_is_dense (const NnNet *net)
{
  for (int l = 0; l < net->n_layers; l++)
    if (net->layers[l].kind != NN_LAYER_DENSE)
      return 0;
  return 1;
}

NnNet *
nn_net_copy (const NnNet *net)
{
  if (net == NULL)
    return NULL;
  NnArch arch;
  nn_net_arch (net, &arch);
  NnNet *copy = nn_net_new_arch (&arch);
  if (copy != NULL)
    memcpy (copy->params, net->params, net->n_params * sizeof (float));
  return copy;
}

void
nn_net_copy_into (NnNet *dst, const NnNet *src)
{
  if (dst == NULL || src == NULL || dst == src || !nn_net_same_arch (dst, src))
    return;
  memcpy (dst->params, src->params, src->n_params * sizeof (float));
}

void
nn_net_free (NnNet *net)
{
  if (net == NULL)
    return;
  free (net->params);
  free (net);
}

int
nn_net_same_arch (const NnNet *a, const NnNet *b)
{
  if (a == NULL || b == NULL || a->n_layers != b->n_layers || a->sizes[0] != b->sizes[0])
    return 0;
  for (int l = 0; l < a->n_layers; l++)
    {
      const NnLayer *x = &a->layers[l], *y = &b->layers[l];
      if (x->kind != y->kind || x->size != y->size || x->units != y->units
          || x->valid != y->valid || x->in_c != y->in_c || x->in_h != y->in_h
          || x->in_w != y->in_w || a->sizes[l + 1] != b->sizes[l + 1])
        return 0;
    }
  return 1;
}

void
nn_net_init_he (NnNet *net, uint64_t seed)
{
  if (net == NULL)
    return;
  NnRng rng;
  nn_rng_seed (&rng, seed, 0x4e4e);
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      if (ly->n_weights == 0)
        continue;
      /* He: variance 2 / fan_in keeps ReLU activations' scale layer to layer. */
      float sd = sqrtf (2.0f / (float) ly->fan_in);
      for (size_t i = 0; i < ly->n_weights; i++)
        net->w[l][i] = nn_rng_normal (&rng) * sd;
      memset (net->b[l], 0, sizeof (float) * ly->n_biases);
    }
}

double
nn_net_macs (const NnNet *net)
{
  double m = 0;
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      m += (double) ly->n_weights * (ly->kind == NN_LAYER_CONV ? ly->out_h * ly->out_w : 1);
    }
  return m;
}

int
nn_argmax (const float *v, int n)
{
  int best = 0;
  for (int i = 1; i < n; i++)
    if (v[i] > v[best])
      best = i;
  return best;
}

const char *
nn_kernel_name (void)
{
  return nn_kernels_best ()->name;
}

/* ---- forward ---- */

/* Rows per pass: enough to fill the kernels' tiles, small enough for L2. */
#define FORWARD_CHUNK 192
#define COL_BUDGET (256 * 1024)   /* floats of padded conv inputs per pass */

typedef struct {
  float *buf[2];
  float *col;
  int *scratch;
  void *mem;
  size_t chunk;
} Buffers;

static int
buffers_init (Buffers *bf, const NnNet *net, size_t n)
{
  size_t width = 0, col = 0, scratch = 0;
  for (int l = 0; l < net->n_layers; l++)
    {
      const NnLayer *ly = &net->layers[l];
      if ((size_t) net->sizes[l + 1] > width)
        width = (size_t) net->sizes[l + 1];
      if (nn_layer_col_len (ly, 1) > col)
        col = nn_layer_col_len (ly, 1);
      if (nn_layer_scratch_len (ly, 0) > scratch)
        scratch = nn_layer_scratch_len (ly, 0);
    }
  size_t chunk = n < FORWARD_CHUNK ? n : FORWARD_CHUNK;
  if (col > 0 && chunk * col > COL_BUDGET)
    chunk = COL_BUDGET / col > 0 ? COL_BUDGET / col : 1;
  bf->chunk = chunk;
  size_t floats = 2 * chunk * width + chunk * col;
  bf->mem = malloc (floats * sizeof (float) + scratch * sizeof (int) + 64);
  if (bf->mem == NULL)
    return -1;
  float *p = bf->mem;
  bf->buf[0] = p;
  bf->buf[1] = p + chunk * width;
  bf->col = p + 2 * chunk * width;
  bf->scratch = (int *) (p + floats);
  return 0;
}

static int
forward_rows (const NnNet *net, const float *xf, const uint8_t *xb, size_t n, float *probs)
{
  const NnKernels *k = nn_kernels_best ();
  Buffers bf;
  if (buffers_init (&bf, net, n) != 0)
    return -1;
  size_t in = (size_t) net->sizes[0];
  int classes = net->sizes[net->n_layers];
  for (size_t r0 = 0; r0 < n; r0 += bf.chunk)
    {
      int rows = (int) (n - r0 < bf.chunk ? n - r0 : bf.chunk);
      const float *cur = xf ? xf + r0 * in : NULL;
      for (int l = 0; l < net->n_layers; l++)
        {
          const NnLayer *ly = &net->layers[l];
          int last = l == net->n_layers - 1;
          float *out = last ? probs + r0 * classes : bf.buf[l % 2];
          NnWork wk = { .col = bf.col, .scratch = bf.scratch };
          nn_layer_ops (ly->kind)->forward (k, ly, net->w[l], net->b[l], cur,
                                            l == 0 && xb ? xb + r0 * in : NULL, rows, l == 0,
                                            out, &wk);
          cur = out;
        }
      float *z = probs + r0 * classes;
      nn_softmax_forward (z, rows, classes, z);
    }
  free (bf.mem);
  return 0;
}

/* Large sets (a test set) are split by rows among short-lived threads: rows
 * are independent, so the bits are the same as on one thread. */
#define ROWS_PER_THREAD 512
#define MAX_FORWARD_THREADS 8

typedef struct {
  const NnNet *net;
  const float *xf;
  const uint8_t *xb;
  size_t n;
  float *probs;
  int result;
} ForwardJob;

static void *
forward_job (void *data)
{
  ForwardJob *job = data;
  job->result = forward_rows (job->net, job->xf, job->xb, job->n, job->probs);
  return NULL;
}

static int
forward_any (const NnNet *net, const float *xf, const uint8_t *xb, size_t n, float *probs)
{
  if (net == NULL || probs == NULL || (xf == NULL && xb == NULL))
    return -1;
  if (n == 0)
    return 0;

  size_t nt = n / ROWS_PER_THREAD;
  if (nt < 2)
    return forward_rows (net, xf, xb, n, probs);
  /* The CPUs this thread may run on (a syscall, so only for big n). */
  cpu_set_t set;
  if (sched_getaffinity (0, sizeof set, &set) == 0 && nt > (size_t) CPU_COUNT (&set))
    nt = (size_t) CPU_COUNT (&set);
  if (nt > MAX_FORWARD_THREADS)
    nt = MAX_FORWARD_THREADS;
  if (nt < 2)
    return forward_rows (net, xf, xb, n, probs);

  ForwardJob jobs[MAX_FORWARD_THREADS];
  pthread_t threads[MAX_FORWARD_THREADS];
  int started[MAX_FORWARD_THREADS] = { 0 };
  size_t in = net->sizes[0], classes = net->sizes[net->n_layers];
  for (size_t t = 0; t < nt; t++)
    {
      size_t r0 = n * t / nt, r1 = n * (t + 1) / nt;
      jobs[t] = (ForwardJob) { net, xf ? xf + r0 * in : NULL, xb ? xb + r0 * in : NULL,
                               r1 - r0, probs + r0 * classes, 0 };
      if (t > 0)
        started[t] = pthread_create (&threads[t], NULL, forward_job, &jobs[t]) == 0;
    }
  forward_job (&jobs[0]);
  int result = jobs[0].result;
  for (size_t t = 1; t < nt; t++)
    {
      if (started[t])
        pthread_join (threads[t], NULL);
      else
        forward_job (&jobs[t]);   /* no thread to be had: do it here */
      if (jobs[t].result != 0)
        result = jobs[t].result;
    }
  return result;
}

int
nn_net_forward (const NnNet *net, const float *x, size_t n, float *probs)
{
  return forward_any (net, x, NULL, n, probs);
}

int
nn_net_forward_u8 (const NnNet *net, const uint8_t *x, size_t n, float *probs)
{
  return forward_any (net, NULL, x, n, probs);
}

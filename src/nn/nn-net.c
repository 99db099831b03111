/* nn-net.c — the network: architecture, parameters and inference. */
#include "nn-private.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

int
nn_arch_check (const int *sizes, int n_sizes)
{
  if (sizes == NULL || n_sizes < 2 || n_sizes > NN_MAX_LAYERS + 1)
    return -1;
  for (int i = 0; i < n_sizes; i++)
    if (sizes[i] < 1 || sizes[i] > NN_MAX_WIDTH)
      return -1;
  if (sizes[n_sizes - 1] < 2)
    return -1;
  return 0;
}

size_t
nn_arch_param_count (const int *sizes, int n_sizes)
{
  if (nn_arch_check (sizes, n_sizes) != 0)
    return 0;
  size_t n = 0;
  for (int l = 0; l + 1 < n_sizes; l++)
    n += (size_t) sizes[l] * sizes[l + 1] + sizes[l + 1];
  return n;
}

/* Points w[] and b[] into params, in file order W0, b0, W1, b1, ... */
static void
carve_views (NnNet *net)
{
  float *p = net->params;
  for (int l = 0; l < net->n_layers; l++)
    {
      net->w[l] = p;
      p += (size_t) net->sizes[l] * net->sizes[l + 1];
      net->b[l] = p;
      p += net->sizes[l + 1];
    }
}

NnNet *
nn_net_new (const int *sizes, int n_sizes)
{
  if (nn_arch_check (sizes, n_sizes) != 0)
    return NULL;
  NnNet *net = calloc (1, sizeof *net);
  if (net == NULL)
    return NULL;
  net->n_layers = n_sizes - 1;
  memcpy (net->sizes, sizes, sizeof (int) * n_sizes);
  net->n_params = nn_arch_param_count (sizes, n_sizes);
  net->params = calloc (net->n_params, sizeof (float));
  if (net->params == NULL)
    {
      free (net);
      return NULL;
    }
  carve_views (net);
  return net;
}

NnNet *
nn_net_copy (const NnNet *net)
{
  if (net == NULL)
    return NULL;
  NnNet *copy = nn_net_new (net->sizes, net->n_layers + 1);
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
  if (a == NULL || b == NULL || a->n_layers != b->n_layers)
    return 0;
  for (int l = 0; l <= a->n_layers; l++)
    if (a->sizes[l] != b->sizes[l])
      return 0;
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
      /* He: variance 2 / fan_in keeps ReLU activations' scale layer to layer. */
      float sd = sqrtf (2.0f / (float) net->sizes[l]);
      size_t nw = (size_t) net->sizes[l] * net->sizes[l + 1];
      for (size_t i = 0; i < nw; i++)
        net->w[l][i] = nn_rng_normal (&rng) * sd;
      memset (net->b[l], 0, sizeof (float) * net->sizes[l + 1]);
    }
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

/* Rows per pass: enough to fill the kernels' tiles, small enough for L2. */
#define FORWARD_CHUNK 192
#define STACK_FLOATS 4096

static int
forward_rows (const NnNet *net, const float *xf, const uint8_t *xb, size_t n, float *probs)
{
  const NnKernels *k = nn_kernels_best ();
  int width = 0;
  for (int l = 1; l <= net->n_layers; l++)
    if (net->sizes[l] > width)
      width = net->sizes[l];
  size_t chunk = n < FORWARD_CHUNK ? n : FORWARD_CHUNK;
  size_t need = 2 * chunk * (size_t) width;

  /* One sample (the canvas) fits on the stack: no malloc on that path. */
  float stack_buf[STACK_FLOATS];
  float *buf = stack_buf;
  if (need > STACK_FLOATS)
    {
      buf = malloc (need * sizeof (float));
      if (buf == NULL)
        return -1;
    }

  int in = net->sizes[0];
  int classes = net->sizes[net->n_layers];
  for (size_t r0 = 0; r0 < n; r0 += chunk)
    {
      int rows = (int) (n - r0 < chunk ? n - r0 : chunk);
      float *cur = buf, *next = buf + chunk * width;
      for (int l = 0; l < net->n_layers; l++)
        {
          int last = l == net->n_layers - 1;
          float *out = last ? probs + r0 * classes : next;
          if (l > 0)
            nn_dense_forward (k, cur, rows, net->sizes[l], net->w[l], net->b[l],
                              net->sizes[l + 1], !last, out);
          else if (xb != NULL)
            nn_dense_forward_u8 (k, xb + r0 * in, rows, in, net->w[0], net->b[0],
                                 net->sizes[1], !last, out);
          else
            nn_dense_forward_sparse (k, xf + r0 * in, rows, in, net->w[0], net->b[0],
                                     net->sizes[1], !last, out);
          float *t = cur;
          cur = next;
          next = t;
        }
      float *z = probs + r0 * classes;
      nn_softmax_forward (z, rows, classes, z);
    }

  if (buf != stack_buf)
    free (buf);
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

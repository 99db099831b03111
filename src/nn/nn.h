/* nn.h — the Digits neural network engine.
 *
 * C11 and libm only: no GLib, no I/O, no globals. A network is a stack of
 * fully connected layers with ReLU between them and softmax fused with
 * cross-entropy at the end. Parameters, gradients and optimizer state each
 * live in one allocation (llm.c style) with per-layer views into it.
 *
 * Weight layout (fixed: the model file stores it as is): layer l maps
 * sizes[l] inputs to sizes[l+1] outputs; its weights are a row-major
 * sizes[l] × sizes[l+1] matrix W[i * out + o], followed by nothing; its bias is
 * a vector of sizes[l+1]. In the flat parameter array the layers follow each
 * other: W0, b0, W1, b1, ...
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NN_MAX_LAYERS 8          /* dense layers, so up to 9 sizes */
#define NN_MAX_WIDTH  4096       /* largest layer size accepted */

/* ---- random numbers: PCG32, seeded, reproducible everywhere ---- */

typedef struct {
  uint64_t state;
  uint64_t inc;
} NnRng;

void     nn_rng_seed    (NnRng *rng, uint64_t seed, uint64_t stream);
uint32_t nn_rng_next    (NnRng *rng);
uint32_t nn_rng_below   (NnRng *rng, uint32_t n);   /* uniform in [0, n) without bias */
float    nn_rng_uniform (NnRng *rng);               /* uniform in [0, 1) */
float    nn_rng_normal  (NnRng *rng);               /* standard normal */
void     nn_rng_shuffle (NnRng *rng, uint32_t *items, size_t n); /* Fisher–Yates */

/* ---- the network ---- */

typedef struct {
  int n_layers;                    /* dense layers */
  int sizes[NN_MAX_LAYERS + 1];    /* sizes[0] inputs ... sizes[n_layers] classes */
  size_t n_params;
  float *params;                   /* one allocation of n_params floats */
  float *w[NN_MAX_LAYERS];         /* views into params */
  float *b[NN_MAX_LAYERS];
} NnNet;

/* Checks an architecture without allocating: 2..NN_MAX_LAYERS+1 sizes, each
 * in 1..NN_MAX_WIDTH, at least 2 classes. Returns 0 when valid. */
int     nn_arch_check        (const int *sizes, int n_sizes);
size_t  nn_arch_param_count  (const int *sizes, int n_sizes);

NnNet  *nn_net_new       (const int *sizes, int n_sizes);   /* zeroed; NULL if invalid/OOM */
NnNet  *nn_net_copy      (const NnNet *net);
void    nn_net_copy_into (NnNet *dst, const NnNet *src);     /* same architecture */
void    nn_net_free      (NnNet *net);
int     nn_net_same_arch (const NnNet *a, const NnNet *b);
/* He (Kaiming) normal initialisation of weights, zero biases. */
void    nn_net_init_he   (NnNet *net, uint64_t seed);

/* Inference: n inputs of sizes[0] values each (0 background .. 1 ink) give
 * n × sizes[n_layers] probabilities. Safe to call from several threads on the
 * same const net. Returns 0, or -1 if memory ran out. */
int nn_net_forward    (const NnNet *net, const float *x, size_t n, float *probs);
/* The same from bytes (value / 255), as data sets store them. */
int nn_net_forward_u8 (const NnNet *net, const uint8_t *x, size_t n, float *probs);

/* Index of the largest of n values (first on ties). */
int nn_argmax (const float *v, int n);

/* The kernel set this CPU runs: "avx512", "avx2" or "reference". */
const char *nn_kernel_name (void);

/* ---- optimizers ---- */

typedef enum {
  NN_OPT_SGD = 0,        /* plain SGD, lr_t = lr / (1 + decay * t) */
  NN_OPT_MOMENTUM = 1,   /* SGD with (heavy-ball) momentum, same schedule */
  NN_OPT_ADAM = 2,       /* Adam with bias correction, same schedule */
} NnOptKind;

typedef struct {
  NnOptKind kind;
  float lr;
  float decay;      /* learning-rate decay per step: lr / (1 + decay * t) */
  float momentum;   /* NN_OPT_MOMENTUM */
  float beta1;      /* NN_OPT_ADAM */
  float beta2;
  float eps;
  float l2;         /* L2 weight decay on weights (not biases): grad += l2 * w */
} NnOptConfig;

/* Fills the engine's defaults for that optimizer. */
void nn_opt_config_defaults (NnOptConfig *config, NnOptKind kind);
const char *nn_opt_kind_to_string (NnOptKind kind);            /* "sgd", "momentum", "adam" */
int         nn_opt_kind_from_string (const char *s, NnOptKind *kind); /* 0 on success */

/* ---- training ---- */

typedef struct NnTrainer NnTrainer;

/* A trainer owns gradients, optimizer state and activations for batches of
 * up to max_batch, and uses n_threads threads (1 = the calling thread only).
 * The results are bit-identical for the same seed, settings and n_threads
 * (in this engine in fact for any n_threads, and the same on AVX2 and
 * AVX-512 machines). The net is borrowed and updated in place by
 * nn_trainer_step. Worker threads start in nn_trainer_new, inherit the
 * creating thread's nice value (Linux) and are joined by nn_trainer_free;
 * between steps they spin ~0.1 ms, then sleep. */
NnTrainer *nn_trainer_new  (NnNet *net, const NnOptConfig *config, int max_batch, int n_threads);
void       nn_trainer_free (NnTrainer *trainer);

/* One optimizer step on a batch: x holds batch × sizes[0] bytes (value/255),
 * labels batch class indices. Returns the mean cross-entropy loss of the
 * batch before the update; *n_correct (if not NULL) counts argmax == label. */
float nn_trainer_step (NnTrainer *trainer, const uint8_t *x, const uint8_t *labels,
                       int batch, int *n_correct);
uint64_t nn_trainer_steps_taken (const NnTrainer *trainer);

#ifdef __cplusplus
}
#endif

/* nn.h — the Digits neural network engine.
 *
 * C11 and libm only: no GLib, no I/O, no globals. A network is a list of
 * layers — 2-D convolutions, max-pooling and fully connected layers, ReLU
 * fused after every conv and dense layer but the last — ending in a dense
 * layer whose outputs go through softmax fused with cross-entropy. Every
 * layer kind has one table of functions (nn-private.h) that both training
 * and inference walk. Parameters, gradients and optimizer state each live in
 * one allocation (llm.c style) with per-layer views into it.
 *
 * Activations are stored channels last: a C×H×W map is H·W rows of C values
 * (value (c, y, x) at (y·W + x)·C + c); a dense layer's input is that map
 * flattened in the same order. nn_net_forward_layers gives maps in C×H×W
 * order instead, for display.
 *
 * Weight layout (fixed: the model file stores it as is). Every layer with
 * parameters has a row-major fan_in × out matrix W[i * out + o] then a bias
 * of out values; in the flat parameter array the layers follow each other:
 * W0, b0, W1, b1, ... (pooling has none). Dense: fan_in = its inputs. Conv
 * K×K from Cin to Cout channels: fan_in = K·K·Cin with row
 * i = (ky·K + kx)·Cin + ci, out = Cout — so a dense-only net is laid out
 * exactly as format-1 model files store it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#define NN_MAX_LAYERS   16        /* layers, the final dense one included */
#define NN_MAX_WIDTH    4096      /* largest dense layer accepted */
#define NN_MAX_CHANNELS 1024      /* largest conv layer accepted */
#define NN_MAX_KERNEL   15        /* largest conv / pool side accepted */
#define NN_MAX_VALUES   (1 << 20) /* largest activation of one sample, in floats */
#define NN_SPEC_MAX     512       /* bytes a canonical spec string can take */

typedef enum {
  NN_LAYER_DENSE = 0,
  NN_LAYER_CONV = 1,
  NN_LAYER_POOL = 2,
} NnLayerKind;

/* One layer as written in a spec: dense<units>, conv<size>x<units>[v], pool<size>. */
typedef struct {
  NnLayerKind kind;
  int size;       /* conv: kernel side K; pool: window side S; dense: 0 */
  int units;      /* dense: outputs; conv: output channels; pool: 0 */
  int valid;      /* conv: 1 = 'valid' (no padding), 0 = 'same' */
} NnLayerSpec;

/* A whole architecture: the input's shape and the layers, the last one the
 * dense layer of class scores (not written in spec strings). */
typedef struct {
  int in_c, in_h, in_w;
  int n_layers;
  NnLayerSpec layers[NN_MAX_LAYERS];
} NnArch;

/* A layer with its shapes worked out. Dense: in_c = inputs, in_h = in_w = 1
 * (whatever map came before, flattened), out_c = units, out_h = out_w = 1. */
typedef struct {
  NnLayerKind kind;
  int size, units, valid;
  int relu;                  /* ReLU fused after it: every conv and dense but the last */
  int in_c, in_h, in_w;
  int out_c, out_h, out_w;
  int pad_t, pad_l;          /* conv: zero rows above / columns left of the input */
  int fan_in;                /* rows of W: conv K·K·in_c, dense in_c, pool 0 */
  size_t n_weights;          /* fan_in × out_c (0 for pool) */
  size_t n_biases;           /* out_c (0 for pool) */
} NnLayer;

typedef struct {
  int n_layers;
  NnLayer layers[NN_MAX_LAYERS];
  int in_c, in_h, in_w;
  /* Values per sample: sizes[0] inputs, sizes[l + 1] the output of layer l,
   * so sizes[n_layers] is the number of classes (as before convolutions). */
  int sizes[NN_MAX_LAYERS + 1];
  size_t n_params;
  float *params;                   /* one allocation of n_params floats */
  float *w[NN_MAX_LAYERS];         /* views into params; NULL for pooling */
  float *b[NN_MAX_LAYERS];
} NnNet;

/* Works out every layer's shape. Returns 0, or -1 with a message in err
 * (if not NULL) naming the bad layer; err_len 200 is plenty. */
int     nn_arch_resolve (const NnArch *arch, NnLayer *layers, char *err, size_t err_len);
size_t  nn_arch_params  (const NnArch *arch);   /* 0 if invalid */

/* Parses "conv5x32,pool2,conv5x64,pool2,dense128" (conv<K>x<N> 'same',
 * conv<K>x<N>v 'valid', pool<S>, dense<N>; "mlp" = "dense128,dense128",
 * "cnn" = NN_SPEC_CNN; "" = no hidden layer) for inputs of in_c×in_h×in_w
 * and adds the final dense layer of classes. Returns 0, or -1 with a
 * message naming the bad token, e.g. “conv5y32” (token 2): expected
 * conv<K>x<N>[v], pool<S> or dense<N>; shapes are checked too. */
int     nn_arch_parse  (const char *spec, int in_c, int in_h, int in_w, int classes,
                        NnArch *arch, char *err, size_t err_len);
/* The canonical spec (the final layer left out): parses back to the same
 * arch. Returns the length, or -1 if it does not fit in len bytes. */
int     nn_arch_format (const NnArch *arch, char *buf, size_t len);

#define NN_SPEC_MLP "dense128,dense128"
#define NN_SPEC_CNN "conv3x32,pool2,conv3x64,pool2,dense128"

/* Dense-only: 2..NN_MAX_LAYERS+1 sizes, each in 1..NN_MAX_WIDTH, at least 2
 * classes. Returns 0 when valid. */
int     nn_arch_check        (const int *sizes, int n_sizes);
size_t  nn_arch_param_count  (const int *sizes, int n_sizes);
/* The dense-only arch of those sizes, for inputs in_c×in_h×in_w (their product
 * must be sizes[0]). Returns 0 on success. */
int     nn_arch_from_sizes   (const int *sizes, int n_sizes, int in_c, int in_h, int in_w,
                              NnArch *arch);

NnNet  *nn_net_new_arch  (const NnArch *arch);              /* zeroed; NULL if invalid/OOM */
/* Dense-only, inputs as a 1×1×sizes[0] map (the same as any map to dense layers). */
NnNet  *nn_net_new       (const int *sizes, int n_sizes);
NnNet  *nn_net_copy      (const NnNet *net);
void    nn_net_copy_into (NnNet *dst, const NnNet *src);     /* same architecture */
void    nn_net_free      (NnNet *net);
/* Same layers and shapes (a dense-only net's input shape does not matter). */
int     nn_net_same_arch (const NnNet *a, const NnNet *b);
void    nn_net_arch      (const NnNet *net, NnArch *arch);
/* The canonical spec string of the net (see nn_arch_format). */
int     nn_net_spec      (const NnNet *net, char *buf, size_t len);
int     nn_net_is_dense  (const NnNet *net);                  /* no conv or pool layer */
/* He (Kaiming) normal initialisation of weights, zero biases. */
void    nn_net_init_he   (NnNet *net, uint64_t seed);
/* Multiply-adds of one sample's forward pass. */
double  nn_net_macs      (const NnNet *net);

/* Inference: n inputs of sizes[0] values each (0 background .. 1 ink) give
 * n × sizes[n_layers] probabilities. Safe to call from several threads on the
 * same const net. Returns 0, or -1 if memory ran out. */
int nn_net_forward    (const NnNet *net, const float *x, size_t n, float *probs);
/* The same from bytes (value / 255), as data sets store them. */
int nn_net_forward_u8 (const NnNet *net, const uint8_t *x, size_t n, float *probs);

/* Temperature scaling: the factor on every logit that minimises the mean cross-entropy
 * of n labelled inputs (bytes, as nn_net_forward_u8 reads them) into *scale (1 on
 * failure). Returns 0, or -1 on bad arguments or when memory ran out. */
int  nn_net_fit_logit_scale (const NnNet *net, const uint8_t *x, const uint8_t *labels,
                             size_t n, float *scale);
/* Folds a factor on every logit into the last layer's weights and biases: no input's
 * argmax changes, its probabilities sharpen (scale > 1) or soften. */
void nn_net_scale_logits    (NnNet *net, float scale);

/* ---- looking inside (layer views, saliency, filters) ---- */

/* Layer l's output (after its ReLU; the last layer's: probabilities) of one
 * input x (sizes[0] floats): outs[l] gets sizes[l + 1] floats in C×H×W order
 * (channel by channel; dense layers: just their units). outs[l] may be NULL
 * for layers not wanted. Returns 0, or -1 if memory ran out. */
int nn_net_forward_layers (const NnNet *net, const float *x, float *const *outs);

typedef enum {
  NN_GRAD_LOGIT = 0,      /* d z[class] / d x: the class's raw score */
  NN_GRAD_LOG_PROB = 1,   /* d log softmax(z)[class] / d x: that class against the others */
} NnGradTarget;

/* The gradient of one class's score with respect to the input x (sizes[0]
 * floats) into dx (sizes[0] floats, same layout as x). Returns 0, or -1 if
 * class is out of range or memory ran out. */
int nn_net_input_gradient (const NnNet *net, const float *x, int klass, NnGradTarget target,
                           float *dx);

/* The first layer's weights: for a conv layer, filter f (of out_c) over input
 * channel c as size×size floats (row by row) into k; for a dense layer the
 * in_c weights into unit f (c ignored). Returns 0, or -1 if out of range. */
int nn_net_first_filter (const NnNet *net, int f, int c, float *k);

/* Index of the largest of n values (first on ties). */
int nn_argmax (const float *v, int n);

/* The kernel set this process runs: "avx512", "avx2" or "reference"; the
 * best this CPU has, unless DIGITS_KERNELS names another it has. */
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
  /* > 0: the rate above is also multiplied by (1 + cos(π·t/anneal_steps)) / 2, a half
   * cosine that reaches 0 after anneal_steps steps (and stays there); 0: off. */
  uint64_t anneal_steps;
  /* Label smoothing: the target is (1 − smooth) on the label and smooth / classes spread
   * over every class (Szegedy et al. 2016); 0: the one-hot label. The loss reported stays
   * the plain cross-entropy. */
  float smooth;
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

/* A trainer borrows the net, so training an existing net fine-tunes it.
 *
 * One optimizer step on a batch: x holds batch × sizes[0] bytes (value/255),
 * labels batch class indices. Returns the mean cross-entropy loss of the
 * batch before the update; *n_correct (if not NULL) counts argmax == label. */
float nn_trainer_step (NnTrainer *trainer, const uint8_t *x, const uint8_t *labels,
                       int batch, int *n_correct);
uint64_t nn_trainer_steps_taken (const NnTrainer *trainer);

#ifdef __cplusplus
}
#endif

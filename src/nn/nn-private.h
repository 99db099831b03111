/* nn-private.h — engine internals shared by the engine sources and tests/test-nn.c.
 *
 * Not installed and not part of the stable API: layer functions, the kernel
 * table and trainer hooks used by the tests and benchmarks.
 */
#pragma once

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kernels (nn-kernels.c picks a set; nn-kernels-{ref,avx2,avx512}.c) ---- */

/* What happens to each output after the sum: + bias[n], then ReLU, then
 * zeroing where mask[i * ldm + n] <= 0 (the ReLU backward). accumulate: each
 * sum starts from C's value instead of +0 — the same bits as one longer sum,
 * so a long sum can run in blocks that stay in cache. */
typedef struct {
  const float *bias;
  int relu;
  const float *mask;
  size_t ldm;
  int accumulate;
} NnEpilogue;

/* C[i][n] = epilogue (sum over s of A(i, s) * B[s * ldb + n]) for i < m, n < n,
 * with A(i, s) = A[i * ars + s * ass]. Every output is summed in the order
 * s = 0, 1, ... from +0, whatever the tile it falls in, so any split of the
 * outputs among threads gives bit-identical results. Plain products use
 * ars = lda, ass = 1; transposed A (weight gradients) ars = 1, ass = lda.
 * The u8 form reads A as bytes meaning value / 255 and skips steps that are
 * zero in every row of a tile (exact: adding +0 never changes the sum).
 * scratch holds at least s ints. */
typedef void (*NnGemmFunc) (int m, int n, int s, const float *a, size_t ars, size_t ass,
                            const float *b, size_t ldb, float *c, size_t ldc,
                            const NnEpilogue *ep, int *scratch);
typedef void (*NnGemmU8Func) (int m, int n, int s, const uint8_t *a, size_t ars, size_t ass,
                              const float *b, size_t ldb, float *c, size_t ldc,
                              const NnEpilogue *ep, int *scratch);

struct NnOptStep_;
/* nn_opt_update, vectorised; the same operations in the same order, so every
 * kernel set gives the same bits. */
typedef void (*NnOptUpdateFunc) (const struct NnOptStep_ *st, float *w, const float *g,
                                 float *m, float *v, size_t n, int is_weight);

/* Max-pooling of one channels-last h × w × c map in s × s windows at stride s: y
 * (oh × ow × c, the windows that fit), and idx, the input index of each maximum (the
 * first of equal ones: only a strictly greater value replaces), unless NULL. */
typedef void (*NnPoolFunc) (int h, int w, int c, int s, int oh, int ow, const float *x,
                            float *y, int *idx);
/* Its backward: dx (h rows of ldx ≥ w·c floats) is dy at each idx (an index into the
 * compact map) and zero elsewhere, the rest of each row too, and zero where mask (compact)
 * <= 0 unless mask is NULL. */
typedef void (*NnUnpoolFunc) (int h, int w, int c, int s, int oh, int ow, const int *idx,
                              const float *dy, const float *mask, float *dx, size_t ldx);

typedef struct {
  const char *name;      /* "reference", "avx2", "avx512" */
  NnGemmFunc gemm;
  NnGemmU8Func gemm_u8;
  NnGemmFunc gemm_sparse; /* as gemm, skipping zero steps like gemm_u8 (inputs like ink) */
  NnOptUpdateFunc opt_update;
  NnPoolFunc pool;        /* selections only, so every set gives the same bits */
  NnUnpoolFunc unpool;
} NnKernels;

/* The plain C kernels, kept as the yardstick for the fast ones. */
const NnKernels *nn_kernels_reference (void);
/* The fastest set this CPU runs; resolved by cpuid, cheap to call. */
const NnKernels *nn_kernels_best (void);
/* A named set ("reference", "avx2", "avx512") if this CPU runs it, else NULL. */
const NnKernels *nn_kernels_by_name (const char *name);

/* Bytes to inputs: value / 255, exactly as float division rounds it. */
extern const float nn_u8_to_float[256];

/* ---- layers (nn-layers.c); rows are samples ---- */

/* y = x·W + b over n rows (W is in × out row-major), ReLU fused when relu. */
void nn_dense_forward    (const NnKernels *k, const float *x, int n, int in, const float *w,
                          const float *b, int out, int relu, float *y);
void nn_dense_forward_u8 (const NnKernels *k, const uint8_t *x, int n, int in, const float *w,
                          const float *b, int out, int relu, float *y);
/* The same for float inputs that are mostly zero (ink): zeros are skipped. */
void nn_dense_forward_sparse (const NnKernels *k, const float *x, int n, int in, const float *w,
                              const float *b, int out, int relu, float *y);
/* From dy (n × out): dW = xᵀ·dy and db = Σ dy (overwritten), and dx = dy·Wᵀ
 * if dx is not NULL. */
int  nn_dense_backward   (const NnKernels *k, const float *x, const float *dy, int n, int in,
                          const float *w, int out, float *dx, float *dw, float *db);
void nn_relu_forward     (const float *x, float *y, size_t n);
/* dx = dy where the layer's output y > 0, else 0 (dx may be dy). */
void nn_relu_backward    (const float *y, const float *dy, float *dx, size_t n);
/* Softmax of each of n rows (stable: the row's max is subtracted). */
void nn_softmax_forward  (const float *logits, int n, int classes, float *probs);
/* Softmax + cross-entropy: probs (may be logits itself), and per row
 * loss[i] = logsumexp(z) - z[label]; returns the sum of the row losses. */
float nn_softmax_ce_forward (const float *logits, const uint8_t *labels, int n, int classes,
                             float *probs, float *loss);
/* dlogits = (probs - target) * scale; scale = 1 / batch for the mean; the target is
 * onehot(label) · (1 - smooth) + smooth / classes (smooth 0: the one-hot label). */
void nn_softmax_ce_backward (const float *probs, const uint8_t *labels, int n, int classes,
                             float scale, float smooth, float *dlogits);
/* Σ over rows of dy into db (overwritten), columns [0, cols), row stride ld. */
void nn_colsum (const float *dy, int n, int cols, size_t ld, float *db);

/* ---- the layer table (nn-layers.c, nn-conv.c) ---- */

/* Work space for a layer call on n samples. */
typedef struct {
  float *col;     /* conv: n padded inputs or windows (nn_layer_col_len), kept for dW */
  int *idx;       /* pool: the input index of each output's max (n × its outputs), or NULL */
  float *tmp;     /* conv backward: one sample's deltas, padded (nn_layer_tmp_len) */
  /* Backward: a conv's deltas kept widened (nn_conv_widen's layout), as floats a row;
   * 0 for compact maps. dy_row: the layer's own output deltas (a conv); dx_row: the
   * deltas it writes for the layer below (a pool or conv above a conv). */
  int dy_row, dx_row;
  int *scratch;   /* step lists of gemm_u8 / gemm_sparse: nn_layer_scratch_len ints */
} NnWork;

typedef struct {
  const char *name;
  /* y (n × outputs) from x (n × inputs; bytes xb instead when not NULL). first: the
   * net's first layer, whose inputs are mostly zero (ink), so zero steps are skipped. */
  void (*forward) (const NnKernels *k, const NnLayer *l, const float *w, const float *b,
                   const float *x, const uint8_t *xb, int n, int first, float *y,
                   const NnWork *wk);
  /* dx (n × inputs) from dy, the delta of the layer's output (its own ReLU already
   * applied); wt: the weights as prepare left them; dx is zeroed where mask <= 0
   * (the previous layer's ReLU) unless mask is NULL. */
  void (*backward) (const NnKernels *k, const NnLayer *l, const float *wt, const float *dy,
                    int n, const float *mask, float *dx, const NnWork *wk);
  /* Floats of prepared weights, and rows [r0, r1) of W (of fan_in) written into them:
   * Wᵀ for dense, the flipped and transposed filters for conv. */
  size_t (*prepared_size) (const NnLayer *l);
  void (*prepare) (const NnLayer *l, const float *w, int r0, int r1, float *wt);
} NnLayerOps;

const NnLayerOps *nn_layer_ops (NnLayerKind kind);

/* Ints of scratch a layer's calls need (gemm step lists). */
size_t nn_layer_scratch_len (const NnLayer *l, int n);
/* Floats of wk->col for n samples, and of wk->tmp. */
size_t nn_layer_col_len (const NnLayer *l, int n);
size_t nn_layer_tmp_len (const NnLayer *l);
/* A conv whose filter rows are too short to multiply row by row (one input channel):
 * its wk->col holds every output pixel's window, and its weight gradient reads compact
 * deltas (dy), not widened ones. */
int nn_conv_windowed (const NnLayer *l);
/* Any other conv's weight gradient wants its deltas widened to its padded input's width:
 * nn_layer_widened_len floats for n samples, written by nn_conv_widen (zero where the
 * padded width has no output). */
size_t nn_layer_widened_len (const NnLayer *l, int n);
void nn_conv_widen (const NnLayer *l, const float *dy, int n, float *dyw);

/* Rows [r0, r1) × columns [c0, c1) of dW = Aᵀ·dy over rows of samples (n·out_h·out_w
 * rows for conv, n for dense), A being what the forward pass left in wk->col (conv) or
 * the inputs (dense; bytes when ab); dy: the deltas (dense, windowed conv), dyw: another
 * conv's widened deltas; db for columns [c0, c1) too when db is not NULL. */
void nn_layer_weight_grad (const NnKernels *k, const NnLayer *l, const float *a,
                           const uint8_t *ab, const float *dy, const float *dyw, int n, int r0,
                           int r1, int c0, int c1, float *dw, float *db, int *scratch);

/* ---- optimizer (nn-opt.c) ---- */

/* The scalars of one step, worked out once per step from the config and t. */
typedef struct NnOptStep_ {
  NnOptKind kind;
  float lr;        /* lr / (1 + decay * t) */
  float l2;
  float momentum;
  float beta1, beta2, eps;
  float c1, c2;    /* Adam bias corrections 1 - beta^t */
} NnOptStep;

void nn_opt_step_prepare (NnOptStep *st, const NnOptConfig *config, uint64_t t);
/* Updates w[0..n) from g; m and v are the optimizer's state for those same
 * elements (unused ones may be NULL). l2 applies only when is_weight. */
void nn_opt_update (const NnOptStep *st, float *w, const float *g, float *m, float *v,
                    size_t n, int is_weight);
/* Floats of optimizer state per parameter: 0, 1 or 2. */
int  nn_opt_state_per_param (NnOptKind kind);

/* ---- trainer hooks for tests ---- */

/* Loss and gradient of a batch without an update; *grads points at the
 * trainer's gradient (same layout as net->params). */
float nn_trainer_gradient (NnTrainer *trainer, const uint8_t *x, const uint8_t *labels,
                           int batch, const float **grads);
/* Swap the kernel set (tests compare reference and fast training). */
void  nn_trainer_set_kernels (NnTrainer *trainer, const NnKernels *kernels);

#ifdef __cplusplus
}
#endif

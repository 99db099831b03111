/* nn-arch.c — architectures: spec strings, shapes and parameter counts. */
#include "nn-private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARAMS ((size_t) 64 * 1024 * 1024)

static void set_err (char *err, size_t len, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

static void
set_err (char *err, size_t len, const char *fmt, ...)
{
  if (err == NULL || len == 0)
    return;
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (err, len, fmt, ap);
  va_end (ap);
}

/* One layer as its spec token ("conv5x32", "conv3x8v", "pool2", "dense128"). */
static int
format_token (const NnLayerSpec *s, char *buf, size_t len)
{
  switch (s->kind)
    {
    case NN_LAYER_CONV:
      return snprintf (buf, len, "conv%dx%d%s", s->size, s->units, s->valid ? "v" : "");
    case NN_LAYER_POOL:
      return snprintf (buf, len, "pool%d", s->size);
    case NN_LAYER_DENSE:
    default:
      return snprintf (buf, len, "dense%d", s->units);
    }
}

/* “token” (token i), or "the output layer" for the implied last one. */
static void
name_layer (const NnArch *arch, int l, char *buf, size_t len)
{
  char tok[64];
  format_token (&arch->layers[l], tok, sizeof tok);
  if (l == arch->n_layers - 1)
    snprintf (buf, len, "the output layer (%s)", tok);
  else
    snprintf (buf, len, "\u201c%s\u201d (token %d)", tok, l + 1);
}

/* Layer i's output shape and fan-in from its spec and its input's c × h × w, or -1 with
 * a message naming it (who) when the spec does not fit. */
static int
resolve_shape (const NnLayerSpec *s, NnLayer *l, int c, int h, int w, int i, const char *who,
               char *err, size_t err_len)
{
  switch (s->kind)
    {
    case NN_LAYER_DENSE:
      if (s->units < 1 || s->units > NN_MAX_WIDTH)
        {
          set_err (err, err_len, "%s: a dense layer has 1 to %d units", who, NN_MAX_WIDTH);
          return -1;
        }
      l->in_c = c * h * w, l->in_h = l->in_w = 1;
      l->out_c = s->units, l->out_h = l->out_w = 1;
      l->fan_in = l->in_c;
      l->size = 0, l->valid = 0;
      break;
    case NN_LAYER_CONV:
      if (s->size < 1 || s->size > NN_MAX_KERNEL)
        {
          set_err (err, err_len, "%s: a convolution is 1×1 to %d×%d", who, NN_MAX_KERNEL,
                   NN_MAX_KERNEL);
          return -1;
        }
      if (s->units < 1 || s->units > NN_MAX_CHANNELS)
        {
          set_err (err, err_len, "%s: a convolution has 1 to %d channels", who,
                   NN_MAX_CHANNELS);
          return -1;
        }
      if (s->valid && (s->size > h || s->size > w))
        {
          set_err (err, err_len, "%s: a valid %d×%d convolution is larger than its "
                   "%d×%d input", who, s->size, s->size, h, w);
          return -1;
        }
      l->out_c = s->units;
      l->out_h = s->valid ? h - s->size + 1 : h;
      l->out_w = s->valid ? w - s->size + 1 : w;
      l->pad_t = s->valid ? 0 : (s->size - 1) / 2;
      l->pad_l = l->pad_t;
      l->fan_in = s->size * s->size * c;
      l->valid = s->valid != 0;
      break;
    case NN_LAYER_POOL:
      if (s->size < 1 || s->size > NN_MAX_KERNEL)
        {
          set_err (err, err_len, "%s: a pool is 1×1 to %d×%d", who, NN_MAX_KERNEL,
                   NN_MAX_KERNEL);
          return -1;
        }
      if (s->size > h || s->size > w)
        {
          set_err (err, err_len, "%s: a %d×%d pool is bigger than its %d×%d map", who,
                   s->size, s->size, h, w);
          return -1;
        }
      if (c > NN_MAX_CHANNELS)
        {
          set_err (err, err_len, "%s: a pool takes at most %d channels", who,
                   NN_MAX_CHANNELS);
          return -1;
        }
      l->out_c = c, l->out_h = h / s->size, l->out_w = w / s->size;
      l->units = 0, l->valid = 0;
      break;
    default:
      set_err (err, err_len, "layer %d is of an unknown kind", i + 1);
      return -1;
    }
  return 0;
}

int
nn_arch_resolve (const NnArch *arch, NnLayer *layers, char *err, size_t err_len)
{
  char who[96];
  if (arch == NULL || arch->n_layers < 1 || arch->n_layers > NN_MAX_LAYERS)
    {
      set_err (err, err_len, "a network has 1 to %d layers", NN_MAX_LAYERS);
      return -1;
    }
  if (arch->in_c < 1 || arch->in_h < 1 || arch->in_w < 1
      || (double) arch->in_c * arch->in_h * arch->in_w > NN_MAX_VALUES)
    {
      set_err (err, err_len, "the input is not a valid map");
      return -1;
    }
  int c = arch->in_c, h = arch->in_h, w = arch->in_w;
  size_t params = 0;
  for (int i = 0; i < arch->n_layers; i++)
    {
      const NnLayerSpec *s = &arch->layers[i];
      NnLayer l = { .kind = s->kind, .size = s->size, .units = s->units, .valid = s->valid };
      int last = i == arch->n_layers - 1;
      name_layer (arch, i, who, sizeof who);
      l.in_c = c, l.in_h = h, l.in_w = w;
      if (resolve_shape (s, &l, c, h, w, i, who, err, err_len) != 0)
        return -1;
      if (last && (s->kind != NN_LAYER_DENSE || s->units < 2))
        {
          set_err (err, err_len, "the last layer must be dense with 2 or more classes");
          return -1;
        }
      if ((double) l.out_c * l.out_h * l.out_w > NN_MAX_VALUES)
        {
          set_err (err, err_len, "%s: its output of %d×%d×%d values is too large", who,
                   l.out_c, l.out_h, l.out_w);
          return -1;
        }
      l.relu = s->kind != NN_LAYER_POOL && !last;
      l.n_weights = s->kind == NN_LAYER_POOL ? 0 : (size_t) l.fan_in * l.out_c;
      l.n_biases = s->kind == NN_LAYER_POOL ? 0 : (size_t) l.out_c;
      params += l.n_weights + l.n_biases;
      if (params > MAX_PARAMS)
        {
          set_err (err, err_len, "%s: the network would have more than %zu parameters", who,
                   MAX_PARAMS);
          return -1;
        }
      if (layers != NULL)
        layers[i] = l;
      c = l.out_c, h = l.out_h, w = l.out_w;
    }
  return 0;
}

size_t
nn_arch_params (const NnArch *arch)
{
  NnLayer layers[NN_MAX_LAYERS];
  if (nn_arch_resolve (arch, layers, NULL, 0) != 0)
    return 0;
  size_t n = 0;
  for (int i = 0; i < arch->n_layers; i++)
    n += layers[i].n_weights + layers[i].n_biases;
  return n;
}

/* A decimal number of 1 to 6 digits at *p; -1 if none. */
static int
take_number (const char **p)
{
  const char *s = *p;
  int v = 0, d = 0;
  while (isdigit ((unsigned char) *s) && d < 7)
    v = v * 10 + (*s++ - '0'), d++;
  if (d == 0 || d > 6)
    return -1;
  *p = s;
  return v;
}

static int
parse_token (const char *tok, NnLayerSpec *s)
{
  const char *p = tok;
  memset (s, 0, sizeof *s);
  if (strncmp (p, "conv", 4) == 0)
    {
      p += 4;
      s->kind = NN_LAYER_CONV;
      if ((s->size = take_number (&p)) < 0 || *p++ != 'x' || (s->units = take_number (&p)) < 0)
        return -1;
      if (*p == 'v')
        s->valid = 1, p++;
    }
  else if (strncmp (p, "pool", 4) == 0)
    {
      p += 4;
      s->kind = NN_LAYER_POOL;
      if ((s->size = take_number (&p)) < 0)
        return -1;
    }
  else if (strncmp (p, "dense", 5) == 0)
    {
      p += 5;
      s->kind = NN_LAYER_DENSE;
      if ((s->units = take_number (&p)) < 0)
        return -1;
    }
  else
    return -1;
  return *p == '\0' ? 0 : -1;
}

int
nn_arch_parse (const char *spec, int in_c, int in_h, int in_w, int classes, NnArch *arch,
               char *err, size_t err_len)
{
  if (spec == NULL || arch == NULL)
    {
      set_err (err, err_len, "no network spec");
      return -1;
    }
  if (strcmp (spec, "mlp") == 0)
    spec = NN_SPEC_MLP;
  else if (strcmp (spec, "cnn") == 0)
    spec = NN_SPEC_CNN;
  NnArch a = { .in_c = in_c, .in_h = in_h, .in_w = in_w };
  const char *p = spec;
  int n = 0;
  for (int more = *spec != '\0'; more;)
    {
      char tok[64];
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strlen (p);
      /* Spaces around a token are forgiven ("conv5x32, pool2"). */
      while (len > 0 && isspace ((unsigned char) *p))
        p++, len--;
      while (len > 0 && isspace ((unsigned char) p[len - 1]))
        len--;
      if (len == 0)
        {
          set_err (err, err_len, "token %d is empty: write layers like "
                   "conv5x32,pool2,dense128", n + 1);
          return -1;
        }
      if (n >= NN_MAX_LAYERS - 1)
        {
          set_err (err, err_len, "too many layers: at most %d before the output layer",
                   NN_MAX_LAYERS - 1);
          return -1;
        }
      snprintf (tok, sizeof tok, "%.*s%s", (int) (len < 40 ? len : 40), p, len > 40 ? "…" : "");
      if (len > 40 || parse_token (tok, &a.layers[n]) != 0)
        {
          set_err (err, err_len, "\u201c%s\u201d (token %d): expected conv<K>x<N>[v], pool<S> "
                   "or dense<N>", tok, n + 1);
          return -1;
        }
      n++;
      more = end != NULL;
      if (!more)
        break;
      p = end + 1;
      if (*p == '\0')
        {
          set_err (err, err_len, "token %d is empty: write layers like "
                   "conv5x32,pool2,dense128", n + 1);
          return -1;
        }
    }
  a.layers[n++] = (NnLayerSpec) { .kind = NN_LAYER_DENSE, .units = classes };
  a.n_layers = n;
  if (nn_arch_resolve (&a, NULL, err, err_len) != 0)
    return -1;
  *arch = a;
  return 0;
}

int
nn_arch_format (const NnArch *arch, char *buf, size_t len)
{
  size_t at = 0;
  if (arch == NULL || buf == NULL || len == 0)
    return -1;
  buf[0] = '\0';
  for (int i = 0; i + 1 < arch->n_layers; i++)
    {
      char tok[64];
      int t = format_token (&arch->layers[i], tok, sizeof tok);
      if (at + (i > 0) + (size_t) t + 1 > len)
        return -1;
      if (i > 0)
        buf[at++] = ',';
      memcpy (buf + at, tok, (size_t) t + 1);
      at += (size_t) t;
    }
  return (int) at;
}

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

int
nn_arch_from_sizes (const int *sizes, int n_sizes, int in_c, int in_h, int in_w, NnArch *arch)
{
  if (nn_arch_check (sizes, n_sizes) != 0 || arch == NULL
      || (long long) in_c * in_h * in_w != sizes[0])
    return -1;
  memset (arch, 0, sizeof *arch);
  arch->in_c = in_c, arch->in_h = in_h, arch->in_w = in_w;
  arch->n_layers = n_sizes - 1;
  for (int l = 0; l + 1 < n_sizes; l++)
    arch->layers[l] = (NnLayerSpec) { .kind = NN_LAYER_DENSE, .units = sizes[l + 1] };
  return nn_arch_resolve (arch, NULL, NULL, 0);
}

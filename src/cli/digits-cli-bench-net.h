/* digits-cli-bench-net.h — `digits-cli bench --net SPEC`. */
#pragma once

#include <glib.h>
#include "nn/nn.h"

int    digits_bench_net (const char *spec, int threads, gboolean json, const guint8 *images,
                         const guint8 *labels, guint n);

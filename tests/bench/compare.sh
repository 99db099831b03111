#!/usr/bin/env bash
# Runs Digits' engine, the NumPy reference and, where Debian's python3-torch is
# installed, the PyTorch reference (same network, optimizer and data) one after
# the other and prints seconds per epoch and the ratios.
#
#   tests/bench/compare.sh [BUILD_DIR] [--epochs N] [--slow]
#
# BUILD_DIR (default: build) must hold tests/bench/bench-nn. MNIST comes from
# $DIGITS_MNIST_DIR (default ../shared/data/mnist). NumPy runs on OpenBLAS
# 0.3.21 from libopenblas0-pthread on one and two threads, with its core type
# chosen from this CPU (it misreads recent CPUs otherwise): SkylakeX with
# avx512f, Haswell with avx2, else OpenBLAS's own choice; PyTorch uses the same
# OpenBLAS; --slow adds NumPy on Debian's reference BLAS. The output names the
# CPU and its vector extensions, and gives each row's arithmetic floor: the
# training FLOPs of an epoch over OpenBLAS's sgemm peak, measured in this run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build"
epochs=2
slow=0
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --slow) slow=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) build=$(cd "$1" && pwd); shift ;;
  esac
done

data=${DIGITS_MNIST_DIR:-$root/../shared/data/mnist}
bench="$build/tests/bench/bench-nn"
python=${PYTHON:-/usr/bin/python3}
[ -x "$bench" ] || { echo "compare.sh: no $bench; build first (ninja -C $build)" >&2; exit 1; }
[ -d "$data" ] || { echo "compare.sh: no MNIST in $data; set DIGITS_MNIST_DIR" >&2; exit 1; }
"$python" -c 'import numpy' 2>/dev/null || { echo "compare.sh: $python has no numpy" >&2; exit 1; }
. "$here/openblas.sh"
# The dense arithmetic of one epoch: 60,000 digits through 784-128-128-10, forward
# (2 FLOPs a weight), weight gradient (2) and, past the first layer, input gradient (2).
epoch_gflop=$(awk 'BEGIN { printf "%.2f", 60000 * (4*784*128 + 6*128*128 + 6*128*10) / 1e9 }')

# A reference trainer (numpy_reference.py or torch_reference.py with its own options) for
# one batch size, extra env after --: "best-epoch median-step last-epoch-train-accuracy".
reference_epoch () {
  local script=$1 batch=$2; shift 2
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  # One epoch more than timed, as bench-nn does: the first warms caches and clocks, and
  # the accuracies then compare after the same number of passes.
  env "$@" "$python" "$here/$script" --data "$data" --batch "$batch" \
      --epochs $((epochs + 1)) --json "${opts[@]}" |
    "$python" -c 'import sys, json
rows = [json.loads(l) for l in sys.stdin][1:]
print("%.3f %.3f %.3f" % (min(r["seconds"] for r in rows), min(r["median_step_seconds"] for r in rows),
                         rows[-1]["train_accuracy"]))'
}
numpy_epoch () { local batch=$1; shift; reference_epoch numpy_reference.py "$batch" -- "$@"; }

echo "Digits engine: $bench --mnist $data --epochs $epochs"
digits_out=$("$bench" --mnist "$data" --epochs "$epochs")
echo "$digits_out" | sed 's/^/  /'
# "best-epoch median-step last-epoch-train-accuracy" for each batch size.
digits_epoch () {
  echo "$digits_out" | awk -v pat="^train batch +$1:" '$0 ~ pat {
    b = $4; acc = $0; sub(/.*train acc /, "", acc); sub(/\).*/, "", acc); getline; print b, $1, acc }'
}
d32=$(digits_epoch 32)
d128=$(digits_epoch 128)
dinfo=$(echo "$digits_out" | awk -F'   ' '/^kernels:/ { print $1 ", " $2 }')
dthreads=$(echo "$digits_out" | awk '/^kernels:/ { for (i = 1; i < NF; i++) if ($i == "threads:") print $(i + 1) }')

# Rows: "name|threads|batch 32 figures|batch 128 figures".
rows=()
peak=()
if [ -f "$openblas/libblas.so.3" ]; then
  echo "OpenBLAS sgemm peak (2048² products, best of 8) ..."
  peak[1]=$(sgemm_peak 1)
  peak[2]=$(sgemm_peak 2)
  echo "  ${peak[1]} GFLOP/s on 1 thread, ${peak[2]} GFLOP/s on 2"
  echo "NumPy + OpenBLAS (${coretype:-auto}, 1 thread) ..."
  o32=$(numpy_epoch 32 LD_LIBRARY_PATH="$openblas" "${coretype_env[@]}" \
        OPENBLAS_NUM_THREADS=1)
  o128=$(numpy_epoch 128 LD_LIBRARY_PATH="$openblas" "${coretype_env[@]}" \
         OPENBLAS_NUM_THREADS=1)
  rows+=("NumPy + OpenBLAS, 1 thread|1|$o32|$o128")
  echo "NumPy + OpenBLAS (${coretype:-auto}, 2 threads) ..."
  t32=$(numpy_epoch 32 LD_LIBRARY_PATH="$openblas" "${coretype_env[@]}" \
        OPENBLAS_NUM_THREADS=2)
  t128=$(numpy_epoch 128 LD_LIBRARY_PATH="$openblas" "${coretype_env[@]}" \
         OPENBLAS_NUM_THREADS=2)
  rows+=("NumPy + OpenBLAS, 2 threads|2|$t32|$t128")
  if "$python" -c 'import torch' 2>/dev/null; then
    for threads in 1 2; do
      echo "PyTorch $("$python" -c 'import torch; print(torch.__version__)') + OpenBLAS (${coretype:-auto}, $threads thread(s)) ..."
      p32=$(reference_epoch torch_reference.py 32 --threads $threads -- LD_LIBRARY_PATH="$openblas" \
            "${coretype_env[@]}" OPENBLAS_NUM_THREADS=$threads)
      p128=$(reference_epoch torch_reference.py 128 --threads $threads -- LD_LIBRARY_PATH="$openblas" \
             "${coretype_env[@]}" OPENBLAS_NUM_THREADS=$threads)
      rows+=("PyTorch + OpenBLAS, $threads thread$([ $threads = 1 ] || echo s)|$threads|$p32|$p128")
    done
  else
    echo "compare.sh: $python has no torch (apt-get install python3-torch); no PyTorch row" >&2
  fi
else
  echo "compare.sh: $openblas missing (apt-get install libopenblas0-pthread); skipping" >&2
fi
if [ "$slow" = 1 ]; then
  echo "NumPy + reference BLAS ..."
  r32=$(numpy_epoch 32 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas)
  r128=$(numpy_epoch 128 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas)
  rows+=("NumPy + reference BLAS|1|$r32|$r128")
fi

echo
ratio () {   # "x y" over "dx dy": each figure and how many times Digits' it is
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, d, " ");
    printf "%.3f (%.1fx) %.3f (%.1fx)", x[1], x[1] / d[1], x[2], x[2] / d[2] }'
}
floor () {   # the epoch's dense FLOPs over the sgemm peak on $1 threads, in seconds
  local p=${peak[$1]:-}
  if [ -n "$p" ]; then awk -v g="$epoch_gflop" -v p="$p" 'BEGIN { printf "%.3f", g / p }'
  else echo "n/a"; fi
}
echo "Machine: $cpu,${extensions:- no vector extensions}; OpenBLAS core type ${coretype:-auto}"
printf '%-30s %-32s %-32s %s\n' "s/epoch, 60,000 digits" "batch 32" "batch 128" "floor"
printf '%-30s %-32s %-32s %s\n' "" "best epoch  median step" "best epoch  median step" ""
digits_name="Digits (${dinfo#kernels: })"
printf '%-30s %-32s %-32s %s\n' "$digits_name" "${d32% *}" "${d128% *}" "$(floor "$dthreads")"
for row in "${rows[@]}"; do
  IFS='|' read -r name threads a b <<<"$row"
  printf '%-30s %-32s %-32s %s\n' "$name" "$(ratio "$a" "$d32")" "$(ratio "$b" "$d128")" \
    "$(floor "$threads")"
done
echo "(x: times Digits' figure. Best of $epochs epochs after one to warm up; \"median step\" is the median"
echo " step time times the steps of an epoch, which load from other programs barely moves."
echo " floor: the arithmetic floor, $epoch_gflop GFLOP of dense products an epoch over OpenBLAS's sgemm"
echo " peak on the row's threads measured above: ${peak[1]:-?} GFLOP/s on 1, ${peak[2]:-?} on 2.)"
echo
echo "Same algorithm, same learning: training accuracy over pass $((epochs + 1)) (batch 32, batch 128)"
printf '  %-30s %s %s\n' "$digits_name" "${d32##* }" "${d128##* }"
for row in "${rows[@]}"; do
  IFS='|' read -r name threads a b <<<"$row"
  printf '  %-30s %s %s\n' "$name" "${a##* }" "${b##* }"
done

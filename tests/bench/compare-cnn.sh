#!/usr/bin/env bash
# Convolutional networks: an epoch of Digits against PyTorch (Debian's python3-torch,
# oneDNN convolutions) on the same architecture — Adam, batch 64, 2 threads, MNIST
# without augmentation — and against the arithmetic floor: training FLOPs per epoch ÷
# an sgemm peak of both cores. Two floors: over the peak of Digits' own kernel
# (digits-cli bench, in the same run; the stricter one on this CPU), and over OpenBLAS's
# (2048² products with NumPy, as compare.sh measures it; issue 13 defines the floor this
# way), when libopenblas0-pthread and NumPy are installed. Digits runs twice, on its best
# kernels and with DIGITS_KERNELS=avx2 (when this CPU has AVX-512), so AVX2-only machines
# are covered too; OpenBLAS's peak, and PyTorch, are then held to AVX2 as well
# (OPENBLAS_CORETYPE=Haswell, ONEDNN_MAX_CPU_ISA=AVX2). PyTorch's dense layers run on
# OpenBLAS when it is installed (its sgemm is ~20× Debian's reference BLAS, which
# python3-torch otherwise gets, and which made PyTorch's epoch 1.7-3× longer here).
#
#   tests/bench/compare-cnn.sh [BUILD_DIR] [--net SPEC]... [--no-torch]
#
# Default nets: cnn (the built-in's architecture) and conv3x16,pool2,conv3x32,pool2,dense128.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build"
nets=()
torch=1
while [ $# -gt 0 ]; do
  case "$1" in
    --net) nets+=("$2"); shift 2 ;;
    --no-torch) torch=0; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) build=$(cd "$1" && pwd); shift ;;
  esac
done
[ ${#nets[@]} -gt 0 ] || nets=(cnn conv3x16,pool2,conv3x32,pool2,dense128)
cli="$build/src/cli/digits-cli"
data=${DIGITS_MNIST_DIR:-$root/../shared/data/mnist}
python=${PYTHON:-/usr/bin/python3}
[ -x "$cli" ] || { echo "compare-cnn.sh: no $cli; build first" >&2; exit 1; }
[ -d "$data" ] || { echo "compare-cnn.sh: no MNIST in $data; set DIGITS_MNIST_DIR" >&2; exit 1; }

kernel_sets=(best)
grep -q avx512f /proc/cpuinfo && kernel_sets+=(avx2)
. "$here/openblas.sh"
echo "Load average $(cut -d' ' -f1-3 /proc/loadavg)"
# OpenBLAS's sgemm peak on 2 threads, for each kernel set's floor ("nan" without it).
declare -A ob_peak=([best]=nan [avx2]=nan)
if [ -f "$openblas/libblas.so.3" ] && "$python" -c 'import numpy' 2>/dev/null; then
  ob_peak[best]=$(sgemm_peak 2)
  if [ "$coretype" = SkylakeX ]; then
    ob_peak[avx2]=$(coretype_env=(OPENBLAS_CORETYPE=Haswell); sgemm_peak 2)
  fi
  echo "OpenBLAS sgemm peak on 2 threads: ${ob_peak[best]} GFLOP/s (AVX2 kernels: ${ob_peak[avx2]})"
else
  echo "No OpenBLAS + NumPy (apt-get install libopenblas0-pthread python3-numpy): one floor only"
fi
printf '%-42s %-7s %8s %8s %8s %8s %9s %9s %9s\n' net kernels Digits floor "OB floor" PyTorch \
  "÷floor" "÷OB flr" "PyT÷Dig"

# PyTorch's environment per kernel set: OpenBLAS if installed, held to AVX2 for avx2.
# On its best ISA PyTorch keeps OpenBLAS's own core type (or the caller's
# OPENBLAS_CORETYPE): forcing SkylakeX made its epoch slower on an AMD EPYC (Zen 5).
torch_env () {
  local e=()
  [ -f "$openblas/libblas.so.3" ] && e+=(LD_LIBRARY_PATH="$openblas")
  [ "$1" = avx2 ] && e+=(OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2)
  echo "${e[@]}"
}
if [ $torch = 1 ] && "$python" -c 'import torch' 2>/dev/null; then
  echo "PyTorch $("$python" -c 'import torch; print(torch.__version__)') on" \
       "$([ -f "$openblas/libblas.so.3" ] && echo OpenBLAS || echo "the system's BLAS")"
fi

for net in "${nets[@]}"; do
  for ks in "${kernel_sets[@]}"; do
    torch_s=nan
    if [ $torch = 1 ] && "$python" -c 'import torch' 2>/dev/null; then
      # shellcheck disable=SC2046  # the words of torch_env are separate assignments
      torch_s=$(env $(torch_env "$ks") "$python" "$here/torch_cnn_reference.py" --net "$net" \
                  --data "$data" --threads 2 --epochs 1 | "$python" -c 'import sys, json
print("%.2f" % json.loads(sys.stdin.readline())["seconds"])')
    fi
    env_k=()
    [ "$ks" = best ] || env_k=(DIGITS_KERNELS="$ks")
    # The floor: this run's peak on both cores and the net's training FLOPs.
    bench=$(env "${env_k[@]}" "$cli" bench --net "$net" --threads 2 --json)
    read -r kname floor gflop < <(echo "$bench" | "$python" -c 'import sys, json
b = json.loads(sys.stdin.read())
print(b["kernels"], "%.2f" % b["floor_seconds"], "%.1f" % (b["floor_seconds"] * b["peak_gflops_all"]))')
    # A real epoch: Adam, batch 64, no augmentation, 2 threads.
    epoch=$(env "${env_k[@]}" DIGITS_MNIST_DIR="$data" "$cli" train --net "$net" --epochs 1 \
              --batch 64 --no-augment --threads 2 --json | "$python" -c 'import sys, json
print("%.2f" % json.loads(sys.stdin.readline())["seconds"])')
    "$python" - "$net" "$kname" "$epoch" "$floor" "$gflop" "${ob_peak[$ks]}" "$torch_s" <<'PY'
import sys
net, k, d, f, g, ob, t = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
fo = g / ob
print("%-42s %-7s %7.2fs %7.2fs %7.2fs %7.2fs %8.2f× %8.2f× %8.2f×"
      % (net, k, d, f, fo, t, d / f, d / fo, t / d))
PY
  done
done
echo "Digits÷floor (either floor): goal ≤ 2×; PyTorch÷Digits: goal ≥ 3×. Times are wall-clock: run on an idle machine."

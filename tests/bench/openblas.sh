# openblas.sh — sourced by compare.sh and compare-cnn.sh: this CPU, its vector
# extensions, OpenBLAS's core type for it, and OpenBLAS's sgemm peak. Needs $python
# (with NumPy) set by the caller; sets cpu, extensions, coretype, coretype_env, openblas,
# and prints the CPU line and the core type.

openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread
# The CPU, its vector extensions, and OpenBLAS's kernels for it: forcing SkylakeX on a
# CPU without AVX-512 dies with "Illegal instruction".
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
flags=" $(awk -F': *' '/^flags/ { print $2; exit }' /proc/cpuinfo) "
extensions=""
for flag in sse4_2 avx fma avx2 avx512f avx512bw avx512vl avx512_vnni avx512_bf16; do
  case "$flags" in *" $flag "*) extensions="$extensions $flag" ;; esac
done
case "$flags" in
  *" avx512f "*) coretype=SkylakeX ;;
  *" avx2 "*) coretype=Haswell ;;
  *) coretype="" ;;
esac
coretype_env=()
[ -n "$coretype" ] && coretype_env=(OPENBLAS_CORETYPE="$coretype")
echo "CPU: $cpu, $(nproc) cores; vector extensions:${extensions:- none}"
echo "OpenBLAS core type: ${coretype:-not set, OpenBLAS picks}"

# OpenBLAS's sgemm peak on N threads, in GFLOP/s: the best of a few 2048² products.
sgemm_peak () {
  env LD_LIBRARY_PATH="$openblas" "${coretype_env[@]}" OPENBLAS_NUM_THREADS="$1" \
    "$python" -c 'import time, numpy as np
n = 2048
rng = np.random.default_rng(1)
a = rng.random((n, n), dtype=np.float32)
b = rng.random((n, n), dtype=np.float32)
a @ b
best = float("inf")
for _ in range(8):
    t = time.perf_counter()
    a @ b
    best = min(best, time.perf_counter() - t)
print("%.1f" % (2 * n ** 3 / best / 1e9))'
}


#!/usr/bin/env bash
# Retakes the README's screenshots from the real app under Xvfb: light and dark, a
# 1080×720 laptop window and a 360×640 phone, the Draw page with a 2 drawn by xdotool
# and the Train page while it trains on MNIST.
#   DIGITS_MNIST_DIR=../shared/data/mnist data/screenshots/retake.sh build
# Needs xvfb-run, xdotool, ImageMagick (import) and gsettings.
set -eu
build=$(cd "$1" && pwd)
out=$(cd "$(dirname "$0")" && pwd)

# A hand-drawn 2 in the canvas at (x0, y0), side × side: the points xdotool moves along.
two () {
  python3 - "$@" <<'PY'
import math, sys
x0, y0, side = map(int, sys.argv[1:])
pts = [(0.5 + 0.22 * math.cos(math.pi * (1.1 - i / 18 * 1.35)),
        0.36 - 0.16 * math.sin(math.pi * (1.1 - i / 18 * 1.35))) for i in range(19)]
pts += [(0.69 - 0.39 * t + 0.04 * math.sin(t * 3), 0.42 + 0.38 * t)
        for t in (i / 12 for i in range(1, 13))]
pts += [(0.30 + 0.45 * t, 0.80 + 0.01 * math.sin(t * 6)) for t in (i / 8 for i in range(1, 9))]
print(" ".join(f"{int(x0 + x * side)},{int(y0 + y * side)}" for x, y in pts))
PY
}

# shot WIDTH HEIGHT SCHEME FILE TRAIN_TAB_X,Y|draw POINTS SECONDS
shot () {
  xvfb-run -a -s "-screen 0 ${1}x${2}x24" bash -c '
    set -eu
    width=$1 height=$2 scheme=$3 file=$4 page=$5 draw=$6 wait=$7 build=$8
    tmp=$(mktemp -d)
    export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data GSETTINGS_BACKEND=keyfile
    export GSETTINGS_SCHEMA_DIR=$build/data ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
    export GSK_RENDERER=cairo NO_AT_BRIDGE=1 LC_ALL=C.UTF-8 LANGUAGE=
    gsettings set io.github.neuraldigits.Digits window-width $width
    gsettings set io.github.neuraldigits.Digits window-height $height
    gsettings set io.github.neuraldigits.Digits train-epochs 8
    gsettings set org.gnome.desktop.interface color-scheme $scheme
    "$build/src/app/digits" 2>/dev/null & app=$!
    sleep 4
    if [ "$page" != draw ]; then
      xdotool mousemove ${page%,*} ${page#*,}; sleep 0.2; xdotool click 1; sleep 1
      xdotool key ctrl+t
    fi
    first=1
    for p in $draw; do
      xdotool mousemove ${p%,*} ${p#*,}
      if [ $first = 1 ]; then sleep 0.2; xdotool mousedown 1; sleep 0.1; first=0; fi
      sleep 0.05
    done
    [ $first = 1 ] || xdotool mouseup 1
    sleep $wait
    import -window root "$file"
    kill $app; wait $app 2>/dev/null || true
    rm -rf "$tmp"' shot "$@" "$build"
}

for scheme in default prefer-dark; do
  suffix=; [ $scheme = default ] || suffix=-dark
  shot 1080 720 $scheme "$out/digits-draw$suffix.png" draw "$(two 67 70 580)" 2
  shot 360 640 $scheme "$out/digits-draw-narrow$suffix.png" draw "$(two 23 70 314)" 2
  shot 1080 720 $scheme "$out/digits-train$suffix.png" 600,27 "" 8
  shot 360 640 $scheme "$out/digits-train-narrow$suffix.png" 229,612 "" 6
done

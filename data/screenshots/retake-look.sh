#!/usr/bin/env bash
# Retakes the "Look inside" screenshots from the real app under Xvfb (1280×800): the Draw
# page with "Why?" and "What each layer sees" open on a drawn 2, the same while a model
# trains (its answer beside the model in use's), and the Mistakes gallery after that
# short run on MNIST (one epoch on 10,000 digits, then Alt+M).
#   DIGITS_MNIST_DIR=../shared/data/mnist data/screenshots/retake-look.sh build
# Needs xvfb-run, xdotool, ImageMagick (import) and gsettings.
set -eu
build=$(cd "$1" && pwd)
out=$(cd "$(dirname "$0")" && pwd)

xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -eu
  build=$1 out=$2
  tmp=$(mktemp -d)
  export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data GSETTINGS_BACKEND=keyfile
  export GSETTINGS_SCHEMA_DIR=$build/data ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
  export GSK_RENDERER=cairo NO_AT_BRIDGE=1 LC_ALL=C.UTF-8 LANGUAGE=
  gsettings set io.github.neuraldigits.Digits window-width 1280
  gsettings set io.github.neuraldigits.Digits window-height 800
  gsettings set io.github.neuraldigits.Digits train-epochs 1
  gsettings set io.github.neuraldigits.Digits train-subset 10000
  "$build/src/app/digits" 2>/dev/null & app=$!
  sleep 4
  # A 2, drawn along the canvas.
  first=1
  for p in $(python3 -c "
import math
pts = [(0.5 + 0.22 * math.cos(math.pi * (1.1 - i / 18 * 1.35)),
        0.36 - 0.16 * math.sin(math.pi * (1.1 - i / 18 * 1.35))) for i in range(19)]
pts += [(0.69 - 0.39 * t, 0.42 + 0.38 * t) for t in (i / 12 for i in range(1, 13))]
pts += [(0.30 + 0.45 * t, 0.80) for t in (i / 8 for i in range(1, 9))]
print(\" \".join(f\"{int(60 + x * 600)},{int(90 + y * 600)}\" for x, y in pts))"); do
    xdotool mousemove ${p%,*} ${p#*,}
    if [ $first = 1 ]; then sleep 0.2; xdotool mousedown 1; sleep 0.1; first=0; fi
    sleep 0.05
  done
  xdotool mouseup 1
  sleep 1
  xdotool key alt+w; sleep 0.5; xdotool key alt+l; sleep 1.5
  import -window root "$out/digits-look-draw.png"
  # Train (Ctrl+T): the new model answers beside the model in use.
  xdotool key ctrl+t; sleep 20
  import -window root "$out/digits-look-versus.png"
  # On the Train page when it is done, open the mistakes (Alt+M).
  xdotool mousemove 700 27; sleep 0.2; xdotool click 1; sleep 90
  xdotool key alt+m; sleep 3
  import -window root "$out/digits-look-mistakes.png"
  kill $app; wait $app 2>/dev/null || true
  rm -rf "$tmp"' shot "$build" "$out"

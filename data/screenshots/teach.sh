#!/usr/bin/env bash
# Takes the README's Teach screenshot from the real app under Xvfb: a 2 drawn by xdotool,
# then the key 2 keeps it as the person's example ("Kept as your 2", with Undo).
#   data/screenshots/teach.sh build
# Needs xvfb-run, xdotool, ImageMagick (import) and gsettings.
set -eu
build=$(cd "$1" && pwd)
out=$(cd "$(dirname "$0")" && pwd)
points=$(python3 - <<'PY'
import math
x0, y0, side = 67, 70, 580
pts = [(0.5 + 0.22 * math.cos(math.pi * (1.1 - i / 18 * 1.35)),
        0.36 - 0.16 * math.sin(math.pi * (1.1 - i / 18 * 1.35))) for i in range(19)]
pts += [(0.69 - 0.39 * t + 0.04 * math.sin(t * 3), 0.42 + 0.38 * t)
        for t in (i / 12 for i in range(1, 13))]
pts += [(0.30 + 0.45 * t, 0.80 + 0.01 * math.sin(t * 6)) for t in (i / 8 for i in range(1, 9))]
print(" ".join(f"{int(x0 + x * side)},{int(y0 + y * side)}" for x, y in pts))
PY
)
xvfb-run -a -s "-screen 0 1080x720x24" bash -c '
  set -eu
  build=$1 file=$2 draw=$3
  tmp=$(mktemp -d)
  export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data GSETTINGS_BACKEND=keyfile
  export GSETTINGS_SCHEMA_DIR=$build/data ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
  export GSK_RENDERER=cairo NO_AT_BRIDGE=1 LC_ALL=C.UTF-8 LANGUAGE=
  gsettings set io.github.neuraldigits.Digits window-width 1080
  gsettings set io.github.neuraldigits.Digits window-height 720
  "$build/src/app/digits" 2>/dev/null & app=$!
  sleep 4
  first=1
  for p in $draw; do
    xdotool mousemove ${p%,*} ${p#*,}
    if [ $first = 1 ]; then sleep 0.2; xdotool mousedown 1; sleep 0.1; first=0; fi
    sleep 0.05
  done
  xdotool mouseup 1
  sleep 1
  xdotool key 2
  sleep 1.5
  import -window root "$file"
  ls -R "$XDG_DATA_HOME/digits/my-digits" >&2
  kill $app; wait $app 2>/dev/null || true
  rm -rf "$tmp"' shot "$build" "$out/digits-teach.png" "$points"

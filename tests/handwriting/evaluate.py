#!/usr/bin/env python3
"""Reads the generated handwriting set with digits-cli and reports accuracy per kind.

  evaluate.py --gen GEN --cli CLI [--dir DIR] [--model FILE] [--seed 1]
              [--fonts N --strokes N --numbers N] [--min-digits F]

Makes the set with GEN in DIR (a temporary folder unless --dir names one that already holds
labels.tsv), classifies every image, and prints one line per kind plus the total over single
digits. With --min-digits the exit status says whether single-digit accuracy reached it.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--dir")
    ap.add_argument("--model")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--fonts", default="1000")
    ap.add_argument("--strokes", default="1000")
    ap.add_argument("--numbers", default="200")
    ap.add_argument("--min-digits", type=float)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()

    tmp = None
    folder = args.dir
    if folder is None:
        tmp = tempfile.TemporaryDirectory()
        folder = tmp.name
    labels_path = os.path.join(folder, "labels.tsv")
    if not os.path.exists(labels_path):
        subprocess.run([args.gen, "--out", folder, "--seed", args.seed, "--fonts", args.fonts,
                        "--strokes", args.strokes, "--numbers", args.numbers],
                       check=True, stdout=subprocess.DEVNULL)

    with open(labels_path) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    files = [os.path.join(folder, r["file"]) for r in rows]
    cmd = [args.cli, "classify", "--json"]
    if args.model:
        cmd += ["--model", args.model]
    read = {}
    for start in range(0, len(files), 500):
        p = subprocess.run(cmd + files[start:start + 500], capture_output=True, text=True)
        for line in p.stdout.splitlines():
            r = json.loads(line)
            read[r["file"]] = r["digits"]

    totals = {}
    misses = []
    for r, path in zip(rows, files):
        kind = r["kind"]
        ok = read.get(path) == r["digits"]
        n, c = totals.get(kind, (0, 0))
        totals[kind] = (n + 1, c + ok)
        if not ok:
            misses.append((r["file"], r["digits"], read.get(path), r.get("source", "")))

    for kind in sorted(totals):
        n, c = totals[kind]
        print(f"{kind:10s} {c:5d} / {n:5d}  {100.0 * c / n:6.2f}%")
    single = [totals[k] for k in totals if k != "number"]
    n = sum(t[0] for t in single)
    c = sum(t[1] for t in single)
    accuracy = c / n if n else 0.0
    print(f"{'digits':10s} {c:5d} / {n:5d}  {100.0 * accuracy:6.2f}%  (fonts and strokes)")
    if args.show_misses:
        for m in misses:
            print("miss", *m, sep="\t")
    if args.min_digits is not None and accuracy < args.min_digits:
        print(f"single-digit accuracy {accuracy:.4f} is below {args.min_digits}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Teaching Digits three hands MNIST lacks, measured on digits it never saw.

  writers.py --gen GEN --cli CLI [--seed 31] [--min-after 0.97] [--max-mnist-drop 0.003]
             [--only WRITER ...]

For each writer (continental mouse strokes, Kristi's slanted script, bubble outlines) GEN
writes ten digits a class to teach and twenty unseen ones; `digits-cli tune` trains the
built-in model on the ten (no hold-out: all of them) with its default settings, which were
chosen on other samples' teaching halves (seeds 11 and 21, tune --validation), and reports
the unseen twenty before and after, and the MNIST test set before and after. Prints a
Markdown table; fails when a writer ends below --min-after or MNIST drops by more than
--max-mnist-drop. Needs MNIST (DIGITS_MNIST_DIR); without it, exits 77 (skipped).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

WRITERS = [("continental", "mouse strokes: slashed 0, crossed 7, long-flag 1, open 4"),
           ("kristi", "the Kristi font: slanted script"),
           ("bubble", "mouse strokes drawn as hollow outlines")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seed", default="31")
    ap.add_argument("--min-after", type=float, default=0.97)
    ap.add_argument("--max-mnist-drop", type=float, default=0.003)
    ap.add_argument("--threads", default="0")
    ap.add_argument("--only", action="append", default=[],
                    help="teach only these writers (meson runs one test per writer)")
    args = ap.parse_args()

    mnist = os.environ.get("DIGITS_MNIST_DIR")
    if not mnist:
        print("skipped: DIGITS_MNIST_DIR is not set; tuning mixes in MNIST and measures on "
              "its test set")
        return 77

    failures = []
    print("| writer | unseen before | unseen after | MNIST before | MNIST after "
          "| MNIST answers changed |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, what in WRITERS:
            if args.only and name not in args.only:
                continue
            folder = os.path.join(tmp, name)
            gen = subprocess.run([args.gen, "--writer", name, "--out", folder,
                                  "--seed", args.seed], capture_output=True, text=True)
            if gen.returncode != 0:
                if "needs the font" in gen.stderr:
                    print(f"| {name} | skipped: {gen.stderr.strip()} | | | | |")
                    continue
                print(gen.stderr, file=sys.stderr)
                return 1
            p = subprocess.run([args.cli, "tune", "--samples", os.path.join(folder, "teach"),
                                "--test", os.path.join(folder, "unseen"), "--hold-out", "0",
                                "--data", mnist, "--threads", args.threads, "--json"],
                               capture_output=True, text=True)
            if p.returncode != 0:
                print(p.stderr, file=sys.stderr)
                return 1
            r = json.loads(p.stdout.splitlines()[-1])
            assert r["test_count"] == 200 and r["examples_trained"] == 100, r
            print(f"| {name} ({what}) | {100 * r['test_before']:.1f}% "
                  f"| {100 * r['test_after']:.1f}% | {100 * r['mnist_before']:.2f}% "
                  f"| {100 * r['mnist_after']:.2f}% | {100 * r['mnist_changed']:.2f}% |",
                  flush=True)
            if r["test_after"] < args.min_after:
                failures.append(f"{name}: {100 * r['test_after']:.1f}% of its unseen digits "
                                f"after teaching, below {100 * args.min_after:.1f}%")
            drop = r["mnist_before"] - r["mnist_after"]
            if drop > args.max_mnist_drop:
                failures.append(f"{name}: MNIST dropped {100 * drop:.2f} points, more than "
                                f"{100 * args.max_mnist_drop:.1f}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

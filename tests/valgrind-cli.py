#!/usr/bin/env python3
"""Runs one digits-cli command under valgrind and fails on any memory error or definite
leak. Usage: valgrind-cli.py train|eval|classify

Train and eval read a small MNIST-shaped folder made here: the first digits of the real
MNIST when DIGITS_MNIST_DIR has it (so the real files' path is taken), else synthetic
strokes. Exits 77 (skipped) when valgrind is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from mnist_slice import read_idx, write_idx_pair

VALGRIND_ARGS = [
    "--leak-check=full",
    "--show-leak-kinds=definite",
    "--errors-for-leak-kinds=definite",
    "--error-exitcode=1",
    "--quiet",
]

N_TRAIN = 2000
# Eval reads these with the convolutional built-in model, ~0.25 s a digit under valgrind:
# 100 take every path of the evaluation as well as 300 did, in a third of the time.
N_TEST = 100


def synthetic(n):
    """Bars and rings: two classes a network can tell apart, as IDX bytes."""
    images = bytearray(16)
    labels = bytearray(8)
    for i in range(n):
        digit = i % 2
        for y in range(28):
            for x in range(28):
                if digit:
                    ink = 12 <= x <= 15 and 4 <= y <= 23
                else:
                    r = ((x - 13.5) / 6) ** 2 + ((y - 13.5) / 9) ** 2
                    ink = 0.55 < r < 1.0
                images.append(255 if ink else 0)
        labels.append(digit)
    return bytes(images), bytes(labels)


def make_data(folder):
    mnist = os.environ.get("DIGITS_MNIST_DIR")
    train = test = None
    if mnist:
        parts = [read_idx(mnist, b) for b in ("train-images-idx3-ubyte",
                                               "train-labels-idx1-ubyte",
                                               "t10k-images-idx3-ubyte",
                                               "t10k-labels-idx1-ubyte")]
        if all(parts):
            train, test = parts[:2], parts[2:]
    if train is None:
        train = synthetic(N_TRAIN)
        test = synthetic(N_TEST)
    for prefix, (images, labels), n in (("train", train, N_TRAIN), ("t10k", test, N_TEST)):
        write_idx_pair(folder, prefix, images[16:], labels[8:], n)


def main():
    command = sys.argv[1]
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed")
        return 77
    cli = os.environ["DIGITS_CLI"]
    srcdir = os.environ["G_TEST_SRCDIR"]

    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "mnist")
        os.mkdir(data)
        make_data(data)
        model = os.path.join(folder, "small.model")
        if command == "train":
            args = ["train", "--data", data, "--epochs", "1", "--limit", str(N_TRAIN),
                    "--hidden", "32", "--out", model]
        elif command == "eval":
            args = ["eval", "--data", data]
        elif command == "classify":
            corpus = os.path.join(srcdir, "fuzz", "corpus", "image")
            args = ["classify"] + [os.path.join(corpus, n) for n in
                                   ("digits-rgb.png", "digits-rgba.png", "light-on-dark.jpg",
                                    "digits.tiff", "ring.pgm", "digits.svg")]
        else:
            print(f"unknown command {command}")
            return 2

        env = dict(os.environ, GLIB_SLICE="always-malloc", G_DEBUG="gc-friendly")
        run = subprocess.run([valgrind] + VALGRIND_ARGS + [cli] + args, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sys.stdout.write(run.stdout)
        sys.stderr.write(run.stderr)
        # Every input above is good, so any exit but 0 is valgrind's verdict or a failure.
        if run.returncode != 0:
            print(f"valgrind digits-cli {command} exited with {run.returncode}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

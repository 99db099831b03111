#!/usr/bin/env python3
"""The Digits training algorithm in NumPy, as a yardstick for its speed.

784-128-128-10, ReLU, softmax + cross-entropy, He-normal initialisation,
plain SGD (lr 0.1, mean gradient over the batch), a fresh shuffle per
epoch, the batch converted from uint8 (value / 255) as it is used; float32
throughout. Prints one line per epoch with its training seconds (test-set
evaluation is timed apart) and, with --json, one JSON object per epoch.

    DIGITS_MNIST_DIR=../shared/data/mnist python3 numpy_reference.py --batch 128

Run it under OpenBLAS with the CPU type set, as tests/bench/compare.sh does:
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \\
    OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 python3 numpy_reference.py
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np


def read_idx(folder, name):
    for path in (os.path.join(folder, name + ".gz"), os.path.join(folder, name)):
        if os.path.exists(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
            return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)
    sys.exit(f"numpy_reference: no {name}[.gz] in {folder}")


def report_epoch(as_json, epoch, batch, loss_sum, correct, steps, test_acc, seconds,
                 step_times):
    """Prints one epoch's line (or JSON object); shared with torch_reference.py."""
    # An epoch from the median step: barely moved by other programs' load.
    median_seconds = sorted(step_times)[len(step_times) // 2] * steps
    row = {"epoch": epoch, "batch": batch, "loss": loss_sum / steps,
           "train_accuracy": correct / (steps * batch), "test_accuracy": test_acc,
           "seconds": seconds, "median_step_seconds": median_seconds}
    if as_json:
        print(json.dumps(row), flush=True)
    else:
        print(f"epoch {epoch}  batch {batch}  loss {row['loss']:.4f}  "
              f"train {row['train_accuracy']:.4f}  test {test_acc:.4f}  "
              f"{seconds:.3f} s ({median_seconds:.3f} s from the median step)", flush=True)


def parse_args(name, doc, extra=None):
    """The options both references take (extra(parser) adds a script's own) and MNIST as
    four arrays: training images (n × 784 bytes) and labels, test images and labels."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get("DIGITS_MNIST_DIR"))
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    if extra is not None:
        extra(ap)
    args = ap.parse_args()
    if not args.data:
        sys.exit(f"{name}: give --data DIR or set DIGITS_MNIST_DIR")
    data = (read_idx(args.data, "train-images-idx3-ubyte").reshape(-1, 784),
            read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64),
            read_idx(args.data, "t10k-images-idx3-ubyte").reshape(-1, 784),
            read_idx(args.data, "t10k-labels-idx1-ubyte").astype(np.int64))
    return args, data


def main():
    args, (xtrain, ytrain, xtest, ytest) = parse_args("numpy_reference", __doc__)

    rng = np.random.default_rng(args.seed)
    sizes = [784, 128, 128, 10]
    W = [(rng.standard_normal((i, o)) * np.sqrt(2.0 / i)).astype(np.float32)
         for i, o in zip(sizes[:-1], sizes[1:])]
    b = [np.zeros(o, np.float32) for o in sizes[1:]]
    lr = np.float32(args.lr)
    n, B = len(xtrain), args.batch
    inv255 = np.float32(1.0 / 255.0)

    def forward(x):
        acts = [x]
        for layer in range(3):
            z = acts[-1] @ W[layer] + b[layer]
            acts.append(np.maximum(z, 0) if layer < 2 else z)
        return acts

    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(n)
        t0 = time.perf_counter()
        loss_sum, correct, steps = 0.0, 0, 0
        step_times = []
        for s in range(0, n - B + 1, B):
            ts = time.perf_counter()
            idx = order[s:s + B]
            x = xtrain[idx].astype(np.float32) * inv255
            y = ytrain[idx]
            acts = forward(x)
            z = acts[-1]
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            se = e.sum(axis=1, keepdims=True)
            p = e / se
            loss_sum += float(np.mean(np.log(se[:, 0]) - z[np.arange(B), y]))
            correct += int((z.argmax(axis=1) == y).sum())
            d = p
            d[np.arange(B), y] -= 1
            d /= np.float32(B)
            for layer in (2, 1, 0):
                gw = acts[layer].T @ d
                gb = d.sum(axis=0)
                if layer > 0:
                    d = (d @ W[layer].T) * (acts[layer] > 0)
                W[layer] -= lr * gw
                b[layer] -= lr * gb
            steps += 1
            step_times.append(time.perf_counter() - ts)
        seconds = time.perf_counter() - t0
        probs = forward(xtest.astype(np.float32) * inv255)[-1]
        test_acc = float((probs.argmax(axis=1) == ytest).mean())
        report_epoch(args.json, epoch, B, loss_sum, correct, steps, test_acc, seconds,
                     step_times)

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A Digits network spec in PyTorch, the way a PyTorch user would write it, for timing.

Builds the spec (conv<K>x<N> 'same', conv<K>x<N>v 'valid', pool<S>, dense<N>, ReLU after
each conv and dense, a final 10-way linear layer, cross-entropy) with torch.nn, He-normal
weights and zero biases, and trains it with Adam (lr 1e-3) at batch 64 on MNIST without
augmentation, a fresh shuffle per epoch, the batch converted from uint8 as it is used.
Prints one JSON object per epoch: training seconds (evaluation timed apart), loss, test
accuracy, and the median time of one digit's inference.

    DIGITS_MNIST_DIR=../shared/data/mnist python3 torch_cnn_reference.py \\
        --net conv3x32,pool2,conv3x64,pool2,dense128 --threads 2
"""
import argparse
import gzip
import json
import os
import re
import statistics
import time

import numpy as np
import torch

SPECS = {"mlp": "dense128,dense128", "cnn": "conv3x32,pool2,conv3x64,pool2,dense128"}


def load(data, name, header, shape):
    with gzip.open(os.path.join(data, name + ".gz"), "rb") as f:
        return np.frombuffer(f.read()[header:], dtype=np.uint8).reshape(shape)


def build(spec):
    layers, c, h, w, flat = [], 1, 28, 28, None
    for tok in filter(None, SPECS.get(spec, spec).split(",")):
        m = re.fullmatch(r"conv(\d+)x(\d+)(v?)|pool(\d+)|dense(\d+)", tok)
        if not m:
            raise SystemExit(f"bad token {tok!r}")
        if m.group(1):
            k, n, valid = int(m.group(1)), int(m.group(2)), m.group(3) == "v"
            conv = torch.nn.Conv2d(c, n, k, padding=0 if valid else "same")
            layers += [conv, torch.nn.ReLU()]
            c, h, w = n, (h - k + 1 if valid else h), (w - k + 1 if valid else w)
        elif m.group(4):
            s = int(m.group(4))
            layers.append(torch.nn.MaxPool2d(s))
            h, w = h // s, w // s
        else:
            if flat is None:
                layers.append(torch.nn.Flatten())
                flat = c * h * w
            lin = torch.nn.Linear(flat, int(m.group(5)))
            layers += [lin, torch.nn.ReLU()]
            flat = int(m.group(5))
    if flat is None:
        layers.append(torch.nn.Flatten())
        flat = c * h * w
    layers.append(torch.nn.Linear(flat, 10))
    model = torch.nn.Sequential(*layers)
    for mod in model.modules():
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
            torch.nn.init.zeros_(mod.bias)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--net", default="cnn")
    ap.add_argument("--data", default=os.environ.get("DIGITS_MNIST_DIR", "../shared/data/mnist"))
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    xtrain = torch.from_numpy(
        load(args.data, "train-images-idx3-ubyte", 16, (-1, 1, 28, 28)).copy())
    ytrain = torch.from_numpy(load(args.data, "train-labels-idx1-ubyte", 8, (-1,)).astype(np.int64))
    xtest = torch.from_numpy(load(args.data, "t10k-images-idx3-ubyte", 16, (-1, 1, 28, 28)).copy())
    ytest = torch.from_numpy(load(args.data, "t10k-labels-idx1-ubyte", 8, (-1,)).astype(np.int64))
    model = build(args.net)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n, B = len(xtrain), args.batch
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(n)
        model.train()
        t0 = time.perf_counter()
        loss_sum, steps = 0.0, 0
        for s in range(0, n - B + 1, B):
            idx = order[s:s + B]
            x = xtrain[idx].float().div_(255.0)
            loss = loss_fn(model(x), ytrain[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            steps += 1
        seconds = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            acc = float((model(xtest.float() / 255.0).argmax(dim=1) == ytest).float().mean())
            one = xtest[:1].float() / 255.0
            times = []
            for _ in range(200):
                ts = time.perf_counter()
                model(one)
                times.append(time.perf_counter() - ts)
        print(json.dumps({"epoch": epoch, "seconds": seconds, "loss": loss_sum / steps,
                          "test_accuracy": acc,
                          "inference_us": statistics.median(times) * 1e6}), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The Digits training algorithm in PyTorch, the way a PyTorch user would write it.

The same network and algorithm as numpy_reference.py: 784-128-128-10, ReLU, softmax +
cross-entropy (nn.CrossEntropyLoss), He-normal weights and zero biases, plain SGD
(torch.optim.SGD, lr 0.1, mean gradient over the batch), a fresh shuffle per epoch, the
batch converted from uint8 (value / 255) as it is used; float32 throughout, autograd for
the gradients. Prints one line per epoch with its training seconds (test-set evaluation is
timed apart) and, with --json, one JSON object per epoch in numpy_reference.py's form.

    DIGITS_MNIST_DIR=../shared/data/mnist python3 torch_reference.py --batch 128

Debian's python3-torch does its matrix products through the system BLAS; run it under
OpenBLAS with the CPU type set, as tests/bench/compare.sh does:
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \\
    OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 python3 torch_reference.py --threads 1
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_reference import parse_args, report_epoch  # noqa: E402  (shared with NumPy's)


def main():
    args, arrays = parse_args("torch_reference", __doc__,
                              lambda ap: ap.add_argument("--threads", type=int, default=1))
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    xtrain, ytrain, xtest, ytest = (torch.from_numpy(a.copy()) for a in arrays)

    sizes = [784, 128, 128, 10]
    layers = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        linear = torch.nn.Linear(i, o)
        torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        torch.nn.init.zeros_(linear.bias)
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    n, B = len(xtrain), args.batch

    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(n)
        model.train()
        t0 = time.perf_counter()
        loss_sum, correct, steps = 0.0, 0, 0
        step_times = []
        for s in range(0, n - B + 1, B):
            ts = time.perf_counter()
            idx = order[s:s + B]
            x = xtrain[idx].float().div_(255.0)
            y = ytrain[idx]
            logits = model(x)
            loss = loss_fn(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            correct += int((logits.argmax(dim=1) == y).sum())
            steps += 1
            step_times.append(time.perf_counter() - ts)
        seconds = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            test_acc = float((model(xtest.float() / 255.0).argmax(dim=1) == ytest).float().mean())
        report_epoch(args.json, epoch, B, loss_sum, correct, steps, test_acc, seconds,
                     step_times)

if __name__ == "__main__":
    main()

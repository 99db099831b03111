"""MNIST-shaped folders for the CLI tests: MNIST's first test digits as a set of their own
(a whole-set evaluation through the convolutional built-in costs minutes under the
sanitizers), and the IDX reading and writing that takes."""
import gzip
import os
import struct

# Set by tests/meson.build in builds with sanitizers, where a digit through the CNN costs
# ~15 ms: slices there are a few hundred digits.
SANITIZED = os.environ.get("DIGITS_TEST_SANITIZED") == "1"


def read_idx(folder, name):
    """One IDX file's bytes, header included, gzip-compressed or not; None if absent."""
    for base in (name, name + ".gz"):
        path = os.path.join(folder, base)
        if os.path.exists(path):
            opener = gzip.open if base.endswith(".gz") else open
            with opener(path, "rb") as f:
                return f.read()
    return None


def write_idx_pair(folder, prefix, pixels, labels, n):
    """Writes n 28×28 digits (pixels: 784 bytes a digit, labels: one byte each, no
    headers) as PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte."""
    with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + pixels[:n * 784])
    with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + labels[:n])


def read_mnist_test(mnist):
    """The test set's pixels (784 bytes a digit) and labels."""
    images = read_idx(mnist, "t10k-images-idx3-ubyte")
    labels = read_idx(mnist, "t10k-labels-idx1-ubyte")
    if images is None or labels is None:
        raise FileNotFoundError(os.path.join(mnist, "t10k-*-idx?-ubyte"))
    return images[16:], labels[8:]


def write_test_slice(mnist, folder, n):
    """Writes the first n test digits into folder as an MNIST test set; returns
    (images, labels) of those n."""
    images, labels = read_mnist_test(mnist)
    images, labels = images[:n * 784], labels[:n]
    write_idx_pair(folder, "t10k", images, labels, n)
    return images, labels

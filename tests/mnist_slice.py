"""MNIST's first test digits as a folder of their own, for CLI tests: a whole-set
evaluation through the convolutional built-in costs minutes under the sanitizers."""
import gzip
import os
import struct

# Set by tests/meson.build in builds with sanitizers, where a digit through the CNN costs
# ~15 ms: slices there are a few hundred digits.
SANITIZED = os.environ.get("DIGITS_TEST_SANITIZED") == "1"


def read_mnist_test(mnist):
    """The test set's pixels (784 bytes a digit) and labels, gzip-compressed or not."""
    def read(name):
        for base in (name, name + ".gz"):
            path = os.path.join(mnist, base)
            if os.path.exists(path):
                opener = gzip.open if base.endswith(".gz") else open
                with opener(path, "rb") as f:
                    return f.read()
        raise FileNotFoundError(name)
    return read("t10k-images-idx3-ubyte")[16:], read("t10k-labels-idx1-ubyte")[8:]


def write_test_slice(mnist, folder, n):
    """Writes the first n test digits into folder as an MNIST test set; returns
    (images, labels) of those n."""
    images, labels = read_mnist_test(mnist)
    images, labels = images[:n * 784], labels[:n]
    with open(os.path.join(folder, "t10k-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images)
    with open(os.path.join(folder, "t10k-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + labels)
    return images, labels

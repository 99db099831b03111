#!/usr/bin/env python3
"""digits-cli as a person uses it: help, errors, train → eval → classify, JSON shapes."""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

from mnist_slice import SANITIZED, write_test_slice

CLI = os.environ.get("DIGITS_CLI", "digits-cli")
MNIST = os.environ.get("DIGITS_MNIST_DIR")


def run(*args, env=None, check=None):
    e = dict(os.environ)
    e["LC_ALL"] = "C.UTF-8"
    e.pop("LANGUAGE", None)
    if env is not None:
        e.update(env)
        for k, v in env.items():
            if v is None:
                e.pop(k)
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=e, timeout=600)
    if check is not None:
        assert p.returncode == check, (args, p.returncode, p.stdout, p.stderr)
    return p


def write_png(path, width, height, pixels, channels=1):
    """pixels: bytes, row-major; channels 1 (grey) or 4 (RGBA)."""
    colour = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\0" + pixels[y * width * channels:(y + 1) * width * channels]
                   for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))


def canvas(width, height, paper=255):
    return bytearray([paper] * (width * height))


def draw_line(img, width, x0, y0, x1, y1, radius, ink=0):
    """A thick line with round ends, like a felt pen."""
    height = len(img) // width
    for y in range(max(0, int(min(y0, y1) - radius - 1)), min(height, int(max(y0, y1) + radius + 2))):
        for x in range(max(0, int(min(x0, x1) - radius - 1)), min(width, int(max(x0, x1) + radius + 2))):
            dx, dy = x1 - x0, y1 - y0
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
            d = math.hypot(x - (x0 + t * dx), y - (y0 + t * dy))
            if d <= radius:
                img[y * width + x] = ink


def draw_one(img, width, cx, top, size, ink=0):
    draw_line(img, width, cx, top, cx, top + size, size * 0.07, ink)


def draw_zero(img, width, cx, cy, size, ink=0):
    steps = 48
    for i in range(steps):
        a0, a1 = 2 * math.pi * i / steps, 2 * math.pi * (i + 1) / steps
        rx, ry = size * 0.32, size * 0.48
        draw_line(img, width, cx + rx * math.cos(a0), cy + ry * math.sin(a0),
                  cx + rx * math.cos(a1), cy + ry * math.sin(a1), size * 0.07, ink)


def draw_seven(img, width, left, top, size, ink=0):
    draw_line(img, width, left, top, left + size * 0.6, top, size * 0.07, ink)
    draw_line(img, width, left + size * 0.6, top, left + size * 0.25, top + size, size * 0.07, ink)


class Help(unittest.TestCase):
    def test_top_level_help(self):
        p = run("--help", check=0)
        for command in ("train", "eval", "classify", "bench", "info"):
            self.assertIn(command, p.stdout)

    def test_every_command_has_help(self):
        expect = {
            "train": ["--data", "--epochs", "--batch", "--optimizer", "--lr", "--decay",
                      "--momentum", "--l2", "--net", "--hidden", "--seed", "--out", "--json"],
            "eval": ["--model", "--data", "--json"],
            "classify": ["--model", "--json"],
            "bench": ["--json", "--samples", "--net"],
            "info": ["--model", "--json"],
        }
        for command, options in expect.items():
            p = run(command, "--help", check=0)
            for option in options:
                self.assertIn(option, p.stdout, f"{command} --help lacks {option}")

    def test_no_command(self):
        p = run()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Usage", p.stderr)

    def test_unknown_command(self):
        p = run("fly")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)


class Errors(unittest.TestCase):
    def assert_one_line_error(self, p, *needles):
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "")
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        for n in needles:
            self.assertIn(n, lines[0])

    def test_train_without_data(self):
        with tempfile.TemporaryDirectory() as home:
            p = run("train", env={"DIGITS_MNIST_DIR": None, "XDG_DATA_HOME": home})
        if os.path.isdir("/usr/share/datasets/mnist"):
            self.skipTest("MNIST is installed system-wide")
        self.assert_one_line_error(p, "--data")

    def test_train_missing_folder(self):
        p = run("train", "--data", "/nonexistent/mnist")
        self.assert_one_line_error(p, "/nonexistent/mnist")

    def test_bad_option_values(self):
        self.assert_one_line_error(run("train", "--optimizer", "rmsprop"), "sgd, momentum or adam")
        self.assert_one_line_error(run("train", "--epochs", "0"), "--epochs")
        self.assert_one_line_error(run("train", "--hidden", "128,x"), "--hidden")
        self.assert_one_line_error(run("train", "--net", "conv5x32,conv5y32"),
                                   "--net: “conv5y32” (token 2): expected conv<K>x<N>[v], "
                                   "pool<S> or dense<N>")
        self.assert_one_line_error(run("train", "--net", "conv5x8,pool4,pool8"),
                                   "“pool8” (token 3): a 8×8 pool is bigger than its 7×7 map")
        self.assert_one_line_error(run("train", "--net", "mlp", "--hidden", "32"), "--net")
        self.assert_one_line_error(run("bench", "--net", "dense0"),
                                   "“dense0” (token 1): a dense layer has 1 to 4096 units")
        self.assert_one_line_error(run("train", "--lr", "-1"), "--lr")
        self.assert_one_line_error(run("train", "--elastic", "2"), "--elastic takes a chance")
        self.assert_one_line_error(run("train", "--smooth", "1"), "--smooth takes a number")
        self.assert_one_line_error(run("train", "--frobnicate"), "frobnicate")

    def test_error_texts(self):
        """Each message names the file once, as the person gave it, and says what is wrong."""
        with tempfile.TemporaryDirectory() as d:
            broken = os.path.join(d, "broken.model")
            with open(broken, "wb") as f:
                f.write(b"this is not a model")
            p = run("info", "--model", broken)
            self.assertEqual(p.stderr, "digits-cli info: could not open the model “%s”: it is "
                             "not a Digits model file\n" % broken)
            notes = os.path.join(d, "notes.png")
            with open(notes, "w") as f:
                f.write("not an image at all")
            p = run("classify", notes)
            self.assertEqual(p.stderr, "digits-cli classify: could not read “%s”: it is not an "
                             "image Digits can read (Unrecognized image file format)\n" % notes)

    def test_bad_model_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "broken.model")
            with open(path, "wb") as f:
                f.write(b"this is not a model")
            p = run("info", "--model", path)
            self.assert_one_line_error(p, "broken.model")
            p = run("classify", "--model", os.path.join(d, "missing.model"), path)
            self.assert_one_line_error(p, "missing.model")

    def test_info_json(self):
        info = json.loads(run("info", "--json").stdout)
        self.assertIsInstance(info["net"], str)
        self.assertGreater(info["parameters"], 1000)
        self.assertIn("metadata", info)

    def test_classify_without_images(self):
        self.assert_one_line_error(run("classify"), "no image")


class Classify(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_reads_digits_left_to_right(self):
        w, h = 300, 140
        img = canvas(w, h)
        draw_one(img, w, 60, 25, 90)
        draw_zero(img, w, 150, 70, 90)
        draw_seven(img, w, 215, 25, 90)
        write_png(self.path("one-zero-seven.png"), w, h, bytes(img))

        p = run("classify", "--json", self.path("one-zero-seven.png"), check=0)
        result = json.loads(p.stdout)
        self.assertEqual(result["file"], self.path("one-zero-seven.png"))
        self.assertEqual(result["digits"], "107")
        self.assertEqual(len(result["probabilities"]), 3)
        for probs in result["probabilities"]:
            self.assertEqual(len(probs), 10)
            self.assertAlmostEqual(sum(probs), 1.0, places=3)

    def test_light_on_dark_and_colour(self):
        w, h = 120, 120
        img = canvas(w, h, paper=20)
        draw_seven(img, w, 30, 15, 90, ink=230)
        write_png(self.path("chalk.png"), w, h, bytes(img))
        # Blue ink on a transparent background.
        rgba = bytearray(w * h * 4)
        grey = canvas(w, h)
        draw_one(grey, w, 60, 15, 90)
        for i, v in enumerate(grey):
            if v == 0:
                rgba[4 * i:4 * i + 4] = bytes([20, 40, 200, 255])
        write_png(self.path("blue.png"), w, h, bytes(rgba), channels=4)

        p = run("classify", "--json", self.path("chalk.png"), self.path("blue.png"), check=0)
        lines = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([l["digits"] for l in lines], ["7", "1"])

    def test_failures_are_reported_per_file(self):
        w, h = 100, 100
        write_png(self.path("blank.png"), w, h, bytes(canvas(w, h)))
        with open(self.path("notes.png"), "w") as f:
            f.write("not an image at all")
        img = canvas(w, h)
        draw_one(img, w, 50, 10, 80)
        write_png(self.path("one.png"), w, h, bytes(img))

        p = run("classify", "--json", self.path("blank.png"), self.path("notes.png"),
                self.path("one.png"))
        self.assertEqual(p.returncode, 1)
        lines = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[0]["digits"], "")
        # The file is named by "file"; "error" says only what is wrong with it.
        self.assertEqual(lines[0]["error"], "no digit was found in it")
        self.assertEqual(lines[1]["file"], self.path("notes.png"))
        self.assertEqual(lines[1]["error"],
                         "it is not an image Digits can read (Unrecognized image file format)")
        self.assertEqual(lines[2]["digits"], "1")
        self.assertNotIn("error", lines[2])

        p = run("classify", self.path("notes.png"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("notes.png", p.stderr)

    def test_text_output(self):
        w, h = 100, 100
        img = canvas(w, h)
        draw_one(img, w, 50, 10, 80)
        write_png(self.path("one.png"), w, h, bytes(img))
        p = run("classify", self.path("one.png"), check=0)
        self.assertTrue(p.stdout.startswith(self.path("one.png") + ": 1\n"), p.stdout)


@unittest.skipUnless(MNIST, "DIGITS_MNIST_DIR is not set")
class WithMnist(unittest.TestCase):
    def test_validation_run_says_what_it_measured(self):
        # A model chosen on the held-out digits must not claim a test-set figure.
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "val.model")
            run("train", "--data", MNIST, "--validation", "--limit", "2000", "--epochs", "2",
                "--hidden", "32", "--cosine", "--elastic", "0.25", "--smooth", "0.1",
                "--out", out, check=0)
            meta = json.loads(run("info", "--model", out, "--json", check=0).stdout)["metadata"]
            self.assertNotIn("test_accuracy", meta)
            self.assertGreater(float(meta["validation_accuracy"]), 0.5)
            self.assertEqual(meta["validation"], "last 5,000 training digits held out")
            self.assertEqual(meta["schedule"], "cosine")
            self.assertEqual(meta["elastic"], "0.25")
            self.assertEqual(meta["smooth"], "0.1")

    def test_train_eval_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "small.model")
            p = run("train", "--data", MNIST, "--limit", "3000", "--epochs", "2",
                    "--hidden", "32", "--no-augment", "--json", "--out", out, check=0)
            epochs = [json.loads(l) for l in p.stdout.splitlines()]
            self.assertEqual([e["epoch"] for e in epochs], [1, 2])
            for e in epochs:
                self.assertEqual(set(e), {"epoch", "loss", "train_accuracy",
                                          "test_accuracy", "seconds"})
                self.assertGreater(e["seconds"], 0)
            self.assertLess(epochs[1]["loss"], epochs[0]["loss"])
            self.assertGreater(epochs[1]["test_accuracy"], 0.80)
            with open(out, "rb") as f:
                self.assertEqual(f.read(8), b"DIGITSNN")

            p = run("eval", "--model", out, "--data", MNIST, "--json", check=0)
            result = json.loads(p.stdout)
            self.assertEqual(result["count"], 10000)
            self.assertAlmostEqual(result["accuracy"], epochs[1]["test_accuracy"], places=4)
            self.assertEqual(len(result["confusion"]), 10)
            self.assertEqual(sum(map(sum, result["confusion"])), 10000)
            self.assertEqual(sum(result["confusion"][i][i] for i in range(10)),
                             round(result["accuracy"] * 10000))

            p = run("eval", "--model", out, "--data", MNIST, check=0)
            self.assertIn("Confusion matrix", p.stdout)

    def test_save_into_missing_folder(self):
        p = run("train", "--data", MNIST, "--limit", "500", "--epochs", "1", "--no-augment",
                "--out", "/nonexistent-folder/digits.model")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.splitlines()[-1], "digits-cli train: could not save the model "
                         "as “/nonexistent-folder/digits.model”: the folder does not exist")

    def test_builtin_model_reaches_98(self):
        # MNIST's first 2,000 test digits (500 under the sanitizers): the whole set through
        # the convolutional built-in takes minutes there (the README gives its figure).
        n = 500 if SANITIZED else 2000
        with tempfile.TemporaryDirectory() as d:
            write_test_slice(MNIST, d, n)
            p = run("eval", "--data", d, "--json", check=0)
        result = json.loads(p.stdout)
        self.assertEqual(result["count"], n)
        self.assertGreaterEqual(result["accuracy"], 0.98)

    def test_bench_json(self):
        # Speeds are a benchmark's figures, printed here; the test checks that they are
        # there and agree with each other, never how fast this machine happens to be.
        # 6,000 samples, not 60,000 (and inference on 1,000 digits): under the sanitizers
        # the full run takes minutes.
        p = run("bench", "--json", "--threads", "2", "--samples", "6000", check=0)
        print("bench:", p.stdout.strip())
        b = json.loads(p.stdout)
        self.assertEqual(b["threads"], 2)
        self.assertEqual(b["data"], "mnist")
        self.assertTrue(b["kernels"])
        self.assertEqual([t["batch"] for t in b["train"]], [32, 128])
        # 784-128-128-10: forward 2·MACs a layer, backward 2·MACs for the weights and, past
        # the first layer, 2·MACs for the input gradient.
        flops = 4 * 784 * 128 + 6 * 128 * 128 + 6 * 128 * 10
        for t in b["train"]:
            rate = t["samples_per_second"]
            self.assertGreater(rate, 0)
            self.assertAlmostEqual(t["seconds_per_epoch"] * rate / 60000, 1, delta=0.01)
            self.assertAlmostEqual(t["gflops"], flops * rate / 1e9,
                                   delta=0.006 + 0.01 * t["gflops"])
        for key in ("inference_us", "test_set_ms", "canvas_update_us"):
            self.assertGreater(b[key], 0, key)
        p = run("bench", "--samples", "100")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr,
                         "digits-cli bench: --samples takes a number from 128 to 60000\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)

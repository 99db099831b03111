#!/usr/bin/env python3
"""digits-cli tune as a person uses it: errors, the JSON it prints, and what tuning does.

The cases that tune need MNIST (DIGITS_MNIST_DIR); they are skipped without it. Their
digits are drawn here: long-flag 1s, crossed 7s and slashed 0s, the continental forms
MNIST's American writers rarely used.
"""
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("cli_helpers", os.path.join(HERE, "test-cli.py"))
helpers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(helpers)
run = helpers.run
MNIST = os.environ.get("DIGITS_MNIST_DIR")

FINAL_KEYS = {"samples_before", "samples_after", "mnist_before", "mnist_after",
              "mnist_changed", "examples_trained", "examples_held_out"}
EPOCH_KEYS = {"epoch", "loss", "train_accuracy", "samples_accuracy", "mnist_accuracy",
              "mnist_changed", "seconds"}


def draw_continental(path, digit, rng):
    """One drawn digit, 120 × 150 px, in a hand with its own wobble."""
    w, h = 120, 150
    img = helpers.canvas(w, h)
    r = rng.uniform(5, 8)
    j = lambda: rng.uniform(-6, 6)
    if digit == 1:     # long flag, no foot
        helpers.draw_line(img, w, 30 + j(), 70 + j(), 70, 20, r)
        helpers.draw_line(img, w, 70, 20, 68 + j(), 130, r)
    elif digit == 7:   # crossed
        helpers.draw_line(img, w, 25 + j(), 25, 95, 22 + j(), r)
        helpers.draw_line(img, w, 95, 22, 50 + j(), 130, r)
        helpers.draw_line(img, w, 40 + j(), 78 + j(), 90, 74, r)
    else:              # slashed 0
        steps = 36
        rx, ry = rng.uniform(26, 34), 52
        for i in range(steps):
            a0, a1 = 2 * math.pi * i / steps, 2 * math.pi * (i + 1) / steps
            helpers.draw_line(img, w, 60 + rx * math.cos(a0), 75 + ry * math.sin(a0),
                              60 + rx * math.cos(a1), 75 + ry * math.sin(a1), r)
        helpers.draw_line(img, w, 90 + j(), 25, 30 + j(), 125, r)
    helpers.write_png(path, w, h, bytes(img))


def make_samples(root, per_class=10, classes=(0, 1, 7), seed=5):
    rng = random.Random(seed)
    for d in classes:
        os.makedirs(os.path.join(root, str(d)), exist_ok=True)
        for i in range(per_class):
            draw_continental(os.path.join(root, str(d), f"{i + 1:04d}.png"), d, rng)


def assert_one_line_error(test, p, *needles):
    test.assertNotEqual(p.returncode, 0)
    lines = p.stderr.strip().splitlines()
    test.assertEqual(len(lines), 1, p.stderr)
    test.assertTrue(lines[0].startswith("digits-cli tune: "), lines[0])
    for n in needles:
        test.assertIn(n, lines[0])


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_help(self):
        p = run("tune", "--help", check=0)
        for option in ("--model", "--samples", "--data", "--epochs", "--out", "--json",
                       "--test", "--hold-out", "--mix"):
            self.assertIn(option, p.stdout)

    def test_no_samples(self):
        assert_one_line_error(self, run("tune"),
                              "no folder of digits given: pass --samples DIR")

    def test_missing_folder(self):
        missing = os.path.join(self.tmp.name, "nowhere")
        assert_one_line_error(self, run("tune", "--samples", missing),
                              f"“{missing}” is not a folder of digits")

    def test_empty_folder(self):
        # Before MNIST is even looked for: nothing to learn from is the first thing to say.
        p = run("tune", "--samples", self.tmp.name, env={"DIGITS_MNIST_DIR": None})
        assert_one_line_error(self, p, "There are no examples of your digits to learn from")

    def test_only_foreign_files(self):
        os.makedirs(os.path.join(self.tmp.name, "3"))
        with open(os.path.join(self.tmp.name, "3", "0001.png"), "wb") as f:
            f.write(b"not a png at all")
        p = run("tune", "--samples", self.tmp.name, env={"DIGITS_MNIST_DIR": None})
        self.assertNotEqual(p.returncode, 0)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(lines, [
            "digits-cli tune: “3/0001.png” is skipped: it is not a PNG image",
            "digits-cli tune: There are no examples of your digits to learn from"])
        with open(os.path.join(self.tmp.name, "3", "0001.png"), "rb") as f:
            self.assertEqual(f.read(), b"not a png at all")   # left alone

    def test_bad_model(self):
        bad = os.path.join(self.tmp.name, "bad.model")
        with open(bad, "wb") as f:
            f.write(b"DIGITSNN" + b"\0" * 10)
        make_samples(self.tmp.name, per_class=1, classes=(1,))
        p = run("tune", "--model", bad, "--samples", self.tmp.name)
        assert_one_line_error(self, p, "bad.model")

    def test_no_mnist(self):
        if os.path.isdir("/usr/share/datasets/mnist"):
            self.skipTest("MNIST is installed system-wide")
        make_samples(self.tmp.name, per_class=1, classes=(1,))
        p = run("tune", "--samples", self.tmp.name,
                env={"DIGITS_MNIST_DIR": None, "XDG_DATA_HOME": self.tmp.name})
        assert_one_line_error(self, p, "No MNIST folder given: pass --data DIR")

    def test_option_ranges(self):
        for args, needle in ((["--epochs", "0"], "--epochs takes a whole number"),
                             (["--hold-out", "1"], "--hold-out takes 0 or a whole number"),
                             (["--share", "1.5"], "--share takes a number between 0 and 1"),
                             (["--optimizer", "lbfgs"], "--optimizer takes sgd"),
                             (["--lr", "-1"], "--lr takes a positive number")):
            p = run("tune", "--samples", self.tmp.name, *args)
            assert_one_line_error(self, p, needle)


@unittest.skipUnless(MNIST, "DIGITS_MNIST_DIR is not set")
class Tune(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.samples = os.path.join(cls.tmp.name, "samples")
        make_samples(cls.samples)
        with open(os.path.join(cls.samples, "1", "notes.txt"), "w") as f:
            f.write("mine")
        cls.out = os.path.join(cls.tmp.name, "tuned.model")
        cls.p = run("tune", "--samples", cls.samples, "--epochs", "2", "--mix", "3000",
                    "--json", "--out", cls.out, "--threads", "2",
                    env={"DIGITS_MNIST_DIR": MNIST}, check=0)
        cls.lines = [json.loads(line) for line in cls.p.stdout.splitlines()]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_json_shape(self):
        self.assertEqual(len(self.lines), 3)
        for i, e in enumerate(self.lines[:2]):
            self.assertEqual(set(e), EPOCH_KEYS)
            self.assertEqual(e["epoch"], i + 1)
            for k in ("train_accuracy", "samples_accuracy", "mnist_accuracy", "mnist_changed"):
                self.assertTrue(0 <= e[k] <= 1, (k, e[k]))
            self.assertGreater(e["loss"], 0)
        final = self.lines[2]
        self.assertEqual(set(final), FINAL_KEYS)
        for k in ("samples_before", "samples_after", "mnist_before", "mnist_after",
                  "mnist_changed"):
            self.assertTrue(0 <= final[k] <= 1, (k, final[k]))
        # The answers that changed are at least the accuracy's net change.
        self.assertGreaterEqual(final["mnist_changed"] + 1e-9,
                                abs(final["mnist_before"] - final["mnist_after"]))
        # Every 5th of each class's ten is held out: 2 × 3 classes.
        self.assertEqual(final["examples_held_out"], 6)
        self.assertEqual(final["examples_trained"], 24)
        self.assertEqual(self.lines[1]["mnist_accuracy"], final["mnist_after"])

    def test_outcome(self):
        final = self.lines[2]
        self.assertGreaterEqual(final["mnist_before"], 0.97)          # the built-in model
        self.assertLessEqual(abs(final["mnist_before"] - final["mnist_after"]), 0.01)
        self.assertGreaterEqual(final["samples_after"], final["samples_before"])
        self.assertGreaterEqual(final["samples_after"], 5 / 6)

    def test_foreign_file_named_not_fatal(self):
        self.assertEqual(self.p.returncode, 0, self.p.stderr)
        self.assertIn("“1/notes.txt” is skipped: its name is not a number like 0001.png",
                      self.p.stderr)
        with open(os.path.join(self.samples, "1", "notes.txt")) as f:
            self.assertEqual(f.read(), "mine")

    def test_saved_model_is_the_measured_one(self):
        p = run("eval", "--model", self.out, "--json", env={"DIGITS_MNIST_DIR": MNIST},
                check=0)
        self.assertAlmostEqual(json.loads(p.stdout)["accuracy"], self.lines[2]["mnist_after"],
                               places=5)
        p = run("info", "--model", self.out, check=0)
        self.assertRegex(p.stdout, r"tuned_on_examples\s+24")

    def test_single_example_and_unwritable_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            samples = os.path.join(tmp, "samples")
            make_samples(samples, per_class=1, classes=(7,))
            blocker = os.path.join(tmp, "file")
            with open(blocker, "w") as f:
                f.write("x")
            p = run("tune", "--samples", samples, "--epochs", "1", "--mix", "500", "--json",
                    "--out", os.path.join(blocker, "tuned.model"),
                    env={"DIGITS_MNIST_DIR": MNIST})
            lines = [json.loads(line) for line in p.stdout.splitlines()]
            final = lines[-1]
            # One example: trained on, nothing held out, nothing to measure it on.
            self.assertEqual(final["examples_trained"], 1)
            self.assertEqual(final["examples_held_out"], 0)
            self.assertIsNone(final["samples_before"])
            self.assertIsNone(final["samples_after"])
            self.assertIsNotNone(final["mnist_after"])
            # Saving under a file fails with one line and leaves no file behind.
            assert_one_line_error(self, p, "tuned.model")
            self.assertEqual(sorted(os.listdir(tmp)), ["file", "samples"])

    def test_test_folder(self):
        with tempfile.TemporaryDirectory() as tmp:
            make_samples(tmp, per_class=4, seed=9)
            p = run("tune", "--samples", self.samples, "--test", tmp, "--epochs", "1",
                    "--mix", "500", "--hold-out", "0", "--json",
                    env={"DIGITS_MNIST_DIR": MNIST}, check=0)
            final = json.loads(p.stdout.splitlines()[-1])
            self.assertEqual(final["test_count"], 12)
            self.assertEqual(final["examples_trained"], 30)
            self.assertEqual(final["examples_held_out"], 0)
            for k in ("test_before", "test_after"):
                self.assertTrue(0 <= final[k] <= 1)
                self.assertAlmostEqual(final[k] * 12, round(final[k] * 12), places=4)


if __name__ == "__main__":
    unittest.main(verbosity=2)

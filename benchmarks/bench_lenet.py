"""Benchmark: LeNet-5 training time to 95% on the offline digits, and the cost of one widget update.

    python benchmarks/bench_lenet.py [--threads N] [--epochs E]

Trains the faithful LeNet-5 and the modern LeNet with the notebook's recipe (Adam, lr 3e-3, batch 32,
seed 0) on the 4,000 offline training digits and reports, per network, the training seconds until the
held-out accuracy first reached 95%, the final accuracy and the seconds per epoch. Then times the
digit explorer's update (perturb + forward pass + redraw, Agg backend) and the drawing pad's. Not a test.
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")

import torch
from timing import time_updates  # benchmarks/timing.py

from helpers.data import load_digits
from helpers.figures.lenet5 import DigitExplorer, DrawDigit, explore_digit
from helpers.models.lenet import LeNet5, ModernLeNet
from helpers.train import fit


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (the notebook uses 1)")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = load_digits(source="offline", test_size=1000, pad=2, seed=0)
    print(f"{data}\ntorch {torch.__version__}, {args.threads} thread(s)\n")
    print(f"{'network':16} {'to 95%':>8} {'final acc':>10} {'s/epoch':>8} {'epochs':>7}")
    nets = {}
    for name, cls in (("LeNet-5 (1998)", LeNet5), ("modern LeNet", ModernLeNet)):
        torch.manual_seed(0)
        net = nets[name] = cls()
        h = fit(net, data, epochs=args.epochs, lr=3e-3, batch_size=32, seed=0, plot=False, progress=False)
        first = next((s for s, a in zip(h.seconds, h.test_acc) if a >= 0.95), None)
        reach = f"{first:.1f} s" if first is not None else "never"
        print(f"{name:16} {reach:>8} {h.final_test_acc:>10.2%} {h.seconds[-1] / len(h.epoch):>8.2f} {len(h.epoch):>7}")

    net = nets["LeNet-5 (1998)"].eval()
    ex = DigitExplorer(net, data.x_test, data.y_test, demo="all")
    pad = DrawDigit(nets)
    pad.strokes = [[(0.5, 0.1), (0.5, 0.9)]]
    image = ex.images[0]
    print(f"\n{'widget update':48} {'median ms':>10} {'p90 ms':>8}")
    for label, step in (
        ("explore_digit (perturb + forward, no drawing)", lambda i: explore_digit(net, image, dx=i % 7 - 3)),
        ("digit explorer: shift slider, incl. redraw", lambda i: setattr(ex.controls["dx"], "value", i % 7 - 3)),
        ("digit explorer: rotate slider, incl. redraw", lambda i: setattr(ex.controls["angle"], "value", 5.0 * (i % 9))),
        ("drawing pad: pen released, both networks", lambda i: pad.update()),
    ):
        med, p90 = time_updates(step)
        print(f"{label:48} {med:10.2f} {p90:8.2f}")


if __name__ == "__main__":
    main()

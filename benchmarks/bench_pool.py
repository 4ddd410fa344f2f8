"""Benchmark: helpers.pool (numpy) against torch's CPU pooling, and the pooling widgets' update time.

    python benchmarks/bench_pool.py

Prints the median time of our vectorised pooling and of torch on typical
shapes (timed in alternating blocks, as bench_conv does, so that both see the
same machine load), the loop versions on a small shape, and the kernel-side
cost of one update of the pooling and illumination explorers (Agg backend,
the figure drawn each time). A benchmark, not a test: nothing here fails on time.
"""

from __future__ import annotations

import platform

import matplotlib

matplotlib.use("Agg")

import numpy as np
import torch
import torch.nn.functional as F
from timing import time_updates  # benchmarks/timing.py

from helpers.checks import time_calls
from helpers.pool import avg_pool2d, avg_pool2d_naive, max_pool2d, max_pool2d_naive

# (label, kind, shape, kwargs)
SHAPES = [
    ("max 2x2/2, LeNet-sized batch", "max", (64, 6, 28, 28), dict(kernel_size=2)),
    ("max 3x3/2 pad 1 (ResNet stem)", "max", (8, 64, 56, 56), dict(kernel_size=3, stride=2, padding=1)),
    ("max 3x3/2 ceil_mode", "max", (8, 32, 31, 31), dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("avg 2x2/2", "avg", (64, 16, 10, 10), dict(kernel_size=2)),
    ("avg 3x3/1 pad 1, not counted", "avg", (8, 32, 32, 32),
     dict(kernel_size=3, stride=1, padding=1, count_include_pad=False)),
]
NAIVE_SHAPE = ((1, 4, 16, 16), dict(kernel_size=3, stride=2, padding=1))


def side_by_side(fn_a, fn_b, rounds: int = 5, n: int = 20) -> tuple[float, float]:
    """Median ms of two functions, sampled in alternating rounds so that both see the same machine load."""
    a, b = [], []
    for _ in range(rounds):
        a += list(1e3 * time_calls(fn_a, n, warmup=3))
        b += list(1e3 * time_calls(fn_b, n, warmup=3))
    return float(np.median(a)), float(np.median(b))


def ours_and_torch(kind, x, kw):
    xt = torch.from_numpy(x)
    if kind == "avg":
        return (lambda: avg_pool2d(x, **kw)), (lambda: F.avg_pool2d(xt, **kw))
    return (lambda: max_pool2d(x, **kw)), (lambda: F.max_pool2d(xt, **kw))


def main() -> None:
    from helpers.figures.normalization import IlluminationExplorer
    from helpers.figures.pooling import PoolingExplorer

    rng = np.random.default_rng(0)
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}, float32")
    header = f"{'pooling':34} {'shape':18} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for label, kind, shape, kw in SHAPES:
        x = rng.standard_normal(shape).astype(np.float32)
        ours, ref = side_by_side(*ours_and_torch(kind, x, kw))
        print(f"{label:34} {str(shape):18} {ours:9.3f} {ref:9.3f} {ours / ref:6.2f}")

    shape, kw = NAIVE_SHAPE
    x = rng.standard_normal(shape).astype(np.float32)
    print(f"\nloops vs vectorised vs torch, {shape}, {kw}:")
    for name, naive, fast, ref in [("max", max_pool2d_naive, max_pool2d, F.max_pool2d),
                                   ("avg", avg_pool2d_naive, avg_pool2d, F.avg_pool2d)]:
        t_naive = 1e3 * float(np.median(time_calls(lambda: naive(x, **kw), 5, warmup=1)))
        t_fast, t_ref = side_by_side(lambda: fast(x, **kw), lambda: ref(torch.from_numpy(x), **kw))
        print(f"  {name}: loops {t_naive:8.2f} ms   vectorised {t_fast:6.3f} ms   torch {t_ref:6.3f} ms")

    print(f"\n{'widget update (kernel side, figure drawn)':48} {'median ms':>10} {'p90 ms':>8}")
    ex = PoolingExplorer()
    ex.fig.canvas.draw()
    ex.set(kernel_size=2, stride=1)
    steps = {
        "pooling explorer: drag output row": lambda i: setattr(ex.row, "value", i % 6),
        "pooling explorer: drag kernel size": lambda i: setattr(ex.kernel, "value", 1 + i % 4),
        "pooling explorer: drag stride": lambda i: setattr(ex.stride, "value", 1 + i % 4),
        "pooling explorer: click kind (input redrawn)": lambda i: setattr(ex.kind, "value", ("max", "avg", "sum")[i % 3]),
    }
    ie = IlluminationExplorer()
    ie.fig.canvas.draw()
    steps["illumination explorer: drag brightness"] = lambda i: setattr(ie.gain, "value", 0.2 + 0.05 * (i % 30))
    for label, step in steps.items():
        med, p90 = time_updates(step, n=43, warmup=3)
        print(f"{label:48} {med:10.2f} {p90:8.2f}")


if __name__ == "__main__":
    main()

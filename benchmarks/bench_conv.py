"""Benchmark: helpers.conv.conv2d (numpy) against torch's CPU conv2d, side by side.

    python benchmarks/bench_conv.py            # or: make bench

Prints the median time of each implementation on typical teaching shapes
(timed in alternating blocks, so that both see the same machine load) and the
median ratio numpy / torch over the rounds. A benchmark, not a test: nothing here fails on time.

The float32 matrix product (GEMM) is the core of any im2col convolution: the
"gemm" columns time the classic one, one product per image and group on
ready-made contiguous columns (the exact multiply-adds), its share of conv2d's
time, and gemm / torch. (conv2d's own products are narrower, a few hundred
columns each, and can beat it: see helpers.im2col.) ``--threads N`` sets torch's threads and numpy's
BLAS threads alike (default 1: on a small shared machine, extra threads on one
side mostly measure the other programs).
The loop version (conv2d_naive) is timed on a small shape only; it is there to
be read, not run at scale.
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
import torch
import torch.nn.functional as F

from helpers.checks import time_calls
from helpers.conv import conv2d, conv2d_naive

# (label, N, C_in, H, W, C_out, k, kwargs)
SHAPES = [
    ("typical 3x3, pad 1", 8, 16, 32, 32, 32, 3, dict(padding=1)),
    ("stride 2, dilation 2", 8, 16, 32, 32, 32, 3, dict(stride=2, dilation=2, padding=2)),
    ("depthwise (groups=32)", 8, 32, 16, 16, 32, 3, dict(padding=1, groups=32)),
    ("LeNet-5 C1, batch 64", 64, 1, 32, 32, 6, 5, {}),
    ("LeNet-5 C3 (full), batch 64", 64, 6, 14, 14, 16, 5, {}),
    ("photo 300x256, reflect pad", 1, 1, 300, 256, 1, 3, dict(padding=1, padding_mode="reflect")),
]
NAIVE_SHAPE = ("small, for the loops", 1, 3, 12, 12, 4, 3, dict(padding=1))


def median_ms(fn, min_time: float = 0.3, min_runs: int = 5) -> float:
    return 1e3 * float(np.median(time_calls(fn, min_runs, warmup=1, min_time=min_time)))


def paired_ms(fn_a, fn_b, rounds: int = 9, block_time: float = 0.15, skip: int = 3):
    """Time two functions in alternating blocks: median ms of each, median ratio a / b, its range.

    Blocks, not single calls: torch's OpenMP threads and numpy's OpenBLAS
    threads spin for a while after each call, and on a 2-core machine the
    other library's threads then compete with them; the first ``skip`` calls
    of a block are dropped. Each round gives one ratio, so a slow spell of a
    shared machine hits both sides of that ratio; the median over rounds is
    reported.
    """
    ta, tb, ratios = [], [], []
    for _ in range(rounds):
        medians = []
        for fn, times in ((fn_a, ta), (fn_b, tb)):
            block = time_calls(fn, 5, warmup=skip, min_time=block_time)
            times += list(block)
            medians.append(np.median(block))
        ratios.append(medians[0] / medians[1])
    return 1e3 * float(np.median(ta)), 1e3 * float(np.median(tb)), float(np.median(ratios)), (min(ratios), max(ratios))


def torch_fn(x, w, kw):
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)
    mode = kw.get("padding_mode", "zeros")
    args = {k: v for k, v in kw.items() if k != "padding_mode"}
    if mode != "zeros":
        p = args.pop("padding", 0)
        return lambda: F.conv2d(F.pad(xt, (p, p, p, p), mode=mode), wt, **args)
    return lambda: F.conv2d(xt, wt, **args)


def gemm_fn(N, C, Co, k, out_hw, groups, rng):
    """The product alone: conv2d's multiply-adds as a float32 matmul on contiguous, ready-made columns."""
    L = out_hw[0] * out_hw[1]
    kernels = rng.standard_normal((groups, Co // groups, C // groups * k * k)).astype(np.float32)
    cols = rng.standard_normal((N, groups, C // groups * k * k, L)).astype(np.float32)
    return lambda: np.matmul(kernels, cols)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--threads", type=int, default=1, help="torch threads and numpy BLAS threads (default 1)")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(args.threads)
    settle_allocator()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        run()


def settle_allocator() -> None:
    """Free one large array first, so that the C allocator keeps later buffers instead of returning them.

    glibc hands big blocks back to the system when they are freed, until it has seen a large block
    come and go; every fresh page then costs a page fault (microseconds on some machines), and which
    side of a comparison pays depends on the order of earlier allocations. After this, neither does.
    """
    np.ones(1 << 22, dtype=np.float32)  # 16 MB, allocated and freed at once


def run() -> None:
    rng = np.random.default_rng(0)
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}, float32")
    header = (f"{'shape':30} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6} {'range over rounds':>17}"
              f" {'gemm ms':>8} {'gemm share':>10} {'gemm/torch':>10}")
    print(header)
    print("-" * len(header))
    ratios = []
    for label, N, C, H, W, Co, k, kw in SHAPES:
        x = rng.standard_normal((N, C, H, W)).astype(np.float32)
        w = rng.standard_normal((Co, C // kw.get("groups", 1), k, k)).astype(np.float32)
        out_hw = conv2d(x[:1], w, **kw).shape[-2:]
        ours, ref, ratio, (lo, hi) = paired_ms(lambda: conv2d(x, w, **kw), torch_fn(x, w, kw))
        gemm = median_ms(gemm_fn(N, C, Co, k, out_hw, kw.get("groups", 1), rng), min_time=0.2)
        ratios.append(ratio)
        print(f"{label:30} {ours:9.3f} {ref:9.3f} {ratio:6.2f} {lo:8.2f} - {hi:6.2f}"
              f" {gemm:8.3f} {gemm / ours:10.0%} {gemm / ref:10.2f}")
    print(f"median ratio numpy / torch over the shapes: {np.median(ratios):.2f}, worst {max(ratios):.2f}  (goal: 2x)")

    label, N, C, H, W, Co, k, kw = NAIVE_SHAPE
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = rng.standard_normal((Co, C, k, k)).astype(np.float32)
    naive = median_ms(lambda: conv2d_naive(x, w, **kw), min_runs=3)
    ours = median_ms(lambda: conv2d(x, w, **kw))
    ref = median_ms(torch_fn(x, w, kw))
    print(f"\nloops vs vectorised vs torch, {label} {(N, C, H, W)} -> {Co} maps, {k}x{k}:")
    print(f"  conv2d_naive {naive:9.3f} ms   conv2d {ours:7.3f} ms   torch {ref:7.3f} ms"
          f"   (naive / torch = {naive / ref:.0f}x)")


if __name__ == "__main__":
    main()

"""The grader's hidden cases: other shapes and values than the notebooks show.

Instructor only: the student edition (``python -m helpers.nbclean --student``) leaves this file
out, and the checkers work without it. A check uses these cases, and random cases drawn with a
secret seed, only when a hidden seed is set (:func:`helpers.exercises.framework.hidden_seed`).
Keys are ``"<module>.<checker>"``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.framework import Case


def _subsample_case(seed: int) -> Case:
    from helpers.exercises.lenet5 import _subsample_case as draw

    return draw(np.random.default_rng(seed), label="hidden")


def _attention_case(seed: int, **size) -> Case:
    from helpers.exercises.architectures import _attention_case as draw

    return draw(np.random.default_rng(seed), label="hidden", **size)


def _c3(transform) -> np.ndarray:
    from helpers.models.lenet import c3_table

    return transform(c3_table()).copy()


def _shift_ops() -> dict:
    """Operations that notebook 01's exercise 5 does not show: three commute with every shift, six do not."""
    import torch
    import torch.nn.functional as F

    from helpers.exercises.motivation import ShiftOp, conv_keep_size, keep_every

    w = torch.as_tensor(np.random.default_rng(11).standard_normal((3, 3)))
    pairs = [
        ("max of each 3x3 window", lambda x: F.max_pool2d(x[None, None], 3, 1, 1)[0, 0]),
        ("a 3x3 kernel with dilation 3", lambda x: conv_keep_size(x, w, dilation=3)),
        ("conv, ReLU, conv", lambda x: conv_keep_size(torch.relu(conv_keep_size(x, w)), w.T)),
        ("subtract the top-left pixel", lambda x: x - x[0, 0]),
        ("multiply by a fixed random pattern",
         lambda x: x * torch.as_tensor(np.random.default_rng(3).standard_normal(tuple(x.shape)))),
        ("keep every 3rd pixel, repeat it 3x3", lambda x: keep_every(x, 3)),
        ("add the row number", lambda x: x + torch.arange(x.shape[0], dtype=x.dtype)[:, None]),
        ("rotate by 180 degrees", lambda x: x.flip(0, 1)),
    ]
    return {name: ShiftOp(name, fn) for name, fn in pairs}


def _commutes_cases() -> list[Case]:
    import torch

    ops, rng = _shift_ops(), np.random.default_rng(12)
    table = [("max of each 3x3 window", 3, -1, 4), ("a 3x3 kernel with dilation 3", 1, 1, 4),
             ("a 3x3 kernel with dilation 3", 1, 1, 2), ("subtract the top-left pixel", 0, 2, 5),
             ("keep every 3rd pixel, repeat it 3x3", 0, 3, 3), ("keep every 3rd pixel, repeat it 3x3", 2, 0, 4),
             ("add the row number", 0, -3, 3), ("rotate by 180 degrees", 2, 2, 5)]
    return [Case((ops[n], torch.as_tensor(rng.standard_normal((19, 22))), dy, dx, m), label=f"{n}, shift ({dy}, {dx})")
            for n, dy, dx, m in table]


_rng = np.random.default_rng(20261203)

CASES = {
    "course_map.check_input_sizes": lambda: [
        Case((55, 11, 4, 0), label="AlexNet conv1 gives 55 outputs"), Case((1, 7, 3, 3)), Case((100, 1, 7, 0))],
    "motivation.check_receptive_field": lambda: [
        Case(([11, 3, 5, 3], [4, 2, 1, 2], [1, 1, 1, 1]), label="AlexNet's start"),
        Case(([3] * 6, [1] * 6, [1, 2, 4, 8, 16, 32]), label="doubling dilations")],
    "motivation.check_parameter_counts": lambda: [Case((14, 6, 16, 5), label="LeNet-5 C3, full"), Case((20, 4, 3, 7))],
    "motivation.check_input_window": lambda: [
        Case(([7, 3, 3], [2, 2, 1], [3, 1, 1], 4), label="a ResNet-like stem"), Case(([2, 2, 2], [2, 2, 2], [0, 0, 0], 7))],
    "motivation.check_shift_commutes": _commutes_cases,
    "motivation.check_equivariant_ops": lambda: [
        Case((_shift_ops(),), label="operations the notebook does not show"),
        Case(({k: v for k, v in list(_shift_ops().items())[::-2]},), label="some of them, in another order")],
    "convolution.check_convolve1d": lambda: [
        Case((np.arange(1.0, 30.0), np.array([0.5, -2.0, 0.0, 1.0, 3.0, -1.0, 0.25])), label="long signal, seven taps")],
    "convolution.check_grouped_conv2d": lambda: [
        Case((_rng.standard_normal((1, 8, 6, 6)), _rng.standard_normal((4, 2, 3, 3)), 4), label="four groups, one output each")],
    "convolution.check_multichannel_conv2d": lambda: [
        Case(tuple(np.random.default_rng(11).standard_normal(shape) for shape in ((5, 9, 7), (3, 5, 4, 2), (3,))),
             label="five inputs, a 4x2 kernel")],
    "convolution.check_fewest_groups": lambda: [
        Case((96, 256, 5, 307_456), label="AlexNet conv2: the two-group count exactly"), Case((48, 36, 7, 10_000))],
    "stride_padding.check_mirror_pad": lambda: [Case((np.arange(40.0).reshape(5, 8) % 7, 4), label="5x8, p = 4")],
    "stride_padding.check_same_padding": lambda: [Case((11, 6)), Case((9, 2))],
    "stride_padding.check_largest_dilation": lambda: [Case((224, 3, 1), label="an ImageNet-sized input"), Case((6, 7, 1))],
    "stride_padding.check_partial_ratio": lambda: [
        Case((7, 2, 3, 2), label="an image narrower than the kernel, padded"), Case((6, 9, 7, 3))],
    "pooling.check_max_pool_backward": lambda: [
        Case((np.array([[1.0, -2.0, 3.0]]), np.array([[2.0, 2.0, 5.0, 1.0, 0.0, 0.0], [2.0, 2.0, 5.0, 5.0, 0.0, 0.0]]), 2),
             label="ties in every window")],
    "pooling.check_avg_pool": lambda: [
        Case((np.arange(35.0).reshape(5, 7) % 4, 4, 3, 2, False), label="4x4 window, padding 2"),
        Case((np.ones((2, 9)), 3, 1, 1, True))],
    "pooling.check_pool_output_size": lambda: [
        Case((13, 3, 3, 1, True)), Case((10, 4, 3, 2, True)), Case((2, 3, 5, 1, True))],
    "normalization.check_lcn": lambda: [
        Case((np.outer(np.linspace(0, 1, 15), np.ones(13)) ** 2,), label="a smooth ramp")],
    "normalization.check_running_stats": lambda: [
        Case(([np.random.default_rng(5).normal(-1, 2, (3, 2, 4, 1)) for _ in range(5)], 0.9),
             label="five batches, momentum 0.9")],
    "normalization.check_group_norm": lambda: [
        Case((np.random.default_rng(6).normal(3, 2, (2, 6, 2, 5)), 3), label="non-square maps")],
    "modern_convolutions.check_stack_vs_single": lambda: [
        Case((10, 512, 512), label="ten 3x3 layers against one 21x21"), Case((13, 3, 96), label="an RGB input, deep")],
    "modern_convolutions.check_separable_cost": lambda: [
        Case((3, 32, 9, 224, 2), label="an RGB input, 9x9 kernels"), Case((50, 70, 11, 33, 4), label="stride 4")],
    "lenet5.check_connections": lambda: [Case((_c3(lambda t: t.T), 3, 7), label="C3's table transposed")],
    "lenet5.check_subsampling": lambda: [_subsample_case(77)],
    "architectures.check_residual_block": lambda: [
        Case((5, 5, 2), label="stride 2, same channels: the shortcut must project"), Case((2, 7, 1))],
    "architectures.check_channel_attention": lambda: [_attention_case(78, h=9, w=3)],
    "architectures.check_inception_parameters": lambda: [
        Case((528, 256, 160, 320, 32, 128, 128, True), label="inception 4e"),
        Case((480, 192, 96, 208, 16, 48, 64, False), label="inception 4a without reductions")],
    "architectures.check_dense_block_parameters": lambda: [
        Case((512, 24, 32, 4), label="DenseNet-121's third block"), Case((7, 3, 48, 2))],
}

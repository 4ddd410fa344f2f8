"""Notebook 03's static figures state torch's numbers; the explorer's names are importable from here."""

import matplotlib
import numpy as np
import pytest
import torch

from helpers.figures import conv_explorer, stride_padding
from helpers.figures.stride_padding import plot_conv_arithmetic, plot_dilated_kernel


def test_the_names_notebook_03_imports_are_the_explorer_s():
    for name in ("ConvExplorer", "explore", "explorer_input"):
        assert getattr(stride_padding, name) is getattr(conv_explorer, name)


@pytest.mark.parametrize("n, k, s, p", [(5, 3, 1, 0), (5, 4, 1, 2), (5, 3, 1, 1), (5, 3, 2, 1), (4, 3, 1, 2)])
def test_arithmetic_figure_states_torch_output_size(n, k, s, p):
    ax = plot_conv_arithmetic(n, k, s, p)
    o = torch.nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, n, n)).shape[-1]
    assert ax.get_title().endswith(f"→ o={o}")
    matplotlib.pyplot.close(ax.figure)


def test_dilated_kernel_figure_spans_k_plus_gaps():
    axes = plot_dilated_kernel(3, (1, 2, 3))
    for ax, d in zip(axes, (1, 2, 3)):
        grid = ax.get_images()[0].get_array()
        rows = np.nonzero(grid.any(axis=1))[0]
        assert rows.max() - rows.min() + 1 == 3 + 2 * (d - 1)
        assert grid.sum() == 9
    matplotlib.pyplot.close(axes[0].figure)

"""The cube figure of notebook 05: the entries it shades are the ones torch's norms really share statistics over."""



import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.figures.normalization import NORM_KINDS, norm_axes_mask, plot_norm_axes

N, C, HW, G = 3, 4, 5, 2
TORCH = {
    "batch norm": lambda x: F.batch_norm(x, None, None, training=True),
    "layer norm": lambda x: F.layer_norm(x, x.shape[1:]),
    "instance norm": lambda x: F.instance_norm(x),
    "group norm": lambda x: F.group_norm(x, G),
}


@pytest.mark.parametrize("kind", NORM_KINDS)
def test_mask_is_what_torch_couples(kind):
    # oracle: the inputs that output [0, 0, 0] depends on (its gradient) are exactly its normalization set
    x = torch.randn(N, C, HW, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    TORCH[kind](x)[0, 0, 0, 0].backward()
    coupled = x.grad[..., 0].abs().numpy() > 1e-12
    assert np.array_equal(coupled, norm_axes_mask(kind, N, C, HW, G))


def test_bad_arguments_and_figure():
    with pytest.raises(ValueError, match="groups=4 is not allowed"):
        norm_axes_mask("group norm", c=6, groups=4)
    with pytest.raises(ValueError, match="kind="):
        norm_axes_mask("weight norm")
    fig = plot_norm_axes()
    assert [ax.get_title() for ax in fig.axes] == ["batch norm", "layer norm", "instance norm", "group norm (2 groups)"]
    plt.close(fig)

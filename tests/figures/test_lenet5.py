"""Notebook 06's static figures: labelled, drawn from the model's own shapes."""

import matplotlib.pyplot as plt
import pytest
import torch

from helpers import train
from helpers.figures import digit_widgets
from helpers.figures import lenet5 as wl
from helpers.models.lenet import LeNet5


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_names_notebook_06_imports_are_the_real_ones():
    assert wl.explore_digit is train.explore_digit
    assert wl.DigitExplorer is digit_widgets.DigitExplorer and wl.DrawDigit is digit_widgets.DrawDigit


def test_plots_are_labelled(lenet_nets, lenet_digits):
    x, y = lenet_digits
    results = [train.robustness_sweep(lenet_nets, x[:20], y[:20], k, v)
               for k, v in (("shift", [0, 2]), ("rotate", [0, 30]))]
    fig = wl.plot_robustness(results, title="t")
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel() == "test accuracy" and ax.get_title()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [*lenet_nets, "chance (10%)"]
    fm = wl.plot_feature_maps(lenet_nets["LeNet-5"], x[0, 0])
    titles = [sf.get_suptitle() for sf in fm.subfigs if sf.get_suptitle()]
    assert titles == ["C1: 6 maps 28x28", "C3: 16 maps 10x10"]
    assert len(wl.plot_c1_kernels(lenet_nets["LeNet-5"]).axes) == 6 + 1  # six kernels and a colour bar
    assert len(wl.plot_prototypes().axes) == 10
    with pytest.raises(ValueError):
        wl.plot_robustness([])


# ---------------------------------------------------------------- architecture diagram
def test_architecture_labels_are_the_models_shapes():
    """The diagram's labels equal the shapes of each layer's output, found by an independent forward walk."""
    net = LeNet5().eval()
    x = torch.zeros(1, 1, 32, 32)
    expected = [("input", "1@32×32")]
    with torch.no_grad():
        from helpers.models.lenet import normalize_input

        h = normalize_input(x)
        for name in ("C1", "S2", "C3", "S4", "C5"):
            h = getattr(net, name)(h)
            expected.append((name, f"{h.shape[1]}@{h.shape[2]}×{h.shape[3]}"))
        h = net.F6(h.flatten(1))
        expected.append(("F6", str(h.shape[1])))
        expected.append(("output", str(net.output(h).shape[1])))
    assert wl.architecture_labels(net) == expected
    # the paper's sizes (Fig. 2), as a second oracle
    assert [label for _, label in expected] == ["1@32×32", "6@28×28", "6@14×14", "16@10×10", "16@5×5",
                                                "120@1×1", "84", "10"]


def test_architecture_figure_shows_every_label():
    fig = wl.plot_architecture()
    texts = {t.get_text() for t in fig.axes[0].texts}
    for name, label in wl.architecture_labels():
        assert name in texts and label in texts
    plt.close(fig)

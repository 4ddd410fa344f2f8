"""The figures of notebook 08 and the architecture browser, without a browser."""



import matplotlib.pyplot as plt
import numpy as np
import pytest
from torch import nn

from helpers.degradation import DegradationResult
from helpers.figures.architectures import (
    ArchitectureBrowser,
    plot_attention_map,
    plot_blocks,
    plot_channel_weights,
    plot_gradient_norms,
    plot_loss_curves,
    plot_profile,
    profile_data,
)
from helpers.summary import summary


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_profile_data_follows_the_rows():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 2))
    d = profile_data(summary(model, (1, 8, 8)))
    assert np.allclose(d["side"][:2], [6, 3]) and np.isnan(d["side"][2:]).all()
    assert d["channels"].tolist() == [4, 4, 36, 2]
    assert d["parameters"].tolist() == [40, 0, 0, 74]
    assert d["field"][:2].tolist() == [3, 4] and np.isnan(d["field"][2:]).all()


def test_static_figures_draw():
    rows = summary("resnet18")
    ax = plot_blocks(rows)
    assert len(ax.patches) == len(rows)
    fig = plot_profile(rows, 224, "resnet18")
    assert len(fig.axes) == 4
    result = DegradationResult((8,), 20, {("plain", 8): np.linspace(2, 1, 20), ("residual", 8): np.linspace(2, 0.5, 20)})
    assert len(plot_loss_curves(result, smooth=5).lines) == 2
    assert len(plot_gradient_norms({"plain": np.ones(5), "residual": np.ones(5) * 2}).lines) == 2
    assert len(plot_channel_weights({"0": np.full(8, 0.3), "1": np.full(8, 0.6)}).patches) == 16
    plot_attention_map(np.zeros((32, 32)), np.full(64, 1 / 64), (3, 4))


def test_browser_switches_network_and_reports_what_it_shows():
    b = ArchitectureBrowser("resnet18")
    assert len(b.rows) == 15 and "11,689,512" in b.about.value
    b.network.value = "googlenet"
    assert "6,624,904" in b.about.value and b.message == ""
    assert b.fig.get_suptitle().startswith("googlenet")
    fields = profile_data(b.rows)["field"]
    finite = fields[~np.isnan(fields)]
    assert (np.diff(finite) >= 0).all() and finite[-1] == 379


def test_browser_shows_a_message_for_an_impossible_input():
    b = ArchitectureBrowser("alexnet")
    b.size.value = 32
    assert "cannot run on a 32×32 input" in b.message and b.rows == []
    assert not any(ax.get_visible() for ax in b.axes)
    b.size.value = 224
    assert b.message == "" and len(b.rows) == 22 and all(ax.get_visible() for ax in b.axes)


def test_browser_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="name='lenet' is not allowed"):
        ArchitectureBrowser("lenet")

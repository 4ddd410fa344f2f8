"""The LeNet-5 digit widgets without a browser: every control value swept, mouse events, messages."""

from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers import data
from helpers.figures import digit_widgets as dw


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_montage_places_maps_with_gaps():
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    m = dw.montage(maps, cols=3)
    assert m.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert np.array_equal(m[0:2, 4:7], maps[1]) and np.array_equal(m[3:5, 4:7], maps[4])
    assert np.isnan(m[2]).all() and np.isnan(m[3:5, 8:]).all()  # gap row, empty tile
    with pytest.raises(ValueError, match="cols"):
        dw.montage(maps, cols=0)


def _slider_values(control):
    if hasattr(control, "options"):
        return list(control.options)
    step = control.step
    return list(np.round(np.arange(control.min, control.max + step / 2, step), 6))


@pytest.mark.parametrize("demo", list(dw.DEMOS))
def test_digit_explorer_sweeps_every_control(demo, lenet_nets, lenet_digits):
    x, y = lenet_digits
    ex = dw.DigitExplorer(lenet_nets["LeNet-5"], x, y, demo=demo, index=3)
    for name in dw.DEMOS[demo]:
        control = ex.controls[name]
        for value in _slider_values(control):
            control.value = value
            v = ex.view
            assert v.message == "", (name, value, v.message)
            assert ex.message == ""
            assert ex.fig.axes[0].get_title().startswith(f"label {int(y[3])} → {v.prediction}")
        control.value = control.min if hasattr(control, "min") else control.options[0]


def test_digit_explorer_shows_the_view(lenet_nets, lenet_digits):
    x, y = lenet_digits
    ex = dw.DigitExplorer(lenet_nets["modern"], x, y, demo="rotate")
    v = ex.set(index=7, angle=45.0)
    np.testing.assert_array_equal(ex.fig.axes[0].images[0].get_array(), v.image)
    assert v.message == "" and "p = " in ex.fig.axes[0].get_title()
    assert [b.get_height() for b in ex.fig.axes[-1].patches] == pytest.approx(list(v.probabilities))
    orange = [b.get_facecolor() for b in ex.fig.axes[-1].patches].index(matplotlib.colors.to_rgba("tab:orange"))
    assert orange == v.prediction


def test_digit_explorer_message_instead_of_traceback(lenet_nets, lenet_digits):
    ex = dw.DigitExplorer(lenet_nets["LeNet-5"], *lenet_digits, demo="all")
    v = ex.update(angle=float("nan"))
    assert v.message and "angle" in ex.message and not ex.fig.axes[0].images[0].get_visible()
    v = ex.update()
    assert v.message == "" and ex.fig.axes[0].images[0].get_visible() and ex.message == ""
    with pytest.raises(ValueError, match="not a control"):
        ex.set(zoom=2)


@pytest.mark.parametrize("kwargs, match", [({"demo": "blur"}, "demo"), ({"index": 10_000}, "index")])
def test_digit_explorer_rejects_bad_construction(kwargs, match, lenet_nets, lenet_digits):
    with pytest.raises(ValueError, match=match):
        dw.DigitExplorer(lenet_nets["LeNet-5"], *lenet_digits, **kwargs)
    with pytest.raises(ValueError, match="32x32"):
        dw.DigitExplorer(lenet_nets["LeNet-5"], np.zeros((3, 28, 28)), np.zeros(3))


def _mouse(ax, x, y):
    return SimpleNamespace(inaxes=ax, xdata=x, ydata=y)


def test_draw_digit_with_mouse_events(lenet_nets):
    dd = dw.DrawDigit(lenet_nets)
    assert dd.views == {} and dd.message == "draw a digit"
    dd.on_press(_mouse(dd.ax_in, 0.5, 0.5))  # outside the drawing area: ignored
    dd.on_release(_mouse(dd.ax_in, 0.5, 0.5))
    assert dd.strokes == [] and dd.views == {}
    dd.on_press(_mouse(dd.ax_draw, 0.5, 0.1))
    for t in np.linspace(0.1, 0.9, 9)[1:]:
        dd.on_move(_mouse(dd.ax_draw, 0.5, float(t)))
    dd.on_move(_mouse(None, None, None))  # leaving the axes while drawing: ignored
    dd.on_release(_mouse(dd.ax_draw, 0.5, 0.9))
    assert len(dd.strokes) == 1 and len(dd.strokes[0]) == 9
    expected = data.strokes_to_image([np.array(dd.strokes[0])])
    np.testing.assert_array_equal(dd.ax_in.images[0].get_array(), expected)  # what the input panel shows
    assert set(dd.views) == set(lenet_nets) == set(dd.score_axes)
    for name, net in lenet_nets.items():
        with torch.no_grad():
            out = net(torch.as_tensor(expected)[None, None])
        assert dd.views[name].prediction == int(net.predict(out)[0])
        assert dd.score_axes[name].get_title().startswith(f"{name}: {dd.views[name].prediction}")
    dd.on_move(_mouse(dd.ax_draw, 0.9, 0.9))  # moving without a pressed button draws nothing
    assert len(dd.strokes) == 1
    dd.clear()
    assert dd.strokes == [] and dd.views == {} and dd.message == "draw a digit"
    assert all(ax.get_title() == f"{name}: —" for name, ax in dd.score_axes.items())
    with pytest.raises(ValueError, match="nets"):
        dw.DrawDigit({})

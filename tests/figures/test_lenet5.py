"""The LeNet-5 demos' logic, without a browser: every control value swept, bad input shown as a message."""

from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers import data, deform, train
from helpers.data import load_digits
from helpers.figures import lenet5 as wl
from helpers.models.lenet import LeNet5, ModernLeNet


@pytest.fixture(scope="module")
def nets():
    torch.manual_seed(0)
    return {"LeNet-5": LeNet5().eval(), "modern": ModernLeNet().eval()}


@pytest.fixture(scope="module")
def digits():
    d = load_digits(source="offline", test_size=200, pad=2, seed=0)
    return d.x_test, d.y_test


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ perturb
def test_perturb_defaults_change_nothing(digits):
    x = digits[0][:5]
    assert torch.equal(deform.perturb(x), x)
    img = x[0, 0].numpy()
    assert np.array_equal(deform.perturb(img), img)


def test_perturb_matches_deform_and_keeps_type(digits):
    x = digits[0][:4]
    torch.testing.assert_close(deform.perturb(x, dx=3, dy=-2), deform.shift(x, -2, 3))
    torch.testing.assert_close(deform.perturb(x, angle=30.0), deform.rotate(x, 30.0).clamp(0, 1))
    noisy = deform.perturb(x[0, 0].numpy(), noise="gaussian", level=0.5, seed=1)
    assert isinstance(noisy, np.ndarray) and noisy.shape == (32, 32)
    assert noisy.min() >= 0 and noisy.max() <= 1  # clipped to pixel range
    sp = deform.perturb(x, noise="salt and pepper", level=0.3, seed=2)
    assert isinstance(sp, torch.Tensor) and sp.shape == x.shape
    changed = (sp != x).float().mean().item()
    assert 0.05 < changed < 0.3  # about the fraction asked (some hits land on equal values)
    assert torch.equal(deform.perturb(x, noise="gaussian", level=0.2, seed=5),
                       deform.perturb(x, noise="gaussian", level=0.2, seed=5))  # seeded


@pytest.mark.parametrize("kwargs, name", [
    ({"dx": 1.5}, "dx"), ({"dy": 40}, "dy"), ({"angle": float("nan")}, "angle"), ({"noise": "blur"}, "noise"),
    ({"noise": "salt and pepper", "level": 1.5}, "level"), ({"level": -0.1}, "level"), ({"alpha": 11.0}, "alpha"),
    ({"seed": -1}, "seed"), ({"angle": "30"}, "angle"),
])
def test_perturb_rejects_bad_values_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        deform.perturb(np.zeros((32, 32)), **kwargs)


# ------------------------------------------------------------------ explore_digit: the whole grid
def _grid(demo):
    """Every value each control of a demo can take (the widget's slider ranges)."""
    if demo == "shift":
        return [{"dx": dx, "dy": dy} for dx in range(-10, 11) for dy in range(-10, 11)]
    if demo == "rotate":
        return [{"angle": float(a)} for a in np.arange(-90, 91, 5)]
    if demo == "noise":
        return [{"noise": k, "level": float(v), "seed": s} for k in deform.NOISE_KINDS
                for v in np.round(np.arange(0, 1.001, 0.05), 2) for s in (0, 7)]
    return [{"alpha": float(a), "seed": s} for a in np.arange(0, 4.001, 0.25) for s in range(0, 21)]


@pytest.mark.parametrize("demo", ["shift", "rotate", "noise", "distort"])
def test_explore_digit_sweeps_every_control_value(demo, nets, digits):
    image = digits[0][3, 0].numpy()
    net = nets["LeNet-5"]
    grid = _grid(demo)
    batch, views = [], []
    for params in grid:
        v = wl.explore_digit(net, image, **params)
        assert v.message == "", (params, v.message)
        assert v.image.shape == (32, 32) and v.c1.shape == (6, 28, 28) and v.c3.shape == (16, 10, 10)
        assert v.f6.shape == (84,) and v.scores.shape == (10,) and 0 <= v.prediction <= 9
        assert np.all(np.isfinite(v.scores)) and np.all(v.scores >= 0)
        batch.append(deform.perturb(image, **params))
        views.append(v)
    # oracle: the same perturbed digits through the network as one batch
    with torch.no_grad():
        out = net(torch.as_tensor(np.stack(batch))[:, None])
    assert [v.prediction for v in views] == out.argmin(1).tolist()
    np.testing.assert_allclose(np.stack([v.scores for v in views]), out.numpy(), rtol=1e-4, atol=1e-3)


def test_explore_digit_modern_net(nets, digits):
    v = wl.explore_digit(nets["modern"], digits[0][0, 0], dx=2)
    assert v.message == "" and abs(v.probabilities.sum() - 1) < 1e-5
    assert v.prediction == int(np.argmax(v.scores)) and v.c1.min() >= 0  # after ReLU


@pytest.mark.parametrize("bad", [{"angle": float("inf")}, {"dx": 32}, {"noise": "speckle"},
                                 {"noise": "salt and pepper", "level": 2.0}, {"alpha": -1.0}])
def test_explore_digit_never_raises(bad, nets, digits):
    v = wl.explore_digit(nets["LeNet-5"], digits[0][0, 0], **bad)
    assert v.message and v.image is None and v.prediction is None


def test_explore_digit_needs_32x32(nets):
    v = wl.explore_digit(nets["LeNet-5"], np.zeros((28, 28)))
    assert "32x32" in v.message


def test_explore_digit_restores_threads_and_mode(nets, digits):
    threads = torch.get_num_threads()
    net = nets["LeNet-5"].train()
    wl.explore_digit(net, digits[0][0, 0])
    assert net.training and torch.get_num_threads() == threads
    net.eval()


def test_class_probabilities(nets):
    y = torch.tensor([[0.5, 3.0] + [50.0] * 8])
    p = wl.class_probabilities(nets["LeNet-5"], y)[0]
    z = np.exp(-0.1) + np.exp(-0.5) + np.exp(-3.0) + 8 * np.exp(-50.0)
    assert abs(float(p[0]) - np.exp(-0.5) / z) < 1e-6 and float(p.sum()) < 1  # the rest is "rubbish"
    logits = torch.randn(3, 10)
    torch.testing.assert_close(wl.class_probabilities(nets["modern"], logits), torch.softmax(logits, 1))


def test_montage_places_maps_with_gaps():
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    m = wl.montage(maps, cols=3)
    assert m.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert np.array_equal(m[0:2, 4:7], maps[1]) and np.array_equal(m[3:5, 4:7], maps[4])
    assert np.isnan(m[2]).all() and np.isnan(m[3:5, 8:]).all()  # gap row, empty tile
    with pytest.raises(ValueError, match="cols"):
        wl.montage(maps, cols=0)


# ------------------------------------------------------------------ strokes -> image
VERTICAL = [np.array([[0.5, 0.1], [0.5, 0.9]])]


def _centre_of_mass(img):
    r, c = np.indices(img.shape)
    return (r * img).sum() / img.sum(), (c * img).sum() / img.sum()


def test_strokes_to_image_prepares_like_mnist():
    img = data.strokes_to_image(VERTICAL)
    assert img.shape == (32, 32) and img.dtype == np.float32 and 0 <= img.min() and img.max() <= 1
    rows = np.flatnonzero(img.max(axis=1) > 0)
    assert rows[-1] - rows[0] + 1 == 20  # the longest side fits MNIST's 20x20 box
    assert img[:2].sum() == 0 and img[-2:].sum() == 0 and img[:, :2].sum() == 0  # LeNet-5's padding
    cy, cx = _centre_of_mass(img)
    assert abs(cy - 15.5) <= 0.5 and abs(cx - 15.5) <= 0.5  # centre of mass at the centre
    assert np.any((img > 0) & (img < 1))  # anti-aliased grey levels


def test_strokes_to_image_ignores_where_and_how_big():
    """A digit drawn small in a corner or large in the middle gives (nearly) the same input."""
    seven = np.array([[0.2, 0.2], [0.8, 0.2], [0.4, 0.9]])
    small = seven * 0.4 + 0.05
    a, b = data.strokes_to_image([seven]), data.strokes_to_image([small], width=0.09 * 0.4)
    assert np.abs(a - b).mean() < 0.05


def test_strokes_to_image_edge_cases():
    assert not data.strokes_to_image([]).any()
    dot = data.strokes_to_image([np.array([[0.3, 0.3]])])
    assert dot.any()  # a click is a dot, centred
    assert data.strokes_to_image(VERTICAL, pad=0).shape == (28, 28)
    for bad, name in (([np.zeros((3, 3))], "stroke 0"), ([np.zeros((0, 2))], "stroke 0"),
                      ([[(np.nan, 0.5)]], "stroke 0"), (None, "strokes"), (VERTICAL, "width")):
        with pytest.raises(ValueError, match=name):
            data.strokes_to_image(bad, width=2.0 if name == "width" else 0.09)


# ------------------------------------------------------------------ robustness sweep
def test_robustness_sweep_matches_a_direct_evaluation(nets, digits):
    x, y = digits
    r = train.robustness_sweep(nets, x, y, "shift", [-4, 0, 3])
    for name, net in nets.items():
        with torch.no_grad():
            for i, s in enumerate([-4, 0, 3]):
                pred = net.predict(net(deform.shift(x, 0, s)))
                assert r.accuracy[name][i] == pytest.approx((pred == y).float().mean().item())
    assert r.n_digits == len(x) and "horizontal shift" in r.table()


@pytest.mark.parametrize("kind, values", [("shift y", [0, 2]), ("rotate", [0, 45]), ("gaussian", [0, 0.5]),
                                          ("salt and pepper", [0, 0.2])])
def test_robustness_sweep_every_kind(kind, values, nets, digits):
    x, y = digits
    r = train.robustness_sweep({"LeNet-5": nets["LeNet-5"]}, x[:50], y[:50], kind, values)
    with torch.no_grad():
        clean = (nets["LeNet-5"](x[:50]).argmin(1) == y[:50]).float().mean().item()
    assert r.accuracy["LeNet-5"][0] == pytest.approx(clean)  # value 0 changes nothing
    assert r.accuracy["LeNet-5"].shape == (2,)


@pytest.mark.parametrize("kwargs, match", [({"kind": "blur"}, "kind"), ({"values": []}, "values"),
                                           ({"values": [0.5]}, "whole pixels"), ({"models": {}}, "models")])
def test_robustness_sweep_rejects(kwargs, match, nets, digits):
    args = {"models": nets, "x": digits[0][:5], "y": digits[1][:5], "kind": "shift", "values": [0, 1]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        train.robustness_sweep(**args)


def test_plots_are_labelled(nets, digits):
    x, y = digits
    results = [train.robustness_sweep(nets, x[:20], y[:20], k, v) for k, v in (("shift", [0, 2]), ("rotate", [0, 30]))]
    fig = wl.plot_robustness(results, title="t")
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel() == "test accuracy" and ax.get_title()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [*nets, "chance (10%)"]
    fm = wl.plot_feature_maps(nets["LeNet-5"], x[0, 0])
    titles = [sf._suptitle.get_text() for sf in fm.subfigs if sf._suptitle is not None]
    assert titles == ["C1: 6 maps 28x28", "C3: 16 maps 10x10"]
    assert len(wl.plot_c1_kernels(nets["LeNet-5"]).axes) == 6 + 1  # six kernels and a colour bar
    assert len(wl.plot_prototypes().axes) == 10
    with pytest.raises(ValueError):
        wl.plot_robustness([])


# ------------------------------------------------------------------ the widgets
def _slider_values(control):
    if hasattr(control, "options"):
        return list(control.options)
    step = control.step
    return list(np.round(np.arange(control.min, control.max + step / 2, step), 6))


@pytest.mark.parametrize("demo", list(wl.DEMOS))
def test_digit_explorer_sweeps_every_control(demo, nets, digits):
    x, y = digits
    ex = wl.DigitExplorer(nets["LeNet-5"], x, y, demo=demo, index=3)
    for name in wl.DEMOS[demo]:
        control = ex.controls[name]
        for value in _slider_values(control):
            control.value = value
            v = ex.view
            assert v.message == "", (name, value, v.message)
            assert ex.message == ""
            assert ex.fig.axes[0].get_title().startswith(f"label {int(y[3])} → {v.prediction}")
        control.value = control.min if hasattr(control, "min") else control.options[0]


def test_digit_explorer_shows_the_view(nets, digits):
    x, y = digits
    ex = wl.DigitExplorer(nets["modern"], x, y, demo="rotate")
    v = ex.set(index=7, angle=45.0)
    np.testing.assert_array_equal(ex.fig.axes[0].images[0].get_array(), v.image)
    assert v.message == "" and "p = " in ex.fig.axes[0].get_title()
    assert [b.get_height() for b in ex.fig.axes[-1].patches] == pytest.approx(list(v.probabilities))
    orange = [b.get_facecolor() for b in ex.fig.axes[-1].patches].index(matplotlib.colors.to_rgba("tab:orange"))
    assert orange == v.prediction


def test_digit_explorer_message_instead_of_traceback(nets, digits):
    ex = wl.DigitExplorer(nets["LeNet-5"], *digits, demo="all")
    v = ex.update(angle=float("nan"))
    assert v.message and "angle" in ex.message and not ex.fig.axes[0].images[0].get_visible()
    v = ex.update()
    assert v.message == "" and ex.fig.axes[0].images[0].get_visible() and ex.message == ""
    with pytest.raises(ValueError, match="not a control"):
        ex.set(zoom=2)


@pytest.mark.parametrize("kwargs, match", [({"demo": "blur"}, "demo"), ({"index": 10_000}, "index")])
def test_digit_explorer_rejects_bad_construction(kwargs, match, nets, digits):
    with pytest.raises(ValueError, match=match):
        wl.DigitExplorer(nets["LeNet-5"], *digits, **kwargs)
    with pytest.raises(ValueError, match="32x32"):
        wl.DigitExplorer(nets["LeNet-5"], np.zeros((3, 28, 28)), np.zeros(3))


def _mouse(ax, x, y):
    return SimpleNamespace(inaxes=ax, xdata=x, ydata=y)


def test_draw_digit_with_mouse_events(nets):
    dd = wl.DrawDigit(nets)
    assert dd.views == {} and dd._message.get_text() == "draw a digit"
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
    np.testing.assert_array_equal(dd._in.get_array(), expected)
    assert set(dd.views) == set(nets)
    for name, net in nets.items():
        with torch.no_grad():
            out = net(torch.as_tensor(expected)[None, None])
        assert dd.views[name].prediction == int(net.predict(out)[0])
        assert dd._bars[name].ax.get_title().startswith(f"{name}: {dd.views[name].prediction}")
    dd.on_move(_mouse(dd.ax_draw, 0.9, 0.9))  # moving without a pressed button draws nothing
    assert len(dd.strokes) == 1
    dd.clear()
    assert dd.strokes == [] and dd.views == {} and dd._message.get_text() == "draw a digit"
    with pytest.raises(ValueError, match="nets"):
        wl.DrawDigit({})


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

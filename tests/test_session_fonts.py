"""setup_notebook's classroom options: Chinese in figures (with and without a CJK font), projector mode."""

import warnings

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import helpers
from helpers import session

REAL_CJK = session.cjk_font()  # None on a machine without a CJK font (the usual case in CI)


@pytest.fixture(autouse=True)
def restore_rcparams():
    with matplotlib.rc_context():
        yield
    helpers.setup_notebook(verbose=False, presentation=False)


def pretend_fonts(monkeypatch, names):
    """Make matplotlib's font list hold exactly DejaVu Sans plus ``names`` (files are DejaVu's)."""
    dejavu = [e for e in font_manager.fontManager.ttflist if e.name == "DejaVu Sans"]
    fake = [font_manager.FontEntry(fname=dejavu[0].fname, name=n) for n in names]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", dejavu + fake)


def draw_title(text):
    """Draw a figure with ``text`` as its title; return the warnings raised while drawing."""
    fig = Figure()
    FigureCanvasAgg(fig)
    fig.add_subplot().set_title(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught]


def test_without_a_cjk_font_figures_stay_english_and_nothing_warns(monkeypatch):
    pretend_fonts(monkeypatch, [])
    helpers.setup_notebook(verbose=False)
    assert not session.cjk_available() and session.cjk_font() is None
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
    label = session.zh("receptive field", "感受野")
    assert label == "receptive field"
    assert draw_title(label) == []


def test_drawing_chinese_without_a_cjk_font_would_warn(monkeypatch):
    """The oracle for the test above: the warning it avoids is real."""
    pretend_fonts(monkeypatch, [])
    helpers.setup_notebook(verbose=False)
    assert any("Glyph" in w and "missing" in w for w in draw_title("感受野"))


def test_with_a_cjk_font_it_is_the_fallback_after_dejavu(monkeypatch):
    pretend_fonts(monkeypatch, ["SimHei", "WenQuanYi Micro Hei"])
    helpers.setup_notebook(verbose=False)
    assert session.cjk_font() == "SimHei"  # the earlier of the two in CJK_FONTS
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", "SimHei"]
    assert matplotlib.rcParams["font.sans-serif"][:2] == ["DejaVu Sans", "SimHei"]
    assert session.zh("receptive field", "感受野") == "receptive field (感受野)"


def test_the_fallback_order_follows_the_list(monkeypatch):
    pretend_fonts(monkeypatch, ["Noto Sans CJK JP", "PingFang SC", "Noto Sans CJK SC"])
    assert session.cjk_font() == "Noto Sans CJK SC"
    pretend_fonts(monkeypatch, ["Noto Sans CJK JP", "Arial"])
    assert session.cjk_font() == "Noto Sans CJK JP"


@pytest.mark.skipif(REAL_CJK is None, reason="no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
def test_a_real_cjk_font_draws_chinese_without_missing_glyphs():
    helpers.setup_notebook(verbose=False)
    assert draw_title(session.zh("receptive field", "感受野")) == []
    assert session.zh("pooling", "池化") == "pooling (池化)"


def test_projector_mode_scales_fonts_lines_and_figures():
    helpers.setup_notebook(verbose=False, presentation=False)
    normal = {k: matplotlib.rcParams[k] for k in ("font.size", "lines.linewidth", "axes.linewidth", "figure.figsize")}
    assert normal["font.size"] == session.STYLE["font.size"]
    assert normal["lines.linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"]
    helpers.setup_notebook(verbose=False, presentation=True)
    scale = session.PRESENTATION_SCALE
    assert matplotlib.rcParams["font.size"] == pytest.approx(normal["font.size"] * scale["font"])
    assert matplotlib.rcParams["axes.titlesize"] == pytest.approx(session.STYLE["axes.titlesize"] * scale["font"])
    assert matplotlib.rcParams["lines.linewidth"] == pytest.approx(normal["lines.linewidth"] * scale["line"])
    assert matplotlib.rcParams["axes.linewidth"] == pytest.approx(normal["axes.linewidth"] * scale["line"])
    assert list(matplotlib.rcParams["figure.figsize"]) == pytest.approx(
        [v * scale["figure"] for v in normal["figure.figsize"]])
    # a title really is drawn larger: compare rendered text heights
    sizes = []
    for presentation in (False, True):
        helpers.setup_notebook(verbose=False, presentation=presentation)
        fig = Figure()
        FigureCanvasAgg(fig)
        title = fig.add_subplot().set_title("LeNet-5")
        fig.canvas.draw()
        sizes.append(title.get_window_extent().height)
    assert sizes[1] / sizes[0] == pytest.approx(scale["font"], rel=0.1)
    # and switching back undoes it
    helpers.setup_notebook(verbose=False, presentation=False)
    assert matplotlib.rcParams["lines.linewidth"] == normal["lines.linewidth"]
    assert matplotlib.rcParams["font.size"] == normal["font.size"]


@pytest.mark.parametrize("value, on", [("1", True), ("true", True), ("on", True), ("0", False), ("", False)])
def test_projector_mode_from_the_environment(monkeypatch, capsys, value, on):
    monkeypatch.setenv(session.PRESENTATION_ENV, value)
    helpers.setup_notebook()
    assert matplotlib.rcParams["font.size"] == pytest.approx(
        session.STYLE["font.size"] * (session.PRESENTATION_SCALE["font"] if on else 1))
    assert ("projector mode" in capsys.readouterr().out) == on
    helpers.setup_notebook(verbose=False, presentation=False)  # an explicit False wins over the variable
    assert matplotlib.rcParams["font.size"] == session.STYLE["font.size"]


def test_presentation_must_be_a_bool_or_none():
    with pytest.raises(ValueError, match="presentation='yes' is not allowed"):
        helpers.setup_notebook(verbose=False, presentation="yes")

"""scripts/slides_metadata.py: default RISE slide types on a synthetic notebook."""

import importlib.util
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.nbclean import clean

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("slides_metadata", ROOT / "scripts" / "slides_metadata.py")
slides = importlib.util.module_from_spec(spec)
spec.loader.exec_module(slides)


def synthetic():
    cells = [
        new_markdown_cell("# 02 Convolution"),
        new_code_cell("import helpers\n\ndevice = helpers.setup_notebook(seed=0)"),
        new_markdown_cell("\n## 1. Convolution (卷积)\nText."),
        new_code_cell("x = 1"),
        new_markdown_cell("### A detail"),
        new_markdown_cell("#### Not a heading level we split on"),
        new_code_cell("print('✓ equals torch')", metadata={"tags": ["nbval-check-output"]}),
        new_markdown_cell("Say this aloud.", metadata={"slideshow": {"slide_type": "notes"}}),
        new_code_cell("check()", metadata={"nbgrader": {"grade": True, "grade_id": "c1", "points": 1}}),
        new_markdown_cell("Appears later.", metadata={"slideshow": {"slide_type": "fragment"}}),
        new_markdown_cell("##No space: not a heading"),
    ]
    return new_notebook(cells=cells)


EXPECTED = ["slide", "skip", "slide", "-", "subslide", "-", "skip", "notes", "skip", "fragment", "-"]


def types(nb):
    return [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]


def test_defaults_on_a_synthetic_notebook():
    nb = synthetic()
    assert slides.apply_defaults(nb) == 9  # every cell but the hand-set notes and fragment
    assert types(nb) == EXPECTED
    assert slides.apply_defaults(nb) == 0  # idempotent
    # a wrong hand-set type on a heading or a check cell is corrected; one on a plain cell is kept
    nb.cells[2].metadata["slideshow"]["slide_type"] = "fragment"
    nb.cells[3].metadata["slideshow"]["slide_type"] = "fragment"
    nb.cells[6].metadata["slideshow"]["slide_type"] = "-"
    assert slides.apply_defaults(nb) == 2
    assert types(nb)[2:4] == ["slide", "fragment"] and types(nb)[6] == "skip"


def test_command_line_applies_and_checks(tmp_path, capsys):
    path = tmp_path / "02_x.ipynb"
    nbformat.write(synthetic(), path)
    assert slides.main(["--check", str(path)]) == 1
    assert types(nbformat.read(path, as_version=4)) == [None, None, None, None, None, None, None, "notes", None,
                                                        "fragment", None]  # --check writes nothing
    assert slides.main([str(path)]) == 0
    assert types(nbformat.read(path, as_version=4)) == EXPECTED
    assert slides.main(["--check", str(path)]) == 0
    assert "9 cell(s)" in capsys.readouterr().out


def test_the_notebook_cleaner_keeps_slide_types():
    nb = synthetic()
    slides.apply_defaults(nb)
    assert types(clean(nb)) == EXPECTED


def test_rise_settings_keep_other_keys():
    nb = synthetic()
    nb.metadata["rise"] = {"theme": "serif", "scroll": False}
    assert slides.apply_rise_settings(nb)
    assert nb.metadata["rise"] == {"theme": "serif", "scroll": True}
    assert not slides.apply_rise_settings(nb)  # idempotent
    assert clean(nb).metadata["rise"] == {"theme": "serif", "scroll": True}  # the cleaner keeps them


def test_command_line_sets_rise_settings_alone(tmp_path, capsys):
    path = tmp_path / "02_x.ipynb"
    nb = synthetic()
    slides.apply_defaults(nb)  # slide types already right: only metadata.rise is missing
    nbformat.write(nb, path)
    assert slides.main(["--check", str(path)]) == 1
    assert slides.main([str(path)]) == 0
    assert nbformat.read(path, as_version=4).metadata["rise"] == {"scroll": True}
    assert capsys.readouterr().out.splitlines()[-1] == f"{path}: metadata.rise updated"


def test_every_notebook_scrolls_its_tall_slides():
    """RISE gives a slide taller than the screen a scroll bar only with ``metadata.rise.scroll``."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert paths
    settings = {p.name: nbformat.read(p, as_version=4).metadata.get("rise", {}) for p in paths}
    missing = [name for name, rise in settings.items() if rise.get("scroll") is not True]
    assert missing == [], f"no metadata.rise.scroll: run scripts/slides_metadata.py on {missing}"

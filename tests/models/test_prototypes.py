"""The RBF prototypes: ±1 bitmaps of 7x12 that really show the ten digits.

Independent oracle for "shows digit d": each digit typeset in the fonts that ship with matplotlib,
shrunk to the same 7x12 grid; every bitmap must be more like its own digit than any other, both ways.
"""

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from helpers.models.prototypes import (
    BITMAPS,
    HEIGHT,
    PROTOTYPES,
    WIDTH,
    prototype_matrix,
    render,
)


def test_shape_values_and_layout():
    assert (HEIGHT, WIDTH) == (12, 7) and HEIGHT * WIDTH == 84  # one value per F6 unit
    assert PROTOTYPES.shape == (10, 12, 7) and PROTOTYPES.dtype == np.float32
    assert set(np.unique(PROTOTYPES)) == {-1.0, 1.0}
    assert np.array_equal(prototype_matrix().reshape(10, 12, 7), PROTOTYPES)
    assert not PROTOTYPES.flags.writeable
    m = prototype_matrix()
    m[:] = 0  # a copy
    assert set(np.unique(prototype_matrix())) == {-1.0, 1.0}


def test_render_round_trips_the_text():
    for d in range(10):
        assert render(d) == "\n".join(BITMAPS[d])
        grid = np.array([[c == "#" for c in row] for row in render(d).splitlines()])
        assert np.array_equal(grid, PROTOTYPES[d] > 0)
    with pytest.raises(ValueError, match="digit"):
        render(10)


def test_prototypes_are_far_apart():
    """Distinct targets: every pair differs in at least 6 of the 84 pixels (squared distance >= 24)."""
    flat = PROTOTYPES.reshape(10, -1)
    diff = (flat[:, None] != flat[None]).sum(-1)
    off_diagonal = diff[~np.eye(10, dtype=bool)]
    assert off_diagonal.min() >= 6
    assert np.all(((flat[:, None] - flat[None]) ** 2).sum(-1)[~np.eye(10, dtype=bool)] >= 24)


def _typeset(font_file: str) -> np.ndarray:
    """Digits 0-9 in a matplotlib font, cropped and averaged down to 10x7 inside a 12x7 grid."""
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / font_file
    font = ImageFont.truetype(str(path), 80)
    out = []
    for d in range(10):
        im = Image.new("L", (120, 120), 0)
        ImageDraw.Draw(im).text((20, 0), str(d), fill=255, font=font)
        a = np.asarray(im)
        rows, cols = np.flatnonzero(a.any(axis=1)), np.flatnonzero(a.any(axis=0))
        a = a[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
        small = np.asarray(Image.fromarray(a).resize((WIDTH, HEIGHT - 2), Image.BOX), dtype=float) / 255
        grid = np.zeros((HEIGHT, WIDTH))
        grid[1:-1] = small
        out.append(grid.ravel())
    return np.array(out)


@pytest.mark.parametrize("font_file", ["DejaVuSans.ttf", "DejaVuSansMono.ttf", "DejaVuSerif.ttf"])
def test_each_bitmap_looks_most_like_its_own_digit(font_file):
    typeset = _typeset(font_file)
    typeset -= typeset.mean(axis=0)  # what distinguishes each digit from the others
    ours = PROTOTYPES.reshape(10, -1).astype(float)
    ours -= ours.mean(axis=0)
    sim = (ours / np.linalg.norm(ours, axis=1, keepdims=True)) @ (typeset / np.linalg.norm(typeset, axis=1, keepdims=True)).T
    assert sim.argmax(axis=1).tolist() == list(range(10)), np.round(sim, 2)
    assert sim.argmax(axis=0).tolist() == list(range(10)), np.round(sim, 2)

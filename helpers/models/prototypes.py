"""The fixed targets of LeNet-5's output layer: one 7x12 bitmap of ±1 per digit.

LeCun et al. (1998), Section II.B: the ten output units are Euclidean RBF units whose parameter
vectors (84 numbers, one per F6 unit) are **fixed by hand**, not learned. They are drawn as
stylised 7x12 images of the characters, with -1 for background and +1 for ink, so that F6 learns
to "draw" the digit it sees. ±1 are the points of largest curvature of F6's squashing function
``1.7159 tanh(2a/3)``, so F6 can reach them without saturating.

The paper's Fig. 3 shows its bitmaps for the whole ASCII set; the ten below are ours, drawn in the
same style (one-pixel strokes on a 7-wide, 12-tall grid).

>>> PROTOTYPES.shape, PROTOTYPES.dtype, sorted(set(PROTOTYPES.ravel().tolist()))
((10, 12, 7), dtype('float32'), [-1.0, 1.0])
>>> render(1).splitlines()[:4]  # '#' ink, '.' background
['.......', '...#...', '..##...', '.#.#...']
"""

from __future__ import annotations

import numpy as np

from helpers.args import as_int, not_allowed

__all__ = ["BITMAPS", "PROTOTYPES", "HEIGHT", "WIDTH", "prototype_matrix", "render"]

HEIGHT, WIDTH = 12, 7

#: The ten digits as text: '#' is ink (+1), '.' is background (-1). 12 rows of 7 characters.
BITMAPS: dict[int, tuple[str, ...]] = {
    0: (".......", "..###..", ".#...#.", "#.....#", "#.....#", "#.....#",
        "#.....#", "#.....#", "#.....#", ".#...#.", "..###..", "......."),
    1: (".......", "...#...", "..##...", ".#.#...", "...#...", "...#...",
        "...#...", "...#...", "...#...", "...#...", ".#####.", "......."),
    2: (".......", "..###..", ".#...#.", "#.....#", "......#", ".....#.",
        "....#..", "...#...", "..#....", ".#.....", "#######", "......."),
    3: (".......", ".#####.", "#.....#", "......#", "......#", "..####.",
        "......#", "......#", "......#", "#.....#", ".#####.", "......."),
    4: (".......", "....##.", "...#.#.", "..#..#.", ".#...#.", "#....#.",
        "#######", ".....#.", ".....#.", ".....#.", ".....#.", "......."),
    5: (".......", "#######", "#......", "#......", "#......", "######.",
        "......#", "......#", "......#", "#.....#", ".#####.", "......."),
    6: (".......", "..####.", ".#.....", "#......", "#......", "######.",
        "#.....#", "#.....#", "#.....#", "#.....#", ".#####.", "......."),
    7: (".......", "#######", "......#", ".....#.", ".....#.", "....#..",
        "....#..", "...#...", "...#...", "..#....", "..#....", "......."),
    8: (".......", ".#####.", "#.....#", "#.....#", "#.....#", ".#####.",
        "#.....#", "#.....#", "#.....#", "#.....#", ".#####.", "......."),
    9: (".......", ".#####.", "#.....#", "#.....#", "#.....#", "#.....#",
        ".######", "......#", "......#", ".....#.", ".####..", "......."),
}


def _bitmap(rows: tuple[str, ...]) -> np.ndarray:
    if len(rows) != HEIGHT or any(len(r) != WIDTH or set(r) - {"#", "."} for r in rows):
        raise not_allowed("rows", rows, f"{HEIGHT} rows of {WIDTH} characters '#' or '.'")
    return np.array([[1.0 if c == "#" else -1.0 for c in r] for r in rows], dtype=np.float32)


#: ``(10, 12, 7)`` float32 array of ±1: ``PROTOTYPES[d]`` is digit ``d``'s bitmap.
PROTOTYPES = np.stack([_bitmap(BITMAPS[d]) for d in range(10)])
PROTOTYPES.flags.writeable = False


def prototype_matrix() -> np.ndarray:
    """The RBF parameter vectors as a ``(10, 84)`` float32 array (row ``d`` = digit ``d``, row-major)."""
    return PROTOTYPES.reshape(10, HEIGHT * WIDTH).copy()


def render(digit: int) -> str:
    """Digit ``digit``'s bitmap as text ('#' ink, '.' background)."""
    as_int("digit", digit, 0, 9)
    return "\n".join(BITMAPS[digit])

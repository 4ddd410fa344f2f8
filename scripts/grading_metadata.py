"""Set the points of each graded cell and add a hidden-test region to each check cell.

Run by the lead after merging (the notebooks are edited elsewhere in this round):

    python scripts/grading_metadata.py            # edit notebooks/*.ipynb in place
    python scripts/grading_metadata.py --check    # only list what would change

* Points reflect difficulty (``POINTS``, by nbgrader ``grade_id``; ids not listed keep theirs).
* Each autograded check cell gets, once, a hidden-test region that repeats its checks with a
  hidden seed, for courses that grade with plain nbgrader (``helpers.grade`` switches the hidden
  cases on by itself). The student edition and nbgrader's release remove the region.

Idempotent. Afterwards run ``python -m helpers.nbclean``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

POINTS = {
    # 00 course map
    "ex1-input-sizes-check": 2, "ex2-edge-kernel-check": 1, "ex3-why-no-flip": 1,
    # 01 motivation
    "ex1-receptive-field-check": 2, "ex2-parameter-counts-check": 2, "ex3-input-window-check": 3,
    "ex4-predict-field-check": 2, "ex5-shift-commutes-check": 2, "ex5-equivariant-ops-check": 3, "ex6-why-stride": 2,
    # 02 convolution
    "ex1-convolve1d-check": 2, "ex2-multichannel-check": 2, "ex3-grouped-check": 3, "ex4-fewest-groups-check": 2,
    "ex5-why-correlation": 1,
    # 03 stride and padding
    "ex1-mirror-pad-check": 2, "ex2-same-padding-check": 1, "ex2-largest-dilation-check": 1, "ex3-hand-size-check": 1,
    "ex3-hand-cell-check": 2, "ex4-predict-check": 1, "ex5-partial-ratio-check": 3, "ex6-which-padding": 2,
    # 04 pooling
    "ex1-max-pool-backward-check": 3, "ex2-avg-pool-check": 3, "ex3-pool-out-check": 2, "ex4-hinton": 2,
    # 05 normalization
    "ex1-lcn-check": 2, "ex2-running-stats-check": 2, "ex3-group-norm-check": 2, "ex4-batch-of-one": 2,
    # 06 LeNet-5
    "ex1-c3-variant-check": 2, "ex2-hand-counts-check": 2, "ex3-subsampling-check": 2, "ex4-connections-check": 2,
    "ex5-modern-lenet-check": 3, "ex6-no-subsampling-check": 3, "ex6b-shift-conclusion": 2, "ex7-why-partial-c3": 2,
    # 07 modern convolutions (exercise 5 is a design task graded in tiers: valid, cheap, fewest weights)
    "ex1-stack-fields-check": 1, "ex2-stack-vs-single-check": 2, "ex3-hybrid-dilations-check": 2,
    "ex4-separable-cost-check": 2, "ex5-design-field-check": 2, "ex5-design-cheap-check": 1,
    "ex5-design-fewest-check": 2, "ex6-large-kernels": 2,
    # 08 architectures
    "ex1-residual-block-check": 3, "ex2-channel-attention-check": 2, "ex3-inception-parameters-check": 2,
    "ex4-dense-block-parameters-check": 3, "ex5-why-shortcuts": 2,
}
HIDDEN_SEED = 5081  # any number: the instructor's copy only
_CALL = re.compile(r"^(check_\w+)\((.*)\)\s*$")


def hidden_region(source: str) -> str | None:
    calls = [m for m in (_CALL.match(line) for line in source.splitlines()) if m]
    if not calls or "### BEGIN HIDDEN TESTS" in source:
        return None
    lines = [f"{m.group(1)}({m.group(2)}, hidden_seed={HIDDEN_SEED})" for m in calls]
    return "\n".join(["### BEGIN HIDDEN TESTS", *lines, "### END HIDDEN TESTS"])


def update(nb) -> list[str]:
    changes = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if not meta.get("grade") or not gid:
            continue
        if gid in POINTS and meta.get("points") != POINTS[gid]:
            changes.append(f"{gid}: points {meta.get('points')} -> {POINTS[gid]}")
            meta["points"] = POINTS[gid]
        if cell.cell_type == "code":
            region = hidden_region(cell.source)
            if region:
                cell.source = cell.source.rstrip("\n") + "\n" + region
                changes.append(f"{gid}: hidden tests added")
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    for p in sorted(Path("notebooks").glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        changes = update(nb)
        for c in changes:
            print(f"{p.name}: {c}")
        if changes and not args.check:
            nbformat.write(nb, p)
    return 0


if __name__ == "__main__":
    sys.exit(main())

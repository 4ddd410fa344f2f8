#!/usr/bin/env bash
# Create .venv when it is missing and install the course into it (editable).
# Idempotent: a second run with an unchanged pyproject.toml installs nothing.
# `scripts/setup.sh --check` only says whether .venv is up to date (exit 0) or set-up would install (exit 1).
#
# Environment variables (all optional):
#   PYTHON           interpreter used to create the venv (default: python3)
#   TORCH_INDEX_URL  where to take torch from, e.g. PyTorch's CPU-only or CUDA wheel index
#   TORCH_SPEC       the torch requirement to install when torch is missing (default: torch==2.13.0)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed"
PY="${PYTHON:-python3}"

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: need Python >= 3.11 as \$PYTHON or python3 (found: $("$PY" --version 2>&1 || echo none))" >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV with $("$PY" --version)"
    "$PY" -m venv "$VENV"
fi

want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    echo "setup: $VENV is up to date"
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "setup: $VENV is not up to date (make setup would install)"
    exit 1
fi

pip=("$VENV/bin/python" -m pip install --disable-pip-version-check)

# torch first, so that the project's 'torch>=...' finds it satisfied and pulls nothing more.
if ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
    if [ -n "${TORCH_INDEX_URL:-}" ]; then
        "${pip[@]}" "${TORCH_SPEC:-torch}" --index-url "$TORCH_INDEX_URL"
    else
        "${pip[@]}" "${TORCH_SPEC:-torch==2.13.0}"
    fi
fi

"${pip[@]}" -e ".[test]"
# The slideshow's widget fix (helpers/labextensions/rise-widgets, see README): an editable install
# leaves data files out, so JupyterLab finds the extension through a link into the checkout.
mkdir -p "$VENV/share/jupyter/labextensions"
rm -rf "$VENV/share/jupyter/labextensions/cnn-course-rise-widgets"
ln -s ../../../../helpers/labextensions/rise-widgets "$VENV/share/jupyter/labextensions/cnn-course-rise-widgets"
echo "$want" > "$STAMP"
"$VENV/bin/python" -c 'import torch, numpy; print(f"setup: done (torch {torch.__version__}, numpy {numpy.__version__})")'

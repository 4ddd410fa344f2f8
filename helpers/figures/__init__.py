"""Figures and widgets, one module per notebook stem; a large widget has a module of its own.

``receptive_explorer`` and ``shift_explorer`` (notebook 01), ``kernel_explorer`` (00 and 02),
``conv_explorer`` (03) and ``digit_widgets`` (06) hold those widgets; the stem module re-exports
what its notebook imports.

A figure module only draws what the computation modules return; the widget classes share
:mod:`helpers.figures.base` for the canvas set-up, blitting and display, :mod:`helpers.figures.frames`
for frames kept and drawn ahead, and :mod:`helpers.figures.pixels` for fast frames and images.
"""

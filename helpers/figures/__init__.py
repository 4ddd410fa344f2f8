"""Figures and widgets, one module per notebook stem (plus the kernel explorer that 00 and 02 share).

A figure module only draws what the computation modules return; the widget classes share
:mod:`helpers.figures.base` for the canvas set-up, blitting and display.
"""

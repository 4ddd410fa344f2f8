"""helpers: the shared package of the CNN lecture notebooks.

Importing it has no side effects. Each notebook starts with::

    import helpers
    device = helpers.setup_notebook()

Modules (each readable in one sitting):

``helpers.conv``     convolution kernels in numpy, torch's semantics
``helpers.checks``   rel_error, numerical gradients, comparison tables, the exercise checker
``helpers.images``   sample images that ship with the dependencies (no downloads)
``helpers.filters``  classic 3x3 kernel presets (identity, blur, Sobel, ...)
``helpers.plots``    plotting helpers (Blitter: redraw only what a widget changed)
``helpers.widgets``  the interactive figures; their logic is plain, testable functions
``helpers.exercises`` the exercise checkers, one module per notebook
``helpers.nbclean``  keep the committed notebooks clean (``python -m helpers.nbclean``)
"""

from helpers.session import setup_notebook

__all__ = ["setup_notebook"]

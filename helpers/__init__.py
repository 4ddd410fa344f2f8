"""helpers: the shared package of the CNN lecture notebooks.

Importing it has no side effects. Each notebook starts with::

    import helpers
    device = helpers.setup_notebook()

Modules (each readable in one sitting; README's "Layout" section has the tree):

Plumbing: ``session`` (setup_notebook), ``args`` (argument checks), ``checks`` (rel_error,
numerical gradients, comparison tables, timing), ``nbclean`` (notebook hygiene, student edition).

Kernels (numpy, torch's semantics, tested against torch): ``conv`` (fast through ``im2col``), ``pool``, ``norm``,
``padding``.

Concepts: ``receptive``, ``erf``, ``summary``, ``equivariance``, ``connectivity``, ``counting``, ``symbolic``, ``filters``.

Data and training: ``data``, ``deform``, ``train``, ``degradation``.

Course: ``glossary`` (the slide terms, 术语表).

A first taste (the output-size formula of LeNet-5's first layer)::

    >>> from helpers.conv import conv_output_size
    >>> conv_output_size(32, kernel_size=5)
    28

Packages: ``helpers.models`` (one network family per file), ``helpers.figures`` (one module of
figures and widgets per notebook stem, over ``figures.base``), ``helpers.exercises`` (the checker
framework and one module per notebook stem).
"""

from helpers.session import setup_notebook

__all__ = ["setup_notebook"]

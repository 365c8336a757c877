"""Volumes drawn to scale as SVG (front face H x W, channels going back), for the tracer and the explorers."""
import html
import math

from .tracing import format_shape


def _hwc(shape):
    """A shape as (H, W, C) to draw: a vector is 1 x 1 x C, a sequence 1 x L x C; an unknown size counts as 1."""
    dims = [1 if d is None else int(d) for d in shape][-3:] or [1]
    return tuple([1] * (3 - len(dims)) + dims)


def volumes_svg(shapes, labels, colors=None, size=140):
    """Volumes side by side as an SVG string, all to one scale: the front face is H x W, the channels go back
    (up and to the right, at half length, as in a cabinet drawing); sides below 2 pixels are drawn 2 pixels wide.

    ``shapes`` are NHWC shapes without the batch dimension, ``labels`` one caption per shape.  The SVG's ``<title>``
    names each volume and its shape, for screen readers.
    """
    dims = [_hwc(shape) for shape in shapes]
    scale = size / max(max(d) for d in dims)
    colors = colors or ["#9ecae1"] * (len(dims) - 1) + ["#fdae6b"]
    boxes = []
    for h, w, c in dims:
        h, w, depth = (max(2.0, v * scale) for v in (h, w, c))
        boxes.append((h, w, depth * 0.5 * math.sqrt(0.5)))
    top = max(h + d for h, _, d in boxes) + 8
    parts, x = [], 8.0
    for number, ((h, w, d), shape, label, color) in enumerate(zip(boxes, shapes, labels, colors)):
        if number and number == len(boxes) - 1:  # an arrow into the last volume, the output
            parts.append(f'<text x="{x - 20:.1f}" y="{top - 4:.1f}" font-size="16" font-family="sans-serif">→</text>')
        y = top - h  # top edge of the front face; every front face stands on the same line
        face = f'fill="{color}" stroke="#333" stroke-width="0.8"'
        parts.append(
            f'<polygon points="{x:.1f},{y:.1f} {x + d:.1f},{y - d:.1f} {x + w + d:.1f},{y - d:.1f} '
            f'{x + w:.1f},{y:.1f}" {face} opacity="0.8"/>'
            f'<polygon points="{x + w:.1f},{y:.1f} {x + w + d:.1f},{y - d:.1f} {x + w + d:.1f},{y + h - d:.1f} '
            f'{x + w:.1f},{y + h:.1f}" {face} opacity="0.6"/>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {face}/>')
        texts = (html.escape(str(label)), html.escape(format_shape(shape)))
        width = max(w + d, 7.0 * max(len(t) for t in texts))
        for line, text in enumerate(texts):
            parts.append(f'<text x="{x:.1f}" y="{top + 16 + 15 * line:.1f}" font-size="12" '
                         f'font-family="sans-serif">{text}</text>')
        x += width + 24
    title = "Volumes to scale: " + ", ".join(f"{label} {format_shape(shape)}" for shape, label in zip(shapes, labels))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{x:.0f}" height="{top + 42:.0f}" '
            f'viewBox="0 0 {x:.0f} {top + 42:.0f}" style="max-width:100%;height:auto" role="img"><title>{html.escape(title)}</title>{"".join(parts)}</svg>')

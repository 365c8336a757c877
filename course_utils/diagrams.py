"""Architecture diagrams drawn from a built Keras model, so a figure cannot drift from the code it shows.

``draw_architecture(model)`` draws the rows of ``trace(model)`` left to right: an H x W x C output as a box whose
height follows H, whose depth follows W and whose width follows the number of channels (square-root and log
scales, so LeNet-5 and VGG-16 both read well), a vector as a thin bar.  Skip connections (a merge such as ``Add``
or ``Concatenate`` fed by an earlier layer) are drawn as arcs over the main path; a branch with its own layers
(a projection shortcut) sits on its arc.  With ``compact=True`` normalisation, activation and dropout layers are
folded into the box before them, which keeps a ResNet-20 legible.

``save_diagram(model, path)`` renders the same drawing to a PNG with a fixed style and no metadata.  In the course's
own ``notebooks/`` folder it only writes it when ``COURSE_UPDATE_IMAGES=1`` (set by ``make notebooks``), and
otherwise reports a committed diagram that no longer matches its model as stale, which makes the notebook test
fail; anywhere else (the student edition) it only draws.
"""
import io
import math
import os
import pathlib

import numpy as np

from .arguments import axes_or_none, file_path, keras_model
from .tracing import format_shape, trace

UPDATE_VARIABLE = "COURSE_UPDATE_IMAGES"
DPI = 100
# A pixel counts as changed when one of its channels moves by more than this (0..1 scale); font anti-aliasing
# differences between machines stay below it, a changed label or box does not.
PIXEL_THRESHOLD = 0.25
# Strongly changed pixels allowed before the drawing counts as different (one changed digit in a label is more).
CHANGED_PIXELS = 10

COLORS = {"conv": "#8fb8de", "pool": "#f4b183", "dense": "#b4a7d6", "merge": "#a9d18e", "input": "#d0d0d0",
          "other": "#e4e4e4"}
FOLDABLE_SHORT = {"BatchNormalization": "BN", "LayerNormalization": "LN", "Dropout": "dropout",
                  "SpatialDropout2D": "dropout", "ReLU": "relu", "Softmax": "softmax",
                  "LocalResponseNormalization": "LRN"}
GAP = 0.28
LEVEL_GAP = 0.45
MIN_SLOT = 0.2  # a thin bar still leaves room for its upright label


def _group(kind):
    if "Conv" in kind:
        return "conv"
    if "Pool" in kind:
        return "pool"
    if kind == "Dense":
        return "dense"
    if kind in ("Add", "Concatenate", "Multiply", "Average", "Maximum", "Subtract"):
        return "merge"
    if kind == "InputLayer":
        return "input"
    return "other"


def _activation_name(row):
    name = row.settings.get("activation")
    return None if name in (None, "linear") else name


def _short_kind(row):
    """A short label for one layer: ``conv 5x5``, ``max pool 2x2 /2``, ``dense``, ..."""
    kind, settings = row.kind, row.settings
    if kind == "InputLayer":
        return "input"
    if kind in FOLDABLE_SHORT:
        return FOLDABLE_SHORT[kind]
    if kind == "Activation":
        return _activation_name(row) or "activation"
    size = settings.get("kernel_size") or settings.get("pool_size")
    strides = settings.get("strides")
    text = {"Conv2D": "conv", "MaxPooling2D": "max pool", "AveragePooling2D": "avg pool", "Dense": "dense",
            "Flatten": "flatten", "Add": "add", "Concatenate": "concat", "GlobalAveragePooling2D": "global avg pool",
            "GlobalMaxPooling2D": "global max pool", "DepthwiseConv2D": "depthwise conv"}.get(kind, kind.lower())
    if size and len(size) == 2:
        text += f" {size[0]}x{size[1]}"
        if strides and tuple(strides) != (1, 1) and tuple(strides) != tuple(size):
            text += f" /{strides[0]}"
    activation = _activation_name(row)
    return f"{text}, {activation}" if activation and kind != "Activation" else text


def _first_shape(shape):
    return shape[0] if shape and isinstance(shape[0], tuple) else shape


def _foldable(row, rows_by_name, consumers):
    """Whether ``row`` can join the box of the layer before it (same shape, one input, no weights of its own)."""
    if len(row.inbound) != 1 or row.kind in ("InputLayer", "Flatten") or _group(row.kind) != "other":
        return False
    parent = rows_by_name[row.inbound[0]]
    return (len(consumers[parent.name]) == 1 and tuple(row.input_shapes[0]) == tuple(_first_shape(row.output_shape))
            and (row.kind in FOLDABLE_SHORT or row.kind == "Activation" or row.params == 0
                 or "Normalization" in row.kind))


class _Node:
    def __init__(self, row):
        self.row = row
        self.name = row.name
        self.labels = [_short_kind(row)]
        self.parents = []
        self.children = []
        self.shape = tuple(_first_shape(row.output_shape))
        self.x = self.y = 0.0
        self.lane = 0


def _nodes(rows, compact):
    """The boxes to draw: one per row, or with ``compact`` the foldable rows merged into the box before them."""
    by_name = {row.name: row for row in rows}
    consumers = {row.name: [] for row in rows}
    for row in rows:
        for parent in row.inbound:
            consumers[parent].append(row.name)
    owner, nodes = {}, {}
    for row in rows:
        if compact and _foldable(row, by_name, consumers):
            node = nodes[owner[row.inbound[0]]]
            node.labels.append(_short_kind(row))
            node.shape = tuple(_first_shape(row.output_shape))
            owner[row.name] = node.name
            continue
        node = _Node(row)
        nodes[row.name] = node
        owner[row.name] = row.name
        for parent in row.inbound:
            parent_node = nodes[owner[parent]]
            if parent_node not in node.parents:
                node.parents.append(parent_node)
                parent_node.children.append(node)
    return list(nodes.values())


def _main_path(nodes):
    """The longest chain of boxes from an input to an output (ties go to the first-listed parent)."""
    length, best_parent = {}, {}
    for node in nodes:
        best = max(node.parents, key=lambda p: length[p.name], default=None)
        length[node.name] = 1 + (length[best.name] if best else 0)
        best_parent[node.name] = best
    end = max(reversed(nodes), key=lambda n: length[n.name])
    path = []
    while end is not None:
        path.append(end)
        end = best_parent[end.name]
    return path[::-1]


def _size(node, scale):
    """(front width, height, perspective depth) of a node's box in data units."""
    shape = node.shape
    known = [d if d else 1 for d in shape]
    if len(known) >= 2:
        height = max(0.12, math.sqrt(known[0] / scale["side"]))
        width_side = known[1] if len(known) >= 3 else 1
        depth = 0.3 * max(0.12, math.sqrt(width_side / scale["side"]))
        channels = known[-1]
        return 0.05 + 0.05 * math.log2(max(channels, 1)), height, depth
    units = known[0] if known else 1
    return 0.05, min(1.0, max(0.15, 0.25 * math.log10(max(units, 1)))), 0.0


def _box(ax, x, y, width, height, depth, color, gid):
    """A box whose front face is centred at height ``y``, with its top and side faces in perspective."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Polygon

    base = np.array(to_rgb(color))
    lighter, darker = 1 - 0.6 * (1 - base), 0.8 * base
    bottom, top = y - height / 2, y + height / 2
    faces = [
        ([(x, bottom), (x + width, bottom), (x + width, top), (x, top)], base),
        ([(x, top), (x + width, top), (x + width + depth, top + depth), (x + depth, top + depth)], lighter),
        ([(x + width, bottom), (x + width + depth, bottom + depth), (x + width + depth, top + depth),
          (x + width, top)], darker),
    ]
    for corners, face in faces:
        ax.add_patch(Polygon(corners, closed=True, facecolor=face, edgecolor="#333333", linewidth=0.6, gid=gid))


def _arrow(ax, points, gid):
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    path = Path(points, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
    ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=8, linewidth=1.0, color="#555555",
                                 gid=gid, shrinkA=0, shrinkB=0))


def _layout(nodes, path, scale):
    """Place the main path left to right on y = 0 and every other group of boxes on a level above it."""
    on_path = {node.name for node in path}
    x = 0.0
    for node in path:
        width, height, depth = _size(node, scale)
        node.x, node.y, node.extent = x, 0.0, (width, height, depth)
        x += max(width + depth, MIN_SLOT) + GAP
    top = max(node.extent[1] / 2 + node.extent[2] for node in path)
    # Groups off the main path: connected sets of off-path boxes, each anchored to main-path boxes.
    groups, seen = [], set()
    for node in nodes:
        if node.name in on_path or node.name in seen:
            continue
        group, stack = [], [node]
        while stack:
            current = stack.pop()
            if current.name in seen or current.name in on_path:
                continue
            seen.add(current.name)
            group.append(current)
            stack.extend(current.parents + current.children)
        order = {n.name: i for i, n in enumerate(nodes)}
        groups.append(sorted(group, key=lambda n: order[n.name]))
    # Items that need a level above the path: long edges between path boxes, and off-path groups.
    items = []
    index = {node.name: i for i, node in enumerate(path)}
    for node in path:
        for parent in node.parents:
            if parent.name in on_path and index[node.name] - index[parent.name] > 1:
                items.append(("edge", parent, node))
    for group in groups:
        items.append(("group", group, None))
    spans = []
    for kind, a, b in items:
        if kind == "edge":
            spans.append((a.x, b.x, 0.0))
        else:
            entries = [p for n in a for p in n.parents if p.name in on_path]
            exits = [c for n in a for c in n.children if c.name in on_path]
            start = min((p.x for p in entries), default=None)
            end = max((c.x for c in exits), default=None)
            start = end - GAP * (len(a) + 1) if start is None and end is not None else start
            start = 0.0 if start is None else start
            end = start + (len(a) + 1) * 0.8 if end is None else end
            tallest = max(_size(n, scale)[1] + _size(n, scale)[2] for n in a)
            spans.append((start, end, tallest))
    levels = []  # per level: list of (start, end) and its tallest box
    placed = []
    for (start, end, tallest) in spans:
        for k, level in enumerate(levels):
            # Spans that only touch still take different levels, so consecutive skips read as separate arcs.
            if all(end < s - 1e-9 or start > e + 1e-9 for s, e in level["spans"]):
                break
        else:
            k = len(levels)
            levels.append({"spans": [], "tallest": 0.0})
        levels[k]["spans"].append((start, end))
        levels[k]["tallest"] = max(levels[k]["tallest"], tallest)
        placed.append(k)
    heights, y = [], top + LEVEL_GAP
    for level in levels:
        y += level["tallest"] / 2
        heights.append(y)
        y += level["tallest"] / 2 + LEVEL_GAP
    for (kind, a, _), (start, end, _), k in zip(items, spans, placed):
        if kind == "group":
            step = (end - start) / (len(a) + 1)
            for i, node in enumerate(a, 1):
                width, height, depth = _size(node, scale)
                node.extent = (width, height, depth)
                node.x, node.y, node.lane = start + i * step - (width + depth) / 2, heights[k], k + 1
    return items, placed, heights


def _attach(node, side):
    """Where an edge leaves or enters a node's box: its top (``out`` right of the middle, ``in`` left of it), or
    the middle of its left or right face."""
    width, height, depth = node.extent
    if side in ("out", "in"):
        return node.x + depth / 2 + width * (0.7 if side == "out" else 0.3), node.y + height / 2 + depth / 2
    if side == "left":
        return node.x, node.y
    return node.x + width + depth / 2, node.y + depth / 2


def _label(ax, node):
    """The layer kind(s) and output shape: under a main-path box (turned upright), beside a box on an arc."""
    width, height, depth = node.extent
    text = ", ".join(node.labels) + "\n" + format_shape(node.shape).replace(" x ", "×")
    if node.lane > 0:
        ax.text(node.x + width + depth + 0.05, node.y + 0.03, text, ha="left", va="bottom", fontsize=7,
                linespacing=1.1)
    else:
        ax.text(node.x + (width + depth) / 2, node.y - height / 2 - 0.06, text, ha="center", va="top",
                rotation=90, fontsize=7, linespacing=1.1, multialignment="right")


def draw_architecture(model, ax=None, title=None, compact=True):
    """Draw a built Keras ``model`` layer by layer, left to right; returns the Axes.

    Boxes are H x W x C outputs (height follows H, depth follows W, width follows the channels), thin bars are
    vectors, arcs over the main path are skip connections from the layer that branches to the merge.  With
    ``compact=True`` normalisation, activation and dropout layers join the box of the layer before them.
    """
    keras_model(model)
    rows = trace(model)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}. Pass for example "
                        f"title='LeNet-5'.")
    if not isinstance(compact, bool):
        raise TypeError(f"compact must be True or False, got {compact!r}.")
    axes_or_none(ax)
    nodes = _nodes(rows, compact)
    path = _main_path(nodes)
    sides = [d for n in nodes for d in n.shape[:2] if len(n.shape) >= 2 and d]
    scale = {"side": max(sides, default=1)}
    items, placed, heights = _layout(nodes, path, scale)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=_figsize(path))
    for node in nodes:
        width, height, depth = node.extent
        group = _group(node.row.kind)
        gid = "merge" if group == "merge" else "layer"
        if len(node.shape) >= 2:
            _box(ax, node.x, node.y, width, height, depth, COLORS[group], gid)
        else:
            _box(ax, node.x, node.y, width, height, 0.0, COLORS[group], gid)
        _label(ax, node)
    index = {node.name: i for i, node in enumerate(path)}
    for a, b in zip(path, path[1:]):
        if a in b.parents:
            _arrow(ax, [_attach(a, "right"), _attach(b, "left")], "flow")
    for (kind, a, b), k in zip(items, placed):
        level = heights[k]
        if kind == "edge":
            (xa, ya), (xb, yb) = _attach(a, "out"), _attach(b, "in")
            _arrow(ax, [(xa, ya), (xa, level), (xb, level), (xb, yb)], "skip")
            continue
        members = {n.name for n in a}
        for node in a:
            for parent in node.parents:
                if parent.name in index:
                    xa, ya = _attach(parent, "out")
                    _arrow(ax, [(xa, ya), (xa, node.y), _attach(node, "left")], "skip")
                elif parent.name in members:
                    _arrow(ax, [_attach(parent, "right"), _attach(node, "left")], "flow")
            for child in node.children:
                if child.name in index:
                    xb, yb = _attach(child, "in")
                    _arrow(ax, [_attach(node, "right"), (xb, node.y), (xb, yb)], "skip")
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.axis("off")
    ax.set_title(title if title is not None else model.name)
    return ax


def _figsize(path):
    return (min(18.0, max(6.0, 0.75 * len(path))), 4.0)


def count_skip_arcs(ax):
    """How many skip-connection arcs ``draw_architecture`` drew on ``ax`` (for tests and checks)."""
    return sum(1 for patch in ax.patches if patch.get_gid() == "skip")


def render(model, title=None, compact=True):
    """The diagram drawn with a fixed style, size and resolution: ``(figure, png)``, the matplotlib Figure and its
    PNG bytes (the same bytes on every machine, so ``save_diagram()`` can compare them with the committed file)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    keras_model(model)
    with matplotlib.style.context("default"), matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        nodes_on_path = _main_path(_nodes(trace(model), compact))
        figure = Figure(figsize=_figsize(nodes_on_path), dpi=DPI)
        FigureCanvasAgg(figure)
        draw_architecture(model, ax=figure.add_subplot(), title=title, compact=compact)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.1,
                       metadata={"Software": None})
    return figure, buffer.getvalue()


def _read_png(data):
    """The pixels of PNG bytes, or None when they are not a readable PNG."""
    from matplotlib.image import imread

    try:
        return imread(io.BytesIO(data), format="png")
    except Exception:  # a truncated or foreign file is simply not the drawing
        return None


def same_pixels(a, b, pixel_threshold=PIXEL_THRESHOLD, changed_pixels=CHANGED_PIXELS):
    """Whether two images (arrays) are the same drawing: equal size, and almost no pixel changed noticeably."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    changed = np.abs(a - b).max(axis=-1) > pixel_threshold if a.ndim == 3 else np.abs(a - b) > pixel_threshold
    return int(changed.sum()) <= changed_pixels


def display_path(path):
    """``path`` as the course prints it: relative to the project folder (``images/lenet5.png``), never absolute."""
    resolved = pathlib.Path(path).resolve()
    for folder in resolved.parents:
        if (folder / "pyproject.toml").exists():
            return resolved.relative_to(folder).as_posix()
    return f"{resolved.parent.name}/{resolved.name}" if resolved.parent.name else resolved.name


class Diagram:
    """A rendered architecture diagram: shows as the PNG in Jupyter, with ``alt`` as its alt text; ``png`` holds its
    bytes."""

    def __init__(self, png, path, figure, alt="Architecture diagram"):
        self.png, self.path, self.figure, self.alt = png, path, figure, alt

    def _repr_png_(self):
        return self.png

    def _repr_mimebundle_(self, **kwargs):
        return {"image/png": self.png}, {"image/png": {"alt": self.alt}}

    def __repr__(self):
        return f"architecture diagram {self.path}"


def in_course_notebooks(folder=None):
    """Whether ``folder`` (default: the working folder, a notebook's own) is the ``notebooks/`` folder of a course
    checkout, the instructor edition, rather than a copy such as the student's ``my_notebooks/``."""
    folder = pathlib.Path.cwd() if folder is None else pathlib.Path(folder)
    return folder.name == "notebooks" and (folder.parent / "pyproject.toml").is_file()


def save_diagram(model, path, title=None, compact=True):
    """Draw ``model`` and keep the PNG at ``path`` up to date; returns a ``Diagram`` (shown as the image in Jupyter).

    Run from a notebook in the course's own ``notebooks/`` folder, it prints one line: if the file already shows
    this drawing, "matches the model" and nothing is written; if it is missing or different, it is written only
    when the environment variable COURSE_UPDATE_IMAGES=1 is set (``make notebooks`` sets it), and otherwise the line
    says the file is missing or the committed diagram is stale, so the notebook test that compares that line fails.
    Run from anywhere else (the student edition in ``my_notebooks/``, a copy), it only draws: nothing is compared,
    written or printed.
    """
    keras_model(model)
    path = file_path(path, "../images/lenet5.png")
    if path.suffix.lower() != ".png":
        raise ValueError(f"path must end in .png, got {path.name!r}. Use for example '../images/lenet5.png'.")
    figure, png = render(model, title=title, compact=compact)
    shown = display_path(path)
    alt = f"Architecture diagram: {title or model.name}"
    if not in_course_notebooks():
        return Diagram(png, shown, figure, alt)
    update = os.environ.get(UPDATE_VARIABLE, "").strip() == "1"
    if update and not path.parent.is_dir():
        raise ValueError(f"path {shown!r} is in a folder that does not exist, so the diagram cannot "
                         f"be saved. Create {display_path(path.parent)!r} first, or pass a path in the course's "
                         f"images folder such as '../images/lenet5.png'.")
    old = _read_png(path.read_bytes()) if path.is_file() else None
    if old is not None and same_pixels(old, _read_png(png)):
        print(f"{shown} matches the model")
    elif update:
        path.write_bytes(png)
        print(f"{shown} matches the model")
    elif not path.is_file():
        print(f"{shown} does not exist yet: run make notebooks to save it")
    else:
        print(f"{shown} is STALE: run make notebooks to redraw it")
    return Diagram(png, shown, figure, alt)

"""Interactive widgets for the notebooks, each a thin wrapper over a pure function that tests call directly.

- ``ShapeTracer(model)`` over ``tracer_step()`` and ``tracer_html()``: step through the layer calls of a model.
- ``conv_explorer()`` over ``conv_explorer_html()``: output size and parameters of one convolution.
- ``bottleneck_explorer()`` over ``bottleneck_costs()`` and ``bottleneck_html()``: a direct convolution against a
  1x1 bottleneck followed by the same convolution.

Volumes are drawn to scale as SVG (front face H x W, channels as depth), so a step only formats a string.
"""
import html
import math

from ._checks import positive_int, whole_number
from .shapes import conv_macs, conv_output_size, conv_params
from .tracing import TraceRow, format_shape, trace


def _fmt(number):
    return f"{number:,}"


def bottleneck_costs(height=28, width=28, in_channels=192, bottleneck=16, kernel_size=5, filters=32):
    """Parameters and multiply-accumulates (MACs) of a ``kernel_size`` convolution to ``filters`` channels on a
    ``height x width x in_channels`` input ("same" padding, stride 1), done directly or after a 1x1 convolution to
    ``bottleneck`` channels.  Biases are counted in the parameters; MACs are for one image.

    >>> costs = bottleneck_costs()
    >>> costs["direct_macs"], costs["reduce_macs"], costs["conv_macs"], costs["bottleneck_macs"]
    (120422400, 2408448, 10035200, 12443648)
    """
    height = positive_int(height, "height", hint="It is the height of the input volume in pixels, such as 28.")
    width = positive_int(width, "width", hint="It is the width of the input volume in pixels, such as 28.")
    in_channels = positive_int(in_channels, "in_channels", hint="It is the depth of the input volume, such as 192.")
    bottleneck = positive_int(bottleneck, "bottleneck", hint="It is the number of 1x1 filters, such as 16.")
    kernel_size = positive_int(kernel_size, "kernel_size", hint="Use the side of the square kernel, such as 5.")
    filters = positive_int(filters, "filters", hint="It is the number of output channels, such as 32.")
    costs = {
        "output_shape": (height, width, filters),
        "direct_params": conv_params(kernel_size, in_channels, filters),
        "direct_macs": conv_macs(height, width, kernel_size, in_channels, filters),
        "reduce_params": conv_params(1, in_channels, bottleneck),
        "reduce_macs": conv_macs(height, width, 1, in_channels, bottleneck),
        "conv_params": conv_params(kernel_size, bottleneck, filters),
        "conv_macs": conv_macs(height, width, kernel_size, bottleneck, filters),
    }
    costs["bottleneck_params"] = costs["reduce_params"] + costs["conv_params"]
    costs["bottleneck_macs"] = costs["reduce_macs"] + costs["conv_macs"]
    costs["macs_ratio"] = costs["direct_macs"] / costs["bottleneck_macs"]
    return costs


def bottleneck_html(height=28, width=28, in_channels=192, bottleneck=16, kernel_size=5, filters=32):
    """The comparison that ``bottleneck_explorer()`` shows, as an HTML table (arguments as ``bottleneck_costs``)."""
    c = bottleneck_costs(height, width, in_channels, bottleneck, kernel_size, filters)
    f, volume = kernel_size, f"{height} x {width} x {in_channels}"
    rows = [
        (f"direct: {f}x{f} conv, {in_channels} → {filters} channels", c["direct_params"], c["direct_macs"]),
        (f"1x1 conv, {in_channels} → {bottleneck} channels", c["reduce_params"], c["reduce_macs"]),
        (f"then {f}x{f} conv, {bottleneck} → {filters} channels", c["conv_params"], c["conv_macs"]),
        ("bottleneck total", c["bottleneck_params"], c["bottleneck_macs"]),
    ]
    cell = "style='text-align:right;padding-left:1.2em'"
    body = "".join(f"<tr><td style='text-align:left'>{html.escape(label)}</td><td {cell}>{_fmt(params)}</td>"
                   f"<td {cell}>{_fmt(macs)}</td></tr>" for label, params, macs in rows)
    ratio = c["macs_ratio"]
    verdict = (f"The bottleneck needs {ratio:.1f}x fewer MACs." if ratio >= 1 else
               f"Here the bottleneck costs {1 / ratio:.1f}x more MACs: it has too many 1x1 filters to save anything.")
    return (f"<p>Input {volume} → output {height} x {width} x {filters} (padding 'same', stride 1).</p>"
            f"<table><thead><tr><th style='text-align:left'>path</th><th {cell}>params</th>"
            f"<th {cell}>MACs</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p data-field='verdict'><b>{html.escape(verdict)}</b></p>"
            + volumes_svg([(height, width, in_channels), (height, width, bottleneck), (height, width, filters)],
                          ["input", f"1x1 conv to {bottleneck}", f"{f}x{f} conv to {filters}"]))


def _slider(description, value, low, high):
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=True,
                             style={"description_width": "initial"}, layout={"width": "420px"})


def _explorer(render, sliders):
    """A VBox of ``sliders`` (name -> IntSlider) and an HTML output that shows ``render(**values)`` live.

    The box keeps ``box.sliders`` (the dict) and ``box.output`` (the HTML widget) for tests and notebooks.
    """
    import ipywidgets as widgets

    output = widgets.HTML()

    def update(_change=None):
        output.value = render(**{name: slider.value for name, slider in sliders.items()})

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    box = widgets.VBox([*sliders.values(), output])
    box.sliders, box.output = sliders, output
    return box


def bottleneck_explorer(height=28, width=28, in_channels=192, bottleneck=16, kernel_size=5, filters=32):
    """Sliders for the input channels, the 1x1 filters, the kernel size and filters of the following convolution;
    shows parameters and MACs of the direct convolution against the 1x1 bottleneck, live.
    Starts at the lecture example 28 x 28 x 192 → 1x1 to 16 → 5x5 to 32 (``height`` and ``width`` stay fixed).
    """
    bottleneck_costs(height, width, in_channels, bottleneck, kernel_size, filters)  # check the arguments
    sliders = {
        "in_channels": _slider("input channels", in_channels, 1, max(512, in_channels)),
        "bottleneck": _slider("1x1 filters (bottleneck)", bottleneck, 1, max(256, bottleneck)),
        "kernel_size": _slider("kernel_size of the conv", kernel_size, 1, max(7, kernel_size)),
        "filters": _slider("filters of the conv", filters, 1, max(256, filters)),
    }

    def render(**values):
        return bottleneck_html(height, width, **values)

    return _explorer(render, sliders)


# ---------------------------------------------------------------------------------------------------------------
# Volumes drawn to scale


def _hwc(shape):
    """A shape as (H, W, C) to draw: a vector is 1 x 1 x C, a sequence 1 x L x C; an unknown size counts as 1."""
    dims = [1 if d is None else int(d) for d in shape][-3:] or [1]
    return tuple([1] * (3 - len(dims)) + dims)


def volumes_svg(shapes, labels, colors=None, size=140):
    """Volumes side by side as an SVG string, all to one scale: the front face is H x W, the channels go back
    (up and to the right, at half length, as in a cabinet drawing); sides below 2 pixels are drawn 2 pixels wide.

    ``shapes`` are NHWC shapes without the batch dimension, ``labels`` one caption per shape.
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
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{x:.0f}" height="{top + 42:.0f}" '
            f'role="img">{"".join(parts)}</svg>')


# ---------------------------------------------------------------------------------------------------------------
# Convolution explorer


def conv_explorer_html(size=6, kernel_size=3, strides=1, padding=0, in_channels=3, filters=8):
    """What ``conv_explorer()`` shows for a square ``size x size x in_channels`` input: the output size
    floor((n + 2p - f)/s) + 1 with the numbers, parameters and MACs, and a drawing.  An impossible combination
    (the kernel is larger than the padded input) gives a message instead of an exception.
    """
    n = positive_int(size, "size", hint="It is the height and width of the input, in pixels, such as 6.")
    f = positive_int(kernel_size, "kernel_size", hint="Use the side of the square kernel, such as 3.")
    s = positive_int(strides, "strides", hint="Use a step of 1 pixel or more.")
    p = whole_number(padding, "padding", hint="It is the number of zero pixels added on each side, such as 1.")
    c_in = positive_int(in_channels, "in_channels", hint="It is the depth of the input volume, such as 3.")
    c_out = positive_int(filters, "filters", hint="It is the number of output channels, such as 8.")
    if f > n + 2 * p:
        return (f"<p data-field='error' style='color:#cf222e'><b>Impossible:</b> the {f} x {f} kernel does not fit in "
                f"the padded input, which is only {n} + 2·{p} = {n + 2 * p} pixels wide. "
                f"Use kernel_size ≤ {n + 2 * p} or add padding.</p>")
    out = conv_output_size(n, f, strides=s, padding=p)
    notes = []
    if (n + 2 * p - f) % s:
        notes.append(f"The stride does not divide n + 2p - f = {n + 2 * p - f}: the floor drops the last "
                     f"{(n + 2 * p - f) % s} row(s) and column(s) of the padded input.")
    if p >= f:
        notes.append(f"padding {p} ≥ kernel_size {f}: the outer output pixels see only zeros.")
    if out == n and s == 1:
        notes.append("The output keeps the input size: p = (f - 1)/2 is what padding='same' does for stride 1.")
    params = conv_params(f, c_in, c_out)
    macs = conv_macs(out, out, f, c_in, c_out)
    drawing = volumes_svg([(n, n, c_in), (out, out, c_out)], ["input", "output"])
    note_html = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return (f"<p>output size floor((n + 2p - f)/s) + 1 = floor(({n} + 2·{p} - {f})/{s}) + 1 = "
            f"<b data-field='output_size'>{out}</b></p>"
            f"<p>output volume <b data-field='output'>{out} x {out} x {c_out}</b></p>"
            f"<p>parameters f·f·n_c_in·n_c_out + n_c_out = {f}·{f}·{c_in}·{c_out} + {c_out} = "
            f"<b data-field='params'>{_fmt(params)}</b></p>"
            f"<p>MACs per image {out}·{out}·{c_out} · {f}·{f}·{c_in} = {_fmt(macs)}</p>"
            + (f"<ul>{note_html}</ul>" if notes else "") + drawing)


def conv_explorer(size=6, kernel_size=3, strides=1, padding=0, in_channels=3, filters=8):
    """Sliders for n (``size``), f (``kernel_size``), p (``padding``), s (``strides``) and the channels; shows the
    output size and the parameters live, and says so when a combination is impossible."""
    conv_explorer_html(size, kernel_size, strides, padding, in_channels, filters)  # check the arguments
    sliders = {
        "size": _slider("n = size", size, 1, max(64, size)),
        "kernel_size": _slider("f = kernel_size", kernel_size, 1, max(11, kernel_size)),
        "padding": _slider("p = padding", padding, 0, max(5, padding)),
        "strides": _slider("s = strides", strides, 1, max(5, strides)),
        "in_channels": _slider("n_c_in = input channels", in_channels, 1, max(64, in_channels)),
        "filters": _slider("n_c_out = filters", filters, 1, max(64, filters)),
    }
    return _explorer(conv_explorer_html, sliders)


# ---------------------------------------------------------------------------------------------------------------
# Shape tracer

CONVS = ("Conv1D", "Conv2D", "Conv3D")


def _spatial_axes(count):
    return {1: ["length"], 2: ["height", "width"], 3: ["depth", "height", "width"]}.get(count, [])


def _size_formulas(row):
    """floor((n + 2p - f)/s) + 1 with the numbers, one line per spatial axis (one line when they agree), for a
    convolution or pooling row; [] for other layers."""
    layer = row.layer
    kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    padding = getattr(layer, "padding", None)
    if (kernel is None or "Transpose" in row.kind or len(row.input_shapes) != 1 or padding not in ("valid", "same")
            or getattr(layer, "data_format", "channels_last") != "channels_last"
            or len(row.input_shapes[0]) != len(kernel) + 1 or not isinstance(row.output_shape[0], (int, type(None)))):
        return []
    strides = getattr(layer, "strides", None) or kernel
    dilation = getattr(layer, "dilation_rate", None) or (1,) * len(kernel)
    lines = {}
    for axis, n, f, s, d, out in zip(_spatial_axes(len(kernel)), row.input_shapes[0], kernel, strides, dilation,
                                     row.output_shape):
        if n is None:
            lines.setdefault("the input size is not fixed, so the output size is not either", []).append(axis)
            continue
        span = d * (f - 1) + 1  # a dilated kernel covers more pixels
        total = 0 if padding == "valid" else max((-(-n // s) - 1) * s + span - n, 0)
        pad = f"2·{total // 2}" if total % 2 == 0 else f"{total}"
        value = conv_output_size(n, span, strides=s, padding=padding)
        text = f"floor(({n} + {pad} - {span})/{s}) + 1 = {value}"
        if total % 2:
            text += f" (padding='same' adds {total} zero pixels: {total // 2} before, {total - total // 2} after)"
        if span != f:
            text += f" (dilation_rate {d}: the {f}-wide kernel spans {span} pixels)"
        if value != out:  # never expected; a wrong formula is worse than none
            return []
        lines.setdefault(text, []).append(axis)
    return [f"{' and '.join(axes)}: {text}" for text, axes in lines.items()]


def _params_formula(row):
    """How the parameters of ``row`` add up, with the numbers ('' when there is no simple formula)."""
    layer = row.layer
    if row.params == 0:
        return "shared layer: its parameters count at its first call" if " (call " in row.name else ""
    n_in = row.input_shapes[0][-1] if row.input_shapes and row.input_shapes[0] else None
    bias = bool(getattr(layer, "use_bias", False))
    if row.kind in CONVS and getattr(layer, "groups", 1) == 1 and n_in:
        kernel, n_out = tuple(layer.kernel_size), layer.filters
        value = math.prod(kernel) * n_in * n_out + (n_out if bias else 0)
        symbols = "·".join(["f"] * len(kernel)) + "·n_c_in·n_c_out" + (" + n_c_out" if bias else "")
        numbers = "·".join(map(str, kernel)) + f"·{n_in}·{n_out}" + (f" + {n_out}" if bias else "")
    elif row.kind == "Dense" and n_in:
        n_out = layer.units
        value = n_in * n_out + (n_out if bias else 0)
        symbols = "n_in·n_out" + (" + n_out" if bias else "")
        numbers = f"{n_in}·{n_out}" + (f" + {n_out}" if bias else "")
    elif row.kind == "BatchNormalization" and n_in:
        value, symbols, numbers = 4 * n_in, "4·n_c", f"4·{n_in}"
        if value == row.params:
            return f"{symbols} = {numbers} (γ and β are learned; the moving mean and variance are not trained)"
    else:
        return ""
    return f"{symbols} = {numbers}" if value == row.params else ""


def _macs_formula(row):
    """How the multiply-accumulates of ``row`` add up, with the numbers ('' when there is no simple formula)."""
    layer = row.layer
    if row.kind in CONVS and getattr(layer, "groups", 1) == 1 and len(row.input_shapes) == 1:
        out, kernel, n_in = row.output_shape, tuple(layer.kernel_size), row.input_shapes[0][-1]
        if None not in out and n_in and math.prod(out) * math.prod(kernel) * n_in == row.macs:
            return (f"{'·'.join(map(str, out))} · {'·'.join(map(str, kernel))}·{n_in} "
                    f"(each output number costs f·f·n_c_in)")
    if row.kind == "Dense" and len(row.input_shapes) == 1 and len(row.input_shapes[0]) == 1:
        n_in, n_out = row.input_shapes[0][0], row.output_shape[-1]
        if n_in and n_in * n_out == row.macs:
            return f"{n_in}·{n_out}"
    return ""


def _branches(rows, row):
    """For a layer with several inputs: the latest layer all of them come from (where the branches split) and each
    input with the length of its branch in layer calls, 0 for a shortcut that carries the split's output unchanged.
    (None, []) for a layer with one input."""
    if len(row.inbound) < 2:
        return None, []
    parents = {r.name: r.inbound for r in rows}
    position = {r.name: i for i, r in enumerate(rows)}

    def upstream(name):  # the layer and every layer before it on some path
        seen, todo = set(), [name]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(parents.get(name, []))
        return seen

    common = set.intersection(*(upstream(name) for name in row.inbound))
    if not common:  # separate model inputs
        return None, [(name, None) for name in row.inbound]
    split = max(common, key=position.get)
    branches = []
    for name in row.inbound:
        length, frontier = 0, {name}
        while split not in frontier:
            frontier = {parent for n in frontier for parent in parents.get(n, [])}
            length += 1
        branches.append((name, length))
    return split, branches


def _check_rows(rows):
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, TraceRow) for r in rows):
        raise TypeError(f"rows must be the non-empty list that cu.trace(model) returns, got "
                        f"{type(rows).__name__}. Pass cu.trace(model).")
    return rows


def tracer_step(rows, index):
    """Everything ``ShapeTracer`` shows for ``rows[index]``, where ``rows = cu.trace(model)``, as a dict:
    name, kind, input and output shapes, the output-size, parameter and MAC formulas with the numbers, running
    totals, the layers this one reads from (``inbound``) and feeds (``outbound``), and for a merge (an ``Add`` or
    ``Concatenate`` of several inputs) the layer where its ``branches`` ``split`` and each branch's length in layer
    calls, 0 for an identity shortcut.  Formulas are '' or [] where a layer has none.
    """
    rows = _check_rows(rows)
    index = whole_number(index, "index", hint=f"Use a row number from 0 to {len(rows) - 1}.")
    if index >= len(rows):
        raise ValueError(f"index must be at most {len(rows) - 1} (the model has {len(rows)} layer calls), got {index}.")
    row = rows[index]
    split, branches = _branches(rows, row)
    return {
        "index": index,
        "count": len(rows),
        "name": row.name,
        "kind": row.kind,
        "input_shapes": list(row.input_shapes),
        "output_shape": row.output_shape,
        "size_formulas": _size_formulas(row),
        "params": row.params,
        "params_formula": _params_formula(row),
        "macs": row.macs,
        "macs_formula": _macs_formula(row),
        "params_so_far": sum(r.params for r in rows[:index + 1]),
        "macs_so_far": sum(r.macs for r in rows[:index + 1]),
        "total_params": sum(r.params for r in rows),
        "total_macs": sum(r.macs for r in rows),
        "inbound": list(row.inbound),
        "split": split,
        "branches": branches,
        "outbound": [r.name for r in rows if row.name in r.inbound],
    }


def _share(part, whole):
    return f"{_fmt(part)} of {_fmt(whole)} ({100 * part / whole:.1f}%)" if whole else _fmt(part)


def _merge_html(step):
    """The sentence about the branches of a merge: where they split, how long each is, which one is the shortcut."""
    if not step["split"]:
        return ""
    lengths = [length for _, length in step["branches"]]
    parts = [f"{html.escape(name)}: {length} layer call{'s' * (length != 1)}" for name, length in step["branches"]]
    text = f"<br>the branches split after {html.escape(step['split'])} ({'; '.join(parts)})"
    if step["kind"] == "Add" and len(lengths) == 2 and lengths[0] != lengths[1]:
        name, length = min(step["branches"], key=lambda b: b[1])
        text += (f"<br><b>skip connection:</b> {html.escape(step['split'])}'s output is added unchanged"
                 if length == 0 else f"<br><b>shortcut</b> through {html.escape(name)}, the shorter branch")
    return text


def tracer_html(rows, index):
    """``tracer_step(rows, index)`` as the HTML that ``ShapeTracer`` shows, with the volumes drawn to scale."""
    step = tracer_step(rows, index)
    esc = html.escape
    outputs = step["output_shape"]
    outputs = list(outputs) if outputs and isinstance(outputs[0], tuple) else [outputs]
    inputs = step["input_shapes"]
    in_labels = step["inbound"] if len(step["inbound"]) == len(inputs) else ["input"] * len(inputs)
    drawing = volumes_svg(inputs + outputs, in_labels + [step["name"]] * len(outputs))

    def line(label, value):
        return (f"<tr><td style='text-align:left;padding-right:1em'>{label}</td>"
                f"<td style='text-align:left'>{value}</td></tr>")

    table = [
        line("input", esc(", ".join(format_shape(s) for s in inputs)) or "none: this is where the data enters"),
        line("output", f"<b data-field='output'>{esc(format_shape(step['output_shape']))}</b>"),
    ]
    if step["size_formulas"]:
        table.append(line("output size", "floor((n + 2p - f)/s) + 1<br>"
                          + "<br>".join(esc(text) for text in step["size_formulas"])))
    params = f"<b data-field='params'>{_fmt(step['params'])}</b>"
    if step["params_formula"]:
        params += f" = {esc(step['params_formula'])}" if step["params"] else f" ({esc(step['params_formula'])})"
    table.append(line("parameters", params))
    macs = f"{_fmt(step['macs'])}" + (f" = {esc(step['macs_formula'])}" if step["macs_formula"] else "")
    table.append(line("MACs per image", macs))
    table.append(line("so far", f"parameters {_share(step['params_so_far'], step['total_params'])}; "
                                f"MACs {_share(step['macs_so_far'], step['total_macs'])}"))
    if step["inbound"]:
        reads = esc(", ".join(step["inbound"]))
        if len(step["inbound"]) > 1:
            reads = f"<b>merge of {len(step['inbound'])} inputs:</b> {reads}"
        reads += _merge_html(step)
        table.append(line("reads from", f"<span data-field='inbound'>{reads}</span>"))
    if step["outbound"]:
        feeds = esc(", ".join(step["outbound"]))
        if len(step["outbound"]) > 1:
            feeds = f"<b>branches to {len(step['outbound'])} layers:</b> {feeds}"
        table.append(line("feeds", feeds))
    return (f"<div><p>trace row {step['index']} of 0–{step['count'] - 1}: "
            f"<b data-field='name'>{esc(step['name'])}</b> (<span data-field='kind'>{esc(step['kind'])}</span>)</p>"
            f"<div style='display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start'>{drawing}"
            f"<table style='line-height:1.3'>{''.join(table)}</table></div></div>")


class ShapeTracer:
    """Step through the layer calls of a built Keras model (or of the rows of ``cu.trace(model)``) with a slider.

    For the current layer it shows the input and output volumes to scale, the output-size formula with the numbers,
    the parameters and MACs with their formulas, running totals, and which layers feed it (merges, skip
    connections).  Everything comes from one ``trace``, so a step only formats a string.
    Displays as a widget in Jupyter; ``tracer.slider`` is the slider and ``tracer.output`` the HTML it updates.
    """

    def __init__(self, model, index=0):
        import ipywidgets as widgets

        self.rows = _check_rows(model) if isinstance(model, (list, tuple)) else trace(model)
        self.title = getattr(model, "name", "model")
        first = tracer_html(self.rows, index)  # checks index
        last = len(self.rows) - 1
        self.slider = widgets.IntSlider(value=index, min=0, max=last, description="trace row",
                                        continuous_update=True, layout={"width": "480px"})
        back = widgets.Button(description="◀", tooltip="previous layer", layout={"width": "40px"})
        forward = widgets.Button(description="▶", tooltip="next layer", layout={"width": "40px"})
        back.on_click(lambda _: setattr(self.slider, "value", max(0, self.slider.value - 1)))
        forward.on_click(lambda _: setattr(self.slider, "value", min(last, self.slider.value + 1)))
        self.output = widgets.HTML(first)
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        self.widget = widgets.VBox([widgets.HBox([back, self.slider, forward]), self.output])

    def show(self, index):
        """Show trace row ``index`` (the slider calls this)."""
        self.output.value = tracer_html(self.rows, index)
        if self.slider.value != index:
            self.slider.value = index

    def __repr__(self):
        row = self.rows[self.slider.value]
        return (f"ShapeTracer of {self.title}: {len(self.rows)} layer calls, showing row {self.slider.value} "
                f"({row.name}); run it in Jupyter to use the slider.")

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle

"""The shape tracer: ``ShapeTracer(model)`` steps through the layer calls of a model with a slider, over the pure
functions ``tracer_step()`` (a dict of what one step shows) and ``tracer_html()`` (that step as HTML).
"""
import html

from .arguments import whole_number
from .shapes import conv_output_size
from .static_html import StaticFallback, sample, stepper_html
from .tracing import TraceRow, format_shape, trace
from .volumes import volumes_svg


def _fmt(number):
    return f"{number:,}"


def _spatial_axes(count):
    return {1: ["length"], 2: ["height", "width"], 3: ["depth", "height", "width"]}.get(count, [])


def _size_formulas(row):
    """floor((n + 2p - f)/s) + 1 with the numbers, one line per spatial axis (one line when they agree), for a
    convolution or pooling row; [] for other layers."""
    settings = row.settings
    kernel = settings.get("kernel_size") or settings.get("pool_size")
    padding = settings.get("padding")
    if (kernel is None or "Transpose" in row.kind or len(row.input_shapes) != 1 or padding not in ("valid", "same")
            or settings.get("data_format", "channels_last") != "channels_last"
            or len(row.input_shapes[0]) != len(kernel) + 1 or not isinstance(row.output_shape[0], (int, type(None)))):
        return []
    strides = settings.get("strides") or kernel
    dilation = settings.get("dilation_rate") or (1,) * len(kernel)
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
        "params_formula": row.params_formula,
        "macs": row.macs,
        "macs_formula": row.macs_formula,
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


def tracer_static_html(rows, index=0):
    """The tracer without a kernel: every step of ``rows`` (at most ``MAX_PAGES``, sampled evenly beyond that)
    rendered ahead with ``tracer_html`` and stepped through by a plain-JavaScript slider."""
    rows = _check_rows(rows)
    steps = sample(len(rows))
    note = (f"({len(steps)} of its {len(rows)} layer calls, evenly spread; run the notebook to see every one)"
            if len(steps) < len(rows) else "")
    start = min(range(len(steps)), key=lambda k: abs(steps[k] - index))
    return stepper_html([tracer_html(rows, i) for i in steps], [f"row {i}: {rows[i].name}" for i in steps],
                        "trace row", start=start, note=note)


class ShapeTracer(StaticFallback):
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

    def static_html(self):
        """The tracer without a kernel, starting at the current row (see ``tracer_static_html``)."""
        return tracer_static_html(self.rows, self.slider.value)

"""Layer-by-layer tracing of a Keras model: output shape, parameters, multiply-accumulates, activations.

``trace(model)`` walks the model's graph in the order the data flows, one row per layer call, so it works for
Sequential and functional models with branches, merges (residual adds, concatenations) and nested models.
Keras 3 records ``keras.ops`` arithmetic in a functional model (``keras.ops.relu(z + x)``) as operations, not layers:
they get a row too, with no parameters and a kind named like the layer that computes the same (``Add``, ``ReLU``).
"""
import html
import math
import numbers
from dataclasses import dataclass, field

from .arguments import keras_model


@dataclass
class TraceRow:
    """One layer call. Shapes are NHWC without the batch dimension."""

    name: str
    kind: str
    output_shape: tuple
    params: int
    macs: int
    activations: int
    input_shapes: list = field(default_factory=list)
    inbound: list = field(default_factory=list)
    settings: dict = field(default_factory=dict, repr=False, compare=False)
    params_formula: str = field(default="", repr=False, compare=False)  # how params add up, with the numbers
    macs_formula: str = field(default="", repr=False, compare=False)  # how macs add up, with the numbers


SETTINGS = ("filters", "units", "kernel_size", "pool_size", "strides", "padding", "dilation_rate", "groups",
            "use_bias", "data_format")


def layer_settings(layer):
    """The layer's settings that shapes and formulas need, as plain values (no reference to the layer or its weights,
    so a trace does not keep a deleted model's weights in memory): ``{"kernel_size": (3, 3), "activation": "relu", ...}``.
    """
    found = {name: getattr(layer, name) for name in SETTINGS if hasattr(layer, name)}
    found = {name: tuple(value) if isinstance(value, list) else value for name, value in found.items()
             if isinstance(value, (int, str, bool, tuple, list))}
    activation = getattr(layer, "activation", None)
    if activation is not None:
        found["activation"] = getattr(activation, "__name__", type(activation).__name__)
    return found


# keras.ops operations whose class name differs from the layer that computes the same
OPERATION_KINDS = {"Relu": "ReLU", "Relu6": "ReLU6", "LeakyRelu": "LeakyReLU", "Elu": "ELU"}


def _kind(operation):
    """The row's kind: the layer's class name, or for a ``keras.ops`` operation the name of the matching layer."""
    import keras

    kind = type(operation).__name__
    return kind if isinstance(operation, keras.layers.Layer) else OPERATION_KINDS.get(kind, kind)


def _shape(tensor):
    return tuple(tensor.shape[1:])


def _count(shape):
    return math.prod(d for d in shape if d is not None)


def _layer_costs(layer, input_shapes, output_shapes):
    """``(MACs, how they add up)`` of one call of ``layer`` on one image: ``(0, "")`` for layers without weights to
    multiply, and ``""`` where there is no simple formula."""
    import keras
    from keras import layers as L

    out = output_shapes[0]
    if isinstance(layer, keras.Model):
        return sum(row.macs for row in trace(layer)), ""
    if isinstance(layer, (L.SeparableConv1D, L.SeparableConv2D)):
        return _count(out[:-1]) * (_count(layer.depthwise_kernel.shape) + _count(layer.pointwise_kernel.shape)), ""
    if isinstance(layer, (L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose)):
        return _count(input_shapes[0][:-1]) * _count(layer.kernel.shape), ""
    if isinstance(layer, (L.DepthwiseConv1D, L.DepthwiseConv2D)):
        return _count(out[:-1]) * _count(layer.kernel.shape), ""
    if isinstance(layer, (L.Conv1D, L.Conv2D, L.Conv3D, L.Dense)):
        kernel = tuple(layer.kernel.shape)
        macs = _count(out[:-1]) * _count(kernel)
        formula = ""
        if isinstance(layer, L.Dense) and len(input_shapes[0]) == 1:
            formula = "·".join(map(str, kernel))
        elif not isinstance(layer, L.Dense) and getattr(layer, "groups", 1) == 1 and None not in out:
            formula = (f"{'·'.join(map(str, out))} · {'·'.join(map(str, kernel[:-1]))} "
                       f"(each output number costs f·f·n_c_in)")
        return macs, formula
    return 0, ""


def _params_formula(layer, params):
    """How the ``params`` of a convolution, dense or BatchNormalization layer add up, with the numbers, read from
    the shapes of its weights; '' for other layers."""
    from keras import layers as L

    bias = getattr(layer, "bias", None) is not None
    if isinstance(layer, (L.Conv1D, L.Conv2D, L.Conv3D)) and layer.groups == 1:
        *kernel, n_in, n_out = tuple(layer.kernel.shape)
        symbols = "·".join(["f"] * len(kernel)) + "·n_c_in·n_c_out" + (" + n_c_out" if bias else "")
        numbers = "·".join(map(str, kernel)) + f"·{n_in}·{n_out}" + (f" + {n_out}" if bias else "")
    elif isinstance(layer, L.Dense):
        n_in, n_out = tuple(layer.kernel.shape)
        symbols = "n_in·n_out" + (" + n_out" if bias else "")
        numbers = f"{n_in}·{n_out}" + (f" + {n_out}" if bias else "")
    elif isinstance(layer, L.BatchNormalization) and layer.center and layer.scale:
        n = int(layer.moving_mean.shape[0])
        return (f"4·n_c = 4·{n} (γ and β are learned; the moving mean and variance are not trained)"
                if 4 * n == params else "")
    else:
        return ""
    return f"{symbols} = {numbers}"


def _graph(model):
    """The model's layer calls (Keras nodes) in a valid data-flow order."""
    import keras

    graph = getattr(model, "_functional", None) or model
    by_depth = getattr(graph, "_nodes_by_depth", None)
    if not isinstance(model, keras.Sequential) and by_depth is None:
        raise ValueError(
            f"Model {model.name!r} is a subclassed keras.Model: its call() is Python code, so it has no graph of "
            f"layers to trace. Write it with keras.Sequential([...]) or the functional API, "
            f"keras.Model(inputs, outputs).")
    if isinstance(model, keras.Sequential) and not model.layers:
        raise ValueError(
            f"Model {model.name!r} has no layers to trace. Add them after its Input, for example "
            f"keras.Sequential([keras.Input(shape=(32, 32, 1)), layers.Conv2D(6, 5)]).")
    if not by_depth:
        raise ValueError(
            f"Model {model.name!r} has no input shape yet, so its layers have no shapes to trace. "
            f"Start it with an Input, for example keras.Sequential([keras.Input(shape=(32, 32, 1)), ...]), "
            f"or build it with model.build((None, 32, 32, 1)).")
    order = {id(layer): i for i, layer in enumerate(graph.layers)}
    ranked = [(-depth, order.get(id(node.operation), 0), i, node)
              for depth, nodes in by_depth.items() for i, node in enumerate(nodes)]
    return [node for *_, node in sorted(ranked, key=lambda r: r[:3])]


def trace(model):
    """One ``TraceRow`` per layer call of a built Keras ``model``, inputs first.

    ``params`` of each row equals ``layer.count_params()`` (a shared layer counts once, at its first call; a
    ``keras.ops`` operation has none), so the rows add up to ``model.count_params()``.

    >>> import keras
    >>> lenet_start = keras.Sequential([keras.Input(shape=(32, 32, 1)), keras.layers.Conv2D(6, 5)])
    >>> row = trace(lenet_start)[-1]
    >>> row.output_shape, row.params, row.macs
    ((28, 28, 6), 156, 117600)
    """
    keras_model(model)
    rows, names, calls, owners = [], {}, {}, {}
    for node in _graph(model):
        layer = node.operation
        calls[id(layer)] = calls.get(id(layer), 0) + 1
        name = layer.name if calls[id(layer)] == 1 else f"{layer.name} (call {calls[id(layer)]})"
        if owners.setdefault(name, id(layer)) != id(layer):  # an operation and a layer may share a name
            name = f"{name} ({_kind(layer)} {len(owners)})"
        names[id(node)] = name
        input_shapes = [_shape(t) for t in node.input_tensors]
        output_shapes = [_shape(t) for t in node.output_tensors]
        first = calls[id(layer)] == 1
        params = layer.count_params() if first and hasattr(layer, "count_params") else 0
        macs, macs_text = _layer_costs(layer, input_shapes, output_shapes) if input_shapes else (0, "")
        rows.append(TraceRow(
            name=name,
            kind=_kind(layer),
            output_shape=output_shapes[0] if len(output_shapes) == 1 else tuple(output_shapes),
            params=params,
            macs=macs,
            activations=sum(_count(s) for s in output_shapes),
            input_shapes=input_shapes,
            inbound=[names[id(parent)] for parent in node.parent_nodes if id(parent) in names],
            settings=layer_settings(layer),
            params_formula=(_params_formula(layer, params) if params else
                            "" if first else "shared layer: its parameters count at its first call"),
            macs_formula=macs_text,
        ))
    return rows


def format_shape(shape):
    """``(28, 28, 6)`` as ``'28 x 28 x 6'``; several outputs are joined with ``' | '``."""
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of sizes such as (28, 28, 6), got {type(shape).__name__}. "
                        f"Pass for example row.output_shape of a row of cu.trace(model).")
    if shape and isinstance(shape[0], tuple):
        return " | ".join(format_shape(s) for s in shape)
    bad = [d for d in shape if d is not None and (isinstance(d, bool) or not isinstance(d, numbers.Integral))]
    if bad:
        raise TypeError(f"shape must hold whole numbers (None for a size that is not fixed), got {bad[0]!r} in "
                        f"{tuple(shape)!r}. Pass for example (28, 28, 6).")
    return " x ".join("?" if d is None else str(d) for d in shape)


class TraceTable:
    """A trace shown as an HTML table in Jupyter and as aligned text elsewhere, with totals."""

    columns = ("layer", "kind", "output shape", "params", "MACs", "activations")

    def __init__(self, rows, title=""):
        self.rows = rows
        self.title = title
        self.total_params = sum(r.params for r in rows)
        self.total_macs = sum(r.macs for r in rows)
        self.total_activations = sum(r.activations for r in rows)

    def _cells(self):
        body = [(r.name, r.kind, format_shape(r.output_shape), f"{r.params:,}", f"{r.macs:,}",
                 f"{r.activations:,}") for r in self.rows]
        total = ("total", "", "", f"{self.total_params:,}", f"{self.total_macs:,}", f"{self.total_activations:,}")
        return body, total

    def __repr__(self):
        body, total = self._cells()
        table = [self.columns, *body, total]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.columns))]
        right = {3, 4, 5}

        def line(row):
            return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip()

        rule = "-" * len(line(self.columns))
        text = [line(self.columns), rule, *map(line, body), rule, line(total)]
        return "\n".join(([self.title] if self.title else []) + text)

    def _repr_html_(self):
        body, total = self._cells()

        def tr(cells, tag="td"):
            return "<tr>" + "".join(
                f'<{tag} style="text-align:{"right" if i >= 3 else "left"}">{html.escape(c)}</{tag}>'
                for i, c in enumerate(cells)) + "</tr>"

        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        rows = "".join(tr(c) for c in body)
        return (f"<table>{caption}<thead>{tr(self.columns, 'th')}</thead><tbody>{rows}</tbody>"
                f"<tfoot>{tr(total, 'th')}</tfoot></table>")


def trace_table(model):
    """``trace(model)`` as a table with totals (HTML in Jupyter, plain text when printed)."""
    return TraceTable(trace(model), title=f"{keras_model(model).name}")

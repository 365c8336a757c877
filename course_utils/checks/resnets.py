"""Checkers for notebook 02: the identity block, the projection block, and the parameter count of one identity block.

They compare behaviour, never layer names: the student's block is called on a symbolic input, wrapped in a model,
given fixed weights (each variable's values depend only on its kind and shape, so any layer names and any legal
order of calls get the same numbers), and its outputs are compared with a reference block written below.
A mismatch is then compared with the reference built with each common mistake, so the message can name it.

The blocks the exercises ask for (NHWC, BatchNormalization over the channels, the last axis):

- ``identity_block(x, filters, kernel_size=3, training=None)``: conv -> BN -> ReLU -> conv -> BN, add ``x``, ReLU.
  Convolutions use ``padding="same"`` and stride 1, so the output has the shape of ``x`` (which has ``filters``
  channels).
- ``projection_block(x, filters, kernel_size=3, strides=2, training=None)``: the same main path with ``strides`` on
  its first convolution; the shortcut is a 1x1 convolution with ``filters`` filters and the same ``strides``,
  then BN; add, ReLU.

When the outputs differ, or the add cannot be built, the student's graph itself (which layer takes which tensor,
with which strides, kernel size and padding) names the mistake: a shortcut taken from inside the main path, a
3x3 projection, a stride written as a number, a missing padding="same", ``training`` passed positionally.
Notebook 02 then calls the blocks many times in one ResNet, so the check does too.
"""
import math

import numpy as np

from ..tracing import format_shape
from .common import (ATOL, Failure, call_student, checker, number, passed, predicted, randomise,
                     ORDINAL, StudentRaised, same_outputs, student_line, student_value)

BATCH = 2
IDENTITY = {"input_shape": (5, 6, 4), "filters": 4, "kernel_size": 3, "strides": None}
PROJECTION = {"input_shape": (6, 8, 3), "filters": 4, "kernel_size": 3, "strides": 2}
ORDER = "conv -> BatchNormalization -> ReLU -> conv -> BatchNormalization, add the shortcut, then ReLU"
PASS_TRAINING = ("pass training=training, by name, in the call of every BatchNormalization layer (the call, "
                 "not the constructor).")


# ---------------------------------------------------------------------------------------------------------------
# Reference blocks, with the common mistakes as switches
# ---------------------------------------------------------------------------------------------------------------

def reference_block(x, filters, kernel_size=3, strides=None, training=None, mistake=None, epsilon=1e-3):
    """The correct residual block (``strides=None``: identity block), or the block with one named ``mistake``.

    ``epsilon`` is BatchNormalization's; the checks use the student's own, so that either choice passes.
    """
    from keras import layers

    def norm(tensor):
        return layers.BatchNormalization(epsilon=epsilon)(tensor, training=training)

    project = strides is not None
    strides = strides or 1
    first, second = (1, strides) if mistake == "stride_on_second_conv" else (strides, 1)
    y = layers.Conv2D(filters, kernel_size, strides=first, padding="same")(x)
    y = layers.ReLU()(norm(y))
    y = layers.Conv2D(filters, kernel_size, strides=second, padding="same")(y)
    if mistake != "add_before_bn":
        y = norm(y)
    if mistake in ("relu_before_add", "extra_relu_before_add"):
        y = layers.ReLU()(y)
    shortcut = x
    if project:
        shortcut = layers.Conv2D(filters, 1, strides=strides)(x)
        if mistake != "shortcut_without_bn":
            shortcut = norm(shortcut)
    if mistake == "no_shortcut":
        return layers.ReLU()(y)
    y = layers.Add()([y, shortcut])
    if mistake == "add_before_bn":
        y = norm(y)
    if mistake in ("relu_before_add", "no_final_relu"):
        return y
    return layers.ReLU()(y)


def reference_identity_block(x, filters, kernel_size=3, training=None):
    """The course's ``identity_block``: later cells of notebook 02 use it while the student's does not pass yet."""
    return reference_block(x, filters, kernel_size, training=training)


def reference_projection_block(x, filters, kernel_size=3, strides=2, training=None):
    """The course's ``projection_block``: later cells of notebook 02 use it while the student's does not pass yet."""
    return reference_block(x, filters, kernel_size, strides=strides, training=training)


MISTAKES = {  # mistake: (what is wrong, what to try)
    "no_shortcut": ("the shortcut is missing: the block never adds its input to the main path.",
                    "keep the block's input under its own name before the main path, add it to the main "
                    "path's output with layers.Add(), then apply the ReLU."),
    "relu_before_add": ("the ReLU is applied before the add instead of after it: the main path must end with "
                        "BatchNormalization, and the ReLU acts on the sum, a[l+2] = g(z[l+2] + a[l]).",
                        "move the last ReLU after the add."),
    "extra_relu_before_add": ("a ReLU is applied before the add as well as after it: the main path must end with "
                              "BatchNormalization, and the only ReLU after the second conv acts on the sum.",
                              "remove the ReLU between the second BatchNormalization and the add."),
    "no_final_relu": ("there is no ReLU after the add: a[l+2] = g(z[l+2] + a[l]) applies the ReLU to the sum.",
                      "apply layers.ReLU() to the output of the add."),
    "add_before_bn": ("the shortcut is added before the second BatchNormalization: normalise the main path "
                      "first, then add the shortcut.",
                      "call the second BatchNormalization on the second conv's output, then add."),
    "stride_on_second_conv": ("the stride is on the wrong path: it sits on the second conv of the main path.",
                              "put strides=strides on the first conv (and on the 1x1 shortcut conv) only."),
    "shortcut_without_bn": ("the projected shortcut has no BatchNormalization.",
                            "follow the 1x1 shortcut conv with its own BatchNormalization layer, called with "
                            "training=training."),
}
IDENTITY_MISTAKES = ("no_shortcut", "relu_before_add", "extra_relu_before_add", "no_final_relu", "add_before_bn")
PROJECTION_MISTAKES = IDENTITY_MISTAKES + ("stride_on_second_conv", "shortcut_without_bn")


# ---------------------------------------------------------------------------------------------------------------
# Fixed weights and outputs
# ---------------------------------------------------------------------------------------------------------------

def fixed_input(input_shape):
    return np.random.default_rng(2015).normal(0.0, 1.0, (BATCH, *input_shape)).astype("float32")


def outputs(model, x, zero_main=False, **call_kwargs):
    """The model's output on ``x`` with fixed weights, set again before each run (training runs move them)."""
    return np.asarray(randomise(model, zero_main)(x, **call_kwargs))


# ---------------------------------------------------------------------------------------------------------------
# Building the student's block
# ---------------------------------------------------------------------------------------------------------------

def _kwargs(spec, **changes):
    kwargs = {"filters": spec["filters"], "kernel_size": spec["kernel_size"]}
    if spec["strides"] is not None:
        kwargs["strides"] = spec["strides"]
    kwargs.update(changes)
    return kwargs


def _reference_kwargs(spec, **changes):
    names = ("filters", "kernel_size", "strides", "epsilon")
    return dict({name: spec[name] for name in names if name in spec}, **changes)


def _call_text(spec):
    return ", ".join(f"{k}={v}" for k, v in _kwargs(spec).items())


def _output_tensor(exercise, fn, inputs, **kwargs):
    """``fn(inputs, **kwargs)``, the student's output tensor, else ``Failure``."""
    import keras

    out = call_student(exercise, fn, inputs, **kwargs)
    if not isinstance(out, keras.KerasTensor):
        problem = ("returned None: the function has no `return`." if out is None
                   else f"returned a {type(out).__name__}, not the block's output tensor.")
        raise Failure(problem, "end with `return x` where x is the output of the last ReLU.")
    return out


def _model(inputs, out):
    """``keras.Model(inputs, out)``, else ``Failure``."""
    import keras

    try:
        return keras.Model(inputs, out)
    except Exception as exc:  # a graph that does not start at `inputs`, or two layers with one name
        names = [layer.name for layer in _graph_layers(inputs)]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise Failure(f"two layers of the model are named {repeated[0]!r}: your block gives its layers fixed "
                          f"names, so a model that calls it more than once, as the ResNet below does, cannot be "
                          f"built.", "leave out name=... and let Keras name the layers.", cause=exc) from None
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise Failure(f"the returned tensor is not computed from the input x ({first}).",
                      "build every layer on x (or on tensors computed from x); do not create a new keras.Input "
                      "inside.", cause=exc) from None


def build_student(exercise, fn, input_shape, inputs=None, **kwargs):
    """``keras.Model(x, fn(x, **kwargs))`` for a symbolic ``x`` (``inputs``, or a new ``keras.Input``); a
    ``Failure`` explains what went wrong."""
    import keras

    inputs = keras.Input(shape=input_shape) if inputs is None else inputs
    return _model(inputs, _output_tensor(exercise, fn, inputs, **kwargs))


def build_reference(input_shape, mistake=None, **kwargs):
    import keras

    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, reference_block(inputs, mistake=mistake, **kwargs))


def _batch_norms(model):
    from keras import layers

    found = []
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            found.append(layer)
        elif hasattr(layer, "layers"):
            found.extend(_batch_norms(layer))
    return found


def _kernel_weights(model):
    """Weights that are not biases: the parameter count that does not depend on ``use_bias``."""
    return sum(math.prod(v.shape) for v in model.trainable_weights if v.name.split("/")[-1] != "bias")


# ---------------------------------------------------------------------------------------------------------------
# Reading the student's graph: which layer takes what. It works after a failed build too: every layer call before
# the one that raised is recorded on its layer (Keras nodes), and the failing add has made no node yet.
# ---------------------------------------------------------------------------------------------------------------

def _nodes(inputs):
    """Every layer call (Keras node) that depends on the symbolic ``inputs``, in the order found."""
    history = getattr(inputs, "_keras_history", None)
    if history is None or history.operation is None:
        return []
    found, seen, todo = [], set(), list(history.operation._outbound_nodes)
    while todo:
        node = todo.pop(0)
        if id(node) not in seen:
            seen.add(id(node))
            found.append(node)
            todo.extend(node.operation._outbound_nodes)
    return found


def _graph_layers(inputs):
    """The distinct operations called on ``inputs`` or on what was computed from it."""
    found = []
    for node in _nodes(inputs):
        if not any(node.operation is known for known in found):
            found.append(node.operation)
    return found


def _takes(node, tensor):
    return any(t is tensor for t in node.input_tensors)


def _leads_to_conv(node):
    """True when a convolution uses this call's output, directly or further on."""
    from keras import layers

    seen, todo = set(), list(node.operation._outbound_nodes)
    while todo:
        later = todo.pop(0)
        if id(later) in seen:
            continue
        seen.add(id(later))
        if isinstance(later.operation, layers.Conv2D):
            return True
        todo.extend(later.operation._outbound_nodes)
    return False


def _source(tensor):
    history = getattr(tensor, "_keras_history", None)
    operation = getattr(history, "operation", None)
    return type(operation).__name__ if operation is not None else "an input"


class _Graph:
    """The student's block as Keras recorded it: its convolutions (main path and shortcut) and its merges."""

    def __init__(self, inputs):
        from keras import layers

        self.inputs = inputs
        self.nodes = _nodes(inputs)
        self.convs = [n for n in self.nodes if isinstance(n.operation, layers.Conv2D)]
        self.shortcut_convs = [n for n in self.convs if _takes(n, inputs) and not _leads_to_conv(n)]
        self.main_convs = [n for n in self.convs if not any(n is s for s in self.shortcut_convs)]
        self.merges = [n for n in self.nodes if len(n.input_tensors) >= 2]
        self.norms = [n for n in self.nodes if isinstance(n.operation, layers.BatchNormalization)]


def _check_training_positional(graph):
    for node in graph.norms:
        if len(node.arguments.args) > 1:
            raise Failure("`training` reaches BatchNormalization as a positional argument: Keras then cannot hand "
                          "the layer the model's own mode, and calling the model with training=... fails.",
                          PASS_TRAINING)


def _check_shared_layers(graph):
    """A layer object called twice shares its weights between the calls."""
    calls = {}
    for node in graph.nodes:
        if getattr(node.operation, "weights", None):
            calls.setdefault(id(node.operation), []).append(node.operation)
    for shared in (found for found in calls.values() if len(found) > 1):
        kind = type(shared[0]).__name__
        what = "weights and moving averages" if kind == "BatchNormalization" else "weights"
        raise Failure(f"the same {kind} layer object is called {len(shared)} times in your block, so its calls share "
                      f"one set of {what} and count_params() counts them once.",
                      f"create a new layers.{kind}(...) for each call, in the expression that calls it.")


NOT_AN_ADD = ("Concatenate", "Multiply", "Subtract", "Average", "Maximum", "Minimum")  # layers and keras.ops alike


def _check_merge(graph):
    for node in graph.merges:
        kind = type(node.operation).__name__
        if kind in NOT_AN_ADD:
            what = "stacks their channels side by side" if kind == "Concatenate" else "does not add them"
            raise Failure(f"the two paths are joined with {kind}, which {what}: a residual block adds the shortcut "
                          f"to the main path, a[l+2] = g(z[l+2] + a[l]).",
                          "join them with layers.Add() (or the + operator).")


def _said(keras_says):
    return f" (Keras: {keras_says})" if keras_says else ""


def _check_strides(graph, strides, projection, keras_says=""):
    said = _said(keras_says)
    stride = strides or 1
    for node in graph.convs:
        got = tuple(node.operation.strides)
        if got not in ((1, 1), (stride, stride)):
            if projection:
                raise Failure(f"a convolution always uses strides={got[0]}: called with strides={stride} your block "
                              f"still strides by {got[0]}{said}.",
                              "write strides=strides, not a number, on the first conv of the main path and on the "
                              "1x1 shortcut conv.")
            raise Failure(f"a convolution uses strides={got[0]}: an identity block keeps the height and width, so its "
                          f"convolutions move 1 pixel at a time{said}.",
                          "leave strides out of the identity block's convolutions (the default is 1).")
    strided = [n for n in graph.main_convs if tuple(n.operation.strides) != (1, 1)
               and tuple(n.operation.kernel_size) != (1, 1)]  # a 1x1 off x is a shortcut taken in the wrong place
    if projection and strided and graph.shortcut_convs and all(
            tuple(n.operation.strides) == (1, 1) for n in graph.shortcut_convs):
        raise Failure(f"the 1x1 shortcut conv has no stride: with strides={stride} the main path shrinks the height "
                      f"and width, while the shortcut keeps them{said}.",
                      "pass strides=strides to the 1x1 shortcut conv as well.")
    if projection and len(strided) > 1:
        raise Failure(f"both convolutions of the main path use strides={stride}, so the main path shrinks the height "
                      f"and width twice while the shortcut shrinks them once{said}.",
                      "keep strides=strides on the first conv of the main path only (and on the 1x1 shortcut conv).")


def _check_shortcut(graph, projection, keras_says=""):
    said = _said(keras_says)
    for node in graph.shortcut_convs:
        size = tuple(node.operation.kernel_size)
        if not projection:
            raise Failure("the shortcut goes through a convolution: in an identity block the shortcut is x itself, "
                          "added unchanged to the main path.",
                          "add x itself, kept under its own name before the main path, to the main path's output, "
                          "with no layer on the way.")
        if size != (1, 1):
            raise Failure(f"the shortcut uses a {size[0]}x{size[1]} convolution; the projection is a 1x1 "
                          f"convolution, which mixes the channels of each pixel and looks at no neighbours{said}.",
                          "give the shortcut's Conv2D a kernel_size of 1.")


def _check_padding(graph, keras_says=""):
    for node in graph.main_convs:
        layer, before, after = node.operation, node.input_tensors[0].shape, node.output_tensors[0].shape
        step = tuple(layer.strides)
        if any(after[i] < -(-before[i] // step[i - 1]) for i in (1, 2)):
            size = tuple(layer.kernel_size)
            raise Failure(f"a {size[0]}x{size[1]} convolution of the main path has no padding='same', so it loses "
                          f"{size[0] - 1} rows and {size[1] - 1} columns and the add cannot be built"
                          f"{_said(keras_says)}.", "pass padding='same' to both convolutions of the main path.")


def _check_shortcut_start(graph, projection, keras_says=""):
    inputs = graph.inputs
    misplaced = [n for n in graph.convs if tuple(n.operation.kernel_size) == (1, 1) and not _takes(n, inputs)
                 and not _leads_to_conv(n)] if projection else []
    if misplaced:
        raise Failure(f"the shortcut starts inside the main path: its 1x1 convolution is applied to the output of "
                      f"{_source(misplaced[0].input_tensors[0])}, not to the block's input x{_said(keras_says)}.",
                      "compute the shortcut from x before the main path reassigns x.")
    if graph.merges and not graph.shortcut_convs and not any(_takes(m, inputs) for m in graph.merges):
        added = " and ".join(_source(t) for t in graph.merges[-1].input_tensors)
        raise Failure(f"the shortcut starts inside the main path: the add receives the outputs of {added}, not the "
                      f"block's input x.", "keep the block's input under its own name before the main path "
                                           "reassigns x, and add that.")


def _structure_problem(inputs, strides, projection, failed_build=False, keras_says=""):
    """``Failure`` naming a mistake that the graph of the student's block shows (nothing if none does).

    ``failed_build``: the add could not be built (its inputs have different shapes); then the convolutions that
    shrink H and W are looked at too.
    """
    graph = _Graph(inputs)
    _check_training_positional(graph)
    _check_shared_layers(graph)
    _check_merge(graph)
    _check_strides(graph, strides, projection, keras_says)
    _check_shortcut(graph, projection, keras_says)
    if failed_build:
        _check_padding(graph, keras_says)
    _check_shortcut_start(graph, projection, keras_says)


def _shape_error(failure):
    """True when the student's code failed because two tensors of different shapes met (in the add)."""
    return isinstance(failure.cause, ValueError) and any(
        words in str(failure.cause).lower() for words in ("incompatible shapes", "broadcast"))


def _attempt(exercise, fn, input_shape, projection, **kwargs):
    """``build_student``, with the mistake named when the student's code fails in a way a known mistake does."""
    import keras

    inputs = keras.Input(shape=input_shape)
    try:
        return build_student(exercise, fn, input_shape, inputs=inputs, **kwargs)
    except StudentRaised as failure:
        cause = failure.cause
        if isinstance(cause, (TypeError, ValueError)) and "training" in str(cause) and "keyword" in str(cause):
            raise Failure("`training` is passed to the BatchNormalization constructor, which does not take it: it "
                          "belongs to the layer's call.", PASS_TRAINING, cause) from None
        if isinstance(cause, ValueError) and "trainable" in str(cause):
            raise Failure(f"BatchNormalization(trainable=...) raised {failure.first_line()}{student_line(cause)}: "
                          f"`trainable` says whether training may change the layer's weights at all; the mode (batch "
                          f"statistics or moving averages) is the `training` argument of the layer's call.",
                          PASS_TRAINING, cause) from None
        if _shape_error(failure):
            _structure_problem(inputs, kwargs.get("strides"), projection, failed_build=True,
                               keras_says=failure.first_line().rstrip("."))
        raise


def _run(model, x, zero_main=False, **call_kwargs):
    """``outputs()`` of the student's model; an error while running it becomes a ``Failure``."""
    try:
        return outputs(model, x, zero_main, **call_kwargs)
    except Exception as exc:  # the student's graph fails at run time
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise Failure(f"your block builds, but running it on a batch raised {type(exc).__name__}: {first}.",
                      f"build every layer of the block from x, in the order {ORDER}.", cause=exc) from None


# ---------------------------------------------------------------------------------------------------------------
# The checks, in phases
# ---------------------------------------------------------------------------------------------------------------

def _diagnose(model, spec, x, mistakes):
    """``Failure``: the student's inference output differs from the reference; named if a known mistake explains
    it."""
    _structure_problem(model.inputs[0], spec["strides"], spec["strides"] is not None)
    kwargs = _reference_kwargs(spec)
    student = _run(model, x, training=False)
    for mistake in mistakes:
        variant = build_reference(spec["input_shape"], mistake=mistake, **kwargs)
        if same_outputs(student, outputs(variant, x, training=False)):
            raise Failure(*MISTAKES[mistake])
    reference = build_reference(spec["input_shape"], **kwargs)
    zero_student = _run(model, x, zero_main=True, training=False)
    zero_reference = outputs(reference, x, zero_main=True, training=False)
    if not same_outputs(zero_student, zero_reference):
        if np.allclose(zero_student, 0.0, atol=ATOL):
            raise Failure(MISTAKES["no_shortcut"][0] + " With the main path's kernels at zero your block returns zeros "
                          "instead of the shortcut.", "add the shortcut (the block's input, kept before the main "
                                                      "path) to the main path, then apply the ReLU.")
        if spec["strides"] is None and same_outputs(zero_student, x):
            raise Failure(MISTAKES["no_final_relu"][0] + " With the main path's kernels at zero your block returns x, "
                          "not relu(x).", "apply layers.ReLU() to the output of the add.")
        if spec["strides"] is None:
            raise Failure("with the main path's kernels at zero an identity block returns relu(x), yours returns "
                          "something else: the shortcut must carry x unchanged to the add.", f"the order is {ORDER}.")
    gap = float(np.max(np.abs(student - outputs(reference, x, training=False))))
    raise Failure(f"on a fixed input with fixed weights your block's output differs from the reference (largest "
                  f"difference {gap:.2g}).", f"the order is {ORDER}.")


def _check_before_running(model):
    """What the graph shows before the block runs: a positional `training` fails at run time, a shared layer or a
    merge other than an add changes what the later phases would report."""
    graph = _Graph(model.inputs[0])
    _check_training_positional(graph)
    _check_shared_layers(graph)
    _check_merge(graph)


def _check_shape(model, reference, spec):
    got, want = tuple(model.output.shape[1:]), tuple(reference.output.shape[1:])
    if got != want and spec["strides"] is not None and got[:2] == tuple(spec["input_shape"][:2]) and got[2] == want[2]:
        raise Failure(f"`strides` is ignored: called with strides={spec['strides']} your block keeps the height and "
                      f"width, {format_shape(got[:2])}.",
                      "pass strides=strides to the first conv of the main path and to the 1x1 shortcut conv.")
    if got != want:
        raise Failure(f"for an input of {format_shape(spec['input_shape'])} with {_call_text(spec)} your block "
                      f"outputs {format_shape(got)}, expected {format_shape(want)}.",
                      "use padding='same' in the convolutions, filters=filters, and strides only where the exercise "
                      "says.")
    for layer in _batch_norms(model):  # the inputs are NHWC, rank 4
        if layer.axis % 4 != 3:
            raise Failure(f"BatchNormalization is on the wrong axis (axis={layer.axis}): it normalises axis "
                          f"{layer.axis % 4} of an NHWC tensor, not the channels.",
                          "use layers.BatchNormalization() (axis=-1, the channels, is the default).")


def _check_outputs(model, reference, spec, x, mistakes):
    """Inference outputs with fixed weights, then with the main path's kernels at zero."""
    if not same_outputs(_run(model, x, training=False), outputs(reference, x, training=False)):
        _diagnose(model, spec, x, mistakes)
    if not same_outputs(_run(model, x, zero_main=True, training=False),
                        outputs(reference, x, zero_main=True, training=False)):
        raise Failure("with the main path's kernels at zero the block must return relu(shortcut); yours does not.",
                      f"the order is {ORDER}.")


def _norm_name(graph, node):
    """How the student would name one BatchNormalization call: on the shortcut, or the n-th of the main path."""
    source = node.input_tensors[0]
    if any(source is conv.output_tensors[0] for conv in graph.shortcut_convs):
        return "the shortcut's BatchNormalization"
    main = [n for n in graph.norms if not any(n.input_tensors[0] is c.output_tensors[0] for c in graph.shortcut_convs)]
    index = next(i for i, n in enumerate(main) if n is node)
    return f"the {ORDINAL[index] if index < len(ORDINAL) else f'#{index + 1}'} BatchNormalization of the main path"


def _check_training(exercise, fn, spec, x):
    """Built with training=True and with training=False, the block normalises with batch statistics and with the
    moving averages; and every BatchNormalization call receives the flag (Keras hands an explicit flag on to the
    layers called after it, so the outputs alone can miss one call without it)."""
    projection = spec["strides"] is not None
    reference = build_reference(spec["input_shape"], training=None, **_reference_kwargs(spec))
    inference = outputs(reference, x, training=False)
    batch_stats = outputs(reference, x, training=True)
    for flag, want, name in ((True, batch_stats, "batch statistics"), (False, inference, "moving averages")):
        built = _attempt(exercise, fn, spec["input_shape"], projection, **_kwargs(spec, training=flag))
        got = _run(built, x)
        if not same_outputs(got, want):
            if flag and same_outputs(got, inference):
                raise Failure("the `training` flag is ignored: called with training=True your block still "
                              "normalises with the moving averages, as in inference.", PASS_TRAINING)
            if not flag and same_outputs(got, batch_stats):
                raise Failure("the `training` flag is ignored: called with training=False your block still "
                              "normalises with batch statistics.", PASS_TRAINING)
            raise Failure(f"the `training` flag does not reach every BatchNormalization: called with training={flag} "
                          f"your block does not normalise with the {name}.", PASS_TRAINING)
        graph = _Graph(built.inputs[0])
        for node in graph.norms:
            if node.arguments.kwargs.get("training") is not flag:
                raise Failure(f"the `training` flag does not reach every BatchNormalization: called with "
                              f"training={flag}, your block calls {_norm_name(graph, node)} without it.",
                              PASS_TRAINING)


def _check_kernel_size(exercise, fn, spec):
    kernel_size = 5
    built = _attempt(exercise, fn, spec["input_shape"], spec["strides"] is not None,
                     **_kwargs(spec, training=None, kernel_size=kernel_size))
    wanted = build_reference(spec["input_shape"], **_reference_kwargs(spec, kernel_size=kernel_size))
    if _kernel_weights(built) != _kernel_weights(wanted):
        raise Failure(f"kernel_size is ignored: with kernel_size={kernel_size} your block has "
                      f"{_kernel_weights(built):,} weights (biases aside), expected {_kernel_weights(wanted):,}.",
                      "pass kernel_size=kernel_size to the main path's convolutions.")


def _check_params(model, reference):
    if model.count_params() != reference.count_params():
        conv_biases = sum(layer.filters for layer in reference.layers if type(layer).__name__ == "Conv2D")
        missing = reference.count_params() - model.count_params()
        why = " the convolutions' biases are missing (use_bias=False)" if missing == conv_biases else ""
        raise Failure(f"your block stores {model.count_params():,} parameters, the exercise's block "
                      f"{reference.count_params():,}:{why or ' a layer differs'}.",
                      "keep Conv2D's default use_bias=True as the exercise says; the parameter count of exercise 3 "
                      "and the cells below count the biases.")


def _check_called_twice(exercise, fn, spec):
    """Notebook 02's ResNet calls the block many times in one model: two calls in a row must build."""
    import keras

    inputs = keras.Input(shape=spec["input_shape"])
    once = _output_tensor(exercise, fn, inputs, **_kwargs(spec))
    _model(inputs, _output_tensor(exercise, fn, once, **_kwargs(spec)))


def _check_behaviour(exercise, fn, spec, mistakes):
    """Every phase of a block's check, in order; the first that finds a mistake raises ``Failure``."""
    x = fixed_input(spec["input_shape"])
    model = _attempt(exercise, fn, spec["input_shape"], spec["strides"] is not None, **_kwargs(spec, training=None))
    _check_before_running(model)
    epsilons = {layer.epsilon for layer in _batch_norms(model)}
    if len(epsilons) == 1:  # BatchNormalization's epsilon is a free choice (Keras's ResNet50 uses 1.001e-5)
        spec = dict(spec, epsilon=epsilons.pop())
    reference = build_reference(spec["input_shape"], training=None, **_reference_kwargs(spec))
    _check_shape(model, reference, spec)
    _check_outputs(model, reference, spec, x, mistakes)
    _check_training(exercise, fn, spec, x)
    _check_kernel_size(exercise, fn, spec)
    _check_params(model, reference)
    _check_called_twice(exercise, fn, spec)


@checker("identity_block", reference=reference_identity_block)
def check_identity_block(identity_block):
    """Check ``identity_block(x, filters, kernel_size=3, training=None)`` by its behaviour, not its layer names.

    Returns a ``CheckResult`` (one line; true when right) that names the mistake when there is one.
    """
    _check_behaviour("identity_block", identity_block, IDENTITY, IDENTITY_MISTAKES)
    return passed("identity_block", "same outputs as the reference on a fixed input with fixed weights, in inference "
                                    "and training mode, and relu(x) when the main path's kernels are zero.")


def _check_probes(fn):
    """The projection block called with stride 1 (its convolutions must follow `strides`), with stride 1 and more
    filters than input channels (the shortcut must be projected), and with stride 2 and as many filters as input
    channels (both paths must be strided)."""
    exercise = "projection_block"
    h, w, c = PROJECTION["input_shape"]
    filters = PROJECTION["filters"]
    kept = _attempt(exercise, fn, (h, w, filters), True, filters=filters, kernel_size=3, strides=1)
    got = tuple(kept.output.shape[1:3])
    if got != (h, w):
        raise Failure(f"`strides` is ignored: called with strides=1 your block turns {h} x {w} into "
                      f"{format_shape(got)}, so its convolutions stride by a number of their own.",
                      "write strides=strides, not a number, on the first conv of the main path and on the 1x1 "
                      "shortcut conv.")
    probes = (
        ((h, w, c), 1, f"the shortcut is not projected when the channels change: with strides=1 and {c} input "
                       f"channels -> filters={filters}, the two paths reach the add with different channels",
         "project the shortcut with a 1x1 convolution with `filters` filters and strides=strides, followed by "
         "BatchNormalization."),
        ((h, w, filters), 2, "the stride is on the wrong path: with strides=2 (channels unchanged) the two paths "
                             "reach the add with different heights and widths",
         "put strides=strides on the first conv of the main path and on the 1x1 shortcut conv, nowhere else."),
    )
    for input_shape, strides, problem, fix in probes:
        try:
            _attempt(exercise, fn, input_shape, True, filters=filters, kernel_size=3, strides=strides)
        except StudentRaised as failure:  # the add of the student's block could not be built
            raise Failure(f"{problem} (Keras: {failure.first_line().rstrip('.')}).", fix, failure.cause) from None


@checker("projection_block", reference=reference_projection_block)
def check_projection_block(projection_block):
    """Check ``projection_block(x, filters, kernel_size=3, strides=2, training=None)`` by its behaviour.

    Before comparing outputs it calls the block three more times to tell the shape mistakes apart (``_check_probes``).
    """
    _check_probes(projection_block)
    _check_behaviour("projection_block", projection_block, PROJECTION, PROJECTION_MISTAKES)
    filters, (h, w, _) = PROJECTION["filters"], PROJECTION["input_shape"]
    out = (h // PROJECTION["strides"], w // PROJECTION["strides"], filters)
    return passed("projection_block", f"{format_shape(PROJECTION['input_shape'])} -> {format_shape(out)} with "
                                      f"strides=2, and the same outputs as the reference with fixed weights, in "
                                      f"inference and training mode.")


# ---------------------------------------------------------------------------------------------------------------
# Prediction: the parameters of one identity block
# ---------------------------------------------------------------------------------------------------------------

PARAMS = "identity block parameters"
PARAMS_FILTERS = 16  # identity_block(x, filters=16) on a 28x28x16 input
PARAMS_CONV = 3 * 3 * PARAMS_FILTERS * PARAMS_FILTERS + PARAMS_FILTERS  # 2,320: weights and biases
PARAMS_BN = 4 * PARAMS_FILTERS  # 64: gamma, beta (trained), moving mean and variance (averaged)
IDENTITY_PARAMS = 2 * PARAMS_CONV + 2 * PARAMS_BN  # 4,768


def _params_slips():
    """Wrong counts that a known slip gives, with what the slip is."""
    f, conv, bn = PARAMS_FILTERS, PARAMS_CONV, PARAMS_BN
    weights = conv - f
    return {
        2 * weights + 2 * bn: "forgot the biases: each convolution has one per filter.",
        2 * conv: "left out the two BatchNormalization layers; they store numbers for every channel too.",
        2 * conv + 2 * 2 * f: "either you counted only the two numbers per channel that training learns (gamma and "
                              "beta), and count_params() also counts the moving mean and variance that "
                              "BatchNormalization keeps, or you counted one BatchNormalization layer where the main "
                              "path has two.",
        2 * weights: "counted only the convolutions' weights: the biases and both BatchNormalization layers are "
                     "missing.",
        conv + bn: "counted one convolution and one BatchNormalization layer; the main path has two of each.",
        conv + 2 * bn: "counted one convolution; the main path has two.",
        conv: "counted one convolution alone; the main path has two, each followed by BatchNormalization.",
        weights: "counted the weights of one convolution alone.",
        2 * (3 * 3 * f + f) + 2 * bn: "forgot that each filter spans all 16 input channels.",
        2 * (3 * 3 * f) + 2 * bn: "forgot the biases, and that each filter spans all 16 input channels.",
        IDENTITY_PARAMS + (f * f + f) + bn: "gave the shortcut a 1x1 convolution and BatchNormalization; an "
                                            "identity block's shortcut is x itself and stores nothing.",
        IDENTITY_PARAMS + (f * f + f): "gave the shortcut a 1x1 convolution; an identity block's shortcut is x "
                                       "itself and stores nothing.",
        2 * bn + 2 * 4: "BatchNormalization stores its numbers per channel, not 4 per layer.",
        2 * conv + 2 * 4: "BatchNormalization stores 4 numbers for every channel, not 4 per layer.",
        28 * 28 * 2 * weights: "that is the multiply-accumulates (MACs) per image: parameters are stored once, "
                               "not once per output pixel.",
        28 * 28 * f: "that is the number of output values (activations), not of parameters.",
    }


@checker(PARAMS)
def check_identity_params(identity_params):
    """Check the predicted ``count_params()`` of ``identity_block(x, filters=16)`` on a 28x28x16 input.

    The convolutions keep their biases; each BatchNormalization layer stores 4 numbers per channel.
    """
    value = number(student_value(PARAMS, identity_params, "identity_params", example="a whole number"),
                   "identity_params", whole="a parameter count is whole: count whole numbers of weights, biases and "
                                            "BatchNormalization values.")
    predicted(value, IDENTITY_PARAMS, _params_slips(),
              f"identity_params = {value:,} is not the block's parameter count",
              "add both convolutions (f^2 * n_c_in * n_c_out + n_c_out each) and both BatchNormalization layers (4 "
              "numbers per channel each); the shortcut x adds nothing.",
              "add up the numbers every layer of the block stores.")
    return passed(PARAMS, f"{IDENTITY_PARAMS:,} parameters: {PARAMS_CONV:,} in each convolution, {PARAMS_BN} in each "
                          f"BatchNormalization layer, none on the shortcut.")


BN_MODES = "BN after a short training"
BN_MODES_CHOICES = {
    "a": "the moving averages are the right statistics after a long training, but this one is 125 steps with "
         "momentum=0.99, so every average still holds a large share of its starting value (mean 0, variance 1) and "
         "trails the weights, which changed fast.",
    "b": "the moving averages still hold much of their starting values and trail the weights, while each batch's own "
         "statistics describe the network as it is now.",
    "c": "the two would agree only if the moving averages had caught up with the network; with momentum=0.99 each "
         "step moves them 1% of the way, and 125 steps of fast-changing weights leave them far behind.",
}


@checker(BN_MODES)
def check_bn_modes(bn_prediction):
    """Check the predicted choice: after one pass of 125 steps with BN's default momentum 0.99, does ResNet-8 score
    higher on held-out images with (a) the moving averages, (b) each batch's own statistics, (c) about the same."""
    from .choices import check_choice

    return check_choice(BN_MODES, bn_prediction, "bn_prediction", BN_MODES_CHOICES, right="b")

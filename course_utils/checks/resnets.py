"""Checkers for notebook 02: the identity block and the projection block.

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
"""
import math
import zlib

import numpy as np

from .common import StudentError, call_student, checker, failed, passed

ATOL = 1e-4
BATCH = 2
IDENTITY = {"input_shape": (5, 6, 4), "filters": 4, "kernel_size": 3, "strides": None}
PROJECTION = {"input_shape": (6, 8, 3), "filters": 4, "kernel_size": 3, "strides": 2}
ORDER = "conv -> BatchNormalization -> ReLU -> conv -> BatchNormalization, add the shortcut, then ReLU"
PASS_TRAINING = ("pass training=training to every BatchNormalization call: "
                 "layers.BatchNormalization()(x, training=training).")


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
                    "keep shortcut = x before the main path, and end with layers.ReLU()(layers.Add()([y, shortcut]))."),
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
                            "follow the 1x1 conv with its own layers.BatchNormalization()(shortcut, "
                            "training=training)."),
}
IDENTITY_MISTAKES = ("no_shortcut", "relu_before_add", "extra_relu_before_add", "no_final_relu", "add_before_bn")
PROJECTION_MISTAKES = IDENTITY_MISTAKES + ("stride_on_second_conv", "shortcut_without_bn")


# ---------------------------------------------------------------------------------------------------------------
# Fixed weights and outputs
# ---------------------------------------------------------------------------------------------------------------

def fixed_value(name, shape, zero_main=False):
    """The value the checks give a variable: it depends only on its name (kernel, gamma, ...) and shape.

    ``zero_main=True`` zeroes the main path: every kernel larger than 1x1, every bias, and BatchNormalization's
    ``beta`` and ``moving_mean``, so that in inference mode the main path outputs exactly 0.
    """
    shape = tuple(int(d) for d in shape)
    rng = np.random.default_rng(zlib.crc32(f"{name}{shape}".encode()))
    if name == "kernel":
        if zero_main and len(shape) == 4 and shape[:2] != (1, 1):
            return np.zeros(shape, "float32")
        return rng.normal(0.0, 1.0 / math.sqrt(max(1, math.prod(shape[:-1]))), shape).astype("float32")
    if name == "bias" or (zero_main and name in ("beta", "moving_mean")):
        return np.zeros(shape, "float32")
    low, high = {"gamma": (0.5, 1.5), "beta": (-0.5, 0.5), "moving_mean": (-0.5, 0.5),
                 "moving_variance": (0.5, 2.0)}.get(name, (-0.3, 0.3))
    return rng.uniform(low, high, shape).astype("float32")


def set_fixed_weights(model, zero_main=False):
    for variable in model.weights:
        name = variable.name.split("/")[-1].split(":")[0]
        variable.assign(fixed_value(name, variable.shape, zero_main))
    return model


def fixed_input(input_shape):
    return np.random.default_rng(2015).normal(0.0, 1.0, (BATCH, *input_shape)).astype("float32")


def outputs(model, x, zero_main=False, **call_kwargs):
    """The model's output on ``x`` with fixed weights, set again before each run (training runs move them)."""
    set_fixed_weights(model, zero_main)
    return np.asarray(model(x, **call_kwargs))


def same(a, b):
    return a.shape == b.shape and np.allclose(a, b, atol=ATOL, rtol=ATOL)


def _shape_text(shape):
    return " x ".join(str(d) for d in shape)


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


def build_student(exercise, fn, input_shape, **kwargs):
    """``keras.Model(x, fn(x, **kwargs))`` for a symbolic ``x``; a ``StudentError`` explains what went wrong."""
    import keras

    inputs = keras.Input(shape=input_shape)
    out = call_student(exercise, fn, inputs, **kwargs)
    if not isinstance(out, keras.KerasTensor):
        problem = ("returned None: the function has no `return`." if out is None
                   else f"returned a {type(out).__name__}, not the block's output tensor.")
        raise StudentError(failed(exercise, problem, "end with `return x` where x is the output of the last ReLU."))
    try:
        return keras.Model(inputs, out)
    except Exception as exc:  # a graph that does not start at `inputs`
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise StudentError(failed(
            exercise, f"the returned tensor is not computed from the input x ({first}).",
            "build every layer on x (or on tensors computed from x); do not create a new keras.Input inside.")
        ) from None


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
# The checks
# ---------------------------------------------------------------------------------------------------------------

def _diagnose(exercise, model, spec, x, mistakes):
    """The student's inference output differs from the reference: name the mistake if a known one explains it."""
    kwargs = _reference_kwargs(spec)
    student = outputs(model, x, training=False)
    for mistake in mistakes:
        variant = build_reference(spec["input_shape"], mistake=mistake, **kwargs)
        if same(student, outputs(variant, x, training=False)):
            return failed(exercise, *MISTAKES[mistake])
    reference = build_reference(spec["input_shape"], **kwargs)
    zero_student = outputs(model, x, zero_main=True, training=False)
    zero_reference = outputs(reference, x, zero_main=True, training=False)
    if not same(zero_student, zero_reference):
        if np.allclose(zero_student, 0.0, atol=ATOL):
            return failed(exercise, MISTAKES["no_shortcut"][0] + " With the main path's kernels at zero your block "
                          "returns zeros instead of the shortcut.", "add the shortcut to the main path with "
                          "layers.Add()([x, shortcut]), then apply the ReLU.")
        if spec["strides"] is None and same(zero_student, x):
            return failed(exercise, MISTAKES["no_final_relu"][0] + " With the main path's kernels at zero your block "
                          "returns x, not relu(x).", "apply layers.ReLU() to the output of the add.")
        if spec["strides"] is None:
            return failed(exercise, "with the main path's kernels at zero an identity block returns relu(x), "
                          "yours returns something else: the shortcut must carry x unchanged to the add.",
                          f"the order is {ORDER}.")
    gap = float(np.max(np.abs(student - outputs(reference, x, training=False))))
    return failed(exercise, f"on a fixed input with fixed weights your block's output differs from the reference "
                            f"(largest difference {gap:.2g}).", f"the order is {ORDER}.")


def _check_behaviour(exercise, fn, spec, mistakes):
    x = fixed_input(spec["input_shape"])
    model = build_student(exercise, fn, spec["input_shape"], **_kwargs(spec, training=None))
    epsilons = {layer.epsilon for layer in _batch_norms(model)}
    if len(epsilons) == 1:  # BatchNormalization's epsilon is a free choice (Keras's ResNet50 uses 1.001e-5)
        spec = dict(spec, epsilon=epsilons.pop())
    ref_kwargs = _reference_kwargs(spec)
    reference = build_reference(spec["input_shape"], training=None, **ref_kwargs)

    got, want = tuple(model.output.shape[1:]), tuple(reference.output.shape[1:])
    if got != want:
        return failed(exercise, f"for an input of {_shape_text(spec['input_shape'])} with {_call_text(spec)} your "
                                f"block outputs {_shape_text(got)}, expected {_shape_text(want)}.",
                      "use padding='same' in the convolutions, filters=filters, and strides only where the "
                      "exercise says.")
    for layer in _batch_norms(model):  # the inputs are NHWC, rank 4
        if layer.axis % 4 != 3:
            return failed(exercise, f"BatchNormalization is on the wrong axis (axis={layer.axis}): it normalises "
                                    f"axis {layer.axis % 4} of an NHWC tensor, not the channels.",
                          "use layers.BatchNormalization() (axis=-1, the channels, is the default).")

    if not same(outputs(model, x, training=False), outputs(reference, x, training=False)):
        return _diagnose(exercise, model, spec, x, mistakes)
    if not same(outputs(model, x, zero_main=True, training=False),
                outputs(reference, x, zero_main=True, training=False)):
        return failed(exercise, "with the main path's kernels at zero the block must return relu(shortcut); yours "
                                "does not.", f"the order is {ORDER}.")

    inference = outputs(reference, x, training=False)
    batch_stats = outputs(reference, x, training=True)
    for flag, want, name in ((True, batch_stats, "batch statistics"), (False, inference, "moving averages")):
        built = build_student(exercise, fn, spec["input_shape"], **_kwargs(spec, training=flag))
        got = outputs(built, x)
        if same(got, want):
            continue
        if flag and same(got, inference):
            return failed(exercise, "the `training` flag is ignored: called with training=True your block still "
                                    "normalises with the moving averages, as in inference.", PASS_TRAINING)
        if not flag and same(got, batch_stats):
            return failed(exercise, "the `training` flag is ignored: called with training=False your block still "
                                    "normalises with batch statistics.", PASS_TRAINING)
        return failed(exercise, f"the `training` flag does not reach every BatchNormalization: called with "
                                f"training={flag} your block does not normalise with the {name}.", PASS_TRAINING)

    kernel_size = 5
    built = build_student(exercise, fn, spec["input_shape"], **_kwargs(spec, training=None, kernel_size=kernel_size))
    wanted = build_reference(spec["input_shape"], **dict(ref_kwargs, kernel_size=kernel_size))
    if _kernel_weights(built) != _kernel_weights(wanted):
        return failed(exercise, f"kernel_size is ignored: with kernel_size={kernel_size} your block has "
                                f"{_kernel_weights(built):,} weights (biases aside), expected "
                                f"{_kernel_weights(wanted):,}.",
                      "pass kernel_size=kernel_size to the main path's convolutions.")
    return None


@checker("identity_block", reference=reference_identity_block)
def check_identity_block(identity_block):
    """Check ``identity_block(x, filters, kernel_size=3, training=None)`` by its behaviour, not its layer names.

    Returns a ``CheckResult`` (one line; true when right) that names the mistake when there is one.
    """
    exercise = "identity_block"
    problem = _check_behaviour(exercise, identity_block, IDENTITY, IDENTITY_MISTAKES)
    if problem is not None:
        return problem
    return passed(exercise, "same outputs as the reference on a fixed input with fixed weights, in inference and "
                            "training mode, and relu(x) when the main path's kernels are zero.")


@checker("projection_block", reference=reference_projection_block)
def check_projection_block(projection_block):
    """Check ``projection_block(x, filters, kernel_size=3, strides=2, training=None)`` by its behaviour.

    Before comparing outputs it calls the block twice more to tell the two shape mistakes apart: with stride 1
    and more filters than input channels (the shortcut must be projected), and with stride 2 and as many
    filters as input channels (both paths must be strided).
    """
    exercise = "projection_block"
    h, w, c = PROJECTION["input_shape"]
    filters = PROJECTION["filters"]
    build_student(exercise, projection_block, (h, w, filters), filters=filters, kernel_size=3, strides=1)
    probes = (
        ((h, w, c), 1, f"the shortcut is not projected when the channels change: with strides=1 and {c} input "
                       f"channels -> filters={filters}, the two paths reach the add with different channels",
         "project the shortcut: shortcut = layers.Conv2D(filters, 1, strides=strides)(x), then "
         "BatchNormalization."),
        ((h, w, filters), 2, "the stride is on the wrong path: with strides=2 (channels unchanged) the two paths "
                             "reach the add with different heights and widths",
         "put strides=strides on the first conv of the main path and on the 1x1 shortcut conv, nowhere else."),
    )
    for input_shape, strides, problem, fix in probes:
        try:
            build_student(exercise, projection_block, input_shape, filters=filters, kernel_size=3, strides=strides)
        except StudentError as err:
            if err.result.message.startswith("your code raised"):
                keras_says = err.result.message.removeprefix("your code raised ").split(" Try:")[0].rstrip(".")
                return failed(exercise, f"{problem} (Keras: {keras_says}).", fix)
            raise
    problem = _check_behaviour(exercise, projection_block, PROJECTION, PROJECTION_MISTAKES)
    if problem is not None:
        return problem
    out = tuple(PROJECTION["input_shape"][i] // PROJECTION["strides"] for i in (0, 1)) + (filters,)
    return passed(exercise, f"{_shape_text(PROJECTION['input_shape'])} -> {_shape_text(out)} with strides=2, and the "
                            f"same outputs as the reference with fixed weights, in inference and training mode.")

"""Checkers for notebook 04: a 1x1 convolution written in NumPy, the output and parameters of GoogLeNet's 1x1
reduction (a prediction), and the multiply-accumulates (MACs) of a 1x1 bottleneck followed by a convolution.

``one_by_one(volume, kernel, bias)`` takes an NHWC ``volume`` (n, h, w, c_in), a ``kernel`` (c_in, c_out) and a
``bias`` (c_out,), and returns ReLU(volume @ kernel + bias), shaped (n, h, w, c_out): a dense layer at every pixel.
Its check compares the output with a Keras ``Conv2D(kernel_size=1)`` given the same weights.

The prediction is the 1x1 convolution with 16 filters that GoogLeNet's inception (3a) block applies to its
28 x 28 x 192 input before the 5x5 convolution of that branch (Szegedy et al. 2014, Table 1).

The function exercise ``bottleneck_macs(height, width, in_channels, bottleneck, kernel_size, filters)`` asks for the
MACs, for one image, of a 1x1 convolution from ``in_channels`` to ``bottleneck`` channels followed by a
``kernel_size x kernel_size`` convolution to ``filters`` channels, both with ``padding="same"`` and stride 1 on a
``height x width`` input.  A wrong answer is compared with the answers of the common mistakes so the message can
name the mistake.
"""
import numpy as np

from ..shapes import conv_macs, conv_params
from .common import (ATOL, Failure, call_student, checker, is_number, is_whole, known_slip, number, passed, predicted,
                     student_value)

EXERCISE = "bottleneck_macs"
ARGS = ("height", "width", "in_channels", "bottleneck", "kernel_size", "filters")
# GoogLeNet's inception (3a) example first, then a ResNet-like stage, then a small case where height != width and every
# argument differs, so that swapped arguments give a different answer.
CASES = (
    (28, 28, 192, 16, 5, 32),
    (56, 56, 256, 64, 3, 64),
    (6, 10, 24, 4, 3, 7),
)
FORMULA = "each convolution costs height * width * (its filters) * (its kernel_size)**2 * (the channels it reads)"


def reference(height, width, in_channels, bottleneck, kernel_size, filters):
    """The right answer: the 1x1 stage plus the ``kernel_size`` stage.

    >>> reference(28, 28, 192, 16, 5, 32)
    12443648
    """
    return (conv_macs(height, width, 1, in_channels, bottleneck)
            + conv_macs(height, width, kernel_size, bottleneck, filters))


def _mistakes(height, width, in_channels, bottleneck, kernel_size, filters):
    """(answer, problem, fix) for each common mistake, on one set of arguments."""
    hw, f = height * width, kernel_size
    reduce = conv_macs(height, width, 1, in_channels, bottleneck)
    conv = conv_macs(height, width, f, bottleneck, filters)
    params = conv_params(1, in_channels, bottleneck) + conv_params(f, bottleneck, filters)
    weights = conv_params(1, in_channels, bottleneck, use_bias=False) + conv_params(f, bottleneck, filters,
                                                                                    use_bias=False)
    out = height - f + 1, width - f + 1
    valid = reduce + out[0] * out[1] * filters * f * f * bottleneck if min(out) > 0 else None
    return (
        (conv, "you counted only the second convolution and forgot the 1x1 stage, which also costs "
               "height * width * bottleneck * in_channels MACs.",
         "add the MACs of the 1x1 convolution to those of the second convolution."),
        (reduce, "you counted only the 1x1 stage; the second convolution is the larger part of the cost.",
         "add height * width * filters * kernel_size**2 * bottleneck."),
        (params, "that is the number of parameters, not of multiply-accumulates: each weight is used once at "
                 "every output pixel.",
         "multiply each layer's weights (without biases) by the output height * width."),
        (weights, "that is the number of weights, not of multiply-accumulates: each weight is used once at every "
                  "output pixel.",
         "multiply each layer's weights by the output height * width."),
        (conv_macs(height, width, f, in_channels, filters),
         "that is the cost of the direct convolution without a bottleneck.",
         "count the 1x1 convolution to `bottleneck` channels, then the second convolution on those channels."),
        (reduce + conv_macs(height, width, f, in_channels, filters),
         "the second convolution reads the bottleneck's channels, not the input's: it sees `bottleneck` channels.",
         "use bottleneck instead of in_channels in the second convolution's MACs."),
        (reduce + hw * filters * f * bottleneck,
         "the kernel size is not squared: a kernel_size x kernel_size kernel has kernel_size**2 weights per channel.",
         "use kernel_size**2 (or kernel_size * kernel_size) in the second convolution."),
        (reduce + conv + hw * (bottleneck + filters),
         "you counted the biases: adding a bias is an addition, not a multiply-accumulate.",
         "leave the biases out of the MACs."),
        (2 * (reduce + conv), "that is twice the MACs: floating-point operations (FLOPs) count the multiply and the "
                              "add apart, a multiply-accumulate counts them as one.",
         "count one MAC per weight per output number."),
        (round((reduce + conv) / 1e6, 1), "that is in millions; the function returns the count itself.",
         "return the number of MACs, not millions of them."),
        (reduce * f * f + conv, "the 1x1 convolution has a 1x1 kernel: only the second convolution multiplies by "
                                "kernel_size**2.",
         "leave kernel_size out of the 1x1 stage's MACs."),
        (valid, "you used the output size of a 'valid' convolution; with padding='same' the second convolution "
                "keeps height x width.",
         "use height * width output pixels for both convolutions."),
    )


def _call(args):
    return ", ".join(f"{name}={value}" for name, value in zip(ARGS, args))


@checker(EXERCISE, reference=reference)
def check_bottleneck_macs(bottleneck_macs):
    """Check ``bottleneck_macs(height, width, in_channels, bottleneck, kernel_size, filters)`` on three cases.

    Returns a ``CheckResult`` (one line; true when right) that names the mistake when there is one, without giving
    the right count away.
    """
    for i, args in enumerate(CASES):
        got = call_student(EXERCISE, bottleneck_macs, *args)
        if got is None:
            raise Failure("your function returned None: it has no `return`.", "end it with `return macs`.")
        if not is_number(got):
            raise Failure(f"bottleneck_macs({_call(args)}) returned a {type(got).__name__}, not a number.",
                          "return the count as an int.")
        where = f"bottleneck_macs({_call(args)}) returned {got:,}, which is not the number of MACs"
        if i > 0:
            where = f"right for the inception (3a) numbers, but {where}"
        slips = [(answer, (problem, fix)) for answer, problem, fix in _mistakes(*args)]
        if i > 0:
            slips.append((reference(*CASES[0]), ("it gives the inception (3a) answer whatever the arguments.",
                                                 "compute the MACs from the arguments instead of fixed numbers.")))
        predicted(got, reference(*args), slips, where,
                  f"use each argument where it belongs: {FORMULA}." if i > 0 else
                  "add the MACs of the two convolutions: each output number of a convolution costs one MAC per "
                  "weight of one filter.", "")
    return passed(EXERCISE, f"right on {len(CASES)} cases, including GoogLeNet's 28 x 28 x 192 -> 16 -> 32 "
                            f"({reference(*CASES[0]):,} MACs).")


# ---------------------------------------------------------------------------------------------------------------
# A 1x1 convolution in NumPy: a dense layer at every pixel.
# ---------------------------------------------------------------------------------------------------------------

ONE_BY_ONE = "one_by_one"
# (volume shape NHWC, c_out). No image is square; the first case has c_in == c_out, so that a transposed kernel still
# runs and can be named; the others grow and shrink the channels.
VOLUMES = (((2, 5, 7, 6), 6), ((1, 3, 4, 3), 5), ((3, 6, 2, 8), 4))


def one_by_one_reference(volume, kernel, bias):
    """The course's ``one_by_one``: ReLU(volume @ kernel + bias) at every pixel, (n, h, w, c_in) -> (n, h, w, c_out).

    >>> one_by_one_reference(np.ones((1, 1, 2, 3)), np.ones((3, 1)), np.array([-1.0])).tolist()
    [[[[2.0], [2.0]]]]
    """
    return np.maximum(np.asarray(volume) @ np.asarray(kernel) + np.asarray(bias), 0)


def _keras_1x1(volume, kernel, bias):
    """What Keras computes: a ``Conv2D(kernel_size=1)`` with ReLU, given ``kernel`` as its (1, 1, c_in, c_out)
    kernel."""
    import keras

    conv = keras.layers.Conv2D(filters=kernel.shape[1], kernel_size=1, activation="relu")
    conv.build(volume.shape)
    conv.set_weights([kernel[None, None], bias])
    return keras.ops.convert_to_numpy(conv(volume)).astype("float64")


def _inputs(rng, shape, c_out):
    volume = rng.normal(size=shape).astype("float32")
    kernel = rng.normal(size=(shape[-1], c_out)).astype("float32")
    bias = rng.normal(size=c_out).astype("float32")
    return volume, kernel, bias


BACKENDS = ("keras", "tensorflow", "torch", "jax")


def _library(fn, seen=None):
    """The deep-learning library (keras, tensorflow, ...) that ``fn``'s own code names, or None: the exercise asks
    for NumPy. Looks at the global names its code (and the comprehensions and lambdas inside) reads."""
    import types

    def names(code):
        yield from code.co_names
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                yield from names(const)

    code, scope = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    for name in names(code) if code is not None else ():
        value = scope.get(name)
        module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        root = (module or "").split(".")[0]
        if root in BACKENDS:
            return name, root
    return None


def _run(fn, volume, kernel, bias):
    """The student's output as a float array, else ``Failure`` (copies in, so nothing of ours is changed)."""
    got = call_student(ONE_BY_ONE, fn, volume.copy(), kernel.copy(), bias.copy())
    if got is None:
        raise Failure("your function returned None: it has no `return`.",
                      "end it with `return out` (the (n, h, w, c_out) array).")
    root = type(got).__module__.split(".")[0]
    library = _library(fn) or ((type(got).__name__, root) if root in BACKENDS else None)
    if library is not None:
        raise Failure(f"one_by_one uses {library[0]} from {library[1]}: the exercise asks for NumPy alone, to show "
                      f"that a 1x1 convolution is one matrix product at every pixel.",
                      "write it with NumPy: the volume @ kernel (or np.matmul, np.einsum), + bias and np.maximum.")
    try:
        return np.asarray(got, dtype="float64")
    except Exception:
        raise Failure(f"one_by_one returned a {type(got).__name__}, not an array of numbers.",
                      "return the NumPy array of the outputs, shaped (n, h, w, c_out).") from None


def _wrong_shape(got, volume, kernel):
    n, h, w, c_in = volume.shape
    c_out = kernel.shape[1]
    where = (f"for a volume of shape {volume.shape} and a kernel of shape {kernel.shape}, one_by_one returned shape "
             f"{got.shape}, expected {(n, h, w, c_out)}")
    if got.shape == (n * h * w, c_out):
        raise Failure(f"{where}: the pixels are flattened into rows and never put back.",
                      "reshape the result to (n, h, w, c_out), or multiply the 4-D volume directly: `@` keeps the "
                      "axes in front of the last one.")
    if got.shape == (h, w, c_out):
        raise Failure(f"{where}: the batch axis (n) is missing.",
                      "keep every axis of the volume except the last, which becomes c_out.")
    if got.shape == (n, h, w, c_in):
        raise Failure(f"{where}: it has the input's c_in channels instead of one per filter.",
                      "multiply the channels by the kernel, (c_in, c_out), so that each pixel gets c_out numbers.")
    if got.shape == (n, h, w):
        raise Failure(f"{where}: it has one number per pixel instead of one per filter.",
                      "keep the c_out outputs at each pixel instead of summing them.")
    raise Failure(f"{where}.", "a 1x1 convolution keeps n, h and w and gives one channel per filter, "
                  "kernel.shape[1].")


def _mixes_pixels(fn, volume, kernel, bias, got):
    """True when changing the channels of one pixel moves the output at other pixels."""
    changed = volume.copy()
    changed[0, 1, 1, :] += 1.0 + np.abs(changed[0, 1, 1, :])
    try:
        again = _run(fn, changed, kernel, bias)
    except Failure:
        return False
    if again.shape != got.shape:
        return False
    others = np.ones(got.shape[:3], dtype=bool)
    others[0, 1, 1] = False
    return not np.allclose(again[others], got[others], atol=ATOL)


def _wrong_values(fn, got, volume, kernel, bias):
    """Name the mistake behind right-shaped but wrong outputs."""
    v, k, b = (np.asarray(a, dtype="float64") for a in (volume, kernel, bias))
    linear = v @ k + b
    slips = [
        (np.maximum(v @ k, 0), "the bias is missing: each filter adds its own bias before the ReLU.",
         "add bias (shape (c_out,)) to the weighted sums; broadcasting adds it at every pixel."),
        (linear, "the ReLU is missing: the outputs keep their negative values.",
         "apply the ReLU last, with np.maximum(..., 0)."),
        (v @ k, "both the bias and the ReLU are missing: that is only the weighted sum.",
         "add bias, then apply the ReLU with np.maximum(..., 0)."),
        (np.maximum(v @ k, 0) + b, "the bias is added after the ReLU; Conv2D adds it before.",
         "add bias to the weighted sums first, then apply the ReLU."),
    ]
    if k.shape[0] == k.shape[1]:
        slips.insert(0, (np.maximum(v @ k.T + b, 0),
                         "the kernel is used transposed: kernel[i, j] is the weight from input channel i to filter j.",
                         "multiply the volume's channels (its last axis) by kernel as it is, (c_in, c_out), without "
                         ".T."))
    slip = known_slip(got, [(want, (problem, fix)) for want, problem, fix in slips],
                      lambda a, b: np.allclose(a, b, atol=ATOL))
    if slip:
        raise Failure(f"one_by_one on a volume of shape {volume.shape}: {slip[0]}", slip[1])
    if _mixes_pixels(fn, volume, kernel, bias, got):
        raise Failure(f"one_by_one on a volume of shape {volume.shape}: changing the channels of one "
                      f"pixel changes the output at other pixels, so numbers of different pixels are "
                      f"mixed (a reshape or an axis that takes more than the last axis).",
                      "keep the pixels apart: each output pixel uses only the c_in numbers at that same pixel, "
                      "the volume's last axis.")
    if (got < -ATOL).any():
        raise Failure(f"one_by_one on a volume of shape {volume.shape} gives negative outputs; after a "
                      f"ReLU there are none.", "end with the ReLU, np.maximum(..., 0).")
    raise Failure(f"one_by_one on a volume of shape {volume.shape} has the right shape but other "
                  f"values than Conv2D(kernel_size=1) with the same weights.",
                  "at every pixel: the c_in channel values times kernel, plus bias, then ReLU.")


@checker(ONE_BY_ONE, reference=one_by_one_reference)
def check_one_by_one(one_by_one):
    """Check ``one_by_one(volume, kernel, bias)`` against a Keras ``Conv2D(kernel_size=1)`` with ReLU given the same
    weights, on volumes of several (non-square) shapes that keep, grow and shrink the channels."""
    rng = np.random.default_rng(4)
    for shape, c_out in VOLUMES:
        volume, kernel, bias = _inputs(rng, shape, c_out)
        got = _run(one_by_one, volume, kernel, bias)
        if not np.isfinite(got).all():
            raise Failure(f"one_by_one on a volume of shape {shape} returned nan or infinite values.",
                          "compute from the volume, kernel and bias only: channels times kernel, plus bias, ReLU.")
        if got.shape != (*shape[:3], c_out):
            _wrong_shape(got, volume, kernel)
        if not np.allclose(got, _keras_1x1(volume, kernel, bias), atol=ATOL):
            _wrong_values(one_by_one, got, volume, kernel, bias)
    shape, c_out = VOLUMES[0]
    return passed(ONE_BY_ONE, f"matches Keras's Conv2D(kernel_size=1) with ReLU and the same weights on "
                              f"{len(VOLUMES)} volumes, for example {shape} with a {shape[-1]} x {c_out} kernel.")


# ---------------------------------------------------------------------------------------------------------------
# Prediction: the 1x1 reduction in front of the 5x5 branch of GoogLeNet's inception (3a) block.
# ---------------------------------------------------------------------------------------------------------------

REDUCE = "inception (3a) 1x1 reduction"
REDUCE_INPUT = (28, 28, 192)
REDUCE_FILTERS = 16
REDUCE_SHAPE = (28, 28, REDUCE_FILTERS)
REDUCE_PARAMS = 192 * REDUCE_FILTERS + REDUCE_FILTERS  # 3,088
NEXT_FILTERS = 32  # the 5x5 convolution of that branch, which reads the 16 channels


def _as_shape(value):
    """The predicted (height, width, channels) as a tuple of ints, else ``Failure``."""
    example = "write three whole numbers in parentheses, (height, width, channels), after `reduce_shape =`."
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()  # np.array([28, 28, 16]) is a shape too
    if not isinstance(value, (tuple, list)):
        raise Failure(f"`reduce_shape` is {value!r:.40} ({type(value).__name__}), not a shape.", example)
    items = list(value)
    if len(items) == 4 and (items[0] is None or items[0] == 1):
        items = items[1:]  # a batch axis in front, as Keras writes it: accepted
    if not all(is_whole(item) for item in items):
        raise Failure(f"`reduce_shape` is {tuple(value)}, which holds something else than whole numbers.",
                      example)
    if len(items) != 3:
        raise Failure(f"`reduce_shape` is {tuple(value)}, {len(items)} numbers; a volume has three.", example)
    return tuple(int(item) for item in items)


def _shape_slip(shape):
    h, w, c = shape
    if shape == (REDUCE_FILTERS, *REDUCE_SHAPE[:2]):
        return "that puts the channels first; shapes here are NHWC, channels last."
    if c == REDUCE_INPUT[2]:
        return "it keeps the input's 192 channels, but the output has one channel per filter."
    if c == 1 and (h, w) == REDUCE_SHAPE[:2]:
        return "one channel per filter: the layer has 16 filters, so 16 output channels."
    if c == NEXT_FILTERS:
        return "32 is the number of filters of the 5x5 convolution that comes next; this 1x1 layer has 16."
    if (h, w) == (1, 1):
        return "that is a dense layer on the whole volume; a 1x1 convolution runs at every pixel and keeps them all."
    if (h, w) != REDUCE_SHAPE[:2]:
        return ("the height and width do not shrink: a 1x1 window with stride 1 fits at every pixel of the input, "
                "so floor((n + 2p - f) / s) + 1 gives back n.")
    return None


C_IN, F = REDUCE_INPUT[2], REDUCE_FILTERS
REDUCE_PARAMS_SLIPS = {
    C_IN * F: "forgot the 16 biases, one per filter.",
    3 * 3 * C_IN * F + F: "that counts 3x3 filters; a 1x1 filter has a single weight per input channel.",
    5 * 5 * C_IN * F + F: "that counts 5x5 filters, those of the next layer; this one is 1x1.",
    C_IN * F + C_IN: "added one bias per input channel; there is one per filter.",
    F + F: "forgot that each 1x1 filter spans all 192 input channels.",
    C_IN + 1: "counted one filter; the layer has 16 of them.",
    C_IN * NEXT_FILTERS + NEXT_FILTERS: "multiplied the wrong channels: 32 is the next layer's filters, this "
                                        "layer has 16.",
    F * NEXT_FILTERS + NEXT_FILTERS: "multiplied the wrong channels: 16 x 32 belongs to the next layer, this one "
                                     "reads 192 channels.",
    28 * 28 * F: "that is the number of output values (activations), not of weights.",
    28 * 28 * C_IN: "that is the number of input values, not of weights.",
    28 * 28 * C_IN * F: "that is the multiply count (MACs): parameters are stored once, not once per pixel.",
    28 * 28 * (C_IN * F + F): "that counts the weights once per pixel; a convolution shares them across pixels.",
    5 * 5 * C_IN * F: "that counts 5x5 filters without biases; this layer is 1x1, and each filter has a bias.",
    2 * C_IN * F: "counted each weight twice.",
    C_IN * F + C_IN + F: "added biases for the input channels as well; there is one per filter only.",
    28 * 28 * F + F: "that is the number of output values plus the biases, not the weights.",
}


@checker(REDUCE)
def check_reduce_1x1(reduce_shape, reduce_params):
    """Check the predicted output shape (height, width, channels) and parameter count of a 1x1 convolution with 16
    filters on a 28 x 28 x 192 volume: GoogLeNet's reduction in front of the 5x5 convolution of inception (3a)."""
    shape = _as_shape(student_value(REDUCE, reduce_shape, "reduce_shape", example="a shape such as (8, 8, 3)"))
    params = number(student_value(REDUCE, reduce_params, "reduce_params", example="a whole number"),
                    "reduce_params", what="a whole number", whole="a parameter count is whole: count weights and "
                                                                  "biases.")
    if shape != REDUCE_SHAPE:
        why = _shape_slip(shape) or "work out height, width and channels one at a time."
        raise Failure(f"reduce_shape = {shape} is not the output shape of that layer: {why}",
                      "apply the output-size formula with f = 1 and s = 1 to height and width; the channels are the "
                      "number of filters.")
    predicted(params, REDUCE_PARAMS, REDUCE_PARAMS_SLIPS,
              f"reduce_params = {params:,} is not that layer's parameter count",
              "count what one 1x1 filter stores over all the input channels, then all the filters.",
              "count the weights of one filter, add its bias, then multiply by the filters.")
    return passed(REDUCE, f"{' x '.join(map(str, REDUCE_SHAPE))} out, {REDUCE_PARAMS:,} parameters: both right.")


HEADS = "NiN head or dense head"
HEADS_CHOICES = {
    "a": "the first Dense layer reads all 7 x 7 x 32 = 1,568 numbers of the volume and keeps a weight for each of them "
         "per unit, while a convolution keeps one small kernel that it slides over every pixel.",
    "b": "a convolution runs at every pixel, but with the same weights at every pixel: that repeats the work (the "
         "MACs), not the parameters, which are stored once.",
    "c": "the widths alone do not set the parameters: a layer stores one weight per (input, output) pair, and after "
         "Flatten the first Dense layer has far more inputs than a convolution sees in its window.",
}


@checker(HEADS)
def check_heads(larger_head):
    """Check the predicted choice: which head on NiN's 7 x 7 x 32 body has more parameters, (a) the dense head,
    (b) the NiN head, (c) about the same."""
    from .choices import check_choice

    return check_choice(HEADS, larger_head, "larger_head", HEADS_CHOICES, right="a")


BRANCH = "cheap_branch"
BRANCH_INPUT = (28, 28, 192)
BRANCH_OUTPUT = (28, 28, 32)
BRANCH_BUDGET = 15_000_000  # MACs per image; the direct 5x5 convolution costs 120,422,400
BRANCH_WINDOW = 5


def cheap_branch_reference(x):
    """GoogLeNet's 5x5 branch of inception (3a): a 1x1 reduction to 16 channels, then the 5x5 convolution."""
    from keras import layers

    x = layers.Conv2D(16, 1, activation="relu")(x)
    return layers.Conv2D(32, 5, padding="same", activation="relu")(x)


def _window_seen(model, offset):
    """Does the centre output change when only the input pixel ``offset`` rows and columns from the centre changes?
    Weights and inputs are made positive, so that no ReLU hides the change."""
    import keras

    rng = np.random.default_rng(0)
    for weight in model.weights:
        weight.assign(np.abs(rng.normal(size=weight.shape)).astype(weight.dtype) * 0.01 + 1e-3)
    x = np.ones((1, *BRANCH_INPUT), "float32")
    changed = x.copy()
    centre = BRANCH_INPUT[0] // 2
    changed[0, centre + offset, centre + offset] += 10.0
    before = keras.ops.convert_to_numpy(model(x))[0, centre, centre]
    after = keras.ops.convert_to_numpy(model(changed))[0, centre, centre]
    return not np.allclose(before, after, rtol=1e-6, atol=0)


@checker(BRANCH, reference=cheap_branch_reference)
def check_cheap_branch(cheap_branch):
    """The open challenge of notebook 04: a branch from 28 x 28 x 192 to 28 x 28 x 32 whose every output sees a 5x5
    window of the input through at least one learned convolution, for at most 15 million MACs per image."""
    import keras

    from ..tracing import trace

    inputs = keras.Input(shape=BRANCH_INPUT)
    out = call_student(BRANCH, cheap_branch, inputs)
    if not isinstance(out, keras.KerasTensor):
        raise Failure(f"cheap_branch returned {type(out).__name__}, not the tensor the last layer gives.",
                      "end with `return x`, where x comes out of your last layer called on the tensor before it.")
    model = keras.Model(inputs, out)
    shape = tuple(out.shape[1:])
    if shape != BRANCH_OUTPUT:
        if shape[:2] != BRANCH_OUTPUT[:2]:
            why = (f"its height and width are {shape[0]} x {shape[1]}, not 28 x 28.",
                   'give every convolution padding="same" and strides=1, and leave out pooling with a stride.')
        else:
            why = (f"it ends with {shape[-1]} channels, not 32.", "give the last convolution filters=32.")
        raise Failure(f"the branch's output is {' x '.join(map(str, shape))}: {why[0]}", why[1])
    rows = trace(model)
    spatial = [row for row in rows if row.kind in ("Conv2D", "SeparableConv2D", "DepthwiseConv2D")
               and max(row.settings.get("kernel_size", (1, 1))) > 1]
    if not spatial:
        raise Failure("no convolution in the branch has a window larger than 1x1, so nothing it learns looks "
                              "at neighbouring pixels (pooling has no weights).",
                      "include a convolution with kernel_size 3 or 5.")
    if not _window_seen(model, BRANCH_WINDOW // 2):
        raise Failure("an output pixel does not see the input pixels two rows and columns away: the branch's "
                              "window is smaller than 5x5.",
                      "a 5x5 convolution sees 5x5; two 3x3 convolutions in a row see 5x5 too.")
    macs = sum(row.macs for row in rows)
    if macs > BRANCH_BUDGET:
        raise Failure(f"the branch costs {macs:,} MACs per image, over the budget of {BRANCH_BUDGET:,}.",
                      "read fewer channels in the layer with the large window: shrink the 192 channels with a 1x1 "
                      "convolution first, and keep the channels between the layers small.")
    return passed(BRANCH, f"28 x 28 x 32 out, a 5x5 window, {macs:,} MACs per image: "
                          f"{120_422_400 / macs:.1f} times cheaper than the direct 5x5 convolution.")

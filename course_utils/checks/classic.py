"""Checkers for notebook 01: AlexNet's first convolution by hand, the VGG block, and VGG-16's activation memory.

``vgg_block(filters, convs)`` returns a list of new Keras layers: ``convs`` convolutions with ``filters`` 3x3
filters, ``padding="same"`` and ReLU, then a 2x2 max pool with stride 2.  Stacked after an H x W x C input it gives
an H/2 x W/2 x ``filters`` output with 9*C*filters + filters parameters for the first convolution and
9*filters*filters + filters for each further one.

The check stacks the student's layers on a few inputs and compares output shapes, parameter counts and outputs
with the reference below; when they differ it looks at the layers to name the mistake.
"""
import numpy as np

from .common import call_student, checker, failed, passed, student_value, whole_answer

EXERCISE = "vgg_block"
SETTINGS = [((12, 12, 3), 8, 2), ((8, 10, 4), 6, 3), ((6, 6, 5), 4, 1)]  # input shape, filters, convs
ATOL = 1e-5


def expected_params(in_channels, filters, convs):
    """Parameters of a VGG block: the first 3x3 conv sees ``in_channels``, the others ``filters`` channels."""
    return (9 * in_channels * filters + filters) + (convs - 1) * (9 * filters * filters + filters)


def reference_block(filters, convs):
    """The course's ``vgg_block``: later cells of notebook 01 use it while the student's does not pass yet."""
    from keras import layers

    return [layers.Conv2D(filters, kernel_size=3, padding="same", activation="relu") for _ in range(convs)] + [
        layers.MaxPooling2D(pool_size=2, strides=2)]


def _flat(items):
    """The layers in order, with nested Sequential models opened up."""
    import keras

    out = []
    for item in items:
        out.extend(_flat(item.layers) if isinstance(item, keras.Model) else [item])
    return out


def _is_relu(layer):
    from keras import layers

    if isinstance(layer, layers.ReLU):
        return True
    return isinstance(layer, layers.Activation) and getattr(layer.activation, "__name__", "") == "relu"


def _has_relu(flat, conv):
    if getattr(conv.activation, "__name__", "") == "relu":
        return True
    after = flat[flat.index(conv) + 1:]
    return bool(after) and _is_relu(after[0])


def _call(filters, convs):
    return f"vgg_block(filters={filters}, convs={convs})"


def _as_layers(block, filters, convs):
    """The student's return value as a list of layers, or a failed CheckResult."""
    import keras

    if isinstance(block, keras.Model):
        return failed(EXERCISE, f"{_call(filters, convs)} returned a {type(block).__name__} model, not a list of "
                                f"layers; the notebook adds the block's layers to its list of VGG layers.",
                      "return the list `block` itself, without wrapping it in keras.Sequential(...).")
    if isinstance(block, keras.layers.Layer):
        block = [block]
    if isinstance(block, (list, tuple)) and not block:
        return failed(EXERCISE, f"{_call(filters, convs)} returned an empty list, so the block has no layers.",
                      "append the convolutions and then the pooling layer to the list before returning it.")
    if not isinstance(block, (list, tuple)):
        return failed(EXERCISE, f"{_call(filters, convs)} returned {type(block).__name__}, not a list of layers.",
                      "build the list `block` and return it; the notebook stacks it with "
                      "keras.Sequential([..., *vgg_block(64, 2), ...]).")
    models = [item for item in block if isinstance(item, keras.Model)]
    if models:
        return failed(EXERCISE, f"{_call(filters, convs)} returned a list holding a {type(models[0]).__name__} "
                                f"model; VGG-16 built from it would count its layers as one nested model.",
                      "append the Conv2D and MaxPooling2D layers themselves to the list.")
    bad = [item for item in block if not isinstance(item, keras.layers.Layer)]
    if bad:
        return failed(EXERCISE, f"{_call(filters, convs)} returned a list holding a {type(bad[0]).__name__}, "
                                f"not only Keras layers.",
                      "append layer objects such as layers.Conv2D(...), without calling them on a tensor.")
    if len({id(item) for item in block}) != len(block):
        return failed(EXERCISE, f"{_call(filters, convs)} puts the same layer object in the list more than once, "
                                f"so its convolutions would share one set of weights (and fail after the first).",
                      "create a new layers.Conv2D(...) inside the loop, not [layers.Conv2D(...)] * convs.")
    return list(block)


def _diagnose(flat, input_shape, filters, convs):
    """Name the first mistake visible in the layers; None if they look right."""
    from keras import layers

    h, w, _ = input_shape
    conv_layers = [layer for layer in flat if isinstance(layer, layers.Conv2D)]
    pools = [layer for layer in flat if isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D))]
    call = _call(filters, convs)
    if len(conv_layers) != convs:
        return failed(EXERCISE, f"{call} has {len(conv_layers)} convolution layers instead of {convs}.",
                      "append exactly `convs` convolutions: for _ in range(convs): ...")
    for conv in conv_layers:
        if tuple(conv.kernel_size) != (3, 3):
            return failed(EXERCISE, f"{call} uses {conv.kernel_size[0]}x{conv.kernel_size[1]} convolutions; "
                                    f"VGG uses only 3x3 filters.", "pass kernel_size=3.")
        if conv.filters != filters:
            return failed(EXERCISE, f"{call} has a convolution with {conv.filters} filters instead of {filters}.",
                          "pass filters=filters to every convolution.")
        if tuple(conv.strides) != (1, 1):
            return failed(EXERCISE, f"{call} has a convolution with strides={conv.strides[0]}; in VGG only the "
                                    f"pool halves the height and width.", "leave strides=1 on the convolutions.")
    valid = sum(conv.padding != "same" for conv in conv_layers)
    if valid:
        return failed(EXERCISE, f"{call}: missing padding='same', so each 3x3 convolution trims 2 pixels off the "
                                f"height and width (a {h}x{w} input would be {h - 2 * valid}x{w - 2 * valid} "
                                f"before the pool instead of {h}x{w}).",
                      "pass padding='same' to every convolution so it keeps H and W.")
    other = [conv.activation.__name__ for conv in conv_layers
             if getattr(conv.activation, "__name__", "") not in ("relu", "linear")]
    if other:
        return failed(EXERCISE, f"{call} uses the {other[0]} activation; VGG uses ReLU after every convolution.",
                      "pass activation='relu' to every convolution.")
    if not all(_has_relu(flat, conv) for conv in conv_layers):
        return failed(EXERCISE, f"{call}: a convolution has no ReLU after it, so consecutive convolutions "
                                f"collapse into one linear map.", "pass activation='relu' to every convolution.")
    if not pools:
        return failed(EXERCISE, f"{call} has no pooling layer, so the output stays {h}x{w} instead of "
                                f"{h // 2}x{w // 2}.", "end the block with layers.MaxPooling2D(pool_size=2, strides=2).")
    if len(pools) > 1 or flat[-1] is not pools[0]:
        return failed(EXERCISE, f"{call} must end with exactly one pooling layer, after all its convolutions.",
                      "append one layers.MaxPooling2D after the loop.")
    pool = pools[0]
    if isinstance(pool, layers.AveragePooling2D):
        return failed(EXERCISE, f"{call} uses average pooling; VGG uses max pooling.",
                      "use layers.MaxPooling2D(pool_size=2, strides=2).")
    size, stride = pool.pool_size[0], pool.strides[0]
    if tuple(pool.pool_size) != (2, 2) or tuple(pool.strides) != (2, 2):
        out_h, out_w = ((n - size) // stride + 1 for n in (h, w))
        return failed(EXERCISE, f"{call}: wrong pooling, pool_size={size} with strides={stride} turns {h}x{w} "
                                f"into {out_h}x{out_w}, not {h // 2}x{w // 2}.",
                      "use layers.MaxPooling2D(pool_size=2, strides=2); a stride of 2 halves H and W.")
    return None


@checker(EXERCISE, reference=reference_block)
def check_vgg_block(vgg_block):
    """Check ``vgg_block(filters, convs)`` on several inputs: output shapes, parameter counts and outputs."""
    import keras

    rng = np.random.default_rng(0)
    for input_shape, filters, convs in SETTINGS:
        block = _as_layers(call_student(EXERCISE, vgg_block, filters, convs), filters, convs)
        if not isinstance(block, list):
            return block
        again = _as_layers(call_student(EXERCISE, vgg_block, filters, convs), filters, convs)
        if isinstance(again, list) and {id(x) for x in again} & {id(x) for x in block}:
            return failed(EXERCISE, "two calls of vgg_block return the same layer objects, so every block of "
                                    "VGG-16 would share its weights.",
                          "create the layers inside the function, on every call.")
        mistake = _diagnose(_flat(block), input_shape, filters, convs)
        if mistake is not None:
            return mistake
        try:
            model = keras.Sequential([keras.Input(shape=input_shape), *block])
        except Exception as exc:  # the student's layers do not stack
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return failed(EXERCISE, f"the layers of {_call(filters, convs)} do not stack on a "
                                    f"{'x'.join(map(str, input_shape))} input: {first[:200]}",
                          "return only Conv2D layers (with their activation) followed by one MaxPooling2D.")
        flat = _flat(model.layers)
        x = rng.normal(size=(2, *input_shape)).astype("float32")
        y = np.asarray(model(x))
        h, w, c = input_shape
        want_shape, got_shape = (h // 2, w // 2, filters), tuple(y.shape[1:])
        if got_shape != want_shape:
            return failed(EXERCISE, f"{_call(filters, convs)} on a {h}x{w}x{c} input gives "
                                    f"{'x'.join(map(str, got_shape))}, expected {'x'.join(map(str, want_shape))}.",
                          "3x3 convolutions with padding='same', then a 2x2 max pool with stride 2.")
        want_params = expected_params(c, filters, convs)
        if model.count_params() != want_params:
            return failed(EXERCISE, f"{_call(filters, convs)} on {c} input channels has "
                                    f"{model.count_params():,} parameters, expected {want_params:,} "
                                    f"(9*{c}*{filters} + {filters} for the first conv, then "
                                    f"9*{filters}*{filters} + {filters} each).",
                          "use plain Conv2D layers with biases, and no other layers with weights.")
        reference = keras.Sequential([keras.Input(shape=input_shape), *reference_block(filters, convs)])
        student_convs = [layer for layer in flat if isinstance(layer, keras.layers.Conv2D)]
        for mine, theirs in zip([layer for layer in reference.layers if layer.weights], student_convs):
            mine.set_weights(theirs.get_weights())
        if not np.allclose(y, np.asarray(reference(x)), atol=ATOL):
            return failed(EXERCISE, f"{_call(filters, convs)} has the right shapes and parameters but computes "
                                    f"something else than convolution + ReLU (x{convs}) then max pooling.",
                          "remove extra layers (dropout, normalisation) and keep that order.")
    input_shape, filters, convs = SETTINGS[0]
    return passed(EXERCISE, f"right shapes, parameters and outputs for {len(SETTINGS)} settings, for example "
                            f"{_call(filters, convs)} turns {'x'.join(map(str, input_shape))} into "
                            f"{input_shape[0] // 2}x{input_shape[1] // 2}x{filters} with "
                            f"{expected_params(input_shape[2], filters, convs):,} parameters.")


# ---------------------------------------------------------------------------------------------------------------
# Predictions: numbers the student works out before a cell measures them.
# ---------------------------------------------------------------------------------------------------------------

CONV1 = "AlexNet's conv1"
CONV1_SIDE = (227 - 11) // 4 + 1  # 55
CONV1_PARAMS = 11 * 11 * 3 * 96 + 96  # 34,944


@checker(CONV1)
def check_alexnet_conv1(conv1_side, conv1_params):
    """Check the predicted output side (H = W) and parameter count of AlexNet's first convolution: 96 filters of
    11x11 with stride 4 and no padding on a 227x227x3 image."""
    side = whole_answer(CONV1, student_value(CONV1, conv1_side, "conv1_side", example="a whole number"), "conv1_side",
                        "sizes are whole: round down with // where the formula divides.")
    params = whole_answer(CONV1, student_value(CONV1, conv1_params, "conv1_params", example="a whole number"),
                          "conv1_params", "a parameter count is whole: count weights and biases.")
    for value in (side, params):
        if not isinstance(value, int):
            return value
    side_slips = {
        (227 - 11) // 4: "forgot the + 1 of the size formula: the first window position counts too.",
        227 // 4: "divided the input by the stride, but the 11x11 window must fit inside the image first.",
        -(-227 // 4): "that is the size with padding='same'; conv1 has no padding.",
        227 - 11 + 1: "used a stride of 1; conv1 moves its window 4 pixels at a time.",
    }
    if side != CONV1_SIDE:
        why = side_slips.get(side, "apply floor((n + 2p - f) / s) + 1 with n = 227, f = 11, s = 4, p = 0.")
        return failed(CONV1, f"conv1_side = {side} is not the output side of conv1: {why}",
                      "work out floor((n + 2p - f) / s) + 1 again with those numbers.")
    params_slips = {
        11 * 11 * 3 * 96: "forgot the 96 biases, one per filter.",
        11 * 11 * 96 + 96: "forgot that each filter spans all 3 input channels.",
        11 * 11 * 3 + 1: "counted one filter; conv1 has 96 of them.",
        11 * 11 * 3 * 96 * 55 * 55: "that is the multiply count (MACs) without biases: parameters are stored once, "
                                    "not once per output pixel.",
        55 * 55 * 96: "that is the number of output values (activations), not of weights.",
        11 * 11 * 3 * 96 + 3: "added one bias per input channel; there is one per filter.",
    }
    if params != CONV1_PARAMS:
        why = params_slips.get(params, "count f * f * n_c_in weights per filter, plus one bias, for each filter.")
        return failed(CONV1, f"conv1_params = {params:,} is not conv1's parameter count: {why}",
                      "use f^2 * n_c_in * n_c_out + n_c_out.")
    return passed(CONV1, f"{CONV1_SIDE}x{CONV1_SIDE}x96 out, {CONV1_PARAMS:,} parameters: both right.")


MEMORY = "VGG-16 activation memory"
FIRST_CONV_NUMBERS = 224 * 224 * 64  # one image's output of VGG-16's first convolution
MB = 1e6
ONE_IMAGE_MB = 4 * FIRST_CONV_NUMBERS / MB  # float32: 4 bytes per number, about 12.8 MB
BATCH = 64
TOLERANCE = 0.05  # 5%: rounding, and MiB (2**20 bytes) instead of MB, are both fine


def _close(value, target):
    return abs(value - target) <= TOLERANCE * target


def _mb(exercise, value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return failed(exercise, f"`{name}` is {value!r} ({type(value).__name__}), not a number of megabytes.",
                      f"write a number after `{name} =`, for example 2.5 for 2.5 MB.")
    if not value > 0:
        return failed(exercise, f"`{name}` is {value}; memory is a positive number of megabytes.",
                      "count the numbers in the output, times the bytes per number, divided by 1e6.")
    return float(value)


def _first_conv_slip(value):
    """Name the mistake behind a wrong one-image answer, or None."""
    slips = {
        FIRST_CONV_NUMBERS / MB: "that counts numbers, not bytes (or uses 112x112, the size after the pool): "
                                 "each float32 number takes 4 bytes.",
        2 * FIRST_CONV_NUMBERS / MB: "that is float16 (2 bytes); the forward pass here is float32, 4 bytes a number.",
        32 * FIRST_CONV_NUMBERS / MB: "that counts bits; a float32 number is 4 bytes (32 bits).",
        4 * 224 * 224 * 3 / MB: "that is the input image (3 channels); the convolution outputs 64 channels.",
        4 * FIRST_CONV_NUMBERS: "that is in bytes; the answer is in megabytes (1 MB = 1e6 bytes).",
        4 * 3 * 3 * 3 * 64 / MB: "that counts the filter weights; activations are one number per output value.",
    }
    return next((why for slip, why in slips.items() if _close(value, slip)), None)


@checker(MEMORY)
def check_activation_memory(one_image_mb, batch_mb):
    """Check the predicted memory (MB, float32) of VGG-16's first convolution output, for one 224x224x3 image and
    for a batch of 64."""
    one = _mb(MEMORY, student_value(MEMORY, one_image_mb, "one_image_mb", example="megabytes, e.g. 2.5"),
              "one_image_mb")
    batch = _mb(MEMORY, student_value(MEMORY, batch_mb, "batch_mb", example="megabytes, e.g. 160"), "batch_mb")
    for value in (one, batch):
        if not isinstance(value, float):
            return value
    mib = ONE_IMAGE_MB * MB / 2**20
    if not (_close(one, ONE_IMAGE_MB) or _close(one, mib)):
        why = _first_conv_slip(one) or "count H x W x channels of the first convolution's output, times 4 bytes."
        return failed(MEMORY, f"one_image_mb = {one:g} is not the memory of one image's first convolution output: "
                              f"{why}", "count the values of that output (H x W x channels), times the bytes of one "
                                        "float32 number; 1 MB = 1e6 bytes.")
    if _close(batch, one):
        return failed(MEMORY, f"batch_mb = {batch:g} is the one-image figure: every image in the batch keeps its "
                              f"own activations.", "multiply by the batch size.")
    if not (_close(batch, BATCH * ONE_IMAGE_MB) or _close(batch, BATCH * mib)):
        return failed(MEMORY, f"batch_mb = {batch:g} is not {BATCH} times the memory of one image "
                              f"({BATCH} x {one:g} = {BATCH * one:g}).",
                      "the activations grow linearly with the batch: multiply one image's memory by 64.")
    return passed(MEMORY, f"one image {ONE_IMAGE_MB:.1f} MB, a batch of {BATCH} {BATCH * ONE_IMAGE_MB:,.0f} MB, "
                          f"for one layer's output.")

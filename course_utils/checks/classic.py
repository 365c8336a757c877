"""Checkers for notebook 01: AlexNet's first convolution by hand, the VGG block, and VGG-16's activation memory.

``vgg_block(filters, convs)`` returns a list of new Keras layers: ``convs`` convolutions with ``filters`` 3x3
filters, ``padding="same"`` and ReLU, then a 2x2 max pool with stride 2.  Stacked after an H x W x C input it gives
an H/2 x W/2 x ``filters`` output with 9*C*filters + filters parameters for the first convolution and
9*filters*filters + filters for each further one.

The check stacks the student's layers on a few inputs and compares output shapes, parameter counts and outputs
with the reference below; when they differ it looks at the layers to name the mistake.  Notebook 01 then builds
VGG-16 from the block and compares it layer by layer with Keras's own VGG16 (one Conv2D, with its ReLU, per
convolution, one MaxPooling2D per block), so the check also asks for exactly those layers.
"""
import numpy as np

from .common import (Failure, call_student, checker, is_number, number, passed, predicted, randomise, same_outputs,
                     student_value)

EXERCISE = "vgg_block"
SETTINGS = [((12, 12, 3), 8, 2), ((8, 10, 4), 6, 3), ((6, 6, 5), 4, 1)]  # input shape, filters, convs


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


def _call(filters, convs):
    return f"vgg_block(filters={filters}, convs={convs})"


def _as_layers(block, filters, convs):
    """The student's return value as a list of layers, else ``Failure``."""
    import keras

    call = _call(filters, convs)
    if isinstance(block, keras.Model):
        raise Failure(f"{call} returned a {type(block).__name__} model, not a list of layers; the notebook adds the "
                      f"block's layers to its list of VGG layers.",
                      "return the list `block` itself, without wrapping it in keras.Sequential(...).")
    if isinstance(block, keras.layers.Layer):
        block = [block]
    if isinstance(block, (list, tuple)) and not block:
        raise Failure(f"{call} returned an empty list, so the block has no layers.",
                      "append the convolutions and then the pooling layer to the list before returning it.")
    if not isinstance(block, (list, tuple)):
        raise Failure(f"{call} returned {type(block).__name__}, not a list of layers.",
                      "build the list `block` and return it; the notebook stacks it with "
                      "keras.Sequential([..., *vgg_block(64, 2), ...]).")
    models = [item for item in block if isinstance(item, keras.Model)]
    if models:
        raise Failure(f"{call} returned a list holding a {type(models[0]).__name__} model; VGG-16 built from it "
                      f"would count its layers as one nested model.",
                      "append the Conv2D and MaxPooling2D layers themselves to the list.")
    bad = [item for item in block if not isinstance(item, keras.layers.Layer)]
    if bad:
        raise Failure(f"{call} returned a list holding a {type(bad[0]).__name__}, not only Keras layers.",
                      "append layer objects such as layers.Conv2D(...), without calling them on a tensor.")
    if len({id(item) for item in block}) != len(block):
        raise Failure(f"{call} puts the same layer object in the list more than once, so its convolutions would "
                      f"share one set of weights (and fail after the first).",
                      "create a new layers.Conv2D(...) inside the loop, not [layers.Conv2D(...)] * convs.")
    return list(block)


def _student_block(vgg_block, filters, convs):
    """Two calls of the student's function: the layers of the first, after checking that the two share none."""
    block = _as_layers(call_student(EXERCISE, vgg_block, filters, convs), filters, convs)
    again = _as_layers(call_student(EXERCISE, vgg_block, filters, convs), filters, convs)
    if {id(x) for x in again} & {id(x) for x in block}:
        raise Failure("two calls of vgg_block return the same layer objects, so every block of VGG-16 would share "
                      "its weights.", "create the layers inside the function, on every call.")
    return block


def _check_convolutions(conv_layers, input_shape, filters, convs):
    """The number and settings of the convolutions: 3x3, ``filters`` filters, stride 1, padding='same', ReLU."""
    h, w, _ = input_shape
    call = _call(filters, convs)
    if len(conv_layers) != convs:
        raise Failure(f"{call} has {len(conv_layers)} convolution layers instead of {convs}.",
                      "append exactly `convs` convolutions: for _ in range(convs): ...")
    for conv in conv_layers:
        if tuple(conv.kernel_size) != (3, 3):
            raise Failure(f"{call} uses {conv.kernel_size[0]}x{conv.kernel_size[1]} convolutions; VGG uses only 3x3 "
                          f"filters.", "pass kernel_size=3.")
        if conv.filters != filters:
            raise Failure(f"{call} has a convolution with {conv.filters} filters instead of {filters}.",
                          "pass filters=filters to every convolution.")
        if tuple(conv.strides) != (1, 1):
            raise Failure(f"{call} has a convolution with strides={conv.strides[0]}; in VGG only the pool halves the "
                          f"height and width.", "leave strides=1 on the convolutions.")
    valid = sum(conv.padding != "same" for conv in conv_layers)
    if valid:
        raise Failure(f"{call}: missing padding='same', so each 3x3 convolution trims 2 pixels off the height and "
                      f"width (a {h}x{w} input would be {h - 2 * valid}x{w - 2 * valid} before the pool instead of "
                      f"{h}x{w}).", "pass padding='same' to every convolution so it keeps H and W.")
    other = [conv.activation.__name__ for conv in conv_layers
             if getattr(conv.activation, "__name__", "") not in ("relu", "linear")]
    if other:
        raise Failure(f"{call} uses the {other[0]} activation; VGG uses ReLU after every convolution.",
                      "pass activation='relu' to every convolution.")


def _has_relu(flat, conv):
    """A ReLU as the convolution's activation, or as a layer after it and before the next convolution."""
    from keras import layers

    if getattr(conv.activation, "__name__", "") == "relu":
        return True
    for layer in flat[flat.index(conv) + 1:]:
        if isinstance(layer, layers.Conv2D):
            return False
        if _is_relu(layer):
            return True
    return False


def _check_relus(flat, filters, convs):
    from keras import layers

    if not all(_has_relu(flat, layer) for layer in flat if isinstance(layer, layers.Conv2D)):
        raise Failure(f"{_call(filters, convs)}: a convolution has no ReLU after it, so consecutive convolutions "
                      f"collapse into one linear map.", "pass activation='relu' to every convolution.")


def _check_only_convs_and_pool(flat, filters, convs):
    """Notebook 01 compares VGG-16 layer by layer with Keras's VGG16, whose convolutions apply their ReLU
    themselves, and adds up each layer's output for the memory: other layers break both, even when they compute
    the same."""
    from keras import layers

    call = _call(filters, convs)
    extra = [layer for layer in flat if not isinstance(layer, (layers.Conv2D, layers.MaxPooling2D))]
    if any(_is_relu(layer) for layer in extra):
        raise Failure(f"{call} puts a separate ReLU layer after its convolutions: it computes the same, but the cells "
                      f"below compare VGG-16 layer by layer with Keras's VGG16, whose convolutions apply their ReLU "
                      f"themselves, and count each layer's output once for the memory.",
                      "pass activation='relu' to each Conv2D instead of adding ReLU layers.")
    if extra:
        raise Failure(f"{call} holds a {type(extra[0]).__name__} layer besides its convolutions and its pool; VGG's "
                      f"block has only those, and the cells below compare VGG-16 layer by layer with Keras's VGG16.",
                      "return only the Conv2D layers (with activation='relu') followed by one MaxPooling2D.")


def _check_pool(flat, input_shape, filters, convs):
    from keras import layers

    h, w, _ = input_shape
    call = _call(filters, convs)
    pools = [layer for layer in flat if isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D))]
    if not pools:
        raise Failure(f"{call} has no pooling layer, so the output stays {h}x{w} instead of {h // 2}x{w // 2}.",
                      "end the block with layers.MaxPooling2D(pool_size=2, strides=2).")
    if len(pools) > 1 or flat[-1] is not pools[0]:
        raise Failure(f"{call} must end with exactly one pooling layer, after all its convolutions.",
                      "append one layers.MaxPooling2D after the loop.")
    pool = pools[0]
    if isinstance(pool, layers.AveragePooling2D):
        raise Failure(f"{call} uses average pooling; VGG uses max pooling.",
                      "use layers.MaxPooling2D(pool_size=2, strides=2).")
    size, stride = pool.pool_size[0], pool.strides[0]
    if tuple(pool.pool_size) != (2, 2) or tuple(pool.strides) != (2, 2):
        out_h, out_w = ((n - size) // stride + 1 for n in (h, w))
        raise Failure(f"{call}: wrong pooling, pool_size={size} with strides={stride} turns {h}x{w} into "
                      f"{out_h}x{out_w}, not {h // 2}x{w // 2}.",
                      "use layers.MaxPooling2D(pool_size=2, strides=2); a stride of 2 halves H and W.")


def _stack(block, input_shape, filters, convs):
    import keras

    try:
        return keras.Sequential([keras.Input(shape=input_shape), *block])
    except Exception as exc:  # the student's layers do not stack
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Failure(f"the layers of {_call(filters, convs)} do not stack on a {'x'.join(map(str, input_shape))} "
                      f"input: {first[:200]}",
                      "return only Conv2D layers (with their activation) followed by one MaxPooling2D.",
                      cause=exc) from None


def _check_model(model, input_shape, filters, convs):
    """Output shape, parameter count and outputs of the stacked block against the reference."""
    import keras

    h, w, c = input_shape
    call = _call(filters, convs)
    x = np.random.default_rng(0).normal(size=(2, *input_shape)).astype("float32")
    y = np.asarray(randomise(model)(x))
    want_shape, got_shape = (h // 2, w // 2, filters), tuple(y.shape[1:])
    if got_shape != want_shape:
        raise Failure(f"{call} on a {h}x{w}x{c} input gives {'x'.join(map(str, got_shape))}, expected "
                      f"{'x'.join(map(str, want_shape))}.",
                      "3x3 convolutions with padding='same', then a 2x2 max pool with stride 2.")
    want_params = expected_params(c, filters, convs)
    if model.count_params() != want_params:
        raise Failure(f"{call} on {c} input channels has {model.count_params():,} parameters, expected "
                      f"{want_params:,} (9*{c}*{filters} + {filters} for the first conv, then 9*{filters}*{filters} + "
                      f"{filters} each).", "use plain Conv2D layers with biases, and no other layers with weights.")
    reference = randomise(keras.Sequential([keras.Input(shape=input_shape), *reference_block(filters, convs)]))
    if not same_outputs(y, np.asarray(reference(x))):
        raise Failure(f"{call} has the right shapes and parameters but computes something else than convolution + "
                      f"ReLU (x{convs}) then max pooling.", "remove extra layers (dropout, normalisation) and keep "
                                                           "that order.")


@checker(EXERCISE, reference=reference_block)
def check_vgg_block(vgg_block):
    """Check ``vgg_block(filters, convs)`` on several inputs: its layers, output shapes, parameter counts and
    outputs."""
    from keras import layers

    for input_shape, filters, convs in SETTINGS:
        flat = _flat(_student_block(vgg_block, filters, convs))
        _check_convolutions([layer for layer in flat if isinstance(layer, layers.Conv2D)], input_shape, filters,
                            convs)
        _check_relus(flat, filters, convs)
        _check_pool(flat, input_shape, filters, convs)
        _check_model(_stack(flat, input_shape, filters, convs), input_shape, filters, convs)
        _check_only_convs_and_pool(flat, filters, convs)
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
CONV1_SIDE_SLIPS = {
    (227 - 11) // 4: "that is floor((227 - 11) / 4) without the + 1 of the size formula (the first window position "
                     "counts too), or the formula on the paper's 224x224 input; this conv1 reads a 227x227 image.",
    227 // 4: "divided the input by the stride, but the 11x11 window must fit inside the image first.",
    -(-227 // 4): "that is the size with padding='same'; conv1 has no padding.",
    227 - 11 + 1: "used a stride of 1; conv1 moves its window 4 pixels at a time.",
    (224 - 11) // 4: "that uses the paper's 224x224 input and leaves out the + 1; this conv1 reads a 227x227 image.",
}
CONV1_PARAMS_SLIPS = {
    11 * 11 * 3 * 96: "forgot the 96 biases, one per filter.",
    11 * 11 * 96 + 96: "forgot that each filter spans all 3 input channels.",
    11 * 11 * 3 + 1: "counted one filter; conv1 has 96 of them.",
    11 * 11 * 3 * 96 * 55 * 55: "that is the multiply count (MACs) without biases: parameters are stored once, not "
                                "once per output pixel.",
    55 * 55 * 96: "that is the number of output values (activations), not of weights.",
    11 * 11 * 3 * 96 + 3: "added one bias per input channel; there is one per filter.",
}


@checker(CONV1)
def check_alexnet_conv1(conv1_side, conv1_params):
    """Check the predicted output side (H = W) and parameter count of AlexNet's first convolution: 96 filters of
    11x11 with stride 4 and no padding on a 227x227x3 image."""
    side = student_value(CONV1, conv1_side, "conv1_side", example="a whole number")
    if is_number(side) and side == (224 - 11) / 4 + 1:  # 54.25: the paper's 224 input, not a whole number
        raise Failure(f"conv1_side = {side} uses the paper's 224x224 input, on which 11x11 windows with stride 4 do "
                      f"not fit a whole number of times; this conv1 reads a 227x227 image.",
                      "work out floor((n + 2p - f) / s) + 1 with n = 227.")
    side = number(side, "conv1_side", whole="sizes are whole: round down with // where the formula divides.")
    params = number(student_value(CONV1, conv1_params, "conv1_params", example="a whole number"), "conv1_params",
                    whole="a parameter count is whole: count weights and biases.")
    predicted(side, CONV1_SIDE, CONV1_SIDE_SLIPS, f"conv1_side = {side} is not the output side of conv1",
              "work out floor((n + 2p - f) / s) + 1 again with those numbers.",
              "apply floor((n + 2p - f) / s) + 1 with n = 227, f = 11, s = 4, p = 0.")
    predicted(params, CONV1_PARAMS, CONV1_PARAMS_SLIPS, f"conv1_params = {params:,} is not conv1's parameter count",
              "use f^2 * n_c_in * n_c_out + n_c_out.",
              "count f * f * n_c_in weights per filter, plus one bias, for each filter.")
    return passed(CONV1, f"{CONV1_SIDE}x{CONV1_SIDE}x96 out, {CONV1_PARAMS:,} parameters: both right.")


MEMORY = "VGG-16 activation memory"
FIRST_CONV_NUMBERS = 224 * 224 * 64  # one image's output of VGG-16's first convolution
MB = 1e6
ONE_IMAGE_MB = 4 * FIRST_CONV_NUMBERS / MB  # float32: 4 bytes per number, about 12.8 MB
BATCH = 64
# Rounding 12.85 MB to 13 is 1.2% off; the slips nearest the answer are further: a convolution without padding
# (222 x 222 x 64) is 1.8% below, MiB (2**20 bytes) 4.6% below.
TOLERANCE = 0.015
ONE_IMAGE_SLIPS = [  # (wrong answer for one image, what the student probably did)
    (FIRST_CONV_NUMBERS / MB, "that counts numbers, not bytes (or uses 112x112, the size after the pool): each "
                              "float32 number takes 4 bytes."),
    (2 * FIRST_CONV_NUMBERS / MB, "that is float16 (2 bytes); the forward pass here is float32, 4 bytes a number."),
    (32 * FIRST_CONV_NUMBERS / MB, "that counts bits; a float32 number is 4 bytes (32 bits)."),
    (4 * 224 * 224 * 3 / MB, "that is the input image (3 channels); the convolution outputs 64 channels."),
    (4 * FIRST_CONV_NUMBERS, "that is in bytes; the answer is in megabytes (1 MB = 1e6 bytes)."),
    (4 * FIRST_CONV_NUMBERS / 1e3, "that is in kilobytes (KB); the answer is in megabytes (1 MB = 1e6 bytes)."),
    (4 * FIRST_CONV_NUMBERS / 2**20, "that is in mebibytes (MiB, 2**20 = 1,048,576 bytes); the exercise counts "
                                     "1 MB = 1,000,000 bytes."),
    (4 * FIRST_CONV_NUMBERS / 2**10, "that is in kibibytes (KiB, 1,024 bytes); the answer is in megabytes "
                                     "(1 MB = 1e6 bytes)."),
    (4 * FIRST_CONV_NUMBERS / 1e9, "that is in gigabytes (GB); the answer is in megabytes (1 MB = 1e6 bytes)."),
    (4 * 222 * 222 * 64 / MB, "that is a 222x222x64 output, a 3x3 convolution without padding; with "
                              "padding='same' it keeps 224x224."),
    (4 * 3 * 3 * 3 * 64 / MB, "that counts the filter weights; activations are one number per output value."),
]


def _close(value, target):
    return abs(value - target) <= TOLERANCE * abs(target)


def _megabytes(value, name, example):
    value = number(student_value(MEMORY, value, name, example=f"megabytes, e.g. {example}"), name,
                   what="a number of megabytes", example=f"{example} for {example} MB")
    if not value > 0:
        raise Failure(f"`{name}` is {value:g}; memory is a positive number of megabytes.",
                      "count the numbers in the output, times the bytes per number, divided by 1e6.")
    return value


@checker(MEMORY)
def check_activation_memory(one_image_mb, batch_mb):
    """Check the predicted memory (MB, float32, 1 MB = 1e6 bytes) of VGG-16's first convolution output, for one
    224x224x3 image and for a batch of 64."""
    one = _megabytes(one_image_mb, "one_image_mb", "2.5")
    batch = _megabytes(batch_mb, "batch_mb", "160")
    predicted(one, ONE_IMAGE_MB, ONE_IMAGE_SLIPS,
              f"one_image_mb = {one:g} is not the memory of one image's first convolution output",
              "count the values of that output (H x W x channels), times the bytes of one float32 number; "
              "1 MB = 1e6 bytes.", "count H x W x channels of the first convolution's output, times 4 bytes.", _close)
    if _close(batch, one):
        raise Failure(f"batch_mb = {batch:g} is the one-image figure: every image in the batch keeps its own "
                      f"activations.", "multiply by the batch size.")
    batch_slips = [(BATCH * wrong, why.replace("that ", "the batch figure ", 1)) for wrong, why in ONE_IMAGE_SLIPS]
    predicted(batch, BATCH * ONE_IMAGE_MB, batch_slips, f"batch_mb = {batch:g} is not {BATCH} times the memory of "
                                                        f"one image",
              "the activations grow linearly with the batch: multiply one image's memory by 64.",
              "multiply one image's megabytes by 64.", _close)
    return passed(MEMORY, f"one image {ONE_IMAGE_MB:.1f} MB, a batch of {BATCH} {BATCH * ONE_IMAGE_MB:,.0f} MB, "
                          f"for one layer's output.")


POOLING = "ReLU on top of max pooling"
POOLING_CHOICES = {
    "a": "the gains do not add up here: with max pooling in, switching to ReLU moves held-out accuracy by less than "
         "twice the standard error of a difference on 2,000 images, on no seed beyond it.",
    "b": "once max pooling is in, switching to ReLU moves held-out accuracy by less than the noise of 2,000 held-out "
         "images: either change alone is enough on these digits.",
    "c": "ReLU did end a little lower than tanh with max pooling on every seed, but by less than twice the standard "
         "error of a difference on 2,000 images: a difference that small is not detectable.",
}


@checker(POOLING)
def check_pooling_prediction(relu_after_max):
    """Check the predicted choice: with max pooling already in LeNet-5, switching tanh to ReLU (a) raises held-out
    accuracy beyond noise, (b) makes no detectable difference, (c) lowers it beyond noise."""
    from .choices import check_choice

    return check_choice(POOLING, relu_after_max, "relu_after_max", POOLING_CHOICES, right="b")


TRANSFER = "what transfer buys"
TRANSFER_CHOICES = {
    "a": "with all 1,297 labels scratch catches up: every difference there is within the noise of 500 held-out "
         "images, so a start from MNIST pays off where labels are scarce, not everywhere.",
    "b": "a start from MNIST wins beyond noise with 20 labels, and with all 1,297 labels scratch catches up: no "
         "detectable difference on 500 held-out images.",
    "c": "the start from MNIST wins with 20 labels by more than ten points on average, beyond twice the standard error "
         "of a difference on every seed: MNIST's strokes are useful features for other digits.",
}


@checker(TRANSFER)
def check_transfer_prediction(transfer_verdict):
    """Check the predicted choice on the transfer study: a start from MNIST (a) beats scratch beyond noise at every
    label count, (b) beats it beyond noise with 20 labels and not detectably with all 1,297, (c) never helps."""
    from .choices import check_choice

    return check_choice(TRANSFER, transfer_verdict, "transfer_verdict", TRANSFER_CHOICES, right="b")

import keras
import pytest
from keras import layers

from course_utils.checks.classic import (SETTINGS, check_activation_memory, check_alexnet_conv1, check_vgg_block,
                                         expected_params, reference_block)


def conv(filters, **kwargs):
    options = {"kernel_size": 3, "padding": "same", "activation": "relu"} | kwargs
    return layers.Conv2D(filters, **options)


def correct(filters, convs):
    block = []
    for _ in range(convs):
        block.append(conv(filters))
    block.append(layers.MaxPooling2D(pool_size=2, strides=2))
    return block


def relu_as_layers(filters, convs):
    block = []
    for _ in range(convs):
        block += [conv(filters, activation=None), layers.ReLU()]
    return block + [layers.MaxPooling2D()]


def as_sequential(filters, convs):
    return keras.Sequential(correct(filters, convs))


def test_reference_and_parameter_formula_agree_with_keras():
    for input_shape, filters, convs in SETTINGS:
        model = keras.Sequential([keras.Input(shape=input_shape), *reference_block(filters, convs)])
        assert model.count_params() == expected_params(input_shape[-1], filters, convs)
    assert expected_params(3, 64, 2) == 1_792 + 36_928  # the first block of VGG-16


def as_tuple(filters, convs):
    convolutions = tuple(layers.Conv2D(filters, (3, 3), padding="same", activation=keras.activations.relu)
                         for _ in range(convs))
    return convolutions + (layers.MaxPool2D(2),)


def with_helper(filters, convs):
    """A helper for one convolution, a list comprehension, and keras.ops.relu as the activation."""
    def conv3x3():
        return layers.Conv2D(filters=filters, kernel_size=(3, 3), strides=1, padding="same", activation=keras.ops.relu)

    return [conv3x3() for _ in range(convs)] + [layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))]


def extended(filters, convs):
    block = [layers.Conv2D(filters, 3, padding="same", activation="relu")]
    block.extend(layers.Conv2D(filters, 3, padding="same", activation="relu") for _ in range(convs - 1))
    return block + [layers.MaxPool2D()]


@pytest.mark.parametrize("solution", [correct, as_tuple, with_helper, extended])
def test_correct_solutions_pass(solution):
    result = check_vgg_block(solution)
    assert result.ok, result.message
    assert repr(result) == ("✔ vgg_block: right shapes, parameters and outputs for 3 settings, for example "
                            "vgg_block(filters=8, convs=2) turns 12x12x3 into 6x6x8 with 808 parameters.")


def skeleton(filters, convs):
    raise NotImplementedError("Exercise: build the block.")


def no_padding(filters, convs):
    return [conv(filters, padding="valid") for _ in range(convs)] + [layers.MaxPooling2D()]


def pool_stride_one(filters, convs):
    return [conv(filters) for _ in range(convs)] + [layers.MaxPooling2D(pool_size=2, strides=1)]


def one_conv_too_many(filters, convs):
    return [conv(filters) for _ in range(convs + 1)] + [layers.MaxPooling2D()]


def always_two_convs(filters, convs):
    return [conv(filters) for _ in range(2)] + [layers.MaxPooling2D()]


def no_relu(filters, convs):
    return [conv(filters, activation=None) for _ in range(convs)] + [layers.MaxPooling2D()]


def last_relu_missing(filters, convs):
    return [conv(filters) for _ in range(convs - 1)] + [conv(filters, activation=None), layers.MaxPooling2D()]


def shared_conv(filters, convs):
    return [conv(filters)] * convs + [layers.MaxPooling2D()]


def average_pool(filters, convs):
    return [conv(filters) for _ in range(convs)] + [layers.AveragePooling2D(pool_size=2)]


def five_by_five(filters, convs):
    return [conv(filters, kernel_size=5) for _ in range(convs)] + [layers.MaxPooling2D()]


def double_filters(filters, convs):
    return [conv(2 * filters) for _ in range(convs)] + [layers.MaxPooling2D()]


def no_pool(filters, convs):
    return [conv(filters) for _ in range(convs)]


def pool_first(filters, convs):
    return [layers.MaxPooling2D()] + [conv(filters) for _ in range(convs)]


def no_bias(filters, convs):
    return [conv(filters, use_bias=False) for _ in range(convs)] + [layers.MaxPooling2D()]


def with_batch_norm(filters, convs):
    return [conv(filters) for _ in range(convs)] + [layers.BatchNormalization(), layers.MaxPooling2D()]


def relu_before_conv(filters, convs):
    block = []
    for _ in range(convs):
        block += [layers.ReLU(), conv(filters, activation=None)]
    return block + [layers.MaxPooling2D()]


def rescaled(filters, convs):
    return [conv(filters) for _ in range(convs)] + [layers.Rescaling(2.0), layers.MaxPooling2D()]


def returns_nothing(filters, convs):
    block = [conv(filters) for _ in range(convs)] + [layers.MaxPooling2D()]


def applied_to_a_tensor(filters, convs):
    x = keras.Input(shape=(8, 8, 3))
    return [conv(filters)(x)]


CACHE = {}


def reused_between_calls(filters, convs):
    return CACHE.setdefault((filters, convs), correct(filters, convs))


def tanh(filters, convs):
    return [conv(filters, activation="tanh") for _ in range(convs)] + [layers.MaxPooling2D()]


def nested(filters, convs):
    return [keras.Sequential(correct(filters, convs))]


def activation_layers(filters, convs):
    block = []
    for _ in range(convs):
        block += [conv(filters, activation=None), layers.Activation("relu")]
    return block + [layers.MaxPooling2D()]


def conv_bn_relu(filters, convs):
    block = []
    for _ in range(convs):
        block += [conv(filters, activation=None), layers.BatchNormalization(), layers.ReLU()]
    return block + [layers.MaxPooling2D()]


def with_dropout(filters, convs):
    """Dropout computes nothing at inference, so the outputs match; the layer-by-layer comparison with VGG16 fails."""
    return [conv(filters) for _ in range(convs)] + [layers.Dropout(0.5), layers.MaxPooling2D()]


def test_conv_bn_relu_is_not_reported_as_a_missing_relu():
    result = check_vgg_block(conv_bn_relu)
    assert not result.ok and "no ReLU after it" not in result.message, result.message


def test_a_passing_block_builds_vgg16_as_keras_does():
    """What notebook 01 does after the check: VGG-16's rows match Keras's VGG16 layer by layer, and the
    activations add up to the 61 MB the prose states."""
    from course_utils import trace

    for solution in (correct, with_helper):
        assert check_vgg_block(solution).ok
        with cu_float16():
            stack = [keras.Input(shape=(224, 224, 3))]
            for filters, convs in zip((64, 128, 256, 512, 512), (2, 2, 3, 3, 3)):
                stack += solution(filters, convs)
            rows = trace(keras.Sequential(stack))
            keras_rows = trace(keras.applications.VGG16(weights=None, include_top=False, input_shape=(224, 224, 3)))
        assert [(r.output_shape, r.params) for r in rows] == [(r.output_shape, r.params) for r in keras_rows]
    for broken in (relu_as_layers, with_dropout):
        assert not check_vgg_block(broken).ok


def cu_float16():
    from course_utils import dtype_policy

    return dtype_policy("float16")


@pytest.mark.parametrize("broken, expected", [
    (skeleton, "not done yet"),
    (no_padding, "missing padding='same', so each 3x3 convolution trims 2 pixels off the height and width "
                 "(a 12x12 input would be 8x8 before the pool instead of 12x12)"),
    (pool_stride_one, "wrong pooling, pool_size=2 with strides=1 turns 12x12 into 11x11, not 6x6"),
    (one_conv_too_many, "vgg_block(filters=8, convs=2) has 3 convolution layers instead of 2"),
    (always_two_convs, "vgg_block(filters=6, convs=3) has 2 convolution layers instead of 3"),
    (no_relu, "a convolution has no ReLU after it"),
    (last_relu_missing, "a convolution has no ReLU after it"),
    (shared_conv, "puts the same layer object in the list more than once"),
    (average_pool, "uses average pooling; VGG uses max pooling"),
    (five_by_five, "uses 5x5 convolutions; VGG uses only 3x3 filters"),
    (double_filters, "has a convolution with 16 filters instead of 8"),
    (no_pool, "has no pooling layer, so the output stays 12x12 instead of 6x6"),
    (pool_first, "must end with exactly one pooling layer, after all its convolutions"),
    (no_bias, "has 792 parameters, expected 808"),
    (with_batch_norm, "has 840 parameters, expected 808"),
    (relu_before_conv, "a convolution has no ReLU after it"),
    (rescaled, "has the right shapes and parameters but computes something else than convolution + ReLU (x2)"),
    (returns_nothing, "returned NoneType, not a list of layers"),
    (applied_to_a_tensor, "returned a list holding a KerasTensor, not only Keras layers"),
    (reused_between_calls, "two calls of vgg_block return the same layer objects"),
    (as_sequential, "returned a Sequential model, not a list of layers"),
    (nested, "returned a list holding a Sequential model"),
    (tanh, "uses the tanh activation; VGG uses ReLU"),
    (relu_as_layers, "puts a separate ReLU layer after its convolutions: it computes the same, but the cells below "
                     "compare VGG-16 layer by layer with Keras's VGG16"),
    (activation_layers, "puts a separate ReLU layer after its convolutions"),
    (conv_bn_relu, "has 872 parameters, expected 808"),
    (with_dropout, "holds a Dropout layer besides its convolutions and its pool"),
])
def test_common_mistakes_are_named(broken, expected):
    result = check_vgg_block(broken)
    assert not result.ok
    assert expected in result.message, result.message
    assert "Try:" in result.message and "\n" not in result.message


def test_not_a_function():
    result = check_vgg_block(correct(8, 2))
    assert not result.ok and "without calling it" in result.message


def test_check_passes_under_a_float16_notebook_policy():
    """Notebook 01 builds AlexNet and VGG in float16; the checker must still compare in float32."""
    import keras

    keras.config.set_dtype_policy("float16")
    try:
        assert check_vgg_block(_correct_for_policy_test).ok
        assert keras.config.dtype_policy().name == "float16"
    finally:
        keras.config.set_dtype_policy("float32")


def _correct_for_policy_test(filters, convs):
    from keras import layers

    return [layers.Conv2D(filters, 3, padding="same", activation="relu") for _ in range(convs)] + [
        layers.MaxPooling2D(2, strides=2)]


# ---------------------------------------------------------------------------------------------------------------
# Predictions: AlexNet's conv1 by hand, and the memory of VGG-16's first convolution output.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("side, params", [(55, 34_944), ((227 - 11) // 4 + 1, 11 * 11 * 3 * 96 + 96), (55.0, 34944.0)])
def test_conv1_right_answers_pass(side, params):
    result = check_alexnet_conv1(side, params)
    assert result.ok, result.message
    assert "34,944" in result.message


@pytest.mark.parametrize("side, params, named", [
    (54, 34_944, "without the + 1 of the size formula"),
    (54, 34_944, "or the formula on the paper's 224x224 input; this conv1 reads a 227x227 image"),
    (53, 34_944, "uses the paper's 224x224 input and leaves out the + 1"),
    ((224 - 11) / 4 + 1, 34_944, "uses the paper's 224x224 input, on which 11x11 windows with stride 4 do not fit"),
    (56, 34_944, "divided the input by the stride"),
    (57, 34_944, "padding='same'"),
    (217, 34_944, "used a stride of 1"),
    (55, 34_848, "forgot the 96 biases"),
    (55, 11_712, "spans all 3 input channels"),
    (55, 364, "counted one filter"),
    (55, 105_415_200, "multiply count (MACs)"),
    (55, 290_400, "number of output values"),
    (55, 34_851, "one bias per input channel"),
    (55, 12_345, "plus one bias, for each filter"),
    (54.75, 34_944, "not a whole number"),
    ("55", 34_944, "not a number"),
    (True, 34_944, "not a number"),
    (..., 34_944, "not done yet: `conv1_side` is still `...`"),
    (55, ..., "not done yet: `conv1_params` is still `...`"),
])
def test_conv1_wrong_answers_are_named(side, params, named):
    result = check_alexnet_conv1(side, params)
    assert not result.ok
    assert named in result.message and "Try:" in result.message and "\n" not in result.message, result.message
    assert "34944" not in result.message.replace(",", "") or params == 34_944  # the answer is not given away


@pytest.mark.parametrize("one, batch", [(12.8, 822), (224 * 224 * 64 * 4 / 1e6, 64 * 224 * 224 * 64 * 4 / 1e6),
                                        (13, 832), (12.85, 822.08), (12.8, 64 * 12.8)])  # honest rounding
def test_memory_right_answers_pass(one, batch):
    result = check_activation_memory(one, batch)
    assert result.ok, result.message


@pytest.mark.parametrize("one, batch, named", [
    (3.2, 205, "counts numbers, not bytes"),
    (6.4, 411, "float16"),
    (102.8, 6_577, "counts bits"),
    (0.6, 38.5, "the input image (3 channels)"),
    (12_845_056, 822e6, "that is in bytes"),
    (0.0069, 0.44, "counts the filter weights"),
    (50.0, 3_200, "count H x W x channels"),
    (12.8, 12.8, "is the one-image figure"),
    (12.8, 410, "is not 64 times the memory of one image"),
    (12.8, 700, "is not 64 times the memory of one image: multiply"),
    (12.25, 784, "that is in mebibytes (MiB, 2**20 = 1,048,576 bytes); the exercise counts 1 MB = 1,000,000 bytes"),
    (12.8, 784, "the batch figure is in mebibytes (MiB"),
    (12.6, 807.5, "222x222x64 output, a 3x3 convolution without padding"),
    (12.8, 807.5, "the batch figure is a 222x222x64 output"),
    (12_845, 822_083, "that is in kilobytes (KB)"),
    (12.8, 0.822, "the batch figure is in gigabytes (GB)"),
    (12, 768, "count H x W x channels"),
    (-12.8, 822, "memory is a positive number"),
    ("12.8 MB", 822, "not a number of megabytes"),
    (..., 822, "not done yet: `one_image_mb` is still `...`"),
    (12.8, ..., "not done yet: `batch_mb` is still `...`"),
])
def test_memory_wrong_answers_are_named(one, batch, named):
    result = check_activation_memory(one, batch)
    assert not result.ok
    assert named in result.message and "Try:" in result.message and "\n" not in result.message, result.message
    assert "12.8" not in result.message.replace(f"{one}", "").replace(f"{batch}", "")  # no answer given away
    shown = result.message.replace(f"{batch}", "").replace(f"{batch:g}" if isinstance(batch, float) else "", "")
    assert not any(answer in shown for answer in ("819", "822", "823"))

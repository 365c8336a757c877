"""The checkers of notebook 04 (one_by_one in NumPy, the inception (3a) 1x1 reduction, the bottleneck MACs): right
answers written different ways pass, each common mistake is named, and no message gives the solution away."""
import itertools

import keras
import numpy as np
import pytest
from keras import layers, ops

from course_utils import trace
from course_utils.checks.one_by_one import (CASES, REDUCE_PARAMS, VOLUMES, _keras_1x1, _mistakes, check_bottleneck_macs,
                                           check_one_by_one, check_reduce_1x1, one_by_one_reference, reference)


# --- correct implementations -------------------------------------------------------------------------------------

def macs_plain(height, width, in_channels, bottleneck, kernel_size, filters):
    return height * width * bottleneck * in_channels + height * width * filters * kernel_size**2 * bottleneck


def macs_numpy(height, width, in_channels, bottleneck, kernel_size, filters):
    """A NumPy integer, the form np.prod gives."""
    return np.prod([height, width, bottleneck]) * (in_channels + filters * kernel_size * kernel_size)


def macs_float(height, width, in_channels, bottleneck, kernel_size, filters):
    return float(macs_plain(height, width, in_channels, bottleneck, kernel_size, filters))


@pytest.mark.parametrize("fn", [macs_plain, macs_numpy, macs_float])
def test_correct_answers_pass(fn):
    result = check_bottleneck_macs(fn)
    assert result.ok, result.message
    assert "12,443,648" in result.message


def test_reference_agrees_with_keras_trace():
    """The checker's answer is what cu.trace counts on real Keras layers, for every case it uses."""
    for height, width, in_channels, bottleneck, kernel_size, filters in CASES:
        model = keras.Sequential([
            keras.Input(shape=(height, width, in_channels)),
            layers.Conv2D(bottleneck, 1),
            layers.Conv2D(filters, kernel_size, padding="same"),
        ])
        assert sum(row.macs for row in trace(model)) == reference(
            height, width, in_channels, bottleneck, kernel_size, filters)


def test_lecture_numbers():
    assert reference(*CASES[0]) == 12_443_648


# --- broken implementations, each with the words its message must contain ---------------------------------------

def only_second(h, w, c, b, f, n):
    return h * w * n * f * f * b


def only_first(h, w, c, b, f, n):
    return h * w * b * c


def params_with_bias(h, w, c, b, f, n):
    return (c * b + b) + (f * f * b * n + n)


def weights_only(h, w, c, b, f, n):
    return c * b + f * f * b * n


def direct(h, w, c, b, f, n):
    return h * w * n * f * f * c


def input_channels_in_second(h, w, c, b, f, n):
    return h * w * b * c + h * w * n * f * f * c


def kernel_not_squared(h, w, c, b, f, n):
    return h * w * b * c + h * w * n * f * b


def with_biases(h, w, c, b, f, n):
    return h * w * b * c + h * w * n * f * f * b + h * w * (b + n)


def valid_padding(h, w, c, b, f, n):
    return h * w * b * c + (h - f + 1) * (w - f + 1) * n * f * f * b


def hard_coded(h, w, c, b, f, n):
    return 12_443_648


def height_squared(h, w, c, b, f, n):
    return macs_plain(h, h, c, b, f, n)


def product_of_stages(h, w, c, b, f, n):
    return (h * w * b * c) * (h * w * n * f * f * b)


@pytest.mark.parametrize("fn, words", [
    (only_second, "forgot the 1x1 stage"),
    (only_first, "only the 1x1 stage"),
    (params_with_bias, "number of parameters, not of multiply-accumulates"),
    (weights_only, "number of weights, not of multiply-accumulates"),
    (direct, "direct convolution without a bottleneck"),
    (input_channels_in_second, "reads the bottleneck's channels"),
    (kernel_not_squared, "not squared"),
    (with_biases, "counted the biases"),
    (valid_padding, "'valid' convolution"),
    (hard_coded, "the inception (3a) answer whatever the arguments"),
    (height_squared, "use each argument where it belongs"),
    (product_of_stages, "add the MACs of the two convolutions"),
])
def test_mistakes_are_named(fn, words):
    result = check_bottleneck_macs(fn)
    assert not result
    assert words in result.message, result.message
    assert "Try:" in result.message and "\n" not in result.message


def test_each_mistake_differs_from_the_answer_and_the_others_on_every_case():
    """Otherwise a mistake could pass, or get the message of another mistake."""
    for args in CASES:
        answers = [answer for answer, _, _ in _mistakes(*args) if answer is not None]
        assert reference(*args) not in answers, args
        assert len(set(answers)) == len(answers), args


def test_valid_padding_mistake_when_the_kernel_is_too_large():
    answers = [answer for answer, _, _ in _mistakes(2, 2, 8, 4, 5, 3)]
    assert answers[-1] is None


def test_unfinished_skeleton():
    def skeleton(height, width, in_channels, bottleneck, kernel_size, filters):
        raise NotImplementedError("Exercise: add the MACs of both convolutions.")

    result = check_bottleneck_macs(skeleton)
    assert not result and "not done yet" in result.message


@pytest.mark.parametrize("fn, words", [
    (lambda h, w, c, b, f, n: None, "returned None"),
    (lambda h, w, c, b, f, n: "12443648", "returned a str"),
    (lambda h, w, c, b, f, n: True, "returned a bool"),
    (lambda h, w: 0, "your code raised TypeError"),
    (12_443_648, "without calling it"),
])
def test_bad_returns_and_calls(fn, words):
    result = check_bottleneck_macs(fn)
    assert not result and words in result.message, result.message


def test_no_failure_prints_the_right_count():
    """Every failed check of bottleneck_macs, on each case, names the slip without the answer."""
    answers = {f"{reference(*args):,}" for args in CASES}
    for args in CASES:
        for answer, _, _ in _mistakes(*args):
            if answer is not None:
                message = check_bottleneck_macs(lambda *given, a=answer: a if given == args else reference(*given))
                assert not message.ok and not any(right in message.message for right in answers), message.message
    for wrong in (0, -5, float("nan"), 1.5, 12_443_647):
        message = check_bottleneck_macs(lambda *given, w=wrong: w).message
        assert not any(right in message for right in answers), message


def test_messages_are_distinct():
    """Every named mistake has its own message (no copy-paste between diagnoses)."""
    problems = [problem for _, problem, _ in _mistakes(*CASES[0])]
    assert len(set(problems)) == len(problems)
    assert all(a != b for a, b in itertools.combinations([fix for *_, fix in _mistakes(*CASES[0])], 2))


# ---------------------------------------------------------------------------------------------------------------
# one_by_one(volume, kernel, bias): a 1x1 convolution with ReLU in NumPy.
# ---------------------------------------------------------------------------------------------------------------

SOLUTION_LINE = "np.maximum(volume @ kernel + bias, 0)"


def one_by_one_matmul(volume, kernel, bias):
    return np.maximum(volume @ kernel + bias, 0)


def one_by_one_loop(volume, kernel, bias):
    """A Python loop over the pixels: slow, but right."""
    n, h, w, _ = volume.shape
    out = np.zeros((n, h, w, kernel.shape[1]), dtype=volume.dtype)
    for i in range(n):
        for row in range(h):
            for col in range(w):
                out[i, row, col] = np.maximum(volume[i, row, col] @ kernel + bias, 0)
    return out


def one_by_one_einsum_keras(volume, kernel, bias):
    """einsum, and Keras's relu returning a tensor: the exercise asks for NumPy."""
    return keras.ops.relu(np.einsum("nhwc,cd->nhwd", volume, kernel) + bias)


def one_by_one_keras_to_numpy(volume, kernel, bias):
    """keras.ops throughout, converted back to NumPy at the end: still not NumPy."""
    return keras.ops.convert_to_numpy(keras.ops.relu(keras.ops.matmul(volume, kernel) + bias))


def one_by_one_ops_in_a_helper(volume, kernel, bias):
    """`ops` imported under its own name, used in a comprehension."""
    return np.stack([np.asarray(ops.relu(image @ kernel + bias)) for image in volume])


def one_by_one_conv2d(volume, kernel, bias):
    conv = layers.Conv2D(kernel.shape[1], 1, activation="relu")
    conv.build(volume.shape)
    conv.set_weights([kernel[None, None], bias])
    return np.asarray(conv(volume))


def one_by_one_einsum(volume, kernel, bias):
    return np.maximum(np.einsum("nhwc,cd->nhwd", volume, kernel) + bias, 0.0)


def relu(values):
    return np.where(values > 0, values, 0)


def one_by_one_tensordot_helper(volume, kernel, bias):
    """np.tensordot over the channel axis, and a ReLU of its own."""
    return relu(np.tensordot(volume, kernel, axes=([3], [0])) + bias[np.newaxis, np.newaxis, np.newaxis, :])


def one_by_one_flatten(volume, kernel, bias):
    rows = volume.reshape(-1, volume.shape[-1]) @ kernel + bias
    return np.maximum(rows, 0).reshape(*volume.shape[:-1], kernel.shape[1])


@pytest.mark.parametrize("fn", [one_by_one_matmul, one_by_one_loop, one_by_one_flatten, one_by_one_einsum,
                                one_by_one_tensordot_helper])
def test_one_by_one_right_answers_pass(fn):
    result = check_one_by_one(fn)
    assert result.ok, result.message
    assert "Conv2D(kernel_size=1)" in result.message


def test_one_by_one_reference_agrees_with_keras_on_every_volume():
    rng = np.random.default_rng(1)
    for shape, c_out in VOLUMES:
        volume = rng.normal(size=shape).astype("float32")
        kernel = rng.normal(size=(shape[-1], c_out)).astype("float32")
        bias = rng.normal(size=c_out).astype("float32")
        assert np.allclose(one_by_one_reference(volume, kernel, bias), _keras_1x1(volume, kernel, bias), atol=1e-4)
    assert len({shape[1:3] for shape, _ in VOLUMES}) == len(VOLUMES)
    assert all(shape[1] != shape[2] for shape, _ in VOLUMES)  # no square image hides a swapped h and w
    assert VOLUMES[0][0][-1] == VOLUMES[0][1]  # a square kernel first, so that a transposed one still runs


def kernel_transposed(volume, kernel, bias):
    return np.maximum(volume @ kernel.T + bias, 0)


def bias_forgotten(volume, kernel, bias):
    return np.maximum(volume @ kernel, 0)


def relu_forgotten(volume, kernel, bias):
    return volume @ kernel + bias


def bias_and_relu_forgotten(volume, kernel, bias):
    return volume @ kernel


def bias_after_relu(volume, kernel, bias):
    return np.maximum(volume @ kernel, 0) + bias


def pixels_mixed(volume, kernel, bias):
    """Flattens the channels first (reshape(c_in, -1)), so every row mixes numbers of different pixels."""
    rows = volume.reshape(volume.shape[-1], -1).T @ kernel + bias
    return np.maximum(rows, 0).reshape(*volume.shape[:-1], kernel.shape[1])


def not_reshaped_back(volume, kernel, bias):
    return np.maximum(volume.reshape(-1, volume.shape[-1]) @ kernel + bias, 0)


def batch_dropped(volume, kernel, bias):
    return np.maximum(volume[0] @ kernel + bias, 0)


def summed_over_filters(volume, kernel, bias):
    return np.maximum(volume @ kernel + bias, 0).sum(axis=-1)


def returns_the_volume(volume, kernel, bias):
    return np.maximum(volume, 0)


def sigmoid_instead_of_relu(volume, kernel, bias):
    return np.tanh(volume @ kernel + bias)


def contracts_the_height(volume, kernel, bias):
    """The wrong axis: runs only where h == c_in, so the checker reports the student's own error line."""
    return np.maximum(np.tensordot(volume, kernel, axes=([1], [0])) + bias, 0)


def no_return(volume, kernel, bias):
    np.maximum(volume @ kernel + bias, 0)


@pytest.mark.parametrize("fn, words", [
    (kernel_transposed, "the kernel is used transposed"),
    (bias_forgotten, "the bias is missing"),
    (relu_forgotten, "the ReLU is missing"),
    (bias_and_relu_forgotten, "both the bias and the ReLU are missing"),
    (bias_after_relu, "the bias is added after the ReLU"),
    (pixels_mixed, "numbers of different pixels are mixed"),
    (not_reshaped_back, "the pixels are flattened into rows and never put back"),
    (batch_dropped, "the batch axis (n) is missing"),
    (summed_over_filters, "one number per pixel instead of one per filter"),
    (sigmoid_instead_of_relu, "gives negative outputs"),
    (no_return, "returned None"),
    (lambda volume, kernel, bias: "out", "not an array of numbers"),
    (contracts_the_height, "your code raised ValueError"),
    (one_by_one_einsum_keras, "one_by_one uses keras from keras: the exercise asks for NumPy alone"),
    (one_by_one_keras_to_numpy, "one_by_one uses keras from keras"),
    (one_by_one_ops_in_a_helper, "one_by_one uses ops from keras"),
    (one_by_one_conv2d, "one_by_one uses layers from keras"),
])
def test_one_by_one_mistakes_are_named(fn, words):
    result = check_one_by_one(fn)
    assert not result.ok
    assert words in result.message and "Try:" in result.message and "\n" not in result.message, result.message
    assert SOLUTION_LINE not in result.message


def test_one_by_one_other_values_get_the_general_fix():
    """Right shape, wrong values, no known slip: the message says what to compute, in words."""
    result = check_one_by_one(returns_the_volume)
    assert not result.ok and "right shape but other values than Conv2D(kernel_size=1)" in result.message
    assert "Try: at every pixel" in result.message


def test_one_by_one_unfinished_skeleton():
    def skeleton(volume, kernel, bias):
        raise NotImplementedError("Exercise: at every pixel, multiply the c_in channel values by kernel.")

    result = check_one_by_one(skeleton)
    assert not result and "not done yet" in result.message


def test_one_by_one_does_not_see_its_inputs_changed():
    """The checker hands copies: a student's function that writes into its arguments changes nothing of ours."""
    def in_place(volume, kernel, bias):
        out = np.maximum(volume @ kernel + bias, 0)
        volume[:], kernel[:], bias[:] = 0, 0, 0
        return out

    assert check_one_by_one(in_place).ok


# ---------------------------------------------------------------------------------------------------------------
# The prediction: a 1x1 convolution with 16 filters on GoogLeNet's 28 x 28 x 192 volume.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, params", [
    ((28, 28, 16), 3_088),
    ([28, 28, 16], 192 * 16 + 16),
    ((None, 28, 28, 16), 1 * 1 * 192 * 16 + 16.0),  # Keras's output_shape, with the batch axis
    ((np.int64(28), 28.0, 16), np.int64(3088)),
])
def test_reduce_right_answers_pass(shape, params):
    result = check_reduce_1x1(shape, params)
    assert result.ok, result.message
    assert "3,088" in result.message


@pytest.mark.parametrize("shape, params, named", [
    ((28, 28, 16), 3_072, "forgot the 16 biases"),
    ((28, 28, 16), 27_664, "counts 3x3 filters"),
    ((28, 28, 16), 76_816, "counts 5x5 filters"),
    ((28, 28, 16), 3_264, "one bias per input channel"),
    ((28, 28, 16), 32, "spans all 192 input channels"),
    ((28, 28, 16), 193, "counted one filter"),
    ((28, 28, 16), 6_176, "multiplied the wrong channels: 32 is the next layer's filters"),
    ((28, 28, 16), 544, "multiplied the wrong channels: 16 x 32"),
    ((28, 28, 16), 12_544, "number of output values"),
    ((28, 28, 16), 150_528, "number of input values"),
    ((28, 28, 16), 2_408_448, "multiply count (MACs)"),
    ((28, 28, 16), 2_420_992, "once per pixel"),
    ((28, 28, 16), 4_000, "count the weights of one filter, add its bias"),
    ((28, 28, 192), 3_088, "keeps the input's 192 channels"),
    ((27, 27, 16), 3_088, "the height and width do not shrink"),
    ((14, 14, 16), 3_088, "the height and width do not shrink"),
    ((16, 28, 28), 3_088, "channels first"),
    ((28, 28, 32), 3_088, "the 5x5 convolution that comes next"),
    ((1, 1, 16), 3_088, "a dense layer on the whole volume"),
    ((28, 28), 3_088, "2 numbers; a volume has three"),
    ((28, 28, 16.5), 3_088, "something else than whole numbers"),
    ("28x28x16", 3_088, "not a shape"),
    (28 * 28 * 16, 3_088, "not a shape"),
    ((28, 28, 16), "3088", "not a whole number"),
    ((28, 28, 16), 3088.5, "not a whole number"),
    ((28, 28, 16), True, "not a whole number"),
    (..., 3_088, "not done yet: `reduce_shape` is still `...`"),
    ((28, 28, 16), ..., "not done yet: `reduce_params` is still `...`"),
])
def test_reduce_wrong_answers_are_named(shape, params, named):
    result = check_reduce_1x1(shape, params)
    assert not result.ok
    assert named in result.message and "Try:" in result.message and "\n" not in result.message, result.message
    if params != REDUCE_PARAMS and "3088" not in str(params):
        assert "3088" not in result.message.replace(",", "")  # the answer is not given away
    for line in ("(28, 28, 16)", "192 * 16 + 16"):
        assert line not in result.message.replace(str(shape), "")


def test_reduce_answer_agrees_with_keras():
    model = keras.Sequential([keras.Input(shape=(28, 28, 192)), layers.Conv2D(16, 1, activation="relu")])
    assert model.output_shape == (None, 28, 28, 16) and model.count_params() == REDUCE_PARAMS
    assert check_reduce_1x1(model.output_shape, model.count_params()).ok


@pytest.mark.parametrize("wrong, named", [
    (lambda h, w, c, b, k, f: 2 * (h * w * b * c + h * w * f * k * k * b), "floating-point operations (FLOPs)"),
    (lambda h, w, c, b, k, f: round((h * w * b * c + h * w * f * k * k * b) / 1e6, 1), "that is in millions"),
    (lambda h, w, c, b, k, f: h * w * b * c * k * k + h * w * f * k * k * b, "the 1x1 convolution has a 1x1 kernel"),
])
def test_more_bottleneck_slips_are_named(wrong, named):
    result = check_bottleneck_macs(wrong)
    assert not result.ok and named in result.message, result.message


@pytest.mark.parametrize("shape, params, named", [
    ((28, 28, 1), 3_088, "one channel per filter"),
    ((28, 28, 16), 76_800, "5x5 filters without biases"),
    ((28, 28, 16), 6_144, "counted each weight twice"),
    ((28, 28, 16), 3_280, "biases for the input channels as well"),
    ((28, 28, 16), 12_560, "output values plus the biases"),
])
def test_more_reduce_slips_are_named(shape, params, named):
    result = check_reduce_1x1(shape, params)
    assert not result.ok and named in result.message, result.message
    assert "3,088" not in result.message and "192 * 16" not in result.message  # the answer is not handed out


def test_a_shape_written_as_an_array_is_a_shape():
    import numpy as np

    assert check_reduce_1x1(np.array([28, 28, 16]), 3_088).ok

"""The bottleneck-MACs checker: right answers written different ways pass, each common mistake is named."""
import itertools

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import trace
from course_utils.checks.one_by_one import CASES, _mistakes, check_bottleneck_macs, reference


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
    (hard_coded, "the lecture's answer whatever the arguments"),
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


def test_messages_are_distinct():
    """Every named mistake has its own message (no copy-paste between diagnoses)."""
    problems = [problem for _, problem, _ in _mistakes(*CASES[0])]
    assert len(set(problems)) == len(problems)
    assert all(a != b for a, b in itertools.combinations([fix for *_, fix in _mistakes(*CASES[0])], 2))

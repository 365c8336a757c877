import itertools

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import conv_macs, conv_output_size, conv_params, pool_output_size


def keras_conv_size(n, f, s, padding):
    if isinstance(padding, int):
        shape = layers.ZeroPadding2D(padding).compute_output_shape((None, n, n, 1))
        padding = "valid"
    else:
        shape = (None, n, n, 1)
    return layers.Conv2D(1, f, strides=s, padding=padding).compute_output_shape(shape)[1]


@pytest.mark.parametrize("padding", ["valid", "same", 0, 1, 2])
def test_conv_output_size_agrees_with_keras_over_many_combinations(padding):
    checked = 0
    for n, f, s in itertools.product(range(1, 14), range(1, 8), range(1, 5)):
        pad = {"valid": 0, "same": 0}.get(padding, padding)
        if padding != "same" and f > n + 2 * pad:
            with pytest.raises(ValueError, match="kernel_size"):
                conv_output_size(n, f, strides=s, padding=padding)
            continue
        assert conv_output_size(n, f, strides=s, padding=padding) == keras_conv_size(n, f, s, padding), (n, f, s)
        checked += 1
    assert checked > 150


@pytest.mark.parametrize("layer_cls", [layers.MaxPooling2D, layers.AveragePooling2D])
def test_pool_output_size_agrees_with_keras(layer_cls):
    for n, f, s, padding in itertools.product(range(2, 12), range(1, 4), [None, 1, 2, 3], ["valid", "same"]):
        if f > n:
            continue
        expected = layer_cls(f, strides=s, padding=padding).compute_output_shape((None, n, n, 1))[1]
        assert pool_output_size(n, f, strides=s, padding=padding) == expected, (n, f, s, padding)


def test_formula_agrees_with_a_real_forward_pass():
    x = np.zeros((1, 227, 227, 3), "float32")
    for f, s, padding in [(11, 4, "valid"), (5, 1, "same"), (3, 2, "same"), (3, 2, "valid")]:
        y = layers.Conv2D(2, f, strides=s, padding=padding)(x)
        assert y.shape[1] == conv_output_size(227, f, strides=s, padding=padding)
    assert layers.MaxPooling2D(3, strides=2)(x).shape[1] == pool_output_size(227, 3, strides=2)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(size=0, kernel_size=3), ValueError, "size must be at least 1"),
    (dict(size=-5, kernel_size=3), ValueError, "size must be at least 1"),
    (dict(size=28.0, kernel_size=3), TypeError, "size must be a whole number"),
    (dict(size=True, kernel_size=3), TypeError, "size must be a whole number"),
    (dict(size=28, kernel_size=0), ValueError, "kernel_size must be at least 1"),
    (dict(size=28, kernel_size="3"), TypeError, "kernel_size must be a whole number"),
    (dict(size=28, kernel_size=3, strides=0), ValueError, "strides must be at least 1"),
    (dict(size=28, kernel_size=3, padding="full"), ValueError, "padding must be 'valid', 'same'"),
    (dict(size=28, kernel_size=3, padding=-1), ValueError, "padding must be at least 0"),
    (dict(size=3, kernel_size=5), ValueError, r"kernel_size=5 is larger than the padded input \(3 \+ 2\*0 = 3"),
])
def test_conv_output_size_bad_input_names_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        conv_output_size(**kwargs)


def test_conv_output_size_accepts_numpy_ints_and_upper_case_padding():
    assert conv_output_size(np.int64(32), np.int32(5)) == 28
    assert conv_output_size(10, 3, padding="SAME") == 10


def test_pool_output_size_bad_pool_size():
    with pytest.raises(ValueError, match="pool_size must be at least 1"):
        pool_output_size(28, 0)


def test_conv_params_matches_keras():
    for f, cin, cout, bias in [(5, 1, 6, True), (3, 64, 128, True), (1, 192, 16, False), (11, 3, 96, True)]:
        layer = layers.Conv2D(cout, f, use_bias=bias)
        layer.build((None, 32, 32, cin))
        assert conv_params(f, cin, cout, use_bias=bias) == layer.count_params()


def test_conv_macs_and_its_bad_input():
    assert conv_macs(28, 28, 1, 192, 16) == 28 * 28 * 16 * 192
    with pytest.raises(ValueError, match="in_channels must be at least 1"):
        conv_macs(28, 28, 5, 0, 32)
    with pytest.raises(TypeError, match="filters must be a whole number"):
        conv_macs(28, 28, 5, 3, 2.5)
    with pytest.raises(ValueError, match="filters must be at least 1"):
        conv_params(3, 3, 0)

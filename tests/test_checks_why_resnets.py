"""The checker of notebook 03's exercise: ``make_identity(block)`` turns a plain block into the identity."""
import numpy as np
import pytest
from keras import layers

from course_utils.checks.why_resnets import SETTINGS, check_plain_identity, plain_block


def centre_kernels(block, centre=None):
    """Every convolution copies its input: the identity matrix at the kernel's centre (or at ``centre``)."""
    for layer in block.layers:
        if isinstance(layer, layers.Conv2D):
            kernel = np.zeros(layer.kernel.shape, "float32")
            row = col = layer.kernel_size[0] // 2 if centre is None else centre
            kernel[row, col] = np.eye(layer.filters)
            layer.kernel.assign(kernel)


def set_bns(block, gamma, beta):
    for layer in block.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.gamma.assign(gamma(layer).astype("float32"))
            layer.beta.assign(beta(layer).astype("float32"))


def undo_statistics(layer):
    return np.sqrt(np.array(layer.moving_variance) + layer.epsilon)


def moving_mean(layer):
    return np.array(layer.moving_mean)


def correct(block):
    centre_kernels(block)
    set_bns(block, undo_statistics, moving_mean)


def correct_by_resetting_the_statistics(block):
    """Another right answer: make the moving statistics such that gamma = 1 and beta = 0 pass the input on."""
    centre_kernels(block)
    for layer in block.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.moving_mean.assign(np.zeros(layer.moving_mean.shape, "float32"))
            layer.moving_variance.assign(np.full(layer.moving_variance.shape, 1 - layer.epsilon, "float32"))
            layer.gamma.assign(np.ones(layer.gamma.shape, "float32"))
            layer.beta.assign(np.zeros(layer.beta.shape, "float32"))


def correct_returning_the_block(block):
    correct(block)
    return block


@pytest.mark.parametrize("solution", [correct, correct_by_resetting_the_statistics, correct_returning_the_block])
def test_right_answers_pass(solution):
    result = check_plain_identity(solution)
    assert result.ok, result.message
    assert "2 blocks with random BN statistics" in result.message


def test_the_blocks_have_random_statistics_and_both_kernel_sizes():
    """Otherwise a solution that assumes Keras's starting statistics, or 3x3 kernels, would pass."""
    assert {kernel_size for _, kernel_size, _ in SETTINGS} == {3, 5}
    for input_shape, kernel_size, seed in SETTINGS:
        block = plain_block(input_shape, kernel_size, seed)
        for layer in block.layers:
            if isinstance(layer, layers.BatchNormalization):
                assert not np.allclose(layer.moving_mean, 0) and not np.allclose(layer.moving_variance, 1)


def keras_starting_statistics(block):
    centre_kernels(block)
    set_bns(block, lambda layer: np.full(layer.gamma.shape, np.sqrt(1 + layer.epsilon)),
            lambda layer: np.zeros(layer.beta.shape))


def without_epsilon(block):
    centre_kernels(block)
    set_bns(block, lambda layer: np.sqrt(np.array(layer.moving_variance)), moving_mean)


def centre_fixed_at_one(block):
    centre_kernels(block, centre=1)
    set_bns(block, undo_statistics, moving_mean)


def kernels_only(block):
    centre_kernels(block)


def batch_norms_only(block):
    set_bns(block, undo_statistics, moving_mean)


def second_bn_forgotten(block):
    correct(block)
    second = [layer for layer in block.layers if isinstance(layer, layers.BatchNormalization)][1]
    second.beta.assign(np.full(second.beta.shape, -1.0, "float32"))


def skeleton(block):
    raise NotImplementedError("Exercise: set the weights.")


def wrong_shape(block):
    block.layers[0].kernel.assign(np.eye(4, dtype="float32"))  # the kernel is 3x3x4x4


MISTAKES = {
    "Keras's starting statistics": (keras_starting_statistics,
                                    r"the first BatchNormalization changes its input: .*assume moving_mean = 0 and "
                                    r"moving_variance = 1.*Try: read them from the layer"),
    "no epsilon": (without_epsilon, r"the first BatchNormalization.*leaves out epsilon\. Try: gamma = "
                                    r"sqrt\(moving_variance \+ layer\.epsilon\)"),
    "centre at [1, 1] of a 5x5 kernel": (centre_fixed_at_one,
                                         r"on a 5x7x3 input with 5x5 kernels, the first convolution \(5x5\) changes "
                                         r"its input\. Its kernel holds the identity at \[1, 1\], but the centre of "
                                         r"a 5x5 kernel is \[2, 2\]"),
    "kernels only": (kernels_only, r"3x3 kernels, the first BatchNormalization changes its input.*Try: choose gamma"),
    "batch norms only": (batch_norms_only, r"the first convolution \(3x3\) changes its input\. Try: make its kernel"),
    "second BN": (second_bn_forgotten, r"the second BatchNormalization changes its input"),
    "skeleton": (skeleton, r"not done yet: the skeleton still raises NotImplementedError"),
    "wrong shape": (wrong_shape, r"your code raised ValueError: The shape of the target variable"),
}


@pytest.mark.parametrize("solution, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_each_mistake_is_named_in_one_line(solution, message):
    import re

    result = check_plain_identity(solution)
    assert not result.ok
    assert "\n" not in result.message and "Try:" in result.message, result.message
    assert re.search(message, result.message), result.message


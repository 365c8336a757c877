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


def kernels_of_ones(block):
    for layer in block.layers:
        if isinstance(layer, layers.Conv2D):
            layer.kernel.assign(np.ones(layer.kernel.shape, "float32"))
    set_bns(block, undo_statistics, moving_mean)


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
    "no epsilon": (without_epsilon, r"the first BatchNormalization.*leaves out epsilon, which the layer adds to the "
                                    r"variance\. Try: use the formula above as it stands, with the layer's own "
                                    r"epsilon"),
    "kernels of ones": (kernels_of_ones, r"the first convolution \(3x3\) changes its input\. Its kernel is non-zero "
                                         r"at 9 of its 9 positions, so each output pixel mixes its neighbours\. "
                                         r"Try: make its kernel 0"),
    "centre at [1, 1] of a 5x5 kernel": (centre_fixed_at_one,
                                         r"on a 5x7x3 input with 5x5 kernels, the first convolution \(5x5\) changes "
                                         r"its input\. Its kernel holds the identity at \[1, 1\], but the centre of "
                                         r"a 5x5 kernel is \[2, 2\]"),
    "kernels only": (kernels_only, r"3x3 kernels, the first BatchNormalization changes its input.*Try: choose gamma"),
    "batch norms only": (batch_norms_only, r"the first convolution \(3x3\) changes its input\..* Try: make its kernel"),
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



# ---------------------------------------------------------------------------------------------------------------
# make_identity: the gaps a student falls into with Keras's own types
# ---------------------------------------------------------------------------------------------------------------

def rebinds_gamma(block):
    """Looks right when called (the layer's call reads the new attribute), but the weight variables never change."""
    centre_kernels(block)
    for layer in block.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.gamma = undo_statistics(layer).astype("float32")
            layer.beta.assign(moving_mean(layer).astype("float32"))


def kernel_size_as_a_number(block):
    for layer in block.layers:
        if isinstance(layer, layers.Conv2D):
            kernel = np.zeros(layer.kernel.shape, "float32")
            centre = layer.kernel_size // 2  # kernel_size is a tuple
            kernel[centre, centre] = np.eye(layer.filters)


def test_a_rebound_gamma_fails_and_says_to_assign():
    result = check_plain_identity(rebinds_gamma)
    assert not result.ok and "\n" not in result.message
    assert "rebinds `layer.gamma = ...` on the first BatchNormalization" in result.message, result.message
    assert "weight variable keeps its old values" in result.message
    assert "Try: write into the variable itself: layer.gamma.assign(values), or layer.set_weights" in result.message


def test_kernel_size_divided_as_a_number_is_explained():
    result = check_plain_identity(kernel_size_as_a_number)
    assert not result.ok and "\n" not in result.message
    assert "your code raised TypeError: unsupported operand type(s) for //: 'tuple' and 'int'" in result.message
    assert "layer.kernel_size is a tuple such as (3, 3), not a number. Try: take one side of the kernel, " \
           "k = layer.kernel_size[0], then compute k // 2." in result.message


def test_the_centre_fix_works_for_a_tuple_kernel_size():
    """The fix the messages suggest, k = layer.kernel_size[0] and then k // 2, is the right centre."""
    result = check_plain_identity(centre_fixed_at_one)
    assert "the centre index is k // 2 with k = layer.kernel_size[0]" in result.message, result.message
    block = plain_block(*SETTINGS[1])
    conv = block.layers[0]
    assert isinstance(conv.kernel_size, tuple) and conv.kernel_size[0] // 2 == 2


# ---------------------------------------------------------------------------------------------------------------
# silence_branch: as few weights as possible make a residual block the identity
# ---------------------------------------------------------------------------------------------------------------

from course_utils.checks.why_resnets import (SILENCE_SETTINGS, check_degradation, check_silence_branch,  # noqa: E402
                                             reference_silence_branch, residual_block)


def batch_norms(block):
    return [layer for layer in block.layers if isinstance(layer, layers.BatchNormalization)]


def zeros(variable):
    return np.zeros(variable.shape, "float32")


def silence_with_set_weights(block):
    last = batch_norms(block)[-1]
    gamma, beta, mean, variance = last.get_weights()
    last.set_weights([0 * gamma, 0 * beta, mean, variance])


def silence_the_layer_before_the_add(block):
    """Another right answer: find the add, and zero the layer that feeds its branch input."""
    add = next(layer for layer in block.layers if isinstance(layer, layers.Add))
    feeding = add._inbound_nodes[0].parent_nodes[0].operation
    feeding.gamma.assign(zeros(feeding.gamma))
    feeding.beta.assign(zeros(feeding.beta))


def zero_last_conv_and_cancel_the_shift(block):
    """Also two tensors: the last convolution outputs 0, and beta cancels what BN makes of 0."""
    conv = [layer for layer in block.layers if isinstance(layer, layers.Conv2D)][-1]
    last = batch_norms(block)[-1]
    conv.kernel.assign(zeros(conv.kernel))
    shift = np.array(last.gamma) * np.array(last.moving_mean) / np.sqrt(np.array(last.moving_variance) + last.epsilon)
    last.beta.assign(shift.astype("float32"))


def last_bn_zeroed(block):
    last_bn = [layer for layer in block.layers if isinstance(layer, layers.BatchNormalization)][-1]
    last_bn.gamma.assign(np.zeros(last_bn.gamma.shape, "float32"))
    last_bn.beta.assign(np.zeros(last_bn.beta.shape, "float32"))


def test_the_reference_silences_the_block():
    """The reference itself cannot go through the checker (which refuses the course's own function)."""
    block = residual_block(*SILENCE_SETTINGS[0])
    x = np.random.default_rng(0).uniform(0, 2, (2, *SILENCE_SETTINGS[0][0])).astype("float32")
    assert not np.allclose(np.asarray(block(x, training=False)), x, atol=1e-4)
    reference_silence_branch(block)
    assert np.array_equal(np.asarray(block(x, training=False)), x)
    assert np.array_equal(np.asarray(block(x, training=True)), x)


@pytest.mark.parametrize("solution", [last_bn_zeroed, silence_with_set_weights,
                                      silence_the_layer_before_the_add, zero_last_conv_and_cancel_the_shift])
def test_silence_right_answers_pass(solution):
    result = check_silence_branch(solution)
    assert result.ok, result.message
    assert "for 2 blocks with random weights; in the last one you changed 2 weight tensors" in result.message


def test_the_silence_blocks_have_every_weight_away_from_zero():
    """Otherwise zeroing gamma alone would pass on a block whose beta is still 0."""
    for settings in SILENCE_SETTINGS:
        block = residual_block(*settings)
        assert len(block.weights) == 10
        assert all(np.abs(np.array(variable)).min() > 0 for variable in block.weights if "kernel" not in variable.path)
        assert [type(layer).__name__ for layer in block.layers[1:]] == [
            "Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "Add", "ReLU"]


def zero_first_bn(block):
    first = batch_norms(block)[0]
    first.gamma.assign(zeros(first.gamma))
    first.beta.assign(zeros(first.beta))


def zero_gamma_only(block):
    last = batch_norms(block)[-1]
    last.gamma.assign(zeros(last.gamma))


def zero_beta_only(block):
    last = batch_norms(block)[-1]
    last.beta.assign(zeros(last.beta))


def rebind_gamma_and_beta(block):
    last = batch_norms(block)[-1]
    last.gamma = zeros(last.gamma)
    last.beta = zeros(last.beta)


def zero_last_conv(block):
    conv = [layer for layer in block.layers if isinstance(layer, layers.Conv2D)][-1]
    conv.kernel.assign(zeros(conv.kernel))


def zero_every_weight(block):
    for layer in block.layers:
        for variable in layer.trainable_weights:
            variable.assign(zeros(variable))


def also_reset_the_statistics(block):
    last = batch_norms(block)[-1]
    last.set_weights([zeros(last.gamma), zeros(last.beta), zeros(last.moving_mean),
                      np.ones(last.moving_variance.shape, "float32")])


def hard_coded_channels(block):
    last = batch_norms(block)[-1]
    last.gamma.assign(np.zeros(4, "float32"))
    last.beta.assign(np.zeros(4, "float32"))


def a_new_model(block):
    import keras

    return keras.models.clone_model(block)


def silence_skeleton(block):
    raise NotImplementedError("Exercise: find the layer that computes the branch's output.")


SILENCE_MISTAKES = {
    "zeroed the first BN": (zero_first_bn, r"you changed 2 weight tensors \(the first BatchNormalization's gamma, "
                                           r"the first BatchNormalization's beta\): you changed the first "
                                           r"BatchNormalization, inside the branch, not the last.*Try: change the "
                                           r"last BatchNormalization"),
    "gamma but not beta": (zero_gamma_only, r"you changed 1 weight tensor \(the second BatchNormalization's gamma\): "
                                            r"the last BatchNormalization's gamma is 0 but its beta is not.*Try: set "
                                            r"beta to 0 as well"),
    "beta but not gamma": (zero_beta_only, r"BatchNormalization's beta is 0 but its gamma is not.*Try: set gamma to 0 as well"),
    "a Python attribute": (rebind_gamma_and_beta, r"rebinds `layer\.gamma = \.\.\.` on the second "
                                                  r"BatchNormalization.*Try: write into the variable itself: "
                                                  r"layer\.gamma\.assign\(values\)"),
    "zeroed the last conv": (zero_last_conv, r"you changed 1 weight tensor \(the second Conv2D's kernel\): you "
                                             r"changed the convolutions, not the last BatchNormalization.*turns even "
                                             r"an all-zero input into beta - gamma \* moving_mean"),
    "zeroed every weight": (zero_every_weight, r"the block returns its input, but you changed 6 weight tensors .*; 2 "
                                               r"tensors of one layer are enough"),
    "reset the statistics too": (also_reset_the_statistics, r"the block returns its input, but you changed 4 weight "
                                                            r"tensors"),
    "hard-coded channels": (hard_coded_channels, r"your code raised ValueError"),
    "returns a new model": (a_new_model, r"returned a new model and left the block it was given unchanged"),
    "does nothing": (lambda block: None, r"left every weight of the block unchanged \(0 weight tensors changed\)"),
    "skeleton": (silence_skeleton, r"not done yet"),
}


@pytest.mark.parametrize("solution, message", SILENCE_MISTAKES.values(), ids=SILENCE_MISTAKES.keys())
def test_each_silence_mistake_is_named_in_one_line(solution, message):
    import re

    result = check_silence_branch(solution)
    assert not result.ok
    assert "\n" not in result.message and "Try:" in result.message, result.message
    assert re.search(message, result.message), result.message


# ---------------------------------------------------------------------------------------------------------------
# The degradation prediction
# ---------------------------------------------------------------------------------------------------------------

REASON = "B"  # the letter of the right reason among REASONS
FULL_DEPTHS = [20, 32, 44, 56, 110]


@pytest.mark.parametrize("answer, why, depths", [
    ("plain-56", REASON, [8, 20, 56]),
    (56, "b", [8, 20, 56]),
    ("56", " (B) ", [8, 20, 56]),
    ("the deeper one", "B.", [8, 20, 56]),
    ("plain 56", REASON, (8, 20, 56)),
    ("Plain 56 layers", REASON, (8, 20, 56)),
    (np.int64(56), REASON, [8, 20, 56]),
    (56.0, REASON, [8, 20, 56]),
    ("plain_110", REASON, FULL_DEPTHS),
    ("the one with more layers", REASON, FULL_DEPTHS),
])
def test_degradation_right_answers_pass(answer, why, depths):
    result = check_degradation(answer, why, depths=depths)
    assert result.ok, result.message
    assert f"plain-{max(depths)}, because it is harder to optimise" in result.message


@pytest.mark.parametrize("answer, why, named", [
    ("plain-56", "A", r"plain-56 is right, but not for reason A: overfitting cannot raise a TRAINING loss"),
    (56, "a", r"not for reason A: overfitting cannot raise a TRAINING loss"),
    ("56", "C", r"not for reason C: a deeper plain network can represent everything the shallower one computes: "
                r"give it the shallower one's layers and make each extra layer the identity"),
    ("deeper", "D", r"not for reason D: the sweep trains every network on the same images for the same number of "
                    r"steps"),
    ("plain-8", REASON, r"plain-8 is not the prediction the paper supports: plain-56 holds plain-8's layers and "
                        r"more.*Try: reread the first section"),
    ("the shallower one", REASON, r"plain-8 is not the prediction"),
    (8, "C", r"plain-8 is not the prediction"),
    ("plain-20", REASON, r"plain-20 is in the sweep too, but the question compares the shallowest, plain-8, with "
                         r"the deepest, plain-56"),
    (34, REASON, r"the sweep has no 34-layer network \(its depths are 8, 20, 56\)"),
    ("residual-56", REASON, r"names a residual network; the question compares the two plain networks"),
    ("plain-8 < plain-56", REASON, r"names both networks"),
    ("both the same", REASON, r"does not pick one"),
    ("no idea", "no idea", r"does not say which network"),
    ("plain-56", "It is not overfitting.", r"`why` is a sentence; the exercise now asks for the letter of one of "
                                           r"the reasons it lists \(A, B, C, D\)"),
    ("plain-56", "a 56-layer network cannot represent what an 8-layer one does", r"`why` is a sentence"),
    ("plain-56", "harder to optimise", r"`why` is a sentence"),
    ("plain-56", "depth", r"`why` = 'depth' is not one of the letters A, B, C, D"),
    ("plain-56", "E", r"`why` = 'E' is not one of the letters"),
    ("plain-56", 3, r"`why` = 3 is not one of the letters"),
    (None, REASON, r"\(NoneType\) does not name a network"),
    (True, REASON, r"\(bool\) does not name a network"),
    (..., REASON, r"not done yet: `higher_training_loss` is still `\.\.\.`"),
    ("plain-56", ..., r"not done yet: `why` is still `\.\.\.`"),
])
def test_degradation_mistakes_are_named(answer, why, named):
    import re

    result = check_degradation(answer, why, depths=[8, 20, 56])
    assert not result.ok
    assert "\n" not in result.message and "Try:" in result.message, result.message
    assert re.search(named, result.message), result.message


def test_each_wrong_reason_is_answered_in_its_own_words_and_one_reason_is_right():
    from course_utils.checks.why_resnets import REASONS

    answers = {letter: check_degradation("plain-56", letter).message for letter in REASONS}
    assert sum(check_degradation("plain-56", letter).ok for letter in REASONS) == 1
    wrong = [message for letter, message in answers.items() if not check_degradation("plain-56", letter).ok]
    assert len(set(wrong)) == len(REASONS) - 1
    assert all(REASONS[letter][0] for letter in REASONS)  # each has the text the exercise lists


def test_degradation_needs_the_sweeps_depths():
    for depths in (None, "8, 56", [56], [8.5, 56]):
        result = check_degradation("plain-56", REASON, depths=depths)
        assert not result.ok and "is not the list of the sweep's depths" in result.message, result.message


# ---------------------------------------------------------------------------------------------------------------
# No message gives the solution away
# ---------------------------------------------------------------------------------------------------------------

def solution_lines():
    """The code lines (15 characters or more) of every solution span of notebook 03."""
    import json
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_why_resnets_work.ipynb"
    lines, inside = [], False
    for cell in json.loads(path.read_text())["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if line.strip() in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = line.strip() == "### BEGIN SOLUTION"
            elif inside and len(line.strip()) >= 15 and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


def test_no_message_holds_a_line_of_the_solution():
    lines = solution_lines()
    assert len(lines) >= 10  # make_identity, silence_branch and the prediction
    messages = [check_plain_identity(solution).message for solution, _ in MISTAKES.values()]
    messages += [check_plain_identity(fn).message for fn in (rebinds_gamma, kernel_size_as_a_number)]
    messages += [check_silence_branch(solution).message for solution, _ in SILENCE_MISTAKES.values()]
    messages += [check_degradation(answer, why).message for answer, why in
                 [("plain-8", REASON), ("56", "A"), ("56", "C"), ("56", "D"), ("plain-20", REASON), ("x", "y")]]
    for message in messages:
        given = [line for line in lines if line in message]
        assert not given, f"{message!r} gives away {given}"


def test_the_notebook_lists_the_checkers_reasons_once_its_exercise_asks_for_a_letter():
    """NOTEBOOK_CHANGES.md gives notebook 03 the list of reasons; once it is in, it must be REASONS word for word."""
    import json
    import pathlib
    import re

    from course_utils.checks.why_resnets import REASONS

    path = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_why_resnets_work.ipynb"
    listed = {}
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            listed.update(re.findall(r"^- \*\*([A-Z])\.\*\* (.+)$", "".join(cell["source"]), flags=re.M))
    if listed:
        assert listed == {letter: text for letter, (text, _) in REASONS.items()}

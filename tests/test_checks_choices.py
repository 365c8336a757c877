"""The predictions chosen from a list (notebook 02's BN modes, notebook 04's heads) and notebook 04's open
challenge, each with realistic wrong answers and right answers written in different styles."""
import keras
import pytest
from keras import layers

import course_utils as cu
from course_utils.checks import choices
from course_utils.checks.common import Failure


@pytest.mark.parametrize("answer", ["b", "B", "(b)", " b) ", "b."])
def test_bn_modes_accepts_the_right_letter_however_written(answer):
    result = cu.check_bn_modes(answer)
    assert result.ok and "each batch's own statistics describe the network as it is now" in result.message


@pytest.mark.parametrize("answer, says", [
    ("a", "125 steps with momentum=0.99, so every average still holds a large share of its starting value"),
    ("c", "with momentum=0.99 each step moves them 1% of the way"),
    ("moving averages", "none of the choices"),
    ("batch statistics", "none of the choices"),
    (..., "not done yet: `bn_prediction` is still `...`"),
    (True, "not one of the letters"),
])
def test_bn_modes_answers_each_wrong_choice_in_its_own_words(answer, says):
    result = cu.check_bn_modes(answer)
    assert not result.ok and says in result.message, result.message


@pytest.mark.parametrize("answer, says", [
    ("b", "that repeats the work (the MACs), not the parameters"),
    ("c", "the widths alone do not set the parameters"),
    ("dense", "none of the choices"),
    (0, "not one of the letters"),
    (..., "not done yet"),
])
def test_heads_answers_each_wrong_choice_in_its_own_words(answer, says):
    result = cu.check_heads(answer)
    assert not result.ok and says in result.message, result.message


@pytest.mark.parametrize("answer", ["a", "(A)"])
def test_heads_right(answer):
    assert cu.check_heads(answer).ok


def test_a_wrong_choice_never_names_the_right_letter():
    for check, wrong in ((cu.check_bn_modes, ("a", "c")), (cu.check_heads, ("b", "c"))):
        for letter in wrong:
            message = check(letter).message
            right = {"a", "b", "c"} - {letter}
            assert not any(f"({other})" in message for other in right), message


def test_read_choice_lists_the_letters():
    with pytest.raises(Failure, match="none of the choices") as info:
        choices.read_choice("x", "z", "answer", {"a": "", "b": ""})
    assert 'one of "a", "b"' in info.value.fix


# The open challenge: a branch 28x28x192 -> 28x28x32 that sees 5x5, for at most 15 million MACs.

def reduce_then_5x5(x):  # GoogLeNet's own answer, layer by layer
    x = layers.Conv2D(16, 1, activation="relu")(x)
    return layers.Conv2D(32, 5, padding="same", activation="relu")(x)


def two_3x3(x):  # VGG's trick: two 3x3 see 5x5, for fewer MACs
    x = layers.Conv2D(16, 1, activation="relu")(x)
    for filters in (16, 32):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return x


def functional_in_one_line(x):
    return layers.Conv2D(32, (5, 5), padding="same")(layers.ReLU()(layers.Conv2D(12, (1, 1))(x)))


@pytest.mark.parametrize("branch", [reduce_then_5x5, two_3x3, functional_in_one_line])
def test_challenge_accepts_branches_written_in_different_styles(branch):
    result = cu.check_cheap_branch(branch)
    assert result.ok and "a 5x5 window" in result.message, result.message


@pytest.mark.parametrize("branch, says", [
    (lambda x: layers.Conv2D(32, 5, padding="same")(x), "costs 120,422,400 MACs per image, over the budget"),
    (lambda x: layers.Conv2D(32, 5, padding="same")(layers.Conv2D(64, 1)(x)), "over the budget of 15,000,000"),
    (lambda x: layers.Conv2D(32, 3, padding="same")(layers.Conv2D(16, 1)(x)), "window is smaller than 5x5"),
    (lambda x: layers.Conv2D(32, 5)(layers.Conv2D(16, 1)(x)), "24 x 24 x 32: its height and width are 24 x 24"),
    (lambda x: layers.Conv2D(16, 5, padding="same")(layers.Conv2D(16, 1)(x)), "it ends with 16 channels, not 32"),
    (lambda x: layers.Conv2D(32, 1)(layers.MaxPooling2D(5, strides=1, padding="same")(x)),
     "no convolution in the branch has a window larger than 1x1"),
    (lambda x: layers.Conv2D(32, 5, strides=2, padding="same")(layers.Conv2D(16, 1)(x)), "14 x 14"),
    (lambda x: layers.Conv2D(32, 1)(layers.Conv2D(16, 1)(x)), "no convolution in the branch has a window larger"),
])
def test_challenge_names_each_mistake(branch, says):
    result = cu.check_cheap_branch(branch)
    assert not result.ok and says in result.message, result.message


def test_challenge_not_done_yet():
    def cheap_branch(x):
        raise NotImplementedError("Exercise: build the branch.")

    result = cu.check_cheap_branch(cheap_branch)
    assert not result.ok and result.message.startswith("not done yet")


def test_challenge_leaves_keras_naming_alone_for_later_cells():
    """Checking twice works: the branch is built into a fresh model each time."""
    assert cu.check_cheap_branch(two_3x3).ok and cu.check_cheap_branch(two_3x3).ok
    assert keras.config.dtype_policy().name == "float32"


@pytest.mark.parametrize("check, right", [(cu.check_pooling_prediction, "b"), (cu.check_transfer_prediction, "b")])
@pytest.mark.parametrize("written", [str.lower, str.upper, lambda key: f"({key})", lambda key: f" {key}. "])
def test_notebook_01_predictions_accept_the_right_letter_however_written(check, right, written):
    assert check(written(right)).ok


@pytest.mark.parametrize("answer, says", [
    ("a", "the gains do not add up here"),
    ("c", "ReLU did end a little lower than tanh with max pooling on every seed, but by less than twice"),
    ("relu", "none of the choices"),
    (None, "not one of the letters"),
    (..., "not done yet"),
])
def test_pooling_prediction_answers_each_wrong_choice(answer, says):
    result = cu.check_pooling_prediction(answer)
    assert not result.ok and says in result.message, result.message


@pytest.mark.parametrize("answer, says", [
    ("a", "with all 1,297 labels scratch catches up"),
    ("c", "the start from MNIST wins with 20 labels by more than ten points on average"),
    ("yes", "none of the choices"),
    (3.0, "not one of the letters"),
    (..., "not done yet"),
])
def test_transfer_prediction_answers_each_wrong_choice(answer, says):
    result = cu.check_transfer_prediction(answer)
    assert not result.ok and says in result.message, result.message


@pytest.mark.parametrize("answer", ["d", "D", "(d)", "d)"])
def test_intervention_prediction_right(answer):
    assert cu.check_intervention_prediction(answer).ok


@pytest.mark.parametrize("answer, says", [
    ("a", "learning rate 0.01 lowers plain-56's final training loss on both seeds, to about 1.8"),
    ("b", "the warm-up at 0.01 ends at 1.70 and 1.92"),
    ("c", "zero gamma leaves plain-56 at the loss of guessing"),
    ("e", "none of the choices"),
    ("warm-up", "none of the choices"),
    (..., "not done yet"),
])
def test_intervention_prediction_answers_each_wrong_choice(answer, says):
    result = cu.check_intervention_prediction(answer)
    assert not result.ok and says in result.message, result.message


def test_not_done_yet_is_grey_and_a_wrong_answer_red():
    assert "#57606a" in cu.check_heads(...)._repr_html_() and "bold" not in cu.check_heads(...)._repr_html_()
    assert "#cf222e" in cu.check_heads("b")._repr_html_() and "#1a7f37" in cu.check_heads("a")._repr_html_()

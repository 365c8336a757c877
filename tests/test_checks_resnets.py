"""The residual-block checkers: correct blocks written in different ways pass, each common mistake is named."""
import itertools

import keras
import numpy as np
import pytest
from keras import layers

from course_utils.checks.common import fixed_value
from course_utils.checks.resnets import (
    PROJECTION, check_identity_block, check_identity_params, check_projection_block, reference_block)


# --- correct implementations, written three different ways --------------------------------------------------------

def identity_plain(x, filters, kernel_size=3, training=None):
    shortcut = x
    x = layers.Conv2D(filters, kernel_size, padding="same")(x)
    x = layers.BatchNormalization()(x, training=training)
    x = layers.ReLU()(x)
    x = layers.Conv2D(filters, kernel_size, padding="same")(x)
    x = layers.BatchNormalization()(x, training=training)
    x = layers.Add()([x, shortcut])
    return layers.ReLU()(x)


_names = itertools.count()


def identity_named(x, filters, kernel_size=3, training=None):
    """Explicit layer names, BatchNormalization(axis=3), Add()([shortcut, x]), Activation layers."""
    n = next(_names)
    y = layers.Conv2D(filters, (kernel_size, kernel_size), padding="same", name=f"b{n}_a_conv")(x)
    y = layers.BatchNormalization(axis=3, name=f"b{n}_a_bn")(y, training=training)
    y = layers.Activation("relu", name=f"b{n}_a_relu")(y)
    y = layers.Conv2D(filters, kernel_size, padding="same", name=f"b{n}_b_conv")(y)
    y = layers.BatchNormalization(axis=3, name=f"b{n}_b_bn")(y, training=training)
    return layers.Activation("relu", name=f"b{n}_out")(layers.Add(name=f"b{n}_add")([x, y]))


def identity_ops(x, filters, kernel_size=3, training=None):
    """Layers created first and called later, explicit zero padding, the + operator and keras.ops.relu."""
    pad = layers.ZeroPadding2D(kernel_size // 2)
    conv_a, conv_b = layers.Conv2D(filters, kernel_size), layers.Conv2D(filters, kernel_size)
    norm_a, norm_b = layers.BatchNormalization(), layers.BatchNormalization()
    main = keras.ops.relu(norm_a(conv_a(pad(x)), training=training))
    main = norm_b(conv_b(layers.ZeroPadding2D(kernel_size // 2)(main)), training=training)
    return keras.ops.relu(x + main)


def identity_fixed_names(x, filters, kernel_size=3, training=None):
    """The same names on every call: fine for one block, but the ResNet of notebook 02 calls it many times."""
    y = layers.Conv2D(filters, kernel_size, padding="same", name="conv_a")(x)
    y = layers.BatchNormalization(epsilon=1.001e-5, name="bn_a")(y, training=training)
    y = layers.Activation("relu", name="relu_a")(y)
    y = layers.Conv2D(filters, kernel_size, padding="same", name="conv_b")(y)
    y = layers.BatchNormalization(epsilon=1.001e-5, name="bn_b")(y, training=training)
    return layers.ReLU(name="out")(layers.Add(name="add")([y, x]))


def identity_helper(x, filters, kernel_size=3, training=None):
    """A helper for conv + BN, Keras ResNet50's epsilon, and keras.ops.add."""
    def conv_bn(tensor):
        tensor = layers.Conv2D(filters=filters, kernel_size=kernel_size, strides=(1, 1), padding="same")(tensor)
        return layers.BatchNormalization(axis=-1, epsilon=1.001e-5)(tensor, training=training)

    main = conv_bn(layers.Activation("relu")(conv_bn(x)))
    return layers.ReLU()(keras.ops.add(main, x))


def identity_in_a_loop(x, filters, kernel_size=3, training=None):
    """The main path's two conv-BN pairs written as a loop over layer objects made in a comprehension."""
    pairs = [(layers.Conv2D(filters, kernel_size, padding="same"), layers.BatchNormalization()) for _ in range(2)]
    y = x
    for i, (conv, norm) in enumerate(pairs):
        y = norm(conv(y), training=training)
        if i == 0:
            y = keras.ops.relu(y)
    return keras.ops.relu(keras.ops.add(x, y))


def projection_plain(x, filters, kernel_size=3, strides=2, training=None):
    shortcut = layers.Conv2D(filters, 1, strides=strides)(x)
    shortcut = layers.BatchNormalization()(shortcut, training=training)
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same")(x)
    x = layers.BatchNormalization()(x, training=training)
    x = layers.ReLU()(x)
    x = layers.Conv2D(filters, kernel_size, padding="same")(x)
    x = layers.BatchNormalization()(x, training=training)
    x = layers.Add()([shortcut, x])
    return layers.ReLU()(x)


def projection_named(x, filters, kernel_size=3, strides=2, training=None):
    n = next(_names)
    y = layers.Conv2D(filters, kernel_size, strides=(strides, strides), padding="same",
                      name=f"p{n}_conv1")(x)
    y = layers.Activation("relu")(layers.BatchNormalization(axis=-1, name=f"p{n}_bn1")(y, training=training))
    y = layers.Conv2D(filters, kernel_size, padding="same", name=f"p{n}_conv2")(y)
    y = layers.BatchNormalization(name=f"p{n}_bn2")(y, training=training)
    s = layers.Conv2D(filters, (1, 1), strides=strides, padding="valid", name=f"p{n}_proj")(x)
    s = layers.BatchNormalization(name=f"p{n}_proj_bn")(s, training=training)
    return layers.ReLU(name=f"p{n}_out")(layers.Add(name=f"p{n}_add")([y, s]))


def projection_ops(x, filters, kernel_size=3, strides=2, training=None):
    main = layers.Conv2D(filters, kernel_size, strides, padding="same")(x)
    main = keras.ops.relu(layers.BatchNormalization()(main, training=training))
    main = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(main), training=training)
    return keras.ops.relu(main + layers.BatchNormalization()(layers.Conv2D(filters, 1, strides)(x), training=training))


# --- a configurable block for the broken versions -------------------------------------------------------------------

def block(x, filters, kernel_size=3, strides=None, training=None, shortcut=True, relu_before_add=False,
          relu_after_add=True, bn_axis=-1, pass_training=True, main_strides=None, stride_on_second=False,
          project=None, project_strides=None, shortcut_bn=True, fixed_kernel_size=None, padding="same",
          second_padding=None, project_kernel=1, project_padding="valid", training_positional=False,
          shortcut_from=None):
    """A residual block with switches for each mistake; strides=None makes an identity block.

    ``shortcut_from``: the shortcut starts inside the main path, after its first "conv", "bn" or "relu", or at its
    "end" (the second BatchNormalization's output), as when x was reassigned before the shortcut was taken.
    """
    project = strides is not None if project is None else project
    strides = strides or 1
    main_strides = strides if main_strides is None else main_strides
    main_strides, second_strides = (1, strides) if stride_on_second else (main_strides, 1)
    project_strides = strides if project_strides is None else project_strides
    kernel_size = fixed_kernel_size or kernel_size
    second_padding = second_padding or padding

    def norm(tensor):
        layer = layers.BatchNormalization(axis=bn_axis)
        if training_positional:
            return layer(tensor, training)
        return layer(tensor, training=training) if pass_training else layer(tensor)

    points = {}
    y = points["conv"] = layers.Conv2D(filters, kernel_size, strides=main_strides, padding=padding)(x)
    y = points["bn"] = norm(y)
    y = points["relu"] = layers.ReLU()(y)
    y = layers.Conv2D(filters, kernel_size, strides=second_strides, padding=second_padding)(y)
    y = points["end"] = norm(y)
    if relu_before_add:
        y = layers.ReLU()(y)
    if shortcut:
        s = points[shortcut_from] if shortcut_from else x
        if project:
            s = layers.Conv2D(filters, project_kernel, strides=project_strides, padding=project_padding)(s)
            if shortcut_bn:
                s = norm(s)
        y = layers.Add()([y, s])
    return layers.ReLU()(y) if relu_after_add else y


def identity(**mistake):
    def identity_block(x, filters, kernel_size=3, training=None):
        return block(x, filters, kernel_size, training=training, **mistake)
    return identity_block


def projection(**mistake):
    def projection_block(x, filters, kernel_size=3, strides=2, training=None):
        return block(x, filters, kernel_size, strides=strides, training=training, **mistake)
    return projection_block


def identity_skeleton(x, filters, kernel_size=3, training=None):
    """An exercise as the student edition hands it out."""
    raise NotImplementedError("Exercise: build the identity block.")


def projection_skeleton(x, filters, kernel_size=3, strides=2, training=None):
    raise NotImplementedError("Exercise: build the projection block.")


# --- tests -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [identity_plain, identity_named, identity_ops, identity_helper, identity_in_a_loop,
                                identity()])
def test_correct_identity_blocks_pass(fn):
    result = check_identity_block(fn)
    assert result.ok, result.message
    assert repr(result).startswith("✔ identity_block: same outputs as the reference")


@pytest.mark.parametrize("fn", [projection_plain, projection_named, projection_ops, projection()])
def test_correct_projection_blocks_pass(fn):
    result = check_projection_block(fn)
    assert result.ok, result.message
    assert repr(result).startswith("✔ projection_block: 6 x 8 x 3 -> 3 x 4 x 4 with strides=2")


@pytest.mark.parametrize("check, skeleton, exercise", [
    (check_identity_block, identity_skeleton, "identity"), (check_projection_block, projection_skeleton, "projection")])
def test_skeleton_is_not_done_yet(check, skeleton, exercise):
    result = check(skeleton)
    assert not result.ok
    assert "not done yet" in result.message and f"Exercise: build the {exercise} block." in result.message


def assert_mistake_named(result, expected):
    """The check fails with ``expected`` in a one-line message that ends in a hint."""
    assert not result.ok
    assert expected in result.message, result.message
    assert "\n" not in result.message and " Try: " in result.message


IDENTITY_MISTAKES = [
    ({"shortcut": False}, "the shortcut is missing"),
    ({"relu_before_add": True, "relu_after_add": False}, "ReLU is applied before the add instead of after"),
    ({"relu_before_add": True}, "a ReLU is applied before the add as well as after"),
    ({"relu_after_add": False}, "there is no ReLU after the add"),
    ({"bn_axis": 1}, "BatchNormalization is on the wrong axis (axis=1)"),
    ({"bn_axis": 2}, "BatchNormalization is on the wrong axis (axis=2)"),
    ({"pass_training": False}, "the `training` flag is ignored: called with training=True"),
    ({"fixed_kernel_size": 3}, "kernel_size is ignored"),
    ({"project": True}, "the shortcut goes through a convolution: in an identity block the shortcut is x itself"),
    ({"padding": "valid"}, "a 3x3 convolution of the main path has no padding='same'"),
    ({"second_padding": "valid"}, "a 3x3 convolution of the main path has no padding='same'"),
    ({"shortcut_from": "conv"}, "the shortcut starts inside the main path: the add receives the outputs of"),
    ({"shortcut_from": "bn"}, "the shortcut starts inside the main path: the add receives the outputs of"),
    ({"shortcut_from": "relu"}, "the shortcut starts inside the main path: the add receives the outputs of "
                                "BatchNormalization and ReLU"),
    ({"shortcut_from": "end"}, "the add receives the outputs of BatchNormalization and BatchNormalization, not "
                               "the block's input x"),
    ({"training_positional": True}, "`training` reaches BatchNormalization as a positional argument"),
    ({"main_strides": 2}, "a convolution uses strides=2: an identity block keeps the height and width"),
]


@pytest.mark.parametrize("mistake, expected", IDENTITY_MISTAKES, ids=[m for _, m in IDENTITY_MISTAKES])
def test_identity_mistakes_are_named(mistake, expected):
    assert_mistake_named(check_identity_block(identity(**mistake)), expected)


PROJECTION_MISTAKES = [
    ({"project": False}, "the shortcut is not projected when the channels change"),
    ({"stride_on_second": True}, "the stride is on the wrong path: it sits on the second conv"),
    ({"project_strides": 1}, "the 1x1 shortcut conv has no stride: with strides=2 the main path shrinks the height "
                             "and width, while the shortcut keeps them"),
    ({"main_strides": 1}, "the stride is on the wrong path: with strides=2 (channels unchanged)"),
    ({"shortcut": False}, "the shortcut is missing"),
    ({"relu_before_add": True, "relu_after_add": False}, "ReLU is applied before the add instead of after"),
    ({"bn_axis": 1}, "BatchNormalization is on the wrong axis (axis=1)"),
    ({"pass_training": False}, "the `training` flag is ignored: called with training=True"),
    ({"shortcut_bn": False}, "the projected shortcut has no BatchNormalization"),
    ({"main_strides": 2, "project_strides": 2}, "`strides` is ignored: called with strides=1 your block turns "
                                                "6 x 8 into 3 x 4"),
    ({"main_strides": 1, "project_strides": 1}, "`strides` is ignored: called with strides=2 your block keeps the "
                                                "height and width, 6 x 8"),
    ({"main_strides": 2}, "a convolution always uses strides=2: called with strides=1"),
    ({"project_strides": 2}, "a convolution always uses strides=2: called with strides=1"),
    ({"training_positional": True}, "`training` reaches BatchNormalization as a positional argument"),
    ({"project_kernel": 3, "project_padding": "same"}, "the shortcut uses a 3x3 convolution; the projection is a "
                                                       "1x1 convolution"),
    ({"project_kernel": 3}, "the shortcut uses a 3x3 convolution; the projection is a 1x1 convolution"),
    ({"shortcut_from": "end"}, "the shortcut starts inside the main path: its 1x1 convolution is applied to the "
                               "output of BatchNormalization, not to the block's input x"),
    ({"shortcut_from": "relu", "project_strides": 1}, "its 1x1 convolution is applied to the output of ReLU"),
    ({"padding": "valid"}, "a 3x3 convolution of the main path has no padding='same'"),
    ({"second_padding": "valid"}, "a 3x3 convolution of the main path has no padding='same'"),
]


@pytest.mark.parametrize("mistake, expected", PROJECTION_MISTAKES, ids=[m for _, m in PROJECTION_MISTAKES])
def test_projection_mistakes_are_named(mistake, expected):
    assert_mistake_named(check_projection_block(projection(**mistake)), expected)


def test_not_projected_message_quotes_keras_shapes():
    result = check_projection_block(projection(project=False))
    assert "(Keras: ValueError: Inputs have incompatible shapes." in result.message


def test_training_flag_hard_coded_to_true_is_caught():
    def always_training(x, filters, kernel_size=3, training=None):
        return identity_plain(x, filters, kernel_size, training=True)

    result = check_identity_block(always_training)
    assert not result.ok and "called with training=False your block still normalises with batch" in result.message


def test_training_flag_passed_to_only_the_second_batch_norm():
    # Keras hands an explicit training=True on to the layers called after it, so only a flag that misses the
    # first BatchNormalization changes the output.
    def half(x, filters, kernel_size=3, training=None):
        y = layers.Conv2D(filters, kernel_size, padding="same")(x)
        y = layers.ReLU()(layers.BatchNormalization()(y))
        y = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(y), training=training)
        return layers.ReLU()(layers.Add()([x, y]))

    result = check_identity_block(half)
    assert not result.ok and "does not reach every BatchNormalization" in result.message


def test_returning_nothing_or_a_disconnected_tensor_is_explained():
    def no_return(x, filters, kernel_size=3, training=None):
        identity_plain(x, filters, kernel_size, training)

    def new_input(x, filters, kernel_size=3, training=None):
        return identity_plain(keras.Input(shape=x.shape[1:]), filters, kernel_size, training)

    assert "returned None" in check_identity_block(no_return).message
    assert "not computed from the input x" in check_identity_block(new_input).message


def test_student_exception_is_one_line():
    def typo(x, filters, kernel_size=3, training=None):
        return layers.Conv2D(filters, kernel_sise, padding="same")(x)  # noqa: F821

    result = check_identity_block(typo)
    assert not result.ok and result.message.startswith("your code raised NameError: name 'kernel_sise'")


def test_wrong_output_shape_is_reported():
    def valid_padding(x, filters, kernel_size=3, training=None):
        return layers.ReLU()(layers.Conv2D(filters, kernel_size)(x))

    result = check_identity_block(valid_padding)
    assert not result.ok and "outputs 3 x 4 x 4, expected 5 x 6 x 4" in result.message


def test_unknown_mistake_gets_the_generic_message():
    def relu_before_norm(x, filters, kernel_size=3, training=None):
        y = layers.BatchNormalization()(layers.ReLU()(layers.Conv2D(filters, kernel_size, padding="same")(x)),
                                        training=training)
        y = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(y), training=training)
        return layers.ReLU()(layers.Add()([x, y]))

    result = check_identity_block(relu_before_norm)
    assert not result.ok and "differs from the reference" in result.message


def test_fixed_values_depend_only_on_name_and_shape():
    assert np.array_equal(fixed_value("kernel", (3, 3, 4, 4)), fixed_value("kernel", (3, 3, 4, 4)))
    assert not np.array_equal(fixed_value("gamma", (4,)), fixed_value("beta", (4,)))
    assert not fixed_value("kernel", (3, 3, 4, 4), zero_main=True).any()
    assert fixed_value("kernel", (1, 1, 3, 4), zero_main=True).any()


def test_reference_block_shapes():
    x = keras.Input(shape=PROJECTION["input_shape"])
    assert tuple(reference_block(x, 4, strides=2).shape[1:]) == (3, 4, 4)
    assert tuple(reference_block(keras.Input(shape=(5, 6, 4)), 4).shape[1:]) == (5, 6, 4)


def test_training_given_to_the_constructor_is_named():
    def in_constructor(x, filters, kernel_size=3, training=None):
        y = layers.Conv2D(filters, kernel_size, padding="same")(x)
        y = layers.ReLU()(layers.BatchNormalization(training=training)(y))
        y = layers.BatchNormalization(training=training)(layers.Conv2D(filters, kernel_size, padding="same")(y))
        return layers.ReLU()(layers.Add()([x, y]))

    assert_mistake_named(check_identity_block(in_constructor), "`training` is passed to the BatchNormalization "
                                                               "constructor")


def test_shortcut_from_inside_the_main_path_is_named_with_keras_ops():
    def reassigned(x, filters, kernel_size=3, training=None):
        x = layers.Conv2D(filters, kernel_size, padding="same")(x)
        x = keras.ops.relu(layers.BatchNormalization()(x, training=training))
        shortcut = x
        x = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(x), training=training)
        return keras.ops.relu(x + shortcut)

    assert_mistake_named(check_identity_block(reassigned), "the shortcut starts inside the main path")


def test_projection_without_padding_on_the_shortcut_alone_passes():
    # padding does not matter for a 1x1 convolution: "same" and "valid" give the same output
    result = check_projection_block(projection(project_padding="same"))
    assert result.ok, result.message


# The lines of the notebook's solutions (02_resnets.ipynb) that a message must never print.
SOLUTION_LINES = [
    "x = layers.Conv2D(filters, kernel_size, padding=\"same\")(x)",
    "x = layers.BatchNormalization()(x, training=training)",
    "x = layers.Add()([x, shortcut])",
    "shortcut = layers.Conv2D(filters, 1, strides=strides)(x)",
    "shortcut = layers.BatchNormalization()(shortcut, training=training)",
    "x = layers.Conv2D(filters, kernel_size, strides=strides, padding=\"same\")(x)",
    "identity_params = 2 * (3 * 3 * 16 * 16 + 16) + 2 * 4 * 16",
]


def _every_message():
    for mistake, _ in IDENTITY_MISTAKES:
        yield check_identity_block(identity(**mistake)).message
    for mistake, _ in PROJECTION_MISTAKES:
        yield check_projection_block(projection(**mistake)).message
    for value, _ in PARAMS_SLIPS:
        yield check_identity_params(value).message


def test_no_message_prints_the_solution():
    pieces = SOLUTION_LINES + [line.split(" = ", 1)[1] for line in SOLUTION_LINES]
    for message in _every_message():
        given = [piece for piece in pieces if piece in message.replace("'", '"')]
        assert not given, (given, message)


# --- the prediction: parameters of identity_block(x, filters=16) on 28x28x16 -------------------------------------

@pytest.mark.parametrize("value", [4_768, 2 * (3 * 3 * 16 * 16 + 16) + 2 * 4 * 16, 4768.0, np.int64(4_768)])
def test_identity_params_right_answers_pass(value):
    result = check_identity_params(value)
    assert result.ok, result.message
    assert "4,768 parameters: 2,320 in each convolution" in result.message


def test_identity_params_measured_from_the_reference_block():
    x = keras.Input(shape=(28, 28, 16))
    model = keras.Model(x, reference_block(x, 16))
    assert check_identity_params(model.count_params()).ok


PARAMS_SLIPS = [
    (4_736, "forgot the biases"),
    (4_640, "left out the two BatchNormalization layers"),
    (4_704, "counted only the two numbers per channel that training learns"),
    (4_704, "or you counted one BatchNormalization layer where the main path has two"),
    (4_608, "counted only the convolutions' weights"),
    (2_384, "counted one convolution and one BatchNormalization layer"),
    (2_448, "counted one convolution; the main path has two"),
    (448, "each filter spans all 16 input channels"),
    (5_104, "gave the shortcut a 1x1 convolution and BatchNormalization"),
    (4_648, "not 4 per layer"),
    (3_612_672, "multiply-accumulates (MACs)"),
    (12_544, "number of output values"),
    (4_800, "add up the numbers every layer of the block stores"),
    (4_768.5, "not a whole number"),
    ("4768", "not a number"),
    (True, "not a number"),
    (None, "not a number"),
    (..., "not done yet: `identity_params` is still `...`"),
]


@pytest.mark.parametrize("value, named", PARAMS_SLIPS, ids=[str(v) for v, _ in PARAMS_SLIPS])
def test_identity_params_wrong_answers_are_named(value, named):
    result = check_identity_params(value)
    assert not result.ok
    assert named in result.message and "Try:" in result.message and "\n" not in result.message, result.message
    assert "4768" not in result.message.replace(str(value), "").replace(",", "")  # the answer is not given away



def identity_without_biases(x, filters, kernel_size=3, training=None):
    shortcut = x
    x = layers.Conv2D(filters, kernel_size, padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x, training=training))
    x = layers.Conv2D(filters, kernel_size, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x, training=training)
    return layers.ReLU()(layers.Add()([x, shortcut]))


def test_a_block_without_biases_is_named():
    """The checker compares outputs with BN after each conv, where a bias changes nothing; the count still differs,
    and the cells after exercise 3 assert it."""
    result = check_identity_block(identity_without_biases)
    assert not result.ok and "the convolutions' biases are missing (use_bias=False)" in result.message, result.message


def projection_without_biases(x, filters, kernel_size=3, strides=2, training=None):
    s = layers.BatchNormalization()(layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x), training=training)
    y = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y, training=training))
    y = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same", use_bias=False)(y),
                                    training=training)
    return layers.ReLU()(layers.Add()([y, s]))


def test_a_projection_block_without_biases_is_named():
    result = check_projection_block(projection_without_biases)
    assert not result.ok and "the convolutions' biases are missing (use_bias=False)" in result.message, result.message


# --- findings of the student review (issue 23) ------------------------------------------------------------------

def projection_shortcut_bn_without_training(x, filters, kernel_size=3, strides=2, training=None):
    shortcut = layers.Conv2D(filters, 1, strides=strides)(x)
    shortcut = layers.BatchNormalization()(shortcut)
    y = layers.Conv2D(filters, kernel_size, strides=strides, padding="same")(x)
    y = layers.ReLU()(layers.BatchNormalization()(y, training=training))
    y = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(y), training=training)
    return layers.ReLU()(layers.Add()([y, shortcut]))


def projection_both_strided(x, filters, kernel_size=3, strides=2, training=None):
    shortcut = layers.BatchNormalization()(layers.Conv2D(filters, 1, strides=strides)(x), training=training)
    y = layers.Conv2D(filters, kernel_size, strides=strides, padding="same")(x)
    y = layers.ReLU()(layers.BatchNormalization()(y, training=training))
    y = layers.Conv2D(filters, kernel_size, strides=strides, padding="same")(y)
    y = layers.BatchNormalization()(y, training=training)
    return layers.ReLU()(layers.Add()([y, shortcut]))


def identity_shared_bn(x, filters, kernel_size=3, training=None):
    norm = layers.BatchNormalization()
    y = layers.ReLU()(norm(layers.Conv2D(filters, kernel_size, padding="same")(x), training=training))
    y = norm(layers.Conv2D(filters, kernel_size, padding="same")(y), training=training)
    return layers.ReLU()(layers.Add()([y, x]))


def identity_concatenate(x, filters, kernel_size=3, training=None):
    y = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(x),
                                                  training=training))
    y = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(y), training=training)
    return layers.ReLU()(layers.Concatenate()([y, x]))


def identity_subtracted(x, filters, kernel_size=3, training=None):
    y = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(x),
                                                  training=training))
    y = layers.BatchNormalization()(layers.Conv2D(filters, kernel_size, padding="same")(y), training=training)
    return keras.ops.relu(y - x)


def identity_trainable(x, filters, kernel_size=3, training=None):
    y = layers.Conv2D(filters, kernel_size, padding="same")(x)
    y = layers.ReLU()(layers.BatchNormalization(trainable=training)(y))
    y = layers.BatchNormalization(trainable=training)(layers.Conv2D(filters, kernel_size, padding="same")(y))
    return layers.ReLU()(layers.Add()([y, x]))


def identity_shared_conv(x, filters, kernel_size=3, training=None):
    conv = layers.Conv2D(filters, kernel_size, padding="same")
    y = layers.ReLU()(layers.BatchNormalization()(conv(x), training=training))
    y = layers.BatchNormalization()(conv(y), training=training)
    return layers.ReLU()(y + x)


@pytest.mark.parametrize("check, fn, expected", [
    (check_identity_block, identity_fixed_names, "two layers of the model are named 'add': your block gives its "
                                                 "layers fixed names, so a model that calls it more than once"),
    (check_projection_block, projection_shortcut_bn_without_training,
     "the `training` flag does not reach every BatchNormalization: called with training=True, your block calls the "
     "shortcut's BatchNormalization without it"),
    (check_projection_block, projection_both_strided, "both convolutions of the main path use strides=2"),
    (check_identity_block, identity_shared_bn, "the same BatchNormalization layer object is called 2 times in your "
                                               "block, so its calls share one set of weights and moving averages"),
    (check_identity_block, identity_shared_conv, "the same Conv2D layer object is called 2 times"),
    (check_identity_block, identity_concatenate, "the two paths are joined with Concatenate, which stacks their "
                                                 "channels side by side"),
    (check_identity_block, identity_subtracted, "the two paths are joined with Subtract, which does not add them"),
    (check_identity_block, identity_trainable, "BatchNormalization(trainable=...) raised ValueError: Expected "
                                               "`trainable` to be a boolean"),
])
def test_review_findings_are_named(check, fn, expected):
    result = check(fn)
    assert_mistake_named(result, expected)


def test_messages_of_the_findings_do_not_misdiagnose():
    assert "kernel_size is ignored" not in check_identity_block(identity_shared_bn).message
    assert "padding" not in check_identity_block(identity_concatenate).message.split(" Try:")[0]
    assert "wrong path" not in check_projection_block(projection_both_strided).message
    assert "both modes" not in check_projection_block(projection_shortcut_bn_without_training).message


def test_a_passing_block_builds_the_resnet_of_notebook_02():
    """What notebook 02 does after the checks: several blocks in one model, traced row by row."""
    from course_utils.tracing import trace

    for identity_fn in (identity_plain, identity_ops, identity_helper):
        assert check_identity_block(identity_fn).ok
        x = keras.Input(shape=(8, 8, 4))
        y = identity_fn(identity_fn(x, 4), 4)
        y = projection_ops(y, 8, strides=2)
        model = keras.Model(x, identity_fn(y, 8))
        rows = trace(model)
        assert sum(row.params for row in rows) == model.count_params()
        assert sum(row.kind == "Add" for row in rows) == 4

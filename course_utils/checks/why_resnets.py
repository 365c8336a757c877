"""Checkers for notebook 03: the degradation prediction, a residual block silenced by hand, and a plain block set
by hand to compute the identity.

``check_degradation(higher_training_loss, why, depths)``: which of the shallowest and the deepest plain network of
the depth sweep ends with the higher training loss, and why: the letter of one of the ``REASONS`` the exercise
lists.  The right network may be written in several ways ("plain-56", "56", 56, "the deeper one"); each wrong
reason (overfitting, a deeper network that cannot represent the shallower one, less training) is answered in its
own words.

``silence_branch(block)`` receives a residual block, a Keras model of conv -> BN -> ReLU -> conv -> BN, add the
input, ReLU, with every weight away from its starting value (as after training).  It must set as few weights as
possible, in place, so that in inference mode the block returns any input >= 0: the last BN's gamma and beta at 0
make the branch output 0.  The check randomises every weight first, so zero biases cannot make a wrong answer pass
by luck, and counts the weight tensors the student changed.

``make_identity(block)`` receives a plain block, a Keras model of conv -> BN -> ReLU -> conv -> BN -> ReLU whose
convolutions are ``padding="same"``, without bias, with as many filters as input channels.  It sets the block's
weights in place so that in inference mode (``training=False``) the block returns its input, for every input >= 0
(anything that came out of a ReLU).  The check hands it blocks with random kernels and random BN statistics and
3x3 or 5x5 kernels, so a setting that only works for Keras's initial statistics or one kernel size is caught.
When the block is not the identity, the check walks it layer by layer and names the first layer that changes
its input.
"""
import re

import numpy as np

from .common import ATOL, ORDINAL, Failure, call_student, checker, passed, randomise, same_outputs, student_value

EXERCISE = "make_identity"
SETTINGS = [((6, 6, 4), 3, 0), ((5, 7, 3), 5, 1)]  # input shape, kernel size, seed of the random weights
VARIABLES = {"Conv2D": ("kernel",), "BatchNormalization": ("gamma", "beta", "moving_mean", "moving_variance")}


def plain_block(input_shape, kernel_size, seed):
    """The block the check hands out, with random kernels and BN statistics so that no setting is right by luck."""
    import keras
    from keras import layers

    channels = input_shape[-1]

    def conv_bn_relu():
        return [layers.Conv2D(channels, kernel_size, padding="same", use_bias=False),
                layers.BatchNormalization(), layers.ReLU()]

    block = keras.Sequential([keras.Input(shape=input_shape), *conv_bn_relu(), *conv_bn_relu()], name="plain_block")
    return randomise(block, seed=seed)


def reference_make_identity(block):
    """The course's ``make_identity``: later cells of notebook 03 use it while the student's does not pass yet."""
    from keras import layers

    for layer in block.layers:
        if isinstance(layer, layers.Conv2D):
            kernel = np.zeros(layer.kernel.shape, "float32")
            centre = layer.kernel_size[0] // 2
            kernel[centre, centre] = np.eye(layer.filters, dtype="float32")
            layer.kernel.assign(kernel)
        elif isinstance(layer, layers.BatchNormalization):
            layer.gamma.assign(np.sqrt(np.asarray(layer.moving_variance) + layer.epsilon))
            layer.beta.assign(np.asarray(layer.moving_mean))


def _layer_labels(block):
    """``{layer index: "the second BatchNormalization"}`` for every layer of ``block``, in order."""
    counts, labels = {}, {}
    for index, layer in enumerate(block.layers):
        kind = type(layer).__name__
        number = counts.get(kind, 0)
        counts[kind] = number + 1
        labels[index] = f"the {ORDINAL[number] if number < len(ORDINAL) else f'#{number + 1}'} {kind}"
    return labels


def _variables_by_attribute(block):
    """``{(layer index, attribute): variable}`` for the weights the exercises set (kernel, gamma, beta, ...)."""
    return {(index, name): getattr(layer, name) for index, layer in enumerate(block.layers)
            for name in VARIABLES.get(type(layer).__name__, ())}


def _rebound(block, before):
    """``Failure`` if the student rebound a layer attribute such as ``layer.gamma = ...``.

    Rebinding makes ``layer.gamma`` a new Python object: the layer's call may use it, but its weight variable keeps
    the old values, and ``model.weights``, ``get_weights()``, saving and training all still see those.
    """
    labels = _layer_labels(block)
    for (index, name), variable in before.items():
        now = getattr(block.layers[index], name, None)
        if now is not variable:
            raise Failure(f"your code rebinds `layer.{name} = ...` on {labels[index]}: that replaces a Python "
                          f"attribute with a new {type(now).__name__}, while the layer's weight variable keeps its "
                          f"old values (model.weights, get_weights(), saving and training still use them).",
                          f"write into the variable itself: layer.{name}.assign(values), or layer.set_weights([...]) "
                          f"with every weight of the layer.")


def _tuple_slip(failure):
    """``layer.kernel_size // 2`` (a tuple divided by an int) named as such, else the student's error as it was."""
    cause = str(failure.cause)
    if isinstance(failure.cause, TypeError) and ("'tuple' and 'int'" in cause or "'int' and 'tuple'" in cause):
        return Failure(f"{failure.problem.rstrip('.')}: layer.kernel_size is a tuple such as (3, 3), not a number.",
                       "take one side of the kernel, k = layer.kernel_size[0], then compute k // 2.", failure.cause)
    return failure


def _weights(block):
    return [np.array(variable) for variable in block.weights]


def _conv_hint(layer, which):
    """``Failure``: what is wrong with a convolution that does not copy its input, and the fix."""
    size = layer.kernel_size[0]
    kernel = np.array(layer.kernel)
    eye = np.eye(kernel.shape[-1], dtype="float32")
    problem = f"the {which} convolution ({size}x{size}) changes its input."
    centre = size // 2
    used = [(row, col) for row in range(size) for col in range(size) if kernel[row, col].any()]
    if len(used) == 1 and used[0] != (centre, centre) and np.allclose(kernel[used[0]], eye):
        row, col = used[0]
        raise Failure(f"{problem} Its kernel holds the identity at [{row}, {col}], but the centre of a {size}x{size} "
                      f"kernel is [{centre}, {centre}], so it shifts the image.",
                      "the centre index is k // 2 with k = layer.kernel_size[0] (kernel_size is a tuple such as "
                      "(5, 5)).")
    if len(used) > 1:
        problem += (f" Its kernel is non-zero at {len(used)} of its {size * size} positions, so each output pixel "
                    f"mixes its neighbours.")
    elif used and not np.allclose(kernel[used[0]], eye):
        problem += " Its kernel mixes the channels: output channel j must copy input channel j alone, with weight 1."
    raise Failure(problem, "make its kernel 0 everywhere except at the one position that lines each output pixel "
                           "up with the same input pixel, and there connect each channel to itself alone; write it "
                           "with the kernel variable's assign().")


def _bn_hint(layer, which):
    """``Failure``: what is wrong with a BatchNormalization that does not pass its input on, and the fix."""
    gamma, beta = np.array(layer.gamma), np.array(layer.beta)
    mean, variance = np.array(layer.moving_mean), np.array(layer.moving_variance)
    formula = "in inference mode it computes gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta"
    problem = f"the {which} BatchNormalization changes its input: {formula}."
    if np.allclose(gamma, np.sqrt(1 + layer.epsilon), atol=ATOL) and np.allclose(beta, 0, atol=ATOL):
        raise Failure(f"{problem} Your gamma and beta assume moving_mean = 0 and moving_variance = 1, Keras's "
                      f"starting values; the check's blocks have other statistics, as a trained block would.",
                      "read them from the layer: layer.moving_mean and layer.moving_variance.")
    if np.allclose(gamma, np.sqrt(variance), atol=ATOL) and np.allclose(beta, mean, atol=ATOL):
        raise Failure(f"{problem} Your gamma leaves out epsilon, which the layer adds to the variance.",
                      "use the formula above as it stands, with the layer's own epsilon (layer.epsilon).")
    raise Failure(problem, "choose gamma and beta so that this is x for every x, from the layer's own moving_mean, "
                           "moving_variance and epsilon.")


def _first_change(block, x):
    """``Failure`` naming the first layer that does not pass its input on (nothing if every layer does)."""
    from keras import layers

    counts = {"Conv2D": 0, "BatchNormalization": 0, "ReLU": 0}
    h = x
    for layer in block.layers:
        kind = type(layer).__name__
        which = ORDINAL[counts[kind]]
        counts[kind] += 1
        out = np.asarray(layer(h, training=False))
        if same_outputs(out, h):
            h = out
            continue
        if isinstance(layer, layers.Conv2D):
            _conv_hint(layer, which)
        if isinstance(layer, layers.BatchNormalization):
            _bn_hint(layer, which)
        raise Failure(f"the {which} ReLU receives negative numbers, so it changes them.",
                      "make the layers before it pass their input on unchanged.")


def _returned_a_new_model(returned, block, name, fix):
    """``Failure`` when the student's function built and returned a new model instead of changing ``block``."""
    import keras

    if isinstance(returned, keras.Model) and returned is not block:
        raise Failure(f"{name} returned a new model and left the block it was given unchanged.", fix)


@checker(EXERCISE, reference=reference_make_identity)
def check_plain_identity(make_identity):
    """Check ``make_identity(block)``: afterwards the plain block must return any input >= 0 in inference mode."""
    for input_shape, kernel_size, seed in SETTINGS:
        block = plain_block(input_shape, kernel_size, seed)
        before, variables = _weights(block), _variables_by_attribute(block)
        try:
            returned = call_student(EXERCISE, make_identity, block)
        except Failure as failure:
            raise _tuple_slip(failure) from None
        _rebound(block, variables)
        if all(np.array_equal(a, b) for a, b in zip(before, _weights(block))):
            _returned_a_new_model(returned, block, EXERCISE, "set the weights of `block` itself, in place: "
                                                             "layer.kernel.assign(...), layer.gamma.assign(...).")
            raise Failure("make_identity left every weight of the block unchanged.",
                          "assign new values to the kernels and to gamma and beta, with variable.assign(values).")
        x = np.random.default_rng(seed).uniform(0.0, 2.0, (2, *input_shape)).astype("float32")
        if same_outputs(np.asarray(block(x, training=False)), x):
            continue
        try:
            _first_change(block, x)
            raise Failure(f"every layer nearly passes its input on, but the differences add up to more than {ATOL}.",
                          "compute the values exactly from each layer's own variables, epsilon included.")
        except Failure as failure:
            shape = "x".join(map(str, input_shape))
            raise Failure(f"on a {shape} input with {kernel_size}x{kernel_size} kernels, {failure.problem}",
                          failure.fix) from None
    return passed(EXERCISE, f"the plain block returns its input (any input >= 0, inference mode) for "
                            f"{len(SETTINGS)} blocks with random BN statistics, one with 3x3 and one with 5x5 kernels.")


# ---------------------------------------------------------------------------------------------------------------
# silence_branch(block): a residual block made the identity by setting as few weights as possible.
# ---------------------------------------------------------------------------------------------------------------

SILENCE = "silence_branch"
SILENCE_SETTINGS = [((6, 6, 4), 3, 10), ((5, 7, 3), 5, 11)]  # input shape, kernel size, seed of the random weights
FEWEST = 2  # the last BN's gamma and beta


def residual_block(input_shape, kernel_size, seed):
    """The block the check hands out: conv-BN-ReLU-conv-BN, add the input, ReLU, in the layer order of notebook 03's
    ``residual_block()``, with every weight random and away from 0 (as after training), so that no weight is right
    by luck."""
    import keras
    from keras import layers

    channels = input_shape[-1]
    x = keras.Input(shape=input_shape)
    y = layers.Conv2D(channels, kernel_size, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(channels, kernel_size, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    block = keras.Model(x, layers.ReLU()(layers.Add()([y, x])), name="residual_block")
    return randomise(block, seed=seed)


def reference_silence_branch(block):
    """The course's ``silence_branch``: the branch's last BN (the last BatchNormalization of the block, whose output
    enters the add) gets gamma = 0 and beta = 0, so the branch outputs 0 and the block returns ReLU(x)."""
    from keras import layers

    last = [layer for layer in block.layers if isinstance(layer, layers.BatchNormalization)][-1]
    last.gamma.assign(np.zeros(last.gamma.shape, "float32"))
    last.beta.assign(np.zeros(last.beta.shape, "float32"))


def _changed(block, before):
    """``(labels, numbers)``: "the second BatchNormalization's gamma" for each weight tensor whose values changed,
    and how many numbers those tensors hold."""
    labels, numbers = [], 0
    owner = {id(variable): index for index, layer in enumerate(block.layers) for variable in layer.weights}
    names = _layer_labels(block)
    for variable, old in zip(block.weights, before):
        if not np.array_equal(np.array(variable), old):
            labels.append(f"{names[owner[id(variable)]]}'s {variable.path.split('/')[-1]}")
            numbers += int(np.prod(old.shape))
    return labels, numbers


def _tensors(labels):
    listed = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
    return f"{len(labels)} weight tensor{'s' if len(labels) != 1 else ''} ({listed})"


def _silence_slip(block, labels, problem):
    """``Failure`` naming the mistake of a block that does not return its input (``problem`` says so), from the
    weights the student changed."""
    from keras import layers

    bns = [layer for layer in block.layers if isinstance(layer, layers.BatchNormalization)]
    last = bns[-1]
    gamma, beta = np.array(last.gamma), np.array(last.beta)
    bn_zero = "in inference mode BN turns even an all-zero input into beta - gamma * moving_mean / " \
              "sqrt(moving_variance + epsilon), which is not 0"
    last_touched = any(label.startswith("the second BatchNormalization") for label in labels)
    if np.allclose(gamma, 0, atol=ATOL) and not np.allclose(beta, 0, atol=ATOL):
        raise Failure(f"{problem} the last BatchNormalization's gamma is 0 but its beta is not, so the branch outputs "
                      f"beta and the add shifts every input by it.", "set beta to 0 as well: layer.beta.assign(...).")
    if np.allclose(beta, 0, atol=ATOL) and not np.allclose(gamma, 0, atol=ATOL):
        raise Failure(f"{problem} the last BatchNormalization's beta is 0 but its gamma is not, so the branch still "
                      f"outputs gamma times the normalised convolution.",
                      "set gamma to 0 as well: layer.gamma.assign(...).")
    if not last_touched:
        where = ("the first BatchNormalization, inside the branch" if any(label.startswith("the first Batch")
                                                                          for label in labels)
                 else "the convolutions" if all("Conv2D" in label for label in labels) else "the branch")
        raise Failure(f"{problem} you changed {where}, not the last BatchNormalization, whose output enters the add: "
                      f"{bn_zero}.", "change the last BatchNormalization, the layer that computes z^[l+2] just before "
                                     "the add.")
    raise Failure(f"{problem} the branch still outputs something other than 0: in inference mode the last "
                  f"BatchNormalization computes gamma * (z - moving_mean) / sqrt(moving_variance + epsilon) + beta.",
                  "choose values of its weights that make this 0 for every z.")


@checker(SILENCE, reference=reference_silence_branch)
def check_silence_branch(silence_branch):
    """Check ``silence_branch(block)``: afterwards the residual block returns any input >= 0 in inference mode, with
    as few weight tensors changed as possible (2: the last BN's gamma and beta)."""
    for input_shape, kernel_size, seed in SILENCE_SETTINGS:
        block = residual_block(input_shape, kernel_size, seed)
        before, variables = _weights(block), _variables_by_attribute(block)
        x = np.random.default_rng(seed).uniform(0.0, 2.0, (2, *input_shape)).astype("float32")
        returned = call_student(SILENCE, silence_branch, block)
        _rebound(block, variables)
        labels, numbers = _changed(block, before)
        if not labels:
            _returned_a_new_model(returned, block, SILENCE, "set the weights of `block` itself, in place, with "
                                                            "variable.assign(values).")
            raise Failure("silence_branch left every weight of the block unchanged (0 weight tensors changed), so its "
                          "branch still adds its output to the input.",
                          "find the layer whose output enters the add and assign new values to its weights.")
        shape = "x".join(map(str, input_shape))
        out = np.asarray(block(x, training=False))
        if not same_outputs(out, x):
            gap = float(np.max(np.abs(out - x))) if out.shape == x.shape else float("nan")
            _silence_slip(block, labels, f"on a {shape} input the block still changes its input (by up to "
                                         f"{gap:.2f}); you changed {_tensors(labels)}:")
        if len(labels) > FEWEST:
            raise Failure(f"the block returns its input, but you changed {_tensors(labels)}, {numbers:,} numbers; "
                          f"{FEWEST} tensors of one layer are enough.",
                          "leave every layer alone except the one whose output enters the add, and change only what "
                          "makes its output 0.")
    total = sum(int(np.prod(old.shape)) for old in before)
    return passed(SILENCE, f"the residual block returns its input (any input >= 0, inference mode) for "
                           f"{len(SILENCE_SETTINGS)} blocks with random weights; in the last one you changed "
                           f"{_tensors(labels)}, {numbers:,} of its {total:,} numbers.")


# ---------------------------------------------------------------------------------------------------------------
# The degradation prediction: which plain network ends with the higher training loss, and why.
# ---------------------------------------------------------------------------------------------------------------

DEGRADATION = "the degradation prediction"
DEPTHS = (8, 20, 56)  # the sweep's depths with QUICK
DEEP_WORDS = re.compile(r"\b(deep|deeper|deepest|more layers|most layers|longer|longest)\b")
SHALLOW_WORDS = re.compile(r"\b(shallow|shallower|shallowest|fewer layers|fewest layers|less deep|shorter|"
                           r"shortest)\b")
SAME_WORDS = re.compile(r"\b(same|equal|neither|both|tie)\b")
REASONS = {  # letter: (the reason as the exercise lists it, what the check answers when it is picked; None: right)
    "A": ("It overfits: with more parameters than the shallower network, it memorises its training images.",
          "overfitting cannot raise a TRAINING loss; an overfitting network fits its training images too well, and "
          "only its loss on new images suffers."),
    "B": ("It is harder to optimise: the same number of SGD steps from a random start leaves it fitting its training "
          "images worse.", None),
    "C": ("It cannot represent what the shallower network computes: a deeper stack of layers expresses fewer "
          "functions.",
          "a deeper plain network can represent everything the shallower one computes: give it the shallower one's "
          "layers and make each extra layer the identity, as the first section does; so it could fit its training "
          "images at least as well, and the question is why it does not."),
    "D": ("It gets fewer updates: it is trained on fewer images, or for fewer steps, than the shallower network.",
          "the sweep trains every network on the same images for the same number of steps, as the exercise says; "
          "what differs is how far those steps get each network."),
}


def _depths(depths):
    """The sweep's depths as a list of ints (at least two), or None."""
    if isinstance(depths, (str, bytes, dict)):
        return None
    try:
        values = [int(depth) for depth in depths]
    except (TypeError, ValueError):
        return None
    if len(values) < 2 or any(value < 1 for value in values) or [float(d) for d in depths] != values:
        return None
    return sorted(values)


def _which(answer, shallow, deep, depths):
    """``"deep"`` or ``"shallow"`` for a readable answer, else ``Failure``."""
    name = f"`higher_training_loss` = {answer!r}"
    pick = f"write \"plain-{shallow}\" or \"plain-{deep}\" (or the depth alone, or \"the deeper one\")."
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (str, int, float, np.integer, np.floating)):
        raise Failure(f"{name} ({type(answer).__name__}) does not name a network.", pick)
    text = str(answer).strip().lower().replace("_", " ").replace("-", " ")
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        text = str(int(answer))
    if re.search(r"\b(residual|resnet|res)\b", text):
        raise Failure(f"{name} names a residual network; the question compares the two plain networks.", pick)
    numbers = {int(n) for n in re.findall(r"\d+", text)}
    if numbers:
        if numbers == {deep}:
            return "deep"
        if numbers == {shallow}:
            return "shallow"
        if {shallow, deep} <= numbers:
            raise Failure(f"{name} names both networks; pick the one that ends higher.", pick)
        other = sorted(numbers - {shallow, deep})[0]
        if other in depths:
            raise Failure(f"{name}: plain-{other} is in the sweep too, but the question compares the shallowest, "
                          f"plain-{shallow}, with the deepest, plain-{deep}.", pick)
        raise Failure(f"{name}: the sweep has no {other}-layer network (its depths are "
                      f"{', '.join(map(str, depths))}).", pick)
    deep_word, shallow_word = DEEP_WORDS.search(text), SHALLOW_WORDS.search(text)
    if deep_word and not shallow_word:
        return "deep"
    if shallow_word and not deep_word:
        return "shallow"
    if SAME_WORDS.search(text):
        raise Failure(f"{name} does not pick one; predict which of the two ends with the higher loss.", pick)
    raise Failure(f"{name} does not say which network.", pick)


def _letter(why):
    """The reason the student picked, as one of the letters of ``REASONS``, else ``Failure``."""
    letters = ", ".join(REASONS)
    pick = f'set why to the letter of the reason you pick, in quotes, for example why = "{next(iter(REASONS))}".'
    if isinstance(why, str) and len(why.split()) > 2:
        raise Failure(f"`why` is a sentence; the exercise now asks for the letter of one of the reasons it lists "
                      f"({letters}), so that the check can answer the reason you mean.", pick)
    letter = why.strip().strip("().").upper() if isinstance(why, str) else None
    if letter not in REASONS:
        raise Failure(f"`why` = {why!r:.40} is not one of the letters {letters}.", pick)
    return letter


@checker(DEGRADATION)
def check_degradation(higher_training_loss, why, depths=DEPTHS):
    """Check the prediction of the depth sweep: which of the shallowest and the deepest plain network (``depths`` is
    the sweep's ``CONFIG["depths"]``) ends with the higher final training loss, and ``why``, the letter of one of
    the ``REASONS`` the exercise lists."""
    answer = student_value(DEGRADATION, higher_training_loss, "higher_training_loss",
                           example='"plain-8" or "plain-56", for example')
    reason = student_value(DEGRADATION, why, "why", example="the letter of a reason, in quotes")
    sweep_depths = _depths(depths)
    if sweep_depths is None:
        raise Failure(f"depths = {depths!r} is not the list of the sweep's depths.",
                      'pass depths=CONFIG["depths"], as the cell does.')
    shallow, deep = sweep_depths[0], sweep_depths[-1]
    which = _which(answer, shallow, deep, sweep_depths)
    letter = _letter(reason)
    if which == "shallow":
        raise Failure(f"plain-{shallow} is not the prediction the paper supports: plain-{deep} holds plain-{shallow}'s "
                      f"layers and more, so it could fit at least as well, yet He et al. found their deeper plain "
                      f"network ending with the higher training error.",
                      "reread the first section, then ask whether 'could fit as well' means 'does, after the same "
                      "number of steps'.")
    answer_to = REASONS[letter][1]
    if answer_to is not None:
        raise Failure(f"plain-{deep} is right, but not for reason {letter}: {answer_to}",
                      f"pick the reason that explains why plain-{deep} fits the training images themselves worse "
                      f"after the same steps.")
    return passed(DEGRADATION, f"plain-{deep}, because it is harder to optimise, not because it could not fit or "
                               f"overfits (which could only lower a training loss); the sweep below measures it with "
                               f"every seed.")


INTERVENTION = "what makes plain-56 train"
INTERVENTION_CHOICES = {
    "a": "learning rate 0.01 lowers plain-56's final training loss on both seeds, to about 1.8, but not below 1.5, "
         "over four times plain-20's: avoiding the first large steps is not enough.",
    "b": "the warm-up at 0.01 ends at 1.70 and 1.92 on the two seeds: better than the sweep's plain-56, still above "
         "1.5, over four times plain-20's loss.",
    "c": "zero gamma leaves plain-56 at the loss of guessing, 2.30 on both seeds: without a shortcut every block "
         "starts by outputting 0, and the network never leaves guessing.",
    "d": "none of the three brings plain-56 below 1.5 on either seed, over four times plain-20's loss: the lower "
         "rate and the warm-up help a little, zero gamma not at all.",
}


@checker(INTERVENTION)
def check_intervention_prediction(trains_plain56):
    """Check the predicted choice: which change brings plain-56's final training loss below 1.0, (a) learning rate
    0.01, (b) a warm-up at 0.01, (c) zero gamma, (d) none of them."""
    from .choices import check_choice

    return check_choice(INTERVENTION, trains_plain56, "trains_plain56", INTERVENTION_CHOICES, right="d")

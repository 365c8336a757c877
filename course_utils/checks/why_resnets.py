"""Checkers for notebook 03: the degradation prediction, a residual block silenced by hand, and a plain block set
by hand to compute the identity.

``check_degradation(higher_training_loss, why, depths)``: which of the shallowest and the deepest plain network of
the depth sweep ends with the higher training loss, and one sentence why.  The right network may be written in
several ways ("plain-56", "56", 56, "the deeper one"); a reason resting on overfitting is refused, since the loss
in question is measured on the training images themselves.

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

from .common import StudentError, call_student, checker, failed, passed, same_outputs, student_value

EXERCISE = "make_identity"
SETTINGS = [((6, 6, 4), 3, 0), ((5, 7, 3), 5, 1)]  # input shape, kernel size, seed of the random weights
ATOL = 1e-4
ORDINAL = ("first", "second", "third", "fourth")
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
    rng = np.random.default_rng(seed)
    for layer in block.layers:
        if isinstance(layer, layers.BatchNormalization):
            for variable, (low, high) in zip((layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance),
                                             ((0.5, 1.5), (-0.5, 0.5), (-0.5, 0.5), (0.5, 2.0))):
                variable.assign(rng.uniform(low, high, channels).astype("float32"))
    return block


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


def _rebound(exercise, block, before):
    """A failed CheckResult if the student rebound a layer attribute such as ``layer.gamma = ...`` (None if not).

    Rebinding makes ``layer.gamma`` a new Python object: the layer's call may use it, but its weight variable keeps
    the old values, and ``model.weights``, ``get_weights()``, saving and training all still see those.
    """
    labels = _layer_labels(block)
    for (index, name), variable in before.items():
        now = getattr(block.layers[index], name, None)
        if now is not variable:
            return failed(exercise, f"your code rebinds `layer.{name} = ...` on {labels[index]}: that replaces a "
                                    f"Python attribute with a new {type(now).__name__}, while the layer's weight "
                                    f"variable keeps its old values (model.weights, get_weights(), saving and "
                                    f"training still use them).",
                          f"write into the variable itself: layer.{name}.assign(values), or layer.set_weights([...]) "
                          f"with every weight of the layer.")
    return None


def _tuple_slip(exercise, err):
    """The one-line message for ``layer.kernel_size // 2`` (a tuple divided by an int), else the student's error."""
    message = err.result.message
    if "'tuple' and 'int'" in message or "'int' and 'tuple'" in message:
        problem = message.split(" Try:")[0].rstrip(".")
        return failed(exercise, f"{problem}: layer.kernel_size is a tuple such as (3, 3), not a number.",
                      "take one side of the kernel, k = layer.kernel_size[0], then compute k // 2.")
    return err.result


def _weights(block):
    return [np.array(variable) for variable in block.weights]


def _conv_hint(layer, which):
    """What is wrong with a convolution that does not copy its input, and the fix."""
    size = layer.kernel_size[0]
    kernel = np.array(layer.kernel)
    eye = np.eye(kernel.shape[-1], dtype="float32")
    problem = f"the {which} convolution ({size}x{size}) changes its input."
    centre = size // 2
    used = [(row, col) for row in range(size) for col in range(size) if kernel[row, col].any()]
    if len(used) == 1 and used[0] != (centre, centre) and np.allclose(kernel[used[0]], eye):
        row, col = used[0]
        return failed(EXERCISE, f"{problem} Its kernel holds the identity at [{row}, {col}], but the centre of a "
                                f"{size}x{size} kernel is [{centre}, {centre}], so it shifts the image.",
                      "the centre index is k // 2 with k = layer.kernel_size[0] (kernel_size is a tuple "
                      "such as (5, 5)).")
    return failed(EXERCISE, problem, "make its kernel 0 everywhere except the centre pixel, where it is the "
                                     "identity matrix: kernel[k // 2, k // 2] = np.eye(channels) with "
                                     "k = layer.kernel_size[0], so each output channel copies its own input channel; "
                                     "then write it into the layer with its kernel variable's assign().")


def _bn_hint(layer, which):
    """What is wrong with a BatchNormalization that does not pass its input on, and the fix."""
    gamma, beta = np.array(layer.gamma), np.array(layer.beta)
    mean, variance = np.array(layer.moving_mean), np.array(layer.moving_variance)
    formula = "in inference mode it computes gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta"
    problem = f"the {which} BatchNormalization changes its input: {formula}."
    fix = ("choose gamma and beta so that this is x for every x, from the layer's own moving_mean, "
           "moving_variance and epsilon.")
    if np.allclose(gamma, np.sqrt(1 + layer.epsilon), atol=ATOL) and np.allclose(beta, 0, atol=ATOL):
        return failed(EXERCISE, f"{problem} Your gamma and beta assume moving_mean = 0 and moving_variance = 1, "
                                f"Keras's starting values; the check's blocks have other statistics, as a trained "
                                f"block would.", "read them from the layer: layer.moving_mean and "
                                                 "layer.moving_variance.")
    if np.allclose(gamma, np.sqrt(variance), atol=ATOL) and np.allclose(beta, mean, atol=ATOL):
        return failed(EXERCISE, f"{problem} Your gamma leaves out epsilon.",
                      "gamma = sqrt(moving_variance + layer.epsilon).")
    return failed(EXERCISE, problem, fix)


def _first_change(block, x):
    """A failed CheckResult naming the first layer that does not pass its input on (None if every layer does)."""
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
            return _conv_hint(layer, which)
        if isinstance(layer, layers.BatchNormalization):
            return _bn_hint(layer, which)
        return failed(EXERCISE, f"the {which} ReLU receives negative numbers, so it changes them.",
                      "make the layers before it pass their input on unchanged.")
    return None


@checker(EXERCISE, reference=reference_make_identity)
def check_plain_identity(make_identity):
    """Check ``make_identity(block)``: afterwards the plain block must return any input >= 0 in inference mode."""
    import keras

    for input_shape, kernel_size, seed in SETTINGS:
        block = plain_block(input_shape, kernel_size, seed)
        before, variables = _weights(block), _variables_by_attribute(block)
        try:
            returned = call_student(EXERCISE, make_identity, block)
        except StudentError as err:
            return _tuple_slip(EXERCISE, err)
        rebound = _rebound(EXERCISE, block, variables)
        if rebound is not None:
            return rebound
        if all(np.array_equal(a, b) for a, b in zip(before, _weights(block))):
            if isinstance(returned, keras.Model) and returned is not block:
                return failed(EXERCISE, "make_identity returned a new model and left the block it was given "
                                        "unchanged.", "set the weights of `block` itself, in place: "
                                                      "layer.kernel.assign(...), layer.gamma.assign(...).")
            return failed(EXERCISE, "make_identity left every weight of the block unchanged.",
                          "assign new values to the kernels and to gamma and beta, with variable.assign(values).")
        x = np.random.default_rng(seed).uniform(0.0, 2.0, (2, *input_shape)).astype("float32")
        if same_outputs(np.asarray(block(x, training=False)), x):
            continue
        shape = "x".join(map(str, input_shape))
        mistake = _first_change(block, x)  # a failed CheckResult is false, so test for None
        if mistake is None:
            mistake = failed(EXERCISE, f"every layer nearly passes its input on, but the differences add up to more "
                                       f"than {ATOL}.", "compute the values exactly from each layer's own variables, "
                                                        "epsilon included.")
        return failed(EXERCISE, f"on a {shape} input with {kernel_size}x{kernel_size} kernels, {mistake.message}")
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
    rng = np.random.default_rng(seed)
    ranges = {"gamma": (0.5, 1.5), "moving_variance": (0.5, 2.0)}
    for variable in block.weights:
        name = variable.path.split("/")[-1]
        if name in ranges:
            values = rng.uniform(*ranges[name], variable.shape)
        elif name == "kernel":
            values = rng.normal(0.0, 0.3, variable.shape)
        else:  # beta, moving_mean: at least 0.2 away from 0, either sign
            values = rng.uniform(0.2, 0.6, variable.shape) * rng.choice([-1.0, 1.0], variable.shape)
        variable.assign(values.astype("float32"))
    return block


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


def _silence_slip(block, labels):
    """Name the mistake of a block that does not return its input, from the weights the student changed."""
    from keras import layers

    bns = [layer for layer in block.layers if isinstance(layer, layers.BatchNormalization)]
    last = bns[-1]
    gamma, beta = np.array(last.gamma), np.array(last.beta)
    bn_zero = "in inference mode BN turns even an all-zero input into beta - gamma * moving_mean / " \
              "sqrt(moving_variance + epsilon), which is not 0"
    last_touched = any(label.startswith("the second BatchNormalization") for label in labels)
    if np.allclose(gamma, 0, atol=ATOL) and not np.allclose(beta, 0, atol=ATOL):
        return ("the last BatchNormalization's gamma is 0 but its beta is not, so the branch outputs beta and the "
                "add shifts every input by it.", "set beta to 0 as well: layer.beta.assign(...).")
    if np.allclose(beta, 0, atol=ATOL) and not np.allclose(gamma, 0, atol=ATOL):
        return ("the last BatchNormalization's beta is 0 but its gamma is not, so the branch still outputs gamma "
                "times the normalised convolution.", "set gamma to 0 as well: layer.gamma.assign(...).")
    if not last_touched:
        where = ("the first BatchNormalization, inside the branch" if any(label.startswith("the first Batch")
                                                                          for label in labels)
                 else "the convolutions" if all("Conv2D" in label for label in labels) else "the branch")
        return (f"you changed {where}, not the last BatchNormalization, whose output enters the add: {bn_zero}.",
                "change the last BatchNormalization, the layer that computes z^[l+2] just before the add.")
    return ("the branch still outputs something other than 0: in inference mode the last BatchNormalization "
            "computes gamma * (z - moving_mean) / sqrt(moving_variance + epsilon) + beta.",
            "choose values of its weights that make this 0 for every z.")


@checker(SILENCE, reference=reference_silence_branch)
def check_silence_branch(silence_branch):
    """Check ``silence_branch(block)``: afterwards the residual block returns any input >= 0 in inference mode, with
    as few weight tensors changed as possible (2: the last BN's gamma and beta)."""
    import keras

    for input_shape, kernel_size, seed in SILENCE_SETTINGS:
        block = residual_block(input_shape, kernel_size, seed)
        before, variables = _weights(block), _variables_by_attribute(block)
        x = np.random.default_rng(seed).uniform(0.0, 2.0, (2, *input_shape)).astype("float32")
        returned = call_student(SILENCE, silence_branch, block)
        rebound = _rebound(SILENCE, block, variables)
        if rebound is not None:
            return rebound
        labels, numbers = _changed(block, before)
        if not labels:
            if isinstance(returned, keras.Model) and returned is not block:
                return failed(SILENCE, "silence_branch returned a new model and left the block it was given "
                                       "unchanged.", "set the weights of `block` itself, in place, with "
                                                     "variable.assign(values).")
            return failed(SILENCE, "silence_branch left every weight of the block unchanged (0 weight tensors "
                                   "changed), so its branch still adds its output to the input.",
                          "find the layer whose output enters the add and assign new values to its weights.")
        shape = "x".join(map(str, input_shape))
        out = np.asarray(block(x, training=False))
        if not same_outputs(out, x):
            problem, fix = _silence_slip(block, labels)
            gap = float(np.max(np.abs(out - x))) if out.shape == x.shape else float("nan")
            return failed(SILENCE, f"on a {shape} input the block still changes its input (by up to {gap:.2f}); "
                                   f"you changed {_tensors(labels)}: {problem}", fix)
        if len(labels) > FEWEST:
            return failed(SILENCE, f"the block returns its input, but you changed {_tensors(labels)}, {numbers:,} "
                                   f"numbers; {FEWEST} tensors of one layer are enough.",
                          "leave every layer alone except the one whose output enters the add, and change only "
                          "what makes its output 0.")
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
OVERFITTING = re.compile(r"over[- ]?fit|memori[sz]|generali[sz]|high variance|(not enough|too little|"
                         r"too few) (training )?(data|images|examples)|unseen|test (set|images|loss|data)|validation")
NEGATION = re.compile(r"(\bnot\b|\bno\b|\bnever\b|n't\b|\bcannot\b|\brather than\b|\binstead of\b|\bwithout\b|"
                      r"\bunlike\b|\bisn't\b|\bruled out\b)[^.;]*$")
DENIED = re.compile(r"^\w*\s+(is not|isn't|cannot|can't|could not|couldn't|would not|wouldn't|does not|doesn't|"
                    r"is ruled out|is impossible|(would |could )?(only )?lowers?)\b")


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
    """``("deep" | "shallow", None)`` for a readable answer, else ``(None, (problem, fix))``."""
    name = f"`higher_training_loss` = {answer!r}"
    pick = f"write \"plain-{shallow}\" or \"plain-{deep}\" (or the depth alone, or \"the deeper one\")."
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (str, int, float, np.integer, np.floating)):
        return None, (f"{name} ({type(answer).__name__}) does not name a network.", pick)
    text = str(answer).strip().lower().replace("_", " ").replace("-", " ")
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        text = str(int(answer))
    if re.search(r"\b(residual|resnet|res)\b", text):
        return None, (f"{name} names a residual network; the question compares the two plain networks.", pick)
    numbers = {int(n) for n in re.findall(r"\d+", text)}
    if numbers:
        if numbers == {deep}:
            return "deep", None
        if numbers == {shallow}:
            return "shallow", None
        if {shallow, deep} <= numbers:
            return None, (f"{name} names both networks; pick the one that ends higher.", pick)
        other = sorted(numbers - {shallow, deep})[0]
        if other in depths:
            return None, (f"{name}: plain-{other} is in the sweep too, but the question compares the shallowest, "
                          f"plain-{shallow}, with the deepest, plain-{deep}.", pick)
        return None, (f"{name}: the sweep has no {other}-layer network (its depths are "
                      f"{', '.join(map(str, depths))}).", pick)
    deep_word, shallow_word = DEEP_WORDS.search(text), SHALLOW_WORDS.search(text)
    if deep_word and not shallow_word:
        return "deep", None
    if shallow_word and not deep_word:
        return "shallow", None
    if SAME_WORDS.search(text):
        return None, (f"{name} does not pick one; predict which of the two ends with the higher loss.", pick)
    return None, (f"{name} does not say which network.", pick)


def _overfitting(why):
    """The overfitting word in ``why`` that is not negated ("not overfitting", "overfitting cannot explain it" and
    "overfitting would lower it" are right), or None."""
    text = why.lower()
    for match in OVERFITTING.finditer(text):
        clause = re.split(r"[.;:,]| but ", text[:match.start()])[-1]
        if not NEGATION.search(clause) and not DENIED.search(text[match.end():]):
            return match.group(0)
    return None


@checker(DEGRADATION)
def check_degradation(higher_training_loss, why, depths=DEPTHS):
    """Check the prediction of the depth sweep: which of the shallowest and the deepest plain network (``depths`` is
    the sweep's ``CONFIG["depths"]``) ends with the higher final training loss, and one sentence why."""
    answer = student_value(DEGRADATION, higher_training_loss, "higher_training_loss",
                           example='"plain-8" or "plain-56", for example')
    reason = student_value(DEGRADATION, why, "why", example="one sentence in quotes")
    sweep_depths = _depths(depths)
    if sweep_depths is None:
        return failed(DEGRADATION, f"depths = {depths!r} is not the list of the sweep's depths.",
                      'pass depths=CONFIG["depths"], as the cell does.')
    shallow, deep = sweep_depths[0], sweep_depths[-1]
    which, mistake = _which(answer, shallow, deep, sweep_depths)
    if mistake:
        return failed(DEGRADATION, *mistake)
    if not isinstance(reason, str) or len(re.findall(r"[a-zA-Z]+", reason)) < 4:
        return failed(DEGRADATION, f"`why` = {reason!r} is not a sentence.",
                      "write in one sentence, in quotes, why that network ends with the higher training loss.")
    if which == "shallow":
        return failed(DEGRADATION, f"plain-{shallow} is not the prediction the paper supports: plain-{deep} holds "
                                   f"plain-{shallow}'s layers and more, so it could fit at least as well, yet He et "
                                   f"al. found their deeper plain network ending with the higher training error.",
                      "reread the first section, then ask whether 'could fit as well' means 'does, after the same "
                      "number of steps'.")
    slip = _overfitting(reason)
    if slip:
        return failed(DEGRADATION, f"plain-{deep} is right, but not for that reason: overfitting (\"{slip}\") "
                                   f"cannot raise a TRAINING loss; an overfitting network fits its training images "
                                   f"too well, and only its loss on new images suffers.",
                      f"explain why plain-{deep} fits the training images themselves worse after the same steps.")
    return passed(DEGRADATION, f"plain-{deep} is your pick, for a reason that does not lean on overfitting (which "
                               f"could only lower a training loss); the sweep below measures it with every seed.")

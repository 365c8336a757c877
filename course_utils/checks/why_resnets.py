"""Checker for notebook 03: a plain block set by hand to compute the identity.

``make_identity(block)`` receives a plain block, a Keras model of conv -> BN -> ReLU -> conv -> BN -> ReLU whose
convolutions are ``padding="same"``, without bias, with as many filters as input channels.  It sets the block's
weights in place so that in inference mode (``training=False``) the block returns its input, for every input >= 0
(anything that came out of a ReLU).  The check hands it blocks with random kernels and random BN statistics and
3x3 or 5x5 kernels, so a setting that only works for Keras's initial statistics or one kernel size is caught.
When the block is not the identity, the check walks it layer by layer and names the first layer that changes
its input.
"""
import numpy as np

from .common import call_student, checker, failed, passed

EXERCISE = "make_identity"
SETTINGS = [((6, 6, 4), 3, 0), ((5, 7, 3), 5, 1)]  # input shape, kernel size, seed of the random weights
ATOL = 1e-4
ORDINAL = ("first", "second")


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


def _weights(block):
    return [np.array(variable) for variable in block.weights]


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, atol=ATOL, rtol=ATOL)


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
                      "use kernel_size // 2 for the centre, from layer.kernel_size.")
    return failed(EXERCISE, problem, "make its kernel 0 everywhere except the centre pixel, where it is the "
                                     "identity matrix: kernel[k // 2, k // 2] = np.eye(channels), so each output "
                                     "channel copies its own input channel; then layer.kernel.assign(kernel).")


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
        if _close(out, h):
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
        before = _weights(block)
        returned = call_student(EXERCISE, make_identity, block)
        if all(np.array_equal(a, b) for a, b in zip(before, _weights(block))):
            if isinstance(returned, keras.Model) and returned is not block:
                return failed(EXERCISE, "make_identity returned a new model and left the block it was given "
                                        "unchanged.", "set the weights of `block` itself, in place: "
                                                      "layer.kernel.assign(...), layer.gamma.assign(...).")
            return failed(EXERCISE, "make_identity left every weight of the block unchanged.",
                          "assign new values to the kernels and to gamma and beta, e.g. layer.kernel.assign(kernel).")
        x = np.random.default_rng(seed).uniform(0.0, 2.0, (2, *input_shape)).astype("float32")
        if _close(np.asarray(block(x, training=False)), x):
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

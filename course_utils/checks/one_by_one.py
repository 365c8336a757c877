"""Checker for notebook 04: the multiply-accumulates (MACs) of a 1x1 bottleneck followed by a convolution.

The exercise asks for ``bottleneck_macs(height, width, in_channels, bottleneck, kernel_size, filters)``: the MACs,
for one image, of a 1x1 convolution from ``in_channels`` to ``bottleneck`` channels followed by a
``kernel_size x kernel_size`` convolution to ``filters`` channels, both with ``padding="same"`` and stride 1 on a
``height x width`` input.  A wrong answer is compared with the answers of the common mistakes so the message can
name the mistake.
"""
import numbers

from ..shapes import conv_macs, conv_params
from .common import call_student, checker, failed, passed

EXERCISE = "bottleneck_macs"
ARGS = ("height", "width", "in_channels", "bottleneck", "kernel_size", "filters")
# The lecture's example first, then a ResNet-like stage, then a small case where height != width and every
# argument differs, so that swapped arguments give a different answer.
CASES = (
    (28, 28, 192, 16, 5, 32),
    (56, 56, 256, 64, 3, 64),
    (6, 10, 24, 4, 3, 7),
)
FORMULA = "each convolution costs height * width * (its filters) * (its kernel_size)**2 * (the channels it reads)"


def reference(height, width, in_channels, bottleneck, kernel_size, filters):
    """The right answer: the 1x1 stage plus the ``kernel_size`` stage.

    >>> reference(28, 28, 192, 16, 5, 32)
    12443648
    """
    return (conv_macs(height, width, 1, in_channels, bottleneck)
            + conv_macs(height, width, kernel_size, bottleneck, filters))


def _mistakes(height, width, in_channels, bottleneck, kernel_size, filters):
    """(answer, problem, fix) for each common mistake, on one set of arguments."""
    hw, f = height * width, kernel_size
    reduce = conv_macs(height, width, 1, in_channels, bottleneck)
    conv = conv_macs(height, width, f, bottleneck, filters)
    params = conv_params(1, in_channels, bottleneck) + conv_params(f, bottleneck, filters)
    weights = conv_params(1, in_channels, bottleneck, use_bias=False) + conv_params(f, bottleneck, filters,
                                                                                    use_bias=False)
    out = height - f + 1, width - f + 1
    valid = reduce + out[0] * out[1] * filters * f * f * bottleneck if min(out) > 0 else None
    return (
        (conv, "you counted only the second convolution and forgot the 1x1 stage, which also costs "
               f"height * width * bottleneck * in_channels = {reduce:,} MACs here.",
         "add the MACs of the 1x1 convolution to those of the second convolution."),
        (reduce, "you counted only the 1x1 stage; the second convolution is the larger part of the cost.",
         "add height * width * filters * kernel_size**2 * bottleneck."),
        (params, "that is the number of parameters, not of multiply-accumulates: each weight is used once at "
                 "every output pixel.",
         "multiply each layer's weights (without biases) by the output height * width."),
        (weights, "that is the number of weights, not of multiply-accumulates: each weight is used once at every "
                  "output pixel.",
         "multiply each layer's weights by the output height * width."),
        (conv_macs(height, width, f, in_channels, filters),
         "that is the cost of the direct convolution without a bottleneck.",
         "count the 1x1 convolution to `bottleneck` channels, then the second convolution on those channels."),
        (reduce + conv_macs(height, width, f, in_channels, filters),
         "the second convolution reads the bottleneck's channels, not the input's: it sees `bottleneck` channels.",
         "use bottleneck instead of in_channels in the second convolution's MACs."),
        (reduce + hw * filters * f * bottleneck,
         "the kernel size is not squared: a kernel_size x kernel_size kernel has kernel_size**2 weights per channel.",
         "use kernel_size**2 (or kernel_size * kernel_size) in the second convolution."),
        (reduce + conv + hw * (bottleneck + filters),
         "you counted the biases: adding a bias is an addition, not a multiply-accumulate.",
         "leave the biases out of the MACs."),
        (valid, "you used the output size of a 'valid' convolution; with padding='same' the second convolution "
                "keeps height x width.",
         "use height * width output pixels for both convolutions."),
    )


def _call(args):
    return ", ".join(f"{name}={value}" for name, value in zip(ARGS, args))


@checker(EXERCISE, reference=reference)
def check_bottleneck_macs(bottleneck_macs):
    """Check ``bottleneck_macs(height, width, in_channels, bottleneck, kernel_size, filters)`` on three cases.

    Returns a ``CheckResult`` (one line; true when right) that names the mistake when there is one.
    """
    for i, args in enumerate(CASES):
        want = reference(*args)
        got = call_student(EXERCISE, bottleneck_macs, *args)
        if got is None:
            return failed(EXERCISE, "your function returned None: it has no `return`.",
                          "end it with `return macs`.")
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return failed(EXERCISE, f"bottleneck_macs({_call(args)}) returned a {type(got).__name__}, not a number.",
                          "return the count as an int.")
        if got == want:
            continue
        where = f"bottleneck_macs({_call(args)}) returned {got:,}, expected {want:,}"
        if i > 0:
            where = f"right for the lecture's numbers, but {where}"
        for answer, problem, fix in _mistakes(*args):
            if answer is not None and got == answer:
                return failed(EXERCISE, f"{where}: {problem}", fix)
        if i > 0 and got == reference(*CASES[0]):
            return failed(EXERCISE, f"{where}: it gives the lecture's answer whatever the arguments.",
                          "compute the MACs from the arguments instead of fixed numbers.")
        if i > 0:
            return failed(EXERCISE, f"{where}.", f"use each argument where it belongs: {FORMULA}.")
        return failed(EXERCISE, f"{where}.", f"add the MACs of the two convolutions; {FORMULA}.")
    return passed(EXERCISE, f"right on {len(CASES)} cases, including the lecture's 28 x 28 x 192 -> 16 -> 32 "
                            f"({reference(*CASES[0]):,} MACs).")

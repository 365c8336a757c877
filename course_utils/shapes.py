"""Shape and cost arithmetic for convolution and pooling layers (NHWC, one spatial side at a time).

The output size of a convolution over a side of ``n`` pixels with a ``f``-wide kernel, padding ``p`` and stride
``s`` is floor((n + 2p - f) / s) + 1.  Keras's ``padding="same"`` pads just enough that the output is
ceil(n / s); ``padding="valid"`` means p = 0.
"""
from .arguments import positive_int, whole_number

PADDINGS = ("valid", "same")


def _check_padding(padding):
    if isinstance(padding, str):
        if padding.lower() not in PADDINGS:
            raise ValueError(f"padding must be 'valid', 'same' or a whole number of pixels >= 0, got {padding!r}.")
        return padding.lower()
    return whole_number(padding, "padding", hint="Use 'valid', 'same' or a number of zero pixels such as 1.")


def conv_output_size(size, kernel_size, strides=1, padding="valid"):
    """Output side length of a convolution, as Keras computes it.

    ``padding`` is ``"valid"`` (no padding), ``"same"`` (output = ceil(size / strides)) or a whole number
    ``p`` of zero pixels added on each side, as ``layers.ZeroPadding2D(p)`` followed by a valid convolution.

    >>> conv_output_size(32, kernel_size=5)
    28
    >>> conv_output_size(224, kernel_size=3, padding="same")
    224
    >>> conv_output_size(227, kernel_size=11, strides=4)
    55
    >>> conv_output_size(7, kernel_size=3, strides=2, padding=1)
    4
    """
    size = positive_int(size, "size", hint="It is the height or width of the input, in pixels.")
    kernel_size = positive_int(kernel_size, "kernel_size")
    strides = positive_int(strides, "strides")
    padding = _check_padding(padding)
    if padding == "same":
        return -(-size // strides)
    pad = 0 if padding == "valid" else padding
    if kernel_size > size + 2 * pad:
        raise ValueError(
            f"kernel_size={kernel_size} is larger than the padded input ({size} + 2*{pad} = {size + 2 * pad} "
            f"pixels), so no output fits. Use kernel_size <= {size + 2 * pad}, more padding, or padding='same'.")
    return (size + 2 * pad - kernel_size) // strides + 1


def pool_output_size(size, pool_size=2, strides=None, padding="valid"):
    """Output side length of a pooling layer; ``strides`` defaults to ``pool_size`` as in Keras.

    >>> pool_output_size(28, pool_size=2)
    14
    >>> pool_output_size(55, pool_size=3, strides=2)
    27
    """
    pool_size = positive_int(pool_size, "pool_size")
    strides = pool_size if strides is None else strides
    return conv_output_size(size, pool_size, strides=strides, padding=padding)


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    """Trainable parameters of a square convolution: f*f*n_c_in*n_c_out (+ n_c_out biases).

    >>> conv_params(5, in_channels=1, filters=6)
    156
    >>> conv_params(1, in_channels=192, filters=16, use_bias=False)
    3072
    """
    kernel_size = positive_int(kernel_size, "kernel_size")
    in_channels = positive_int(in_channels, "in_channels")
    filters = positive_int(filters, "filters")
    if not isinstance(use_bias, bool):
        raise TypeError(f"use_bias must be True or False, got {use_bias!r}.")
    return kernel_size * kernel_size * in_channels * filters + (filters if use_bias else 0)


def conv_macs(output_height, output_width, kernel_size, in_channels, filters):
    """Multiply-accumulates of a square convolution for one image: each output number costs f*f*n_c_in.

    >>> conv_macs(28, 28, kernel_size=5, in_channels=192, filters=32)
    120422400
    """
    output_height = positive_int(output_height, "output_height")
    output_width = positive_int(output_width, "output_width")
    kernel_size = positive_int(kernel_size, "kernel_size")
    in_channels = positive_int(in_channels, "in_channels")
    filters = positive_int(filters, "filters")
    return output_height * output_width * filters * kernel_size * kernel_size * in_channels

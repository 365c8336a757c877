"""Gradients and signals layer by layer: how strongly one batch's loss pulls on each layer's weights, relative to the
weights themselves, and how large each layer's output is."""
import numpy as np

from .arguments import keras_model


def _batch(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must hold the same number (at least 1) of examples, got {len(x)} images and "
                         f"{len(y)} labels. Pass for example x_train[:256], y_train[:256].")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels such as 0..9, got dtype {y.dtype}. "
                        f"Pass the labels as loaded, not one-hot.")
    return x, y


def _chosen(model, layers, need_kernel=True):
    has_kernel = lambda layer: getattr(layer, "kernel", None) is not None  # noqa: E731
    chosen = [layer for layer in model.layers if has_kernel(layer)] if layers is None else list(layers)
    if not chosen:
        raise ValueError(f"model {model.name!r} has no layer with a kernel (Conv2D, Dense), so there is no gradient "
                         f"to report. Pass a model with weights.")
    ids = {id(layer) for layer in model.layers}
    for layer in chosen:
        if id(layer) not in ids or (need_kernel and not has_kernel(layer)):
            raise ValueError(f"layers must be layers of {model.name!r}{' that have a kernel' if need_kernel else ''}"
                             f"; {getattr(layer, 'name', layer)!r} is not. Pick them from model.layers.")
    return chosen


def _kernel_gradients(model, x, y, chosen):
    """The gradients of the mean cross-entropy (training mode) with respect to each chosen kernel; model unchanged."""
    import keras
    import tensorflow as tf

    kernels = [layer.kernel for layer in chosen]
    state = [v.numpy() for v in model.non_trainable_variables]  # BatchNormalization's running statistics
    with tf.GradientTape() as tape:
        probabilities = model(x, training=True)
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, probabilities))
    grads = tape.gradient(loss, kernels)
    for variable, value in zip(model.non_trainable_variables, state):
        variable.assign(value)  # leave the model exactly as it was
    return [np.asarray(g) for g in grads]


def gradient_norms(model, x, y, layers=None):
    """The L2 norm of the gradient of the loss with respect to each layer's ``kernel``, in data-flow order.

    The loss is the mean sparse categorical cross-entropy of ``model(x, training=True)`` against the integer labels
    ``y``: BatchNormalization uses the batch's statistics, as in the first training step, and the model is left
    unchanged.  ``layers`` picks the layers to report (default: every layer that has a kernel).
    Returns a dict ``{layer name: norm}``.
    """
    keras_model(model)
    x, y = _batch(x, y)
    chosen = _chosen(model, layers)
    grads = _kernel_gradients(model, x, y, chosen)
    return {layer.name: float(np.linalg.norm(g)) for layer, g in zip(chosen, grads)}


def relative_gradients(model, x, y, layers=None):
    """``||gradient|| / ||kernel||`` for each layer's kernel: the fraction by which one step of learning rate 1 would
    move it, comparable between layers of any size (a raw norm grows with the number of weights).

    Same loss, mode and arguments as ``gradient_norms()``; the model is left unchanged.  Returns
    ``{layer name: ratio}``.
    """
    keras_model(model)
    x, y = _batch(x, y)
    chosen = _chosen(model, layers)
    grads = _kernel_gradients(model, x, y, chosen)
    return {layer.name: float(np.linalg.norm(g) / max(np.linalg.norm(np.asarray(layer.kernel)), 1e-12))
            for layer, g in zip(chosen, grads)}


def activation_stds(model, x, layers, training=True):
    """The standard deviation of each chosen layer's output over the batch ``x`` (every element), in order.

    ``training=True`` (default) normalises with the batch's statistics, as during a training step; BatchNormalization's
    moving statistics are left as they were.  Returns ``{layer name: std}``.
    """
    import keras

    keras_model(model)
    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x must be a batch of at least one input, shaped like the model's input with a batch axis "
                         f"first, got shape {x.shape}. Pass for example x_train[:256].")
    if not isinstance(training, bool):
        raise TypeError(f"training must be True or False, got {training!r}.")
    if layers is None or isinstance(layers, (str, keras.layers.Layer)):
        raise TypeError(f"layers must be a list of the model's layers whose outputs to measure, got {layers!r}. "
                        f"Pick them from model.layers, e.g. the ReLU that ends each block.")
    chosen = _chosen(model, layers, need_kernel=False)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs  # one input: no structure warning
    probe = keras.Model(inputs, [layer.output for layer in chosen])
    state = [v.numpy() for v in model.non_trainable_variables]
    outputs = probe(x, training=training)
    for variable, value in zip(model.non_trainable_variables, state):
        variable.assign(value)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {layer.name: float(np.std(np.asarray(out))) for layer, out in zip(chosen, outputs)}

"""Gradient norms layer by layer: how strongly one batch's loss pulls on each layer's weights."""
import numpy as np

from .arguments import keras_model


def gradient_norms(model, x, y, layers=None):
    """The L2 norm of the gradient of the loss with respect to each layer's ``kernel``, in data-flow order.

    The loss is the mean sparse categorical cross-entropy of ``model(x, training=True)`` against the integer labels
    ``y``: BatchNormalization uses the batch's statistics, as in the first training step, and the model is left
    unchanged.  ``layers`` picks the layers to report (default: every layer that has a kernel).
    Returns a dict ``{layer name: norm}``.
    """
    import keras
    import tensorflow as tf

    keras_model(model)
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must hold the same number (at least 1) of examples, got {len(x)} images and "
                         f"{len(y)} labels. Pass for example x_train[:256], y_train[:256].")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels such as 0..9, got dtype {y.dtype}. "
                        f"Pass the labels as loaded, not one-hot.")
    chosen = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None] if layers is None \
        else list(layers)
    if not chosen:
        raise ValueError(f"model {model.name!r} has no layer with a kernel (Conv2D, Dense), so there is no gradient "
                         f"to report. Pass a model with weights.")
    ids = {id(layer) for layer in model.layers}
    for layer in chosen:
        if id(layer) not in ids or getattr(layer, "kernel", None) is None:
            raise ValueError(f"layers must be layers of {model.name!r} that have a kernel; "
                             f"{getattr(layer, 'name', layer)!r} is not. Pick them from model.layers.")
    kernels = [layer.kernel for layer in chosen]
    state = [v.numpy() for v in model.non_trainable_variables]  # BatchNormalization's running statistics
    with tf.GradientTape() as tape:
        probabilities = model(x, training=True)
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, probabilities))
    grads = tape.gradient(loss, kernels)
    for variable, value in zip(model.non_trainable_variables, state):
        variable.assign(value)  # leave the model exactly as it was
    return {layer.name: float(np.linalg.norm(np.asarray(g))) for layer, g in zip(chosen, grads)}

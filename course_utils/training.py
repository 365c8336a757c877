"""Training plumbing: give a compiled model's optimizer a fresh start, so one compiled model serves many runs.

Compiling a Keras model and running ``fit()`` once traces its training step into a TensorFlow graph, which takes
seconds for a deep network.  A sweep that trains the same network shape with several seeds can compile it once,
then before each run load that seed's initial weights (``model.set_weights``) and call ``reset_optimizer(model)``.
"""


def reset_optimizer(model):
    """Put the optimizer of a compiled ``model`` back to its state before the first training step, in place.

    Its step counter returns to 0, so a learning-rate schedule starts over, and every slot variable (SGD's
    momentum, Adam's two moving averages) returns to its starting value, taken from a new optimizer with the same
    configuration; the model's own weights are not touched.  An optimizer that ``fit()`` has not built yet is built
    first, on ``model.trainable_variables``, so that the first ``fit()`` finds it ready.  Returns the optimizer.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a compiled Keras model, got {type(model).__name__}. Pass the model itself, "
                        f"after model.compile(optimizer=..., loss=...).")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(f"model {model.name!r} is not compiled, so it has no optimizer to reset. Call "
                         f"model.compile(optimizer=..., loss=...) first.")
    variables = model.trainable_variables
    if not variables:
        raise ValueError(f"model {model.name!r} has no trainable weights, so its optimizer has nothing to train. "
                         f"Start the model with keras.Input(shape=...) so that it is built, and unfreeze a layer.")
    if not optimizer.built:
        optimizer.build(variables)
    start = type(optimizer).from_config(optimizer.get_config())
    start.build(variables)
    shapes = [tuple(variable.shape) for variable in optimizer.variables]
    if shapes != [tuple(variable.shape) for variable in start.variables]:
        raise ValueError(f"the optimizer of model {model.name!r} was built for other weights than the model's "
                         f"trainable ones (a layer was frozen or added since). Compile the model again.")
    for variable, initial in zip(optimizer.variables, start.variables):
        variable.assign(initial)
    return optimizer

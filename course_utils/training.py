"""Training plumbing: give a compiled model's optimizer a fresh start, so one compiled model serves many runs;
measure a model in inference mode during training; probe its gradients and signals at chosen steps.

Compiling a Keras model and running ``fit()`` once traces its training step into a TensorFlow graph, which takes
seconds for a deep network.  A sweep that trains the same network shape with several seeds can compile it once,
then before each run load that seed's initial weights (``model.set_weights``) and call ``reset_optimizer(model)``.
"""
import numpy as np


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


def _datasets(datasets):
    if not isinstance(datasets, dict) or not datasets:
        raise TypeError(f"datasets must be a non-empty dict {{name: (x, y)}}, got {type(datasets).__name__}. Pass "
                        f"for example {{'training': (x_train, y_train), 'held-out': (x_test, y_test)}}.")
    checked = {}
    for name, pair in datasets.items():
        if not isinstance(name, str) or not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"each entry of datasets must be name: (x, y), got {name!r}: {type(pair).__name__}.")
        x, y = np.asarray(pair[0]), np.asarray(pair[1])
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"datasets[{name!r}] holds {len(x)} images and {len(y)} labels; they must be equal "
                             f"and at least 1.")
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"datasets[{name!r}]: the labels must be integer classes such as 0..9, got dtype "
                            f"{y.dtype}.")
        checked[name] = (x, y)
    return checked


def evaluate_inference(model, x, y, batch_size=500):
    """The mean cross-entropy and the error rate of ``model`` on ``(x, y)`` in inference mode (BatchNormalization
    uses its moving statistics), as ``(loss, error)``; the model is not changed."""
    from .arguments import keras_model

    keras_model(model)
    ((x, y),) = _datasets({"data": (x, y)}).values()
    probabilities = np.concatenate([np.asarray(model(x[i:i + batch_size], training=False))
                                    for i in range(0, len(x), batch_size)])
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)  # Keras clips the same way
    return float(-np.mean(np.log(picked))), float(np.mean(probabilities.argmax(axis=1) != y))


def inference_evaluation(datasets, every_epochs=1):
    """A Keras callback that, at the end of every ``every_epochs``-th epoch of ``fit()``, measures the loss and error
    on each dataset in inference mode (``evaluate_inference``).

    ``datasets`` is ``{name: (x, y)}``.  After ``fit()``, ``callback.history[name]`` is
    ``{"loss": [...], "error": [...]}``, one value per evaluation.
    """
    import keras

    datasets = _datasets(datasets)
    from .arguments import whole_number
    every_epochs = whole_number(every_epochs, "every_epochs", minimum=1, hint="It is how many epochs lie between two "
                                "evaluations, for example every_epochs=1.")

    class InferenceEvaluation(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.history = {name: {"loss": [], "error": []} for name in datasets}

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % every_epochs:
                return
            for name, (x, y) in datasets.items():
                loss, error = evaluate_inference(self.model, x, y)
                self.history[name]["loss"].append(loss)
                self.history[name]["error"].append(error)

    return InferenceEvaluation()


def signal_probe(x, y, steps, gradient_layers, signal_layers):
    """A Keras callback that, before the training step numbered in ``steps`` (0 = before the first), measures on the
    fixed batch ``(x, y)`` each layer's relative gradient (``relative_gradients``, for ``gradient_layers``) and each
    layer's output standard deviation (``activation_stds``, for ``signal_layers``), both in training mode.

    The layers are picked from the model by the functions ``gradient_layers(model)`` and ``signal_layers(model)``, so
    one callback serves any model.  After ``fit()``, ``callback.records`` is a list of
    ``{"step": s, "relative_gradients": [...], "activation_stds": [...]}``.
    """
    import keras

    from .gradients import _batch, activation_stds, relative_gradients

    x, y = _batch(x, y)
    if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
        raise TypeError(f"steps must be a list of step numbers such as [0, 25, 100], got {steps!r}.")
    steps = sorted({int(s) for s in steps})
    if not steps or steps[0] < 0:
        raise ValueError(f"steps must hold at least one step number >= 0, got {steps}.")
    for name, pick in (("gradient_layers", gradient_layers), ("signal_layers", signal_layers)):
        if not callable(pick):
            raise TypeError(f"{name} must be a function that takes the model and returns its layers to measure, "
                            f"got {type(pick).__name__}. Pass for example path_layers, without parentheses.")

    class SignalProbe(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.step, self.records = 0, []
            self._measure()

        def _measure(self):
            if self.step in steps and all(r["step"] != self.step for r in self.records):
                self.records.append({
                    "step": self.step,
                    "relative_gradients": list(relative_gradients(self.model, x, y, gradient_layers(self.model))
                                               .values()),
                    "activation_stds": list(activation_stds(self.model, x, signal_layers(self.model)).values())})

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            self._measure()

    return SignalProbe()

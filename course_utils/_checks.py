"""Argument checks shared by the public functions: each error names the argument and the fix."""
import numbers


def positive_int(value, name, hint=""):
    """Return ``value`` as an int if it is a whole number >= 1, else raise with a message naming ``name``."""
    return whole_number(value, name, minimum=1, hint=hint)


def whole_number(value, name, minimum=0, hint=""):
    """Return ``value`` as an int if it is a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}). "
                        f"{hint or f'Pass an int such as {max(minimum, 1)}.'}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}. {hint}".rstrip())
    return int(value)


def keras_model(model, name="model"):
    """Raise a TypeError unless ``model`` is a Keras model."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{name} must be a Keras model (keras.Sequential or keras.Model), "
                        f"got {type(model).__name__}. Build one first, for example "
                        f"keras.Sequential([keras.Input(shape=(32, 32, 1)), ...]).")
    return model

"""Argument validation shared by the public functions of course_utils: each error names the argument and the fix.

(The exercise checkers, which judge a student's answer, are in ``checks/``.)
"""
import numbers
import os
import pathlib


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


def axes_or_none(ax):
    """Raise a TypeError unless ``ax`` is a matplotlib Axes or None."""
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}. "
                        f"Pass for example ax=axes[0] from fig, axes = plt.subplots(1, 2).")
    return ax


def file_path(path, example):
    """``path`` as a pathlib.Path; a TypeError naming ``example`` unless it is a str or a path."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name such as {example!r}, got {type(path).__name__}.")
    return pathlib.Path(path)

"""Plots used across the notebooks. Each helper takes ``ax=None`` and returns the Axes it drew on."""
import numpy as np

from .arguments import axes_or_none, positive_int


# Each label gets its own marker and line style as well as its colour, so curves are told apart without colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")


def _look(number):
    """Marker and line style of the ``number``-th label of a plot."""
    return {"marker": MARKERS[number % len(MARKERS)], "linestyle": LINESTYLES[number % len(LINESTYLES)]}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _finish(ax, xlabel, ylabel, title):
    """Axis labels, an optional title and the legend: the common end of every curve plot."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_history(histories, metric="loss", ax=None, title=None):
    """Training curves of one or more Keras fits: ``histories`` is a History, a dict of them, or a dict of lists.

    Validation curves (``val_<metric>``) are drawn dashed in the same colour.
    """
    if not isinstance(metric, str):
        raise TypeError(f"metric must be a string such as 'loss' or 'accuracy', got {metric!r}.")
    axes_or_none(ax)
    if not isinstance(histories, dict) or all(isinstance(v, (list, tuple, np.ndarray)) for v in histories.values()):
        histories = {"": histories}
    for label, history in histories.items():
        logs = getattr(history, "history", history)
        name = f"histories[{label!r}]" if label else "histories"
        if not isinstance(logs, dict):
            raise TypeError(f"{name} must be what model.fit returns (a History) or a dict such as "
                            f"{{'loss': [0.9, 0.5]}}, got {type(history).__name__}. Pass history = model.fit(...).")
        if not logs:
            raise ValueError(f"{name} is empty: no epoch was recorded. Pass what model.fit(...) returns after at "
                             f"least one epoch.")
        if metric not in logs:
            raise ValueError(f"metric {metric!r} is not in the history of {label or 'this fit'}; "
                             f"it has {sorted(logs)}. Pass one of those as metric=.")
        for key in (metric, f"val_{metric}"):
            if key in logs and (np.ndim(logs[key]) != 1 or len(logs[key]) != len(logs[metric])
                                or not len(logs[key]) or not np.issubdtype(np.asarray(logs[key]).dtype, np.number)):
                raise ValueError(f"{name}[{key!r}] must be a non-empty list of numbers, one per epoch (as long as "
                                 f"{metric!r}), got {logs[key]!r:.80}. Pass what model.fit(...) returns.")
    ax = _axes(ax)
    for label, history in histories.items():
        logs = getattr(history, "history", history)
        epochs = np.arange(1, len(logs[metric]) + 1)
        (line,) = ax.plot(epochs, logs[metric], label=f"{label} train".strip())
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "--", color=line.get_color(), label=f"{label} held-out".strip())
    return _finish(ax, "epoch", metric, title)


def show_digits(images, labels=None, predictions=None, ncols=8, axes=None):
    """A grid of digit images; with ``predictions`` each title shows ``label -> prediction``, mistakes in red."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty batch shaped (N, H, W) or (N, H, W, 1), got shape "
                         f"{images.shape}. Pass for example x_test[:16].")
    if not (np.issubdtype(images.dtype, np.number) or images.dtype == bool):
        raise TypeError(f"images must hold pixel values (numbers), got dtype {images.dtype}. "
                        f"Pass for example x_test[:16].")
    n = len(images)
    ncols = positive_int(ncols, "ncols", hint="It is the number of images per row, such as 8.")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and (not hasattr(values, "__len__") or isinstance(values, str)):
            raise TypeError(f"{name} must be a list or array with one entry per image, got {type(values).__name__}. "
                            f"Pass for example {name}={'y_test' if name == 'labels' else 'predicted'}[:{n}].")
        if values is not None and len(values) != n:
            raise ValueError(f"{name} must have one entry per image ({n} images), got {len(values)}. "
                             f"Slice it like the images, for example x_test[:{n}] and y_test[:{n}].")
    if predictions is not None and labels is None:
        raise ValueError("predictions are shown next to the true labels, so pass labels= as well.")
    nrows = -(-n // ncols)
    if axes is None:
        _, axes = plt.subplots(nrows, min(n, ncols), figsize=(1.2 * min(n, ncols), 1.4 * nrows), squeeze=False)
    axes = np.ravel(axes)
    if len(axes) < n or not all(hasattr(ax, "imshow") for ax in axes):
        raise ValueError(f"axes must hold at least one matplotlib Axes per image ({n} images), got {len(axes)} "
                         f"items. Leave axes=None to make the grid.")
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray")
        if labels is not None and predictions is not None:
            wrong = labels[i] != predictions[i]
            ax.set_title(f"{labels[i]} → {predictions[i]}", color="red" if wrong else "black", fontsize=9)
        elif labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    return axes


def _runs_by_label(curves, name, example):
    """``curves`` as {label: 2-D float array (runs, points)}, with a ValueError naming ``name`` when it is not."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"{name} must be a non-empty dict {{label: values}}, got {type(curves).__name__}. "
                         f"Pass for example {example}.")
    out = {}
    for label, values in curves.items():
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            array = np.empty(0)
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"{name}[{label!r}] must be a list of numbers or a list of equally long lists (one per "
                             f"run), got {values!r:.80}. Pass for example {example}.")
        out[label] = array
    return out


def plot_depth_sweep(depths, values, ax=None, ylabel="training loss", title=None):
    """A final metric against depth: ``values`` maps a label to one row per run (seed), one column per depth.

    Each run is drawn thin, the mean of the runs thick, so the spread between seeds stays visible; each label has its
    own marker and line style besides its colour.
    """
    axes_or_none(ax)
    depths = list(depths) if hasattr(depths, "__iter__") else depths
    if not isinstance(depths, list) or not depths or not all(isinstance(d, (int, float, np.number)) for d in depths):
        raise TypeError(f"depths must be a non-empty list of numbers (the x positions), got {depths!r}. "
                        f"Pass for example [8, 20, 56].")
    values = _runs_by_label(values, "values", "{'plain': [[0.1, 0.2, 0.9]], 'residual': [[0.1, 0.08, 0.07]]}")
    for label, runs in values.items():
        if runs.shape[1] != len(depths):
            raise ValueError(f"values[{label!r}] has {runs.shape[1]} columns but there are {len(depths)} depths "
                             f"{depths}; give one value per depth in each row.")
    ax = _axes(ax)
    for number, (label, runs) in enumerate(values.items()):
        (line,) = ax.plot(depths, runs.mean(axis=0), label=label, **_look(number))
        for run in runs:
            ax.plot(depths, run, "-", color=line.get_color(), alpha=0.3, linewidth=1)
    ax.set_xticks(depths)
    return _finish(ax, "depth (layers with weights)", ylabel, title)


def plot_step_curves(curves, steps, ax=None, ylabel="training loss", title=None, logy=False):
    """Training curves against steps: ``curves`` maps a label to one row per run; the mean of the runs is drawn.

    Labels keep their colours, markers and line styles from one call to the next when they come in the same order.
    """
    axes_or_none(ax)
    curves = _runs_by_label(curves, "curves", "{'8 layers': [[2.3, 1.1, 0.6]]}")
    steps = np.asarray(steps)
    if steps.ndim != 1:
        raise ValueError(f"steps must be a list of step numbers, one per point, got shape {steps.shape}. "
                         f"Pass for example [5, 10, 15].")
    for label, runs in curves.items():
        if runs.shape[1] != len(steps):
            raise ValueError(f"curves[{label!r}] has {runs.shape[1]} points but steps has {len(steps)}; "
                             f"give one step number per point.")
    ax = _axes(ax)
    for number, (label, runs) in enumerate(curves.items()):
        ax.plot(steps, runs.mean(axis=0), label=label, markevery=max(1, len(steps) // 8), **_look(number))
    if logy:
        ax.set_yscale("log")
    return _finish(ax, "training step", ylabel, title)


def plot_layer_norms(norms, ax=None, ylabel="gradient norm", title=None):
    """One value per layer (first layer = 1) for each label in ``norms``, on a log scale."""
    axes_or_none(ax)
    norms = _runs_by_label(norms, "norms", "{'plain 56': [0.5, 0.1, 0.02]}")
    ax = _axes(ax)
    for label, runs in norms.items():
        if runs.shape[0] != 1:
            raise ValueError(f"norms[{label!r}] must be one list of numbers, one per layer, got {runs.shape[0]} rows.")
        if np.any(runs <= 0):
            raise ValueError(f"norms[{label!r}] holds zeros or negative numbers, which a log scale cannot show.")
        ax.plot(np.arange(1, runs.shape[1] + 1), runs[0], ".-", label=label)
    ax.set_yscale("log")
    return _finish(ax, "layer (1 = next to the input)", ylabel, title)

"""Plots used across the notebooks. Each helper takes ``ax=None`` and returns the Axes it drew on."""
import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def plot_history(histories, metric="loss", ax=None, title=None):
    """Training curves of one or more Keras fits: ``histories`` is a History, a dict of them, or a dict of lists.

    Validation curves (``val_<metric>``) are drawn dashed in the same colour.
    """
    if not isinstance(histories, dict) or all(isinstance(v, (list, tuple)) for v in histories.values()):
        histories = {"": histories}
    ax = _axes(ax)
    for label, history in histories.items():
        logs = getattr(history, "history", history)
        if not isinstance(logs, dict) or metric not in logs:
            known = sorted(logs) if isinstance(logs, dict) else []
            raise ValueError(f"metric {metric!r} is not in the history of {label or 'this fit'}; "
                             f"it has {known}. Pass one of those as metric=.")
        epochs = np.arange(1, len(logs[metric]) + 1)
        (line,) = ax.plot(epochs, logs[metric], label=f"{label} train".strip())
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "--", color=line.get_color(), label=f"{label} held-out".strip())
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def show_digits(images, labels=None, predictions=None, ncols=8, axes=None):
    """A grid of digit images; with ``predictions`` each title shows ``label -> prediction``, mistakes in red."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty batch shaped (N, H, W) or (N, H, W, 1), got shape "
                         f"{images.shape}. Pass for example x_test[:16].")
    n = len(images)
    nrows = -(-n // ncols)
    if axes is None:
        _, axes = plt.subplots(nrows, min(n, ncols), figsize=(1.2 * min(n, ncols), 1.4 * nrows), squeeze=False)
    axes = np.ravel(axes)
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

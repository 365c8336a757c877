import matplotlib
import numpy as np
import pytest

from course_utils import plot_history, show_digits


def test_plot_history_draws_train_and_held_out_curves():
    ax = plot_history({"a": {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2]}, "b": {"loss": [2, 1, 0.5]}})
    assert isinstance(ax, matplotlib.axes.Axes)
    assert [line.get_label() for line in ax.lines] == ["a train", "a held-out", "b train"]
    assert ax.lines[1].get_linestyle() == "--"


def test_plot_history_accepts_a_single_history_and_an_ax():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert plot_history({"accuracy": [0.5, 0.9]}, metric="accuracy", ax=ax) is ax
    assert list(ax.lines[0].get_ydata()) == [0.5, 0.9]


def test_plot_history_unknown_metric_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"metric 'acc' is not in .* \['loss'\]"):
        plot_history({"loss": [1.0]}, metric="acc")


def test_show_digits_marks_mistakes_in_red():
    axes = show_digits(np.zeros((3, 28, 28, 1)), labels=[1, 2, 3], predictions=[1, 5, 3], ncols=3)
    colors = [ax.title.get_color() for ax in axes]
    assert colors == ["black", "red", "black"]
    assert axes[1].get_title() == "2 → 5"


@pytest.mark.parametrize("images", [np.zeros((0, 28, 28)), np.zeros((28, 28)), np.zeros((2, 28, 28, 3))])
def test_show_digits_bad_images(images):
    with pytest.raises(ValueError, match="images must be a non-empty batch"):
        show_digits(images)


def test_depth_sweep_and_step_curves_tell_labels_apart_without_colour():
    from course_utils.plots import plot_depth_sweep, plot_step_curves

    ax = plot_depth_sweep([8, 20], {"plain": [[1.0, 2.0]], "residual": [[1.0, 0.5]]})
    means = [line for line in ax.lines if line.get_label() in ("plain", "residual")]
    assert len({(line.get_marker(), line.get_linestyle()) for line in means}) == 2
    ax = plot_step_curves({f"{d} layers": [[2.0, 1.0, 0.5]] for d in (8, 20, 32, 56)}, [5, 10, 15])
    assert len({(line.get_marker(), line.get_linestyle()) for line in ax.lines}) == 4
    assert len({line.get_marker() for line in ax.get_legend().get_lines()}) == 4  # the legend shows the markers

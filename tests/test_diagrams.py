import io

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from keras import layers

from course_utils import draw_architecture, save_diagram
from course_utils.diagrams import count_skip_arcs, display_path, in_course_notebooks, render, same_pixels
from tools.notebook_code import lenet5


def lenet(filters=None):
    """Notebook 01's 1998 LeNet-5; with ``filters``, a different model (its first convolution only)."""
    if filters is None:
        return lenet5()
    return keras.Sequential([keras.Input(shape=(32, 32, 1)), layers.Conv2D(filters, 5)], name="lenet5")


def residual(blocks=2, projection=False, filters=8):
    inputs = keras.Input(shape=(16, 16, 8))
    x = inputs
    for i in range(blocks):
        y = layers.Conv2D(filters, 3, padding="same")(x)
        y = layers.BatchNormalization()(y)
        y = layers.Activation("relu")(y)
        y = layers.Conv2D(filters, 3, padding="same")(y)
        shortcut = layers.Conv2D(filters, 1)(x) if projection and i == 0 else x
        x = layers.Activation("relu")(layers.Add()([y, shortcut]))
    outputs = layers.Dense(3)(layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, outputs, name="small_resnet")


def texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_lenet_boxes_shrink_in_height_and_grow_in_channels():
    ax = draw_architecture(lenet(), title="LeNet-5")
    assert isinstance(ax, matplotlib.axes.Axes) and ax.get_title() == "LeNet-5"
    assert texts(ax)[:3] == ["input\n32×32×1", "conv 5x5, tanh\n28×28×6", "avg pool 2x2\n14×14×6"]
    assert texts(ax)[-1] == "dense, softmax\n10"
    fronts = [p for p in ax.patches if p.get_gid() == "layer"][::3]  # each box: front, top and side faces
    heights = [np.ptp(p.get_xy()[:, 1]) for p in fronts[:5]]
    widths = [np.ptp(p.get_xy()[:, 0]) for p in fronts[:5]]
    assert heights == sorted(heights, reverse=True) and heights[0] > 2 * heights[4]
    assert widths[0] < widths[1] < widths[3]  # 1 -> 6 -> 16 channels
    assert count_skip_arcs(ax) == 0


def test_vgg16_draws_every_layer_with_shapes():
    ax = draw_architecture(keras.applications.VGG16(weights=None))
    labels = texts(ax)
    assert len(labels) == 23 and ax.get_title() == "vgg16"
    assert "conv 3x3, relu\n224×224×64" in labels and "max pool 2x2\n7×7×512" in labels


@pytest.mark.parametrize("blocks", [1, 3])
def test_identity_skips_are_arcs_from_the_branch_to_the_add(blocks):
    ax = draw_architecture(residual(blocks))
    assert count_skip_arcs(ax) == blocks
    arc = next(p for p in ax.patches if p.get_gid() == "skip")
    ys = arc.get_path().vertices[:, 1]
    assert ys.max() > ys[0] and ys.max() > ys[-1]  # it goes over the boxes, not through them


def test_projection_shortcut_sits_on_its_arc():
    ax = draw_architecture(residual(2, projection=True))
    assert count_skip_arcs(ax) == 3  # in and out of the 1x1 conv, then one identity arc
    assert any(t.startswith("conv 1x1\n") for t in texts(ax))


def test_compact_folds_normalisation_and_activations():
    model = residual(3)
    compact = draw_architecture(model)
    plt.close("all")
    full = draw_architecture(model, compact=False)
    assert len(texts(full)) == len(model.layers)
    assert len(texts(compact)) == len(model.layers) - 9  # BN, ReLU after the conv, ReLU after the add, x3
    assert "conv 3x3, BN, relu\n16×16×8" in texts(compact)
    assert count_skip_arcs(compact) == count_skip_arcs(full) == 3


def test_resnet20_sized_graph_is_compact():
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Activation("relu")(layers.BatchNormalization()(layers.Conv2D(16, 3, padding="same")(inputs)))
    for _ in range(9):
        y = layers.Activation("relu")(layers.BatchNormalization()(layers.Conv2D(16, 3, padding="same")(x)))
        y = layers.BatchNormalization()(layers.Conv2D(16, 3, padding="same")(y))
        x = layers.Activation("relu")(layers.Add()([y, x]))
    model = keras.Model(inputs, layers.Dense(10)(layers.GlobalAveragePooling2D()(x)))
    assert len(model.layers) > 60
    ax = draw_architecture(model)
    assert len(texts(ax)) == 1 + 1 + 9 * 3 + 2 and count_skip_arcs(ax) == 9  # input, stem, blocks, head


def test_a_copy_outside_the_course_notebooks_only_draws(tmp_path, monkeypatch, capsys):
    """The student edition (my_notebooks/) and any copy: the drawing is shown, nothing is compared, saved or said."""
    (tmp_path / "pyproject.toml").write_text("")
    for folder in ("images", "my_notebooks"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / "my_notebooks")
    for update in ("", "1"):
        monkeypatch.setenv("COURSE_UPDATE_IMAGES", update)
        diagram = save_diagram(lenet(), "../images/lenet5.png")
        assert capsys.readouterr().out == "" and diagram._repr_png_() == render(lenet())[1]
    assert not (tmp_path / "images" / "lenet5.png").exists()
    assert not in_course_notebooks() and in_course_notebooks(tmp_path / "notebooks")


def test_render_is_deterministic_and_ignores_the_notebook_style():
    model = lenet()
    _, first = render(model)
    with matplotlib.rc_context({"font.size": 20, "lines.linewidth": 5}):
        _, second = render(model)
    assert first == second
    assert b"Software" not in first and b"Creation Time" not in first


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A course folder with pyproject.toml, images/ and notebooks/, run from notebooks/ like a notebook."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "images").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.delenv("COURSE_UPDATE_IMAGES", raising=False)
    return tmp_path


def test_missing_diagram_is_reported_until_updates_are_allowed(project, monkeypatch, capsys):
    image = project / "images" / "lenet5.png"
    assert in_course_notebooks()
    save_diagram(lenet(), "../images/lenet5.png")
    assert capsys.readouterr().out == "images/lenet5.png does not exist yet: run make notebooks to save it\n"
    assert not image.exists()
    monkeypatch.setenv("COURSE_UPDATE_IMAGES", "1")
    with pytest.raises(ValueError, match="folder that does not exist, so the diagram cannot be saved"):
        save_diagram(lenet(), "../missing/lenet5.png")
    assert not (project / "missing").exists()
    diagram = save_diagram(lenet(), "../images/lenet5.png")
    assert capsys.readouterr().out == "images/lenet5.png matches the model\n"
    assert image.read_bytes() == render(lenet())[1] == diagram._repr_png_()
    assert repr(diagram) == "architecture diagram images/lenet5.png"
    assert isinstance(diagram.figure, matplotlib.figure.Figure)


def test_changed_model_makes_the_committed_diagram_stale(project, monkeypatch, capsys):
    image = project / "images" / "lenet5.png"
    monkeypatch.setenv("COURSE_UPDATE_IMAGES", "1")
    save_diagram(lenet(), "../images/lenet5.png")
    monkeypatch.delenv("COURSE_UPDATE_IMAGES")
    committed = image.read_bytes()
    save_diagram(lenet(), "../images/lenet5.png")
    assert capsys.readouterr().out.splitlines()[-1] == "images/lenet5.png matches the model"
    save_diagram(lenet(filters=8), "../images/lenet5.png")
    assert capsys.readouterr().out == "images/lenet5.png is STALE: run make notebooks to redraw it\n"
    assert image.read_bytes() == committed  # a stale file is reported, never silently rewritten


def test_tolerance_allows_anti_aliasing_noise_but_not_a_changed_label(project, capsys):
    from matplotlib.image import imread, imsave

    _, png = render(lenet())
    pixels = imread(io.BytesIO(png), format="png")
    noisy = np.clip(pixels + np.random.default_rng(0).uniform(-0.08, 0.08, pixels.shape), 0, 1)
    noisy[..., 3] = 1.0
    noisy[:2, :2, :3] = 0.0  # a couple of strongly changed pixels
    imsave(project / "images" / "lenet5.png", noisy)
    save_diagram(lenet(), "../images/lenet5.png")
    assert capsys.readouterr().out == "images/lenet5.png matches the model\n"
    assert same_pixels(pixels, noisy)
    changed = pixels.copy()
    changed[100:110, 100:140, :3] = 1 - changed[100:110, 100:140, :3]  # about one word of text
    assert not same_pixels(pixels, changed)
    assert not same_pixels(pixels, pixels[:-1])
    (project / "images" / "lenet5.png").write_bytes(b"not a png")
    save_diagram(lenet(), "../images/lenet5.png")
    assert "STALE" in capsys.readouterr().out


def test_display_path_is_relative_to_the_project(project):
    assert display_path("../images/lenet5.png") == "images/lenet5.png"
    assert display_path(project / "images" / "vgg16.png") == "images/vgg16.png"


def test_render_returns_the_figure_and_its_png_bytes():
    from matplotlib.figure import Figure

    figure, png = render(lenet())
    assert isinstance(figure, Figure) and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_diagram_shows_its_title_as_alt_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the course's notebooks/: only drawn
    diagram = save_diagram(lenet(), tmp_path / "lenet.png", title="LeNet-5")
    data, metadata = diagram._repr_mimebundle_()
    assert data == {"image/png": diagram.png} and metadata == {"image/png": {"alt": "Architecture diagram: LeNet-5"}}

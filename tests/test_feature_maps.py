"""The feature-map view: the pure function on small models whose maps are known, and on notebook 01's LeNet-5."""
import keras
import numpy as np
from keras import layers

import course_utils as cu
from tools.notebook_code import lenet5
from course_utils.feature_maps import feature_maps_html


def copying_model():
    """One 1x1 convolution whose kernel copies its input, then a 2x2 max pool."""
    model = keras.Sequential([keras.Input(shape=(6, 6, 1)), layers.Conv2D(1, 1, name="copy"),
                              layers.MaxPooling2D(2, name="pool")], name="copy_then_pool")
    model.get_layer("copy").set_weights([np.ones((1, 1, 1, 1), "float32"), np.zeros(1, "float32")])
    return model


def test_a_copying_convolution_shows_the_image_and_its_filter():
    images = np.arange(2 * 36, dtype="float32").reshape(2, 6, 6)
    found = cu.feature_maps(copying_model(), images, layer="copy", image=1)
    assert found["layer"] == "copy" and found["kind"] == "Conv2D" and found["shape"] == (6, 6, 1)
    assert np.array_equal(found["maps"][..., 0], images[1]) and np.array_equal(found["image"][..., 0], images[1])
    assert found["filters"].shape == (1, 1, 1) and found["filters"][0, 0, 0] == 1
    pooled = cu.feature_maps(copying_model(), images, layer=1, image=0)
    assert pooled["shape"] == (3, 3, 1) and pooled["filters"] is None
    assert np.array_equal(pooled["maps"][..., 0], images[0].reshape(3, 2, 3, 2).max(axis=(1, 3)))


def test_through_lenet_height_and_width_shrink_while_channels_grow():
    model = lenet5("relu", "max")
    images = np.random.default_rng(0).uniform(size=(3, 32, 32, 1)).astype("float32")
    shapes = [cu.feature_maps(model, images, layer)["shape"] for layer in cu.map_layers(model)]
    assert shapes == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]
    assert cu.feature_maps(model, images, 2)["shown"] == 16 and cu.feature_maps(model, images, 0)["shown"] == 6


def test_more_maps_than_shown_are_capped_and_said():
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(40, 3, name="wide")])
    page = feature_maps_html(model, np.zeros((1, 8, 8, 1)), "wide")
    assert cu.feature_maps(model, np.zeros((1, 8, 8, 1)), "wide")["shown"] == cu.feature_maps.__globals__["MAX_MAPS"]
    assert "(the first 16 of 40 shown)" in page and page.count("data-field='map'") == 16
    assert page.count("data-field='filter'") == 16 and "<b data-field='map-shape'>6 x 6 x 40</b>" in page


def test_the_widget_follows_its_controls():
    images = np.arange(2 * 36, dtype="float32").reshape(2, 6, 6)
    view = cu.FeatureMaps(copying_model(), images)
    assert "<b data-field='map-layer'>copy</b>" in view.output.value and "<b data-field='map-image'>0</b>" in view.output.value
    view.layer.value, view.image.value = "pool", 1
    assert "<b data-field='map-layer'>pool</b>" in view.output.value and "<b data-field='map-shape'>3 x 3 x 1</b>" in view.output.value
    assert "<b data-field='map-image'>1</b>" in view.output.value
    assert "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()

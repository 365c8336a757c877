"""What a trained network computes, layer by layer: the feature maps of one image, and the first layer's filters.

- ``feature_maps(model, images, layer, image)``: the maps as plain data (a pure function that tests call directly);
- ``feature_maps_html(...)``: the same as HTML, each map a small picture;
- ``FeatureMaps(model, images)``: a thin ipywidgets wrapper, an image slider and a layer menu.
"""
import base64
import html
import io

import numpy as np

from .arguments import keras_model, whole_number
from .static_html import StaticFallback, stepper_html

MAX_MAPS = 16  # maps shown per layer: enough to see what the layer does, few enough to draw at once


def map_layers(model):
    """The names of the layers of ``model`` whose output is a stack of maps (height x width x channels)."""
    keras_model(model)
    names = []
    for layer in model.layers:
        try:
            rank = len(layer.output.shape)
        except (AttributeError, ValueError):  # a layer without one output tensor
            continue
        if rank == 4 and type(layer).__name__ != "InputLayer":
            names.append(layer.name)
    return names


def _images(model, images):
    shape = tuple(model.inputs[0].shape[1:]) if model.inputs else None
    try:
        images = None if isinstance(images, str) else np.asarray(images, dtype="float32")
    except (TypeError, ValueError):
        images = None
    if images is None or images.ndim not in (3, 4) or images.shape[0] == 0:
        raise TypeError(f"images must be a non-empty batch of images shaped like the model's input {shape}, for "
                        f"example x_test[:8].")
    if images.ndim == 3:  # a batch of grayscale images without the channel axis
        images = images[..., None]
    if shape and tuple(images.shape[1:]) != shape:
        raise ValueError(f"images must have the model's input shape {shape} after the batch axis, got "
                         f"{tuple(images.shape[1:])}. Pass images prepared as for training, for example x_test[:8].")
    return images


def _layer_name(model, layer, names):
    """The name of ``layer`` (a name, or a number among ``names``, the model's layers with maps)."""
    if not names:
        raise ValueError(f"model {model.name!r} has no layer whose output is a stack of maps. Pass a convolutional "
                         f"network, such as LeNet-5.")
    if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
        index = whole_number(layer, "layer", hint=f"Use a name or a number from 0 to {len(names) - 1}.")
        if index >= len(names):
            raise ValueError(f"layer must be at most {len(names) - 1} (the model has {len(names)} layers with maps), "
                             f"got {index}. Use one of {names}.")
        return names[index]
    if layer not in names:
        raise ValueError(f"layer must be the name or number of a layer with maps, got {layer!r}. Use one of {names}.")
    return layer


def feature_maps(model, images, layer=0, image=0):
    """The maps that ``layer`` (a name, or a number among ``map_layers(model)``) computes for ``images[image]``.

    Returns a dict: ``layer``, ``kind``, ``shape`` (height, width, channels), ``maps`` (height, width, shown) with
    ``shown`` = at most ``MAX_MAPS`` channels, ``image`` (the input, height x width x channels), ``image_index``,
    ``layers`` (every layer with maps, in order) and ``filters``: for the first convolution, its learned kernels
    (f, f, shown) for the first input channel, else None.
    """
    import keras

    keras_model(model)
    images = _images(model, images)
    index = whole_number(image, "image", hint=f"Use an image number from 0 to {len(images) - 1}.")
    if index >= len(images):
        raise ValueError(f"image must be at most {len(images) - 1} (there are {len(images)} images), got {index}.")
    names = map_layers(model)
    name = _layer_name(model, layer, names)
    target = model.get_layer(name)
    probe = keras.Model(model.inputs[0], target.output)
    maps = np.asarray(probe(images[index:index + 1], training=False))[0]
    shown = min(MAX_MAPS, maps.shape[-1])
    first_conv = next((l for l in model.layers if isinstance(l, keras.layers.Conv2D)), None)
    filters = None
    if target is first_conv:
        filters = np.asarray(first_conv.kernel)[:, :, 0, :shown]
    return {"layer": name, "kind": type(target).__name__, "shape": tuple(maps.shape), "maps": maps[..., :shown],
            "shown": shown, "image": images[index], "image_index": index, "layers": names,
            "filters": filters}


def _png(values, size):
    """A 2-D array as a PNG data URI, each picture scaled to its own range, drawn ``size`` pixels wide."""
    import matplotlib.pyplot as plt

    values = np.asarray(values, dtype="float32")
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    repeat = max(1, size // max(values.shape))
    buffer = io.BytesIO()
    plt.imsave(buffer, np.kron(scaled, np.ones((repeat, repeat))), cmap="viridis", format="png", vmin=0, vmax=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def feature_maps_html(model, images, layer=0, image=0):
    """What ``FeatureMaps`` shows for one image and one layer, as HTML (arguments as ``feature_maps``)."""
    found = feature_maps(model, images, layer, image)
    h, w, c = found["shape"]

    def picture(values, caption, field):
        return (f"<figure style='display:inline-block;margin:2px;text-align:center'>"
                f"<img data-field='{field}' src='{_png(values, 56)}' width='56' height='56' alt='{html.escape(caption)}'>"
                f"<figcaption style='font-size:10px'>{html.escape(caption)}</figcaption></figure>")

    source = picture(found["image"][..., 0], f"image {found['image_index']}", "map-input")
    maps = "".join(picture(found["maps"][..., k], f"map {k}", "map") for k in range(found["shown"]))
    more = f" (the first {found['shown']} of {c} shown)" if found["shown"] < c else ""
    filters = ""
    if found["filters"] is not None:
        filters = ("<p>its learned filters, one per map:</p>"
                   + "".join(picture(found["filters"][..., k], f"filter {k}", "filter") for k in range(found["shown"])))
    return (f"<p>{source}<b data-field='map-layer'>{html.escape(found['layer'])}</b> "
            f"({html.escape(found['kind'])}) on image <b data-field='map-image'>{found['image_index']}</b>: "
            f"<b data-field='map-shape'>{h} x {w} x {c}</b>{more}</p>"
            f"<div>{maps}</div>{filters}")


class FeatureMaps(StaticFallback):
    """Pick an image and a layer of a trained convolutional ``model`` and see that layer's feature maps, with the
    first convolution's learned filters beside its maps.  ``view.image`` and ``view.layer`` are the controls,
    ``view.output`` the HTML they update."""

    def __init__(self, model, images, layer=0, image=0):
        import ipywidgets as widgets

        self.model, self.images = model, _images(keras_model(model), images)
        first = feature_maps_html(model, self.images, layer, image)  # checks every argument
        names = map_layers(model)
        self.image = widgets.IntSlider(value=image, min=0, max=len(self.images) - 1, description="image",
                                       continuous_update=False, layout={"width": "360px"})
        self.layer = widgets.Dropdown(options=names, value=_layer_name(model, layer, names),
                                      description="layer")
        self.output = widgets.HTML(first)
        for control in (self.image, self.layer):
            control.observe(lambda _: self.show(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.image, self.layer]), self.output])

    def show(self):
        """Draw the maps of the chosen layer for the chosen image (the controls call this)."""
        self.output.value = feature_maps_html(self.model, self.images, self.layer.value, self.image.value)

    def __repr__(self):
        return (f"FeatureMaps of {self.model.name}: layer {self.layer.value}, image {self.image.value} of "
                f"{len(self.images)}; run it in Jupyter to pick others.")

    def static_html(self):
        """The view without a kernel: every layer's maps for the chosen image, rendered ahead, with a slider."""
        names = map_layers(self.model)
        pages = [feature_maps_html(self.model, self.images, name, self.image.value) for name in names]
        return stepper_html(pages, names, "layer", start=names.index(self.layer.value),
                            note=f"(image {self.image.value}; run the notebook to pick other images)")

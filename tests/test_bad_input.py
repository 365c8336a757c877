"""Bad input to the public functions of course_utils: wrong types, wrong shapes, impossible values, unbuilt models
and empty data.  Each case must raise a ValueError or TypeError (exactly that type, not an error from deep inside
Keras, NumPy or matplotlib) whose one-line message names the argument and says what to pass instead.  Each exercise
checker must instead return a failed one-line CheckResult, never raise.

Cases the modules' own tests already cover (tests/test_shapes.py, tests/test_data.py, ...) are not repeated here.
"""
import pathlib
import re

import keras
import numpy as np
import pytest
from keras import layers

import course_utils as cu
from test_sweep import POINTS, fake_run
from course_utils.checks import CheckResult
from course_utils.explorers import bottleneck_html, conv_explorer_html
from course_utils.feature_maps import feature_maps_html
from course_utils.gradients import gradient_norms
from course_utils.plots import plot_depth_sweep, plot_step_curves
from course_utils.sweep import Sweep, run_sweep, save_sweep
from course_utils.tracer import tracer_html, tracer_static_html, tracer_step
from course_utils.training import reset_optimizer


class Lazy:
    """An argument built inside the test (a model, a figure), not when the table is read."""

    def __init__(self, build):
        self.build = build

    def __repr__(self):
        return f"Lazy({self.build.__name__})"


def built(value):
    return value.build() if isinstance(value, Lazy) else value


def lenet():
    return keras.Sequential([keras.Input(shape=(32, 32, 1)), layers.Conv2D(6, 5), layers.Flatten(), layers.Dense(3)])


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(3)

    def call(self, x):
        return self.dense(x)


def subclassed():
    model = Subclassed()
    model(np.zeros((1, 4), "float32"))  # built, but its layers form no graph
    return model


def two_axes():
    import matplotlib.pyplot as plt

    return plt.subplots(1, 2)[1]


def images(n=3):
    return np.zeros((n, 28, 28), "uint8")


LENET = Lazy(lenet)
LENET_ROWS = Lazy(lambda: cu.trace(lenet()))
UNBUILT_MODEL = Lazy(lambda: keras.Sequential([layers.Dense(3)]))
EMPTY_MODEL = Lazy(lambda: keras.Sequential([]))
INPUT_ONLY_MODEL = Lazy(lambda: keras.Sequential([keras.Input(shape=(32, 32, 1))]))
SUBCLASSED_MODEL = Lazy(subclassed)
UNFITTED_HISTORY = Lazy(keras.callbacks.History)
TWO_AXES = Lazy(two_axes)

# The messages, each ending with what to pass. whole_number's default hint is "Pass an int such as 1."
INT = r"must be a whole number, got .*\. (Pass an int|It is|Use)"
AT_LEAST_1 = r"must be at least 1, got"
NOT_A_MODEL = r"model must be a Keras model .*Build one first, for example keras\.Sequential\(\[keras\.Input"
NO_INPUT_SHAPE = r"has no input shape yet.*keras\.Input\(shape=.*model\.build"
NO_GRAPH = r"is a subclassed keras\.Model.*Write it with keras\.Sequential.*functional API"
NO_LAYERS = r"has no layers to trace\. Add them after its Input"
NOT_ROWS = r"rows must be the non-empty list that cu\.trace\(model\) returns, got .*\. Pass cu\.trace\(model\)\."
NOT_AXES = r"ax must be a matplotlib Axes or None, got str\. Pass for example ax=axes\[0\]"
NOT_HISTORY = r"histories must be what model\.fit returns .*got {}\. Pass history = model\.fit"

def small_cnn():
    return keras.Sequential([keras.Input(shape=(6, 6, 1)), layers.Conv2D(2, 3), layers.BatchNormalization(),
                             layers.Flatten(), layers.Dense(2)])


def norms_of_a_layer_without_kernel():
    model = small_cnn()
    return gradient_norms(model, np.zeros((2, 6, 6, 1)), np.array([0, 1]), layers=[model.layers[1]])


def stds_of_another_models_layer():
    return cu.activation_stds(small_cnn(), ZEROS, [small_cnn().layers[0]])


def compiled_small_cnn(trainable=True):
    model = small_cnn()
    model.trainable = trainable
    model.compile(optimizer="sgd", loss="mse")
    return model


SMALL_CNN = Lazy(small_cnn)
NO_KERNEL_MODEL = Lazy(lambda: keras.Sequential([keras.Input(shape=(3,)), layers.ReLU()]))
SHIPPED_SWEEP = str(pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "results" / "lenet_pooling.json")
ONE_RUN = Sweep(config={"epochs": 1}, runs=[{"point": {"depth": 8, "seed": 0}, "result": {"loss": [0.5]}}])
ZEROS = np.zeros((2, 6, 6, 1))

# name: (function, positional arguments, keyword arguments, error, regex the message must match)
CASES = {
    # shapes: wrong types, wrong shapes (a tuple where one side length goes), impossible values
    "conv_output_size size=None": (cu.conv_output_size, (None, 3), {}, TypeError, "size " + INT),
    "conv_output_size kernel_size=(3, 3)": (cu.conv_output_size, (28, (3, 3)), {}, TypeError, "kernel_size " + INT),
    "conv_output_size strides=(2, 2)": (cu.conv_output_size, (28, 3), {"strides": (2, 2)}, TypeError,
                                        "strides " + INT),
    "conv_output_size padding=None": (cu.conv_output_size, (28, 3), {"padding": None}, TypeError,
                                      r"padding must be a whole number.*Use 'valid', 'same' or a number"),
    "conv_output_size padding=1.5": (cu.conv_output_size, (28, 3), {"padding": 1.5}, TypeError,
                                     r"padding must be a whole number.*Use 'valid', 'same'"),
    "pool_output_size size='28'": (cu.pool_output_size, ("28",), {}, TypeError, "size " + INT),
    "pool_output_size pool_size=2.0": (cu.pool_output_size, (28, 2.0), {}, TypeError, "pool_size " + INT),
    "pool_output_size strides=0": (cu.pool_output_size, (28, 2), {"strides": 0}, ValueError,
                                   "strides " + AT_LEAST_1),
    "pool_output_size strides=2.0": (cu.pool_output_size, (28, 2), {"strides": 2.0}, TypeError, "strides " + INT),
    "pool_output_size padding='full'": (cu.pool_output_size, (28,), {"padding": "full"}, ValueError,
                                        r"padding must be 'valid', 'same' or a whole number"),
    "pool_output_size pool larger than input": (cu.pool_output_size, (2, 3), {}, ValueError,
                                                r"kernel_size=3 is larger than the padded input.*Use kernel_size <= 2"),
    "conv_params kernel_size=0": (cu.conv_params, (0, 3, 8), {}, ValueError, "kernel_size " + AT_LEAST_1),
    "conv_params in_channels='3'": (cu.conv_params, (3, "3", 8), {}, TypeError, "in_channels " + INT),
    "conv_params filters=(8,)": (cu.conv_params, (3, 3, (8,)), {}, TypeError, "filters " + INT),
    "conv_params use_bias='no'": (cu.conv_params, (3, 3, 8), {"use_bias": "no"}, TypeError,
                                  r"use_bias must be True or False, got 'no'"),
    "conv_params use_bias=None": (cu.conv_params, (3, 3, 8), {"use_bias": None}, TypeError,
                                  r"use_bias must be True or False"),
    "conv_macs output_height=0": (cu.conv_macs, (0, 28, 3, 3, 8), {}, ValueError, "output_height " + AT_LEAST_1),
    "conv_macs output_width=28.0": (cu.conv_macs, (28, 28.0, 3, 3, 8), {}, TypeError, "output_width " + INT),
    "conv_macs kernel_size=-1": (cu.conv_macs, (28, 28, -1, 3, 8), {}, ValueError, "kernel_size " + AT_LEAST_1),
    "conv_macs in_channels=None": (cu.conv_macs, (28, 28, 3, None, 8), {}, TypeError, "in_channels " + INT),

    # tracing: wrong types, models without layers, a model without a graph (unbuilt: tests/test_tracing.py)
    "format_shape None": (cu.format_shape, (None,), {}, TypeError,
                          r"shape must be a tuple of sizes such as \(28, 28, 6\), got NoneType\. Pass"),
    "format_shape 28": (cu.format_shape, (28,), {}, TypeError, r"shape must be a tuple of sizes.*got int"),
    "format_shape '28x28'": (cu.format_shape, ("28x28",), {}, TypeError, r"shape must be a tuple.*got str"),
    "format_shape dict": (cu.format_shape, ({"height": 28},), {}, TypeError, r"shape must be a tuple.*got dict"),
    "format_shape (28.0, 28)": (cu.format_shape, ((28.0, 28),), {}, TypeError,
                                r"shape must hold whole numbers .*got 28\.0 in \(28\.0, 28\)\. Pass for example"),
    "format_shape (True, 3)": (cu.format_shape, ((True, 3),), {}, TypeError, r"shape must hold whole numbers"),
    "trace the class keras.Sequential": (cu.trace, (keras.Sequential,), {}, TypeError, NOT_A_MODEL),
    "trace subclassed model": (cu.trace, (SUBCLASSED_MODEL,), {}, ValueError, NO_GRAPH),
    "trace empty Sequential": (cu.trace, (EMPTY_MODEL,), {}, ValueError, NO_LAYERS),
    "trace input-only Sequential": (cu.trace, (INPUT_ONLY_MODEL,), {}, ValueError, NO_LAYERS),
    "trace_table None": (cu.trace_table, (None,), {}, TypeError, NOT_A_MODEL),
    "trace_table 'lenet'": (cu.trace_table, ("lenet",), {}, TypeError, NOT_A_MODEL),
    "trace_table subclassed model": (cu.trace_table, (SUBCLASSED_MODEL,), {}, ValueError, NO_GRAPH),
    "trace_table input-only Sequential": (cu.trace_table, (INPUT_ONLY_MODEL,), {}, ValueError, NO_LAYERS),

    # data: wrong types (a missing or empty folder, no data and no network: tests/test_data.py)
    "load_mnist data_dir=5": (cu.load_mnist, (), {"data_dir": 5}, TypeError,
                              r"data_dir must be the name of a folder .*got int\. Pass for example data_dir="),
    "load_mnist data_dir=['data']": (cu.load_mnist, (), {"data_dir": ["data"]}, TypeError,
                                     r"data_dir must be the name of a folder .*got list"),
    "load_mnist train_size='8000'": (cu.load_mnist, (), {"train_size": "8000"}, TypeError,
                                     r"train_size must be a whole number, got '8000' \(str\)\. It is how many images"),
    "load_mnist test_size=0": (cu.load_mnist, (), {"test_size": 0}, ValueError,
                               r"test_size must be at least 1, got 0\. It is how many images"),

    # plots: wrong types, wrong shapes, empty data
    "plot_history None": (cu.plot_history, (None,), {}, TypeError, NOT_HISTORY.format("NoneType")),
    "plot_history a list": (cu.plot_history, ([0.9, 0.5],), {}, TypeError, NOT_HISTORY.format("list")),
    "plot_history a string": (cu.plot_history, ("history",), {}, TypeError, NOT_HISTORY.format("str")),
    "plot_history a model": (cu.plot_history, (LENET,), {}, TypeError, NOT_HISTORY.format("Sequential")),
    "plot_history dict of numbers": (cu.plot_history, ({"a": 5},), {}, TypeError,
                                     r"histories\['a'\] must be what model\.fit returns"),
    "plot_history empty dict": (cu.plot_history, ({},), {}, ValueError,
                                r"histories is empty: no epoch was recorded\. Pass what model\.fit"),
    "plot_history unfitted History": (cu.plot_history, (UNFITTED_HISTORY,), {}, ValueError,
                                      r"histories is empty: no epoch was recorded"),
    "plot_history no epochs": (cu.plot_history, ({"loss": []},), {}, ValueError,
                               r"histories\['loss'\] must be a non-empty list of numbers, one per epoch"),
    "plot_history strings": (cu.plot_history, ({"loss": ["a", "b"]},), {}, ValueError,
                             r"histories\['loss'\] must be a non-empty list of numbers"),
    "plot_history list of lists": (cu.plot_history, ({"loss": [[1.0, 2.0], [3.0, 4.0]]},), {}, ValueError,
                                   r"histories\['loss'\] must be a non-empty list of numbers, one per epoch"),
    "plot_history val_loss shorter": (cu.plot_history, ({"loss": [1.0, 0.5], "val_loss": [1.0]},), {}, ValueError,
                                      r"histories\['val_loss'\] must be .*as long as 'loss'"),
    "plot_history metric=3": (cu.plot_history, ({"loss": [1.0]},), {"metric": 3}, TypeError,
                              r"metric must be a string such as 'loss' or 'accuracy', got 3"),
    "plot_history ax='ax'": (cu.plot_history, ({"loss": [1.0]},), {"ax": "ax"}, TypeError, NOT_AXES),
    "show_digits None": (cu.show_digits, (None,), {}, ValueError,
                         r"images must be a non-empty batch shaped \(N, H, W\).*got shape \(\)\. Pass for example"),
    "show_digits one 2x2 image": (cu.show_digits, ([[1, 2], [3, 4]],), {}, ValueError,
                                  r"images must be a non-empty batch.*got shape \(2, 2\)"),
    "show_digits strings": (cu.show_digits, (np.full((2, 3, 3), "a"),), {}, TypeError,
                            r"images must hold pixel values \(numbers\), got dtype <U1\. Pass for example"),
    "show_digits ncols=0": (cu.show_digits, (images(),), {"ncols": 0}, ValueError,
                            r"ncols must be at least 1, got 0\. It is the number of images per row"),
    "show_digits ncols=2.5": (cu.show_digits, (images(),), {"ncols": 2.5}, TypeError,
                              r"ncols must be a whole number.*It is the number of images per row"),
    "show_digits labels too short": (cu.show_digits, (images(),), {"labels": [1]}, ValueError,
                                     r"labels must have one entry per image \(3 images\), got 1\. Slice it"),
    "show_digits labels=5": (cu.show_digits, (images(),), {"labels": 5}, TypeError,
                             r"labels must be a list or array with one entry per image, got int\. Pass"),
    "show_digits predictions too short": (cu.show_digits, (images(),), {"labels": [1, 2, 3], "predictions": [1]},
                                          ValueError, r"predictions must have one entry per image \(3 images\)"),
    "show_digits predictions without labels": (cu.show_digits, (images(),), {"predictions": [1, 2, 3]},
                                               ValueError, r"predictions .*pass labels= as well"),
    "show_digits too few axes": (cu.show_digits, (images(),), {"axes": TWO_AXES}, ValueError,
                                 r"axes must hold at least one matplotlib Axes per image \(3 images\), got 2 .*"
                                 r"Leave axes=None"),
    "show_digits axes of strings": (cu.show_digits, (images(2),), {"axes": ["a", "b"]}, ValueError,
                                    r"axes must hold at least one matplotlib Axes per image"),

    # setup (a negative, fractional or string seed and present='yes': tests/test_setup_env.py)
    "setup seed=None": (cu.setup, (), {"seed": None}, TypeError, r"seed must be a whole number.*such as 0"),
    "setup seed=True": (cu.setup, (), {"seed": True}, TypeError, r"seed must be a whole number"),
    "dtype_policy 16": (cu.dtype_policy, (16,), {}, TypeError, r"name must be a dtype policy name such as 'float16'"),
    "dtype_policy 'half'": (cu.dtype_policy, ("half",), {}, ValueError,
                            r"'half' is not a Keras dtype policy\. Use 'float32', 'float16'"),
    "yours_or_reference a number": (cu.yours_or_reference, (3,), {}, TypeError,
                                    r"takes one of the course's exercise functions \(.*vgg_block.*\), got 3 \(int\)\. "
                                    r"Pass the function you completed"),
    "yours_or_reference another function": (cu.yours_or_reference, (print,), {}, TypeError,
                                            r"got the function 'print'\. Pass the function you completed"),
    "setup present=1": (cu.setup, (), {"present": 1}, TypeError, r"present must be True or False, got 1"),
    "reset_optimizer None": (reset_optimizer, (None,), {}, TypeError,
                             r"model must be a compiled Keras model, got NoneType\. Pass the model itself"),
    "reset_optimizer an optimizer": (reset_optimizer, (Lazy(keras.optimizers.SGD),), {}, TypeError,
                                     r"model must be a compiled Keras model, got SGD"),
    "reset_optimizer uncompiled model": (reset_optimizer, (LENET,), {}, ValueError,
                                         r"is not compiled, so it has no optimizer to reset\. Call model\.compile"),

    # widgets: wrong types, impossible values, empty traces, unbuilt and subclassed models
    "bottleneck_costs width=0": (cu.bottleneck_costs, (), {"width": 0}, ValueError,
                                 "width " + AT_LEAST_1 + r" 0\. It is the width"),
    "bottleneck_costs filters=-3": (cu.bottleneck_costs, (), {"filters": -3}, ValueError, "filters " + AT_LEAST_1),
    "bottleneck_html in_channels=0": (bottleneck_html, (), {"in_channels": 0}, ValueError,
                                      "in_channels " + AT_LEAST_1),
    "bottleneck_html height='28'": (bottleneck_html, (), {"height": "28"}, TypeError, "height " + INT),
    "bottleneck_html kernel_size=None": (bottleneck_html, (), {"kernel_size": None}, TypeError,
                                         "kernel_size " + INT),
    "bottleneck_explorer width='28'": (cu.bottleneck_explorer, (), {"width": "28"}, TypeError, "width " + INT),
    "conv_explorer_html strides=0": (conv_explorer_html, (), {"strides": 0}, ValueError,
                                     "strides " + AT_LEAST_1 + r" 0\. Use a step"),
    "conv_explorer_html padding='same'": (conv_explorer_html, (), {"padding": "same"}, TypeError,
                                          "padding " + INT),
    "conv_explorer kernel_size=None": (cu.conv_explorer, (), {"kernel_size": None}, TypeError, "kernel_size " + INT),
    "tracer_step a model instead of rows": (tracer_step, (LENET, 0), {}, TypeError, NOT_ROWS),
    "tracer_step rows of dicts": (tracer_step, ([{"name": "conv"}], 0), {}, TypeError, NOT_ROWS),
    "tracer_step index=True": (tracer_step, (LENET_ROWS, True), {}, TypeError,
                               r"index must be a whole number.*Use a row number from 0 to 3"),
    "tracer_static_html a model instead of rows": (tracer_static_html, (LENET,), {}, TypeError, NOT_ROWS),
    "tracer_static_html rows=[]": (tracer_static_html, ([],), {}, TypeError, NOT_ROWS),
    "tracer_html rows=None": (tracer_html, (None, 0), {}, TypeError, NOT_ROWS),
    "tracer_html rows=[]": (tracer_html, ([], 0), {}, TypeError, NOT_ROWS),
    "tracer_html index='1'": (tracer_html, (LENET_ROWS, "1"), {}, TypeError,
                              r"index must be a whole number.*Use a row number"),
    "tracer_html index=99": (tracer_html, (LENET_ROWS, 99), {}, ValueError,
                             r"index must be at most 3 \(the model has 4 layer calls\), got 99"),
    "ShapeTracer None": (cu.ShapeTracer, (None,), {}, TypeError, NOT_A_MODEL),
    "ShapeTracer unbuilt model": (cu.ShapeTracer, (UNBUILT_MODEL,), {}, ValueError, NO_INPUT_SHAPE),
    "ShapeTracer subclassed model": (cu.ShapeTracer, (SUBCLASSED_MODEL,), {}, ValueError, NO_GRAPH),
    "ShapeTracer empty rows": (cu.ShapeTracer, ([],), {}, TypeError, NOT_ROWS),
    "ShapeTracer index=1.0": (cu.ShapeTracer, (LENET,), {"index": 1.0}, TypeError, r"index must be a whole number"),
    "ShapeTracer index=-1": (cu.ShapeTracer, (LENET,), {"index": -1}, ValueError,
                             r"index must be at least 0, got -1\. Use a row number from 0 to 3"),

    # diagrams
    "draw_architecture 'lenet5' as the model": (cu.draw_architecture, ("lenet5",), {}, TypeError, NOT_A_MODEL),
    "draw_architecture unbuilt model": (cu.draw_architecture, (UNBUILT_MODEL,), {}, ValueError, NO_INPUT_SHAPE),
    "draw_architecture title=5": (cu.draw_architecture, (LENET,), {"title": 5}, TypeError,
                                  r"title must be a string or None, got int"),
    "draw_architecture compact='yes'": (cu.draw_architecture, (LENET,), {"compact": "yes"}, TypeError,
                                        r"compact must be True or False, got 'yes'"),
    "draw_architecture ax='ax'": (cu.draw_architecture, (LENET,), {"ax": "ax"}, TypeError, NOT_AXES),
    "draw_architecture subclassed model": (cu.draw_architecture, (SUBCLASSED_MODEL,), {}, ValueError, NO_GRAPH),
    "draw_architecture input-only Sequential": (cu.draw_architecture, (INPUT_ONLY_MODEL,), {}, ValueError,
                                                NO_LAYERS),
    "save_diagram unbuilt model": (cu.save_diagram, (UNBUILT_MODEL, "lenet5.png"), {}, ValueError, NO_INPUT_SHAPE),
    "save_diagram 'lenet5' as the model": (cu.save_diagram, ("lenet5", "lenet5.png"), {}, TypeError, NOT_A_MODEL),
    "save_diagram path=None": (cu.save_diagram, (LENET, None), {}, TypeError,
                               r"path must be a file name such as '\.\./images/lenet5\.png', got NoneType"),
    "save_diagram path without .png": (cu.save_diagram, (LENET, "lenet5"), {}, ValueError,
                                       r"path must end in \.png, got 'lenet5'\. Use for example"),
    "save_diagram title=5": (cu.save_diagram, (LENET, "lenet5.png"), {"title": 5}, TypeError,
                             r"title must be a string or None, got int\. Pass for example title="),
    "save_diagram compact='no'": (cu.save_diagram, (LENET, "lenet5.png"), {"compact": "no"}, TypeError,
                                  r"compact must be True or False, got 'no'"),

    # gradients
    "gradient_norms a string as the model": (gradient_norms, ("model", ZEROS, np.array([0, 1])), {}, TypeError,
                                             NOT_A_MODEL),
    "gradient_norms 3 labels for 2 images": (gradient_norms, (SMALL_CNN, ZEROS, np.array([0, 1, 2])), {},
                                             ValueError, r"same number .* got 2 images and 3 labels\. Pass"),
    "gradient_norms one-hot labels": (gradient_norms, (SMALL_CNN, ZEROS, np.eye(2)), {}, TypeError,
                                      r"y must hold integer class labels .*Pass the labels as loaded"),
    "gradient_norms a layer without a kernel": (norms_of_a_layer_without_kernel, (), {}, ValueError,
                                                r"'batch_normalization.*' is not\. Pick them from model\.layers"),
    "gradient_norms a model without kernels": (gradient_norms, (NO_KERNEL_MODEL, np.zeros((1, 3)), np.array([0])),
                                               {}, ValueError, r"has no layer with a kernel .*Pass a model with weights"),

    "relative_gradients a string as the model": (cu.relative_gradients, ("model", ZEROS, np.array([0, 1])), {},
                                                 TypeError, NOT_A_MODEL),
    "relative_gradients one-hot labels": (cu.relative_gradients, (SMALL_CNN, ZEROS, np.eye(2)), {}, TypeError,
                                          r"y must hold integer class labels .*Pass the labels as loaded"),
    "relative_gradients no images": (cu.relative_gradients, (SMALL_CNN, ZEROS[:0], np.array([], int)), {},
                                     ValueError, r"at least 1\) of examples, got 0 images"),
    "activation_stds no layers": (cu.activation_stds, (SMALL_CNN, ZEROS), {"layers": None}, TypeError,
                                  r"layers must be a list of the model's layers .*Pick them from model\.layers"),
    "activation_stds one image without a batch axis": (cu.activation_stds, (SMALL_CNN, np.zeros(6), []), {},
                                                       ValueError, r"x must be a batch of at least one input"),
    "activation_stds training='yes'": (cu.activation_stds, (SMALL_CNN, ZEROS, []), {"training": "yes"}, TypeError,
                                       r"training must be True or False, got 'yes'"),
    "activation_stds a layer of another model": (stds_of_another_models_layer, (), {}, ValueError,
                                                 r"layers must be layers of .*Pick them from model\.layers"),

    # training
    "evaluate_inference a string as the model": (cu.evaluate_inference, ("model", ZEROS, np.array([0, 1])), {},
                                                 TypeError, NOT_A_MODEL),
    "evaluate_inference float labels": (cu.evaluate_inference, (SMALL_CNN, ZEROS, np.array([0.0, 1.0])), {},
                                        TypeError, r"the labels must be integer classes"),
    "inference_evaluation a list": (cu.inference_evaluation, ([(ZEROS, np.array([0, 1]))],), {}, TypeError,
                                    r"datasets must be a non-empty dict \{name: \(x, y\)\}, got list\. Pass"),
    "inference_evaluation 3 labels for 2 images": (cu.inference_evaluation, ({"training": (ZEROS, np.arange(3))},),
                                                   {}, ValueError, r"holds 2 images and 3 labels"),
    "inference_evaluation every_epochs=0": (cu.inference_evaluation, ({"training": (ZEROS, np.arange(2))},),
                                            {"every_epochs": 0}, ValueError, "every_epochs " + AT_LEAST_1),
    "signal_probe steps=5": (cu.signal_probe, (ZEROS, np.arange(2), 5, list, list), {}, TypeError,
                             r"steps must be a list of step numbers"),
    "signal_probe a negative step": (cu.signal_probe, (ZEROS, np.arange(2), [-1], list, list), {}, ValueError,
                                     r"steps must hold at least one step number >= 0"),
    "signal_probe layers as a list": (cu.signal_probe, (ZEROS, np.arange(2), [0], [1], list), {}, TypeError,
                                      r"gradient_layers must be a function that takes the model"),
    # training
    "reset_optimizer a string": (reset_optimizer, ("model",), {}, TypeError,
                                 r"model must be a compiled Keras model, got str\. Pass the model itself"),
    "reset_optimizer not compiled": (reset_optimizer, (SMALL_CNN,), {}, ValueError,
                                     r"is not compiled, so it has no optimizer to reset\. Call model\.compile"),
    "reset_optimizer frozen": (reset_optimizer, (Lazy(lambda: compiled_small_cnn(trainable=False)),), {},
                               ValueError, r"has no trainable weights"),

    # sweeps: a run, its points and configuration, saving and loading, one result
    "run_sweep run='not a function'": (run_sweep, ("not a function", POINTS, {}), {}, TypeError,
                                       r"run must be a function called as run\(\*\*point\)"),
    "run_sweep points=[]": (run_sweep, (fake_run, [], {}), {}, ValueError, "points is empty"),
    "run_sweep points a dict": (run_sweep, (fake_run, {"depth": 8}, {}), {}, TypeError,
                                "points must be a list of dicts"),
    "run_sweep points of numbers": (run_sweep, (fake_run, [8, 20], {}), {}, TypeError,
                                    "each point must be a non-empty dict"),
    "run_sweep a point twice": (run_sweep, (fake_run, [POINTS[0], POINTS[0]], {}), {}, ValueError,
                                "appears twice"),
    "run_sweep config a list": (run_sweep, (fake_run, POINTS, [("epochs", 2)]), {}, TypeError,
                                "config must be a dict"),
    "run_sweep config with a NumPy number": (run_sweep, (fake_run, POINTS, {"lr": np.float32(0.1)}), {}, TypeError,
                                             "config must hold only numbers"),
    "run_sweep run returns a float": (run_sweep, (lambda depth, seed: 0.5, POINTS, {}), {}, TypeError,
                                      r"run\(depth=8 seed=0\) returned float; it must return a dict"),
    "run_or_load_sweep use_cache='yes'": (cu.run_or_load_sweep, (fake_run, POINTS, {}, "s.json", "yes"), {}, TypeError,
                                          r"use_cache must be True or False, got 'yes'\. Set it at the top"),
    "run_or_load_sweep save=None": (cu.run_or_load_sweep, (fake_run, POINTS, {}, "s.json", False), {"save": None},
                                    TypeError, r"save must be True or False, got None"),
    "save_sweep a dict": (save_sweep, ({"runs": []}, "s.json"), {}, TypeError,
                          "sweep must be the Sweep returned by run_sweep"),
    "save_sweep path=42": (save_sweep, (ONE_RUN, 42), {}, TypeError,
                           r"path must be a file name such as 'results/sweep\.json', got int"),
    "load_sweep another configuration": (cu.load_sweep, (SHIPPED_SWEEP,), {"config": {"epochs": 5}}, ValueError,
                                         r"was made with another configuration: .*epochs is 8 there but 5 here"),
    "load_sweep path=None": (cu.load_sweep, (None,), {"config": None}, TypeError, r"path must be a file name"),
    "Sweep.result an unknown point": (ONE_RUN.result, (), {"depth": 56, "seed": 0}, ValueError,
                                      r"no run with depth=56 seed=0 .* such as \{depth=8 seed=0\}"),

    # sweep plots
    "plot_depth_sweep values a list": (plot_depth_sweep, ([8, 20], [[1.0, 2.0]]), {}, ValueError,
                                       "values must be a non-empty dict"),
    "plot_depth_sweep a column too many": (plot_depth_sweep, ([8, 20], {"plain": [[1.0, 2.0, 3.0]]}), {},
                                           ValueError, r"values\['plain'\] has 3 columns but there are 2 depths"),
    "plot_depth_sweep depths=8": (plot_depth_sweep, (8, {"plain": [1.0]}), {}, TypeError,
                                  "depths must be a non-empty list of numbers"),
    "plot_depth_sweep ax='axes'": (plot_depth_sweep, ([8], {"a": [1.0]}), {"ax": "axes"}, TypeError, NOT_AXES),
    "plot_step_curves ragged runs": (plot_step_curves, ({"a": [[1.0], [1.0, 2.0]]}, [1, 2]), {}, ValueError,
                                     r"curves\['a'\] must be a list of numbers or a list of equally long"),
    "plot_step_curves a step too many": (plot_step_curves, ({"a": [1.0, 2.0]}, [1, 2, 3]), {}, ValueError,
                                         "but steps has 3"),
    "plot_step_curves steps=5": (plot_step_curves, ({"a": [1.0]}, 5), {}, ValueError,
                                 "steps must be a list of step numbers"),
    "plot_step_curves ax='axes'": (plot_step_curves, ({"a": [1.0]}, [5]), {"ax": "axes"}, TypeError, NOT_AXES),
    "plot_layer_norms a zero": (cu.plot_layer_norms, ({"plain": [1.0, 0.0]},), {}, ValueError,
                                "which a log scale cannot show"),
    "plot_layer_norms ax='axes'": (cu.plot_layer_norms, ({"a": [1.0]},), {"ax": "axes"}, TypeError, NOT_AXES),

    # feature maps
    "map_layers 'lenet'": (cu.map_layers, ("lenet",), {}, TypeError, NOT_A_MODEL),
    "feature_maps images='x'": (cu.feature_maps, (LENET, "x"), {}, TypeError,
                                r"images must be a non-empty batch of images shaped like the model's input"),
    "feature_maps images of another shape": (cu.feature_maps, (LENET, np.zeros((2, 28, 28, 1))), {}, ValueError,
                                             r"images must have the model's input shape \(32, 32, 1\)"),
    "feature_maps layer='dense'": (cu.feature_maps, (LENET, np.zeros((1, 32, 32, 1))), {"layer": "dense"},
                                   ValueError, r"layer must be the name or number of a layer with maps.*Use one of"),
    "feature_maps layer=5": (cu.feature_maps, (LENET, np.zeros((1, 32, 32, 1))), {"layer": 5}, ValueError,
                             r"layer must be at most 0 \(the model has 1 layers with maps\)"),
    "feature_maps image=3": (cu.feature_maps, (LENET, np.zeros((1, 32, 32, 1))), {"image": 3}, ValueError,
                             r"image must be at most 0 \(there are 1 images\)"),
    "feature_maps image=1.0": (cu.feature_maps, (LENET, np.zeros((1, 32, 32, 1))), {"image": 1.0}, TypeError,
                               r"image must be a whole number.*Use an image number"),
    "feature_maps_html model=None": (feature_maps_html, (None, np.zeros((1, 32, 32, 1))), {}, TypeError,
                                     NOT_A_MODEL),
    "FeatureMaps image=-1": (cu.FeatureMaps, (LENET, np.zeros((1, 32, 32, 1))), {"image": -1}, ValueError,
                             r"image must be at least 0"),
    "FeatureMaps images=[]": (cu.FeatureMaps, (LENET, []), {}, TypeError, r"images must be a non-empty batch"),

    # setup
    "setup seed=-1": (cu.setup, (), {"seed": -1}, ValueError, "seed must be"),
    "setup seed=1.5": (cu.setup, (), {"seed": 1.5}, TypeError, "seed must be"),
    "setup seed='0'": (cu.setup, (), {"seed": "0"}, TypeError, "seed must be"),
    "setup present='yes'": (cu.setup, (), {"present": "yes"}, TypeError, "present must be True or False"),
}


# What the notebooks use (cu.__all__), and the public functions of the modules that they reach through those.
PUBLIC = {name: getattr(cu, name) for name in cu.__all__} | {
    function.__name__: function for function in (CheckResult, Sweep, run_sweep, save_sweep, bottleneck_html,
                                                 conv_explorer_html, feature_maps_html, tracer_html,
                                                 tracer_static_html, tracer_step, gradient_norms, reset_optimizer,
                                                 plot_depth_sweep, plot_step_curves)}


def public_target(name):
    """The public function or method a case is named after: "conv_params ..." -> cu.conv_params,
    "Sweep.result ..." -> Sweep.result, "ShapeTracer ..." -> cu.ShapeTracer."""
    owner, _, method = name.split()[0].partition(".")
    target = PUBLIC[owner]
    return getattr(target, method) if method else target


def raised_in(info, target):
    """True when the exception passed through ``target``'s own code (its __init__ for a class)."""
    code = getattr(target, "__code__", None) or target.__init__.__code__
    return any(entry.frame.code.raw is code for entry in info.traceback)


@pytest.mark.parametrize("name", CASES, ids=CASES.keys())
def test_bad_input_names_the_argument_and_the_fix(name, tmp_path, monkeypatch):
    fn, args, kwargs, error, message = CASES[name]
    monkeypatch.chdir(tmp_path)  # nothing may be written, not even by save_diagram
    monkeypatch.delenv("COURSE_UPDATE_IMAGES", raising=False)
    args = [built(a) for a in args]
    kwargs = {key: built(value) for key, value in kwargs.items()}
    with pytest.raises(error, match=message) as info:
        fn(*args, **kwargs)
    assert type(info.value) is error, f"{type(info.value).__name__} is not a plain {error.__name__}"
    assert "\n" not in str(info.value)
    assert raised_in(info, public_target(name)), f"the error did not come from {name.split()[0]}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("pad_to, error, message", [
    ("32", TypeError, r"pad_to must be a whole number, got '32' \(str\)\. It is the side of the padded image"),
    (-1, ValueError, r"pad_to must be at least 28, got -1\. It is the side of the padded image"),
    (True, TypeError, r"pad_to must be a whole number"),
])
def test_load_mnist_bad_pad_to(shared_mnist, pad_to, error, message):
    with pytest.raises(error, match=message) as info:
        cu.load_mnist(data_dir=shared_mnist, pad_to=pad_to)
    assert type(info.value) is error


# ---------------------------------------------------------------------------------------------------------------
# Exercise checkers: bad input gives a failed CheckResult with a one-line message, never an exception.

def dense_vgg_block(filters, convs):
    return [layers.Dense(filters)]


def zero_every_weight(block):
    for variable in block.weights:
        variable.assign(np.zeros(variable.shape, "float32"))


def returns_its_input(x, filters, kernel_size=3, strides=2, training=None):
    return x


def returns_a_new_input(x, filters, kernel_size=3, strides=2, training=None):
    return keras.Input(shape=(3, 4, filters))


def returns_a_model(x, filters, kernel_size=3, training=None):
    return keras.Model(x, layers.ReLU()(x))


# name: (checker, what the student passes, regex the message must match)
CHECKS = {
    "check_vgg_block None": (cu.check_vgg_block, None, r"expected your function, got NoneType\. Try: pass"),
    "check_vgg_block a model": (cu.check_vgg_block, LENET,
                                r"expected your function, got a Keras model \(Sequential\)\. Try: pass the function "
                                r"vgg_block itself, not a model"),
    "check_vgg_block a layer": (cu.check_vgg_block, Lazy(lambda: layers.Conv2D(8, 3)),
                                r"expected your function, got a Keras layer \(Conv2D\)\. Try: pass the function"),
    "check_vgg_block wrong signature": (cu.check_vgg_block, lambda filters: [],
                                        r"your code raised TypeError: .*positional argument.*Try: fix that line"),
    "check_vgg_block empty list": (cu.check_vgg_block, lambda filters, convs: [],
                                   r"vgg_block\(filters=8, convs=2\) returned an empty list, so the block has no "
                                   r"layers\. Try: append"),
    "check_vgg_block a string": (cu.check_vgg_block, lambda filters, convs: "conv",
                                 r"returned str, not a list of layers\. Try: build the list"),
    "check_vgg_block a generator": (cu.check_vgg_block, lambda filters, convs: (x for x in [layers.MaxPooling2D()]),
                                    r"returned generator, not a list of layers"),
    "check_vgg_block dense layers": (cu.check_vgg_block, dense_vgg_block,
                                     r"has 0 convolution layers instead of 2\. Try: append exactly"),
    "check_identity_block None": (cu.check_identity_block, None, r"expected your function, got NoneType"),
    "check_identity_block 'identity_block'": (cu.check_identity_block, "identity_block",
                                              r"expected your function, got str\. Try: pass the function itself"),
    "check_identity_block a model": (cu.check_identity_block, LENET,
                                     r"expected your function, got a Keras model \(Sequential\)\. Try: pass the "
                                     r"function identity_block itself"),
    "check_identity_block a layer": (cu.check_identity_block, Lazy(layers.ReLU),
                                     r"expected your function, got a Keras layer \(ReLU\)"),
    "check_identity_block wrong signature": (cu.check_identity_block, lambda x: x,
                                             r"your code raised TypeError: .*unexpected keyword argument 'filters'"),
    "check_identity_block returns a list": (cu.check_identity_block,
                                            lambda x, filters, kernel_size=3, training=None: [x],
                                            r"returned a list, not the block's output tensor\. Try: end with"),
    "check_identity_block returns an array": (cu.check_identity_block,
                                              lambda x, filters, kernel_size=3, training=None: np.zeros(3),
                                              r"returned a ndarray, not the block's output tensor"),
    "check_identity_block returns a model": (cu.check_identity_block, returns_a_model,
                                             r"returned a Functional, not the block's output tensor"),
    "check_projection_block None": (cu.check_projection_block, None, r"expected your function, got NoneType"),
    "check_projection_block wrong signature": (cu.check_projection_block, lambda x, filters: x,
                                               r"your code raised TypeError: .*unexpected keyword argument"),
    "check_projection_block returns an int": (cu.check_projection_block,
                                              lambda x, filters, kernel_size=3, strides=2, training=None: 0,
                                              r"returned a int, not the block's output tensor"),
    "check_projection_block returns its input": (cu.check_projection_block, returns_its_input,
                                                 r"your block outputs 6 x 8 x 3, expected 3 x 4 x 4\. Try:"),
    "check_projection_block a new Input": (cu.check_projection_block, returns_a_new_input,
                                           r"the returned tensor is not computed from the input x.*Try: build every "
                                           r"layer on x"),
    "check_identity_params None": (cu.check_identity_params, None,
                                   r"`identity_params` is None \(NoneType\), not a number\. Try: write a whole"),
    "check_identity_params a list": (cu.check_identity_params, [4_768],
                                     r"`identity_params` is \[4768\] \(list\), not a number"),
    "check_identity_params a string": (cu.check_identity_params, "4,768",
                                       r"`identity_params` is '4,768' \(str\), not a number"),
    "check_identity_params nan": (cu.check_identity_params, float("nan"),
                                  r"`identity_params` is nan, not a whole number"),
    "check_identity_params negative": (cu.check_identity_params, -4_768,
                                       r"identity_params = -4,768 is not the block's parameter count"),
    "check_plain_identity None": (cu.check_plain_identity, None, r"expected your function, got NoneType"),
    "check_plain_identity a model": (cu.check_plain_identity, LENET,
                                     r"expected your function, got a Keras model \(Sequential\)\. Try: pass the "
                                     r"function make_identity itself"),
    "check_plain_identity wrong signature": (cu.check_plain_identity, lambda: None,
                                             r"your code raised TypeError: .*positional argument"),
    "check_plain_identity does nothing": (cu.check_plain_identity, lambda block: None,
                                          r"left every weight of the block unchanged\. Try: assign"),
    "check_plain_identity returns a copy": (cu.check_plain_identity, lambda block: keras.models.clone_model(block),
                                            r"returned a new model and left the block it was given unchanged"),
    "check_plain_identity zeroes everything": (cu.check_plain_identity, zero_every_weight,
                                               r"the first convolution \(3x3\) changes its input\. Try: make its "
                                               r"kernel 0"),
    "check_silence_branch None": (cu.check_silence_branch, None, r"expected your function, got NoneType"),
    "check_silence_branch a model": (cu.check_silence_branch, LENET,
                                     r"expected your function, got a Keras model \(Sequential\)\. Try: pass the "
                                     r"function silence_branch itself"),
    "check_silence_branch wrong signature": (cu.check_silence_branch, lambda: None,
                                             r"your code raised TypeError: .*positional argument"),
    "check_silence_branch zeroes everything": (cu.check_silence_branch, zero_every_weight,
                                               r"the block returns its input, but you changed 10 weight tensors"),
    "check_degradation None": (lambda answer: cu.check_degradation(answer, "It is harder to optimise."), None,
                               r"`higher_training_loss` = None \(NoneType\) does not name a network"),
    "check_degradation a list": (lambda answer: cu.check_degradation(answer, "It is harder to optimise."), [56],
                                 r"`higher_training_loss` = \[56\] \(list\) does not name a network"),
    "check_degradation why=None": (lambda why: cu.check_degradation("plain-56", why), None,
                                   r"`why` = None is not one of the letters A, B, C, D"),
    "check_degradation depths='56'": (lambda depths: cu.check_degradation("plain-56", "It is hard to optimise.",
                                                                          depths=depths), "56",
                                      r"depths = '56' is not the list of the sweep's depths"),
    "check_alexnet_conv1 None": (lambda side: cu.check_alexnet_conv1(side, 34_944), None,
                                 r"`conv1_side` is None \(NoneType\), not a number"),
    "check_alexnet_conv1 a list": (lambda params: cu.check_alexnet_conv1(55, params), [34_944],
                                   r"`conv1_params` is \[34944\] \(list\), not a number"),
    "check_alexnet_conv1 nan": (lambda side: cu.check_alexnet_conv1(side, 34_944), float("nan"),
                                r"`conv1_side` is nan, not a whole number"),
    "check_activation_memory a string": (lambda one: cu.check_activation_memory(one, 822), "12.8",
                                         r"`one_image_mb` is '12\.8' \(str\), not a number of megabytes"),
    "check_activation_memory an array": (lambda batch: cu.check_activation_memory(12.8, batch), np.array([822.0]),
                                         r"`batch_mb` is .* \(ndarray\), not a number"),
    "check_activation_memory zero": (lambda one: cu.check_activation_memory(one, 822), 0,
                                     r"`one_image_mb` is 0; memory is a positive number"),
    "check_bottleneck_macs a model": (cu.check_bottleneck_macs, LENET,
                                      r"expected your function, got a Keras model \(Sequential\)"),
    "check_bottleneck_macs 'bottleneck_macs'": (cu.check_bottleneck_macs, "bottleneck_macs",
                                                r"expected your function, got str"),
    "check_bottleneck_macs nan": (cu.check_bottleneck_macs, lambda *args: float("nan"),
                                  r"returned nan, which is not the number of MACs\. Try: add the MACs"),
    "check_bottleneck_macs negative": (cu.check_bottleneck_macs, lambda *args: -5,
                                       r"returned -5, which is not the number of MACs"),
    "check_bottleneck_macs an array": (cu.check_bottleneck_macs, lambda *args: np.array([1, 2]),
                                       r"returned a ndarray, not a number\. Try: return the count as an int"),
    "check_bottleneck_macs a list": (cu.check_bottleneck_macs, lambda *args: [12_443_648],
                                     r"returned a list, not a number"),
    "check_one_by_one None": (cu.check_one_by_one, None, r"expected your function, got NoneType"),
    "check_one_by_one a layer": (cu.check_one_by_one, Lazy(lambda: layers.Conv2D(4, 1)),
                                 r"expected your function, got a Keras layer \(Conv2D\)"),
    "check_one_by_one wrong signature": (cu.check_one_by_one, lambda volume: volume,
                                         r"your code raised TypeError: .*positional argument"),
    "check_one_by_one a dict": (cu.check_one_by_one, lambda volume, kernel, bias: {"out": volume},
                                r"returned a dict, not an array of numbers"),
    "check_one_by_one ragged list": (cu.check_one_by_one, lambda volume, kernel, bias: [[1.0], [1.0, 2.0]],
                                     r"returned a list, not an array of numbers"),
    "check_one_by_one nan": (cu.check_one_by_one, lambda volume, kernel, bias: np.full((*volume.shape[:3], 6), np.nan),
                             r"returned nan or infinite values"),
    "check_one_by_one a scalar": (cu.check_one_by_one, lambda volume, kernel, bias: 0.0,
                                  r"returned shape \(\), expected \(2, 5, 7, 6\)"),
    "check_reduce_1x1 None": (lambda shape: cu.check_reduce_1x1(shape, 3_088), None,
                              r"`reduce_shape` is None \(NoneType\), not a shape"),
    "check_reduce_1x1 a dict": (lambda shape: cu.check_reduce_1x1(shape, 3_088), {"height": 28},
                                r"`reduce_shape` is .* \(dict\), not a shape"),
    "check_reduce_1x1 nested": (lambda shape: cu.check_reduce_1x1(shape, 3_088), ((28, 28), 16),
                                r"holds something else than whole numbers"),
    "check_reduce_1x1 params None": (lambda params: cu.check_reduce_1x1((28, 28, 16), params), None,
                                     r"`reduce_params` is None \(NoneType\), not a whole number"),
    "check_reduce_1x1 params inf": (lambda params: cu.check_reduce_1x1((28, 28, 16), params), float("inf"),
                                    r"`reduce_params` is inf, not a whole number"),
    "check_reduce_1x1 params array": (lambda params: cu.check_reduce_1x1((28, 28, 16), params), np.array([3088]),
                                      r"\(ndarray\), not a whole number"),
}

CHECKS.update({  # the predictions chosen from a list, and notebook 04's open challenge
    "check_bn_modes None": (cu.check_bn_modes, None, r"`bn_prediction` is None \(NoneType\), not one of the letters"),
    "check_bn_modes a number": (cu.check_bn_modes, 2, r"`bn_prediction` is 2 \(int\), not one of the letters"),
    "check_bn_modes a sentence": (cu.check_bn_modes, "the batch statistics, since", r"which is none of the choices"),
    "check_heads a list": (cu.check_heads, ["a"], r"`larger_head` is \['a'\] \(list\), not one of the letters"),
    "check_heads 'd'": (cu.check_heads, "d", r"`larger_head` is 'd', which is none of the choices"),
    "check_pooling_prediction a list": (cu.check_pooling_prediction, ["b"], r"`relu_after_max` is \['b'\] \(list\)"),
    "check_transfer_prediction None": (cu.check_transfer_prediction, None, r"`transfer_verdict` is None \(NoneType\)"),
    "check_intervention_prediction 4": (cu.check_intervention_prediction, 4, r"`trains_plain56` is 4 \(int\)"),
    "check_cheap_branch None": (cu.check_cheap_branch, None, r"expected your function, got NoneType"),
    "check_cheap_branch a layer": (cu.check_cheap_branch, Lazy(lambda: layers.Conv2D(32, 5)),
                                   r"expected your function, got a Keras layer \(Conv2D\)"),
    "check_cheap_branch returns a list": (cu.check_cheap_branch, lambda x: [x],
                                          r"returned list, not the tensor the last layer gives"),
    "check_cheap_branch wrong signature": (cu.check_cheap_branch, lambda: None, r"your code raised TypeError"),
})


@pytest.mark.parametrize("name", CHECKS, ids=CHECKS.keys())
def test_checkers_report_bad_input_as_one_failed_line(name):
    from course_utils.checks.common import CHECKS as REGISTERED

    check, student, message = CHECKS[name]
    result = check(built(student))
    assert isinstance(result, CheckResult) and not result.ok
    assert "\n" not in result.message and "Try:" in result.message, result.message
    assert re.search(message, result.message), result.message
    quiet = public_target(name).__wrapped__  # the checker without its nbgrader wrapper (checks/grading.py)
    exercise = next(exercise for exercise, run in REGISTERED.items() if run is quiet)
    assert result.exercise == exercise, f"the result came from the checker of {result.exercise!r}, not {name.split()[0]}"


# ---------------------------------------------------------------------------------------------------------------
# Every public name has cases here: the tests above prove each case reached the function it is named after.

NO_INPUT = {"CheckResult"}  # a result a checker returns; students never call it


def test_every_public_function_has_bad_input_cases():
    named = {case.split()[0].partition(".")[0] for case in [*CASES, *CHECKS]}
    public = {name for name, function in PUBLIC.items() if callable(function)}
    missing = public - named - NO_INPUT
    assert not missing, f"public functions without bad-input cases: {sorted(missing)}; add them to CASES or CHECKS"
    assert named <= public, f"cases named after no public function: {sorted(named - public)}"

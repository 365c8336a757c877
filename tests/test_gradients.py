import keras
import numpy as np
import pytest
from keras import layers

from course_utils import activation_stds, relative_gradients
from course_utils.gradients import gradient_norms


def softmax_regression(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax", name="out")])


def test_matches_the_gradient_of_softmax_regression_by_hand():
    model = softmax_regression()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 4)).astype("float32"), np.array([0, 1, 2, 1, 0])
    w, b = (v.numpy() for v in model.layers[0].weights)
    logits = x @ w + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    by_hand = x.T @ (p - np.eye(3)[y]) / len(x)  # d(mean cross-entropy)/dW
    norms = gradient_norms(model, x, y)
    assert list(norms) == ["out"]
    assert norms["out"] == pytest.approx(np.linalg.norm(by_hand), rel=1e-4)


def deep_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input(shape=(6, 6, 1)), layers.Conv2D(4, 3, name="c1"),
                             layers.BatchNormalization(), layers.ReLU(), layers.Conv2D(4, 3, name="c2"),
                             layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax", name="d")])


def test_reports_kernels_in_order_and_leaves_batchnorm_statistics_alone():
    model = deep_model()
    x, y = np.random.default_rng(1).normal(size=(8, 6, 6, 1)), np.arange(8)
    before = [v.numpy().copy() for v in model.weights]
    norms = gradient_norms(model, x, y)
    assert list(norms) == ["c1", "c2", "d"]
    assert all(n > 0 for n in norms.values())
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, model.weights))


def test_layers_selects_a_subset():
    model = deep_model()
    norms = gradient_norms(model, np.zeros((2, 6, 6, 1)), np.array([0, 1]), layers=[model.get_layer("c2")])
    assert list(norms) == ["c2"]


def test_relative_gradients_are_the_norms_over_the_kernel_norms():
    model = deep_model()
    x, y = np.random.default_rng(1).normal(size=(8, 6, 6, 1)), np.arange(8)
    norms = gradient_norms(model, x, y)
    relative = relative_gradients(model, x, y)
    assert list(relative) == ["c1", "c2", "d"]
    for name, value in relative.items():
        kernel = np.linalg.norm(model.get_layer(name).kernel.numpy())
        assert value == pytest.approx(norms[name] / kernel, rel=1e-5)


def test_relative_gradient_of_a_kernel_before_batchnorm_falls_as_its_norm_squared_grows():
    model = deep_model()  # c1 feeds a BatchNormalization: its scale does not change the output
    x, y = np.random.default_rng(1).normal(size=(8, 6, 6, 1)), np.arange(8)
    before = relative_gradients(model, x, y)["c1"]
    model.get_layer("c1").kernel.assign(10 * model.get_layer("c1").kernel.numpy())
    after = relative_gradients(model, x, y)["c1"]
    assert after == pytest.approx(before / 100, rel=1e-2)  # ||g|| falls like 1/||w|| and ||w|| grows: 1/100


def test_activation_stds_measure_each_output_and_leave_the_model_alone():
    model = deep_model()
    x = np.random.default_rng(2).normal(size=(16, 6, 6, 1)).astype("float32")
    before = [v.numpy().copy() for v in model.weights]
    bn, relu = model.layers[1], model.layers[2]
    stds = activation_stds(model, x, [bn, relu])
    assert list(stds) == [bn.name, relu.name]
    assert stds[bn.name] == pytest.approx(1.0, abs=0.01)  # training mode: gamma = 1, beta = 0 normalise the batch
    assert 0 < stds[relu.name] < stds[bn.name]
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, model.weights))
    inference = activation_stds(model, x, [bn], training=False)[bn.name]
    assert inference != pytest.approx(1.0, abs=0.01)  # moving statistics still at their start (0 and 1)

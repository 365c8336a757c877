"""reset_optimizer(): a compiled model's optimizer back at step 0, so one compiled model serves many seeds."""
import keras
import numpy as np
import pytest
from keras import layers

from course_utils.training import reset_optimizer


def small_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.Dense(3)])


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)


def compiled(model, optimizer):
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def sgd():
    return keras.optimizers.SGD(keras.optimizers.schedules.CosineDecay(0.1, decay_steps=8), momentum=0.9)


@pytest.mark.parametrize("make", [sgd, lambda: keras.optimizers.Adam(0.01),
                                  lambda: keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.1)],
                         ids=["SGD with a schedule", "Adam", "Adagrad"])
def test_a_reused_model_trains_like_a_freshly_compiled_one(make):
    x, y = data()
    fresh = compiled(small_model(), make())
    fresh.fit(x, y, batch_size=16, epochs=2, verbose=0)

    reused = compiled(small_model(), make())
    start = [w.copy() for w in reused.get_weights()]
    reused.fit(x, y, batch_size=16, epochs=2, verbose=0)  # an earlier run moved the weights and the optimizer
    assert int(reused.optimizer.iterations) == 8
    reused.set_weights(start)
    assert reset_optimizer(reused) is reused.optimizer
    assert int(reused.optimizer.iterations) == 0
    reused.fit(x, y, batch_size=16, epochs=2, verbose=0)
    for mine, theirs in zip(reused.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def test_slots_return_to_their_starting_values_and_the_learning_rate_stays():
    x, y = data()
    model = compiled(small_model(), keras.optimizers.Adagrad(0.05, initial_accumulator_value=0.1))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    reset_optimizer(model)
    slots = [v for v in model.optimizer.variables if "accumulator" in v.path]
    assert slots and all(np.allclose(np.asarray(v), 0.1) for v in slots)  # Adagrad starts at 0.1, not 0
    assert np.isclose(float(model.optimizer.learning_rate), 0.05)


def test_an_unbuilt_optimizer_is_built_and_the_weights_are_untouched():
    model = compiled(small_model(), sgd())
    weights = [w.copy() for w in model.get_weights()]
    assert not model.optimizer.built
    reset_optimizer(model)
    assert model.optimizer.built and len(model.optimizer.variables) == 1 + len(model.trainable_variables)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))


def test_an_optimizer_built_for_other_weights_is_refused():
    """The other bad inputs of reset_optimizer() are in tests/test_bad_input.py."""
    model = compiled(small_model(), sgd())
    model.optimizer.build(model.trainable_variables)
    model.layers[0].trainable = False
    with pytest.raises(ValueError, match=r"was built for other weights than the model's trainable ones.*Compile "
                                         r"the model again"):
        reset_optimizer(model)


def bn_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, name="hidden"),
                             layers.BatchNormalization(momentum=0.5), layers.ReLU(name="block_1"),
                             layers.Dense(3, activation="softmax", name="out")])


def test_evaluate_inference_is_the_cross_entropy_and_error_in_inference_mode():
    from course_utils import evaluate_inference

    model, (x, y) = bn_model(), data()
    probabilities = np.asarray(model(x, training=False))
    loss, error = evaluate_inference(model, x, y, batch_size=10)  # batches that do not divide 64
    assert loss == pytest.approx(float(np.mean(-np.log(probabilities[np.arange(64), y]))), rel=1e-5)
    assert error == pytest.approx(float(np.mean(probabilities.argmax(axis=1) != y)))


def test_inference_evaluation_records_every_pass_and_signal_probe_the_chosen_steps():
    from course_utils import evaluate_inference, inference_evaluation, signal_probe

    model, (x, y) = bn_model(), data()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    evaluation = inference_evaluation({"training": (x, y), "held-out": (x[:10], y[:10])})
    probe = signal_probe(x[:16], y[:16], [0, 3, 5, 100], lambda m: [m.get_layer("hidden"), m.get_layer("out")],
                         lambda m: [m.get_layer("block_1")])
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[evaluation, probe])  # 8 steps
    assert [len(evaluation.history[name]["loss"]) for name in ("training", "held-out")] == [2, 2]
    assert evaluation.history["training"]["loss"][-1] == pytest.approx(evaluate_inference(model, x, y)[0], rel=1e-5)
    assert [record["step"] for record in probe.records] == [0, 3, 5]  # step 100 never comes
    assert all(len(r["relative_gradients"]) == 2 and len(r["activation_stds"]) == 1 for r in probe.records)

import keras
import pytest
from keras import layers

from course_utils import format_shape, trace, trace_table
from tools.notebook_code import lenet5


def residual_net():
    inputs = keras.Input(shape=(16, 16, 8), name="image")
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Add()([x, inputs])
    shortcut = layers.Conv2D(16, 1, strides=2)(x)
    y = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    y = layers.Add()([y, shortcut])
    branches = layers.Concatenate()([y, layers.Conv2D(4, 1)(y)])
    head = keras.Sequential([keras.Input(shape=(8, 8, 20)), layers.GlobalAveragePooling2D(), layers.Dense(3)],
                            name="head")
    return keras.Model(inputs, head(branches), name="resnet_like")


def assert_agrees_with_keras(model):
    rows = trace(model)
    by_name = {row.name: row for row in rows}
    for layer in model.layers:
        row = by_name[layer.name]
        assert row.output_shape == tuple(layer.output.shape[1:]), layer.name
        assert row.params == layer.count_params(), layer.name
    assert sum(row.params for row in rows) == model.count_params()
    return rows


def test_lenet_shapes_params_and_macs():
    rows = assert_agrees_with_keras(lenet5())
    assert [r.kind for r in rows][:3] == ["InputLayer", "Conv2D", "AveragePooling2D"]
    assert [r.output_shape for r in rows] == [
        (32, 32, 1), (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (400,), (120,), (84,), (10,)]
    assert [r.macs for r in rows] == [0, 28 * 28 * 6 * 25, 0, 10 * 10 * 16 * 25 * 6, 0, 0, 400 * 120, 120 * 84, 840]
    assert rows[1].activations == 28 * 28 * 6
    assert sum(r.params for r in rows) == 61_706


def test_branches_merges_and_nested_models():
    model = residual_net()
    rows = assert_agrees_with_keras(model)
    names = [r.name for r in rows]
    first_add = next(r for r in rows if r.kind == "Add")
    assert first_add.inbound == ["bn", "image"]
    assert len(first_add.input_shapes) == 2
    concat = next(r for r in rows if r.kind == "Concatenate")
    assert concat.output_shape == (8, 8, 20)
    head = next(r for r in rows if r.name == "head")
    assert head.kind == "Sequential" and head.macs == 20 * 3 and head.params == 63
    for row in rows:  # data-flow order: every inbound layer comes earlier
        for parent in row.inbound:
            assert names.index(parent) < names.index(row.name)


def test_shared_layer_counts_its_parameters_once():
    inputs = keras.Input(shape=(4, 4, 2), name="x")
    shared = layers.Conv2D(2, 1, name="shared")
    model = keras.Model(inputs, shared(shared(inputs)))
    rows = trace(model)
    assert [r.name for r in rows] == ["x", "shared", "shared (call 2)"]
    assert [r.params for r in rows[1:]] == [6, 0]
    assert [r.macs for r in rows[1:]] == [4 * 4 * 2 * 2] * 2
    assert sum(r.params for r in rows) == model.count_params()


def test_macs_of_depthwise_separable_transposed_layers():
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 4)),
        layers.DepthwiseConv2D(3, padding="same"),
        layers.SeparableConv2D(6, 3),
        layers.Conv2DTranspose(2, 2, strides=2),
        layers.BatchNormalization(), layers.MaxPooling2D(),
    ])
    rows = assert_agrees_with_keras(model)
    assert rows[1].macs == 8 * 8 * 4 * 9
    assert rows[2].macs == 6 * 6 * (4 * 9 + 4 * 6)
    assert rows[3].macs == 6 * 6 * 6 * 4 * 2
    assert rows[4].macs == 0 and rows[5].macs == 0


def test_resnet50_agrees_with_keras():
    model = keras.applications.ResNet50(weights=None)
    rows = assert_agrees_with_keras(model)
    assert sum(r.params for r in rows) == 25_636_712
    assert 3.8e9 < sum(r.macs for r in rows) < 4.2e9


def test_unbuilt_model_says_to_give_it_an_input():
    model = keras.Sequential([layers.Dense(3)])
    with pytest.raises(ValueError, match=r"keras.Input\(shape="):
        trace(model)
    with pytest.raises(ValueError, match="no input shape yet"):
        trace_table(model)


@pytest.mark.parametrize("not_a_model", [None, "lenet", layers.Dense(3), [layers.Dense(3)]])
def test_not_a_model_is_a_type_error(not_a_model):
    with pytest.raises(TypeError, match="must be a Keras model"):
        trace(not_a_model)


def test_trace_table_text_and_html_with_totals():
    table = trace_table(lenet5())
    text = repr(table)
    assert text.splitlines()[0] == "lenet5"
    assert "28 x 28 x 6" in text and text.splitlines()[-1].split()[:2] == ["total", "61,706"]
    assert table.total_params == 61_706
    html = table._repr_html_()
    assert html.count("<tr>") == 1 + 9 + 1 and "61,706" in html and "<tfoot>" in html


def test_format_shape():
    assert format_shape((28, 28, 6)) == "28 x 28 x 6"
    assert format_shape((None, 3)) == "? x 3"
    assert format_shape(((2, 2), (3,))) == "2 x 2 | 3"


def test_a_trace_is_plain_data_and_keeps_no_model_alive():
    """Notebook 01 deletes AlexNet to free its weights while keeping its trace: the rows must not hold the layers."""
    import gc
    import weakref

    model = lenet5()
    rows = trace(model)
    assert rows[1].settings == {"filters": 6, "kernel_size": (5, 5), "strides": (1, 1), "padding": "valid",
                                "dilation_rate": (1, 1), "groups": 1, "use_bias": True,
                                "data_format": "channels_last", "activation": "tanh"}
    assert rows[2].settings["pool_size"] == (2, 2)
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None and rows[1].params == 156


def ops_block():
    """A residual block whose add and ReLUs are keras.ops arithmetic, as a student may write it: Keras 3 records
    them as operations, not layers."""
    x = keras.Input(shape=(8, 8, 4), name="image")
    y = layers.Conv2D(4, 3, padding="same")(x)
    y = keras.ops.relu(layers.BatchNormalization()(y))
    y = layers.BatchNormalization()(layers.Conv2D(4, 3, padding="same")(y))
    out = keras.ops.relu(y + x)
    return keras.Model(x, layers.Dense(2)(keras.ops.mean(out, axis=(1, 2))), name="ops_block")


def test_keras_ops_arithmetic_gets_rows_without_parameters():
    model = ops_block()
    rows = trace(model)
    kinds = [row.kind for row in rows]
    assert kinds == ["InputLayer", "Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "Add",
                     "ReLU", "Mean", "Dense"]
    add = rows[kinds.index("Add")]
    assert add.params == 0 and add.macs == 0 and add.input_shapes == [(8, 8, 4), (8, 8, 4)]
    assert add.output_shape == (8, 8, 4) and len(add.inbound) == 2 and "image" in add.inbound
    assert rows[-2].output_shape == (4,)
    assert sum(row.params for row in rows) == model.count_params()
    assert len({row.name for row in rows}) == len(rows)
    assert "ops_block" in repr(trace_table(model))


def test_tracer_and_diagrams_handle_keras_ops():
    from course_utils.diagrams import draw_architecture
    from course_utils.tracer import tracer_html, tracer_step

    rows = trace(ops_block())
    add = next(i for i, row in enumerate(rows) if row.kind == "Add")
    step = tracer_step(rows, add)
    assert step["split"] == "image" and sorted(length for _, length in step["branches"]) == [0, 5]
    assert "skip connection" in tracer_html(rows, add)
    ax = draw_architecture(ops_block(), compact=True)
    labels = " ".join(text.get_text() for text in ax.texts)
    assert "add" in labels and "conv 3x3" in labels

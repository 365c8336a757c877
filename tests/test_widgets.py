import html
import re

import keras
import pytest
from keras import layers

import course_utils as cu
from course_utils.volumes import volumes_svg
from course_utils.explorers import bottleneck_html, conv_explorer_html
from course_utils.tracer import tracer_html, tracer_step


def text(page):
    """The HTML as the reader sees it: tags dropped, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def field(page, name):
    match = re.search(rf"data-field='{name}'[^>]*>(.*?)</", page)
    assert match, f"no {name} field in {page[:200]}"
    return match.group(1)


def evaluate(numbers):
    """'3·3·3·64 + 64' -> 1792: the numbers a formula shows must give the number it claims."""
    assert re.fullmatch(r"[\d·+ ]+", numbers), numbers
    return eval(numbers.replace("·", "*"))


# --- bottleneck -----------------------------------------------------------------------------------------------

def test_bottleneck_costs_of_the_lecture_example():
    costs = cu.bottleneck_costs()
    assert costs["direct_macs"] == 120_422_400
    assert (costs["reduce_macs"], costs["conv_macs"], costs["bottleneck_macs"]) == (2_408_448, 10_035_200, 12_443_648)
    assert (costs["direct_params"], costs["reduce_params"], costs["conv_params"]) == (153_632, 3_088, 12_832)
    assert costs["bottleneck_params"] == 15_920 and costs["output_shape"] == (28, 28, 32)
    assert costs["macs_ratio"] == pytest.approx(120_422_400 / 12_443_648)


def test_bottleneck_costs_agree_with_keras_layers():
    inputs = keras.Input(shape=(12, 10, 24))
    direct = keras.Model(inputs, layers.Conv2D(20, 3, padding="same")(inputs))
    squeezed = keras.Model(inputs, layers.Conv2D(20, 3, padding="same")(layers.Conv2D(6, 1)(inputs)))
    costs = cu.bottleneck_costs(12, 10, in_channels=24, bottleneck=6, kernel_size=3, filters=20)
    assert costs["direct_params"] == direct.count_params()
    assert costs["bottleneck_params"] == squeezed.count_params()
    assert costs["direct_macs"] == sum(row.macs for row in cu.trace(direct))
    assert costs["bottleneck_macs"] == sum(row.macs for row in cu.trace(squeezed))


@pytest.mark.parametrize("argument, value, error", [
    ("in_channels", 1.5, TypeError), ("bottleneck", 0, ValueError), ("kernel_size", "5", TypeError),
    ("height", -1, ValueError), ("filters", True, TypeError)])
def test_bottleneck_costs_bad_input_names_the_argument(argument, value, error):
    with pytest.raises(error, match=argument):
        cu.bottleneck_costs(**{argument: value})
    with pytest.raises(error, match=argument):
        cu.bottleneck_explorer(**{argument: value})


def test_bottleneck_html_says_which_path_is_cheaper():
    page = text(bottleneck_html())
    assert "120,422,400" in page and "12,443,648" in page and "9.7x fewer MACs" in page
    assert "more MACs" in text(bottleneck_html(bottleneck=192))


def test_bottleneck_explorer_updates_live():
    box = cu.bottleneck_explorer()
    assert set(box.sliders) == {"in_channels", "bottleneck", "kernel_size", "filters"}
    assert "12,443,648" in box.output.value
    box.sliders["bottleneck"].value = 32
    expected = cu.bottleneck_costs(bottleneck=32)["bottleneck_macs"]
    assert f"{expected:,}" in box.output.value and "12,443,648" not in box.output.value
    box.sliders["kernel_size"].value = 3
    assert "direct: 3x3 conv" in text(box.output.value)


# --- conv explorer --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, kernel_size, strides, padding, filters, out", [
    (6, 3, 1, 0, 1, 4), (32, 5, 1, 0, 6, 28), (7, 3, 2, 1, 4, 4), (227, 11, 4, 0, 96, 55), (3, 5, 1, 1, 2, 1)])
def test_conv_explorer_html_output_size_and_params(size, kernel_size, strides, padding, filters, out):
    page = conv_explorer_html(size, kernel_size, strides, padding, in_channels=3, filters=filters)
    assert field(page, "output_size") == str(out) == str(cu.conv_output_size(size, kernel_size, strides, padding))
    assert field(page, "output") == f"{out} x {out} x {filters}"
    assert field(page, "params") == f"{cu.conv_params(kernel_size, 3, filters):,}"
    assert f"floor(({size} + 2·{padding} - {kernel_size})/{strides}) + 1 = {out}" in text(page)
    assert "<svg" in page and "Impossible" not in page


def test_conv_explorer_html_notes():
    assert "drops the last 1 row(s)" in text(conv_explorer_html(8, 3, strides=2))
    assert "drops" not in text(conv_explorer_html(7, 3, strides=2))
    assert "padding='same'" in text(conv_explorer_html(6, 3, padding=1))
    assert "see only zeros" in text(conv_explorer_html(6, 3, padding=3))


@pytest.mark.parametrize("size, kernel_size, padding", [(3, 5, 0), (1, 2, 0), (4, 11, 3)])
def test_conv_explorer_html_impossible_combination_is_a_message(size, kernel_size, padding):
    page = conv_explorer_html(size, kernel_size, padding=padding)
    assert "Impossible" in field(page, "error")
    assert f"{size} + 2·{padding} = {size + 2 * padding} pixels" in text(page)
    assert f"kernel_size ≤ {size + 2 * padding}" in text(page)


@pytest.mark.parametrize("argument, value, error", [
    ("size", "6", TypeError), ("kernel_size", 0, ValueError), ("strides", 1.0, TypeError),
    ("padding", -1, ValueError), ("in_channels", None, TypeError), ("filters", 0, ValueError)])
def test_conv_explorer_bad_input_names_the_argument(argument, value, error):
    with pytest.raises(error, match=argument):
        conv_explorer_html(**{argument: value})
    with pytest.raises(error, match=argument):
        cu.conv_explorer(**{argument: value})


def test_conv_explorer_updates_live_and_survives_impossible_values():
    box = cu.conv_explorer()
    assert set(box.sliders) == {"size", "kernel_size", "padding", "strides", "in_channels", "filters"}
    assert field(box.output.value, "output_size") == "4"
    box.sliders["kernel_size"].value = 9
    assert "Impossible" in box.output.value
    box.sliders["padding"].value = 2
    assert field(box.output.value, "output_size") == "2"
    box.sliders["strides"].value = 2
    box.sliders["filters"].value = 5
    assert field(box.output.value, "output") == "1 x 1 x 5"


# --- volumes --------------------------------------------------------------------------------------------------

def test_volumes_are_drawn_to_one_scale():
    svg = volumes_svg([(28, 28, 6), (14, 14, 6), (10,)], ["a", "b", "c"])
    widths = [float(w) for w in re.findall(r'<rect [^>]* width="([\d.]+)"', svg)]
    heights = [float(h) for h in re.findall(r'<rect [^>]* height="([\d.]+)"', svg)]
    assert widths[:2] == [140.0, 70.0] and heights[:2] == [140.0, 70.0]
    assert widths[2] == heights[2] == 5.0  # a vector of 10 is drawn as 1 x 1 x 10, at least 2 px a side
    assert "14 x 14 x 6" in svg and svg.count("<rect") == 3


# --- shape tracer ---------------------------------------------------------------------------------------------

def lenet():
    """LeNet-5 with the paper's layer names (c1, s2, ...), which the tracer must show and link."""
    return keras.Sequential([
        keras.Input(shape=(32, 32, 1), name="digits"),
        layers.Conv2D(6, 5, activation="relu", name="c1"), layers.MaxPooling2D(2, name="s2"),
        layers.Conv2D(16, 5, activation="relu", name="c3"), layers.MaxPooling2D(2, name="s4"),
        layers.Flatten(name="flat"), layers.Dense(120, name="f5"), layers.Dense(84, name="f6"),
        layers.Dense(10, name="out"),
    ], name="lenet5")


def test_tracer_step_on_lenet():
    rows = cu.trace(lenet())
    c1 = tracer_step(rows, 1)
    assert (c1["name"], c1["kind"]) == ("c1", "Conv2D")
    assert (c1["input_shapes"], c1["output_shape"]) == ([(32, 32, 1)], (28, 28, 6))
    assert c1["size_formulas"] == ["height and width: floor((32 + 2·0 - 5)/1) + 1 = 28"]
    assert c1["params"] == 156 and c1["params_formula"] == "f·f·n_c_in·n_c_out + n_c_out = 5·5·1·6 + 6"
    assert c1["macs"] == 117_600 and c1["macs_formula"].startswith("28·28·6 · 5·5·1")
    assert (c1["inbound"], c1["outbound"], c1["split"], c1["branches"]) == (["digits"], ["s2"], None, [])
    s4 = tracer_step(rows, 4)
    assert s4["size_formulas"] == ["height and width: floor((10 + 2·0 - 2)/2) + 1 = 5"]
    assert s4["params"] == 0 and s4["params_formula"] == "" and s4["params_so_far"] == 156 + 2_416
    f5 = tracer_step(rows, 6)
    assert f5["params_formula"] == "n_in·n_out + n_out = 400·120 + 120" and f5["macs_formula"] == "400·120"
    last = tracer_step(rows, len(rows) - 1)
    assert last["params_so_far"] == last["total_params"] == 61_706 and last["outbound"] == []
    assert last["macs_so_far"] == last["total_macs"] == sum(row.macs for row in rows)
    assert tracer_step(rows, 0)["input_shapes"] == [] and tracer_step(rows, 0)["size_formulas"] == []


def test_tracer_formulas_hold_on_vgg16():
    """Every number the tracer shows for VGG-16 follows from its formula and agrees with Keras."""
    model = keras.applications.VGG16(weights=None)
    rows = cu.trace(model)
    assert len(rows) == 23
    formulas = 0
    for index, row in enumerate(rows):
        step = tracer_step(rows, index)
        for line in step["size_formulas"]:
            n, pad, f, s, out = map(int, re.fullmatch(
                r"height and width: floor\(\((\d+) \+ 2·(\d+) - (\d+)\)/(\d+)\) \+ 1 = (\d+)", line).groups())
            assert (n + 2 * pad - f) // s + 1 == out == row.output_shape[0] == row.output_shape[1]
            formulas += 1
        if step["params_formula"]:
            assert evaluate(step["params_formula"].split(" = ")[1]) == row.params == model.get_layer(row.name).count_params()
            formulas += 1
        if step["macs_formula"]:
            assert evaluate(step["macs_formula"].split(" (")[0]) == row.macs
        assert step["params_so_far"] == sum(r.params for r in rows[:index + 1])
    assert formulas == 13 + 5 + 13 + 3  # size of 13 convs and 5 pools, params of 13 convs and 3 dense layers
    assert step["params_so_far"] == model.count_params() == 138_357_544


def residual_net():
    inputs = keras.Input(shape=(15, 15, 8), name="image")
    x = layers.Conv2D(8, 3, padding="same", name="conv_a")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Add(name="identity_add")([x, inputs])
    main = layers.Conv2D(16, 3, strides=2, padding="same", name="down")(x)
    main = layers.Conv2D(16, 3, padding="same", name="conv_b")(main)
    shortcut = layers.Conv2D(16, 1, strides=2, name="projection")(x)
    y = layers.Add(name="projection_add")([main, shortcut])
    z = layers.Concatenate(name="cat")([y, layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(x)])
    shared = layers.Conv2D(24, (3, 1), dilation_rate=2, padding="same", name="shared")
    z = shared(shared(z))
    return keras.Model(inputs, layers.GlobalAveragePooling2D(name="gap")(z), name="small_resnet")


def test_tracer_step_shows_skip_connections_merges_and_branches():
    rows = cu.trace(residual_net())
    step = {row.name: tracer_step(rows, i) for i, row in enumerate(rows)}
    identity = step["identity_add"]
    assert identity["inbound"] == ["bn", "image"] and identity["input_shapes"] == [(15, 15, 8)] * 2
    assert identity["split"] == "image" and identity["branches"] == [("bn", 2), ("image", 0)]
    page = text(tracer_html(rows, rows.index(next(r for r in rows if r.name == "identity_add"))))
    assert "merge of 2 inputs" in page and "skip connection: image's output is added unchanged" in page
    projection = step["projection_add"]
    assert projection["split"] == "identity_add"
    assert sorted(projection["branches"]) == [("conv_b", 2), ("projection", 1)]
    page = text(tracer_html(rows, projection["index"]))
    assert "shortcut through projection, the shorter branch" in page and "skip connection" not in page
    assert identity["outbound"] == ["down", "projection", "pool"]
    assert "branches to 3 layers" in text(tracer_html(rows, identity["index"]))
    cat = step["cat"]
    assert cat["output_shape"] == (8, 8, 24) and cat["split"] == "identity_add"
    assert "shortcut" not in text(tracer_html(rows, cat["index"]))
    # 'same' padding with an odd total, and stride 2
    assert step["down"]["size_formulas"] == ["height and width: floor((15 + 2·1 - 3)/2) + 1 = 8"]
    assert step["projection"]["size_formulas"] == ["height and width: floor((15 + 2·0 - 1)/2) + 1 = 8"]
    assert step["bn"]["params_formula"].startswith("4·n_c = 4·8")
    # a non-square dilated kernel, and a layer called twice
    assert step["shared"]["size_formulas"] == [
        "height: floor((8 + 2·2 - 5)/1) + 1 = 8 (dilation_rate 2: the 3-wide kernel spans 5 pixels)",
        "width: floor((8 + 2·0 - 1)/1) + 1 = 8"]
    assert step["shared"]["params_formula"] == "f·f·n_c_in·n_c_out + n_c_out = 3·1·24·24 + 24"
    again = step["shared (call 2)"]
    assert again["params"] == 0 and again["params_formula"].startswith("shared layer")
    assert again["macs"] == step["shared"]["macs"] > 0
    assert "0 (shared layer: its parameters count at its first call)" in text(tracer_html(rows, again["index"]))


def test_tracer_step_odd_same_padding_1d_and_unknown_sizes():
    model = keras.Sequential([keras.Input(shape=(8, 8, 2)), layers.Conv2D(4, 2, strides=2, padding="same"),
                              layers.Conv2D(4, 4, padding="same")])
    rows = cu.trace(model)
    assert tracer_step(rows, 2)["size_formulas"] == [
        "height and width: floor((4 + 3 - 4)/1) + 1 = 4 (padding='same' adds 3 zero pixels: 1 before, 2 after)"]
    assert tracer_step(rows, 1)["size_formulas"] == ["height and width: floor((8 + 2·0 - 2)/2) + 1 = 4"]
    one_d = cu.trace(keras.Sequential([keras.Input(shape=(100, 4)), layers.Conv1D(8, 5, strides=2)]))
    assert tracer_step(one_d, 1)["size_formulas"] == ["length: floor((100 + 2·0 - 5)/2) + 1 = 48"]
    assert tracer_step(one_d, 1)["params_formula"] == "f·n_c_in·n_c_out + n_c_out = 5·4·8 + 8"
    any_size = cu.trace(keras.Sequential([keras.Input(shape=(None, None, 3)), layers.Conv2D(4, 3)]))
    assert "not fixed" in tracer_step(any_size, 1)["size_formulas"][0]
    assert "? x ? x 4" in tracer_html(any_size, 1)


def test_tracer_bad_input_names_the_argument():
    rows = cu.trace(lenet())
    with pytest.raises(ValueError, match=r"index must be at most 8"):
        tracer_step(rows, 9)
    with pytest.raises(ValueError, match="index"):
        tracer_html(rows, -1)
    with pytest.raises(TypeError, match="index"):
        tracer_step(rows, 1.0)
    for bad in ([], "rows", [1, 2], None):
        with pytest.raises(TypeError, match=r"rows must be .*cu.trace\(model\)"):
            tracer_step(bad, 0)
    with pytest.raises(TypeError, match="must be a Keras model"):
        cu.ShapeTracer("vgg16")
    with pytest.raises(ValueError, match="index"):
        cu.ShapeTracer(lenet(), index=20)


def test_shape_tracer_widget_steps_through_vgg16():
    tracer = cu.ShapeTracer(keras.applications.VGG16(weights=None))
    assert (tracer.slider.min, tracer.slider.max, tracer.slider.value) == (0, 22, 0)
    assert field(tracer.output.value, "name").startswith("input_layer")  # Keras numbers it per session
    seen = []
    for index in range(23):
        tracer.slider.value = index
        seen.append((field(tracer.output.value, "name"), field(tracer.output.value, "output"),
                     field(tracer.output.value, "params")))
        assert tracer.output.value == tracer_html(tracer.rows, index)
    assert seen[1] == ("block1_conv1", "224 x 224 x 64", "1,792")
    assert seen[3] == ("block1_pool", "112 x 112 x 64", "0")
    assert seen[18] == ("block5_pool", "7 x 7 x 512", "0")
    assert seen[20] == ("fc1", "4096", "102,764,544")
    assert len({name for name, _, _ in seen}) == 23
    back, forward = tracer.widget.children[0].children[0], tracer.widget.children[0].children[2]
    forward.click()
    assert tracer.slider.value == 22  # already at the end: stays
    back.click()
    back.click()
    assert tracer.slider.value == 20 and field(tracer.output.value, "name") == "fc1"
    assert repr(tracer) == ("ShapeTracer of vgg16: 23 layer calls, showing row 20 (fc1); "
                            "run it in Jupyter to use the slider.")


def test_shape_tracer_accepts_rows_and_displays_as_a_widget():
    rows = cu.trace(lenet())
    tracer = cu.ShapeTracer(rows, index=3)
    assert field(tracer.output.value, "name") == "c3"
    tracer.show(5)
    assert tracer.slider.value == 5 and field(tracer.output.value, "name") == "flat"
    bundle = tracer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == tracer.widget.model_id
    assert bundle["text/plain"].startswith("ShapeTracer of model: 9 layer calls, showing row 5 (flat)")


def test_a_volume_drawing_is_titled_for_screen_readers_and_shrinks_to_fit():
    svg = volumes_svg([(28, 28, 1), (14, 14, 6)], ["input", "pool"])
    assert 'role="img"><title>Volumes to scale: input 28 x 28 x 1, pool 14 x 14 x 6</title>' in svg
    assert "viewBox=" in svg and "max-width:100%" in svg

"""The shape tracer and the feature-map view in a real browser: JupyterLab on 127.0.0.1 (free port, token auth),
headless Chromium driven by Playwright.  It runs a notebook that builds a small residual network, moves the tracer's
slider three ways (keyboard, mouse drag, typing in the readout) and checks the layer name, output shape and parameter
count shown each time; then it picks another layer and another image in the feature-map view and checks what it shows.

Skipped, with a plain message at the end of the run, when /usr/bin/chromium is missing; it fails instead when
COURSE_REQUIRE_BROWSER=1 (set by .ci/run, which installs Chromium), so CI cannot skip it silently. Chromium itself is
the one ``browser`` fixture of tests/conftest.py, shared with the tests of the decks and the site.
"""
import os
import pathlib
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from conftest import CHROMIUM, unavailable
STARTUP_SECONDS = 30  # server start; the kernel (TensorFlow import, model) gets WIDGET_SECONDS
WIDGET_SECONDS = 45

# Expected values are worked out by hand, not by course_utils: trace rows are
# image, conv_a, pool, conv_b, skip_add, squeeze.
MODEL_CODE = """\
import keras
from keras import layers
import course_utils as cu

inputs = keras.Input(shape=(32, 32, 3), name="image")
x = layers.Conv2D(16, 5, name="conv_a")(inputs)
x = layers.MaxPooling2D(2, name="pool")(x)
y = layers.Conv2D(16, 3, padding="same", name="conv_b")(x)
z = layers.Add(name="skip_add")([x, y])
outputs = layers.Conv2D(8, 1, strides=2, name="squeeze")(z)
model = keras.Model(inputs, outputs, name="tiny_resnet")
display(cu.ShapeTracer(model))
import numpy as np
images = np.random.default_rng(0).uniform(size=(4, 32, 32, 3)).astype("float32")
cu.FeatureMaps(model, images)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory, request):
    """JupyterLab serving a folder with tracer.ipynb; the URL that opens the notebook, token included."""
    if not pathlib.Path(CHROMIUM).is_file():
        unavailable(f"{CHROMIUM} is missing: install Chromium (sudo apt-get install chromium) to run the browser test.")
    home = tmp_path_factory.mktemp("lab")
    course = home / "course"
    course.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MODEL_CODE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, course / "tracer.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    # Settings, workspaces, runtime files and the notebook-signing key stay in the temporary folder.
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), TF_CPP_MIN_LOG_LEVEL="2")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--port-retries=0", f"--ServerApp.root_dir={course}", f"--IdentityProvider.token={token}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    def stop():
        server.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()

    request.addfinalizer(stop)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start within {STARTUP_SECONDS} s. Its log:\n"
                            + (home / "server.log").read_text()[-3000:])
            time.sleep(0.2)
    return f"http://127.0.0.1:{port}/lab/tree/tracer.ipynb?token={token}&reset"


def test_the_tracer_and_the_feature_maps_follow_mouse_and_keyboard(lab_url, browser):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    page.goto(lab_url, timeout=30_000)
    # Run the cell (it builds the model and shows cu.ShapeTracer(model)). JupyterLab drops a run requested before
    # its kernel is connected, leaving the prompt at [ ], so try again until the prompt shows [*] or [1].
    cell = page.locator(".jp-Notebook .jp-Cell").first
    dialogs = []  # on a loaded machine JupyterLab may ask which kernel to start: its default (Python 3) is the one
    for _ in range(6):
        dialog = page.locator(".jp-Dialog")
        if dialog.count() and dialog.first.is_visible():
            dialogs.append(dialog.first.inner_text()[:200])
            dialog.first.locator(".jp-Dialog-button.jp-mod-accept").first.click()
        try:
            cell.locator(".jp-InputArea-editor").click(timeout=5_000)
        except PlaywrightTimeout:  # a dialog that opened after the look above: accept it on the next try
            continue
        page.keyboard.press("Shift+Enter")
        try:
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[(\*|\d+)\]"), timeout=5_000)
            break
        except AssertionError:
            continue
    else:
        pytest.fail(f"JupyterLab did not run the notebook cell within 30 s: its kernel never became ready. "
                    f"Dialogs accepted on the way: {dialogs}")

    tracer = page.locator(".jp-OutputArea-child", has=page.locator("[data-field='name']"))
    name = tracer.locator("[data-field='name']")
    output = tracer.locator("[data-field='output']")
    params = tracer.locator("[data-field='params']")
    expect(name).to_have_text("image", timeout=WIDGET_SECONDS * 1000)
    expect(output).to_have_text("32 x 32 x 3")

    def shows(layer, shape, parameters):
        expect(name).to_have_text(layer)
        expect(output).to_have_text(shape)
        expect(params).to_have_text(parameters)

    # Keyboard: one step right.
    handle = tracer.locator(".widget-slider .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    shows("conv_a", "28 x 28 x 16", "1,216")  # 5·5·3·16 + 16
    expect(tracer).to_contain_text("floor((32 + 2·0 - 5)/1) + 1 = 28")

    # Mouse: drag the handle to row 4 of 0-5, the Add of the skip connection.
    track = tracer.locator(".widget-slider .noUi-base").bounding_box()
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * 4 / 5, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()
    shows("skip_add", "14 x 14 x 16", "0")
    expect(tracer.locator("[data-field='inbound']")).to_contain_text("merge of 2 inputs: pool, conv_b")
    expect(tracer.locator("[data-field='inbound']")).to_contain_text(
        "skip connection: pool's output is added unchanged")

    # Typing a row number into the slider's readout.
    readout = tracer.locator(".widget-slider .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    shows("squeeze", "7 x 7 x 8", "136")  # floor((14 - 1)/2) + 1 = 7; 1·1·16·8 + 8
    expect(tracer).to_contain_text("parameters 3,672 of 3,672 (100.0%)")

    # The feature-map view below it: another layer from the menu, another image by keyboard.
    maps = page.locator(".jp-OutputArea-child", has=page.locator("[data-field='map-layer']"))
    expect(maps.locator("[data-field='map-layer']")).to_have_text("conv_a")
    expect(maps.locator("[data-field='map-shape']")).to_have_text("28 x 28 x 16")
    expect(maps.locator("img[data-field='filter']")).to_have_count(16)  # the first convolution's filters
    first_map = maps.locator("img[data-field='map']").first.get_attribute("src")
    maps.locator("select").select_option("squeeze")
    expect(maps.locator("[data-field='map-layer']")).to_have_text("squeeze")
    expect(maps.locator("[data-field='map-shape']")).to_have_text("7 x 7 x 8")
    expect(maps.locator("img[data-field='map']")).to_have_count(8)
    expect(maps.locator("img[data-field='filter']")).to_have_count(0)
    squeeze_map = maps.locator("img[data-field='map']").first.get_attribute("src")
    maps.locator(".widget-slider .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    expect(maps.locator("[data-field='map-image']")).to_have_text("1")
    assert maps.locator("img[data-field='map']").first.get_attribute("src") not in (first_map, squeeze_map)
    page.close()

"""Widgets without a kernel: the pages each widget renders ahead for HTML exports, slide decks and the site."""
import re

import keras
import numpy as np
import pytest

import course_utils as cu
from course_utils.static_html import sample, stepper_html
from tools.notebook_code import lenet5
from course_utils.explorers import bottleneck_html, conv_explorer_html
from course_utils.tracer import tracer_html, tracer_static_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def pages(page):
    return re.findall(r"<template data-label='([^']*)'>", page)


def test_the_tracer_saves_every_step_beside_the_live_view():
    model = lenet5()
    rows = cu.trace(model)
    bundle = cu.ShapeTracer(model, index=1)._repr_mimebundle_()
    assert WIDGET_VIEW in bundle  # JupyterLab with a kernel: the live widget
    page = bundle["text/html"]
    assert pages(page) == [f"row {i}: {row.name}" for i, row in enumerate(rows)]
    for i in range(len(rows)):
        assert tracer_html(rows, i) in page  # the same page the live widget shows for that row
    assert "value='1'" in page and not re.search(r"(src|href)=['\"]?https?:", page)  # nothing from the network


def test_large_models_are_sampled_and_kept_under_one_mebibyte():
    model = keras.applications.ResNet50(weights=None)
    rows = cu.trace(model)
    page = tracer_static_html(rows)
    assert len(rows) > 150 and len(pages(page)) == 150 and f"150 of its {len(rows)} layer calls" in page
    assert len(page.encode()) < 2**20
    assert len(tracer_static_html(cu.trace(keras.applications.VGG16(weights=None))).encode()) < 2**20


def test_two_widgets_on_a_page_do_not_share_ids():
    first, second = (stepper_html(["<p>a</p>"], ["a"], "t") for _ in range(2))
    ids = [re.search(r"id='([^']+)'", page).group(1) for page in (first, second)]
    assert ids[0] != ids[1] and f"getElementById('{ids[0]}')" in first


def test_sampling_keeps_the_first_and_the_last():
    assert sample(5) == [0, 1, 2, 3, 4]
    picked = sample(1000, most=10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 999


def test_stepper_refuses_mismatched_pages_and_labels():
    with pytest.raises(ValueError, match="pages and labels must be two non-empty lists of the same length"):
        stepper_html(["<p>a</p>"], [], "t")


def test_the_explorers_and_the_feature_maps_save_their_pages():
    conv = cu.conv_explorer(size=8, kernel_size=3, padding=1)._repr_mimebundle_()
    assert pages(conv["text/html"]) == [f"kernel_size = {k}" for k in range(1, 12)]
    assert conv_explorer_html(size=8, kernel_size=5, padding=1) in conv["text/html"]
    bottleneck = cu.bottleneck_explorer(bottleneck=24)._repr_mimebundle_()["text/html"]
    assert "bottleneck = 24" in pages(bottleneck) and bottleneck_html(bottleneck=24) in bottleneck
    view = cu.FeatureMaps(lenet5(), np.zeros((2, 32, 32, 1), "float32"), image=1)
    page = view._repr_mimebundle_()["text/html"]
    assert pages(page) == cu.map_layers(view.model) and "(image 1;" in page

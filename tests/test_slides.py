"""`make slides` (tools/build_slides.py): decks that open from disk with no network, one slide per slideshow cell.

The expected counts come from the notebooks' slideshow metadata; the browser test reads them from reveal.js in
headless Chromium and fails on any request that leaves file://. Without Chromium it is skipped with the reason,
unless COURSE_REQUIRE_BROWSER=1 (CI), where it fails.
"""
import html.parser
import os
import pathlib
import shutil

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DECKS = [ROOT / "notebooks" / "00_index.ipynb", ROOT / "tests" / "fixtures" / "exercises.ipynb",
         ROOT / "notebooks" / "02_resnets.ipynb"]  # 02: the tracer of ResNet-8, stepped without a kernel
LOCAL = ("file:", "data:", "blob:", "about:")

from conftest import unavailable
from tools import build_slides as slides


def slide_types(nb):
    return [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in nb.cells]


def expected(nb):
    """What reveal.js should show: slides (horizontal), slides + subslides (total), fragments, speaker notes.

    Skipped cells are not shown and notes go to the speaker view; the first shown cell always opens a slide.
    """
    types = slide_types(nb)
    shown = [kind for kind in types if kind not in ("skip", "notes")]
    rest = shown[1:]
    return {"horizontal": 1 + rest.count("slide"), "total": 1 + rest.count("slide") + rest.count("subslide"),
            "fragments": rest.count("fragment"), "notes": types.count("notes")}


def tracer_rows_saved(path):
    """(name, output shape, parameters) of every row of the kernel-free tracer the notebook saved, in order."""
    import re

    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            if slides.WIDGET_VIEW in output.get("data", {}) and "<b>trace row</b>" in page:
                return [(re.search(r"data-field='name'[^>]*>([^<]*)<", t).group(1),
                         re.search(r"data-field='output'[^>]*>([^<]*)<", t).group(1),
                         re.search(r"data-field='params'[^>]*>([^<]*)<", t).group(1))
                        for t in re.findall(r"<template[^>]*>(.*?)</template>", page, re.S)]
    return []


def test_expected_counts_of_the_fixture():
    nb = nbformat.read(DECKS[1], as_version=4)
    assert expected(nb) == {"horizontal": 3, "total": 4, "fragments": 2, "notes": 1}


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Both decks, built once into a temporary folder (reveal.js from build/npm, installed on first use)."""
    if shutil.which("npm") is None and not (slides.NPM_DIR / "node_modules" / ".package-lock.json").exists():
        unavailable("npm is not installed: `make slides` needs Node.js 18+ to fetch reveal.js from the npm registry "
                    "once.")
    out = tmp_path_factory.mktemp("slides")
    return out, {path.stem: deck for path, deck in zip(DECKS, slides.build(DECKS, out))}


class Tags(html.parser.HTMLParser):
    """The URLs a page loads (script src, link href, img src) and its leaf <section> elements."""

    def __init__(self):
        super().__init__()
        self.urls, self.depth, self.leaves, self.open = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "section":
            if self.open:
                self.open[-1] = False  # the enclosing section holds sections: it is a stack, not a slide
            self.open.append(True)

    def handle_endtag(self, tag):
        if tag == "section":
            self.leaves += self.open.pop()


@pytest.mark.parametrize("path", DECKS, ids=[p.name for p in DECKS])
def test_deck_loads_only_local_files_and_has_one_section_per_slide(decks, path):
    out, built = decks
    deck = built[path.stem]
    assert deck == out / f"{path.stem}.slides.html"
    tags = Tags()
    tags.feed(deck.read_text(encoding="utf-8"))
    remote = [url for url in tags.urls if "://" in url or url.startswith("//")]
    assert remote == [], f"{deck.name} loads files from the network: {remote}"
    local = [url for url in tags.urls if not url.startswith("data:")]
    assert {"reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css", "mathjax/tex-chtml-full.js"} <= set(local)
    assert [url for url in local if not (out / url).is_file()] == []
    theme = next(out / url for url in local if "/theme/" in url)
    assert "http" not in "".join(line for line in theme.read_text().splitlines() if "@import" in line)
    assert tags.leaves == expected(nbformat.read(path, as_version=4))["total"]
    assert (out / "index.html").read_text().count(".slides.html") == len(DECKS)


def test_widget_outputs_become_a_note_in_the_deck():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("slider")], metadata={"widgets": {"state": {}}})
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}, "text/plain": "IntSlider(value=3)"})]
    deck = slides.deck_notebook(nb)
    assert "widgets" not in deck.metadata and "widgets" in nb.metadata
    assert "Interactive widget" in deck.cells[0].outputs[0]["data"]["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in deck.cells[0].outputs[0]["data"]


def test_clear_errors_for_a_missing_notebook_and_a_missing_npm(tmp_path, monkeypatch):
    with pytest.raises(slides.SlidesError, match="no such notebook"):
        slides.build_deck(tmp_path / "nope.ipynb", tmp_path)
    monkeypatch.setattr(slides.shutil, "which", lambda name: None)
    with pytest.raises(slides.SlidesError, match="npm is not installed.*Install Node.js"):
        slides.install_vendor(npm_dir=tmp_path / "npm")


@pytest.mark.parametrize("path", DECKS, ids=[p.name for p in DECKS])
def test_deck_in_headless_chromium_offline(browser, decks, path):
    nb = nbformat.read(path, as_version=4)
    deck = decks[1][path.stem]
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.append(f"{request.url}: {request.failure}"))
    page.on("pageerror", lambda error: failures.append(f"page error: {error}"))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL) else route.abort())
    try:
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
        shown = page.evaluate("""() => ({
            horizontal: Reveal.getHorizontalSlides().length,
            total: Reveal.getTotalSlides(),
            fragments: document.querySelectorAll('.slides .fragment').length,
            notes: document.querySelectorAll('.slides aside.notes').length,
            math: document.querySelectorAll('mjx-container').length,
            cut: [...document.querySelectorAll('.slides section:not(.stack)')]
                .filter(s => getComputedStyle(s).overflowY !== 'auto').length,
        })""")
    finally:
        page.close()
    remote = [url for url in requests if not url.startswith(LOCAL)]
    assert remote == [], f"{deck.name} made network requests: {remote}"
    assert failures == []
    assert shown.pop("cut") == 0, "slides taller than the screen must scroll, not be cut off"
    math = shown.pop("math")
    assert shown == expected(nb)
    has_math = any("$" in cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert (math > 0) == has_math, f"MathJax typeset {math} formulas; the notebook has math: {has_math}"


def test_present_executes_a_copy_with_presenter_mode_and_leaves_the_notebook_alone(monkeypatch):
    monkeypatch.delenv("COURSE_PRESENT", raising=False)
    path = DECKS[1]
    before = path.read_bytes()
    nb = slides.execute_present(nbformat.read(path, as_version=4), path)
    setup = "".join(out.get("text", "") for out in nb.cells[1].outputs)
    assert setup.rstrip().endswith("· presenter mode")
    assert "COURSE_PRESENT" not in os.environ and path.read_bytes() == before


def test_the_tracer_steps_without_a_kernel_in_the_deck(browser, decks):
    """Notebook 02's deck: its ResNet-8 tracer moves by keyboard and mouse with no kernel, showing the numbers the
    live widget showed (tracer_html of each row, saved with the notebook)."""
    from playwright.sync_api import expect

    saved = tracer_rows_saved(DECKS[2])
    assert len(saved) > 10, "notebook 02 saved no kernel-free tracer: run `make notebooks NB=notebooks/02_resnets.ipynb`"
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL) else route.abort())
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(decks[1]["02_resnets"].as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        page.evaluate("""() => { const widget = [...document.querySelectorAll('.course-static-widget')]
                                     .find(w => w.textContent.includes('trace row'));
                                 const at = Reveal.getIndices(widget.closest('section'));
                                 Reveal.slide(at.h, at.v); }""")
        tracer = page.locator(".course-static-widget", has_text="trace row")
        shown = tracer.locator("[data-field='static-page']")

        def shows(row):
            name, shape, params = saved[row]
            expect(shown.locator("[data-field='name']")).to_have_text(name)
            expect(shown.locator("[data-field='output']")).to_have_text(shape)
            expect(shown.locator("[data-field='params']")).to_have_text(params)

        shows(0)
        slide = page.evaluate("() => Reveal.getIndices()")
        slider = tracer.locator("input[type=range]")
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        shows(3)
        box = slider.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)
        shows(len(saved) - 1)
        assert page.evaluate("() => Reveal.getIndices()") == slide  # the arrow keys moved the slider, not the deck
    finally:
        page.close()
    assert errors == []

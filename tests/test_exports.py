"""HTML exports: a plain `jupyter nbconvert --to html` of notebook 02 steps its tracer offline (the kernel-free
version), and `make html` (tools/build_html.py) writes exports that load nothing from the network, typeset their
maths, fold their solutions and pass axe-core.  Without Chromium or npm the browser part is skipped with the reason,
unless COURSE_REQUIRE_BROWSER=1 (CI), where it fails.
"""
import re
import shutil

import nbformat
import pytest

from conftest import unavailable
from test_site import serious_violations
from tools import build_html
from tools import build_slides as slides

NOTEBOOK = build_html.site.NOTEBOOKS[2]  # 02_resnets: the ResNet-8 tracer


def offline_page(browser, problems):
    """A page that lets only file: and data: requests through; every other request is recorded in ``problems``."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else (problems.append(route.request.url), route.abort()))
    return page


@pytest.fixture(scope="module")
def plain_export(tmp_path_factory):
    """Notebook 02 exported by plain nbconvert, as a student would.  Notebooks executed before `make notebooks`
    stopped saving widget state still carry it; that copy is exported as `make notebooks` now writes it, without."""
    folder = tmp_path_factory.mktemp("plain")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, folder / NOTEBOOK.name)
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(folder / NOTEBOOK.name))  # what `jupyter nbconvert --to html` writes
    (folder / f"{NOTEBOOK.stem}.html").write_text(body, encoding="utf-8")
    return folder / f"{NOTEBOOK.stem}.html"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    if shutil.which("npm") is None and not (slides.NPM_DIR / "node_modules" / ".package-lock.json").exists():
        unavailable("npm is not installed: the exports' local MathJax comes from the npm registry once.")
    return build_html.build([NOTEBOOK], tmp_path_factory.mktemp("html"))[0]


def test_make_html_loads_nothing_from_the_network_and_shows_no_solution(made):
    text = made.read_text()
    assert re.findall(r'(?:src|href)="(https?:[^"]*)"', text) == []
    exercises = sum("### BEGIN SOLUTION" in cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells)
    assert "BEGIN SOLUTION" not in text
    assert text.count("<summary>Show solution</summary>") == exercises >= 4
    assert (made.parent / "mathjax" / "tex-chtml-full.js").is_file()
    assert "No description has been provided" not in text  # every plot has alt text


def test_the_plain_export_of_02_steps_its_tracer_offline(browser, plain_export):
    from playwright.sync_api import expect
    from test_slides import tracer_rows_saved

    saved = tracer_rows_saved(NOTEBOOK)
    problems = []
    page = offline_page(browser, problems)
    try:
        page.goto(plain_export.as_uri())
        tracer = page.locator(".course-static-widget", has_text="trace row")
        shown = tracer.locator("[data-field='static-page']")
        expect(shown.locator("[data-field='name']")).to_have_text(saved[0][0])
        tracer.locator("input[type=range]").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        for field, value in zip(("name", "output"), saved[2]):
            expect(shown.locator(f"[data-field='{field}']")).to_have_text(value)
    finally:
        page.close()
    assert [p for p in problems if p.startswith("page error")] == []


def test_make_html_opens_offline_with_maths_and_passes_axe(browser, made):
    problems = []
    page = offline_page(browser, problems)
    try:
        page.goto(made.as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 0, "MathJax typeset no formula"
        assert page.locator(".course-static-widget input[type=range]").count() == 1
        violations = serious_violations(page, [NOTEBOOK])
    finally:
        page.close()
    assert problems == []
    assert violations == [], f"axe-core finds serious or critical violations: {violations}"


def test_make_notebooks_saves_no_widget_state(tmp_path):
    from tools.run_notebook import client, execute

    assert client(nbformat.v4.new_notebook(), tmp_path).store_widget_state is False
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": "saved by an earlier run"}})
    assert "widgets" not in execute(nb, tmp_path).metadata

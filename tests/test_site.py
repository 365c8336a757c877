"""`make site` (tools/build_site.py): the course as a static website that opens from disk with no network.

Built once into a temporary folder; then headless Chromium opens every page and fails on a console error, a request
that leaves the site, a missing image or a broken link. Without Chromium or npm it is skipped with the reason, unless
COURSE_REQUIRE_BROWSER=1 (CI), where it fails.
"""
import html
import pathlib
import re
import shutil

import nbformat
import pytest

from conftest import axe_violations, unavailable
from tools import build_site as site
from tools import build_slides as slides

# Volume drawings saved before they had a <title> (svg-img-alt) stay in the committed outputs until `make notebooks`
# re-executes the notebooks; axe's verdict on them is waived only while such an output is committed.
UNTITLED_SVG = re.compile(r'role=\\?"img\\?"><(?!title)')  # in the notebook's JSON, quotes are escaped


def waived(path_or_paths):
    paths = [path_or_paths] if isinstance(path_or_paths, pathlib.Path) else path_or_paths
    stale = any(UNTITLED_SVG.search(path.read_text()) for path in paths)
    return ("svg-img-alt",) if stale else ()


def serious_violations(page, notebooks):
    """axe-core's serious and critical violations on ``page``, less those waived for stale committed outputs."""
    return [found for found in axe_violations(page) if not found.startswith(waived(notebooks) or "\0")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if shutil.which("npm") is None and not (slides.NPM_DIR / "node_modules" / ".package-lock.json").exists():
        unavailable("npm is not installed: the site's local MathJax comes from the npm registry once (as the decks').")
    out = tmp_path_factory.mktemp("site")
    index = site.build(out / "site", source=out / "source")
    return index, sorted((out / "site" / "notebooks").glob("*.html"))


def test_every_notebook_is_a_page_with_its_title(built):
    index, pages = built
    assert [page.stem for page in pages] == [path.stem for path in site.NOTEBOOKS]
    for page, path in zip(pages, site.NOTEBOOKS):
        title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        assert f"<title>{title}" in page.read_text().replace("&#8212;", "—")
    text = index.read_text()
    assert all(f'href="notebooks/{path.stem}.html"' in text for path in site.NOTEBOOKS)  # the course map links


def test_the_home_page_introduces_the_course_without_the_maintainers_tables(built):
    index, _ = built
    text = html.unescape(re.sub(r"<[^>]+>", "", index.read_text()))  # what the page shows
    for path in site.NOTEBOOKS:
        title, line = site.title_and_line(nbformat.read(path, as_version=4))
        assert f"{title}: {line}" in " ".join(text.split()), path.name
    for needed in ("make lab", "make test", "make slides", "build/slides/index.html", "Show solution",
                   "Prerequisites"):
        assert needed in text, needed
    for table in ("notebook | topic", "budget", "slide type", "00_index"):
        assert table not in text, table
    assert "<table" not in index.read_text()


def test_solutions_are_folded_and_no_page_shows_a_solution_marker(built):
    index, pages = built
    for page in [index, *pages]:
        assert "BEGIN SOLUTION" not in page.read_text() and "END SOLUTION" not in page.read_text(), page.name
    exercises = sum(cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source
                    for path in site.NOTEBOOKS for cell in nbformat.read(path, as_version=4).cells)
    shown = sum(page.read_text().count("<summary>Show solution</summary>") for page in pages)
    assert shown == exercises > 0
    assert "NotImplementedError" in pages[2].read_text()  # the exercise as the student starts it


def test_no_page_loads_anything_from_the_network(built):
    index, pages = built
    for page in [index, *pages]:
        loads = re.findall(r'(?:src|href)="(https?:[^"]*)"', page.read_text())
        assert loads == [], f"{page.name} refers to the network: {loads[:3]}"


def test_every_page_opens_offline_with_its_images_links_math_and_next_page(browser, built):
    index, pages = built
    for number, path in enumerate([index, *pages]):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (problems.append(f"network: {route.request.url}"), route.abort()))
        try:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            broken_images = page.evaluate("() => [...document.images].filter(i => !i.complete || !i.naturalWidth)"
                                          ".map(i => i.src.slice(0, 80))")
            links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
                                  ".filter(h => h.startsWith('file:'))")
            missing = [link for link in links
                       if not pathlib.Path(link.split("#")[0].removeprefix("file://")).exists()]
            has_next = page.locator("a[rel='next'], a[title='next chapter'], link[rel='next']").count() > 0
            math = False
            if path.parent.name == "notebooks" and "$" in "".join(
                    c.source for c in nbformat.read(site.NOTEBOOKS[number - 1], as_version=4).cells
                    if c.cell_type == "markdown"):
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("() => MathJax.startup.promise")
                math = page.locator("mjx-container").count() > 0
                assert math, f"{path.name}: MathJax typeset no formula"
            violations = serious_violations(page, site.NOTEBOOKS)
        finally:
            page.close()
        assert problems == [], f"{path.name}: {problems[:5]}"
        assert broken_images == [], f"{path.name}: images that did not load: {broken_images[:3]}"
        assert missing == [], f"{path.name}: links to missing files: {missing[:3]}"
        assert has_next or path == pages[-1], f"{path.name}: no link to the next page"
        assert violations == [], f"{path.name}: axe-core finds serious or critical violations: {violations}"


def test_the_tracer_of_notebook_02_steps_without_a_kernel_on_the_site(browser, built):
    from playwright.sync_api import expect
    from test_slides import tracer_rows_saved

    saved = tracer_rows_saved(site.NOTEBOOKS[2])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(built[1][2].as_uri())
        tracer = page.locator(".course-static-widget", has_text="trace row")
        shown = tracer.locator("[data-field='static-page']")
        expect(shown.locator("[data-field='name']")).to_have_text(saved[0][0])
        slider = tracer.locator("input[type=range]")
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        for field, value in zip(("name", "output", "params"), saved[2]):
            expect(shown.locator(f"[data-field='{field}']")).to_have_text(value)
        box = slider.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)
        expect(shown.locator("[data-field='name']")).to_have_text(saved[-1][0])
        page.set_viewport_size({"width": 390, "height": 844})  # a phone: the slider fits the screen
        box = slider.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 390, box
    finally:
        page.close()

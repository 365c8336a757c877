"""`make slides` (tools/build_slides.py, tools/slide_layout.py): decks for a lecture hall that open from disk with
no network, an instructor's and a student's edition.

The browser test opens every deck in headless Chromium at 1024x768 and 1280x720 and measures every slide: it fits
the screen, code and labels are 18 px or more, hints are closed, each slide has speaker notes, and solutions appear in
the instructor's deck only; it fails on any request that leaves file://. Without Chromium it is skipped with the
reason, unless COURSE_REQUIRE_BROWSER=1 (CI), where it fails. The decks are built once for the module.
"""
import html.parser
import os
import pathlib
import shutil

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURE = ROOT / "tests" / "fixtures" / "exercises.ipynb"
DECKS = [*NOTEBOOKS, FIXTURE]  # 02: the tracer of ResNet-8, stepped without a kernel
SCREENS = [(1024, 768), (1280, 720)]
MIN_PX = 18  # text on screen: code, tables, widget labels
LOCAL = ("file:", "data:", "blob:", "about:")

from conftest import unavailable
from tools import build_slides as slides
from tools import slide_layout as layout


def tracer_rows_saved(path):
    """(name, output shape, parameters) of every row of the kernel-free tracer the notebook saved, in order."""
    import re

    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            if layout.WIDGET_VIEW in output.get("data", {}) and "<b>trace row</b>" in page:
                return [(re.search(r"data-field='name'[^>]*>([^<]*)<", t).group(1),
                         re.search(r"data-field='output'[^>]*>([^<]*)<", t).group(1),
                         re.search(r"data-field='params'[^>]*>([^<]*)<", t).group(1))
                        for t in re.findall(r"<template[^>]*>(.*?)</template>", page, re.S)]
    return []


def deck_text(nb):
    return "\n".join(cell.source + "".join(str(o) for o in cell.get("outputs", [])) for cell in nb.cells)


def test_the_fixture_deck_skips_setup_and_checks_and_hides_solutions_from_students():
    nb = nbformat.read(FIXTURE, as_version=4)
    teacher, student = layout.deck_notebook(nb), layout.deck_notebook(nb, student=True)
    for deck in (teacher, student):
        text = deck_text(deck)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        assert "cu.setup(" not in text and "check_scale(scale)" not in text  # the setup cell, a checker cell
        assert [c.metadata.slideshow.slide_type for c in deck.cells].count("slide") == 3  # as in the notebook
        assert "Speaker notes: both checkers fail" in text  # the notebook's notes cell
    for answer in ("return SCALE * x", "out.append(scale(value))", "predicted = 10"):
        assert answer in deck_text(teacher) and answer not in deck_text(student)
    assert 'raise NotImplementedError("Exercise: return x times SCALE.")' in deck_text(student)
    assert "### Solution" in deck_text(teacher) and "### Solution" not in deck_text(student)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_line_of_a_solution_reaches_the_students_deck(path):
    nb = nbformat.read(path, as_version=4)
    deck = deck_text(layout.deck_notebook(nb, student=True))
    elsewhere = deck_text(nbformat.v4.new_notebook(cells=[c for c in nb.cells if not layout.is_exercise(c)]))
    answers = []
    for cell in filter(layout.is_exercise, nb.cells):
        inside = False
        for line in map(str.strip, cell.source.splitlines()):
            inside = {layout.BEGIN: True, layout.END: False}.get(line, inside)
            if inside and line and not line.startswith("#") and line not in elsewhere:
                answers.append(line)
    assert [line for line in answers if line in deck] == []


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_asserts_leave_the_shown_code_and_cells_that_only_check_are_skipped():
    code = nbformat.v4.new_code_cell
    mixed = code("side = 32 - 5 + 1\nassert side == 28\nfor x in [1]:\n    assert x\nprint(side)")
    mixed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="28\n")]
    checks = code('assert "<b>28</b>" in page\nprint("accuracy >= 0.97:", accuracy >= 0.97)')
    quiet = code("explorer.value = 3\nassert explorer.output == 4")  # asserts and no output: plumbing
    tagged = code("print('plumbing')")
    tagged.metadata["tags"] = ["skip-slide"]
    setup = code("import course_utils as cu\ncu.setup(seed=0)")
    cells = layout.deck_cells(notebook(setup, mixed, checks, quiet, tagged))
    shown = [c.source for c in cells if c.cell_type == "code"]
    assert shown == ["side = 32 - 5 + 1\nprint(side)", ""]  # the code, then its output without code
    answer = nbformat.v4.new_markdown_cell("So the side is 28.")
    answer.metadata["tags"] = ["solution"]
    assert [c.metadata.slideshow.slide_type for c in layout.deck_cells(notebook(answer))] == ["slide", "notes"]
    assert layout.deck_cells(notebook(answer), student=True) == []
    forced = code('print("ok:", 1 < 2)')
    forced.metadata["tags"] = ["show-slide"]
    assert [c.source for c in layout.deck_cells(notebook(forced))] == [forced.source]


def test_long_code_lines_wrap_inside_their_brackets_and_stay_python():
    line = ('    x = layers.Conv2D(narrow, 3, padding="same", activation="relu", name="conv3x3")(x)  # the 3x3 '
            'in the middle')
    wrapped = layout.wrap_line(line, width=60)
    assert wrapped == ["    # the 3x3 in the middle", '    x = layers.Conv2D(narrow, 3, padding="same",',
                       '        activation="relu", name="conv3x3")(x)']
    compile("def f():\n" + "\n".join(wrapped), "wrapped", "exec")
    assert layout.wrap_line('print("a string that cannot break anywhere at all")', width=20) == [
        'print("a string that cannot break anywhere at all")']  # left to the slide, which wraps it


def test_notes_come_from_tagged_cells_or_the_prose_around_the_code():
    intro = nbformat.v4.new_markdown_cell("## Shapes\nThe output side is 28.")
    said = nbformat.v4.new_markdown_cell("Say: the formula drops the remainder.")
    said.metadata["tags"] = ["notes"]
    long_code = nbformat.v4.new_code_cell("\n".join(f"x{k} = {k}" for k in range(60)))
    cells = layout.deck_cells(notebook(intro, said, long_code))
    notes = [c.source for c in cells if c.metadata.slideshow.slide_type == "notes"]
    assert notes[0] == "Say: the formula drops the remainder."  # the tagged cell, on its slide
    assert len(notes) >= 3 and all(n == "**Shapes**\nThe output side is 28." for n in notes[1:])  # the prose before
    kinds = [c.metadata.slideshow.slide_type for c in cells if c.metadata.slideshow.slide_type != "notes"]
    assert kinds.count("subslide") >= 2  # 60 lines of code do not fit one slide


def test_hints_stay_closed_under_their_summary():
    hint = nbformat.v4.new_markdown_cell("### Exercise\nDo it.\n<details><summary>Hint 1</summary>\n\n"
                                        "Use `x`.\n\n</details>")
    body, _ = slides.exporter().from_notebook_node(layout.deck_notebook(notebook(hint)))
    assert "<details><summary>Hint 1</summary>\n<p>Use <code>x</code>.</p>\n</details>" in body


def test_widgets_show_their_kernel_free_version_and_progress_bars_are_left_out():
    cell = nbformat.v4.new_code_cell("slider")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
                        layout.WIDGET_VIEW: {"model_id": "a"}, "text/plain": "0epoch [00:00, ?epoch/s]"}),
                    nbformat.v4.new_output("display_data", data={
                        layout.WIDGET_VIEW: {"model_id": "b"}, "text/html": "<div class='course-static-widget'>",
                        "text/plain": "IntSlider(value=3)"}),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n")]
    nb = notebook(cell)
    nb.metadata["widgets"] = {"state": {}}
    deck = layout.deck_notebook(nb)
    outputs = [o for c in deck.cells for o in c.get("outputs", [])]
    assert "widgets" not in deck.metadata and "widgets" in nb.metadata
    assert [o["data"] for o in outputs] == [{"text/html": "<div class='course-static-widget'>",
                                             "text/plain": "IntSlider(value=3)"}]
    page = slides.deck_notebook(nb)  # the site's copy: the same widgets, stderr kept, nothing moved
    assert [o.get("data", {}).get("text/html") for o in page.cells[0].outputs] == [
        "<div class='course-static-widget'>", None]
    assert "widgets" not in page.metadata


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Every deck, instructor's and student's, built once into a temporary folder (reveal.js from build/npm,
    installed on first use): {(stem, "instructor" or "student"): path}."""
    if shutil.which("npm") is None and not (slides.NPM_DIR / "node_modules" / ".package-lock.json").exists():
        unavailable("npm is not installed: `make slides` needs Node.js 18+ to fetch reveal.js from the npm registry "
                    "once.")
    out = tmp_path_factory.mktemp("slides")
    built = slides.build(DECKS, out)
    return out, {(deck.name.removesuffix(".slides.html"), deck.parent.name == "student" and "student" or "instructor"):
                 deck for deck in built}


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


def test_decks_load_only_local_files_and_never_show_solution_markers(decks):
    out, built = decks
    assert len(built) == 2 * len(DECKS)
    for (stem, edition), deck in built.items():
        page = deck.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in page and "END SOLUTION" not in page, deck
        tags = Tags()
        tags.feed(page)
        remote = [url for url in tags.urls if "://" in url or url.startswith("//")]
        assert remote == [], f"{deck.name} loads files from the network: {remote}"
        local = [url for url in tags.urls if not url.startswith("data:")]
        prefix = "../" if edition == "student" else ""
        assert {f"{prefix}reveal.js/dist/reveal.js", f"{prefix}mathjax/tex-chtml-full.js"} <= set(local)
        assert [url for url in local if not (deck.parent / url).is_file()] == []
        cells = layout.deck_cells(nbformat.read(ROOT / ("notebooks" if stem != FIXTURE.stem else "tests/fixtures")
                                                / f"{stem}.ipynb", as_version=4), student=edition == "student")
        kinds = [c.metadata.slideshow.slide_type for c in cells]
        assert tags.leaves == kinds.count("slide") + kinds.count("subslide")
    theme = out / "reveal.js" / "dist" / "theme" / "white.css"
    assert theme.is_file()
    assert "http" not in "".join(line for line in theme.read_text().splitlines() if "@import" in line)
    contents = (out / "index.html").read_text()
    assert contents.count(".slides.html") == 2 * len(DECKS) and "student/02_resnets.slides.html" in contents


def test_clear_errors_for_a_missing_notebook_and_a_missing_npm(tmp_path, monkeypatch):
    with pytest.raises(slides.SlidesError, match="no such notebook"):
        slides.build_deck(tmp_path / "nope.ipynb", tmp_path)
    monkeypatch.setattr(slides.shutil, "which", lambda name: None)
    with pytest.raises(slides.SlidesError, match="npm is not installed.*Install Node.js"):
        slides.install_vendor(npm_dir=tmp_path / "npm")


# Run in the deck: every slide in turn, measured in the canvas reveal.js scales to the screen.
MEASURE = """(minPx) => {
  const config = Reveal.getConfig(), slides = [];
  for (const slide of Reveal.getSlides()) {
    const at = Reveal.getIndices(slide);
    Reveal.slide(at.h, at.v);
    const scale = Reveal.getScale(), box = slide.getBoundingClientRect(), problems = [];
    if (slide.scrollHeight > config.height + 1) problems.push(`${slide.scrollHeight} px tall`);
    for (const e of slide.querySelectorAll('*')) {
      if (e.closest('aside.notes, mjx-assistive-mml')) continue;
      const r = e.getBoundingClientRect();
      if (r.width && r.height && (r.right > box.right + 2 || r.bottom > box.bottom + 2 || r.left < box.left - 2)) {
        problems.push(`${e.tagName}.${e.className} outside the slide`);
        break;
      }
    }
    for (const e of slide.querySelectorAll('*')) {  // every element with text of its own, but math and drawings
      if (e.closest('aside.notes, mjx-container, svg')) continue;
      if (![...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
      const px = parseFloat(getComputedStyle(e).fontSize) * scale;
      if (px < minPx) problems.push(`${e.tagName} text at ${px.toFixed(1)} px`);
    }
    for (const svg of slide.querySelectorAll('.course-static-widget svg')) {
      const zoom = svg.getBoundingClientRect().width / svg.width.baseVal.value;  // CSS zoom and reveal's scale
      for (const text of svg.querySelectorAll('text')) {
        const px = parseFloat(text.getAttribute('font-size')) * zoom;
        if (px < minPx) problems.push(`widget label at ${px.toFixed(1)} px`);
      }
    }
    for (const slider of slide.querySelectorAll('.course-static-widget input[type=range]')) {
      const start = slider.value;  // every page a kernel-free widget can show must fit too
      for (let value = +slider.min; value <= +slider.max; value += +(slider.step || 1)) {
        slider.value = value;
        slider.dispatchEvent(new Event('input', {bubbles: true}));
        if (slide.scrollHeight > config.height + 1) problems.push(`widget page ${value}: ${slide.scrollHeight} px tall`);
      }
      slider.value = start;
      slider.dispatchEvent(new Event('input', {bubbles: true}));
    }
    if (slide.querySelector('details[open]')) problems.push('a hint is open');
    if ([...slide.querySelectorAll('details > summary')].some(s => !s.textContent.trim())) problems.push('empty hint');
    const notes = slide.querySelector('aside.notes');
    slides.push({at: `${at.h}.${at.v || 0}`, problems: [...new Set(problems)],
                 notes: notes ? notes.textContent.trim().length : 0,
                 content: slide.querySelectorAll('.jp-Cell').length,
                 solutions: slide.querySelectorAll('.celltag_deck-solution').length});
  }
  return slides;
}"""


@pytest.mark.parametrize("path", DECKS, ids=[p.name for p in DECKS])
def test_every_slide_fits_the_screen_with_code_large_enough_and_notes(browser, decks, path):
    """Both editions, at 1024x768 and 1280x720, offline: nothing below the fold or past the right edge, code and
    labels at 18 px or more on screen, hints closed, notes on every slide, solutions only in the instructor's deck."""
    nb = nbformat.read(path, as_version=4)
    has_math = any("$" in cell.source for cell in nb.cells if cell.cell_type == "markdown")
    exercises = any(layout.is_exercise(cell) for cell in nb.cells)
    for edition in ("instructor", "student"):
        deck = decks[1][path.stem, edition]
        page = browser.new_page(viewport={"width": SCREENS[0][0], "height": SCREENS[0][1]})
        requests, failures, measured = [], [], {}
        page.on("request", lambda request: requests.append(request.url))
        page.on("requestfailed", lambda request: failures.append(f"{request.url}: {request.failure}"))
        page.on("pageerror", lambda error: failures.append(f"page error: {error}"))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL) else route.abort())
        try:
            page.goto(deck.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            page.evaluate("() => MathJax.startup.promise")
            math = page.evaluate("() => document.querySelectorAll('.slides mjx-container').length")
            for width, height in SCREENS:  # the same page, resized: reveal.js scales the canvas anew
                scale = page.evaluate("() => Reveal.getScale()")
                page.set_viewport_size({"width": width, "height": height})
                if (width, height) != SCREENS[0]:
                    page.wait_for_function("old => Reveal.getScale() != old", arg=scale)
                measured[width, height] = page.evaluate(MEASURE, MIN_PX)
        finally:
            page.close()
        where = f"{deck.parent.name}/{deck.name}"
        assert [url for url in requests if not url.startswith(LOCAL)] == [], where
        assert failures == [], where
        assert (math > 0) == has_math, f"{where}: MathJax typeset {math} formulas; the notebook has math: {has_math}"
        for (width, height), slides_seen in measured.items():
            bad = {s["at"]: s["problems"] for s in slides_seen if s["problems"]}
            assert bad == {}, f"{where} at {width}x{height}: slides that do not fit or are too small to read: {bad}"
        silent = [s["at"] for s in slides_seen if s["content"] and not s["notes"]]
        assert silent == [], f"{where}: slides without speaker notes: {silent}"
        solutions = sum(s["solutions"] for s in slides_seen)
        assert (solutions > 0) == (exercises and edition == "instructor"), f"{where}: {solutions} solution cells"


def test_present_executes_a_copy_with_presenter_mode_and_leaves_the_notebook_alone(monkeypatch):
    monkeypatch.delenv("COURSE_PRESENT", raising=False)
    path = FIXTURE
    before = path.read_bytes()
    nb = slides.execute_present(nbformat.read(path, as_version=4), path)
    setup = "".join(out.get("text", "") for out in nb.cells[1].outputs)
    assert setup.rstrip().endswith("· presenter mode")
    assert "COURSE_PRESENT" not in os.environ and path.read_bytes() == before


def test_the_tracer_steps_without_a_kernel_in_the_deck(browser, decks):
    """Notebook 02's deck: its ResNet-8 tracer moves by keyboard and mouse with no kernel, showing the numbers the
    live widget showed (tracer_html of each row, saved with the notebook)."""
    from playwright.sync_api import expect

    saved = tracer_rows_saved(ROOT / "notebooks" / "02_resnets.ipynb")
    assert len(saved) > 10, "notebook 02 saved no kernel-free tracer: run `make notebooks NB=notebooks/02_resnets.ipynb`"
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL) else route.abort())
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(decks[1]["02_resnets", "instructor"].as_uri())
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

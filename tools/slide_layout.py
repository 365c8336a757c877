"""Turn an executed notebook into the cells of a lecture deck: what is shown, on which slide, and what the presenter
reads in the speaker notes.  tools/build_slides.py renders the result with nbconvert's reveal.js exporter.

Every slide must fit the deck's 960x700 canvas with code at 19 px (reveal.js scales the canvas to the screen: at
1024x768 and 1280x720 the code stays at 18 px or more).  Heights are estimated from the text, conservatively, and a
cell that does not fit continues on a sub-slide below; tests/test_slides.py measures the real decks in Chromium.

Rules, in the order they apply (tags are set in JupyterLab's Property Inspector):
- left out: a cell tagged `skip-slide` or `instructor-only`, a cell of slide type `skip`, the setup cell
  (`cu.setup(...)`), a code cell that only checks (asserts, `cu.check_...()` calls, prints of comparisons, or asserts
  and no output) and one that only does housekeeping (imports, `del`, `gc.collect()`) with no output; a cell tagged
  `show-slide` is always shown;
- `assert` statements and the `### BEGIN/END SOLUTION` marker lines never appear in shown code;
- a markdown cell tagged `notes` (or of slide type `notes`) goes to the speaker notes of the slide before it; every
  other slide gets the prose of the notebook around it as notes;
- an exercise shows its skeleton (as the student edition has it); the instructor's deck then shows the solution and
  the checker's verdict on a sub-slide below, the student's deck does not; nor does it show a cell tagged
  `solution` (prose that gives a prediction's answer away);
- `<details>` hints stay closed; widget outputs show their kernel-free version, and a widget without one (a progress
  bar) is left out; stderr is left out.
"""
import ast
import base64
import copy
import html
import math
import re
import struct

import nbformat

from tools.student_edition import BEGIN, END, INSTRUCTOR_ONLY, replace_solutions

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SKIP_TAG, SHOW_TAG, NOTES_TAG, SOLUTION_TAG = "skip-slide", "show-slide", "notes", "solution"

# The canvas (reveal.js width and height) and the estimates of what fits on it, in canvas pixels.
WIDTH, HEIGHT = 960, 700
BUDGET = 620  # content height per slide: the canvas (700) less room for estimation error
TEXT_LINE, TEXT_CHARS = 33, 68  # body text: 24 px, line height 1.35; characters per line (about 76 fit)
CODE_LINE, CODE_CHARS = 25, 76  # code: 19 px monospace (78 characters fit), line height 1.3; longer lines wrap
GAP = 14  # between blocks
FIGURE_MAX = 520  # tallest figure (px); a figure never grows more than FIGURE_ZOOM times its own size
FIGURE_MIN = 260  # a figure that would have less room than this starts a sub-slide
FIGURE_ZOOM = 1.5
FIGURE_WIDTH = 920
HEADINGS = {1: 64, 2: 54, 3: 46, 4: 40}  # a line of each level of heading, with its margin
HEADING_FONTS = {1: 44, 2: 36, 3: 30, 4: 26}  # as in the deck's CSS
TABLE_ROW, TABLE_ROWS = 27, 16  # a table row (19 px text), and the body rows on one slide


# --- which cells are shown --------------------------------------------------------------------------------------

def tags(cell):
    return cell.metadata.get("tags", [])


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-") or "-"


def _is_check(statement):
    """True for a statement that only checks: an assert, a `cu.check_...()` call, a print of a comparison, or a
    loop/if/with whose body only checks."""
    if isinstance(statement, ast.Assert):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name.startswith("check_"):
            return True
        if name == "print":
            return any(isinstance(node, ast.Compare) for node in ast.walk(statement.value))
    if isinstance(statement, (ast.For, ast.If, ast.With)):
        return all(_is_check(s) for s in statement.body + getattr(statement, "orelse", []))
    return False


def _only_asserts(statement):
    """An assert, or a loop/if/with of asserts only: what strip_code() takes out of shown code."""
    if isinstance(statement, (ast.For, ast.If, ast.With)):
        return all(_only_asserts(s) for s in statement.body + getattr(statement, "orelse", []))
    return isinstance(statement, ast.Assert)


def _parse(source):
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics, or a skeleton: show the cell as it is
        return None


def is_setup(cell):
    return cell.cell_type == "code" and "cu.setup(" in cell.source


def _is_plumbing(statement):
    """An import, a `del` or a `gc.collect()` call: memory and namespace housekeeping."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.Delete)):
        return True
    value = getattr(statement, "value", None)
    return isinstance(value, ast.Call) and ast.unparse(value.func) == "gc.collect"


def only_checks(cell):
    """True for a code cell the class need not see: it only checks what earlier cells computed, or it has no output
    and only asserts or does housekeeping (imports, `del`, `gc.collect()`)."""
    tree = _parse(cell.source)
    if tree is None or not tree.body:
        return False
    if all(_is_check(s) for s in tree.body):
        return True
    if visible_outputs(cell):
        return False
    return (any(isinstance(node, ast.Assert) for node in ast.walk(tree))
            or all(_is_plumbing(s) for s in tree.body))


def shown(cell):
    """Is ``cell`` on a slide at all?"""
    if SHOW_TAG in tags(cell):
        return True
    if SKIP_TAG in tags(cell) or slide_type(cell) == "skip":
        return False
    return not (is_setup(cell) or (cell.cell_type == "code" and only_checks(cell)))


def strip_code(source):
    """``source`` without assert statements, solution marker lines and the blank lines they leave behind, its long
    lines wrapped to the slide."""
    lines = source.splitlines()
    drop = set()
    tree = _parse(source)
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt) and _only_asserts(node):
                drop.update(range(node.lineno - 1, node.end_lineno))
    kept = [line for number, line in enumerate(lines)
            if number not in drop and line.strip() not in (BEGIN, END)]
    return wrap_code(re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n"))


# --- outputs ----------------------------------------------------------------------------------------------------

def static_output(output):
    """``output`` as a page without a kernel shows it: a widget as the kernel-free version it saved beside its live
    view (its text/html), or None for a widget without one (a progress bar: nothing to show without a kernel)."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return output
    if not data.get("text/html"):
        return None
    output = copy.deepcopy(output)
    output["data"] = {"text/html": data["text/html"], "text/plain": data.get("text/plain", "")}
    return output


def visible_outputs(cell):
    """The outputs a deck shows: static_output() of each, without stderr and empty text."""
    kept = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and (output.get("name") == "stderr" or not output["text"].strip()):
            continue
        if static_output(output) is not None:
            kept.append(static_output(output))
    return kept


def split_table(page, rows_per_slide):
    """An HTML table (trace_table's) as tables of at most ``rows_per_slide`` body rows, each with the head, the last
    with the foot; long CamelCase names may break (LocalResponse-Normalization)."""
    page = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", "<wbr>", page)
    match = re.fullmatch(r"(?s)\s*(<table[^>]*>)(.*?)<tbody>(.*?)</tbody>(.*?)</table>\s*", page)
    if match is None:
        return [page]
    start, head, body, foot = match.groups()
    rows = re.findall(r"(?s)<tr.*?</tr>", body)
    chunks = [rows[k:k + rows_per_slide] for k in range(0, len(rows), rows_per_slide)] or [[]]
    return [f"{start}{head}<tbody>{''.join(chunk)}</tbody>{foot if k == len(chunks) - 1 else ''}</table>"
            for k, chunk in enumerate(chunks)]


def png_size(data):
    raw = base64.b64decode(data)
    return struct.unpack(">II", raw[16:24]) if raw[:8] == b"\x89PNG\r\n\x1a\n" else (FIGURE_WIDTH, FIGURE_MAX)


def figure_html(output, height):
    """An image output as an <img> of the given height (canvas px), with its text as alt text."""
    data = output["data"]
    width, natural = png_size(data["image/png"])
    scale = min(height / natural, FIGURE_WIDTH / width)
    alt = output.get("metadata", {}).get("image/png", {}).get("alt") or data.get("text/plain", "")
    if not alt or alt.startswith("<Figure"):
        alt = "Figure"
    return (f'<img class="deck-figure" src="data:image/png;base64,{data["image/png"].strip()}" '
            f'alt="{html.escape(alt)}" style="width:{round(width * scale)}px;height:{round(natural * scale)}px">')


def figure_height(output):
    """The height a figure is drawn at when it has the room: its own size, grown up to FIGURE_ZOOM, within limits."""
    width, natural = png_size(output["data"]["image/png"])
    return min(FIGURE_MAX, natural * min(FIGURE_ZOOM, FIGURE_WIDTH / width))


def text_lines(text, chars):
    return sum(max(1, math.ceil(len(line) / chars)) for line in text.splitlines()) or 1


def output_height(output):
    if output.get("output_type") == "stream":
        return text_lines(output["text"].rstrip("\n"), CODE_CHARS) * CODE_LINE + GAP
    if output.get("output_type") == "error":
        return 3 * CODE_LINE + GAP
    data = output.get("data", {})
    if "image/png" in data:
        return figure_height(output) + GAP
    page = data.get("text/html", "")
    if "course-static-widget" in page:
        return BUDGET  # a kernel-free widget: a slide of its own
    if "<table" in page:
        return (page.count("<tr") + ("<caption" in page)) * TABLE_ROW + GAP
    if page:
        return text_lines(re.sub(r"<[^>]+>", "", page), TEXT_CHARS) * TEXT_LINE + GAP
    return text_lines(data.get("text/plain", ""), CODE_CHARS) * CODE_LINE + GAP


# --- markdown ---------------------------------------------------------------------------------------------------

def markdown_blocks(source):
    """Split markdown into blocks that can go to different slides: headings, paragraphs (one sentence per line),
    list items, display math, and each `<details>` hint whole."""
    blocks, current, in_details, in_math = [], [], False, False

    def close():
        if current:
            blocks.append("\n".join(current))
            current.clear()

    for line in source.splitlines():
        stripped = line.strip()
        if in_details:
            current.append(line)
            if "</details>" in stripped:
                in_details = False
                close()
            continue
        if in_math:
            current.append(line)
            if stripped.endswith("$$"):
                in_math = False
                close()
            continue
        if stripped.startswith("<details"):
            close()
            current.append(line)
            in_details = "</details>" not in stripped
            if not in_details:
                close()
        elif stripped.startswith("$$"):
            close()
            current.append(line)
            in_math = not (stripped.endswith("$$") and len(stripped) > 2)
            if not in_math:
                close()
        elif not stripped:
            close()
        elif stripped.startswith("#"):
            close()
            blocks.append(line)
        elif re.match(r"([-*+]|\d+\.)\s", stripped):
            close()
            current.append(line)
        elif stripped.startswith("|"):
            if current and not current[-1].strip().startswith("|"):
                close()
            current.append(line)
        else:
            if current and current[-1].strip().startswith("|"):
                close()
            current.append(line)
    close()
    return blocks


def fold_details(block):
    """A `<details>` hint as one HTML block, its body rendered here: the deck's markdown renderer would close the
    `<details>` element before the body and show the hint open under an empty summary."""
    from nbconvert.filters.markdown import markdown2html

    match = re.fullmatch(r"(?s)\s*<details[^>]*>\s*(<summary>.*?</summary>)(.*?)</details>\s*", block)
    if match is None:
        return block
    body = "\n".join(line for line in markdown2html(match.group(2).strip()).splitlines() if line.strip())
    return f"<details>{match.group(1)}\n{body}\n</details>"


def visible_text(markdown):
    text = re.sub(r"`([^`]*)`", lambda code: code.group(1) + " " * (len(code.group(1)) // 3), markdown)  # wider
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links show their text only
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[`*_]|\\[a-z]+", "", text)


def block_height(block):
    first = block.lstrip()
    if first.startswith("#"):
        level = len(first) - len(first.lstrip("#"))
        font = HEADING_FONTS.get(level, 26)
        return HEADINGS.get(level, 40) * max(1, math.ceil(len(visible_text(first)) / (TEXT_CHARS * 24 / font)))
    if first.startswith("<details"):
        return TEXT_LINE + 16  # closed: its summary only
    if first.startswith("$$"):
        return 70
    if first.startswith("|"):
        return block.count("\n") * 40 + 40
    image = re.search(r"!\[[^\]]*\]\(([^)\s]+)", block)
    if image:
        return FIGURE_MAX
    if re.match(r"([-*+]|\d+\.)\s", first):
        return text_lines(visible_text(" ".join(block.splitlines())), TEXT_CHARS - 6) * TEXT_LINE + GAP + 10
    return text_lines(visible_text(" ".join(block.splitlines())), TEXT_CHARS) * TEXT_LINE + GAP


def split_paragraph(block):
    """A paragraph too tall for one slide, as pieces of whole lines (sentences)."""
    pieces, current = [], []
    for line in block.splitlines():
        if current and block_height("\n".join(current + [line])) > BUDGET - 80:
            pieces.append("\n".join(current))
            current = []
        current.append(line)
    return pieces + ["\n".join(current)]


def heading_of(block):
    match = re.match(r"\s*(#{1,4})\s+(.*)", block)
    return (len(match.group(1)), match.group(2).strip()) if match else None


# --- code -------------------------------------------------------------------------------------------------------

def _breaks(line, depth=0):
    """Where ``line`` may break without changing its meaning, as (position, bracket depth): after a comma or an
    operator's space, inside brackets and outside strings (Python continues such lines implicitly). ``depth``: the
    brackets open before the line starts."""
    places, quote = [], None
    for at, char in enumerate(line):
        if quote:
            quote = None if char == quote and line[at - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char == "#":
            break
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == " " and depth > 0 and at > 0 and line[at - 1] in ",=+-*/<>:":
            places.append((at + 1, depth))
    return places


def wrap_line(line, width=CODE_CHARS, depth=0):
    """``line`` as lines of at most ``width`` characters where it can break (see _breaks; the outermost brackets
    first), continuation lines indented four spaces deeper; a long comment wraps as comment lines; what cannot
    break (a long string) is left to the slide, which wraps it."""
    indent = line[:len(line) - len(line.lstrip())]
    if len(line) <= width:
        return [line]
    text = line.strip()
    if text.startswith("#"):
        words, lines = text.lstrip("# ").split(" "), [indent + "#"]
        for word in words:
            if len(lines[-1]) + 1 + len(word) > width and lines[-1].strip() != "#":
                lines.append(indent + "#")
            lines[-1] += " " + word
        return lines
    code, hash_, comment = line.partition("  # ")
    if hash_ and code.count('"') % 2 == 0 and code.count("'") % 2 == 0:  # a trailing comment: on its own line above
        return wrap_line(f"{indent}# {comment}", width) + wrap_line(code.rstrip(), width, depth)
    fits = [(at, level) for at, level in _breaks(line, depth) if at <= width]
    if not fits:
        return [line]
    outer = min(level for _, level in fits)
    at, level = [place for place in fits if place[1] == outer][-1]
    rest = (indent if depth else indent + "    ") + line[at:].lstrip()
    return [line[:at].rstrip()] + wrap_line(rest, width, level)


def wrap_code(code, width=CODE_CHARS):
    return "\n".join(piece for line in code.splitlines() for piece in wrap_line(line, width))


def code_height(code):
    return text_lines(code, CODE_CHARS) * CODE_LINE + 16 + GAP


def split_code(code, budget=BUDGET - 60, first=None):
    """Code too tall for one slide, as pieces that end at blank lines (between statements) where possible; the first
    piece within ``first`` (the room left on the current slide), when given."""
    lines = code.splitlines()
    pieces, start = [], 0
    while start < len(lines):
        limit, first = first or budget, None
        end = start
        while end < len(lines) and code_height("\n".join(lines[start:end + 1])) <= limit:
            end += 1
        end = max(end, start + 1)
        if end < len(lines):
            blanks = [k for k in range(start + 1, end) if not lines[k].strip()]
            top = [k for k in range(start + 1, end) if lines[k][:1] not in (" ", ")", "]", "}", "")]
            if blanks and blanks[-1] > start + (end - start) // 3:
                end = blanks[-1]
            elif top and top[-1] > start + (end - start) // 3:
                end = top[-1]
        pieces.append("\n".join(lines[start:end]).strip("\n"))
        start = end
        while start < len(lines) and not lines[start].strip():
            start += 1
    return [piece for piece in pieces if piece]


# --- the deck ---------------------------------------------------------------------------------------------------

class Deck:
    """Slides as lists of cells, filled in order; a cell that does not fit opens a sub-slide below."""

    def __init__(self):
        self.slides = []  # each: {"kind": "slide" or "subslide", "cells": [...], "height": px, "notes", "said"}
        self.section = self.heading = None  # the last heading of level 1 or 2, and of level 1 to 3

    def open(self, kind, continued=False):
        """Start a slide (kind "slide") or a sub-slide; a slide that holds nothing yet (or only the heading it
        continues) is reused rather than left empty."""
        notes = []
        if self.fresh() and self.slides:
            kind = "slide" if "slide" in (kind, self.slides[-1]["kind"]) else kind
            notes = self.slides.pop()["notes"]
        kind = "slide" if not self.slides else kind
        self.slides.append({"kind": kind, "cells": [], "height": 0, "notes": notes, "said": []})
        if continued and self.heading:
            self.add(md_cell(f"### {self.heading} (continued)", tags=["deck-continued"]), HEADINGS[3])

    def fresh(self):
        """Does the current slide hold nothing yet, or only the heading it continues?"""
        return not self.slides or all("deck-continued" in tags(c) for c in self.slides[-1]["cells"])

    def room(self):
        return BUDGET - self.slides[-1]["height"] if self.slides else 0

    def add(self, cell, height, fragment=False, continued=True):
        if not self.slides:
            self.open("slide")
        if height > self.room() and self.slides[-1]["cells"]:
            self.open("subslide", continued=continued)
        slide = self.slides[-1]
        cell.metadata["slideshow"] = nbformat.NotebookNode(slide_type="fragment" if fragment else "-")
        slide["cells"].append(cell)
        slide["height"] += height

    def put(self, cell, height, prose, fragment=False):
        """Add ``cell`` and note the prose around it for the presenter."""
        self.add(cell, height, fragment=fragment)
        self.say(prose)

    def say(self, prose):
        """Prose the presenter may read on the current slide (the notebook's text around what it shows)."""
        if self.slides and prose and prose not in self.slides[-1]["said"]:
            self.slides[-1]["said"].append(prose)

    def cells(self):
        cells = []
        for slide in self.slides:
            if not slide["cells"]:
                continue
            slide["cells"][0].metadata["slideshow"]["slide_type"] = slide["kind"]
            cells += slide["cells"]
            notes = "\n\n".join(slide["notes"] or slide["said"])
            if notes:  # headings become bold lines: the speaker view shows the notes in small type
                cells.append(md_cell(re.sub(r"(?m)^#{1,6}\s+(.*)$", r"**\1**", notes), slide_type="notes"))
        return cells


def md_cell(source, slide_type="-", tags=()):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["slideshow"] = nbformat.NotebookNode(slide_type=slide_type)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code_cell(source, outputs=(), tags=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    if not source:
        cell.metadata["transient"] = {"remove_source": True}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def place_markdown(deck, cell, fragment):
    for number, block in enumerate(markdown_blocks(cell.source)):
        heading = heading_of(block)
        if heading and heading[0] <= 3:
            deck.heading = heading[1]
            deck.section = heading[1] if heading[0] <= 2 else deck.section
        if heading and heading[0] <= 3 and not deck.fresh():
            deck.open("subslide")  # a new heading starts a slide of its own
        pieces = split_paragraph(block) if block_height(block) > BUDGET - 80 else [block]
        for piece in pieces:
            deck.add(md_cell(fold_details(piece)), block_height(piece), fragment=fragment and number == 0,
                     continued=not heading)
            deck.say(cell.source)


def output_pieces(output):
    """``output`` as outputs that each fit a slide: long tables and long text are split."""
    data = output.get("data", {})
    page = data.get("text/html", "")
    if "<table" in page and "course-static-widget" not in page:
        return [nbformat.v4.new_output("display_data", data={"text/html": piece})
                for piece in split_table(page, rows_per_slide=TABLE_ROWS)]
    if output.get("output_type") == "stream" and output_height(output) > BUDGET - 60:
        return [nbformat.v4.new_output("stream", name=output["name"], text=piece + "\n")
                for piece in split_code(output["text"].rstrip("\n"))]
    return [output]


def first_output_height(output):
    if "image/png" in output.get("data", {}):
        return min(FIGURE_MIN, figure_height(output)) + GAP
    return output_height(output_pieces(output)[0])


def place_code(deck, code, outputs, prose, fragment=False, tag=()):
    """Code (split at blank lines when long), then its outputs; a figure gets the room left on the slide, shrunk
    no further than FIGURE_MIN (then it opens a sub-slide)."""
    room = deck.room() - GAP  # code that needs several slides anyway starts in the room left on this one
    long = code_height(code) > BUDGET - 60 and room >= 8 * CODE_LINE
    pieces = split_code(code, first=room if long else None) if code else []
    for number, piece in enumerate(pieces):
        height = code_height(piece)
        if number == len(pieces) - 1 and outputs:  # the last piece of code stays with the start of its output
            together = height + first_output_height(outputs[0])
            if height <= deck.room() < together <= BUDGET - HEADINGS[3]:
                deck.open("subslide", continued=True)
        deck.put(code_cell(piece, tags=tag), height, prose, fragment)
        fragment = False
    for output in outputs:
        if "image/png" in output.get("data", {}):
            if deck.room() - GAP < min(FIGURE_MIN, figure_height(output)):
                deck.open("subslide", continued=True)
            height = min(figure_height(output), deck.room() - GAP)
            figure = nbformat.v4.new_output("display_data", data={"text/html": figure_html(output, height)})
            deck.put(code_cell("", [figure], tags=tag), height + GAP, prose, fragment)
        elif "course-static-widget" in output.get("data", {}).get("text/html", ""):
            deck.open("subslide")  # a slide of its own, all of it for the widget's pages
            deck.put(code_cell("", [output], tags=tag), output_height(output), prose, fragment)
        else:
            for piece in output_pieces(output):
                deck.put(code_cell("", [piece], tags=tag), output_height(piece), prose, fragment)
        fragment = False


def is_exercise(cell):
    return cell.cell_type == "code" and any(line.strip() == BEGIN for line in cell.source.splitlines())


def deck_cells(nb, student=False):
    """The cells of the deck made from ``nb``: shown cells split to fit, with slide types and speaker notes set."""
    deck, prose, solution = Deck(), "", None
    for cell in nb.cells:
        kind = slide_type(cell)
        if cell.cell_type == "markdown" and (kind == "notes" or NOTES_TAG in tags(cell)):
            if deck.slides:
                deck.slides[-1]["notes"].append(cell.source)
            continue
        if INSTRUCTOR_ONLY in tags(cell) or (student and SOLUTION_TAG in tags(cell)):
            continue  # about the notebook's edition, not for the class; or an exercise's answer
        if solution is not None and cell.cell_type == "code" and only_checks(cell) and not student:
            # the checker's verdict on the solution, under it
            place_code(deck, "", visible_outputs(cell), prose, fragment=True, tag=["deck-solution"])
            solution = None
            continue
        solution = None
        if not shown(cell):
            continue
        if kind in ("slide", "subslide"):
            deck.open(kind)
            deck.heading = deck.section
        fragment = kind == "fragment"
        if cell.cell_type == "markdown":
            prose = cell.source
            place_markdown(deck, cell, fragment)
        elif cell.cell_type == "code" and is_exercise(cell):
            skeleton, _ = replace_solutions(cell.source)
            place_code(deck, strip_code(skeleton), [], prose, fragment)
            if not student:
                deck.open("subslide")
                deck.add(md_cell("### Solution", tags=["deck-solution"]), HEADINGS[3])
                place_code(deck, strip_code(cell.source), [], prose, tag=["deck-solution"])
                solution = cell
        elif cell.cell_type == "code":
            place_code(deck, strip_code(cell.source), visible_outputs(cell), prose, fragment)
    return deck.cells()


def deck_notebook(nb, student=False):
    """A copy of ``nb`` whose cells are the deck's (see deck_cells); widget state is dropped."""
    deck = copy.deepcopy(nb)
    deck.metadata.pop("widgets", None)
    deck.cells = deck_cells(nb, student=student)
    return deck

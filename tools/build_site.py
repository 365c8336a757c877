"""`make site`: the whole course as a static website in build/site/, opened from disk with no network.

Sphinx with MyST-NB renders the notebooks with their committed outputs (nothing is executed). Each widget shows the
kernel-free version it saved beside its live view (as in the slide decks); math is typeset by a local copy of
MathJax, the one the decks use. The home page says what the course teaches and for whom, lists the notebooks by title
and tells how to run the course and open the decks. Exercises show the student edition's code with the solution
folded under "Show solution". Pages have the notebook's title and links to the previous and next notebook.
Usage: python -m tools.build_site [--out build/site]
"""
import argparse
import copy
import html
import pathlib
import shutil
import subprocess
import sys

import nbformat

from tools import build_slides as slides
from tools import student_edition as student

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "build" / "site"
SOURCE_DIR = ROOT / "build" / "site_source"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MATHJAX = [(source, target) for source, target in slides.VENDOR_FILES if target.startswith("mathjax/")]

CONF = '''
project = "Classic CNNs and ResNets"
author = "the course team"
extensions = ["myst_nb"]
nb_execution_mode = "off"  # the committed outputs, as nbval checks them
myst_enable_extensions = ["dollarmath", "amsmath"]
html_theme = "alabaster"
pygments_style = "xcode"  # every colour at least 4.5:1 on the code's background (alabaster's green is 3.2:1)
html_theme_options = {"show_relbars": True, "show_powered_by": False}  # "previous"/"next" at the top and bottom
html_title = project
html_sidebars = {"**": ["navigation.html", "relations.html"]}
html_static_path = ["_static"]
html_css_files = ["course.css"]
mathjax_path = "mathjax/tex-chtml-full.js"  # the local copy in _static: no network
html_show_sourcelink = False
html_show_copyright = False
html_copy_source = False
exclude_patterns = ["_build"]
suppress_warnings = ["mystnb.unknown_mime_type"]
'''


# On a phone's screen: saved widgets fit (the slider and drawings of outputs saved with a fixed width shrink too).
CSS = """.course-static-widget input[type=range], .course-static-widget svg { max-width: 100%; }
div.cell_output { overflow-x: auto; }  /* wide tables scroll inside the output, not the page */
code.literal span.pre { white-space: normal; overflow-wrap: anywhere; }
.course-static-widget svg { height: auto; }
details.course-solution { border-left: 3px solid #888; padding-left: 0.5em; }
"""


class SiteError(RuntimeError):
    """A problem the person building the site can fix; the message says how."""


def title_and_line(nb):
    """A notebook's title (its first ``# `` line, without the ``# ``) and the line under it."""
    lines = nb.cells[0].source.splitlines() + [""]
    return lines[0].lstrip("# ").strip(), lines[1].strip()


def home_page(notebooks=NOTEBOOKS):
    """The site's home page (MyST markdown): what the course teaches and for whom, the notebooks by title, how to run
    it and how to open the decks.  What a student learns and needs comes from notebook 00's second cell."""
    books = [nbformat.read(path, as_version=4) for path in notebooks]
    about = books[0].cells[1].source.strip()
    about = about.split("**Run time:**")[0].strip()
    items = "\n".join(f"- [{title}](notebooks/{path.stem}.ipynb): {line}"
                      for path, (title, line) in zip(notebooks, map(title_and_line, books)))
    toctree = "\n".join(f"notebooks/{path.stem}" for path in notebooks)
    return f"""# Classic CNNs and ResNets

A one-week course on the convolutional networks that shaped deep learning: LeNet-5, AlexNet, VGG-16, residual
networks and 1x1 convolutions, each written out in Keras, trained on real data and measured on a laptop CPU.
It is for students who have trained a small network before and want to know why these designs work.

{about}

## The notebooks

{items}

Each page shows a notebook as it ran in the course's tests, outputs included.
The sliders step through pages saved with the notebook, so they work here without Python.
Exercises show their starting code; each solution is folded under **Show solution**: try the exercise first.

## Run the course on your machine

You need Linux or macOS with Python 3.11 and `make`. In a copy of the course:

```bash
make lab    # opens your own copy of the notebooks (my_notebooks/) in JupyterLab; the first run installs the course
make test   # runs every unit test and every notebook
```

In JupyterLab, run each notebook from the top (**Kernel → Restart Kernel and Run All Cells**): the sliders then
move live, and the exercise cells wait for your answers.

## Slides

`make slides` writes one slide deck per notebook into `build/slides/`: open `build/slides/index.html` in a browser,
no network needed.
In a deck the arrow keys move, `s` opens the speaker notes, `f` goes full screen and `Esc` shows the overview.

```{{toctree}}
:hidden:
:maxdepth: 1

{toctree}
```
"""


def fold_solutions(nb):
    """A copy of ``nb`` for a student's page: each exercise cell shows the student edition's code, and the solution
    follows in a markdown cell, folded under "Show solution" (without the solution markers); cells tagged
    instructor-only are left out."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if student.INSTRUCTOR_ONLY in cell.metadata.get("tags", []):
            continue
        cells.append(cell)
        if cell.cell_type == "code" and student.BEGIN in cell.source:
            solution = "\n".join(line for line in cell.source.splitlines()
                                  if line.strip() not in (student.BEGIN, student.END))
            cell.source = student.replace_solutions(cell.source)[0]
            cells.append(nbformat.v4.new_markdown_cell(
                f"<details class=\"course-solution\"><summary>Show solution</summary>\n\n"
                f"```python\n{solution}\n```\n\n</details>", metadata={"slideshow": {"slide_type": "skip"}}))
    nb.cells = cells
    return nb


def alt_images(nb):
    """Show each plot as an ``<img>`` whose alt text is the one ``cu.setup()`` stored with it (the plot's titles);
    outputs made before it stored any get a generic one."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data and "text/html" not in data:
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "A plot (no title was stored)")
                data["text/html"] = (f'<img src="data:image/png;base64,{data["image/png"].strip()}" '
                                     f'alt="{html.escape(alt)}">')
    return nb


def prepare(source=SOURCE_DIR, npm_dir=slides.NPM_DIR):
    """Write the site's sources into ``source``: conf.py, the index, the notebooks fit for a static page, images/ and
    MathJax in _static/."""
    shutil.rmtree(source, ignore_errors=True)
    (source / "notebooks").mkdir(parents=True)
    (source / "conf.py").write_text(CONF)
    (source / "index.md").write_text(home_page())
    for path in NOTEBOOKS:
        nb = alt_images(fold_solutions(slides.deck_notebook(nbformat.read(path, as_version=4))))
        nbformat.write(nb, source / "notebooks" / path.name)
    shutil.copytree(ROOT / "images", source / "images")
    (source / "_static").mkdir()
    (source / "_static" / "course.css").write_text(CSS)
    slides.copy_vendor(slides.install_vendor(npm_dir=npm_dir), source / "_static", files=MATHJAX)
    return source


def build(out_dir=OUT_DIR, source=SOURCE_DIR, npm_dir=slides.NPM_DIR):
    """Build the site into ``out_dir``; returns the path of its index.html."""
    prepare(source, npm_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
                           str(source), str(out_dir)], capture_output=True, text=True)
    if done.returncode:
        raise SiteError(f"Sphinx could not build the site (exit {done.returncode}):\n{done.stderr[-3000:]}\n"
                        f"Check that `make install` finished and that every notebook is valid JSON.")
    for page in out_dir.rglob("*.html"):  # code and outputs that scroll sideways can be scrolled by keyboard
        text = page.read_text().replace("<pre>", '<pre tabindex="0">')
        page.write_text(text.replace('<div class="cell_output docutils container">',
                                     '<div class="cell_output docutils container" tabindex="0">'))
    return out_dir / "index.html"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    try:
        index = build(args.out)
    except (SiteError, slides.SlidesError) as err:
        sys.exit(f"make site: {err}")
    print(f"The course site is in {args.out}/: open {index} in a browser (no server or network needed).")


if __name__ == "__main__":
    main()

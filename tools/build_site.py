"""`make site`: the whole course as a static website in build/site/, opened from disk with no network.

Sphinx with MyST-NB renders the notebooks with their committed outputs (nothing is executed). Each widget shows the
kernel-free version it saved beside its live view (as in the slide decks); math is typeset by a local copy of
MathJax, the one the decks use; the index page is the README's course map. Pages have the notebook's title and links
to the previous and next notebook.
Usage: python -m tools.build_site [--out build/site]
"""
import argparse
import pathlib
import shutil
import subprocess
import sys

import nbformat

from tools import build_slides as slides

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
html_theme_options = {"show_relbars": True, "show_powered_by": False}  # "previous"/"next" at the top and bottom
html_title = project
html_sidebars = {"**": ["navigation.html", "relations.html"]}
html_static_path = ["_static"]
mathjax_path = "mathjax/tex-chtml-full.js"  # the local copy in _static: no network
html_show_sourcelink = False
html_copy_source = False
exclude_patterns = ["_build"]
suppress_warnings = ["mystnb.unknown_mime_type"]
'''


class SiteError(RuntimeError):
    """A problem the person building the site can fix; the message says how."""


def course_map(readme):
    """The README's notebook table, with links to the pages, as the site's index page (MyST markdown)."""
    lines = readme.read_text().splitlines()
    table = [line for line in lines[lines.index("| notebook | topic |"):] if line.startswith("|")]
    rows = []
    for line in table:
        for path in NOTEBOOKS:
            line = line.replace(f"`notebooks/{path.name}`", f"[{path.stem}](notebooks/{path.stem}.ipynb)")
        rows.append(line)
    toctree = "\n".join(f"notebooks/{path.stem}" for path in NOTEBOOKS)
    return (f"# {lines[0].lstrip('# ')}\n\n" + "\n".join(rows) + "\n\n"
            "Every notebook as it ran in the course's tests: outputs included, widgets stepped without a kernel.\n\n"
            f"```{{toctree}}\n:maxdepth: 1\n\n{toctree}\n```\n")


def prepare(source=SOURCE_DIR, npm_dir=slides.NPM_DIR):
    """Write the site's sources into ``source``: conf.py, the index, the notebooks fit for a static page, images/ and
    MathJax in _static/."""
    shutil.rmtree(source, ignore_errors=True)
    (source / "notebooks").mkdir(parents=True)
    (source / "conf.py").write_text(CONF)
    (source / "index.md").write_text(course_map(ROOT / "README.md"))
    for path in NOTEBOOKS:
        nbformat.write(slides.deck_notebook(nbformat.read(path, as_version=4)), source / "notebooks" / path.name)
    shutil.copytree(ROOT / "images", source / "images")
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

"""`make html`: an HTML file per notebook in build/html/, for a learning platform, that opens offline.

Each export shows the committed outputs with the widgets in their kernel-free version, the solutions folded under
"Show solution" (as on the site), code coloured at 4.5:1 contrast or more, plots with their title as alt text, and
maths typeset by the local MathJax beside the files (the decks' copy). Nothing is loaded from the network.
Usage: python -m tools.build_html [--out build/html] [notebooks/02_resnets.ipynb ...]
"""
import argparse
import pathlib
import sys

import nbformat
from traitlets.config import Config

from tools import build_site as site
from tools import build_slides as slides

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "build" / "html"
TEMPLATES = ROOT / "tools" / "html" / "templates"
CODE_STYLE = "xcode"  # the Pygments style with every colour at 4.5:1 or more (nbconvert's default has 4.2:1)


def exporter():
    from nbconvert import HTMLExporter

    config = Config()
    config.CSSHTMLHeaderPreprocessor.style = CODE_STYLE
    return HTMLExporter(config=config, extra_template_basedirs=[str(TEMPLATES)], template_name="course_html",
                        exclude_input_prompt=True, exclude_output_prompt=True)


def export(path, out_dir=OUT_DIR):
    """Write ``out_dir/<name>.html`` for the notebook at ``path``; return its path (MathJax must be in out_dir)."""
    path = pathlib.Path(path)
    nb = site.alt_images(site.fold_solutions(slides.deck_notebook(nbformat.read(path, as_version=4))))
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem, "path": str(path.parent)}})
    page = pathlib.Path(out_dir) / f"{path.stem}.html"
    page.write_text(body, encoding="utf-8")
    return page


def build(notebooks=site.NOTEBOOKS, out_dir=OUT_DIR, npm_dir=slides.NPM_DIR):
    """Export every notebook into ``out_dir`` beside a local MathJax; return the exports' paths."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    slides.copy_vendor(slides.install_vendor(npm_dir=npm_dir), out_dir, files=site.MATHJAX)
    return [export(path, out_dir) for path in notebooks]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, default=site.NOTEBOOKS)
    parser.add_argument("--out", type=pathlib.Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    try:
        pages = build(args.notebooks, args.out)
    except slides.SlidesError as err:
        sys.exit(f"make html: {err}")
    print(f"{len(pages)} exports in {args.out}/ (upload the whole folder: the mathjax/ folder typesets the maths).")


if __name__ == "__main__":
    main()

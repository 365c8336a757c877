"""Build reveal.js slide decks of the executed notebooks into build/slides/ (`make slides`); they work offline.

Each notebook becomes two decks, laid out for a lecture hall by tools/slide_layout.py: the instructor's
`<name>.slides.html` (exercise solutions on the sub-slide below each question) and the student's
`student/<name>.slides.html` (no solutions), beside a local copy of reveal.js and MathJax, so the folder opens from
disk with no network at all. The copies come from the npm registry (tools/slides/package.json, pinned in its
package-lock.json), installed once with `npm ci` into build/npm/.
The decks show the outputs committed in the notebooks; `--present` first re-executes a copy of each notebook with
COURSE_PRESENT=1 (projector-sized plots) without touching the notebooks themselves.

Usage: python -m tools.build_slides [--out build/slides] [--edition both|instructor|student] [--present]
       notebooks/00_index.ipynb [...]
"""
import argparse
import copy
import functools
import html
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat

from tools import slide_layout
from tools.slide_layout import HEIGHT, WIDTH

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "tools" / "slides"
TEMPLATES = PACKAGE_DIR / "templates"
NPM_DIR = ROOT / "build" / "npm"
OUT_DIR = ROOT / "build" / "slides"
# What each deck needs from the npm packages, copied beside the decks: (source in node_modules, target in out).
VENDOR_FILES = [
    ("reveal.js/dist", "reveal.js/dist"),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes"),
    ("reveal.js/LICENSE", "reveal.js/LICENSE"),
    ("mathjax/es5/tex-chtml-full.js", "mathjax/tex-chtml-full.js"),
    ("mathjax/es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
]


class SlidesError(RuntimeError):
    """A problem the person building the slides can fix; the message says how."""


def install_vendor(npm_dir=NPM_DIR, package_dir=PACKAGE_DIR):
    """Install the pinned reveal.js and MathJax with `npm ci` into ``npm_dir`` (once); return its node_modules."""
    npm_dir, package_dir = pathlib.Path(npm_dir), pathlib.Path(package_dir)
    modules = npm_dir / "node_modules"
    lock = (package_dir / "package-lock.json").read_bytes()
    installed = npm_dir / "package-lock.json"
    if (modules / ".package-lock.json").exists() and installed.exists() and installed.read_bytes() == lock:
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise SlidesError("npm is not installed, and the decks need a local copy of reveal.js from the npm registry. "
                          "Install Node.js 18 or newer (it includes npm), then run `make slides` again.")
    npm_dir.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(package_dir / name, npm_dir / name)
    cache = ROOT / ".cache" / "npm"  # like the other tools' caches: inside the repo, git-ignored
    env = dict(os.environ, npm_config_cache=str(cache), npm_config_logs_dir=str(cache / "_logs"),
               npm_config_update_notifier="false")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=npm_dir, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        installed.unlink(missing_ok=True)
        raise SlidesError(f"`npm ci` failed in {npm_dir} (it needs the npm registry once):\n{done.stderr.strip()}")
    return modules


def copy_vendor(modules, out_dir, files=VENDOR_FILES):
    """Copy ``files`` (default: reveal.js and MathJax) from ``modules`` into ``out_dir``, replacing only those copies."""
    for source, target in files:
        source, target = pathlib.Path(modules) / source, pathlib.Path(out_dir) / target
        if not source.exists():
            raise SlidesError(f"{source} is missing: delete {pathlib.Path(modules).parent} and run `make slides` "
                              f"again.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
        else:
            shutil.copyfile(source, target)


def deck_notebook(nb):
    """A copy of ``nb`` fit for a static page (tools/build_site.py uses it): each widget output shows the kernel-free
    version it saved, a widget without one (a progress bar) is left out, and widget state is dropped."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [out for out in map(slide_layout.static_output, cell.outputs) if out is not None]
    return nb


def execute_present(nb, path):
    """Execute ``nb`` (a copy of the notebook at ``path``) in a fresh kernel with COURSE_PRESENT=1."""
    from nbclient.exceptions import CellExecutionError

    from tools.run_notebook import execute

    print(f"{path}: executing a copy with COURSE_PRESENT=1 ...", flush=True)
    try:
        execute(nb, path.parent, env={"COURSE_PRESENT": "1"})
    except CellExecutionError as err:
        raise SlidesError(f"{path} failed while executing with COURSE_PRESENT=1: {err.ename}: {err.evalue} "
                          f"(`make slides PRESENT=1` sets COURSE_DATA_DIR like `make test`; check that "
                          f"`make notebooks NB={path}` works).") from None
    return nb


@functools.cache
def exporter(prefix=""):
    """nbconvert's reveal.js exporter with the course's template; ``prefix`` leads to reveal.js and MathJax."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    from tools.build_html import CODE_STYLE

    config = Config()
    config.CSSHTMLHeaderPreprocessor.style = CODE_STYLE  # code colours at 4.5:1 or more, as on the site and exports
    return SlidesExporter(
        config=config, extra_template_basedirs=[str(TEMPLATES)], template_name="course_reveal",
        reveal_url_prefix=f"{prefix}reveal.js", reveal_theme="white", reveal_number="c/t", reveal_width=str(WIDTH),
        reveal_height=str(HEIGHT), embed_images=True, exclude_input_prompt=True, exclude_output_prompt=True)


def load(path, present=False):
    """The notebook at ``path``, re-executed first (a copy) with COURSE_PRESENT=1 when ``present``."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise SlidesError(f"{path}: no such notebook. Pass notebook files such as notebooks/00_index.ipynb.")
    nb = nbformat.read(path, as_version=4)
    if present:
        nb = execute_present(nb, path)
    elif not any(cell.get("outputs") for cell in nb.cells):
        print(f"{path}: no outputs; run `make notebooks NB={path}` first for a deck with results.", file=sys.stderr)
    return nb


def write_deck(nb, path, out_dir, student=False):
    """Write the deck of ``nb`` (read from ``path``) as ``out_dir/<name>.slides.html``, or for the student edition
    ``out_dir/student/<name>.slides.html``; return its path.

    The instructor's deck shows each exercise's solution on a sub-slide below the question, the student's does not.
    """
    path, prefix = pathlib.Path(path), "../" if student else ""
    out_dir = pathlib.Path(out_dir) / ("student" if student else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    resources = {"metadata": {"name": path.stem, "path": str(path.parent)}, "course_mathjax_prefix": f"{prefix}mathjax"}
    body, _ = exporter(prefix).from_notebook_node(slide_layout.deck_notebook(nb, student=student),
                                                resources=resources)
    deck = out_dir / f"{path.stem}.slides.html"
    deck.write_text(body, encoding="utf-8")
    return deck


def build_deck(path, out_dir, present=False, student=False):
    """Write one deck of the notebook at ``path`` into ``out_dir`` (see write_deck); return its path."""
    return write_deck(load(path, present), path, out_dir, student=student)


def write_contents(out_dir):
    """A small index.html linking every deck in ``out_dir``, instructor's and student's."""
    out_dir = pathlib.Path(out_dir)

    def items(folder):
        return "\n".join(f'<li><a href="{html.escape(d.relative_to(out_dir).as_posix())}">'
                         f'{html.escape(d.stem.removesuffix(".slides"))}</a></li>'
                         for d in sorted(folder.glob("*.slides.html")))

    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Course slides</title></head>\n'
            f"<body>\n<h1>Course slides</h1>\n<h2>Instructor's decks (exercise solutions on the sub-slide below each "
            f"question)</h2>\n<ul>\n{items(out_dir)}\n</ul>\n<h2>Student's decks (no solutions)</h2>\n"
            f"<ul>\n{items(out_dir / 'student')}\n</ul>\n"
            f"<p>Keys: arrows to move, <kbd>s</kbd> for speaker notes, <kbd>f</kbd> for full screen, "
            f"<kbd>Esc</kbd> for the overview.</p>\n</body>\n</html>\n")
    (out_dir / "index.html").write_text(page, encoding="utf-8")


EDITIONS = {"both": (False, True), "instructor": (False,), "student": (True,)}


def build(notebooks, out_dir=OUT_DIR, present=False, npm_dir=NPM_DIR, edition="both"):
    """Build the decks of ``notebooks`` into ``out_dir`` (the student's in ``out_dir/student``) with local reveal.js
    and MathJax; return the decks' paths."""
    out_dir = pathlib.Path(out_dir)
    modules = install_vendor(npm_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_vendor(modules, out_dir)
    decks = []
    for path in notebooks:
        nb = load(path, present)
        decks += [write_deck(nb, path, out_dir, student=student) for student in EDITIONS[edition]]
    write_contents(out_dir)
    return decks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=OUT_DIR, help="output folder (default build/slides)")
    parser.add_argument("--edition", choices=sorted(EDITIONS), default="both",
                        help="instructor (solutions), student (no solutions, into OUT/student) or both (default)")
    parser.add_argument("--present", action="store_true",
                        help="re-execute a copy of each notebook with COURSE_PRESENT=1 first (larger plots)")
    args = parser.parse_args(argv)
    try:
        decks = build(args.notebooks, args.out, present=args.present, edition=args.edition)
    except SlidesError as err:
        sys.exit(f"make slides: {err}")
    for deck in decks:
        print(f"{deck.relative_to(ROOT) if deck.is_relative_to(ROOT) else deck}")
    print(f"Open {args.out / 'index.html'} in a browser (works offline).")


if __name__ == "__main__":
    main()

"""The student edition of the notebooks: `make lab` and `make student` keep it in my_notebooks/, the student's own copy.

In each code cell, every span from a `### BEGIN SOLUTION` line to its `### END SOLUTION` line is replaced:
- inside a function body (an exercise that writes code), by one line `raise NotImplementedError("Exercise: ...")`,
  indented like the BEGIN line, with the text of the span's first line `# Exercise: <what to do>`;
- at the top level of a cell (a predict-then-check exercise: the student writes numbers before a cell measures
  them), by that `# Exercise:` line and `name = ...` for each name the span assigns.
Cells tagged `instructor-only` are left out, and outputs are cleared; every other cell is kept as it is.

my_notebooks/ belongs to the student: a notebook is written there only when it is missing.  When the course
changes, the new version of a notebook is written beside the student's as `<name>.new.ipynb`, never over it, and
a `.new.ipynb` is itself replaced only while nobody has edited its code.  Nothing else in the folder is touched.
Usage: python -m tools.student_edition [--out my_notebooks] notebooks/01_classic_networks.ipynb [...]
"""
import argparse
import ast
import base64
import copy
import hashlib
import json
import mimetypes
import os
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "my_notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE = re.compile(r"#\s*Exercise:\s*(\S.*?)\s*$")
MARKER = "student_edition"  # notebook metadata key written on every generated notebook
INSTRUCTOR_ONLY = "instructor-only"  # cell tag: the cell is left out of the student edition
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")


class SpanError(ValueError):
    """A malformed solution span; the message names the notebook, the cell and the line, and says how to fix it."""


def _indent(line):
    return line[:len(line) - len(line.lstrip(" \t"))]


def replace_solutions(source, where="cell"):
    """Return ``(skeleton, exercises)``: ``source`` with each solution span replaced.

    A span inside a function becomes a ``raise NotImplementedError`` line; a span at the top level of the cell (a
    prediction) becomes its ``# Exercise:`` line and ``name = ...`` for each name it assigns.
    ``exercises`` lists the span texts ("Exercise: ..."), in order. ``where`` names the cell in error messages.

    >>> code = ("def double(x):\\n    ### BEGIN SOLUTION\\n    # Exercise: return twice x.\\n"
    ...         "    return 2 * x\\n    ### END SOLUTION\\n")
    >>> print(replace_solutions(code)[0], end="")
    def double(x):
        raise NotImplementedError("Exercise: return twice x.")
    >>> code = "### BEGIN SOLUTION\\n# Exercise: predict the side.\\nside = (32 - 5) // 1 + 1\\n### END SOLUTION\\n"
    >>> print(replace_solutions(code)[0], end="")
    # Exercise: predict the side.
    side = ...
    """
    lines = source.splitlines(keepends=True)
    out, exercises, number = [], [], 0
    while number < len(lines):
        line = lines[number]
        if line.strip() == END:
            raise SpanError(f"{where}, line {number + 1}: `{END}` without a `{BEGIN}` before it. "
                            f"Add the missing `{BEGIN}` line or delete this one.")
        if line.strip() != BEGIN:
            out.append(line)
            number += 1
            continue
        begin = number
        end = next((k for k in range(begin + 1, len(lines)) if lines[k].strip() in (BEGIN, END)), None)
        if end is None:
            raise SpanError(f"{where}, line {begin + 1}: `{BEGIN}` without a matching `{END}`. "
                            f"Close the solution with a `{END}` line at the same indentation.")
        if lines[end].strip() == BEGIN:
            raise SpanError(f"{where}, line {end + 1}: `{BEGIN}` inside the span opened at line {begin + 1}; "
                            f"solution spans cannot be nested. Close the first span with `{END}` before opening "
                            f"another.")
        body = [text for text in lines[begin + 1:end] if text.strip()]
        match = EXERCISE.fullmatch(body[0].strip()) if body else None
        if match is None:
            found = f"found `{body[0].strip()}`" if body else "the span is empty"
            raise SpanError(f"{where}, line {begin + 2}: the first line after `{BEGIN}` must be the comment "
                            f"`# Exercise: <one sentence of what to do>` ({found}); the student edition shows "
                            f"that sentence in NotImplementedError.")
        message = f"Exercise: {match.group(1)}"
        exercises.append(message)
        newline = "\n" if line.endswith("\n") or end + 1 < len(lines) else ""
        if _indent(line):
            out.append(f"{_indent(line)}raise NotImplementedError({json.dumps(message, ensure_ascii=False)}){newline}")
        else:
            names = _assigned_names("".join(lines[begin + 1:end]), f"{where}, line {begin + 1}")
            out.append("".join(f"{text}\n" for text in [f"# {message}", *(f"{name} = ..." for name in names)])
                       .removesuffix("\n") + newline)
        number = end + 1
    return "".join(out), exercises


def _assigned_names(code, where):
    """The names a top-level span assigns (``conv1_params = 34_944``), in order; SpanError if it does more."""
    try:
        statements = ast.parse(code).body
    except SyntaxError as err:
        raise SpanError(f"{where}: the span is not valid Python on its own ({err.msg}).") from None
    names = []
    for statement in statements:
        targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or not all(isinstance(t, ast.Name) for t in targets):
            raise SpanError(f"{where}: a span at the top level of a cell (a prediction) may only assign values to "
                            f"names, `name = value`, one per line; found `{ast.unparse(statement)[:60]}`. Put code "
                            f"that computes something inside a function instead.")
        names += [target.id for target in targets if target.id not in names]
    if not names:
        raise SpanError(f"{where}: the span assigns no name; a prediction span holds lines such as "
                        f"`conv1_params = 34_944`.")
    return names


def _check_python(source, where):
    """Raise SpanError if the skeleton ``source`` is not valid Python (IPython magics allowed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError as err:
        raise SpanError(f"{where}: the skeleton is not valid Python after replacing the solution "
                        f"({err.msg}, line {err.lineno}). Keep each span inside one block, with the BEGIN and END "
                        f"lines at the indentation of the code they enclose.") from None


def embed_images(cell, folder, where):
    """Turn markdown images with a relative path (``![](../images/lenet5.png)``) into cell attachments.

    The student edition lives in another folder, so relative paths would break; attachments travel with the file.
    """
    def attach(match):
        path = match["path"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", path, re.IGNORECASE) or path.startswith("/"):
            return match[0]  # a URL, data: or attachment: reference, or an absolute path
        file = pathlib.Path(folder) / path
        mime = mimetypes.guess_type(file.name)[0]
        if not file.is_file() or not (mime or "").startswith("image/"):
            print(f"{where}: image {path} not found, left as a link.", file=sys.stderr)
            return match[0]
        cell.setdefault("attachments", {})[file.name] = {mime: base64.b64encode(file.read_bytes()).decode("ascii")}
        return f"![{match['alt']}](attachment:{file.name}{match['title'] or ''})"

    cell.source = IMAGE.sub(attach, cell.source)


def student_notebook(nb, name="notebook", folder=None):
    """Return ``(student_nb, exercises)``: a copy of ``nb`` with solutions replaced and outputs cleared.

    Cells keep their order, ids, metadata and tags, so cell *i* of the copy is cell *i* of the original.
    Markdown images with paths relative to ``folder`` (the source notebook's folder) become attachments.
    """
    nb = copy.deepcopy(nb)
    exercises = []
    nb.cells = [cell for cell in nb.cells if INSTRUCTOR_ONLY not in cell.metadata.get("tags", [])]
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        if cell.cell_type == "code":
            if BEGIN in cell.source or END in cell.source:
                cell.source, found = replace_solutions(cell.source, where)
                if found:
                    _check_python(cell.source, where)
                exercises.extend(found)
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
        elif any(line.strip() in (BEGIN, END) for line in cell.source.splitlines()):
            raise SpanError(f"{where}: a {cell.cell_type} cell holds a `{BEGIN}`/`{END}` line; only code cells "
                            f"have solution spans. Move the answer into a code cell.")
        elif cell.cell_type == "markdown" and folder is not None:
            embed_images(cell, folder, where)
    nb.metadata.pop("widgets", None)
    return nb, exercises


def fingerprint(nb):
    """A hash of the cells' sources: it changes as soon as someone edits a cell, not when they run one."""
    return hashlib.sha256(json.dumps([c.source for c in nb.cells]).encode("utf-8")).hexdigest()


def _read(path):
    """The notebook at ``path``, or None when it is not a notebook this script can read."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # someone's file, not ours
        return None


def _made_from(nb):
    """The fingerprint of the course version ``nb`` was generated from (None for a file this script did not write)."""
    return nb.metadata.get(MARKER, {}).get("fingerprint") if nb is not None else None


def _inside(path, folder):
    path, folder = pathlib.Path(path).resolve(), pathlib.Path(folder).resolve()
    return path == folder or folder in path.parents


def _write(nb, target):
    partial = target.with_name(f".{target.name}.partial")
    nbformat.write(nb, partial)
    os.replace(partial, target)


def update(notebooks, out_dir=OUT_DIR):
    """Keep the student edition of each notebook in ``out_dir`` without ever overwriting a student's notebook.

    Returns one line per notebook that needed something: written because it was missing, or (when the course has
    changed since the student's copy was made) written beside it as ``<name>.new.ipynb``.
    """
    out_dir = pathlib.Path(out_dir)
    sources = [pathlib.Path(path) for path in notebooks]
    for path in sources:
        if not path.is_file():
            raise SpanError(f"{path}: no such notebook. Pass notebook files such as "
                            f"notebooks/01_classic_networks.ipynb.")
        if out_dir.resolve() == path.parent.resolve() or _inside(out_dir, ROOT / "notebooks"):
            raise SpanError(f"the output folder {out_dir} holds the source notebooks ({path}); the student edition "
                            f"never writes beside them. Use --out my_notebooks.")
    names = [path.name for path in sources]
    if len(set(names)) != len(names):
        raise SpanError(f"two notebooks share a file name ({names}); they would overwrite each other in {out_dir}.")
    editions = []  # build all before writing any, so a malformed span leaves the output folder untouched
    for path in sources:
        student, _ = student_notebook(nbformat.read(path, as_version=4), name=str(path), folder=path.parent)
        student.metadata[MARKER] = {"source": path.name, "fingerprint": fingerprint(student)}
        editions.append((out_dir / path.name, student))
    out_dir.mkdir(parents=True, exist_ok=True)
    said = []
    for target, student in editions:
        made = fingerprint(student)
        if not target.exists():
            _write(student, target)
            said.append(f"{_shown(target)}: written")
            continue
        if _made_from(_read(target)) == made:
            continue  # the student's copy is of the current course version (edited or not)
        beside = target.with_name(f"{target.stem}.new.ipynb")
        waiting = _read(beside) if beside.exists() else None
        if beside.exists() and _made_from(waiting) == made:
            said.append(f"{_shown(target)}: the course's new version is waiting in {_shown(beside)}")
        elif beside.exists() and (waiting is None or _made_from(waiting) != fingerprint(waiting)):
            said.append(f"{_shown(target)}: the course has a new version, but {_shown(beside)} holds your edits, "
                        f"so it was not replaced; rename it to get the new version there")
        else:
            _write(student, beside)
            said.append(f"{_shown(target)}: the course has a new version; it is in {_shown(beside)} "
                        f"(yours is untouched)")
    return said


def _shown(path):
    """``path`` relative to the course folder when it is inside it (``my_notebooks/01_...``)."""
    path = pathlib.Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=OUT_DIR, help="output folder (default my_notebooks)")
    args = parser.parse_args(argv)
    try:
        said = update(args.notebooks, args.out)
    except SpanError as err:
        sys.exit(f"student edition: {err}")
    for line in said:
        print(line)
    print(f"The student edition is in {_shown(args.out)}/: your own copy, never overwritten.")


if __name__ == "__main__":
    main()

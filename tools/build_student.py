"""Write the student edition of the notebooks into build/student/ (`make student`).

In each code cell, every span from a `### BEGIN SOLUTION` line to its `### END SOLUTION` line becomes one line,
`raise NotImplementedError("Exercise: ...")`, indented like the BEGIN line, with the text of the span's first line
`# Exercise: <what to do>`. Outputs are cleared; every other cell, checker cells included, is kept as it is.

Nothing a student wrote is overwritten: the script never writes into the folder of the source notebooks, and it
refuses to replace a notebook in the output folder whose code has been edited since it was generated (move that
file away first). Files in the output folder that it did not generate are left alone.
Usage: python tools/build_student.py [--out build/student] notebooks/01_classic_networks.ipynb [...]
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
OUT_DIR = ROOT / "build" / "student"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE = re.compile(r"#\s*Exercise:\s*(\S.*?)\s*$")
MARKER = "student_edition"  # notebook metadata key written on every generated notebook
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")


class SpanError(ValueError):
    """A malformed solution span; the message names the notebook, the cell and the line, and says how to fix it."""


def _indent(line):
    return line[:len(line) - len(line.lstrip(" \t"))]


def replace_solutions(source, where="cell"):
    """Return ``(skeleton, exercises)``: ``source`` with each solution span replaced by a ``raise`` line.

    ``exercises`` lists the span texts ("Exercise: ..."), in order. ``where`` names the cell in error messages.

    >>> code = ("def double(x):\\n    ### BEGIN SOLUTION\\n    # Exercise: return twice x.\\n"
    ...         "    return 2 * x\\n    ### END SOLUTION\\n")
    >>> print(replace_solutions(code)[0], end="")
    def double(x):
        raise NotImplementedError("Exercise: return twice x.")
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
        out.append(f"{_indent(line)}raise NotImplementedError({json.dumps(message, ensure_ascii=False)}){newline}")
        number = end + 1
    return "".join(out), exercises


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


def _edited(target):
    """Why ``target`` must not be replaced (a sentence), or None if it is an untouched generated notebook."""
    try:
        existing = nbformat.read(target, as_version=4)
    except Exception:  # unreadable: someone's file, not ours
        return "it is not a notebook this script can read"
    recorded = existing.metadata.get(MARKER, {}).get("fingerprint")
    if recorded is None:
        return "it was not generated by `make student`"
    if recorded != fingerprint(existing):
        return "its code was edited after it was generated"
    return None


def _inside(path, folder):
    path, folder = pathlib.Path(path).resolve(), pathlib.Path(folder).resolve()
    return path == folder or folder in path.parents


def build(notebooks, out_dir=OUT_DIR):
    """Write the student edition of each notebook into ``out_dir``; return the written paths."""
    out_dir = pathlib.Path(out_dir)
    sources = [pathlib.Path(path) for path in notebooks]
    for path in sources:
        if not path.is_file():
            raise SpanError(f"{path}: no such notebook. Pass notebook files such as "
                            f"notebooks/01_classic_networks.ipynb.")
        if out_dir.resolve() == path.parent.resolve() or _inside(out_dir, ROOT / "notebooks"):
            raise SpanError(f"the output folder {out_dir} holds the source notebooks ({path}); the student edition "
                            f"never writes beside them. Use --out build/student.")
    names = [path.name for path in sources]
    if len(set(names)) != len(names):
        raise SpanError(f"two notebooks share a file name ({names}); they would overwrite each other in {out_dir}.")
    editions = []  # build all before writing any, so a malformed span leaves the output folder untouched
    for path in sources:
        student, _ = student_notebook(nbformat.read(path, as_version=4), name=str(path), folder=path.parent)
        student.metadata[MARKER] = {"source": path.name, "fingerprint": fingerprint(student)}
        target = out_dir / path.name
        reason = _edited(target) if target.exists() else None
        if reason:
            raise SpanError(f"{target} exists and {reason}; it may hold a student's work, so it is not replaced. "
                            f"Move it away (or delete it if it is yours), then run `make student` again.")
        editions.append((target, student))
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, student in editions:
        partial = target.with_name(f".{target.name}.partial")
        nbformat.write(student, partial)
        os.replace(partial, target)
    return [target for target, _ in editions]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=OUT_DIR, help="output folder (default build/student)")
    args = parser.parse_args(argv)
    try:
        written = build(args.notebooks, args.out)
    except SpanError as err:
        sys.exit(f"make student: {err}")
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()

"""nbgrader's cell metadata on the exercise cells, so that instructors can grade the course with nbgrader (issue 23).

    python -m tools.nbgrader_cells notebooks/*.ipynb           # write the metadata (a second run changes nothing)
    python -m tools.nbgrader_cells --check notebooks/*.ipynb   # exit 1, listing each cell that lacks it or is stale

- A code cell holding a `### BEGIN SOLUTION` span becomes a solution cell (the student writes there).
- A later code cell that calls a `check_...()` function on something such a span completes (the function holding
  the span, or the names a prediction span assigns) becomes an autograded test cell, locked: 2 points when it checks
  a function, 1 when it checks a prediction. The checkers raise under nbgrader (course_utils/checks/grading.py), so
  a ✘ there loses the points.
- grade_ids are made from the notebook's name up to its first underscore and the names of the exercise (a solution
  cell: `02-identity_block`) or of the checker (a test cell: `02-check_identity_block`), never from the cell's
  position; a name used again gets `-2`, `-3`.
The tool owns the `nbgrader` key of each cell's metadata: a cell that is no longer an exercise or a check loses it.
Both modes also report a cell that names a solution marker in its text, which would stop nbgrader (exit status 1).
Nothing else changes: cell ids, sources, outputs and the other metadata stay as they are.
"""
import argparse
import ast
import pathlib
import re
import sys

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from tools.student_edition import BEGIN, END, INSTRUCTOR_ONLY

SCHEMA_VERSION = 3
FUNCTION_POINTS, PREDICTION_POINTS = 2, 1


def _parse(source):
    return ast.parse(TransformerManager().transform_cell(source))


def completed_names(source):
    """``(functions, predictions)``: the top-level functions (or classes) holding a solution span of the cell, and
    the names that top-level spans (predictions) assign."""
    tree, lines = _parse(source), source.splitlines()
    functions, predictions = [], []
    for begin, line in enumerate(lines, start=1):
        if line.strip() != BEGIN:
            continue
        end = next((k for k in range(begin, len(lines) + 1) if lines[k - 1].strip() == END), len(lines))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.lineno <= begin <= node.end_lineno and node.name not in functions:
                    functions.append(node.name)
            elif begin < node.lineno < end:
                targets = [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
                predictions += [name for name in targets if name not in predictions]
    return functions, predictions


def checker_calls(source):
    """The names of the ``check_...`` functions a cell calls (``cu.check_x(...)`` or ``check_x(...)``), in order."""
    names = []
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name and name.startswith("check_") and name not in names:
                names.append(name)
    return names


def _read_names(source):
    return {n.id for n in ast.walk(_parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _prefix(name):
    """``02_resnets.ipynb`` -> ``02``; ``exercises.ipynb`` -> ``exercises``."""
    return re.sub(r"[^A-Za-z0-9-]", "-", pathlib.PurePath(name).stem.split("_")[0]) or "nb"


def solution_metadata(grade_id):
    return {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": SCHEMA_VERSION,
            "solution": True, "task": False}


def autograded_metadata(grade_id, points):
    return {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
            "schema_version": SCHEMA_VERSION, "solution": False, "task": False}


def wanted_metadata(nb, name):
    """``{cell index: nbgrader metadata}`` for every exercise and check cell of ``nb`` (``name``: its file name)."""
    wanted, used, functions, predictions = {}, {}, set(), set()

    def unique(grade_id):
        used[grade_id] = used.get(grade_id, 0) + 1
        return grade_id if used[grade_id] == 1 else f"{grade_id}-{used[grade_id]}"

    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or (BEGIN not in cell.source and "check_" not in cell.source):
            continue
        try:
            _parse(cell.source)
        except SyntaxError as err:
            raise ValueError(f"{name}, cell {index}: not valid Python ({err.msg}, line {err.lineno}).") from None
        if BEGIN in cell.source:
            found_functions, found_predictions = completed_names(cell.source)
            names = found_functions + found_predictions
            if not names:
                raise ValueError(f"{name}, cell {index}: a solution span that completes no function and assigns no "
                                 f"name; put it inside a function, or make it assign the predicted values.")
            functions.update(found_functions)
            predictions.update(found_predictions)
            wanted[index] = solution_metadata(unique(f"{_prefix(name)}-{'-'.join(names)}"))
            continue
        checks = checker_calls(cell.source)
        checked = _read_names(cell.source) & (functions | predictions) if checks else set()
        if checked:
            points = FUNCTION_POINTS if checked & functions else PREDICTION_POINTS
            wanted[index] = autograded_metadata(unique(f"{_prefix(name)}-{'-'.join(checks)}"), points)
    return wanted


def marker_problems(nb, name):
    """One line per cell that nbgrader's generate_assignment would stop on: it finds `BEGIN SOLUTION` and `END SOLUTION`
    anywhere in a line, so they may appear only as a code cell's marker lines. Cells tagged instructor-only are left
    out of the release before that (tools/nbgrader_config.py), as they are left out of the student edition."""
    found = []
    for index, cell in enumerate(nb.cells):
        if INSTRUCTOR_ONLY in cell.metadata.get("tags", []):
            continue
        named = [line.strip() for line in cell.source.splitlines() if "BEGIN SOLUTION" in line or "END SOLUTION" in line]
        if any(cell.cell_type != "code" or line not in (BEGIN, END) for line in named):
            found.append(f"{name}, cell {index} (id {cell.get('id', '?')}): names a solution marker outside a marker "
                         f"line, which stops nbgrader's generate_assignment; reword it, or tag the cell "
                         f"{INSTRUCTOR_ONLY} if students need not see it")
    return found


def problems(nb, name):
    """One line per cell whose ``nbgrader`` metadata is missing, stale or should not be there, or whose text would
    stop nbgrader (``marker_problems``)."""
    wanted, found = wanted_metadata(nb, name), marker_problems(nb, name)
    for index, cell in enumerate(nb.cells):
        have, want = cell.metadata.get("nbgrader"), wanted.get(index)
        if have == want:
            continue
        where = f"{name}, cell {index} (id {cell.get('id', '?')})"
        if want is None:
            found.append(f"{where}: nbgrader metadata on a cell that is neither an exercise nor its check")
        elif have is None:
            kind = "solution" if want["solution"] else "test"
            found.append(f"{where}: no nbgrader metadata; wants a {kind} cell {want['grade_id']!r}")
        else:
            changed = ", ".join(f"{key} {have.get(key)!r} -> {want.get(key)!r}" for key in sorted(set(have) | set(want))
                                if have.get(key) != want.get(key))
            found.append(f"{where}: stale nbgrader metadata ({changed})")
    return found


def apply(nb, name):
    """Give ``nb``'s cells the wanted metadata in place; return True when something changed."""
    wanted, changed = wanted_metadata(nb, name), False
    for index, cell in enumerate(nb.cells):
        want = wanted.get(index)
        if cell.metadata.get("nbgrader") == want:
            continue
        if want is None:
            del cell.metadata["nbgrader"]
        else:
            cell.metadata["nbgrader"] = want
        changed = True
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description="Give the exercise cells nbgrader's cell metadata.")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 listing the cells whose metadata is missing or stale")
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args(argv)
    try:
        notebooks = {path: nbformat.read(path, as_version=4) for path in args.notebooks}
        if args.check:
            found = [line for path, nb in notebooks.items() for line in problems(nb, path)]
            for line in found:
                print(line)
            if found:
                print(f"{len(found)} cell(s) need nbgrader metadata: run python -m tools.nbgrader_cells "
                      f"{' '.join(args.notebooks)}")
                return 1
            print(f"nbgrader metadata up to date in {len(notebooks)} notebook(s).")
            return 0
        changed = {path: apply(nb, path) for path, nb in notebooks.items()}  # every notebook checked before writing
    except (OSError, ValueError, SyntaxError) as err:
        print(f"nbgrader_cells: {err}", file=sys.stderr)
        return 2
    for path, nb in notebooks.items():
        if changed[path]:
            nbformat.write(nb, path)
        print(f"{path}: {'written' if changed[path] else 'unchanged'}")
    stopping = [line for path, nb in notebooks.items() for line in marker_problems(nb, path)]
    for line in stopping:
        print(line, file=sys.stderr)
    return 1 if stopping else 0


if __name__ == "__main__":
    sys.exit(main())

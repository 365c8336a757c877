"""The student edition (`make lab`, `make student`: tools/student_edition.py) and the exercises' checkers.

Convention for notebook authors, enforced by `test_checkers_fail_on_skeleton_and_pass_on_solution`:
- each solution span sits inside a function body, so the exercise cell runs (it only defines functions) in the
  student edition too;
- every function holding a span is passed to a checker in a later cell (`cu.check_...(fn)`), and the checker calls
  it, so an unfinished skeleton gives the friendly "not done yet" line instead of a traceback;
- exercise and checker cells need only the setup cell and cheap cells before them (definitions, imports, small
  data): the test runs just those cells, found by the names the exercise and checker cells use.
"""
import ast
import builtins
import copy
import os
import pathlib
import re

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
FIXTURE = ROOT / "tests" / "fixtures" / "exercises.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

from tests.online.standin import startup_folder
from tools import run_notebook
from tools import student_edition as bs


def has_exercises(path):
    return any(bs.BEGIN in cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")


EXERCISE_NOTEBOOKS = [path for path in NOTEBOOKS if has_exercises(path)] + [FIXTURE]


def ids(paths):
    return [path.name for path in paths]


# ---------------------------------------------------------------------------------------------------------------
# replace_solutions(): the span replacement
# ---------------------------------------------------------------------------------------------------------------

def test_span_becomes_one_raise_line_at_the_begin_indentation():
    source = ("def double(x):\n"
              '    """Twice x."""\n'
              "    ### BEGIN SOLUTION\n"
              "    # Exercise: return twice x.\n"
              "    y = 2 * x\n"
              "    return y\n"
              "    ### END SOLUTION\n")
    skeleton, exercises = bs.replace_solutions(source)
    assert skeleton == ('def double(x):\n    """Twice x."""\n'
                        '    raise NotImplementedError("Exercise: return twice x.")\n')
    assert exercises == ["Exercise: return twice x."]


def test_code_after_the_span_and_deeper_indentation_are_kept():
    source = ("def total(values):\n"
              "    out = 0\n"
              "    for value in values:\n"
              "        if value:\n"
              "            ### BEGIN SOLUTION\n"
              "            # Exercise: add the value to out.\n"
              "            out += value\n"
              "            ### END SOLUTION\n"
              "    return out")
    skeleton, _ = bs.replace_solutions(source)
    assert skeleton.splitlines()[4] == '            raise NotImplementedError("Exercise: add the value to out.")'
    assert skeleton.endswith("\n    return out")
    namespace = {}
    exec(skeleton, namespace)
    assert namespace["total"]([]) == 0  # the loop body is never reached
    with pytest.raises(NotImplementedError, match="^Exercise: add the value to out.$"):
        namespace["total"]([1])


def test_several_spans_in_one_cell_each_keep_their_own_text():
    source = ("def a():\n    ### BEGIN SOLUTION\n    # Exercise: first.\n    return 1\n    ### END SOLUTION\n\n"
              "def b():\n    ### BEGIN SOLUTION\n    # Exercise: second.\n    return 2\n    ### END SOLUTION\n")
    skeleton, exercises = bs.replace_solutions(source)
    assert exercises == ["Exercise: first.", "Exercise: second."]
    assert "return 1" not in skeleton and "return 2" not in skeleton
    assert skeleton.count("raise NotImplementedError") == 2


def test_quotes_and_backslashes_in_the_exercise_text_are_escaped():
    source = ('def f():\n    ### BEGIN SOLUTION\n    # Exercise: return the string "a\\b" — 2 × 3.\n'
              "    return 'a'\n    ### END SOLUTION\n")
    skeleton, _ = bs.replace_solutions(source)
    namespace = {}
    exec(skeleton, namespace)
    with pytest.raises(NotImplementedError) as raised:
        namespace["f"]()
    assert str(raised.value) == 'Exercise: return the string "a\\b" — 2 × 3.'


def test_a_cell_without_spans_is_unchanged():
    source = "x = 1\n# Exercise: not a span\nprint(x)"
    assert bs.replace_solutions(source) == (source, [])


@pytest.mark.parametrize("source, problem", [
    ("def f():\n    ### BEGIN SOLUTION\n    # Exercise: x.\n    return 1\n", "without a matching `### END SOLUTION`"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a `### BEGIN SOLUTION` before it"),
    ("def f():\n    ### BEGIN SOLUTION\n    # Exercise: x.\n    ### BEGIN SOLUTION\n    # Exercise: y.\n"
     "    ### END SOLUTION\n    ### END SOLUTION\n", "cannot be nested"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "found `return 1`"),
    ("def f():\n    ### BEGIN SOLUTION\n    # exercise - x\n    ### END SOLUTION\n", "must be the comment"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n", "the span is empty"),
])
def test_malformed_spans_raise_a_clear_error_naming_the_cell_and_line(source, problem):
    with pytest.raises(bs.SpanError, match=r"^notebooks/x\.ipynb, cell 7, line \d+: ") as raised:
        bs.replace_solutions(source, where="notebooks/x.ipynb, cell 7")
    assert problem in str(raised.value)


def test_docstring_example():
    import doctest

    result = doctest.testmod(bs)
    assert result.attempted >= 2 and result.failed == 0  # both examples of replace_solutions() ran and held


# ---------------------------------------------------------------------------------------------------------------
# student_notebook() and build(): whole notebooks and the output folder
# ---------------------------------------------------------------------------------------------------------------

def small_notebook(*sources, markdown="# Title"):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    for source in sources:
        cell = nbformat.v4.new_code_cell(source, execution_count=1, metadata={"tags": ["nbval-ignore-output"]})
        cell.outputs = [nbformat.v4.new_output("stream", text="the solution's output\n")]
        nb.cells.append(cell)
    nb.metadata["widgets"] = {"state": "a solution's widget state"}
    return nb


SPAN = "def f():\n    ### BEGIN SOLUTION\n    # Exercise: return 1.\n    return 1\n    ### END SOLUTION\n"


def test_student_notebook_clears_outputs_and_keeps_cells_ids_tags_and_checkers():
    nb = small_notebook(SPAN, "cu.check_f(f)")
    student, exercises = bs.student_notebook(nb, "x.ipynb")
    assert exercises == ["Exercise: return 1."]
    assert [c.id for c in student.cells] == [c.id for c in nb.cells]
    assert student.cells[2].source == "cu.check_f(f)" and student.cells[2].metadata.tags == ["nbval-ignore-output"]
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells[1:])
    assert "widgets" not in student.metadata
    assert nb.cells[1].outputs and "return 1\n" in nb.cells[1].source  # the original is not modified


def test_a_span_that_breaks_the_syntax_is_reported():
    nb = small_notebook("if True:\n### BEGIN SOLUTION\n# Exercise: x.\n    y = 1\n### END SOLUTION\n    z = 2\n")
    with pytest.raises(bs.SpanError, match=r"x\.ipynb, cell 1(, line 2)?: the (skeleton|span) is not valid Python"):
        bs.student_notebook(nb, "x.ipynb")


def test_a_span_in_a_markdown_cell_is_refused():
    nb = small_notebook(markdown="Answer:\n### BEGIN SOLUTION\n42\n### END SOLUTION")
    with pytest.raises(bs.SpanError, match=r"x\.ipynb, cell 0: a markdown cell"):
        bs.student_notebook(nb, "x.ipynb")


def test_relative_markdown_images_become_attachments(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    nb = small_notebook(markdown='![a dot](images/dot.png "title") and ![web](https://example.org/x.png)')
    student, _ = bs.student_notebook(nb, "x.ipynb", folder=tmp_path)
    assert student.cells[0].source == '![a dot](attachment:dot.png "title") and ![web](https://example.org/x.png)'
    assert student.cells[0].attachments["dot.png"] == {"image/png": "iVBORw0KGgpmYWtl"}


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_update_never_writes_beside_the_sources_nor_into_notebooks(tmp_path):
    source = write(small_notebook(SPAN), tmp_path / "notebooks" / "x.ipynb")
    before = sorted((ROOT / "notebooks").rglob("*"))
    for out in (tmp_path / "notebooks", ROOT / "notebooks", ROOT / "notebooks" / "student"):
        with pytest.raises(bs.SpanError, match="never writes beside them"):
            bs.update([source], out)
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == ["x.ipynb"]
    assert sorted((ROOT / "notebooks").rglob("*")) == before


def test_the_students_copy_is_written_once_and_never_overwritten(tmp_path):
    source = write(small_notebook(SPAN, "cu.check_f(f)"), tmp_path / "notebooks" / "x.ipynb")
    out = tmp_path / "my_notebooks"
    write(small_notebook("print('the student’s own notebook')"), out / "mine.ipynb")
    (said,) = bs.update([source], out)
    target = out / "x.ipynb"
    assert said.endswith("x.ipynb: written") and "raise NotImplementedError" in target.read_text()
    assert bs.update([source], out) == []  # the same course version: nothing to say, nothing written

    edited = nbformat.read(target, as_version=4)  # the student's work, with outputs
    edited.cells[1].source = edited.cells[1].source.replace("raise NotImplementedError", "return 1  # mine\n    #")
    edited.cells[2].outputs = [nbformat.v4.new_output("stream", text="✔ f: right\n")]
    nbformat.write(edited, target)
    mine = target.read_bytes()
    assert bs.update([source], out) == [] and target.read_bytes() == mine

    changed = small_notebook(SPAN, "cu.check_f(f)", markdown="# Title, corrected")  # the course changes
    write(changed, source)
    (said,) = bs.update([source], out)
    beside = out / "x.new.ipynb"
    assert "the course has a new version; it is in" in said and said.endswith("x.new.ipynb (yours is untouched)")
    assert target.read_bytes() == mine and "# Title, corrected" in beside.read_text()
    (said,) = bs.update([source], out)
    assert "waiting in" in said and target.read_bytes() == mine

    write(small_notebook(SPAN, "cu.check_f(f)", markdown="# Title, corrected twice"), source)
    bs.update([source], out)  # an untouched .new.ipynb follows the course
    assert "corrected twice" in beside.read_text() and target.read_bytes() == mine
    opened = nbformat.read(beside, as_version=4)
    opened.cells[1].source += "\n# my notes"
    nbformat.write(opened, beside)
    write(small_notebook(SPAN, "cu.check_f(f)", markdown="# Title, corrected thrice"), source)
    (said,) = bs.update([source], out)
    assert "holds your edits, so it was not replaced" in said and "# my notes" in beside.read_text()
    assert target.read_bytes() == mine and "the student’s own notebook" in (out / "mine.ipynb").read_text()


def test_a_malformed_notebook_leaves_the_output_folder_untouched(tmp_path):
    good = write(small_notebook(SPAN), tmp_path / "notebooks" / "a.ipynb")
    bad = write(small_notebook("### BEGIN SOLUTION\n# Exercise: x.\n"), tmp_path / "notebooks" / "b.ipynb")
    with pytest.raises(bs.SpanError, match=r"b\.ipynb, cell 1, line 1: .* without a matching"):
        bs.update([good, bad], tmp_path / "my_notebooks")
    assert not (tmp_path / "my_notebooks").exists()


def test_instructor_only_cells_are_left_out():
    nb = small_notebook(SPAN)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("This edition shows the solutions.",
                                                     metadata={"tags": [bs.INSTRUCTOR_ONLY]}))
    student, _ = bs.student_notebook(nb, "x.ipynb")
    assert [c.source for c in student.cells] == [nb.cells[0].source, bs.replace_solutions(SPAN)[0]]


def test_a_prediction_span_becomes_blanks_to_fill():
    source = ("rows = 3\n### BEGIN SOLUTION\n# Exercise: predict the output shape and the parameters.\n"
              "shape = (28, 28, 6)\nparams = (5 * 5 * 1\n          + 1) * 6\n### END SOLUTION\nprint(rows)\n")
    skeleton, exercises = bs.replace_solutions(source)
    assert skeleton == ("rows = 3\n# Exercise: predict the output shape and the parameters.\nshape = ...\n"
                        "params = ...\nprint(rows)\n")
    assert exercises == ["Exercise: predict the output shape and the parameters."]
    with pytest.raises(bs.SpanError, match="may only assign values to names"):
        bs.replace_solutions("### BEGIN SOLUTION\n# Exercise: p.\nshape[0] = 3\n### END SOLUTION\n")


# ---------------------------------------------------------------------------------------------------------------
# The real notebooks (and the fixture): student edition builds, every exercise has a checker that fails with
# "not done yet" on the skeleton and passes on the solution.
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS + [FIXTURE], ids=ids(NOTEBOOKS + [FIXTURE]))
def test_student_edition_of_every_notebook(path, tmp_path):
    (said,) = bs.update([path], tmp_path)
    original, student = nbformat.read(path, as_version=4), nbformat.read(tmp_path / path.name, as_version=4)
    kept = [c for c in original.cells if bs.INSTRUCTOR_ONLY not in c.metadata.get("tags", [])]
    assert [c.id for c in student.cells] == [c.id for c in kept]
    spans = sum(c.source.count(bs.BEGIN) for c in original.cells if c.cell_type == "code")
    assert len(bs.student_notebook(original)[1]) == spans
    assert not any(marker in c.source for c in student.cells for marker in ("BEGIN SOLUTION", "END SOLUTION"))
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert all(c.cell_type == "markdown" for c in original.cells if c not in kept), (
        f"{path.name}: an {bs.INSTRUCTOR_ONLY} cell must be markdown, so that both editions run the same code")


def parse(source):
    return ast.parse(TransformerManager().transform_cell(source))


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def module_names(node):
    """Names a top-level statement binds in the notebook's namespace (not inside functions or comprehensions)."""
    names = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return {node.id}
    if isinstance(node, SCOPES):
        return set()
    for child in ast.iter_child_nodes(node):
        names |= module_names(child)
    return names


def free_names(node, bound=frozenset()):
    """Names ``node`` reads that no enclosing function, lambda or comprehension binds (over-approximated)."""
    if isinstance(node, ast.Name):
        return {node.id} - bound if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        return ({node.target.id} - bound) | free_names(node.value, bound)
    if isinstance(node, SCOPES) and not isinstance(node, ast.ClassDef):
        local = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        inner = list(ast.walk(node))
        local |= {n.name for n in inner if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        local |= {(a.asname or a.name).split(".")[0]
                  for n in inner if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        bound = bound | local
    free = set()
    for child in ast.iter_child_nodes(node):
        free |= free_names(child, bound)
    return free


def cell_names(source):
    """``(defines, needs)``: names the cell binds at top level, and names it reads before binding them."""
    defines, needs = set(), set()
    for statement in parse(source).body:
        needs |= free_names(statement) - defines
        defines |= module_names(statement)
    return defines, needs - set(dir(builtins))


def calls(source, test):
    return any(isinstance(n, ast.Call) and test(n.func) for n in ast.walk(parse(source)))


def is_checker(source):
    """A checker cell calls ``cu.check_...(...)`` (or a ``check_...`` function defined in the notebook)."""
    return calls(source, lambda f: (isinstance(f, ast.Attribute) and f.attr.startswith("check_"))
                 or (isinstance(f, ast.Name) and f.id.startswith("check_")))


def is_setup(source):
    return calls(source, lambda f: isinstance(f, ast.Attribute) and f.attr == "setup"
                 and isinstance(f.value, ast.Name) and f.value.id == "cu")


def span_names(source):
    """What each solution span completes: the top-level function (or class) holding it, or for a prediction span
    at the top level of the cell, the names it assigns (``None`` for a span in a nested block outside a function)."""
    tree, holders = parse(source), []
    lines = source.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip() != bs.BEGIN:
            continue
        if not line.startswith((" ", "\t")):
            end = next(k for k in range(number, len(lines)) if lines[k].strip() == bs.END)
            holders.append(bs._assigned_names("\n".join(lines[number:end]), "span"))
            continue
        holders.append([next((node.name for node in tree.body
                              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                              and node.lineno <= number <= node.end_lineno), None)])
    return holders


def exercise_plan(nb, name):
    """The cells to run (indices in order): setup, exercises, checkers, and the earlier cells they need."""
    code = {i: c.source for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    names = {i: cell_names(source) for i, source in code.items()}
    setup = [i for i, source in code.items() if is_setup(source)]
    exercises = [i for i, source in code.items() if bs.BEGIN in source]
    assert setup, f"{name}: no setup cell calling cu.setup(); the exercise test starts from it."
    functions = {i: [name for names in span_names(code[i]) for name in names] for i in exercises}
    for i in exercises:
        assert all(functions[i]), (f"{name}, cell {i}: a solution span in a block outside any function; put it "
                                   f"inside the function body so the student edition still runs the cell.")
    # A checker cell calls check_... on an exercise's function or predicted values (a cell showing a checker on a
    # deliberately broken function is a demonstration, not an exercise check).
    wanted = {function for found in functions.values() for function in found}
    checkers = [i for i, source in code.items() if is_checker(source) and names[i][1] & wanted]
    for i in exercises:
        for function in functions[i]:
            assert any(j > i and function in names[j][1] for j in checkers), (
                f"{name}, cell {i}: `{function}` holds a solution span but no later checker cell uses it; add a "
                f"`cu.check_...({function})` cell after the exercise.")
    chosen, todo = set(setup + exercises + checkers), setup + exercises + checkers
    while todo:
        i = todo.pop()
        for needed in names[i][1]:
            source = max((j for j in code if j < i and needed in names[j][0]), default=None)
            if source is not None and source not in chosen:
                chosen.add(source)
                todo.append(source)
    return sorted(chosen), checkers


def run_passes(*passes, folder):
    """Execute each ``(notebook, indices)`` pass in order in one fresh kernel; return each pass's executed cells.

    Later passes re-run every cell they need (setup included), so they do not depend on what earlier passes left.
    """
    cells = [copy.deepcopy(nb.cells[i]) for nb, indices in passes for i in indices]
    for number, cell in enumerate(cells):
        cell["id"] = f"run-{number}"  # a cell can run in several passes; ids must stay unique
    part = nbformat.v4.new_notebook(cells=cells, metadata=passes[0][0].metadata)
    run_notebook.execute(part, folder, allow_errors=True, drop_noise=False)
    ran, start = [], 0
    for _, indices in passes:
        ran.append(dict(zip(indices, part.cells[start:start + len(indices)])))
        start += len(indices)
    return ran


def result_lines(cell):
    """The CheckResult lines a checker cell showed (✔ or ✘ first), from its value and its printed output."""
    values = [out.get("data", {}).get("text/plain", "") for out in cell.outputs if "data" in out]
    results = [value for value in values if value[:1] in ("✔", "✘")]
    assert all("\n" not in value.strip() for value in results), f"a check result must be one line: {results}"
    printed = [out.get("text", "") for out in cell.outputs if out.get("name") == "stdout"]
    return results + [line for text in printed for line in text.splitlines() if line[:1] in ("✔", "✘")]


def aligned_student_edition(nb, name):
    """The student edition of ``nb`` cell for cell (instructor-only cells kept), so that plan indices stay valid."""
    student, _ = bs.student_notebook(nb, name)
    sources = {cell.id: cell.source for cell in student.cells}
    aligned = copy.deepcopy(nb)
    for cell in aligned.cells:
        cell.source = sources.get(cell.id, cell.source)
    return aligned


def with_bug(student):
    """The student edition with each exercise done wrong: a skeleton's ``raise NotImplementedError`` turned into a
    student's own exception, and each blank of a prediction (``name = ...``) filled with text instead of a number."""
    buggy = copy.deepcopy(student)
    for cell in buggy.cells:
        cell.source = cell.source.replace('raise NotImplementedError("Exercise: ', 'raise ZeroDivisionError("bug in: ')
        cell.source = re.sub(r"(?m)^(\w+) = \.\.\.$", r'\1 = "no idea"', cell.source)
    return buggy


def errors(cells):
    return [f"cell {i}: {out.ename}: {out.evalue}" for i, cell in cells.items()
            for out in cell.outputs if out.output_type == "error"]


def test_the_plan_runs_only_the_cells_the_exercises_need():
    nb = nbformat.read(FIXTURE, as_version=4)
    plan, checkers = exercise_plan(nb, FIXTURE.name)
    assert plan == [1, 3, 6, 7, 8, 9, 11, 12] and checkers == [8, 9, 12]  # not cell 4, which raises


def test_an_exercise_without_a_checker_fails_the_plan():
    nb = nbformat.read(FIXTURE, as_version=4)
    nb.cells[9].source = "print('no check here')"
    with pytest.raises(AssertionError, match=r"cell 7: `scale_all` holds a solution span but no later checker"):
        exercise_plan(nb, FIXTURE.name)
    nb.cells[7].source = "### BEGIN SOLUTION\n# Exercise: x.\ny = 1\n### END SOLUTION\n"  # a prediction
    with pytest.raises(AssertionError, match=r"cell 7: `y` holds a solution span but no later checker"):
        exercise_plan(nb, FIXTURE.name)
    nb.cells[7].source = "if True:\n    ### BEGIN SOLUTION\n    # Exercise: x.\n    y = 1\n    ### END SOLUTION\n"
    with pytest.raises(AssertionError, match=r"cell 7: a solution span in a block outside any function"):
        exercise_plan(nb, FIXTURE.name)


def test_cell_names_follow_the_order_of_statements():
    defines, needs = cell_names("x = x + 1\ny = [v for v in x]\ndef f(a):\n    b = a + z\n    return b\nw += 1")
    assert defines == {"x", "y", "f", "w"} and needs == {"x", "z", "w"}


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=ids(EXERCISE_NOTEBOOKS))
def test_checkers_fail_on_skeleton_and_pass_on_solution(path, monkeypatch):
    """Skeleton: every checker says "not done yet". A student's bug: "your code raised", one line, no internals (for
    a prediction: a failed line that is not "not done yet"). Solution: every checker passes. The three passes run in
    one kernel, so TensorFlow loads once."""
    if SHARED_MNIST.exists() and not os.environ.get("COURSE_DATA_DIR"):
        monkeypatch.setenv("COURSE_DATA_DIR", str(SHARED_MNIST))
    solution = nbformat.read(path, as_version=4)
    plan, checkers = exercise_plan(solution, path.name)
    skeleton = aligned_student_edition(solution, path.name)
    _, exercises = bs.student_notebook(solution, path.name)
    predicted = {name for cell in solution.cells if cell.cell_type == "code" and bs.BEGIN in cell.source
                 for names, line in zip(span_names(cell.source),
                                        [l for l in cell.source.splitlines() if l.strip() == bs.BEGIN])
                 if not line.startswith((" ", "\t")) for name in names}
    predictions = {i for i in checkers if cell_names(solution.cells[i].source)[1] & predicted}

    ran, buggy, solved = run_passes((skeleton, plan), (with_bug(skeleton), plan), (solution, plan), folder=path.parent)
    assert not errors(ran), (f"{path.name}, student edition: a cell raised, so a student would see a traceback "
                             f"instead of a checker's message: {errors(ran)}")
    for i in checkers:
        lines = result_lines(ran[i])
        assert lines, f"{path.name}, cell {i}: the checker showed no result line on the skeleton: {ran[i].outputs}"
        for line in lines:
            assert line.startswith("✘") and "not done yet" in line, f"{path.name}, cell {i}, skeleton: {line}"
            said = predicted if i in predictions else exercises
            assert any(text in line for text in said), f"{path.name}, cell {i}: no exercise text in {line!r}"

    assert not errors(buggy), f"{path.name}: a student's exception escaped the checker: {errors(buggy)}"
    for i in checkers:
        lines = result_lines(buggy[i])
        wrong = ("" if i in predictions else "your code raised ZeroDivisionError: bug in: ")
        assert lines and all(line.startswith("✘") and wrong in line and "not done yet" not in line
                             for line in lines), f"{path.name}, cell {i}, with a student's bug: {lines}"

    assert not errors(solved), f"{path.name}, solution: {errors(solved)}"
    for i in checkers:
        lines = result_lines(solved[i])
        assert lines and all(line.startswith("✔") for line in lines), f"{path.name}, cell {i}, solution: {lines}"


# ---------------------------------------------------------------------------------------------------------------
# Run All on the untouched student edition: every notebook runs to the end with no error output.
# The same edition with every exercise done is, code cell for code cell, the instructor edition (checked below),
# which `make test` executes top to bottom under nbval; nbval fails on any error.
# ---------------------------------------------------------------------------------------------------------------

def stderr_text(cell):
    return "".join(out.get("text", "") for out in cell.outputs if out.get("name") == "stderr")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_the_untouched_student_edition_runs_to_the_end(path, tmp_path):
    """Run All in a fresh kernel, in a course folder laid out as after `make lab` (my_notebooks/ beside notebooks/
    and images/), as a student with internet runs it: `cu.load_mnist()` gets Keras's 60,000 training images (a
    stand-in for `keras.datasets.mnist.load_data()`, tests/online/standin.py, with COURSE_DATA_DIR unset), so the
    notebooks must bound their data and their checks must hold on other images. No cell raises or writes to stderr;
    every check says "not done yet"; every cell that needs an exercise says in one line that it goes on with the
    course's reference."""
    for folder in ("notebooks", "images"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    bs.update([path], tmp_path / "my_notebooks")
    student = nbformat.read(tmp_path / "my_notebooks" / path.name, as_version=4)
    ipython, calls = startup_folder(tmp_path / "online", SHARED_MNIST)
    run_notebook.execute(student, tmp_path / "my_notebooks", allow_errors=True, drop_noise=False,
                         env={"IPYTHONDIR": str(ipython), "COURSE_DATA_DIR": ""})
    code = {i: cell for i, cell in enumerate(student.cells) if cell.cell_type == "code"}
    assert not errors(code), f"{path.name}, student edition on the online path: {errors(code)}"
    printed = "".join(out.get("text", "") for cell in code.values() for out in cell.outputs)
    loads = "load_mnist(" in "".join(cell.source for cell in code.values())
    assert not loads or set(pathlib.Path(calls).read_text().split("\n")[:-1]) == {"60000 10000"}, (
        f"{path.name} never asked Keras's loader for MNIST")
    assert "MNIST: local copy" not in printed, f"{path.name} used the offline copy although Keras's loader answered"
    noisy = {i: stderr_text(cell)[:300] for i, cell in code.items() if stderr_text(cell)}
    assert not noisy, f"{path.name}, student edition: red stderr output in cells {noisy}"
    for i, cell in code.items():
        if is_checker(cell.source) and "yours_or_reference" not in cell.source:
            lines = result_lines(cell)
            assert lines and all(line.startswith("✘") and "not done yet" in line for line in lines), (i, lines)
        if "yours_or_reference(" in cell.source:
            printed = "".join(out.get("text", "") for out in cell.outputs if out.get("name") == "stdout")
            assert "ℹ" in printed and "the course's reference" in printed, (i, printed)


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=ids(EXERCISE_NOTEBOOKS))
def test_the_student_edition_with_every_exercise_done_is_the_instructor_edition(path):
    """Filling every span of the student edition with its solution gives back the instructor edition's code, cell for
    cell, so nbval's run of notebooks/ is the solved run of the student edition."""
    original = nbformat.read(path, as_version=4)
    student, _ = bs.student_notebook(original, path.name)
    by_id = {cell.id: cell for cell in original.cells}
    for cell in student.cells:
        source = by_id[cell.id].source
        if cell.cell_type == "code" and bs.BEGIN in source:
            assert cell.source == bs.replace_solutions(source)[0]  # the solution is the only difference
        else:
            assert cell.source == source or cell.cell_type == "markdown"  # markdown: images become attachments
    assert [c.id for c in original.cells if c.cell_type == "code"] == [c.id for c in student.cells
                                                                       if c.cell_type == "code"]


# ---------------------------------------------------------------------------------------------------------------
# Exercises that make students think: how many, which kinds, and hints that point the way without the answer.
# ---------------------------------------------------------------------------------------------------------------

LESSONS = [path for path in NOTEBOOKS if path.name[:2] in {"01", "02", "03", "04"}]
HINT = re.compile(r"<details>\s*<summary>\s*Hint[^<]*</summary>(.*?)</details>", re.S)


def exercises(nb):
    """``(statement, code, is_prediction)`` per solution span: the exercise's markdown (the nearest "### Exercise"
    cell above the span), the span's code, and whether it is a prediction (a span at the top level of a cell)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or bs.BEGIN not in cell.source:
            continue
        statement = next((nb.cells[j].source for j in range(index - 1, -1, -1)
                          if nb.cells[j].cell_type == "markdown" and "### Exercise" in nb.cells[j].source), "")
        lines = cell.source.splitlines()
        for number, line in enumerate(lines):
            if line.strip() == bs.BEGIN:
                end = next(k for k in range(number, len(lines)) if lines[k].strip() == bs.END)
                found.append((statement, lines[number + 1:end], not line.startswith((" ", "\t"))))
    return found


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_each_lesson_has_four_exercises_one_of_them_a_prediction(path):
    found = exercises(nbformat.read(path, as_version=4))
    assert len(found) >= 4, f"{path.name}: {len(found)} exercises; each lesson needs at least 4"
    assert any(prediction for *_, prediction in found), (
        f"{path.name}: no predict-then-check exercise (a span at the top level of a cell, `name = value`)")


def test_the_lessons_hold_at_least_sixteen_exercises():
    assert sum(len(exercises(nbformat.read(path, as_version=4))) for path in LESSONS) >= 16


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_every_exercise_has_one_or_two_folded_hints_without_the_answer(path):
    for statement, code, _ in exercises(nbformat.read(path, as_version=4)):
        assert statement, f"{path.name}: an exercise without a '### Exercise' statement above it: {code[:2]}"
        title = statement.splitlines()[0]
        hints = HINT.findall(statement)
        assert 1 <= len(hints) <= 2, f"{path.name}, {title}: {len(hints)} hints, want 1 or 2 in <details> blocks"
        answer = [line.strip() for line in code if len(line.strip()) >= 15 and not line.strip().startswith("#")]
        for hint in hints:
            given = [line for line in answer if line in hint]
            assert not given, f"{path.name}, {title}: a hint gives a line of the solution away: {given}"


def test_the_readme_and_the_index_list_every_exercise():
    """The exercise tables of README.md and 00_index.ipynb have one entry per exercise of each lesson."""
    index = "\n".join(cell.source for cell in nbformat.read(ROOT / "notebooks" / "00_index.ipynb", as_version=4).cells)
    for text in ((ROOT / "README.md").read_text(), index):
        for path in LESSONS:
            row = re.search(rf"^\| {path.name[:2]} \| (.*) \|$", text, re.M)
            assert row, f"no exercise row for {path.name[:2]}"
            listed = row.group(1).split(" · ")
            assert len(listed) == len(exercises(nbformat.read(path, as_version=4))), (path.name, listed)

"""Grading the course with nbgrader (issue 23, item 7).

- tools/nbgrader_cells.py gives each exercise cell nbgrader's solution metadata and each of its check cells the
  metadata of an autograded test cell, with stable grade_ids; `--check` lists what is missing or stale.
- A checker raises on a wrong answer only while nbgrader executes the notebook (course_utils/checks/grading.py).
- In a temporary course folder (its own HOME and Jupyter folders, offline), `nbgrader generate_assignment` releases
  every notebook without its solutions, and `nbgrader autograde` gives full points to a solved submission of the
  fixture, none to an unsolved one, and on notebook 04 exactly the points of the exercises a student solved.
The nbgrader part runs two nbgrader commands (one generate_assignment, one autograde of three submissions); executing
notebook 04 under autograde is the slowest part. Measured for the whole file on 2 cores shared with other work (load
average about 20): 182 s wall, 70 s of CPU, of which autograde 141 s wall; on 2 free cores it needs about its CPU time.
"""
import copy
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from course_utils.checks import checker, failed, passed, call_student, yours_or_reference
from course_utils.checks.grading import NBGRADER_VARIABLE
from test_student_edition import exercise_plan
from tools import nbgrader_cells as nc
from tools.student_edition import BEGIN, END, INSTRUCTOR_ONLY

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
FIXTURE = ROOT / "tests" / "fixtures" / "exercises.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GRADED = ROOT / "notebooks" / "04_one_by_one_convolutions.ipynb"  # the quickest notebook that trains


# ---------------------------------------------------------------------------------------------------------------
# Checkers: a wrong answer raises under nbgrader only
# ---------------------------------------------------------------------------------------------------------------

def nbgrader_double_reference(x):
    return 2 * x


@checker("nbgrader_double", reference=nbgrader_double_reference)
def check_nbgrader_double(fn):
    value = call_student("nbgrader_double", fn, 3)
    if value != 6:
        return failed("nbgrader_double", f"nbgrader_double(3) returned {value!r}, expected 6.", "multiply by 2.")
    return passed("nbgrader_double", "nbgrader_double(3) == 6.")


def test_a_failed_check_raises_its_one_line_only_under_nbgrader(monkeypatch, capsys):
    monkeypatch.delenv(NBGRADER_VARIABLE, raising=False)
    result = check_nbgrader_double(lambda x: x + 2)
    assert not result and repr(result).startswith("✘ nbgrader_double: nbgrader_double(3) returned 5")
    for mode in ("autograde", "validate"):  # the two values nbgrader sets
        monkeypatch.setenv(NBGRADER_VARIABLE, mode)
        with pytest.raises(AssertionError) as raised:
            check_nbgrader_double(lambda x: x + 2)
        assert str(raised.value) == repr(result)
        # A right answer prints its ✔ line: nbgrader would read a returned value as partial credit.
        assert check_nbgrader_double(lambda x: x * 2) is None
        assert capsys.readouterr().out == "✔ nbgrader_double: nbgrader_double(3) == 6.\n"


def test_yours_or_reference_goes_on_with_the_reference_under_nbgrader(monkeypatch, capsys):
    monkeypatch.setenv(NBGRADER_VARIABLE, "autograde")

    def nbgrader_double(x):
        raise NotImplementedError("Exercise: double x.")

    assert yours_or_reference(nbgrader_double) is nbgrader_double_reference
    assert "the course's reference" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------------------------
# tools/nbgrader_cells.py on temporary copies
# ---------------------------------------------------------------------------------------------------------------

def copies(paths, folder):
    folder.mkdir(parents=True, exist_ok=True)
    return [pathlib.Path(shutil.copy(path, folder / path.name)) for path in paths]


def without_nbgrader(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def function_spans(source):
    """True when a solution span of the cell sits inside a function (an exercise that writes code)."""
    return any(line.strip() == BEGIN and line[:1] in (" ", "\t") for line in source.splitlines())


def test_the_tool_marks_exactly_the_exercise_and_check_cells(tmp_path):
    paths = copies(NOTEBOOKS + [FIXTURE], tmp_path)
    originals = {path: without_nbgrader(nbformat.read(path, as_version=4)) for path in paths}
    assert nc.main([str(path) for path in paths]) == 0
    for path in paths:
        nb, original = nbformat.read(path, as_version=4), originals[path]
        assert without_nbgrader(nb) == original, f"{path.name}: the tool changed more than the nbgrader metadata"
        assert path.read_text(encoding="utf-8") == nbformat.writes(nb) + "\n"  # nbformat's style, as make notebooks
        meta = {i: cell.metadata["nbgrader"] for i, cell in enumerate(nb.cells) if "nbgrader" in cell.metadata}
        exercises = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and BEGIN in cell.source]
        solutions = [i for i, m in meta.items() if m["solution"]]
        tests = {i: m["points"] for i, m in meta.items() if m["grade"]}
        assert solutions == exercises, path.name
        if exercises:
            _, checkers = exercise_plan(nb, path.name)  # the check cells test_student_edition.py runs
            assert sorted(tests) == checkers, path.name
        solved_by = {i: max(j for j in exercises if j < i) for i in tests}
        for i, points in tests.items():
            exercise = nb.cells[solved_by[i]].source
            assert points in (1, 2) and (points == 2) == function_spans(exercise), (path.name, i, points)
            assert meta[i] == nc.autograded_metadata(meta[i]["grade_id"], points)
        for i in solutions:
            assert meta[i] == nc.solution_metadata(meta[i]["grade_id"])
        ids = [m["grade_id"] for m in meta.values()]
        assert len(set(ids)) == len(ids), f"{path.name}: grade_ids repeat: {ids}"
        prefix = path.name.split("_")[0].removesuffix(".ipynb")
        assert all(grade_id.startswith(prefix + "-") for grade_id in ids), ids


def test_the_grade_ids_come_from_names_not_positions(tmp_path):
    (path,) = copies([FIXTURE], tmp_path)
    nb = nbformat.read(path, as_version=4)
    nc.apply(nb, path.name)
    by_id = {cell.id: cell.metadata["nbgrader"] for cell in nb.cells if "nbgrader" in cell.metadata}
    assert {cell_id: (m["grade_id"], m.get("points")) for cell_id, m in by_id.items()} == {
        "234a0442": ("exercises-scale-scale_all", None),
        "c6b61188": ("exercises-check_scale", 2),
        "e3847d63": ("exercises-check_scale_all", 2),
        "732a22cb": ("exercises-predicted", None),
        "836ee60b": ("exercises-check_predicted", 1),
    }
    moved = copy.deepcopy(nb)
    moved.cells.insert(0, nbformat.v4.new_markdown_cell("A new introduction."))
    moved.cells.insert(5, nbformat.v4.new_code_cell("x = 1"))
    assert not nc.apply(moved, path.name)  # cells moved, nothing to change
    nb.cells.insert(13, copy.deepcopy(nb.cells[12]))  # the same checker again, later
    nb.cells[13].id = "again"
    nc.apply(nb, path.name)
    assert nb.cells[13].metadata["nbgrader"]["grade_id"] == "exercises-check_predicted-2"


def test_check_mode_lists_missing_stale_and_stray_metadata(tmp_path, capsys):
    (path,) = copies([FIXTURE], tmp_path)
    nb = without_nbgrader(nbformat.read(path, as_version=4))
    nbformat.write(nb, path)
    assert nc.main(["--check", str(path)]) == 1
    said = capsys.readouterr().out
    assert f"{path}, cell 8 (id c6b61188): no nbgrader metadata; wants a test cell 'exercises-check_scale'" in said
    assert said.count("no nbgrader metadata") == 5 and "python -m tools.nbgrader_cells" in said
    before = path.read_bytes()
    assert nc.main(["--check", str(path)]) == 1 and path.read_bytes() == before  # --check writes nothing

    assert nc.main([str(path)]) == 0 and nc.main(["--check", str(path)]) == 0
    written = path.read_bytes()
    assert nc.main([str(path)]) == 0 and path.read_bytes() == written  # a second run changes nothing
    capsys.readouterr()

    nb = nbformat.read(path, as_version=4)
    nb.cells[12].metadata["nbgrader"]["points"] = 5
    nb.cells[3].metadata["nbgrader"] = nc.solution_metadata("exercises-old")  # `SCALE = 2` is no exercise
    nbformat.write(nb, path)
    assert nc.main(["--check", str(path)]) == 1
    said = capsys.readouterr().out
    assert "cell 12 (id 836ee60b): stale nbgrader metadata (points 5 -> 1)" in said
    assert "cell 3 (id 604ede39): nbgrader metadata on a cell that is neither an exercise nor its check" in said
    assert nc.main([str(path)]) == 0 and path.read_bytes() == written


def test_a_span_that_completes_nothing_is_a_clear_error(tmp_path, capsys):
    (path,) = copies([FIXTURE], tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[11].source = f"{BEGIN}\n# Exercise: think.\nprint(1)\n{END}\n"
    nbformat.write(nb, path)
    assert nc.main([str(path)]) == 2
    assert "cell 11: a solution span that completes no function and assigns no name" in capsys.readouterr().err


def test_a_cell_naming_the_markers_is_reported_unless_instructor_only(tmp_path, capsys):
    (path,) = copies([FIXTURE], tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[5].source += f"\nEach answer sits between a `{BEGIN}` and an `{END}` line."
    nbformat.write(nb, path)
    assert nc.main([str(path)]) == 1 and nc.main(["--check", str(path)]) == 1
    said = capsys.readouterr()
    assert said.err.count("cell 5 (id c0c78244): names a solution marker") == 1 and "cell 5" in said.out
    nb.cells[5].metadata["tags"] = [INSTRUCTOR_ONLY]  # left out of the release by tools/nbgrader_config.py
    nbformat.write(nb, path)
    assert nc.main(["--check", str(path)]) == 0


def test_the_committed_notebooks_carry_the_metadata(capsys):
    """Fails until `python -m tools.nbgrader_cells notebooks/*.ipynb` has been run and its changes committed."""
    assert nc.main(["--check", *map(str, NOTEBOOKS), str(FIXTURE)]) == 0, capsys.readouterr().out


# ---------------------------------------------------------------------------------------------------------------
# nbgrader itself, in a temporary course folder
# ---------------------------------------------------------------------------------------------------------------

def nbgrader(course, *args):
    """Run one nbgrader command in ``course`` with its own HOME and Jupyter folders; fail with its log."""
    home = course.parent / "home"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "matplotlib"),
           "KERAS_HOME": str(home / "keras"),
           "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # it calls `alembic`
    if SHARED_MNIST.exists() and not os.environ.get("COURSE_DATA_DIR"):
        env["COURSE_DATA_DIR"] = str(SHARED_MNIST)
    for name in ("JUPYTER_PATH", "TF_CPP_MIN_LOG_LEVEL"):  # as an instructor runs it: TensorFlow's logs included
        env.pop(name, None)
    ran = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                         text=True, timeout=900)
    assert ran.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}"
    assert "Exception while loading config" not in ran.stderr, ran.stderr[:3000]  # nbgrader goes on without it
    return ran


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with every notebook and the fixture, marked by the tool, released as assignment `ps`."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    paths = copies(NOTEBOOKS + [FIXTURE], course / "source" / "ps")
    assert nc.main([str(path) for path in paths]) == 0
    shutil.copy(ROOT / "tools" / "nbgrader_config.py", course / "nbgrader_config.py")  # as README says
    nbgrader(course, "generate_assignment", "ps")
    return course


def solution_lines(source):
    """The lines between the markers that a student must not be given (long enough to be more than a brace)."""
    lines, inside, found = source.splitlines(), False, []
    for line in lines:
        if line.strip() in (BEGIN, END):
            inside = line.strip() == BEGIN
        elif inside and len(line.strip()) >= 12 and not line.strip().startswith("#"):
            found.append(line.strip())
    return found


def test_generate_assignment_releases_every_notebook_without_its_solutions(course):
    for path in NOTEBOOKS + [FIXTURE]:
        source = nbformat.read(course / "source" / "ps" / path.name, as_version=4)
        release = nbformat.read(course / "release" / "ps" / path.name, as_version=4)
        released = {cell.id: cell for cell in release.cells}
        kept = [cell for cell in source.cells if INSTRUCTOR_ONLY not in cell.metadata.get("tags", [])]
        assert list(released) == [cell.id for cell in kept], f"{path.name}: instructor-only cells must go, no other"
        for cell in kept:
            out, meta = released[cell.id], cell.metadata.get("nbgrader", {})
            assert "BEGIN SOLUTION" not in out.source and "END SOLUTION" not in out.source
            given = [line for line in solution_lines(cell.source) if line in out.source]
            assert not given, f"{path.name}, cell {cell.id}: the release gives the solution away: {given}"
            if meta.get("grade"):
                assert out.source == cell.source and out.metadata["nbgrader"]["locked"], (path.name, cell.id)
            if cell.cell_type == "code":
                assert out.outputs == []


def submission(course, student, name, solved):
    """The released notebook ``name`` with the solution cells whose grade_id is in ``solved`` filled in."""
    source = {cell.id: cell for cell in nbformat.read(course / "source" / "ps" / name, as_version=4).cells}
    nb = nbformat.read(course / "release" / "ps" / name, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in solved:
            cell.source = source[cell.id].source
    folder = course / "submitted" / student / "ps"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


def test_autograde_gives_the_points_of_the_solved_exercises_only(course):
    from nbgrader.api import Gradebook

    submission(course, "solved", FIXTURE.name, {"exercises-scale-scale_all", "exercises-predicted"})
    submission(course, "unsolved", FIXTURE.name, set())
    # Notebook 04 half done: a function and a prediction solved, the other three exercises left as released.
    submission(course, "half", GRADED.name, {"04-one_by_one", "04-larger_head"})
    ran = nbgrader(course, "autograde", "ps")
    assert "cannot be converted to" not in ran.stderr  # no check cell's value was read as partial credit
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        def scores(student, name):
            found = gradebook.find_submission_notebook(pathlib.Path(name).stem, "ps", student)
            return {grade.name: grade.score for grade in found.grades}

        assert scores("solved", FIXTURE.name) == {"exercises-check_scale": 2, "exercises-check_scale_all": 2,
                                                  "exercises-check_predicted": 1}
        assert scores("unsolved", FIXTURE.name) == {"exercises-check_scale": 0, "exercises-check_scale_all": 0,
                                                    "exercises-check_predicted": 0}
        assert scores("half", GRADED.name) == {"04-check_one_by_one": 2, "04-check_reduce_1x1": 0,
                                               "04-check_heads": 1, "04-check_bottleneck_macs": 0,
                                               "04-check_cheap_branch": 0}
    # A passed check printed its ✔ line; a failed one said why, in its own one line.
    solved = nbformat.read(course / "autograded" / "solved" / "ps" / FIXTURE.name, as_version=4)
    check = next(cell for cell in solved.cells if cell.id == "c6b61188")
    assert [out.get("text") for out in check.outputs] == ["✔ scale: scale(3) == 6.\n"]
    graded = nbformat.read(course / "autograded" / "unsolved" / "ps" / FIXTURE.name, as_version=4)
    check = next(cell for cell in graded.cells if cell.id == "c6b61188")
    (error,) = [out for out in check.outputs if out.output_type == "error"]
    assert error.ename == "AssertionError" and error.evalue.startswith("✘ scale: not done yet")

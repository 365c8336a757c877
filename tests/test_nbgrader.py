"""Grading the course with nbgrader (issue 23, item 7): a checker raises on a wrong answer only while nbgrader executes
the notebook (course_utils/checks/grading.py)."""
import pytest

from course_utils.checks import checker, failed, passed, call_student, yours_or_reference
from course_utils.checks.grading import NBGRADER_VARIABLE


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


def test_a_failed_check_raises_its_one_line_only_under_nbgrader(monkeypatch):
    monkeypatch.delenv(NBGRADER_VARIABLE, raising=False)
    result = check_nbgrader_double(lambda x: x + 2)
    assert not result and repr(result).startswith("✘ nbgrader_double: nbgrader_double(3) returned 5")
    for mode in ("autograde", "validate"):  # the two values nbgrader sets
        monkeypatch.setenv(NBGRADER_VARIABLE, mode)
        with pytest.raises(AssertionError) as raised:
            check_nbgrader_double(lambda x: x + 2)
        assert str(raised.value) == repr(result)
        assert check_nbgrader_double(lambda x: x * 2).ok  # a right answer still returns its ✔ line


def test_yours_or_reference_goes_on_with_the_reference_under_nbgrader(monkeypatch, capsys):
    monkeypatch.setenv(NBGRADER_VARIABLE, "autograde")

    def nbgrader_double(x):
        raise NotImplementedError("Exercise: double x.")

    assert yours_or_reference(nbgrader_double) is nbgrader_double_reference
    assert "the course's reference" in capsys.readouterr().out

"""Checkers under nbgrader: a wrong answer must fail the autograded test cell, so the checker raises there.

nbgrader sets ``NBGRADER_EXECUTION`` (to ``autograde`` or ``validate``) while it executes a notebook; everywhere
else (a student's kernel, nbval, the tests) a check only returns its one-line ``CheckResult``, as before.
Under nbgrader a passing check prints its ✔ line and returns None: nbgrader reads a test cell's value as partial
credit and warns about any value that is not a number.
"""
import os

NBGRADER_VARIABLE = "NBGRADER_EXECUTION"


def graded(run):
    """``run`` (a checker returning a ``CheckResult``) that, while nbgrader executes the notebook, raises an
    ``AssertionError`` carrying the one-line result when the check fails, and prints it when the check passes."""
    def check(*args, **kwargs):
        result = run(*args, **kwargs)
        if not os.environ.get(NBGRADER_VARIABLE):
            return result
        if not result.ok:
            raise AssertionError(repr(result))
        print(repr(result))
        return None
    check.__name__, check.__doc__, check.__wrapped__ = run.__name__, run.__doc__, run
    return check

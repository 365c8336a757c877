"""Checkers under nbgrader: a wrong answer must fail the autograded test cell, so the checker raises there.

nbgrader sets ``NBGRADER_EXECUTION`` (to ``autograde`` or ``validate``) while it executes a notebook; everywhere
else (a student's kernel, nbval, the tests) a check only returns its one-line ``CheckResult``, as before.
"""
import os

NBGRADER_VARIABLE = "NBGRADER_EXECUTION"


def graded(run):
    """``run`` (a checker returning a ``CheckResult``) that, while nbgrader executes the notebook, raises an
    ``AssertionError`` carrying the one-line result when the check fails."""
    def check(*args, **kwargs):
        result = run(*args, **kwargs)
        if not result.ok and os.environ.get(NBGRADER_VARIABLE):
            raise AssertionError(repr(result))
        return result
    check.__name__, check.__doc__, check.__wrapped__ = run.__name__, run.__doc__, run
    return check

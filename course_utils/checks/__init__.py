"""Exercise checkers, one module per notebook; each returns a ``CheckResult`` (one line, true when right)."""
from .common import CheckResult, Failure, call_student, checker, failed, passed, student_value, yours_or_reference

"""What every exercise checker shares: one clear line of result, and the student's own errors reported plainly."""
import traceback
from dataclasses import dataclass

from ..setup_env import dtype_policy
from .grading import graded


@dataclass
class CheckResult:
    """The outcome of a check. Shown in a notebook as one line; true when the exercise is right."""

    ok: bool
    exercise: str
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"{'✔' if self.ok else '✘'} {self.exercise}: {self.message}"

    def _repr_html_(self):
        color = "#1a7f37" if self.ok else "#cf222e"
        return f'<span style="color:{color};font-weight:bold">{repr(self)}</span>'


def same_outputs(a, b, atol=1e-4):
    """True when two arrays of outputs have the same shape and agree within ``atol`` (float32 round-off)."""
    import numpy as np

    return a.shape == b.shape and np.allclose(a, b, atol=atol, rtol=atol)


def passed(exercise, message):
    return CheckResult(True, exercise, message)


def failed(exercise, problem, fix=""):
    """A failed check: what is wrong, then what to try."""
    return CheckResult(False, exercise, f"{problem}" + (f" Try: {fix}" if fix else ""))


class StudentError(Exception):
    """Raised by ``call_student`` when the student's function raised; carries a ready ``CheckResult``."""

    def __init__(self, result):
        super().__init__(result.message)
        self.result = result


def _student_line(exc):
    """The last line of the traceback that is in notebook code (not Keras or TensorFlow internals)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "ipykernel" in f.filename or f.filename.startswith("<")]
    frame = own[-1] if own else None
    return f" (line {frame.lineno}: `{frame.line.strip()}`)" if frame and frame.line else ""


def _not_the_reference(exercise, fn):
    """Raise ``StudentError`` when ``fn`` is the course's reference handed out by ``yours_or_reference``."""
    if getattr(fn, "_course_reference", False):
        raise StudentError(failed(exercise, f"this is the course's reference {exercise}, not yours: a later cell "
                                            f"handed it out while yours was not passing.",
                                  f"run your exercise cell (the one that defines {exercise}) again, then this check."))


def call_student(exercise, fn, *args, **kwargs):
    """Call the student's ``fn``; if it raises, raise ``StudentError`` with a one-line explanation.

    An unfinished exercise (``NotImplementedError``) says so; any other exception is named with its first line and
    the student's own line that raised it, without the wall of library internals.
    """
    if not callable(fn):
        raise StudentError(failed(exercise, f"expected your function, got {type(fn).__name__}.",
                                  "pass the function itself, without calling it (no parentheses)."))
    import keras

    if isinstance(fn, keras.layers.Layer):
        kind = "model" if isinstance(fn, keras.Model) else "layer"
        raise StudentError(failed(exercise, f"expected your function, got a Keras {kind} ({type(fn).__name__}).",
                                  f"pass the function {exercise} itself, not a {kind} built with it."))
    _not_the_reference(exercise, fn)
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise StudentError(failed(exercise, "not done yet: the skeleton still raises NotImplementedError.",
                                  f"replace the `raise` line with your code. {exc}".strip())) from None
    except Exception as exc:  # the student's bug, reported as such
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise StudentError(failed(exercise, f"your code raised {type(exc).__name__}: {first[:300]}"
                                            f"{_student_line(exc)}.", "fix that line, then run the check again.")) from None


def student_value(exercise, value, name, example="a number"):
    """A predicted value from a predict-then-check exercise; ``...`` (the student edition's blank) is not done yet."""
    if value is Ellipsis:
        raise StudentError(failed(exercise, f"not done yet: `{name}` is still `...`.",
                                  f"replace the `...` after `{name} =` with your answer ({example}), "
                                  f"then run the check again."))
    return value


def whole_answer(exercise, value, name, fix):
    """A predicted count or size as an int, or a failed ``CheckResult`` when it is not a whole number; ``fix`` says
    what to try for a fraction (for example "round down with // where the formula divides.")."""
    import numpy as np

    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return failed(exercise, f"`{name}` is {value!r:.40} ({type(value).__name__}), not a number.",
                      f"write a whole number (or the arithmetic that gives one) after `{name} =`.")
    if not np.isfinite(value) or value != int(value):
        return failed(exercise, f"`{name}` is {value}, not a whole number.", fix)
    return int(value)


CHECKS = {}  # exercise name -> its checker, for yours_or_reference()
REFERENCES = {}  # exercise name -> the course's reference function
PASSED = {}  # exercise name -> the student's function object that last passed its checker


def checker(exercise, reference=None):
    """Decorator for a check function: it builds its layers in float32, whatever policy the notebook set (checkers
    compare numbers with a float32 tolerance), and a ``StudentError`` raised inside it becomes the returned
    ``CheckResult``.

    ``reference`` is the course's own solution of a function exercise: ``yours_or_reference()`` hands it to later
    cells while the student's function does not pass yet.
    """
    def wrap(check):
        def run(*args, **kwargs):
            try:
                with dtype_policy("float32"):
                    result = check(*args, **kwargs)
            except StudentError as err:
                result = err.result
            if args and callable(args[0]):
                if result.ok:
                    PASSED[exercise] = args[0]
                elif PASSED.get(exercise) is args[0]:
                    del PASSED[exercise]
            return result
        run.__name__, run.__doc__ = check.__name__, check.__doc__
        CHECKS[exercise] = run
        if reference is not None:
            reference._course_reference = True
            REFERENCES[exercise] = reference
        return graded(run)  # raises on a failed check under nbgrader only; CHECKS keeps the quiet run
    return wrap


def yours_or_reference(fn):
    """Your exercise function if it passes its check, else the course's reference, so later cells always run.

    Pass the function itself, for example ``cu.yours_or_reference(vgg_block)``.  When your function passes (the check
    cell ran, or this call runs the check quietly), it is returned unchanged and nothing is printed.  Otherwise one
    line says that the cells below use the course's reference, and the reference is returned; fix your function,
    run its check, then run the later cells again to use yours.
    """
    name = getattr(fn, "__name__", None)
    if not callable(fn) or name not in REFERENCES:
        known = ", ".join(sorted(REFERENCES))
        got = f"{fn!r:.40} ({type(fn).__name__})" if not callable(fn) else f"the function {name!r}"
        raise TypeError(f"yours_or_reference() takes one of the course's exercise functions ({known}), got {got}. "
                        f"Pass the function you completed, without calling it, e.g. cu.yours_or_reference(vgg_block).")
    reference = REFERENCES[name]
    if fn is reference:
        return reference
    if PASSED.get(name) is fn:
        return fn
    result = CHECKS[name](fn)
    if result.ok:
        return fn
    why = "is not done yet" if result.message.startswith("not done yet") else "does not pass its check yet"
    print(f"ℹ Your {name} {why}, so the cells below use the course's reference {name}; "
          f"once your check passes, run them again to use yours.")
    return reference

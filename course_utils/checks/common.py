"""What every exercise checker shares: one clear line of result, and the student's own errors reported plainly."""
import contextlib
import traceback
from dataclasses import dataclass


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
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise StudentError(failed(exercise, "not done yet: the skeleton still raises NotImplementedError.",
                                  f"replace the `raise` line with your code. {exc}".strip())) from None
    except Exception as exc:  # the student's bug, reported as such
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise StudentError(failed(exercise, f"your code raised {type(exc).__name__}: {first[:300]}"
                                            f"{_student_line(exc)}.", "fix that line, then run the check again.")) from None


def checker(exercise):
    """Decorator for a check function: it builds its layers in float32 (``float32_layers``), and a ``StudentError``
    raised inside it becomes the returned ``CheckResult``."""
    def wrap(check):
        def run(*args, **kwargs):
            try:
                with float32_layers():
                    return check(*args, **kwargs)
            except StudentError as err:
                return err.result
        run.__name__, run.__doc__ = check.__name__, check.__doc__
        return run
    return wrap


@contextlib.contextmanager
def float32_layers():
    """Build layers in float32 inside, whatever global dtype policy the notebook set, and restore it after.

    Checkers compare numbers with a tolerance meant for float32, so they must not inherit, say, the float16 policy
    a notebook uses to build large untrained models.
    """
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)

"""What every exercise checker shares: one failure type, the student's own errors reported plainly, one number parser,
one table of known slips read by one function, and one way to give a model's weights values that no answer gets
right by luck.

A helper that finds a mistake raises ``Failure(problem, fix, cause)``; only the ``checker`` wrapper turns it into the
one-line ``CheckResult`` the notebook shows.
"""
import collections
import contextlib
import math
import traceback
import zlib
from dataclasses import dataclass, field

import numpy as np

from ..setup_env import dtype_policy
from .grading import graded

ATOL = 1e-4  # float32 round-off in every comparison of outputs


@dataclass
class CheckResult:
    """The outcome of a check. Shown in a notebook as one line; true when the exercise is right."""

    ok: bool
    exercise: str
    message: str
    done: bool = field(default=True, compare=False, repr=False)  # False: the exercise is not started yet

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"{'✔' if self.ok else '✘'} {self.exercise}: {self.message}"

    def _repr_html_(self):
        """Green when right, red when wrong, and a neutral grey, not bold, for an exercise not started yet."""
        if not self.ok and not self.done:
            return f'<span style="color:#57606a">{repr(self)}</span>'
        color = "#1a7f37" if self.ok else "#cf222e"
        return f'<span style="color:{color};font-weight:bold">{repr(self)}</span>'


class Failure(Exception):
    """A failed check: what is wrong (``problem``), what to try (``fix``), and the student's own exception behind it
    (``cause``, or None); ``done=False`` when the exercise is not started yet."""

    def __init__(self, problem, fix="", cause=None, done=True):
        super().__init__(problem)
        self.problem, self.fix, self.cause, self.done = problem, fix, cause, done

    def result(self, exercise):
        return CheckResult(False, exercise, _message(self.problem, self.fix), done=self.done)

    def first_line(self):
        """The cause's first line (``ValueError: ...``), as the student would read it, or ''."""
        return _first_line(self.cause) if self.cause is not None else ""


class StudentRaised(Failure):
    """The student's own code raised ``cause`` (anything but ``NotImplementedError``)."""


ORDINAL = ("first", "second", "third", "fourth")


def _message(problem, fix):
    return f"{problem}" + (f" Try: {fix}" if fix else "")


def _first_line(exc, limit=300):
    first = str(exc).strip().splitlines()[0][:limit] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"


def same_outputs(a, b, atol=ATOL):
    """True when two arrays of outputs have the same shape and agree within ``atol`` (float32 round-off)."""
    return a.shape == b.shape and np.allclose(a, b, atol=atol, rtol=atol)


def passed(exercise, message):
    return CheckResult(True, exercise, message)


def failed(exercise, problem, fix=""):
    """A failed check: what is wrong, then what to try."""
    return CheckResult(False, exercise, _message(problem, fix))


def student_line(exc):
    """The last line of the traceback that is in notebook code (not Keras or TensorFlow internals)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "ipykernel" in f.filename or f.filename.startswith("<")]
    frame = own[-1] if own else None
    return f" (line {frame.lineno}: `{frame.line.strip()}`)" if frame and frame.line else ""


def _not_the_reference(exercise, fn):
    """Raise ``Failure`` when ``fn`` is the course's reference handed out by ``yours_or_reference``."""
    if getattr(fn, "_course_reference", False):
        raise Failure(f"this is the course's reference {exercise}, not yours: a later cell handed it out while yours "
                      f"was not passing.",
                      f"run your exercise cell (the one that defines {exercise}) again, then this check.")


def call_student(exercise, fn, *args, **kwargs):
    """Call the student's ``fn``; if it raises, raise ``Failure`` with a one-line explanation and the exception.

    An unfinished exercise (``NotImplementedError``) says so; any other exception is named with its first line and
    the student's own line that raised it, without the wall of library internals.
    """
    if not callable(fn):
        raise Failure(f"expected your function, got {type(fn).__name__}.",
                      "pass the function itself, without calling it (no parentheses).")
    import keras

    if isinstance(fn, keras.layers.Layer):
        kind = "model" if isinstance(fn, keras.Model) else "layer"
        raise Failure(f"expected your function, got a Keras {kind} ({type(fn).__name__}).",
                      f"pass the function {exercise} itself, not a {kind} built with it.")
    _not_the_reference(exercise, fn)
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise Failure("not done yet: the skeleton still raises NotImplementedError.",
                      f"replace the `raise` line with your code. {exc}".strip(), cause=exc, done=False) from None
    except Exception as exc:  # the student's bug, reported as such
        raise StudentRaised(f"your code raised {_first_line(exc)}{student_line(exc)}.",
                            "fix that line, then run the check again.", cause=exc) from None


def student_value(exercise, value, name, example="a number"):
    """A predicted value from a predict-then-check exercise; ``...`` (the student edition's blank) is not done yet."""
    if value is Ellipsis:
        raise Failure(f"not done yet: `{name}` is still `...`.",
                      f"replace the `...` after `{name} =` with your answer ({example}), then run the check again.",
                      done=False)
    return value


def is_number(value):
    """True for an int or float (NumPy's too), False for a bool, a string, an array..."""
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def is_whole(value):
    return is_number(value) and bool(np.isfinite(value)) and value == int(value)


def number(value, name, what="a number", whole=None, example=""):
    """A predicted number as an int (``whole``) or a float, else ``Failure``. ``what`` is what was expected ("a
    number of megabytes"); ``whole`` is the fix for a fraction (None: fractions are fine); ``example`` ends the fix
    for something that is no number."""
    if not is_number(value):
        kind = "a whole number (or the arithmetic that gives one)" if whole else "a number"
        raise Failure(f"`{name}` is {value!r:.40} ({type(value).__name__}), not {what}.",
                      f"write {kind} after `{name} =`" + (f", for example {example}." if example else "."))
    if whole and not is_whole(value):
        raise Failure(f"`{name}` is {value}, not a whole number.", whole)
    return int(value) if whole else float(value)


def known_slip(value, slips, close=None):
    """What the first entry of ``slips`` that ``value`` matches says, else None.

    ``slips`` is one exercise's table of known wrong answers: ``{wrong value: why}`` or ``[(wrong value, why)]``,
    where ``why`` is a string or a ``(problem, fix)`` pair; a wrong value of None is skipped. ``close(value, wrong)``
    decides a match (default: equality)."""
    items = slips.items() if isinstance(slips, dict) else slips
    match = close or (lambda a, b: a == b)
    return next((why for wrong, why in items if wrong is not None and match(value, wrong)), None)


def predicted(value, right, slips, problem, fix, otherwise="", close=None):
    """The one check of a predicted answer: nothing when ``value`` is ``right`` (or ``close`` to it), else
    ``Failure`` with ``problem``, then what the matching entry of ``slips`` says (``known_slip``; a ``(problem,
    fix)`` entry brings its own fix) or ``otherwise``."""
    match = close or (lambda a, b: a == b)
    if match(value, right):
        return
    why = known_slip(value, slips, close) or otherwise
    if isinstance(why, tuple):
        raise Failure(f"{problem}: {why[0]}", why[1])
    raise Failure(f"{problem}: {why}" if why else f"{problem}.", fix)


def fixed_value(name, shape, zero_main=False, seed=0):
    """The value the checks give a variable: it depends only on its name (kernel, gamma, ...), shape and ``seed``,
    and every number is away from Keras's starting values (beta and moving_mean at least 0.2 from 0), as after
    training, so that no answer is right by luck.

    ``zero_main=True`` zeroes every kernel larger than 1x1, every bias, and BatchNormalization's ``beta`` and
    ``moving_mean``, so that in inference mode a residual block's main path outputs exactly 0.
    """
    shape = tuple(int(d) for d in shape)
    rng = np.random.default_rng(zlib.crc32(f"{name}{shape}{seed or ''}".encode()))
    if name == "kernel":
        if zero_main and len(shape) == 4 and shape[:2] != (1, 1):
            return np.zeros(shape, "float32")
        return rng.normal(0.0, 1.0 / math.sqrt(max(1, math.prod(shape[:-1]))), shape).astype("float32")
    if name == "bias" or (zero_main and name in ("beta", "moving_mean")):
        return np.zeros(shape, "float32")
    if name in ("beta", "moving_mean"):
        return (rng.uniform(0.2, 0.6, shape) * rng.choice([-1.0, 1.0], shape)).astype("float32")
    low, high = {"gamma": (0.5, 1.5), "moving_variance": (0.5, 2.0)}.get(name, (-0.3, 0.3))
    return rng.uniform(low, high, shape).astype("float32")


def randomise(model, zero_main=False, seed=0):
    """Give every variable of ``model`` its ``fixed_value``, in place; returns the model."""
    for variable in model.weights:
        name = variable.name.split("/")[-1].split(":")[0]
        variable.assign(fixed_value(name, variable.shape, zero_main, seed))
    return model


CHECKS = {}  # exercise name -> its checker, for yours_or_reference()
REFERENCES = {}  # exercise name -> the course's reference function
PASSED = {}  # exercise name -> the student's function object that last passed its checker


@contextlib.contextmanager
def keras_names_kept():
    """Layers built inside do not advance Keras's automatic numbering (``conv2d_12``), so the layer names that later
    cells show do not depend on how many layers a check built."""
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # another Keras layout: names then depend on the checks, as they always did
        yield
        return
    saved = dict(global_state.get_global_attribute("object_name_uids") or {})
    try:
        yield
    finally:
        global_state.set_global_attribute("object_name_uids", collections.defaultdict(int, saved))


def checker(exercise, reference=None):
    """Decorator for a check function: it builds its layers in float32, whatever policy the notebook set (checkers
    compare numbers with a float32 tolerance), without moving Keras's layer numbering (``keras_names_kept``), and a
    ``Failure`` raised inside it becomes the returned ``CheckResult``.

    ``reference`` is the course's own solution of a function exercise: ``yours_or_reference()`` hands it to later
    cells while the student's function does not pass yet.
    """
    def wrap(check):
        def run(*args, **kwargs):
            try:
                with dtype_policy("float32"), keras_names_kept():
                    result = check(*args, **kwargs)
            except Failure as failure:
                result = failure.result(exercise)
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
    why = "does not pass its check yet" if result.done else "is not done yet"
    print(f"ℹ Your {name} {why}, so the cells below use the course's reference {name}; "
          f"once your check passes, run them again to use yours.")
    return reference

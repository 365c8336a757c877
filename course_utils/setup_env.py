"""``setup()``: the one call at the top of every notebook (seeds, plot style, versions, environment check)."""
import contextlib
import os
import pathlib
import platform
import random
import re
import sys
import tempfile
import warnings

import numpy as np

from .arguments import whole_number

FIX = "Run `make lab` (or `make test`) from the course folder: it installs the versions the course is tested with."
CHECKED = ("tensorflow", "keras")


# TensorFlow's C++ start-up lines (absl, oneDNN, CPU features): written straight to the process's stderr when the
# library loads, whatever TF_CPP_MIN_LOG_LEVEL says, so a notebook shows them in red.  They are not course content.
TF_NOISE = re.compile(r"^(WARNING: All log messages before absl|I0000 |E0000 |W0000 |To enable the following instructions)")


# oneDNN's notice, printed once per process by the first TensorFlow op in float16 (or bfloat16) on a CPU without
# instructions for that type (most laptops: it needs AVX512-FP16, AMX-FP16 or AVX-NE-CONVERT, not just AVX-512):
#   E0000 ... util.cc:131] oneDNN supports DT_HALF only on platforms with AVX-512. Falling back to the default
#   Eigen-based implementation if present.
# It is logged at ERROR level, so TF_CPP_MIN_LOG_LEVEL=2 lets it through. TensorFlow then uses its own kernels.
ONEDNN_FALLBACK = re.compile(r"^E0000 .*oneDNN supports DT_\w+ only on platforms with AVX-512")


@contextlib.contextmanager
def _stderr_filtered(drop):
    """Inside the block the process's file descriptor 2 goes to a file; after it, every line that ``drop`` (a regex)
    does not match is written to ``sys.stderr``.  C++ libraries write below Python's ``sys.stderr``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode("utf-8", errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not drop.match(line))
            if kept:
                sys.stderr.write(kept)


def import_tensorflow_quietly():
    """Import TensorFlow with its start-up lines (``TF_NOISE``) dropped; anything else it prints still shows.

    The lines come from C++, below Python's ``sys.stderr``, so the process's file descriptor 2 is sent to a file
    while the library loads.  Returns the module; does nothing more once TensorFlow is imported.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_filtered(TF_NOISE):
        import tensorflow
    return tensorflow


def spend_onednn_fallback_notice(dtypes=("float16",)):
    """Run one tiny TensorFlow op in each of ``dtypes`` with its oneDNN fallback notice (``ONEDNN_FALLBACK``) dropped.

    TensorFlow prints that notice once per process, so after this call building or running layers in these types
    prints nothing; any other line written meanwhile still reaches stderr.
    """
    tf = import_tensorflow_quietly()
    with _stderr_filtered(ONEDNN_FALLBACK):
        for dtype in dtypes:
            tf.zeros((1,), dtype=dtype)


def dtype_policy(name):
    """A ``with`` block inside which new Keras layers use the dtype policy ``name``; the previous one comes back after.

    Notebook 01 builds its large untrained models in ``"float16"`` to halve their memory, so that every layer built
    after the block (a training run, an exercise check) is back in float32:

        with cu.dtype_policy("float16"):
            alexnet_model = alexnet()

    A policy in float16 or bfloat16 first spends TensorFlow's one-time oneDNN fallback notice unseen
    (``spend_onednn_fallback_notice``), so that a CPU without float16 instructions shows no red line.
    """
    import keras

    if not isinstance(name, str):
        raise TypeError(f"name must be a dtype policy name such as 'float16' or 'float32', got {name!r}.")
    try:
        policy = keras.dtype_policies.get(name)
    except ValueError:
        raise ValueError(f"{name!r} is not a Keras dtype policy. Use 'float32', 'float16', 'bfloat16' or "
                         f"'mixed_float16'.") from None
    low = sorted({policy.variable_dtype, policy.compute_dtype} & {"float16", "bfloat16"})
    if low and keras.backend.backend() == "tensorflow":
        spend_onednn_fallback_notice(low)
    return _policy(name)


@contextlib.contextmanager
def _policy(name):
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def required_versions():
    """``{"tensorflow": "2.21", "keras": "3.15"}``: the lowest versions the course accepts, read from its declared
    dependencies (pyproject.toml, through the installed package's metadata), so that they have one source."""
    from importlib import metadata

    from packaging.requirements import Requirement

    try:
        declared = metadata.requires("course-utils") or []
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        import tomllib

        pyproject = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"
        declared = tomllib.loads(pyproject.read_text())["project"]["dependencies"] if pyproject.is_file() else []
    minimum = {}
    for text in declared:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = "tensorflow" if requirement.name.startswith("tensorflow") else requirement.name
        for spec in requirement.specifier:
            if name in CHECKED and spec.operator == ">=":
                minimum[name] = spec.version
    return minimum


def check_versions(versions, minimum=None):
    """Warnings (as strings) for libraries older than the course needs; ``versions`` maps name -> version."""
    from packaging.version import InvalidVersion, Version

    problems = []
    for name, lowest in (required_versions() if minimum is None else minimum).items():
        found = versions.get(name)
        if found is None:
            problems.append(f"{name} is not installed. {FIX}")
            continue
        try:
            old = Version(found) < Version(lowest)
        except InvalidVersion:
            old = True
        if old:
            problems.append(f"{name} {found} is older than the {lowest} the course needs. {FIX}")
    return problems


def present_mode(present=None):
    """Whether to use projector-sized plots: ``present`` if given, else the COURSE_PRESENT environment variable."""
    if present is None:
        return os.environ.get("COURSE_PRESENT", "").strip().lower() in {"1", "true", "yes", "on"}
    if not isinstance(present, bool):
        raise TypeError(f"present must be True or False, got {present!r}.")
    return present


def plot_style(present=False):
    """The course's matplotlib settings. Presenting raises the resolution 1.5 times, which enlarges every figure,
    its fonts and lines alike, including helpers that choose their own figure size."""
    return {
        "figure.figsize": (7, 4),
        "figure.dpi": 150 if present else 100,
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "lines.linewidth": 2,
        "legend.frameon": False,
        "image.cmap": "gray",
    }


def figure_alt(fig):
    """Alt text for a matplotlib figure, from its titles: the figure's title and each plot's title (or, for a plot
    without one, "y label against x label"), at most eight of them."""
    texts = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    for ax in fig.axes:
        text = ax.get_title() or (f"{ax.get_ylabel()} against {ax.get_xlabel()}"
                                  if ax.get_xlabel() and ax.get_ylabel() else "")
        if text and text not in texts:
            texts.append(text)
    if len(texts) > 8:
        texts = texts[:8] + [f"and {len(texts) - 8} more"]
    return "Plot: " + "; ".join(texts) if texts else "A plot without a title"


def _wrap_png_printer(*_):
    """Make IPython's png printer of matplotlib figures also return ``{"alt": figure_alt(fig)}`` as metadata."""
    from IPython import get_ipython
    from matplotlib.figure import Figure

    formatter = get_ipython().display_formatter.formatters["image/png"]
    draw = formatter.type_printers.get(Figure)
    if draw is None or getattr(draw, "stores_alt", False):
        return

    def png_with_alt(fig):
        data = draw(fig)
        data, metadata = data if isinstance(data, tuple) else (data, {})
        return data, dict(metadata or {}, alt=figure_alt(fig))

    png_with_alt.stores_alt = True
    formatter.for_type(Figure, png_with_alt)


def store_alt_text():
    """In IPython, every figure shown also stores ``figure_alt(fig)`` in its output's metadata (``alt``), which the
    course's site and HTML exports use as the image's alt text.  The inline backend registers its printer after the
    cell that loads it, so the printer is wrapped after every cell (once it is there).  Nothing outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or "image/png" not in shell.display_formatter.formatters:
        return
    import matplotlib
    import matplotlib.pyplot as plt

    plt.switch_backend(matplotlib.get_backend())  # loads the inline backend now, not at the first figure
    _wrap_png_printer()
    if _wrap_png_printer not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _wrap_png_printer)


def setup(seed=0, present=None):
    """Seed Python, NumPy and Keras, set the plot style, print the versions in one line, warn on old libraries.

    Call it before ``import keras``: it loads TensorFlow without the start-up lines TensorFlow prints in red.

    ``present=True`` (or COURSE_PRESENT=1 in the environment) enlarges fonts and figures for a projector.
    """
    seed = whole_number(seed, "seed", hint="Use a whole number such as 0.")
    present = present_mode(present)
    import_tensorflow_quietly()  # before Keras, which would load TensorFlow with its start-up lines
    import keras
    import matplotlib
    import matplotlib.pyplot as plt

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    store_alt_text()  # first: loading the inline backend must not undo the style below
    plt.rcParams.update(plot_style(present))
    versions = {"python": platform.python_version(), "keras": keras.__version__,
                "numpy": np.__version__, "matplotlib": matplotlib.__version__}
    try:
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    except ImportError:
        pass
    for problem in check_versions(versions):
        warnings.warn(problem, stacklevel=2)
    if keras.backend.backend() != "tensorflow":
        warnings.warn(f"Keras uses the {keras.backend.backend()!r} backend; the course is tested with "
                      f"'tensorflow'. Set KERAS_BACKEND=tensorflow before starting Jupyter.", stacklevel=2)
    print(" · ".join(f"{name} {version}" for name, version in versions.items())
          + f" · seed {seed}" + (" · presenter mode" if present else ""))

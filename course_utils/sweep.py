"""Running a sweep of training runs with a progress bar, and caching its results in a JSON file.

A sweep is a list of points (dicts such as ``{"kind": "plain", "depth": 20, "seed": 0}``) and one configuration
(a dict of every setting the runs share: data size, epochs, learning rate...).  The cache file stores both, so
results reloaded from it always say which configuration produced them, and ``load_sweep()`` refuses a file made
with another configuration.
"""
import datetime
import json
import math
import time
from dataclasses import dataclass, field

from .arguments import file_path

FORMAT = "course-sweep/1"


def _plain_json(value, name, fix):
    """``value`` after a JSON round trip (tuples become lists); a TypeError naming ``name`` if it cannot be stored."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must hold only numbers, strings, booleans, None, lists and dicts with string keys, "
                        f"so that it can be saved as JSON ({err}). {fix}") from None


def _check_config(config):
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of the settings shared by every run, got {type(config).__name__}. "
                        f"Pass for example config={{'epochs': 2, 'batch_size': 64}}.")
    return _plain_json(config, "config", "Convert arrays with .tolist() and numbers with float() or int().")


def _check_points(points):
    if isinstance(points, dict) or not hasattr(points, "__iter__"):
        raise TypeError(f"points must be a list of dicts, one per run, got {type(points).__name__}. "
                        f"Pass for example [{{'depth': 8, 'seed': 0}}, {{'depth': 20, 'seed': 0}}].")
    points = list(points)
    if not points:
        raise ValueError("points is empty, so there is nothing to run. Pass at least one dict of run settings.")
    for point in points:
        if not isinstance(point, dict) or not point:
            raise TypeError(f"each point must be a non-empty dict of keyword arguments for run, got {point!r}. "
                            f"Pass for example {{'depth': 8, 'seed': 0}}.")
    points = _plain_json(points, "points", "Use plain numbers and strings in each point.")
    seen = set()
    for point in points:
        key = json.dumps(point, sort_keys=True)
        if key in seen:
            raise ValueError(f"point {point} appears twice in points; each run must be distinct. Remove the copy.")
        seen.add(key)
    return points


def _label(point):
    return " ".join(f"{key}={value}" for key, value in point.items())


@dataclass
class Sweep:
    """The results of a sweep: ``runs`` is a list of ``{"point": ..., "result": ...}`` in the order they ran.

    ``source`` is ``"live"`` for a run in this session, or the file the results were loaded from.
    """

    config: dict
    runs: list
    source: str = "live"
    saved: str = ""
    seconds: float = field(default=0.0, compare=False)

    @property
    def cached(self):
        """True when the results come from a cache file rather than from runs in this session."""
        return self.source != "live"

    def result(self, **point):
        """The result of the run with exactly these settings, e.g. ``sweep.result(kind="plain", depth=20, seed=0)``."""
        wanted = _plain_json(point, "point", "Use plain numbers and strings.")
        for run in self.runs:
            if run["point"] == wanted:
                return run["result"]
        known = ", ".join("{" + _label(run["point"]) + "}" for run in self.runs[:4])
        raise ValueError(f"no run with {_label(wanted) or 'no settings'} in this sweep. "
                         f"It holds {len(self.runs)} runs, such as {known}{', ...' if len(self.runs) > 4 else ''}.")

    def describe(self):
        """One line saying whether these results are live or cached, and from which configuration."""
        settings = ", ".join(f"{key}={value}" for key, value in self.config.items())
        if self.cached:
            return (f"CACHED results of {len(self.runs)} runs loaded from {self.source} (saved {self.saved}); "
                    f"nothing was trained in this session. Configuration: {settings}.")
        took = f" in {self.seconds:.0f} s" if self.seconds else ""
        return f"LIVE results of {len(self.runs)} runs trained in this session{took}. Configuration: {settings}."

    def __repr__(self):
        return self.describe()


def run_sweep(run, points, config, desc="sweep"):
    """Call ``run(**point)`` for every point, with a progress bar, and collect the results in a ``Sweep``.

    ``run`` returns a dict of JSON-storable values (numbers, lists of numbers, strings).  ``config`` is stored with
    the results; it should hold every setting that ``run`` reads besides the point itself.

    >>> sweep = run_sweep(lambda depth: {"loss": 1.0 / depth}, [{"depth": 2}, {"depth": 4}], {"epochs": 1})
    >>> sweep.result(depth=4)
    {'loss': 0.25}
    """
    from tqdm.auto import tqdm

    if not callable(run):
        raise TypeError(f"run must be a function called as run(**point), got {type(run).__name__}. "
                        f"Pass the function itself, without parentheses.")
    points = _check_points(points)
    config = _check_config(config)
    if not isinstance(desc, str):
        raise TypeError(f"desc must be a string shown beside the progress bar, got {type(desc).__name__}.")
    runs, start = [], time.perf_counter()
    with tqdm(points, desc=desc, unit="run") as bar:
        for point in bar:
            bar.set_postfix_str(_label(point))
            result = run(**point)
            if not isinstance(result, dict):
                raise TypeError(f"run({_label(point)}) returned {type(result).__name__}; it must return a dict "
                                f"such as {{'loss': [...], 'accuracy': [...]}}.")
            result = _plain_json(result, f"the result of run({_label(point)})",
                                 "Convert arrays with .tolist() and NumPy numbers with float().")
            runs.append({"point": point, "result": result})
    return Sweep(config=config, runs=runs, seconds=time.perf_counter() - start)


def save_sweep(sweep, path):
    """Write ``sweep`` (its configuration and every run) to the JSON file ``path``, creating its folder."""
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be the Sweep returned by run_sweep(), got {type(sweep).__name__}.")
    path = file_path(path, "results/sweep.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    data = {"format": FORMAT, "saved": saved, "config": sweep.config, "runs": sweep.runs}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1) + "\n")
    partial.replace(path)  # a crash while writing never leaves a half-written cache
    return path


def _differences(stored, wanted):
    lines = []
    for key in sorted(set(stored) | set(wanted), key=str):
        if key not in stored:
            lines.append(f"{key} is missing there but {wanted[key]!r} here")
        elif key not in wanted:
            lines.append(f"{key} is {stored[key]!r} there but missing here")
        elif stored[key] != wanted[key] and not (_both_nan(stored[key], wanted[key])):
            lines.append(f"{key} is {stored[key]!r} there but {wanted[key]!r} here")
    return lines


def _both_nan(a, b):
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def load_sweep(path, config):
    """The ``Sweep`` saved in ``path`` by ``save_sweep()``, after checking it was made with ``config``.

    Pass ``config=None`` to accept whatever configuration the file holds (``describe()`` still shows it).
    """
    path = file_path(path, "results/sweep.json")
    rerun = "Run the sweep live instead (USE_CACHE = False), then save it with save_sweep(sweep, path)."
    if not path.is_file():
        raise FileNotFoundError(f"No cached sweep at {str(path)!r}. {rerun}")
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = f" (line {err.lineno}, column {err.colno}: {err.msg})" if isinstance(err, json.JSONDecodeError) else ""
        raise ValueError(f"The cache {str(path)!r} is damaged: it is not valid JSON{where}. "
                         f"Delete it, then {rerun[0].lower()}{rerun[1:]}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("config"), dict) \
            or not isinstance(data.get("runs"), list):
        raise ValueError(f"{str(path)!r} is not a sweep cache written by save_sweep() (expected a JSON object with "
                         f"format {FORMAT!r}, a config and a list of runs). {rerun}")
    for run in data["runs"]:
        if not (isinstance(run, dict) and isinstance(run.get("point"), dict) and isinstance(run.get("result"), dict)):
            raise ValueError(f"The cache {str(path)!r} is damaged: a run lacks its point or its result. "
                             f"Delete it, then {rerun[0].lower()}{rerun[1:]}")
    if config is not None:
        differences = _differences(data["config"], _check_config(config))
        if differences:
            raise ValueError(f"The cache {str(path)!r} was made with another configuration: "
                             f"{'; '.join(differences)}. Use the configuration it was made with, or run the sweep "
                             f"live (USE_CACHE = False) and save it again.")
    return Sweep(config=data["config"], runs=data["runs"], source=str(path), saved=str(data.get("saved", "unknown")))


def run_or_load_sweep(run, points, config, path, use_cache, save=False, desc="sweep"):
    """The notebooks' cached sweeps in one call: with ``use_cache``, the ``Sweep`` saved in ``path`` (checked against
    ``config`` by ``load_sweep``); otherwise ``run_sweep(run, points, config, desc)``, saved to ``path`` when ``save``.
    """
    for name, value in (("use_cache", use_cache), ("save", save)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}. Set it at the top of the notebook's cell, "
                            f"for example USE_CACHE = True.")
    if use_cache:
        return load_sweep(path, config=config)
    sweep = run_sweep(run, points, config=config, desc=desc)
    if save:
        save_sweep(sweep, path)
    return sweep

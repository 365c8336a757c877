import json

import numpy as np
import pytest

from course_utils import load_sweep
from course_utils.sweep import run_sweep, save_sweep

CONFIG = {"epochs": 2, "depths": (8, 20), "lr": 0.1}
POINTS = [{"depth": 8, "seed": 0}, {"depth": 20, "seed": 0}]


def fake_run(depth, seed):
    return {"loss": [1.0 / depth, 0.5 / depth], "seed": seed}


def test_run_sweep_calls_run_for_every_point_in_order():
    calls = []

    def run(depth, seed):
        calls.append((depth, seed))
        return fake_run(depth, seed)

    sweep = run_sweep(run, POINTS, CONFIG)
    assert calls == [(8, 0), (20, 0)]
    assert sweep.result(depth=20, seed=0) == {"loss": [0.05, 0.025], "seed": 0}
    assert sweep.config == {"epochs": 2, "depths": [8, 20], "lr": 0.1}  # stored as JSON stores it
    assert not sweep.cached
    assert sweep.describe().startswith("LIVE results of 2 runs") and "depths=[8, 20]" in sweep.describe()


def test_numpy_values_in_a_result_must_be_converted():
    with pytest.raises(TypeError, match=r"result of run\(depth=8 seed=0\).*tolist"):
        run_sweep(lambda depth, seed: {"loss": np.array([1.0])}, POINTS, CONFIG)


def test_save_then_load_round_trip(tmp_path):
    sweep = run_sweep(fake_run, POINTS, CONFIG)
    path = save_sweep(sweep, tmp_path / "results" / "sweep.json")
    loaded = load_sweep(path, config=CONFIG)
    assert loaded.runs == sweep.runs and loaded.config == sweep.config
    assert loaded.cached and loaded.source == str(path)
    text = loaded.describe()
    assert text.startswith("CACHED results of 2 runs loaded from") and str(path) in text
    assert "nothing was trained" in text and "epochs=2" in text
    assert not list(tmp_path.glob("results/*.partial"))


def test_load_without_config_check_accepts_any_configuration(tmp_path):
    path = save_sweep(run_sweep(fake_run, POINTS, CONFIG), tmp_path / "s.json")
    assert load_sweep(path, config=None).config["epochs"] == 2


def test_missing_cache_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No cached sweep at .*nope\.json.*USE_CACHE = False.*save_sweep"):
        load_sweep(tmp_path / "nope.json", config=CONFIG)


def test_corrupted_json_is_reported_as_damaged(tmp_path):
    path = save_sweep(run_sweep(fake_run, POINTS, CONFIG), tmp_path / "s.json")
    path.write_text(path.read_text()[:40])
    with pytest.raises(ValueError, match=r"is damaged: it is not valid JSON \(line \d+, column \d+.*Delete it"):
        load_sweep(path, config=CONFIG)


def test_binary_garbage_is_reported_as_damaged(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="is damaged"):
        load_sweep(path, config=CONFIG)


@pytest.mark.parametrize("content", [[1, 2], {"format": "other"}, {"format": "course-sweep/1", "config": {}}])
def test_json_that_is_not_a_sweep_cache(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match="is not a sweep cache written by save_sweep"):
        load_sweep(path, config=None)


def test_a_run_without_result_is_damaged(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"format": "course-sweep/1", "config": {}, "runs": [{"point": {"a": 1}}]}))
    with pytest.raises(ValueError, match="lacks its point or its result"):
        load_sweep(path, config=None)


# The plots that show a sweep's results (course_utils.plots).

def test_plot_depth_sweep_draws_the_mean_and_each_run():
    import matplotlib

    from course_utils.plots import plot_depth_sweep

    ax = plot_depth_sweep([8, 20], {"plain": [[1.0, 2.0], [3.0, 4.0]], "residual": [[1.0, 0.5]]})
    assert isinstance(ax, matplotlib.axes.Axes)
    assert list(ax.lines[0].get_ydata()) == [2.0, 3.0]  # the mean of the two runs
    assert len(ax.lines) == (1 + 2) + (1 + 1)  # plain: mean + 2 runs; residual: mean + 1 run
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain", "residual"]


def test_plot_step_curves_and_layer_norms_accept_an_ax():
    import matplotlib.pyplot as plt

    from course_utils.plots import plot_layer_norms, plot_step_curves

    _, (a, b) = plt.subplots(1, 2)
    assert plot_step_curves({"8 layers": [[2.0, 1.0], [2.0, 0.5]]}, steps=[10, 20], ax=a) is a
    assert list(a.lines[0].get_ydata()) == [2.0, 0.75]
    assert plot_layer_norms({"plain": [1.0, 0.1, 0.01]}, ax=b) is b
    assert b.get_yscale() == "log" and list(b.lines[0].get_xdata()) == [1, 2, 3]


# The instructor cache shipped with notebook 03 must match the notebook's QUICK configuration.

def test_shipped_caches_of_notebook_03_match_its_configuration():
    """The caches notebook 03 shows by default hold every run of its configuration, and the claims it asserts."""
    import pathlib

    import nbformat

    root = pathlib.Path(__file__).resolve().parents[1]
    notebook = nbformat.read(root / "notebooks" / "03_why_resnets_work.ipynb", as_version=4)
    config_cell = next(cell.source for cell in notebook.cells
                       if cell.cell_type == "code" and "QUICK = {" in cell.source)
    namespace = {"BN_MOMENTUM": 0.9}  # the one name the configuration takes from the model cell
    exec(config_cell, namespace)  # plain dicts, no imports
    quick, families = namespace["QUICK"], namespace["FAMILIES"]
    sweep = load_sweep(root / "notebooks" / "results" / "degradation_quick.json", config=quick)
    expected = [{"family": family, "depth": depth, "seed": seed}
                for seed in quick["seeds"] for depth in quick["depths"] for family in families]
    assert [run["point"] for run in sweep.runs] == expected
    measured = {"running loss", "training loss", "training error", "held-out loss", "held-out error"}
    for run in sweep.runs:
        probed = run["point"]["depth"] >= 20
        assert set(run["result"]) == measured | ({"probes"} if probed else set())
        assert all(len(run["result"][key]) == quick["epochs"] for key in measured)  # one value per pass
        if probed:  # one record per probe step, one relative gradient per layer on the path, one spread per block
            assert [record["step"] for record in run["result"]["probes"]] == quick["probe_steps"]
            for record in run["result"]["probes"]:
                assert len(record["relative_gradients"]) == run["point"]["depth"]
                assert len(record["activation_stds"]) == (run["point"]["depth"] - 2) // 2
    final = {tuple(run["point"].values()): run["result"]["training loss"][-1] for run in sweep.runs}
    for seed in quick["seeds"]:  # the claims the notebook asserts hold in the cached results
        assert 5 * final["plain", 8, seed] < final["plain", 20, seed] < final["plain", 56, seed]
        assert max(final["residual", depth, seed] for depth in (20, 56)) < final["residual", 8, seed]
    interventions = load_sweep(root / "notebooks" / "results" / "interventions_quick.json", config=None)
    assert {run["point"]["change"] for run in interventions.runs} == {"learning rate 0.01",
                                                                     "warm-up at 0.01 for one pass", "zero gamma"}
    assert all(run["result"]["training loss"][-1] > 1.5 for run in interventions.runs)
    decay = load_sweep(root / "notebooks" / "results" / "weight_decay_quick.json", config=None)
    assert len(decay.runs) == 12 and all({"gates", "others", "ratio start", "ratio end"} <= set(run["result"])
                                         for run in decay.runs)


def test_run_or_load_sweep_runs_saves_and_loads(tmp_path):
    from course_utils import run_or_load_sweep

    path = tmp_path / "s.json"
    live = run_or_load_sweep(fake_run, POINTS, CONFIG, path, use_cache=False)
    assert not live.cached and not path.exists()
    saved = run_or_load_sweep(fake_run, POINTS, CONFIG, path, use_cache=False, save=True)
    assert path.exists()
    loaded = run_or_load_sweep(lambda **point: 1 / 0, POINTS, CONFIG, path, use_cache=True)  # nothing is run
    assert loaded.cached and loaded.runs == saved.runs

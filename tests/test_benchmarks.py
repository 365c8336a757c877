"""The benchmark script's bookkeeping (the measurements themselves run in `make bench`, not here)."""
import subprocess
import sys

from conftest import ROOT

from benchmarks import run as bench


def results(seconds=50, peak=900, step=3.0, lenet_98=None):
    notebook = {"notebook": "01_classic_networks.ipynb", "seconds": seconds, "peak_mib": peak, "budget_s": 60,
                "slowest_cells": [{"cell": 17, "seconds": 6.1, "first_line": "history_modern, seconds_modern = ..."}]}
    return {"machine": {"cores": 2, "python": "Python 3.11.7", "tensorflow": "2.21.0", "date": "2026-11-26"},
            "notebooks": [notebook,
                          {"notebook": "03_why_resnets_work.ipynb", "seconds": 110, "peak_mib": 800, "budget_s": 120}],
            "lenet": {"training_images": 8000, "97%": {"seconds": 9.1, "epochs": 7},
                      "98%": lenet_98 or {"seconds": 14.0, "epochs": 12}},
            "tracing": {"trace ResNet-50 (ms)": 3.2, "tracer step VGG-16 (ms), worst of 20": step}}


def test_budgets_live_in_one_place():
    assert bench.BUDGETS["notebook seconds"] == 60 and bench.BUDGETS["kernel peak MiB"] == 1536
    assert bench.notebook_budget_s("03_why_resnets_work.ipynb") == 120
    assert bench.notebook_budget_s("01_classic_networks.ipynb") == 60


def test_budgets_met():
    assert bench.over_budget(results()) == []


def test_each_budget_can_fail():
    assert bench.over_budget(results(seconds=95)) == [
        "01_classic_networks.ipynb took 95 s (budget 60 s); slowest cell 17 6.1 s (`history_modern, seconds_modern = ...`)"]
    assert bench.over_budget(results(peak=3000)) == ["01_classic_networks.ipynb peaked at 3000 MiB (budget 1536 MiB)"]
    assert bench.over_budget(results(step=150.0)) == ["tracer step VGG-16 (ms), worst of 20 = 150.0 ms (budget 100 ms)"]
    assert bench.over_budget(results(lenet_98={"seconds": 25.9, "epochs": 24})) == [
        "LeNet-5 to 98% took 25.9 s (budget 15 s)"]
    assert bench.over_budget(results(lenet_98="not reached in 30 epochs")) == [
        "LeNet-5 to 98%: not reached in 30 epochs (budget 15 s)"]


def test_markdown_table_names_the_machine_and_every_row_with_its_budget():
    data = results()
    data["over_budget"] = bench.over_budget(data)
    text = bench.markdown(data)
    assert text.startswith("Measured on 2 CPU cores")
    assert "| 01_classic_networks.ipynb | 50 | 60 | 900 | 1536 | 6.1 s, cell 17 |" in text
    assert "| LeNet-5 to 97% held-out accuracy (8,000 training images) | 9.1 s (7 epochs) |  |" in text
    assert "| LeNet-5 to 98% held-out accuracy (8,000 training images) | 14.0 s (12 epochs) | 15 s |" in text
    assert "| tracer step VGG-16 (ms), worst of 20 | 3.0 | 100 ms |" in text
    assert text.rstrip().endswith("Budgets: all met.")


def test_slowest_cells_are_named_slowest_first():
    assert bench.slowest([(0.5, 2, "a"), (9.0, 7, "train(model)"), (1.0, 4, "b"), (0.1, 5, "c")], most=2) == [
        {"cell": 7, "seconds": 9.0, "first_line": "train(model)"}, {"cell": 4, "seconds": 1.0, "first_line": "b"}]


def test_worst_is_the_slowest_call():
    calls = iter([0.0, 0.05])
    assert bench.milliseconds(lambda: __import__("time").sleep(next(calls)), repeat=2, worst=True) >= 50


def test_peak_memory_sees_a_process_grow():
    child = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(200 * 2**20); time.sleep(1.5)"])
    with bench.PeakMemory(child.pid, every_s=0.02) as memory:
        child.wait()
    assert memory.peak_mib > 150


def test_cells_that_raised_the_peak_most_are_named_when_over_budget():
    rises = [(0.0, 0, "import keras"), (676.4, 42, "def vgg(convs_per_block, name):"), (230.2, 28, "import gc"),
             (0.3, 30, "assert ..."), (41.0, 51, "diagram = cu.save_diagram(vgg16, ...)")]
    cells = bench.largest_rises(rises)
    assert cells == [{"cell": 42, "raised_mib": 676, "first_line": "def vgg(convs_per_block, name):"},
                     {"cell": 28, "raised_mib": 230, "first_line": "import gc"},
                     {"cell": 51, "raised_mib": 41, "first_line": "diagram = cu.save_diagram(vgg16, ...)"}]
    assert bench.largest_rises([(0.2, 0, "x = 1")]) == []  # no rise worth naming
    data = results(peak=3000)
    data["notebooks"][0]["peak_cells"] = cells[:1]
    assert bench.over_budget(data) == ["01_classic_networks.ipynb peaked at 3000 MiB (budget 1536 MiB); raised most by "
                                       "cell 42 +676 MiB (`def vgg(convs_per_block, name):`)"]


def test_a_sample_after_the_process_ended_says_so():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    memory = bench.PeakMemory(child.pid)
    child.wait()
    assert memory.sample() is False


def test_a_failing_notebook_is_reported_and_the_others_still_measured(tmp_path):
    """`make bench` with a broken notebook: every notebook has its row, the broken one with its error, and the exit
    status says that something failed."""
    import json

    import nbformat

    cells = {"a_broken.ipynb": ["x = 1", "raise ValueError('the cache file is missing')", "y = 2"],
             "b_fine.ipynb": ["total = sum(range(10))", "assert total == 45"]}
    for name, sources in cells.items():
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), tmp_path / name)
    status = bench.main([str(tmp_path / name) for name in cells] + ["--only-notebooks", "--out", str(tmp_path / "out")])
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    rows = {row["notebook"]: row for row in results["notebooks"]}
    assert status == 1
    assert rows["a_broken.ipynb"]["error"] == "cell 1 raised ValueError: the cache file is missing"
    assert "error" not in rows["b_fine.ipynb"] and rows["b_fine.ipynb"]["seconds"] > 0
    assert results["over_budget"] == ["a_broken.ipynb failed: cell 1 raised ValueError: the cache file is missing"]
    table = (tmp_path / "out" / "results.md").read_text()
    assert "| a_broken.ipynb |" in table and "FAILED: cell 1 raised ValueError" in table
    assert "| b_fine.ipynb |" in table

import warnings

import matplotlib.pyplot as plt
import numpy as np

from course_utils import setup
from course_utils.setup_env import check_versions, plot_style, present_mode, required_versions


def test_setup_seeds_prints_versions_and_sets_style(capsys):
    assert setup(seed=3) is None  # nothing to echo in a notebook
    first = np.random.rand(3)
    line = capsys.readouterr().out.strip()
    assert line.startswith("python 3.") and "keras 3." in line and "tensorflow 2." in line and line.endswith("seed 3")
    setup(seed=3)
    assert np.array_equal(first, np.random.rand(3))
    assert plt.rcParams["axes.grid"] is True


def test_setup_presenter_mode_enlarges_fonts(capsys, monkeypatch):
    monkeypatch.delenv("COURSE_PRESENT", raising=False)
    setup(present=True)
    assert "presenter mode" in capsys.readouterr().out
    assert plt.rcParams["figure.dpi"] == plot_style(True)["figure.dpi"] == 1.5 * plot_style(False)["figure.dpi"]
    monkeypatch.setenv("COURSE_PRESENT", "1")
    assert present_mode() is True
    monkeypatch.setenv("COURSE_PRESENT", "0")
    assert present_mode() is False


def test_the_minimum_versions_are_the_pins_of_pyproject():
    import re
    import tomllib

    from conftest import ROOT

    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lowest = {re.match(r"[\w-]+", pin)[0].removesuffix("-cpu"): re.search(r">=([\d.]+)", pin)[1] for pin in pins}
    assert required_versions() == {"tensorflow": lowest["tensorflow"], "keras": lowest["keras"]}


def test_check_versions_warns_with_a_fix():
    minimum = required_versions()
    assert check_versions({"tensorflow": minimum["tensorflow"] + ".0", "keras": minimum["keras"] + ".1"}) == []
    old = check_versions({"tensorflow": "2.16.0", "keras": "3.0.0"})  # what the course used to accept
    assert len(old) == 2 and all("make lab" in p for p in old) and f"older than the {minimum['keras']}" in old[1]
    assert "tensorflow is not installed" in check_versions({"keras": minimum["keras"]})[0]
    assert check_versions({"keras": "3.10"}, minimum={"keras": "3.9"}) == []  # 3.10 is newer than 3.9


def test_setup_warns_instead_of_failing_on_an_old_library(monkeypatch):
    import keras

    monkeypatch.setattr(keras, "__version__", "2.15.0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        setup()
    assert any("keras 2.15.0 is older" in str(w.message) for w in caught)


def test_figure_alt_is_made_of_the_titles_or_the_axis_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils.setup_env import figure_alt

    fig, (left, right) = plt.subplots(1, 2)
    left.set_title("loss")
    right.set_xlabel("epoch")
    right.set_ylabel("accuracy")
    assert figure_alt(fig) == "Plot: loss; accuracy against epoch"
    fig.suptitle("ResNet-8 on MNIST")
    assert figure_alt(fig).startswith("Plot: ResNet-8 on MNIST; loss")
    plt.close(fig)
    fig, ax = plt.subplots()
    assert figure_alt(fig) == "A plot without a title"
    plt.close(fig)


def test_the_onednn_fallback_notice_is_dropped_and_other_lines_kept(capfd):
    """Written by C++ on file descriptor 2 (simulated with os.write, as a CPU with float16 instructions never prints
    it): only that notice goes, whatever the CPU."""
    import os

    from course_utils.setup_env import ONEDNN_FALLBACK, _stderr_filtered

    notice = ("E0000 00:00:1796665031.906747   11151 util.cc:131] oneDNN supports DT_HALF only on platforms with "
              "AVX-512. Falling back to the default Eigen-based implementation if present.\n")
    assert ONEDNN_FALLBACK.match(notice)
    with _stderr_filtered(ONEDNN_FALLBACK):
        os.write(2, notice.encode())
        os.write(2, b"E0000 00:00:1.0   1 other.cc:1] a real error\n")
    assert capfd.readouterr().err == "E0000 00:00:1.0   1 other.cc:1] a real error\n"


def test_building_in_float16_writes_nothing_to_stderr():
    """In a fresh process, as in a notebook's kernel: a model built in cu.dtype_policy("float16") prints no oneDNN
    notice (on a CPU without float16 instructions, a bare float16 op would)."""
    import subprocess
    import sys

    code = ("import course_utils as cu\ncu.setup(seed=0)\nimport keras\n"
            "with cu.dtype_policy('float16'):\n"
            "    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),"
            " keras.layers.Dense(3)])\n"
            "print(model.count_params())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("239")
    assert "oneDNN supports" not in done.stderr, done.stderr

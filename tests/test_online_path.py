"""The notebooks as a student with internet runs them: `cu.load_mnist()` gets Keras's 60,000 training images.

CI is offline, so Keras's loader is answered by a stand-in (tests/online/standin.py) that hands out 60,000 training
and 10,000 test images, as `keras.datasets.mnist.load_data()` does, and `COURSE_DATA_DIR` is unset. Each notebook must
run to the end on that path, with every check it asserts: the ones that train bound their data explicitly, so they
train on as many images as offline and stay within their time budgets.
"""
import pathlib

import nbformat
import pytest

from conftest import ROOT
from tests.online.standin import startup_folder
from tools.run_notebook import execute

NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
OFFLINE_LINE = "MNIST: local copy"


def outputs_text(nb):
    return "".join(out.get("text", "") for cell in nb.cells for out in cell.get("outputs", []))


def checked_lines(nb):
    """The printed checks (lines ending in ': True' or ': False') of the cells nbval compares, with their cell."""
    return [(index, line.rstrip()) for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "nbval-ignore-output" not in cell.metadata.get("tags", [])
            for out in cell.get("outputs", []) for line in out.get("text", "").splitlines()
            if line.rstrip().endswith((": True", ": False"))]


@pytest.fixture(scope="module")
def online(tmp_path_factory, shared_mnist_module):
    ipython, calls = startup_folder(tmp_path_factory.mktemp("online"), shared_mnist_module)
    return {"IPYTHONDIR": str(ipython), "COURSE_DATA_DIR": ""}, pathlib.Path(calls)


@pytest.fixture(scope="module")
def shared_mnist_module():
    from conftest import SHARED_MNIST

    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.fail(f"The offline MNIST copy is missing: expected ../shared/data/mnist beside the repo ({SHARED_MNIST}).")
    return SHARED_MNIST


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_keras_full_download(name, online):
    env, calls = online
    before = calls.read_text().count("\n") if calls.exists() else 0
    committed = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    nb = execute(nbformat.read(ROOT / "notebooks" / name, as_version=4), ROOT / "notebooks", env=env)
    text = outputs_text(nb)
    loads = calls.read_text().splitlines()[before:] if calls.exists() else []
    assert loads and set(loads) == {"60000 10000"}, f"{name} never asked Keras's loader for MNIST"
    assert OFFLINE_LINE not in text, f"{name} used the offline copy although Keras's loader answered"
    assert checked_lines(nb) == checked_lines(committed), f"{name}: a printed check differs on the online path"

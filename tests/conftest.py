import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture
def shared_mnist():
    """The offline MNIST test set beside the repo; its absence is a failure, not a skip."""
    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.fail(f"The offline MNIST copy is missing: expected ../shared/data/mnist beside the repo ({SHARED_MNIST}).")
    return SHARED_MNIST

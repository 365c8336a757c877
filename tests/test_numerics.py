"""The notebooks that train, run again under a second numeric setup: oneDNN off and one intra-op thread.

A student's laptop has another CPU, another core count, perhaps no oneDNN: the same seed then gives losses that differ
in their last digits, and a run at the edge of trainability can end elsewhere. Every output nbval compares (checked
thresholds, orderings, cached results) must still match the committed notebook, as under the default setup that
`make test`'s own nbval run uses.
"""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

# Two files share the four notebooks that train (this one and test_numerics_more.py), so that make test's two
# workers, which take whole files, run them side by side.
TRAINING_NOTEBOOKS = ["01_classic_networks.ipynb", "03_why_resnets_work.ipynb"]
OTHER_NUMERICS = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_NUM_INTRAOP_THREADS": "1"}


def nbval(notebook, env):
    """Run nbval (strict, the project's hooks and sanitizer) on one notebook in a subprocess with ``env`` added."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-o", "addopts=-p no:cacheprovider", "--nbval",
               "-p", "tests.nbval_hooks", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
               "--nbval-cell-timeout=600", f"notebooks/{notebook}"]
    return subprocess.run(command, cwd=ROOT, env=dict(os.environ, **env), capture_output=True, text=True)


PROBE = """
import psutil, tensorflow as tf
x, k = tf.random.normal((8, 32, 32, 8)), tf.random.normal((3, 3, 8, 8))
tf.nn.conv2d(x, k, 1, "SAME")
print(len(psutil.Process().threads()))
"""


def probe(env):
    """(threads in a TensorFlow process after one convolution, whether TensorFlow said oneDNN is on)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0", **env)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1]), "oneDNN custom operations are on" in done.stderr


def test_the_second_setup_changes_what_tensorflow_does():
    """TensorFlow reads both variables here, or this file would test the default setup twice."""
    assert os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0" and "TF_NUM_INTRAOP_THREADS" not in os.environ, (
        "make test itself runs with oneDNN off or a set thread count, so the second setup would not differ from it: "
        "unset TF_ENABLE_ONEDNN_OPTS and TF_NUM_INTRAOP_THREADS")
    one_thread, onednn_off = probe(OTHER_NUMERICS)
    three_threads, onednn_on = probe({"TF_NUM_INTRAOP_THREADS": "3"})
    assert one_thread < three_threads, "TF_NUM_INTRAOP_THREADS did not change TensorFlow's thread pool"
    assert onednn_on and not onednn_off, "TF_ENABLE_ONEDNN_OPTS=0 did not turn oneDNN off"


def assert_outputs_hold(notebook):
    done = nbval(notebook, OTHER_NUMERICS)
    assert done.returncode == 0, (f"{notebook} under TF_ENABLE_ONEDNN_OPTS=0 TF_NUM_INTRAOP_THREADS=1:\n"
                                  + done.stdout[-6000:])


@pytest.mark.parametrize("notebook", TRAINING_NOTEBOOKS)
def test_notebook_outputs_hold_with_onednn_off_and_one_thread(notebook):
    assert_outputs_hold(notebook)

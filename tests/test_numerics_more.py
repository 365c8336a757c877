"""The other two notebooks that train, under the second numeric setup (see test_numerics.py)."""
import pytest

from test_numerics import assert_outputs_hold


@pytest.mark.parametrize("notebook", ["02_resnets.ipynb", "04_one_by_one_convolutions.ipynb"])
def test_notebook_outputs_hold_with_onednn_off_and_one_thread(notebook):
    assert_outputs_hold(notebook)

"""tools/run_notebook.py: the one way the tools and tests run a notebook."""
import os

import nbformat

from tools import run_notebook

NOISE = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
         "I0000 00:00:1796276565.049355   19157 port.cc:153] oneDNN custom operations are on.\n")


def stderr(text):
    return nbformat.v4.new_output("stream", name="stderr", text=text)


def test_tensorflow_start_up_lines_go_and_everything_else_stays():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x"), nbformat.v4.new_code_cell("y")])
    nb.cells[0].outputs = [stderr(NOISE)]
    nb.cells[1].outputs = [stderr(NOISE + "UserWarning: a real warning\n"), nbformat.v4.new_output("stream", text="ok")]
    run_notebook.drop_tf_noise(nb)
    assert nb.cells[0].outputs == []  # an output left empty goes
    assert [out.text for out in nb.cells[1].outputs] == ["UserWarning: a real warning\n", "ok"]


def test_a_kernel_sees_the_extra_environment_and_the_old_values_come_back(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PRESENT", "before")
    monkeypatch.delenv("COURSE_RUN_NOTEBOOK_TEST", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os; print(os.environ['COURSE_PRESENT'], os.environ['COURSE_RUN_NOTEBOOK_TEST'], os.getcwd())")])
    run_notebook.execute(nb, tmp_path, env={"COURSE_PRESENT": "1", "COURSE_RUN_NOTEBOOK_TEST": 2})
    assert nb.cells[0].outputs[0].text.split() == ["1", "2", str(tmp_path)]
    assert os.environ["COURSE_PRESENT"] == "before" and "COURSE_RUN_NOTEBOOK_TEST" not in os.environ


def test_notebook_code_is_the_notebooks_own():
    from tools import notebook_code

    model = notebook_code.lenet5("relu", "max")
    assert model.count_params() == 61_706 and model.layers[1].__class__.__name__ == "MaxPooling2D"
    assert notebook_code.lenet5().layers[0].activation.__name__ == "tanh"
    import pytest

    with pytest.raises(LookupError, match="defines no top-level function lenet6"):
        notebook_code.notebook_function(notebook_code.CLASSIC, "lenet6", {})

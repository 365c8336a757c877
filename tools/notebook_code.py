"""Functions as the course's notebooks define them, for the benchmark and tests that must use the notebook's own code
rather than a copy that could drift from it.
"""
import ast
import pathlib

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "notebooks" / "01_classic_networks.ipynb"


def notebook_function(path, name, namespace):
    """The function ``name`` defined at the top level of a code cell of the notebook at ``path``.

    Only that ``def`` statement runs (not the rest of its cell), in ``namespace``: a dict holding the names the function
    uses, for example ``{"keras": keras, "layers": keras.layers}``.
    """
    path = pathlib.Path(path)
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or f"def {name}(" not in cell.source:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                exec(compile(ast.Module(body=[node], type_ignores=[]), f"{path.name}: {name}", "exec"), namespace)
                return namespace[name]
    raise LookupError(f"{path.name} defines no top-level function {name}(); was it renamed?")


def lenet5(activation="tanh", pooling="average"):
    """Notebook 01's own LeNet-5: ``"tanh"`` and ``"average"`` give its 1998 variant, ``"relu"`` and ``"max"`` the
    modern one."""
    import keras
    from keras import layers

    build = notebook_function(CLASSIC, "lenet5", {"keras": keras, "layers": layers})
    pool = {"average": layers.AveragePooling2D, "max": layers.MaxPooling2D}[pooling]
    return build(activation, pool, name="lenet5")

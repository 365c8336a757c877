"""Re-execute notebooks in place, each in a fresh kernel, top to bottom (`make notebooks`).

Committed outputs must come from this command so that nbval compares against one clean run.
Usage: python -m tools.execute_notebooks notebooks/01_classic_networks.ipynb [...]
"""
import pathlib
import sys
import time

import nbformat

from tools.run_notebook import execute


def execute_in_place(path):
    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    execute(nb, path.parent)
    nbformat.write(nb, path)
    print(f"{path}: executed in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        execute_in_place(name)

"""Re-execute notebooks in place, each in a fresh kernel, top to bottom (`make notebooks`).

Committed outputs must come from this command so that nbval compares against one clean run.
Usage: python tools/execute_notebooks.py notebooks/01_classic_networks.ipynb [...]
"""
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

from course_utils.setup_env import TF_NOISE


def drop_tf_noise(nb):
    for cell in nb.cells:
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["text"] = "".join(line for line in out["text"].splitlines(keepends=True)
                                      if not TF_NOISE.match(line))
                if not out["text"]:
                    continue
            kept.append(out)
        if "outputs" in cell:
            cell["outputs"] = kept


def execute(path):
    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    drop_tf_noise(nb)
    nbformat.write(nb, path)
    print(f"{path}: executed in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        execute(name)

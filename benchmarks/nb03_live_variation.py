"""How much notebook 03's live run moves under numeric settings and data copies (issue 21).

Runs the notebook's own code cells up to ``train_once``, trains one run of the depth sweep, and appends its final
numbers, with the setting it ran under, to ``notebooks/results/live_variation_quick.json``.  Call it once per
setting, e.g. (from the repo, with the Makefile's variables):

    .venv/bin/python benchmarks/nb03_live_variation.py default plain 20 0
    TF_ENABLE_ONEDNN_OPTS=0 .venv/bin/python benchmarks/nb03_live_variation.py "oneDNN off" plain 20 0
    TF_NUM_INTRAOP_THREADS=1 .venv/bin/python benchmarks/nb03_live_variation.py "1 thread" plain 20 0
    env -u COURSE_DATA_DIR IPYTHONDIR=<tests/online/standin.py folder> .venv/bin/ipython \
        benchmarks/nb03_live_variation.py -- "online images" plain 20 0
"""
import json
import os
import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks" / "results" / "live_variation_quick.json"


def main(setting, family, depth, seed):
    notebook = json.loads((ROOT / "notebooks" / "03_why_resnets_work.ipynb").read_text())
    os.chdir(ROOT / "notebooks")
    namespace = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            exec(compile(source, "cell", "exec"), namespace)
            if "def train_once(" in source:
                break
    start = time.perf_counter()
    result = namespace["train_once"](family, depth, seed)
    record = {"setting": setting, "family": family, "depth": depth, "seed": seed,
              "seconds": round(time.perf_counter() - start, 1),
              "train_images": int(len(namespace["x_fit"])), "config": namespace["CONFIG"],
              "final": {key: values[-1] for key, values in result.items() if key != "probes"}}
    runs = json.loads(OUT.read_text()) if OUT.exists() else []
    OUT.write_text(json.dumps(runs + [record], indent=1) + "\n")
    print(json.dumps(record["final"]), record["seconds"], "s")


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if arg != "--"]  # ipython passes its "--" on
    main(args[0], args[1], int(args[2]), int(args[3]))

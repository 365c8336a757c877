# How the caches of notebook 03 were built (run from the repo with the Makefile's variables), e.g.
#   for s in 0 1 2; do .venv/bin/python benchmarks/nb03_build_cache.py sweep points CACHE_FILE $s & done; wait
#   python benchmarks/nb03_merge_cache.py notebooks/results/degradation_quick.json 0,1,2
"""Build one cache of notebook 03 with the notebook's own code: run its code cells in order, in one namespace, up to
and including the first cell that assigns NAME = cu.run_or_load_sweep(...), with USE_CACHE = False and
SAVE_CACHE = True.  Usage: python build_cache.py NAME POINTS_VAR FILE_VAR [SEED]: with SEED, only that seed's
points run, saved to FILE + '.seedN' (nb03_merge_cache.py joins the parts in the notebook's point order)."""
import json, os, sys, time
import matplotlib
matplotlib.use("Agg")
name, points_var, file_var = sys.argv[1:4]
seed = int(sys.argv[4]) if len(sys.argv) > 4 else None
nb = json.load(open("notebooks/03_why_resnets_work.ipynb"))
ns = {}
os.chdir("notebooks")
for cell in nb["cells"]:
    if cell["cell_type"] != "code" or "live-run" in cell.get("metadata", {}).get("tags", []):
        continue
    src = "".join(cell["source"])
    target = f"{name} = cu.run_or_load_sweep" in src
    if target:  # only this sweep trains; the others load their caches
        src = src.replace("use_cache=USE_CACHE", "use_cache=False").replace("save=SAVE_CACHE", "save=True")
    if target and seed is not None:
        ns[points_var] = [p for p in ns[points_var] if p["seed"] == seed]
        ns[file_var] = ns[file_var] + f".seed{seed}"
    t = time.perf_counter()
    try:
        exec(compile(src, "cell", "exec"), ns)
    except Exception as err:  # a cell that needs a cache not built yet; the target must not fail
        if target:
            raise
        print("skipped a cell:", type(err).__name__, str(err)[:100])
    if f"{name} = cu.run_or_load_sweep" in src:
        print(ns[name].describe(), f"({time.perf_counter() - t:.0f} s)")
        break

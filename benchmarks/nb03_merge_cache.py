"""Join the per-seed parts of a cache into one file, runs in the order the notebook's points list them."""
import json, sys, pathlib
path, seeds, order_keys = pathlib.Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3:]
parts = [json.loads(pathlib.Path(f"{path}.seed{s}").read_text()) for s in seeds]
assert all(p["config"] == parts[0]["config"] for p in parts)
runs = [run for p in parts for run in p["runs"]]
runs.sort(key=lambda run: [run["point"]["seed"]])  # the notebook lists points seed first
data = {"format": parts[0]["format"], "saved": max(p["saved"] for p in parts), "config": parts[0]["config"], "runs": runs}
path.write_text(json.dumps(data, indent=1) + "\n")
print(path, len(runs), "runs")

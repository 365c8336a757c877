"""Measured speed and memory of the course on this machine (`make bench`; not part of `make test`).

Records, with the machine's core count:
- each notebook executed in a fresh kernel: wall time and the kernel's peak memory (resident set), with the
  three cells that raised that peak most;
- modern LeNet-5 trained on MNIST until 97% and 98% held-out accuracy: seconds and epochs;
- `cu.trace()` on ResNet-50, and one shape-tracer step on VGG-16 and ResNet-50.
Writes benchmarks/results.md and benchmarks/results.json, and checks them against the budgets. A notebook that fails
is reported with its error and the others are still measured; the exit status is non-zero at the end.
`--online` runs the notebooks as a student with internet does: Keras's loader answers with 60,000 training images
(a stand-in made from the offline copy, tests/online/standin.py), so the budgets are checked on that path too.
Usage: python -m benchmarks.run [--skip-notebooks] [--only-notebooks] [--online] [--out DIR] [notebooks/...]
"""
import argparse
import json
import os
import pathlib
import platform
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Every budget, in one place; `make bench` prints each beside its figure (issue 18: a live class on a laptop).
BUDGETS = {
    "notebook seconds": 60,
    "notebook seconds, 03_why_resnets_work.ipynb": 120,
    "kernel peak MiB": 1536,
    "LeNet-5 to 98% seconds": 15,
    "tracer step ms": 100,
}


def notebook_budget_s(name):
    return BUDGETS.get(f"notebook seconds, {name}", BUDGETS["notebook seconds"])


class PeakMemory:
    """Samples a process tree's resident memory in a thread; ``peak_mib`` is the largest sample."""

    def __init__(self, pid, every_s=0.05):
        import psutil

        self.process, self.every_s, self.peak = psutil.Process(pid), every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self):
        """Take one sample now; False once the process has ended."""
        try:
            rss = self.process.memory_info().rss + sum(
                c.memory_info().rss for c in self.process.children(recursive=True))
        except Exception:  # the kernel ended
            return False
        self.peak = max(self.peak, rss)
        return True

    def _run(self):
        while not self._stop.is_set() and self.sample():
            time.sleep(self.every_s)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self):
        return self.peak / 2**20


def run_notebook(path, env=None):
    """Execute a notebook in a fresh kernel (outputs discarded); wall seconds and the kernel's peak MiB.

    A cell that raises ends the run: the row then says ``error`` (the cell and the exception's last line), with the
    time and peak up to that cell.  ``env``: extra environment variables for the kernel.
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from tools.run_notebook import client as notebook_client, environment

    nb = nbformat.read(path, as_version=4)
    client = notebook_client(nb, path.parent)
    error = None
    with environment(env or {}), client.setup_kernel():
        pid = client.km.provisioner.process.pid
        start = time.perf_counter()
        rises, before = [], 0  # rises: (MiB by which a code cell raised the peak, its index, its first line)
        times = []  # (seconds a code cell took, its index, its first line)
        with PeakMemory(pid) as memory:
            for index, cell in enumerate(nb.cells):
                cell_start = time.perf_counter()
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as failure:
                    error = f"cell {index} raised {failure.ename}: {last_line(failure.evalue)}"
                    break
                if cell.cell_type == "code":  # the kernel's start-up counts toward the first one
                    first_line = (cell.source.splitlines() or [""])[0]
                    times.append((time.perf_counter() - cell_start, index, first_line))
                    memory.sample()
                    rises.append((memory.peak_mib - before, index, first_line))
                    before = memory.peak_mib
        seconds = time.perf_counter() - start
    row = {"notebook": path.name, "seconds": round(seconds, 1), "peak_mib": round(memory.peak_mib),
           "budget_s": notebook_budget_s(path.name), "peak_cells": largest_rises(rises),
           "slowest_cells": slowest(times)}
    return dict(row, error=error) if error else row


def last_line(text, width=200):
    """The last non-empty line of an exception's message, cut to ``width`` characters."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    return (lines[-1] if lines else "")[:width]


def largest_rises(rises, most=3):
    """The cells that raised the kernel's peak memory most: where to look when a notebook is over budget."""
    return [{"cell": index, "raised_mib": round(mib), "first_line": line[:60]}
            for mib, index, line in sorted(rises, key=lambda rise: -rise[0])[:most] if round(mib) > 0]


def slowest(times, most=3):
    """The code cells that took longest: where to look when a notebook is over its time budget."""
    return [{"cell": index, "seconds": round(seconds, 1), "first_line": line[:60]}
            for seconds, index, line in sorted(times, key=lambda t: -t[0])[:most]]


def lenet_to_accuracy(targets=(0.97, 0.98), max_epochs=30):
    """Seconds and epochs for notebook 01's own modern LeNet-5, trained with its recipe (Adam at 0.003, batches of
    128), to reach each held-out accuracy."""
    import keras

    import course_utils as cu
    from tools.notebook_code import lenet5

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = cu.load_mnist(pad_to=32, train_size=8_000, test_size=2_000)  # as notebook 01
    x_train, x_test = x_train[..., None] / 255.0, x_test[..., None] / 255.0
    model = lenet5("relu", "max")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    reached, start = {}, time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        model.fit(x_train, y_train, epochs=1, batch_size=128, verbose=0)
        accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
        for target in targets:
            if target not in reached and accuracy >= target:
                reached[target] = {"seconds": round(time.perf_counter() - start, 1), "epochs": epoch}
        if len(reached) == len(targets):
            break
    return {"training_images": len(x_train),
            **{f"{t:.0%}": reached.get(t, f"not reached in {max_epochs} epochs") for t in targets}}


def milliseconds(fn, repeat=5, worst=False):
    """Milliseconds for one call of ``fn`` over ``repeat`` calls: the best (the cost without noise), or with
    ``worst=True`` the slowest (what a student waits for at most)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(1000 * (max(times) if worst else min(times)), 2)


def tracing_times():
    """Milliseconds for `cu.trace(ResNet-50)` and for one shape-tracer step on VGG-16 and ResNet-50."""
    import keras

    import course_utils as cu

    models = {"VGG-16": keras.applications.VGG16(weights=None), "ResNet-50": keras.applications.ResNet50(weights=None)}
    result = {"trace ResNet-50 (ms)": milliseconds(lambda: cu.trace(models["ResNet-50"]))}
    for name, model in models.items():
        tracer = cu.ShapeTracer(model)
        # One step as a student makes it: move the slider by one layer (the widget redraws through its observer).
        step = lambda t=tracer: setattr(t.slider, "value", (t.slider.value + 1) % len(t.rows))  # noqa: E731
        result[f"tracer step {name} (ms), worst of 20"] = milliseconds(step, repeat=20, worst=True)
    return result


def markdown(results):
    memory = BUDGETS["kernel peak MiB"]
    lines = [f"Measured on {results['machine']['cores']} CPU cores, {results['machine']['python']}, "
             f"TensorFlow {results['machine']['tensorflow']}, on {results['machine']['date']}"
             + (f"; data: {results['machine']['data']}." if results["machine"].get("data", "as configured")
                != "as configured" else "."), "",
             "| notebook | wall time (s) | budget (s) | kernel peak memory (MiB) | budget (MiB) | slowest cell |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for row in results["notebooks"]:
        slow = row.get("slowest_cells") or [{}]
        slowest_text = f"{slow[0]['seconds']} s, cell {slow[0]['cell']}" if slow[0] else ""
        if row.get("error"):
            slowest_text = f"FAILED: {row['error']}".replace("|", "\\|")
        lines.append(f"| {row['notebook']} | {row['seconds']} | {row['budget_s']} | {row['peak_mib']} | {memory} | "
                     f"{slowest_text} |")
    lines += ["", "| measurement | value | budget |", "| --- | --- | --- |"]
    lenet = results.get("lenet", {})
    for key, value in lenet.items():
        if key != "training_images":
            text = value if isinstance(value, str) else f"{value['seconds']} s ({value['epochs']} epochs)"
            budget = f"{BUDGETS['LeNet-5 to 98% seconds']} s" if key == "98%" else ""
            lines.append(f"| LeNet-5 to {key} held-out accuracy ({lenet['training_images']:,} training images) "
                         f"| {text} | {budget} |")
    for key, value in results.get("tracing", {}).items():
        budget = f"{BUDGETS['tracer step ms']} ms" if key.startswith("tracer step") else ""
        lines.append(f"| {key} | {value} | {budget} |")
    lines += ["", "Budgets: " + ("all met." if not results["over_budget"] else "; ".join(results["over_budget"]))]
    return "\n".join(lines) + "\n"


def over_budget(results):
    problems = []
    memory = BUDGETS["kernel peak MiB"]
    for row in results["notebooks"]:
        if row.get("error"):
            problems.append(f"{row['notebook']} failed: {row['error']}")
        if row["seconds"] > row["budget_s"]:
            cells = ", ".join(f"cell {c['cell']} {c['seconds']} s (`{c['first_line']}`)"
                              for c in row.get("slowest_cells", []))
            problems.append(f"{row['notebook']} took {row['seconds']} s (budget {row['budget_s']} s)"
                            + (f"; slowest {cells}" if cells else ""))
        if row["peak_mib"] > memory:
            cells = ", ".join(f"cell {c['cell']} +{c['raised_mib']} MiB (`{c['first_line']}`)"
                              for c in row.get("peak_cells", []))
            problems.append(f"{row['notebook']} peaked at {row['peak_mib']} MiB (budget {memory} MiB)"
                            + (f"; raised most by {cells}" if cells else ""))
    reached = results.get("lenet", {}).get("98%")
    budget_s = BUDGETS["LeNet-5 to 98% seconds"]
    if isinstance(reached, str):
        problems.append(f"LeNet-5 to 98%: {reached} (budget {budget_s} s)")
    elif reached and reached["seconds"] > budget_s:
        problems.append(f"LeNet-5 to 98% took {reached['seconds']} s (budget {budget_s} s)")
    for key, value in results.get("tracing", {}).items():
        if key.startswith("tracer step") and value > BUDGETS["tracer step ms"]:
            problems.append(f"{key} = {value} ms (budget {BUDGETS['tracer step ms']} ms)")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--only-notebooks", action="store_true", help="skip the LeNet-5 and tracing measurements")
    parser.add_argument("--online", action="store_true", help="Keras's loader answers with 60,000 training images")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "benchmarks", help="folder for results.md/.json")
    args = parser.parse_args(argv)
    import tensorflow as tf

    paths = [] if args.skip_notebooks else (args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")))
    results = {"machine": {"cores": os.cpu_count(), "python": f"Python {platform.python_version()}",
                           "tensorflow": tf.__version__, "date": time.strftime("%Y-%m-%d"),
                           "data": "Keras's loader (60,000-image stand-in)" if args.online else "as configured"},
               "notebooks": []}
    env = online_env(args.out) if args.online else None
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        results["notebooks"].append(run_notebook(path, env=env))
        print(f"  {results['notebooks'][-1]}", flush=True)
    if not args.only_notebooks:
        print("LeNet-5 to 97% / 98% ...", flush=True)
        results["lenet"] = lenet_to_accuracy()
        print("tracing ...", flush=True)
        results["tracing"] = tracing_times()
    results["over_budget"] = over_budget(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "results.md").write_text(markdown(results))
    print(markdown(results))
    return 1 if results["over_budget"] else 0


def online_env(folder):
    """Kernel variables for the online path: the Keras stand-in's IPython profile, and no COURSE_DATA_DIR."""
    from tests.online.standin import startup_folder

    ipython, _ = startup_folder(pathlib.Path(folder).resolve() / "online", ROOT.parent / "shared" / "data" / "mnist")
    return {"IPYTHONDIR": str(ipython), "COURSE_DATA_DIR": ""}


if __name__ == "__main__":
    sys.exit(main())

"""pytest plugin for the notebook run (`-p tests.nbval_hooks`): what nbval does not compare."""


def pytest_collectstart(collector):
    # stderr carries TensorFlow's log lines and warnings; SVG and widget views differ run to run.
    if getattr(collector, "skip_compare", None) is not None:
        collector.skip_compare = tuple(collector.skip_compare) + (
            "stderr", "image/svg+xml", "application/javascript", "application/vnd.jupyter.widget-state+json")

"""Running a notebook in a fresh kernel, in one place: `make notebooks`, `make slides PRESENT=1`, `make bench` and the
tests all run notebooks through here, with the same kernel, timeout and working folder, and the same filter for
TensorFlow's start-up lines.
"""
import contextlib
import os

from nbclient import NotebookClient

from course_utils.setup_env import TF_NOISE

TIMEOUT_S = 900  # per cell


def client(nb, folder, allow_errors=False):
    """A ``NotebookClient`` that runs ``nb`` in a fresh python3 kernel whose working folder is ``folder``.

    No widget state is saved in the notebook: with it, an HTML export (nbconvert, JupyterLab's Export) shows the live
    widget view, which needs a widget manager from the internet and a kernel; without it, the export shows the
    kernel-free version each widget saves beside its view (course_utils/static_html.py).  JupyterLab with a kernel
    still shows the live widgets."""
    return NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3", allow_errors=allow_errors,
                          record_timing=False, store_widget_state=False, resources={"metadata": {"path": str(folder)}})


@contextlib.contextmanager
def environment(variables):
    """Kernels started inside the block see ``variables`` (a dict) in their environment; the old values come back."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update({name: str(value) for name, value in variables.items()})
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def drop_tf_noise(nb):
    """Remove TensorFlow's start-up lines from every cell's stderr; a stderr output left empty goes too."""
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


def execute(nb, folder, allow_errors=False, env=None, drop_noise=True):
    """Run every cell of ``nb`` in place, top to bottom, in a fresh kernel working in ``folder``; returns ``nb``.

    ``env``: extra environment variables for the kernel.  ``drop_noise=False`` keeps TensorFlow's start-up lines
    (a test that checks the student sees none of them must see them if they come).
    """
    nb.metadata.pop("widgets", None)  # the state an earlier run saved (see client())
    with environment(env or {}):
        client(nb, folder, allow_errors=allow_errors).execute()
    if drop_noise:
        drop_tf_noise(nb)
    return nb

"""A stand-in for ``keras.datasets.mnist.load_data()`` (no network here), for running notebooks the way an online
student does: Keras's loader answers with 60,000 training and 10,000 test images, and ``COURSE_DATA_DIR`` is unset.

The images are the offline 10,000-image test set: shuffled six times (each copy shifted by a pixel) into 60,000
training images, and used as they are for the test set.
`startup_folder()` writes an IPython profile whose start-up file installs the stand-in in every kernel started with
``IPYTHONDIR`` pointing there (when the course first asks Keras for MNIST, so that the kernel starts as quietly as a
student's); each call of the stand-in appends a line to ``calls.txt`` beside it.
"""
import pathlib

STARTUP = '''
import pathlib

import numpy as np


def _standin_load_data(path="mnist.npz"):
    from course_utils.data import read_idx

    folder = pathlib.Path({mnist!r})
    x = read_idx(folder / "t10k-images-idx3-ubyte.gz")
    y = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    rng = np.random.default_rng(0)
    copies = [rng.permutation(len(x)) for _ in range(6)]
    x_train = np.concatenate([np.roll(x[order], shift, axis=2) for shift, order in enumerate(copies)])
    y_train = np.concatenate([y[order] for order in copies])
    with open({calls!r}, "a") as calls:
        calls.write(f"{{len(x_train)}} {{len(x)}}\\n")
    return (x_train, y_train), (x, y)


import course_utils.data as _course_data  # imports neither Keras nor TensorFlow: no start-up lines at kernel start

_keras_loader = _course_data._load_keras


def _load_keras_with_standin():
    """The course's own Keras path (short socket timeout, fallback), with Keras's loader answered by the stand-in."""
    import keras.datasets.mnist

    keras.datasets.mnist.load_data = _standin_load_data
    return _keras_loader()


_course_data._load_keras = _load_keras_with_standin
'''


def startup_folder(folder, mnist_dir):
    """Write an IPython folder into ``folder`` whose kernels answer Keras's MNIST loader from ``mnist_dir``; returns
    (the folder to pass as IPYTHONDIR, the path of calls.txt)."""
    folder, calls = pathlib.Path(folder), pathlib.Path(folder) / "calls.txt"
    startup = folder / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00_keras_mnist_standin.py").write_text(STARTUP.format(mnist=str(mnist_dir), calls=str(calls)))
    return folder / "ipython", calls

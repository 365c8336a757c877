"""Loading MNIST: Keras's own loader when it can, else a local copy of the IDX files.

Order of attempts:
1. ``keras.datasets.mnist.load_data()``: the full 60,000 training and 10,000 test images, from Keras's cache or
   downloaded (given at most a few seconds to connect, so an offline machine does not hang).
2. A folder of IDX files (``train-images-idx3-ubyte.gz`` and so on) given by ``data_dir=`` or the
   ``COURSE_DATA_DIR`` environment variable.  A folder with only the 10,000-image test set (as in CI) is split
   deterministically into a training part and a held-out part, and one printed line says so.
"""
import gzip
import os
import pathlib
import socket

import numpy as np

from .arguments import whole_number

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
HELD_OUT_FRACTION = 0.2
SPLIT_SEED = 0
CONNECT_TIMEOUT_S = 5
HOW_TO_GET_DATA = (
    "Either connect to the internet once (Keras then downloads and caches MNIST in ~/.keras/datasets), "
    "or download the four MNIST IDX files (train/t10k images and labels, .gz) into a folder and pass "
    "data_dir='that/folder' or set the COURSE_DATA_DIR environment variable to it.")


def read_idx(path):
    """Read one IDX file (optionally gzipped) into a uint8 array, checking its header."""
    path = pathlib.Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path.name} is not an IDX file of unsigned bytes (bad header). "
                         f"Download it again; MNIST files start with the bytes 00 00 08.")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path.name} is truncated: its header promises {int(np.prod(dims)):,} bytes of data "
                         f"but it holds {data.size:,}. Download it again.")
    return data.reshape(dims)


def _read_split(folder, split):
    images, labels = (folder / name for name in FILES[split])
    if not images.exists() or not labels.exists():
        return None
    x, y = read_idx(images), read_idx(labels)
    if len(x) != len(y):
        raise ValueError(f"{images.name} holds {len(x)} images but {labels.name} holds {len(y)} labels; "
                         f"one of them is from another download. Download both again.")
    return x, y


def load_local(data_dir):
    """MNIST from a folder of IDX files, as ``((x_train, y_train), (x_test, y_test))``."""
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be the name of a folder (a str or pathlib.Path), got "
                        f"{type(data_dir).__name__}. Pass for example data_dir='data/mnist'.")
    folder = pathlib.Path(data_dir).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"data_dir {str(data_dir)!r} is not a folder. {HOW_TO_GET_DATA}")
    train, test = _read_split(folder, "train"), _read_split(folder, "test")
    if train and test:
        return train, test
    if test is None:
        raise FileNotFoundError(f"No MNIST IDX files in {str(data_dir)!r} (looked for {FILES['test'][0]} and "
                                f"{FILES['train'][0]}). {HOW_TO_GET_DATA}")
    x, y = test
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    n_held_out = int(round(len(x) * HELD_OUT_FRACTION))
    train_idx, held_idx = np.sort(order[n_held_out:]), np.sort(order[:n_held_out])
    print(f"MNIST: local copy of the {len(x):,}-image test set only, split with seed {SPLIT_SEED} into "
          f"{len(train_idx):,} training and {len(held_idx):,} held-out images.")
    return (x[train_idx], y[train_idx]), (x[held_idx], y[held_idx])


def _load_keras():
    """Keras's loader with a short connection timeout; None when it cannot get the data."""
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(CONNECT_TIMEOUT_S)
    try:
        return keras.datasets.mnist.load_data()
    except Exception:  # no network, a blocked host, a half-written cache: fall back to a local copy
        return None
    finally:
        socket.setdefaulttimeout(previous)


def _keras_cached():
    cache = pathlib.Path(os.environ.get("KERAS_HOME", pathlib.Path.home() / ".keras")) / "datasets" / "mnist.npz"
    return cache.exists()


def pad_images(images, pad_to):
    """Zero-pad square images (N, n, n) symmetrically to (N, pad_to, pad_to), for example 28 -> 32 for LeNet-5."""
    side = images.shape[1]
    pad_to = whole_number(pad_to, "pad_to", minimum=side,
                          hint=f"It is the side of the padded image and must be at least {side}.")
    before = (pad_to - side) // 2
    after = pad_to - side - before
    return np.pad(images, ((0, 0), (before, after), (before, after)))


def _first(x, y, size, name, split):
    """The first ``size`` images and labels of a split (all of them when ``size`` is None)."""
    if size is None:
        return x, y
    if size > len(x):
        raise ValueError(f"{name}={size:,} asks for more {split} images than this copy of MNIST holds ({len(x):,}). "
                         f"Pass {name}={len(x):,} or fewer; the offline copy split from the test set has 8,000 "
                         f"training and 2,000 held-out images, Keras's download 60,000 and 10,000.")
    return x[:size], y[:size]


def load_mnist(data_dir=None, pad_to=None, train_size=None, test_size=None):
    """MNIST digits as uint8 arrays ``((x_train, y_train), (x_test, y_test))``, images shaped (N, 28, 28).

    ``pad_to=32`` zero-pads the images to 32x32, the input size of LeNet-5.  ``train_size`` and ``test_size`` keep
    the first images of each split, so a notebook trains on the same number of images whichever copy loaded
    (Keras's download has 60,000 + 10,000, the offline split 8,000 + 2,000).  ``data_dir`` (or the
    ``COURSE_DATA_DIR`` environment variable) names a folder of IDX files to use when Keras's loader has no
    network; an explicit ``data_dir`` is used directly.
    """
    sizes = {name: None if size is None else whole_number(size, name, minimum=1, hint=f"It is how many images of "
                                                          f"the split to keep, for example {name}=2_000.")
             for name, size in (("train_size", train_size), ("test_size", test_size))}
    train_size, test_size = sizes["train_size"], sizes["test_size"]
    folder = data_dir if data_dir is not None else (os.environ.get("COURSE_DATA_DIR") or None)
    data = _load_keras() if data_dir is None and (folder is None or _keras_cached()) else None
    if data is None:
        if folder is None:
            raise RuntimeError(f"Could not load MNIST: Keras could not download it (no network?) and no local "
                               f"copy was given. {HOW_TO_GET_DATA}")
        data = load_local(folder)
    (x_train, y_train), (x_test, y_test) = data
    x_train, y_train = _first(x_train, y_train, train_size, "train_size", "training")
    x_test, y_test = _first(x_test, y_test, test_size, "test_size", "held-out")
    if pad_to is not None:
        x_train, x_test = pad_images(x_train, pad_to), pad_images(x_test, pad_to)
    return (x_train, y_train), (x_test, y_test)

import gzip

import numpy as np
import pytest

from course_utils import data, load_mnist


def write_idx(path, array):
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def fake_mnist(folder, n_test=50, n_train=None):
    rng = np.random.default_rng(1)
    splits = {"test": n_test} if n_train is None else {"test": n_test, "train": n_train}
    for split, n in splits.items():
        images, labels = data.FILES[split]
        write_idx(folder / images, rng.integers(0, 256, (n, 28, 28)))
        write_idx(folder / labels, rng.integers(0, 10, n))
    return folder


@pytest.fixture
def offline(monkeypatch):
    """No Keras cache, no network, no COURSE_DATA_DIR."""
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "_keras_cached", lambda: False)
    monkeypatch.setattr(data, "_load_keras", lambda: None)


def test_shared_test_set_is_split_deterministically(shared_mnist, offline, capsys):
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir=shared_mnist)
    line = capsys.readouterr().out.strip()
    assert line == ("MNIST: local copy of the 10,000-image test set only, split with seed 0 into "
                    "8,000 training and 2,000 held-out images.")
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    (x_again, _), _ = load_mnist(data_dir=shared_mnist)
    assert np.array_equal(x_train, x_again)
    assert not set(map(bytes, x_train[:500])) & set(map(bytes, x_test))


def test_environment_variable_points_the_loader(shared_mnist, offline, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared_mnist))
    (x_train, _), (x_test, _) = load_mnist(pad_to=32)
    assert x_train.shape == (8000, 32, 32) and x_test.shape == (2000, 32, 32)


def test_full_folder_is_used_as_is(tmp_path, offline, capsys):
    fake_mnist(tmp_path, n_test=20, n_train=30)
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir=tmp_path)
    assert (len(x_train), len(x_test)) == (30, 20)
    assert capsys.readouterr().out == ""


def test_keras_loader_comes_first_when_no_folder_is_given(monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    fake = ((np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8)),
            (np.zeros((2, 28, 28), np.uint8), np.zeros(2, np.uint8)))
    monkeypatch.setattr(data, "_load_keras", lambda: fake)
    (x_train, _), _ = load_mnist()
    assert len(x_train) == 3


def test_padding_is_symmetric_and_zero(tmp_path, offline):
    fake_mnist(tmp_path)
    (x, _), _ = load_mnist(data_dir=tmp_path)
    (padded, _), _ = load_mnist(data_dir=tmp_path, pad_to=32)
    assert padded.shape[1:] == (32, 32)
    assert np.array_equal(padded[:, 2:30, 2:30], x)
    assert padded[:, :2].max() == 0 and padded[:, 30:].max() == 0


def test_no_data_at_all_fails_with_instructions(offline):
    with pytest.raises(RuntimeError, match="COURSE_DATA_DIR"):
        load_mnist()


def test_keras_loader_runs_under_the_short_connection_timeout(monkeypatch):
    """Offline, Keras's download must give up after CONNECT_TIMEOUT_S, not the system's minutes-long default; the
    default timeout comes back afterwards. (How long it really takes is `make bench`'s business, not a test's.)"""
    import socket

    import keras

    seen = []

    def unreachable():
        seen.append(socket.getdefaulttimeout())
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", unreachable)
    before = socket.getdefaulttimeout()
    assert data._load_keras() is None
    assert seen == [data.CONNECT_TIMEOUT_S] and socket.getdefaulttimeout() == before


def test_missing_folder_and_empty_folder(tmp_path, offline):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_mnist(data_dir=tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="No MNIST IDX files"):
        load_mnist(data_dir=tmp_path)


def test_corrupt_files_are_named(tmp_path, offline):
    fake_mnist(tmp_path)
    images = tmp_path / data.FILES["test"][0]
    with gzip.open(images, "wb") as f:
        f.write(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        load_mnist(data_dir=tmp_path)
    with gzip.open(images, "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + (100).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + b"\0" * 50)
    with pytest.raises(ValueError, match="truncated"):
        load_mnist(data_dir=tmp_path)
    write_idx(images, np.zeros((7, 28, 28)))
    with pytest.raises(ValueError, match="holds 7 images but .* holds 50 labels"):
        load_mnist(data_dir=tmp_path)


def test_sizes_keep_the_first_images_of_each_split(shared_mnist, offline):
    (x_all, y_all), (x_held, _) = load_mnist(data_dir=shared_mnist)
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir=shared_mnist, train_size=500, test_size=2_000, pad_to=32)
    assert x_train.shape == (500, 32, 32) and y_train.shape == (500,) and x_test.shape == (2_000, 32, 32)
    assert np.array_equal(x_train[:, 2:30, 2:30], x_all[:500]) and np.array_equal(y_train, y_all[:500])


def test_sizes_bound_keras_full_download(monkeypatch):
    """Online, Keras's 60,000 + 10,000 images shrink to the same sizes as the offline split."""
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    full = ((np.zeros((60_000, 28, 28), np.uint8), np.zeros(60_000, np.uint8)),
            (np.zeros((10_000, 28, 28), np.uint8), np.zeros(10_000, np.uint8)))
    monkeypatch.setattr(data, "_load_keras", lambda: full)
    (x_train, _), (x_test, _) = load_mnist(train_size=8_000, test_size=2_000)
    assert (len(x_train), len(x_test)) == (8_000, 2_000)


def test_asking_for_more_images_than_the_copy_holds_says_what_it_holds(shared_mnist, offline):
    with pytest.raises(ValueError, match=r"train_size=10,000 asks for more training images than this copy of MNIST "
                                         r"holds \(8,000\)\. Pass train_size=8,000 or fewer"):
        load_mnist(data_dir=shared_mnist, train_size=10_000)

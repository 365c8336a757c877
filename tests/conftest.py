import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture
def shared_mnist():
    """The offline MNIST test set beside the repo; its absence is a failure, not a skip."""
    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.fail(f"The offline MNIST copy is missing: expected ../shared/data/mnist beside the repo ({SHARED_MNIST}).")
    return SHARED_MNIST


# The browser tests drive Debian's Chromium with Playwright, never a downloaded browser.
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def unavailable(reason):
    """Skip with ``reason``, or fail under COURSE_REQUIRE_BROWSER=1: CI installs Chromium and npm, so a skip there
    would hide a gap."""
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for every browser test: the decks, the site and the tracer in JupyterLab."""
    if not pathlib.Path(CHROMIUM).is_file():
        unavailable(f"Chromium not found at {CHROMIUM} (on Debian: apt-get install chromium), so the pages were not "
                    f"opened in a browser; their files are still checked by the other tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

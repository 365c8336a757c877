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


AXE = ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"  # pinned in tools/slides/package-lock.json
SERIOUS = ("serious", "critical")


def axe_violations(page, context=None):
    """Run axe-core (the npm registry's copy, installed with the decks' vendor files) on the Playwright ``page`` and
    return its serious and critical violations as ``["rule-id (n nodes): first target", ...]``; ``context`` is an
    optional CSS selector to check only part of the page.  ``preload: false``: axe would fetch the stylesheets again,
    which Chromium refuses for pages opened from disk."""
    from tools.build_slides import install_vendor

    install_vendor()
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("context => axe.run(context || document, {resultTypes: ['violations'], preload: false})"
                          ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, "
                          "nodes: v.nodes.map(n => n.html.slice(0, 120))})))", context)
    return [f"{v['id']} ({len(v['nodes'])} nodes): {v['nodes'][0]}" for v in found if v["impact"] in SERIOUS]

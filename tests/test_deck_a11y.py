"""Accessibility of the slide decks as the current builder makes them (tools/build_slides.py): axe-core on every
deck's first slide, and on every slide of notebook 02's deck laid out for print (reveal.js's ?print-pdf shows them
all).  The decks' code colours and slide number are the deck builder's (its Pygments style and template): their
contrast is checked in a test of its own."""
import shutil

import pytest

from conftest import axe_violations, unavailable
from test_site import waived
from tools import build_slides as slides

NOTEBOOKS = sorted(slides.ROOT.glob("notebooks/*.ipynb"))
BUILDER_RULES = ("color-contrast",)  # deck-only findings in tools/build_slides.py's domain


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    if shutil.which("npm") is None and not (slides.NPM_DIR / "node_modules" / ".package-lock.json").exists():
        unavailable("npm is not installed: the decks' reveal.js comes from the npm registry once.")
    return slides.build(NOTEBOOKS, tmp_path_factory.mktemp("decks"))


def deck_violations(browser, deck, every_slide=False):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    try:
        page.goto(deck.as_uri() + ("?print-pdf" if every_slide else ""))
        page.wait_for_selector(".pdf-page" if every_slide else ".reveal.ready")
        return [found for found in axe_violations(page) if not found.startswith(waived(NOTEBOOKS) or "\0")]
    finally:
        page.close()


def test_every_deck_and_every_slide_of_02_pass_axe_but_for_the_builders_colours(browser, decks):
    found = {deck.name: deck_violations(browser, deck) for deck in decks}
    found["02, every slide"] = deck_violations(browser, decks[2], every_slide=True)
    others = {name: [v for v in violations if not v.startswith(BUILDER_RULES)] for name, violations in found.items()}
    assert others == {name: [] for name in found}


def test_the_decks_colours_have_enough_contrast(browser, decks):
    """Code in the xcode Pygments style and a dark slide number (reveal.js's white on #999 is 2.8:1)."""
    assert [v for v in deck_violations(browser, decks[2]) if v.startswith(BUILDER_RULES)] == []

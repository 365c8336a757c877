"""Say plainly at the end of the run when the browser test could not run."""
from conftest import CHROMIUM


def pytest_terminal_summary(terminalreporter):
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "browser" in report.nodeid]
    if skipped:
        terminalreporter.write_line(
            f"BROWSER TEST SKIPPED: {CHROMIUM} is missing, so the shape tracer was not tested in a real browser. "
            f"Install Chromium (sudo apt-get install chromium) to run it; CI (.ci/run) always does.", yellow=True)

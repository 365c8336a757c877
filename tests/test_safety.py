"""What the course must never do: serve beyond this machine, drop token auth, unpickle data, write outside the repo."""
import pathlib
import re
import subprocess

from conftest import ROOT

# The student's own copy (my_notebooks/) is theirs, not course code.
SKIPPED = {".venv", "build", "node_modules", "my_notebooks"}
CODE = [p for p in ROOT.rglob("*") if p.suffix in {".py", ".ipynb"} and not SKIPPED & set(p.parts)]

# The patterns the checks below search for; test_these_checks_can_fail shows each one matches what it guards against.
EMPTY_TOKEN = re.compile(r"token\s*=\s*['\"]{0,2}\s")
PICKLE = re.compile(r"allow_pickle\s*=\s*True|pickle\.load|cloudpickle|joblib\.load")
OUTSIDE_REPO = re.compile(r"""['"](/tmp|/root|/home|/etc|~)/""")


def makefile_recipe(target):
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n?)+)", text, re.M)
    assert match, f"no {target} target in the Makefile"
    return match.group(1).replace("\\\n", " ")


def lab_command(edition):
    """The `jupyter lab` line that `make lab EDITION=...` runs, as make prints it (-n: nothing is run)."""
    printed = subprocess.run(["make", "-n", "lab", f"EDITION={edition}"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    (line,) = [line for line in printed.splitlines() if "jupyter lab" in line]
    return line


def test_lab_serves_only_localhost_with_token_auth():
    for edition in ("student", "instructor"):
        command = lab_command(edition)
        assert "--ip=127.0.0.1" in command
        assert not EMPTY_TOKEN.search(command + " ") and "password" not in command
        assert "0.0.0.0" not in command and "disable_check_xsrf" not in command


def test_lab_opens_the_students_copy_unless_the_instructor_edition_is_asked_for():
    assert lab_command("student").endswith("--ServerApp.root_dir=my_notebooks my_notebooks/00_index.ipynb")
    assert lab_command("instructor").endswith("--ServerApp.root_dir=. notebooks/00_index.ipynb")
    wrong = subprocess.run(["make", "-n", "lab", "EDITION=teacher"], cwd=ROOT, capture_output=True, text=True)
    assert wrong.returncode != 0 and "EDITION must be student (the default) or instructor, not 'teacher'" in wrong.stderr


def test_no_pickle_loading_anywhere():
    offenders = [str(p.relative_to(ROOT)) for p in CODE
                 if PICKLE.search(p.read_text())]
    offenders = [o for o in offenders if o != "tests/test_safety.py"]
    assert offenders == []


def test_code_writes_only_inside_the_repo():
    """Absolute paths to home or system folders in course code would write outside the repo."""
    offenders = [str(p.relative_to(ROOT)) for p in CODE
                 if p.relative_to(ROOT).parts[0] != "tests" and OUTSIDE_REPO.search(p.read_text())]
    assert offenders == []


def test_make_keeps_tool_caches_inside_the_repo():
    text = (ROOT / "Makefile").read_text()
    for variable in ["KERAS_HOME", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR"]:
        assert re.search(rf"^export {variable} := \$\(CURDIR\)/\.cache/", text, re.M), variable
    assert ".cache/" in (ROOT / ".gitignore").read_text().split()


def test_these_checks_can_fail():
    """The patterns the checks use really match what they guard against, and leave safe code alone."""
    for unsafe in ("np.load(f, allow_pickle = True)", "pickle.load(f)", "joblib.load('m.pkl')"):
        assert PICKLE.search(unsafe), unsafe
    assert not PICKLE.search("np.load(f)")
    for unsafe in ("open('/tmp/x.json', 'w')", 'Path("~/results.json")', "'/home/me/x'"):
        assert OUTSIDE_REPO.search(unsafe), unsafe
    assert not OUTSIDE_REPO.search("'results/x.json'")
    assert EMPTY_TOKEN.search("--ServerApp.token='' ") and EMPTY_TOKEN.search("--ServerApp.token= ")
    assert not EMPTY_TOKEN.search("--ServerApp.root_dir=. ")

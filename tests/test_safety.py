"""What the course must never do: serve beyond this machine, drop token auth, unpickle data, write outside the repo."""
import pathlib
import re

from conftest import ROOT

CODE = [p for p in ROOT.rglob("*") if p.suffix in {".py", ".ipynb"} and not {".venv", "build", "node_modules"} & set(p.parts)]


def makefile_recipe(target):
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n?)+)", text, re.M)
    assert match, f"no {target} target in the Makefile"
    return match.group(1).replace("\\\n", " ")


def test_lab_serves_only_localhost_with_token_auth():
    recipe = makefile_recipe("lab")
    assert "--ip=127.0.0.1" in recipe
    assert not re.search(r"token\s*=\s*['\"]{0,2}\s", recipe + " ") and "password" not in recipe
    assert "0.0.0.0" not in recipe and "disable_check_xsrf" not in recipe


def test_no_pickle_loading_anywhere():
    offenders = [str(p.relative_to(ROOT)) for p in CODE
                 if re.search(r"allow_pickle\s*=\s*True|pickle\.load|cloudpickle|joblib\.load", p.read_text())]
    offenders = [o for o in offenders if o != "tests/test_safety.py"]
    assert offenders == []


def test_code_writes_only_inside_the_repo():
    """Absolute paths to home or system folders in course code would write outside the repo."""
    pattern = re.compile(r"""['"](/tmp|/root|/home|/etc|~)/""")
    offenders = [str(p.relative_to(ROOT)) for p in CODE
                 if p.relative_to(ROOT).parts[0] != "tests" and pattern.search(p.read_text())]
    assert offenders == []


def test_make_keeps_tool_caches_inside_the_repo():
    text = (ROOT / "Makefile").read_text()
    for variable in ["KERAS_HOME", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR"]:
        assert re.search(rf"^export {variable} := \$\(CURDIR\)/\.cache/", text, re.M), variable
    assert ".cache/" in (ROOT / ".gitignore").read_text().split()


def test_these_checks_can_fail(tmp_path):
    """The patterns above really match what they guard against."""
    assert re.search(r"allow_pickle\s*=\s*True", "np.load(f, allow_pickle = True)")
    assert re.compile(r"""['"](/tmp|/root|/home|/etc|~)/""").search("open('/tmp/x.json', 'w')")
    assert re.search(r"token\s*=\s*['\"]{0,2}\s", "--ServerApp.token='' ")

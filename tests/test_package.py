"""`pip install .` (a JupyterHub image, a plain install) must give a package that imports: every module of
course_utils has to be inside the wheel, found without the source tree on the path."""
import json
import shutil
import subprocess
import sys
import zipfile

from conftest import ROOT

MODULES = sorted(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                 for path in (ROOT / "course_utils").rglob("*.py"))
IMPORT_ALL = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
found = {}
for name in json.loads(sys.argv[2]):
    found[name] = importlib.import_module(name).__file__
print(json.dumps(found))
"""


def build_wheel(tmp_path):
    """The wheel of a copy of the project (the files a build reads), so the build leaves the checkout untouched."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "course_utils", source / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(source)], check=True, capture_output=True, text=True)
    (wheel,) = (tmp_path / "dist").glob("course_utils-*.whl")
    return wheel


def test_the_wheel_holds_every_module_and_imports_without_the_source_tree(tmp_path):
    wheel = build_wheel(tmp_path)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    assert "course_utils.checks.common" in MODULES and len(MODULES) >= 15
    # -P: no working folder or script folder on sys.path; the editable install in .venv is shadowed by the wheel.
    ran = subprocess.run([sys.executable, "-P", "-c", IMPORT_ALL, str(unpacked), json.dumps(MODULES)],
                         cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0, f"importing from the wheel failed:\n{ran.stderr[-2000:]}"
    files = json.loads(ran.stdout)
    outside = {name: file for name, file in files.items() if not file.startswith(str(unpacked))}
    assert not outside, f"modules imported from outside the wheel: {outside}"
    metadata = (next(unpacked.glob("course_utils-*.dist-info")) / "METADATA").read_text()
    assert "Requires-Dist: keras<4,>=3.15" in metadata

"""The wheel as a deployment gets it: it holds every file of the packages (catalogues, the Alembic template, the
trust file, Streamlit's settings), and installed away from the checkout it speaks Dutch, says its version and
migrates a new home's database."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from passage.core import schema
from passage.core.i18n import catalog
from tests.packaging.project import PACKAGES, PYPROJECT, ROOT

# What the installed code prints: where it was imported from, and its Dutch catalogue.
INSTALLED_CATALOGUE = "import json, passage.core.i18n as i18n; print(json.dumps([i18n.__file__, i18n.catalog('nl')]))"


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command; its output, or a failure that shows what it said."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    command = " ".join(map(str, args))
    assert done.returncode == 0, f"{command} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def checkout_files() -> list[str]:
    """Every file of the checkout's packages, by its path in a wheel."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds (its own isolated setuptools) from a copy of the checkout: a build in place would
    write build/ and egg-info into the checkout, under the feet of anyone running the tests beside."""
    source = tmp_path_factory.mktemp("source")
    shutil.copy(ROOT / "pyproject.toml", source)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    built = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", built, source)
    (found,) = built.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel installed in it.

    Its dependencies are this environment's, reached through a path file: installing them again would take a
    minute and copy 600 MB. The path file adds this environment's site-packages to the search path and nothing
    else (the checkout's editable-install hook there is not run), so only the wheel holds Passage's files: one
    it lacks is missing. pip still resolves the wheel's requirements, against those pinned versions only
    (--no-index). tests/packaging/test_dependencies.py checks that every imported package is declared."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    site = run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet"]
    run(*pip, "--no-compile", "--no-index", "-c", ROOT / "constraints.txt", wheel)
    return venv


def test_the_wheel_holds_every_file_of_the_packages(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in checkout_files() if name not in shipped]
    assert not missing, f"not in the wheel (pyproject.toml, [tool.setuptools.package-data]): {missing}"


def test_installed_away_from_the_checkout_it_speaks_dutch_says_its_version_and_migrates(
    venv: Path, tmp_path: Path
) -> None:
    # A new home, and nothing of this test run's settings; run from a folder that is not the checkout.
    home = tmp_path / "home"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PASSAGE_", "PREFECT_", "PYTHON"))}
    env["PASSAGE_HOME"] = str(home)
    passage = venv / "bin" / "passage"

    assert run(passage, "--version", cwd=tmp_path, env=env) == f"passage {PYPROJECT['project']['version']}\n"

    module, dutch = json.loads(run(venv / "bin" / "python", "-c", INSTALLED_CATALOGUE, cwd=tmp_path, env=env))
    assert Path(module).is_relative_to(venv), module
    assert dutch == catalog("nl") and dutch["Approve"] != "Approve"

    migrated = run(passage, "db", "upgrade", cwd=tmp_path, env=env)
    assert migrated == f"database at {schema.head()} (was empty)\n"
    assert (home / "passage.db").is_file()

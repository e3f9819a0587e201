"""The package as users install it: one version, a licence, extras named for what they bring,
and a missing extra named in the error that needs it."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import hotel_occupancy as ho

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _run_without(module: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which importing ``module`` fails."""
    prelude = f"import sys; sys.modules[{module!r}] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, check=False
    )


def test_the_version_is_written_once_and_the_installed_metadata_agrees() -> None:
    """pyproject takes the version from the package, so metadata and __version__ match."""
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/hotel_occupancy/__init__.py"
    assert importlib.metadata.version("hotel-occupancy") == ho.__version__


def test_the_licence_file_exists_and_is_declared() -> None:
    """The MIT licence ships as LICENSE and the project metadata names it."""
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]


def test_the_extras_are_named_for_what_they_bring() -> None:
    """postgresql brings psycopg, cli brings click, testing brings pytest and hypothesis."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(req.startswith("psycopg") for req in extras["postgresql"])
    assert any(req.startswith("click") for req in extras["cli"])
    assert {req.split(">")[0] for req in extras["testing"]} == {"pytest", "hypothesis"}
    core = " ".join(PYPROJECT["project"]["dependencies"])
    assert "psycopg" not in core
    assert "pytest" not in core


def test_the_contract_suite_without_pytest_names_the_testing_extra() -> None:
    """Importing hotel_occupancy.testing without pytest fails with the extra to install."""
    result = _run_without("pytest", "import hotel_occupancy.testing")
    assert result.returncode != 0
    assert "pip install 'hotel-occupancy[testing]'" in result.stderr


def test_a_postgresql_engine_without_psycopg_names_the_postgresql_extra() -> None:
    """create_engine for a psycopg URL without psycopg fails with the extra to install."""
    code = (
        "from hotel_occupancy.adapters.sqlalchemy import create_engine\n"
        "create_engine('postgresql+psycopg://u@localhost/db')\n"
    )
    result = _run_without("psycopg", code)
    assert result.returncode != 0
    assert "pip install 'hotel-occupancy[postgresql]'" in result.stderr


def test_the_core_imports_without_any_extra() -> None:
    """The library itself imports with psycopg, click, pytest and hypothesis all missing."""
    prelude = "".join(
        f"sys.modules[{name!r}] = None; " for name in ("psycopg", "click", "pytest", "hypothesis")
    )
    code = "import hotel_occupancy, hotel_occupancy.services, hotel_occupancy.adapters.memory"
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; {prelude}\n{code}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

"""What mypy sees of the public API: calls through ``services.retrying`` are checked
against the service's own signature."""

from __future__ import annotations

from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

CALLS = """
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork

uow = InMemoryUnitOfWork()
services.retrying(services.checkout_room, uow, room_id="r1", staff_id="desk")
services.Retrying(attempts=3)(services.checkout_room, uow, room_id="r1", staff_id="desk")
services.retrying(services.checkout_room, uow, room_idd="r1", staff_id="desk")  # line 8
services.Retrying(backoff=0)(services.checkout_room, uow, room_id="r1")  # line 9
services.retrying(services.checkout_room, uow, room_id=101, staff_id="desk")  # line 10
"""


def test_mypy_catches_a_misspelt_missing_or_mistyped_argument_given_to_retrying(
    tmp_path: Path,
) -> None:
    """A wrong argument through retrying is a mypy error on its line; right calls pass."""
    program = tmp_path / "calls.py"
    program.write_text(CALLS, encoding="utf-8")
    stdout, _stderr, status = mypy_api.run(
        [
            "--strict",
            "--no-error-summary",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(program),
        ]
    )
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    lines = sorted({int(line.split(":")[1]) for line in errors})
    assert status == 1
    assert lines == [8, 9, 10], stdout
    assert any('"room_idd"' in line for line in errors), stdout

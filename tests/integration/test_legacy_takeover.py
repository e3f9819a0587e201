"""Taking a whole legacy database over (issue 11): a realistic legacy database with every
defect at once, imported with the command line and verified with ``check``; every legacy
row accounted for; an import killed with SIGKILL and run again; PostgreSQL on both sides."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import attrs
import pytest
from sqlalchemy import Engine, text
from sqlalchemy import create_engine as plain_engine

from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema
from hotel_occupancy.cli import main
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.testing.legacy import (
    GeneratedLegacy,
    LegacyDatabase,
    create_legacy_schema,
    generate_legacy_database,
)
from tests.integration.sessions import fresh_database

CLI = Path(sys.executable).with_name("hotel-occupancy")
NOW = datetime(2026, 1, 10, 18, tzinfo=UTC)


def cli(*args: str) -> tuple[int, str]:
    """Run the command line in-process; its exit code and stdout."""
    out = StringIO()
    return main(list(args), out=out), out.getvalue()


@attrs.frozen
class Legacy:
    """A generated legacy database file and what the generator wrote into it."""

    path: Path
    generated: GeneratedLegacy

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def _generate(path: Path, **kwargs: object) -> Legacy:
    engine = plain_engine(f"sqlite:///{path}")
    try:
        create_legacy_schema(engine)
        return Legacy(path, generate_legacy_database(engine, **kwargs))  # type: ignore[arg-type]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> Legacy:
    """Two hotels, hundreds of rooms, two years of history, every defect at once."""
    path = tmp_path_factory.mktemp("legacy") / "legacy.db"
    return _generate(path, hotels=2, rooms_per_hotel=100, years=2, bookings_per_hotel=5000, seed=3)


@pytest.fixture(scope="module")
def imported(realistic: Legacy, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:  # type: ignore[type-arg]
    """The realistic database imported by the command line into a new SQLite database:
    its URL and the JSON report."""
    folder = tmp_path_factory.mktemp("target")
    target = f"sqlite:///{folder / 'hotel.db'}"
    assert cli("init", "--db", target)[0] == 0
    report = folder / "report.json"
    code, out = cli(
        "legacy", "import", "--from", realistic.url, "--db", target, "--report", str(report)
    )
    assert code == 0, out
    assert "Counts" in out
    return target, json.loads(report.read_text(encoding="utf-8"))


def snapshot(url: str) -> StoreSnapshot:
    """Everything the store at ``url`` holds."""
    engine = create_engine(url)
    try:
        return SqlAlchemyUnitOfWork(engine).snapshot()
    finally:
        engine.dispose()


def test_a_realistic_legacy_database_imports_and_passes_check(
    realistic: Legacy,
    imported: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    """The whole realistic database imports, ``check`` finds every invariant holding (I9
    included), and every defect planted is in the report under its kind."""
    target, report = imported
    code, out = cli("check", "--db", target)
    assert code == 0, out
    assert "all invariants hold" in out
    found = {conflict["kind"] for conflict in report["conflicts"]}
    planted = {kind for kind, count in realistic.generated.planted.items() if count}
    assert planted - found == set()
    rows = realistic.generated.rows
    counts = report["counts"]
    assert counts["hotels"] == rows["hotel_hotel"]
    assert counts["rooms"] == rows["rooms_room"]
    assert counts["staff"] == rows["staff_staff"]
    assert counts["bookings"] == rows["hotel_roombooking"]
    assert counts["guests"] == rows["guests_guest"]


def test_history_entries_are_the_audit_timestamps_of_the_source(
    realistic: Legacy,
    imported: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    """history_entries is the number of imported history entries, and equals the source's
    non-null audit timestamps less those the report names as unreadable."""
    target, report = imported
    history = [e for e in snapshot(target).log if e.is_imported_history]
    assert report["counts"]["history_entries"] == len(history)
    unreadable_audit = [
        c
        for c in report["conflicts"]
        if c["kind"] == "unreadable_value"
        and re.search(r"room_\w+_at|checked_(in|out)_at", c["detail"])
    ]
    assert len(history) == realistic.generated.audit_timestamps - len(unreadable_audit)


def test_every_legacy_row_is_imported_or_named_in_the_report(
    realistic: Legacy,
    imported: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    """No legacy row is lost silently: each room, staff member, booking, party member,
    guest and task is in the store or named in a conflict of the report."""
    target, report = imported
    store = snapshot(target)
    details = " | ".join(c["detail"] + " " + c["resolution"] for c in report["conflicts"])
    present = {
        "rooms_room": {r.room_id for r in store.rooms},
        "staff_staff": {s.staff_id for s in store.staff},
        "hotel_roombooking": {b.booking_id for b in store.bookings},
        "hotel_bookingguest": {m.booking_guest_id for b in store.bookings for m in b.party},
        "guests_guest": {g.guest_id.removeprefix("guest-") for g in store.guests},
        "housekeeping_housekeepingtask": {t.task_id.removeprefix("task-") for t in store.tasks},
    }
    named = {
        "rooms_room": r"\broom (\d+)|rooms_room (\d+)",
        "staff_staff": r"\bstaff (\d+)|staff_staff (\d+)",
        "hotel_roombooking": r"hotel_roombooking (\d+)",
        "hotel_bookingguest": r"hotel_bookingguest (\d+)|party rows \[([\d, ]+)\]",
        "guests_guest": r"\bguest (\d+)|guests_guest (\d+)",
        "housekeeping_housekeepingtask": r"\btask (\d+)|housekeeping_housekeepingtask (\d+)",
    }
    engine = plain_engine(realistic.url)
    try:
        with engine.connect() as conn:
            for table, ids in present.items():
                legacy_ids = {
                    str(i) for i in conn.execute(text(f"SELECT id FROM {table}")).scalars()
                }
                mentioned = {
                    part.strip()
                    for match in re.finditer(named[table], details)
                    for group in match.groups()
                    if group
                    for part in group.split(",")
                }
                lost = legacy_ids - ids - mentioned
                assert lost == set(), f"{table}: {sorted(lost, key=int)[:10]}"
    finally:
        engine.dispose()
    rejected_bookings = {
        c["booking_reference"]
        for c in report["conflicts"]
        if c.get("booking_reference") and c["resolution"] == "not imported"
    }
    assert len(store.bookings) + len(rejected_bookings) >= realistic.generated.rows[
        "hotel_roombooking"
    ] - sum(1 for c in report["conflicts"] if "hotel_roombooking" in c["detail"])


def test_the_report_and_output_never_hold_a_pin_or_a_token(
    realistic: Legacy,
    imported: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    """Neither the legacy PINs and tokens nor the new PINs appear in the report."""
    target, report = imported
    engine = plain_engine(realistic.url)
    with engine.connect() as conn:
        secrets = {
            *conn.execute(
                text("SELECT id_pin FROM guests_guest WHERE id_pin IS NOT NULL")
            ).scalars(),
            *conn.execute(
                text("SELECT guest_fcm_token FROM rooms_room WHERE guest_fcm_token IS NOT NULL")
            ).scalars(),
        }
        references = set(conn.execute(text("SELECT booking_id FROM hotel_roombooking")).scalars())
    engine.dispose()
    secrets |= {g.id_pin for g in snapshot(target).guests if g.id_pin}
    assert secrets
    text_report = json.dumps(report)
    # A fresh PIN is six random digits: one may equal the digits a booking reference ends
    # with ("BK-2026-000132") by chance, which is no leak. The references are taken out of
    # the text first (longest first), so a PIN anywhere else still counts.
    for reference in sorted(references, key=len, reverse=True):
        text_report = text_report.replace(json.dumps(reference)[1:-1], "<reference>")
    leaked = {s for s in secrets if re.search(rf"(?<![\d\w]){re.escape(s)}(?![\d\w])", text_report)}
    assert leaked == set()


def test_in_house_guests_hold_fresh_pins_and_only_they_hold_tokens(
    imported: tuple[str, dict],  # type: ignore[type-arg]
) -> None:
    """Every in-house guest has a fresh six-digit PIN; tokens are only on in-house guests."""
    target, report = imported
    guests = snapshot(target).guests
    in_house = [g for g in guests if g.in_house]
    assert in_house
    assert all(g.id_pin is not None and len(g.id_pin) == 6 for g in in_house)
    assert all(g.device_token is None for g in guests if not g.in_house)
    assert sum(1 for g in guests if g.device_token) == report["counts"]["device_tokens_moved"]


def test_a_second_run_of_the_command_changes_nothing(
    realistic: Legacy,
    imported: tuple[str, dict],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    """Running the same import again writes nothing and writes the same report."""
    target, report = imported
    before = snapshot(target)
    again = tmp_path / "again.json"
    code, out = cli(
        "legacy", "import", "--from", realistic.url, "--db", target, "--report", str(again)
    )
    assert code == 0, out
    assert "legacy-owned: no change" in out
    assert json.loads(again.read_text(encoding="utf-8")) == report
    assert snapshot(target) == before


def test_a_dry_run_of_the_command_writes_nothing(
    realistic: Legacy,
    imported: tuple[str, dict],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    """--dry-run into an empty database leaves it empty and reports what the real run did."""
    _, report = imported
    target = f"sqlite:///{tmp_path / 'dry.db'}"
    assert cli("init", "--db", target)[0] == 0
    dry = tmp_path / "dry.json"
    code, out = cli(
        "legacy",
        "import",
        "--from",
        realistic.url,
        "--db",
        target,
        "--report",
        str(dry),
        "--dry-run",
    )
    assert code == 0, out
    assert "dry run" in out
    assert json.loads(dry.read_text(encoding="utf-8")) == report
    assert snapshot(target) == StoreSnapshot()


# --- killed and run again ------------------------------------------------------------------

_IMPORT = textwrap.dedent(
    """
    import sys
    from datetime import datetime, UTC
    from itertools import count
    from sqlalchemy import create_engine as plain
    from hotel_occupancy import services
    from hotel_occupancy.adapters.legacy import LegacySqlSource
    from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
    numbers = count(100000)
    uow = SqlAlchemyUnitOfWork(
        create_engine(sys.argv[2]),
        clock=lambda: datetime(2026, 1, 10, 18, tzinfo=UTC),
        pins=lambda: str(next(numbers)),
    )
    services.import_legacy(
        uow,
        LegacySqlSource(plain(sys.argv[1])),
        batch_size=200,
        progress=lambda p: print("progress", p.hotel_id, p.done, flush=True),
    )
    print("done", flush=True)
    """
)


def _kill_import(legacy: str, target: str, after: int) -> None:
    """Run the import in a process of its own and SIGKILL it once it has reported
    ``after`` batches of progress, in the middle of its work."""
    process = subprocess.Popen(
        [sys.executable, "-c", _IMPORT, legacy, target],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    with process.stdout:
        for _ in range(after):
            assert process.stdout.readline().startswith("progress")
        process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL


def _import(legacy: str, target: str) -> int:
    """The import in a process of its own, to its end; the batches of progress it reported."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, legacy, target],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "done"
    return len(lines) - 1


def _without_pins(store: StoreSnapshot) -> StoreSnapshot:
    """The store with each PIN replaced by whether there is one (PINs are drawn afresh)."""
    return attrs.evolve(
        store, guests=tuple(attrs.evolve(g, id_pin=g.id_pin and "set") for g in store.guests)
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Legacy:
    """A smaller legacy database of two hotels, for runs that are killed."""
    path = tmp_path_factory.mktemp("small") / "legacy.db"
    return _generate(path, hotels=2, rooms_per_hotel=30, years=1, bookings_per_hotel=2500, seed=5)


def test_an_import_killed_at_random_points_ends_like_an_uninterrupted_one(
    small: Legacy, tmp_path: Path
) -> None:
    """SIGKILL during the import, then run it again: the store ends exactly as after one
    uninterrupted run (the PINs apart, which are drawn afresh)."""
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    create_schema(create_engine(reference))
    batches = _import(small.url, reference)
    expected = _without_pins(snapshot(reference))
    assert check_invariants(snapshot(reference)) == []
    assert batches > 4
    rng = random.Random(11)
    for attempt, after in enumerate(sorted(rng.sample(range(1, batches - 1), 3))):
        target = f"sqlite:///{tmp_path / f'killed-{attempt}.db'}"
        create_schema(create_engine(target))
        _kill_import(small.url, target, after)
        assert _without_pins(snapshot(target)) != expected  # killed before its end
        _import(small.url, target)
        assert _without_pins(snapshot(target)) == expected


# --- the command line's edges --------------------------------------------------------------


def test_the_command_shows_progress_and_reports_bad_input_in_one_line(
    small: Legacy, tmp_path: Path
) -> None:
    """--progress draws a bar on stderr; a legacy file that does not exist and a malformed
    settings file are one-line errors that change nothing."""
    target = f"sqlite:///{tmp_path / 'hotel.db'}"
    assert cli("init", "--db", target)[0] == 0
    missing = subprocess.run(
        [
            str(CLI),
            "legacy",
            "import",
            "--from",
            f"sqlite:///{tmp_path / 'nope.db'}",
            "--db",
            target,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert missing.returncode == 1
    assert len(missing.stderr.splitlines()) == 1, missing.stderr
    assert "Traceback" not in missing.stderr
    settings = tmp_path / "settings.toml"
    settings.write_text('[defaults]\ntimezone = "Nowhere/Atlantis"\n', encoding="utf-8")
    bad = subprocess.run(
        [
            str(CLI),
            "legacy",
            "import",
            "--from",
            small.url,
            "--db",
            target,
            "--settings",
            str(settings),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "Nowhere/Atlantis" in bad.stderr
    assert snapshot(target) == StoreSnapshot()
    settings.write_text('[defaults]\ntimezone = "Europe/Rome"\n', encoding="utf-8")
    good = subprocess.run(
        [
            str(CLI),
            "legacy",
            "import",
            "--from",
            small.url,
            "--db",
            target,
            "--settings",
            str(settings),
            "--prefix",
            "old-",
            "--progress",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert good.returncode == 0, good.stderr
    assert re.search(r"\[#+\] 100% [\d,]+/[\d,]+ bookings", good.stderr), good.stderr
    hotels = snapshot(target).hotels
    assert {h.hotel_id for h in hotels} == {"old-1", "old-2"}
    assert {h.timezone for h in hotels} == {"Europe/Rome"}


# --- PostgreSQL on both sides --------------------------------------------------------------


@pytest.fixture
def pg_legacy(postgres_url: str) -> Iterator[Engine]:
    """A fresh PostgreSQL database holding the legacy schema."""
    engine = fresh_database(postgres_url, "legacy_source")
    create_legacy_schema(engine)
    yield engine
    engine.dispose()


def _rows_with_defects(engine: Engine) -> None:
    """A generated history (no defects) plus defects PostgreSQL can hold, by the builder."""
    generate_legacy_database(
        engine, hotels=2, rooms_per_hotel=12, years=1, bookings_per_hotel=300, seed=2, defects=False
    )
    db = LegacyDatabase(engine)
    hotel = db.hotel("Annex")
    rooms = [db.room(hotel, str(n)) for n in (1, 2, 3, 3)]
    db.in_house_booking(hotel, rooms[0], token="tok-1")
    db.in_house_booking(hotel, rooms[0], checked_in_at=datetime(2026, 1, 9, 12))
    db.pre_assigned_booking(hotel, rooms[1])
    db.pre_assigned_booking(hotel, rooms[1])
    db.execute(
        "UPDATE rooms_room SET is_occupied = TRUE, guest_fcm_token = 'tok-2' WHERE id = :r",
        r=rooms[2],
    )
    db.staff(hotel, role="NIGHT_AUDITOR")
    db.booking(hotel, check_in=datetime(2026, 2, 2).date(), check_out=datetime(2026, 2, 1).date())


def _counting_pins() -> Callable[[], str]:
    numbers = iter(range(100000, 1000000))
    return lambda: str(next(numbers))


def test_a_postgresql_legacy_database_imports_into_postgresql_like_sqlite_into_memory(
    pg_legacy: Engine, postgres_url: str, tmp_path: Path
) -> None:
    """The same legacy rows, read from PostgreSQL into PostgreSQL and from SQLite into the
    in-memory store, give the same store and the same report."""
    sqlite_legacy = plain_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    create_legacy_schema(sqlite_legacy)
    for engine in (pg_legacy, sqlite_legacy):
        _rows_with_defects(engine)
    target = fresh_database(postgres_url, "legacy_target")
    create_schema(target)
    pg_uow = SqlAlchemyUnitOfWork(target, clock=lambda: NOW, pins=_counting_pins())
    memory = InMemoryUnitOfWork(clock=lambda: NOW, pins=_counting_pins())
    pg_report = services.import_legacy(pg_uow, LegacySqlSource(pg_legacy))
    memory_report = services.import_legacy(memory, LegacySqlSource(sqlite_legacy))
    assert check_invariants(pg_uow.snapshot()) == []
    assert pg_report.to_dict() == memory_report.to_dict()
    assert {c.kind.value for c in pg_report.conflicts} >= {
        "double_occupancy",
        "preassignment_conflict",
        "phantom_occupancy",
        "duplicate_room_number",
        "unknown_staff_role",
        "dates_reversed",
    }
    assert _without_pins(pg_uow.snapshot()) == _without_pins(memory.snapshot())
    target.dispose()
    sqlite_legacy.dispose()

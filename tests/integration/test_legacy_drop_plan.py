"""Phase 4 of the legacy migration (§12): the drop plan removes exactly the legacy columns
the library owns, on SQLite and PostgreSQL, and keeps every row and everything else."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import Engine, text

from hotel_occupancy.adapters.legacy import legacy_metadata
from hotel_occupancy.adapters.legacy_drop import (
    DIALECTS,
    LEGACY_COLUMNS,
    drop_plan,
    render_plan,
)
from hotel_occupancy.testing.legacy import (
    LEGACY_TABLES,
    LegacyDatabase,
    create_legacy_schema,
    generate_legacy_database,
)
from tests.integration.sessions import fresh_database

DROPPED = frozenset((c.table, c.column) for c in LEGACY_COLUMNS)
SIZE = {"hotels": 3, "rooms_per_hotel": 20, "years": 1, "bookings_per_hotel": 150}
"""A legacy database small enough to be quick, with every dropped column set somewhere."""

KEPT_FOREIGN_KEYS = {
    ("staff_staff", "hotel_id", "hotel_hotel"),
    ("rooms_room", "hotel_id", "hotel_hotel"),
    ("hotel_roombooking", "hotel_id", "hotel_hotel"),
    ("hotel_bookingguest", "booking_id", "hotel_roombooking"),
    ("guests_guest", "hotel_id", "hotel_hotel"),
    ("guests_guest", "booking_id", "hotel_roombooking"),
    ("guests_guest", "booking_guest_id", "hotel_bookingguest"),
    ("guests_guest", "primary_guest_id", "guests_guest"),
    ("housekeeping_housekeepingtask", "hotel_id", "hotel_hotel"),
    ("housekeeping_housekeepingtask", "room_id", "rooms_room"),
    ("housekeeping_housekeepingtask", "booking_id", "hotel_roombooking"),
    ("housekeeping_housekeepingtask", "assigned_to_id", "staff_staff"),
    ("housekeeping_housekeepingtask", "created_by_id", "staff_staff"),
}
"""Every foreign key of the legacy schema on a column the plan keeps."""


# --- SQLite ------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """What a SQLite legacy database holds, table by table."""

    columns: dict[str, list[str]]
    rows: dict[str, dict[int, dict[str, tuple[str, Any]]]]
    """Per table, per rowid: column -> (typeof, value)."""
    foreign_keys: set[tuple[str, str, str]]
    """(table, column, referenced table)."""
    violations: set[tuple[str, int, str, str]]
    """PRAGMA foreign_key_check, as (table, rowid, column, referenced table)."""
    integrity: list[tuple[str]]
    """PRAGMA integrity_check."""


def _snapshot(conn: sqlite3.Connection) -> Snapshot:
    columns: dict[str, list[str]] = {}
    rows: dict[str, dict[int, dict[str, tuple[str, Any]]]] = {}
    keys: set[tuple[str, str, str]] = set()
    by_id: dict[tuple[str, int], str] = {}
    for table in LEGACY_TABLES:
        names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        columns[table] = names
        select = ", ".join(f"typeof({n}), {n}" for n in names)
        rows[table] = {
            row[0]: {n: (row[1 + 2 * i], row[2 + 2 * i]) for i, n in enumerate(names)}
            for row in conn.execute(f"SELECT rowid, {select} FROM {table}")
        }
        for fk_id, _, parent, column, *_ in conn.execute(f"PRAGMA foreign_key_list({table})"):
            keys.add((table, column, parent))
            by_id[table, fk_id] = column
    violations = {
        (table, rowid, by_id[table, fk_id], parent)
        for table, rowid, parent, fk_id in conn.execute("PRAGMA foreign_key_check")
    }
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    return Snapshot(columns, rows, keys, violations, integrity)


def _sqlite_database(path: Path, *, defects: bool, journal: str = "delete") -> Path:
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA journal_mode = {journal}")
    generate_legacy_database(engine, seed=4, defects=defects, **SIZE)
    engine.dispose()
    return path


def _run(path: Path) -> tuple[Snapshot, Snapshot]:
    """The database's snapshot before and after the SQLite plan."""
    conn = sqlite3.connect(path)
    try:
        before = _snapshot(conn)
        conn.executescript(render_plan("sqlite"))
        return before, _snapshot(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Snapshot]:
    """A generated legacy database without defects, before and after the plan."""
    return _run(_sqlite_database(tmp_path_factory.mktemp("clean") / "legacy.db", defects=False))


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Snapshot]:
    """A generated legacy database with every SQLite defect planted (dangling references,
    NUL bytes, unreadable values), before and after the plan."""
    return _run(_sqlite_database(tmp_path_factory.mktemp("messy") / "legacy.db", defects=True))


def test_every_listed_column_is_a_legacy_column_listed_once_with_a_reason() -> None:
    """LEGACY_COLUMNS names real columns of the legacy schema, none twice, each with a why."""
    names = [(c.table, c.column) for c in LEGACY_COLUMNS]
    assert len(names) == len(set(names)) == 20
    for entry in LEGACY_COLUMNS:
        assert entry.column in legacy_metadata.tables[entry.table].c, entry
        assert entry.why.strip(), entry
    assert ("guests_guest", "id_pin") not in DROPPED


def test_on_sqlite_the_listed_columns_are_gone_and_every_other_column_stays_in_order(
    clean_run: tuple[Snapshot, Snapshot],
) -> None:
    """PRAGMA table_info after the plan: the listed columns gone, the others as they were."""
    before, after = clean_run
    for table in LEGACY_TABLES:
        kept = [c for c in before.columns[table] if (table, c) not in DROPPED]
        assert after.columns[table] == kept, table
    assert {(t, c) for t, cols in before.columns.items() for c in cols} >= DROPPED


def test_on_sqlite_every_row_keeps_the_values_and_types_of_its_other_columns(
    messy_run: tuple[Snapshot, Snapshot],
) -> None:
    """Row by row, every kept column holds the same value of the same storage class, even
    NUL bytes and unreadable values; no row is added or lost."""
    before, after = messy_run
    for table, column in DROPPED:  # the dropped columns did hold data
        assert any(row[column][1] is not None for row in before.rows[table].values()), column
    for table in LEGACY_TABLES:
        assert len(after.rows[table]) == len(before.rows[table]) > 0, table
        expected = {
            rowid: {c: v for c, v in row.items() if (table, c) not in DROPPED}
            for rowid, row in before.rows[table].items()
        }
        assert after.rows[table] == expected, table
    guests = [v for row in after.rows["guests_guest"].values() for v in row.values()]
    assert any(kind == "text" and "\x00" in value for kind, value in guests)  # a NUL kept
    assert ("text", "2025-13-45") in guests  # an unreadable date kept as it was
    assert after.integrity == [("ok",)]


def test_on_sqlite_the_foreign_keys_of_kept_columns_are_declared_and_hold(
    clean_run: tuple[Snapshot, Snapshot],
) -> None:
    """Every kept foreign key is still declared, none of a dropped column is, nothing
    violates one, and the database passes its integrity check."""
    before, after = clean_run
    assert {k for k in before.foreign_keys if k[:2] not in DROPPED} == KEPT_FOREIGN_KEYS
    assert len(before.foreign_keys) > len(KEPT_FOREIGN_KEYS)
    assert after.foreign_keys == KEPT_FOREIGN_KEYS
    assert after.violations == set()
    assert after.integrity == [("ok",)]


def test_on_sqlite_dangling_references_in_kept_columns_stay_as_they_were(
    messy_run: tuple[Snapshot, Snapshot],
) -> None:
    """The legacy data's dangling references: those of dropped columns go with them, those
    of kept columns are kept unchanged (the plan repairs nothing and breaks nothing)."""
    before, after = messy_run
    kept = {v for v in before.violations if (v[0], v[2]) not in DROPPED}
    assert kept, "the generated database should hold a dangling reference in a kept column"
    assert kept != before.violations, "and one in a dropped column"
    assert after.violations == kept


def test_on_sqlite_the_guest_pins_keep_their_unique_constraint(tmp_path: Path) -> None:
    """guests_guest.id_pin is kept with its values, and two guests still cannot share one."""
    path = _sqlite_database(tmp_path / "legacy.db", defects=False)
    before, after = _run(path)
    pins = {k: r["id_pin"] for k, r in before.rows["guests_guest"].items()}
    assert any(v is not None for _, v in pins.values())
    assert {k: r["id_pin"] for k, r in after.rows["guests_guest"].items()} == pins
    conn = sqlite3.connect(path)
    try:
        (pin,) = conn.execute("SELECT id_pin FROM guests_guest WHERE id_pin IS NOT NULL").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            conn.execute(
                "INSERT INTO guests_guest (hotel_id, first_name, last_name, guest_type, id_pin) "
                "SELECT hotel_id, 'A', 'B', 'PRIMARY', id_pin FROM guests_guest WHERE id_pin = ?",
                (pin,),
            )
    finally:
        conn.close()


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_on_sqlite_no_dropped_device_token_is_left_in_the_database_files(
    tmp_path: Path, journal: str
) -> None:
    """Every guest_fcm_token was in the file before the plan; after it, in no byte of the
    file or its write-ahead log (the plan's secure_delete and closing checkpoint)."""
    path = _sqlite_database(tmp_path / "legacy.db", defects=False, journal=journal)
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.begin() as bound:  # rooms enough that their freed pages outlast the rebuild
        db = LegacyDatabase(bound)
        annex = db.hotel("Annex")
        for n in range(600):
            db.room(annex, f"A{n}", guest_fcm_token=f"fcm:{n:04d}:{'k' * 40}")
    engine.dispose()
    conn = sqlite3.connect(path)
    try:
        tokens = [
            t.encode()
            for (t,) in conn.execute("SELECT guest_fcm_token FROM rooms_room")
            if t is not None
        ]
        assert tokens
        assert all(t in path.read_bytes() for t in tokens)
        conn.execute("PRAGMA secure_delete = OFF")  # as some builds default: the plan sets it
        conn.executescript(render_plan("sqlite"))
        assert conn.execute("PRAGMA journal_mode").fetchone() == (journal,)
        on_disk = b"".join(
            p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
        )  # read while the connection is open: the checkpoint is the plan's, not close()'s
        assert [t for t in tokens if t in on_disk] == []
    finally:
        conn.close()


@pytest.mark.parametrize(
    "obstacle",
    [
        "CREATE INDEX rooms_room_hotel_id ON rooms_room (hotel_id)",
        "CREATE VIEW open_bookings AS SELECT id FROM hotel_roombooking",
        "CREATE TRIGGER guest_seen AFTER INSERT ON guests_guest BEGIN SELECT 1; END",
    ],
    ids=["index", "view", "trigger"],
)
def test_on_sqlite_an_index_view_or_trigger_on_a_rebuilt_table_stops_the_plan_unchanged(
    tmp_path: Path, obstacle: str
) -> None:
    """DROP TABLE would silently take an added index or trigger with it (a view makes the
    rename fail): the guard refuses before any change, and a rollback leaves it all."""
    path = _sqlite_database(tmp_path / "legacy.db", defects=False)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(obstacle)
        before = _snapshot(conn)
        with pytest.raises(sqlite3.IntegrityError, match="no index, trigger or view"):
            conn.executescript(render_plan("sqlite"))
        conn.rollback()
        assert _snapshot(conn) == before
        objects = conn.execute("SELECT count(*) FROM sqlite_master WHERE sql = ?", (obstacle,))
        assert objects.fetchone() == (1,)
    finally:
        conn.close()


# --- PostgreSQL --------------------------------------------------------------------------------

_PG_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ANY (:tables)
ORDER BY table_name, ordinal_position
"""

_PG_CONSTRAINTS = """
SELECT c.contype, c.conrelid::regclass::text, a.attname,
    CASE WHEN c.confrelid = 0 THEN '' ELSE c.confrelid::regclass::text END
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.connamespace = current_schema()::regnamespace
    AND c.conrelid::regclass::text = ANY (:tables)
"""


@dataclass
class PgSnapshot:
    """What a PostgreSQL legacy database holds, table by table."""

    columns: dict[str, list[str]]
    rows: dict[str, list[dict[str, Any]]]
    """Per table, its rows by id: column -> value."""
    constraints: set[tuple[str, str, str, str]]
    """(kind p/u/f, table, column, referenced table or '')."""


def _pg_snapshot(engine: Engine) -> PgSnapshot:
    tables = list(LEGACY_TABLES)
    columns: dict[str, list[str]] = {t: [] for t in tables}
    with engine.connect() as conn:
        for table, column in conn.execute(text(_PG_COLUMNS), {"tables": tables}):
            columns[table].append(column)
        rows = {
            t: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in tables
        }
        constraints = {
            (str(kind), table, column, parent)
            for kind, table, column, parent in conn.execute(
                text(_PG_CONSTRAINTS), {"tables": tables}
            )
        }
    return PgSnapshot(columns, rows, constraints)


@pytest.fixture(scope="module")
def pg_run(postgres_url: str) -> Iterator[tuple[PgSnapshot, PgSnapshot]]:
    """A generated legacy database on PostgreSQL, before and after the plan (its statements
    run one by one, as psql runs the script)."""
    engine = fresh_database(postgres_url, "legacy_drop_plan")
    try:
        create_legacy_schema(engine)
        generate_legacy_database(engine, seed=4, **SIZE)
        before = _pg_snapshot(engine)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in drop_plan("postgresql"):
                conn.exec_driver_sql(statement)
        yield before, _pg_snapshot(engine)
    finally:
        engine.dispose()


def test_on_postgresql_the_listed_columns_are_gone_and_every_other_column_stays(
    pg_run: tuple[PgSnapshot, PgSnapshot],
) -> None:
    """information_schema.columns after the plan: the listed columns gone, the others kept
    in their order."""
    before, after = pg_run
    for table in LEGACY_TABLES:
        assert before.columns[table], table
        kept = [c for c in before.columns[table] if (table, c) not in DROPPED]
        assert after.columns[table] == kept, table
    assert {(t, c) for t, cols in before.columns.items() for c in cols} >= DROPPED


def test_on_postgresql_every_row_keeps_the_values_of_its_other_columns(
    pg_run: tuple[PgSnapshot, PgSnapshot],
) -> None:
    """Row by row, every kept column holds the same value; no row is added or lost."""
    before, after = pg_run
    for table, column in DROPPED:
        assert any(row[column] is not None for row in before.rows[table]), column
    for table in LEGACY_TABLES:
        assert len(after.rows[table]) == len(before.rows[table]) > 0, table
        expected = [
            {c: v for c, v in row.items() if (table, c) not in DROPPED}
            for row in before.rows[table]
        ]
        assert after.rows[table] == expected, table


def test_on_postgresql_the_kept_keys_and_constraints_are_all_still_there(
    pg_run: tuple[PgSnapshot, PgSnapshot],
) -> None:
    """Every primary key, unique (id_pin) and foreign key of a kept column is still declared;
    those of dropped columns went with them."""
    before, after = pg_run
    assert after.constraints == {c for c in before.constraints if (c[1], c[2]) not in DROPPED}
    assert {(t, c, p) for kind, t, c, p in after.constraints if kind == "f"} == KEPT_FOREIGN_KEYS
    assert ("u", "guests_guest", "id_pin", "") in after.constraints
    assert {t for kind, t, c, _ in after.constraints if kind == "p" and c == "id"} == set(
        LEGACY_TABLES
    )


# --- the plan itself ---------------------------------------------------------------------------


def test_an_unknown_dialect_is_refused_naming_the_two_it_knows() -> None:
    """drop_plan and render_plan raise ValueError for mysql, naming sqlite and postgresql."""
    assert DIALECTS == ("sqlite", "postgresql")
    for make in (drop_plan, render_plan):
        with pytest.raises(ValueError, match=r"sqlite or postgresql, not 'mysql'"):
            make("mysql")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_plan_opens_with_a_header_saying_it_is_irreversible_and_to_back_up_first(
    dialect: str,
) -> None:
    """The script starts with comment lines naming every dropped column, saying the plan is
    irreversible and asking for a backup, before its first statement."""
    script = render_plan(dialect)
    header = script.split("\n\n", 1)[0].splitlines()
    assert header
    assert all(line.startswith("-- ") for line in header)
    said = " ".join(header)
    assert "IRREVERSIBLE" in said
    assert "BACKUP FIRST" in said
    for entry in LEGACY_COLUMNS:
        assert entry.column in said, entry
    assert drop_plan(dialect)[0].startswith(header[0])
    assert script == "\n\n".join(drop_plan(dialect)) + "\n"

"""Phase 4 of the legacy migration (§12): the SQL that drops the legacy columns.

After cut-over the library is the source of truth for what the side-by-side mirror wrote
into the legacy tables; :data:`LEGACY_COLUMNS` lists those columns (table, column, why)
and :func:`drop_plan` gives the statements that remove them, and nothing else, on SQLite
or PostgreSQL: every row, every other column, constraint and foreign key stays.
:func:`render_plan` joins them into the script ``hotel-occupancy legacy drop-plan``
prints. Nothing here connects to a database: the plan is printed, read, and run by the
operator (after a backup: it is irreversible).

``guests_guest.id_pin`` is kept. §12 has the library issue fresh PINs to in-house guests,
but it neither imports nor mirrors the legacy ones, so the library is not their source
of truth (the PINs of guests not in house at import were never replaced), and §12 names
no drop of them. Dropping them is a separate decision, and would take its unique
constraint with it; adding a row to :data:`LEGACY_COLUMNS` is all the plan needs.

PostgreSQL: one ``ALTER TABLE ... DROP COLUMN ...`` per table inside ``BEGIN``/``COMMIT``
(PostgreSQL drops the foreign keys and indexes of a dropped column with it), then
``VACUUM FULL`` of the three tables, which rewrites them: ``DROP COLUMN`` only hides the
values, the rewrite is what takes them (device tokens among them) out of the data files.

SQLite: ``ALTER TABLE DROP COLUMN`` refuses a column in a foreign key or an index, so each
table is rebuilt by SQLite's documented procedure (https://www.sqlite.org/lang_altertable.html,
"Making Other Kinds Of Table Schema Changes"): foreign keys off, one transaction, ``CREATE
TABLE new_X`` (generated from :data:`~hotel_occupancy.adapters.legacy.legacy_metadata`
without the dropped columns), copy the rows, drop ``X``, rename ``new_X`` to ``X``, recreate
its indexes, ``PRAGMA foreign_key_check``, commit, foreign keys on. ``DROP TABLE`` would take
an index or trigger the operator added silently with it, and a view naming the table makes
the rename fail, so a guard first checks, before anything changes, that every column to
drop is there (a second run stops here) and that no index, trigger or view names a
rebuilt table. ``secure_delete`` zeroes the old tables' pages and a closing checkpoint
empties a write-ahead log, so no dropped value (no device token) is left in the files.

Running a plan twice fails cleanly: on PostgreSQL at the first ``DROP COLUMN`` of a column
that is gone (the transaction rolls back), on SQLite at the guard. A SQLite script must run
with ``sqlite3 -bail`` (or Python's ``executescript``, which stops at the first error): the
sqlite3 shell otherwise goes on after an error and would commit a half-done rebuild.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from attrs import frozen
from sqlalchemy import ForeignKeyConstraint, MetaData, Table, insert, select
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import (
    ColumnCollectionConstraint,
    CreateIndex,
    CreateTable,
    DropTable,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import ClauseElement

from hotel_occupancy.adapters.legacy import legacy_metadata

__all__ = ["DIALECTS", "LEGACY_COLUMNS", "LegacyColumn", "drop_plan", "render_plan"]


@frozen
class LegacyColumn:
    """A legacy column phase 4 drops, and why the library owns what it held."""

    table: str
    column: str
    why: str


_ROOM, _BOOKING, _GUEST = "rooms_room", "hotel_roombooking", "guests_guest"


def _audit(column: str, what: str) -> LegacyColumn:
    return LegacyColumn(
        _BOOKING, column, f"{what}: imported as a log entry; the library's log after cut-over"
    )


LEGACY_COLUMNS: tuple[LegacyColumn, ...] = (
    LegacyColumn(
        _ROOM,
        "is_occupied",
        "whether the room is occupied (legacy Guest.delete() cleared it while the booking "
        "was still in house): the library's room state",
    ),
    LegacyColumn(
        _ROOM,
        "room_status",
        "the room's condition and service state (§3), read through LEGACY_ROOM_STATUS on "
        "import: the library's room state",
    ),
    LegacyColumn(
        _ROOM,
        "guest_fcm_token",
        "the device token of 'the guest', left on the room after checkout: the library "
        "keeps it on the in-house guest and clears it at checkout",
    ),
    LegacyColumn(
        _ROOM, "cleaned_by_staff_id", "who last cleaned the room: the library's housekeeping"
    ),
    LegacyColumn(
        _ROOM,
        "inspected_by_staff_id",
        "who last inspected the room: the library's housekeeping",
    ),
    LegacyColumn(_ROOM, "last_cleaned_at", "when the room was last cleaned: the library's log"),
    LegacyColumn(_ROOM, "last_inspected_at", "when the room was last inspected: the library's log"),
    LegacyColumn(
        _BOOKING,
        "assigned_room_id",
        "the booking's room (the bookings won reconciliation): the library's assignment",
    ),
    _audit("checked_in_at", "when the booking checked in"),
    _audit("checked_out_at", "when the booking checked out"),
    _audit("room_assigned_at", "when a room was assigned"),
    _audit("room_assigned_by_id", "who assigned the room"),
    _audit("room_reassigned_at", "when the room was reassigned"),
    _audit("room_reassigned_by_id", "who reassigned the room"),
    _audit("room_unassigned_at", "when the room was unassigned"),
    _audit("room_unassigned_by_id", "who unassigned the room"),
    _audit("room_moved_at", "when the booking moved rooms"),
    _audit("room_moved_by_id", "who moved the booking"),
    LegacyColumn(
        _GUEST,
        "room_id",
        "the guest's room, drifting from the booking's (guest_room_drift): the booking's "
        "room in the library",
    ),
    LegacyColumn(
        _GUEST,
        "check_out_date",
        "when the guest left, often never set (lingering_guest): guests depart with their "
        "booking in the library",
    ),
)
"""The columns phase 4 drops: exactly those the side-by-side mirror (§12) writes."""

DIALECTS: tuple[str, ...] = ("sqlite", "postgresql")
"""The dialects :func:`drop_plan` writes for."""


def _dropped() -> dict[str, list[str]]:
    """The columns to drop, by table, in :data:`LEGACY_COLUMNS` order (checked against the
    legacy schema)."""
    out: dict[str, list[str]] = {}
    for entry in LEGACY_COLUMNS:
        table = legacy_metadata.tables.get(entry.table)
        if table is None or entry.column not in table.c:
            raise LookupError(f"{entry.table}.{entry.column} is not in the legacy schema")
        columns = out.setdefault(entry.table, [])
        if entry.column in columns:
            raise LookupError(f"{entry.table}.{entry.column} is listed twice")
        columns.append(entry.column)
    return out


def _header(dialect: str) -> list[str]:
    """The comment lines that open a plan."""
    dropped = _dropped()
    lines = [
        f"hotel_occupancy legacy drop-plan for {dialect}: phase 4 of the migration (§12).",
        f"It drops the {len(LEGACY_COLUMNS)} legacy columns the library owns after cut-over:",
        *(
            line
            for table, columns in dropped.items()
            for line in textwrap.wrap(
                f"{table}: {', '.join(columns)}",
                width=86,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        ),
        "Every row and every other column, constraint and foreign key is kept",
        "(guests_guest.id_pin too).",
        "IRREVERSIBLE: the values of these columns are erased for good. TAKE A BACKUP FIRST",
    ]
    if dialect == "sqlite":
        lines += [
            '(sqlite3 legacy.db ".backup legacy-before-drop.db") and keep it.',
            "Run it only when every hotel is cut over (legacy cutover), legacy diff shows no",
            "difference, and the legacy mirror and the legacy application's writers are",
            "stopped (the mirror writes these columns).",
            "Run it with: sqlite3 -bail legacy.db < drop-plan.sql",
            "(-bail stops at the first error; the open transaction then rolls back and",
            "nothing has changed; without it the shell goes on and may commit half a rebuild).",
            "The three tables are rebuilt (https://www.sqlite.org/lang_altertable.html,",
            '"Making Other Kinds Of Table Schema Changes"). The guard stops the plan before',
            "any change if a column to drop is missing (the plan already ran) or an index,",
            "trigger or view names one of the tables (drop it, run the plan, recreate it).",
            "PRAGMA foreign_key_check lists references that do not resolve: legacy data may",
            "already hold such dangling references; the rebuild keeps them as they were.",
            "secure_delete zeroes the old tables' pages, and the closing checkpoint empties a",
            "write-ahead log: no dropped value (no device token) is left in the files.",
        ]
    else:
        lines += [
            "(pg_dump -Fc -f legacy-before-drop.dump legacy) and keep it.",
            "Run it only when every hotel is cut over (legacy cutover), legacy diff shows no",
            "difference, and the legacy mirror and the legacy application's writers are",
            "stopped (the mirror writes these columns).",
            "Run it with: psql -v ON_ERROR_STOP=1 -d legacy -f drop-plan.sql",
            "(the tables are found on the search_path). The columns go in one transaction:",
            "if one is already gone (the plan already ran) or a view depends on one, it fails",
            "and nothing has changed. VACUUM FULL then rewrites the three tables: DROP COLUMN",
            "only hides the values, the rewrite erases them (device tokens among them) from",
            "the data files. It locks each table while it rewrites it.",
        ]
    return [f"-- {line}" for line in lines]


def _sql(element: ClauseElement, dialect: Dialect) -> str:
    """A construct compiled for ``dialect``, tidied for a script (four-space indents, no
    trailing blanks), ending in ``;``."""
    text = str(element.compile(dialect=dialect)).strip().replace("\t", "    ")
    return "\n".join(line.rstrip() for line in text.splitlines()) + ";"


def _reduced(original: Table, dropped: Sequence[str], target: MetaData, name: str) -> Table:
    """``original`` without the ``dropped`` columns, as table ``name`` of ``target`` (which
    holds copies of the tables its foreign keys name): the kept columns with their primary
    key, unique and nullability, and the foreign keys of kept columns."""
    kept = [c for c in original.columns if c.name not in dropped]
    table = Table(name, target, *(c._copy() for c in kept))
    position = {c.name: i for i, c in enumerate(original.columns)}

    constraints: list[ColumnCollectionConstraint] = []
    for constraint in original.constraints:
        if not isinstance(constraint, ColumnCollectionConstraint):  # pragma: no cover
            raise NotImplementedError(f"{original.name}: cannot rebuild {constraint!r}")
        constraints.append(constraint)

    def order(constraint: ColumnCollectionConstraint) -> tuple[int, ...]:
        return tuple(sorted(position[c.name] for c in constraint.columns))

    for constraint in sorted(constraints, key=order):  # a set's order is arbitrary
        columns = [c.name for c in constraint.columns]
        if isinstance(constraint, ForeignKeyConstraint):
            if not set(columns) & set(dropped):
                table.append_constraint(
                    ForeignKeyConstraint(
                        columns,
                        [element.target_fullname for element in constraint.elements],
                        name=constraint.name,
                    )
                )
        elif (
            isinstance(constraint, PrimaryKeyConstraint)
            and all(original.c[c].primary_key for c in columns)
        ) or (
            isinstance(constraint, UniqueConstraint)
            and len(columns) == 1
            and original.c[columns[0]].unique
        ):
            continue  # carried by the columns' own flags (kept or dropped with them)
        else:  # pragma: no cover - the legacy schema has no other constraints
            raise NotImplementedError(f"{original.name}: cannot rebuild constraint {constraint!r}")
    return table


def _sqlite_plan() -> list[str]:
    dialect = SQLiteDialect()
    quote = dialect.identifier_preparer.quote
    dropped = _dropped()
    copies = MetaData()
    for table in legacy_metadata.sorted_tables:
        table.to_metadata(copies)

    rebuilt: list[str] = []
    recreated: list[str] = []
    for name, columns in dropped.items():
        original = copies.tables[name]
        new = _reduced(original, columns, copies, f"new_{name}")
        kept = [c.name for c in new.columns]
        rebuilt += [
            _sql(CreateTable(new), dialect),
            _sql(insert(new).from_select(kept, select(*(original.c[c] for c in kept))), dialect),
            _sql(DropTable(original), dialect),
            f"ALTER TABLE {quote(new.name)} RENAME TO {quote(name)};",
        ]
        for index in sorted(original.indexes, key=lambda i: str(i.name)):
            if not {c.name for c in index.columns} & set(columns):
                rebuilt.append(_sql(CreateIndex(index), dialect))
                recreated.append(str(index.name))

    def literal(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    present = " +\n        ".join(
        f"(SELECT count(*) FROM pragma_table_info({literal(name)})"
        f" WHERE name IN ({', '.join(literal(c) for c in columns)}))"
        for name, columns in dropped.items()
    )
    naming = " OR ".join(f"instr(lower(sql), {literal(name)}) > 0" for name in dropped)
    not_recreated = (
        f" AND name NOT IN ({', '.join(literal(n) for n in recreated)})" if recreated else ""
    )
    guard = [
        "CREATE TEMP TABLE legacy_drop_guard (\n"
        "    columns_present INTEGER NOT NULL\n"
        '        CONSTRAINT "every column to drop is present (has the plan run already?)"\n'
        f"        CHECK (columns_present = {len(LEGACY_COLUMNS)}),\n"
        "    in_the_way INTEGER NOT NULL\n"
        '        CONSTRAINT "no index, trigger or view names a rebuilt table"\n'
        "        CHECK (in_the_way = 0)\n"
        ");",
        "INSERT INTO temp.legacy_drop_guard (columns_present, in_the_way) VALUES (\n"
        f"    {present},\n"
        "    (SELECT count(*) FROM main.sqlite_master\n"
        "        WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL\n"
        f"        AND ({naming}){not_recreated})\n"
        ");",
        "DROP TABLE temp.legacy_drop_guard;",
    ]
    return [
        "PRAGMA foreign_keys = OFF;",
        "PRAGMA secure_delete = ON;",
        "BEGIN IMMEDIATE;",
        *guard,
        *rebuilt,
        "PRAGMA foreign_key_check;",
        "COMMIT;",
        "PRAGMA foreign_keys = ON;",
        "PRAGMA wal_checkpoint(TRUNCATE);",
    ]


def _postgresql_plan() -> list[str]:
    dialect = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    quote = dialect.identifier_preparer.quote
    dropped = _dropped()
    return [
        "BEGIN;",
        *(
            f"ALTER TABLE {quote(name)}\n"
            + ",\n".join(f"    DROP COLUMN {quote(c)}" for c in columns)
            + ";"
            for name, columns in dropped.items()
        ),
        "COMMIT;",
        *(f"VACUUM FULL {quote(name)};" for name in dropped),
    ]


def drop_plan(dialect: str) -> list[str]:
    """The statements, in order, that drop :data:`LEGACY_COLUMNS` from a legacy database
    on ``dialect`` (``"sqlite"`` or ``"postgresql"``), each ending in ``;``; the first
    opens with the plan's header comment (what it does, that it is irreversible, to take a
    backup first). Run them in order, as one script (:func:`render_plan`), once.

    Raises ValueError for any other dialect.
    """
    if dialect == "sqlite":
        statements = _sqlite_plan()
    elif dialect == "postgresql":
        statements = _postgresql_plan()
    else:
        raise ValueError(
            f"a legacy drop plan is written for {' or '.join(DIALECTS)}, not {dialect!r}"
        )
    statements[0] = "\n".join([*_header(dialect), "", statements[0]])
    return statements


def render_plan(dialect: str) -> str:
    """:func:`drop_plan` as a script to print (and to run with ``sqlite3 -bail`` or
    ``psql -v ON_ERROR_STOP=1``)."""
    return "\n\n".join(drop_plan(dialect)) + "\n"

"""The library in a PostgreSQL schema of its own (``in_schema``): the migrations from base to
head and back in the schema, exactly the schema of create_schema, two instances in two
schemas of one database kept apart (rows, triggers, the feed's wake-ups), the text SQL
(bulk inserts, the board) in the schema, and the placements refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    create_engine,
    create_schema,
    in_schema,
    metadata,
    migrate,
)
from hotel_occupancy.adapters.sqlalchemy.schema import feed_channel, schema_of
from tests.integration.hotels import HOTEL, build_hotel
from tests.integration.sessions import WAIT, fresh_database
from tests.integration.test_legacy_store import by_key, taken_over, without_ids
from tests.support import FakeClock

LIBRARY_TABLES = {t.name for t in metadata.sorted_tables}

_FUNCTIONS = text(
    "SELECT n.nspname, p.proname, p.proconfig FROM pg_proc AS p "
    "JOIN pg_namespace AS n ON n.oid = p.pronamespace "
    "WHERE left(p.proname, 3) = 'ho_' ORDER BY 1, 2"
)


@pytest.fixture
def database(postgres_url: str) -> Iterator[Engine]:
    """A fresh, empty database of the test server, on the library's engine."""
    engine = fresh_database(postgres_url, "ho_schemas")
    yield engine
    engine.dispose()


def functions(engine: Engine) -> list[tuple[str, str, Any]]:
    """(schema, name, settings) of every function of the library in the database."""
    with engine.connect() as conn:
        return [(row[0], row[1], row[2]) for row in conn.execute(_FUNCTIONS)]


def describe(engine: Engine, schema: str) -> dict[str, Any]:
    """Every library table of ``schema``: columns, keys, constraints, indexes, triggers."""
    inspector = inspect(engine)
    described: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names(schema=schema)):
        described[table] = (
            [
                (c["name"], str(c["type"]), c["nullable"])
                for c in inspector.get_columns(table, schema)
            ],
            inspector.get_pk_constraint(table, schema)["constrained_columns"],
            sorted(
                (tuple(f["constrained_columns"]), f["referred_schema"], f["referred_table"])
                for f in inspector.get_foreign_keys(table, schema)
            ),
            sorted(
                (c["name"], " ".join(str(c["sqltext"]).split()))
                for c in inspector.get_check_constraints(table, schema)
            ),
            sorted(
                (i["name"], tuple(map(str, i["column_names"])))
                for i in inspector.get_indexes(table, schema)
            ),
        )
    with engine.connect() as conn:
        described["triggers"] = conn.execute(
            text(
                "SELECT c.relname, t.tgname FROM pg_trigger AS t JOIN pg_class AS c "
                "ON c.oid = t.tgrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND NOT t.tgisinternal ORDER BY 1, 2"
            ),
            {"schema": schema},
        ).all()
    return described


def test_the_migrations_go_from_base_to_head_and_back_to_base_in_a_schema_of_their_own(
    database: Engine,
) -> None:
    """upgrade makes the schema, every table, the version table and the pinned functions in
    it and nothing in public; downgrade to base empties it; upgrading again works."""
    hotel = in_schema(database, "hotel")
    migrate.upgrade(hotel)
    inspector = inspect(database)
    assert set(inspector.get_table_names(schema="hotel")) == LIBRARY_TABLES | {
        migrate.VERSION_TABLE
    }
    assert inspector.get_table_names(schema="public") == []
    assert migrate.current(hotel) == migrate.head()
    assert migrate.current(database) is None  # the default schema was never migrated
    made = functions(database)
    assert {schema for schema, _, _ in made} == {"hotel"}
    assert {name for _, name, _ in made} >= {"ho_log_feed_txid", "ho_log_feed_notify"}
    assert all(settings == ["search_path=hotel, pg_temp"] for _, _, settings in made)

    migrate.downgrade(hotel, "0003")  # through the feed's and the front desk's functions
    assert migrate.current(hotel) == "0003"
    migrate.downgrade(hotel, "base")
    assert inspect(database).get_table_names(schema="hotel") == [migrate.VERSION_TABLE]
    assert functions(database) == []
    assert migrate.current(hotel) is None
    migrate.upgrade(hotel)
    assert migrate.current(hotel) == migrate.head()
    assert [name for _, name, _ in functions(database)] == [name for _, name, _ in made]


def test_a_migrated_schema_is_exactly_what_create_schema_makes_and_what_the_metadata_says(
    database: Engine, postgres_url: str
) -> None:
    """Upgraded in one schema, created in another of the same database: the same tables,
    keys, checks, indexes and triggers; autogenerate finds no drift in the migrated one."""
    migrate.upgrade(in_schema(database, "migrated"))
    create_schema(in_schema(database, "created"))
    assert migrate.current(in_schema(database, "created")) == migrate.head()
    migrated, created = describe(database, "migrated"), describe(database, "created")
    assert migrated == {
        name: tuple(
            [(f[0], "migrated" if f[1] == "created" else f[1], f[2]) for f in part]
            if index == 2
            else part
            for index, part in enumerate(value)
        )
        if name != "triggers"
        else value
        for name, value in created.items()
    }
    assert len(migrated["triggers"]) >= 6
    url = postgres_url.rsplit("/", 1)[0] + "/ho_schemas"
    looking = create_engine(url, connect_args={"options": "-c search_path=migrated"})
    try:
        with looking.connect() as conn:
            options = {"version_table": migrate.VERSION_TABLE}
            drift = compare_metadata(MigrationContext.configure(conn, opts=options), metadata)
    finally:
        looking.dispose()
    assert drift == []


def _build(engine: Engine, booking: str) -> SqlAlchemyUnitOfWork:
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    build_hotel(uow, ["R1", "R2"], ["B1", booking])
    services.assign_room(uow, booking_id=booking, room_id="R1", staff_id="fd")
    return uow


def test_two_schemas_of_one_database_hold_two_instances_that_never_see_each_other(
    database: Engine,
) -> None:
    """The same hotel, room and booking ids in both schemas; each instance sees only its
    own bookings, room board and log, its triggers guard its own tables."""
    a, b = in_schema(database, "tenant_a"), in_schema(database, "tenant_b")
    migrate.upgrade(a)
    migrate.upgrade(b)
    first, second = _build(a, "A-only"), _build(b, "B-only")
    try:
        assert {x.booking_id for x in first.snapshot().bookings} == {"B1", "A-only"}
        assert {x.booking_id for x in second.snapshot().bookings} == {"B1", "B-only"}
        board = {row.room_id: row.booking_id for row in services.room_board(first, HOTEL)}
        assert board == {"R1": "A-only", "R2": None}
        board = {row.room_id: row.booking_id for row in services.room_board(second, HOTEL)}
        assert board == {"R1": "B-only", "R2": None}
        # tenant_b's occupancy triggers run on tenant_b's rows; tenant_a's room stays free
        services.assign_room(second, booking_id="B1", room_id="R2", staff_id="fd")
        assert [row.booking_id for row in services.room_board(second, HOTEL)] == ["B-only", "B1"]
        assert [row.booking_id for row in services.room_board(first, HOTEL)] == ["A-only", None]
        assert len(first.snapshot().log) < len(second.snapshot().log)
    finally:
        first.close()
        second.close()
    with database.connect() as conn:
        for schema in ("tenant_a", "tenant_b"):  # the feed's trigger keyed every entry
            unkeyed = f"SELECT count(*) FROM {schema}.ho_log WHERE txid IS NULL"
            assert conn.execute(text(unkeyed)).scalar_one() == 0
        count = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert conn.execute(text(count)).scalar_one() == 0  # nothing in the default schema


def test_the_feed_of_one_schema_is_woken_by_its_own_writes_and_not_by_the_other_s(
    database: Engine,
) -> None:
    """A wait on tenant_a's feed sleeps through tenant_b's commits and wakes at tenant_a's;
    tenant_a's feed hands out none of tenant_b's entries."""
    a, b = in_schema(database, "tenant_a"), in_schema(database, "tenant_b")
    migrate.upgrade(a)
    migrate.upgrade(b)
    watcher, other = _build(a, "A-only"), _build(b, "B-only")
    try:
        page = services.read_feed(watcher, after="0", limit=1000)
        mine = [e.entry_id for e in page.events]
        watcher.feed.wait(0)  # starts listening (returns at once)
        other_writes = threading.Thread(
            target=services.mark_dirty, args=(other,), kwargs={"room_id": "R2", "staff_id": "fd"}
        )
        began = time.monotonic()
        other_writes.start()
        watcher.feed.wait(1.5)
        slept = time.monotonic() - began
        other_writes.join(WAIT)
        assert slept >= 1.4, f"woken after {slept:.2f} s by the other schema's commit"
        assert services.read_feed(watcher, after=page.position, limit=1000).events == ()

        def write_mine() -> None:
            time.sleep(0.2)
            writer = SqlAlchemyUnitOfWork(a, clock=FakeClock())
            try:
                services.mark_dirty(writer, room_id="R2", staff_id="fd")
            finally:
                writer.close()

        own_writes = threading.Thread(target=write_mine)
        began = time.monotonic()
        own_writes.start()
        watcher.feed.wait(10.0)
        woken = time.monotonic() - began
        own_writes.join(WAIT)
        assert woken < 5.0, "not woken by its own schema's commit"
        later = services.read_feed(watcher, after=page.position, limit=1000).events
        assert [e.room_id for e in later] == ["R2"]
        assert mine
        assert later[0].entry_id not in mine
    finally:
        watcher.close()
        other.close()
    assert feed_channel("tenant_a") == "hotel_occupancy_feed.tenant_a"


def test_two_schemas_take_their_advisory_locks_in_spaces_of_their_own(
    database: Engine, postgres_url: str
) -> None:
    """A request id, a hotel's night audit and a consumer locked in tenant_a keep another
    tenant_a call waiting (until its lock timeout) but not a tenant_b call with the same
    ids; the booking placement locks of the triggers are keyed by schema too."""
    a, b = in_schema(database, "tenant_a"), in_schema(database, "tenant_b")
    migrate.upgrade(a)
    migrate.upgrade(b)
    url = postgres_url.rsplit("/", 1)[0] + "/ho_schemas"
    quick = {
        name: create_engine(url, lock_timeout=0.5, schema=name) for name in ("tenant_a", "tenant_b")
    }

    def take_locks(uow: SqlAlchemyUnitOfWork) -> None:
        uow.requests.get("req-1")
        uow.audits.claim(HOTEL)
        uow.feed.consumer("dashboard")

    holder = SqlAlchemyUnitOfWork(a)
    try:
        with holder:  # a write transaction holding the three locks until it ends
            take_locks(holder)
            other = SqlAlchemyUnitOfWork(quick["tenant_b"])
            began = time.monotonic()
            with other:
                take_locks(other)
            assert time.monotonic() - began < 0.4
            same = SqlAlchemyUnitOfWork(quick["tenant_a"])
            for take in (
                lambda u: u.requests.get("req-1"),
                lambda u: u.audits.claim(HOTEL),
                lambda u: u.feed.consumer("dashboard"),
            ):
                with pytest.raises(ho.ConcurrencyConflict), same:
                    take(same)
    finally:
        holder.close()
        for engine in quick.values():
            engine.dispose()
    with database.connect() as conn:
        source = conn.execute(
            text(
                "SELECT p.prosrc FROM pg_proc AS p JOIN pg_namespace AS n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'tenant_b' "
                "AND p.proname = 'ho_occupancies_one_room_per_booking'"
            )
        ).scalar_one()
    assert "hashtext('tenant_b.' || NEW.booking_id)" in source
    assert "hashtext('tenant_b.' || NEW.arriving_booking_id)" in source


def test_the_legacy_import_s_bulk_inserts_go_to_the_engine_s_schema(database: Engine) -> None:
    """The import's rows, sent as text SQL, land in the schema and read back as written."""
    hotel = in_schema(database, "imported")
    migrate.upgrade(hotel)
    uow = SqlAlchemyUnitOfWork(hotel, clock=FakeClock())
    rows = taken_over()
    with uow:
        uow.legacy.write(rows)
        uow.commit()
    assert without_ids(uow.snapshot()) == by_key(rows)
    with database.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM imported.ho_log")).scalar_one()
    assert count == len(rows.entries)


def test_a_host_s_own_engine_placed_in_a_schema_is_migrated_and_left_as_it_was(
    database: Engine, postgres_url: str
) -> None:
    """in_schema on an engine the library did not make: the migrations and a unit of work
    work in the schema, and the engine's connections keep their own search_path."""
    url = postgres_url.rsplit("/", 1)[0] + "/ho_schemas"
    host_engine = sqlalchemy.create_engine(url, pool_size=1, max_overflow=0)
    try:
        placed = in_schema(host_engine, "hotel")
        migrate.upgrade(placed)
        uow = _build(placed, "B2")
        uow.close()
        assert migrate.current(placed) == migrate.head()
        with host_engine.connect() as conn:  # the one pooled connection the migration used
            assert conn.exec_driver_sql("SHOW search_path").scalar_one() == '"$user", public'
            rooms = conn.execute(text("SELECT count(*) FROM hotel.ho_rooms")).scalar_one()
        assert rooms == 2
    finally:
        host_engine.dispose()


def test_create_engine_with_a_schema_is_in_schema_and_keeps_the_engine_s_other_options(
    postgres_url: str,
) -> None:
    """create_engine(url, schema=...) places the tables as in_schema does; in_schema leaves
    the engine it is given as it was and keeps its other schema translations."""
    engine = create_engine(postgres_url, schema="hotel")
    try:
        assert schema_of(engine) == "hotel"
        with engine.connect() as conn:
            assert schema_of(conn) == "hotel"
    finally:
        engine.dispose()
    plain = create_engine(postgres_url).execution_options(
        schema_translate_map={"reports": "reports_2026"}
    )
    placed = in_schema(plain, "Hotel_1")
    assert placed.get_execution_options()["schema_translate_map"] == {
        "reports": "reports_2026",
        None: "Hotel_1",
    }
    assert schema_of(plain) is None
    plain.dispose()


@pytest.mark.parametrize("name", ["", "1st", "ho-tel", 'a"b', "x" * 64, "tenant.a"])
def test_a_schema_name_that_would_need_escaping_is_refused(postgres_url: str, name: str) -> None:
    """Only names of letters, digits and underscores, not starting with a digit, at most 63."""
    engine = create_engine(postgres_url)
    try:
        with pytest.raises(ValueError, match="schema must be a name"):
            in_schema(engine, name)
    finally:
        engine.dispose()


def test_sqlite_has_no_schemas_so_a_schema_is_refused_there(tmp_path: Path) -> None:
    """in_schema and create_engine(schema=) refuse SQLite: the ho_ prefix is its placement."""
    engine = create_engine(f"sqlite:///{tmp_path / 'hotel.db'}")
    with pytest.raises(ValueError, match="sqlite has no schemas"):
        in_schema(engine, "hotel")
    with pytest.raises(ValueError, match="sqlite has no schemas"):
        create_engine(f"sqlite:///{tmp_path / 'other.db'}", schema="hotel")
    engine.dispose()

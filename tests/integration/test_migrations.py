"""Alembic migrations shipped in the package produce exactly the schema of create_schema."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    StorageError,
    create_engine,
    create_schema,
    metadata,
    migrate,
)
from tests.integration.revisions import built_at
from tests.integration.sessions import fresh_database


def _where(options: dict[str, Any]) -> str:
    for key in ("sqlite_where", "postgresql_where"):
        if options.get(key) is not None:
            return " ".join(str(options[key]).split())
    return ""


def describe_schema(engine: Engine) -> dict[str, Any]:
    """Every table of the library with its columns, keys, constraints and indexes."""
    inspector = inspect(engine)
    described: dict[str, Any] = {}
    for table in sorted(t for t in inspector.get_table_names() if t.startswith("ho_")):
        if table == migrate.VERSION_TABLE:
            continue
        described[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "uniques": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "checks": sorted(
                (c["name"], " ".join(str(c["sqltext"]).split()))
                for c in inspector.get_check_constraints(table)
            ),
            "indexes": sorted(
                (
                    i["name"],
                    tuple(str(c) for c in i["column_names"]),
                    bool(i["unique"]),
                    _where(i.get("dialect_options", {})),
                )
                for i in inspector.get_indexes(table)
            ),
        }
    return described


def _assert_upgrade_matches_create_schema(migrated: Engine, created: Engine) -> None:
    migrate.upgrade(migrated)
    create_schema(created)
    assert describe_schema(migrated) == describe_schema(created)
    with migrated.connect() as conn:
        drift = compare_metadata(
            MigrationContext.configure(conn, opts={"version_table": migrate.VERSION_TABLE}),
            metadata,
        )
    assert drift == []
    assert migrate.current(migrated) == migrate.head()


def _assert_downgrade_removes_everything(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    tables = [t for t in inspect(engine).get_table_names() if t != migrate.VERSION_TABLE]
    assert tables == []
    assert migrate.current(engine) is None
    migrate.upgrade(engine)  # and back up again, cleanly
    assert migrate.current(engine) == migrate.head()


def test_upgrading_an_empty_sqlite_database_gives_exactly_the_schema_of_create_schema(
    tmp_path: Path,
) -> None:
    """On SQLite, head equals create_schema: same tables, columns, keys, checks, indexes."""
    _assert_upgrade_matches_create_schema(
        create_engine(f"sqlite:///{tmp_path / 'migrated.db'}"),
        create_engine(f"sqlite:///{tmp_path / 'created.db'}"),
    )


def test_downgrading_a_sqlite_database_to_base_removes_every_table(tmp_path: Path) -> None:
    """Downgrade to base drops the library's tables; upgrading again works."""
    _assert_downgrade_removes_everything(create_engine(f"sqlite:///{tmp_path / 'db.db'}"))


@pytest.fixture
def two_postgres_databases(postgres_url: str) -> tuple[Engine, Engine]:
    """Two fresh, empty databases on the test PostgreSQL server."""
    return (
        fresh_database(postgres_url, "ho_migrated"),
        fresh_database(postgres_url, "ho_created"),
    )


def test_upgrading_an_empty_postgresql_database_gives_exactly_the_schema_of_create_schema(
    two_postgres_databases: tuple[Engine, Engine],
) -> None:
    """On PostgreSQL, head equals create_schema: same tables, columns, keys, checks, indexes."""
    migrated, created = two_postgres_databases
    _assert_upgrade_matches_create_schema(migrated, created)
    migrated.dispose()
    created.dispose()


def test_downgrading_a_postgresql_database_to_base_removes_every_table(
    two_postgres_databases: tuple[Engine, Engine],
) -> None:
    """Downgrade to base drops the library's tables on PostgreSQL; upgrading again works."""
    engine, other = two_postgres_databases
    _assert_downgrade_removes_everything(engine)
    engine.dispose()
    other.dispose()


def test_a_database_made_with_create_schema_is_at_head_and_can_be_upgraded(tmp_path: Path) -> None:
    """create_schema stamps the newest revision, so a later upgrade succeeds and adds nothing."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.db'}")
    create_schema(engine)
    assert migrate.current(engine) == migrate.head()
    before = describe_schema(engine)
    migrate.upgrade(engine)
    assert describe_schema(engine) == before


def test_migrating_an_unreachable_server_raises_a_storage_error() -> None:
    """Database failures during migration reach the caller as StorageError, never raw."""
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StorageError):
        migrate.upgrade(engine)


def test_create_schema_on_a_database_already_made_leaves_it_and_its_data_as_they_are(
    engine: Engine,
) -> None:
    """create_schema again (an application's next start) changes neither schema nor data."""
    uow = _with_a_hotel(engine)
    before = describe_schema(engine)
    create_schema(engine)
    create_schema(engine)
    assert describe_schema(engine) == before
    assert migrate.current(engine) == migrate.head()
    assert [hotel.name for hotel in uow.snapshot().hotels] == ["Kept"]


def _with_a_hotel(on: Engine | SqlAlchemyUnitOfWork) -> SqlAlchemyUnitOfWork:
    uow = on if isinstance(on, SqlAlchemyUnitOfWork) else SqlAlchemyUnitOfWork(on)
    services.register_hotel(uow, hotel_id="H", name="Kept")
    return uow


def test_create_schema_refuses_a_database_at_an_older_revision_and_changes_nothing(
    empty: Engine,
) -> None:
    """A database of an older version is refused, pointing at upgrade, and left as it was."""
    built_at(empty, "0007", _with_a_hotel)  # a hotel, as that version stored it
    before = describe_schema(empty)
    with pytest.raises(StorageError, match=r"revision 0007, older.*migrate\.upgrade"):
        create_schema(empty)
    assert describe_schema(empty) == before
    assert migrate.current(empty) == "0007"
    migrate.upgrade(empty)  # the way the error points at works
    assert migrate.current(empty) == migrate.head()
    uow = SqlAlchemyUnitOfWork(empty)
    assert [hotel.name for hotel in uow.snapshot().hotels] == ["Kept"]


def test_create_schema_refuses_a_database_of_a_newer_version_and_changes_nothing(
    empty: Engine,
) -> None:
    """A revision this version does not know is a newer library's: upgrade the library."""
    create_schema(empty)
    uow = _with_a_hotel(empty)
    with empty.begin() as conn:
        conn.execute(text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'"))
    before = describe_schema(empty)
    with pytest.raises(StorageError, match=r"9999.*newer version.*upgrade the library"):
        create_schema(empty)
    assert describe_schema(empty) == before
    assert migrate.current(empty) == "9999"
    assert [hotel.name for hotel in uow.snapshot().hotels] == ["Kept"]


def test_create_schema_refuses_the_library_s_tables_without_a_revision_and_changes_nothing(
    empty: Engine,
) -> None:
    """Tables made without a recorded revision are refused, pointing at stamp, not half
    made again; stamping them as the error says makes create_schema content."""
    create_schema(empty)
    uow = _with_a_hotel(empty)
    with empty.begin() as conn:
        conn.execute(text(f"DELETE FROM {migrate.VERSION_TABLE}"))
    before = describe_schema(empty)
    with pytest.raises(StorageError, match=r"no schema revision.*migrate\.stamp"):
        create_schema(empty)
    assert describe_schema(empty) == before
    assert migrate.current(empty) is None
    migrate.stamp(empty, migrate.head())
    create_schema(empty)
    assert [hotel.name for hotel in uow.snapshot().hotels] == ["Kept"]


def test_several_callers_starting_at_once_create_the_schema_once(empty: Engine) -> None:
    """create_schema called by four threads at once on an empty database: one creates, the
    others find it made; none fails, and the database is at the newest revision."""
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            create_schema(empty)
        except BaseException as error:  # every failure is the test's finding
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert migrate.current(empty) == migrate.head()
    uow = _with_a_hotel(empty)
    assert [hotel.name for hotel in uow.snapshot().hotels] == ["Kept"]

"""An engine the host application made is never changed by the library: the library's
settings apply to its own transactions only, and the host's plain reads stay plain."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import Engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from hotel_occupancy.adapters.sqlalchemy.engine import is_configured
from hotel_occupancy.domain.invariants import check_invariants
from tests.integration.hotels import build_hotel, occupied_and_arriving


def _clock() -> datetime:
    return datetime(2026, 3, 10, 15, tzinfo=UTC)


def _uow(engine: Engine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine, clock=_clock)


def _write_lock_is_free(path: Path) -> bool:
    """Whether another connection can take the database's write lock right now."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def _connection_settings(engine: Engine) -> tuple[object, list[object]]:
    """The isolation level and the library-relevant pragmas of the engine's connection."""
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        pragmas = ("foreign_keys", "busy_timeout", "secure_delete")
        return driver.isolation_level, [
            driver.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas
        ]


@pytest.fixture
def host_engine(tmp_path: Path) -> Engine:
    """A SQLite engine made by the host with plain SQLAlchemy, holding the library's schema."""
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    migrate.upgrade(engine)
    return engine


def test_the_library_adds_no_listener_to_an_engine_it_did_not_create(host_engine: Engine) -> None:
    """Migrating and running operations on the host's engine leaves it unconfigured."""
    occupied_and_arriving(_uow(host_engine))
    services.checkout_room(_uow(host_engine), room_id="R1", staff_id="fd")
    assert not is_configured(host_engine)
    assert not host_engine.dispatch.begin
    pristine = sqlalchemy.create_engine(host_engine.url)
    with pristine.connect():
        pass
    for name in ("connect", "checkout", "first_connect"):
        ours = list(getattr(host_engine.pool.dispatch, name))
        assert len(ours) == len(list(getattr(pristine.pool.dispatch, name))), name
    pristine.dispose()


def test_the_host_s_plain_reads_on_a_shared_engine_take_no_write_lock(
    host_engine: Engine, tmp_path: Path
) -> None:
    """After library writes on the shared engine, a host read transaction leaves the lock free."""
    occupied_and_arriving(_uow(host_engine))
    with host_engine.connect() as conn, conn.begin():
        rooms = conn.execute(text("SELECT count(*) FROM ho_rooms")).scalar_one()
        assert rooms == 2
        assert _write_lock_is_free(tmp_path / "host.db")


def test_on_the_library_s_own_engine_every_transaction_takes_the_write_lock(
    tmp_path: Path,
) -> None:
    """The control: the engine create_engine makes begins with BEGIN IMMEDIATE."""
    engine = create_engine(f"sqlite:///{tmp_path / 'own.db'}")
    migrate.upgrade(engine)
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SELECT count(*) FROM ho_rooms")).scalar_one()
        assert not _write_lock_is_free(tmp_path / "own.db")
    engine.dispose()


def test_the_host_s_connection_settings_come_back_after_a_library_transaction(
    host_engine: Engine,
) -> None:
    """Foreign keys, busy timeout, secure delete and isolation level are restored."""
    host_engine.dispose()
    engine = sqlalchemy.create_engine(host_engine.url, poolclass=sqlalchemy.pool.StaticPool)
    before = _connection_settings(engine)
    occupied_and_arriving(_uow(engine))
    assert _connection_settings(engine) == before
    assert before[1][0] == 0  # pysqlite's default: the host had foreign keys off


def test_the_library_s_transactions_on_a_foreign_engine_enforce_foreign_keys(
    host_engine: Engine,
) -> None:
    """Inside the library's own transaction, a row referring to nothing is refused."""
    uow = _uow(host_engine)
    with uow:
        enforced = uow.connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
    assert enforced == 1


def test_concurrent_writers_on_a_foreign_engine_queue_up_and_lose_nothing(
    host_engine: Engine,
) -> None:
    """Eight threads checking guests in on the host's engine all succeed; invariants hold."""
    rooms = [f"R{n}" for n in range(8)]
    build_hotel(_uow(host_engine), rooms, [f"B{n}" for n in range(8)])
    errors: list[BaseException] = []

    def check_in(n: int) -> None:
        try:
            services.retrying(
                services.assign_room,
                _uow(host_engine),
                booking_id=f"B{n}",
                room_id=f"R{n}",
                staff_id="fd",
            )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=check_in, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    snapshot = _uow(host_engine).snapshot()
    assert check_invariants(snapshot) == []
    occupied = {o.room_id for o in snapshot.occupancies if o.status is ho.OccupancyStatus.OCCUPIED}
    assert occupied == set(rooms)

"""A unit of work inside a transaction the host application owns.

A web request often has a database transaction of its own (a SQLAlchemy ``Session`` per
request, or a ``Connection`` in ``engine.begin()``). :class:`HostTransactionUnitOfWork`
runs the library's service calls inside it::

    with Session(engine) as session, session.begin():
        session.add(invoice)                      # the host's own writes
        uow = HostTransactionUnitOfWork(session, notifier=bus)
        check_in(uow, room_id="r101", ...)        # one SAVEPOINT, released
        # the host commits here: the check-in and the invoice commit together, and
        # the check-in's events reach ``bus`` only after that commit

What it promises:

- **the host's transaction is never committed or rolled back by the library.** Each
  ``with uow:`` block (each service call) is a SAVEPOINT: a call that is refused, or fails
  on a database error, rolls back to it, so the host's transaction stays usable and
  keeps everything else it did;
- **events wait for the host's commit.** A call's events are held when its savepoint is
  released. With a ``Session`` they are published to the notifier right after the
  session's transaction has committed (``after_commit``), and dropped if it rolls back,
  or if a savepoint of the host's that enclosed the call rolls back. With a bare
  ``Connection`` SQLAlchemy offers no hook after a commit has succeeded (its ``commit``
  event fires before the database has answered), so the host says so: call
  :meth:`HostTransactionUnitOfWork.host_committed` after its commit returned. A root
  rollback drops them; events of a commit that was never confirmed are dropped (with a
  warning) when the connection's next transaction begins. The feed (``read_feed``) needs
  none of this: its entries are rows of the host's transaction;
- **nothing is kept between calls**: every block reads afresh (another savepoint of the
  host's may have changed or undone anything);
- **the library's own settings apply to its savepoints only.** On PostgreSQL the lock
  timeout (:data:`~.engine.LOCK_TIMEOUT` unless given) is set for the block and put back
  after it. On SQLite the busy timeout and ``secure_delete`` are set for the block and put
  back; if no transaction is open on the connection yet, the library begins one (``BEGIN
  IMMEDIATE`` for a writing call), which the host's commit ends. SQLite cannot switch
  foreign keys on inside a transaction: turn them on in the host engine's connect hook
  (``PRAGMA foreign_keys = ON``); without them a warning is logged once per unit of work.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from attrs import define
from sqlalchemy import Engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, NestedTransaction, Transaction
from sqlalchemy.orm import Session, SessionTransaction

from hotel_occupancy.adapters.sqlalchemy.driver import on_driver
from hotel_occupancy.adapters.sqlalchemy.engine import (
    _SQLITE_CONNECTION_SETTINGS,
    LOCK_TIMEOUT,
    _PostgresSettings,
    in_schema,
)
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.services.ports import Clock, Notifier, PinSource, Policy

__all__ = ["HostTransactionUnitOfWork"]

logger = logging.getLogger("hotel_occupancy.sqlalchemy")

_HostLevel = SessionTransaction | Transaction
"""The host's transaction (or savepoint) a call ran in: the events wait on it."""

_SQLITE_BLOCK_SETTINGS = {
    name: value for name, value in _SQLITE_CONNECTION_SETTINGS.items() if name != "foreign_keys"
}
"""What can be set on SQLite inside a transaction (foreign keys cannot)."""


@define
class _Held:
    """The events of one released call, and the host's transaction level it ran in."""

    level: _HostLevel
    events: Iterable[OccupancyEvent]


class _Watchers:
    """The units of work following one host ``Connection``'s transaction ends: one set of
    listeners per connection object, calling each unit of work still alive (held weakly),
    so that a long-lived connection serving a new unit of work per request gathers
    neither listeners nor dead units of work."""

    def __init__(self, conn: Connection) -> None:
        self.units: weakref.WeakSet[HostTransactionUnitOfWork] = weakref.WeakSet()
        event.listen(conn, "rollback", self._rolled_back)
        event.listen(conn, "rollback_savepoint", self._savepoint_rolled_back)
        event.listen(conn, "commit", self._committing)
        event.listen(conn, "begin", self._begins)

    def _rolled_back(self, conn: Connection) -> None:
        for uow in list(self.units):
            uow._connection_rolled_back(conn)

    def _savepoint_rolled_back(self, conn: Connection, name: str, context: Any) -> None:
        for uow in list(self.units):
            uow._savepoint_rolled_back(conn, name, context)

    def _committing(self, conn: Connection) -> None:
        for uow in list(self.units):
            uow._connection_committing(conn)

    def _begins(self, conn: Connection) -> None:
        for uow in list(self.units):
            uow._connection_begins(conn)


_WATCHERS: weakref.WeakKeyDictionary[Connection, _Watchers] = weakref.WeakKeyDictionary()
"""The watchers of each host connection object (gone with it)."""


def _enclosing(level: _HostLevel) -> Iterable[_HostLevel]:
    """The level and the host's levels around it, innermost first."""
    current: Any = level
    while current is not None:
        yield current
        if isinstance(current, SessionTransaction):
            current = current.parent
        elif isinstance(current, NestedTransaction):
            current = current._previous_nested or current.connection.get_transaction()
        else:
            current = None


class HostTransactionUnitOfWork(SqlAlchemyUnitOfWork):
    """A unit of work whose calls run in a ``Session`` or ``Connection`` the host owns,
    each in a savepoint, never committing the host's transaction (see the module).

    ``host``: a :class:`sqlalchemy.orm.Session` (with a single bind) or a
    :class:`sqlalchemy.engine.Connection`. ``lock_timeout``: how long (seconds) a
    PostgreSQL statement of the library waits for a row lock (None: the host's setting
    stays). ``schema``: on PostgreSQL, the schema the library's tables live in (see
    :func:`.engine.in_schema`); it applies to the library's statements only, for the
    length of each call, so the host's own tables keep their placement. The other
    arguments as for :class:`.SqlAlchemyUnitOfWork`. Like any unit of work it serves one
    thread; make one per request (it is cheap).
    """

    def __init__(
        self,
        host: Session | Connection,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        policy: Policy | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
        lock_timeout: float | None = LOCK_TIMEOUT,
        schema: str | None = None,
    ) -> None:
        if isinstance(host, Session):
            bind = host.get_bind()
            engine = bind.engine if isinstance(bind, Connection) else bind
        elif isinstance(host, Connection):
            engine = host.engine
        else:
            raise TypeError(
                f"a host transaction is a sqlalchemy Session or Connection, not {host!r}"
            )
        assert isinstance(engine, Engine)
        if schema is not None:
            engine = in_schema(engine, schema)  # checks the name; the feed listens there
        self._translate = engine.get_execution_options().get("schema_translate_map")
        super().__init__(
            engine, clock=clock, notifier=notifier, policy=policy, pins=pins, pin_rules=pin_rules
        )
        self._host = host
        self._lock_timeout = lock_timeout
        self._held: list[_Held] = []
        self._unconfirmed: list[_Held] = []  # a bare Connection's commit, not yet confirmed
        self._restore: dict[str, Any] = {}
        self._host_translate: Any = None  # the host connection's own schema_translate_map
        self._nested: NestedTransaction | None = None
        self._level: _HostLevel | None = None
        # while the host's commit finishes its Session can run no SQL: a call made then (by
        # the notifier) runs in a transaction of its own, as SqlAlchemyUnitOfWork's do
        self._after_host_commit = False
        self._own_block = False
        self._warned_foreign_keys = False
        self._warned_savepoints = False
        self._watched: weakref.WeakSet[Connection] = weakref.WeakSet()
        if isinstance(host, Session):
            event.listen(host, "after_commit", self._session_committed)
            event.listen(host, "after_soft_rollback", self._session_rolled_back)

    def close(self) -> None:
        """Stop following the host's Session (for a session that outlives this unit of
        work, such as a thread's scoped session), and close what SqlAlchemyUnitOfWork
        closes. Events still waiting for a commit are dropped."""
        host = self._host
        if isinstance(host, Session):
            for name, listener in (
                ("after_commit", self._session_committed),
                ("after_soft_rollback", self._session_rolled_back),
            ):
                if event.contains(host, name, listener):
                    event.remove(host, name, listener)
        for conn in list(self._watched):
            watchers = _WATCHERS.get(conn)
            if watchers is not None:
                watchers.units.discard(self)
        self._watched = weakref.WeakSet()
        self._held = []
        self._unconfirmed = []
        super().close()

    # --- the host's side -------------------------------------------------------------------

    def _session_committed(self, session: Session) -> None:
        if session.in_nested_transaction():
            # SQLAlchemy says after_commit for a savepoint the host released too: the
            # host's transaction is still open (and may roll back), so the events wait
            return
        held, self._held = self._held, []
        self._after_host_commit = True
        try:
            self._publish(held)
        finally:
            self._after_host_commit = False

    def _session_rolled_back(self, session: Session, previous: SessionTransaction) -> None:
        self._drop_within(previous)

    def _connection_committing(self, conn: Connection) -> None:
        if isinstance(self._host, Session):  # its after_commit publishes them
            return
        self._unconfirmed.extend(self._held)
        self._held = []

    def _connection_rolled_back(self, conn: Connection) -> None:
        self._held = []
        self._unconfirmed = []

    def _savepoint_rolled_back(self, conn: Connection, name: str, context: Any) -> None:
        if self._nested is not None:  # this unit of work's own savepoint
            return
        rolled_back = [
            h.level
            for h in self._held
            for level in _enclosing(h.level)
            if isinstance(level, NestedTransaction) and level._savepoint == name
        ]
        for level in rolled_back:
            self._drop_within(level)

    def _connection_begins(self, conn: Connection) -> None:
        if isinstance(self._host, Session):
            return
        unconfirmed, self._unconfirmed = self._unconfirmed, []
        if unconfirmed:
            logger.warning(
                "%d call(s) of a host transaction that committed were not published: call "
                "host_committed() after committing a bare Connection",
                len(unconfirmed),
            )

    def host_committed(self) -> None:
        """Publish the events of the calls the host's commit made durable (a bare
        ``Connection`` only: with a ``Session`` this happens by itself). Call it after
        ``connection.commit()`` returned; calling it again publishes nothing twice."""
        if isinstance(self._host, Session):
            raise RuntimeError("a Session's commit publishes the events by itself")
        unconfirmed, self._unconfirmed = self._unconfirmed, []
        self._publish(unconfirmed)

    def _drop_within(self, level: _HostLevel) -> None:
        """Drop the events of the calls made inside a level the host rolled back."""
        self._held = [h for h in self._held if level not in tuple(_enclosing(h.level))]

    def _publish(self, held: list[_Held]) -> None:
        self._committed = [h.events for h in held]
        self._publish_committed()

    def _watch(self, conn: Connection) -> None:
        """Follow the connection's transaction ends (see :class:`_Watchers`)."""
        watchers = _WATCHERS.get(conn)
        if watchers is None:
            watchers = _WATCHERS[conn] = _Watchers(conn)
        watchers.units.add(self)
        self._watched.add(conn)

    def _host_connection(self) -> tuple[Connection, _HostLevel]:
        """The host's connection, in a transaction, and the level a call runs in now."""
        host = self._host
        if isinstance(host, Session):
            conn = host.connection()  # begins the session's transaction if need be
            level: _HostLevel | None = host.get_nested_transaction() or host.get_transaction()
        else:
            conn = host
            if not conn.in_transaction():
                conn.begin()  # the host's transaction, which the host commits
            level = conn.get_nested_transaction() or conn.get_transaction()
        assert level is not None
        return conn, level

    # --- the unit of work ------------------------------------------------------------------

    def __enter__(self) -> HostTransactionUnitOfWork:
        if self._conn is not None:
            raise RuntimeError("this unit of work is already in a transaction")
        self._own_block = self._after_host_commit
        if self._own_block:
            super().__enter__()
            return self
        read_only = self._begin_events()
        self._end_transaction()
        try:
            conn, level = self._host_connection()
        except sa_exc.DBAPIError as error:
            raise translate(error) from error
        try:
            self._watch(conn)
            self._warn_of_pysqlite_savepoints(conn, level)
            self._apply_settings(conn, writing=not read_only)
            self._nested = conn.begin_nested()
        except BaseException as error:  # the host's connection keeps its own settings
            self._put_back_settings(conn)
            if isinstance(error, sa_exc.DBAPIError):
                raise translate(error) from error
            raise
        self._level = level
        self._conn = conn
        self._writing = not read_only
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._own_block:
            try:  # still our own block while it ends (rollback() must take its path)
                super().__exit__(exc_type, exc, tb)
            finally:
                self._own_block = False
            return
        conn = self._conn
        try:
            self.rollback()
        finally:
            self._nested = None
            self._conn = None
            self._writing = False
            if conn is not None:
                self._put_back_settings(conn)
        if isinstance(exc, sa_exc.DBAPIError):
            raise translate(exc) from exc

    def commit(self) -> None:
        """Release the call's savepoint: its changes join the host's transaction, and its
        events wait for the host's commit (see the module)."""
        if self._own_block:
            super().commit()
            return
        nested = self._nested
        if nested is None:
            raise RuntimeError("commit() outside `with uow:`")
        try:
            nested.commit()
        except sa_exc.DBAPIError as error:
            self._drop_events()
            raise translate(error) from error
        self._nested = None
        assert self._level is not None
        self._held.extend(_Held(self._level, events) for events in self._pending)
        self._pending = []
        self._end_transaction()  # released, though the host may still roll it back

    def rollback(self) -> None:
        """Roll the call back to its savepoint (the host's transaction stays usable)."""
        if self._own_block:
            super().rollback()
            return
        nested = self._nested
        self._drop_events()
        self._end_transaction()
        try:
            if nested is not None and nested.is_active:
                nested.rollback()  # (its rollback_savepoint event is ours: ignored)
        finally:
            self._nested = None

    # --- the library's settings, for its own blocks ----------------------------------------

    def _warn_of_pysqlite_savepoints(self, conn: Connection, level: _HostLevel) -> None:
        """Once per unit of work: a call inside a savepoint of the host's, on a SQLite
        connection whose transactions pysqlite begins by itself (before the first write
        only), may not be inside any transaction: SQLite then begins one with the
        SAVEPOINT, and the host's release of it commits, whatever the host does next."""
        if self._warned_savepoints or conn.dialect.name != "sqlite":
            return
        nested = isinstance(level, NestedTransaction) or (
            isinstance(level, SessionTransaction) and level.nested
        )
        driver = conn.connection.driver_connection
        if nested and driver is not None and driver.isolation_level is not None:
            self._warned_savepoints = True
            logger.warning(
                "a call inside a savepoint of the host's, on a SQLite engine whose "
                "transactions pysqlite begins itself: a SAVEPOINT opened before the "
                "transaction's first write begins a transaction of its own, which releasing "
                "it commits; make the engine with hotel_occupancy's create_engine, or apply "
                "SQLAlchemy's pysqlite recipe (isolation_level=None and a 'begin' hook "
                "emitting BEGIN)"
            )

    def _apply_settings(self, conn: Connection, *, writing: bool) -> None:
        if self._translate is not None:  # the library's placement, for its statements only
            self._host_translate = conn.get_execution_options().get("schema_translate_map")
            conn.execution_options(
                schema_translate_map={**(self._host_translate or {}), **self._translate}
            )
        dialect = conn.dialect.name
        if dialect == "sqlite":  # on the driver; its errors come back as SQLAlchemy's
            driver = conn.connection.driver_connection
            assert driver is not None
            if (
                not self._warned_foreign_keys
                and not on_driver(conn, "PRAGMA foreign_keys").fetchone()[0]
            ):
                self._warned_foreign_keys = True
                logger.warning(
                    "the host's SQLite connection has foreign keys off: the library's "
                    "references are checked by its services only (turn them on in the "
                    "engine's connect hook)"
                )
            self._restore = {
                name: on_driver(conn, f"PRAGMA {name}").fetchone()[0]
                for name in _SQLITE_BLOCK_SETTINGS
            }
            for name, value in _SQLITE_BLOCK_SETTINGS.items():
                on_driver(conn, f"PRAGMA {name} = {value}")
            if not driver.in_transaction:  # a SAVEPOINT alone would commit on release
                on_driver(conn, "BEGIN IMMEDIATE" if writing else "BEGIN")
        elif dialect == "postgresql" and self._lock_timeout is not None:
            timeout = _PostgresSettings(self._lock_timeout).server_value()
            row = conn.execute(
                text(
                    "SELECT current_setting('lock_timeout'), "
                    "set_config('lock_timeout', :timeout, true)"
                ),
                {"timeout": timeout},
            ).one()
            self._restore = {"lock_timeout": row[0]}

    def _put_back_settings(self, conn: Connection) -> None:
        if self._translate is not None and not conn.closed:
            host_translate, self._host_translate = self._host_translate, None
            conn.execution_options(schema_translate_map=host_translate)
        restore, self._restore = self._restore, {}
        if not restore or conn.invalidated or conn.closed:
            return
        try:
            if conn.dialect.name == "sqlite":
                for name, value in restore.items():
                    on_driver(conn, f"PRAGMA {name} = {int(value)}")
            elif conn.in_transaction():
                conn.execute(
                    text("SELECT set_config('lock_timeout', :timeout, true)"),
                    {"timeout": restore["lock_timeout"]},
                )
        except sa_exc.DBAPIError:  # the host's transaction failed: it ends it
            logger.warning("could not put the host connection's settings back", exc_info=True)

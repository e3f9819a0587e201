"""The hot statements, compiled once and sent to the database driver's cursor.

An operation sends six to twelve statements. Through ``Connection.execute`` each one costs
SQLAlchemy's execution context (cache-key lookup, parameter construction, bind and result
processing per call, result-proxy set-up, event dispatch): 30-60 µs on this project's
machine, against 4-18 µs for the same statement sent to ``sqlite3`` or ``psycopg`` itself.
A :class:`Prepared` statement is a SQLAlchemy Core statement compiled once per database,
schema placement and column set (:meth:`Prepared.form`), with the bind and result
processors of its columns' types found once (the same processors SQLAlchemy applies, found
through the public ``TypeEngine.dialect_impl(...).bind_processor`` and
``result_processor``), so a call only converts its values and runs the driver's cursor:

- the SQL text and the values sent are exactly what ``Connection.execute`` sends for the
  statement (``tests/integration/test_driver.py`` holds them to it on SQLite and
  PostgreSQL), inside the same connection and transaction;
- a connection anyone observes (a ``before_cursor_execute``, ``after_cursor_execute`` or
  ``handle_error`` listener, or ``echo``) gets its statements through
  ``Connection.exec_driver_sql`` instead, so listeners, tracing and logging see every
  statement with its parameters, as before;
- a driver error comes back as the SQLAlchemy exception ``Connection.execute`` would have
  raised (``sqlalchemy.exc.DBAPIError.instance``), and a lost connection is invalidated,
  so the unit of work's error handling (:mod:`.errors`) is the same on both paths;
- an expanding ``IN`` (a bind given a list) is expanded by SQLAlchemy itself
  (``SQLCompiler.construct_expanded_state``), once per size of its lists, up to
  :data:`_MAX_LISTED` values (longer lists go through ``Connection.execute``); a
  statement needing a Python-side column default is refused when compiled.

On PostgreSQL psycopg prepares a statement on the server once it has run it five times on
a connection (its ``prepare_threshold``): sending the same text every time lets it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NoReturn, TypeVar, cast

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeEngine

__all__ = ["Prepared", "observed", "on_driver", "read_rows", "release_cursor"]

_Processor = Callable[[Any], Any] | None
_T = TypeVar("_T")

_MAX_LISTED = 64
"""The longest list of an expanding ``IN`` a form is kept for (one form per size); longer
lists (a night audit's hundreds of rooms) go through ``Connection.execute``."""


def observed(conn: Connection) -> bool:
    """Whether anyone watches this connection's statements (listeners, echo): they are then
    sent through ``Connection.exec_driver_sql`` so that they see them."""
    dispatch = conn.dispatch
    return bool(
        dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or conn.dialect.dispatch.handle_error  # a dialect event since SQLAlchemy 2.0
        or conn.engine.echo
    )


class Form:
    """A statement compiled for one database, schema placement, column set and (for an
    expanding ``IN``) number of values in each list."""

    __slots__ = (
        "_columns",
        "_defaults",
        "_expansion",
        "_keys",
        "_names",
        "_processors",
        "_result_types",
        "_results",
        "positional",
        "sql",
    )

    def __init__(
        self,
        compiled: SQLCompiler,
        columns: Sequence[tuple[str, TypeEngine[Any]]] | None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        dialect = compiled.dialect
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError("Python-side defaults are computed at execution: not preparable")
        binds = compiled.binds
        # expanded name -> (list bind, index): each value of an expanding IN's list
        self._expansion: dict[str, tuple[str, int]] = {}
        types = {name: bind.type for name, bind in binds.items()}
        positiontup: Sequence[str] | None = compiled.positiontup
        if "__[POSTCOMPILE_" in compiled.string:  # SQLAlchemy's own expansion, for these sizes
            if values is None:
                raise ValueError("an expanding IN needs its lists' sizes: not preparable alone")
            state = compiled.construct_expanded_state(dict(values), escape_names=False)
            self.sql: str = state.statement
            positiontup = state.positiontup
            for parent, expanded in state.parameter_expansion.items():
                for index, name in enumerate(expanded):
                    self._expansion[name] = (parent, index)
                    types[name] = binds[parent].type
        else:
            self.sql = compiled.string
        self.positional: bool = bool(compiled.positional)
        escaped: dict[str, str] = compiled.escaped_bind_names or {}
        if self.positional:
            names = list(positiontup or ())
        else:  # by name: those the text names (``%(name)s``, escaped as SQLAlchemy does)
            names = [n for n in types if f"%({escaped.get(n, n)})s" in self.sql]
        self._names: tuple[str, ...] = tuple(names)
        self._keys: tuple[str, ...] = tuple(escaped.get(name, name) for name in names)
        self._processors: tuple[_Processor, ...] = tuple(
            types[name].dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        # values the statement carries (a literal of a CASE, a NULL it sets): sent as given
        self._defaults: dict[str, Any] = {
            name: bind.effective_value
            for name, bind in binds.items()
            if not bind.required and (name in self._names or bind.expanding)
        }
        self._columns: tuple[str, ...] | None = (
            tuple(name for name, _ in columns) if columns is not None else None
        )
        self._result_types = [(t.dialect_impl(dialect), dialect) for _, t in columns or ()]
        # the result processors need the driver's column types: found at the first result
        self._results: tuple[tuple[str, int, Callable[[Any], Any]], ...] | None = None

    def bind(self, values: Mapping[str, Any]) -> Any:
        """The driver's parameters for ``values`` (by bind name): converted as the column
        types bind them, in the statement's order (a tuple) or by name (a dict)."""
        if self._defaults:
            values = {**self._defaults, **values}
        if self._expansion:
            values = {
                **values,
                **{name: values[p][i] for name, (p, i) in self._expansion.items()},
            }
        if self.positional:
            return tuple(
                [
                    value if processor is None else processor(value)
                    for value, processor in zip(
                        [values[name] for name in self._names], self._processors, strict=True
                    )
                ]
            )
        return {
            key: values[name] if processor is None else processor(values[name])
            for key, name, processor in zip(self._keys, self._names, self._processors, strict=True)
        }

    def rows(self, cursor: Any, raw: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        """The rows read, as dicts by column name, converted as the column types read them."""
        columns = self._columns
        assert columns is not None, "not a SELECT"
        converted = self._results
        if converted is None:
            description = cursor.description or ()
            processors = [
                impl.result_processor(dialect, column[1])
                for (impl, dialect), column in zip(self._result_types, description, strict=True)
            ]
            # only the columns with a processor are converted, by position
            converted = self._results = tuple(
                (name, index, processor)
                for index, (name, processor) in enumerate(zip(columns, processors, strict=True))
                if processor is not None
            )
        rows = []
        for row in raw:
            values = dict(zip(columns, row, strict=True))
            for name, index, processor in converted:
                values[name] = processor(row[index])
            rows.append(values)
        return rows


class Prepared:
    """A Core statement sent as compiled SQL to the driver (see the module's documentation).
    A SELECT's rows come back as dicts by the names of its selected columns (the keys
    ``Row._mapping`` gives them). An INSERT, UPDATE or DELETE is compiled for the columns
    each call writes (the keys of its values but ``key``), unless ``named``: the statement
    names its own binds (a multi-row INSERT, ``<column>_<row>``) and is compiled as it is."""

    __slots__ = ("_columns", "_dml", "_expanding", "_forms", "statement")

    def __init__(
        self, statement: ClauseElement, *, expanding: Sequence[str] = (), named: bool = False
    ) -> None:
        self.statement = statement
        # it writes the columns given (not ``named``: an INSERT naming its own binds, one
        # per column and row, is compiled once as it stands)
        self._dml = bool(getattr(statement, "is_dml", False)) and not named
        # a SELECT's columns, or what an INSERT ... RETURNING returns
        exported = list(getattr(statement, "exported_columns", ()))
        self._columns: tuple[tuple[str, TypeEngine[Any]], ...] | None = (
            tuple((str(column.name), column.type) for column in exported) if exported else None
        )
        self._expanding = tuple(expanding)  # binds given as lists (an expanding IN)
        self._forms: dict[tuple[Any, ...], Form] = {}

    def form(
        self,
        conn: Connection,
        keys: tuple[str, ...] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Form | None:
        """The statement compiled for ``conn``'s database and schema placement; ``keys``:
        the columns an INSERT or UPDATE writes (None: the statement's own); ``values``: a
        call's values, whose lists' sizes an expanding ``IN`` is compiled for. None: lists
        too long to keep a form for (``Connection.execute`` runs it)."""
        translate = conn.get_execution_options().get("schema_translate_map")
        # the schema the tables are placed in (see engine.in_schema) is in the SQL text
        placement: tuple[Any, ...] = (
            conn.dialect.name,
            translate.get(None) if translate else None,
            keys,
        )
        if self._expanding:
            sizes = tuple(len(values[name]) if values else 0 for name in self._expanding)
            if max(sizes, default=0) > _MAX_LISTED:
                return None
            placement += sizes
        found = self._forms.get(placement)
        if found is None:
            compiled = self.statement.compile(
                dialect=conn.dialect,
                column_keys=list(keys) if keys is not None else None,
                schema_translate_map=translate,
                render_schema_translate=bool(translate),
            )
            assert isinstance(compiled, SQLCompiler)
            found = self._forms[placement] = Form(compiled, self._columns, values)
        return found

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Run the SELECT (or INSERT ... RETURNING) with ``values``: its rows, as dicts by
        column name."""
        form = self.form(conn, _written(values) if self._dml else None, values)
        if form is None:
            return [
                dict(row._mapping)
                for row in conn.execute(cast(Executable, self.statement), dict(values))
            ]
        parameters = form.bind(values)
        cursor = _execute(conn, form.sql, parameters, many=False)
        try:  # the driver may step through the rows as they are fetched
            raw = cursor.fetchall()
        except BaseException as error:
            _raise_for(conn, cursor, error, form.sql, parameters, many=False, kept=True)
        return form.rows(cursor, raw)

    def run(self, conn: Connection, values: Mapping[str, Any]) -> tuple[int, Any]:
        """Run the INSERT, UPDATE or DELETE with ``values`` (its columns: their keys but
        ``key``): the rows it changed and the driver's last row id."""
        form = self.form(conn, _written(values), values)
        if form is None:
            result = conn.execute(cast(Executable, self.statement), dict(values))
            return result.rowcount, None
        cursor = _execute(conn, form.sql, form.bind(values), many=False)
        return cursor.rowcount, getattr(cursor, "lastrowid", None)

    def run_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run the statement once per row of ``rows`` (one executemany; every row has the
        first one's columns): the rows changed, as the driver counts them."""
        form = self.form(conn, _written(rows[0]))
        if form is None:  # (no expanding IN in an executemany)
            raise ValueError("an executemany of an expanding IN")
        cursor = _execute(conn, form.sql, [form.bind(row) for row in rows], many=True)
        return int(cursor.rowcount)


def read_rows(
    conn: Connection, sql: str, parameters: Any, read: Callable[[Iterable[Any]], _T]
) -> _T:
    """What ``read`` makes of the rows of ``sql`` (compiled for ``conn``'s database), given
    as the driver returns them, nothing converted, through the driver's cursor (or
    ``exec_driver_sql`` if the connection is observed): for a statement that reads
    thousands of rows. They are taken one at a time, so each can be freed once read: no
    list of thousands of rows for the garbage collector to go through."""
    cursor = _execute(conn, sql, parameters, many=False, kept=False)  # closed: rows freed
    try:  # the driver steps through the rows as ``read`` takes them
        return read(cursor)
    except BaseException as error:
        _raise_for(conn, cursor, error, sql, parameters, many=False, kept=False)
    finally:
        cursor.close()


def _written(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns an INSERT or UPDATE with ``values`` writes: all but the ``key`` bind."""
    return tuple(name for name in values if name != "key")


def _execute(conn: Connection, sql: str, parameters: Any, *, many: bool, kept: bool = True) -> Any:
    """Run ``sql`` on the driver cursor the connection keeps for these statements (not
    ``kept``: on a new one, the caller's to close), or through ``exec_driver_sql`` if the
    connection is observed, raising what ``Connection.execute`` would: the cursor. A kept
    cursor's result is read before the connection's next statement, which replaces it."""
    if observed(conn):
        return _Finished(conn.exec_driver_sql(sql, parameters))
    if not kept:
        return on_driver(conn, sql, parameters, many=many)
    fairy = conn.connection
    dbapi_connection = fairy.dbapi_connection
    held = fairy.info.get(_KEPT)
    if held is None or held[0] is not dbapi_connection:  # none yet, or a new connection
        held = fairy.info[_KEPT] = (dbapi_connection, fairy.cursor())
    return _run(conn, held[1], sql, parameters, many=many, kept=True)


_KEPT = "hotel_occupancy.driver.cursor"
"""The key, in the pooled connection's ``info``, of the driver cursor :class:`Prepared`
statements reuse, with the DBAPI connection it belongs to: one cursor per connection (a
unit of work releases it when its transaction ends, see :func:`release_cursor`) instead
of one per statement (creating a psycopg cursor is about 13 µs of client CPU, a fifth of
a simple statement's). A reconnected record (its DBAPI connection replaced after an
invalidation) gets a new one; a cursor whose statement failed is closed and forgotten."""


def release_cursor(conn: Connection) -> None:
    """Close the cursor ``conn``'s prepared statements reused, if any: the last result it
    holds (rows of the transaction that ended) is freed now, not at the connection's next
    statement, and a connection handed back (a host's own, say) keeps nothing of ours."""
    if conn.invalidated or conn.closed:
        return
    kept = conn.connection.info.pop(_KEPT, None)
    if kept is not None:
        with contextlib.suppress(Exception):  # a broken connection's: nothing left to free
            kept[1].close()


def on_driver(conn: Connection, sql: str, parameters: Any = (), *, many: bool = False) -> Any:
    """Run ``sql`` on a new driver cursor of ``conn`` (bypassing SQLAlchemy's transaction
    bookkeeping, as a SQLite ``PRAGMA`` or ``BEGIN`` must): the cursor, the caller's to
    close. A driver error is raised as the ``sqlalchemy.exc.DBAPIError`` subclass
    SQLAlchemy would raise, and a lost connection is invalidated first."""
    return _run(conn, conn.connection.cursor(), sql, parameters, many=many, kept=False)


def _run(
    conn: Connection, cursor: Any, sql: str, parameters: Any, *, many: bool, kept: bool
) -> Any:
    """Run ``sql`` on ``cursor`` (``kept``: the connection's kept cursor), raising what
    ``Connection.execute`` would (see :func:`_raise_for`): the cursor."""
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except BaseException as error:
        _raise_for(conn, cursor, error, sql, parameters, many=many, kept=kept)
    return cursor


def _raise_for(
    conn: Connection,
    cursor: Any,
    error: BaseException,
    sql: str,
    parameters: Any,
    *,
    many: bool,
    kept: bool,
) -> NoReturn:
    """Raise what ``Connection.execute`` raises for ``error``, raised by a call into the
    driver for the statement ``sql`` on ``cursor`` (executing it, fetching or iterating
    its rows; ``kept``: the connection's kept cursor): a driver error as the
    ``sqlalchemy.exc.DBAPIError`` subclass SQLAlchemy raises, the cursor closed and a lost
    connection invalidated first; an interrupt (Ctrl-C, SystemExit, a cancellation) as it
    is, the connection invalidated, as SQLAlchemy does (a statement interrupted mid-way
    leaves it in a state nobody knows, so it never goes back to the pool); anything else
    (raised by the caller's own code reading rows) as it is."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    if isinstance(error, dbapi_error):
        _drop(conn, cursor, kept)
        lost = conn.dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(error)
        raise sa_exc.DBAPIError.instance(
            sql,
            parameters,
            error,
            dbapi_error,
            connection_invalidated=lost,
            dialect=conn.dialect,
            ismulti=many,
        ) from error
    if not isinstance(error, Exception):
        _drop(conn, cursor, kept)
        conn.invalidate()
    raise error


def _drop(conn: Connection, cursor: Any, kept: bool) -> None:
    """Close ``cursor`` after its statement failed; forget it if it is the kept one."""
    if kept:
        conn.connection.info.pop(_KEPT, None)
    cursor.close()


class _Finished:
    """A result of ``exec_driver_sql`` dressed as the cursor :class:`Prepared` reads."""

    __slots__ = ("_rows", "description", "lastrowid", "rowcount")

    def __init__(self, result: Any) -> None:
        self.description = result.cursor.description if result.returns_rows else None
        self.lastrowid = getattr(result.context.cursor, "lastrowid", None)  # not on psycopg
        self.rowcount = result.rowcount
        self._rows = result.fetchall() if result.returns_rows else []

    def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def close(self) -> None:
        pass

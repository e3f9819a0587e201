"""The library's migrations next to a host application's: the host's ``alembic revision
--autogenerate``, run with the ``env.py`` of docs/how-to/host-migrations.md in a scratch
project, proposes nothing for the library's tables (and, without the filter, proposes
dropping every one of them); the two version tables live side by side and each history
leaves the other's alone. On SQLite, on PostgreSQL's default schema and with the library in
a schema of its own."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, ForeignKey, Integer, MetaData, String, Table, inspect, text

from hotel_occupancy.adapters.sqlalchemy import create_engine, in_schema, metadata, migrate
from tests.integration.sessions import fresh_database

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "host-migrations.md"
ALEMBIC = Path(sys.executable).with_name("alembic")
LIBRARY_TABLES = {t.name for t in metadata.sorted_tables} | {migrate.VERSION_TABLE}

NO_SCHEMA = "LIBRARY_SCHEMA = None  # on PostgreSQL, the library's schema if it has one of its own"
FILTER = "        **migrate.exclude_library(LIBRARY_SCHEMA),\n"

MODELS = '''"""The host application's models."""

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

metadata = MetaData()
Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
)
Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
)
'''


def page_env_py() -> str:
    """The ``env.py`` the page shows (its one ```py block)."""
    blocks = re.findall(r"^```py\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) == 1, "docs/how-to/host-migrations.md should show one env.py"
    env: str = blocks[0]
    assert NO_SCHEMA in env
    assert FILTER in env
    return env


class HostProject:
    """A host application's project in a directory: ``alembic init``, its models, the
    page's ``env.py``; its Alembic commands run as a user runs them (the ``alembic`` CLI)."""

    def __init__(self, directory: Path, url: str, library_schema: str | None) -> None:
        self.directory = directory
        self.library_schema = library_schema
        self.alembic("init", "migrations")
        ini = directory / "alembic.ini"
        config = ini.read_text(encoding="utf-8")
        assert "sqlalchemy.url = driver://user:pass@localhost/dbname" in config
        ini.write_text(config.replace("driver://user:pass@localhost/dbname", url), encoding="utf-8")
        (directory / "myapp").mkdir()
        (directory / "myapp" / "__init__.py").write_text("", encoding="utf-8")
        (directory / "myapp" / "models.py").write_text(MODELS, encoding="utf-8")
        self.versions = directory / "migrations" / "versions"
        self.filtered(True)

    def filtered(self, on: bool) -> None:
        """Write the page's env.py, with the library's schema, with or without the filter."""
        env = page_env_py().replace(NO_SCHEMA, f"LIBRARY_SCHEMA = {self.library_schema!r}")
        if not on:
            env = env.replace(FILTER, "")
        (self.directory / "migrations" / "env.py").write_text(env, encoding="utf-8")

    def alembic(self, *arguments: str) -> str:
        done = subprocess.run(
            [str(ALEMBIC), *arguments],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def autogenerate(self, message: str) -> tuple[Path, str]:
        """``alembic revision --autogenerate``: the new revision file and its upgrade()."""
        before = set(self.versions.glob("*.py"))
        self.alembic("revision", "--autogenerate", "-m", message)
        (made,) = set(self.versions.glob("*.py")) - before
        script = made.read_text(encoding="utf-8")
        upgrade = script.split("def upgrade()", 1)[1].split("def downgrade()", 1)[0]
        return made, upgrade


def _version_rows(engine: Engine, table: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(f"SELECT version_num FROM {table}")).scalars())


def _check_the_host_s_autogenerate(
    directory: Path, url: str, engine: Engine, schema: str | None
) -> None:
    library = engine if schema is None else in_schema(engine, schema)
    versions = "ho_alembic_version" if schema is None else f"{schema}.ho_alembic_version"
    migrate.upgrade(library)
    host = HostProject(directory, url, schema)

    # the host's first revision, made with the library's tables in the database
    first, upgrade = host.autogenerate("customers and orders")
    assert "op.create_table('customers'" in upgrade
    assert "op.create_table('orders'" in upgrade
    assert "ho_" not in first.read_text(encoding="utf-8")
    host.alembic("upgrade", "head")
    (host_revision,) = _version_rows(engine, "alembic_version")

    # both applications' tables in the database: nothing to propose
    nothing, upgrade = host.autogenerate("nothing")
    assert "op." not in upgrade
    nothing.unlink()

    # the control: the same env.py without the filter proposes dropping the library
    host.filtered(False)
    control, upgrade = host.autogenerate("control")
    control.unlink()
    host.filtered(True)
    dropped = set(re.findall(r"op\.drop_table\('(\w+)'", upgrade))
    assert dropped == LIBRARY_TABLES
    if schema is not None:
        assert f"schema='{schema}'" in upgrade

    # two version tables, two histories: each leaves the other's row alone
    assert _version_rows(engine, versions) == [migrate.head()]
    migrate.downgrade(library, "0006")
    assert _version_rows(engine, "alembic_version") == [host_revision]
    migrate.upgrade(library)
    assert _version_rows(engine, "alembic_version") == [host_revision]
    host.alembic("downgrade", "base")
    assert _version_rows(engine, versions) == [migrate.head()]
    assert migrate.current(library) == migrate.head()
    assert set(inspect(engine).get_table_names(schema=schema)) >= LIBRARY_TABLES
    host.alembic("upgrade", "head")
    assert _version_rows(engine, "alembic_version") == [host_revision]
    assert _version_rows(engine, versions) == [migrate.head()]


def test_the_host_s_autogenerate_leaves_the_library_alone_on_sqlite(tmp_path: Path) -> None:
    """SQLite: with the page's filter the host's autogenerate proposes nothing for the
    library; without it, dropping every ho_ table; the version tables coexist."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = create_engine(url)
    project = tmp_path / "project"
    project.mkdir()
    try:
        _check_the_host_s_autogenerate(project, url, engine, None)
    finally:
        engine.dispose()


@pytest.fixture
def host_database(postgres_url: str) -> Iterator[tuple[str, Engine]]:
    """A fresh PostgreSQL database: its URL, and the library's engine on it."""
    engine = fresh_database(postgres_url, "ho_host")
    yield postgres_url.rsplit("/", 1)[0] + "/ho_host", engine
    engine.dispose()


@pytest.mark.parametrize("schema", [None, "hotel"], ids=["default schema", "own schema"])
def test_the_host_s_autogenerate_leaves_the_library_alone_on_postgresql(
    host_database: tuple[str, Engine], tmp_path: Path, schema: str | None
) -> None:
    """PostgreSQL, the library in the default schema or in its own: the same as on SQLite
    (the host's env.py compares every schema, include_schemas=True)."""
    url, engine = host_database
    _check_the_host_s_autogenerate(tmp_path, url, engine, schema)


# --- the hooks on their own, through Alembic's comparison ------------------------------------


def _host_metadata() -> MetaData:
    host = MetaData()
    Table("customers", host, Column("id", Integer, primary_key=True))
    Table(
        "orders",
        host,
        Column("id", Integer, primary_key=True),
        Column("customer_id", ForeignKey("customers.id")),
        Column("note", String(20)),
    )
    return host


def _proposed(engine: Engine, host: MetaData, **options: Any) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=options)
        return list(compare_metadata(context, host))


def test_the_plain_hooks_leave_out_the_library_s_tables_and_nothing_else(tmp_path: Path) -> None:
    """include_name and include_object, given to Alembic as they are: no diff for the
    library's tables; the host's own missing column is still proposed."""
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    migrate.upgrade(engine)
    host = _host_metadata()
    host.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE orders DROP COLUMN note"))
    hooks = {"include_name": migrate.include_name, "include_object": migrate.include_object}
    diff = _proposed(engine, host, **hooks)
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "note")]
    only_names = _proposed(engine, host, include_name=migrate.include_name)
    assert [(d[0], d[3].name) for d in only_names] == [("add_column", "note")]
    only_objects = _proposed(engine, host, include_object=migrate.include_object)
    assert [(d[0], d[3].name) for d in only_objects] == [("add_column", "note")]
    unfiltered = {d[1].name for d in _proposed(engine, host) if d[0] == "remove_table"}
    assert unfiltered == LIBRARY_TABLES
    engine.dispose()


def test_exclude_library_asks_the_host_s_own_filters_about_everything_else(
    tmp_path: Path,
) -> None:
    """The host's include_name and include_object decide for the host's objects and are
    never asked about the library's."""
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    migrate.upgrade(engine)
    host = _host_metadata()
    host.create_all(engine)
    Table("tmp_scratch", MetaData(), Column("id", Integer, primary_key=True)).create(engine)
    Table("legacy_audit", MetaData(), Column("id", Integer, primary_key=True)).create(engine)
    asked: list[str | None] = []

    def host_name(name: str | None, type_: str, parent_names: Any) -> bool:
        asked.append(name if type_ == "table" else parent_names.get("table_name"))
        return name != "legacy_audit"

    def host_object(object: Any, name: str | None, type_: str, *rest: Any) -> bool:
        asked.append(name if type_ == "table" else object.table.name)
        return not (type_ == "table" and name is not None and name.startswith("tmp_"))

    filters = migrate.exclude_library(include_name=host_name, include_object=host_object)
    assert _proposed(engine, host, **filters) == []
    assert {"customers", "orders", "tmp_scratch", "legacy_audit"} <= set(asked)
    assert not [name for name in asked if name is not None and name.startswith("ho_")]
    without_host = {d[1].name for d in _proposed(engine, host, **migrate.exclude_library())}
    assert without_host == {"tmp_scratch", "legacy_audit"}  # the host's filters did that
    engine.dispose()


def test_exclude_library_with_a_schema_leaves_out_everything_in_that_schema(
    host_database: tuple[str, Engine],
) -> None:
    """With the library's schema named, a table of that schema that is not named ho_ is left
    out too (and without naming it, the prefix still leaves out the library's tables)."""
    _, engine = host_database
    migrate.upgrade(in_schema(engine, "hotel"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE hotel.notes (id integer PRIMARY KEY)"))
    host = _host_metadata()
    host.create_all(engine)
    every = {"include_schemas": True}
    named = _proposed(engine, host, **every, **migrate.exclude_library("hotel"))
    assert named == []
    unnamed = _proposed(engine, host, **every, **migrate.exclude_library())
    assert [(d[0], d[1].schema, d[1].name) for d in unnamed] == [("remove_table", "hotel", "notes")]
    unfiltered = {d[1].name for d in _proposed(engine, host, **every) if d[0] == "remove_table"}
    assert unfiltered == LIBRARY_TABLES | {"notes"}

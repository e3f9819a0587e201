"""The adapter contract suite (hotel_occupancy.testing) run against every shipped adapter:
in-memory, SQLAlchemy on SQLite and SQLAlchemy on PostgreSQL (SPEC §5 I15, §8), and the
SQLAlchemy adapter inside a host's transaction on both databases."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hotel_occupancy.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import HostTransactionUnitOfWork, SqlAlchemyUnitOfWork
from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.services.ports import Clock, Notifier, PinSource, Policy
from hotel_occupancy.testing import UnitOfWorkContract, UnitOfWorkFactory


def _sqlalchemy_factory(
    engine: Engine, unit_of_work: Callable[..., SqlAlchemyUnitOfWork] = SqlAlchemyUnitOfWork
) -> UnitOfWorkFactory:
    def factory(
        *,
        clock: Clock,
        notifier: Notifier,
        policy: Policy | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
    ) -> SqlAlchemyUnitOfWork:
        return unit_of_work(
            engine, clock=clock, notifier=notifier, policy=policy, pins=pins, pin_rules=pin_rules
        )

    return factory


class TestInMemoryAdapter(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        store = InMemoryStore()  # fresh for every test, shared by its units of work

        def factory(
            *,
            clock: Clock,
            notifier: Notifier,
            policy: Policy | None = None,
            pins: PinSource | None = None,
            pin_rules: PinRules | None = None,
        ) -> InMemoryUnitOfWork:
            return InMemoryUnitOfWork(
                clock=clock,
                notifier=notifier,
                policy=policy,
                store=store,
                pins=pins,
                pin_rules=pin_rules,
            )

        return factory


class TestSqliteAdapter(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self, sqlite_engine: Engine) -> UnitOfWorkFactory:
        return _sqlalchemy_factory(sqlite_engine)


class TestPostgresAdapter(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self, postgres_engine: Engine) -> UnitOfWorkFactory:
        return _sqlalchemy_factory(postgres_engine)


class _SessionPerCall(HostTransactionUnitOfWork):
    """A host that runs every call in its own request: a Session whose transaction the host
    commits after the call, refused or not (so a refusal must have left nothing behind). A
    call the notifier makes while that commit finishes runs on its own (see the adapter)."""

    def __init__(self, engine: Engine, **kwargs: object) -> None:
        self._session = Session(engine)
        self._committing = False
        super().__init__(self._session, **kwargs)  # type: ignore[arg-type]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            if not self._committing:
                self._committing = True
                try:
                    self._session.commit()
                finally:
                    self._committing = False


class TestSqliteInHostTransaction(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self, sqlite_engine: Engine) -> UnitOfWorkFactory:
        return _sqlalchemy_factory(sqlite_engine, _SessionPerCall)


class TestPostgresInHostTransaction(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(self, postgres_engine: Engine) -> UnitOfWorkFactory:
        return _sqlalchemy_factory(postgres_engine, _SessionPerCall)

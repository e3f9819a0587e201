"""The adapter contract suite (hotel_occupancy.testing) run against every shipped adapter:
in-memory, SQLAlchemy on SQLite and SQLAlchemy on PostgreSQL (SPEC §5 I15, §8)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hotel_occupancy.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.services.ports import Clock, Notifier, PinSource, Policy
from hotel_occupancy.testing import UnitOfWorkContract, UnitOfWorkFactory


def _sqlalchemy_factory(engine: Engine) -> UnitOfWorkFactory:
    def factory(
        *,
        clock: Clock,
        notifier: Notifier,
        policy: Policy | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
    ) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
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

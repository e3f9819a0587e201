"""The adapter contract suite: what every unit of work must do, whatever it stores in.

Every adapter of ``hotel_occupancy`` (in-memory, SQLAlchemy on SQLite or PostgreSQL, or one
you write for another framework) must give the same results for the same calls (SPEC §5,
I15). This package holds the behavioural tests that say so, as pytest base classes. To run
all of them against your adapter, subclass :class:`UnitOfWorkContract` in one of your test
modules (the class name must start with ``Test`` so that pytest collects it) and define one
fixture, ``uow_factory``::

    import pytest
    from hotel_occupancy.testing import UnitOfWorkContract

    from my_app.occupancy import DjangoUnitOfWork


    class TestDjangoAdapter(UnitOfWorkContract):
        @pytest.fixture
        def uow_factory(self, empty_database):
            def factory(*, clock, notifier, policy=None):
                return DjangoUnitOfWork(
                    empty_database, clock=clock, notifier=notifier, policy=policy
                )

            return factory

The factory is called with keyword arguments only: ``clock`` (a zero-argument callable
returning aware datetimes), ``notifier`` (an object with ``publish(event)``) and ``policy``
(a role policy, or None for the default one). It returns a unit of work that implements
both :class:`~hotel_occupancy.services.ports.UnitOfWork` and
:class:`~hotel_occupancy.services.ports.Inspectable` (``uow.snapshot()`` returns everything
stored). Each time the fixture is built (once per test) its storage must be fresh and
empty; every test calls the factory once, except the feed's case of a follower woken by
another writer, which calls it again from another thread: that second unit of work must
work on the same storage as the first. The fixture may also live in a
``conftest.py``. Events must be published once the transaction is over: the suite's
notifier calls ``uow.snapshot()`` when an event arrives, and expects a notifier that
raises to leave the operation committed. Import the suite from ``hotel_occupancy.testing``
so that pytest rewrites its assertions.

:class:`UnitOfWorkContract` is made of one class per concern, each a module of this
package, and each usable alone with the same ``uow_factory`` fixture (while an adapter is
being written, say)::

    from hotel_occupancy.testing import PortContract, QueryContract


    class TestDjangoPorts(PortContract):  # uow_factory from conftest.py
        pass

- :class:`PortContract` (``ports``): one small case per method of the ports, each calling
  a repository (or the unit of work) directly with hand-built entities, named after the
  method (``test_guests_find_by_pin_...``): start here, it says which method is wrong;
- :class:`ReferenceDataContract` (``reference_data``): a fresh store, registrations, unique
  ids, bad input, deactivated staff, device tokens;
- :class:`AssignmentContract` (``assignment``): assign and check in, pre-assign, reassign,
  unassign;
- :class:`MovesAndCheckoutContract` (``moves_and_checkout``): moves and checkout;
- :class:`HousekeepingContract` (``housekeeping``): cleaning, inspection, out of order,
  maintenance;
- :class:`AuthorisationContract` (``authorisation``): the order of the checks (existence,
  hotel, permission) and a host's policy;
- :class:`IdempotencyContract` (``idempotency``): request-id replays and conflicts;
- :class:`QueryContract` (``queries``): every query and its ordering;
- :class:`IsolationContract` (``isolation``): the log, events after commit, timestamps
  from the clock, frozen returned objects;
- :class:`CredentialsContract` (``credentials``): guests proving PINs for their room,
  locks after too many wrong ones, PINs resting after checkout, and the credential and
  room-number ports they use;
- :class:`FrontDeskContract` (``front_desk``): the front desk of SPEC §9: new dates and
  parties, cancellations and no-shows, arrivals pre-assigned to due-out rooms, the queue at
  the desk, the hotel's stay-date policy, and the day's lists;
- :class:`HousekeepingDayContract` (``housekeeping_day``): the housekeeping day of SPEC
  §10: guest service statuses, housekeeping's observations, the discrepancies they find
  and what resolves them, the night audit (stayover cleanings, statuses reset,
  out-of-service windows that end, once per hotel and date), tasks given to attendants,
  the worksheets shared by credits, and the board's housekeeping columns;
- :class:`FeedContract` (``feed``): the event feed of SPEC §11 (``uow.feed``): reading
  from positions, in pages and by hotel, refused and rolled-back calls adding nothing,
  imported history (with ``uow.legacy`` only; skipped otherwise), consumers and their
  stored positions, and waiting for events, woken by another unit of work.

Apart from the port cases, the suite builds its own small hotels through the public
services only (:class:`Scene`, built by :func:`build_scene`), using its own stepping clock,
and checks every operation's effects, every error of SPEC §6 (each time verifying that the
refused call changed nothing and published nothing, I8), the order of the checks,
request-id replays, the queries, the log, the events, the timestamps, the immutability of
returned objects, and ``check_invariants(uow.snapshot()) == []`` after every test. Running
it needs pytest only (hypothesis is not needed); each test takes well under a second on
SQLite.
"""

from __future__ import annotations

from hotel_occupancy.testing.contract.assignment import AssignmentContract
from hotel_occupancy.testing.contract.authorisation import AuthorisationContract
from hotel_occupancy.testing.contract.credentials import CredentialsContract
from hotel_occupancy.testing.contract.feed import FeedContract
from hotel_occupancy.testing.contract.front_desk import FrontDeskContract
from hotel_occupancy.testing.contract.housekeeping import HousekeepingContract
from hotel_occupancy.testing.contract.housekeeping_day import HousekeepingDayContract
from hotel_occupancy.testing.contract.idempotency import IdempotencyContract
from hotel_occupancy.testing.contract.isolation import IsolationContract
from hotel_occupancy.testing.contract.moves_and_checkout import MovesAndCheckoutContract
from hotel_occupancy.testing.contract.ports import PortContract
from hotel_occupancy.testing.contract.queries import QueryContract
from hotel_occupancy.testing.contract.reference_data import ReferenceDataContract
from hotel_occupancy.testing.contract.scene import (
    ContractUnitOfWork,
    Scene,
    SteppingClock,
    UnitOfWorkFactory,
    build_scene,
)

__all__ = [
    "AssignmentContract",
    "AuthorisationContract",
    "ContractUnitOfWork",
    "CredentialsContract",
    "FeedContract",
    "FrontDeskContract",
    "HousekeepingContract",
    "HousekeepingDayContract",
    "IdempotencyContract",
    "IsolationContract",
    "MovesAndCheckoutContract",
    "PortContract",
    "QueryContract",
    "ReferenceDataContract",
    "Scene",
    "SteppingClock",
    "UnitOfWorkContract",
    "UnitOfWorkFactory",
    "build_scene",
]


# pytest runs the tests a class inherits in reverse order of its bases (the last base's
# first), so this order runs the port cases first and the surroundings last.
class UnitOfWorkContract(
    HousekeepingDayContract,
    FrontDeskContract,
    FeedContract,
    CredentialsContract,
    IsolationContract,
    QueryContract,
    IdempotencyContract,
    AuthorisationContract,
    HousekeepingContract,
    MovesAndCheckoutContract,
    AssignmentContract,
    ReferenceDataContract,
    PortContract,
):
    """The whole contract suite: every concern above. Subclass it as ``Test...`` and define
    the ``uow_factory`` fixture (see the package's documentation)."""

"""Testing tools shipped with ``hotel_occupancy``: the adapter contract suite.

Importing this package needs pytest (the ``dev`` extra); the library itself never imports
it. See :mod:`hotel_occupancy.testing.contract` for how to run the suite (or one concern of
it) against your own unit of work.
"""

import pytest

# The suite's plain ``assert`` statements get pytest's detailed failure messages: the name
# of the package covers every module in it.
pytest.register_assert_rewrite("hotel_occupancy.testing.contract")

from hotel_occupancy.testing.contract import (  # noqa: E402
    AssignmentContract,
    AuthorisationContract,
    ContractUnitOfWork,
    CredentialsContract,
    FeedContract,
    FrontDeskContract,
    HousekeepingContract,
    HousekeepingDayContract,
    IdempotencyContract,
    IsolationContract,
    MovesAndCheckoutContract,
    PortContract,
    QueryContract,
    ReferenceDataContract,
    Scene,
    SteppingClock,
    UnitOfWorkContract,
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

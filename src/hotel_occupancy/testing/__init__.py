"""Testing tools shipped with ``hotel_occupancy``: the adapter contract suite.

Importing this package needs pytest and hypothesis (the ``testing`` extra:
``pip install 'hotel-occupancy[testing]'``); the library itself never imports it.
See :mod:`hotel_occupancy.testing.contract` for how to run the suite (or one concern of
it) against your own unit of work.
"""

try:
    import hypothesis  # noqa: F401  (the contract suite's properties need it)
    import pytest
except ModuleNotFoundError as missing:  # pragma: no cover - exercised in a subprocess
    raise ModuleNotFoundError(
        f"hotel_occupancy.testing needs {missing.name}: pip install 'hotel-occupancy[testing]'",
        name=missing.name,
    ) from missing

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

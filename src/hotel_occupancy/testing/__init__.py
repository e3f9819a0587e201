"""Testing tools shipped with ``hotel_occupancy``: the adapter contract suite.

Importing this package needs pytest (the ``dev`` extra); the library itself never imports
it. See :mod:`hotel_occupancy.testing.contract` for how to run the suite against your own
unit of work.
"""

import pytest

# The suite's plain ``assert`` statements get pytest's detailed failure messages.
pytest.register_assert_rewrite("hotel_occupancy.testing.contract")

from hotel_occupancy.testing.contract import (  # noqa: E402
    ContractUnitOfWork,
    Scene,
    SteppingClock,
    UnitOfWorkContract,
    UnitOfWorkFactory,
)

__all__ = [
    "ContractUnitOfWork",
    "Scene",
    "SteppingClock",
    "UnitOfWorkContract",
    "UnitOfWorkFactory",
]

"""The pure domain: entities, values, the transition table, invariants, errors, events.

Nothing here imports the services, the adapters or any framework.
"""

from hotel_occupancy.domain.data import from_data, to_data
from hotel_occupancy.domain.enums import (
    Condition,
    GuestType,
    OccupancyStatus,
    Operation,
    StaffRole,
    TaskKind,
    TaskStatus,
)
from hotel_occupancy.domain.errors import *  # noqa: F403
from hotel_occupancy.domain.errors import __all__ as _errors
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.model import (
    AllowedOperation,
    BoardRow,
    Booking,
    BookingGuest,
    FrozenMap,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
)
from hotel_occupancy.domain.policy import RolePolicy

__all__ = [
    "AllowedOperation",
    "BoardRow",
    "Booking",
    "BookingGuest",
    "Condition",
    "FrozenMap",
    "Guest",
    "GuestType",
    "Hotel",
    "HousekeepingTask",
    "LogEntry",
    "OccupancyEvent",
    "OccupancyStatus",
    "Operation",
    "Room",
    "RoomOccupancy",
    "RolePolicy",
    "Staff",
    "StaffRole",
    "TaskKind",
    "TaskStatus",
    "from_data",
    "to_data",
    *_errors,
]

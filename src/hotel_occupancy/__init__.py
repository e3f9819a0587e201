"""hotel_occupancy: the single source of truth for which booking occupies which room of a
hotel, what state every room is in, and which staff member did what to it and why.

Enums, entities, events and errors are re-exported here::

    import hotel_occupancy as ho
    from hotel_occupancy import services
    from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
"""

from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.domain.enums import (
    BookingStage,
    Condition,
    GuestType,
    OccupancyStatus,
    Operation,
    StaffRole,
    TaskKind,
    TaskStatus,
)
from hotel_occupancy.domain.errors import (
    AlreadyRegistered,
    BookingNotAssignable,
    BookingNotFound,
    CapacityExceeded,
    ConcurrencyConflict,
    GuestNotFound,
    GuestNotInHouse,
    HotelMismatch,
    HotelNotFound,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PinLocked,
    RequestIdConflict,
    RoomNotAvailable,
    RoomNotFound,
    RoomNotOccupied,
    RoomOccupancyError,
    StaffNotFound,
    StorageError,
)
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.feed import ConsumerPosition, ConsumerStatus, FeedPage
from hotel_occupancy.domain.model import (
    AllowedOperation,
    BoardRow,
    Booking,
    BookingGuest,
    BookingView,
    FrozenMap,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
    StayRow,
)
from hotel_occupancy.domain.policy import RolePolicy

__version__ = "0.1.0"

__all__ = [
    "AllowedOperation",
    "AlreadyRegistered",
    "BoardRow",
    "Booking",
    "BookingGuest",
    "BookingNotAssignable",
    "BookingNotFound",
    "BookingStage",
    "BookingView",
    "CapacityExceeded",
    "ConcurrencyConflict",
    "Condition",
    "ConsumerPosition",
    "ConsumerStatus",
    "FeedPage",
    "FrozenMap",
    "Guest",
    "GuestNotFound",
    "GuestNotInHouse",
    "GuestType",
    "Hotel",
    "HotelMismatch",
    "HotelNotFound",
    "HousekeepingTask",
    "InvalidInput",
    "InvalidTransition",
    "LogEntry",
    "NotFound",
    "OccupancyEvent",
    "OccupancyStatus",
    "Operation",
    "PermissionDenied",
    "PinLocked",
    "PinRules",
    "RequestIdConflict",
    "RolePolicy",
    "Room",
    "RoomNotAvailable",
    "RoomNotFound",
    "RoomNotOccupied",
    "RoomOccupancy",
    "RoomOccupancyError",
    "Staff",
    "StaffNotFound",
    "StaffRole",
    "StayRow",
    "StorageError",
    "TaskKind",
    "TaskStatus",
    "__version__",
]

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
    DiscrepancyKind,
    GuestType,
    OccupancyStatus,
    Operation,
    ServiceStatus,
    StaffRole,
    TaskKind,
    TaskStatus,
    WorkPriority,
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
    TaskNotFound,
)
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.feed import ConsumerPosition, ConsumerStatus, FeedPage
from hotel_occupancy.domain.model import (
    AllowedOperation,
    BoardRow,
    Booking,
    BookingGuest,
    BookingView,
    DiscrepancyRow,
    FrozenMap,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    NightAudit,
    Room,
    RoomOccupancy,
    Staff,
    StayRow,
)
from hotel_occupancy.domain.policy import RolePolicy
from hotel_occupancy.domain.worksheets import Worksheet, WorksheetLine, WorksheetPlan

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
    "DiscrepancyKind",
    "DiscrepancyRow",
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
    "NightAudit",
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
    "ServiceStatus",
    "Staff",
    "StaffNotFound",
    "StaffRole",
    "StayRow",
    "StorageError",
    "TaskKind",
    "TaskNotFound",
    "TaskStatus",
    "WorkPriority",
    "Worksheet",
    "WorksheetLine",
    "WorksheetPlan",
    "__version__",
]

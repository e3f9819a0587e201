"""The error hierarchy.

Every refusal the library makes is a :class:`RoomOccupancyError`. Each subclass says exactly
what went wrong and carries the identifiers involved as attributes (``room_id``,
``booking_id``...), also available together as :attr:`RoomOccupancyError.context`.

Bad input is refused with :class:`InvalidInput`, which is both a ``RoomOccupancyError`` and a
:class:`ValueError`, before anything else is looked at.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "AlreadyRegistered",
    "BookingNotAssignable",
    "BookingNotFound",
    "CapacityExceeded",
    "ConcurrencyConflict",
    "GuestNotFound",
    "GuestNotInHouse",
    "HotelMismatch",
    "HotelNotFound",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "PermissionDenied",
    "PinLocked",
    "RequestIdConflict",
    "RoomNotAvailable",
    "RoomNotFound",
    "RoomNotOccupied",
    "RoomOccupancyError",
    "StaffNotFound",
    "StorageError",
    "TaskNotFound",
]


class RoomOccupancyError(Exception):
    """Base class of every refusal made by ``hotel_occupancy``.

    ``message`` is a sentence for people; ``context`` holds the identifiers involved
    (only the ones that are set), which are also attributes of the error.
    """

    hotel_id: str | None
    room_id: str | None
    booking_id: str | None
    staff_id: str | None
    guest_id: str | None
    request_id: str | None

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context: Mapping[str, object] = dict(context)
        for name in ("hotel_id", "room_id", "booking_id", "staff_id", "guest_id", "request_id"):
            setattr(self, name, context.get(name))
        for name, value in context.items():
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, RoomOccupancyError)
        return self.message == other.message and dict(self.context) == dict(other.context)

    def __hash__(self) -> int:
        return hash((type(self), self.message))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.context.items())
        return f"{type(self).__name__}({self.message!r}{', ' if fields else ''}{fields})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, dict(self.context)))


def _rebuild(
    cls: type[RoomOccupancyError], message: str, context: dict[str, object]
) -> RoomOccupancyError:
    error = cls.__new__(cls)
    RoomOccupancyError.__init__(error, message, **context)
    return error


class InvalidInput(RoomOccupancyError, ValueError):
    """An argument is malformed: empty id, naive datetime, unknown enum value..."""


class NotFound(RoomOccupancyError, LookupError):
    """Something named by an argument does not exist."""


class HotelNotFound(NotFound):
    """No hotel has this id."""


class RoomNotFound(NotFound):
    """No room has this id."""


class BookingNotFound(NotFound):
    """No booking has this id."""


class StaffNotFound(NotFound):
    """No staff member has this id."""


class GuestNotFound(NotFound):
    """No guest has this id."""


class TaskNotFound(NotFound):
    """No housekeeping task has this id."""


class GuestNotInHouse(GuestNotFound):
    """The guest exists but is no longer (or not) in house."""


class AlreadyRegistered(RoomOccupancyError):
    """An id (or a room number within a hotel) is already registered."""


class HotelMismatch(RoomOccupancyError):
    """The room, booking or staff member of one operation belong to different hotels."""


class PermissionDenied(RoomOccupancyError):
    """The acting staff member may not call this service (role policy, or deactivated)."""


class PinLocked(PermissionDenied):
    """Too many wrong PINs were tried for a room: every attempt, right or wrong, is refused
    until the lock expires (``locked_until``)."""


class RoomNotAvailable(RoomOccupancyError):
    """The target room cannot take the booking: occupied, assigned, dirty, uninspected,
    out of order or in maintenance."""


class RoomNotOccupied(RoomOccupancyError):
    """The operation needs an occupied room."""


class BookingNotAssignable(RoomOccupancyError):
    """The booking's state is wrong for the operation: checked in, checked out, assigned
    elsewhere, or not assigned."""


class CapacityExceeded(RoomOccupancyError):
    """The booking's party does not fit the room's capacity."""


class InvalidTransition(RoomOccupancyError):
    """The transition table does not allow this operation in the room's state."""


class RequestIdConflict(RoomOccupancyError):
    """The ``request_id`` was already used by a different operation or arguments."""


class ConcurrencyConflict(RoomOccupancyError):
    """A concurrent writer won; the operation changed nothing and is safe to retry."""


class StorageError(RoomOccupancyError):
    """The store failed in a way that is not a concurrent writer winning (e.g. the database
    is unreachable, or its schema is missing). The original error is the ``__cause__``."""

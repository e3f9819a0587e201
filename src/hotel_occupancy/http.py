"""The library's errors as HTTP responses, for any web framework (it imports none).

:func:`http_status` gives the status code for an error and :func:`error_data` the JSON body
that goes with it::

    try:
        entries = services.check_in(uow, booking_id=..., staff_id=...)
    except Exception as error:
        return JSONResponse(error_data(error), status_code=http_status(error))

Each error class of the library has a status of its own in :data:`STATUSES` (a subclass
added later gets its parent's); anything else is a bug, 500:

- 422 ``InvalidInput``: the request's data is malformed; ``RequestIdConflict``: its
  Idempotency-Key was already used for another request;
- 404 ``NotFound`` and its subclasses: an id it names does not exist;
- 403 ``PermissionDenied``, ``HotelMismatch``: not for this caller, or not in this hotel;
- 429 ``PinLocked``: too many wrong PINs for the room, wait until ``locked_until``;
- 409 ``AlreadyRegistered``: the id is taken; ``RoomNotAvailable``, ``RoomNotOccupied``,
  ``BookingNotAssignable``, ``CapacityExceeded``, ``InvalidTransition``,
  ``CutoverRefused``: refused by the state of the room, booking or hotel now;
- 503 ``ConcurrencyConflict``: a concurrent writer won (retryable); ``StorageError``: the
  store failed (retryable when nothing can have been committed);
- 400 a ``RoomOccupancyError`` of a class not listed; 500 anything else.
"""

from __future__ import annotations

from collections.abc import Mapping

from hotel_occupancy.domain.data import JsonValue, to_data
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
from hotel_occupancy.domain.side_by_side import CutoverRefused
from hotel_occupancy.services.retry import OUTCOME_UNKNOWN, ROLLED_BACK, is_safe_to_retry

__all__ = ["INTERNAL_ERROR", "STATUSES", "error_data", "http_status"]

STATUSES: Mapping[type[BaseException], int] = {
    RoomOccupancyError: 400,
    InvalidInput: 422,
    RequestIdConflict: 422,
    NotFound: 404,
    HotelNotFound: 404,
    RoomNotFound: 404,
    BookingNotFound: 404,
    StaffNotFound: 404,
    GuestNotFound: 404,
    GuestNotInHouse: 404,
    TaskNotFound: 404,
    PermissionDenied: 403,
    HotelMismatch: 403,
    PinLocked: 429,
    AlreadyRegistered: 409,
    RoomNotAvailable: 409,
    RoomNotOccupied: 409,
    BookingNotAssignable: 409,
    CapacityExceeded: 409,
    InvalidTransition: 409,
    CutoverRefused: 409,
    ConcurrencyConflict: 503,
    StorageError: 503,
}
"""The HTTP status of each error class of the library (see the module's table)."""

INTERNAL_ERROR = 500
"""The status of any exception that is not the library's refusal: a bug."""

_STORE_MESSAGES: Mapping[object, str] = {
    ROLLED_BACK: "the store failed before anything was committed; nothing was changed, so the "
    "request may be sent again",
    OUTCOME_UNKNOWN: "the store failed while committing: the change may or may not have been "
    "made; send the request again only with the same Idempotency-Key",
}


def _public_message(error: RoomOccupancyError) -> str:
    """What the body of a 503 says instead of the error's own message, which may quote the
    database's words (table names, a server's address)."""
    if isinstance(error, ConcurrencyConflict):
        return "a concurrent change won; nothing was changed, so the request may be sent again"
    return _STORE_MESSAGES.get(error.context.get("transaction"), "the store failed")


def http_status(error: BaseException) -> int:
    """The HTTP status for ``error``: that of the nearest class in its ancestry listed in
    :data:`STATUSES`, or 500 (:data:`INTERNAL_ERROR`) for an error not the library's."""
    for cls in type(error).__mro__:
        status = STATUSES.get(cls)
        if status is not None:
            return status
    return INTERNAL_ERROR


def error_data(error: BaseException, *, with_request_id: bool = False) -> dict[str, JsonValue]:
    """The JSON body for ``error``: ``type`` (the error class's name), ``message``,
    ``status`` (:func:`http_status`), ``retryable`` and ``context`` (the ids and values
    the error carries, JSON-ready, secrets redacted).

    ``retryable`` says whether sending the same request again cannot act twice
    (:func:`~hotel_occupancy.services.retry.is_safe_to_retry`): after a concurrency
    conflict or a transaction lost before COMMIT; after one lost during COMMIT only when
    the request carried a ``request_id`` (``with_request_id=True``: the same
    Idempotency-Key sent again replays it). A 503's message is a fixed sentence (the
    error's own may quote the database). An error not the library's says only
    ``InternalError``: its details are for your logs, not the client."""
    if not isinstance(error, RoomOccupancyError):
        return {
            "type": "InternalError",
            "message": "internal error",
            "status": INTERNAL_ERROR,
            "retryable": False,
            "context": {},
        }
    status = http_status(error)
    return {
        "type": type(error).__name__,
        "message": _public_message(error) if status >= 500 else error.message,
        "status": status,
        "retryable": is_safe_to_retry(error, with_request_id=with_request_id),
        "context": _context(error.context),
    }


def _context(context: Mapping[str, object]) -> dict[str, JsonValue]:
    data: dict[str, JsonValue] = {}
    for key, value in context.items():
        try:
            item = to_data({key: value})
        except TypeError:  # a value of a kind plain data does not know: its text
            item = to_data({key: str(value)})
        assert isinstance(item, dict)
        data.update(item)
    return data

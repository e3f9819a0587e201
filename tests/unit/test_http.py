"""Errors as HTTP responses: every error class has a deliberate status and a JSON body."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import hotel_occupancy as ho
from hotel_occupancy import http, services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain import errors, from_data
from hotel_occupancy.domain.commands import ChangeStay
from hotel_occupancy.domain.side_by_side import CutoverRefused
from hotel_occupancy.services.retry import OUTCOME_UNKNOWN, ROLLED_BACK


def _import_everything() -> None:
    """Import every module of the layers a caller reaches (domain, services, adapters),
    so that every error class they define exists; a module needing an optional extra
    that is not installed is skipped."""
    import hotel_occupancy

    for module in pkgutil.walk_packages(hotel_occupancy.__path__, "hotel_occupancy."):
        layer = module.name.split(".")[1]
        if layer not in {"domain", "services", "adapters"} or ".migrations" in module.name:
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:
            continue


def _all_error_classes() -> list[type[BaseException]]:
    _import_everything()
    found: set[type[BaseException]] = {getattr(errors, name) for name in errors.__all__}
    pending = [ho.RoomOccupancyError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("hotel_occupancy"):
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__name__)


ERROR_CLASSES = _all_error_classes()


def test_every_error_class_of_the_library_is_found() -> None:
    """The walk finds the domain's errors and those defined elsewhere (CutoverRefused)."""
    assert ho.PinLocked in ERROR_CLASSES
    assert CutoverRefused in ERROR_CLASSES
    assert len(ERROR_CLASSES) >= len(errors.__all__) + 1


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_has_a_deliberate_status(cls: type[BaseException]) -> None:
    """Each error class is listed in STATUSES itself (not left to its parent or to 500),
    with a client (4xx) or unavailable (503) status."""
    assert cls in http.STATUSES, f"{cls.__name__} has no status in hotel_occupancy.http"
    assert http.STATUSES[cls] in {400, 403, 404, 409, 422, 429, 503}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ho.InvalidInput("bad"), 422),
        (ho.RequestIdConflict("used", request_id="k"), 422),
        (ho.NotFound("gone"), 404),
        (ho.RoomNotFound("no room", room_id="r"), 404),
        (ho.GuestNotInHouse("left"), 404),
        (ho.TaskNotFound("no task"), 404),
        (ho.PermissionDenied("no"), 403),
        (ho.HotelMismatch("other hotel"), 403),
        (ho.PinLocked("wait"), 429),
        (ho.AlreadyRegistered("taken"), 409),
        (ho.RoomNotAvailable("dirty"), 409),
        (ho.RoomNotOccupied("vacant"), 409),
        (ho.BookingNotAssignable("in house"), 409),
        (ho.CapacityExceeded("too many"), 409),
        (ho.InvalidTransition("no"), 409),
        (CutoverRefused("differ"), 409),
        (ho.ConcurrencyConflict("lost"), 503),
        (ho.StorageError("down"), 503),
        (ho.RoomOccupancyError("some refusal"), 400),
        (ValueError("a bug"), 500),
        (KeyError("a bug"), 500),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_each_kind_of_error_maps_to_its_status(error: BaseException, status: int) -> None:
    """Not found 404, refused by state 409, not allowed 403, bad input 422, conflicts 503."""
    assert http.http_status(error) == status


def test_a_subclass_added_later_gets_its_parent_s_status() -> None:
    """An error class not in the table takes the status of its nearest listed ancestor."""

    class WingNotFound(ho.NotFound):
        """A test-only subclass."""

    assert http.http_status(WingNotFound("no wing")) == 404


def test_the_body_names_the_error_its_message_and_its_ids() -> None:
    """type, message, status, retryable and the context, all JSON-ready."""
    error = ho.RoomNotAvailable("room 101 is dirty", room_id="r-101", booking_id="b-1")
    body = http.error_data(error)
    assert body == {
        "type": "RoomNotAvailable",
        "message": "room 101 is dirty",
        "status": 409,
        "retryable": False,
        "context": {"room_id": "r-101", "booking_id": "b-1"},
    }
    assert json.loads(json.dumps(body)) == body


def test_a_lock_s_end_is_written_in_iso_8601() -> None:
    """PinLocked carries locked_until: the body gives it as ISO 8601 text, not retryable."""
    until = datetime(2026, 3, 10, 15, 15, tzinfo=UTC)
    body = http.error_data(ho.PinLocked("wait", room_id="r", locked_until=until))
    assert body["status"] == 429
    assert body["retryable"] is False
    assert body["context"] == {"room_id": "r", "locked_until": "2026-03-10T15:15:00+00:00"}


@pytest.mark.parametrize(
    ("error", "without_key", "with_key"),
    [
        (ho.ConcurrencyConflict("a concurrent change won: UNIQUE failed: ho_rooms"), True, True),
        (ho.StorageError("lost: server at 10.0.0.5", transaction=ROLLED_BACK), True, True),
        (ho.StorageError("lost during COMMIT", transaction=OUTCOME_UNKNOWN), False, True),
        (ho.StorageError("the database failed: no such table ho_rooms"), False, False),
        (ho.RoomNotAvailable("dirty"), False, False),
    ],
    ids=["conflict", "rolled-back", "outcome-unknown", "storage", "refusal"],
)
def test_retryable_says_whether_sending_the_request_again_is_safe(
    error: ho.RoomOccupancyError, without_key: bool, with_key: bool
) -> None:
    """Conflicts and transactions lost before COMMIT are retryable; one lost during COMMIT
    only with the same Idempotency-Key; other failures not."""
    assert http.error_data(error)["retryable"] is without_key
    assert http.error_data(error, with_request_id=True)["retryable"] is with_key


@pytest.mark.parametrize(
    "error",
    [
        ho.ConcurrencyConflict("a concurrent change won: UNIQUE constraint failed: ho_rooms"),
        ho.StorageError("the database failed: could not connect to 10.0.0.5"),
        ho.StorageError("lost: 10.0.0.5", transaction=ROLLED_BACK),
        ho.StorageError("lost: 10.0.0.5", transaction=OUTCOME_UNKNOWN),
    ],
    ids=["conflict", "storage", "rolled-back", "outcome-unknown"],
)
def test_a_503_does_not_quote_the_database(error: ho.RoomOccupancyError) -> None:
    """The body of a 503 has a fixed sentence instead of the database's words."""
    body = http.error_data(error)
    assert body["status"] == 503
    assert "ho_rooms" not in json.dumps(body)
    assert "10.0.0.5" not in json.dumps(body)
    assert body["message"]


def test_an_error_that_is_not_the_library_s_says_nothing_of_itself() -> None:
    """A bug is 500 InternalError, without its message (which is for the logs)."""
    body = http.error_data(RuntimeError("password=hunter2 in a traceback"))
    assert body == {
        "type": "InternalError",
        "message": "internal error",
        "status": 500,
        "retryable": False,
        "context": {},
    }


def test_a_secret_in_an_error_s_context_is_hidden() -> None:
    """A context value named like a secret (a PIN, a token) is redacted in the body."""
    body = http.error_data(ho.InvalidInput("bad", pin="123456", guest_id="g"))
    assert body["context"] == {"pin": "<hidden>", "guest_id": "g"}


def test_a_context_value_plain_data_does_not_know_is_given_as_text() -> None:
    """The body never fails to build: an unusual context value is written as its text."""
    body = http.error_data(ho.InvalidInput("bad", where=Path("a/b")))
    assert body["context"] == {"where": "a/b"}


def test_a_real_refusal_becomes_a_404_naming_the_booking() -> None:
    """check_in of an unknown booking: 404 BookingNotFound with its booking_id."""
    uow = InMemoryUnitOfWork()
    services.register_hotel(uow, hotel_id="h", name="H")
    services.register_staff(
        uow, hotel_id="h", staff_id="ana", name="Ana", role=ho.StaffRole.FRONT_DESK
    )
    with pytest.raises(ho.BookingNotFound) as refused:
        services.check_in(uow, booking_id="nobody", staff_id="ana")
    body = http.error_data(refused.value)
    assert (http.http_status(refused.value), body["type"]) == (404, "BookingNotFound")
    assert body["context"]["booking_id"] == "nobody"  # type: ignore[index,call-overload]


def test_a_bad_date_from_data_is_a_422_naming_the_field() -> None:
    """from_data's refusal of a bad date becomes 422 with the field in the context."""
    with pytest.raises(ho.InvalidInput) as refused:
        from_data(ChangeStay, {"booking_id": "b", "staff_id": "s", "arrival": "soon"})
    body = http.error_data(refused.value)
    assert body["status"] == 422
    assert body["context"] == {"field": "arrival"}


def test_the_module_imports_no_web_framework() -> None:
    """hotel_occupancy.http works with any framework: it imports only the library and the
    standard library."""
    tree = ast.parse(Path(http.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= {"__future__", "collections", "hotel_occupancy"}, imported


def test_the_web_apps_page_s_table_gives_every_status_the_code_gives() -> None:
    """docs/how-to/web-apps.md's table of statuses names every class of STATUSES, each in
    the row of its status, so the page cannot fall behind the code."""
    page = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "web-apps.md"
    text = page.read_text(encoding="utf-8").split("## Errors as HTTP statuses", 1)[1]
    listed: dict[str, int] = {}
    for status, cell in re.findall(r"^\| (\d{3}) \| (.*?) \|", text, re.MULTILINE):
        for name in re.findall(r"`(\w+)`", cell):
            listed.setdefault(name, int(status))
    by_name = {cls.__name__: status for cls, status in http.STATUSES.items()}
    assert {name: listed.get(name) for name in by_name} == by_name

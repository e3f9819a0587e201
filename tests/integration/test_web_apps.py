"""The web applications of docs/how-to/web-apps.md, taken further than the page goes.

The page's ```python blocks run here exactly as tests/unit/test_doc_examples.py runs them
(the same block finder), and the FastAPI app and Django views they define are then driven
against a fresh database, on SQLite and PostgreSQL: concurrent double clicks, refusals the
page does not show, a retryable conflict. Nothing is copied out of the page, so the page
and these tests cannot drift apart.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from tests.unit.test_doc_examples import python_blocks

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "web-apps.md"
FRAMEWORKS = ("fastapi", "httpx2", "django")  # httpx2: what TestClient runs on


def _page_namespace() -> dict[str, Any]:
    """Run the page's blocks in order in one namespace, as the doc examples test does, and
    return the namespace."""
    missing = [name for name in FRAMEWORKS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install the dev extra (pip install -e .[dev])")
    namespace: dict[str, Any] = {"__name__": "__doc_example__"}
    for line, code in python_blocks(PAGE.read_text(encoding="utf-8")):
        exec(compile("\n" * (line - 1) + code, str(PAGE), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def page() -> dict[str, Any]:
    """The namespace the page's examples leave behind (its own database already gone)."""
    return _page_namespace()


@pytest.fixture
def hotel(engine: Engine) -> Engine:
    """A hotel on the test's database: room 101 pre-assigned to booking b-1, a front desk
    clerk (ana) and a housekeeper (olaf)."""
    uow = SqlAlchemyUnitOfWork(engine)
    services.register_hotel(uow, hotel_id="harbour", name="Harbour View")
    services.register_room(uow, hotel_id="harbour", room_id="h-101", number="101")
    services.register_staff(
        uow, hotel_id="harbour", staff_id="ana", name="Ana", role=ho.StaffRole.FRONT_DESK
    )
    services.register_staff(
        uow, hotel_id="harbour", staff_id="olaf", name="Olaf", role=ho.StaffRole.HOUSEKEEPING
    )
    services.register_booking(
        uow,
        hotel_id="harbour",
        booking_id="b-1",
        reference="HV-1",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("b-1-1", "Ada", "Byron")],
    )
    services.assign_room(uow, booking_id="b-1", room_id="h-101", staff_id="ana", check_in=False)
    return engine


def _client(page: dict[str, Any], engine: Engine) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(page["create_app"](engine))


def _check_ins(engine: Engine) -> int:
    history = services.booking_history(SqlAlchemyUnitOfWork(engine), "b-1")
    return [entry.operation for entry in history].count(ho.Operation.CHECKIN)


def test_the_page_builds_a_fastapi_app_and_django_views_in_its_own_blocks(
    page: dict[str, Any],
) -> None:
    """Both examples are in the page's executed blocks: a FastAPI app factory and Django
    views routed by the page's urlpatterns."""
    from django.urls import URLPattern
    from fastapi import FastAPI

    code = "".join(block for _, block in python_blocks(PAGE.read_text(encoding="utf-8")))
    assert "from fastapi import" in code
    assert "settings.configure(" in code
    assert "Idempotency-Key" in code
    assert isinstance(page["client"].app, FastAPI)
    routes = page["urls"].urlpatterns
    assert all(isinstance(route, URLPattern) for route in routes)
    assert {route.callback.__name__ for route in routes} == {"run_command", "room_board", "events"}


def test_two_simultaneous_clicks_with_one_key_check_the_guest_in_once(
    page: dict[str, Any], hotel: Engine
) -> None:
    """Two identical POSTs sent at the same moment with the same Idempotency-Key: one
    check-in; each answer is the entry or a retryable 503, and a retry gets the entry."""
    clients = [_client(page, hotel), _client(page, hotel)]
    headers = {"X-Staff-Id": "ana", "Idempotency-Key": "click-1"}
    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def click(index: int) -> None:
        start.wait()
        answers[index] = clients[index].post(
            "/commands/check_in", json={"booking_id": "b-1"}, headers=headers
        )

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    bodies = []
    for answer in answers:
        assert answer is not None
        assert answer.status_code in (200, 503), answer.json()
        if answer.status_code == 503:
            assert answer.json()["retryable"] is True
            answer = clients[0].post(
                "/commands/check_in", json={"booking_id": "b-1"}, headers=headers
            )
            assert answer.status_code == 200
        bodies.append(answer.json())
    assert bodies[0] == bodies[1]
    assert [entry["operation"] for entry in bodies[0]] == ["CHECKIN"]
    assert _check_ins(hotel) == 1


def test_a_staff_member_without_the_grant_is_refused_with_403(
    page: dict[str, Any], hotel: Engine
) -> None:
    """A housekeeper may not check a guest in: 403 PermissionDenied, nothing done."""
    client = _client(page, hotel)
    response = client.post(
        "/commands/check_in", json={"booking_id": "b-1"}, headers={"X-Staff-Id": "olaf"}
    )
    assert (response.status_code, response.json()["type"]) == (403, "PermissionDenied")
    assert _check_ins(hotel) == 0


def test_a_conflict_is_a_retryable_503_with_retry_after(
    page: dict[str, Any], hotel: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrency conflict becomes 503, retryable, Retry-After: 1, and a fixed message."""

    def conflict(*_: object) -> None:
        raise ho.ConcurrencyConflict("a concurrent change won: UNIQUE constraint failed")

    monkeypatch.setattr(services, "execute", conflict)
    response = _client(page, hotel).post(
        "/commands/check_in",
        json={"booking_id": "b-1"},
        headers={"X-Staff-Id": "ana", "Idempotency-Key": "k"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["retryable"] is True
    assert "UNIQUE" not in response.text


def test_the_django_views_run_a_command_once_and_refuse_bad_bodies(
    page: dict[str, Any], hotel: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's Django view checks in once for a repeated key, and a body that is not a
    JSON object, or not JSON, is 422 InvalidInput."""
    from django.test import Client, override_settings

    monkeypatch.setitem(page, "engine", hotel)  # the views' engine: this test's database
    browser = Client(headers={"X-Staff-Id": "ana"})
    with override_settings(ROOT_URLCONF=page["urls"]):
        key = {"Idempotency-Key": "django-1"}
        answers = [
            browser.post(
                "/commands/check_in", {"booking_id": "b-1"}, "application/json", headers=key
            )
            for _ in range(2)
        ]
        for body in ("[1, 2]", "not json"):
            refused = browser.post("/commands/check_in", body, "application/json")
            assert (refused.status_code, refused.json()["type"]) == (422, "InvalidInput")
        board = browser.get("/hotels/harbour/board").json()
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert _check_ins(hotel) == 1
    assert board[0]["status"] == "OCCUPIED"


def test_an_idle_event_stream_sends_keep_alives_and_closes_when_told(
    page: dict[str, Any], hotel: Engine
) -> None:
    """The page's stream, with nothing new, sends a keep-alive within its interval, sends
    what commits next, and ends when closed."""
    end = services.read_feed(SqlAlchemyUnitOfWork(hotel), limit=10_000).position
    stream: Iterator[str] = page["event_stream"](hotel, hotel_id="harbour", after=end)
    started = time.monotonic()
    assert next(stream) == ": keep-alive\n\n"
    assert time.monotonic() - started < 5
    services.check_in(SqlAlchemyUnitOfWork(hotel), booking_id="b-1", staff_id="ana")
    message = next(item for item in stream if not item.startswith(":"))
    assert message.startswith("event: CHECKIN\n")
    stream.close()  # type: ignore[attr-defined]
    with pytest.raises(StopIteration):
        next(stream)

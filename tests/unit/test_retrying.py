"""``services.Retrying``: its settings are checked and honoured."""

from __future__ import annotations

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork


def test_retrying_refuses_fewer_than_one_attempt() -> None:
    """Retrying(attempts=0) is a ValueError, not a call that never runs."""
    with pytest.raises(ValueError, match="at least 1"):
        services.Retrying(attempts=0)


def test_a_retrying_with_two_attempts_calls_the_service_twice_then_raises() -> None:
    """The configured number of attempts is made, then the last conflict is raised."""
    calls: list[int] = []

    def always_conflicting(uow: InMemoryUnitOfWork, *, room_id: str) -> None:
        calls.append(1)
        raise ho.ConcurrencyConflict(f"{room_id} was taken")

    with pytest.raises(ho.ConcurrencyConflict):
        services.Retrying(attempts=2, backoff=0)(
            always_conflicting, InMemoryUnitOfWork(), room_id="r1"
        )
    assert len(calls) == 2
    assert services.retrying == services.Retrying(attempts=5, backoff=0.02)


@pytest.mark.parametrize("name", ["attempts", "backoff"])
def test_retry_settings_passed_as_the_service_s_arguments_are_refused_with_the_new_way(
    name: str,
) -> None:
    """The old ``retrying(..., attempts=...)`` is a TypeError naming Retrying, not a call."""
    uow = InMemoryUnitOfWork()
    with pytest.raises(TypeError, match=rf"takes no '{name}'.*services\.Retrying\({name}="):
        services.retrying(  # type: ignore[call-arg]
            services.register_hotel, uow, hotel_id="H", name="Harbour", **{name: 3}
        )
    with pytest.raises(ho.HotelNotFound):  # and nothing was registered
        services.room_board(uow, hotel_id="H")

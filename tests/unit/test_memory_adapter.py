"""The in-memory unit of work (SPEC §8): honest transactions, events after commit, one
transaction at a time, thread safety on a shared store, and cost independent of hotel size."""

from __future__ import annotations

import itertools
import logging
import threading
from collections import Counter
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters import memory
from hotel_occupancy.adapters.memory import InMemoryStore, InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.services.ports import PinSource
from tests.support import FakeClock, World


class Boom(Exception):
    """The failure injected into a transaction."""


def contents(world: World) -> dict[str, object]:
    """Everything the store holds and every event published, independent of row order."""
    snapshot, events = world.snapshot()
    return {
        "hotels": frozenset(snapshot.hotels),
        "rooms": frozenset(snapshot.rooms),
        "staff": frozenset(snapshot.staff),
        "bookings": frozenset(snapshot.bookings),
        "guests": frozenset(snapshot.guests),
        "occupancies": frozenset(snapshot.occupancies),
        "tasks": frozenset(snapshot.tasks),
        "log": snapshot.log,
        "request_ids": snapshot.request_ids,
        "events": events,
    }


def store_of(world: World) -> InMemoryStore:
    assert isinstance(world.uow, InMemoryUnitOfWork)
    return world.uow.store


def lock_is_free(store: InMemoryStore) -> bool:
    """Whether another thread could take the store's lock right now."""
    result: list[bool] = []

    def probe() -> None:
        got = store.lock.acquire(blocking=False)
        if got:
            store.lock.release()
        result.append(got)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return result[0]


# --- a failure inside a transaction leaves no trace ----------------------------------------------


def _checkout(world: World, request_id: str) -> tuple[ho.LogEntry, ...]:
    return services.checkout_room(world.uow, room_id="R101", staff_id="fd", request_id=request_id)


def _assign(world: World, request_id: str) -> tuple[ho.LogEntry, ...]:
    return services.assign_room(
        world.uow, booking_id="B-new", room_id="R102", staff_id="fd", request_id=request_id
    )


def _move(world: World, request_id: str) -> tuple[ho.LogEntry, ...]:
    return services.move_guest(
        world.uow, from_room_id="R101", to_room_id="R103", staff_id="fd", request_id=request_id
    )


def _start_cleaning(world: World, request_id: str) -> tuple[ho.LogEntry, ...]:
    return services.start_cleaning(world.uow, room_id="R104", staff_id="hk", request_id=request_id)


OPERATIONS: dict[str, Callable[[World, str], tuple[ho.LogEntry, ...]]] = {
    "checkout": _checkout,
    "assign": _assign,
    "move": _move,
    "start_cleaning": _start_cleaning,
}

INJECTIONS = [
    ("checkout", memory._Bookings, "update", "after"),
    ("checkout", memory._Guests, "update_many", "after"),
    ("checkout", memory._Occupancies, "update", "after"),
    ("checkout", memory._Tasks, "add", "after"),
    ("checkout", memory._Log, "append", "after"),
    ("checkout", memory._Requests, "add", "after"),
    ("checkout", InMemoryUnitOfWork, "emit", "after"),
    ("checkout", InMemoryUnitOfWork, "commit", "before"),
    ("assign", memory._Guests, "add_many", "after"),
    ("assign", memory._Occupancies, "update", "after"),
    ("assign", memory._Log, "append", "after"),
    ("move", memory._Tasks, "add", "after"),
    ("move", memory._Bookings, "update", "after"),
    ("move", memory._Occupancies, "update", "after"),
    ("move", memory._Log, "append", "after"),
    ("start_cleaning", memory._Tasks, "update", "after"),
    ("start_cleaning", memory._Occupancies, "update", "after"),
]


@pytest.mark.parametrize(
    ("operation", "owner", "method", "when"),
    INJECTIONS,
    ids=[f"{op}-{owner.__name__}.{method}" for op, owner, method, _ in INJECTIONS],
)
def test_a_failure_inside_an_operation_leaves_state_log_and_events_as_before(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    owner: type,
    method: str,
    when: str,
) -> None:
    """An exception after some writes undoes them all; no event; the request_id stays free."""
    world.checked_in("R101", guests=2)
    services.mark_dirty(world.uow, room_id="R104", staff_id="hk")  # an open cleaning task
    world.booking(2, booking_id="B-new")
    before = contents(world)
    last_id = max(e.id for e in world.snapshot()[0].log)
    original = getattr(owner, method)
    calls: list[str] = []

    def failing(self: object, *args: Any, **kwargs: Any) -> Any:
        calls.append(method)
        if when == "before":
            raise Boom(method)
        original(self, *args, **kwargs)
        raise Boom(method)

    monkeypatch.setattr(owner, method, failing)
    with pytest.raises(Boom):
        OPERATIONS[operation](world, "rq-1")
    assert calls, "the injected failure was never reached"
    monkeypatch.undo()
    assert contents(world) == before
    assert lock_is_free(store_of(world))
    entries = OPERATIONS[operation](world, "rq-1")
    assert entries[0].id == last_id + 1
    assert all(e.request_id == "rq-1" for e in entries)
    world.assert_sound()


def test_a_failed_transaction_can_be_followed_by_a_successful_one_on_the_same_uow(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a failure the unit of work is out of its transaction and works again."""
    monkeypatch.setattr(memory._Log, "append", lambda self, drafts: (_ for _ in ()).throw(Boom()))
    with pytest.raises(Boom):
        services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    monkeypatch.undo()
    (entry,) = services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    assert entry.condition_after is ho.Condition.DIRTY


def test_leaving_the_block_without_commit_rolls_back(world: World) -> None:
    """Writes made inside `with uow:` without commit() are undone at the end of the block."""
    before = contents(world)
    uow = world.uow
    with uow:
        room = uow.rooms.get("R101")
        assert room is not None
        occupancy = uow.occupancies.get("R101")
        assert occupancy is not None
        uow.occupancies.update(attrs.evolve(occupancy, condition=ho.Condition.DIRTY))
        uow.staff.update(ho.Staff("fd", "H", "FD", ho.StaffRole.FRONT_DESK, active=False))
    assert contents(world) == before


def test_an_explicit_rollback_undoes_the_writes_so_far(world: World) -> None:
    """rollback() inside the block undoes everything since the last commit."""
    before = contents(world)
    uow = world.uow
    with uow:
        uow.staff.update(ho.Staff("fd", "H", "FD", ho.StaffRole.FRONT_DESK, active=False))
        uow.rollback()
        uow.commit()
    assert contents(world) == before
    world.checked_in("R101")
    assert world.occupancy("R101").is_occupied


def test_a_commit_keeps_the_writes_made_before_it(world: World) -> None:
    """Writes committed inside the block survive a later exception in the same block."""
    uow = world.uow

    def commit_then_fail() -> None:
        with uow:
            uow.staff.update(ho.Staff("fd", "H", "FD", ho.StaffRole.FRONT_DESK, active=False))
            uow.commit()
            uow.staff.update(ho.Staff("hk", "H", "HK", ho.StaffRole.HOUSEKEEPING, active=False))
            raise Boom

    with pytest.raises(Boom):
        commit_then_fail()
    staff = {s.staff_id: s.active for s in world.snapshot()[0].staff}
    assert staff["fd"] is False
    assert staff["hk"] is True


# --- events: after commit, never for a rolled-back transaction -----------------------------------


def _an_event(world: World) -> ho.OccupancyEvent:
    (entry,) = services.mark_dirty(world.uow, room_id="R104", staff_id="hk")
    world.notifier.clear()
    return ho.OccupancyEvent.from_entry(entry)


def test_events_are_published_when_the_committed_block_ends(world: World) -> None:
    """Emitted events wait for commit and the end of the block, then are published in order."""
    event = _an_event(world)
    uow = world.uow
    with uow:
        uow.emit([event, event])
        assert world.notifier.events == []
        uow.commit()
        assert world.notifier.events == []
    assert world.notifier.events == [event, event]


def test_events_of_a_rolled_back_transaction_are_never_published(world: World) -> None:
    """An exception or a rollback drops the transaction's events."""
    event = _an_event(world)
    uow = world.uow

    def emit_then_fail() -> None:
        with uow:
            uow.emit([event])
            raise Boom

    with pytest.raises(Boom):
        emit_then_fail()
    with uow:
        uow.emit([event])
        uow.rollback()
        uow.commit()
    with uow:
        uow.emit([event])
    assert world.notifier.events == []


def test_a_refused_operation_publishes_nothing(world: World) -> None:
    """A refusal is a rolled-back transaction: no event."""
    world.notifier.clear()
    with pytest.raises(ho.RoomNotOccupied):
        services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert world.notifier.events == []


def test_a_failing_notifier_does_not_undo_the_commit_and_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A raising notifier: the commit stands, the error is logged, other events still go."""
    delivered: list[ho.OccupancyEvent] = []

    class Flaky:
        def publish(self, event: ho.OccupancyEvent) -> None:
            if event.operation is ho.Operation.ASSIGN:
                raise ConnectionError("broker down")
            delivered.append(event)

    uow = InMemoryUnitOfWork(store=store_of(world), clock=world.clock, notifier=Flaky())
    booking_id = world.booking()
    with caplog.at_level(logging.ERROR, logger="hotel_occupancy.notifications"):
        entries = services.assign_room(uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert world.occupancy("R101").is_occupied
    assert [e.id for e in world.snapshot()[0].log][-2:] == [e.id for e in entries]
    assert [e.operation for e in delivered] == [ho.Operation.CHECKIN]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], ConnectionError)
    world.assert_sound()


# --- one transaction at a time -------------------------------------------------------------------


def test_a_nested_transaction_on_one_unit_of_work_is_refused(world: World) -> None:
    """`with uow:` inside `with uow:` raises RuntimeError; the uow works again afterwards."""
    uow = world.uow
    with pytest.raises(RuntimeError, match="already in a transaction"), uow, uow:
        pass
    assert lock_is_free(store_of(world))
    (entry,) = services.mark_dirty(uow, room_id="R101", staff_id="hk")
    assert entry.room_id == "R101"


def test_calling_a_service_inside_an_open_transaction_is_refused(world: World) -> None:
    """A service call on a uow already in a transaction raises RuntimeError, changing nothing."""
    before = contents(world)
    uow = world.uow
    with pytest.raises(RuntimeError), uow:
        services.mark_dirty(uow, room_id="R101", staff_id="hk")
    assert contents(world) == before


REPOSITORY_CALLS: dict[str, Callable[[InMemoryUnitOfWork], object]] = {
    "hotels.get": lambda u: u.hotels.get("H"),
    "rooms.get": lambda u: u.rooms.get("R101"),
    "occupancies.board": lambda u: u.occupancies.board("H"),
    "staff.get": lambda u: u.staff.get("fd"),
    "bookings.get": lambda u: u.bookings.get("B1"),
    "occupancies.get": lambda u: u.occupancies.get("R101"),
    "occupancies.for_booking": lambda u: u.occupancies.for_booking("B1"),
    "guests.get": lambda u: u.guests.get("g"),
    "guests.remove_many": lambda u: u.guests.remove_many(["g"]),
    "tasks.open_for_room": lambda u: u.tasks.open_for_room("R101"),
    "log.for_room": lambda u: u.log.for_room("R101"),
    "log.append": lambda u: u.log.append([]),
    "requests.get": lambda u: u.requests.get("r"),
    "commit": lambda u: u.commit(),
    "emit": lambda u: u.emit([]),
}


@pytest.mark.parametrize("name", list(REPOSITORY_CALLS))
def test_repositories_outside_a_transaction_raise(world: World, name: str) -> None:
    """Reads, writes, commit and emit all need `with uow:`."""
    assert isinstance(world.uow, InMemoryUnitOfWork)
    before = contents(world)
    with pytest.raises(RuntimeError):
        REPOSITORY_CALLS[name](world.uow)
    assert contents(world) == before


# --- threads sharing one store -------------------------------------------------------------------


def _race(
    store: InMemoryStore, calls: list[Callable[[InMemoryUnitOfWork], object]]
) -> list[object]:
    """Run each call in its own thread with its own unit of work, all released together."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        uow = InMemoryUnitOfWork(store=store, clock=FakeClock())
        barrier.wait()
        try:
            results[index] = calls[index](uow)
        except Exception as error:  # the loser's refusal is part of the result
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize("round_", range(10))
def test_two_threads_racing_for_one_room_have_exactly_one_winner(world: World, round_: int) -> None:
    """Two front desks assign two bookings to one room at once: one wins, one is refused."""
    first, second = world.booking(), world.booking()
    results = _race(
        store_of(world),
        [
            lambda u: services.assign_room(u, booking_id=first, room_id="R101", staff_id="fd"),
            lambda u: services.assign_room(u, booking_id=second, room_id="R101", staff_id="fd"),
        ],
    )
    winners = [r for r in results if isinstance(r, tuple)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], ho.RoomNotAvailable)
    assert world.occupancy("R101").booking_id in {first, second}
    snapshot, _ = world.snapshot()
    assert len([e for e in snapshot.log if e.operation is ho.Operation.CHECKIN]) == 1
    world.assert_sound()


def test_two_threads_racing_to_seat_one_booking_have_exactly_one_winner(world: World) -> None:
    """One booking assigned to two rooms at once: one wins, one gets BookingNotAssignable."""
    booking_id = world.booking()
    results = _race(
        store_of(world),
        [
            lambda u: services.assign_room(u, booking_id=booking_id, room_id="R101", staff_id="fd"),
            lambda u: services.assign_room(u, booking_id=booking_id, room_id="R102", staff_id="fd"),
        ],
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1
    assert isinstance(errors[0], ho.BookingNotAssignable)
    rooms = [r for r in ("R101", "R102") if world.occupancy(r).booking_id == booking_id]
    assert len(rooms) == 1
    world.assert_sound()


def test_many_threads_working_on_one_store_keep_every_invariant(world: World) -> None:
    """Eight threads assigning, cleaning and checking out in parallel leave a sound store."""
    bookings = [world.booking() for _ in range(8)]
    rooms = ["R101", "R102", "R103", "R104"] * 2

    def stay(booking_id: str, room_id: str) -> Callable[[InMemoryUnitOfWork], object]:
        def run(u: InMemoryUnitOfWork) -> object:
            done = 0
            for _ in range(5):
                try:
                    services.assign_room(u, booking_id=booking_id, room_id=room_id, staff_id="fd")
                    services.checkout_room(u, room_id=room_id, staff_id="fd")
                    done += 1
                    return done
                except (ho.RoomNotAvailable, ho.RoomNotOccupied, ho.InvalidTransition):
                    try:
                        services.start_cleaning(u, room_id=room_id, staff_id="hk")
                        services.complete_cleaning(u, room_id=room_id, staff_id="hk")
                    except ho.RoomOccupancyError:
                        pass
            return done

        return run

    results = _race(store_of(world), [stay(b, r) for b, r in zip(bookings, rooms, strict=True)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    world.assert_sound()


# --- cost independent of the hotel's size --------------------------------------------------------


def _instrument(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Count calls of _Table.get/find/has and the rows they return, per table and method."""
    counts: Counter[tuple[str, str]] = Counter()
    get, find, has = memory._Table.get, memory._Table.find, memory._Table.has

    def counted_get(self: memory._Table[Any, Any], key: Hashable) -> Any:
        row = get(self, key)
        counts[(self.name, "get")] += 1
        counts[(self.name, "rows")] += row is not None
        return row

    def counted_find(self: memory._Table[Any, Any], index: str, value: Hashable) -> list[Any]:
        rows = find(self, index, value)
        counts[(self.name, f"find:{index}")] += 1
        counts[(self.name, "rows")] += len(rows)
        return rows

    def counted_has(self: memory._Table[Any, Any], index: str, value: Hashable) -> bool:
        found = has(self, index, value)
        counts[(self.name, f"has:{index}")] += 1
        counts[(self.name, "rows")] += found
        return found

    monkeypatch.setattr(memory._Table, "get", counted_get)
    monkeypatch.setattr(memory._Table, "find", counted_find)
    monkeypatch.setattr(memory._Table, "has", counted_has)
    return counts


def _busy_hotel(
    rooms: int, occupied: int, dirty: int, pins: PinSource | None = None
) -> InMemoryUnitOfWork:
    """A hotel of ``rooms`` rooms, ``occupied`` of them in house, ``dirty`` more vacant dirty,
    and room T plus booking GUEST (a party of 2) ready for the measured stay."""
    uow = InMemoryUnitOfWork(clock=FakeClock(), pins=pins)
    services.register_hotel(uow, hotel_id="H", name="Big")
    services.register_staff(uow, hotel_id="H", staff_id="fd", name="FD", role="FRONT_DESK")
    services.register_room(uow, hotel_id="H", room_id="T", number="T", capacity=2)
    for n in range(rooms - 1):
        services.register_room(uow, hotel_id="H", room_id=f"R{n}", number=str(n))
    for n in range(occupied):
        booking_id = f"B{n}"
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=booking_id,
            reference=booking_id,
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"{booking_id}-g{i}", "A", "B") for i in range(2)],
        )
        services.assign_room(uow, booking_id=booking_id, room_id=f"R{n}", staff_id="fd")
    for n in range(occupied, occupied + dirty):
        services.mark_dirty(uow, room_id=f"R{n}", staff_id="fd")
    services.register_booking(
        uow,
        hotel_id="H",
        booking_id="GUEST",
        reference="GUEST",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("GUEST-g0", "A", "B"), ho.BookingGuest("GUEST-g1", "C", "D")],
    )
    return uow


def _measure(uow: InMemoryUnitOfWork) -> Counter[tuple[str, str]]:
    """Lookups made by an assign (with check-in) and a checkout of room T."""
    with pytest.MonkeyPatch.context() as patch:
        counts = _instrument(patch)
        services.assign_room(uow, booking_id="GUEST", room_id="T", staff_id="fd")
        services.checkout_room(uow, room_id="T", staff_id="fd")
    return counts


def test_an_operation_touches_as_many_rows_in_a_big_hotel_as_in_a_small_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """assign + checkout look up the same rows in a 10-room and a 2,000-room hotel (§8)."""
    pins = itertools.count(100000)

    def draw() -> str:
        return str(next(pins))

    small = _busy_hotel(rooms=10, occupied=5, dirty=2, pins=draw)
    big = _busy_hotel(rooms=2000, occupied=600, dirty=300, pins=draw)
    small_counts = _measure(small)
    big_counts = _measure(big)
    assert small_counts == big_counts
    rows_touched = sum(v for (_, what), v in big_counts.items() if what == "rows")
    assert 0 < rows_touched < 40
    assert sum(big_counts.values()) > 0


def test_the_cost_instrument_sees_a_hotel_wide_query(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counters do grow with the hotel for a query that must read every room (a control)."""
    small = _busy_hotel(rooms=10, occupied=0, dirty=0)
    big = _busy_hotel(rooms=200, occupied=0, dirty=0)
    counts = _instrument(monkeypatch)
    services.room_board(small, "H")
    small_rows = counts[("rooms", "rows")]
    counts.clear()
    services.room_board(big, "H")
    assert counts[("rooms", "rows")] == 200
    assert small_rows == 10


# --- the store's own snapshot --------------------------------------------------------------------


def test_the_store_snapshot_is_sound_after_a_busy_day(world: World) -> None:
    """The snapshot holds every table and passes check_invariants."""
    world.checked_in("R101", guests=2)
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    services.checkout_room(world.uow, room_id="R102", staff_id="fd", request_id="co")
    snapshot = store_of(world).snapshot()
    assert isinstance(snapshot, StoreSnapshot)
    assert len(snapshot.rooms) == len(snapshot.occupancies) == 5
    assert snapshot.request_ids == frozenset({"co"})
    assert check_invariants(snapshot) == []


def test_a_recording_notifier_can_be_cleared() -> None:
    """RecordingNotifier keeps events in order and forgets them on clear()."""
    notifier = RecordingNotifier()
    uow = InMemoryUnitOfWork(clock=FakeClock(), notifier=notifier)
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R", number="1")
    services.register_staff(uow, hotel_id="H", staff_id="hk", name="HK", role="HOUSEKEEPING")
    services.mark_dirty(uow, room_id="R", staff_id="hk")
    assert [e.operation for e in notifier.events] == [ho.Operation.STATUS_CHANGE]
    notifier.clear()
    assert notifier.events == []


def test_returned_objects_are_frozen_snapshots(world: World) -> None:
    """Mutating a returned entry or occupancy is impossible and changes nothing stored."""
    booking_id = world.checked_in("R101")
    (entry, *_rest) = services.booking_history(world.uow, booking_id)
    occupancy = world.occupancy("R101")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        entry.notes = "rewritten"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        occupancy.booking_id = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        entry.metadata["action"] = "forged"  # type: ignore[index]
    assert services.booking_history(world.uow, booking_id)[0] == entry
    assert world.occupancy("R101").booking_id == booking_id


def test_repositories_refuse_every_use_outside_a_transaction_and_after_it_ends() -> None:
    """A repository read or write outside ``with uow:`` (before it, or through a reference
    kept after it) is a RuntimeError and changes nothing; inside, the same calls work."""
    uow = InMemoryUnitOfWork(clock=FakeClock())
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R1", number="1")
    calls: list[Callable[[], object]] = [
        lambda: uow.rooms.get("R1"),
        lambda: uow.occupancies.for_hotel("H"),
        lambda: uow.log.for_room("R1"),
        lambda: uow.guests.pins_in_use("H", ["123456"]),
        lambda: uow.tasks.open_for_room("R1"),
        lambda: uow.hotels.update(attrs.evolve(uow.snapshot().hotels[0], name="X")),
    ]
    before = uow.snapshot()
    for call in calls:
        with pytest.raises(RuntimeError, match="only usable inside `with uow:`"):
            call()
    with uow:
        rooms = uow.rooms
        assert rooms.get("R1") is not None
        assert [o.room_id for o in uow.occupancies.for_hotel("H")] == ["R1"]
    with pytest.raises(RuntimeError, match="only usable inside `with uow:`"):
        rooms.get("R1")  # kept after the transaction ended
    assert uow.snapshot() == before

"""I15: the in-memory and SQLAlchemy adapters return the same results for the same calls.

A hypothesis state machine sends every call to the in-memory adapter, to a SQLite file and
to PostgreSQL at once, and compares each result (or error) and the whole stored state
after every step. Identifiers the library draws at random (guest and task ids, PINs) are
compared by what they mean, not by their value.

The front desk of §9 is in the mix: changed stays and parties, cancellations, no-shows,
guests queued at the desk, arrivals pre-assigned to occupied rooms whose guest is due out,
hotels enforcing stay dates, the clock moving on; and its queries (get_booking, arrivals,
departures, in_house, the board's new columns).

So is the housekeeping day of §10: guest service statuses, housekeeping's observations and
the discrepancies they open, night audits (repeated, out of order, after a day passed),
out-of-service windows the audit closes, tasks given to attendants and the worksheets
shared out; and its queries (discrepancies, worksheet).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    create_engine,
    create_schema,
    metadata,
)
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from tests.support import FakeClock

ROOMS = {"R1": 1, "R2": 2, "R3": 2, "R10": 4, "R11": None}
BOOKINGS = {f"B{n}": size for n, size in enumerate([1, 2, 3, 1, 2, 1, 4, 2, 1, 2], start=1)}
STAFF = {
    "fd": ho.StaffRole.FRONT_DESK,
    "hk": ho.StaffRole.HOUSEKEEPING,
    "sup": ho.StaffRole.SUPERVISOR,
    "mnt": ho.StaffRole.MAINTENANCE,
    "mgr": ho.StaffRole.MANAGER,
    "x2": ho.StaffRole.MANAGER,  # of the other hotel
}
# mostly ids that exist and a manager, so that most calls get past the early checks
rooms = st.sampled_from([*ROOMS, *ROOMS, *ROOMS, "X1", "nope"])
bookings = st.sampled_from([*BOOKINGS, *BOOKINGS, *BOOKINGS, "XB", "nope"])
staff = st.sampled_from(["mgr"] * 24 + list(STAFF))
notes = st.sampled_from(["", "late", "guest asked"])
request_ids = st.none() | st.sampled_from(["q1", "q2", "q3"])
statuses = st.sampled_from([*ho.ServiceStatus, ho.ServiceStatus.DND, "SPARKLING"])
# mostly housekeeping staff of hotel H; now and then someone else, nobody or one twice
attendants = st.tuples(
    st.lists(
        st.sampled_from(["hk", "sup"] * 4 + ["fd", "x2", "nope"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    st.sampled_from([None] * 8 + [[], ["hk", "hk"]]),
).map(lambda drawn: drawn[0] if drawn[1] is None else drawn[1])
FIRST_DAY = date(2026, 3, 10)  # the clocks start on it (14:00 UTC)
days = st.integers(-2, 4).map(lambda n: FIRST_DAY + timedelta(days=n))
# how a party changes: members join, leave, are renamed; or it is made one §6 refuses
party_edits = st.lists(
    st.sampled_from(["join", "join", "leave", "rename", "new primary", "taken", "empty"]),
    max_size=3,
)


def _normalise(value: Any) -> Any:
    """Results with random ids and PINs replaced by what they stand for."""
    if isinstance(value, tuple | list):
        return [_normalise(v) for v in value]
    if isinstance(value, ho.Guest):
        return ("guest", value.booking_id, value.booking_guest_id, value.guest_type,
                value.first_name, value.last_name, value.check_in_date, value.check_out_date,
                value.id_pin is not None, value.device_token)  # fmt: skip
    if isinstance(value, ho.HousekeepingTask):
        return ("task", value.room_id, value.kind, value.status, value.created_at,
                value.updated_at, value.created_by, value.assigned_to, value.booking_id,
                value.started_at, value.closed_at)  # fmt: skip
    # §10: a worksheet's task is the open cleaning task of its room (one per room, I6)
    if isinstance(value, ho.WorksheetLine):
        return ("line", value.room_id, value.number, value.kind, value.status, value.priority,
                value.credits, value.service_status)  # fmt: skip
    if isinstance(value, ho.Worksheet):
        return ("sheet", value.staff_id, _normalise(value.lines))
    if isinstance(value, ho.WorksheetPlan):
        rooms = {line.task_id: line.room_id for sheet in value.sheets for line in sheet.lines}
        rooms.update((line.task_id, line.room_id) for line in value.overflow)
        given = [(rooms.get(task_id), staff_id) for task_id, staff_id in value.assignments]
        return ("plan", _normalise(value.sheets), _normalise(value.overflow), given)
    return value


def _state(snapshot: StoreSnapshot) -> dict[str, Any]:
    def key(item: Any) -> str:
        return repr(item)

    guests = {g.guest_id: g for g in snapshot.guests}
    return {
        "hotels": sorted(snapshot.hotels, key=key),
        "rooms": sorted(snapshot.rooms, key=key),
        "staff": sorted(snapshot.staff, key=key),
        "bookings": sorted(snapshot.bookings, key=key),
        "occupancies": sorted(snapshot.occupancies, key=key),
        "log": list(snapshot.log),
        "requests": snapshot.request_ids,
        "guests": sorted(
            (
                *_normalise(g),
                guests[g.primary_guest_id].booking_guest_id if g.primary_guest_id else None,
            )
            for g in snapshot.guests
        ),
        "tasks": sorted((_normalise(t) for t in snapshot.tasks), key=key),
    }


class Lockstep(RuleBasedStateMachine):
    """Drives several adapters with the same calls; subclasses say which engines."""

    make_engines: Callable[[], list[Engine]] = staticmethod(list)

    def __init__(self) -> None:
        super().__init__()
        self.notifiers = [RecordingNotifier()]
        self.clocks = [FakeClock()]
        self.uows: list[Any] = [
            InMemoryUnitOfWork(clock=self.clocks[0], notifier=self.notifiers[0])
        ]
        for engine in self.make_engines():
            notifier, clock = RecordingNotifier(), FakeClock()
            self.notifiers.append(notifier)
            self.clocks.append(clock)
            self.uows.append(SqlAlchemyUnitOfWork(engine, clock=clock, notifier=notifier))
        self.joined = itertools.count(1)
        for hotel, inspection in (("H", False), ("H2", True)):
            self.everywhere(
                services.register_hotel, hotel_id=hotel, name=hotel, require_inspection=inspection,
                enforce_stay_dates=hotel == "H2",
            )  # fmt: skip
        for room_id, capacity in ROOMS.items():
            self.everywhere(
                services.register_room, hotel_id="H", room_id=room_id, number=room_id[1:],
                capacity=capacity,
            )  # fmt: skip
        self.everywhere(services.register_room, hotel_id="H2", room_id="X1", number="1")
        for staff_id, role in STAFF.items():
            hotel = "H2" if staff_id == "x2" else "H"
            self.everywhere(
                services.register_staff, hotel_id=hotel, staff_id=staff_id, name=staff_id, role=role
            )
        for n, (booking_id, size) in enumerate([*BOOKINGS.items(), ("XB", 1)]):
            arrival = FIRST_DAY + timedelta(days=n % 2)  # day use to two nights
            self.everywhere(
                services.register_booking,
                hotel_id="H2" if booking_id == "XB" else "H",
                booking_id=booking_id,
                reference=f"REF-{booking_id}",
                arrival=arrival,
                departure=arrival + timedelta(days=n % 3),
                party=[ho.BookingGuest(f"{booking_id}-{i}", "G", str(i)) for i in range(size)],
            )

    def everywhere(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Make the call on every adapter; all must agree on the result or the error."""
        return self.each(call, lambda _uow: (args, kwargs))

    def each(
        self,
        call: Callable[..., Any],
        arguments: Callable[[Any], tuple[tuple[Any, ...], dict[str, Any]]],
        masked: Callable[[Any], str | None] = lambda _uow: None,
    ) -> Any:
        """Make the call on every adapter with the arguments ``arguments`` gives for it
        (the adapters' random task ids differ); all must agree on the result or the error
        (in whose message the adapter's id ``masked`` gives, if any, stands as <task>)."""
        outcomes: list[tuple[Any, ...]] = []
        for uow in self.uows:
            args, kwargs = arguments(uow)
            try:
                outcomes.append(("ok", _normalise(call(uow, *args, **kwargs))))
            except ho.RoomOccupancyError as error:
                message, mask = error.message, masked(uow)
                if mask:
                    message = message.replace(mask, "<task>")
                outcomes.append(("error", type(error).__name__, message))
        for other in outcomes[1:]:
            assert other == outcomes[0], f"{call.__name__}{arguments(self.uows[0])}: {outcomes}"
        return outcomes[0]

    @rule(booking=bookings, room=rooms, by=staff, check_in=st.booleans(), rid=request_ids)
    def assign(self, booking: str, room: str, by: str, check_in: bool, rid: str | None) -> None:
        self.everywhere(services.assign_room, booking_id=booking, room_id=room, staff_id=by,
                        check_in=check_in, request_id=rid)  # fmt: skip

    @rule(booking=bookings, by=staff, note=notes)
    def check_in(self, booking: str, by: str, note: str) -> None:
        self.everywhere(services.check_in, booking_id=booking, staff_id=by, notes=note)

    @rule(booking=bookings, room=rooms, by=staff)
    def reassign(self, booking: str, room: str, by: str) -> None:
        self.everywhere(services.reassign_room, booking_id=booking, to_room_id=room, staff_id=by)

    @rule(booking=bookings, by=staff, rid=request_ids)
    def unassign(self, booking: str, by: str, rid: str | None) -> None:
        self.everywhere(services.unassign_room, booking_id=booking, staff_id=by, request_id=rid)

    @rule(source=rooms, to=rooms, by=staff)
    def move(self, source: str, to: str, by: str) -> None:
        self.everywhere(services.move_guest, from_room_id=source, to_room_id=to, staff_id=by)

    @rule(room=rooms, by=staff, rid=request_ids)
    def checkout(self, room: str, by: str, rid: str | None) -> None:
        self.everywhere(services.checkout_room, room_id=room, staff_id=by, request_id=rid)

    def _occupancies(self) -> list[ho.RoomOccupancy]:
        """Hotel H's occupancy records, by room id, as the in-memory adapter holds them (read
        from its snapshot: a query would read its clock, and the clocks must stay in step)."""
        found = [o for o in self.uows[0].snapshot().occupancies if o.hotel_id == "H"]
        return sorted(found, key=lambda o: o.room_id)

    def _rooms_where(self, data: st.DataObject, keep: Callable[[ho.RoomOccupancy], bool]) -> str:
        """A room of hotel H whose occupancy record passes ``keep`` (R1 if none does)."""
        found = [o.room_id for o in self._occupancies() if keep(o)]
        return data.draw(st.sampled_from(found)) if found else "R1"

    @rule(data=st.data())
    def a_walk_in_checks_into_a_clean_room(self, data: st.DataObject) -> None:
        room = self._rooms_where(data, lambda o: o.status is ho.OccupancyStatus.VACANT_CLEAN)
        arriving = [
            b.booking_id
            for b in self.uows[0].snapshot().bookings
            if b.hotel_id == "H" and b.checked_in_at is None
        ]
        booking = data.draw(st.sampled_from(arriving)) if arriving else "B1"
        self.everywhere(services.assign_room, booking_id=booking, room_id=room, staff_id="fd")

    @rule(data=st.data(), to=rooms, by=staff)
    def move_someone(self, data: st.DataObject, to: str, by: str) -> None:
        source = self._rooms_where(data, lambda o: o.status is ho.OccupancyStatus.OCCUPIED)
        self.everywhere(services.move_guest, from_room_id=source, to_room_id=to, staff_id=by)

    @rule(data=st.data(), by=staff)
    def checkout_someone(self, data: st.DataObject, by: str) -> None:
        room = self._rooms_where(data, lambda o: o.status is ho.OccupancyStatus.OCCUPIED)
        self.everywhere(services.checkout_room, room_id=room, staff_id=by)

    @rule(data=st.data(), by=staff)
    def clean_a_dirty_room(self, data: st.DataObject, by: str) -> None:
        room = self._rooms_where(data, lambda o: o.condition is ho.Condition.DIRTY)
        self.everywhere(services.start_cleaning, room_id=room, staff_id=by)
        self.everywhere(services.complete_cleaning, room_id=room, staff_id=by)

    @rule(room=rooms, by=staff)
    def mark_dirty(self, room: str, by: str) -> None:
        self.everywhere(services.mark_dirty, room_id=room, staff_id=by)

    @rule(room=rooms, by=staff)
    def start_cleaning(self, room: str, by: str) -> None:
        self.everywhere(services.start_cleaning, room_id=room, staff_id=by)

    @rule(room=rooms, by=staff)
    def complete_cleaning(self, room: str, by: str) -> None:
        self.everywhere(services.complete_cleaning, room_id=room, staff_id=by)

    @rule(room=rooms, by=staff, passed=st.booleans())
    def inspect(self, room: str, by: str, passed: bool) -> None:
        self.everywhere(services.inspect_room, room_id=room, staff_id=by, passed=passed)

    @rule(room=rooms, by=staff, maintenance=st.booleans(), until=st.none() | days,
          back=st.sampled_from(["DIRTY", "CLEAN", "INSPECTED"]))  # fmt: skip
    def take_out_of_service(
        self, room: str, by: str, maintenance: bool, until: date | None, back: str
    ) -> None:
        """Out of order or into maintenance; §10: until a day (not before today), the
        night audit of that day returning the room DIRTY or CLEAN (never INSPECTED)."""
        call = services.start_maintenance if maintenance else services.set_out_of_order
        self.everywhere(call, room_id=room, staff_id=by, reason="broken", until=until,
                        return_condition=back)  # fmt: skip

    @rule(room=rooms, by=staff, condition=st.sampled_from(["DIRTY", "CLEAN", "INSPECTED"]))
    def return_to_service(self, room: str, by: str, condition: str) -> None:
        self.everywhere(services.return_to_service, room_id=room, staff_id=by, condition=condition)

    # §9: the front desk ------------------------------------------------------------------

    @rule(booking=bookings, by=staff, arrival=st.none() | days, departure=st.none() | days,
          note=notes, rid=request_ids)  # fmt: skip
    def change_stay(
        self, booking: str, by: str, arrival: date | None, departure: date | None, note: str,
        rid: str | None,
    ) -> None:  # fmt: skip
        self.everywhere(services.change_stay, booking_id=booking, staff_id=by, arrival=arrival,
                        departure=departure, notes=note, request_id=rid)  # fmt: skip

    def _party(self, booking: str, edits: list[str]) -> list[ho.BookingGuest]:
        """The booking's party (as the in-memory adapter holds it) after ``edits``."""
        stored = {b.booking_id: b for b in self.uows[0].snapshot().bookings}
        party = list(stored[booking].party) if booking in stored else []
        for edit in edits:
            if edit == "join":
                party.append(ho.BookingGuest(f"J{next(self.joined)}", "Joining", "Guest"))
            elif edit == "taken":  # another booking's guest: ids are unique in the store
                party.append(ho.BookingGuest("B7-0" if booking != "B7" else "B8-0", "T", "K"))
            elif edit == "empty":
                party = []
            elif party and edit == "leave":
                party.pop()
            elif party and edit == "rename":
                first = party[0]
                party[0] = ho.BookingGuest(first.booking_guest_id, "Renamed", first.last_name)
            elif len(party) > 1 and edit == "new primary":
                party = [party[1], party[0], *party[2:]]
        return party

    @rule(booking=bookings, by=staff, edits=party_edits, note=notes, rid=request_ids)
    def update_party(
        self, booking: str, by: str, edits: list[str], note: str, rid: str | None
    ) -> None:
        party = self._party(booking, edits)
        self.everywhere(services.update_party, booking_id=booking, staff_id=by, party=party,
                        notes=note, request_id=rid)  # fmt: skip

    @rule(booking=bookings, by=staff, note=notes, no_show=st.booleans(), rid=request_ids)
    def close_booking(
        self, booking: str, by: str, note: str, no_show: bool, rid: str | None
    ) -> None:
        if no_show:
            self.everywhere(services.mark_no_show, booking_id=booking, staff_id=by, notes=note,
                            request_id=rid)  # fmt: skip
        else:
            self.everywhere(services.cancel_booking, booking_id=booking, staff_id=by,
                            reason=note, request_id=rid)  # fmt: skip

    @rule(booking=bookings, by=staff, rid=request_ids)
    def queue_arrival(self, booking: str, by: str, rid: str | None) -> None:
        self.everywhere(services.queue_arrival, booking_id=booking, staff_id=by, request_id=rid)

    @rule(data=st.data(), by=staff)
    def an_arrival_into_an_occupied_room(self, data: st.DataObject, by: str) -> None:
        """assign_room(check_in=False) onto an occupied room (its guest due out, or not)."""
        room = self._rooms_where(data, lambda o: o.status is ho.OccupancyStatus.OCCUPIED)
        booking = self._arriving(data, room)
        self.everywhere(services.assign_room, booking_id=booking, room_id=room, staff_id=by,
                        check_in=False)  # fmt: skip

    def _arriving(self, data: st.DataObject, room: str) -> str:
        """A booking of hotel H not yet arrived, nor assigned, nor closed, that fits the
        room (B1 if there is none)."""
        snapshot = self.uows[0].snapshot()
        held = {o.booking_id for o in snapshot.occupancies} | {
            o.arriving_booking_id for o in snapshot.occupancies
        }
        capacity = ROOMS.get(room)
        found = [
            b.booking_id
            for b in snapshot.bookings
            if b.hotel_id == "H"
            and b.checked_in_at is None
            and b.cancelled_at is None
            and b.no_show_at is None
            and b.booking_id not in held
            and (capacity is None or len(b.party) <= capacity)
        ]
        return data.draw(st.sampled_from(found)) if found else "B1"

    @rule(data=st.data(), check_in=st.booleans())
    def the_front_desk_seats_or_pre_assigns_someone(
        self, data: st.DataObject, check_in: bool
    ) -> None:
        """An arriving booking that fits a vacant room is assigned to it."""
        room = self._rooms_where(data, lambda o: o.booking_id is None and "VACANT" in o.status)
        self.everywhere(services.assign_room, booking_id=self._arriving(data, room),
                        room_id=room, staff_id="fd", check_in=check_in)  # fmt: skip

    @rule(data=st.data())
    def a_pre_assigned_guest_checks_in(self, data: st.DataObject) -> None:
        held = [o.booking_id for o in self._occupancies() if o.booking_id and not o.is_occupied]
        held += [o.arriving_booking_id for o in self._occupancies() if o.arriving_booking_id]
        booking = data.draw(st.sampled_from(held)) if held else "B1"
        self.everywhere(services.check_in, booking_id=booking, staff_id="fd")

    @rule(data=st.data(), departure=days, by=staff)
    def a_guest_in_house_changes_their_departure(
        self, data: st.DataObject, departure: date, by: str
    ) -> None:
        occupied = [o.booking_id for o in self._occupancies() if o.booking_id and o.is_occupied]
        booking = data.draw(st.sampled_from(occupied)) if occupied else "B1"
        self.everywhere(services.change_stay, booking_id=booking, staff_id=by, departure=departure)

    @rule(data=st.data(), by=staff, action=st.sampled_from(
        ["check_in", "unassign_room", "cancel_booking", "mark_no_show", "queue_arrival"]
    ))  # fmt: skip
    def an_arrival_awaiting_a_room(self, data: st.DataObject, by: str, action: str) -> None:
        """The booking an occupied room awaits: checked in (refused), unassigned, closed..."""
        awaited = [o.arriving_booking_id for o in self._occupancies() if o.arriving_booking_id]
        booking = data.draw(st.sampled_from(awaited)) if awaited else "B1"
        self.everywhere(getattr(services, action), booking_id=booking, staff_id=by)

    @rule(hotel=st.sampled_from(["H", "H2", "nope"]), enforce=st.booleans())
    def update_hotel(self, hotel: str, enforce: bool) -> None:
        self.everywhere(services.update_hotel, hotel_id=hotel, enforce_stay_dates=enforce)

    # §10: the housekeeping day -----------------------------------------------------------

    @rule(hotel=st.sampled_from(["H", "H2"]), every=st.integers(0, 3),
          checkout=st.integers(1, 3), stayover=st.integers(1, 2))  # fmt: skip
    def the_hotel_sets_its_housekeeping(
        self, hotel: str, every: int, checkout: int, stayover: int
    ) -> None:
        self.everywhere(services.update_hotel, hotel_id=hotel, stayover_every=every,
                        checkout_credits=checkout, stayover_credits=stayover)  # fmt: skip

    @rule(data=st.data(), by=staff, status=statuses, note=notes, rid=request_ids)
    def a_guest_asks_for_service_or_privacy(
        self, data: st.DataObject, by: str, status: Any, note: str, rid: str | None
    ) -> None:
        if not any(o.is_occupied for o in self._occupancies()):
            self.a_walk_in_checks_into_a_clean_room(data)
        occupied = self._rooms_where(data, lambda o: o.is_occupied)
        room = data.draw(st.sampled_from([occupied] * 6 + [*ROOMS, "X1"]))
        self.everywhere(services.set_service_status, room_id=room, staff_id=by, status=status,
                        notes=note, request_id=rid)  # fmt: skip

    @rule(room=rooms, by=staff, occupied=st.booleans(), guests=st.none() | st.integers(-1, 4),
          note=notes, rid=request_ids)  # fmt: skip
    def housekeeping_reports_what_it_saw(
        self, room: str, by: str, occupied: bool, guests: int | None, note: str, rid: str | None
    ) -> None:
        self.everywhere(services.report_room_observation, room_id=room, staff_id=by,
                        occupied=occupied, guests=guests, notes=note, request_id=rid)  # fmt: skip

    @rule(hotel=st.sampled_from(["H"] * 6 + ["H2", "nope"]), by=staff,
          back=st.sampled_from([0, 1, 1, 1, -1]), next_day=st.booleans())  # fmt: skip
    def the_night_audit(self, hotel: str, by: str, back: int, next_day: bool) -> None:
        """Mostly the day just over, after a day passed (the hotels keep UTC); again, or
        out of order, now and then."""
        if next_day:
            for clock in self.clocks:
                clock.advance(hours=24)
        day = self.clocks[0].now.date() - timedelta(days=back)
        self.everywhere(services.night_audit, hotel_id=hotel, business_date=day, staff_id=by)

    def _something_to_clean(self, data: st.DataObject) -> None:
        """Unless some task is open and unstarted, housekeeping marks a clean room dirty."""
        tasks = self.uows[0].snapshot().tasks
        if not any(t.status is ho.TaskStatus.OPEN for t in tasks):
            room = self._rooms_where(data, lambda o: o.condition is ho.Condition.CLEAN)
            self.everywhere(services.mark_dirty, room_id=room, staff_id="hk")

    def _task_key(self, data: st.DataObject) -> tuple[Any, ...] | None:
        """A task of the in-memory adapter by what it is (room, kind, when created): mostly
        an open one; None for an unknown id."""
        tasks = sorted(
            ((t.room_id, t.kind, t.created_at, t.is_open) for t in self.uows[0].snapshot().tasks),
            key=repr,
        )
        pool: list[tuple[Any, ...] | None] = [*[t for t in tasks if t[3]] * 4, *tasks, None]
        key: tuple[Any, ...] | None = data.draw(st.sampled_from(pool))
        return key

    @staticmethod
    def _task_id(uow: Any, key: tuple[Any, ...] | None) -> str:
        """The adapter's id of the task ``key`` names ("nope" for None)."""
        if key is None:
            return "nope"
        (found,) = [
            t.task_id
            for t in uow.snapshot().tasks
            if (t.room_id, t.kind, t.created_at, t.is_open) == key
        ]
        return str(found)

    @rule(data=st.data(), to=st.sampled_from(["hk", "sup"] * 3 + ["fd", "x2", "nope"]), by=staff,
          rid=request_ids)  # fmt: skip
    def a_supervisor_gives_a_task(
        self, data: st.DataObject, to: str, by: str, rid: str | None
    ) -> None:
        self._something_to_clean(data)
        key = self._task_key(data)
        self.each(
            services.assign_task,
            lambda uow: (
                (),
                {
                    "task_id": self._task_id(uow, key),
                    "assignee_id": to,
                    "staff_id": by,
                    "request_id": rid,
                },
            ),
            lambda uow: self._task_id(uow, key),
        )

    @rule(data=st.data(), hotel=st.sampled_from(["H"] * 6 + ["H2", "nope"]), team=attendants,
          by=staff, limit=st.sampled_from([None, None, 1, 2, 3, 0]), rid=request_ids)  # fmt: skip
    def worksheets_are_shared_out(
        self,
        data: st.DataObject,
        hotel: str,
        team: list[str],
        by: str,
        limit: int | None,
        rid: str | None,
    ) -> None:
        self._something_to_clean(data)
        self.everywhere(services.generate_worksheets, hotel_id=hotel, attendants=team,
                        staff_id=by, max_credits=limit, request_id=rid)  # fmt: skip

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        for clock in self.clocks:
            clock.advance(hours=hours)

    @rule(room=rooms, booking=bookings, day=days)
    def queries_agree(self, room: str, booking: str, day: date) -> None:
        for query in (services.get_occupancy, services.current_guests, services.room_history,
                      services.allowed_operations):  # fmt: skip
            self.everywhere(query, room)
        self.everywhere(services.room_board, "H")
        self.everywhere(services.open_tasks, "H")
        self.everywhere(services.booking_history, booking)
        self.everywhere(services.get_booking, booking)
        for hotel in ("H", "H2"):
            self.everywhere(services.arrivals, hotel, day)
            self.everywhere(services.departures, hotel, day)
            self.everywhere(services.in_house, hotel)
            self.everywhere(services.discrepancies, hotel)  # §10
        for member in ("hk", "sup", "mgr", "x2", "nope"):
            self.everywhere(services.worksheet, "H", member)

    @invariant()
    def every_adapter_stores_the_same_state(self) -> None:
        snapshots = [uow.snapshot() for uow in self.uows]
        states = [_state(s) for s in snapshots]
        for other in states[1:]:
            assert other == states[0]
        assert check_invariants(snapshots[0]) == []
        events = [[e.entry_id for e in n.events] for n in self.notifiers]
        assert all(e == events[0] for e in events)


LOCKSTEP_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _sqlite_engines(directory: Path) -> Callable[[], list[Engine]]:
    counter = itertools.count()

    def make() -> list[Engine]:
        engine = create_engine(f"sqlite:///{directory / f'lockstep-{next(counter)}.db'}")
        create_schema(engine)
        return [engine]

    return make


def test_in_memory_and_sqlite_agree_on_every_call_and_every_state(tmp_path: Path) -> None:
    """Random call sequences give equal results, errors and stored state on both adapters."""
    make = _sqlite_engines(tmp_path)
    machine = type("MemoryVsSqlite", (Lockstep,), {"make_engines": staticmethod(make)})
    run_state_machine_as_test(machine, settings=LOCKSTEP_SETTINGS)


def test_in_memory_sqlite_and_postgresql_agree_on_every_call_and_every_state(
    tmp_path: Path, postgres_engine: Engine
) -> None:
    """The same, with PostgreSQL as a third adapter."""
    make_sqlite = _sqlite_engines(tmp_path)
    tables = ", ".join(t.name for t in metadata.sorted_tables)

    def make() -> list[Engine]:
        with postgres_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return [*make_sqlite(), postgres_engine]

    machine = type("MemoryVsSqliteVsPostgres", (Lockstep,), {"make_engines": staticmethod(make)})
    run_state_machine_as_test(machine, settings=LOCKSTEP_SETTINGS)


def test_the_normalised_state_still_tells_different_stores_apart() -> None:
    """The comparison is not vacuous: one extra operation makes two stores differ."""
    clock_a, clock_b = FakeClock(), FakeClock()
    a, b = InMemoryUnitOfWork(clock=clock_a), InMemoryUnitOfWork(clock=clock_b)
    for uow in (a, b):
        services.register_hotel(uow, hotel_id="H", name="H")
        services.register_room(uow, hotel_id="H", room_id="R1", number="1")
        services.register_staff(uow, hotel_id="H", staff_id="hk", name="h", role="HOUSEKEEPING")
    assert _state(a.snapshot()) == _state(b.snapshot())
    services.mark_dirty(b, room_id="R1", staff_id="hk")
    assert _state(a.snapshot()) != _state(b.snapshot())

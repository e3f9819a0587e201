"""The contract on the ports, one method at a time.

Every other concern of the suite goes through the services, so a wrong repository method
shows there only as a wrong operation. Here each test calls one method of
:mod:`hotel_occupancy.services.ports` directly, inside ``with uow:``, with entities built
by hand, and checks what that method's docstring promises: the values it returns, their
order, None for what is missing, that ``update`` replaces the stored version, that an
``add`` left uncommitted is gone. Each test is named after the method it checks
(``test_guests_find_by_pin_...``), so a failure names the method to fix.

The rows a test needs first are stored through the same ports (a room after its hotel, a
guest after its booking, a log entry after its room, staff member and request), so a
database's foreign keys hold. These tests store hand-built rows that the services would
never write together, so the invariants are not checked after them.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.services.ports import RequestRecord
from hotel_occupancy.testing.contract.scene import (
    ARRIVAL,
    CLEAN,
    DEPARTURE,
    DEPARTURE_AT_11_UTC,
    DIRTY,
    MAINT,
    OCC,
    OOO,
    START,
    VC,
    VD,
    ContractUnitOfWork,
    Op,
    SteppingClock,
    UnitOfWorkFactory,
    canonical,
)

__all__ = ["PortContract", "PortScene"]

P = "P"
"""The hotel most port tests store their rows in."""

Q = "Q"
"""Another hotel, whose rows a lookup in hotel ``P`` must not find."""

OPEN = ho.TaskStatus.OPEN
IN_PROGRESS = ho.TaskStatus.IN_PROGRESS
DONE = ho.TaskStatus.DONE
PRIMARY = ho.GuestType.PRIMARY
COMPANION = ho.GuestType.COMPANION
HOUSEKEEPING = ho.StaffRole.HOUSEKEEPING
DND = ho.ServiceStatus.DND
MAKE_UP_ROOM = ho.ServiceStatus.MAKE_UP_ROOM
NO_SERVICE = ho.ServiceStatus.NONE
SKIP = ho.DiscrepancyKind.SKIP
SLEEP = ho.DiscrepancyKind.SLEEP
PERSON = ho.DiscrepancyKind.PERSON
NIGHT = ARRIVAL
"""The business date of the night audits the port cases record."""

Entity = (
    ho.Hotel
    | ho.Room
    | ho.Staff
    | ho.Booking
    | ho.RoomOccupancy
    | ho.Guest
    | ho.HousekeepingTask
    | RequestRecord
    | ho.NightAudit
)
"""What :meth:`PortScene.stored` can store (log entries are appended instead)."""


def at(minutes: int) -> datetime:
    """An instant ``minutes`` after the suite's start (microseconds included)."""
    return START + timedelta(minutes=minutes)


def hotel(hotel_id: str = P) -> ho.Hotel:
    return ho.Hotel(hotel_id=hotel_id, name=f"Hotel {hotel_id}")


def room(
    room_id: str, number: str | None = None, *, hotel_id: str = P, capacity: int | None = 2
) -> ho.Room:
    """A room numbered ``number`` (default: its id)."""
    return ho.Room(room_id=room_id, hotel_id=hotel_id, number=number or room_id, capacity=capacity)


def member(
    staff_id: str, *, hotel_id: str = P, role: ho.StaffRole = ho.StaffRole.FRONT_DESK
) -> ho.Staff:
    return ho.Staff(
        staff_id=staff_id, hotel_id=hotel_id, name=staff_id.upper(), role=role, active=True
    )


def booking(booking_id: str, *members: str, hotel_id: str = P) -> ho.Booking:
    """A booking from 10 to 12 March whose party has the ids ``<booking_id>-<member>`` in
    the order given (one member, ``a``, by default)."""
    return ho.Booking(
        booking_id=booking_id,
        hotel_id=hotel_id,
        reference=f"REF-{booking_id}",
        arrival=ARRIVAL,
        departure=DEPARTURE,
        party=tuple(
            ho.BookingGuest(f"{booking_id}-{m}", f"First-{m}", f"Last-{booking_id}")
            for m in members or ("a",)
        ),
    )


def occupancy(room_id: str, *, hotel_id: str = P, **changes: Any) -> ho.RoomOccupancy:
    """The record of a vacant clean room, with ``changes``."""
    record = ho.RoomOccupancy(
        room_id=room_id,
        hotel_id=hotel_id,
        status=VC,
        condition=CLEAN,
        created_at=at(0),
        updated_at=at(0),
    )
    return attrs.evolve(record, **changes)


def occupied(room_id: str, booking_id: str, *, hotel_id: str = P) -> ho.RoomOccupancy:
    """The record of a room the booking is in house in."""
    return occupancy(
        room_id,
        hotel_id=hotel_id,
        status=OCC,
        booking_id=booking_id,
        occupied_since=at(1),
        expected_checkout=DEPARTURE_AT_11_UTC,
        updated_at=at(1),
    )


def in_house(stay: ho.Booking, guest_ids: Sequence[str], pins: Sequence[str]) -> list[ho.Guest]:
    """In-house guest records for the booking's party, in party order (the first is the
    primary guest), with these ids and PINs."""
    return [
        ho.Guest(
            guest_id=guest_id,
            hotel_id=stay.hotel_id,
            booking_id=stay.booking_id,
            booking_guest_id=person.booking_guest_id,
            guest_type=PRIMARY if position == 0 else COMPANION,
            primary_guest_id=None if position == 0 else guest_ids[0],
            first_name=person.first_name,
            last_name=person.last_name,
            check_in_date=ARRIVAL,
            id_pin=pin,
        )
        for position, (guest_id, person, pin) in enumerate(
            zip(guest_ids, stay.party, pins, strict=True)
        )
    ]


def departed(guest: ho.Guest) -> ho.Guest:
    """The guest record after checkout: a check-out date, no PIN, no device token."""
    return attrs.evolve(guest, check_out_date=DEPARTURE, id_pin=None, device_token=None)


def task(
    task_id: str,
    room_id: str,
    *,
    hotel_id: str = P,
    kind: ho.TaskKind = ho.TaskKind.CLEANING,
    status: ho.TaskStatus = OPEN,
    created: int = 0,
) -> ho.HousekeepingTask:
    """A task created ``created`` minutes after the start."""
    return ho.HousekeepingTask(
        task_id=task_id,
        hotel_id=hotel_id,
        room_id=room_id,
        kind=kind,
        status=status,
        created_at=at(created),
        updated_at=at(created),
    )


def draft(
    room_id: str,
    operation: ho.Operation = Op.STATUS_CHANGE,
    *,
    hotel_id: str = P,
    performed_by: str = "pfd",
    minute: int = 0,
    **changes: Any,
) -> ho.LogEntry:
    """A log entry to append (its ``id`` is ignored): a room found dirty, by default."""
    entry = ho.LogEntry(
        id=0,
        hotel_id=hotel_id,
        room_id=room_id,
        operation=operation,
        performed_by=performed_by,
        status_before=VC,
        status_after=VD,
        condition_before=CLEAN,
        condition_after=DIRTY,
        timestamp=at(minute),
    )
    return attrs.evolve(entry, **changes)


def request(request_id: str, *, hotel_id: str = P) -> RequestRecord:
    return RequestRecord(
        request_id=request_id,
        action="mark_dirty",
        fingerprint=f"fingerprint-of-{request_id}",
        hotel_id=hotel_id,
        created_at=at(0),
    )


def night(
    day: date = NIGHT, *, hotel_id: str = P, performed_by: str = "pfd", minute: int = 5
) -> ho.NightAudit:
    """The record of the hotel's night audit of ``day``, done ``minute`` minutes after the
    start."""
    return ho.NightAudit(
        hotel_id=hotel_id,
        business_date=day,
        performed_by=performed_by,
        performed_at=at(minute),
        rooms_changed=2,
    )


def audited(
    room_id: str,
    day: date = NIGHT,
    *,
    minute: int = 5,
    booking_id: str | None = "B1",
    **changes: Any,
) -> ho.LogEntry:
    """A night audit's entry on the room (the stayover cleaning of ``booking_id``) for
    ``day``, timed ``minute`` minutes after the start."""
    return draft(
        room_id,
        Op.NIGHT_AUDIT,
        minute=minute,
        status_before=OCC,
        status_after=OCC,
        booking_id=booking_id,
        metadata={"action": "night_audit", "variant": "stayover", "business_date": day.isoformat()},
        **changes,
    )


def event(entry_id: int) -> ho.OccupancyEvent:
    """An event to emit (it announces nothing stored: the unit of work only carries it)."""
    return ho.OccupancyEvent.from_entry(draft("P1", id=entry_id))


def by_id(tasks: Sequence[ho.HousekeepingTask]) -> list[ho.HousekeepingTask]:
    return sorted(tasks, key=operator.attrgetter("task_id"))


class PortScene:
    """A unit of work over empty storage, its clock and notifier, and ways to store rows
    through its ports."""

    def __init__(
        self, uow: ContractUnitOfWork, clock: SteppingClock, notifier: RecordingNotifier
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.notifier = notifier

    def add(self, entity: Entity) -> None:
        """Add one entity through its repository, in the current transaction."""
        uow = self.uow
        if isinstance(entity, ho.Hotel):
            uow.hotels.add(entity)
        elif isinstance(entity, ho.Room):
            uow.rooms.add(entity)
        elif isinstance(entity, ho.Staff):
            uow.staff.add(entity)
        elif isinstance(entity, ho.Booking):
            uow.bookings.add(entity)
        elif isinstance(entity, ho.RoomOccupancy):
            uow.occupancies.add(entity)
        elif isinstance(entity, ho.Guest):
            uow.guests.add_many([entity])
        elif isinstance(entity, ho.HousekeepingTask):
            uow.tasks.add(entity)
        elif isinstance(entity, ho.NightAudit):
            uow.audits.add(entity)
        else:
            uow.requests.add(entity)

    def stored(self, *entities: Entity) -> None:
        """Add the entities, in the order given, in one committed transaction."""
        with self.uow:
            for entity in entities:
                self.add(entity)
            self.uow.commit()

    def appended(self, *drafts: ho.LogEntry) -> tuple[ho.LogEntry, ...]:
        """Append the drafts to the log in one committed transaction; the stored entries."""
        with self.uow:
            entries = self.uow.log.append(drafts)
            self.uow.commit()
        return entries

    def hotel_with_rooms(self, *room_ids: str) -> None:
        """Hotel ``P`` with the rooms (each with a vacant clean record) and a front-desk
        agent ``pfd``."""
        self.stored(
            hotel(),
            member("pfd"),
            *(room(r) for r in room_ids),
            *(occupancy(r) for r in room_ids),
        )


def guests_of_two_hotels(port_scene: PortScene) -> tuple[ho.Guest, ho.Guest]:
    """Store in hotel P an in-house guest with PIN 111111 and a departed one, in hotel Q an
    in-house guest with PIN 222222; return the two in-house guests."""
    ours, theirs = booking("B1", "a", "b"), booking("B2", hotel_id=Q)
    here, gone = in_house(ours, ["G1", "G2"], ["111111", "333333"])
    there = in_house(theirs, ["G3"], ["222222"])[0]
    port_scene.stored(hotel(P), hotel(Q), ours, theirs, here, departed(gone), there)
    return here, there


class PortContract:
    """One small case per method of the ports: the repositories, the unit of work and
    ``snapshot()``. Needs only the ``uow_factory`` fixture."""

    @pytest.fixture
    def port_scene(self, uow_factory: UnitOfWorkFactory) -> PortScene:
        """A unit of work of the adapter under test over empty storage."""
        clock = SteppingClock()
        notifier = RecordingNotifier()
        return PortScene(uow_factory(clock=clock, notifier=notifier), clock, notifier)

    # --- hotels ---------------------------------------------------------------------------

    def test_hotels_get_returns_the_stored_hotel_and_none_for_an_unknown_id(
        self, port_scene: PortScene
    ) -> None:
        """hotels.get returns every field of the stored hotel, None for an unknown id."""
        paris = ho.Hotel(
            hotel_id=P,
            name="Hôtel de Paris",
            require_inspection=True,
            timezone="Europe/Paris",
            checkout_time=time(10, 30),
        )
        port_scene.stored(paris, hotel(Q))
        uow = port_scene.uow
        with uow.reading():
            assert uow.hotels.get(P) == paris
            assert uow.hotels.get(Q) == hotel(Q)
            assert uow.hotels.get("NOPE") is None

    def test_hotels_add_keeps_a_committed_hotel_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """hotels.add stores a hotel seen at once; left uncommitted, the hotel is gone."""
        uow = port_scene.uow
        with uow:
            uow.hotels.add(hotel(P))
            assert uow.hotels.get(P) == hotel(P)
            uow.commit()
        with uow:
            uow.hotels.add(hotel(Q))
            assert uow.hotels.get(Q) == hotel(Q)
        with uow.reading():
            assert uow.hotels.get(P) == hotel(P)
            assert uow.hotels.get(Q) is None

    # --- rooms ----------------------------------------------------------------------------

    def test_rooms_get_returns_the_stored_room_and_none_for_an_unknown_id(
        self, port_scene: PortScene
    ) -> None:
        """rooms.get returns the stored room, with or without a capacity, or None."""
        port_scene.stored(hotel(), room("P1", "1", capacity=3), room("P2", "2", capacity=None))
        uow = port_scene.uow
        with uow.reading():
            assert uow.rooms.get("P1") == room("P1", "1", capacity=3)
            assert uow.rooms.get("P2") == room("P2", "2", capacity=None)
            assert uow.rooms.get("NOPE") is None

    def test_rooms_number_taken_is_true_only_for_a_number_of_that_hotel(
        self, port_scene: PortScene
    ) -> None:
        """rooms.number_taken is true for a number of that hotel only."""
        port_scene.stored(hotel(P), hotel(Q), room("P1", "101"))
        uow = port_scene.uow
        with uow.reading():
            assert uow.rooms.number_taken(P, "101") is True
            assert uow.rooms.number_taken(P, "102") is False
            assert uow.rooms.number_taken(Q, "101") is False

    def test_rooms_add_keeps_a_committed_room_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """rooms.add stores a room seen at once; left uncommitted, it and its number are gone."""
        port_scene.stored(hotel())
        uow = port_scene.uow
        with uow:
            uow.rooms.add(room("P1", "1"))
            assert uow.rooms.get("P1") == room("P1", "1")
            uow.commit()
        with uow:
            uow.rooms.add(room("P2", "2"))
            assert uow.rooms.number_taken(P, "2") is True
        with uow.reading():
            assert uow.rooms.get("P1") == room("P1", "1")
            assert uow.rooms.get("P2") is None
            assert uow.rooms.number_taken(P, "2") is False

    def test_rooms_update_replaces_the_stored_room_and_its_number(
        self, port_scene: PortScene
    ) -> None:
        """rooms.update replaces that room only, its old number freed and the new one taken;
        left uncommitted, it is undone."""
        port_scene.stored(hotel(), room("P1", "1", capacity=2), room("P2", "2"))
        changed = room("P1", "10", capacity=None)
        uow = port_scene.uow
        with uow:
            uow.rooms.update(changed)
            assert uow.rooms.get("P1") == changed
            assert uow.rooms.by_number(P, "10") == changed
            assert uow.rooms.number_taken(P, "1") is False
            uow.commit()
        with uow:
            uow.rooms.update(room("P1", "1", capacity=3))
        with uow.reading():
            assert uow.rooms.get("P1") == changed
            assert uow.rooms.number_taken(P, "1") is False
            assert uow.rooms.get("P2") == room("P2", "2")

    # --- staff ----------------------------------------------------------------------------

    def test_staff_get_returns_the_stored_member_and_none_for_an_unknown_id(
        self, port_scene: PortScene
    ) -> None:
        """staff.get returns the stored member with role and active flag, or None."""
        gone = attrs.evolve(member("phk", role=ho.StaffRole.HOUSEKEEPING), active=False)
        port_scene.stored(hotel(), member("pfd"), gone)
        uow = port_scene.uow
        with uow.reading():
            assert uow.staff.get("pfd") == member("pfd")
            assert uow.staff.get("phk") == gone
            assert uow.staff.get("NOPE") is None

    def test_staff_add_keeps_a_committed_member_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """staff.add stores a member seen at once; left uncommitted, the member is gone."""
        port_scene.stored(hotel())
        uow = port_scene.uow
        with uow:
            uow.staff.add(member("pfd"))
            assert uow.staff.get("pfd") == member("pfd")
            uow.commit()
        with uow:
            uow.staff.add(member("pmgr"))
            assert uow.staff.get("pmgr") == member("pmgr")
        with uow.reading():
            assert uow.staff.get("pfd") == member("pfd")
            assert uow.staff.get("pmgr") is None

    def test_staff_update_replaces_the_stored_member(self, port_scene: PortScene) -> None:
        """staff.update replaces the member with that id only; left uncommitted, it is undone."""
        port_scene.stored(hotel(), member("pfd"), member("pmgr", role=ho.StaffRole.MANAGER))
        changed = attrs.evolve(
            member("pfd"), name="Renamed", role=ho.StaffRole.SUPERVISOR, active=False
        )
        uow = port_scene.uow
        with uow:
            assert uow.staff.get("pfd") == member("pfd")
            uow.staff.update(changed)
            assert uow.staff.get("pfd") == changed
            uow.commit()
        with uow:
            uow.staff.update(member("pfd"))
        with uow.reading():
            assert uow.staff.get("pfd") == changed
            assert uow.staff.get("pmgr") == member("pmgr", role=ho.StaffRole.MANAGER)

    # --- bookings -------------------------------------------------------------------------

    def test_bookings_get_returns_the_booking_with_its_party_in_order_or_none(
        self, port_scene: PortScene
    ) -> None:
        """bookings.get returns every field and the party in its order, or None."""
        stayed = attrs.evolve(
            booking("B1", "z", "a", "m"), checked_in_at=at(1), moved_at=at(2), checked_out_at=at(3)
        )
        port_scene.stored(hotel(), stayed, booking("B2"))
        uow = port_scene.uow
        with uow.reading():
            found = uow.bookings.get("B1")
            assert found == stayed
            assert found is not None
            assert [m.booking_guest_id for m in found.party] == ["B1-z", "B1-a", "B1-m"]
            assert uow.bookings.get("B2") == booking("B2")
            assert uow.bookings.get("NOPE") is None

    def test_bookings_guest_ids_taken_names_the_party_ids_some_booking_uses(
        self, port_scene: PortScene
    ) -> None:
        """bookings.guest_ids_taken: those of the ids that some booking's party uses."""
        port_scene.stored(hotel(P), hotel(Q), booking("B1", "x", "y"), booking("B2", hotel_id=Q))
        uow = port_scene.uow
        with uow.reading():
            taken = uow.bookings.guest_ids_taken(["B1-y", "B2-a", "free", "B1-free"])
            assert taken == {"B1-y", "B2-a"}
            assert uow.bookings.guest_ids_taken(["free"]) == set()
            assert uow.bookings.guest_ids_taken([]) == set()

    def test_bookings_add_keeps_a_committed_booking_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """bookings.add stores a booking seen at once; left uncommitted, it and its party go."""
        port_scene.stored(hotel())
        uow = port_scene.uow
        with uow:
            uow.bookings.add(booking("B1", "a", "b"))
            assert uow.bookings.get("B1") == booking("B1", "a", "b")
            uow.commit()
        with uow:
            uow.bookings.add(booking("B2", "a", "b"))
            assert uow.bookings.guest_ids_taken(["B2-b"]) == {"B2-b"}
        with uow.reading():
            assert uow.bookings.get("B1") == booking("B1", "a", "b")
            assert uow.bookings.get("B2") is None
            assert uow.bookings.guest_ids_taken(["B1-a", "B2-a", "B2-b"]) == {"B1-a"}

    def test_bookings_update_replaces_the_stored_booking(self, port_scene: PortScene) -> None:
        """bookings.update replaces the booking with that id only, setting and clearing times."""
        port_scene.stored(hotel(), booking("B1", "a", "b"), booking("B2"))
        arrived = attrs.evolve(booking("B1", "a", "b"), checked_in_at=at(1), moved_at=at(2))
        undone = attrs.evolve(arrived, checked_in_at=None, moved_at=None)
        uow = port_scene.uow
        with uow:
            assert uow.bookings.get("B1") == booking("B1", "a", "b")
            uow.bookings.update(arrived)
            assert uow.bookings.get("B1") == arrived
            uow.commit()
        with uow.reading():
            assert uow.bookings.get("B1") == arrived
        with uow:
            assert uow.bookings.get("B1") == arrived
            uow.bookings.update(undone)
            uow.commit()
        with uow.reading():
            assert uow.bookings.get("B1") == undone
            assert uow.bookings.get("B2") == booking("B2")

    # --- occupancies ----------------------------------------------------------------------

    def test_occupancies_get_returns_the_rooms_record_and_none_for_an_unknown_room(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.get returns every field of the room's record, or None."""
        record = occupancy(
            "P1",
            status=OCC,
            condition=DIRTY,
            booking_id="B1",
            occupied_since=at(1),
            expected_checkout=DEPARTURE_AT_11_UTC,
            assigned_by="pfd",
            last_cleaned_by="phk",
            last_cleaned_at=at(2),
            last_inspected_by="psup",
            last_inspected_at=at(3),
            updated_at=at(4),
        )
        port_scene.stored(
            hotel(),
            member("pfd"),
            member("phk", role=ho.StaffRole.HOUSEKEEPING),
            member("psup", role=ho.StaffRole.SUPERVISOR),
            room("P1"),
            room("P2"),
            booking("B1"),
            record,
            occupancy("P2"),
        )
        uow = port_scene.uow
        with uow.reading():
            assert uow.occupancies.get("P1") == record
            assert uow.occupancies.get("P2") == occupancy("P2")
            assert uow.occupancies.get("NOPE") is None

    def test_occupancies_for_booking_finds_the_record_holding_the_booking(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.for_booking: the record holding the booking, arriving or in house."""
        arriving = occupancy("P1", booking_id="B1", assigned_by="pfd")
        port_scene.stored(
            hotel(),
            member("pfd"),
            *(room(r) for r in ("P1", "P2", "P3")),
            *(booking(b) for b in ("B1", "B2", "B3")),
            arriving,
            occupied("P2", "B2"),
            occupancy("P3"),
        )
        uow = port_scene.uow
        with uow.reading():
            assert uow.occupancies.for_booking("B1") == arriving
            assert uow.occupancies.for_booking("B2") == occupied("P2", "B2")
            assert uow.occupancies.for_booking("B3") is None
            assert uow.occupancies.for_booking("NOPE") is None

    def test_occupancies_board_has_one_row_per_room_of_the_hotel(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.board: one row per room of the hotel, in-house guests counted."""
        in_house_stay = booking("B1", "a", "b", "c")
        guests = in_house(in_house_stay, ["G1", "G2", "G3"], ["111111", "222222", "333333"])
        port_scene.stored(
            hotel(P),
            hotel(Q),
            room("P1", "1"),
            room("P2", "2"),
            room("P3", "10"),
            room("Q1", "1", hotel_id=Q),
            in_house_stay,
            booking("B2"),
            occupied("P1", "B1"),
            occupancy("P2", booking_id="B2"),
            occupancy("P3", status=VD, condition=DIRTY),
            occupancy("Q1", hotel_id=Q),
            guests[0],
            guests[1],
            departed(guests[2]),
        )
        uow = port_scene.uow
        with uow.reading():
            board = sorted(uow.occupancies.board(P), key=operator.attrgetter("room_id"))
            elsewhere = list(uow.occupancies.board(Q))
        assert board == [
            ho.BoardRow("P1", "1", OCC, CLEAN, "B1", "REF-B1", 2, DEPARTURE_AT_11_UTC),
            ho.BoardRow("P2", "2", VC, CLEAN, "B2", "REF-B2", 0, None),
            ho.BoardRow("P3", "10", VD, DIRTY, None, None, 0, None),
        ]
        assert elsewhere == [ho.BoardRow("Q1", "1", VC, CLEAN, None, None, 0, None)]

    def test_occupancies_add_keeps_a_committed_record_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.add stores a record seen at once; left uncommitted, it is gone."""
        port_scene.stored(hotel(), room("P1"), room("P2"))
        uow = port_scene.uow
        with uow:
            uow.occupancies.add(occupancy("P1"))
            assert uow.occupancies.get("P1") == occupancy("P1")
            uow.commit()
        with uow:
            uow.occupancies.add(occupancy("P2"))
            assert uow.occupancies.get("P2") == occupancy("P2")
        with uow.reading():
            assert uow.occupancies.get("P1") == occupancy("P1")
            assert uow.occupancies.get("P2") is None

    def test_occupancies_update_replaces_the_rooms_record(self, port_scene: PortScene) -> None:
        """occupancies.update replaces the room's record only, setting and clearing fields."""
        port_scene.hotel_with_rooms("P1", "P2")
        port_scene.stored(booking("B1"))
        checked_in = attrs.evolve(occupied("P1", "B1"), assigned_by="pfd")
        vacated = attrs.evolve(
            checked_in,
            status=VD,
            condition=DIRTY,
            booking_id=None,
            occupied_since=None,
            expected_checkout=None,
            updated_at=at(2),
        )
        uow = port_scene.uow
        with uow:
            assert uow.occupancies.get("P1") == occupancy("P1")
            uow.occupancies.update(checked_in)
            assert uow.occupancies.get("P1") == checked_in
            uow.commit()
        with uow.reading():
            assert uow.occupancies.for_booking("B1") == checked_in
        with uow:
            assert uow.occupancies.get("P1") == checked_in
            uow.occupancies.update(vacated)
            uow.commit()
        with uow.reading():
            assert uow.occupancies.get("P1") == vacated
            assert uow.occupancies.for_booking("B1") is None
            assert uow.occupancies.get("P2") == occupancy("P2")

    def test_occupancies_for_hotel_lists_the_hotels_records_in_room_id_order(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.for_hotel: every record of the hotel, in ascending room id, with the
        housekeeping day's fields; none of another hotel's."""
        asked = attrs.evolve(
            occupied("P2", "B1"),
            service_status=DND,
            discrepancy=PERSON,
            discrepancy_by="phk",
            discrepancy_at=at(2),
            observed_guests=3,
            updated_at=at(2),
        )
        sleeper = occupancy("P1", discrepancy=SLEEP, discrepancy_by="phk", discrepancy_at=at(3))
        window = occupancy("P3", status=OOO, out_of_service_until=DEPARTURE, return_condition=CLEAN)
        elsewhere = occupancy("Q1", hotel_id=Q)
        port_scene.stored(
            hotel(P),
            hotel(Q),
            member("phk", role=HOUSEKEEPING),
            *(room(r) for r in ("P3", "P1", "P2")),
            room("Q1", hotel_id=Q),
            booking("B1"),
            window,
            elsewhere,
            asked,
            sleeper,
        )
        uow = port_scene.uow
        with uow:  # in a write transaction (where an adapter with row locks takes them)
            assert list(uow.occupancies.for_hotel(P)) == [sleeper, asked, window]
        with uow.reading():
            assert list(uow.occupancies.for_hotel(P)) == [sleeper, asked, window]
            assert list(uow.occupancies.for_hotel(Q)) == [elsewhere]
            assert list(uow.occupancies.for_hotel("NOPE")) == []

    def test_occupancies_update_many_replaces_those_rooms_records_only(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.update_many replaces the records given, setting and clearing the
        housekeeping day's fields, and no others; left uncommitted, it is undone."""
        port_scene.hotel_with_rooms("P1", "P2", "P3")
        port_scene.stored(member("phk", role=HOUSEKEEPING), booking("B1"))
        asked = attrs.evolve(
            occupied("P1", "B1"),
            service_status=MAKE_UP_ROOM,
            discrepancy=SKIP,
            discrepancy_by="phk",
            discrepancy_at=at(2),
            updated_at=at(2),
        )
        repaired = occupancy(
            "P3",
            status=MAINT,
            out_of_service_until=DEPARTURE,
            return_condition=DIRTY,
            updated_at=at(2),
        )
        reset = attrs.evolve(
            asked,
            condition=DIRTY,
            service_status=NO_SERVICE,
            discrepancy=None,
            discrepancy_by=None,
            discrepancy_at=None,
            updated_at=at(3),
        )
        returned = occupancy("P3", status=VD, condition=DIRTY, updated_at=at(3))
        uow = port_scene.uow
        with uow:
            uow.occupancies.update_many([asked, repaired])
            assert [uow.occupancies.get("P1"), uow.occupancies.get("P3")] == [asked, repaired]
            uow.commit()
        with uow.reading():
            assert list(uow.occupancies.for_hotel(P)) == [asked, occupancy("P2"), repaired]
        with uow:
            uow.occupancies.update_many([reset, returned])
            assert uow.occupancies.get("P1") == reset
        with uow:
            uow.occupancies.update_many([])
            assert list(uow.occupancies.for_hotel(P)) == [asked, occupancy("P2"), repaired]
            uow.occupancies.update_many([reset, returned])
            uow.commit()
        with uow.reading():
            assert list(uow.occupancies.for_hotel(P)) == [reset, occupancy("P2"), returned]

    def test_occupancies_board_carries_service_status_discrepancy_and_queue(
        self, port_scene: PortScene
    ) -> None:
        """occupancies.board: each row's service status and open discrepancy, and whether
        the booking awaiting the room (pre-assigned, or arriving) is queued."""
        in_house_stay, arriving = booking("B1"), attrs.evolve(booking("B2"), queued_at=at(3))
        waiting, unhurried = attrs.evolve(booking("B3"), queued_at=at(4)), booking("B4")
        port_scene.stored(
            hotel(),
            member("phk", role=HOUSEKEEPING),
            *(room(r) for r in ("P1", "P2", "P3", "P4")),
            in_house_stay,
            arriving,
            waiting,
            unhurried,
            attrs.evolve(
                occupied("P1", "B1"),
                arriving_booking_id="B2",
                service_status=DND,
                discrepancy=SKIP,
                discrepancy_by="phk",
                discrepancy_at=at(2),
            ),
            occupancy("P2", booking_id="B3"),
            occupancy("P3", booking_id="B4"),
            occupancy("P4", discrepancy=SLEEP, discrepancy_by="phk", discrepancy_at=at(2)),
        )
        uow = port_scene.uow
        with uow.reading():
            board = sorted(uow.occupancies.board(P), key=operator.attrgetter("room_id"))
        assert [(r.room_id, r.service_status, r.discrepancy, r.queued) for r in board] == [
            ("P1", DND, SKIP, True),
            ("P2", NO_SERVICE, None, True),
            ("P3", NO_SERVICE, None, False),
            ("P4", NO_SERVICE, SLEEP, False),
        ]
        assert board[0].arriving_booking_id == "B2"

    # --- guests ---------------------------------------------------------------------------

    def test_guests_get_returns_the_stored_guest_and_none_for_an_unknown_id(
        self, port_scene: PortScene
    ) -> None:
        """guests.get returns every field of the guest record, or None."""
        stay = booking("B1", "a", "b")
        primary, companion = in_house(stay, ["G1", "G2"], ["111111", "222222"])
        primary = attrs.evolve(primary, device_token="token-1")
        port_scene.stored(hotel(), stay, primary, companion)
        uow = port_scene.uow
        with uow.reading():
            assert uow.guests.get("G1") == primary
            assert uow.guests.get("G2") == companion
            assert uow.guests.get("NOPE") is None

    def test_guests_for_booking_lists_primary_first_then_in_party_order(
        self, port_scene: PortScene
    ) -> None:
        """guests.for_booking: all the booking's records, primary first, then in party order."""
        stay = booking("B1", "z", "a", "m")
        primary, second, third = in_house(
            stay, ["G-c", "G-b", "G-a"], ["111111", "222222", "333333"]
        )
        third = departed(third)
        other = booking("B2")
        port_scene.stored(
            hotel(),
            stay,
            other,
            booking("B3"),
            primary,
            third,
            second,
            *in_house(other, ["G-0"], ["444444"]),
        )
        uow = port_scene.uow
        with uow.reading():
            assert list(uow.guests.for_booking("B1")) == [primary, second, third]
            assert list(uow.guests.for_booking("B3")) == []

    def test_guests_pins_in_use_names_the_pins_in_house_guests_of_the_hotel_hold(
        self, port_scene: PortScene
    ) -> None:
        """guests.pins_in_use: those of the PINs that in-house guests of that hotel hold."""
        guests_of_two_hotels(port_scene)
        uow = port_scene.uow
        with uow.reading():
            assert uow.guests.pins_in_use(P, ["111111", "222222", "999999"]) == {"111111"}
            assert uow.guests.pins_in_use(Q, ["111111", "222222"]) == {"222222"}
            assert uow.guests.pins_in_use(P, ["999999"]) == set()
            assert uow.guests.pins_in_use(P, []) == set()

    def test_guests_find_by_pin_returns_the_in_house_guest_of_that_hotel(
        self, port_scene: PortScene
    ) -> None:
        """guests.find_by_pin returns the hotel's in-house guest holding the PIN, or None."""
        ours, theirs = guests_of_two_hotels(port_scene)
        uow = port_scene.uow
        with uow.reading():
            assert uow.guests.find_by_pin(P, "111111") == ours
            assert uow.guests.find_by_pin(Q, "222222") == theirs
            assert uow.guests.find_by_pin(Q, "111111") is None
            assert uow.guests.find_by_pin(P, "999999") is None

    def test_guests_add_many_keeps_committed_guests_and_drops_uncommitted_ones(
        self, port_scene: PortScene
    ) -> None:
        """guests.add_many stores records seen at once; left uncommitted, they are gone."""
        kept, dropped = booking("B1", "a", "b"), booking("B2", "a", "b")
        port_scene.stored(hotel(), kept, dropped)
        stay = in_house(kept, ["G1", "G2"], ["111111", "222222"])
        undone = in_house(dropped, ["G3", "G4"], ["333333", "444444"])
        uow = port_scene.uow
        with uow:
            uow.guests.add_many(stay)
            assert [uow.guests.get("G1"), uow.guests.get("G2")] == stay
            uow.commit()
        with uow:
            uow.guests.add_many(undone)
            assert uow.guests.get("G4") == undone[1]
        with uow.reading():
            assert list(uow.guests.for_booking("B1")) == stay
            assert uow.guests.get("G3") is None
            assert uow.guests.get("G4") is None
            assert uow.guests.pins_in_use(P, ["333333", "444444"]) == set()

    def test_guests_update_many_replaces_the_stored_guests(self, port_scene: PortScene) -> None:
        """guests.update_many replaces the records with those ids, and only those."""
        stay, other = booking("B1", "a", "b"), booking("B2")
        primary, companion = in_house(stay, ["G1", "G2"], ["111111", "222222"])
        bystander = in_house(other, ["G3"], ["333333"])[0]
        port_scene.stored(hotel(), stay, other, primary, companion, bystander)
        changed = [attrs.evolve(primary, device_token="token-1"), departed(companion)]
        uow = port_scene.uow
        with uow:
            uow.guests.update_many(changed)
            assert [uow.guests.get("G1"), uow.guests.get("G2")] == changed
            uow.commit()
        with uow.reading():
            assert list(uow.guests.for_booking("B1")) == changed
            assert uow.guests.get("G3") == bystander
            assert uow.guests.find_by_pin(P, "222222") is None
            assert uow.guests.pins_in_use(P, ["111111", "222222"]) == {"111111"}

    def test_guests_remove_many_deletes_the_named_guests_only(self, port_scene: PortScene) -> None:
        """guests.remove_many deletes the records named, freeing their PINs, and no others."""
        stay, other = booking("B1", "a", "b"), booking("B2")
        primary, companion = in_house(stay, ["G1", "G2"], ["111111", "222222"])
        bystander = in_house(other, ["G3"], ["333333"])[0]
        port_scene.stored(hotel(), stay, other, primary, companion, bystander)
        uow = port_scene.uow
        with uow:
            uow.guests.remove_many(["G1", "G2"])
            assert uow.guests.get("G1") is None
            uow.commit()
        with uow.reading():
            assert uow.guests.get("G1") is None
            assert uow.guests.get("G2") is None
            assert list(uow.guests.for_booking("B1")) == []
            assert uow.guests.pins_in_use(P, ["111111", "222222", "333333"]) == {"333333"}
            assert uow.guests.get("G3") == bystander

    # --- tasks ----------------------------------------------------------------------------

    def test_tasks_open_for_room_lists_the_rooms_open_tasks_oldest_first(
        self, port_scene: PortScene
    ) -> None:
        """tasks.open_for_room: the room's open tasks by creation time, then by task id."""
        port_scene.hotel_with_rooms("P1", "P2", "P3")
        inspection, maintenance = ho.TaskKind.INSPECTION, ho.TaskKind.MAINTENANCE
        cleaning = task("t-a", "P1", status=IN_PROGRESS, created=3)
        later = task("t-c", "P1", kind=inspection, created=2)
        earlier = task("t-b", "P1", kind=inspection, created=2)
        repair = task("t-d", "P1", kind=maintenance, created=1)
        port_scene.stored(
            cleaning,
            task("t-0", "P1", status=DONE),
            later,
            task("t-1", "P1", kind=ho.TaskKind.TURNOVER, status=ho.TaskStatus.CANCELLED),
            repair,
            earlier,
            task("t-2", "P2"),
        )
        uow = port_scene.uow
        with uow.reading():
            assert list(uow.tasks.open_for_room("P1")) == [repair, earlier, later, cleaning]
            assert list(uow.tasks.open_for_room("P3")) == []

    def test_tasks_open_for_hotel_lists_the_hotels_open_tasks(self, port_scene: PortScene) -> None:
        """tasks.open_for_hotel: the hotel's OPEN and IN_PROGRESS tasks, in any order."""
        port_scene.hotel_with_rooms("P1", "P2")
        port_scene.stored(hotel(Q), room("Q1", hotel_id=Q))
        first = task("t-b", "P1")
        second = task("t-a", "P2", status=IN_PROGRESS, created=1)
        port_scene.stored(
            first, second, task("t-c", "P2", status=DONE), task("t-d", "Q1", hotel_id=Q)
        )
        uow = port_scene.uow
        with uow.reading():
            assert by_id(uow.tasks.open_for_hotel(P)) == [second, first]
            assert [t.task_id for t in uow.tasks.open_for_hotel(Q)] == ["t-d"]

    def test_tasks_add_keeps_a_committed_task_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """tasks.add stores a task seen at once; left uncommitted, the task is gone."""
        port_scene.hotel_with_rooms("P1", "P2")
        uow = port_scene.uow
        with uow:
            uow.tasks.add(task("t-1", "P1"))
            assert list(uow.tasks.open_for_room("P1")) == [task("t-1", "P1")]
            uow.commit()
        with uow:
            uow.tasks.add(task("t-2", "P2"))
            assert list(uow.tasks.open_for_room("P2")) == [task("t-2", "P2")]
        with uow.reading():
            assert by_id(uow.tasks.open_for_hotel(P)) == [task("t-1", "P1")]
            assert list(uow.tasks.open_for_room("P2")) == []

    def test_tasks_update_replaces_the_stored_task(self, port_scene: PortScene) -> None:
        """tasks.update replaces the task: started it stays open, done it leaves the lists."""
        port_scene.hotel_with_rooms("P1")
        port_scene.stored(member("phk", role=ho.StaffRole.HOUSEKEEPING), task("t-1", "P1"))
        started = attrs.evolve(
            task("t-1", "P1"), status=IN_PROGRESS, assigned_to="phk", started_at=at(1)
        )
        done = attrs.evolve(started, status=DONE, closed_at=at(2), updated_at=at(2))
        uow = port_scene.uow
        with uow:
            assert list(uow.tasks.open_for_room("P1")) == [task("t-1", "P1")]
            uow.tasks.update(started)
            assert list(uow.tasks.open_for_room("P1")) == [started]
            uow.commit()
        with uow:
            assert list(uow.tasks.open_for_room("P1")) == [started]
            uow.tasks.update(done)
            uow.commit()
        with uow.reading():
            assert list(uow.tasks.open_for_room("P1")) == []
            assert list(uow.tasks.open_for_hotel(P)) == []
        assert port_scene.uow.snapshot().tasks == (done,)

    def test_tasks_get_returns_the_task_whatever_its_status_or_none(
        self, port_scene: PortScene
    ) -> None:
        """tasks.get returns every field of the task, open or closed, or None."""
        port_scene.hotel_with_rooms("P1")
        done = attrs.evolve(
            task("t-2", "P1", status=DONE),
            created_by="pfd",
            assigned_to="phk",
            booking_id="B1",
            started_at=at(1),
            closed_at=at(2),
            updated_at=at(2),
        )
        port_scene.stored(member("phk", role=HOUSEKEEPING), booking("B1"), task("t-1", "P1"), done)
        uow = port_scene.uow
        with uow.reading():
            assert uow.tasks.get("t-1") == task("t-1", "P1")
            assert uow.tasks.get("t-2") == done
            assert uow.tasks.get("NOPE") is None

    def test_tasks_add_many_keeps_committed_tasks_and_drops_uncommitted_ones(
        self, port_scene: PortScene
    ) -> None:
        """tasks.add_many stores the tasks in one go, seen at once; left uncommitted, they
        are gone."""
        port_scene.hotel_with_rooms("P1", "P2", "P3", "P4")
        kept = [task("t-1", "P1"), task("t-2", "P2", kind=ho.TaskKind.TURNOVER, created=1)]
        dropped = [task("t-3", "P3", kind=ho.TaskKind.INSPECTION), task("t-4", "P4")]
        uow = port_scene.uow
        with uow:
            uow.tasks.add_many(kept)
            uow.tasks.add_many([])
            assert [uow.tasks.get("t-1"), uow.tasks.get("t-2")] == kept
            uow.commit()
        with uow:
            uow.tasks.add_many(dropped)
            assert uow.tasks.get("t-4") == dropped[1]
        with uow.reading():
            assert by_id(uow.tasks.open_for_hotel(P)) == kept
            assert uow.tasks.get("t-3") is None
            assert uow.tasks.get("t-4") is None

    def test_tasks_update_many_replaces_those_tasks_only(self, port_scene: PortScene) -> None:
        """tasks.update_many replaces the tasks given in one go (given to an attendant, or
        done and out of the lists), and no others; left uncommitted, it is undone."""
        port_scene.hotel_with_rooms("P1", "P2", "P3")
        first, second, third = task("t-1", "P1"), task("t-2", "P2"), task("t-3", "P3")
        port_scene.stored(member("phk", role=HOUSEKEEPING), first, second, third)
        given = attrs.evolve(first, assigned_to="phk", updated_at=at(1))
        done = attrs.evolve(second, status=DONE, closed_at=at(1), updated_at=at(1))
        uow = port_scene.uow
        with uow:
            uow.tasks.update_many([given, done])
            assert [uow.tasks.get("t-1"), uow.tasks.get("t-2")] == [given, done]
            uow.commit()
        with uow:
            uow.tasks.update_many([attrs.evolve(third, assigned_to="phk"), first])
            uow.tasks.update_many([])
        with uow.reading():
            assert by_id(uow.tasks.open_for_hotel(P)) == [given, third]
            assert list(uow.tasks.open_for_room("P2")) == []
            assert uow.tasks.get("t-2") == done
            assert uow.tasks.get("t-3") == third

    # --- audits ---------------------------------------------------------------------------

    def test_audits_get_returns_the_audit_of_that_hotel_and_date_or_none(
        self, port_scene: PortScene
    ) -> None:
        """audits.get returns every field of the hotel's audit of the date, or None."""
        port_scene.hotel_with_rooms("P1")
        port_scene.stored(hotel(Q), member("qfd", hotel_id=Q))
        ours, later = night(), night(NIGHT + timedelta(days=1), minute=9)
        theirs = night(hotel_id=Q, performed_by="qfd", minute=6)
        port_scene.stored(ours, later, theirs)
        uow = port_scene.uow
        with uow.reading():
            assert uow.audits.get(P, NIGHT) == ours
            assert uow.audits.get(P, NIGHT + timedelta(days=1)) == later
            assert uow.audits.get(Q, NIGHT) == theirs
            assert uow.audits.get(P, NIGHT - timedelta(days=1)) is None
            assert uow.audits.get("NOPE", NIGHT) is None

    def test_audits_claim_returns_the_hotels_latest_audit_or_none(
        self, port_scene: PortScene
    ) -> None:
        """audits.claim: the hotel's audit of the latest business date (not the latest
        recorded), or None; in a write transaction as in a read-only one."""
        port_scene.hotel_with_rooms("P1")
        port_scene.stored(hotel(Q))
        latest = night(NIGHT + timedelta(days=2), minute=7)
        port_scene.stored(night(), latest, night(NIGHT + timedelta(days=1), minute=9))
        uow = port_scene.uow
        with uow:
            assert uow.audits.claim(P) == latest
            assert uow.audits.claim(Q) is None
        with uow.reading():
            assert uow.audits.claim(P) == latest
            assert uow.audits.claim(Q) is None

    def test_audits_add_keeps_a_committed_audit_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """audits.add records an audit seen at once (by get and claim); left uncommitted,
        it is gone."""
        port_scene.hotel_with_rooms("P1")
        tomorrow = NIGHT + timedelta(days=1)
        uow = port_scene.uow
        with uow:
            uow.audits.add(night())
            assert uow.audits.get(P, NIGHT) == night()
            uow.commit()
        with uow:
            uow.audits.add(night(tomorrow))
            assert uow.audits.claim(P) == night(tomorrow)
        with uow.reading():
            assert uow.audits.get(P, NIGHT) == night()
            assert uow.audits.get(P, tomorrow) is None
            assert uow.audits.claim(P) == night()

    def test_audits_entries_are_the_hotels_night_audit_entries_of_that_time_and_date(
        self, port_scene: PortScene
    ) -> None:
        """audits.entries: the entries of the audit's hotel, operation NIGHT_AUDIT, timed
        its performed_at and naming its business date, in id order."""
        port_scene.hotel_with_rooms("P1", "P2")
        port_scene.stored(
            hotel(Q), room("Q1", hotel_id=Q), member("qfd", hotel_id=Q), booking("B1")
        )
        record = night()
        port_scene.stored(record)
        first, _later, _other_op, theirs, _other_day, second = port_scene.appended(
            audited("P1"),
            audited("P1", minute=6),
            draft("P1", minute=5, metadata={"business_date": NIGHT.isoformat()}),
            audited("Q1", hotel_id=Q, performed_by="qfd", booking_id=None),
            audited("P2", NIGHT + timedelta(days=1)),
            audited("P2"),
        )
        uow = port_scene.uow
        with uow.reading():
            assert list(uow.audits.entries(record)) == [first, second]
            assert list(uow.audits.entries(night(minute=7))) == []
            assert list(uow.audits.entries(night(hotel_id=Q, performed_by="qfd"))) == [theirs]

    # --- log ------------------------------------------------------------------------------

    def test_log_append_stores_the_drafts_in_order_with_increasing_ids(
        self, port_scene: PortScene
    ) -> None:
        """log.append stores the drafts in order, with new ids increasing across calls."""
        port_scene.hotel_with_rooms("P1", "P2")
        port_scene.stored(booking("B1"), request("req-1"))
        first = draft(
            "P1",
            Op.ASSIGN,
            booking_id="B1",
            status_after=VC,
            condition_after=CLEAN,
            notes="walk-in",
            metadata={"passed": True, "count": 2, "label": "x", "none": None},
            request_id="req-1",
        )
        second = draft(
            "P2", Op.MOVE, id=999, booking_id="B1", from_room_id="P1", status_after=OCC, minute=1
        )
        uow = port_scene.uow
        with uow:
            entries = uow.log.append([first, second])
            assert uow.log.append([]) == ()
            uow.commit()
        assert entries == (
            attrs.evolve(first, id=entries[0].id),
            attrs.evolve(second, id=entries[1].id),
        )
        assert entries[0].id < entries[1].id
        (third,) = port_scene.appended(draft("P1", minute=2))
        assert third.id > entries[1].id
        assert canonical(port_scene.uow.snapshot()).log == (*entries, third)

    def test_log_for_room_lists_the_rooms_entries_and_moves_out_of_it_newest_first(
        self, port_scene: PortScene
    ) -> None:
        """log.for_room: entries on the room or moving out of it, newest first."""
        port_scene.hotel_with_rooms("P1", "P2", "P3", "P4")
        port_scene.stored(booking("B1"))
        moved = draft("P2", Op.MOVE, booking_id="B1", from_room_id="P1", minute=1)
        first, move, elsewhere, last = port_scene.appended(
            draft("P1"), moved, draft("P3", minute=2), draft("P1", minute=3)
        )
        uow = port_scene.uow
        with uow.reading():
            assert list(uow.log.for_room("P1")) == [last, move, first]
            assert list(uow.log.for_room("P2")) == [move]
            assert list(uow.log.for_room("P3")) == [elsewhere]
            assert list(uow.log.for_room("P4")) == []

    def test_log_for_booking_lists_the_bookings_entries_newest_first(
        self, port_scene: PortScene
    ) -> None:
        """log.for_booking: the booking's entries, newest first."""
        port_scene.hotel_with_rooms("P1", "P2")
        port_scene.stored(booking("B1"), booking("B2"), booking("B3"))
        first, other, last, _ = port_scene.appended(
            draft("P1", booking_id="B1"),
            draft("P2", booking_id="B2", minute=1),
            draft("P1", booking_id="B1", minute=2),
            draft("P2", minute=3),
        )
        uow = port_scene.uow
        with uow.reading():
            assert list(uow.log.for_booking("B1")) == [last, first]
            assert list(uow.log.for_booking("B2")) == [other]
            assert list(uow.log.for_booking("B3")) == []

    def test_log_for_request_lists_the_requests_entries_oldest_first(
        self, port_scene: PortScene
    ) -> None:
        """log.for_request: the entries written under the request id, oldest first."""
        port_scene.hotel_with_rooms("P1", "P2")
        port_scene.stored(request("req-1"), request("req-2"), request("req-3"))
        first, second = port_scene.appended(
            draft("P1", request_id="req-1"), draft("P2", request_id="req-1", minute=1)
        )
        (other,) = port_scene.appended(draft("P1", request_id="req-2", minute=2))
        uow = port_scene.uow
        with uow.reading():
            assert list(uow.log.for_request("req-1")) == [first, second]
            assert list(uow.log.for_request("req-2")) == [other]
            assert list(uow.log.for_request("req-3")) == []

    # --- requests -------------------------------------------------------------------------

    def test_requests_get_returns_the_record_of_a_used_request_id_or_none(
        self, port_scene: PortScene
    ) -> None:
        """requests.get returns the record of a used request id, or None."""
        port_scene.stored(hotel(), request("req-1"))
        uow = port_scene.uow
        with uow.reading():
            assert uow.requests.get("req-1") == request("req-1")
            assert uow.requests.get("NOPE") is None

    def test_requests_add_keeps_a_committed_record_and_drops_an_uncommitted_one(
        self, port_scene: PortScene
    ) -> None:
        """requests.add stores a record seen at once; left uncommitted, the record is gone."""
        port_scene.stored(hotel())
        uow = port_scene.uow
        with uow:
            uow.requests.add(request("req-1"))
            assert uow.requests.get("req-1") == request("req-1")
            uow.commit()
        with uow:
            uow.requests.add(request("req-2"))
            assert uow.requests.get("req-2") == request("req-2")
        with uow.reading():
            assert uow.requests.get("req-1") == request("req-1")
            assert uow.requests.get("req-2") is None
        assert port_scene.uow.snapshot().request_ids == frozenset({"req-1"})

    # --- the unit of work -----------------------------------------------------------------

    def test_unit_of_work_commit_keeps_the_changes_and_publishes_when_the_block_ends(
        self, port_scene: PortScene
    ) -> None:
        """commit() keeps the changes; the events are published when the with block ends."""
        uow, notifier = port_scene.uow, port_scene.notifier
        with uow:
            uow.hotels.add(hotel())
            uow.emit([event(1)])
            uow.commit()
            assert notifier.events == []
        assert notifier.events == [event(1)]
        assert port_scene.uow.snapshot().hotels == (hotel(),)
        with uow.reading():
            assert uow.hotels.get(P) == hotel()

    def test_unit_of_work_rollback_undoes_the_changes_and_drops_the_events(
        self, port_scene: PortScene
    ) -> None:
        """rollback() drops the changes and the events; the next transaction works."""
        uow, notifier = port_scene.uow, port_scene.notifier
        with uow:
            uow.hotels.add(hotel(P))
            uow.emit([event(1)])
            uow.rollback()
        assert notifier.events == []
        assert canonical(port_scene.uow.snapshot()) == StoreSnapshot()
        port_scene.stored(hotel(Q))
        with uow.reading():
            assert uow.hotels.get(P) is None
            assert uow.hotels.get(Q) == hotel(Q)

    def test_unit_of_work_emit_queues_events_published_in_order_once_committed(
        self, port_scene: PortScene
    ) -> None:
        """emit() queues events, published in order only if the transaction commits."""
        uow, notifier = port_scene.uow, port_scene.notifier
        with uow:
            uow.emit([event(1)])
            uow.emit([event(2), event(3)])
            uow.commit()
        with uow:
            uow.emit([event(4)])
        assert notifier.events == [event(1), event(2), event(3)]

    def test_unit_of_work_reading_returns_itself_and_marks_only_the_next_block(
        self, port_scene: PortScene
    ) -> None:
        """reading() returns the unit of work and makes only the next block read-only."""
        port_scene.stored(hotel(P))
        uow = port_scene.uow
        with uow.reading() as reader:
            assert reader is uow
            assert uow.hotels.get(P) == hotel(P)
        with uow:
            uow.hotels.add(hotel(Q))
            uow.commit()
        assert uow.reading() is uow
        with uow:
            assert uow.hotels.get(Q) == hotel(Q)

    # --- snapshot -------------------------------------------------------------------------

    def test_snapshot_returns_everything_committed(self, port_scene: PortScene) -> None:
        """snapshot() holds every committed entity and request id, nothing uncommitted."""
        stay = booking("B1")
        guest = in_house(stay, ["G1"], ["111111"])[0]
        port_scene.stored(
            hotel(),
            room("P1"),
            member("pfd"),
            stay,
            occupied("P1", "B1"),
            guest,
            task("t-1", "P1"),
            request("req-1"),
        )
        entries = port_scene.appended(draft("P1", booking_id="B1", request_id="req-1"))
        with port_scene.uow:
            port_scene.uow.hotels.add(hotel(Q))
        assert canonical(port_scene.uow.snapshot()) == StoreSnapshot(
            hotels=(hotel(),),
            rooms=(room("P1"),),
            staff=(member("pfd"),),
            bookings=(stay,),
            guests=(guest,),
            occupancies=(occupied("P1", "B1"),),
            tasks=(task("t-1", "P1"),),
            log=entries,
            request_ids=frozenset({"req-1"}),
        )

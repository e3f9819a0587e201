"""The repositories of the SQLAlchemy adapter: one SQL statement per port method.

Every method runs inside the unit of work's transaction (``uow.connection``). In a write
transaction the rows an operation is about to change (occupancy records and bookings) are
read ``FOR UPDATE`` on PostgreSQL, so concurrent operations on one room or booking queue
up instead of racing; on SQLite the whole write transaction holds the database's write
lock from BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, case, func, insert, select, update
from sqlalchemy.engine import Connection

from hotel_occupancy.adapters.sqlalchemy import mapping
from hotel_occupancy.adapters.sqlalchemy.schema import (
    booking_guests,
    bookings,
    guests,
    hotels,
    log,
    occupancies,
    requests,
    rooms,
    staff,
    tasks,
)
from hotel_occupancy.domain.model import (
    BoardRow,
    Booking,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
)
from hotel_occupancy.services.ports import RequestRecord

if TYPE_CHECKING:
    from hotel_occupancy.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

_OPEN = ("OPEN", "IN_PROGRESS")


class _Repository:
    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow

    @property
    def _conn(self) -> Connection:
        return self._uow.connection

    def _locking(self, query: Select[Any], *of: Any) -> Select[Any]:
        """``query`` FOR UPDATE in a write transaction (a no-op on SQLite)."""
        if self._uow.writing:
            return query.with_for_update(of=list(of) or None)
        return query

    def _one(self, query: Select[Any]) -> Mapping[Any, Any] | None:
        return self._conn.execute(query).mappings().first()


class Hotels(_Repository):
    def get(self, hotel_id: str) -> Hotel | None:
        row = self._one(select(hotels).where(hotels.c.hotel_id == hotel_id))
        return mapping.hotel(row) if row else None

    def add(self, hotel: Hotel) -> None:
        self._conn.execute(insert(hotels), [mapping.plain(hotel)])


class Rooms(_Repository):
    def get(self, room_id: str) -> Room | None:
        row = self._one(select(rooms).where(rooms.c.room_id == room_id))
        return mapping.room(row) if row else None

    def number_taken(self, hotel_id: str, number: str) -> bool:
        query = select(rooms.c.room_id).where(
            rooms.c.hotel_id == hotel_id, rooms.c.number == number
        )
        return self._one(query) is not None

    def add(self, room: Room) -> None:
        self._conn.execute(insert(rooms), [mapping.plain(room)])


class StaffMembers(_Repository):
    def get(self, staff_id: str) -> Staff | None:
        row = self._one(select(staff).where(staff.c.staff_id == staff_id))
        return mapping.staff(row) if row else None

    def add(self, member: Staff) -> None:
        self._conn.execute(insert(staff), [mapping.plain(member)])

    def update(self, member: Staff) -> None:
        self._conn.execute(
            update(staff).where(staff.c.staff_id == member.staff_id), mapping.plain(member)
        )


def bookings_query() -> Select[Any]:
    return (
        select(
            bookings,
            booking_guests.c.booking_guest_id,
            booking_guests.c.first_name,
            booking_guests.c.last_name,
        )
        .join(booking_guests, booking_guests.c.booking_id == bookings.c.booking_id)
        .order_by(bookings.c.booking_id, booking_guests.c.position)
    )


class Bookings(_Repository):
    def get(self, booking_id: str) -> Booking | None:
        query = self._locking(bookings_query().where(bookings.c.booking_id == booking_id), bookings)
        found = mapping.bookings(self._conn.execute(query).mappings())
        return found.get(booking_id)

    def guest_ids_taken(self, booking_guest_ids: Collection[str]) -> set[str]:
        query = select(booking_guests.c.booking_guest_id).where(
            booking_guests.c.booking_guest_id.in_(list(booking_guest_ids))
        )
        return set(self._conn.execute(query).scalars())

    def add(self, booking: Booking) -> None:
        self._conn.execute(insert(bookings), [mapping.booking_row(booking)])
        self._conn.execute(insert(booking_guests), mapping.party_rows(booking))

    def update(self, booking: Booking) -> None:
        # the party never changes after registration, so only the booking row is written
        self._conn.execute(
            update(bookings).where(bookings.c.booking_id == booking.booking_id),
            mapping.booking_row(booking),
        )


class Occupancies(_Repository):
    def get(self, room_id: str) -> RoomOccupancy | None:
        row = self._one(self._locking(select(occupancies).where(occupancies.c.room_id == room_id)))
        return mapping.occupancy(row) if row else None

    def for_booking(self, booking_id: str) -> RoomOccupancy | None:
        query = select(occupancies).where(occupancies.c.booking_id == booking_id)
        row = self._one(self._locking(query))
        return mapping.occupancy(row) if row else None

    def board(self, hotel_id: str) -> Sequence[BoardRow]:
        # one query: rooms, their occupancy, the booking's reference and in-house guests
        in_house = (
            select(func.count())
            .where(guests.c.booking_id == occupancies.c.booking_id)
            .where(guests.c.check_out_date.is_(None))
            .correlate(occupancies)
            .scalar_subquery()
        )
        query = (
            select(
                rooms.c.room_id,
                rooms.c.number,
                occupancies.c.status,
                occupancies.c.condition,
                occupancies.c.booking_id,
                bookings.c.reference,
                occupancies.c.expected_checkout,
                case((occupancies.c.booking_id.is_(None), 0), else_=in_house),
            )
            .join(occupancies, occupancies.c.room_id == rooms.c.room_id)
            .outerjoin(bookings, bookings.c.booking_id == occupancies.c.booking_id)
            .where(rooms.c.hotel_id == hotel_id)
        )
        return [mapping.board_row(row) for row in self._conn.execute(query)]

    def add(self, occupancy: RoomOccupancy) -> None:
        self._conn.execute(insert(occupancies), [mapping.plain(occupancy)])

    def update(self, occupancy: RoomOccupancy) -> None:
        self._conn.execute(
            update(occupancies).where(occupancies.c.room_id == occupancy.room_id),
            mapping.plain(occupancy),
        )


class Guests(_Repository):
    def get(self, guest_id: str) -> Guest | None:
        row = self._one(select(guests).where(guests.c.guest_id == guest_id))
        return mapping.guest(row) if row else None

    def for_booking(self, booking_id: str) -> Sequence[Guest]:
        query = (
            select(guests)
            .join(booking_guests, booking_guests.c.booking_guest_id == guests.c.booking_guest_id)
            .where(guests.c.booking_id == booking_id)
            .order_by(booking_guests.c.position, guests.c.guest_id)
        )
        return [mapping.guest(row) for row in self._conn.execute(query).mappings()]

    def pins_in_use(self, hotel_id: str, pins: Collection[str]) -> set[str]:
        query = select(guests.c.id_pin).where(
            guests.c.hotel_id == hotel_id, guests.c.id_pin.in_(list(pins))
        )
        return {pin for pin in self._conn.execute(query).scalars() if pin is not None}

    def find_by_pin(self, hotel_id: str, pin: str) -> Guest | None:
        query = select(guests).where(
            guests.c.hotel_id == hotel_id,
            guests.c.id_pin == pin,
            guests.c.check_out_date.is_(None),
        )
        row = self._one(query)
        return mapping.guest(row) if row else None

    def add_many(self, new: Sequence[Guest]) -> None:
        if new:
            # the primary guest first: companions point at it
            self._conn.execute(insert(guests), [mapping.plain(g) for g in new])

    def update_many(self, changed: Sequence[Guest]) -> None:
        if changed:  # one executemany, whatever the party size
            statement = update(guests).where(guests.c.guest_id == bindparam("key"))
            self._conn.execute(
                statement, [{**mapping.plain(g, "guest_id"), "key": g.guest_id} for g in changed]
            )

    def remove_many(self, guest_ids: Collection[str]) -> None:
        if guest_ids:
            ids = list(guest_ids)
            # companions first (they reference the primary guest)
            self._conn.execute(
                guests.delete().where(
                    guests.c.guest_id.in_(ids), guests.c.primary_guest_id.is_not(None)
                )
            )
            self._conn.execute(guests.delete().where(guests.c.guest_id.in_(ids)))


class Tasks(_Repository):
    def open_for_room(self, room_id: str) -> Sequence[HousekeepingTask]:
        query = (
            select(tasks)
            .where(tasks.c.room_id == room_id, tasks.c.status.in_(_OPEN))
            .order_by(tasks.c.created_at, tasks.c.task_id)
        )
        return [mapping.task(row) for row in self._conn.execute(query).mappings()]

    def open_for_hotel(self, hotel_id: str) -> Sequence[HousekeepingTask]:
        query = select(tasks).where(tasks.c.hotel_id == hotel_id, tasks.c.status.in_(_OPEN))
        return [mapping.task(row) for row in self._conn.execute(query).mappings()]

    def add(self, task: HousekeepingTask) -> None:
        self._conn.execute(insert(tasks), [mapping.plain(task)])

    def update(self, task: HousekeepingTask) -> None:
        self._conn.execute(
            update(tasks).where(tasks.c.task_id == task.task_id), mapping.plain(task)
        )


class Log(_Repository):
    def append(self, drafts: Sequence[LogEntry]) -> tuple[LogEntry, ...]:
        if not drafts:
            return ()
        rows = [mapping.entry_row(d) for d in drafts]
        statement = insert(log).returning(log.c.id, sort_by_parameter_order=True)
        ids = list(self._conn.execute(statement, rows).scalars())
        return tuple(mapping.entry({**row, "id": i}) for row, i in zip(rows, ids, strict=True))

    def for_room(self, room_id: str) -> Sequence[LogEntry]:
        query = (
            select(log)
            .where((log.c.room_id == room_id) | (log.c.from_room_id == room_id))
            .order_by(log.c.id.desc())
        )
        return mapping.entries(self._conn.execute(query).mappings().all())

    def for_booking(self, booking_id: str) -> Sequence[LogEntry]:
        query = select(log).where(log.c.booking_id == booking_id).order_by(log.c.id.desc())
        return mapping.entries(self._conn.execute(query).mappings().all())

    def for_request(self, request_id: str) -> Sequence[LogEntry]:
        query = select(log).where(log.c.request_id == request_id).order_by(log.c.id)
        return mapping.entries(self._conn.execute(query).mappings().all())


class Requests(_Repository):
    def get(self, request_id: str) -> RequestRecord | None:
        row = self._one(select(requests).where(requests.c.request_id == request_id))
        return mapping.request(row) if row else None

    def add(self, record: RequestRecord) -> None:
        self._conn.execute(insert(requests), [mapping.plain(record)])


__all__ = [
    "Bookings",
    "Guests",
    "Hotels",
    "Log",
    "Occupancies",
    "Requests",
    "Rooms",
    "StaffMembers",
    "Tasks",
]

"""The ports: what the services need from the outside world, as typing Protocols.

An adapter implements :class:`UnitOfWork` and the repositories it exposes. A unit of work
is entered with ``with uow:`` to start a transaction and ``uow.commit()`` makes it durable;
the events gathered with :meth:`UnitOfWork.emit` are published to the notifier when the
block of a committed transaction ends (after any lock is released). Leaving the block
without committing rolls everything back and drops the events.

Repositories are only used inside a transaction. Lookups return None when nothing
matches; writers take whole immutable entities (``add`` for new ones, ``update`` to
replace a stored version). Lists come back in a documented, deterministic order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from attrs import frozen

from hotel_occupancy.domain.credentials import PinAttempts, PinRules
from hotel_occupancy.domain.enums import StaffRole
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.feed import ConsumerPosition
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.legacy import (
    LegacyHotel,
    LegacyHotelRecord,
    LegacyOrphan,
    LegacyRoom,
    LegacyStaff,
    LegacyStay,
    LegacyTask,
    TakenOver,
)
from hotel_occupancy.domain.model import (
    BoardRow,
    Booking,
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
from hotel_occupancy.domain.side_by_side import Handover, MirrorHotel

__all__ = [
    "BookingRepository",
    "Clock",
    "CredentialRepository",
    "FeedRepository",
    "GuestRepository",
    "HotelRepository",
    "Inspectable",
    "LegacyImportRepository",
    "LegacyImportUnitOfWork",
    "LegacySource",
    "LogRepository",
    "NightAuditRepository",
    "Notifier",
    "OccupancyRepository",
    "PinSource",
    "Policy",
    "RequestRecord",
    "RequestRepository",
    "RoomRepository",
    "StaffRepository",
    "TaskRepository",
    "UnitOfWork",
]

Clock = Callable[[], datetime]
"""A zero-argument callable returning the current time as an aware UTC datetime."""


PinSource = Callable[[], str]
"""A zero-argument callable returning a fresh guest PIN: six ASCII digits, unguessable
(the default draws them with :mod:`secrets`). Tests pass a deterministic one. The services
draw again when a PIN is already held by an in-house guest of the hotel (I11)."""


class Notifier(Protocol):
    """Receives every event after its transaction has committed."""

    def publish(self, event: OccupancyEvent) -> None:
        """Deliver one event. It should not raise; if it does, the error is logged."""


class Policy(Protocol):
    """Decides whether a staff role may call an operation service (by the service's name)."""

    def permits(self, role: StaffRole, action: str) -> bool:
        """Whether ``role`` may call the service named ``action``."""


@frozen
class RequestRecord:
    """A used ``request_id``: the operation and arguments it was used for."""

    request_id: str
    action: str
    fingerprint: str
    hotel_id: str
    created_at: datetime


class HotelRepository(Protocol):
    def get(self, hotel_id: str) -> Hotel | None:
        """The hotel, or None."""

    def add(self, hotel: Hotel) -> None:
        """Store a new hotel."""

    def update(self, hotel: Hotel) -> None:
        """Replace the stored hotel with the same id (its name and policy)."""


class RoomRepository(Protocol):
    def get(self, room_id: str) -> Room | None:
        """The room, or None."""

    def number_taken(self, hotel_id: str, number: str) -> bool:
        """Whether a room of ``hotel_id`` already has ``number``."""

    def by_number(self, hotel_id: str, number: str) -> Room | None:
        """The room of ``hotel_id`` numbered ``number``, or None."""

    def add(self, room: Room) -> None:
        """Store a new room."""

    def update(self, room: Room) -> None:
        """Replace the stored room with the same id (its number and capacity)."""


class StaffRepository(Protocol):
    def get(self, staff_id: str) -> Staff | None:
        """The staff member, or None."""

    def add(self, staff: Staff) -> None:
        """Store a new staff member."""

    def update(self, staff: Staff) -> None:
        """Replace the stored staff member with the same id."""


class BookingRepository(Protocol):
    def get(self, booking_id: str) -> Booking | None:
        """The booking, or None."""

    def guest_ids_taken(self, booking_guest_ids: Collection[str]) -> set[str]:
        """Which of these booking guest ids some booking already uses."""

    def party_owners(self, booking_guest_ids: Collection[str]) -> Mapping[str, str]:
        """The booking using each of these booking guest ids that some booking uses (in
        its party now, or once: see :meth:`set_party`), by booking guest id."""

    def held_by(self, room_id: str) -> Booking | None:
        """The booking the room's occupancy record holds (None if none, or no such room).
        In a write transaction an adapter with row locks locks it (the booking's lock
        comes before the room's, in the canonical order)."""

    def add(self, booking: Booking) -> None:
        """Store a new booking."""

    def update(self, booking: Booking) -> None:
        """Replace the stored booking with the same id (its party is left as it is)."""

    def set_party(self, booking: Booking) -> None:
        """Store ``booking.party`` as the booking's party, in its order. A member no longer
        in it stays stored, detached (its departed guest records name it; its id stays
        taken); a detached member named again is attached again."""

    def arrivals(self, hotel_id: str, day: date) -> Sequence[StayRow]:
        """The hotel's bookings arriving on ``day`` (any stage but CANCELLED), and those
        that should have arrived before it and are still ARRIVING or ASSIGNED, in any
        order, ``expected_checkout_local`` and ``overdue`` left at their defaults (a read
        model: one query)."""

    def departures(self, hotel_id: str, day: date) -> Sequence[StayRow]:
        """The hotel's in-house bookings departing on or before ``day``, in any order, as
        for :meth:`arrivals` (one query)."""

    def in_house(self, hotel_id: str) -> Sequence[StayRow]:
        """The hotel's in-house bookings, in any order, as for :meth:`arrivals` (one
        query)."""


class OccupancyRepository(Protocol):
    def get(self, room_id: str) -> RoomOccupancy | None:
        """The room's occupancy record, or None."""

    def for_booking(self, booking_id: str) -> RoomOccupancy | None:
        """The occupancy record holding the booking (pre-assigned, in house, or arriving
        into an occupied room: ``booking_id`` or ``arriving_booking_id``), or None."""

    def lock(
        self, room_ids: Collection[str], *, holding: Collection[str] = ()
    ) -> Mapping[str, RoomOccupancy]:
        """The records of ``room_ids`` and of the rooms holding the bookings ``holding`` (in
        either role), by room id. An adapter with row locks locks them in one go in
        ascending room id (the canonical order, so two operations never deadlock); later
        reads of them in the transaction may be served from what it read."""

    def for_hotel(self, hotel_id: str) -> Sequence[RoomOccupancy]:
        """Every occupancy record of the hotel, in ascending room id, in one go. In a write
        transaction an adapter with row locks locks them all (in that order: the canonical
        one); later reads of them in the transaction may be served from what it read."""

    def board(self, hotel_id: str) -> Sequence[BoardRow]:
        """One row per room of the hotel, in any order: its number, status, condition,
        booking id and reference, in-house guest count, expected checkout, arriving
        booking id, service status, discrepancy and whether the booking awaiting the room
        (its pre-assigned booking, or its arriving one) is queued; the fields ``due_out``,
        ``overdue`` and ``expected_checkout_local`` left at their defaults (the service
        fills them). (A read model: adapters build it in one go, e.g. one SQL query.)"""

    def add(self, occupancy: RoomOccupancy) -> None:
        """Store the occupancy record of a newly registered room."""

    def update(self, occupancy: RoomOccupancy) -> None:
        """Replace the stored record of the same room."""

    def update_many(self, occupancies: Sequence[RoomOccupancy]) -> None:
        """Replace the stored records of these rooms, in one go (the night audit's bulk
        write: a number of statements that does not grow with the number of rooms)."""


class GuestRepository(Protocol):
    def get(self, guest_id: str) -> Guest | None:
        """The guest, or None."""

    def for_booking(self, booking_id: str) -> Sequence[Guest]:
        """Every guest record of the booking (in house and departed), primary first, then in
        the order of the party; records of members no longer in the party come last, by
        check-in date, then by guest id."""

    def pins_in_use(self, hotel_id: str, pins: Collection[str]) -> set[str]:
        """Which of these PINs an in-house guest of the hotel holds."""

    def find_by_pin(self, hotel_id: str, pin: str) -> Guest | None:
        """The in-house guest of the hotel holding ``pin``, or None."""

    def add_many(self, guests: Sequence[Guest]) -> None:
        """Store new guest records."""

    def update_many(self, guests: Sequence[Guest]) -> None:
        """Replace stored guest records with the same ids."""

    def remove_many(self, guest_ids: Collection[str]) -> None:
        """Delete guest records (only used to undo a check-in made in error)."""


class TaskRepository(Protocol):
    def open_for_room(self, room_id: str) -> Sequence[HousekeepingTask]:
        """The room's open (OPEN or IN_PROGRESS) tasks, oldest first."""

    def open_for_hotel(self, hotel_id: str) -> Sequence[HousekeepingTask]:
        """The hotel's open tasks, in any order."""

    def get(self, task_id: str) -> HousekeepingTask | None:
        """The task, or None."""

    def add(self, task: HousekeepingTask) -> None:
        """Store a new task."""

    def update(self, task: HousekeepingTask) -> None:
        """Replace the stored task with the same id."""

    def add_many(self, tasks: Sequence[HousekeepingTask]) -> None:
        """Store new tasks, in one go."""

    def update_many(self, tasks: Sequence[HousekeepingTask]) -> None:
        """Replace the stored tasks with the same ids, in one go."""


class NightAuditRepository(Protocol):
    """The night audits done (§10): at most one per hotel and business date."""

    def claim(self, hotel_id: str) -> NightAudit | None:
        """The hotel's latest night audit (by business date), or None. In a write
        transaction an adapter whose writers run concurrently first waits for any other
        transaction auditing the same hotel to end (audits of one hotel are serialised;
        other hotels and other operations never wait on it), so what it returns includes
        what that one committed."""

    def get(self, hotel_id: str, business_date: date) -> NightAudit | None:
        """The audit of that hotel and business date, or None."""

    def add(self, audit: NightAudit) -> None:
        """Record an audit (a second one for the same hotel and date is refused)."""

    def entries(self, audit: NightAudit) -> Sequence[LogEntry]:
        """The log entries the audit appended, in id order: the hotel's NIGHT_AUDIT entries
        timed ``performed_at`` whose metadata names its ``business_date``."""


class LogRepository(Protocol):
    def append(self, drafts: Sequence[LogEntry]) -> tuple[LogEntry, ...]:
        """Append entries in order; their ``id`` is ignored and the stored entries, with
        increasing ids, are returned."""

    def for_room(self, room_id: str) -> Sequence[LogEntry]:
        """Entries on the room or moving/reassigning a booking out of it, newest first."""

    def for_booking(self, booking_id: str) -> Sequence[LogEntry]:
        """Entries about the booking, newest first."""

    def for_request(self, request_id: str) -> Sequence[LogEntry]:
        """Entries written under ``request_id``, oldest first."""


class CredentialRepository(Protocol):
    """What guards guest PINs: failed attempts per room, and PINs resting after checkout."""

    def attempts(self, room_id: str) -> PinAttempts | None:
        """The failed PIN attempts recorded for the room, or None."""

    def save_attempts(self, attempts: PinAttempts) -> None:
        """Store the room's attempts, replacing any recorded before."""

    def clear_attempts(self, room_id: str) -> None:
        """Forget the room's failed attempts (a right PIN was given)."""

    def quarantine(self, hotel_id: str, pins: Collection[str], until: datetime) -> None:
        """Keep these PINs of the hotel from being issued again before ``until`` (a PIN
        already resting rests until the later of the two times)."""

    def quarantined(self, hotel_id: str, pins: Collection[str], at: datetime) -> set[str]:
        """Which of these PINs of the hotel are resting at ``at``."""


class FeedRepository(Protocol):
    """The log as a feed that other processes follow (§11), and the consumers' positions.

    A position is opaque text the adapter makes (``"0"``, :data:`~hotel_occupancy.domain.
    feed.START`, is before everything). Following positions, a reader gets every committed
    entry exactly once, each room's entries in id order, even when a transaction commits
    after transactions that took higher ids; an entry is read only once nothing can commit
    before it any more (an adapter with one writer at a time can read by id; PostgreSQL
    reads by transaction-id horizon). ``wait`` is the one method used outside a transaction.
    """

    def read(
        self, after: str, *, hotel_id: str | None, limit: int
    ) -> tuple[Sequence[LogEntry], str]:
        """At most ``limit`` committed entries after the position ``after`` (of one hotel,
        or all), in feed order, and the position after them: past every entry it has
        looked at, even those ``hotel_id`` filtered out, and not past what may still
        commit. InvalidInput if ``after`` is not a position of this adapter."""

    def precedes(self, earlier: str, later: str) -> bool:
        """Whether position ``earlier`` comes strictly before position ``later``."""

    def lag(self, after: str) -> int:
        """How many committed entries lie after the position ``after``."""

    def consumer(self, name: str) -> ConsumerPosition | None:
        """The stored position of the consumer ``name``, or None. In a write transaction
        an adapter with row locks locks it, so that two runs of one consumer take turns."""

    def save_consumer(self, position: ConsumerPosition) -> None:
        """Store a consumer's position, replacing the one before."""

    def consumers(self) -> Sequence[ConsumerPosition]:
        """Every consumer's stored position, by name."""

    def wait(self, timeout: float) -> None:
        """Outside a transaction: return once the log may have grown, or after ``timeout``
        seconds (early returns are allowed; the caller reads to see)."""


class RequestRepository(Protocol):
    def get(self, request_id: str) -> RequestRecord | None:
        """The record of a used request id, or None."""

    def add(self, record: RequestRecord) -> None:
        """Record a newly used request id."""


class UnitOfWork(Protocol):
    """A transaction boundary plus the repositories, clock and policy used inside it."""

    @property
    def clock(self) -> Clock:
        """The clock of this unit of work."""

    @property
    def policy(self) -> Policy:
        """The role policy of this unit of work."""

    @property
    def pins(self) -> PinSource:
        """Where this unit of work's guest PINs come from."""

    @property
    def pin_rules(self) -> PinRules:
        """The limits on PIN guesses and the quarantine of freed PINs."""

    @property
    def hotels(self) -> HotelRepository: ...
    @property
    def rooms(self) -> RoomRepository: ...
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def bookings(self) -> BookingRepository: ...
    @property
    def occupancies(self) -> OccupancyRepository: ...
    @property
    def guests(self) -> GuestRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def log(self) -> LogRepository: ...
    @property
    def requests(self) -> RequestRepository: ...
    @property
    def credentials(self) -> CredentialRepository: ...
    @property
    def feed(self) -> FeedRepository: ...
    @property
    def audits(self) -> NightAuditRepository: ...

    def reading(self) -> UnitOfWork:
        """Mark the next ``with`` block as a read-only transaction and return ``self``:
        ``with uow.reading(): ...``. Queries use it; adapters may use it to avoid locks."""

    def __enter__(self) -> UnitOfWork:
        """Begin a transaction (read-write unless :meth:`reading` was just called)."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End the transaction, rolling back whatever was not committed."""

    def commit(self) -> None:
        """Make the transaction's changes durable; its events are published when the
        ``with`` block ends."""

    def rollback(self) -> None:
        """Undo the transaction's changes and drop its events."""

    def emit(self, events: Iterable[OccupancyEvent]) -> None:
        """Queue events to publish once the transaction commits."""


class Inspectable(Protocol):
    """An adapter that can show everything it stores at once (for invariant checks,
    the contract suite and administration tools; not used by the services)."""

    def snapshot(self) -> StoreSnapshot:
        """Everything stored, read in one consistent transaction."""


class LegacyImportRepository(Protocol):
    """What the legacy import needs from a store: bulk writes and the record of which
    hotels came from a legacy database (§12)."""

    def record(self, hotel_id: str) -> LegacyHotelRecord | None:
        """The record of the hotel's import, or None if it was not imported."""

    def save(self, record: LegacyHotelRecord) -> None:
        """Store the record of a hotel's import, replacing any for the same hotel."""

    def write(self, rows: TakenOver) -> None:
        """Store new rows in bulk, in the order of :class:`TakenOver`'s fields (hotels,
        staff, rooms, bookings with their party, occupancy records, guests, tasks, then log
        entries, appended with increasing ids in the order given). Ids already taken are
        an error, as for ``add``."""

    def records(self) -> Sequence[LegacyHotelRecord]:
        """Every imported hotel's record, by hotel id."""

    def occupancies(self, hotel_id: str) -> Sequence[RoomOccupancy]:
        """Every occupancy record of the hotel, by room id (for the diff)."""

    def bookings(self, hotel_id: str) -> Sequence[Booking]:
        """Every booking of the hotel with its party, by booking id (for the diff)."""

    def tasks(self, task_ids: Collection[str]) -> Mapping[str, HousekeepingTask]:
        """The tasks of these ids that exist, open or closed, by id (for a repeated
        import)."""

    def booking_ids(self, hotel_id: str) -> Sequence[str]:
        """The ids of every booking of the hotel, in order (for the mirror's sweep)."""

    def handovers(self, hotel_id: str) -> Sequence[Handover]:
        """The hotel's handovers (cut-overs and back), oldest first."""

    def hand_over(self, handover: Handover) -> None:
        """Record a handover (the caller saves the record with its new owner)."""


class LegacyImportUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can take a legacy database's hotels in (both shipped adapters)."""

    @property
    def legacy(self) -> LegacyImportRepository: ...


class LegacySource(Protocol):
    """A legacy database, read (never written) by the import.

    A booking is *open* when it is not checked out and is assigned to a room or checked
    in: those decide the rooms' state, and there are at most a few per room. Everything
    else is streamed in batches, so an import's memory does not grow with the history.
    """

    @property
    def legacy_timezone(self) -> str:
        """The IANA zone the source reads the legacy database's naive times in."""

    def hotels(self) -> Sequence[LegacyHotel]:
        """Every hotel, by id."""

    def room_hotels(self) -> Mapping[int, int]:
        """Every room's hotel, by room id (to tell a room of another hotel from none)."""

    def staff_hotels(self) -> Mapping[int, int]:
        """Every staff member's hotel, by staff id."""

    def staff(self, hotel_id: int) -> Sequence[LegacyStaff]:
        """The hotel's staff, by id."""

    def rooms(self, hotel_id: int) -> Sequence[LegacyRoom]:
        """The hotel's rooms, by id."""

    def open_stays(self, hotel_id: int) -> Sequence[LegacyStay]:
        """The hotel's open bookings, by id, each with its party rows, its guest rows and
        the rooms of the tasks naming it."""

    def stays(self, hotel_id: int) -> Iterator[LegacyStay]:
        """The hotel's other bookings, by id, each with its party rows, its guest rows and
        the rooms of the tasks naming it."""

    def count_bookings(self, hotel_id: int) -> int:
        """How many bookings the hotel has (for progress)."""

    def tasks(self, hotel_id: int) -> Iterator[LegacyTask]:
        """The hotel's housekeeping tasks, by id."""

    def orphans(self) -> Iterator[LegacyOrphan]:
        """Rows that belong to no hotel or booking: a room, staff member, booking, guest or
        task of a hotel that does not exist, a party row of a booking that does not exist,
        a guest naming no booking or one that does not exist."""


class LegacyMirrorTarget(Protocol):
    """A legacy database the mirror writes (§12, side by side): the legacy columns of the
    hotels the library owns, and the mirror's own bookkeeping, kept in that database so
    that its writes and its position commit together."""

    @property
    def legacy_timezone(self) -> str:
        """The IANA zone the legacy database's naive times are written in."""

    def position(self, consumer: str) -> str | None:
        """The feed position the consumer has mirrored up to, or None before its first."""

    def synced(self, consumer: str) -> Mapping[str, datetime]:
        """The hotels the consumer wrote whole, each with the time of the handover it wrote
        them for (a hotel handed over again is written whole again)."""

    def id_map(self, legacy_hotel_id: int) -> Mapping[tuple[str, int], str]:
        """The legacy rows of the hotel that the mirror made for the library's own (kind,
        legacy id) -> the library's id; kinds are ``staff``, ``room``, ``booking``,
        ``party`` and ``guest``."""

    def unwritten_bookings(
        self, legacy_hotel_id: int, prefix: str, booking_ids: Collection[str]
    ) -> set[str]:
        """Those of the library's ``booking_ids`` that have no legacy row in the hotel yet
        (the mirror made none, and none has the key the import gave the id)."""

    def apply(
        self,
        hotels: Sequence[MirrorHotel],
        *,
        consumer: str,
        expected: str | None,
        position: str | None,
        synced: Mapping[str, datetime] | None = None,
    ) -> None:
        """In one transaction of the legacy database: unless the consumer's stored position
        is still ``expected`` (:class:`~hotel_occupancy.ConcurrencyConflict`, nothing
        written), write every hotel's rows, making the legacy rows the library's own lack,
        then store ``position`` (when not None) and the ``synced`` hotels."""

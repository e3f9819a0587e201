"""Side by side with the legacy application (§12, phases 3 and 4): the diff that gates the
cut-over, the cut-over itself (and back), and the check before the legacy columns go.

::

    with LegacySqlSource.open("sqlite:///legacy.db") as source:
        report = services.legacy_diff(uow, source)
        print(report.summary())
        services.cut_over(uow, source, "17", by="Dana (night manager)")

The diff re-reads the legacy rows with the import's own reconciliation and compares the
result with the library (see :mod:`hotel_occupancy.domain.side_by_side`). It reads, and
writes nothing, in either database. The cut-over is an operator's act, like the import:
it names who did it and is recorded in the hotel's handovers; it is not one of the room
operations of the role policy.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from hotel_occupancy.domain.enums import GuestType
from hotel_occupancy.domain.errors import HotelNotFound
from hotel_occupancy.domain.feed import START
from hotel_occupancy.domain.legacy import HotelTakeover, ImportSettings, LegacyHotelRecord, Owner
from hotel_occupancy.domain.side_by_side import (
    MIRROR_AUDIT,
    CutoverRefused,
    Difference,
    Handover,
    HotelComparison,
    MirrorAudit,
    MirrorHotel,
    MirrorStaff,
    mirror_booking,
    mirror_room,
)
from hotel_occupancy.domain.validation import require_text
from hotel_occupancy.services.feed import read_feed
from hotel_occupancy.services.legacy import check_settings
from hotel_occupancy.services.ports import (
    LegacyImportUnitOfWork,
    LegacyMirrorTarget,
    LegacySource,
)

__all__ = [
    "MIRROR_CONSUMER",
    "DiffReport",
    "MirrorRound",
    "cut_over",
    "legacy_diff",
    "mirror_legacy",
    "require_library_owned",
]


@frozen
class DiffReport:
    """Every room and booking where a legacy database and the library disagree."""

    differences: tuple[Difference, ...]
    hotels: tuple[str, ...]

    @property
    def changes(self) -> tuple[Difference, ...]:
        """The differences of facts: what a new import brings in, or the mirror writes out."""
        return tuple(d for d in self.differences if d.change)

    @property
    def clean(self) -> bool:
        """True when there is no difference at all."""
        return not self.differences

    def for_hotel(self, hotel_id: str) -> tuple[Difference, ...]:
        """The differences of one hotel."""
        return tuple(d for d in self.differences if d.hotel_id == hotel_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the hotels compared, counts by kind, and every difference."""
        return {
            "hotels": list(self.hotels),
            "counts": dict(sorted(Counter(d.kind.value for d in self.differences).items())),
            "differences": [d.to_dict() for d in self.differences],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary(self) -> str:
        """A readable summary: by hotel, the count of each kind, then every difference."""
        if not self.hotels:
            return "No imported hotel of this legacy database to compare.\n"
        lines = []
        for hotel_id in self.hotels:
            found = self.for_hotel(hotel_id)
            changes = sum(d.change for d in found)
            reconciled = sum(d.reconciled for d in found)
            lines.append(
                f"hotel {hotel_id}: "
                + (
                    "no differences"
                    if not found
                    else f"{len(found):,} difference(s), {changes:,} of facts, "
                    f"{reconciled:,} reconciled by the import"
                )
            )
            by_kind = Counter(d.kind for d in found)
            width = max((len(k.value) for k in by_kind), default=0)
            lines += [f"  {k.value:<{width}}  {n:>7,}" for k, n in sorted(by_kind.items())]
        for d in self.differences:
            where = (
                f"booking {d.booking_reference}"
                if d.booking_reference is not None
                else f"room {d.room_id}"
            )
            mark = " (reconciled)" if d.reconciled else ""
            lines.append(f"{d.hotel_id} {where}: {d.kind.value}{mark}: {d.detail}")
        return "\n".join(lines) + "\n"


def legacy_diff(
    uow: LegacyImportUnitOfWork,
    source: LegacySource,
    *,
    settings: ImportSettings | None = None,
    hotels: Collection[str] | None = None,
    mirrored: LegacyMirrorTarget | None = None,
) -> DiffReport:
    """Compare every hotel imported from ``source`` (or only ``hotels``, by the library's
    hotel id) with its legacy rows (§12). Reads both sides; writes nothing.

    ``settings`` must be those the hotels were imported with (their time zones decide the
    guests' dates). ``mirrored`` is the mirror's target on the same legacy database, when
    it has written there: the legacy rows it made for the library's own are then compared
    with those."""
    settings = settings if settings is not None else ImportSettings()
    check_settings(settings, source)
    now = uow.clock()
    legacy_hotels = {h.id: h for h in source.hotels()}
    with uow.reading():
        records = [
            r
            for r in uow.legacy.records()
            if r.legacy_hotel_id in legacy_hotels and (hotels is None or r.hotel_id in hotels)
        ]
    if hotels is not None:
        missing = sorted(set(hotels) - {r.hotel_id for r in records})
        if missing:
            raise HotelNotFound(
                f"hotel(s) {', '.join(missing)}: not imported from this legacy database"
            )
    room_hotels = source.room_hotels()
    staff_hotels = source.staff_hotels()
    differences: list[Difference] = []
    for record in records:
        legacy_id = record.legacy_hotel_id
        with uow.reading():
            comparison = HotelComparison(
                hotel_id=record.hotel_id,
                prefix=record.prefix,
                occupancies=uow.legacy.occupancies(record.hotel_id),
                bookings=uow.legacy.bookings(record.hotel_id),
                ids=mirrored.id_map(legacy_id) if mirrored is not None else None,
            )
        rooms = source.rooms(legacy_id)
        open_stays = source.open_stays(legacy_id)
        takeover = HotelTakeover(
            hotel=legacy_hotels[legacy_id],
            settings=settings.for_hotel(legacy_id),
            prefix=record.prefix,
            now=now,
            staff=source.staff(legacy_id),
            rooms=rooms,
            open_stays=open_stays,
            room_hotels=room_hotels,
            staff_hotels=staff_hotels,
        )
        takeover.give_pins(["0000"] * takeover.pins_needed())  # compared with nothing
        for stay in (*open_stays, *source.stays(legacy_id)):
            comparison.stay(stay, takeover.stay(stay).bookings)
        comparison.rooms(rooms, takeover.finish().occupancies)
        differences.extend(comparison.finish(takeover.conflicts))
    return DiffReport(tuple(differences), tuple(r.hotel_id for r in records))


def cut_over(
    uow: LegacyImportUnitOfWork,
    source: LegacySource,
    hotel_id: str,
    *,
    by: str,
    reason: str = "",
    back: bool = False,
    settings: ImportSettings | None = None,
    mirrored: LegacyMirrorTarget | None = None,
) -> Handover:
    """Hand an imported hotel to the library (§12, phase 3 to 4), or with ``back=True``
    back to the legacy application; recorded as a :class:`Handover` by ``by``.

    The cut-over is refused (:class:`CutoverRefused`) while :func:`legacy_diff` finds a
    difference of facts for the hotel: what the legacy application changed since the last
    import is brought in by importing again first. Differences the import reconciled do
    not hold it up: the mirror writes the library's values over them. Handing a hotel to
    the owner it already has changes nothing and returns its last handover."""
    by = require_text("by", by)
    owner = Owner.LEGACY if back else Owner.LIBRARY
    with uow.reading():
        record = _record(uow, hotel_id)
        last = uow.legacy.handovers(hotel_id)
    if record.owner is owner:
        return last[-1] if last else Handover(hotel_id, owner, record.imported_at, "import")
    if not back:
        changes = legacy_diff(
            uow, source, settings=settings, hotels=[hotel_id], mirrored=mirrored
        ).changes
        if changes:
            shown = "; ".join(f"{d.kind.value}: {d.detail}" for d in changes[:5])
            raise CutoverRefused(
                f"hotel {hotel_id} differs from its legacy rows in {len(changes):,} fact(s) "
                f"({shown}{'; ...' if len(changes) > 5 else ''}): run `legacy import` again "
                "to bring them in, then `legacy diff`",
                changes,
            )
    with uow:
        record = _record(uow, hotel_id)
        if record.owner is owner:  # another operator was quicker
            found = uow.legacy.handovers(hotel_id)
            return found[-1]
        handover = Handover(hotel_id, owner, uow.clock(), by, reason)
        uow.legacy.save(
            LegacyHotelRecord(
                record.hotel_id, record.legacy_hotel_id, record.prefix, owner, record.imported_at
            )
        )
        uow.legacy.hand_over(handover)
        uow.commit()
    return handover


def require_library_owned(uow: LegacyImportUnitOfWork) -> Sequence[LegacyHotelRecord]:
    """Every imported hotel's record, if the library owns them all; else
    :class:`CutoverRefused` naming those the legacy application still owns (phase 4 may
    not begin)."""
    with uow.reading():
        records = uow.legacy.records()
    legacy = [r.hotel_id for r in records if r.owner is Owner.LEGACY]
    if legacy:
        raise CutoverRefused(
            f"the legacy application still owns hotel(s) {', '.join(legacy)}: cut them over "
            "(`legacy cutover --hotel H`) before the legacy columns are dropped"
        )
    return records


def _record(uow: LegacyImportUnitOfWork, hotel_id: str) -> LegacyHotelRecord:
    record = uow.legacy.record(hotel_id)
    if record is None:
        raise HotelNotFound(f"hotel {hotel_id} was not imported from a legacy database")
    return record


MIRROR_CONSUMER = "legacy-mirror"
"""The default name of the mirror's position in the legacy database."""


@frozen
class MirrorRound:
    """What one round of the mirror did: the hotels it wrote whole (newly handed to the
    library) or swept (bookings registered since, with no legacy row), the feed events it
    read, and the position it reached (``moved``: past the
    one it started from; a page of the log may hold no event, only imported history)."""

    synced: tuple[str, ...]
    events: int
    position: str | None
    moved: bool = False

    @property
    def idle(self) -> bool:
        """True when the round found nothing to do: the mirror has caught up."""
        return not (self.synced or self.moved)


def mirror_legacy(
    uow: LegacyImportUnitOfWork,
    target: LegacyMirrorTarget,
    *,
    source: LegacySource,
    settings: ImportSettings | None = None,
    consumer: str = MIRROR_CONSUMER,
    limit: int = 500,
    sweep: bool = False,
) -> MirrorRound:
    """One round of the mirror (§12, side by side): write the legacy columns of the
    hotels the library owns, in ``target``'s own transactions, with its position there.

    First, each hotel newly handed to the library (or handed over again) is written whole:
    every room, every booking in a room, and every booking :func:`legacy_diff` names, so
    that the conflicts the import reconciled leave the legacy columns too. Then the next
    ``limit`` events of the feed after the stored position: the rooms and bookings they
    touch are written as the library has them now, with the audit columns of the events,
    and the position moves past them in the same transaction. A round killed anywhere
    writes all of it or nothing; the next one starts where the stored position says.
    ``source`` reads the same legacy database (for the diff of a whole hotel).

    Registering a booking logs nothing, so no event announces it: with ``sweep`` the
    round also writes the library's bookings that have no legacy row yet (it reads every
    booking id of the hotels the library owns: run it when the feed is quiet)."""
    settings = settings if settings is not None else ImportSettings()
    with uow.reading():
        owned = {r.hotel_id: r for r in uow.legacy.records() if r.owner is Owner.LIBRARY}
        handed = {h: _handed_at(uow, owned[h]) for h in owned}
    expected = target.position(consumer)
    done = target.synced(consumer)
    synced: list[str] = []
    for hotel_id in sorted(h for h in owned if done.get(h) != handed[h]):
        record = owned[hotel_id]
        diff = legacy_diff(uow, source, settings=settings, hotels=[hotel_id], mirrored=target)
        with uow.reading():
            rooms = {o.room_id for o in uow.legacy.occupancies(hotel_id)}
            rooms |= {d.room_id for d in diff.differences if d.room_id is not None}
            bookings = {d.booking_id for d in diff.differences if d.booking_id is not None}
            hotel = _hotel_rows(uow, record, rooms, bookings, {})
        target.apply(
            [hotel],
            consumer=consumer,
            expected=expected,
            position=None,
            synced={hotel_id: handed[hotel_id]},
        )
        synced.append(hotel_id)
    if sweep:
        with uow.reading():
            found = {h: uow.legacy.booking_ids(h) for h in sorted(owned) if h not in synced}
        for hotel_id, booking_ids in found.items():
            record = owned[hotel_id]
            missing = target.unwritten_bookings(record.legacy_hotel_id, record.prefix, booking_ids)
            if missing:
                with uow.reading():
                    hotel = _hotel_rows(uow, record, (), missing, {})
                target.apply([hotel], consumer=consumer, expected=expected, position=None)
                synced.append(hotel_id)
    page = read_feed(uow, after=expected or START, limit=limit)
    if page.position == (expected or START):
        return MirrorRound(tuple(synced), 0, expected)
    touched: dict[str, tuple[set[str], set[str], dict[str, dict[str, MirrorAudit]]]] = {}
    for event in page.events:
        if event.hotel_id not in owned:
            continue
        rooms, bookings, audit = touched.setdefault(event.hotel_id, (set(), set(), {}))
        rooms.update(r for r in (event.room_id, event.from_room_id) if r is not None)
        if event.booking_id is not None:
            bookings.add(event.booking_id)
            columns = MIRROR_AUDIT.get(event.operation)
            if columns is not None:
                audit.setdefault(event.booking_id, {})[columns[0]] = MirrorAudit(
                    columns[0], columns[1], event.timestamp, event.performed_by
                )
    with uow.reading():
        hotels = [
            _hotel_rows(uow, owned[hotel_id], rooms, bookings, audit)
            for hotel_id, (rooms, bookings, audit) in sorted(touched.items())
        ]
    target.apply(hotels, consumer=consumer, expected=expected, position=page.position)
    return MirrorRound(tuple(synced), len(page.events), page.position, moved=True)


def _handed_at(uow: LegacyImportUnitOfWork, record: LegacyHotelRecord) -> datetime:
    handovers = uow.legacy.handovers(record.hotel_id)
    return handovers[-1].at if handovers else record.imported_at


def _hotel_rows(
    uow: LegacyImportUnitOfWork,
    record: LegacyHotelRecord,
    room_ids: Collection[str],
    booking_ids: Collection[str],
    audit: Mapping[str, Mapping[str, MirrorAudit]],
) -> MirrorHotel:
    """The legacy columns of these rooms and bookings (and of the bookings in the rooms),
    as the library has them now, with the staff they name."""
    rooms = []
    wanted = set(booking_ids)
    for room_id in sorted(room_ids):
        room = uow.rooms.get(room_id)
        occupancy = uow.occupancies.get(room_id)
        if room is None or occupancy is None:
            continue  # not a room of the store (a legacy room the diff names)
        token = None
        if occupancy.booking_id is not None:
            wanted.add(occupancy.booking_id)
            token = next(
                (
                    g.device_token
                    for g in uow.guests.for_booking(occupancy.booking_id)
                    if g.in_house and g.guest_type is GuestType.PRIMARY
                ),
                None,
            )
        rooms.append(mirror_room(room, occupancy, token))
    bookings = []
    for booking_id in sorted(wanted):
        booking = uow.bookings.get(booking_id)
        if booking is None:
            continue
        placed = uow.occupancies.for_booking(booking_id)
        bookings.append(
            mirror_booking(
                booking,
                None if placed is None else placed.room_id,
                uow.guests.for_booking(booking_id),
                tuple(audit.get(booking_id, {}).values()),
            )
        )
    named = {r.cleaned_by for r in rooms} | {r.inspected_by for r in rooms}
    named |= {a.by for b in bookings for a in b.audit}
    staff = []
    for staff_id in sorted(s for s in named if s is not None):
        member = uow.staff.get(staff_id)
        if member is not None:
            staff.append(MirrorStaff(member.staff_id, member.name, member.role, member.active))
    return MirrorHotel(
        hotel_id=record.hotel_id,
        legacy_hotel_id=record.legacy_hotel_id,
        prefix=record.prefix,
        staff=tuple(staff),
        rooms=tuple(rooms),
        bookings=tuple(bookings),
    )

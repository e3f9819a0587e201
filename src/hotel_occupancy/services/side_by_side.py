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
from typing import Any

from attrs import frozen

from hotel_occupancy.domain.errors import HotelNotFound
from hotel_occupancy.domain.legacy import HotelTakeover, ImportSettings, LegacyHotelRecord, Owner
from hotel_occupancy.domain.side_by_side import (
    CutoverRefused,
    Difference,
    Handover,
    HotelComparison,
)
from hotel_occupancy.domain.validation import require_text
from hotel_occupancy.services.legacy import check_settings
from hotel_occupancy.services.ports import LegacyImportUnitOfWork, LegacySource

__all__ = [
    "DiffReport",
    "cut_over",
    "legacy_diff",
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
    booking_ids: Mapping[str, Mapping[int, str]] | None = None,
) -> DiffReport:
    """Compare every hotel imported from ``source`` (or only ``hotels``, by the library's
    hotel id) with its legacy rows (§12). Reads both sides; writes nothing.

    ``settings`` must be those the hotels were imported with (their time zones decide the
    guests' dates). ``booking_ids`` maps, per hotel, legacy booking ids of rows the mirror
    wrote for the library's own bookings to the library's ids."""
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
                booking_ids=(booking_ids or {}).get(record.hotel_id),
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
        changes = legacy_diff(uow, source, settings=settings, hotels=[hotel_id]).changes
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

"""The legacy import (§12, phase 2): take hotels over from the legacy schema.

::

    from hotel_occupancy.adapters.legacy import LegacySqlSource
    with LegacySqlSource.open("sqlite:///legacy.db") as source:
        report = services.import_legacy(uow, source)
    print(report.summary())

Each legacy hotel is imported in one transaction of the unit of work: it is in the store
whole, or not at all. A run that is killed leaves the hotels it finished; running it again
finds nothing to write for them while the legacy rows are unchanged (a hotel the legacy
application still owns gets only what changed since, see
:mod:`~hotel_occupancy.services.legacy_update`; one the library owns, nothing),
recomputes their report, and imports the others. A dry run does all the work, in the
same transactions, and rolls each back: it reports exactly what a real run would and
writes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from attrs import frozen

from hotel_occupancy.domain.errors import AlreadyRegistered, InvalidInput
from hotel_occupancy.domain.legacy import (
    COUNT_KEYS,
    Conflict,
    ConflictKind,
    HotelTakeover,
    ImportSettings,
    LegacyHotelRecord,
    Owner,
    TakenOver,
)
from hotel_occupancy.domain.validation import MAX_ID_LENGTH, require_text
from hotel_occupancy.services.legacy_update import LegacyUpdate
from hotel_occupancy.services.pins import fresh_pins
from hotel_occupancy.services.ports import LegacyImportUnitOfWork, LegacySource

__all__ = ["HotelOutcome", "ImportProgress", "ImportReport", "check_settings", "import_legacy"]


@frozen
class ImportProgress:
    """How far the import of one hotel has come: ``done`` of ``total`` bookings."""

    hotel_id: str
    done: int
    total: int


@frozen
class HotelOutcome:
    """What the run did with one legacy hotel: ``imported``, ``dry run`` (rolled back), for
    one imported before ``legacy-owned: ...`` (what changed in the legacy rows since was
    brought in: ``changes``) or ``owned by the library: not imported again``."""

    hotel_id: str
    legacy_hotel_id: int
    name: str
    outcome: str
    changes: Mapping[str, int] = MappingProxyType({})
    """For a hotel imported before and still legacy-owned: what this run wrote, by
    :data:`~hotel_occupancy.services.legacy_update.CHANGE_KEYS` (empty otherwise)."""


@frozen
class ImportReport:
    """The report of an import (§12): counts and conflicts, plus what became of each hotel."""

    counts: Mapping[str, int]
    conflicts: tuple[Conflict, ...]
    hotels: tuple[HotelOutcome, ...] = ()
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: ``counts`` (the nine keys of §12) and ``conflicts``. It never
        holds a PIN or a device token."""
        return {
            "counts": {key: self.counts.get(key, 0) for key in COUNT_KEYS},
            "conflicts": [conflict.to_dict() for conflict in self.conflicts],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary(self) -> str:
        """A readable summary: what happened to each hotel, the counts, the conflicts by kind."""
        lines = ["Legacy import" + (" (dry run: nothing was written)" if self.dry_run else "")]
        for hotel in self.hotels:
            lines.append(
                f"  hotel {hotel.hotel_id} ({hotel.name}, legacy id {hotel.legacy_hotel_id}): "
                f"{hotel.outcome}"
            )
            lines += [
                f"    {key.replace('_', ' ')}: {count:,}"
                for key, count in hotel.changes.items()
                if count
            ]
        lines.append("Counts")
        width = max(len(key) for key in COUNT_KEYS)
        lines += [f"  {key:<{width}}  {self.counts.get(key, 0):>9,}" for key in COUNT_KEYS]
        by_kind = Counter(conflict.kind for conflict in self.conflicts)
        if by_kind:
            lines.append(f"Conflicts resolved: {len(self.conflicts):,}")
            width = max(len(kind.value) for kind in by_kind)
            lines += [
                f"  {kind.value:<{width}}  {count:>9,}"
                for kind, count in sorted(by_kind.items(), key=lambda kc: (-kc[1], kc[0].value))
            ]
        else:
            lines.append("No conflicts.")
        return "\n".join(lines) + "\n"


def check_settings(settings: ImportSettings, source: LegacySource) -> None:
    """Refuse settings that read the legacy times in another zone than the source does."""
    if settings.legacy_timezone != source.legacy_timezone:
        raise InvalidInput(
            f"the settings say the legacy times are {settings.legacy_timezone} but the source "
            f"reads them as {source.legacy_timezone}: open the source with "
            f"legacy_timezone={settings.legacy_timezone!r}"
        )


def _discard(rows: TakenOver) -> None:
    """Where an already imported hotel's rows go: nowhere."""


def import_legacy(
    uow: LegacyImportUnitOfWork,
    source: LegacySource,
    *,
    settings: ImportSettings | None = None,
    prefix: str = "",
    dry_run: bool = False,
    progress: Callable[[ImportProgress], None] | None = None,
    batch_size: int = 1000,
) -> ImportReport:
    """Import every hotel of the legacy ``source`` into the store of ``uow`` (§12).

    New ids are the legacy primary keys as text, after ``prefix``. "Now" (the time of the
    IMPORT entries and of the occupancy records) is read once from the unit of work's clock.
    A hotel imported before (by an earlier run, with this prefix) is brought up to date
    while the legacy application owns it (only what differs is written) and not written at
    all once the library owns it.
    A hotel id already taken by a hotel that was not imported raises
    :class:`~hotel_occupancy.AlreadyRegistered` (import with a prefix); so does any other
    id taken in the store, and the hotel being imported is then rolled back whole.
    """
    prefix = require_text("prefix", prefix)
    if prefix != prefix.strip() or len(prefix) > MAX_ID_LENGTH // 2:
        raise InvalidInput(f"prefix {prefix!r}: no surrounding spaces, at most 64 characters")
    if batch_size < 1:
        raise InvalidInput("batch_size must be at least 1")
    settings = settings if settings is not None else ImportSettings()
    check_settings(settings, source)
    now = uow.clock()
    room_hotels = source.room_hotels()
    staff_hotels = source.staff_hotels()
    counts: Counter[str] = Counter(dict.fromkeys(COUNT_KEYS, 0))
    conflicts: list[Conflict] = []
    outcomes: list[HotelOutcome] = []
    for legacy in source.hotels():
        hotel_id = f"{prefix}{legacy.id}"
        with uow:
            record = uow.legacy.record(hotel_id)
            if record is None and uow.hotels.get(hotel_id) is not None:
                raise AlreadyRegistered(
                    f"hotel {hotel_id} is already in the store and was not imported from a "
                    "legacy database: import with a prefix (--prefix)"
                )
            takeover = HotelTakeover(
                hotel=legacy,
                settings=settings.for_hotel(legacy.id),
                prefix=prefix,
                now=now,
                staff=source.staff(legacy.id),
                rooms=source.rooms(legacy.id),
                open_stays=source.open_stays(legacy.id),
                room_hotels=room_hotels,
                staff_hotels=staff_hotels,
            )
            update = None
            if record is None:
                write: Callable[[TakenOver], None] = uow.legacy.write
            elif record.owner is Owner.LEGACY:  # the legacy application still writes it
                update = LegacyUpdate(uow, now)
                write = update.write
            else:  # the library writes it now: nothing of the legacy rows comes in
                write = _discard
            write(takeover.reference_rows())
            if record is None or update is not None:
                takeover.give_pins(fresh_pins(uow, hotel_id, takeover.pins_needed(), now))
            write(takeover.open_rows())
            total = source.count_bookings(legacy.id)
            done = takeover.open_count
            _stream(takeover, source, legacy.id, write, batch_size, progress, done, total)
            write(takeover.finish())
            if record is None:
                uow.legacy.save(
                    LegacyHotelRecord(hotel_id, legacy.id, prefix, Owner.LEGACY, imported_at=now)
                )
            if (record is None or update is not None) and not dry_run:
                uow.commit()
        counts.update(takeover.counts)
        conflicts.extend(takeover.conflicts)
        changes = {} if update is None else dict(update.changes)
        if record is None:
            outcome = "dry run" if dry_run else "imported"
        elif update is None:
            outcome = "owned by the library: not imported again"
        else:
            written = sum(changes.values())
            outcome = (
                "legacy-owned: no change"
                if not written
                else f"legacy-owned: {written:,} change(s) brought in"
                + (" (dry run: rolled back)" if dry_run else "")
            )
        outcomes.append(HotelOutcome(hotel_id, legacy.id, takeover.hotel.name, outcome, changes))
    for orphan in source.orphans():
        if orphan.table in _COUNTED:
            counts[_COUNTED[orphan.table]] += 1
        conflicts.append(
            Conflict(
                kind=ConflictKind(orphan.kind),
                detail=f"{orphan.table} {orphan.id}: {orphan.detail}",
                resolution="not imported",
            )
        )
    return ImportReport(
        counts={key: counts[key] for key in COUNT_KEYS},
        conflicts=tuple(conflicts),
        hotels=tuple(outcomes),
        dry_run=dry_run,
    )


_COUNTED = {
    "hotel_hotel": "hotels",
    "rooms_room": "rooms",
    "staff_staff": "staff",
    "hotel_roombooking": "bookings",
    "guests_guest": "guests",
}


def _stream(
    takeover: HotelTakeover,
    source: LegacySource,
    hotel_id: int,
    write: Callable[[TakenOver], None],
    batch_size: int,
    progress: Callable[[ImportProgress], None] | None,
    done: int,
    total: int,
) -> None:
    """Feed the hotel's other bookings, then its tasks, writing them in batches."""
    batch: list[TakenOver] = []
    for stay in source.stays(hotel_id):
        batch.append(takeover.stay(stay))
        if len(batch) >= batch_size:
            write(TakenOver.merge(batch))
            done += len(batch)
            batch = []
            if progress is not None:
                progress(ImportProgress(takeover.hotel.hotel_id, done, total))
    write(TakenOver.merge(batch))
    done += len(batch)
    if progress is not None:
        progress(ImportProgress(takeover.hotel.hotel_id, done, total))
    tasks: list[TakenOver] = []
    for task in source.tasks(hotel_id):
        tasks.append(takeover.task(task))
        if len(tasks) >= batch_size:
            write(TakenOver.merge(tasks))
            tasks = []
    write(TakenOver.merge(tasks))

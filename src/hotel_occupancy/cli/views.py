"""How the command line shows the library's results: tables for people, JSON-ready data
for machines. Every instant is shown in the hotel's own zone with the zone's abbreviation
(see :func:`~hotel_occupancy.cli.text.local_time`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from attrs import frozen

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.cli.database import _hotel
from hotel_occupancy.cli.text import (
    Output,
    _local,
    local_iso,
    local_time,
    plain,
    table,
    visible,
)


@frozen
class Waiting:
    """A booking waiting for a room on the board: pre-assigned to a vacant room, or
    arriving into an occupied one whose guest is due out."""

    reference: str
    queued: bool


def _waiting_for(row: ho.BoardRow) -> str | None:
    """The booking waiting for the room of ``row``: the one arriving into it while its
    guest is due out, or the one pre-assigned to it while it is vacant."""
    if row.arriving_booking_id is not None:
        return row.arriving_booking_id
    return row.booking_id if row.status is not ho.OccupancyStatus.OCCUPIED else None


def waiting_bookings(uow: SqlAlchemyUnitOfWork, board: Sequence[ho.BoardRow]) -> dict[str, Waiting]:
    """The reference and queue state of each booking waiting for a room of ``board``."""
    waiting: dict[str, Waiting] = {}
    for row in board:
        booking_id = _waiting_for(row)
        if booking_id is not None:
            view = services.get_booking(uow, booking_id)
            waiting[booking_id] = Waiting(view.reference, view.booking.queued_at is not None)
    return waiting


def _queued(row: ho.BoardRow, waiting: dict[str, Waiting]) -> bool:
    """Whether the guest of the booking waiting for the room of ``row`` waits at the desk."""
    booking_id = _waiting_for(row)
    return row.queued or (booking_id in waiting and waiting[booking_id].queued)


def _board_flags(row: ho.BoardRow, waiting: dict[str, Waiting]) -> str:
    flags = ["overdue" if row.overdue else "due out"] if row.due_out or row.overdue else []
    if _queued(row, waiting):
        flags.append("queued")
    return ", ".join(flags)


SERVICE_LABELS: dict[ho.ServiceStatus, str] = {
    ho.ServiceStatus.NONE: "",
    ho.ServiceStatus.DND: "DND",
    ho.ServiceStatus.MAKE_UP_ROOM: "MAKE_UP",
    ho.ServiceStatus.SERVICE_REFUSED: "REFUSED",
}
"""How a guest service status reads in the compact columns of the board and the
worksheets (NONE is left blank)."""


def _reference(booking_id: str | None, waiting: dict[str, Waiting]) -> str:
    if booking_id is None:
        return ""
    return waiting[booking_id].reference if booking_id in waiting else booking_id


def print_board(
    board: Sequence[ho.BoardRow],
    out: Output,
    *,
    timezone: str = "UTC",
    waiting: dict[str, Waiting] | None = None,
) -> None:
    """The board as a table, times in the hotel's zone ``timezone`` (named in the column
    title): each room's guest service status (``service``: DND, MAKE_UP or REFUSED; blank
    for none) and open discrepancy (``disc``: SKIP, SLEEP or PERSON), the booking in it,
    the one arriving into it when its guest is due out, and the flags "due out" /
    "overdue" (the guest in house) and "queued" (the guest waiting at the desk for the
    room); then the counts."""
    waiting = waiting or {}
    rows: list[list[object]] = [
        [
            "room",
            "status",
            "condition",
            "service",
            "disc",
            "booking",
            "guests",
            f"expected checkout ({timezone})",
            "arriving",
            "flags",
        ]
    ]
    for r in board:
        rows.append(
            [
                r.number,
                r.status.value,
                r.condition.value,
                SERVICE_LABELS[r.service_status],
                r.discrepancy.value if r.discrepancy is not None else "",
                r.booking_reference or "",
                r.guest_count or "",
                local_time(r.expected_checkout_local or r.expected_checkout, timezone),
                _reference(r.arriving_booking_id, waiting),
                _board_flags(r, waiting),
            ]
        )
    table(rows, out)
    counts = Counter(r.status.value for r in board)
    line = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    due = sum(1 for r in board if r.due_out or r.overdue)
    overdue = sum(1 for r in board if r.overdue)
    extra = [
        (due, f"due out ({overdue} overdue)" if overdue else "due out"),
        (sum(1 for r in board if r.arriving_booking_id is not None), "arriving"),
        (sum(1 for r in board if _queued(r, waiting)), "queued"),
        *(
            (sum(1 for r in board if r.service_status is status), status.value)
            for status in ho.ServiceStatus
            if status is not ho.ServiceStatus.NONE
        ),
        (sum(1 for r in board if r.discrepancy is not None), "with a discrepancy"),
    ]
    shown = [f"{n} {what}" for n, what in extra if n]
    out.write("\n" + line + (f"; {', '.join(shown)}" if shown else "") + "\n")


def show_board(uow: SqlAlchemyUnitOfWork, hotel_id: str, out: Output) -> None:
    """Print the hotel's room board (see :func:`print_board`)."""
    board = services.room_board(uow, hotel_id)
    print_board(
        board, out, timezone=_hotel(uow, hotel_id).timezone, waiting=waiting_bookings(uow, board)
    )


def _change(before: StrEnum | None, after: StrEnum | None) -> str:
    """``A -> B``, ``A`` when unchanged, ``(imported)`` for legacy history with no state."""
    if before is None or after is None:
        return "(imported)"
    return after.value if before is after else f"{before.value} -> {after.value}"


_CLOSED = {"cancelled": "cancelled", "no_show": "no-show"}
"""How a log entry's ``metadata["why"]`` reads, for a booking closed before it arrived."""


def _stay_change(metadata: Any) -> str:
    """What a STAY_CHANGE entry changed, from its metadata, in a few words."""
    action = metadata.get("action")
    if action == "change_stay":
        parts = [
            f"{what} {metadata.get(f'{what}_before')} -> {metadata.get(f'{what}_after')}"
            for what in ("arrival", "departure")
            if metadata.get(f"{what}_before") != metadata.get(f"{what}_after")
        ]
        return "; ".join(parts) or "dates"
    if action == "update_party":
        moves = [
            f"{metadata[key]} {key}"
            for key in ("joined", "left", "renamed")
            if isinstance(metadata.get(key), int) and metadata[key]
        ]
        size = f"party {metadata.get('party_before')} -> {metadata.get('party_after')}"
        return size + (f": {', '.join(moves)}" if moves else "")
    if action == "queue_arrival":
        return "queued"
    why = metadata.get("why")
    if isinstance(why, str) and why in _CLOSED:
        return _CLOSED[why]
    return str(action or "")


def describe_operation(entry: ho.LogEntry | ho.OccupancyEvent) -> str:
    """The operation of a log entry, with what the table would not show otherwise: the
    source of a move or reassignment, what a STAY_CHANGE changed, why a booking was
    released (cancelled, no-show), an arrival pre-assigned into a due-out room; what a
    night audit did to the room, the service status set, what an observation found, and
    the discrepancy an operation resolved (§10)."""
    details = []
    if entry.from_room_id:
        details.append(f"from {entry.from_room_id}")
    metadata = entry.metadata
    why = metadata.get("why")
    if entry.operation is ho.Operation.STAY_CHANGE:
        details.append(_stay_change(metadata))
    elif isinstance(why, str) and why in _CLOSED:  # a pre-assignment released
        details.append(_CLOSED[why])
    elif entry.operation is ho.Operation.ASSIGN and metadata.get("arriving") is True:
        details.append("arriving")
    elif entry.operation is ho.Operation.NIGHT_AUDIT:
        details.append(audit_change(entry))
    elif entry.operation is ho.Operation.SERVICE_STATUS:
        details.append(str(metadata.get("service_status", "")))
    elif entry.operation is ho.Operation.DISCREPANCY:
        details.append(str(metadata.get("variant", "")))
    resolved = metadata.get("resolved_discrepancy")
    if isinstance(resolved, str):
        details.append(f"resolves {resolved}")
    details = [d for d in details if d]
    return entry.operation.value + (f" ({'; '.join(details)})" if details else "")


def print_history(entries: Sequence[ho.LogEntry], out: Output, *, timezone: str) -> None:
    """Log entries as a table, their times in the hotel's zone ``timezone``."""
    rows: list[list[object]] = [
        ["#", f"time ({timezone})", "operation", "by", "booking", "status", "condition", "notes"]
    ]
    for e in entries:
        if e.is_booking_only:  # a booking that held no room: no room state to show
            status = condition = ""
        else:
            status, condition = (
                _change(e.status_before, e.status_after),
                _change(e.condition_before, e.condition_after),
            )
        rows.append(
            [
                e.id,
                local_time(e.timestamp, timezone),
                describe_operation(e),
                e.performed_by,
                e.booking_id or "",
                status,
                condition,
                e.notes,
            ]
        )
    table(rows, out)


_STAY_TITLES = {
    "arrivals": "Arrivals",
    "departures": "Departures",
    "in-house": "In house",
}


def _stay_flags(row: ho.StayRow) -> str:
    """The flags of a row: "overdue arrival" (expected before the day, not arrived),
    "overdue" (past the expected checkout), "queued" (waiting at the desk), "arriving"
    (pre-assigned to a room whose guest is due out)."""
    late = "overdue arrival" if row.stage.is_open else "overdue"
    flags = [
        name
        for name, on in ((late, row.overdue), ("queued", row.queued), ("arriving", row.arriving))
        if on
    ]
    return ", ".join(flags)


def entry_data(entry: ho.LogEntry, timezone: str) -> dict[str, Any]:
    """A log entry as JSON-ready data: every field (``timestamp`` in UTC), its time in the
    hotel's zone as ``timestamp_local`` and the zone's name."""
    return {
        **plain(entry),
        "timestamp_local": local_iso(entry.timestamp, timezone),
        "timezone": timezone,
    }


def task_data(task: ho.HousekeepingTask, timezone: str) -> dict[str, Any]:
    """A housekeeping task as JSON-ready data: every field (times in UTC), each time in
    the hotel's zone as ``<name>_local``, and the zone's name."""
    data: dict[str, Any] = {}
    for name, value in plain(task).items():
        data[name] = value
        if name.endswith("_at"):
            data[f"{name}_local"] = local_iso(getattr(task, name), timezone)
    data["timezone"] = timezone
    return data


def print_stays(rows: Sequence[ho.StayRow], out: Output, *, timezone: str) -> None:
    """The front desk's list of bookings as a table, times in the hotel's zone
    ``timezone`` (named in the column titles); then the counts by stage and flag."""
    table_rows: list[list[object]] = [
        [
            "reference",
            "stage",
            "room",
            "guests",
            "primary guest",
            "arrival",
            "departure",
            f"checked in ({timezone})",
            f"expected checkout ({timezone})",
            "flags",
        ]
    ]
    for r in rows:
        table_rows.append(
            [
                r.reference,
                r.stage.value,
                r.room_number or "",
                r.party_size,
                r.primary_name,
                r.arrival.isoformat(),
                r.departure.isoformat(),
                local_time(r.checked_in_at, timezone),
                local_time(r.expected_checkout_local or r.expected_checkout, timezone),
                _stay_flags(r),
            ]
        )
    table(table_rows, out)
    stages = Counter(r.stage.value for r in rows)
    line = ", ".join(f"{n} {stage}" for stage, n in sorted(stages.items()))
    flags = [
        (sum(1 for r in rows if r.overdue), "overdue"),
        (sum(1 for r in rows if r.queued), "queued"),
        (sum(1 for r in rows if r.arriving), "arriving"),
    ]
    shown = [f"{n} {what}" for n, what in flags if n]
    out.write("\n" + line + (f"; {', '.join(shown)}" if shown else "") + "\n")


def stay_data(row: ho.StayRow, timezone: str) -> dict[str, Any]:
    """A row of the front desk's lists as JSON-ready data: every field, each time in UTC
    and, as ``<name>_local``, in the hotel's zone (named by ``timezone``)."""
    data: dict[str, Any] = {}
    for name, value in plain(row).items():
        if name == "expected_checkout_local":
            continue  # placed beside its UTC twin below
        data[name] = value
        if name in ("checked_in_at", "checked_out_at", "expected_checkout"):
            moment = getattr(row, name)
            local = row.expected_checkout_local if name == "expected_checkout" else None
            data[f"{name}_local"] = plain(local or _local(moment, timezone))
    data["timezone"] = timezone
    return data


def print_tasks(
    tasks: Sequence[ho.HousekeepingTask], numbers: dict[str, str], out: Output, *, timezone: str
) -> None:
    """Open tasks as a table, since when in the hotel's zone ``timezone``."""
    if not tasks:
        out.write("no open tasks\n")
        return
    rows: list[list[object]] = [["room", "task", "status", "assigned to", f"since ({timezone})"]]
    for t in tasks:
        rows.append(
            [
                numbers.get(t.room_id, t.room_id),
                t.kind.value,
                t.status.value,
                t.assigned_to or "",
                local_time(t.created_at, timezone),
            ]
        )
    table(rows, out)


def _count(n: int, what: str, plural: str | None = None) -> str:
    """``1 room``, ``2 rooms``."""
    return f"{n} {what if n == 1 else plural or what + 's'}"


def _local_title(moment: datetime, timezone: str) -> str:
    """``2026-06-02 07:30 WEST (Europe/Lisbon)``: an instant in the hotel's zone, named."""
    return f"{local_time(moment, timezone)} ({timezone})"


# --- the housekeeping day: night audit, worksheets, discrepancies -------------------------

AUDIT_CHANGES = {
    "stayover": "stayover cleaning due",
    "service-reset": "service status reset",
    "return-DIRTY": "returned to service (DIRTY)",
    "return-CLEAN": "returned to service (CLEAN)",
}
"""What a night audit's entry did to its room, by the entry's ``metadata["variant"]``. A
stayover also resets the room's service status."""


def audit_change(entry: ho.LogEntry | ho.OccupancyEvent) -> str:
    """What the night audit's ``entry`` (or its event) changed in its room, in a few words."""
    variant = str(entry.metadata.get("variant", ""))
    return AUDIT_CHANGES.get(variant, variant or entry.operation.value)


@frozen
class AuditRun:
    """A run of ``night-audit``: the audit's entries and whether this run only replayed
    an audit of the same date done before (``replay``: nothing changed; the entries are
    that audit's). ``record`` is the audit as stored (who ran it, when); ``overdue`` the
    in-house bookings the audit found overdue to depart."""

    hotel: ho.Hotel
    business_date: date
    entries: tuple[ho.LogEntry, ...]
    replay: bool
    record: ho.NightAudit | None
    overdue: tuple[ho.BookingView, ...]
    numbers: dict[str, str]


def _overdue_ids(
    uow: SqlAlchemyUnitOfWork, hotel_id: str, day: date, entries: Sequence[ho.LogEntry]
) -> list[str]:
    """The bookings the audit of ``day`` found overdue: as its first entry's metadata
    says; an audit that changed no room has no entry to say it, so then the bookings in
    house now and due out on ``day`` or before."""
    if entries:
        try:
            found = json.loads(str(entries[0].metadata.get("overdue_departures", "[]")))
        except ValueError:
            found = []
        return [str(booking_id) for booking_id in found] if isinstance(found, list) else []
    return [row.booking_id for row in services.departures(uow, hotel_id, day)]


def print_night_audit(run: AuditRun, out: Output) -> None:
    """The night audit's rooms changed (number, what changed, status and condition, entry
    id) and the departures it found overdue; times in the hotel's zone."""
    hotel, tz = run.hotel, run.hotel.timezone
    out.write(
        visible(
            f"Night audit of {run.business_date.isoformat()} at {hotel.name} ({hotel.hotel_id})"
        )
        + "\n"
    )
    if run.record is not None:
        out.write(
            visible(
                f"audited by {run.record.performed_by} at "
                f"{_local_title(run.record.performed_at, tz)}"
            )
            + "\n"
        )
    if run.replay:
        out.write(
            "replay: this business date was audited before; nothing was changed now and the "
            "rooms below are those that audit changed\n"
        )
    out.write("\n")
    if run.entries:
        rows: list[list[object]] = [["room", "change", "status", "condition", "entry"]]
        for e in run.entries:
            rows.append(
                [
                    run.numbers.get(e.room_id or "", e.room_id or ""),
                    audit_change(e),
                    _change(e.status_before, e.status_after),
                    _change(e.condition_before, e.condition_after),
                    f"#{e.id}",
                ]
            )
        table(rows, out)
        kinds = Counter(audit_change(e) for e in run.entries)
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        out.write(f"\n{_count(len(run.entries), 'room')} changed: {summary}\n")
    else:
        out.write("no room changed\n")
    if not run.overdue:
        out.write("no overdue departures\n")
        return
    out.write(f"\n{_count(len(run.overdue), 'overdue departure')}:\n\n")
    rows = [["reference", "room", "departure", "stage"]]
    for view in run.overdue:
        rows.append(
            [
                view.reference,
                view.room_number or "",
                view.booking.departure.isoformat(),
                view.stage.value,
            ]
        )
    table(rows, out)


def night_audit_data(run: AuditRun) -> dict[str, Any]:
    """A run of ``night-audit`` as JSON-ready data."""
    record, tz = run.record, run.hotel.timezone
    return {
        "hotel_id": run.hotel.hotel_id,
        "business_date": run.business_date.isoformat(),
        "timezone": tz,
        "replay": run.replay,
        "performed_by": record.performed_by if record else None,
        "performed_at": plain(record.performed_at) if record else None,
        "performed_at_local": local_iso(record.performed_at, tz) if record else None,
        "rooms": [
            {
                "room_id": e.room_id,
                "number": run.numbers.get(e.room_id or "", e.room_id),
                "change": audit_change(e),
                "variant": e.metadata.get("variant"),
                "entry_id": e.id,
            }
            for e in run.entries
        ],
        "overdue_departures": [
            {
                "booking_id": view.booking_id,
                "reference": view.reference,
                "room_number": view.room_number,
                "departure": view.booking.departure.isoformat(),
                "stage": view.stage.value,
            }
            for view in run.overdue
        ],
        "entries": plain(run.entries),
    }


def worksheet_line_data(line: ho.WorksheetLine) -> dict[str, Any]:
    """A line of a worksheet as JSON-ready data (the priority by name, and its rank)."""
    return {
        "task_id": line.task_id,
        "room_id": line.room_id,
        "number": line.number,
        "kind": line.kind.value,
        "status": line.status.value,
        "priority": line.priority.name,
        "priority_rank": int(line.priority),
        "credits": line.credits,
        "service_status": line.service_status.value,
    }


def worksheets_data(
    hotel: ho.Hotel,
    at: datetime,
    sheets: Sequence[ho.Worksheet],
    overflow: Sequence[ho.WorksheetLine] | None,
    *,
    generated: bool,
) -> dict[str, Any]:
    """Worksheets as JSON-ready data: the time (UTC and local), each sheet with its lines
    and totals, and the overflow (None when not looked at: one attendant's sheet)."""
    return {
        "hotel_id": hotel.hotel_id,
        "timezone": hotel.timezone,
        "at": plain(at),
        "at_local": local_iso(at, hotel.timezone),
        "generated": generated,
        "sheets": [
            {
                "staff_id": sheet.staff_id,
                "rooms": len(sheet.lines),
                "credits": sheet.credits,
                "lines": [worksheet_line_data(line) for line in sheet.lines],
            }
            for sheet in sheets
        ],
        "overflow": None if overflow is None else [worksheet_line_data(line) for line in overflow],
    }


def _worksheet_table(lines: Sequence[ho.WorksheetLine], out: Output) -> None:
    rows: list[list[object]] = [["room", "task", "priority", "credits", "service", "status"]]
    for line in lines:
        rows.append(
            [
                line.number,
                line.kind.value,
                line.priority.name,
                line.credits,
                SERVICE_LABELS[line.service_status],
                line.status.value,
            ]
        )
    table(rows, out)


def print_worksheets(
    hotel: ho.Hotel,
    at: datetime,
    sheets: Sequence[ho.Worksheet],
    overflow: Sequence[ho.WorksheetLine] | None,
    out: Output,
    *,
    title: str = "Worksheets",
    leftover: str = "overflow",
) -> None:
    """Each attendant's sheet (room number, task, priority, credits, service status, task
    status) with its totals, then the tasks nobody has (unless None), named ``leftover``
    ("overflow" as generated, "unassigned" as shown later), and the totals; the header
    names the time in the hotel's zone."""
    out.write(
        visible(f"{title} at {hotel.name} ({hotel.hotel_id}), {_local_title(at, hotel.timezone)}")
        + "\n"
    )
    for sheet in sheets:
        out.write(
            "\n"
            + visible(
                f"{sheet.staff_id}: {_count(len(sheet.lines), 'room')}, "
                f"{_count(sheet.credits, 'credit')}"
            )
            + "\n"
        )
        if sheet.lines:
            _worksheet_table(sheet.lines, out)
    if not sheets:
        out.write("\nno attendant has a worksheet\n")
    rooms = sum(len(sheet.lines) for sheet in sheets)
    credits = sum(sheet.credits for sheet in sheets)
    totals = (
        f"{_count(len(sheets), 'attendant')}: {_count(rooms, 'room')}, {_count(credits, 'credit')}"
    )
    if overflow is not None:
        if overflow:
            out.write(
                f"\n{leftover} (no attendant): {_count(len(overflow), 'room')}, "
                f"{_count(sum(line.credits for line in overflow), 'credit')}\n"
            )
            _worksheet_table(overflow, out)
        totals += (
            f"; {leftover}: {_count(len(overflow), 'room')}" if overflow else f"; no {leftover}"
        )
    out.write(f"\n{totals}\n")


def _observed(row: ho.DiscrepancyRow) -> str:
    if not row.observed_occupied:
        return "vacant"
    if row.observed_guests is None:
        return "occupied"
    return f"occupied, {_count(row.observed_guests, 'guest')}"


def print_discrepancies(
    rows: Sequence[ho.DiscrepancyRow], references: dict[str, str], out: Output, *, timezone: str
) -> None:
    """The open discrepancies as a table, the time reported in the hotel's zone (named in
    the column title); then the counts by kind."""
    table_rows: list[list[object]] = [
        [
            "room",
            "kind",
            "front office",
            "booking",
            "expected guests",
            "observed",
            "reported by",
            f"reported at ({timezone})",
        ]
    ]
    for r in rows:
        table_rows.append(
            [
                r.number,
                r.kind.value,
                r.status.value,
                references.get(r.booking_id, r.booking_id) if r.booking_id else "",
                r.expected_guests,
                _observed(r),
                r.reported_by,
                local_time(r.reported_at_local or r.reported_at, timezone),
            ]
        )
    table(table_rows, out)
    kinds = Counter(r.kind.value for r in rows)
    out.write(
        f"\n{_count(len(rows), 'open discrepancy', 'open discrepancies')}: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + "\n"
    )

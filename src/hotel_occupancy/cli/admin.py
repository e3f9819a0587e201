"""Operator commands: set up and maintain hotels, rooms, staff and bookings (``hotel``,
``room``, ``staff``, ``booking``: add, change, list, and the rest), one at a time or from a
CSV file (``import FILE.csv [--dry-run]``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from datetime import time as time_of_day
from typing import Any

import click
from sqlalchemy import select

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.csv_reference import CsvReport, Kind, load_csv
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.adapters.sqlalchemy.schema import bookings as booking_rows
from hotel_occupancy.adapters.sqlalchemy.schema import rooms as room_rows
from hotel_occupancy.adapters.sqlalchemy.schema import staff as staff_rows
from hotel_occupancy.cli.commands import Args, resolve_room
from hotel_occupancy.cli.database import _hotel, _hotel_id, _hotels, open_engine
from hotel_occupancy.cli.exits import CommandError, ExitCode, UsageProblem
from hotel_occupancy.cli.text import Output, plain, print_json, table, visible, visible_lines
from hotel_occupancy.cli.views import entry_data, print_history

GROUPS = frozenset({"hotel", "room", "staff", "booking"})
"""The operator command groups (``list`` and ``import --dry-run`` only read)."""


def _uow(args: Args) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))


def _show_entries(
    uow: SqlAlchemyUnitOfWork, entries: Sequence[ho.LogEntry], args: Args, out: Output
) -> None:
    """What an operation logged: the entries as a table (``--json``: as data)."""
    if not entries:
        if args.json:
            print_json([], out)
        else:
            out.write("nothing to change: nothing logged\n")
        return
    timezone = _hotel(uow, entries[0].hotel_id).timezone
    if args.json:
        print_json([entry_data(entry, timezone) for entry in entries], out)
    else:
        print_history(entries, out, timezone=timezone)


def _show_entity(value: Any, line: str, args: Args, out: Output) -> None:
    """An entity just stored: one line (``--json``: the entity, with its ``hotel_id``)."""
    if args.json:
        print_json(value, out)
    else:
        out.write(visible(line) + "\n")


# --- hotels -------------------------------------------------------------------------------


def _hotel_line(hotel: ho.Hotel, verb: str) -> str:
    return (
        f"hotel {hotel.hotel_id} ({hotel.name}) {verb}: timezone {hotel.timezone}, checkout_time "
        f"{hotel.checkout_time:%H:%M}, require_inspection {str(hotel.require_inspection).lower()}"
        f", enforce_stay_dates {str(hotel.enforce_stay_dates).lower()}, stayover_every "
        f"{hotel.stayover_every}, checkout_credits {hotel.checkout_credits}, stayover_credits "
        f"{hotel.stayover_credits}" + ("" if hotel.active else ", deactivated")
    )


def _policy(args: Args) -> dict[str, Any]:
    """The hotel settings given as options (None: not given)."""
    return {
        "require_inspection": args.require_inspection,
        "checkout_time": args.checkout_time,
        "enforce_stay_dates": args.enforce_stay_dates,
        "stayover_every": args.stayover_every,
        "checkout_credits": args.checkout_credits,
        "stayover_credits": args.stayover_credits,
    }


def cmd_hotel_add(args: Args, out: Output) -> int:
    uow = _uow(args)
    given = {name: value for name, value in _policy(args).items() if value is not None}
    services.register_hotel(
        uow, hotel_id=args.hotel_id, name=args.name, timezone=args.timezone, **given
    )
    _show_entity(
        _hotel(uow, args.hotel_id), _hotel_line(_hotel(uow, args.hotel_id), "added"), args, out
    )
    return ExitCode.OK


def cmd_hotel_change(args: Args, out: Output) -> int:
    uow = _uow(args)
    services.update_hotel(uow, hotel_id=args.hotel_id, name=args.name, **_policy(args))
    hotel = _hotel(uow, args.hotel_id)
    _show_entity(hotel, _hotel_line(hotel, "changed"), args, out)
    return ExitCode.OK


def cmd_hotel_deactivate(args: Args, out: Output) -> int:
    uow = _uow(args)
    services.deactivate_hotel(uow, hotel_id=args.hotel_id)
    hotel = _hotel(uow, args.hotel_id)
    _show_entity(hotel, _hotel_line(hotel, "deactivated"), args, out)
    return ExitCode.OK


def cmd_hotel_reactivate(args: Args, out: Output) -> int:
    uow = _uow(args)
    services.reactivate_hotel(uow, hotel_id=args.hotel_id)
    hotel = _hotel(uow, args.hotel_id)
    _show_entity(hotel, _hotel_line(hotel, "reactivated"), args, out)
    return ExitCode.OK


def cmd_hotel_list(args: Args, out: Output) -> int:
    uow = _uow(args)
    found = [_hotel(uow, hotel_id) for hotel_id in _hotels(uow)]
    if args.json:
        print_json(found, out)
    elif not found:
        out.write("no hotel yet\n")
    else:
        rows: list[list[object]] = [
            ["hotel", "name", "timezone", "checkout", "inspection", "stay dates", "stayover", ""]
        ]
        for h in found:
            rows.append(
                [
                    h.hotel_id,
                    h.name,
                    h.timezone,
                    f"{h.checkout_time:%H:%M}",
                    "required" if h.require_inspection else "",
                    "enforced" if h.enforce_stay_dates else "",
                    h.stayover_every,
                    "" if h.active else "deactivated",
                ]
            )
        table(rows, out)
    return ExitCode.OK


# --- rooms --------------------------------------------------------------------------------


def _rooms(uow: SqlAlchemyUnitOfWork, hotel_id: str) -> list[ho.Room]:
    with uow.reading():
        ids = uow.connection.execute(
            select(room_rows.c.room_id).where(room_rows.c.hotel_id == hotel_id)
        ).scalars()
        found = [uow.rooms.get(room_id) for room_id in ids]
    return sorted((r for r in found if r is not None), key=lambda r: (r.number, r.room_id))


def _room(uow: SqlAlchemyUnitOfWork, room_id: str) -> ho.Room:
    with uow.reading():
        room = uow.rooms.get(room_id)
    if room is None:
        raise ho.RoomNotFound(f"room {room_id!r} not found")
    return room


def _room_line(room: ho.Room, verb: str) -> str:
    capacity = "no capacity limit" if room.capacity is None else f"capacity {room.capacity}"
    return f"room {room.number} ({room.room_id}) of hotel {room.hotel_id} {verb}: {capacity}"


def cmd_room_add(args: Args, out: Output) -> int:
    uow = _uow(args)
    hotel_id = _hotel_id(uow, args.hotel)
    room_id = args.room_id or f"{hotel_id}-{args.number}"
    services.register_room(
        uow, hotel_id=hotel_id, room_id=room_id, number=args.number, capacity=args.capacity
    )
    room = _room(uow, room_id)
    _show_entity(room, _room_line(room, "added"), args, out)
    return ExitCode.OK


def cmd_room_change(args: Args, out: Output) -> int:
    uow = _uow(args)
    room_id = resolve_room(uow, args.room, args.hotel)
    services.update_room(
        uow,
        room_id=room_id,
        number=args.number,
        capacity=args.capacity,
        unlimited_capacity=args.unlimited,
    )
    room = _room(uow, room_id)
    _show_entity(room, _room_line(room, "changed"), args, out)
    return ExitCode.OK


def cmd_room_list(args: Args, out: Output) -> int:
    uow = _uow(args)
    hotel_id = _hotel_id(uow, args.hotel)
    found = _rooms(uow, hotel_id)
    board = {row.room_id: row for row in services.room_board(uow, hotel_id)}
    if args.json:
        print_json(
            [
                {
                    **plain(room),
                    "status": board[room.room_id].status.value if room.room_id in board else None,
                    "condition": (
                        board[room.room_id].condition.value if room.room_id in board else None
                    ),
                }
                for room in found
            ],
            out,
        )
        return ExitCode.OK
    if not found:
        out.write(visible(f"no room yet at hotel {hotel_id}") + "\n")
        return ExitCode.OK
    rows: list[list[object]] = [["room", "id", "capacity", "status", "condition"]]
    for room in found:
        row = board.get(room.room_id)
        rows.append(
            [
                room.number,
                room.room_id,
                "" if room.capacity is None else room.capacity,
                row.status.value if row else "",
                row.condition.value if row else "",
            ]
        )
    table(rows, out)
    return ExitCode.OK


def cmd_room_out_of_order(args: Args, out: Output) -> int:
    uow = _uow(args)
    room_id = resolve_room(uow, args.room, args.hotel)
    entries = services.set_out_of_order(
        uow,
        room_id=room_id,
        staff_id=args.staff,
        reason=args.reason,
        until=args.until,
        return_condition=ho.Condition(args.return_condition),
    )
    _show_entries(uow, entries, args, out)
    return ExitCode.OK


def cmd_room_return(args: Args, out: Output) -> int:
    uow = _uow(args)
    room_id = resolve_room(uow, args.room, args.hotel)
    entries = services.return_to_service(
        uow,
        room_id=room_id,
        staff_id=args.staff,
        condition=ho.Condition(args.condition),
        notes=args.notes,
    )
    _show_entries(uow, entries, args, out)
    return ExitCode.OK


# --- staff --------------------------------------------------------------------------------


def _staff_member(uow: SqlAlchemyUnitOfWork, staff_id: str) -> ho.Staff:
    with uow.reading():
        member = uow.staff.get(staff_id)
    if member is None:
        raise ho.StaffNotFound(f"staff member {staff_id!r} not found")
    return member


def _staff_line(member: ho.Staff, verb: str) -> str:
    state = "active" if member.active else "inactive"
    return (
        f"staff {member.staff_id} ({member.name}) of hotel {member.hotel_id} {verb}: "
        f"{member.role.value}, {state}"
    )


def cmd_staff_add(args: Args, out: Output) -> int:
    uow = _uow(args)
    hotel_id = _hotel_id(uow, args.hotel)
    services.register_staff(
        uow,
        hotel_id=hotel_id,
        staff_id=args.staff_id,
        name=args.name,
        role=ho.StaffRole(args.role),
    )
    member = _staff_member(uow, args.staff_id)
    _show_entity(member, _staff_line(member, "added"), args, out)
    return ExitCode.OK


def cmd_staff_change(args: Args, out: Output) -> int:
    uow = _uow(args)
    services.update_staff(
        uow,
        staff_id=args.staff_id,
        name=args.name,
        role=None if args.role is None else ho.StaffRole(args.role),
    )
    member = _staff_member(uow, args.staff_id)
    _show_entity(member, _staff_line(member, "changed"), args, out)
    return ExitCode.OK


def cmd_staff_deactivate(args: Args, out: Output) -> int:
    uow = _uow(args)
    services.deactivate_staff(uow, staff_id=args.staff_id)
    member = _staff_member(uow, args.staff_id)
    _show_entity(member, _staff_line(member, "deactivated"), args, out)
    return ExitCode.OK


def cmd_staff_reactivate(args: Args, out: Output) -> int:
    uow = _uow(args)
    services.reactivate_staff(uow, staff_id=args.staff_id)
    member = _staff_member(uow, args.staff_id)
    _show_entity(member, _staff_line(member, "reactivated"), args, out)
    return ExitCode.OK


def cmd_staff_list(args: Args, out: Output) -> int:
    uow = _uow(args)
    hotel_id = _hotel_id(uow, args.hotel)
    with uow.reading():
        ids = uow.connection.execute(
            select(staff_rows.c.staff_id).where(staff_rows.c.hotel_id == hotel_id)
        ).scalars()
        found = [uow.staff.get(staff_id) for staff_id in ids]
    members = sorted((m for m in found if m is not None), key=lambda m: m.staff_id)
    if not args.all:
        members = [m for m in members if m.active]
    if args.json:
        print_json(members, out)
    elif not members:
        out.write(visible(f"no staff at hotel {hotel_id}") + "\n")
    else:
        rows: list[list[object]] = [["staff", "name", "role", "active"]]
        for m in members:
            rows.append([m.staff_id, m.name, m.role.value, "yes" if m.active else "no"])
        table(rows, out)
    return ExitCode.OK


# --- bookings -----------------------------------------------------------------------------


def _party(guests: Sequence[tuple[str, str, str]]) -> list[ho.BookingGuest]:
    return [ho.BookingGuest(*guest) for guest in guests]


def _booking_line(view: ho.BookingView, verb: str) -> str:
    booking = view.booking
    room = f", room {view.room_number}" if view.room_number else ""
    return (
        f"booking {booking.booking_id} ({booking.reference}) of hotel {booking.hotel_id} {verb}: "
        f"{booking.arrival.isoformat()} to {booking.departure.isoformat()}, "
        f"{len(booking.party)} guest(s), {view.stage.value}{room}"
    )


def cmd_booking_add(args: Args, out: Output) -> int:
    if not args.guest:
        raise UsageProblem("a booking needs its party: --guest ID FIRST LAST, the primary first")
    uow = _uow(args)
    hotel_id = _hotel_id(uow, args.hotel)
    services.register_booking(
        uow,
        hotel_id=hotel_id,
        booking_id=args.booking_id,
        reference=args.reference or args.booking_id,
        arrival=args.arrival,
        departure=args.departure,
        party=_party(args.guest),
    )
    view = services.get_booking(uow, args.booking_id)
    _show_entity(view.booking, _booking_line(view, "added"), args, out)
    return ExitCode.OK


def cmd_booking_change(args: Args, out: Output) -> int:
    dates = args.arrival is not None or args.departure is not None
    if dates == bool(args.guest):  # one service call, so that a refusal changes nothing
        raise UsageProblem(
            "give the new dates (--arrival, --departure) or the new party (--guest), not both"
        )
    uow = _uow(args)
    if dates:
        entries = services.change_stay(
            uow,
            booking_id=args.booking_id,
            staff_id=args.staff,
            arrival=args.arrival,
            departure=args.departure,
            notes=args.notes,
        )
    else:
        entries = services.update_party(
            uow,
            booking_id=args.booking_id,
            staff_id=args.staff,
            party=_party(args.guest),
            notes=args.notes,
        )
    _show_entries(uow, entries, args, out)
    return ExitCode.OK


def cmd_booking_cancel(args: Args, out: Output) -> int:
    uow = _uow(args)
    entries = services.cancel_booking(
        uow, booking_id=args.booking_id, staff_id=args.staff, reason=args.reason
    )
    _show_entries(uow, entries, args, out)
    return ExitCode.OK


def cmd_booking_list(args: Args, out: Output) -> int:
    uow = _uow(args)
    hotel_id = _hotel_id(uow, args.hotel)
    with uow.reading():
        ids = list(
            uow.connection.execute(
                select(booking_rows.c.booking_id).where(booking_rows.c.hotel_id == hotel_id)
            ).scalars()
        )
    views = sorted(
        (services.get_booking(uow, booking_id) for booking_id in ids),
        key=lambda v: (v.booking.arrival, v.reference),
    )
    if args.stage:
        views = [v for v in views if v.stage.value in args.stage]
    if args.json:
        print_json(
            [
                {
                    **plain(v.booking),
                    "stage": v.stage.value,
                    "room_id": v.room_id,
                    "room_number": v.room_number,
                }
                for v in views
            ],
            out,
        )
    elif not views:
        out.write(visible(f"no booking at hotel {hotel_id}") + "\n")
    else:
        rows: list[list[object]] = [
            ["booking", "reference", "stage", "arrival", "departure", "guests", "primary", "room"]
        ]
        for v in views:
            primary = v.booking.party[0] if v.booking.party else None
            rows.append(
                [
                    v.booking.booking_id,
                    v.reference,
                    v.stage.value,
                    v.booking.arrival.isoformat(),
                    v.booking.departure.isoformat(),
                    len(v.booking.party),
                    f"{primary.first_name} {primary.last_name}" if primary else "",
                    v.room_number or "",
                ]
            )
        table(rows, out)
    return ExitCode.OK


# --- CSV files ------------------------------------------------------------------------------


def _import_hotel(uow: SqlAlchemyUnitOfWork, requested: str | None) -> str | None:
    """The hotel of every line of a rooms, staff or bookings file: ``--hotel``, else the
    database's only hotel, else None (each line names its own)."""
    if requested:
        return requested
    found = _hotels(uow)
    return found[0] if len(found) == 1 else None


def _import(kind: Kind) -> Callable[[Args, Output], int]:
    """``KIND import FILE``: load a CSV file of hotels, rooms, staff or bookings
    (:func:`~hotel_occupancy.adapters.csv_reference.load_csv`); exit code 1, nothing
    written, when a line is bad. The hotel of a rooms, staff or bookings file is
    ``--hotel``, else the only hotel of the database: a line naming another is bad."""

    def cmd_import(args: Args, out: Output) -> int:
        uow = _uow(args)
        hotel_id = None if kind == "hotels" else _import_hotel(uow, args.hotel)
        try:
            with open(args.file, encoding="utf-8", newline="") as source:
                report = load_csv(
                    uow, kind, source, hotel_id=hotel_id, only_hotel=True, dry_run=args.dry_run
                )
        except OSError as error:
            raise CommandError(f"cannot read {args.file}: {error.strerror}") from None
        if args.json:
            print_json(
                {"hotel_id": hotel_id, "kind": kind, "dry_run": args.dry_run, **plain(report)},
                out,
            )
        else:
            out.write(visible_lines(_report_text(report, kind, args)))
        return ExitCode.OK if report.ok else ExitCode.REFUSED

    cmd_import.__name__ = f"cmd_{kind}_import"
    return cmd_import


def _report_text(report: CsvReport, kind: str, args: Args) -> str:
    """A CSV load's report: the counts, then each bad line with its number."""
    counts = ", ".join(
        f"{getattr(report, name)} {name}"
        for name in ("created", "updated", "unchanged", "deactivated", "reactivated")
    )
    lines = [f"{args.file}: {kind}: {counts}"]
    lines.extend(f"  {error}" for error in report.errors)
    if not report.ok:
        bad = len({error.line for error in report.errors})
        lines.append(f"{bad} bad line(s): nothing was written")
    elif args.dry_run:
        lines.append("dry run: nothing was written")
    return "\n".join(lines) + "\n"


# --- the groups -----------------------------------------------------------------------------

_hotel_settings = (
    click.option(
        "--checkout-time",
        callback=lambda ctx, param, value: None if value is None else _time(value),
        metavar="HH:MM",
        help="the local checkout time",
    ),
    click.option(
        "--require-inspection/--no-require-inspection",
        default=None,
        help="rooms need an inspection before a guest checks in",
    ),
    click.option(
        "--enforce-stay-dates/--no-enforce-stay-dates",
        default=None,
        help="refuse check-in outside a booking's stay dates",
    ),
    click.option(
        "--stayover-every",
        type=click.IntRange(min=0),
        metavar="N",
        help="nights between stayover cleanings (1 daily, 0 never)",
    ),
    click.option("--checkout-credits", type=click.IntRange(min=0), metavar="N"),
    click.option("--stayover-credits", type=click.IntRange(min=0), metavar="N"),
)


def _time(text: str) -> time_of_day:
    try:
        return time_of_day.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"not a time of day (HH:MM): {text!r}") from None


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


_guest = click.option(
    "--guest",
    nargs=3,
    multiple=True,
    metavar="ID FIRST LAST",
    help="a member of the party (repeat it; the primary first)",
)
_staff = click.option("--staff", required=True, metavar="ID", help="who does it")
_dry_run = click.option("--dry-run", is_flag=True, help="check the file; write nothing")
_import_hotel_option = click.option(
    "--hotel",
    metavar="ID",
    help="the hotel of every line (default: the only hotel of the database; with several, "
    "each line names its own); a line naming another hotel is a bad line",
)
_file = click.argument("file", type=click.Path(dir_okay=False))


def register(
    root: click.Group,
    command: Callable[..., click.Command],
    *,
    hotel_option: Callable[[Any], Any],
    json_option: Callable[[Any], Any],
) -> None:
    """Add the ``hotel``, ``room``, ``staff`` and ``booking`` groups to ``root``;
    ``command`` is the app's command factory."""

    @root.group("hotel", epilog="\b\nExamples:\n  hotel-occupancy hotel list\n")
    def hotel() -> None:
        """Set up and maintain hotels."""

    command(
        hotel,
        "add",
        cmd_hotel_add,
        click.argument("hotel_id", metavar="ID"),
        click.option("--name", required=True, help="the hotel's name"),
        click.option(
            "--timezone", default="UTC", show_default=True, help="its IANA zone (for ever)"
        ),
        *_hotel_settings,
        json_option,
        help="Register a hotel and its policy (register_hotel).",
        example=[
            "hotel add lake --name 'Lake Hotel' --timezone Europe/Zurich --checkout-time 11:00",
        ],
    )
    command(
        hotel,
        "change",
        cmd_hotel_change,
        click.argument("hotel_id", metavar="ID"),
        click.option("--name", help="the hotel's new name"),
        *_hotel_settings,
        json_option,
        help="Change a hotel's name or policy (update_hotel); its time zone cannot change.",
        example=["hotel change lake --checkout-time 12:00 --enforce-stay-dates"],
    )
    for name, handler, what in (
        ("deactivate", cmd_hotel_deactivate, "its staff may do nothing from now on"),
        ("reactivate", cmd_hotel_reactivate, "its staff may act again"),
    ):
        command(
            hotel,
            name,
            handler,
            click.argument("hotel_id", metavar="ID"),
            json_option,
            help=f"{name.capitalize()} a hotel: {what} ({name}_hotel).",
            example=[f"hotel {name} lake"],
        )
    command(
        hotel,
        "list",
        cmd_hotel_list,
        json_option,
        help="The hotels and their policies.",
        example=["hotel list", "hotel list --json"],
    )
    command(
        hotel,
        "import",
        _import("hotels"),
        _file,
        _dry_run,
        json_option,
        help="Add or change the hotels of a CSV file (nothing is written if a row is wrong).",
        example=["hotel import hotels.csv --dry-run"],
    )

    @root.group("room", epilog="\b\nExamples:\n  hotel-occupancy room list --hotel lake\n")
    def room() -> None:
        """Set up and maintain rooms; take them out of sale and back."""

    command(
        room,
        "add",
        cmd_room_add,
        click.argument("number"),
        click.option("--id", "room_id", metavar="ID", help="the room's id (default HOTEL-NUMBER)"),
        click.option("--capacity", type=click.IntRange(min=1), metavar="N", help="most guests"),
        hotel_option,
        json_option,
        help="Register a room of the hotel (register_room); it starts vacant and clean.",
        example=["room add 101 --capacity 2", "room add 102 --id lake-102 --hotel lake"],
    )
    command(
        room,
        "change",
        cmd_room_change,
        click.argument("room", metavar="ROOM"),
        click.option("--number", help="the room's new number"),
        click.option("--capacity", type=click.IntRange(min=1), metavar="N", help="most guests"),
        click.option("--unlimited", is_flag=True, help="remove the capacity limit"),
        hotel_option,
        json_option,
        help="Change a room's number or capacity (update_room); ROOM is an id or a number.",
        example=["room change 101 --capacity 3", "room change lake-101 --number 101A"],
    )
    command(
        room,
        "list",
        cmd_room_list,
        hotel_option,
        json_option,
        help="The hotel's rooms, their capacity and state.",
        example=["room list", "room list --hotel lake --json"],
    )
    command(
        room,
        "out-of-order",
        cmd_room_out_of_order,
        click.argument("room", metavar="ROOM"),
        _staff,
        click.option("--reason", required=True, help="why, for the record"),
        click.option(
            "--until",
            metavar="YYYY-MM-DD",
            callback=_date,
            help="the last day out of order (the night audit returns it then)",
        ),
        click.option(
            "--return-condition",
            type=click.Choice(["DIRTY", "CLEAN"]),
            default="DIRTY",
            show_default=True,
            help="its condition back in service",
        ),
        hotel_option,
        json_option,
        help="Take a room out of sale (set_out_of_order).",
        example=["room out-of-order 104 --staff max --reason 'water leak' --until 2026-06-09"],
    )
    command(
        room,
        "return",
        cmd_room_return,
        click.argument("room", metavar="ROOM"),
        _staff,
        click.option(
            "--condition",
            type=click.Choice(["DIRTY", "CLEAN"]),
            default="DIRTY",
            show_default=True,
            help="its condition back in service",
        ),
        click.option("--notes", default="", help="for the record"),
        hotel_option,
        json_option,
        help="Return a room to service (return_to_service).",
        example=["room return 104 --staff max --condition CLEAN"],
    )
    command(
        room,
        "import",
        _import("rooms"),
        _file,
        _dry_run,
        _import_hotel_option,
        json_option,
        help="Add or change the rooms of a CSV file (nothing is written if a row is wrong).",
        example=["room import rooms.csv --hotel lake --dry-run"],
    )

    @root.group("staff", epilog="\b\nExamples:\n  hotel-occupancy staff list\n")
    def staff() -> None:
        """Set up and maintain the staff."""

    roles = click.Choice([role.value for role in ho.StaffRole])
    command(
        staff,
        "add",
        cmd_staff_add,
        click.argument("staff_id", metavar="ID"),
        click.option("--name", required=True, help="their name"),
        click.option("--role", type=roles, required=True, help="what they may do"),
        hotel_option,
        json_option,
        help="Register an active staff member (register_staff).",
        example=["staff add amara --name 'Amara Obi' --role FRONT_DESK"],
    )
    command(
        staff,
        "change",
        cmd_staff_change,
        click.argument("staff_id", metavar="ID"),
        click.option("--name", help="their new name"),
        click.option("--role", type=roles, help="their new role"),
        json_option,
        help="Change a staff member's name or role (update_staff).",
        example=["staff change amara --role MANAGER"],
    )
    for name, handler, what in (
        ("deactivate", cmd_staff_deactivate, "may do nothing from now on"),
        ("reactivate", cmd_staff_reactivate, "their role's grants apply again"),
    ):
        command(
            staff,
            name,
            handler,
            click.argument("staff_id", metavar="ID"),
            json_option,
            help=f"{name.capitalize()} a staff member: {what} ({name}_staff).",
            example=[f"staff {name} amara"],
        )
    command(
        staff,
        "list",
        cmd_staff_list,
        click.option("--all", is_flag=True, help="the inactive too"),
        hotel_option,
        json_option,
        help="The hotel's active staff (--all: the inactive too).",
        example=["staff list", "staff list --all --json"],
    )
    command(
        staff,
        "import",
        _import("staff"),
        _file,
        _dry_run,
        _import_hotel_option,
        json_option,
        help="Add, change, deactivate or reactivate the staff of a CSV file (nothing is "
        "written if a row is wrong).",
        example=["staff import staff.csv --dry-run"],
    )

    @root.group("booking", epilog="\b\nExamples:\n  hotel-occupancy booking list\n")
    def booking() -> None:
        """Register and change bookings."""

    command(
        booking,
        "add",
        cmd_booking_add,
        click.argument("booking_id", metavar="ID"),
        click.option("--reference", help="the human reference (default: the id)"),
        click.option("--arrival", required=True, metavar="YYYY-MM-DD", callback=_date),
        click.option("--departure", required=True, metavar="YYYY-MM-DD", callback=_date),
        _guest,
        hotel_option,
        json_option,
        help="Register an arriving booking and its party (register_booking).",
        example=[
            "booking add B7 --reference LK-7 --arrival 2026-06-01 --departure 2026-06-03 "
            "--guest B7-1 Ada Lee --guest B7-2 Bo Lee",
        ],
    )
    command(
        booking,
        "change",
        cmd_booking_change,
        click.argument("booking_id", metavar="ID"),
        _staff,
        click.option("--arrival", metavar="YYYY-MM-DD", callback=_date, help="the new arrival"),
        click.option("--departure", metavar="YYYY-MM-DD", callback=_date, help="the new departure"),
        _guest,
        click.option("--notes", default="", help="for the record"),
        json_option,
        help="Change a booking's dates (change_stay) or its party (update_party: --guest "
        "gives the whole new party), one or the other.",
        example=[
            "booking change B7 --staff amara --departure 2026-06-04",
            "booking change B7 --staff amara --guest B7-1 Ada Lee",
        ],
    )
    command(
        booking,
        "cancel",
        cmd_booking_cancel,
        click.argument("booking_id", metavar="ID"),
        _staff,
        click.option("--reason", default="", help="why, for the record"),
        json_option,
        help="Cancel a booking before it arrives (cancel_booking); final.",
        example=["booking cancel B7 --staff amara --reason 'flight cancelled'"],
    )
    command(
        booking,
        "list",
        cmd_booking_list,
        click.option(
            "--stage",
            multiple=True,
            type=click.Choice([stage.value for stage in ho.BookingStage]),
            help="only bookings at this stage (repeatable)",
        ),
        hotel_option,
        json_option,
        help="The hotel's bookings, by arrival.",
        example=["booking list", "booking list --stage ARRIVING --json"],
    )
    command(
        booking,
        "import",
        _import("bookings"),
        _file,
        _dry_run,
        _import_hotel_option,
        json_option,
        help="Register or change the bookings of a CSV file (nothing is written if a row is "
        "wrong).",
        example=["booking import bookings.csv --dry-run"],
    )

"""Reference data in bulk from CSV: hotels, rooms, staff and bookings.

:func:`load_csv` reads one kind of reference data from a CSV text (or from rows already
split into mappings) and makes the store agree with it, through the reference-data
services (``register_*``, ``update_hotel``, ``update_room``, ``update_staff``,
``deactivate_staff``, ``reactivate_staff``).

The layouts (a header line names the columns, in any order; names are matched without
surrounding whitespace and case; ``*`` marks a required value):

- ``hotels``: ``hotel_id*``, ``name*``, ``timezone``, ``checkout_time`` (``HH:MM``),
  ``require_inspection``, ``enforce_stay_dates``, ``stayover_every``, ``checkout_credits``,
  ``stayover_credits``, ``active``;
- ``rooms``: ``hotel_id*``, ``room_id*``, ``number*``, ``capacity`` (a whole number; blank:
  no limit);
- ``staff``: ``hotel_id*``, ``staff_id*``, ``name*``, ``role*`` (a ``StaffRole`` value such
  as ``FRONT_DESK``, in any case, ``-`` or a space for ``_``), ``active``;
- ``bookings``: one line per guest, ``hotel_id*``, ``booking_id*``, ``reference*``,
  ``arrival*`` and ``departure*`` (``YYYY-MM-DD``), ``guest_id*``, ``first_name``,
  ``last_name`` (one of the two names at least). The lines of one booking share its
  ``booking_id`` and need not be next to each other; the first of them (in file order) is
  the primary guest. Its other lines may leave ``reference``, ``arrival``, ``departure``
  and ``hotel_id`` blank; what they give must agree with the first.

``hotel_id`` may be left out of the header (or blank on a line) when the ``hotel_id``
keyword is given: it is then the hotel of every line that names none (the command line's
``import --hotel`` goes further: there a line naming another hotel is a bad line). Flags
are ``true``/``false`` (also ``yes``/``no``, ``1``/``0``). An optional column that is
absent, or blank on a line, means the default for something new and "keep what is stored"
for something that exists; except ``capacity``, whose blank cell means no limit (leave the
column out to keep the capacities stored).

Every line is an upsert, keyed by its id: what is new is registered, what exists and
differs is updated, what exists and agrees is counted unchanged, so loading the same file
twice changes nothing the second time. Staff (or hotel) ``active=false`` deactivates a
member (a hotel), ``active=true`` reactivates one. Rooms may be renumbered, in any order
the file gives (a room may take the number another room of the file gives up); a ring of
rooms swapping numbers is refused (go through a number nobody has). A hotel's time zone
cannot change.
A booking that exists is never changed: changing a stay or a party is an operation by a
staff member (``change_stay``, ``update_party``), so a booking line that disagrees with the
stored booking is reported as a conflict. An id is unique across the store: an id that
belongs to another hotel is refused.

Everything is checked first, against the file and against the store. If any line is bad
(an unknown or missing column, a missing value, a value that is not a date, time, whole
number, flag or role, an id twice in the file, a room number two rooms would share, an
unknown hotel, a conflict with what is stored...), nothing is written and the report lists
every bad line with its line number (the header is line 1; line 0 is the file as a
whole), the column and the reason. Otherwise every change is made in one transaction of
the unit of work: a failure (a refusal found only then, a crash) leaves none of them
made. ``dry_run=True`` checks and counts without writing anything.

Each service call carries a ``request_id`` derived from the kind, the id, the call and the
stored state it changes (``csv:<kind>:<id>:<service>:<digest>``), so a call is never
carried out twice for one run's line; if the very same change was made before and undone
since by someone else, the call is made again without a request id.

Messy input is read, never crashed on: a byte-order mark, CRLF line ends, blank lines,
whitespace around values are accepted; a NUL character is a bad line; an empty file is an
error of line 1. Errors of the store (``ConcurrencyConflict``, ``StorageError``) are
raised, with nothing written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, time
from typing import Any, Literal, TextIO, cast

import attrs
from attrs import frozen

from hotel_occupancy.domain.commands import (
    Command,
    DeactivateHotel,
    DeactivateStaff,
    ReactivateHotel,
    ReactivateStaff,
    RegisterBooking,
    RegisterHotel,
    RegisterRoom,
    RegisterStaff,
    UpdateHotel,
    UpdateRoom,
    UpdateStaff,
)
from hotel_occupancy.domain.enums import StaffRole
from hotel_occupancy.domain.errors import InvalidInput, RoomOccupancyError
from hotel_occupancy.domain.model import Booking, BookingGuest, Room
from hotel_occupancy.domain.validation import MAX_ID_LENGTH, require_id, require_party
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import execute

__all__ = ["CsvReport", "CsvRowError", "Kind", "load_csv"]

Kind = Literal["hotels", "rooms", "staff", "bookings"]
"""The kinds of reference data :func:`load_csv` reads."""


@frozen
class CsvRowError:
    """A bad line: its ``line`` number (the header is 1; 0 is the file as a whole), the
    ``column`` at fault (None when it is the whole line) and the ``message``."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@frozen
class CsvReport:
    """What :func:`load_csv` did (or, in a dry run, would do): how many entities (hotels,
    rooms, staff members, bookings) it ``created``, ``updated`` or found ``unchanged``
    (each counted in one of the three), how many staff members it ``deactivated`` or
    ``reactivated`` (also counted as created or updated), and the ``errors``: if there is
    any, nothing was written and the counts are 0."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    errors: tuple[CsvRowError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no line was bad (and, unless a dry run, everything was written)."""
        return not self.errors


# --- the columns ------------------------------------------------------------------------


class _Bad(Exception):
    """A value that cannot be read; its message says why."""


_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
_INT = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")


def _text(value: str) -> object:
    return value


def _flag(value: str) -> object:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _Bad(f"must be true or false, not {value!r}")


def _whole(value: str) -> object:
    if not _INT.fullmatch(value):
        raise _Bad(f"must be a whole number, not {value!r}")
    return int(value)


def _day(value: str) -> object:
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Bad(f"must be a date as YYYY-MM-DD, not {value!r}")


def _clock(value: str) -> object:
    if _TIME.fullmatch(value):
        try:
            return time.fromisoformat(value if len(value.split(":")[0]) == 2 else "0" + value)
        except ValueError:
            pass
    raise _Bad(f"must be a time of day as HH:MM, not {value!r}")


def _role(value: str) -> object:
    name = re.sub(r"[\s-]+", "_", value.upper())
    try:
        return StaffRole(name)
    except ValueError:
        known = ", ".join(r.value for r in StaffRole)
        raise _Bad(f"must be a staff role ({known}), not {value!r}") from None


@frozen
class _Column:
    name: str
    read: Callable[[str], object]
    required: bool = False


_HOTEL_ID = _Column("hotel_id", _text, required=True)

_COLUMNS: Mapping[str, tuple[_Column, ...]] = {
    "hotels": (
        _HOTEL_ID,
        _Column("name", _text, required=True),
        _Column("timezone", _text),
        _Column("checkout_time", _clock),
        _Column("require_inspection", _flag),
        _Column("enforce_stay_dates", _flag),
        _Column("stayover_every", _whole),
        _Column("checkout_credits", _whole),
        _Column("stayover_credits", _whole),
        _Column("active", _flag),
    ),
    "rooms": (
        _HOTEL_ID,
        _Column("room_id", _text, required=True),
        _Column("number", _text, required=True),
        _Column("capacity", _whole),
    ),
    "staff": (
        _HOTEL_ID,
        _Column("staff_id", _text, required=True),
        _Column("name", _text, required=True),
        _Column("role", _role, required=True),
        _Column("active", _flag),
    ),
    "bookings": (
        _HOTEL_ID,
        _Column("booking_id", _text, required=True),
        _Column("reference", _text, required=True),
        _Column("arrival", _day, required=True),
        _Column("departure", _day, required=True),
        _Column("guest_id", _text, required=True),
        _Column("first_name", _text),
        _Column("last_name", _text),
    ),
}
"""The columns of each kind, in the order the documentation gives them."""

_KEYS = {"hotels": "hotel_id", "rooms": "room_id", "staff": "staff_id", "bookings": "booking_id"}
_BOOKING_FIELDS = ("hotel_id", "reference", "arrival", "departure")
"""The columns of a booking line that belong to the booking, not to the guest."""
_HOTEL_SETTINGS = (
    "name",
    "require_inspection",
    "checkout_time",
    "enforce_stay_dates",
    "stayover_every",
    "checkout_credits",
    "stayover_credits",
)


# --- reading the file -------------------------------------------------------------------


@frozen
class _Line:
    """One line of data: its number, its cells by column (blank cells left out) and the
    known columns the file has (those of the header)."""

    number: int
    cells: Mapping[str, str]
    present: frozenset[str]


class _Errors:
    def __init__(self) -> None:
        self.found: list[CsvRowError] = []
        self.bad_lines: set[int] = set()

    def add(self, line: int, column: str | None, message: str) -> None:
        self.found.append(CsvRowError(line, column, message))
        self.bad_lines.add(line)

    def __bool__(self) -> bool:
        return bool(self.found)

    def report(self) -> CsvReport:
        ordered = sorted(self.found, key=lambda e: (e.line, e.column or "", e.message))
        return CsvReport(errors=tuple(dict.fromkeys(ordered)))


def _sentinel(text: str) -> str:
    """A private-use character the text does not hold, to stand in for NUL (which the
    csv module refuses to read)."""
    for code in range(0xE000, 0xF900):
        if chr(code) not in text:
            return chr(code)
    raise AssertionError("unreachable: a text holding every private-use character")


def _records(text: str, errors: _Errors) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of ``text`` with the line each starts on, NULs as themselves."""
    nul = _sentinel(text) if "\x00" in text else None
    if nul is not None:
        text = text.replace("\x00", nul)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.add(start, None, f"cannot be read as CSV: {error}")
            return
        if nul is not None:
            record = [cell.replace(nul, "\x00") for cell in record]
        yield start, record
        start = reader.line_num + 1


def _from_text(
    source: TextIO, errors: _Errors
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The line of the header, its names and the records of a CSV text (blank lines left
    out)."""
    try:
        text = source.read()
    except UnicodeDecodeError as error:
        errors.add(0, None, f"the file is not text in its encoding: {error}")
        return 1, [], []
    if not isinstance(text, str):
        errors.add(0, None, "the file must be opened as text, not bytes")
        return 1, [], []
    text = text.removeprefix("\ufeff")
    records = [(n, r) for n, r in _records(text, errors) if any(c.strip() for c in r)]
    if not records:
        if not errors:
            errors.add(1, None, "the file is empty: it needs a header line naming the columns")
        return 1, [], []
    (header_line, header), *rows = records
    return header_line, header, rows


def _lines(
    kind: str,
    source: TextIO | Iterable[Mapping[str, str]],
    keyword_hotel: str | None,
    errors: _Errors,
) -> list[_Line]:
    """The lines of data (blank ones left out), their header checked and their cells
    stripped."""
    columns = {c.name: c for c in _COLUMNS[kind]}
    header_line = 1
    if hasattr(source, "read"):
        header_line, header, records = _from_text(cast(TextIO, source), errors)
        if not header:
            return []
        names = [name.strip().removeprefix("\ufeff").strip().lower() for name in header]
        rows: list[tuple[int, Mapping[str, str | None]]] = []
        for number, record in records:
            if len(record) > len(names):
                errors.add(
                    number,
                    None,
                    f"{len(record)} values on a line of a header of {len(names)} columns",
                )
                continue
            rows.append((number, dict(zip(names, record, strict=False))))
    else:
        names = []
        rows = []
        for index, item in enumerate(cast(Iterable[object], source)):
            number = index + 2  # as if a header were line 1
            if not isinstance(item, Mapping):
                errors.add(number, None, f"a row must be a mapping, not {type(item).__name__}")
                continue
            row: dict[str, str | None] = {}
            for key, value in item.items():
                name = str(key).strip().lower()
                if name not in names:
                    names.append(name)
                if value is not None and not isinstance(value, str):
                    errors.add(number, name, f"must be text, not {type(value).__name__}")
                    continue
                row[name] = value
            rows.append((number, row))
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.add(header_line, name, "the column appears twice in the header")
        elif name not in columns:
            known = ", ".join(columns)
            errors.add(
                header_line, name or None, f"unknown column {name!r}; the columns are {known}"
            )
        seen.add(name)
    for column in columns.values():
        if column.required and column.name not in seen:
            if column.name == "hotel_id" and keyword_hotel is not None:
                continue
            errors.add(header_line, column.name, "the required column is missing from the header")
    present = frozenset(seen & columns.keys())
    lines: list[_Line] = []
    for number, given in rows:
        cells: dict[str, str] = {}
        for name, value in given.items():
            if name not in columns or value is None:
                continue
            value = value.strip()
            if "\x00" in value:
                errors.add(number, name, "contains a NUL character")
            if value:
                cells[name] = value
        if cells or number in errors.bad_lines:
            lines.append(_Line(number, cells, present))
    return lines


def _values(
    kind: str, line: _Line, keyword_hotel: str | None, errors: _Errors, *, only: bool = False
) -> dict[str, Any]:
    """A line's values, read by their columns; errors for those that cannot be read (and,
    ``only``, for a ``hotel_id`` other than ``keyword_hotel``)."""
    values: dict[str, Any] = {}
    for column in _COLUMNS[kind]:
        cell = line.cells.get(column.name)
        if cell is None:
            if column.name == "hotel_id" and keyword_hotel is not None:
                values["hotel_id"] = keyword_hotel
            elif column.name == "capacity" and "capacity" in line.present:
                values["capacity"] = None  # a blank capacity: no limit
            continue
        if "\x00" in cell:
            continue  # (refused already)
        if column.name == "hotel_id" and only and keyword_hotel not in (None, cell):
            errors.add(
                line.number,
                "hotel_id",
                f"the line is of hotel {cell!r}, but the file is loaded for hotel "
                f"{keyword_hotel!r} only",
            )
            continue
        try:
            values[column.name] = column.read(cell)
        except _Bad as bad:
            errors.add(line.number, column.name, str(bad))
    return values


def _missing(
    kind: str, line: _Line, values: Mapping[str, Any], errors: _Errors, *, skip: Iterable[str] = ()
) -> None:
    """Errors for the required values the line leaves blank."""
    for column in _COLUMNS[kind]:
        name = column.name
        if not column.required or name in values or name in skip:
            continue
        # (not a column missing from the header, said once, nor a value that was unreadable)
        if name in line.present and name not in line.cells:
            errors.add(line.number, name, "a value is required")


def _invalid(line: int, error: InvalidInput, columns: Iterable[str], errors: _Errors) -> None:
    """An InvalidInput of a command built from a line, given to the column it names."""
    message = error.message
    names = sorted(columns, key=len, reverse=True)
    column = next((n for n in names if message.startswith(n)), None)
    if column is None and message.startswith("party["):
        field = message.split("]", 1)[1].lstrip(".").split(" ", 1)[0]
        column = {"booking_guest_id": "guest_id"}.get(field, field if field in names else None)
    errors.add(line, column, message)


# --- the plan ---------------------------------------------------------------------------


@frozen
class _Step:
    """What one entity of the file needs: the calls, and how it counts."""

    line: int
    kind: str
    key: str
    before: object
    commands: tuple[Command, ...]
    outcome: Literal["created", "updated", "unchanged"]
    flag: Literal["deactivated", "reactivated"] | None = None


@frozen
class _Item:
    """One entity of the file: the line it starts on and its values."""

    line: int
    key: str
    hotel_id: str
    values: Mapping[str, Any]
    party: tuple[tuple[int, BookingGuest], ...] = ()


def _items(
    kind: str, lines: list[_Line], keyword_hotel: str | None, errors: _Errors, *, only: bool
) -> list[_Item]:
    """The entities of the file, each checked alone (values, then as its command would)."""
    key_name = _KEYS[kind]
    columns = [c.name for c in _COLUMNS[kind]]
    if kind == "bookings":
        return _bookings(lines, keyword_hotel, errors, only=only)
    items: list[_Item] = []
    first: dict[str, int] = {}
    for line in lines:
        values = _values(kind, line, keyword_hotel, errors, only=only)
        _missing(kind, line, values, errors, skip=("hotel_id",) if keyword_hotel else ())
        key = values.get(key_name)
        if key is not None:
            if key in first:
                errors.add(
                    line.number,
                    key_name,
                    f"{key_name} {key!r} appears twice in the file (first on line {first[key]})",
                )
                continue
            first[key] = line.number
        if key is None or line.number in errors.bad_lines or not _complete(kind, values):
            continue  # (a value missing with its column: said once, on the header)
        try:
            _registration(kind, values)
        except InvalidInput as error:
            _invalid(line.number, error, columns, errors)
            continue
        items.append(_Item(line.number, key, values["hotel_id"], values))
    if kind == "rooms":
        numbers: dict[tuple[str, str], int] = {}
        for item in items:
            place = (item.hotel_id, item.values["number"])
            if place in numbers:
                errors.add(
                    item.line,
                    "number",
                    f"room number {place[1]!r} of hotel {place[0]!r} is also given on line "
                    f"{numbers[place]}",
                )
            else:
                numbers[place] = item.line
        items = [i for i in items if i.line not in errors.bad_lines]
    return items


def _complete(kind: str, values: Mapping[str, Any], *, guest_only: bool = False) -> bool:
    """Whether the line has every required value (of a booking's later line: the guest's)."""
    return all(
        c.name in values
        for c in _COLUMNS[kind]
        if c.required and not (guest_only and c.name in _BOOKING_FIELDS)
    )


def _registration(kind: str, values: Mapping[str, Any]) -> Command:
    """The registration of the line's entity (built to check its values)."""
    if kind == "hotels":
        given = {
            k: v for k, v in values.items() if k in (*_HOTEL_SETTINGS, "timezone") and k != "name"
        }
        return RegisterHotel(values["hotel_id"], values["name"], **given)
    if kind == "rooms":
        return RegisterRoom(
            values["hotel_id"], values["room_id"], values["number"], values.get("capacity")
        )
    return RegisterStaff(values["hotel_id"], values["staff_id"], values["name"], values["role"])


def _bookings(
    lines: list[_Line], keyword_hotel: str | None, errors: _Errors, *, only: bool
) -> list[_Item]:
    """The bookings of the file: its guest lines grouped by booking id, the first of each
    group being the primary guest."""
    columns = [c.name for c in _COLUMNS["bookings"]]
    groups: dict[str, list[tuple[_Line, dict[str, Any]]]] = {}
    guests: dict[str, int] = {}
    for line in lines:
        values = _values("bookings", line, keyword_hotel, errors, only=only)
        booking_id = values.get("booking_id")
        first = booking_id is not None and booking_id not in groups
        skip = ["hotel_id"] if keyword_hotel else []
        if not first:
            skip.extend(f for f in _BOOKING_FIELDS if f != "hotel_id")
            skip.append("hotel_id")
        _missing("bookings", line, values, errors, skip=skip)
        named = "first_name" in values or "last_name" in values
        if not named and "first_name" not in line.cells and "last_name" not in line.cells:
            errors.add(line.number, "first_name", "a guest needs a first or a last name")
        guest_id = values.get("guest_id")
        if guest_id is not None:
            if guest_id in guests:
                errors.add(
                    line.number,
                    "guest_id",
                    f"guest_id {guest_id!r} appears twice in the file (first on line "
                    f"{guests[guest_id]})",
                )
            else:
                guests[guest_id] = line.number
        if named and guest_id is not None and line.number not in errors.bad_lines:
            try:
                require_party(
                    [
                        BookingGuest(
                            guest_id, values.get("first_name", ""), values.get("last_name", "")
                        )
                    ]
                )
            except InvalidInput as error:
                _invalid(line.number, error, columns, errors)
        if booking_id is not None:
            groups.setdefault(booking_id, []).append((line, values))
    items: list[_Item] = []
    for booking_id, members in groups.items():
        (head, shared), *others = members
        for line, values in others:
            for name in _BOOKING_FIELDS:
                given = line.cells.get(name)
                if name in values and given is not None and values[name] != shared.get(name):
                    errors.add(
                        line.number,
                        name,
                        f"booking {booking_id!r} has {name} {shared.get(name)!s} on line "
                        f"{head.number}, not {values[name]!s}",
                    )
        if any(line.number in errors.bad_lines for line, _ in members) or not all(
            _complete("bookings", values, guest_only=line is not head) for line, values in members
        ):
            continue
        party = tuple(
            (
                line.number,
                BookingGuest(
                    values["guest_id"], values.get("first_name", ""), values.get("last_name", "")
                ),
            )
            for line, values in members
        )
        try:
            RegisterBooking(
                shared["hotel_id"],
                booking_id,
                shared["reference"],
                shared["arrival"],
                shared["departure"],
                [guest for _, guest in party],
            )
        except InvalidInput as error:
            _invalid(head.number, error, columns, errors)
            continue
        items.append(_Item(head.number, booking_id, shared["hotel_id"], shared, party))
    return items


def _plan(uow: UnitOfWork, kind: str, items: list[_Item], errors: _Errors) -> list[_Step]:
    """The calls that make the store agree with the file, with the errors found against
    what is stored."""
    steps: list[_Step] = []
    known_hotels: dict[str, bool] = {}
    for item in items:
        if kind != "hotels":
            if item.hotel_id not in known_hotels:
                known_hotels[item.hotel_id] = uow.hotels.get(item.hotel_id) is not None
            if not known_hotels[item.hotel_id]:
                errors.add(
                    item.line,
                    "hotel_id",
                    f"no hotel {item.hotel_id!r} is registered (load the hotels first)",
                )
                continue
        step = _PLANNERS[kind](uow, item, errors)
        if step is not None:
            steps.append(step)
    if kind == "rooms":
        steps = _renumbering_order(uow, steps, errors)
    return steps


def _plan_hotel(uow: UnitOfWork, item: _Item, errors: _Errors) -> _Step | None:
    values = item.values
    hotel = uow.hotels.get(item.key)
    active = values.get("active")
    if hotel is None:
        registration = _registration("hotels", values)
        if active is False:
            return _Step(
                item.line,
                "hotels",
                item.key,
                None,
                (registration, DeactivateHotel(item.key)),
                "created",
                "deactivated",
            )
        return _Step(item.line, "hotels", item.key, None, (registration,), "created")
    zone = values.get("timezone")
    if zone is not None and zone != hotel.timezone:
        errors.add(
            item.line,
            "timezone",
            f"hotel {item.key!r} keeps its time zone {hotel.timezone!r}: it cannot change "
            "(its stored local dates were made in it)",
        )
        return None
    changes = {
        name: values[name]
        for name in _HOTEL_SETTINGS
        if name in values and values[name] != getattr(hotel, name)
    }
    calls: list[Command] = [UpdateHotel(item.key, **changes)] if changes else []
    flag: Literal["deactivated", "reactivated"] | None = None
    if active is not None and active != hotel.active:
        calls.append(ReactivateHotel(item.key) if active else DeactivateHotel(item.key))
        flag = "reactivated" if active else "deactivated"
    outcome: Literal["updated", "unchanged"] = "updated" if calls else "unchanged"
    return _Step(item.line, "hotels", item.key, hotel, tuple(calls), outcome, flag)


def _belongs_elsewhere(item: _Item, kind: str, owner: str, errors: _Errors) -> bool:
    if owner == item.hotel_id:
        return False
    errors.add(
        item.line,
        _KEYS[kind],
        f"{kind.rstrip('s')} {item.key!r} belongs to hotel {owner!r}, not {item.hotel_id!r} "
        "(ids are unique across the store)",
    )
    return True


def _plan_room(uow: UnitOfWork, item: _Item, errors: _Errors) -> _Step | None:
    values = item.values
    room = uow.rooms.get(item.key)
    if room is None:
        return _Step(
            item.line, "rooms", item.key, None, (_registration("rooms", values),), "created"
        )
    if _belongs_elsewhere(item, "rooms", room.hotel_id, errors):
        return None
    number = values["number"] if values["number"] != room.number else None
    capacity: int | None = None
    unlimited = False
    if "capacity" in values:  # (a blank capacity is None: no limit)
        wanted = values["capacity"]
        if wanted != room.capacity:
            capacity, unlimited = wanted, wanted is None
    if number is None and capacity is None and not unlimited:
        return _Step(item.line, "rooms", item.key, room, (), "unchanged")
    if capacity is not None and (room.capacity is None or capacity < room.capacity):
        occupancy = uow.occupancies.get(room.room_id)
        held = () if occupancy is None else (occupancy.booking_id, occupancy.arriving_booking_id)
        for booking_id in held:
            booking = uow.bookings.get(booking_id) if booking_id is not None else None
            if booking is not None and len(booking.party) > capacity:
                errors.add(
                    item.line,
                    "capacity",
                    f"room {item.key!r} holds booking {booking.booking_id!r}, a party of "
                    f"{len(booking.party)}: its capacity cannot go down to {capacity}",
                )
                return None
    command = UpdateRoom(item.key, number=number, capacity=capacity, unlimited_capacity=unlimited)
    return _Step(item.line, "rooms", item.key, room, (command,), "updated")


def _plan_staff(uow: UnitOfWork, item: _Item, errors: _Errors) -> _Step | None:
    values = item.values
    member = uow.staff.get(item.key)
    active = values.get("active")
    if member is None:
        commands: tuple[Command, ...] = (_registration("staff", values),)
        if active is False:
            return _Step(
                item.line,
                "staff",
                item.key,
                None,
                (*commands, DeactivateStaff(item.key)),
                "created",
                "deactivated",
            )
        return _Step(item.line, "staff", item.key, None, commands, "created")
    if _belongs_elsewhere(item, "staff", member.hotel_id, errors):
        return None
    name = values["name"] if values["name"] != member.name else None
    role = values["role"] if values["role"] is not member.role else None
    calls: list[Command] = []
    if name is not None or role is not None:
        calls.append(UpdateStaff(item.key, name=name, role=role))
    flag: Literal["deactivated", "reactivated"] | None = None
    if active is not None and active != member.active:
        calls.append(ReactivateStaff(item.key) if active else DeactivateStaff(item.key))
        flag = "reactivated" if active else "deactivated"
    outcome: Literal["updated", "unchanged"] = "updated" if calls else "unchanged"
    return _Step(item.line, "staff", item.key, member, tuple(calls), outcome, flag)


def _plan_booking(uow: UnitOfWork, item: _Item, errors: _Errors) -> _Step | None:
    values = item.values
    party = tuple(guest for _, guest in item.party)
    booking = uow.bookings.get(item.key)
    if booking is None:
        owners = uow.bookings.party_owners([g.booking_guest_id for g in party])
        if owners:
            for line, guest in item.party:
                owner = owners.get(guest.booking_guest_id)
                if owner is not None:
                    errors.add(
                        line,
                        "guest_id",
                        f"guest id {guest.booking_guest_id!r} belongs to booking {owner!r}",
                    )
            return None
        command = RegisterBooking(
            item.hotel_id,
            item.key,
            values["reference"],
            values["arrival"],
            values["departure"],
            party,
        )
        return _Step(item.line, "bookings", item.key, None, (command,), "created")
    if _belongs_elsewhere(item, "bookings", booking.hotel_id, errors):
        return None
    differs = _booking_differences(booking, values, party)
    if differs:
        errors.add(
            item.line,
            differs[0],
            f"booking {item.key!r} is already registered with another {', '.join(differs)}; "
            "a stored booking is not changed from a file: change its stay with change_stay "
            "and its party with update_party (operations by a staff member)",
        )
        return None
    return _Step(item.line, "bookings", item.key, booking, (), "unchanged")


def _booking_differences(
    booking: Booking, values: Mapping[str, Any], party: tuple[BookingGuest, ...]
) -> list[str]:
    differs = [n for n in ("reference", "arrival", "departure") if values[n] != getattr(booking, n)]
    if party != booking.party:
        differs.append("party")
    return differs


_PLANNERS: Mapping[str, Callable[[UnitOfWork, _Item, _Errors], _Step | None]] = {
    "hotels": _plan_hotel,
    "rooms": _plan_room,
    "staff": _plan_staff,
    "bookings": _plan_booking,
}


def _target_number(step: _Step) -> str | None:
    """The number a room's step gives it, if it registers or renumbers the room."""
    for command in step.commands:
        if isinstance(command, RegisterRoom) or (
            isinstance(command, UpdateRoom) and command.number is not None
        ):
            return command.number
    return None


def _renumbering_order(uow: UnitOfWork, steps: list[_Step], errors: _Errors) -> list[_Step]:
    """The rooms' steps in an order that never gives two rooms one number at once: a room
    taking the number another room of the file gives up comes after it. A number held by
    a room the file does not move is a clash; a ring of swaps is refused."""
    by_room = {s.key: s for s in steps}
    after: dict[str, str] = {}  # room -> the room of the file it must wait for
    for step in steps:
        number = _target_number(step)
        if number is None:
            continue
        hotel_id = _hotel_of(step)
        holder = uow.rooms.by_number(hotel_id, number)
        if holder is None or holder.room_id == step.key:
            continue
        moving = by_room.get(holder.room_id)
        if moving is None or _target_number(moving) is None:
            errors.add(
                step.line,
                "number",
                f"room number {number!r} of hotel {hotel_id!r} belongs to room {holder.room_id!r}",
            )
            continue
        after[step.key] = holder.room_id
    ordered: list[_Step] = []
    placed: set[str] = set()
    for step in steps:
        chain: list[str] = []
        key: str | None = step.key
        while key is not None and key not in placed and key not in chain:
            chain.append(key)
            key = after.get(key)
        if key is not None and key in chain:  # a ring of rooms swapping numbers
            ring = chain[chain.index(key) :]
            for room_id in ring:
                if by_room[room_id].line not in errors.bad_lines:
                    errors.add(
                        by_room[room_id].line,
                        "number",
                        f"rooms {', '.join(repr(r) for r in ring)} swap numbers: give one of "
                        "them a number no room has first, in another load",
                    )
            placed.update(ring)
            chain = chain[: chain.index(key)]
        for room_id in reversed(chain):
            ordered.append(by_room[room_id])
            placed.add(room_id)
    return [s for s in ordered if s.line not in errors.bad_lines]


def _hotel_of(step: _Step) -> str:
    before = step.before
    if isinstance(before, Room):
        return before.hotel_id
    command = step.commands[0]
    assert isinstance(command, RegisterRoom)
    return command.hotel_id


# --- carrying it out --------------------------------------------------------------------


class _Joined:
    """The unit of work, seen from inside the transaction already open: the services' own
    transaction blocks and commits join it, so that every call of a load is made in one
    transaction (a refusal propagates to the block that opened it, which rolls it all
    back)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def __enter__(self) -> _Joined:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def commit(self) -> None:
        """Nothing: the load commits once, at the end."""

    def rollback(self) -> None:
        """Nothing: a refusal propagates to the load, which rolls everything back."""


def _request_id(kind: str, key: str, command: Command, before: object) -> str:
    """``csv:<kind>:<id>:<service>:<digest>``: the same for the same change of the same
    stored state (the digest of the call and of the state it changes)."""
    digest = hashlib.sha256(f"{command.fingerprint()}|{before!r}".encode()).hexdigest()[:20]
    request_id = f"csv:{kind}:{key}:{command.action}:{digest}"
    if len(request_id) > MAX_ID_LENGTH:
        short = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        request_id = f"csv:{kind}:{short}:{command.action}:{digest}"
    return request_id


def _apply(uow: UnitOfWork, steps: list[_Step]) -> CsvRowError | None:
    """Make every step's calls through the open transaction; the first refusal, if any."""
    joined = cast(UnitOfWork, _Joined(uow))
    for step in steps:
        for command in step.commands:
            request_id: str | None = _request_id(step.kind, step.key, command, step.before)
            if uow.requests.get(cast(str, request_id)) is not None:
                request_id = None  # the same change was made before, and undone since
            try:
                execute(joined, attrs.evolve(cast(Any, command), request_id=request_id))
            except RoomOccupancyError as error:
                return CsvRowError(step.line, None, f"{type(error).__name__}: {error.message}")
    return None


def _counted(steps: list[_Step]) -> CsvReport:
    outcomes = [s.outcome for s in steps]
    flags = [s.flag for s in steps]
    return CsvReport(
        created=outcomes.count("created"),
        updated=outcomes.count("updated"),
        unchanged=outcomes.count("unchanged"),
        deactivated=flags.count("deactivated"),
        reactivated=flags.count("reactivated"),
    )


def load_csv(
    uow: UnitOfWork,
    kind: Kind,
    source: TextIO | Iterable[Mapping[str, str]],
    *,
    hotel_id: str | None = None,
    only_hotel: bool = False,
    dry_run: bool = False,
) -> CsvReport:
    """Make the store agree with the ``kind`` of reference data in ``source`` (a CSV text,
    or rows as mappings of column to text, as :class:`csv.DictReader` gives them): every
    line an upsert, all of them made in one transaction or, if any line is bad, none (see
    the module's documentation for the layouts and rules). ``hotel_id`` is the hotel of
    lines that name none; with ``only_hotel=True`` the file is that hotel's alone, and a
    line naming another hotel is a bad line (the command line's ``import --hotel``);
    ``dry_run`` checks and counts without writing."""
    if kind not in _COLUMNS:
        raise InvalidInput(f"kind must be one of {', '.join(_COLUMNS)}; got {kind!r}")
    if hotel_id is not None:
        require_id("hotel_id", hotel_id)
    errors = _Errors()
    lines = _lines(kind, source, hotel_id, errors)
    items = _items(kind, lines, hotel_id, errors, only=only_hotel)
    if not items:
        return errors.report() if errors else CsvReport()
    checking_only = dry_run or bool(errors)  # (a bad file is still checked against the store)
    with uow.reading() if checking_only else uow:
        steps = _plan(uow, kind, items, errors)
        if errors:
            return errors.report()  # (the block ends without a commit: nothing written)
        if checking_only:
            return _counted(steps)
        failure = _apply(uow, steps)
        if failure is not None:
            return CsvReport(errors=(failure,))  # rolled back as the block ends
        uow.commit()
    return _counted(steps)

"""The shortcuts taken for speed give exactly what the plain way gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotel_occupancy.adapters import memory
from hotel_occupancy.adapters.sqlalchemy.mapping import plain
from hotel_occupancy.domain import model
from hotel_occupancy.domain.enums import (
    Condition,
    GuestType,
    OccupancyStatus,
    Operation,
    StaffRole,
    TaskKind,
    TaskStatus,
)
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import new_id
from hotel_occupancy.domain.transitions import (
    TRANSITIONS,
    RoomState,
    Service,
    Tenancy,
    all_states,
)
from hotel_occupancy.domain.validation import MAX_ID_LENGTH, require_id

AT = datetime(2026, 3, 10, 12, tzinfo=UTC)

SAMPLES: list[Any] = [
    model.Hotel("H", "Hotel", True, "Europe/Paris", time(10)),
    model.Room("R", "H", "101", 2),
    model.Staff("S", "H", "Sam", StaffRole.MANAGER),
    model.BookingGuest("g", "Ann", "Lee"),
    model.Booking(
        "B", "H", "REF", date(2026, 3, 10), date(2026, 3, 12), (model.BookingGuest("g", "A", "L"),)
    ),
    model.Guest(
        "G", "H", "B", "g", GuestType.PRIMARY, None, "Ann", "Lee", date(2026, 3, 10), id_pin="12"
    ),
    model.RoomOccupancy("R", "H", OccupancyStatus.VACANT_CLEAN, Condition.CLEAN, AT, AT),
    model.LogEntry(
        0, "H", "R", Operation.ASSIGN, "S", OccupancyStatus.VACANT_CLEAN,
        OccupancyStatus.VACANT_CLEAN, Condition.CLEAN, Condition.CLEAN, AT, metadata={"a": 1},
    ),
    model.HousekeepingTask("T", "H", "R", TaskKind.CLEANING, TaskStatus.OPEN, AT, AT),
]  # fmt: skip


@pytest.mark.parametrize("instance", SAMPLES, ids=lambda s: type(s).__name__)
def test_replace_gives_what_attrs_evolve_gives_for_every_entity(instance: Any) -> None:
    """replace() and attrs.evolve() agree field by field, and the original is untouched."""
    fields = attrs.fields(type(instance))
    for field in fields:
        value = getattr(instance, field.name)
        copy = model.replace(instance, **{field.name: value})
        assert copy == attrs.evolve(instance, **{field.name: value})
        assert type(copy) is type(instance)
    first = fields[0].name
    changed = model.replace(instance, **{first: "other"})
    assert getattr(changed, first) == "other"
    assert changed == attrs.evolve(instance, **{first: "other"})
    assert getattr(instance, first) != "other"


def test_replace_runs_the_classs_converters() -> None:
    """A plain dict given as log metadata becomes a FrozenMap, as with the constructor."""
    entry = SAMPLES[7]
    copy = model.replace(entry, metadata={"b": 2})
    assert isinstance(copy.metadata, model.FrozenMap)
    assert dict(copy.metadata) == {"b": 2}


def test_replace_passes_each_field_to_its_own_parameter_positional_or_keyword() -> None:
    """Fields are passed by position in __init__'s order, kw_only ones and private ones by
    their alias: changing any one field changes exactly that field."""

    @attrs.frozen
    class Mixed:
        a: int
        b: int = 2
        _c: int = 3
        d: int = attrs.field(default=4, kw_only=True)
        e: int = attrs.field(default=5, init=False)

    original = Mixed(10, 20, 30, d=40)
    for alias, name in (("a", "a"), ("b", "b"), ("c", "_c"), ("d", "d")):
        copy = model.replace(original, **{alias: -1})
        assert copy == attrs.evolve(original, **{alias: -1})
        for other in ("a", "b", "_c", "d", "e"):
            expected = -1 if other == name else getattr(original, other)
            assert getattr(copy, other) == expected


def test_replace_refuses_an_unknown_field() -> None:
    """A misspelt field is a TypeError, not a silently ignored keyword."""
    with pytest.raises(TypeError, match="nope"):
        model.replace(SAMPLES[1], nope=1)


def test_every_consistent_state_is_read_back_from_what_a_record_stores() -> None:
    """RoomState.of gives back each consistent state from (status, condition, booking held,
    arriving booking held, service status, discrepancy)."""
    for state in all_states():
        held = state.tenancy is not Tenancy.VACANT
        stored = (state.status, state.condition, held, state.arriving)
        assert RoomState.of(*stored, state.guest_service, state.discrepancy) == state


def test_an_inconsistent_record_still_gets_its_state_computed() -> None:
    """A stored combination no consistent state has (out of order, yet held) is still read."""
    state = RoomState.of(OccupancyStatus.OUT_OF_ORDER, Condition.DIRTY, True)
    assert state == RoomState(Tenancy.ASSIGNED, Condition.DIRTY, Service.OUT_OF_ORDER)
    assert not state.is_consistent


def test_a_states_status_is_derived_from_its_three_dimensions() -> None:
    """The stored status field follows the derivation rule of §3 for every state."""
    for service in Service:
        for tenancy in Tenancy:
            for condition in Condition:
                state = RoomState(tenancy, condition, service)
                if service is Service.OUT_OF_ORDER:
                    expected = OccupancyStatus.OUT_OF_ORDER
                elif service is Service.MAINTENANCE:
                    expected = OccupancyStatus.MAINTENANCE
                elif tenancy is Tenancy.OCCUPIED:
                    expected = OccupancyStatus.OCCUPIED
                elif condition in (Condition.DIRTY, Condition.CLEANING):
                    expected = OccupancyStatus.VACANT_DIRTY
                else:
                    expected = OccupancyStatus.VACANT_CLEAN
                assert state.status is expected
                assert (
                    attrs.evolve(state, condition=Condition.CLEAN).status
                    is RoomState(tenancy, Condition.CLEAN, service).status
                )


def test_a_remembered_transition_result_equals_a_fresh_one() -> None:
    """Transition.apply gives the same state on the first and on later calls."""
    for t in TRANSITIONS:
        for state in all_states():
            tenancy = t.tenancy or state.tenancy
            arriving = state.arriving if t.arriving is None else t.arriving
            if arriving and tenancy is Tenancy.VACANT:  # the arriving booking takes the room
                tenancy, arriving = Tenancy.ASSIGNED, False
            if t.discrepancy is None:
                discrepancy = state.discrepancy
            elif t.resolves:
                discrepancy = None
            else:
                discrepancy = t.discrepancy  # type: ignore[assignment]
            fresh = RoomState(
                tenancy,
                t.condition or state.condition,
                t.service or state.service,
                arriving,
                t.guest_service or state.guest_service,
                discrepancy,
            )
            assert t.apply(state) == fresh
            assert t.apply(state) == fresh


@given(st.text(max_size=MAX_ID_LENGTH + 2))
def test_the_identifier_fast_path_accepts_exactly_what_the_full_rules_accept(text: str) -> None:
    """require_id's one-pass check never lets through what the full rules refuse."""
    problems = (
        not text.strip()
        or text != text.strip()
        or len(text) > MAX_ID_LENGTH
        or not text.isprintable()
        or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)
    )
    if problems:
        with pytest.raises(InvalidInput):
            require_id("x", text)
    else:
        assert require_id("x", text) == text


def test_library_identifiers_are_32_distinct_hex_digits() -> None:
    """new_id gives 128 random bits as 32 lowercase hex digits, never the same twice."""
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 and i == i.lower() for i in ids)


def test_an_update_that_keeps_its_index_keys_leaves_the_index_alone() -> None:
    """Re-filing a row under unchanged keys keeps it findable, once, under those keys."""
    table: memory._Table[str, tuple[str, str]] = memory._Table(
        "t", lambda r: r[0], {"by": lambda r: r[1]}, unique={"by"}
    )
    journal: memory.Journal = []
    table.insert(("a", "x"), journal)
    table.update(("a", "x"), journal)
    assert table.find("by", "x") == [("a", "x")]
    table.update(("a", "y"), journal)
    assert table.find("by", "x") == []
    assert table.find("by", "y") == [("a", "y")]
    with pytest.raises(memory.IntegrityViolation):
        table.insert(("b", "y"), journal)
    assert table.get("b") is None
    while journal:  # the undo journal restores rows and indexes, last write first
        t, key, old, new = journal.pop()
        t._set(key, new, old)
    assert table.rows == {}
    assert not table.has("by", "x")
    assert not table.has("by", "y")


def test_a_multi_index_files_a_row_once_under_each_key_it_names_none_skipped() -> None:
    """A multi index skips None and repeated keys, refuses a key another row holds, and
    its rollback restores it exactly (the log's room index: room and room moved from)."""
    table: memory._Table[str, tuple[str, str | None, str | None]] = memory._Table(
        "t", lambda r: r[0], unique={"by"}, multi={"by": lambda r: (r[1], r[2])}
    )
    journal: memory.Journal = []
    table.insert(("a", "x", None), journal)
    table.insert(("b", "y", "y"), journal)
    assert table.find("by", "x") == [("a", "x", None)]
    assert table.find("by", "y") == [("b", "y", "y")]
    assert not table.has("by", None)
    table.update(("a", "z", "x"), journal)
    assert table.find("by", "z") == table.find("by", "x") == [("a", "z", "x")]
    with pytest.raises(memory.IntegrityViolation):
        table.update(("a", "x", "y"), journal)
    assert table.get("a") == ("a", "z", "x")
    memory._undo(journal)
    assert table.rows == {}
    assert all(not table.has("by", k) for k in ("x", "y", "z"))


@given(st.one_of(st.text(max_size=MAX_ID_LENGTH + 2), st.integers(), st.none()))
def test_the_command_validators_accept_exactly_what_the_full_rules_accept(value: Any) -> None:
    """A command's identifier and text fields, checked in one pass, refuse what require_id
    and require_text refuse, with the same message, and accept the rest."""
    from hotel_occupancy.domain.commands import CompleteCleaning
    from hotel_occupancy.domain.validation import require_text

    for field, rule in (("room_id", require_id), ("notes", require_text)):
        arguments = {"room_id": "R", "staff_id": "S", field: value}
        expected: str | None = None
        try:
            rule(field, value)
        except InvalidInput as error:
            expected = error.message
        if expected is None:
            assert getattr(CompleteCleaning(**arguments), field) == value
        else:
            with pytest.raises(InvalidInput) as refused:
                CompleteCleaning(**arguments)
            assert refused.value.message == expected


def _outcome(call: Any, value: Any) -> Any:
    """What ``call(value)`` returns, or the class and message of what it raises."""
    try:
        return call(value)
    except Exception as error:  # compared, not hidden
        return (type(error), str(error))


_OFFSETS = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23))
_AWARE = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.builds(timezone, _OFFSETS)),
)


@given(st.one_of(_AWARE, st.datetimes(), st.none()))
def test_sqlite_s_one_call_datetime_binding_gives_what_the_two_processors_give(
    value: datetime | None,
) -> None:
    """UTCDateTime's SQLite bind processor equals its process_bind_param followed by
    DateTime's own, for aware values in any offset, naive ones (refused) and None."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.types import TypeDecorator

    from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime

    dialect = sqlite.dialect()
    as_sent = UTCDateTime().dialect_impl(dialect)  # the type SQLAlchemy asks
    fused = as_sent.bind_processor(dialect)
    composed = TypeDecorator.bind_processor(as_sent, dialect)
    assert fused is not None
    assert composed is not None
    assert _outcome(fused, value) == _outcome(composed, value)


@given(
    st.one_of(
        st.datetimes().map(lambda d: d.isoformat(" ")),  # the stored form, any precision
        _AWARE.map(lambda d: d.isoformat()),  # text with an offset, written by another tool
        st.text(max_size=30),
        st.none(),
    )
)
def test_sqlite_s_one_call_datetime_reading_gives_what_the_two_processors_give(
    text: str | None,
) -> None:
    """UTCDateTime's SQLite result processor equals DateTime's own followed by its
    process_result_value, for stored text of any precision or offset, garbage and None."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.types import TypeDecorator

    from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime

    dialect = sqlite.dialect()
    as_read = UTCDateTime().dialect_impl(dialect)  # the type SQLAlchemy asks
    fused = as_read.result_processor(dialect, None)
    composed = TypeDecorator.result_processor(as_read, dialect, None)
    assert fused is not None
    assert composed is not None
    assert _outcome(fused, text) == _outcome(composed, text)
    if text is not None and not isinstance(_outcome(fused, text), tuple):
        assert fused(text).tzinfo is UTC


def _natural_runs(text: str) -> tuple[tuple[int, int, str], ...]:
    """The natural sort key of ``text`` as a tuple per run (its form before it was one string)."""
    import re

    runs = [
        (0, int(part), part) if index % 2 else (1, 0, part.casefold())
        for index, part in enumerate(re.split(r"(\d+)", text))
        if part
    ]
    return (*runs, (2, 0, text))


_ROOM_NUMBER = st.text(st.sampled_from("0123456789AaBbßẞ-. ٣"), max_size=8)


@given(a=_ROOM_NUMBER, b=_ROOM_NUMBER)
def test_the_string_natural_key_orders_numbers_as_a_key_run_by_run_does(a: str, b: str) -> None:
    """Two room numbers compare the same way by the one-string key as by a tuple per run."""
    flat_a, flat_b = model.natural_key(a), model.natural_key(b)
    runs_a, runs_b = _natural_runs(a), _natural_runs(b)
    assert (flat_a < flat_b, flat_a == flat_b) == (runs_a < runs_b, runs_a == runs_b)


@given(
    checkout=st.none()
    | st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)),
    zone=st.sampled_from(["UTC", "Europe/Paris", "Pacific/Kiritimati", "America/St_Johns"]),
    seen_before=st.booleans(),
)
def test_a_board_row_is_completed_as_replace_would_complete_it(
    checkout: datetime | None, zone: str, seen_before: bool
) -> None:
    """room_board's positional completion gives the row replace() gives, seen or not."""
    from hotel_occupancy.domain.dates import local_date
    from hotel_occupancy.domain.enums import DiscrepancyKind, ServiceStatus
    from hotel_occupancy.services import queries

    hotel = model.Hotel("H", "Hotel", False, zone)
    row = model.BoardRow(
        "R", "101", OccupancyStatus.OCCUPIED, Condition.DIRTY, "B", "REF", 2, checkout,
        "A", service_status=ServiceStatus.DND,
        discrepancy=DiscrepancyKind.SKIP, queued=True,
    )  # fmt: skip
    today = local_date(hotel, AT)
    seen: dict[datetime, tuple[bool, bool, datetime]] = {}
    if seen_before:  # the memo filled by an earlier row with the same checkout
        queries._board_row(hotel, row, AT, today, seen)
    done = queries._board_row(hotel, row, AT, today, seen)
    if checkout is None:
        assert done is row
        return
    there = checkout.astimezone(ZoneInfo(zone))
    assert done == model.replace(
        row, due_out=there.date() <= today, overdue=checkout < AT, expected_checkout_local=there
    )


def test_two_checkouts_an_hour_apart_as_the_clocks_go_back_stay_an_hour_apart_on_the_board() -> (
    None
):
    """The board converts each distinct checkout text once, but PostgreSQL's datetimes one
    by one: 02:30 twice in Paris on 2026-10-25 (fold 0 and 1) are equal, yet an hour apart."""
    from hotel_occupancy.adapters.sqlalchemy.mapping import board_rows

    paris = ZoneInfo("Europe/Paris")
    first, second = (datetime(2026, 10, 25, 2, 30, tzinfo=paris, fold=f) for f in (0, 1))
    assert first == second  # what a memo keyed by the value would take for one checkout
    text = "2026-10-25 00:30:00.000000"  # SQLite's form of 00:30 UTC
    rows = [
        (f"R{n}", str(n), "OCCUPIED", "CLEAN", f"B{n}", f"REF{n}", value, 2, None, "NONE", None, 0)
        for n, value in enumerate([first, second, text, text])
    ]  # fmt: skip
    board = board_rows(rows)
    assert [row.expected_checkout for row in board] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    ]
    assert [row.expected_checkout.utcoffset() for row in board] == [timedelta(0)] * 4  # type: ignore[union-attr]


@pytest.mark.parametrize("instance", SAMPLES, ids=lambda s: type(s).__name__)
def test_plain_gives_every_field_but_those_left_out_with_enums_as_their_values(
    instance: Any,
) -> None:
    """The SQL adapter's row of an entity, whatever fields each call leaves out, in turn."""
    names = [field.name for field in attrs.fields(type(instance))]
    for exclude in ((), (names[0],), (names[-1], names[0]), tuple(names[1:]), ()):
        expected = {
            name: value.value if isinstance(value, Enum) else value
            for name in names
            if name not in exclude
            for value in [getattr(instance, name)]
        }
        row = plain(instance, *exclude)
        assert row == expected
        assert list(row) == [name for name in names if name not in exclude]
        assert not any(isinstance(value, Enum) for value in row.values())

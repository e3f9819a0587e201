"""The domain's tables and pure functions (issue 9): the booking table, the task plan, the
hotel's calendar, and the replay of a room's log reading the transition table."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy.domain.bookings import BOOKING_RULES, BookingStage, booking_rule, stage_of
from hotel_occupancy.domain.dates import expected_checkout, local_date
from hotel_occupancy.domain.housekeeping import plan_tasks
from hotel_occupancy.domain.invariants import replay_room
from hotel_occupancy.domain.transitions import (
    ACTIONS,
    CHECKPOINTS,
    TRANSITIONS,
    RoomRole,
    Tenancy,
    booking_effect,
    default_steps,
    source_row,
    transition,
)

AT = datetime(2026, 3, 10, 12, tzinfo=UTC)
HOTEL = ho.Hotel("H", "Hotel", require_inspection=True, timezone="Pacific/Auckland")
BOOKING = ho.Booking(
    "B", "H", "REF", date(2026, 3, 10), date(2026, 3, 12), (ho.BookingGuest("g", "A", "B"),)
)


@pytest.mark.parametrize("rule", BOOKING_RULES, ids=[r.action for r in BOOKING_RULES])
def test_each_booking_rule_accepts_or_explains_every_stage(rule: object) -> None:
    """A rule says for every stage either that it accepts it or why it refuses it."""
    assert isinstance(rule, type(BOOKING_RULES[0]))
    for stage in BookingStage:
        assert (stage in rule.stages) != (stage in rule.refusals), stage


def test_the_booking_table_covers_every_operation_acting_on_a_booking() -> None:
    """Its rules are operations of the transition table, one each."""
    actions = [rule.action for rule in BOOKING_RULES]
    assert len(actions) == len(set(actions))
    assert set(actions) <= set(ACTIONS)
    assert {"assign_room", "check_in", "reassign_room", "unassign_room"} <= set(actions)


@pytest.mark.parametrize(
    ("booking", "assigned", "stage"),
    [
        (BOOKING, False, BookingStage.ARRIVING),
        (BOOKING, True, BookingStage.ASSIGNED),
        (
            attrs.evolve(BOOKING, checked_in_at=AT),
            True,
            BookingStage.IN_HOUSE,
        ),
        (
            attrs.evolve(BOOKING, checked_in_at=AT, checked_out_at=AT),
            False,
            BookingStage.DEPARTED,
        ),
    ],
)
def test_a_bookings_stage_follows_its_times_and_its_room(
    booking: ho.Booking, assigned: bool, stage: BookingStage
) -> None:
    """Arriving, assigned, in house, departed."""
    assert stage_of(booking, assigned) is stage


def test_a_refusal_names_the_booking_and_the_reason() -> None:
    """The table's words become a BookingNotAssignable naming the booking."""
    refusal = booking_rule("assign_room").refusal(BOOKING, BookingStage.ASSIGNED, "R7")
    assert isinstance(refusal, ho.BookingNotAssignable)
    assert refusal.booking_id == "B"
    assert "'REF'" in refusal.message
    assert "'R7'" in refusal.message
    assert booking_rule("assign_room").refusal(BOOKING, BookingStage.ARRIVING) is None


def test_undoing_a_check_in_is_refused_once_the_stay_has_moved() -> None:
    """The unassign rule accepts an in-house booking only until its first room move."""
    in_house = attrs.evolve(BOOKING, checked_in_at=AT)
    moved = attrs.evolve(in_house, moved_at=AT)
    rule = booking_rule("unassign_room")
    assert rule.refusal(in_house, BookingStage.IN_HOUSE) is None
    refusal = rule.refusal(moved, BookingStage.IN_HOUSE)
    assert refusal is not None
    assert "moved" in refusal.message


def test_the_booking_rules_say_what_happens_to_the_booking() -> None:
    """Check-in, checkout, undoing a check-in and a move set or clear the booking's times."""
    checked_in = booking_rule("check_in").apply(BOOKING, BookingStage.ASSIGNED, AT)
    assert checked_in.checked_in_at == AT
    assert booking_rule("checkout_room").apply(checked_in, BookingStage.IN_HOUSE, AT).checked_out
    undone = booking_rule("unassign_room").apply(checked_in, BookingStage.IN_HOUSE, AT)
    assert undone.checked_in_at is None
    assert booking_rule("move_guest").apply(checked_in, BookingStage.IN_HOUSE, AT).moved_at == AT
    assert booking_rule("reassign_room").apply(BOOKING, BookingStage.ASSIGNED, AT) is BOOKING


def _task(kind: ho.TaskKind, status: ho.TaskStatus = ho.TaskStatus.OPEN) -> ho.HousekeepingTask:
    return ho.HousekeepingTask(f"t-{kind.value}", "H", "R", kind, status, AT, AT)


def _plan(action: str, variant: str, tasks: list[ho.HousekeepingTask], role: RoomRole) -> object:
    ids = iter(["new-1", "new-2"])
    return plan_tasks(
        transition(action, variant, role),
        tasks,
        hotel=HOTEL,
        room_id="R",
        staff_id="s",
        booking_id="B",
        at=AT,
        new_id=lambda: next(ids),
    )


def test_checkout_turns_the_open_cleaning_task_into_a_turnover_and_cancels_inspection() -> None:
    """The plan reuses the open cleaning task (never two) and cancels an inspection (I6)."""
    tasks = [_task(ho.TaskKind.CLEANING, ho.TaskStatus.IN_PROGRESS), _task(ho.TaskKind.INSPECTION)]
    plan = _plan("checkout_room", "", tasks, RoomRole.ROOM)
    assert plan.created == ()  # type: ignore[attr-defined]
    turnover, inspection = plan.updated  # type: ignore[attr-defined]
    assert (turnover.task_id, turnover.kind, turnover.status) == (
        "t-CLEANING",
        ho.TaskKind.TURNOVER,
        ho.TaskStatus.OPEN,
    )
    assert turnover.assigned_to is None
    assert inspection.status is ho.TaskStatus.CANCELLED


def test_completing_a_cleaning_in_an_inspecting_hotel_opens_an_inspection() -> None:
    """The cleaning task is DONE and an INSPECTION task is created, in that order."""
    plan = _plan("complete_cleaning", "", [_task(ho.TaskKind.CLEANING)], RoomRole.ROOM)
    (done, _), (created, new) = plan.changes  # type: ignore[attr-defined]
    assert done.status is ho.TaskStatus.DONE
    assert (created.task_id, created.kind, new) == ("new-1", ho.TaskKind.INSPECTION, True)


def test_a_row_without_task_effects_plans_nothing() -> None:
    """Check-in leaves the tasks alone."""
    assert not _plan("check_in", "", [_task(ho.TaskKind.CLEANING)], RoomRole.ROOM)


def test_local_dates_and_the_expected_checkout_follow_the_hotels_zone() -> None:
    """Noon UTC on 10 March is already the 11th in Auckland; checkout is 11:00 there."""
    assert local_date(HOTEL, AT) == date(2026, 3, 11)
    expected = expected_checkout(HOTEL, date(2026, 3, 12))
    assert expected == datetime(2026, 3, 11, 22, tzinfo=UTC)
    assert expected_checkout(ho.Hotel("U", "U", checkout_time=time(9)), date(2026, 1, 1)) == (
        datetime(2026, 1, 1, 9, tzinfo=UTC)
    )


def test_the_replay_reads_what_each_operation_does_to_the_booking_from_the_table() -> None:
    """Assign and moves bring a booking to an unassigned room; checkout and unassign clear it;
    housekeeping keeps it; the source rows of moves and reassignments clear it."""
    assert booking_effect(ho.Operation.ASSIGN) == (True, Tenancy.ASSIGNED)
    assert booking_effect(ho.Operation.MOVE) == (True, Tenancy.OCCUPIED)
    assert booking_effect(ho.Operation.CHECKIN) == (False, Tenancy.OCCUPIED)
    assert booking_effect(ho.Operation.CHECKOUT) == (False, Tenancy.VACANT)
    assert booking_effect(ho.Operation.STATUS_CHANGE) == (False, None)
    for operation in (ho.Operation.MOVE, ho.Operation.REASSIGN):
        row = source_row(operation)
        assert row is not None
        assert row.tenancy is Tenancy.VACANT
    assert source_row(ho.Operation.CHECKOUT) is None


def test_every_operation_is_a_row_of_the_table_or_a_checkpoint_never_both() -> None:
    """The log's operations are the table's, plus IMPORT, the checkpoint of a takeover."""
    in_table = {t.operation for t in TRANSITIONS}
    assert {ho.Operation.IMPORT} == CHECKPOINTS
    assert in_table | CHECKPOINTS == set(ho.Operation)
    assert in_table & CHECKPOINTS == set()


def _entry(entry_id: int, operation: ho.Operation, **fields: object) -> ho.LogEntry:
    values: dict[str, object] = {
        "id": entry_id,
        "hotel_id": "H",
        "room_id": "R",
        "operation": operation,
        "performed_by": "s",
        "status_before": ho.OccupancyStatus.VACANT_CLEAN,
        "status_after": ho.OccupancyStatus.VACANT_CLEAN,
        "condition_before": ho.Condition.CLEAN,
        "condition_after": ho.Condition.CLEAN,
        "timestamp": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return ho.LogEntry(**values)  # type: ignore[arg-type]


def test_replaying_a_log_restarts_from_an_import_checkpoint_and_skips_imported_history() -> None:
    """An IMPORT entry sets the state and booking it records; imported history (no state)
    changes nothing; entries after the checkpoint replay from it."""
    none: dict[str, object] = dict.fromkeys(
        ("status_before", "status_after", "condition_before", "condition_after")
    )
    entries = [
        _entry(1, ho.Operation.CHECKIN, booking_id="B0", **none),
        _entry(
            2,
            ho.Operation.IMPORT,
            booking_id="B1",
            status_after=ho.OccupancyStatus.OCCUPIED,
            condition_after=ho.Condition.DIRTY,
        ),
        _entry(3, ho.Operation.CHECKOUT, room_id=None, booking_id="B2", **none),
        _entry(
            4,
            ho.Operation.CHECKOUT,
            booking_id="B1",
            status_before=ho.OccupancyStatus.OCCUPIED,
            status_after=ho.OccupancyStatus.VACANT_DIRTY,
            condition_before=ho.Condition.DIRTY,
            condition_after=ho.Condition.DIRTY,
        ),
    ]
    assert replay_room("R", entries[:2]) == (
        ho.OccupancyStatus.OCCUPIED,
        ho.Condition.DIRTY,
        "B1",
        [],
    )
    assert replay_room("R", entries) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
        None,
        [],
    )
    late = _entry(5, ho.Operation.IMPORT, status_before=ho.OccupancyStatus.VACANT_DIRTY)
    problems = replay_room("R", [*entries, late])[3]
    assert len(problems) == 1
    assert "takes the room over from VACANT_DIRTY/CLEAN" in problems[0]


def test_the_default_steps_start_with_the_services_own_row() -> None:
    """allowed_operations judges each service by rows of that service (then check-in)."""
    for action in ACTIONS:
        steps = default_steps(action)
        assert steps[0].action == action
    assert [t.action for t in default_steps("assign_room")] == ["assign_room", "check_in"]
    assert default_steps("move_guest")[0].role is RoomRole.SOURCE

"""The housekeeping worksheets: priorities, credits and how share() deals the tasks (§10)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotel_occupancy.domain.enums import ServiceStatus, TaskKind, TaskStatus, WorkPriority
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.worksheets import (
    WorkItem,
    Worksheet,
    WorksheetLine,
    WorksheetPlan,
    as_stored,
    credits_for,
    priority_of,
    share,
    sheet_for,
    work_order,
)

OPEN, STARTED = TaskStatus.OPEN, TaskStatus.IN_PROGRESS
STAFF = ("ann", "bob", "cy", "dee")
OUTSIDER = "zed"  # a cleaner who is not among the attendants given to share()
NUMBERS = ("1", "2", "10", "11", "101", "A2", "A10", "B1")


def item(
    task_id: str,
    *,
    number: str = "101",
    priority: WorkPriority = WorkPriority.VACANT_DIRTY,
    credits: int = 1,
    status: TaskStatus = OPEN,
    kind: TaskKind = TaskKind.TURNOVER,
    assigned_to: str | None = None,
    service_status: ServiceStatus = ServiceStatus.NONE,
) -> WorkItem:
    return WorkItem(
        task_id=task_id,
        room_id=f"room-{number}",
        number=number,
        kind=kind,
        status=status,
        priority=priority,
        credits=credits,
        service_status=service_status,
        assigned_to=assigned_to,
    )


@st.composite
def work_items(draw: st.DrawFn) -> list[WorkItem]:
    """Random open cleaning tasks with distinct ids, some started by attendants or others."""
    count = draw(st.integers(min_value=0, max_value=25))
    items = []
    for index in range(count):
        status = draw(st.sampled_from([OPEN, OPEN, STARTED]))
        holders = [*STAFF, OUTSIDER] if status is STARTED else [*STAFF, OUTSIDER, None]
        items.append(
            item(
                f"t{index:02d}",
                number=draw(st.sampled_from(NUMBERS)),
                priority=draw(st.sampled_from(WorkPriority)),
                credits=draw(st.integers(min_value=1, max_value=4)),
                status=status,
                kind=draw(st.sampled_from([TaskKind.TURNOVER, TaskKind.CLEANING])),
                assigned_to=draw(st.sampled_from(holders)),
                service_status=draw(st.sampled_from(ServiceStatus)),
            )
        )
    return items


attendant_lists = st.lists(st.sampled_from(STAFF), min_size=1, max_size=4, unique=True).flatmap(
    st.permutations
)
limits = st.none() | st.integers(min_value=1, max_value=10)


def unstarted_task_ids_added(plan: WorksheetPlan, sheet: Worksheet) -> set[str]:
    return {task_id for task_id, staff_id in plan.assignments if staff_id == sheet.staff_id}


# --- priority_of and credits_for -------------------------------------------------------------


@pytest.mark.parametrize(
    ("occupied", "assigned", "queued", "service_status", "expected"),
    [
        (True, True, False, ServiceStatus.DND, WorkPriority.KEEP_OUT),
        (True, True, True, ServiceStatus.SERVICE_REFUSED, WorkPriority.KEEP_OUT),
        (True, False, False, ServiceStatus.DND, WorkPriority.KEEP_OUT),
        (False, True, True, ServiceStatus.NONE, WorkPriority.QUEUED_ARRIVAL),
        (True, True, True, ServiceStatus.MAKE_UP_ROOM, WorkPriority.QUEUED_ARRIVAL),
        (False, True, False, ServiceStatus.NONE, WorkPriority.ARRIVAL),
        (True, True, False, ServiceStatus.NONE, WorkPriority.ARRIVAL),
        (True, True, False, ServiceStatus.MAKE_UP_ROOM, WorkPriority.ARRIVAL),
        (False, False, False, ServiceStatus.NONE, WorkPriority.VACANT_DIRTY),
        (False, False, False, ServiceStatus.DND, WorkPriority.VACANT_DIRTY),
        (True, False, False, ServiceStatus.MAKE_UP_ROOM, WorkPriority.MAKE_UP_ROOM),
        (True, False, False, ServiceStatus.NONE, WorkPriority.STAYOVER),
    ],
)
def test_priority_of_follows_the_documented_order(
    occupied: bool,
    assigned: bool,
    queued: bool,
    service_status: ServiceStatus,
    expected: WorkPriority,
) -> None:
    """Keep-out first, then queued, assigned, vacant, make-up room and stayover."""
    got = priority_of(
        occupied=occupied, assigned=assigned, queued=queued, service_status=service_status
    )
    assert got is expected


def test_dnd_on_a_due_out_room_awaited_by_an_arrival_is_keep_out() -> None:
    """An awaited due-out room with do-not-disturb still comes last."""
    got = priority_of(occupied=True, assigned=True, queued=False, service_status=ServiceStatus.DND)
    assert got is WorkPriority.KEEP_OUT


def test_a_queued_arrival_wins_over_a_plain_assignment() -> None:
    """A guest waiting at the desk makes the room the most urgent."""
    got = priority_of(occupied=False, assigned=True, queued=True, service_status=ServiceStatus.NONE)
    assert got is WorkPriority.QUEUED_ARRIVAL


def test_credits_for_gives_the_stayover_rate_to_an_occupied_room_and_checkout_to_a_vacant_one() -> (
    None
):
    """Occupied rooms are stayovers, vacant rooms checkouts."""
    assert credits_for(occupied=True, checkout_credits=3, stayover_credits=1) == 1
    assert credits_for(occupied=False, checkout_credits=3, stayover_credits=1) == 3


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_credits_for_refuses_a_rate_that_is_not_a_positive_int(bad: Any) -> None:
    """A credit rate must be an int of at least 1."""
    with pytest.raises(InvalidInput):
        credits_for(occupied=True, checkout_credits=2, stayover_credits=bad)
    with pytest.raises(InvalidInput):
        credits_for(occupied=False, checkout_credits=bad, stayover_credits=1)


# --- work order ------------------------------------------------------------------------------


def test_work_order_sorts_by_priority_then_natural_number_then_task_id() -> None:
    """Priority first, then "2" before "10", then the task id."""
    items = [
        item("c", number="10", priority=WorkPriority.ARRIVAL),
        item("b", number="2", priority=WorkPriority.STAYOVER),
        item("z", number="2", priority=WorkPriority.ARRIVAL),
        item("a", number="2", priority=WorkPriority.ARRIVAL),
    ]
    assert [i.task_id for i in sorted(items, key=work_order)] == ["a", "z", "c", "b"]


def test_work_order_is_the_same_for_an_item_and_its_line() -> None:
    """A WorkItem and the WorksheetLine made from it sort alike."""
    work = item("t1", number="A10", priority=WorkPriority.MAKE_UP_ROOM)
    (line,) = share([work], ["ann"]).sheets[0].lines
    assert isinstance(line, WorksheetLine)
    assert work_order(line) == work_order(work)


# --- share: properties -----------------------------------------------------------------------


@given(work_items(), attendant_lists, limits)
def test_no_attendant_gets_more_than_max_credits(
    items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """A sheet share() added any unstarted task to totals at most max_credits."""
    plan = share(items, attendants, max_credits)
    for sheet in plan.sheets:
        if max_credits is not None and unstarted_task_ids_added(plan, sheet):
            assert sheet.credits <= max_credits


@given(work_items(), attendant_lists, limits)
def test_every_unstarted_task_is_on_exactly_one_sheet_or_in_the_overflow(
    items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """Unstarted tasks are dealt once: one sheet or the overflow, never both or neither."""
    plan = share(items, attendants, max_credits)
    on_sheets = Counter(line.task_id for sheet in plan.sheets for line in sheet.lines)
    overflow = Counter(line.task_id for line in plan.overflow)
    for work in items:
        if work.status is OPEN:
            assert on_sheets[work.task_id] + overflow[work.task_id] == 1
            owner = plan.assignee(work.task_id)
            if overflow[work.task_id]:
                assert owner is None
            else:
                assert owner is not None
                sheet = plan.sheet(owner)
                assert sheet is not None
                assert work.task_id in {line.task_id for line in sheet.lines}
    assert len(plan.assignments) == len({task_id for task_id, _ in plan.assignments})


@given(work_items(), attendant_lists, limits)
def test_started_tasks_stay_with_their_attendant(
    items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """A started task is on its cleaner's sheet if they are listed, else nowhere."""
    plan = share(items, attendants, max_credits)
    overflow = {line.task_id for line in plan.overflow}
    for work in items:
        if work.status is not STARTED:
            continue
        holders = [
            s.staff_id for s in plan.sheets if work.task_id in {ln.task_id for ln in s.lines}
        ]
        assert holders == ([work.assigned_to] if work.assigned_to in attendants else [])
        assert work.task_id not in overflow
        assert plan.assignee(work.task_id) is None


@given(work_items(), attendant_lists, limits)
def test_sheets_follow_the_attendants_order_and_count_every_line(
    items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """One sheet per attendant, in their order; a sheet's credits sum its lines."""
    plan = share(items, attendants, max_credits)
    assert [sheet.staff_id for sheet in plan.sheets] == attendants
    for sheet in plan.sheets:
        assert sheet.credits == sum(line.credits for line in sheet.lines)


@given(work_items(), attendant_lists, limits)
def test_every_sheet_and_the_overflow_are_in_work_order(
    items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """Lines come by priority, then room number, then task id."""
    plan = share(items, attendants, max_credits)
    for lines in [*(sheet.lines for sheet in plan.sheets), plan.overflow]:
        keys = [work_order(line) for line in lines]
        assert keys == sorted(keys)
        priorities = [line.priority for line in lines]
        assert priorities == sorted(priorities)
    by_id = {work.task_id: work for work in items}
    assigned_keys = [work_order(by_id[task_id]) for task_id, _ in plan.assignments]
    assert assigned_keys == sorted(assigned_keys)


@given(st.data(), work_items(), attendant_lists, limits)
def test_shuffling_the_items_gives_the_same_plan(
    data: st.DataObject, items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """share() depends on the tasks, not on the order they are given in."""
    shuffled = data.draw(st.permutations(items))
    assert share(shuffled, attendants, max_credits) == share(items, attendants, max_credits)


@given(work_items(), attendant_lists, st.integers(min_value=1, max_value=10))
def test_the_overflow_only_holds_tasks_no_attendant_could_fit(
    items: list[WorkItem], attendants: list[str], max_credits: int
) -> None:
    """Every overflow task would push every attendant's final load past max_credits."""
    plan = share(items, attendants, max_credits)
    for line in plan.overflow:
        for sheet in plan.sheets:
            assert sheet.credits + line.credits > max_credits


@given(work_items(), attendant_lists)
def test_without_a_limit_nothing_overflows(items: list[WorkItem], attendants: list[str]) -> None:
    """With no max_credits every unstarted task lands on a sheet."""
    plan = share(items, attendants)
    assert plan.overflow == ()
    assert len(plan.assignments) == sum(1 for work in items if work.status is OPEN)


@given(
    st.lists(st.integers(min_value=1, max_value=5), max_size=30),
    attendant_lists,
)
def test_without_a_limit_loads_differ_by_at_most_the_largest_credit(
    credits: list[int], attendants: list[str]
) -> None:
    """With nothing started, the least-loaded rule keeps loads within one task's worth."""
    items = [item(f"t{i:02d}", credits=c) for i, c in enumerate(credits)]
    loads = [sheet.credits for sheet in share(items, attendants).sheets]
    assert max(loads) - min(loads) <= max(credits, default=0)


# --- share: examples -------------------------------------------------------------------------


def test_equal_credits_are_dealt_round_robin_in_the_attendants_order() -> None:
    """With equal credits, ties go to the attendant listed first, so rooms alternate."""
    items = [item(f"t{n}", number=str(n)) for n in range(1, 8)]
    plan = share(items, ["bob", "ann"])
    assert [line.number for line in plan.sheets[0].lines] == ["1", "3", "5", "7"]
    assert [line.number for line in plan.sheets[1].lines] == ["2", "4", "6"]
    loads = [sheet.credits for sheet in plan.sheets]
    assert max(loads) - min(loads) <= 1


def test_a_sheet_runs_from_queued_arrival_to_keep_out() -> None:
    """One attendant cleans the queued arrival first and the do-not-disturb room last."""
    priorities = list(WorkPriority)
    items = [
        item(f"t{p.value}", number=str(10 - p.value), priority=p) for p in reversed(priorities)
    ]
    (sheet,) = share(items, ["ann"]).sheets
    assert [line.priority for line in sheet.lines] == priorities
    assert sheet.lines[0].priority is WorkPriority.QUEUED_ARRIVAL
    assert sheet.lines[-1].priority is WorkPriority.KEEP_OUT


def test_a_started_task_counts_towards_its_cleaners_load() -> None:
    """Ann's started checkout makes Bob the least loaded for the next task."""
    items = [
        item("started", number="5", credits=3, status=STARTED, assigned_to="ann"),
        item("next", number="1", credits=1),
    ]
    plan = share(items, ["ann", "bob"])
    assert plan.assignee("next") == "bob"
    assert plan.assignee("started") is None
    assert [line.task_id for line in plan.sheets[0].lines] == ["started"]


def test_started_and_unstarted_lines_mix_in_work_order() -> None:
    """A started stayover comes after an arrival dealt to the same attendant."""
    items = [
        item("stay", number="1", priority=WorkPriority.STAYOVER, status=STARTED, assigned_to="ann"),
        item("arr", number="9", priority=WorkPriority.ARRIVAL),
    ]
    (sheet,) = share(items, ["ann"]).sheets
    assert [line.task_id for line in sheet.lines] == ["arr", "stay"]
    assert [line.status for line in sheet.lines] == [OPEN, STARTED]


def test_a_task_too_big_for_everyone_overflows_while_smaller_ones_still_fit() -> None:
    """The 3-credit task fits nobody with a limit of 2, the later 1-credit tasks still do."""
    items = [
        item("big", number="1", credits=3),
        item("s1", number="2", credits=1),
        item("s2", number="3", credits=1),
    ]
    plan = share(items, ["ann", "bob"], max_credits=2)
    assert [line.task_id for line in plan.overflow] == ["big"]
    assert plan.assignment_map == {"s1": "ann", "s2": "bob"}


def test_a_started_task_may_exceed_the_limit_but_gets_nothing_added() -> None:
    """Started work is never moved; its cleaner simply takes nothing more past the limit."""
    items = [
        item("started", credits=5, status=STARTED, assigned_to="ann"),
        item("open", number="2", credits=1),
    ]
    plan = share(items, ["ann"], max_credits=3)
    assert [line.task_id for line in plan.sheets[0].lines] == ["started"]
    assert [line.task_id for line in plan.overflow] == ["open"]
    assert plan.assignments == ()


def test_an_earlier_assignment_of_an_unstarted_task_is_ignored() -> None:
    """The sheets are made anew: an OPEN task given to Bob before can go to Ann."""
    plan = share([item("t1", assigned_to="bob")], ["ann", "bob"])
    assert plan.assignee("t1") == "ann"


def test_started_tasks_of_someone_not_on_duty_appear_nowhere() -> None:
    """A task started by someone not among the attendants is on no sheet and not overflow."""
    items = [
        item("theirs", status=STARTED, assigned_to=OUTSIDER),
        item("nobody", number="2", status=STARTED, assigned_to=None),
    ]
    plan = share(items, ["ann"], max_credits=1)
    assert plan.sheets == (Worksheet("ann", ()),)
    assert plan.overflow == ()
    assert plan.sheet(OUTSIDER) is None


def test_share_with_no_items_gives_empty_sheets() -> None:
    """Every attendant gets a sheet, even an empty one."""
    plan = share([], ["ann", "bob"], max_credits=4)
    assert plan == WorksheetPlan(sheets=(Worksheet("ann"), Worksheet("bob")))
    assert [sheet.credits for sheet in plan.sheets] == [0, 0]


# --- sheet_for -------------------------------------------------------------------------------


def test_sheet_for_reads_back_the_items_assigned_to_the_attendant_in_work_order() -> None:
    """Only the attendant's items, started or not, in work order."""
    items = [
        item("t1", number="10", assigned_to="ann"),
        item("t2", number="2", assigned_to="ann", status=STARTED),
        item("t3", number="1", assigned_to="bob"),
        item("t4", number="3"),
    ]
    sheet = sheet_for(items, "ann")
    assert sheet.staff_id == "ann"
    assert [line.task_id for line in sheet.lines] == ["t2", "t1"]
    assert sheet.credits == 2


@given(work_items(), attendant_lists, limits)
def test_sheet_for_after_applying_a_plan_gives_the_plans_sheets(
    items: list[WorkItem], attendants: list[str], max_credits: int | None
) -> None:
    """Storing the assignments and reading each sheet back gives the plan's sheets, and
    reading the whole plan back (as_stored) gives the plan."""
    plan = share(items, attendants, max_credits)
    applied = [
        WorkItem(
            task_id=w.task_id, room_id=w.room_id, number=w.number, kind=w.kind, status=w.status,
            priority=w.priority, credits=w.credits, service_status=w.service_status,
            assigned_to=w.assigned_to if w.status is STARTED else plan.assignee(w.task_id),
        )
        for w in items
    ]  # fmt: skip
    assert tuple(sheet_for(applied, staff_id) for staff_id in attendants) == plan.sheets
    assert as_stored(applied, attendants) == plan


def test_sheet_for_refuses_an_empty_staff_id() -> None:
    """The attendant must be named."""
    with pytest.raises(InvalidInput):
        sheet_for([], "")


# --- share: refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attendants",
    [[], ["ann", "ann"], ["ann", ""], ["ann", None], "ann"],
    ids=["empty", "duplicate", "empty-id", "not-a-str", "one-string"],
)
def test_share_refuses_bad_attendants(attendants: Any) -> None:
    """Attendants must be a non-empty list of distinct, non-empty staff ids."""
    with pytest.raises(InvalidInput):
        share([item("t1")], attendants)


@pytest.mark.parametrize("max_credits", [0, -3, True, False, 2.0, "4"])
def test_share_refuses_a_max_credits_that_is_not_a_positive_int(max_credits: Any) -> None:
    """max_credits is None or an int of at least 1 (a bool is refused)."""
    with pytest.raises(InvalidInput):
        share([item("t1")], ["ann"], max_credits)


@pytest.mark.parametrize(
    "bad",
    [
        item("t1", kind=TaskKind.INSPECTION),
        item("t1", kind=TaskKind.MAINTENANCE),
        item("t1", status=TaskStatus.DONE),
        item("t1", status=TaskStatus.CANCELLED),
        item("t1", credits=0),
        item("t1", credits=True),
    ],
    ids=["inspection", "maintenance", "done", "cancelled", "zero-credits", "bool-credits"],
)
def test_share_refuses_an_item_that_is_not_open_cleaning_work(bad: WorkItem) -> None:
    """Only OPEN or IN_PROGRESS turnovers and cleanings worth >= 1 credit are shared."""
    with pytest.raises(InvalidInput):
        share([item("t0", number="1"), bad], ["ann"])
    with pytest.raises(InvalidInput):
        sheet_for([bad], "ann")


def test_share_refuses_two_items_with_the_same_task_id() -> None:
    """Each task is dealt once, so its id must be unique."""
    with pytest.raises(InvalidInput, match="twice"):
        share([item("t1", number="1"), item("t1", number="2")], ["ann"])


def test_invalid_input_is_a_value_error() -> None:
    """Callers catching ValueError catch share()'s refusals too."""
    with pytest.raises(ValueError, match="attendant"):
        share([], [])

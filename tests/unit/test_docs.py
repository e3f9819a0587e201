"""The state diagram in the docs is generated from the transition table and kept in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotel_occupancy.domain import diagram
from hotel_occupancy.domain.bookings import BOOKING_RULES, BookingRule, BookingStage
from hotel_occupancy.domain.transitions import (
    ACTIONS,
    FRONT_OFFICE,
    TRANSITIONS,
    RoomRole,
    RoomState,
    Transition,
    all_states,
)

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "state-diagram.md"


def _edge_line(edge: diagram.Edge) -> str:
    return f"    {edge.source} --> {edge.target} : {', '.join(edge.labels)}"


def _row_id(t: Transition) -> str:
    return diagram.row_label(t)


def test_the_committed_state_diagram_matches_the_transition_table() -> None:
    """docs/state-diagram.md is exactly what the generator prints today."""
    assert PAGE.read_text(encoding="utf-8") == diagram.render(), (
        f"docs/state-diagram.md is out of date; regenerate it with: {diagram.COMMAND}"
    )


def test_the_page_starts_by_saying_it_is_generated_and_how_to_regenerate_it() -> None:
    """The first line names the page as generated and gives the command."""
    first = diagram.render().splitlines()[0]
    assert "Generated" in first
    assert diagram.COMMAND in first


def test_the_generator_prints_the_same_page_every_time() -> None:
    """Rendering twice gives the same text, so regenerating never makes a spurious diff."""
    assert diagram.render() == diagram.render()


@pytest.mark.parametrize("row", TRANSITIONS, ids=_row_id)
def test_every_transition_row_draws_an_edge_on_the_status_diagram(row: Transition) -> None:
    """Each row labels at least one arrow, and that arrow is on the page."""
    page = diagram.render()
    edges = [e for e in diagram.status_edges() if diagram.row_label(row) in e.labels]
    assert edges, f"no edge for {diagram.row_label(row)}"
    for edge in edges:
        assert _edge_line(edge) in page


@pytest.mark.parametrize("row", TRANSITIONS, ids=_row_id)
def test_every_status_edge_of_a_row_is_one_the_table_allows(row: Transition) -> None:
    """A row labels an arrow exactly when some room state passes its guards and lands there."""
    label = diagram.row_label(row)
    expected = {
        (diagram.status_node(state), diagram.status_node(row.apply(state)))
        for state in all_states()
        for require_inspection in (False, True)
        if row.refusal(state, require_inspection) is None
    }
    drawn = {(e.source, e.target) for e in diagram.status_edges() if label in e.labels}
    assert drawn == expected


@pytest.mark.parametrize("action", ACTIONS)
def test_every_service_name_appears_on_the_status_diagram(action: str) -> None:
    """Every operation service labels some arrow of the status diagram."""
    assert f"{action}" in diagram.status_diagram()


@pytest.mark.parametrize("row", TRANSITIONS, ids=_row_id)
def test_every_transition_row_has_a_line_in_the_table(row: Transition) -> None:
    """The Markdown table lists each row with its service, operation and guard errors."""
    table = diagram.transition_table().splitlines()[2:]
    matching = [
        line
        for line in table
        if line.startswith(f"| `{row.action}` |") and f"| {diagram.role_name(row)} |" in line
    ]
    if row.variant:
        matching = [line for line in matching if f"`{row.variant}`" in line]
    assert len(matching) == 1
    line = matching[0]
    assert row.operation.value in line
    for guard in row.guards:
        assert f"`{guard.error.__name__}`" in line
    assert len(table) == len(TRANSITIONS)


def _moves(row: Transition, dimension: str) -> set[tuple[str, str]]:
    """The (before, after) values of one dimension of the room state that ``row`` changes,
    over every state it admits (a discrepancy of None is the node NONE)."""

    def node(state: RoomState) -> str:
        value = getattr(state, dimension)
        return diagram.NO_DISCREPANCY if value is None else str(value.value)

    return {
        (node(state), node(row.apply(state)))
        for state in all_states()
        for require_inspection in (False, True)
        if row.refusal(state, require_inspection) is None and node(state) != node(row.apply(state))
    }


@pytest.mark.parametrize("row", TRANSITIONS, ids=_row_id)
def test_every_change_of_the_guest_service_status_is_drawn(row: Transition) -> None:
    """The guest service diagram draws an arrow, labelled with the row, exactly for each
    change of the service status the row makes, and the arrows are on the page."""
    label = diagram.row_label(row)
    edges = [e for e in diagram.guest_service_edges() if label in e.labels]
    assert {(e.source, e.target) for e in edges} == _moves(row, "guest_service")
    for edge in edges:
        assert _edge_line(edge) in diagram.guest_service_diagram()
        assert _edge_line(edge) in diagram.render()


@pytest.mark.parametrize("row", TRANSITIONS, ids=_row_id)
def test_every_change_of_a_discrepancy_is_drawn(row: Transition) -> None:
    """The discrepancy diagram draws an arrow exactly for each change of the open
    discrepancy the row makes, labelled with the row (the front office's rows under one
    label, the page naming each of their services), and the arrows are on the page."""
    front_office = row.action in FRONT_OFFICE
    label = diagram.FRONT_OFFICE_LABEL if front_office else diagram.row_label(row)
    moves = _moves(row, "discrepancy")
    edges = [e for e in diagram.discrepancy_edges() if label in e.labels]
    if front_office:
        assert moves <= {(e.source, e.target) for e in edges}
        assert all(target == diagram.NO_DISCREPANCY for _, target in moves)
        assert f"`{row.action}`" in diagram.render().split("## Discrepancies")[1]
    else:
        assert {(e.source, e.target) for e in edges} == moves
    for edge in edges:
        assert _edge_line(edge) in diagram.discrepancy_diagram()
        assert _edge_line(edge) in diagram.render()


def test_the_housekeeping_day_diagrams_show_what_opens_and_resolves() -> None:
    """DND is set and reset by the night audit and checkout; a SLEEP is opened by an
    observation and resolved by an agreeing one or by the front office."""
    service = {(e.source, e.target): e.labels for e in diagram.guest_service_edges()}
    assert "set_service_status (DND)" in service[("NONE", "DND")]
    assert {"night_audit (service-reset)", "checkout_room"} <= set(service[("DND", "NONE")])
    found = {(e.source, e.target): e.labels for e in diagram.discrepancy_edges()}
    assert found[("NONE", "SLEEP")] == ("report_room_observation (SLEEP)",)
    assert set(found[("SLEEP", "NONE")]) == {
        diagram.FRONT_OFFICE_LABEL,
        "report_room_observation (agrees)",
    }
    assert all(source != target for source, target in {*service, *found})


def test_the_condition_diagram_follows_the_cleaning_cycle() -> None:
    """DIRTY to CLEANING to CLEAN to INSPECTED, by the services housekeeping calls."""
    edges = {(e.source, e.target): e.labels for e in diagram.condition_edges()}
    assert "start_cleaning" in edges[("DIRTY", "CLEANING")]
    assert "complete_cleaning" in edges[("CLEANING", "CLEAN")]
    assert "inspect_room (passed)" in edges[("CLEAN", "INSPECTED")]
    assert "inspect_room (failed)" in edges[("CLEAN", "DIRTY")]
    assert "mark_dirty" in edges[("INSPECTED", "DIRTY")]
    assert all(source != target for source, target in edges)


def test_checkout_leads_from_occupied_to_vacant_dirty() -> None:
    """The status diagram draws checkout_room from OCCUPIED to VACANT_DIRTY."""
    edges = {(e.source, e.target): e.labels for e in diagram.status_edges()}
    assert "checkout_room" in edges[("OCCUPIED", "VACANT_DIRTY")]
    assert "check_in" in edges[("VACANT_CLEAN_PRE_ASSIGNED", "OCCUPIED")]


def test_source_rows_are_told_apart_from_target_rows() -> None:
    """Moves and reassignments label their source and target rows differently."""
    sources = [t for t in TRANSITIONS if t.role is RoomRole.SOURCE]
    assert sources
    for t in sources:
        assert diagram.row_label(t).endswith("(source)")


def test_an_awaited_room_is_a_node_of_its_own_and_checkout_hands_it_over() -> None:
    """An occupied room awaited by an arriving booking is drawn apart: the due-out
    pre-assignment leads to it, and checking out leaves the room pre-assigned."""
    edges = {(e.source, e.target): e.labels for e in diagram.status_edges()}
    assert "assign_room (due-out)" in edges[("OCCUPIED", "OCCUPIED_ARRIVING")]
    assert "checkout_room" in edges[("OCCUPIED_ARRIVING", "VACANT_DIRTY_PRE_ASSIGNED")]
    assert "unassign_room (arriving)" in edges[("OCCUPIED_ARRIVING", "OCCUPIED")]
    assert "OCCUPIED+arriving/DIRTY" in diagram.render()


def _rule_id(rule: BookingRule) -> str:
    return rule.action


@pytest.mark.parametrize("rule", BOOKING_RULES, ids=_rule_id)
def test_every_booking_rule_draws_an_edge_from_each_stage_it_accepts(rule: BookingRule) -> None:
    """Each accepted stage has an arrow, labelled with the rule, to the stage the rule
    leaves the booking in (a loop when it leaves it in its stage), and the arrow is on the
    page."""
    page = diagram.render()
    edges = diagram.booking_edges()
    for stage in rule.stages:
        after = rule.after or stage
        (edge,) = [e for e in edges if (e.source, e.target) == (stage.value, after.value)]
        assert any(label.split(" (")[0] == rule.action for label in edge.labels)
        assert _edge_line(edge) in diagram.booking_diagram()
        assert _edge_line(edge) in page
    drawn = {
        (e.source, e.target)
        for e in edges
        if any(label.split(" (")[0] == rule.action for label in e.labels)
    }
    assert drawn == {(s.value, (rule.after or s).value) for s in rule.stages}


@pytest.mark.parametrize("rule", BOOKING_RULES, ids=_rule_id)
def test_every_booking_rule_has_a_line_in_the_booking_table(rule: BookingRule) -> None:
    """The booking table lists each rule once, with every stage it refuses."""
    table = diagram.booking_table().splitlines()[2:]
    (line,) = [line for line in table if line.startswith(f"| `{rule.action}` |")]
    for stage in rule.refusals:
        assert f"{stage.value}: " in line
    assert len(table) == len(BOOKING_RULES)
    assert diagram.booking_table() in diagram.render()


def test_every_booking_stage_is_a_node_of_the_booking_diagram() -> None:
    """Every stage is declared, and registering a booking enters ARRIVING."""
    text = diagram.booking_diagram()
    for stage in BookingStage:
        assert f"    state {stage.value}\n" in text
    assert "    [*] --> ARRIVING : register_booking" in text


def test_check_passes_for_the_committed_page() -> None:
    """``--check docs/state-diagram.md`` exits 0 while the page is up to date."""
    assert diagram.main(["--check", str(PAGE)]) == 0


def test_check_fails_with_the_regenerate_command_for_a_stale_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--check`` exits 1 for a page that differs, and says how to regenerate it."""
    stale = tmp_path / "state-diagram.md"
    stale.write_text(diagram.render().replace("check_in", "check-in"), encoding="utf-8")
    assert diagram.main(["--check", str(stale)]) == 1
    assert diagram.COMMAND in capsys.readouterr().err


def test_check_fails_for_a_missing_page(tmp_path: Path) -> None:
    """``--check`` exits 1 when the page does not exist."""
    assert diagram.main(["--check", str(tmp_path / "missing.md")]) == 1


def test_main_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    """Without options, main writes the rendered page to standard output."""
    assert diagram.main([]) == 0
    assert capsys.readouterr().out == diagram.render()


_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_PAGES = sorted([*(ROOT / "docs").glob("*.md"), *(ROOT / "docs").glob("how-to/*.md")])


def _anchors(page: Path) -> set[str]:
    """GitHub-style anchors of a page's headings: ``## Retry `x` safely`` is ``retry-x-safely``."""
    anchors = set()
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        heading = None if in_code else re.match(r"#{1,6} (.+)", line)
        if heading:
            text = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", _PAGES, ids=lambda p: p.relative_to(ROOT / "docs").as_posix())
def test_every_relative_link_in_the_docs_leads_to_a_page_and_heading_that_exist(
    page: Path,
) -> None:
    """Links between the docs pages, and their #anchors, are not broken."""
    for target in _LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        assert linked.is_file(), f"{page.name} links to missing {target}"
        if anchor:
            assert anchor in _anchors(linked), f"{page.name} links to missing heading {target}"

"""docs/how-to/migrate-from-legacy.md says what the legacy import's own tables say.

The conflict table, the counts, the room statuses, the settings example and the command's
options are read from the code, so the page cannot drift from the import.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click

from hotel_occupancy.cli import app as cli_app
from hotel_occupancy.domain.legacy import (
    CONFLICT_RULES,
    COUNT_KEYS,
    LEGACY_ROOM_STATUS,
    ConflictKind,
    ImportSettings,
)

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "migrate-from-legacy.md"
TEXT = PAGE.read_text(encoding="utf-8")


def section(title: str, text: str = TEXT) -> str:
    """The text under the heading ``title``, up to the next heading of its level or above."""
    lines = text.splitlines()
    marks: list[tuple[int, int, str]] = []
    in_code = False
    for index, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else re.fullmatch(r"(#{1,6}) (.+)", line)
        if match:
            marks.append((index, len(match.group(1)), match.group(2).strip()))
    for position, (index, level, heading) in enumerate(marks):
        if heading == title:
            end = next((i for i, lvl, _ in marks[position + 1 :] if lvl <= level), len(lines))
            return "\n".join(lines[index + 1 : end])
    raise AssertionError(f"{PAGE.name} has no heading {title!r}")


def table_rows(text: str) -> list[list[str]]:
    """The cells of the body rows of the Markdown tables in ``text`` (header and rule
    rows left out), each cell stripped."""
    rows: list[list[str]] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("|"):
            continue
        if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", following):
            continue  # a header row
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def plain(cell: str) -> str:
    """A cell's text without the backticks that mark code in it."""
    return cell.replace("`", "")


def test_the_conflict_table_lists_every_kind_with_its_meaning_and_resolution() -> None:
    """One row per ConflictKind, in the enum's order, with CONFLICT_RULES' texts."""
    rows = table_rows(section("The conflicts"))
    assert [row[0] for row in rows] == [f"`{kind.value}`" for kind in ConflictKind]
    for row in rows:
        kind = ConflictKind(row[0].strip("`"))
        rule = CONFLICT_RULES[kind]
        assert len(row) == 3, row
        assert plain(row[1]) == rule.found, f"{kind.value}: the meaning differs from the code"
        assert plain(row[2]) == rule.resolution, f"{kind.value}: the resolution differs"


def test_every_conflict_kind_has_a_rule_for_the_page_to_show() -> None:
    """CONFLICT_RULES has exactly one rule per kind, so the table above is complete."""
    assert set(CONFLICT_RULES) == set(ConflictKind)


def test_the_counts_table_lists_the_nine_count_keys_in_the_report_s_order() -> None:
    """The page names every key of the report's counts, in COUNT_KEYS order."""
    rows = table_rows(section("The counts"))
    assert [row[0] for row in rows] == [f"`{key}`" for key in COUNT_KEYS]
    assert len(COUNT_KEYS) == 9


def test_the_room_status_table_covers_every_legacy_status_and_the_others() -> None:
    """Every legacy room_status the import knows has a row, then one for any other value."""
    rows = table_rows(section("The rules, in plain words"))
    statuses = [row[0] for row in rows if row[0].startswith("`") or row[0] == "anything else"]
    assert statuses == [*(f"`{status}`" for status in LEGACY_ROOM_STATUS), "anything else"]


def test_the_settings_example_is_a_settings_file_the_import_accepts() -> None:
    """The ```toml block of the page parses and gives the settings it describes."""
    (block,) = re.findall(r"^```toml\n(.*?)^```", TEXT, re.DOTALL | re.MULTILINE)
    settings = ImportSettings.from_mapping(tomllib.loads(block))
    assert settings.defaults.timezone == "Europe/Paris"
    assert settings.for_hotel(2).timezone == "Europe/London"
    assert settings.for_hotel(2).checkout_time == settings.defaults.checkout_time


def sub(group: click.Command, name: str) -> click.Command:
    """The sub-command ``name`` of the click group ``group``."""
    assert isinstance(group, click.Group)
    return group.commands[name]


def options(command: click.Command) -> list[str]:
    """The long options of ``command`` (both spellings of a ``--x/--no-x`` flag)."""
    return [
        option
        for param in command.params
        for option in [*param.opts, *param.secondary_opts]
        if option.startswith("--")
    ]


def test_the_command_s_options_are_each_described() -> None:
    """Every option of ``legacy import`` has a row in the page's table of options."""

    command = sub(sub(cli_app.root, "legacy"), "import")
    described = " ".join(row[0] for row in table_rows(section("The command")))
    for option in options(command):
        if option != "--help":
            assert f"`{option}" in described, f"legacy import {option} is not described"


def test_the_diff_kinds_table_lists_every_kind_with_its_family_and_meaning() -> None:
    """The page's table of differences is DIFF_RULES, row for row."""
    from hotel_occupancy.domain.side_by_side import DIFF_RULES

    block = TEXT.split("<!-- diff-kinds -->")[1].split("<!-- /diff-kinds -->")[0]
    rows = block.strip().splitlines()[2:]
    assert rows == [
        f"| `{kind.value}` | {'yes' if rule.change else 'no'} | {rule.meaning} |"
        for kind, rule in DIFF_RULES.items()
    ]


def test_the_side_by_side_commands_options_are_each_described() -> None:
    """Every option of `legacy diff`, `cutover`, `mirror` and `drop-plan` is on the page."""
    legacy = sub(cli_app.root, "legacy")
    for name in ("diff", "cutover", "mirror", "drop-plan"):
        for option in options(sub(legacy, name)):
            if option not in ("--help", "--json", "--db"):
                assert f"`{option}" in TEXT or f" {option} " in TEXT, (name, option)

"""docs/api.md lists every public name, field, enum member and signature of the library.

The API reference is written by hand; these tests read the code and fail as soon as the
page misses something the code exports, so the page cannot fall behind.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from types import ModuleType

import attrs
import click
import pytest

import hotel_occupancy as ho
from hotel_occupancy import http, services, testing
from hotel_occupancy.adapters import csv_reference, legacy_drop, legacy_mirror, memory, sqlalchemy
from hotel_occupancy.adapters import legacy as legacy_source
from hotel_occupancy.adapters.sqlalchemy import migrate
from hotel_occupancy.cli import app as cli_app
from hotel_occupancy.domain import commands, data, invariants, side_by_side
from hotel_occupancy.domain import legacy as legacy_rules
from hotel_occupancy.services import ports
from hotel_occupancy.testing import legacy as legacy_testing

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"
TEXT = PAGE.read_text(encoding="utf-8")

MODULES: dict[str, ModuleType] = {
    "hotel_occupancy": ho,
    "hotel_occupancy.services": services,
    "hotel_occupancy.services.ports": ports,
    "hotel_occupancy.adapters.memory": memory,
    "hotel_occupancy.adapters.sqlalchemy": sqlalchemy,
    "hotel_occupancy.adapters.sqlalchemy.migrate": migrate,
    "hotel_occupancy.adapters.legacy": legacy_source,
    "hotel_occupancy.domain.commands": commands,
    "hotel_occupancy.domain.data": data,
    "hotel_occupancy.http": http,
    "hotel_occupancy.adapters.csv_reference": csv_reference,
    "hotel_occupancy.domain.invariants": invariants,
    "hotel_occupancy.domain.legacy": legacy_rules,
    "hotel_occupancy.domain.side_by_side": side_by_side,
    "hotel_occupancy.adapters.legacy_drop": legacy_drop,
    "hotel_occupancy.adapters.legacy_mirror": legacy_mirror,
    "hotel_occupancy.testing": testing,
    "hotel_occupancy.testing.legacy": legacy_testing,
}

SIGNATURES: dict[str, list[Callable[..., object]]] = {
    "hotel_occupancy.services": [getattr(services, name) for name in services.__all__],
    "hotel_occupancy.adapters.memory": [
        memory.InMemoryUnitOfWork,
        memory.InMemoryStore,
        memory.RecordingNotifier,
        memory.system_clock,
    ],
    "hotel_occupancy.adapters.sqlalchemy": [
        sqlalchemy.SqlAlchemyUnitOfWork,
        sqlalchemy.HostTransactionUnitOfWork,
        sqlalchemy.in_schema,
        sqlalchemy.create_engine,
        sqlalchemy.configure_engine,
        sqlalchemy.create_schema,
    ],
    "hotel_occupancy.adapters.sqlalchemy.migrate": [
        getattr(migrate, name) for name in migrate.__all__
    ],
    "hotel_occupancy.adapters.legacy": [legacy_source.LegacySqlSource],
    "hotel_occupancy.domain.data": [data.to_data, data.from_data, data.is_secret],
    "hotel_occupancy.http": [http.http_status, http.error_data],
    "hotel_occupancy.adapters.csv_reference": [csv_reference.load_csv],
    "hotel_occupancy.domain.invariants": [invariants.check_invariants, invariants.replay_room],
    "hotel_occupancy.domain.legacy": [
        legacy_rules.Conflict,
        legacy_rules.LegacyHotelRecord,
        legacy_rules.HotelSettings,
        legacy_rules.HotelTakeover,
    ],
    "hotel_occupancy.testing.legacy": [
        legacy_testing.LegacyDatabase,
        legacy_testing.create_legacy_schema,
        legacy_testing.generate_legacy_database,
        legacy_testing.default_bookings_per_hotel,
    ],
}
"""The callables whose exact signature the page shows, by the section that shows it."""

_HEADING = re.compile(r"(#{1,6}) (.+)")


def headings(text: str) -> list[tuple[int, int, str]]:
    """(line index, level, title) of the Markdown headings outside code blocks."""
    found = []
    in_code = False
    for index, line in enumerate(text.splitlines()):
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.fullmatch(line)
        if match:
            found.append((index, len(match.group(1)), match.group(2).strip()))
    return found


def section(title: str, text: str = TEXT) -> str:
    """The text under the heading ``title``, up to the next heading of its level or above."""
    lines = text.splitlines()
    marks = headings(text)
    for position, (index, level, heading) in enumerate(marks):
        if heading == title:
            end = next((i for i, lvl, _ in marks[position + 1 :] if lvl <= level), len(lines))
            return "\n".join(lines[index + 1 : end])
    raise AssertionError(f"docs/api.md has no heading {title!r}")


def mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` in code: `name`, `module.name` or `name(...`."""
    return re.search(rf"`(?:[\w.]+\.)?{re.escape(name)}(?:`|\()", text) is not None


def default_text(value: object) -> str:
    """A default value as the page writes it: "UTC", Condition.DIRTY, time(11),
    date(2026, 1, 10)."""
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, time):
        parts = [value.hour, value.minute, value.second]
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return f"time({', '.join(map(str, parts))})"
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"date({value.year}, {value.month}, {value.day})"
    return repr(value)


def signature_text(function: Callable[..., object]) -> str:
    """``name(uow, *, booking_id, notes="", request_id=None)``: the call without types."""
    parameters = list(inspect.signature(function).parameters.values())
    parts: list[str] = []
    starred = False
    for index, p in enumerate(parameters):
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            starred = True
            continue
        if p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
            continue
        if p.kind is p.KEYWORD_ONLY and not starred:
            parts.append("*")
            starred = True
        parts.append(p.name if p.default is p.empty else f"{p.name}={default_text(p.default)}")
        following = parameters[index + 1].kind if index + 1 < len(parameters) else None
        if p.kind is p.POSITIONAL_ONLY and following is not p.POSITIONAL_ONLY:
            parts.append("/")
    return f"{_name_of(function)}({', '.join(parts)})"


def _name_of(function: Callable[..., object]) -> str:
    """A function's name; for a callable object exported under a name (``retrying``, a
    :class:`Retrying`), the name it is exported as."""
    name = getattr(function, "__name__", None)
    if isinstance(name, str):
        return name
    for module in (services, memory, sqlalchemy):
        for exported in module.__all__:
            if getattr(module, exported) is function:
                return exported
    raise LookupError(f"{function!r} is not exported")


def _exported(module: ModuleType) -> list[tuple[str, str]]:
    return [(title, name) for title, m in MODULES.items() for name in m.__all__ if m is module]


def _public_properties(cls: type) -> list[str]:
    return [
        name
        for klass in cls.__mro__
        if klass.__module__.startswith("hotel_occupancy")
        for name, value in vars(klass).items()
        if isinstance(value, property) and not name.startswith("_")
    ]


ENTITIES = [getattr(ho, name) for name in ho.__all__ if attrs.has(getattr(ho, name))]
ENUMS = [
    getattr(ho, name)
    for name in ho.__all__
    if isinstance(getattr(ho, name), type) and issubclass(getattr(ho, name), Enum)
]
ERRORS = [
    getattr(ho, name)
    for name in ho.__all__
    if isinstance(getattr(ho, name), type) and issubclass(getattr(ho, name), BaseException)
]
EXPORTED = [pair for module in MODULES.values() for pair in _exported(module)]


@pytest.mark.parametrize(("module", "name"), EXPORTED, ids=[f"{m}.{n}" for m, n in EXPORTED])
def test_every_exported_name_is_listed_in_its_module_s_section(module: str, name: str) -> None:
    """Each name in a public module's __all__ appears, in code, in that module's section."""
    assert mentions(section(f"`{module}`"), name), f"docs/api.md: {module}.{name} is missing"


@pytest.mark.parametrize(
    ("module", "function"),
    [(module, f) for module, functions in SIGNATURES.items() for f in functions],
    ids=lambda value: value if isinstance(value, str) else _name_of(value),
)
def test_every_function_is_shown_with_its_exact_signature(
    module: str, function: Callable[..., object]
) -> None:
    """The page shows each function's parameters, kinds and defaults as the code has them."""
    expected = f"`{signature_text(function)}`"
    assert expected in section(f"`{module}`"), f"docs/api.md should show {expected}"


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda cls: cls.__name__)
def test_every_entity_has_a_section_naming_each_field_and_property(entity: type) -> None:
    """Each attrs class of hotel_occupancy lists all its fields and public properties."""
    text = section(f"`{entity.__name__}`")
    for field in attrs.fields(entity):
        assert f"`{field.name}`" in text, f"{entity.__name__}.{field.name} is not documented"
    for name in _public_properties(entity):
        assert f"`{name}`" in text, f"{entity.__name__}.{name} is not documented"


@pytest.mark.parametrize("enum", ENUMS, ids=lambda cls: cls.__name__)
def test_every_enum_has_a_section_naming_each_member_and_property(enum: type[Enum]) -> None:
    """Each enum lists all its members' values and its public properties."""
    text = section(f"`{enum.__name__}`")
    for member in enum:
        assert f"`{member.value}`" in text, f"{enum.__name__}.{member.name} is not documented"
    for name in _public_properties(enum):
        assert f"`{name}`" in text, f"{enum.__name__}.{name} is not documented"


@pytest.mark.parametrize("error", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_says_when_it_is_raised_and_sits_under_its_parent(
    error: type[BaseException],
) -> None:
    """Each error class has a row in the table and sits in the tree under its base class."""
    text = section("Errors")
    assert re.search(rf"^\| `{error.__name__}` \| \S", text, re.MULTILINE), error.__name__
    tree = re.search(r"```text\n(.*?)```", text, re.DOTALL)
    assert tree is not None
    lines = tree.group(1).splitlines()
    (row,) = [i for i, line in enumerate(lines) if re.search(rf"\b{error.__name__}\b", line)]
    depth = len(re.match(r"[│├└─ ]*", lines[row]).group(0))  # type: ignore[union-attr]
    if error is ho.RoomOccupancyError:
        assert depth == 0
        return
    parent_row = max(
        i
        for i in range(row)
        if len(re.match(r"[│├└─ ]*", lines[i]).group(0)) < depth  # type: ignore[union-attr]
    )
    parent = re.search(r"\w+", lines[parent_row][depth - 4 :]).group(0)  # type: ignore[union-attr]
    assert error.__mro__[1].__name__ == parent, f"{error.__name__} is not under {parent}"


def _cli_commands() -> list[tuple[str, click.Command]]:
    """Every command of the command line (``db upgrade`` as one) with its click command."""
    found = []

    def walk(command: click.Command, prefix: str) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{prefix}{name} ")
            return
        found.append((prefix.strip(), command))

    walk(cli_app.root, "")
    return found


@pytest.mark.parametrize(
    ("command", "parser"), _cli_commands(), ids=[name for name, _ in _cli_commands()]
)
def test_every_command_of_the_command_line_is_listed_with_its_options(
    command: str, parser: click.Command
) -> None:
    """Each command has a row naming every option it takes."""
    text = section("The command line")
    rows = [line for line in text.splitlines() if line.startswith(f"| `{command}")]
    assert len(rows) == 1, f"docs/api.md should have one row for {command!r}"
    for param in parser.params:
        for option in [*param.opts, *param.secondary_opts]:
            if option.startswith("--") and option != "--help":
                assert option in rows[0], f"{command} {option} is not documented"


def test_the_signature_renderer_writes_calls_as_the_page_does() -> None:
    """Keyword-only markers, positional-only markers, starred parameters and defaults."""

    def sample(
        a: int,
        /,
        b: int,
        *,
        c: str = "x",
        d: time = time(11),
        e: ho.Condition = ho.Condition.DIRTY,
        **f: object,
    ) -> None: ...

    assert signature_text(sample) == (
        'sample(a, /, b, *, c="x", d=time(11), e=Condition.DIRTY, **f)'
    )
    assert default_text(time(10, 30)) == "time(10, 30)"
    assert default_text(date(2026, 1, 10)) == "date(2026, 1, 10)"


def test_the_section_finder_stops_at_the_next_heading_of_the_same_level() -> None:
    """A section runs to the next heading of its level or above, and ignores code blocks."""
    text = "# A\n## B\nb\n### C\nc\n```\n## not a heading\n```\n## D\nd\n"
    assert section("B", text) == "b\n### C\nc\n```\n## not a heading\n```"
    assert section("C", text) == "c\n```\n## not a heading\n```"
    with pytest.raises(AssertionError):
        section("E", text)

"""Plain data: every object the library returns as JSON-ready values, and commands back.

:func:`to_data` turns an entity, a value, a log entry, an event, a query result, a command
(or a tuple, list or mapping of them) into what :func:`json.dumps` takes: objects, lists,
strings, numbers, booleans and None. :func:`from_data` builds an object of a given class
back from such data, checking it on the way::

    data = to_data(services.room_board(uow, "harbour"))  # a list of objects
    command = from_data(CheckIn, {"booking_id": "b-1", "staff_id": "ana"})
    assert from_data(CheckIn, to_data(command)) == command

Both are driven by the classes' attrs fields and type hints, so a new entity or command
needs nothing here. The conventions:

- an attrs object is an object of its fields, by the name its constructor takes; a
  command also has ``"command"``: its service's name (the shape of
  :meth:`~hotel_occupancy.domain.commands.Command.to_dict`);
- an enum is its value (``"OCCUPIED"``), as the command line's ``--json`` writes it;
- a ``datetime``, ``date`` or ``time`` is ISO 8601 (an aware datetime keeps its offset:
  ``"2026-03-10T14:02:11+00:00"``); a ``timedelta`` an ISO 8601 duration (``"PT15M"``);
  a ``Decimal`` a string;
- tuples, lists and sets are lists (a set sorted); mappings are objects.

Secrets never leave in the data: a PIN, a PIN hash or a device token (a field whose name
ends in ``pin``, ``token``, ``secret`` or ``password``, optionally followed by ``_hash``
or ``s``, or whose attrs metadata says ``secret``) is written as :data:`REDACTED` when it
is set (None stays None, so "no PIN" is still told apart). ``to_data(value, redact=False)``
writes them, for data that stays inside your own trust boundary. :func:`from_data` takes a
secret a caller supplies (a device token to register) as any other field, and refuses
:data:`REDACTED` in its place, so redacted data is never stored as if it were the secret.

Bad data is :class:`~hotel_occupancy.domain.errors.InvalidInput` naming the field
(``field`` in its context, such as ``"party[0].first_name"``): a missing or unknown
field, a wrong type, an unknown enum value, a malformed date. Then the class's own
validators check the values, as when it is built in Python.
"""

from __future__ import annotations

import json
import re
import reprlib
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, MutableSequence, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Literal, TypeAlias, TypeVar, get_args, get_origin, overload

import attrs

from hotel_occupancy.domain.commands import COMMANDS, Command
from hotel_occupancy.domain.errors import InvalidInput, RoomOccupancyError

__all__ = ["REDACTED", "JsonValue", "from_data", "is_secret", "to_data"]

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
"""What :func:`json.dumps` takes and :func:`json.loads` gives."""

REDACTED = "<hidden>"
"""What :func:`to_data` writes in place of a secret that is set (the text ``repr()`` of an
entity shows for it too)."""

T = TypeVar("T")

_SECRET_NAME = re.compile(r"(?:^|_)(?:pin|token|secret|password)(?:_hash|s)?$")


def is_secret(name: str, metadata: Mapping[Any, Any] | None = None) -> bool:
    """Whether a field (or a mapping key) called ``name`` holds a secret: its name ends in
    ``pin``, ``token``, ``secret`` or ``password`` (optionally then ``_hash`` or ``s``:
    ``id_pin``, ``device_token``, ``pin_hash``), or its attrs ``metadata`` has
    ``"secret": True``."""
    if metadata is not None and metadata.get("secret"):
        return True
    return _SECRET_NAME.search(name) is not None


# --- the fields of an attrs class ---------------------------------------------------------


@attrs.frozen
class _Field:
    name: str  # the attribute
    key: str  # the constructor's keyword, and the key in the data
    hint: Any
    required: bool
    secret: bool


_FIELDS: dict[type, tuple[_Field, ...]] = {}


def _fields_of(cls: type) -> tuple[_Field, ...]:
    """The fields of the attrs class ``cls`` its constructor takes, with their type hints."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = _read_fields(cls)
    return found


def _read_fields(cls: Any) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in attrs.fields(cls):
        if not field.init:  # derived (a night audit's request_id): not an argument
            continue
        hint = hints.get(field.name, field.type if not isinstance(field.type, str) else Any)
        found.append(
            _Field(
                name=field.name,
                key=field.alias or field.name,
                hint=hint,
                required=field.default is attrs.NOTHING,
                secret=is_secret(field.name, field.metadata),
            )
        )
    return tuple(found)


# --- to data --------------------------------------------------------------------------------


def to_data(value: object, *, redact: bool = True) -> JsonValue:
    """``value`` as JSON-ready data (see the module's documentation): attrs objects as
    objects of their fields, enums as their values, times in ISO 8601, collections as
    lists and objects. Secrets are :data:`REDACTED` unless ``redact=False``. A value of a
    type it does not know is a TypeError, as for :func:`json.dumps`."""
    return _encode(value, redact)


def _encode(value: object, redact: bool) -> JsonValue:
    if isinstance(value, Enum):
        return _encode(value.value, redact)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration_text(value)
    if isinstance(value, Decimal):
        return str(value)
    if attrs.has(type(value)):
        return _encode_attrs(value, redact)
    if isinstance(value, Mapping):
        return {
            _key_text(key): (
                REDACTED
                if redact and item is not None and is_secret(_key_text(key))
                else _encode(item, redact)
            )
            for key, item in value.items()
        }
    if isinstance(value, AbstractSet):
        items = [_encode(item, redact) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_encode(item, redact) for item in value]
    raise TypeError(f"to_data cannot make JSON-ready data of a {type(value).__name__}")


def _encode_attrs(value: object, redact: bool) -> dict[str, JsonValue]:
    data: dict[str, JsonValue] = {}
    if isinstance(value, Command):
        data["command"] = value.action
    for field in _fields_of(type(value)):
        item = getattr(value, field.name)
        if redact and field.secret and item is not None:
            data[field.key] = REDACTED
        else:
            data[field.key] = _encode(item, redact)
    return data


def _key_text(key: object) -> str:
    if isinstance(key, Enum):
        key = key.value
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise TypeError(f"to_data cannot make an object key of a {type(key).__name__}")


def _duration_text(value: timedelta) -> str:
    """An ISO 8601 duration: ``P1D``, ``PT15M``, ``PT0.5S``, ``-PT1H``."""
    if value < timedelta(0):
        return "-" + _duration_text(-value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"P{value.days}D" if value.days else "P"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or value.microseconds:
        fraction = f".{value.microseconds:06d}".rstrip("0") if value.microseconds else ""
        clock += f"{seconds}{fraction}S"
    if clock:
        text += "T" + clock
    return "PT0S" if text == "P" else text


_DURATION = re.compile(
    r"(-)?P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,6})?)S)?)?"
)


def _parse_duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(text)
    sign, days, hours, minutes, seconds = match.groups()
    value = timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        microseconds=int(Decimal(seconds or 0) * 1_000_000),
    )
    return -value if sign else value


# --- from data ------------------------------------------------------------------------------


@overload
def from_data(cls: type[T], data: object) -> T: ...
@overload
def from_data(cls: object, data: object) -> Any: ...
def from_data(cls: object, data: object) -> Any:
    """The instance of ``cls`` that ``data`` describes (as :func:`to_data` writes it).

    ``cls`` is an attrs class (an entity, a value, an event, a command), an enum, a
    scalar type, or a type such as ``tuple[LogEntry, ...]`` or ``list[BoardRow]``. On
    :class:`~hotel_occupancy.domain.commands.Command` itself it builds whichever command
    ``data["command"]`` names; on a command class, ``"command"`` may be left out. Bad data
    is InvalidInput naming the field."""
    return _decode(cls, data, "")


_NONE = type(None)
_SEQUENCES: tuple[Any, ...] = (list, tuple, Sequence, MutableSequence, Collection, Iterable)
_SETS: tuple[Any, ...] = (set, frozenset, AbstractSet)
_MAPPINGS: tuple[Any, ...] = (dict, Mapping)


def _fail(path: str, problem: str) -> InvalidInput:
    if path:
        return InvalidInput(f"{path} {problem}", field=path)
    return InvalidInput(f"the data {problem}")


def _shown(path: str, value: object) -> str:
    """``value`` for a message: never a secret's."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return "a hidden value" if is_secret(last) else reprlib.repr(value)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _decode(hint: Any, data: object, path: str) -> Any:
    if hint is Any or hint is object:
        return data
    if hint is None or hint is _NONE:
        if data is not None:
            raise _fail(path, f"must be null, not {_kind(data)}")
        return None
    origin = get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(hint, data, path)
    if origin is Literal:
        if data in get_args(hint):
            return data
        allowed = ", ".join(repr(v) for v in get_args(hint))
        raise _fail(path, f"must be one of {allowed}; got {_shown(path, data)}")
    if origin is not None:
        return _decode_generic(hint, origin, data, path)
    if not isinstance(hint, type):
        raise TypeError(f"from_data cannot build a {hint!r}")
    if hint is Command or attrs.has(hint):
        return _decode_attrs(hint, data, path)
    if issubclass(hint, Enum):
        return _decode_enum(hint, data, path)
    decoder = _SCALARS.get(hint)
    if decoder is not None:
        return decoder(data, path)
    if issubclass(hint, Mapping):  # a mapping class of its own (FrozenMap)
        key_hint, value_hint = _mapping_args(hint)
        return hint(_decode_mapping(key_hint, value_hint, data, path))  # type: ignore[call-arg]
    if hint in _SEQUENCES or hint in _SETS or hint in _MAPPINGS:
        return _decode_generic(hint, hint, data, path)
    raise TypeError(f"from_data cannot build a {hint.__name__}")


def _decode_union(hint: Any, data: object, path: str) -> Any:
    options = get_args(hint)
    if data is None and _NONE in options:
        return None
    others = [option for option in options if option is not _NONE]
    if len(others) == 1:
        return _decode(others[0], data, path)
    for option in others:
        try:
            return _decode(option, data, path)
        except InvalidInput:
            continue
    names = " or ".join(_hint_name(option) for option in options)
    raise _fail(path, f"must be {names}; got {_shown(path, data)}")


def _hint_name(hint: Any) -> str:
    if hint is _NONE:
        return "null"
    return getattr(hint, "__name__", None) or str(hint)


def _mapping_args(cls: type) -> tuple[Any, Any]:
    for base in getattr(cls, "__orig_bases__", ()):
        if get_origin(base) in _MAPPINGS and len(get_args(base)) == 2:
            key_hint, value_hint = get_args(base)
            return key_hint, value_hint
    return str, Any


def _decode_generic(hint: Any, origin: Any, data: object, path: str) -> Any:
    args = get_args(hint)
    if origin in _MAPPINGS:
        key_hint, value_hint = args if len(args) == 2 else (str, Any)
        return _decode_mapping(key_hint, value_hint, data, path)
    if origin in _SEQUENCES or origin in _SETS:
        if not isinstance(data, list | tuple):
            raise _fail(path, f"must be a list, not {_kind(data)}")
        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(data) != len(args):
                raise _fail(path, f"must be a list of {len(args)} items, not {len(data)}")
            return tuple(
                _decode(arg, item, f"{path}[{index}]")
                for index, (arg, item) in enumerate(zip(args, data, strict=True))
            )
        item_hint = args[0] if args else Any
        items = [_decode(item_hint, item, f"{path}[{index}]") for index, item in enumerate(data)]
        if origin in (list, MutableSequence):
            return items
        if origin is set:
            return set(items)
        if origin in _SETS:
            return frozenset(items)
        return tuple(items)
    raise TypeError(f"from_data cannot build a {hint!r}")


def _decode_mapping(key_hint: Any, value_hint: Any, data: object, path: str) -> dict[Any, Any]:
    if not isinstance(data, Mapping):
        raise _fail(path, f"must be an object, not {_kind(data)}")
    decoded: dict[Any, Any] = {}
    for key, item in data.items():
        where = f"{path}[{key!r}]" if path else f"[{key!r}]"
        if not isinstance(key, str):
            raise _fail(where, "must have a text key")
        decoded[_decode_key(key_hint, key, where)] = _decode(value_hint, item, where)
    return decoded


def _decode_key(hint: Any, key: str, path: str) -> Any:
    if isinstance(hint, type) and issubclass(hint, int) and not issubclass(hint, Enum):
        try:
            return int(key)
        except ValueError:
            raise _fail(path, "must have a whole number as its key") from None
    return _decode(hint, key, path)


def _decode_enum(enum: type[Enum], data: object, path: str) -> Enum:
    if isinstance(data, enum):
        return data
    if not isinstance(data, bool):
        try:
            return enum(data)
        except ValueError:
            pass
    allowed = ", ".join(str(member.value) for member in enum)
    raise _fail(path, f"must be one of {allowed}; got {_shown(path, data)}")


def _decode_attrs(cls: type[Any], data: object, path: str) -> object:
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise _fail(path, f"must be an object, not {_kind(data)}")
    prefix = f"{path}." if path else ""
    if issubclass(cls, Command):
        name = data.get("command")
        if cls is Command or not attrs.has(cls):
            target = COMMANDS.get(name) if isinstance(name, str) else None
            if target is None or not issubclass(target, cls):
                known = ", ".join(sorted(a for a, c in COMMANDS.items() if issubclass(c, cls)))
                raise _fail(f"{prefix}command", f"must name a command ({known}); got {name!r}")
            cls = target
        elif "command" in data and name != (action := getattr(cls, "action", None)):
            raise _fail(f"{prefix}command", f"must be {action!r} here; got {name!r}")
    fields = _fields_of(cls)
    keys = {field.key for field in fields}
    allowed = keys | {"command"} if issubclass(cls, Command) else keys
    for key in data:
        if key not in allowed:
            shown = key if isinstance(key, str) else repr(key)
            raise _fail(
                f"{prefix}{shown}",
                f"is not a field of {cls.__name__} (its fields: {', '.join(sorted(keys))})",
            )
    arguments: dict[str, object] = {}
    for field in fields:
        where = f"{prefix}{field.key}"
        if field.key not in data:
            if field.required:
                raise _fail(where, f"is missing: {cls.__name__} needs it")
            continue
        item = data[field.key]
        if field.secret and item == REDACTED:
            raise _fail(where, "is redacted: give its value")
        arguments[field.key] = _decode(field.hint, item, where)
    try:
        return cls(**arguments)
    except RoomOccupancyError as error:
        if not path or not isinstance(error, InvalidInput):
            raise
        raise InvalidInput(f"{path}: {error.message}", **{**error.context, "field": path}) from None
    except (TypeError, ValueError) as error:
        raise _fail(path, f"does not make a {cls.__name__}: {error}") from None


# --- scalars --------------------------------------------------------------------------------


def _decode_str(data: object, path: str) -> str:
    if not isinstance(data, str):
        raise _fail(path, f"must be a string, not {_kind(data)}")
    return data


def _decode_bool(data: object, path: str) -> bool:
    if not isinstance(data, bool):
        raise _fail(path, f"must be true or false, not {_kind(data)}")
    return data


def _decode_int(data: object, path: str) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise _fail(path, f"must be a whole number, not {_kind(data)}")
    return data


def _decode_float(data: object, path: str) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise _fail(path, f"must be a number, not {_kind(data)}")
    return float(data)


def _decode_decimal(data: object, path: str) -> Decimal:
    if isinstance(data, Decimal):
        return data
    if isinstance(data, str | int) and not isinstance(data, bool):
        try:
            return Decimal(data)
        except InvalidOperation:
            pass
    raise _fail(path, f"must be a decimal number as a string; got {_shown(path, data)}")


def _iso(kind: type, parse: Callable[[str], Any], shape: str) -> Callable[[object, str], object]:
    def decode(data: object, path: str) -> object:
        if type(data) is kind:
            return data
        if isinstance(data, str):
            try:
                return parse(data)
            except ValueError:
                pass
        raise _fail(path, f"must be {shape}; got {_shown(path, data)}")

    return decode


_SCALARS: dict[type, Callable[[object, str], object]] = {
    str: _decode_str,
    bool: _decode_bool,
    int: _decode_int,
    float: _decode_float,
    Decimal: _decode_decimal,
    datetime: _iso(datetime, datetime.fromisoformat, "an ISO 8601 date and time"),
    date: _iso(date, date.fromisoformat, "an ISO 8601 date (YYYY-MM-DD)"),
    time: _iso(time, time.fromisoformat, "an ISO 8601 time of day (HH:MM[:SS])"),
    timedelta: _iso(timedelta, _parse_duration, "an ISO 8601 duration (such as PT15M)"),
}

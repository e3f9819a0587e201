"""IANA time zones, looked up once each."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

__all__ = ["zone"]


@functools.lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (KeyError-free: the name was validated at registration)."""
    return ZoneInfo(name)

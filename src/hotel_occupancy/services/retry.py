"""Retrying a whole operation when a concurrent writer won."""

from __future__ import annotations

import inspect
import random
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from hotel_occupancy.domain.errors import ConcurrencyConflict
from hotel_occupancy.services.ports import UnitOfWork

__all__ = ["retrying"]

T = TypeVar("T")


def retrying(
    service: Callable[..., T],
    uow: UnitOfWork,
    /,
    *,
    attempts: int = 5,
    backoff: float = 0.02,
    **arguments: Any,
) -> T:
    """Call ``service(uow, **arguments)``, retrying it whole on ConcurrencyConflict.

    Each attempt is its own transaction; a failed attempt changes nothing and publishes
    nothing, so no event is ever published twice. If the service takes a ``request_id``
    and none is given, one is generated for all attempts: should a commit succeed but its
    answer be lost, the retry replays the stored entries instead of acting twice.
    Between attempts it sleeps ``backoff * 2**n`` seconds with jitter. After the last
    attempt the ConcurrencyConflict is raised.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if (
        arguments.get("request_id") is None
        and "request_id" in inspect.signature(service).parameters
    ):
        arguments["request_id"] = f"retry-{uuid.uuid4().hex}"
    for attempt in range(attempts):
        try:
            return service(uow, **arguments)
        except ConcurrencyConflict:
            if attempt == attempts - 1:
                raise
            time.sleep(backoff * (2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover

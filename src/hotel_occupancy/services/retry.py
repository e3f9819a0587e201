"""Retrying a whole operation when it is safe to: a concurrent writer won, or the
connection was lost before anything could have committed.

An adapter that loses its connection to the store in the middle of a transaction raises
:class:`~hotel_occupancy.domain.errors.StorageError` with a ``transaction`` context value
saying what became of the transaction:

- :data:`ROLLED_BACK`: it cannot have committed (the connection was lost before COMMIT was
  sent); nothing changed, and calling again is safe;
- :data:`OUTCOME_UNKNOWN`: the connection was lost while COMMIT was under way, so it may
  or may not have committed. Calling again is safe only with the same ``request_id``: if
  the commit happened, the call is recognised and replays the stored entries instead of
  acting twice.

Any other StorageError (the database is down, its schema is missing...) is not retried.
"""

from __future__ import annotations

import inspect
import random
import time
import uuid
from collections.abc import Callable
from typing import Any, Concatenate, Final, ParamSpec, TypeVar, cast

from attrs import field, frozen

from hotel_occupancy.domain.errors import ConcurrencyConflict, StorageError
from hotel_occupancy.services.ports import UnitOfWork

__all__ = ["OUTCOME_UNKNOWN", "ROLLED_BACK", "Retrying", "is_safe_to_retry", "retrying"]

T = TypeVar("T")
P = ParamSpec("P")

_RETRY_SETTINGS: Final = frozenset({"attempts", "backoff"})
"""What ``retrying(...)`` once took as keywords (now :class:`Retrying`'s own fields)."""

ROLLED_BACK: Final = "rolled back"
"""``StorageError.context["transaction"]`` when the connection was lost before COMMIT: the
transaction cannot have committed, and a retry is safe."""

OUTCOME_UNKNOWN: Final = "outcome unknown"
"""``StorageError.context["transaction"]`` when the connection was lost during COMMIT: the
transaction may have committed; only a retry with the same ``request_id`` is safe."""


def is_safe_to_retry(error: BaseException, *, with_request_id: bool) -> bool:
    """Whether calling again after ``error`` cannot act twice: a ConcurrencyConflict, a
    transaction lost before COMMIT, or (only ``with_request_id``, the same one again) a
    transaction lost during COMMIT."""
    if isinstance(error, ConcurrencyConflict):
        return True
    if isinstance(error, StorageError):
        state = error.context.get("transaction")
        return state == ROLLED_BACK or (state == OUTCOME_UNKNOWN and with_request_id)
    return False


@frozen
class Retrying:
    """Call a service again while that is safe; :data:`retrying` is the default one
    (5 attempts, 0.02 s backoff). ``Retrying(attempts=10, backoff=0.1)`` makes another.

    Calling it is typed from the service's own signature: ``retrying(services.checkout_room,
    uow, room_id=..., staff_id=...)`` is checked by mypy as ``services.checkout_room(uow,
    room_id=..., staff_id=...)`` would be, so a misspelt or missing argument is caught
    before it runs.
    """

    attempts: int = field(default=5)
    backoff: float = field(default=0.02)

    @attempts.validator
    def _at_least_one(self, _attribute: object, value: int) -> None:
        if value < 1:
            raise ValueError("attempts must be at least 1")

    def __call__(
        self,
        service: Callable[Concatenate[UnitOfWork, P], T],
        uow: UnitOfWork,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Call ``service(uow, *args, **kwargs)``, retrying it whole while that is safe.

        Each attempt is its own transaction. It is retried after a ConcurrencyConflict, and
        after a StorageError that says the connection was lost before COMMIT
        (:data:`ROLLED_BACK`): in both cases the attempt changed nothing and published
        nothing, so no event is ever published twice. If the service takes a ``request_id``
        and none is given, one is generated for all attempts; then a connection lost during
        COMMIT (:data:`OUTCOME_UNKNOWN`) is retried too: should that commit have succeeded,
        the retry replays the stored entries instead of acting twice (their events, lost
        with the commit's answer, are not published again). A service without a
        ``request_id`` raises that error at once: whether it acted is unknown, and calling
        it again could act twice. Any other error is raised at once.

        Between attempts it sleeps ``backoff * 2**n`` seconds with jitter. After the last
        attempt the last error is raised.
        """
        arguments = cast(dict[str, Any], kwargs)
        misplaced = _RETRY_SETTINGS.intersection(arguments)
        if misplaced and misplaced - inspect.signature(service).parameters.keys():
            name = sorted(misplaced)[0]
            raise TypeError(
                f"{getattr(service, '__name__', service)}() takes no {name!r}: the retry "
                f"settings belong to Retrying, as in services.Retrying({name}=...)(service, "
                "uow, ...)"
            )
        if (
            arguments.get("request_id") is None
            and "request_id" in inspect.signature(service).parameters
        ):
            arguments["request_id"] = f"retry-{uuid.uuid4().hex}"
        with_request_id = arguments.get("request_id") is not None
        for attempt in range(self.attempts):
            try:
                return service(uow, *args, **kwargs)
            except (ConcurrencyConflict, StorageError) as error:
                if attempt == self.attempts - 1 or not is_safe_to_retry(
                    error, with_request_id=with_request_id
                ):
                    raise
                time.sleep(self.backoff * (2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover


retrying: Final = Retrying()
"""The default :class:`Retrying`: 5 attempts, 0.02 s backoff."""

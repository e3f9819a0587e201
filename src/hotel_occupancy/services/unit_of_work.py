"""What every unit of work shares, whatever it stores data in: its clock, its role policy,
its source of guest PINs, read-only marking, and events held until commit and then
published to the notifier.

Adapters subclass :class:`UnitOfWorkBase` and add the transaction itself and the
repositories. Using it is optional: the services only need the
:class:`~hotel_occupancy.services.ports.UnitOfWork` protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Self

from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.policy import RolePolicy
from hotel_occupancy.services.pins import secret_pin
from hotel_occupancy.services.ports import Clock, Notifier, PinSource, Policy

__all__ = ["UnitOfWorkBase", "system_clock"]

logger = logging.getLogger("hotel_occupancy.notifications")


def system_clock() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


class UnitOfWorkBase:
    """Clock, policy, PIN source, notifier, ``reading()`` and after-commit publishing of events.

    A subclass calls :meth:`_begin_events` when a transaction begins (it returns whether
    the transaction is read-only), :meth:`_events_committed` once its commit succeeded,
    :meth:`_drop_events` on rollback, and :meth:`_publish_committed` when the transaction
    block has ended (after any lock is released).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        policy: Policy | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
    ) -> None:
        self._clock: Clock = clock if clock is not None else system_clock
        self._pins: PinSource = pins if pins is not None else secret_pin
        self._pin_rules = pin_rules if pin_rules is not None else PinRules()
        self.notifier = notifier
        self._policy: Policy = policy if policy is not None else RolePolicy()
        self._read_only_next = False
        # the iterables given to emit(), read only when their events are published
        self._pending: list[Iterable[OccupancyEvent]] = []
        self._committed: list[Iterable[OccupancyEvent]] = []

    @property
    def clock(self) -> Clock:
        """The clock of this unit of work."""
        return self._clock

    @property
    def policy(self) -> Policy:
        """The role policy of this unit of work."""
        return self._policy

    @property
    def pins(self) -> PinSource:
        """Where this unit of work's guest PINs come from (default: :mod:`secrets`)."""
        return self._pins

    @property
    def pin_rules(self) -> PinRules:
        """The limits on PIN guesses and the quarantine of freed PINs."""
        return self._pin_rules

    def reading(self) -> Self:
        """Make the next ``with`` block a read-only transaction: ``with uow.reading():``."""
        self._read_only_next = True
        return self

    def emit(self, events: Iterable[OccupancyEvent]) -> None:
        """Queue events to publish once the transaction has committed. ``events`` is read
        when they are published, and not at all without a notifier: the runner passes a
        generator, so that no event is built that nobody receives."""
        self._pending.append(events)

    def _begin_events(self) -> bool:
        """Start a transaction's event bookkeeping; True if it was marked read-only."""
        read_only, self._read_only_next = self._read_only_next, False
        self._pending = []
        self._committed = []
        return read_only

    def _events_committed(self) -> None:
        self._committed.extend(self._pending)
        self._pending = []

    def _drop_events(self) -> None:
        self._pending = []

    def _publish_committed(self) -> None:
        """Publish the committed events. A notifier that raises does not undo the commit:
        the error is logged on the ``hotel_occupancy.notifications`` logger."""
        committed, self._committed = self._committed, []
        if self.notifier is None:
            return
        for events in committed:
            for event in events:
                try:
                    self.notifier.publish(event)
                except Exception:
                    logger.exception("notifier failed to publish event %s", event.entry_id)

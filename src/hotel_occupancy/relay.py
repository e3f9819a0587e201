"""Following the feed (§11) outside the library: consumer positions, and webhooks.

Used by ``hotel-occupancy follow`` and ``hotel-occupancy relay``. The relay reads the
feed after a named consumer's stored position, POSTs each batch as JSON to a URL, signed
with HMAC-SHA256 of the exact body bytes, and stores the position after the batch only
once the receiver answered 2xx: at least once, in order (a batch is retried, with
exponential backoff and jitter, until it is delivered; the next one waits for it). The
event's ``entry_id`` is the receiver's idempotency key.

The batch carries the position after it, so the position is stored here rather than by
:func:`hotel_occupancy.services.consume` (whose handler is given the events, not the
position); the rule is the same: stored after the side effect, never moved backwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from enum import Enum
from http.client import HTTPException

import attrs
from attrs import frozen

from hotel_occupancy import services
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.feed import START, FeedPage
from hotel_occupancy.services.ports import UnitOfWork

__all__ = [
    "SECRET_VARIABLE",
    "SIGNATURE_HEADER",
    "Backoff",
    "DeliveryFailed",
    "Webhook",
    "batch_body",
    "check_url",
    "deliver",
    "describe",
    "end_position",
    "event_data",
    "relay",
    "shown_url",
    "sign",
    "store_position",
    "stored_position",
]

SECRET_VARIABLE = "HOTEL_OCCUPANCY_WEBHOOK_SECRET"
"""The environment variable holding the webhook secret."""

SIGNATURE_HEADER = "X-Hotel-Occupancy-Signature"
"""The header carrying ``sha256=<hex HMAC-SHA256 of the body>``."""

WAIT = 10.0
"""Seconds one call of :func:`~hotel_occupancy.services.wait_for_events` may block (the
loop then waits again); an interrupt ends the wait at once either way."""

_PAGE = 10_000
"""Entries per read when skipping to the end of the feed."""


# --- events and positions ----------------------------------------------------------------


def event_data(event: OccupancyEvent) -> dict[str, object]:
    """Every field of ``event``, JSON-ready: enums as their values, the timestamp in ISO
    8601, the metadata as an object."""
    data: dict[str, object] = {}
    for field in attrs.fields(OccupancyEvent):
        value = getattr(event, field.name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif field.name == "metadata":
            value = dict(value)
        data[field.name] = value
    return data


stored_position = services.consumer_position


def store_position(uow: UnitOfWork, consumer: str, position: str) -> None:
    """Store ``position`` for ``consumer`` once its batch is delivered (never backwards)."""
    services.store_consumer_position(uow, consumer=consumer, position=position)


def end_position(uow: UnitOfWork, hotel_id: str | None = None) -> str:
    """The position after every event committed so far (of one hotel, or all): reading
    after it gives only what commits from now on. It reads past the log once."""
    position = START
    while True:
        page = services.read_feed(uow, after=position, hotel_id=hotel_id, limit=_PAGE)
        if not page.events and page.position == position:
            return position
        position = page.position


# --- webhooks ----------------------------------------------------------------------------


def batch_body(page: FeedPage) -> bytes:
    """The body of a delivery: ``{"events": [...], "position": ...}``, compact JSON."""
    document = {"events": [event_data(e) for e in page.events], "position": page.position}
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value for ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@frozen
class Backoff:
    """Pauses between attempts: ``initial`` seconds, doubling up to ``maximum``, each drawn
    between half the step and the whole of it (jitter, so that relays do not retry in
    step)."""

    initial: float = 0.5
    maximum: float = 30.0

    def delays(self) -> Iterator[float]:
        """The pause after each failed attempt, without end."""
        step = self.initial
        while True:
            yield random.uniform(step / 2, step)
            step = min(self.maximum, step * 2)


class DeliveryFailed(Exception):
    """One attempt to deliver a batch failed; the message says why (one line)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: following one would turn the POST into a GET."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def check_url(url: str) -> str:
    """``url`` if it is an http or https URL with a host; InvalidInput otherwise."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise InvalidInput(f"malformed URL: {error}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput("the URL must be http:// or https:// with a host")
    return url


_PASSWORD = re.compile(r"(://[^:/@\s]*:)([^@\s]*)@")


def shown_url(url: str) -> str:
    """``url`` as it may be printed: a password in it masked as ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:  # malformed: mask what looks like a password
        return _PASSWORD.sub(r"\1***@", url)
    if password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))


_REASON = 200
"""The most characters of a receiver's reason phrase or a connection error reported."""


class Webhook:
    """POSTs signed bodies to one URL (a ``user:password@`` in it is sent as HTTP Basic
    authentication)."""

    def __init__(self, url: str, secret: bytes, *, timeout: float, user_agent: str) -> None:
        parts = urllib.parse.urlsplit(check_url(url))
        self.headers = {"Content-Type": "application/json", "User-Agent": user_agent}
        if parts.username is not None:  # user:password@ in the URL: HTTP Basic, sent as such
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
            parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        self.url = urllib.parse.urlunsplit(parts)
        self.secret = secret
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    def post(self, body: bytes) -> None:
        """Deliver ``body`` once: return on a 2xx answer, else DeliveryFailed."""
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={**self.headers, SIGNATURE_HEADER: sign(self.secret, body)},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(65_536)
        except urllib.error.HTTPError as error:
            error.close()
            raise DeliveryFailed(f"HTTP {error.code} {str(error.reason)[:_REASON]}") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise DeliveryFailed(f"no answer within {self.timeout:g} s") from None
            raise DeliveryFailed(f"cannot connect: {str(reason)[:_REASON]}") from None
        except TimeoutError:
            raise DeliveryFailed(f"no answer within {self.timeout:g} s") from None
        except (OSError, HTTPException) as error:
            raise DeliveryFailed(f"connection failed: {str(error)[:_REASON] or error}") from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status}")


def deliver(
    post: Callable[[bytes], None],
    body: bytes,
    *,
    backoff: Backoff,
    failed: Callable[[str, float], None],
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST ``body`` until an attempt succeeds, pausing as ``backoff`` says after each
    failure (reported as ``failed(reason, pause)``); return the number of attempts."""
    for attempts, pause in enumerate(backoff.delays(), start=1):
        try:
            post(body)
        except DeliveryFailed as failure:
            failed(str(failure), pause)
            sleep(pause)
        else:
            return attempts
    raise AssertionError("unreachable: the delays never end")  # pragma: no cover


def relay(
    uow: UnitOfWork,
    *,
    consumer: str,
    post: Callable[[bytes], None],
    hotel_id: str | None = None,
    batch: int = 100,
    once: bool = False,
    backoff: Backoff = Backoff(),
    delivered: Callable[[FeedPage, int], None] = lambda page, attempts: None,
    failed: Callable[[str, float], None] = lambda reason, pause: None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Deliver the feed after ``consumer``'s stored position with ``post``, batch by batch
    (at most ``batch`` entries each), storing the position after each delivered batch;
    with ``once``, stop when the feed is exhausted, otherwise wait for more without end.
    Return the number of events delivered."""
    position = stored_position(uow, consumer)
    count = 0
    while True:
        page = services.read_feed(uow, after=position, hotel_id=hotel_id, limit=batch)
        if page.events:
            attempts = deliver(post, batch_body(page), backoff=backoff, failed=failed, sleep=sleep)
            count += len(page.events)
        if page.position != position:
            store_position(uow, consumer, page.position)
            if page.events:
                delivered(page, attempts)
            position = page.position
            continue
        if once:
            return count
        services.wait_for_events(uow, after=position, timeout=WAIT, hotel_id=hotel_id)


def _ids(events: Sequence[OccupancyEvent]) -> str:
    first, last = events[0].entry_id, events[-1].entry_id
    return f"#{first}" if first == last else f"#{first}-#{last}"


def describe(page: FeedPage, attempts: int) -> str:
    """One line saying what a delivery carried."""
    count = len(page.events)
    tries = "" if attempts == 1 else f" after {attempts} attempts"
    return f"delivered {count} event{'s' * (count != 1)} ({_ids(page.events)}){tries}"

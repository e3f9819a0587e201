"""``hotel-occupancy follow`` and ``hotel-occupancy relay`` (§11), run for real on SQLite
files (and ``follow`` once on PostgreSQL): the feed printed line by line, consumers that
resume, a follower woken by another process and stopped by Ctrl-C, and webhooks delivered
to a local HTTP server that fails, falls silent, redirects and finally accepts, signed,
in order and at least once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import IO, Any

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy import relay, services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from hotel_occupancy.cli import ExitCode, main
from hotel_occupancy.services.ports import UnitOfWork
from tests.integration.hotels import HOTEL, build_hotel
from tests.integration.test_cli import CLI, assert_one_line_error, cli, sqlite_url
from tests.support import FakeClock

SECRET = "s3cret-for-the-webhook-tests"
FIELDS = {field.name for field in attrs.fields(ho.OccupancyEvent)}
FAST_RETRIES = ("--retry-initial", "0.01", "--retry-max", "0.05")


# --- helpers -----------------------------------------------------------------------------


@contextmanager
def store(url: str) -> Iterator[UnitOfWork]:
    """A unit of work on the database at ``url`` (with a stepping clock), disposed after."""
    engine = create_engine(url)
    try:
        yield SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    finally:
        engine.dispose()


def stay(url: str, booking_id: str, room_id: str) -> None:
    """Assign and check ``booking_id`` into ``room_id``: two events (ASSIGN, CHECKIN)."""
    with store(url) as uow:
        services.assign_room(uow, booking_id=booking_id, room_id=room_id, staff_id="fd")


def five_events(url: str) -> None:
    """B1 into R1, B2 into R2, then R1 checked out: five events."""
    stay(url, "B1", "R1")
    stay(url, "B2", "R2")
    with store(url) as uow:
        services.checkout_room(uow, room_id="R1", staff_id="fd")


def log_ids(url: str) -> list[int]:
    with store(url) as uow:
        return [entry.id for entry in uow.snapshot().log]


def consumers(url: str) -> dict[str, ho.ConsumerStatus]:
    with store(url) as uow:
        return {status.consumer: status for status in services.feed_status(uow)}


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def entry_ids(body: bytes) -> list[int]:
    return [event["entry_id"] for event in json.loads(body)["events"]]


def one_line_on_stderr(capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    """What the command wrote on stderr was one line starting with the program's name
    and containing ``fragments``; return it."""
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("hotel-occupancy"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


class Collected:
    """Everything a stream gives, read by a thread as it comes, so that the writer never
    blocks on a full pipe; :meth:`text` once the writer has closed it."""

    def __init__(self, stream: IO[str]) -> None:
        self._parts: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._parts.append(line)

    def text(self, timeout: float = 10) -> str:
        self._reader.join(timeout)
        return "".join(self._parts)


def stopped(running: subprocess.Popen[str], signum: int, errors: Collected) -> tuple[int, str]:
    """Send ``signum`` and give the process 10 s to end: its exit code and all it wrote
    on stderr. If it is still running, fail saying what it was doing: its kernel wait
    channel and, asked with SIGABRT, the Python stack of each of its threads."""
    running.send_signal(signum)
    try:
        code = running.wait(timeout=10)
    except subprocess.TimeoutExpired:
        wchan = Path(f"/proc/{running.pid}/wchan").read_text(errors="replace")
        running.send_signal(signal.SIGABRT)  # the fault handler prints the stacks
        running.wait(timeout=10)
        pytest.fail(
            f"still running 10 s after signal {signum}, waiting in {wchan!r}; "
            f"its stderr, ending with its stacks:\n{errors.text()}"
        )
    return code, errors.text()


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    """A queue the lines of ``stream`` arrive in, as a reader thread reads them."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


@contextmanager
def process(*command: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """The console script run with ``command``, its output piped; killed if still running
    at the end, its pipes closed. Python's fault handler is on in it, so that SIGABRT
    makes it print every thread's stack on stderr (see :func:`stopped`)."""
    with subprocess.Popen(
        [str(CLI), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**(os.environ if env is None else env), "PYTHONFAULTHANDLER": "1"},
    ) as running:
        try:
            yield running
        finally:
            if running.poll() is None:
                running.kill()
            running.wait()


def secret_env() -> dict[str, str]:
    return {**os.environ, relay.SECRET_VARIABLE: SECRET}


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def hotel_db(tmp_path: Path) -> str:
    """A SQLite file made by ``init`` with hotel ``H``: rooms R1-R3, staff ``fd``, bookings
    B1-B3 arriving, and no event yet (reference data writes no log entry)."""
    url = sqlite_url(tmp_path / "feed.db")
    assert cli("init", "--db", url)[0] == 0
    with store(url) as uow:
        build_hotel(uow, ["R1", "R2", "R3"], ["B1", "B2", "B3"])
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Hotel ``H`` as in ``hotel_db``, on a SQLite file or on the session's PostgreSQL."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "feed.db")
        assert cli("init", "--db", url)[0] == 0
    else:
        request.getfixturevalue("postgres_engine")  # emptied, with the schema
        url = request.getfixturevalue("postgres_url")
    with store(url) as uow:
        build_hotel(uow, ["R1", "R2", "R3"], ["B1", "B2", "B3"])
    return url


@attrs.define
class Attempt:
    """One POST the receiver got, and how it answered (``"200"``, ``"500"``, ``"302"``,
    ``"silent"``: no answer, ``"kill"``: the relay killed before any answer)."""

    body: bytes
    signature: str | None
    content_type: str | None
    outcome: str
    authorization: str | None = None


@attrs.define
class Receiver:
    """A webhook receiver on 127.0.0.1: answers each POST as ``plan`` says, then 200."""

    url: str
    plan: list[str] = attrs.Factory(list)
    attempts: list[Attempt] = attrs.Factory(list)
    victim: int | None = None
    released: threading.Event = attrs.Factory(threading.Event)
    lock: threading.Lock = attrs.Factory(threading.Lock)

    def accepted(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == "200"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with receiver.lock:
            outcome = receiver.plan.pop(0) if receiver.plan else "200"
            receiver.attempts.append(
                Attempt(
                    body,
                    self.headers.get(relay.SIGNATURE_HEADER),
                    self.headers.get("Content-Type"),
                    outcome,
                    self.headers.get("Authorization"),
                )
            )
        if outcome == "silent":  # answer only after the relay gave up waiting
            receiver.released.wait(10)
            return
        if outcome == "kill":  # the batch is taken; the relay dies before any answer
            deadline = time.monotonic() + 10
            while receiver.victim is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert receiver.victim is not None
            os.kill(receiver.victim, signal.SIGKILL)
            return
        self.send_response(int(outcome))
        if outcome == "302":
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the attempts instead."""


class _Server(ThreadingHTTPServer):
    receiver: Receiver

    def handle_error(self, request: object, client_address: object) -> None:
        """A relay that hung up (timed out, killed) is expected here."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver served from a thread on 127.0.0.1 (a free port), stopped after."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    server.receiver = Receiver(url=f"http://{host!s}:{port}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.receiver
    finally:
        server.receiver.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- follow ------------------------------------------------------------------------------


def test_follow_once_json_prints_every_event_with_every_field_and_its_position(
    any_db: str,
) -> None:
    """On SQLite and PostgreSQL, each event of a few service calls is one JSON line with
    every event field, its local time and the position after it: resuming from a line's
    position prints exactly the lines after it."""
    five_events(any_db)
    code, out = cli("follow", "--db", any_db, "--after", "0", "--once", "--json")
    assert code == 0
    lines = json_lines(out)
    assert [line["entry_id"] for line in lines] == log_ids(any_db)
    assert [line["operation"] for line in lines] == [
        "ASSIGN", "CHECKIN", "ASSIGN", "CHECKIN", "CHECKOUT",
    ]  # fmt: skip
    assert all(set(line) == FIELDS | {"position", "timestamp_local", "timezone"} for line in lines)
    assert all(
        datetime.fromisoformat(line["timestamp_local"]) == datetime.fromisoformat(line["timestamp"])
        for line in lines
    )
    assert lines[-1]["status_before"] == "OCCUPIED"
    assert lines[-1]["status_after"] == "VACANT_DIRTY"
    assert lines[0]["hotel_id"] == HOTEL
    assert lines[0]["booking_id"] == "B1"
    for index, line in enumerate(lines):
        code, rest = cli("follow", "--db", any_db, "--after", line["position"], "--once", "--json")
        assert code == 0
        assert json_lines(rest) == lines[index + 1 :]


def test_follow_prints_one_readable_escaped_line_per_event(hotel_db: str) -> None:
    """A text line names the entry, time, hotel, room, operation, booking, the status and
    condition change and who; a note's control characters are shown escaped."""
    stay(hotel_db, "B1", "R1")
    with store(hotel_db) as uow:
        services.checkout_room(uow, room_id="R1", staff_id="fd", notes="late\n#9 forged\x1b[2J")
    code, out = cli("follow", "--db", hotel_db, "--after", "0", "--once")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    first, _, last = lines
    for fragment in ("#1", "2026-", HOTEL, "room R1", "ASSIGN", "booking B1", "by fd"):
        assert fragment in first, first
    assert "status VACANT_CLEAN -> OCCUPIED" in lines[1]
    assert "status OCCUPIED -> VACANT_DIRTY" in last
    assert "condition CLEAN -> DIRTY" in last
    assert "late\\n#9 forged\\x1b[2J" in last
    assert "\x1b" not in out


def test_follow_without_after_skips_what_is_already_there(hotel_db: str) -> None:
    """By default only new events are printed: --once right away prints nothing, though
    the log holds events, while --after 0 prints them all."""
    five_events(hotel_db)
    assert cli("follow", "--db", hotel_db, "--once") == (0, "")
    code, out = cli("follow", "--db", hotel_db, "--after", "0", "--once")
    assert code == 0
    assert len(out.splitlines()) == 5


def test_follow_waits_for_the_next_event_and_stops_after_the_limit(hotel_db: str) -> None:
    """A follower started at the end blocks until another writer commits, prints that
    event and, with --limit 1, exits."""
    stay(hotel_db, "B1", "R1")
    _, out = cli("follow", "--db", hotel_db, "--after", "0", "--once", "--json")
    end = json_lines(out)[-1]["position"]
    result: dict[str, Any] = {}

    def follow() -> None:
        sink = StringIO()
        result["code"] = main(
            ["follow", "--db", hotel_db, "--after", end, "--limit", "1", "--json"], out=sink
        )
        result["out"] = sink.getvalue()

    thread = threading.Thread(target=follow)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive(), "the follower should be waiting"
    stay(hotel_db, "B2", "R2")
    thread.join(10)
    assert not thread.is_alive()
    assert result["code"] == 0
    (line,) = json_lines(result["out"])  # the limit: CHECKIN of B2 is not printed
    assert (line["operation"], line["booking_id"]) == ("ASSIGN", "B2")


def test_follow_with_a_consumer_resumes_where_it_stopped_and_stores_its_position(
    hotel_db: str,
) -> None:
    """A new consumer starts at the beginning; its position is stored as it prints, so the
    next run prints only what came after, and feed_status shows it with no lag."""
    stay(hotel_db, "B1", "R1")
    code, first = cli("follow", "--db", hotel_db, "--consumer", "screen", "--once", "--json")
    assert code == 0
    assert [line["entry_id"] for line in json_lines(first)] == [1, 2]
    status = consumers(hotel_db)["screen"]
    assert (status.position, status.lag) == (json_lines(first)[-1]["position"], 0)
    stay(hotel_db, "B2", "R2")
    code, second = cli("follow", "--db", hotel_db, "--consumer", "screen", "--limit", "1")
    assert code == 0
    assert "#3" in second
    assert "#4" not in second
    code, third = cli("follow", "--db", hotel_db, "--consumer", "screen", "--once", "--json")
    assert [line["entry_id"] for line in json_lines(third)] == [4]
    assert consumers(hotel_db)["screen"].lag == 0


def test_after_and_consumer_exclude_each_other(
    hotel_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A consumer resumes from its stored position, so --after beside it is a usage error."""
    out = StringIO()
    code = main(["follow", "--db", hotel_db, "--consumer", "c", "--after", "0"], out=out)
    assert code == ExitCode.USAGE
    assert out.getvalue() == ""
    one_line_on_stderr(capsys, "--after", "--consumer")
    assert consumers(hotel_db) == {}


@pytest.mark.parametrize(
    ("arguments", "fragment", "code"),
    [
        (["--hotel", "nowhere"], "unknown hotel 'nowhere'", ExitCode.REFUSED),
        (["--after", "not-a-position"], "InvalidInput", ExitCode.REFUSED),
        (["--limit", "0"], "--limit must be at least 1", ExitCode.USAGE),
        (["--consumer", " padded "], "InvalidInput", ExitCode.REFUSED),
    ],
)
def test_bad_follow_arguments_are_one_line_and_exit_1_or_2(
    hotel_db: str,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    fragment: str,
    code: ExitCode,
) -> None:
    """An unknown hotel, a position that is not one or a malformed consumer name is
    refused (exit 1), a limit below 1 is a usage error (exit 2), in one line on stderr,
    nothing printed, nothing stored."""
    out = StringIO()
    assert main(["follow", "--db", hotel_db, "--once", *arguments], out=out) == code
    assert out.getvalue() == ""
    one_line_on_stderr(capsys, fragment)
    assert consumers(hotel_db) == {}


def test_follow_in_a_process_prints_another_process_s_event_within_a_second_and_stops_on_sigint(
    hotel_db: str,
) -> None:
    """The console script, following, prints an event committed by this process in under a
    second; Ctrl-C (SIGINT) then ends it with exit code 0 and nothing on stderr."""
    with process("follow", "--db", hotel_db, "--after", "0", "--json") as follower:
        assert follower.stdout is not None
        assert follower.stderr is not None
        lines = lines_of(follower.stdout)
        errors = Collected(follower.stderr)
        with store(hotel_db) as uow:
            services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="fd", check_in=False)
        assert json.loads(lines.get(timeout=30))["entry_id"] == 1  # it runs and follows
        with store(hotel_db) as uow:
            services.check_in(uow, booking_id="B1", staff_id="fd")
            committed = time.monotonic()
        line = json.loads(lines.get(timeout=5))
        assert time.monotonic() - committed < 1.0
        assert (line["entry_id"], line["operation"]) == (2, "CHECKIN")
        time.sleep(0.2)
        assert stopped(follower, signal.SIGINT, errors) == (0, "")
        assert lines.empty()


def test_a_second_stop_signal_while_a_long_running_command_cleans_up_is_ignored() -> None:
    """SIGTERM, then Ctrl-C, arriving while ``follow``/``relay``/``legacy mirror`` close
    their connections (after the first signal stopped the work) do not cut the clean-up
    short: it finishes, no traceback, and the handlers are the process's own again."""
    program = textwrap.dedent(
        """
        import os, signal, time
        from hotel_occupancy.cli.commands import _until_interrupted

        def work():
            raise KeyboardInterrupt  # the first signal

        def cleanup():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
            print("cleaned up", flush=True)

        before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        _until_interrupted(work, cleanup)
        after = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        print("restored" if after == before else f"changed: {after}", flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "cleaned up\nrestored\n", "")


# --- relay -------------------------------------------------------------------------------


def verifies(attempt: Attempt) -> bool:
    """Whether the attempt's signature is the HMAC-SHA256 of its body with the secret."""
    expected = "sha256=" + hmac.new(SECRET.encode(), attempt.body, hashlib.sha256).hexdigest()
    return attempt.signature is not None and hmac.compare_digest(attempt.signature, expected)


def run_relay(
    url: str, receiver: Receiver, *extra: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    monkeypatch.setenv(relay.SECRET_VARIABLE, SECRET)
    out = StringIO()
    arguments = ["relay", "--db", url, "--consumer", "hook", "--url", receiver.url, *extra]
    code = main([*arguments, *FAST_RETRIES], out=out)
    return code, out.getvalue()


def test_relay_retries_failures_timeouts_and_redirects_and_delivers_each_batch_in_order(
    hotel_db: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The receiver fails (500), falls silent beyond --timeout, redirects, then accepts:
    each batch is retried until it is taken, the next only after it, every attempt signed
    with the secret; the accepted batches hold every event once, in order, and the
    consumer's position is stored after the last."""
    five_events(hotel_db)
    receiver.plan = ["500", "silent", "302", "200", "500"]
    code, out = run_relay(
        hotel_db, receiver, "--batch", "2", "--timeout", "0.3", "--once", monkeypatch=monkeypatch
    )
    assert code == 0
    attempts = receiver.attempts
    assert [a.outcome for a in attempts] == ["500", "silent", "302", "200", "500", "200", "200"]
    assert [entry_ids(a.body) for a in attempts] == [
        [1, 2], [1, 2], [1, 2], [1, 2], [3, 4], [3, 4], [5],
    ]  # fmt: skip
    for before, after in itertools.pairwise(attempts):
        if before.outcome != "200":
            assert after.body == before.body  # a retry sends the very same bytes
    assert all(verifies(a) for a in attempts)
    assert all(a.content_type == "application/json" for a in attempts)
    delivered = [event for a in receiver.accepted() for event in json.loads(a.body)["events"]]
    assert [event["entry_id"] for event in delivered] == log_ids(hotel_db)
    assert all(set(event) == FIELDS for event in delivered)
    last = json.loads(receiver.accepted()[-1].body)["position"]
    assert (consumers(hotel_db)["hook"].position, consumers(hotel_db)["hook"].lag) == (last, 0)
    assert out.splitlines() == [
        "delivered 2 events (#1-#2) after 4 attempts",
        "delivered 2 events (#3-#4) after 2 attempts",
        "delivered 1 event (#5)",
    ]
    failures = capsys.readouterr().err.splitlines()
    assert len(failures) == 4
    assert all(line.startswith("hotel-occupancy: relay: delivery failed (") for line in failures)
    assert "HTTP 500" in failures[0]
    assert "HTTP 500" in failures[3]
    assert "no answer within 0.3 s" in failures[1]
    assert "HTTP 302" in failures[2]
    assert SECRET not in out + "".join(failures)


def test_a_second_relay_run_delivers_only_what_came_after_the_stored_position(
    hotel_db: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored position is where the next run resumes: nothing is delivered twice when
    nothing failed, and the new events arrive in one batch."""
    stay(hotel_db, "B1", "R1")
    assert run_relay(hotel_db, receiver, "--once", monkeypatch=monkeypatch)[0] == 0
    stay(hotel_db, "B2", "R2")
    assert run_relay(hotel_db, receiver, "--once", monkeypatch=monkeypatch)[0] == 0
    assert [entry_ids(a.body) for a in receiver.attempts] == [[1, 2], [3, 4]]


def test_a_user_and_password_in_the_url_are_sent_as_basic_auth_and_never_printed(
    hotel_db: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``http://user:pass@host/`` reaches the host with an ``Authorization: Basic`` header
    (the percent-escapes decoded); neither the password nor the secret is printed."""
    stay(hotel_db, "B1", "R1")
    receiver.plan = ["500"]
    with_user = receiver.url.replace("http://", "http://hooks:pa%20ss@")
    monkeypatch.setenv(relay.SECRET_VARIABLE, SECRET)
    out = StringIO()
    arguments = ["relay", "--db", hotel_db, "--consumer", "hook", "--url", with_user, "--once"]
    assert main([*arguments, *FAST_RETRIES], out=out) == 0
    expected = "Basic " + base64.b64encode(b"hooks:pa ss").decode()
    assert [a.authorization for a in receiver.attempts] == [expected, expected]
    printed = out.getvalue() + capsys.readouterr().err
    assert "pa%20ss" not in printed
    assert "pa ss" not in printed
    assert SECRET not in printed


def test_a_relay_killed_after_the_receiver_took_a_batch_delivers_it_again(
    hotel_db: str, receiver: Receiver
) -> None:
    """The relay is killed (SIGKILL) once the receiver has the batch, before the position
    is stored: the next run delivers the same batch again, the same entry ids (at least
    once), then stops on SIGTERM with exit code 0."""
    five_events(hotel_db)
    receiver.plan = ["kill"]
    command = ["relay", "--db", hotel_db, "--consumer", "hook", "--url", receiver.url]
    with process(*command, "--batch", "10", env=secret_env()) as killed:
        receiver.victim = killed.pid
        assert killed.wait(timeout=30) == -signal.SIGKILL
        assert killed.communicate() == ("", "")
    assert "hook" not in consumers(hotel_db)  # never stored
    with process(*command, "--batch", "10", env=secret_env()) as again:
        deadline = time.monotonic() + 30
        while "hook" not in consumers(hotel_db) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert consumers(hotel_db)["hook"].lag == 0
        again.send_signal(signal.SIGTERM)
        stdout, stderr = again.communicate(timeout=10)
        assert again.returncode == 0
    assert stderr == ""
    assert stdout == "delivered 5 events (#1-#5)\n"
    first, second = receiver.attempts
    assert (first.outcome, second.outcome) == ("kill", "200")
    assert entry_ids(first.body) == entry_ids(second.body) == log_ids(hotel_db)
    assert verifies(second)


def test_relay_refuses_to_start_without_the_secret(hotel_db: str, receiver: Receiver) -> None:
    """Without HOTEL_OCCUPANCY_WEBHOOK_SECRET, the relay says so in one line, exits 2 (a
    usage error) and neither posts nor stores anything."""
    stay(hotel_db, "B1", "R1")
    env = {k: v for k, v in os.environ.items() if k != relay.SECRET_VARIABLE}
    result = subprocess.run(
        [str(CLI), "relay", "--db", hotel_db, "--consumer", "hook", "--url", receiver.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == ExitCode.USAGE
    assert_one_line_error(result, relay.SECRET_VARIABLE)
    assert receiver.attempts == []
    assert consumers(hotel_db) == {}


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--url", "file:///etc/passwd"], "http:// or https://"),
        (["--url", "http://user:pa55word@"], "http:// or https://"),
        (["--batch", "0"], "--batch must be from 1 to 10000"),
        (["--url", "http://user:pa55word@[::1/"], "malformed URL"),
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--timeout", "inf"], "--timeout must be more than 0 and at most 3600"),
        (["--retry-max", "nan"], "--retry-max must be more than 0"),
        (["--retry-initial", "-1"], "--retry-initial must be more than 0"),
    ],
)
def test_bad_relay_arguments_are_one_line_and_exit_2(
    hotel_db: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    fragment: str,
) -> None:
    """A URL that is not http(s) with a host, or a batch, timeout or pause out of range,
    is a usage error in one line; a password in the URL and the secret are never shown."""
    monkeypatch.setenv(relay.SECRET_VARIABLE, SECRET)
    base = ["relay", "--db", hotel_db, "--consumer", "hook", "--url", "http://127.0.0.1:9/"]
    assert main([*base, *arguments, "--once"], out=StringIO()) == ExitCode.USAGE
    line = one_line_on_stderr(capsys, fragment)
    assert "pa55word" not in line
    assert SECRET not in line


def test_backoff_doubles_from_its_first_pause_to_its_cap_with_jitter() -> None:
    """Each pause lies between half its step and the step; steps double up to the cap."""
    delays = relay.Backoff(0.5, 30.0).delays()
    steps = [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    pauses = [next(delays) for _ in steps]
    assert all(step / 2 <= pause <= step for pause, step in zip(pauses, steps, strict=True))


def test_deliver_keeps_the_order_of_attempts_and_reports_each_failure() -> None:
    """deliver() posts the same body until an attempt succeeds, reporting every failure
    with the pause it then takes, and returns the number of attempts."""
    answers: list[str | None] = ["HTTP 503", "no answer within 1 s", None]
    posted: list[bytes] = []
    failures: list[str] = []
    pauses: list[float] = []

    def post(body: bytes) -> None:
        posted.append(body)
        failure = answers.pop(0)
        if failure is not None:
            raise relay.DeliveryFailed(failure)

    attempts = relay.deliver(
        post,
        b"{}",
        backoff=relay.Backoff(1, 2),
        failed=lambda reason, pause: failures.append(reason),
        sleep=pauses.append,
    )
    assert attempts == 3
    assert posted == [b"{}"] * 3
    assert failures == ["HTTP 503", "no answer within 1 s"]
    assert 0.5 <= pauses[0] <= 1
    assert 1 <= pauses[1] <= 2


def test_the_in_memory_feed_relays_the_same_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """relay() runs on any unit of work: on the in-memory adapter, a batch a handler
    failed is delivered again, and each body's position resumes right after it."""
    from tests.support import make_world

    world = make_world()
    world.checked_in("R101")
    world.checked_in("R102")
    bodies: list[bytes] = []
    fail = [True]

    def post(body: bytes) -> None:
        bodies.append(body)
        if fail.pop() if fail else False:
            raise relay.DeliveryFailed("HTTP 500")

    count = relay.relay(
        world.uow, consumer="c", post=post, batch=3, once=True, sleep=lambda s: None
    )
    assert count == 4
    assert [entry_ids(b) for b in bodies] == [[1, 2, 3], [1, 2, 3], [4]]
    position = json.loads(bodies[0])["position"]
    rest = services.read_feed(world.uow, after=position)
    assert [e.entry_id for e in rest.events] == [4]
    assert relay.stored_position(world.uow, "c") == json.loads(bodies[-1])["position"]


def test_a_redelivered_batch_after_a_crash_before_storing_carries_the_same_entry_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the process dies between a 2xx and storing the position (simulated by a store
    that raises), the next run posts the same events again: at least once."""
    from tests.support import make_world

    world = make_world()
    world.checked_in("R101")
    bodies: list[bytes] = []

    def crash(uow: UnitOfWork, consumer: str, position: str) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(relay, "store_position", crash)
        with pytest.raises(KeyboardInterrupt):
            relay.relay(world.uow, consumer="c", post=bodies.append, once=True)
    relay.relay(world.uow, consumer="c", post=bodies.append, once=True)
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]
    assert entry_ids(bodies[0]) == [1, 2]
    assert relay.relay(world.uow, consumer="c", post=bodies.append, once=True) == 0

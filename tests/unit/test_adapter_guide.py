"""The worked adapter of docs/writing-an-adapter.md passes the shipped contract suite.

The page's ```python blocks run, in order, into a module of their own, as a reader would
paste them into one file. The test class the page tells readers to write is subclassed
here, so pytest runs every test of ``hotel_occupancy.testing.UnitOfWorkContract`` against
the page's adapter, exactly as documented.
"""

from __future__ import annotations

import re
import sys
import threading
import types
from datetime import date
from pathlib import Path

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.testing import UnitOfWorkContract, UnitOfWorkFactory
from tests.unit.test_doc_examples import python_blocks

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "writing-an-adapter.md"
MODULE = "hotel_occupancy_docs.writing_an_adapter"
SKIPPED = 1
"""Contract tests the page's adapter skips: imported legacy history needs ``uow.legacy``."""
WAIT = 30.0
"""The longest a thread or lock may be waited for (seconds); only reached by a hang."""


def load_page(page: Path, name: str) -> types.ModuleType:
    """A module made of the page's ```python blocks, executed in order."""
    module = types.ModuleType(name)
    module.__file__ = str(page)
    sys.modules[name] = module  # as for an imported module: classes can find theirs
    for line, code in python_blocks(page.read_text(encoding="utf-8")):
        # Pad with blank lines so a traceback points at the line in the Markdown file.
        exec(compile("\n" * (line - 1) + code, str(page), "exec"), module.__dict__)
    return module


worked = load_page(PAGE, MODULE)


class TestWorkedExampleAdapter(worked.TestSnapshotAdapter):  # type: ignore[misc,name-defined]
    """Every contract test, run against the adapter of the page by the page's own class."""

    def test_the_factory_builds_the_page_s_unit_of_work_over_fresh_storage(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """The fixture gives a copy-on-write unit of work over an empty store of its own."""
        uow = uow_factory(clock=worked.utc_now, notifier=worked.RecordingNotifier())
        assert isinstance(uow, worked.SnapshotUnitOfWork)
        assert not isinstance(uow, InMemoryUnitOfWork)
        assert uow.snapshot() == worked.StoreSnapshot()


def test_the_page_s_class_inherits_every_contract_test_without_overriding_one() -> None:
    """The documented class is a UnitOfWorkContract whose tests are the suite's own."""
    assert issubclass(worked.TestSnapshotAdapter, UnitOfWorkContract)
    suite = {name for name in dir(UnitOfWorkContract) if name.startswith("test_")}
    assert suite
    mro = worked.TestSnapshotAdapter.__mro__
    for cls in mro[: mro.index(UnitOfWorkContract)]:
        assert not suite & set(vars(cls)), f"{cls.__name__} overrides a contract test"
        assert "scene" not in vars(cls)


def test_the_worked_adapter_is_its_own_and_not_the_shipped_in_memory_one() -> None:
    """The page builds its adapter from scratch: no shipped unit of work or store in it."""
    shipped = (InMemoryUnitOfWork, InMemoryStore)
    assert not any(value in shipped for value in vars(worked).values())
    assert not issubclass(worked.SnapshotUnitOfWork, shipped)


def test_the_page_states_how_many_tests_the_suite_has() -> None:
    """The page's count of contract tests, in its text and its sample output, is current
    (the sample output counts the one case its adapter skips, having no ``legacy``)."""
    count = len([name for name in dir(UnitOfWorkContract) if name.startswith("test_")])
    text = PAGE.read_text(encoding="utf-8")
    assert re.findall(r"with (\d+) tests", text) == [str(count)]
    assert re.findall(r"(\d+) passed, (\d+) skipped", text) == [
        (str(count - SKIPPED), str(SKIPPED))
    ]
    assert re.findall(r"(\d+) passed", text) == [str(count - SKIPPED)]


def _hotel(uow: UnitOfWork, bookings: int) -> None:
    """Hotel H with room R, and per booking B<i> a front-desk agent fd<i>."""
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R", number="1")
    for i in range(bookings):
        services.register_staff(
            uow, hotel_id="H", staff_id=f"fd{i}", name="FD", role=ho.StaffRole.FRONT_DESK
        )
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=f"B{i}",
            reference=f"REF-{i}",
            arrival=date(2026, 6, 1),
            departure=date(2026, 6, 2),
            party=[ho.BookingGuest(f"B{i}-g", "Guest", str(i))],
        )


def test_threads_sharing_one_store_race_for_a_room_and_exactly_one_wins() -> None:
    """Of eight threads checking eight bookings into one room, one wins, seven are refused."""
    store = worked.SnapshotStore()
    notifier = worked.RecordingNotifier()
    _hotel(worked.SnapshotUnitOfWork(store), 8)
    start = threading.Barrier(8, timeout=WAIT)
    outcomes: dict[int, str] = {}

    def desk(i: int) -> None:
        uow = worked.SnapshotUnitOfWork(store, notifier=notifier)
        start.wait()
        try:
            services.assign_room(uow, booking_id=f"B{i}", room_id="R", staff_id=f"fd{i}")
            outcomes[i] = "checked in"
        except ho.RoomOccupancyError as error:
            outcomes[i] = type(error).__name__

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(outcomes.values()) == ["RoomNotAvailable"] * 7 + ["checked in"]
    assert [e.operation for e in notifier.events] == [ho.Operation.ASSIGN, ho.Operation.CHECKIN]
    assert check_invariants(worked.SnapshotUnitOfWork(store).snapshot()) == []


def test_a_reader_does_not_wait_for_a_writer_holding_the_lock() -> None:
    """A query in another thread answers while a write transaction holds the write lock."""
    store = worked.SnapshotStore()
    _hotel(worked.SnapshotUnitOfWork(store), 1)
    answered = threading.Event()
    seen: list[ho.OccupancyStatus] = []

    def query() -> None:
        seen.append(services.get_occupancy(worked.SnapshotUnitOfWork(store), "R").status)
        answered.set()

    writer = worked.SnapshotUnitOfWork(store)
    with writer:
        assert store.write_lock.locked()
        thread = threading.Thread(target=query)
        thread.start()
        assert answered.wait(WAIT)
    thread.join(WAIT)
    assert seen == [ho.OccupancyStatus.VACANT_CLEAN]


def test_a_failing_page_block_is_reported_at_its_line(tmp_path: Path) -> None:
    """An error in the page's code points at the Markdown file and line it comes from."""
    page = tmp_path / "adapter.md"
    page.write_text("# Adapter\n\n```python\nx = 1\nraise RuntimeError(x)\n```\n", encoding="utf-8")
    with pytest.raises(RuntimeError) as raised:
        load_page(page, "hotel_occupancy_docs.broken")
    frame = raised.traceback[-1]
    assert (Path(str(frame.path)), frame.lineno + 1) == (page, 5)
    sys.modules.pop("hotel_occupancy_docs.broken", None)

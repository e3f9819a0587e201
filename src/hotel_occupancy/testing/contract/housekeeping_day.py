"""The contract on the housekeeping day (SPEC §10): guest service statuses, housekeeping's
observations and the discrepancies they find, the night audit (stayover cleanings, service
statuses reset, out-of-service windows that end), tasks given to attendants, the day's
worksheets, and the board's housekeeping columns."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    ARRIVAL,
    CLEAN,
    CLEANING,
    DIRTY,
    HOTEL,
    INSPECTED,
    MAINT,
    OCC,
    OOO,
    VC,
    VD,
    Op,
    Scene,
    SceneContract,
    only,
    shape,
)

__all__ = ["HousekeepingDayContract"]

TODAY = ARRIVAL  # the scene's clock starts on the afternoon of the arrival day
TOMORROW = TODAY + timedelta(days=1)
YESTERDAY = TODAY - timedelta(days=1)

Status = ho.ServiceStatus
Kind = ho.DiscrepancyKind
Priority = ho.WorkPriority
OPEN = ho.TaskStatus.OPEN
IN_PROGRESS = ho.TaskStatus.IN_PROGRESS
DONE = ho.TaskStatus.DONE
CLEANING_TASK = ho.TaskKind.CLEANING
HOUSEKEEPING = ho.StaffRole.HOUSEKEEPING


def open_task(scene: Scene, room_id: str) -> ho.HousekeepingTask:
    """The room's only open task."""
    return only(scene.stored_tasks(room_id, open_only=True))


def board_row(scene: Scene, room_id: str, hotel_id: str = HOTEL) -> ho.BoardRow:
    return only(r for r in services.room_board(scene.uow, hotel_id) if r.room_id == room_id)


def audit(scene: Scene, day: date = TODAY, staff_id: str = "fd") -> tuple[ho.LogEntry, ...]:
    """The night audit of hotel ``H`` for ``day``."""
    return services.night_audit(scene.uow, hotel_id=HOTEL, business_date=day, staff_id=staff_id)


def stored_audit(scene: Scene, day: date, hotel_id: str = HOTEL) -> ho.NightAudit | None:
    """The record of the hotel's audit of ``day``, read through the port."""
    uow = scene.uow
    with uow.reading():
        return uow.audits.get(hotel_id, day)


def observe(
    scene: Scene, room_id: str, occupied: bool, guests: int | None = None, staff_id: str = "hk"
) -> ho.LogEntry:
    """Report what housekeeping saw in the room; the one entry logged."""
    return only(
        services.report_room_observation(
            scene.uow, room_id=room_id, staff_id=staff_id, occupied=occupied, guests=guests
        )
    )


def set_status(
    scene: Scene, room_id: str, status: ho.ServiceStatus, staff_id: str = "hk"
) -> ho.LogEntry:
    return only(
        services.set_service_status(scene.uow, room_id=room_id, staff_id=staff_id, status=status)
    )


def second_attendant(scene: Scene, staff_id: str = "hk2") -> None:
    """Another housekeeping attendant in hotel ``H``."""
    services.register_staff(
        scene.uow, hotel_id=HOTEL, staff_id=staff_id, name=staff_id.upper(), role=HOUSEKEEPING
    )


def day_of_work(scene: Scene) -> dict[str, str]:
    """One dirty room of each priority in hotel ``H`` (and a room ``R105``), plus a second
    attendant ``hk2``; the booking id of each room:

    - ``R201``: pre-assigned, dirty, its guest queued at the desk (QUEUED_ARRIVAL);
    - ``R104``: pre-assigned, dirty (ARRIVAL);
    - ``R103``: vacant, dirty (VACANT_DIRTY);
    - ``R102``: occupied, its guests asked for MAKE_UP_ROOM (MAKE_UP_ROOM);
    - ``R105``: occupied, dirty (STAYOVER);
    - ``R101``: occupied, dirty, do not disturb (KEEP_OUT).
    """
    services.register_room(scene.uow, hotel_id=HOTEL, room_id="R105", number="105", capacity=2)
    second_attendant(scene)
    bookings = {"R101": scene.checked_in("R101")}
    scene.dirty("R101")
    set_status(scene, "R101", Status.DND)
    bookings["R102"] = scene.checked_in("R102")
    set_status(scene, "R102", Status.MAKE_UP_ROOM)
    scene.dirty("R103")
    bookings["R104"] = scene.pre_assigned("R104")
    scene.dirty("R104")
    bookings["R201"] = scene.pre_assigned("R201")
    scene.dirty("R201")
    services.queue_arrival(scene.uow, booking_id=bookings["R201"], staff_id="fd")
    bookings["R105"] = scene.checked_in("R105")
    scene.dirty("R105")
    return bookings


def numbers(sheet: ho.Worksheet | None) -> list[str]:
    """The room numbers of a sheet's lines, in its order."""
    assert sheet is not None
    return [line.number for line in sheet.lines]


def generate(
    scene: Scene, attendants: tuple[str, ...] = ("hk", "hk2"), **kwargs: object
) -> ho.WorksheetPlan:
    return services.generate_worksheets(
        scene.uow,
        hotel_id=HOTEL,
        attendants=attendants,
        staff_id="sup",
        **kwargs,  # type: ignore[arg-type]
    )


def assigned_numbers(scene: Scene) -> dict[str, str | None]:
    """Room number to the attendant its open cleaning task is stored as given to."""
    rows = {row.room_id: row.number for row in services.room_board(scene.uow, HOTEL)}
    return {
        rows[t.room_id]: t.assigned_to
        for t in scene.snapshot().tasks
        if t.is_open and t.kind.is_cleaning
    }


class HousekeepingDayContract(SceneContract):
    """``set_service_status``, ``report_room_observation``, ``discrepancies``,
    ``night_audit``, out-of-service windows (``until``), ``assign_task``,
    ``generate_worksheets`` and ``worksheet``, and the board's ``service_status``,
    ``discrepancy`` and ``queued``."""

    # --- set_service_status ---------------------------------------------------------------

    def test_a_guest_service_status_is_logged_and_shown_on_the_board(self, scene: Scene) -> None:
        """DND, SERVICE_REFUSED and NONE on an occupied room: SERVICE_STATUS, no change of
        condition, the status on the occupancy and the board."""
        booking_id = scene.checked_in("R101")
        for status in (Status.DND, Status.SERVICE_REFUSED, Status.NONE):
            entry = set_status(scene, "R101", status)
            assert shape(entry) == (Op.SERVICE_STATUS, OCC, OCC, CLEAN, CLEAN)
            assert (entry.room_id, entry.booking_id, entry.performed_by) == (
                "R101",
                booking_id,
                "hk",
            )
            assert entry.metadata["service_status"] == status.value
            assert entry.metadata["variant"] == status.value
            assert scene.occupancy("R101").service_status is status
            assert board_row(scene, "R101").service_status is status
            assert scene.notifier.events[-1].entry_id == entry.id
        assert scene.stored_tasks("R101") == []

    def test_make_up_room_on_a_clean_room_makes_it_dirty_with_a_cleaning_task(
        self, scene: Scene
    ) -> None:
        """MAKE_UP_ROOM on a CLEAN or INSPECTED occupied room: condition DIRTY and one open
        CLEANING task."""
        booking_id = scene.checked_in("R101")
        entry = set_status(scene, "R101", Status.MAKE_UP_ROOM)
        assert shape(entry) == (Op.SERVICE_STATUS, OCC, OCC, CLEAN, DIRTY)
        assert entry.metadata["variant"] == "MAKE_UP_ROOM"
        occupancy = scene.occupancy("R101")
        assert (occupancy.condition, occupancy.service_status) == (DIRTY, Status.MAKE_UP_ROOM)
        task = open_task(scene, "R101")
        assert (task.kind, task.status, task.booking_id, task.created_by) == (
            CLEANING_TASK,
            OPEN,
            booking_id,
            "hk",
        )
        scene.inspected_hotel()
        services.inspect_room(scene.uow, room_id="RI1", staff_id="supI")
        inspected = scene.checked_in("RI1", hotel_id="HI", staff_id="fdI")
        entry = set_status(scene, "RI1", Status.MAKE_UP_ROOM, staff_id="hkI")
        assert shape(entry) == (Op.SERVICE_STATUS, OCC, OCC, INSPECTED, DIRTY)
        assert open_task(scene, "RI1").booking_id == inspected

    def test_make_up_room_on_a_dirty_room_only_records_the_request(self, scene: Scene) -> None:
        """On a room already DIRTY, MAKE_UP_ROOM changes the status only, keeping its task."""
        scene.checked_in("R101")
        scene.dirty("R101")
        task = open_task(scene, "R101")
        entry = set_status(scene, "R101", Status.MAKE_UP_ROOM)
        assert shape(entry) == (Op.SERVICE_STATUS, OCC, OCC, DIRTY, DIRTY)
        assert entry.metadata["variant"] == "MAKE_UP_ROOM/dirty"
        assert scene.stored_tasks("R101") == [task]
        assert scene.occupancy("R101").service_status is Status.MAKE_UP_ROOM

    def test_do_not_disturb_and_refused_service_keep_cleaners_out(self, scene: Scene) -> None:
        """start_cleaning on a DND or SERVICE_REFUSED room is InvalidTransition (as
        allowed_operations says) and its task stays open; once lifted, cleaning starts."""
        scene.checked_in("R101")
        scene.dirty("R101")
        task = open_task(scene, "R101")
        for status in (Status.DND, Status.SERVICE_REFUSED):
            set_status(scene, "R101", status)
            judged = {a.action: a.reason for a in services.allowed_operations(scene.uow, "R101")}
            assert judged["start_cleaning"] == "InvalidTransition"
            scene.refused(
                ho.InvalidTransition, services.start_cleaning, room_id="R101", staff_id="hk"
            )
            assert open_task(scene, "R101") == task
        set_status(scene, "R101", Status.MAKE_UP_ROOM)
        started = only(services.start_cleaning(scene.uow, room_id="R101", staff_id="hk"))
        assert shape(started) == (Op.CLEAN_START, OCC, OCC, DIRTY, CLEANING)
        assert open_task(scene, "R101").status is IN_PROGRESS

    def test_a_service_status_needs_an_occupied_room(self, scene: Scene) -> None:
        """On a vacant room, pre-assigned or not, set_service_status is RoomNotOccupied."""
        scene.pre_assigned("R102")
        for room_id in ("R101", "R102"):
            for status in Status:
                scene.refused(
                    ho.RoomNotOccupied,
                    services.set_service_status,
                    room_id=room_id,
                    staff_id="hk",
                    status=status,
                )

    def test_setting_the_status_a_room_has_is_an_invalid_transition(self, scene: Scene) -> None:
        """NONE on a fresh stay, or DND twice, is InvalidTransition and logs nothing."""
        scene.checked_in("R101")
        scene.refused(
            ho.InvalidTransition,
            services.set_service_status,
            room_id="R101",
            staff_id="hk",
            status=Status.NONE,
        )
        set_status(scene, "R101", Status.DND)
        scene.refused(
            ho.InvalidTransition,
            services.set_service_status,
            room_id="R101",
            staff_id="fd",
            status=Status.DND,
        )

    def test_checkout_a_move_out_and_an_undone_check_in_reset_the_service_status(
        self, scene: Scene
    ) -> None:
        """The vacated room's service status is NONE again, on the record and the board."""
        scene.checked_in("R101")
        scene.checked_in("R102")
        undone = scene.checked_in("R104")
        for room_id in ("R101", "R102", "R104"):
            set_status(scene, room_id, Status.DND)
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        services.move_guest(scene.uow, from_room_id="R102", to_room_id="R103", staff_id="fd")
        services.unassign_room(scene.uow, booking_id=undone, staff_id="fd")
        for room_id in ("R101", "R102", "R103", "R104"):
            assert scene.occupancy(room_id).service_status is Status.NONE, room_id
            assert board_row(scene, room_id).service_status is Status.NONE, room_id

    def test_front_desk_and_housekeeping_set_service_statuses_but_maintenance_may_not(
        self, scene: Scene
    ) -> None:
        """Front desk, housekeeping, supervisor and manager may; maintenance staff is
        PermissionDenied, and another hotel's staff HotelMismatch."""
        scene.checked_in("R101")
        scene.second_hotel()
        for staff_id, status in (
            ("fd", Status.DND),
            ("hk", Status.SERVICE_REFUSED),
            ("sup", Status.NONE),
            ("mgr", Status.DND),
        ):
            assert set_status(scene, "R101", status, staff_id=staff_id).performed_by == staff_id
        scene.refused(
            ho.PermissionDenied,
            services.set_service_status,
            room_id="R101",
            staff_id="mnt",
            status=Status.NONE,
        )
        scene.refused(
            ho.HotelMismatch,
            services.set_service_status,
            room_id="R101",
            staff_id="fd2",
            status=Status.NONE,
        )

    # --- report_room_observation: what each observation finds -------------------------------

    def test_an_occupied_room_found_vacant_is_a_skip(self, scene: Scene) -> None:
        """Front office OCCUPIED, housekeeping found it vacant: SKIP, open on the room."""
        booking_id = scene.checked_in("R101")
        entry = observe(scene, "R101", occupied=False)
        assert shape(entry) == (Op.DISCREPANCY, OCC, OCC, CLEAN, CLEAN)
        assert (entry.booking_id, entry.performed_by) == (booking_id, "hk")
        assert dict(entry.metadata) == {
            "action": "report_room_observation",
            "role": "HOUSEKEEPING",
            "variant": "SKIP",
            "expected_guests": 1,
            "front_office_occupied": True,
            "observed_occupied": False,
            "observed_guests": None,
        }
        occupancy = scene.occupancy("R101")
        assert (occupancy.discrepancy, occupancy.discrepancy_by, occupancy.discrepancy_at) == (
            Kind.SKIP,
            "hk",
            entry.timestamp,
        )
        assert board_row(scene, "R101").discrepancy is Kind.SKIP
        row = only(services.discrepancies(scene.uow, HOTEL))
        assert (row.room_id, row.kind, row.booking_id, row.observed_occupied) == (
            "R101",
            Kind.SKIP,
            booking_id,
            False,
        )

    def test_a_vacant_room_found_occupied_is_a_sleep(self, scene: Scene) -> None:
        """Front office vacant, housekeeping found someone in it: SLEEP, open on the room."""
        entry = observe(scene, "R102", occupied=True, guests=2)
        assert shape(entry) == (Op.DISCREPANCY, VC, VC, CLEAN, CLEAN)
        assert entry.metadata["variant"] == "SLEEP"
        assert (entry.metadata["expected_guests"], entry.metadata["observed_guests"]) == (0, 2)
        assert entry.metadata["front_office_occupied"] is False
        occupancy = scene.occupancy("R102")
        assert (occupancy.discrepancy, occupancy.observed_guests) == (Kind.SLEEP, 2)
        row = only(services.discrepancies(scene.uow, HOTEL))
        assert (row.kind, row.status, row.booking_id, row.expected_guests) == (
            Kind.SLEEP,
            VC,
            None,
            0,
        )

    def test_an_occupied_room_with_another_number_of_guests_is_a_person(self, scene: Scene) -> None:
        """Occupied both ways but a different guest count: PERSON, open on the room."""
        booking_id = scene.checked_in("R201", 2)
        entry = observe(scene, "R201", occupied=True, guests=3, staff_id="sup")
        assert entry.metadata["variant"] == "PERSON"
        assert (entry.metadata["expected_guests"], entry.metadata["observed_guests"]) == (2, 3)
        row = only(services.discrepancies(scene.uow, HOTEL))
        assert (row.kind, row.booking_id, row.expected_guests, row.observed_guests) == (
            Kind.PERSON,
            booking_id,
            2,
            3,
        )
        assert (row.reported_by, row.observed_occupied) == ("sup", True)

    def test_an_agreeing_observation_opens_no_discrepancy_but_is_logged(self, scene: Scene) -> None:
        """Occupied with the same count, occupied not counted, vacant found vacant: each
        is logged as agreeing (DISCREPANCY, variant "agrees"), and nothing is open."""
        scene.checked_in("R101", 2)
        for room_id, occupied, guests in (
            ("R101", True, 2),
            ("R101", True, None),
            ("R102", False, None),
            ("R102", False, 0),
        ):
            entry = observe(scene, room_id, occupied, guests)
            assert entry.operation is Op.DISCREPANCY
            assert entry.metadata["variant"] == "agrees"
            assert "resolved_discrepancy" not in entry.metadata
            assert scene.occupancy(room_id).discrepancy is None
        assert services.discrepancies(scene.uow, HOTEL) == ()
        assert [r.discrepancy for r in services.room_board(scene.uow, HOTEL)] == [None] * 5

    def test_an_observation_must_agree_with_itself(self, scene: Scene) -> None:
        """A negative count, guests in a room said vacant, or none in one said occupied is
        InvalidInput, changing nothing."""
        scene.checked_in("R101")
        for occupied, guests in ((True, -1), (False, 2), (True, 0)):
            scene.refused(
                ho.InvalidInput,
                services.report_room_observation,
                room_id="R101",
                staff_id="hk",
                occupied=occupied,
                guests=guests,
            )

    def test_only_housekeeping_reports_observations(self, scene: Scene) -> None:
        """Housekeeping, supervisor and manager may; front desk and maintenance staff are
        PermissionDenied."""
        for staff_id in ("hk", "sup", "mgr"):
            assert observe(scene, "R101", False, staff_id=staff_id).performed_by == staff_id
        for staff_id in ("fd", "mnt"):
            scene.refused(
                ho.PermissionDenied,
                services.report_room_observation,
                room_id="R101",
                staff_id=staff_id,
                occupied=True,
            )

    # --- resolving discrepancies ------------------------------------------------------------

    def test_an_agreeing_observation_resolves_the_open_discrepancy(self, scene: Scene) -> None:
        """Its entry says resolved_discrepancy; the report leaves the room and the list."""
        observe(scene, "R102", occupied=True, guests=1)
        entry = observe(scene, "R102", occupied=False, staff_id="sup")
        assert entry.metadata["variant"] == "agrees"
        assert entry.metadata["resolved_discrepancy"] == "SLEEP"
        occupancy = scene.occupancy("R102")
        assert (
            occupancy.discrepancy,
            occupancy.discrepancy_by,
            occupancy.discrepancy_at,
            occupancy.observed_guests,
        ) == (None, None, None, None)
        assert services.discrepancies(scene.uow, HOTEL) == ()
        assert board_row(scene, "R102").discrepancy is None

    def test_checkout_resolves_a_skip(self, scene: Scene) -> None:
        """The front office checking the skipped room out resolves the SKIP."""
        scene.checked_in("R101")
        observe(scene, "R101", occupied=False)
        entry = only(services.checkout_room(scene.uow, room_id="R101", staff_id="fd"))
        assert entry.metadata["resolved_discrepancy"] == "SKIP"
        assert scene.occupancy("R101").discrepancy is None
        assert services.discrepancies(scene.uow, HOTEL) == ()

    def test_moving_the_guest_out_resolves_the_rooms_skip(self, scene: Scene) -> None:
        """A move out of the skipped room resolves its SKIP, and the MOVE entry (written on
        the target) says so; the target opens none."""
        scene.checked_in("R101")
        observe(scene, "R101", occupied=False)
        entry = only(
            services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        )
        assert (scene.occupancy("R101").discrepancy, scene.occupancy("R102").discrepancy) == (
            None,
            None,
        )
        assert entry.metadata["source_resolved_discrepancy"] == "SKIP"
        assert "resolved_discrepancy" not in entry.metadata
        assert services.discrepancies(scene.uow, HOTEL) == ()

    def test_a_new_party_resolves_a_person(self, scene: Scene) -> None:
        """update_party of the room's in-house booking resolves its PERSON."""
        booking_id = scene.checked_in("R201", 2)
        observe(scene, "R201", occupied=True, guests=3)
        party = [*scene.stored_booking(booking_id).party, ho.BookingGuest("third", "T", "Hird")]
        entry = only(
            services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=party)
        )
        assert (entry.room_id, entry.metadata["resolved_discrepancy"]) == ("R201", "PERSON")
        assert scene.occupancy("R201").discrepancy is None
        assert services.discrepancies(scene.uow, HOTEL) == ()

    def test_new_dates_resolve_a_person(self, scene: Scene) -> None:
        """change_stay of the room's in-house booking resolves its PERSON, and the record
        keeps the new expected checkout."""
        booking_id = scene.checked_in("R101", 2)
        observe(scene, "R101", occupied=True, guests=1)
        entry = only(
            services.change_stay(
                scene.uow, booking_id=booking_id, staff_id="fd", departure=date(2026, 3, 14)
            )
        )
        assert (entry.room_id, entry.metadata["resolved_discrepancy"]) == ("R101", "PERSON")
        occupancy = scene.occupancy("R101")
        assert (occupancy.discrepancy, occupancy.discrepancy_by) == (None, None)
        assert occupancy.expected_checkout == datetime(2026, 3, 14, 11, tzinfo=UTC)
        assert services.discrepancies(scene.uow, HOTEL) == ()

    def test_unassigning_a_pre_assigned_room_resolves_its_sleep(self, scene: Scene) -> None:
        """A SLEEP on a pre-assigned room is resolved by the front office unassigning it."""
        booking_id = scene.pre_assigned("R103")
        entry = observe(scene, "R103", occupied=True)
        assert (entry.metadata["variant"], entry.booking_id) == ("SLEEP", booking_id)
        unassigned = only(services.unassign_room(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert unassigned.metadata["resolved_discrepancy"] == "SLEEP"
        assert scene.occupancy("R103").discrepancy is None
        assert services.discrepancies(scene.uow, HOTEL) == ()

    def test_an_open_sleep_keeps_arrivals_out_of_the_room(self, scene: Scene) -> None:
        """With an open SLEEP, assigning (checked in or not), checking in the room's
        booking, reassigning or moving into it are RoomNotAvailable, changing nothing."""
        waiting = scene.pre_assigned("R103")
        elsewhere = scene.pre_assigned("R104")
        scene.checked_in("R101")
        loose = scene.booking()
        observe(scene, "R102", occupied=True, guests=1)
        observe(scene, "R103", occupied=True, guests=1)
        for check_in in (True, False):
            scene.refused(
                ho.RoomNotAvailable,
                services.assign_room,
                booking_id=loose,
                room_id="R102",
                staff_id="fd",
                check_in=check_in,
            )
        scene.refused(ho.RoomNotAvailable, services.check_in, booking_id=waiting, staff_id="fd")
        scene.refused(
            ho.RoomNotAvailable,
            services.reassign_room,
            booking_id=elsewhere,
            to_room_id="R102",
            staff_id="fd",
        )
        scene.refused(
            ho.RoomNotAvailable,
            services.move_guest,
            from_room_id="R101",
            to_room_id="R102",
            staff_id="fd",
        )
        observe(scene, "R102", occupied=False)
        entries = services.assign_room(scene.uow, booking_id=loose, room_id="R102", staff_id="fd")
        assert [e.operation for e in entries] == [Op.ASSIGN, Op.CHECKIN]

    def test_discrepancies_list_each_report_in_natural_room_order_for_the_hotel_only(
        self, scene: Scene
    ) -> None:
        """Each row: room, number, kind, front office's status, booking and guests, what was
        seen, who reported it and when (UTC and the hotel's local time), rooms "2" before
        "9" before "10"; another hotel's reports are not listed."""
        scene.register_hotel(
            "HP",
            [("RP10", "10", 2), ("RP9", "9", 2), ("RP2", "2", None)],
            [("fdP", ho.StaffRole.FRONT_DESK), ("hkP", HOUSEKEEPING)],
            timezone="Europe/Paris",
        )
        person = scene.checked_in("RP10", 2, hotel_id="HP", staff_id="fdP")
        skip = scene.checked_in("RP2", 1, hotel_id="HP", staff_id="fdP")
        observe(scene, "R102", occupied=True)  # hotel H
        reports = {
            "RP10": observe(scene, "RP10", True, 1, staff_id="hkP"),
            "RP9": observe(scene, "RP9", True, 2, staff_id="hkP"),
            "RP2": observe(scene, "RP2", False, 0, staff_id="hkP"),
        }
        rows = services.discrepancies(scene.uow, "HP")
        assert [
            (
                r.room_id,
                r.number,
                r.kind,
                r.status,
                r.booking_id,
                r.expected_guests,
                r.observed_occupied,
                r.observed_guests,
                r.reported_by,
            )
            for r in rows
        ] == [
            ("RP2", "2", Kind.SKIP, OCC, skip, 1, False, 0, "hkP"),
            ("RP9", "9", Kind.SLEEP, VC, None, 0, True, 2, "hkP"),
            ("RP10", "10", Kind.PERSON, OCC, person, 2, True, 1, "hkP"),
        ]
        for row in rows:
            assert row.reported_at == reports[row.room_id].timestamp
            assert row.reported_at_local is not None
            assert row.reported_at_local == row.reported_at
            assert row.reported_at_local.utcoffset() == timedelta(hours=1)  # CET in March
        assert [r.room_id for r in services.discrepancies(scene.uow, HOTEL)] == ["R102"]
        scene.refused(ho.HotelNotFound, services.discrepancies, "nowhere")

    # --- the night audit ----------------------------------------------------------------------

    def test_the_night_audit_orders_stayover_cleaning_of_clean_occupied_rooms(
        self, scene: Scene
    ) -> None:
        """Occupied CLEAN and INSPECTED rooms become DIRTY with a CLEANING task (NIGHT_AUDIT,
        in room order); vacant rooms and dirty occupied rooms are left alone."""
        services.inspect_room(scene.uow, room_id="R102", staff_id="sup")
        clean = scene.checked_in("R101")
        inspected = scene.checked_in("R102")
        dirty = scene.checked_in("R201")
        scene.dirty("R201")
        dirty_task = open_task(scene, "R201")
        scene.dirty("R104")
        before = scene.snapshot()
        events = len(scene.notifier.events)
        entries = audit(scene)
        assert [(e.room_id, shape(e)) for e in entries] == [
            ("R101", (Op.NIGHT_AUDIT, OCC, OCC, CLEAN, DIRTY)),
            ("R102", (Op.NIGHT_AUDIT, OCC, OCC, INSPECTED, DIRTY)),
        ]
        assert [e.booking_id for e in entries] == [clean, inspected]
        assert {(e.performed_by, e.timestamp) for e in entries} == {("fd", entries[0].timestamp)}
        assert [e.metadata["variant"] for e in entries] == ["stayover", "stayover"]
        assert [e.metadata["business_date"] for e in entries] == ["2026-03-10"] * 2
        assert entries[0].id < entries[1].id
        for room_id, booking_id in (("R101", clean), ("R102", inspected)):
            task = open_task(scene, room_id)
            assert (task.kind, task.status, task.booking_id, task.created_by) == (
                CLEANING_TASK,
                OPEN,
                booking_id,
                "fd",
            )
        assert open_task(scene, "R201") == dirty_task
        assert scene.occupancy("R201").booking_id == dirty
        after = scene.snapshot()
        for room_id in ("R103", "R104", "R201"):
            assert [o for o in after.occupancies if o.room_id == room_id] == [
                o for o in before.occupancies if o.room_id == room_id
            ]
        assert [e.entry_id for e in scene.notifier.events[events:]] == [e.id for e in entries]
        record = stored_audit(scene, TODAY)
        assert record is not None
        assert (record.hotel_id, record.business_date, record.performed_by) == (
            HOTEL,
            TODAY,
            "fd",
        )
        assert (record.performed_at, record.rooms_changed) == (entries[0].timestamp, 2)

    def test_the_night_audit_resets_every_guest_service_status(self, scene: Scene) -> None:
        """A dirty room with a status is only reset ("service-reset"); a clean one with a
        status gets its stayover cleaning and the reset at once; the board shows NONE."""
        scene.checked_in("R101")
        scene.checked_in("R102")
        scene.dirty("R102")
        set_status(scene, "R101", Status.DND)
        set_status(scene, "R102", Status.SERVICE_REFUSED)
        scene.checked_in("R103")
        set_status(scene, "R103", Status.MAKE_UP_ROOM)  # now DIRTY
        entries = audit(scene)
        assert [(e.room_id, e.metadata["variant"], shape(e)) for e in entries] == [
            ("R101", "stayover", (Op.NIGHT_AUDIT, OCC, OCC, CLEAN, DIRTY)),
            ("R102", "service-reset", (Op.NIGHT_AUDIT, OCC, OCC, DIRTY, DIRTY)),
            ("R103", "service-reset", (Op.NIGHT_AUDIT, OCC, OCC, DIRTY, DIRTY)),
        ]
        assert [
            (e.metadata["service_status_before"], e.metadata["service_status_after"])
            for e in entries
        ] == [("DND", "NONE"), ("SERVICE_REFUSED", "NONE"), ("MAKE_UP_ROOM", "NONE")]
        for row in services.room_board(scene.uow, HOTEL):
            assert row.service_status is Status.NONE, row.room_id
        for room_id in ("R101", "R102", "R103"):
            assert open_task(scene, room_id).kind is CLEANING_TASK

    def test_stayovers_every_second_night_are_cleaned_on_the_second_night_only(
        self, scene: Scene
    ) -> None:
        """With stayover_every=2 the first night's audit leaves the room clean and the
        second night's makes it dirty."""
        services.update_hotel(scene.uow, hotel_id=HOTEL, stayover_every=2)
        assert scene.snapshot().hotels[0].stayover_every == 2
        scene.checked_in("R101", departure=date(2026, 3, 14))
        assert audit(scene) == ()
        assert scene.occupancy("R101").condition is CLEAN
        scene.clock.advance(days=1)
        entry = only(audit(scene, TOMORROW))
        assert (entry.room_id, shape(entry)) == ("R101", (Op.NIGHT_AUDIT, OCC, OCC, CLEAN, DIRTY))
        scene.clean("R101")
        scene.clock.advance(days=1)
        assert audit(scene, TOMORROW + timedelta(days=1)) == ()

    def test_a_hotel_that_never_cleans_stayovers_gets_no_stayover_cleaning(
        self, scene: Scene
    ) -> None:
        """stayover_every=0 (given to register_hotel): no night's audit dirties a room."""
        services.register_hotel(scene.uow, hotel_id="H0", name="Hotel H0", stayover_every=0)
        services.register_room(scene.uow, hotel_id="H0", room_id="R0", number="1")
        services.register_staff(
            scene.uow, hotel_id="H0", staff_id="fd0", name="FD0", role=ho.StaffRole.FRONT_DESK
        )
        scene.checked_in("R0", hotel_id="H0", staff_id="fd0", departure=date(2026, 3, 14))
        for night in range(3):
            day = TODAY + timedelta(days=night)
            assert (
                services.night_audit(scene.uow, hotel_id="H0", business_date=day, staff_id="fd0")
                == ()
            )
            scene.clock.advance(days=1)
        assert scene.occupancy("R0").condition is CLEAN
        assert scene.stored_tasks("R0") == []

    def test_a_window_ending_on_the_business_date_returns_its_room(self, scene: Scene) -> None:
        """Out of order or in maintenance until the business date: the audit returns the
        room in its return condition (DIRTY with a CLEANING task, or CLEAN), the
        maintenance task done; a window ending later stays, until its own night."""
        entry = only(
            services.set_out_of_order(
                scene.uow,
                room_id="R103",
                staff_id="mnt",
                reason="paint",
                until=TODAY,
                return_condition=CLEAN,
            )
        )
        assert (entry.metadata["until"], entry.metadata["return_condition"]) == (
            "2026-03-10",
            "CLEAN",
        )
        occupancy = scene.occupancy("R103")
        assert (occupancy.out_of_service_until, occupancy.return_condition) == (TODAY, CLEAN)
        services.start_maintenance(
            scene.uow, room_id="R104", staff_id="mnt", reason="leak", until=TODAY
        )
        repair = open_task(scene, "R104")
        services.set_out_of_order(
            scene.uow, room_id="R201", staff_id="mnt", reason="floor", until=TOMORROW
        )
        entries = audit(scene)
        assert [(e.room_id, e.metadata["variant"], shape(e)) for e in entries] == [
            ("R103", "return-CLEAN", (Op.NIGHT_AUDIT, OOO, VC, CLEAN, CLEAN)),
            ("R104", "return-DIRTY", (Op.NIGHT_AUDIT, MAINT, VD, CLEAN, DIRTY)),
        ]
        assert scene.stored_tasks("R103") == []
        done, cleaning = scene.stored_tasks("R104")
        assert (done.task_id, done.kind, done.status) == (
            repair.task_id,
            ho.TaskKind.MAINTENANCE,
            DONE,
        )
        assert (cleaning.kind, cleaning.status) == (CLEANING_TASK, OPEN)
        for room_id in ("R103", "R104"):
            occupancy = scene.occupancy(room_id)
            assert (occupancy.out_of_service_until, occupancy.return_condition) == (None, None)
        assert scene.occupancy("R201").status is OOO
        scene.clock.advance(days=1)
        returned = only(audit(scene, TOMORROW))
        assert (returned.room_id, shape(returned)) == (
            "R201",
            (Op.NIGHT_AUDIT, OOO, VD, CLEAN, DIRTY),
        )
        assert open_task(scene, "R201").kind is CLEANING_TASK

    def test_a_room_returned_clean_by_the_audit_awaits_inspection_where_required(
        self, scene: Scene
    ) -> None:
        """In a hotel requiring inspection, a window returning CLEAN opens an INSPECTION
        task, one returning DIRTY a CLEANING task."""
        scene.inspected_hotel()
        services.register_staff(
            scene.uow, hotel_id="HI", staff_id="mntI", name="MNTI", role=ho.StaffRole.MAINTENANCE
        )
        services.start_maintenance(
            scene.uow,
            room_id="RI1",
            staff_id="mntI",
            reason="boiler",
            until=TODAY,
            return_condition=CLEAN,
        )
        services.set_out_of_order(
            scene.uow, room_id="RI2", staff_id="mntI", reason="paint", until=TODAY
        )
        entries = services.night_audit(
            scene.uow, hotel_id="HI", business_date=TODAY, staff_id="fdI"
        )
        assert [(e.room_id, shape(e)) for e in entries] == [
            ("RI1", (Op.NIGHT_AUDIT, MAINT, VC, CLEAN, CLEAN)),
            ("RI2", (Op.NIGHT_AUDIT, OOO, VD, CLEAN, DIRTY)),
        ]
        assert [(t.kind, t.status) for t in scene.stored_tasks("RI1")] == [
            (ho.TaskKind.MAINTENANCE, DONE),
            (ho.TaskKind.INSPECTION, OPEN),
        ]
        assert open_task(scene, "RI2").kind is CLEANING_TASK

    def test_an_out_of_service_window_cannot_end_before_today(self, scene: Scene) -> None:
        """until before today (the hotel's local date) is InvalidInput, changing nothing."""
        for call in (services.set_out_of_order, services.start_maintenance):
            scene.refused(
                ho.InvalidInput, call, room_id="R103", staff_id="mnt", reason="x", until=YESTERDAY
            )

    def test_the_first_audit_entry_names_the_overdue_departures(self, scene: Scene) -> None:
        """The bookings in house with a departure on or before the business date are in the
        first entry's metadata (a JSON list) with their count, as departures() lists them."""
        leaving = scene.checked_in("R101", departure=TODAY)
        scene.checked_in("R102")
        also_leaving = scene.checked_in("R103", departure=TODAY)
        first, *others = audit(scene)
        assert first.room_id == "R101"
        assert json.loads(str(first.metadata["overdue_departures"])) == sorted(
            [leaving, also_leaving]
        )
        assert first.metadata["overdue_count"] == 2
        assert [e.room_id for e in others] == ["R102", "R103"]
        for entry in others:
            assert "overdue_departures" not in entry.metadata
        assert {r.booking_id for r in services.departures(scene.uow, HOTEL, TODAY)} == {
            leaving,
            also_leaving,
        }

    def test_a_second_audit_of_the_same_date_returns_the_first_ones_entries(
        self, scene: Scene
    ) -> None:
        """Called again for the date, even by another permitted member, the audit returns
        the very same entries and changes nothing, publishing nothing."""
        scene.checked_in("R101")
        scene.checked_in("R102")
        first = audit(scene)
        assert len(first) == 2
        record = stored_audit(scene, TODAY)
        before = scene.state()
        assert audit(scene, staff_id="mgr") == first
        assert audit(scene) == first
        assert scene.state() == before
        assert stored_audit(scene, TODAY) == record

    def test_an_audit_of_a_date_after_today_or_before_the_last_one_is_refused(
        self, scene: Scene
    ) -> None:
        """A business date after today (the hotel's local date), or before the last one
        audited, is InvalidTransition, changing nothing."""
        scene.checked_in("R101")
        scene.refused(
            ho.InvalidTransition,
            services.night_audit,
            hotel_id=HOTEL,
            business_date=TOMORROW,
            staff_id="fd",
        )
        assert stored_audit(scene, TOMORROW) is None
        scene.clock.advance(days=1)
        assert only(audit(scene, TOMORROW)).room_id == "R101"
        scene.refused(
            ho.InvalidTransition,
            services.night_audit,
            hotel_id=HOTEL,
            business_date=TODAY,
            staff_id="fd",
        )
        assert stored_audit(scene, TODAY) is None

    def test_the_night_audit_is_for_the_front_desk_and_managers(self, scene: Scene) -> None:
        """Housekeeping and maintenance staff are PermissionDenied; the manager may."""
        scene.checked_in("R101")
        for staff_id in ("hk", "sup", "mnt"):
            scene.refused(
                ho.PermissionDenied,
                services.night_audit,
                hotel_id=HOTEL,
                business_date=TODAY,
                staff_id=staff_id,
            )
        assert only(audit(scene, staff_id="mgr")).performed_by == "mgr"

    def test_an_audit_with_nothing_to_do_returns_nothing_and_is_still_done(
        self, scene: Scene
    ) -> None:
        """Nothing to change (the one stay already dirty, no status, no window): () and
        nothing changed; a second call (); the date is audited all the same, so a date
        before it is then InvalidTransition."""
        scene.checked_in("R101")
        scene.dirty("R101")
        scene.clock.advance(days=1)
        before = scene.state()
        assert audit(scene, TOMORROW) == ()
        assert scene.state() == before
        assert audit(scene, TOMORROW) == ()
        record = stored_audit(scene, TOMORROW)
        assert record is not None
        assert (record.performed_by, record.rooms_changed) == ("fd", 0)
        scene.refused(
            ho.InvalidTransition,
            services.night_audit,
            hotel_id=HOTEL,
            business_date=TODAY,
            staff_id="fd",
        )

    # --- assign_task ----------------------------------------------------------------------

    def test_assign_task_gives_an_open_task_to_an_attendant(self, scene: Scene) -> None:
        """The task records its assigned_to; nothing is logged or published; the
        attendant's worksheet lists it."""
        scene.dirty("R103")
        task = open_task(scene, "R103")
        log, events = scene.snapshot().log, tuple(scene.notifier.events)
        assert (
            services.assign_task(scene.uow, task_id=task.task_id, assignee_id="hk", staff_id="sup")
            == ()
        )
        assert open_task(scene, "R103").assigned_to == "hk"
        assert (scene.snapshot().log, tuple(scene.notifier.events)) == (log, events)
        assert [line.task_id for line in services.worksheet(scene.uow, HOTEL, "hk").lines] == [
            task.task_id
        ]
        services.assign_task(scene.uow, task_id=task.task_id, assignee_id="sup", staff_id="mgr")
        assert open_task(scene, "R103").assigned_to == "sup"
        assert services.worksheet(scene.uow, HOTEL, "hk").lines == ()

    def test_assign_task_refuses_staff_who_do_not_clean(self, scene: Scene) -> None:
        """A deactivated attendant or a front-desk member is InvalidTransition."""
        second_attendant(scene)
        services.deactivate_staff(scene.uow, staff_id="hk2")
        scene.dirty("R103")
        task = open_task(scene, "R103")
        for assignee_id in ("hk2", "fd", "mnt"):
            scene.refused(
                ho.InvalidTransition,
                services.assign_task,
                task_id=task.task_id,
                assignee_id=assignee_id,
                staff_id="sup",
            )

    def test_assign_task_refuses_a_closed_or_unknown_task(self, scene: Scene) -> None:
        """A done task is InvalidTransition, an unknown one TaskNotFound."""
        scene.dirty("R103")
        task = open_task(scene, "R103")
        scene.clean("R103")
        scene.refused(
            ho.InvalidTransition,
            services.assign_task,
            task_id=task.task_id,
            assignee_id="hk",
            staff_id="sup",
        )
        scene.refused(
            ho.TaskNotFound,
            services.assign_task,
            task_id="nothing",
            assignee_id="hk",
            staff_id="sup",
        )

    def test_assign_task_refuses_another_hotels_attendant_and_non_supervisors(
        self, scene: Scene
    ) -> None:
        """An attendant of another hotel is HotelMismatch; housekeeping and front desk
        giving tasks are PermissionDenied."""
        scene.second_hotel()
        services.register_staff(
            scene.uow, hotel_id="H2", staff_id="hk-2", name="HK-2", role=HOUSEKEEPING
        )
        scene.dirty("R103")
        task = open_task(scene, "R103")
        scene.refused(
            ho.HotelMismatch,
            services.assign_task,
            task_id=task.task_id,
            assignee_id="hk-2",
            staff_id="sup",
        )
        for staff_id in ("hk", "fd"):
            scene.refused(
                ho.PermissionDenied,
                services.assign_task,
                task_id=task.task_id,
                assignee_id="hk",
                staff_id=staff_id,
            )

    # --- worksheets ------------------------------------------------------------------------

    def test_worksheets_share_the_work_by_credits_most_urgent_first(self, scene: Scene) -> None:
        """Queued arrival, pre-assigned arrival, vacant dirty, make-up room, stayover, DND:
        each to the attendant with the fewest credits so far (the first on a tie)."""
        day_of_work(scene)
        plan = generate(scene)
        hk, hk2 = plan.sheets
        assert (hk.staff_id, hk2.staff_id) == ("hk", "hk2")
        assert [(x.number, x.priority, x.credits, x.service_status) for x in hk.lines] == [
            ("201", Priority.QUEUED_ARRIVAL, 2, Status.NONE),
            ("103", Priority.VACANT_DIRTY, 2, Status.NONE),
            ("101", Priority.KEEP_OUT, 1, Status.DND),
        ]
        assert [(x.number, x.priority, x.credits, x.service_status) for x in hk2.lines] == [
            ("104", Priority.ARRIVAL, 2, Status.NONE),
            ("102", Priority.MAKE_UP_ROOM, 1, Status.MAKE_UP_ROOM),
            ("105", Priority.STAYOVER, 1, Status.NONE),
        ]
        assert (hk.credits, hk2.credits) == (5, 4)
        assert plan.overflow == ()
        assert {line.kind for line in (*hk.lines, *hk2.lines)} == {CLEANING_TASK}
        order = {x.task_id: x.number for x in (*hk.lines, *hk2.lines)}
        assert [(order[t], s) for t, s in plan.assignments] == [
            ("201", "hk"),
            ("104", "hk2"),
            ("103", "hk"),
            ("102", "hk2"),
            ("105", "hk2"),
            ("101", "hk"),
        ]
        assert assigned_numbers(scene) == {
            "201": "hk",
            "103": "hk",
            "101": "hk",
            "104": "hk2",
            "102": "hk2",
            "105": "hk2",
        }
        assert services.worksheet(scene.uow, HOTEL, "hk") == hk
        assert services.worksheet(scene.uow, HOTEL, "hk2") == hk2

    def test_nobody_gets_more_than_max_credits_and_the_rest_is_overflow(self, scene: Scene) -> None:
        """What fits nobody within max_credits is overflow, in work order, given to no one."""
        day_of_work(scene)
        plan = generate(scene, max_credits=3)
        assert [numbers(s) for s in plan.sheets] == [["201", "102"], ["104", "105"]]
        assert [line.number for line in plan.overflow] == ["103", "101"]
        assert [s.credits for s in plan.sheets] == [3, 3]
        stored = assigned_numbers(scene)
        assert (stored["103"], stored["101"]) == (None, None)
        assert numbers(services.worksheet(scene.uow, HOTEL, "hk")) == ["201", "102"]

    def test_worksheets_reads_every_sheet_and_the_overflow_back(self, scene: Scene) -> None:
        """worksheets() gives the sheets as stored (one per staff member holding a task, by
        staff id) and the unheld unstarted tasks as overflow: the plan just generated."""
        day_of_work(scene)
        plan = generate(scene, max_credits=3)
        assert services.worksheets(scene.uow, HOTEL) == plan
        services.assign_task(
            scene.uow, task_id=open_task(scene, "R101").task_id, assignee_id="sup", staff_id="sup"
        )
        current = services.worksheets(scene.uow, HOTEL)
        assert [s.staff_id for s in current.sheets] == ["hk", "hk2", "sup"]
        assert [numbers(s) for s in current.sheets] == [["201", "102"], ["104", "105"], ["101"]]
        assert [line.number for line in current.overflow] == ["103"]

    def test_a_started_task_keeps_its_cleaner_and_counts_on_their_sheet(self, scene: Scene) -> None:
        """A cleaning in progress stays with its attendant, in work order on their sheet,
        its credits counted; it is never dealt out again."""
        day_of_work(scene)
        services.start_cleaning(scene.uow, room_id="R103", staff_id="hk2")
        started = open_task(scene, "R103")
        plan = generate(scene)
        assert [numbers(s) for s in plan.sheets] == [["201", "104", "101"], ["103", "102", "105"]]
        line = plan.sheets[1].lines[0]
        assert (line.task_id, line.status) == (started.task_id, IN_PROGRESS)
        assert started.task_id not in {t for t, _ in plan.assignments}
        assert open_task(scene, "R103") == started
        alone = generate(scene, ("hk",))
        assert "103" not in numbers(alone.sheets[0])
        assert open_task(scene, "R103").assigned_to == "hk2"

    def test_worksheets_generated_again_give_the_same_sheets(self, scene: Scene) -> None:
        """The same inputs give the same plan, store the same assignments, and nothing is
        logged or published."""
        day_of_work(scene)
        log, events = scene.snapshot().log, tuple(scene.notifier.events)
        first = generate(scene)
        stored = scene.snapshot().tasks
        assert generate(scene) == first
        assert [(t.task_id, t.assigned_to) for t in scene.snapshot().tasks] == [
            (t.task_id, t.assigned_to) for t in stored
        ]
        assert (scene.snapshot().log, tuple(scene.notifier.events)) == (log, events)
        for sheet in first.sheets:
            assert services.worksheet(scene.uow, HOTEL, sheet.staff_id) == sheet

    def test_worksheet_lines_carry_the_hotels_credits(self, scene: Scene) -> None:
        """checkout_credits for a vacant room's cleaning, stayover_credits for an occupied
        room's, as the hotel sets them."""
        day_of_work(scene)
        services.update_hotel(scene.uow, hotel_id=HOTEL, checkout_credits=3, stayover_credits=2)
        plan = generate(scene)
        credits = {x.number: x.credits for s in plan.sheets for x in s.lines}
        assert credits == {"201": 3, "104": 3, "103": 3, "102": 2, "105": 2, "101": 2}
        assert [s.credits for s in plan.sheets] == [8, 7]
        assert sum(x.credits for x in services.worksheet(scene.uow, HOTEL, "hk").lines) == 8

    def test_generate_worksheets_refuses_attendants_who_cannot_take_them(
        self, scene: Scene
    ) -> None:
        """A front-desk attendant or a deactivated one is InvalidTransition, another hotel's
        HotelMismatch, an unknown one StaffNotFound; housekeeping may not share the work."""
        day_of_work(scene)
        scene.second_hotel()
        services.deactivate_staff(scene.uow, staff_id="hk2")
        for attendants, error in (
            (("hk", "fd"), ho.InvalidTransition),
            (("hk", "hk2"), ho.InvalidTransition),
            (("hk", "fd2"), ho.HotelMismatch),
            (("hk", "nobody"), ho.StaffNotFound),
        ):
            scene.refused(
                error,
                services.generate_worksheets,
                hotel_id=HOTEL,
                attendants=attendants,
                staff_id="sup",
            )
        scene.refused(
            ho.PermissionDenied,
            services.generate_worksheets,
            hotel_id=HOTEL,
            attendants=("hk",),
            staff_id="hk",
        )
        # §6's order: the attendants exist and share the hotel before permission is checked
        unknown_or_foreign: tuple[tuple[tuple[str, ...], type[ho.RoomOccupancyError]], ...] = (
            (("nobody",), ho.StaffNotFound),
            (("fd2",), ho.HotelMismatch),
        )
        for names, refusal in unknown_or_foreign:
            scene.refused(
                refusal,
                services.generate_worksheets,
                hotel_id=HOTEL,
                attendants=names,
                staff_id="hk",
            )

    def test_a_replayed_request_gives_the_plan_it_gave(self, scene: Scene) -> None:
        """generate_worksheets again with the same request_id shares nothing again and
        returns the same plan (sheets, overflow and assignments in work order)."""
        day_of_work(scene)
        kwargs = {"hotel_id": HOTEL, "attendants": ("hk", "hk2"), "staff_id": "sup"}
        plan = services.generate_worksheets(scene.uow, request_id="ws-1", **kwargs)  # type: ignore[arg-type]
        before = scene.state()
        assert services.generate_worksheets(scene.uow, request_id="ws-1", **kwargs) == plan  # type: ignore[arg-type]
        assert scene.state() == before

    # --- the board --------------------------------------------------------------------------

    def test_board_rows_carry_service_status_discrepancy_and_queue(self, scene: Scene) -> None:
        """Each row shows its guests' service status, its open discrepancy and whether the
        booking awaiting it (pre-assigned or arriving) waits at the desk."""
        scene.checked_in("R101")
        set_status(scene, "R101", Status.DND)
        observe(scene, "R101", occupied=False)
        observe(scene, "R102", occupied=True, guests=1)
        queued = scene.pre_assigned("R103")
        services.queue_arrival(scene.uow, booking_id=queued, staff_id="fd")
        scene.checked_in("R104", departure=TODAY)
        arriving = scene.booking()
        services.assign_room(
            scene.uow, booking_id=arriving, room_id="R104", staff_id="fd", check_in=False
        )
        services.queue_arrival(scene.uow, booking_id=arriving, staff_id="fd")
        scene.pre_assigned("R201")
        board = services.room_board(scene.uow, HOTEL)
        assert [(r.room_id, r.service_status, r.discrepancy, r.queued) for r in board] == [
            ("R101", Status.DND, Kind.SKIP, False),
            ("R102", Status.NONE, Kind.SLEEP, False),
            ("R103", Status.NONE, None, True),
            ("R104", Status.NONE, None, True),
            ("R201", Status.NONE, None, False),
        ]

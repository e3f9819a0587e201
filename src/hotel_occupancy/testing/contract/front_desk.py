"""The contract on the front desk (SPEC §9): bookings that change, arrivals into due-out
rooms, the queue at the desk, the hotel's stay-date policy, and the day's lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    ARRIVAL,
    CLEAN,
    DEPARTURE,
    DIRTY,
    HOTEL,
    OCC,
    VC,
    VD,
    Op,
    Scene,
    SceneContract,
    only,
    shape,
)

Stage = ho.BookingStage
TODAY = ARRIVAL  # the scene's clock starts on the afternoon of the arrival day
LATER = date(2026, 3, 14)


def due_out_room(scene: Scene, room_id: str = "R101", guests: int = 1) -> str:
    """A booking checked into ``room_id`` that departs today (the scene's first day); its id."""
    return scene.checked_in(room_id, guests, departure=TODAY)


class FrontDeskContract(SceneContract):
    """``change_stay``, ``update_party``, ``cancel_booking``, ``mark_no_show``,
    ``queue_arrival``, arrivals into due-out rooms, ``update_hotel`` with
    ``enforce_stay_dates``, and ``get_booking``, ``arrivals``, ``departures``,
    ``in_house``."""

    # --- change_stay ----------------------------------------------------------------------

    def test_new_dates_of_an_unassigned_booking_are_logged_on_the_booking_alone(
        self, scene: Scene
    ) -> None:
        """change_stay of a booking holding no room logs STAY_CHANGE without room or state."""
        booking_id = scene.booking()
        entry = only(
            services.change_stay(
                scene.uow,
                booking_id=booking_id,
                staff_id="fd",
                arrival=date(2026, 3, 11),
                departure=LATER,
                notes="guest called",
            )
        )
        assert entry.operation is Op.STAY_CHANGE
        assert (entry.room_id, entry.booking_id, entry.notes) == (None, booking_id, "guest called")
        assert shape(entry)[1:] == (None, None, None, None)
        assert entry.is_booking_only
        assert not entry.is_imported_history
        assert dict(entry.metadata) == {
            "action": "change_stay",
            "role": "FRONT_DESK",
            "arrival_before": "2026-03-10",
            "arrival_after": "2026-03-11",
            "departure_before": "2026-03-12",
            "departure_after": "2026-03-14",
        }
        stored = scene.stored_booking(booking_id)
        assert (stored.arrival, stored.departure) == (date(2026, 3, 11), LATER)
        assert services.booking_history(scene.uow, booking_id) == (entry,)
        event = scene.notifier.events[-1]
        assert (event.entry_id, event.room_id, event.status_after) == (entry.id, None, None)

    def test_a_new_departure_of_an_in_house_booking_moves_its_expected_checkout(
        self, scene: Scene
    ) -> None:
        """In house, STAY_CHANGE is logged on the room and expected_checkout follows."""
        booking_id = scene.checked_in("R101")
        entry = only(
            services.change_stay(scene.uow, booking_id=booking_id, staff_id="fd", departure=LATER)
        )
        assert shape(entry) == (Op.STAY_CHANGE, OCC, OCC, CLEAN, CLEAN)
        assert (entry.room_id, entry.booking_id) == ("R101", booking_id)
        assert entry.metadata["departure_after"] == "2026-03-14"
        assert scene.occupancy("R101").expected_checkout == datetime(2026, 3, 14, 11, tzinfo=UTC)
        assert services.room_history(scene.uow, "R101")[0] == entry

    def test_an_in_house_booking_keeps_its_arrival_and_cannot_leave_before_today(
        self, scene: Scene
    ) -> None:
        """In house, a new arrival or a departure before today is BookingNotAssignable."""
        booking_id = scene.checked_in("R101")
        scene.refused(
            ho.BookingNotAssignable,
            services.change_stay,
            booking_id=booking_id,
            staff_id="fd",
            arrival=date(2026, 3, 9),
        )
        scene.refused(
            ho.InvalidInput,
            services.change_stay,
            booking_id=booking_id,
            staff_id="fd",
            departure=date(2026, 3, 9),
        )
        scene.clock.advance(days=1)  # now 11 March: leaving on the 10th is in the past
        scene.refused(
            ho.BookingNotAssignable,
            services.change_stay,
            booking_id=booking_id,
            staff_id="fd",
            departure=TODAY,
        )
        shortened = services.change_stay(
            scene.uow, booking_id=booking_id, staff_id="fd", departure=date(2026, 3, 11)
        )
        assert only(shortened).metadata["departure_after"] == "2026-03-11"

    def test_dates_that_change_nothing_log_nothing(self, scene: Scene) -> None:
        """The same dates again return () and change nothing: a sync may repeat itself."""
        booking_id = scene.checked_in("R101")
        before = scene.state()
        assert (
            services.change_stay(
                scene.uow, booking_id=booking_id, staff_id="fd", departure=DEPARTURE
            )
            == ()
        )
        assert scene.state() == before

    def test_change_stay_refuses_bad_dates_and_closed_bookings(self, scene: Scene) -> None:
        """No dates, or a departure before the arrival, is InvalidInput; a departed or
        cancelled booking is BookingNotAssignable."""
        booking_id = scene.booking()
        scene.refused(ho.InvalidInput, services.change_stay, booking_id=booking_id, staff_id="fd")
        scene.refused(
            ho.InvalidInput,
            services.change_stay,
            booking_id=booking_id,
            staff_id="fd",
            departure=date(2026, 3, 9),
        )
        departed = scene.checked_in("R102")
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        scene.refused(
            ho.BookingNotAssignable,
            services.change_stay,
            booking_id=departed,
            staff_id="fd",
            departure=LATER,
        )
        services.cancel_booking(scene.uow, booking_id=booking_id, staff_id="fd")
        scene.refused(
            ho.BookingNotAssignable,
            services.change_stay,
            booking_id=booking_id,
            staff_id="fd",
            departure=LATER,
        )

    # --- update_party ---------------------------------------------------------------------

    def test_before_check_in_a_new_party_replaces_the_old_one(self, scene: Scene) -> None:
        """update_party of a booking not in house replaces its party, counting the change."""
        booking_id = scene.booking(2)
        party = [
            ho.BookingGuest(f"{booking_id}-g1", "Second", "Now-first"),
            ho.BookingGuest("new-member", "New", "Member"),
        ]
        entry = only(
            services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=party)
        )
        assert (entry.operation, entry.room_id) == (Op.STAY_CHANGE, None)
        assert dict(entry.metadata) == {
            "action": "update_party",
            "role": "FRONT_DESK",
            "party_before": 2,
            "party_after": 2,
            "joined": 1,
            "left": 1,
            "renamed": 1,
        }
        assert services.get_booking(scene.uow, booking_id).booking.party == tuple(party)
        assert scene.stored_guests(booking_id) == []

    def test_in_house_joiners_get_pins_leavers_depart_and_renamed_guests_keep_theirs(
        self, scene: Scene
    ) -> None:
        """In house, a new member gets a guest with a fresh PIN, a removed one departs with
        PIN and token cleared, a renamed one keeps guest id and PIN; the primary stays."""
        booking_id = scene.checked_in("R201", 3)
        primary, renamed, leaving = services.current_guests(scene.uow, "R201")
        services.register_device_token(scene.uow, guest_id=leaving.guest_id, token="phone")
        party = [
            ho.BookingGuest(primary.booking_guest_id, primary.first_name, primary.last_name),
            ho.BookingGuest(renamed.booking_guest_id, "Renamed", "Guest"),
            ho.BookingGuest("joiner", "Join", "Er"),
        ]
        entry = only(
            services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=party)
        )
        assert shape(entry) == (Op.STAY_CHANGE, OCC, OCC, CLEAN, CLEAN)
        assert (entry.metadata["joined"], entry.metadata["left"]) == (1, 1)
        now_in = services.current_guests(scene.uow, "R201")
        assert [g.booking_guest_id for g in now_in] == [
            primary.booking_guest_id,
            renamed.booking_guest_id,
            "joiner",
        ]
        assert now_in[0] == primary
        assert (now_in[1].guest_id, now_in[1].id_pin) == (renamed.guest_id, renamed.id_pin)
        assert (now_in[1].first_name, now_in[1].last_name) == ("Renamed", "Guest")
        joiner = now_in[2]
        assert joiner.guest_type is ho.GuestType.COMPANION
        assert joiner.primary_guest_id == primary.guest_id
        assert joiner.id_pin is not None
        assert joiner.id_pin not in {primary.id_pin, renamed.id_pin}
        assert joiner.check_in_date == TODAY
        gone = only(g for g in scene.stored_guests(booking_id) if g.guest_id == leaving.guest_id)
        assert (gone.check_out_date, gone.id_pin, gone.device_token) == (TODAY, None, None)
        assert leaving.id_pin is not None
        assert services.find_guest_by_pin(scene.uow, HOTEL, leaving.id_pin) is None
        assert services.room_board(scene.uow, HOTEL)[-1].guest_count == 3

    def test_a_member_who_left_can_join_again_with_a_new_guest_record(self, scene: Scene) -> None:
        """Removed then named again, a member is in house again under a fresh guest record."""
        booking_id = scene.checked_in("R101", 2)
        companion = services.current_guests(scene.uow, "R101")[1]
        whole = list(scene.stored_booking(booking_id).party)
        services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=whole[:1])
        services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=whole)
        back = services.current_guests(scene.uow, "R101")
        assert [g.booking_guest_id for g in back] == [m.booking_guest_id for m in whole]
        assert back[1].guest_id != companion.guest_id
        records = [
            g
            for g in scene.stored_guests(booking_id)
            if g.booking_guest_id == whole[1].booking_guest_id
        ]
        assert sorted(g.in_house for g in records) == [False, True]

    def test_update_party_refuses_what_breaks_a_rule(self, scene: Scene) -> None:
        """A new primary in house, another booking's guest id, a party too big for the room
        and an empty party are each refused, changing nothing."""
        booking_id = scene.checked_in("R101", 2)
        other = scene.booking()
        party = list(scene.stored_booking(booking_id).party)
        scene.refused(
            ho.BookingNotAssignable,
            services.update_party,
            booking_id=booking_id,
            staff_id="fd",
            party=[party[1], party[0]],
        )
        scene.refused(
            ho.AlreadyRegistered,
            services.update_party,
            booking_id=booking_id,
            staff_id="fd",
            party=[party[0], ho.BookingGuest(f"{other}-g0", "Taken", "Id")],
        )
        scene.refused(
            ho.CapacityExceeded,
            services.update_party,
            booking_id=booking_id,
            staff_id="fd",
            party=[*party, ho.BookingGuest("third", "One", "Toomany")],
        )
        with pytest.raises(ho.InvalidInput):
            services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=[])
        assert (
            services.update_party(scene.uow, booking_id=booking_id, staff_id="fd", party=party)
            == ()
        )

    # --- cancel_booking and mark_no_show ---------------------------------------------------

    def test_a_cancelled_booking_records_who_and_when_and_can_never_be_assigned(
        self, scene: Scene
    ) -> None:
        """cancel_booking closes an unassigned booking: stage CANCELLED, then every
        assignment, check-in and second cancellation is BookingNotAssignable."""
        booking_id = scene.booking()
        entry = only(
            services.cancel_booking(
                scene.uow, booking_id=booking_id, staff_id="fd", reason="rebooked", request_id="c1"
            )
        )
        assert (entry.operation, entry.room_id, entry.notes) == (Op.STAY_CHANGE, None, "rebooked")
        assert entry.metadata["why"] == "cancelled"
        stored = scene.stored_booking(booking_id)
        assert (stored.cancelled_at, stored.cancelled_by) == (entry.timestamp, "fd")
        assert services.get_booking(scene.uow, booking_id).stage is Stage.CANCELLED
        assert services.cancel_booking(
            scene.uow, booking_id=booking_id, staff_id="fd", reason="rebooked", request_id="c1"
        ) == (entry,)
        for call, kwargs in (
            (services.assign_room, {"room_id": "R101"}),
            (services.assign_room, {"room_id": "R101", "check_in": False}),
            (services.cancel_booking, {}),
            (services.mark_no_show, {}),
            (services.queue_arrival, {}),
        ):
            scene.refused(
                ho.BookingNotAssignable, call, booking_id=booking_id, staff_id="fd", **kwargs
            )

    def test_cancelling_a_pre_assigned_booking_releases_its_room(self, scene: Scene) -> None:
        """The pre-assignment is released with UNASSIGN on the room, saying why."""
        booking_id = scene.pre_assigned("R102")
        entry = only(services.cancel_booking(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert shape(entry) == (Op.UNASSIGN, VC, VC, CLEAN, CLEAN)
        assert (entry.room_id, entry.metadata["why"]) == ("R102", "cancelled")
        assert scene.occupancy("R102").booking_id is None
        view = services.get_booking(scene.uow, booking_id)
        assert (view.stage, view.room_id) == (Stage.CANCELLED, None)

    def test_arrived_bookings_cannot_be_cancelled_or_marked_as_no_shows(self, scene: Scene) -> None:
        """An in-house or departed booking is BookingNotAssignable for both."""
        in_house = scene.checked_in("R101")
        departed = scene.checked_in("R102")
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        for booking_id in (in_house, departed):
            for call in (services.cancel_booking, services.mark_no_show):
                scene.refused(ho.BookingNotAssignable, call, booking_id=booking_id, staff_id="fd")

    def test_a_no_show_needs_its_arrival_day_and_releases_a_pre_assignment(
        self, scene: Scene
    ) -> None:
        """mark_no_show before the arrival date is refused; on it, the room is released."""
        early = scene.booking(arrival=date(2026, 3, 11), departure=LATER)
        scene.refused(
            ho.BookingNotAssignable, services.mark_no_show, booking_id=early, staff_id="fd"
        )
        booking_id = scene.pre_assigned("R103")
        entry = only(services.mark_no_show(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert (entry.operation, entry.room_id, entry.metadata["why"]) == (
            Op.UNASSIGN,
            "R103",
            "no_show",
        )
        stored = scene.stored_booking(booking_id)
        assert (stored.no_show_at, stored.no_show_by) == (entry.timestamp, "fd")
        assert services.get_booking(scene.uow, booking_id).stage is Stage.NO_SHOW
        assert scene.occupancy("R103").booking_id is None

    # --- arrivals into due-out rooms ------------------------------------------------------

    def test_an_arrival_can_be_pre_assigned_to_a_room_whose_guest_leaves_today(
        self, scene: Scene
    ) -> None:
        """assign_room(check_in=False) onto a due-out room makes it the arriving booking."""
        leaving = due_out_room(scene)
        arriving = scene.booking()
        entry = only(
            services.assign_room(
                scene.uow, booking_id=arriving, room_id="R101", staff_id="fd", check_in=False
            )
        )
        assert shape(entry) == (Op.ASSIGN, OCC, OCC, CLEAN, CLEAN)
        assert entry.booking_id == arriving
        occupancy = scene.occupancy("R101")
        assert (occupancy.booking_id, occupancy.arriving_booking_id) == (leaving, arriving)
        assert occupancy.holds(arriving)
        assert occupancy.holds(leaving)
        view = services.get_booking(scene.uow, arriving)
        assert (view.stage, view.room_id, view.arriving) == (Stage.ASSIGNED, "R101", True)
        row = services.room_board(scene.uow, HOTEL)[0]
        assert (row.booking_id, row.arriving_booking_id, row.due_out) == (leaving, arriving, True)
        assert row.overdue  # the scene's clock is past 11:00 on the departure day

    def test_a_room_whose_guest_stays_on_takes_no_arrival(self, scene: Scene) -> None:
        """An occupied room not due out, one already awaited, a check-in onto an occupied
        room and a party too big are each refused."""
        scene.checked_in("R101")  # departs on the 12th
        due_out_room(scene, "R102")
        first = scene.booking()
        services.assign_room(
            scene.uow, booking_id=first, room_id="R102", staff_id="fd", check_in=False
        )
        arriving = scene.booking(3)
        small = scene.booking()
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=small,
            room_id="R101",
            staff_id="fd",
            check_in=False,
        )
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=small,
            room_id="R102",
            staff_id="fd",
            check_in=False,
        )
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=small,
            room_id="R102",
            staff_id="fd",
        )
        due_out_room(scene, "R103")
        scene.refused(
            ho.CapacityExceeded,
            services.assign_room,
            booking_id=arriving,
            room_id="R103",
            staff_id="fd",
            check_in=False,
        )
        scene.refused(
            ho.BookingNotAssignable,
            services.assign_room,
            booking_id=first,
            room_id="R104",
            staff_id="fd",
            check_in=False,
        )

    def test_checkout_hands_the_room_to_its_arrival_which_checks_in_once_ready(
        self, scene: Scene
    ) -> None:
        """check_in of the arrival waits (RoomNotAvailable) while the guest is in and while
        the room is dirty; checkout pre-assigns the room to it, cleaning lets it in."""
        due_out_room(scene)
        arriving = scene.booking()
        services.assign_room(
            scene.uow, booking_id=arriving, room_id="R101", staff_id="fd", check_in=False
        )
        scene.refused(ho.RoomNotAvailable, services.check_in, booking_id=arriving, staff_id="fd")
        checkout = only(services.checkout_room(scene.uow, room_id="R101", staff_id="fd"))
        assert shape(checkout) == (Op.CHECKOUT, OCC, VD, CLEAN, DIRTY)
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.booking_id, occupancy.arriving_booking_id) == (
            VD,
            arriving,
            None,
        )
        assert [t.kind for t in scene.stored_tasks("R101", open_only=True)] == [
            ho.TaskKind.TURNOVER
        ]
        view = services.get_booking(scene.uow, arriving)
        assert (view.stage, view.room_id, view.arriving) == (Stage.ASSIGNED, "R101", False)
        scene.refused(ho.RoomNotAvailable, services.check_in, booking_id=arriving, staff_id="fd")
        scene.clean("R101")
        entry = only(services.check_in(scene.uow, booking_id=arriving, staff_id="fd"))
        assert shape(entry) == (Op.CHECKIN, VC, OCC, CLEAN, CLEAN)

    def test_moving_the_departing_guest_leaves_the_arrival_in_the_room(self, scene: Scene) -> None:
        """A move out of an awaited room hands the vacated room to its arriving booking."""
        leaving = due_out_room(scene)
        arriving = scene.booking()
        services.assign_room(
            scene.uow, booking_id=arriving, room_id="R101", staff_id="fd", check_in=False
        )
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        source = scene.occupancy("R101")
        assert (source.status, source.booking_id, source.arriving_booking_id) == (
            VD,
            arriving,
            None,
        )
        assert scene.occupancy("R102").booking_id == leaving

    def test_an_arrival_is_reassigned_unassigned_or_cancelled_like_any_pre_assignment(
        self, scene: Scene
    ) -> None:
        """Each takes the arriving booking off the occupied room, whose guest stays."""
        leaving = due_out_room(scene)
        for act, kwargs, operation in (
            (services.reassign_room, {"to_room_id": "R102"}, Op.REASSIGN),
            (services.unassign_room, {}, Op.UNASSIGN),
            (services.cancel_booking, {}, Op.UNASSIGN),
        ):
            arriving = scene.booking()
            services.assign_room(
                scene.uow, booking_id=arriving, room_id="R101", staff_id="fd", check_in=False
            )
            entry = only(act(scene.uow, booking_id=arriving, staff_id="fd", **kwargs))
            assert entry.operation is operation
            occupancy = scene.occupancy("R101")
            assert (occupancy.status, occupancy.booking_id, occupancy.arriving_booking_id) == (
                OCC,
                leaving,
                None,
            )
        assert scene.occupancy("R102").booking_id is not None

    def test_the_guest_of_an_awaited_room_cannot_change_their_stay(self, scene: Scene) -> None:
        """change_stay of the in-house booking of a room an arrival awaits: RoomNotAvailable."""
        leaving = due_out_room(scene)
        arriving = scene.booking()
        services.assign_room(
            scene.uow, booking_id=arriving, room_id="R101", staff_id="fd", check_in=False
        )
        scene.refused(
            ho.RoomNotAvailable,
            services.change_stay,
            booking_id=leaving,
            staff_id="fd",
            departure=LATER,
        )
        changed = services.change_stay(
            scene.uow, booking_id=arriving, staff_id="fd", departure=LATER
        )
        assert only(changed).room_id == "R101"

    # --- queue_arrival --------------------------------------------------------------------

    def test_queueing_an_arrival_marks_it_until_check_in(self, scene: Scene) -> None:
        """queue_arrival sets queued_at (STAY_CHANGE on the room); a second one, or one for
        a booking holding no room, is refused; check-in clears it."""
        booking_id = scene.pre_assigned("R102")
        entry = only(services.queue_arrival(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert shape(entry) == (Op.STAY_CHANGE, VC, VC, CLEAN, CLEAN)
        assert entry.metadata["queued"] is True
        assert scene.stored_booking(booking_id).queued_at == entry.timestamp
        scene.refused(
            ho.BookingNotAssignable, services.queue_arrival, booking_id=booking_id, staff_id="fd"
        )
        loose = scene.booking()
        scene.refused(
            ho.BookingNotAssignable, services.queue_arrival, booking_id=loose, staff_id="fd"
        )
        services.check_in(scene.uow, booking_id=booking_id, staff_id="fd")
        assert scene.stored_booking(booking_id).queued_at is None

    def test_a_reassignment_keeps_the_queue_and_an_unassignment_clears_it(
        self, scene: Scene
    ) -> None:
        """The guest still waits after a reassignment; unassigned, they no longer do."""
        booking_id = scene.pre_assigned("R102")
        services.queue_arrival(scene.uow, booking_id=booking_id, staff_id="fd")
        services.reassign_room(scene.uow, booking_id=booking_id, to_room_id="R103", staff_id="fd")
        assert scene.stored_booking(booking_id).queued_at is not None
        services.unassign_room(scene.uow, booking_id=booking_id, staff_id="fd")
        assert scene.stored_booking(booking_id).queued_at is None

    # --- the hotel's policy ---------------------------------------------------------------

    def test_a_hotel_enforcing_stay_dates_refuses_check_in_outside_them(self, scene: Scene) -> None:
        """With enforce_stay_dates, a check-in before the arrival date or after the
        departure date is BookingNotAssignable; without it, it is allowed."""
        early = scene.booking(arrival=date(2026, 3, 11), departure=LATER)
        late = scene.booking(arrival=date(2026, 3, 8), departure=date(2026, 3, 9))
        assert services.update_hotel(scene.uow, hotel_id=HOTEL, enforce_stay_dates=True) == ()
        hotel = scene.snapshot().hotels[0]
        assert hotel.enforce_stay_dates
        for booking_id in (early, late):
            scene.refused(
                ho.BookingNotAssignable,
                services.assign_room,
                booking_id=booking_id,
                room_id="R101",
                staff_id="fd",
            )
        services.assign_room(
            scene.uow, booking_id=early, room_id="R101", staff_id="fd", check_in=False
        )
        scene.refused(ho.BookingNotAssignable, services.check_in, booking_id=early, staff_id="fd")
        services.update_hotel(scene.uow, hotel_id=HOTEL, enforce_stay_dates=False)
        assert only(services.check_in(scene.uow, booking_id=early, staff_id="fd"))

    def test_update_hotel_changes_only_what_it_is_given(self, scene: Scene) -> None:
        """update_hotel keeps every setting it is not given; no setting is InvalidInput and
        an unknown hotel HotelNotFound."""
        before = scene.snapshot().hotels[0]
        services.update_hotel(scene.uow, hotel_id=HOTEL, name="Renamed")
        after = scene.snapshot().hotels[0]
        assert after == ho.Hotel(
            HOTEL,
            "Renamed",
            before.require_inspection,
            before.timezone,
            before.checkout_time,
            before.enforce_stay_dates,
        )
        with pytest.raises(ho.InvalidInput):
            services.update_hotel(scene.uow, hotel_id=HOTEL)
        scene.refused(ho.HotelNotFound, services.update_hotel, hotel_id="nowhere", name="X")

    # --- permissions ----------------------------------------------------------------------

    def test_housekeeping_may_not_change_bookings(self, scene: Scene) -> None:
        """The front desk's services are refused to housekeeping (PermissionDenied)."""
        booking_id = scene.pre_assigned("R101")
        for call, kwargs in (
            (services.change_stay, {"departure": LATER}),
            (services.update_party, {"party": scene.party(booking_id, 1)}),
            (services.cancel_booking, {}),
            (services.mark_no_show, {}),
            (services.queue_arrival, {}),
        ):
            scene.refused(ho.PermissionDenied, call, booking_id=booking_id, staff_id="hk", **kwargs)

    # --- queries --------------------------------------------------------------------------

    def test_get_booking_tells_each_stage_and_the_room(self, scene: Scene) -> None:
        """ARRIVING, ASSIGNED, IN_HOUSE, DEPARTED, CANCELLED and NO_SHOW, with the room."""
        arriving = scene.booking()
        assigned = scene.pre_assigned("R102")
        in_house = scene.checked_in("R101")
        departed = scene.checked_in("R103")
        services.checkout_room(scene.uow, room_id="R103", staff_id="fd")
        cancelled = scene.booking()
        services.cancel_booking(scene.uow, booking_id=cancelled, staff_id="fd")
        no_show = scene.booking()
        services.mark_no_show(scene.uow, booking_id=no_show, staff_id="fd")
        views = {
            b: services.get_booking(scene.uow, b)
            for b in (arriving, assigned, in_house, departed, cancelled, no_show)
        }
        assert {b: (v.stage, v.room_id, v.room_number) for b, v in views.items()} == {
            arriving: (Stage.ARRIVING, None, None),
            assigned: (Stage.ASSIGNED, "R102", "102"),
            in_house: (Stage.IN_HOUSE, "R101", "101"),
            departed: (Stage.DEPARTED, None, None),
            cancelled: (Stage.CANCELLED, None, None),
            no_show: (Stage.NO_SHOW, None, None),
        }
        assert views[in_house].booking == scene.stored_booking(in_house)
        with pytest.raises(ho.BookingNotFound):
            services.get_booking(scene.uow, "nobody")

    def test_the_days_lists_name_arrivals_departures_and_guests_in_house(
        self, scene: Scene
    ) -> None:
        """arrivals: that day's bookings but cancelled ones, and late ones (overdue);
        departures: in house and due out by that day; in_house: every stay; by room."""
        late = scene.booking(arrival=date(2026, 3, 9), departure=LATER)
        today_loose = scene.booking()
        today_room = scene.pre_assigned("R104")
        cancelled = scene.booking()
        services.cancel_booking(scene.uow, booking_id=cancelled, staff_id="fd")
        tomorrow = scene.booking(arrival=date(2026, 3, 11), departure=LATER)
        leaving_today = due_out_room(scene, "R102")
        staying = scene.checked_in("R101", 2)
        arrivals = services.arrivals(scene.uow, HOTEL, TODAY)
        assert [(r.booking_id, r.stage, r.room_number, r.overdue) for r in arrivals] == [
            (staying, Stage.IN_HOUSE, "101", False),
            (leaving_today, Stage.IN_HOUSE, "102", True),
            (today_room, Stage.ASSIGNED, "104", False),
            (late, Stage.ARRIVING, None, True),
            (today_loose, Stage.ARRIVING, None, False),
        ]
        assert tomorrow not in {r.booking_id for r in arrivals}
        first = arrivals[0]
        assert (first.hotel_id, first.party_size, first.primary_name) == (
            HOTEL,
            2,
            f"First0 Last-{staying}",
        )
        assert first.expected_checkout == datetime(2026, 3, 12, 11, tzinfo=UTC)
        departures = services.departures(scene.uow, HOTEL, TODAY)
        assert [(r.booking_id, r.overdue) for r in departures] == [(leaving_today, True)]
        assert [r.booking_id for r in services.departures(scene.uow, HOTEL, DEPARTURE)] == [
            staying,
            leaving_today,
        ]
        assert [r.booking_id for r in services.in_house(scene.uow, HOTEL)] == [
            staying,
            leaving_today,
        ]
        with pytest.raises(ho.HotelNotFound):
            services.arrivals(scene.uow, "nowhere", TODAY)

    def test_the_lists_and_the_board_give_local_times_in_the_hotels_zone(
        self, scene: Scene
    ) -> None:
        """expected_checkout_local is the UTC time in the hotel's zone, on lists and board."""
        scene.register_hotel(
            "HP",
            [("RP1", "1", None)],
            [("fdP", ho.StaffRole.FRONT_DESK)],
            timezone="Europe/Paris",
        )
        booking_id = scene.booking(hotel_id="HP")
        services.assign_room(scene.uow, booking_id=booking_id, room_id="RP1", staff_id="fdP")
        row = only(services.in_house(scene.uow, "HP"))
        assert row.expected_checkout == datetime(2026, 3, 12, 10, tzinfo=UTC)  # 11:00 CET
        assert row.expected_checkout_local is not None
        assert row.expected_checkout_local.utcoffset() == timedelta(hours=1)
        assert row.expected_checkout_local == row.expected_checkout
        board = only(services.room_board(scene.uow, "HP"))
        assert board.expected_checkout_local == row.expected_checkout_local
        assert (board.due_out, board.overdue) == (False, False)

    def test_allowed_operations_judge_the_rooms_booking_by_the_booking_table(
        self, scene: Scene
    ) -> None:
        """A moved stay can no longer be unassigned, a queued arrival not queued again, and
        an awaited room's arrival not checked in: allowed_operations says so, as the calls."""
        booking_id = scene.checked_in("R101")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        moved = {a.action: a.reason for a in services.allowed_operations(scene.uow, "R102")}
        assert moved["unassign_room"] == "BookingNotAssignable"
        scene.refused(
            ho.BookingNotAssignable, services.unassign_room, booking_id=booking_id, staff_id="fd"
        )
        queued = scene.pre_assigned("R103")
        services.queue_arrival(scene.uow, booking_id=queued, staff_id="fd")
        judged = {a.action: a.reason for a in services.allowed_operations(scene.uow, "R103")}
        assert (judged["queue_arrival"], judged["cancel_booking"]) == ("BookingNotAssignable", None)
        due_out_room(scene, "R104")
        arriving = scene.booking()
        services.assign_room(
            scene.uow, booking_id=arriving, room_id="R104", staff_id="fd", check_in=False
        )
        awaited = {a.action: a.reason for a in services.allowed_operations(scene.uow, "R104")}
        assert awaited["check_in"] == "RoomNotAvailable"
        assert awaited["change_stay"] == "RoomNotAvailable"
        assert awaited["checkout_room"] is None

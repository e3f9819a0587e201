"""The service layer: every state change and query of ``hotel_occupancy``.

Import it as ``from hotel_occupancy import services`` and call the functions with a unit
of work first and keyword arguments after::

    services.assign_room(uow, booking_id="B1", room_id="R101", staff_id="S1")

Every mutating service builds a command (:mod:`hotel_occupancy.domain.commands`) and runs
it with :func:`execute`, which also runs a command a host has queued or received::

    services.execute(uow, MoveGuest(from_room_id="R101", to_room_id="R102", staff_id="S1"))
"""

from hotel_occupancy.services import handlers as _handlers  # registers every handler
from hotel_occupancy.services.feed import (
    consume,
    consumer_position,
    feed_status,
    read_feed,
    store_consumer_position,
    wait_for_events,
)
from hotel_occupancy.services.housekeeping_day import (
    assign_task,
    discrepancies,
    generate_worksheets,
    night_audit,
    report_room_observation,
    set_service_status,
    worksheet,
    worksheets,
)
from hotel_occupancy.services.legacy import (
    HotelOutcome,
    ImportProgress,
    ImportReport,
    import_legacy,
)
from hotel_occupancy.services.operations import (
    assign_room,
    cancel_booking,
    change_stay,
    check_in,
    checkout_room,
    complete_cleaning,
    inspect_room,
    mark_dirty,
    mark_no_show,
    move_guest,
    queue_arrival,
    reassign_room,
    return_to_service,
    set_out_of_order,
    start_cleaning,
    start_maintenance,
    unassign_room,
    update_party,
)
from hotel_occupancy.services.queries import (
    allowed_operations,
    arrivals,
    booking_history,
    current_guests,
    current_room,
    departures,
    find_guest_by_pin,
    get_booking,
    get_occupancy,
    in_house,
    open_tasks,
    room_board,
    room_history,
)
from hotel_occupancy.services.reference import (
    deactivate_hotel,
    deactivate_staff,
    reactivate_hotel,
    reactivate_staff,
    register_booking,
    register_device_token,
    register_hotel,
    register_room,
    register_staff,
    update_hotel,
    update_room,
    update_staff,
)
from hotel_occupancy.services.retry import Retrying, retrying
from hotel_occupancy.services.runner import execute, unhandled
from hotel_occupancy.services.side_by_side import (
    DiffReport,
    MirrorRound,
    cut_over,
    legacy_diff,
    mirror_legacy,
    require_library_owned,
)
from hotel_occupancy.services.verification import verify_guest_pin

if unhandled():  # pragma: no cover - a command was added without its handler
    raise ImportError(f"commands without a handler: {unhandled()}")
del _handlers

__all__ = [
    "DiffReport",
    "HotelOutcome",
    "ImportProgress",
    "ImportReport",
    "MirrorRound",
    "Retrying",
    "allowed_operations",
    "arrivals",
    "assign_room",
    "assign_task",
    "booking_history",
    "cancel_booking",
    "change_stay",
    "check_in",
    "checkout_room",
    "complete_cleaning",
    "consume",
    "consumer_position",
    "current_guests",
    "current_room",
    "cut_over",
    "deactivate_hotel",
    "deactivate_staff",
    "departures",
    "discrepancies",
    "execute",
    "feed_status",
    "find_guest_by_pin",
    "generate_worksheets",
    "get_booking",
    "get_occupancy",
    "import_legacy",
    "in_house",
    "inspect_room",
    "legacy_diff",
    "mark_dirty",
    "mark_no_show",
    "mirror_legacy",
    "move_guest",
    "night_audit",
    "open_tasks",
    "queue_arrival",
    "reactivate_hotel",
    "reactivate_staff",
    "read_feed",
    "reassign_room",
    "register_booking",
    "register_device_token",
    "register_hotel",
    "register_room",
    "register_staff",
    "report_room_observation",
    "require_library_owned",
    "retrying",
    "return_to_service",
    "room_board",
    "room_history",
    "set_out_of_order",
    "set_service_status",
    "start_cleaning",
    "start_maintenance",
    "store_consumer_position",
    "unassign_room",
    "update_hotel",
    "update_party",
    "update_room",
    "update_staff",
    "verify_guest_pin",
    "wait_for_events",
    "worksheet",
    "worksheets",
]

"""The enumerations of the domain.

Every enum is a :class:`str` enum whose values are the seed's strings, so they read well in
logs, JSON and database columns, and compare equal to those strings.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class OccupancyStatus(StrEnum):
    """The headline state of a room that every screen and query uses."""

    VACANT_CLEAN = "VACANT_CLEAN"
    VACANT_DIRTY = "VACANT_DIRTY"
    OCCUPIED = "OCCUPIED"
    OUT_OF_ORDER = "OUT_OF_ORDER"
    MAINTENANCE = "MAINTENANCE"


class Condition(StrEnum):
    """The housekeeping condition of a room."""

    DIRTY = "DIRTY"
    CLEANING = "CLEANING"
    CLEAN = "CLEAN"
    INSPECTED = "INSPECTED"

    @property
    def needs_cleaning(self) -> bool:
        """True for DIRTY and CLEANING: the room has an open cleaning task."""
        return self in (Condition.DIRTY, Condition.CLEANING)


class Operation(StrEnum):
    """What a log entry records: the seed's twelve operations, STAY_CHANGE (a booking's
    dates, party or arrival changed, §9), SERVICE_STATUS, NIGHT_AUDIT and DISCREPANCY (the
    housekeeping day, §10) and IMPORT (a room's state as taken over from a legacy database,
    §12)."""

    ASSIGN = "ASSIGN"
    REASSIGN = "REASSIGN"
    UNASSIGN = "UNASSIGN"
    MOVE = "MOVE"
    CHECKIN = "CHECKIN"
    CHECKOUT = "CHECKOUT"
    CLEAN_START = "CLEAN_START"
    CLEAN_COMPLETE = "CLEAN_COMPLETE"
    INSPECT = "INSPECT"
    MAINTENANCE = "MAINTENANCE"
    STATUS_CHANGE = "STATUS_CHANGE"
    OUT_OF_ORDER = "OUT_OF_ORDER"
    STAY_CHANGE = "STAY_CHANGE"
    SERVICE_STATUS = "SERVICE_STATUS"
    NIGHT_AUDIT = "NIGHT_AUDIT"
    DISCREPANCY = "DISCREPANCY"
    IMPORT = "IMPORT"


class StaffRole(StrEnum):
    """The role of a staff member; the role policy maps roles to services."""

    FRONT_DESK = "FRONT_DESK"
    HOUSEKEEPING = "HOUSEKEEPING"
    SUPERVISOR = "SUPERVISOR"
    MAINTENANCE = "MAINTENANCE"
    MANAGER = "MANAGER"


class GuestType(StrEnum):
    """Whether an in-house guest is the booking's primary guest or a companion."""

    PRIMARY = "PRIMARY"
    COMPANION = "COMPANION"


class TaskKind(StrEnum):
    """The kind of a housekeeping task."""

    TURNOVER = "TURNOVER"
    CLEANING = "CLEANING"
    INSPECTION = "INSPECTION"
    MAINTENANCE = "MAINTENANCE"

    @property
    def is_cleaning(self) -> bool:
        """True for the two kinds that clean a room: TURNOVER and CLEANING."""
        return self in (TaskKind.TURNOVER, TaskKind.CLEANING)


class TaskStatus(StrEnum):
    """The status of a housekeeping task; OPEN and IN_PROGRESS count as open."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"

    @property
    def is_open(self) -> bool:
        """True while the task still has work to do."""
        return self in OPEN_TASK_STATUSES


OPEN_TASK_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})
"""The statuses of an open task (see TaskStatus.is_open). A module global: on Python 3.11
reading a member off its Enum class (TaskStatus.OPEN) costs several times more, and the
in-memory store tests a task's status on every write of it."""


class BookingStage(StrEnum):
    """Where a booking stands (§9); the booking table
    (:data:`hotel_occupancy.domain.bookings.BOOKING_RULES`) says what each operation may do
    in each stage."""

    ARRIVING = "ARRIVING"  # registered, neither assigned nor checked in
    ASSIGNED = "ASSIGNED"  # pre-assigned to a room, not yet checked in
    IN_HOUSE = "IN_HOUSE"  # checked in, not checked out
    DEPARTED = "DEPARTED"  # checked out
    CANCELLED = "CANCELLED"  # cancelled before it arrived
    NO_SHOW = "NO_SHOW"  # never arrived

    @property
    def is_open(self) -> bool:
        """Not yet in house and still expected: ARRIVING or ASSIGNED."""
        return self in (BookingStage.ARRIVING, BookingStage.ASSIGNED)

    @property
    def is_closed(self) -> bool:
        """The booking is over: DEPARTED, CANCELLED or NO_SHOW."""
        return self in (BookingStage.DEPARTED, BookingStage.CANCELLED, BookingStage.NO_SHOW)


class ServiceStatus(StrEnum):
    """What the guests of an occupied room asked of housekeeping today (§10)."""

    NONE = "NONE"
    DND = "DND"  # do not disturb: no cleaning while it hangs
    MAKE_UP_ROOM = "MAKE_UP_ROOM"  # please clean now
    SERVICE_REFUSED = "SERVICE_REFUSED"  # no cleaning today

    @property
    def keeps_out(self) -> bool:
        """True for DND and SERVICE_REFUSED: nobody starts cleaning the room."""
        return self in (ServiceStatus.DND, ServiceStatus.SERVICE_REFUSED)


class DiscrepancyKind(StrEnum):
    """How what housekeeping saw in a room disagrees with the front office (§10)."""

    SKIP = "SKIP"  # the front office says occupied; housekeeping found it vacant
    SLEEP = "SLEEP"  # the front office says vacant; housekeeping found it occupied
    PERSON = "PERSON"  # occupied both ways, but the number of guests differs


class WorkPriority(IntEnum):
    """How urgent a cleaning task is on the worksheets (§10): lower comes first."""

    QUEUED_ARRIVAL = 1  # a pre-assigned guest waits at the desk for the room
    ARRIVAL = 2  # the room is pre-assigned to an arriving booking
    VACANT_DIRTY = 3  # a vacant room to make sellable
    MAKE_UP_ROOM = 4  # the guests asked for their room to be made up
    STAYOVER = 5  # an occupied room's daily cleaning
    KEEP_OUT = 6  # do not disturb or service refused: last, in case it lifts

"""The role policy: which staff roles may call which operation services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen

from hotel_occupancy.domain.enums import StaffRole
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.transitions import ACTIONS

OPERATION_SERVICES: tuple[str, ...] = (*ACTIONS, "assign_task", "generate_worksheets")
"""Every service a policy can grant: those with rows in the transition table, and those
that share out housekeeping tasks (which change no room's state)."""

__all__ = ["DEFAULT_GRANTS", "OPERATION_SERVICES", "RolePolicy"]

_FRONT_DESK = frozenset(
    {
        "assign_room",
        "check_in",
        "reassign_room",
        "unassign_room",
        "move_guest",
        "checkout_room",
        "mark_dirty",
        "change_stay",
        "update_party",
        "cancel_booking",
        "mark_no_show",
        "queue_arrival",
        "night_audit",
        "set_service_status",
    }
)
_HOUSEKEEPING = frozenset(
    {
        "mark_dirty",
        "start_cleaning",
        "complete_cleaning",
        "set_service_status",
        "report_room_observation",
    }
)
_SUPERVISOR = _HOUSEKEEPING | {"inspect_room", "assign_task", "generate_worksheets"}
_MAINTENANCE = frozenset({"set_out_of_order", "start_maintenance", "return_to_service"})

DEFAULT_GRANTS: Mapping[StaffRole, frozenset[str]] = {
    StaffRole.FRONT_DESK: _FRONT_DESK,
    StaffRole.HOUSEKEEPING: _HOUSEKEEPING,
    StaffRole.SUPERVISOR: _SUPERVISOR,
    StaffRole.MAINTENANCE: _MAINTENANCE,
    StaffRole.MANAGER: frozenset(OPERATION_SERVICES),
}
"""The default grants of §4: front desk, housekeeping, supervisor, maintenance, manager."""


def _freeze(grants: Mapping[StaffRole, Iterable[str]]) -> Mapping[StaffRole, frozenset[str]]:
    frozen_grants: dict[StaffRole, frozenset[str]] = {}
    for role, actions in grants.items():
        if not isinstance(role, StaffRole):
            raise InvalidInput(f"unknown staff role {role!r}")
        if isinstance(actions, str):
            raise InvalidInput(f"grants of {role.value} must be a collection of service names")
        names = frozenset(actions)
        unknown = sorted(names - set(OPERATION_SERVICES))
        if unknown:
            raise InvalidInput(
                f"unknown operation services in the grants of {role.value}: {unknown}"
            )
        frozen_grants[role] = names
    return frozen_grants


@frozen
class RolePolicy:
    """Maps each role to the names of the services it may call.

    ``RolePolicy()`` is the default policy; pass ``grants`` to define your own, or derive one
    with :meth:`granting` / :meth:`revoking`. A role that is not in ``grants`` may do nothing.
    """

    grants: Mapping[StaffRole, frozenset[str]] = DEFAULT_GRANTS

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "grants", _freeze(self.grants))

    def permits(self, role: StaffRole, action: str) -> bool:
        """Whether a staff member with ``role`` may call the service named ``action``."""
        return action in self.grants.get(role, frozenset())

    def granting(self, role: StaffRole, *actions: str) -> RolePolicy:
        """A copy of this policy that also lets ``role`` call ``actions``."""
        grants = dict(self.grants)
        grants[role] = grants.get(role, frozenset()) | frozenset(actions)
        return RolePolicy(grants)

    def revoking(self, role: StaffRole, *actions: str) -> RolePolicy:
        """A copy of this policy that no longer lets ``role`` call ``actions``."""
        grants = dict(self.grants)
        grants[role] = grants.get(role, frozenset()) - frozenset(actions)
        return RolePolicy(grants)

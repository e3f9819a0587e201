"""The handlers: for each command, only what is specific to it.

Importing this package registers every handler with the runner
(:mod:`hotel_occupancy.services.runner`).
"""

from hotel_occupancy.services.handlers import (
    assignment,
    front_desk,
    housekeeping,
    housekeeping_day,
    reference,
    stays,
)

__all__ = [
    "assignment",
    "front_desk",
    "housekeeping",
    "housekeeping_day",
    "reference",
    "stays",
]

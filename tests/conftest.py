from __future__ import annotations

import pytest

from tests.support import World, make_world


@pytest.fixture
def world() -> World:
    """A small hotel on the in-memory adapter (see tests.support.World)."""
    return make_world()


@pytest.fixture
def inspected_world() -> World:
    """The same hotel, but it requires an inspection before a guest checks in."""
    return make_world(require_inspection=True)

"""NAPALM's getter tests (``BaseTestGetters``: the result models and the recorded expectations) for
the FRR driver, on output recorded from the twin."""

from __future__ import annotations

import pytest
from napalm.base.test.getters import BaseTestGetters


@pytest.mark.usefixtures("set_device_parameters")
class TestGetter(BaseTestGetters):
    """Every getter of NAPALM's harness, on recorded twin output."""

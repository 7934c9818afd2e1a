"""The device agent, installed on an FRR host beside FRR: what the host does that FRR's CLI does
not (a commit-confirm timer that outlives the management session, the configuration lock, the
host's state as JSON, ping and traceroute from the router's tables), answered to the driver
through the login program (the management account's only program) over a Unix socket.

The commands are the device agent protocol, version :data:`napalm_frr.DEVICE_PROTOCOL`
(docs/reference/device-agent-protocol.md). Run it on an FRR host with ``python3 -m
napalm_frr.agent serve``; ``python3 -m napalm_frr.agent login-program`` prints the login program
to install as the management account's shell.
"""

from __future__ import annotations

from napalm_frr.agent.login import login_program
from napalm_frr.agent.routers import FrrHost, Router
from napalm_frr.agent.service import NOTHING_PENDING, Agent

__all__ = ["NOTHING_PENDING", "Agent", "FrrHost", "Router", "login_program"]

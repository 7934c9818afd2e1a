"""Checks, one module per family; importing this package registers them all."""

from muronet.policy.checks import auth, exits, logging, mgmt, routing, services, switching, zone  # noqa: F401

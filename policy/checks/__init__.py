"""Checks, one module per family; importing this package registers them all."""

from policy.checks import auth, logging, mgmt, routing, services, switching, zone  # noqa: F401

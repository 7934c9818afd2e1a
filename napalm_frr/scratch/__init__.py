"""
People write frr.conf in many forms (``int eth0``, ``address-family ipv4``, defaults spelled out,
sections twice, capitals in IPv6 addresses); FRR's running configuration has one. A *scratch FRR*
turns any text into that one form: a blank FRR (the twin's five daemons: zebra, bgpd, ospfd,
staticd, vrrpd, in the same modes) in a network namespace and path space of its own on the
automation host, loaded with the text by ``vtysh -f`` as FRR loads a configuration file, and read
back with ``show running-config``. FRR's parser is the judge of the text: a line it refuses is an
error with its line number and FRR's message; what it prints besides (deprecations, "reset the
session to take effect") is a warning.

A few instances are kept warm for the process (``ScratchPool``), each emptied after use (every
top-level context removed, checked, rebooted if anything is left). The secrets in a candidate go
to vtysh through a pipe, never a file. Needs root (namespaces, FRR's path spaces); stops every
process it started, by PID, when the process ends, and removes what an earlier process that died
left behind.

The package, by concern: :mod:`~napalm_frr.scratch.instance` (one scratch FRR),
:mod:`~napalm_frr.scratch.pool` (the warm instances of a process), :mod:`~napalm_frr.scratch.stale`
(what dead processes left), :mod:`~napalm_frr.scratch.prepared` (the cache, and renderings started
ahead). What the driver and muronet use is here:

- :func:`canonical` (FRR's rendering of a text, secrets kept out, from the cache when it can);
- :func:`prepare` (renderings started ahead: ``napalm_frr.prepare_candidates``) and :func:`shutdown`;
- :func:`render` (a rendering as it is, secrets included), :func:`clean_stale`, :func:`is_instance`.
"""

from napalm_frr.scratch.instance import (
    DAEMONS,
    FRR_ETC,
    FRR_RUN,
    FULL,
    LEAN,
    ROOT,
    ZEBRA_OPTIONS,
    Instance,
    LineError,
    Rendering,
    ScratchError,
    is_instance,
    needs_vrrpd,
)
from napalm_frr.scratch.pool import ScratchPool, render
from napalm_frr.scratch.prepared import canonical, frr_version, prepare, shutdown
from napalm_frr.scratch.stale import clean_stale

__all__ = ["DAEMONS", "FRR_ETC", "FRR_RUN", "FULL", "LEAN", "ROOT", "ZEBRA_OPTIONS", "Instance", "LineError",
           "Rendering", "ScratchError", "ScratchPool", "canonical", "clean_stale", "frr_version", "is_instance",
           "needs_vrrpd", "prepare", "render", "shutdown"]

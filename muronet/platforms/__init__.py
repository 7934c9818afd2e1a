"""Platform drivers: one class per platform, registered by name (like NAPALM's drivers).

A driver knows what differs between vendors: where its templates live, how it names interfaces,
which Netmiko/NAPALM drivers reach it, and how to read what NAPALM's getters do not (OSPF
neighbours, switch ports). Supporting a new platform means adding a module here and a template
folder, not an ``if`` elsewhere.
"""

from muronet.platforms.base import (
    OspfNeighbors,
    Platform,
    SwitchPort,
    detect_platform,
    get_platform,
    platform_names,
    register,
)
from muronet.platforms.cisco_ios import CiscoIos
from muronet.platforms.frr import Frr

__all__ = ["CiscoIos", "Frr", "OspfNeighbors", "Platform", "SwitchPort", "detect_platform", "get_platform",
           "platform_names", "register"]

"""Platform drivers: one class per platform, registered by name (like NAPALM's drivers).

A driver knows what differs between vendors for rendering: where its templates live, how it
names interfaces, and which Netmiko/NAPALM drivers reach it. Supporting a new platform means
adding a module here and a template folder, not an ``if`` elsewhere.
"""

from muronet.platforms.base import Platform, get_platform, platform_names, register
from muronet.platforms.cisco_ios import CiscoIos
from muronet.platforms.frr import Frr

__all__ = ["CiscoIos", "Frr", "Platform", "get_platform", "platform_names", "register"]

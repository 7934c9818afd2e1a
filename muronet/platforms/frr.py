"""FRRouting: the platform the digital twin runs; interface names are Linux names."""

from __future__ import annotations

from hier_config.platforms.driver_base import HConfigDriverBase

from muronet.platforms.base import Platform, register
from muronet.platforms.frr_hconfig import HConfigDriverFrr


@register
class Frr(Platform):
    name = "frr"
    template_dir = "frr"
    netmiko_device_type = "cisco_ios"  # vtysh speaks enough IOS for Netmiko (see the notes)
    napalm_driver = "frr"
    has_host_services = True

    def interface_name(self, canonical: str) -> str:
        """FRR uses the kernel's names as they are.

        >>> Frr().interface_name("eth1.300")
        'eth1.300'
        """
        return canonical

    def hconfig_driver(self) -> HConfigDriverBase:
        return HConfigDriverFrr()

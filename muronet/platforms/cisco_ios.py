"""Cisco IOS / IOS-XE: the city's first production platform."""

from __future__ import annotations

import re

from hier_config.platforms.cisco_ios.driver import HConfigDriverCiscoIOS
from hier_config.platforms.driver_base import HConfigDriverBase
from netutils.interface import canonical_interface_name

from muronet.platforms.base import Platform, register

# Linux-style inventory names of routed roles -> IOS names on an ISR-class router.
_LINUX_STYLE = [
    (re.compile(r"^eth(\d+)(\.\d+)?$"), "GigabitEthernet0/0/{0}{1}"),
    (re.compile(r"^vlan(\d+)$"), "Vlan{0}"),
    (re.compile(r"^lo$"), "Loopback0"),
    (re.compile(r"^mgmt0$"), "GigabitEthernet0"),
]


@register
class CiscoIos(Platform):
    name = "cisco_ios"
    template_dir = "cisco_ios"
    netmiko_device_type = "cisco_ios"
    napalm_driver = "ios"
    ansible_network_os = "cisco.ios.ios"
    has_host_services = False
    # First words of IOS / IOS-XE global configuration commands (those a running configuration shows)
    command_words = frozenset(str.split(
        "aaa access-list alias archive banner boot bridge call-home cdp class-map clock control-plane crypto "
        "default device-tracking dot1x enable end errdisable exception event fhrp file flow hostname hw-module "
        "interface ip ipv6 key l2 license line lldp logging login mac memory mls monitor multilink netconf no "
        "ntp object-group parameter-map platform policy-map port-channel power privilege process redundancy "
        "restconf rmon route-map router security service snmp snmp-server spanning-tree subscriber system "
        "tacacs tacacs-server radius radius-server template track transceiver udld username vlan vrf vtp "
        "version vstack wsma diagnostic license ethernet table-map telemetry qos"))

    def interface_name(self, canonical: str) -> str:
        """Map Linux-style names so a routed role changes platform by one field; IOS names stay.

        >>> CiscoIos().interface_name("eth3")
        'GigabitEthernet0/0/3'
        >>> CiscoIos().interface_name("Gi1/0/7")
        'GigabitEthernet1/0/7'
        """
        for pattern, template in _LINUX_STYLE:
            match = pattern.match(canonical)
            if match:
                return template.format(*(g or "" for g in match.groups()))
        return canonical_interface_name(canonical)

    def hconfig_driver(self) -> HConfigDriverBase:
        return HConfigDriverCiscoIOS()

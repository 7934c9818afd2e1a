"""Cisco IOS / IOS-XE: the city's first production platform."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from hier_config.platforms.cisco_ios.driver import HConfigDriverCiscoIOS
from hier_config.platforms.driver_base import HConfigDriverBase
from netutils.interface import canonical_interface_name
from ntc_templates.parse import parse_output

from muronet.platforms.base import OspfNeighbors, Platform, SwitchPort, register

# IOS's bandwidth (kbit/s) of a port that configures none, by its type (longest name first).
_BANDWIDTH_KBIT = (("TenGigabitEthernet", 10_000_000), ("GigabitEthernet", 1_000_000), ("FastEthernet", 100_000),
                   ("Ethernet", 10_000), ("Loopback", 8_000_000), ("Serial", 1_544), ("Tunnel", 100),
                   ("Vlan", 1_000_000), ("Port-channel", 1_000_000))

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
    grammar = "cisco_ios"
    netmiko_device_type = "cisco_ios"
    napalm_driver = "ios"
    signature = re.compile(r"^(version \d+\.\d+|service timestamps|aaa new-model|"
                           r"interface (Gigabit|TenGig|Fast)Ethernet|line vty \d+ \d+|no ip http server)", re.M)
    acl_matches_route_by_address = True
    # The templates configure ``file prompt quiet`` and ``ip scp server enable`` (NAPALM's replace
    # needs both): NAPALM then checks for them instead of configuring and removing them itself.
    napalm_optional_args: ClassVar[dict[str, Any]] = {"auto_file_prompt": False}
    ansible_network_os = "cisco.ios.ios"
    ospf_neighbors_command = "show ip ospf neighbor"
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

    def ospf_cost(self, interface: str, loopback: bool, bandwidth: int | None, reference: int | None) -> int:
        """Reference (default 100 Mbit/s) over bandwidth (``bandwidth`` in kbit/s, else the port type's),
        truncated, at least 1: a loopback (8 Gbit/s) costs 1, a gigabit port 1, a FastEthernet 1.

        >>> ios = CiscoIos()
        >>> ios.ospf_cost("Loopback0", True, None, None), ios.ospf_cost("FastEthernet0/0", False, None, 1000)
        (1, 10)
        >>> ios.ospf_cost("GigabitEthernet0/1", False, 10_000, None), ios.ospf_cost("Loopback0", True, None, 100_000)
        (10, 12)
        """
        name = canonical_interface_name(interface)
        default = next((kbit for kind, kbit in _BANDWIDTH_KBIT if name.startswith(kind)), 1_000_000)
        return max(1, min(65535, (reference or 100) * 1000 // (bandwidth or default)))

    def hconfig_driver(self) -> HConfigDriverBase:
        return HConfigDriverCiscoIOS()

    # --- state, from IOS show commands parsed by ntc-templates (TextFSM) -------------------------

    def ospf_neighbors(self, device: Any) -> OspfNeighbors:
        """``show ip ospf neighbor``, each neighbour in the VRF of its interface (NAPALM's
        ``get_network_instances``)."""
        rows = _parsed(device, "show ip ospf neighbor")
        vrf_of = {interface: ("global" if name == "default" else name)
                  for name, instance in device.get_network_instances().items()
                  for interface in instance.get("interfaces", {}).get("interface", {})}
        found: OspfNeighbors = {}
        for row in rows:
            interface = canonical_interface_name(row["interface"])
            found.setdefault(vrf_of.get(interface, "global"), []).append(
                {"router_id": row["neighbor_id"], "address": row["ip_address"], "interface": interface,
                 "state": _state(row["state"])})
        return found

    def switchports(self, device: Any, secured: Iterable[str] = ()) -> dict[str, SwitchPort]:
        """What NAPALM's getters say of the ports (``get_interfaces``: shut, link; ``get_vlans``: the
        VLANs each carries), and what they do not: ``show interfaces switchport`` (mode, native VLAN)
        and, per port in ``secured``, ``show port-security interface``."""
        interfaces = device.get_interfaces()
        carried: dict[str, set[int]] = {}
        for vlan, data in device.get_vlans().items():
            for name in data.get("interfaces", []):
                carried.setdefault(canonical_interface_name(name), set()).add(int(vlan))
        secured = set(secured)
        ports = {}
        for row in _parsed(device, "show interfaces switchport"):
            name = canonical_interface_name(row["interface"])
            state = interfaces.get(name, {})
            mode = row["admin_mode"].removeprefix("static ")
            vlans = carried.get(name, set())
            security = None
            if name in secured:
                answer = _parsed(device, f"show port-security interface {name}")
                security = bool(answer) and answer[0]["port_security"] == "Enabled"
            ports[name] = SwitchPort(
                mode=mode, access_vlan=min(vlans) if mode == "access" and len(vlans) == 1 else None,
                native_vlan=_vlan(row["native_vlan"]), trunk_vlans=frozenset(vlans) if mode == "trunk" else None,
                trunking=mode == "trunk" and row["mode"] == "trunk" and bool(state.get("is_up")),
                shutdown=state.get("is_enabled") is False, port_security=security)
        return ports


def _parsed(device: Any, command: str) -> list[dict[str, Any]]:
    output = device.cli([command])[command]
    if "% Invalid input" in output:
        raise ValueError(f"{command!r}: the device does not know it")
    parsed: list[dict[str, Any]] = parse_output(platform="cisco_ios", command=command, data=output)
    return parsed


def _state(ios: str) -> str:
    """IOS's neighbour state as FRR writes it (verification compares the first word).

    >>> _state("FULL/DR"), _state("2WAY/DROTHER"), _state("FULL/  -")
    ('Full/DR', '2way/DROTHER', 'Full/  -')
    """
    adjacency, _, role = ios.partition("/")
    return adjacency.capitalize() + (f"/{role}" if _ else "")


def _vlan(text: str) -> int | None:
    return int(text) if text.isdigit() else None

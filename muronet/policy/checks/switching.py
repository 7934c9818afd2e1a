"""SEC-L2 and SEC-ZONE-011: access ports and trunks of the city-hall access switches."""

from __future__ import annotations

from collections.abc import Iterator

from muronet.inventory.separation import INTERNET
from muronet.policy.context import ConfigNode, DeviceAudit
from muronet.policy.registry import Violation, check
from muronet.policy.zonemap import inventory_ports


def _ports(audit: DeviceAudit, mode: str) -> Iterator[ConfigNode]:
    for interface in audit.top("interface "):
        if interface.get_child(equals=f"switchport mode {mode}") and not interface.get_child(equals="shutdown"):
            yield interface


@check("SEC-L2-002", "cisco_ios")
def bpdu_guard_on_access_ports(audit: DeviceAudit) -> Iterator[Violation]:
    global_guard = audit.tree.get_child(equals="spanning-tree portfast bpduguard default") is not None
    for port in _ports(audit, "access"):
        has_guard = port.get_child(equals="spanning-tree bpduguard enable") is not None
        portfast = port.get_child(startswith="spanning-tree portfast") is not None
        if not has_guard and not (global_guard and portfast):
            yield Violation(f"{port.text}: access port without BPDU guard", audit.line_of(port))
    for trunk in _ports(audit, "trunk"):
        if trunk.get_child(startswith="spanning-tree portfast"):
            yield Violation(f"{trunk.text}: portfast on a trunk", audit.line_of(trunk))


@check("SEC-L2-004", "cisco_ios")
def static_trunks(audit: DeviceAudit) -> Iterator[Violation]:
    for interface in audit.top("interface "):
        if interface.get_child(startswith="switchport mode dynamic"):
            yield Violation(f"{interface.text}: dynamic trunking (DTP)", audit.line_of(interface))
    for trunk in _ports(audit, "trunk"):
        if not trunk.get_child(equals="switchport nonegotiate"):
            yield Violation(f"{trunk.text}: trunk without switchport nonegotiate", audit.line_of(trunk))
        native = trunk.get_child(startswith="switchport trunk native vlan")
        if native is None or native.text.split()[-1] == "1":
            yield Violation(f"{trunk.text}: native VLAN is VLAN 1", audit.line_of(trunk))


@check("SEC-ZONE-011", "cisco_ios")
def trunks_list_their_vlans(audit: DeviceAudit) -> Iterator[Violation]:
    for trunk in _ports(audit, "trunk"):
        allowed = trunk.get_child(startswith="switchport trunk allowed vlan")
        if allowed is None or allowed.text.split()[-1] == "all":
            yield Violation(f"{trunk.text}: trunk carries every VLAN (no allowed list)", audit.line_of(trunk))


@check("SEC-L2-003", "cisco_ios")
def access_ports_explicit(audit: DeviceAudit) -> Iterator[Violation]:
    for port in _ports(audit, "access"):
        vlan = port.get_child(startswith="switchport access vlan")
        if vlan is None or vlan.text.split()[-1] == "1":
            yield Violation(f"{port.text}: access port in VLAN 1", audit.line_of(port))
        if not port.get_child(equals="switchport port-security") and not port.get_child(
                startswith="authentication port-control auto"):
            yield Violation(f"{port.text}: no port security or 802.1X", audit.line_of(port))


@check("SEC-L2-005", "cisco_ios")
def dhcp_snooping_dai_source_guard(audit: DeviceAudit) -> Iterator[Violation]:
    ports = list(_ports(audit, "access"))
    if not ports:
        return  # a router: no user VLANs to protect
    for needed in ("ip dhcp snooping", "ip dhcp snooping vlan ", "ip arp inspection vlan "):
        if audit.first(needed) is None:
            yield Violation(f"'{needed.strip()}' missing")
    for port in ports:
        if port.get_child(equals="ip verify source") is None:
            yield Violation(f"{port.text}: no IP source guard (ip verify source)", audit.line_of(port))


@check("SEC-L2-001", "cisco_ios")
def unused_ports_shut_and_parked(audit: DeviceAudit) -> Iterator[Violation]:
    """A port is unused when the inventory does not list it (for the city's devices) or, for any
    device, when it has no description, says UNUSED, or sits in VLAN 1 or the parking VLAN."""
    parking = str(audit.settings.parking_vlan) if audit.settings.parking_vlan else None
    known = inventory_ports(audit)
    for port in audit.top("interface "):
        if port.get_child(equals="switchport mode access") is None:
            continue
        description = port.get_child(startswith="description ")
        vlan = port.get_child(startswith="switchport access vlan ")
        vlan_id = vlan.text.split()[-1] if vlan else "1"
        unused = ((audit.device is not None and port.text.split()[1] not in known)
                  or description is None or description.text == "description UNUSED" or vlan_id in ("1", parking))
        if not unused:
            continue
        if port.get_child(equals="shutdown") is None:
            yield Violation(f"{port.text}: unused port not shut down", audit.line_of(port))
        if parking and vlan_id != parking:
            yield Violation(f"{port.text}: unused port in VLAN {vlan_id}, not the parking VLAN {parking}",
                            audit.line_of(port))


@check("SEC-ZONE-015", "cisco_ios", zones=True)
def internet_terminals_authenticated(audit: DeviceAudit) -> Iterator[Violation]:
    """β/β′ put the main business terminals in the INTERNET zone: each of its access ports
    authenticates the terminal (802.1X), port security alone is not enough there."""
    assert audit.index is not None and audit.device is not None
    vlans = audit.index.vlans
    ports = [p for p in _ports(audit, "access") if (vlan := p.get_child(startswith="switchport access vlan "))
             and (zone := vlans.get((audit.device.site, int(vlan.text.split()[-1])))) and zone.zone == INTERNET]
    if ports and audit.first("dot1x system-auth-control") is None:
        yield Violation("'dot1x system-auth-control' missing: 802.1X is off on the whole switch")
    for port in ports:
        for needed in ("authentication port-control auto", "dot1x pae authenticator"):
            if port.get_child(equals=needed) is None:
                yield Violation(f"{port.text}: an INTERNET-zone terminal port without '{needed}'", audit.line_of(port))

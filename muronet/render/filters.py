"""Access lists the security policy derives from the inventory (vty, SNMP, CoPP, boundary filters).

Entries are structured data with each address in two spellings (CIDR and IOS wildcard form), so a
template of any platform can write them without filters of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPV4LENGTH, IPv4Address, IPv4Network
from typing import Any

from muronet.inventory.index import InventoryIndex
from muronet.inventory.model import Circuit, Device, Interface, InterfaceRole

ANY = IPv4Network("0.0.0.0/0")


def address(net: IPv4Network | IPv4Address) -> dict[str, str]:
    """Both spellings of an ACL address.

    >>> address(IPv4Network("10.20.0.0/16"))["ios"]
    '10.20.0.0 0.0.255.255'
    >>> address(IPv4Address("10.99.0.50"))["ios"]
    'host 10.99.0.50'
    """
    if isinstance(net, IPv4Address):
        return {"cidr": f"{net}/32", "ios": f"host {net}"}
    if net == ANY:
        return {"cidr": "0.0.0.0/0", "ios": "any"}
    if net.prefixlen == IPV4LENGTH:
        return {"cidr": str(net), "ios": f"host {net.network_address}"}
    return {"cidr": str(net), "ios": f"{net.network_address} {net.hostmask}"}


@dataclass(frozen=True)
class Entry:
    action: str
    protocol: str
    src: IPv4Network | IPv4Address
    dst: IPv4Network | IPv4Address
    src_port: str = ""
    dst_port: str = ""
    option: str = ""  # established, echo-reply, log

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "protocol": self.protocol, "src": address(self.src),
                "dst": address(self.dst), "src_port": self.src_port, "dst_port": self.dst_port,
                "option": self.option}


def _acl(name: str, kind: str, entries: list[Entry]) -> dict[str, Any]:
    return {"name": name, "kind": kind, "entries": [e.as_dict() for e in entries]}


def management_acls(index: InventoryIndex) -> list[dict[str, Any]]:
    """vty and SNMP access only from the management hosts named in city.services."""
    city = index.inventory.city
    assert city is not None
    automation = [a for h in city.services.automation for a in index.host_addresses(h)]
    managers = [a for h in city.services.snmp_managers for a in index.host_addresses(h)]
    deny_log = Entry("deny", "ip", ANY, ANY, option="log")
    return [
        _acl("VTY-MGMT", "standard", [*(Entry("permit", "ip", a, ANY) for a in automation), deny_log]),
        _acl("SNMP-MGRS", "standard", [*(Entry("permit", "ip", a, ANY) for a in managers), deny_log]),
    ]


def copp_management_acl(index: InventoryIndex) -> dict[str, Any]:
    """The control plane's management class, the city's for every device: from its servers."""
    city = index.inventory.city
    assert city is not None
    hosts = city.services

    def addrs(names: list[str]) -> list[IPv4Address]:
        return [a for n in names for a in index.host_addresses(n)]

    mgmt = [Entry("permit", "tcp", a, ANY, dst_port="22") for a in addrs(hosts.automation)]
    mgmt += [Entry("permit", "udp", a, ANY, dst_port="snmp") for a in addrs(hosts.snmp_managers)]
    mgmt += [Entry("permit", "udp", a, ANY, src_port="ntp") for a in addrs(hosts.ntp)]
    mgmt += [Entry("permit", "tcp", a, ANY, src_port="tacacs") for a in addrs(hosts.aaa)]
    return _acl("COPP-MGMT", "extended", mgmt)


def copp_acls(management: dict[str, Any], device: Device) -> list[dict[str, Any]]:
    """Control-plane classes: management traffic (``management``, the city's class), routing from
    the device's own peers."""
    routing = [Entry("permit", "ospf", ANY, ANY)] if any(i.ospf for i in device.interfaces) else []
    for neighbor in device.bgp.neighbors if device.bgp else []:
        routing.append(Entry("permit", "tcp", neighbor.address, ANY, dst_port="bgp"))
        routing.append(Entry("permit", "tcp", neighbor.address, ANY, src_port="bgp"))
    return [management, _acl("COPP-ROUTING", "extended", routing)] if routing else [management]


def boundary_acl(index: InventoryIndex, device: Device, interface: Interface) -> dict[str, Any] | None:
    """Inbound default-deny filter of an interface facing another organisation (SEC-ZONE-006/009)."""
    circuit = index.circuits_by_termination.get((device.name, interface.name))
    if circuit is None or interface.address is None:
        return None
    local = interface.address.ip
    entries = [Entry("permit", "tcp", circuit.peer_address, local, dst_port="bgp"),
               Entry("permit", "tcp", circuit.peer_address, local, src_port="bgp")]
    if interface.role == InterfaceRole.LGWAN_ACCESS_LINE:
        entries += _line_entries(device, circuit)
        name = "LGWAN-LINE-IN"
    elif interface.role == InterfaceRole.GOVERNMENT_CLOUD_LINE:  # BFD's control packets, then the systems
        entries += [Entry("permit", "udp", circuit.peer_address, local, dst_port="3784"),
                    *_line_entries(device, circuit)]
        name = "GOV-CLOUD-LINE-IN"
    elif interface.role == InterfaceRole.INTERNET_EXIT:
        entries += _internet_exit_entries(index, interface)
        name = "INTERNET-EXIT-IN"
    else:
        return None
    entries.append(Entry("deny", "ip", ANY, ANY, option="log"))
    return _acl(name, "extended", entries)


def _line_entries(device: Device, circuit: Circuit) -> list[Entry]:
    """A closed line's traffic: from the far end's prefixes to the ones the city announces there."""
    exports = [p for n in (device.bgp.neighbors if device.bgp else []) if n.circuit == circuit.cid
               for p in n.export_prefixes]
    return [Entry("permit", "ip", remote, own) for remote in circuit.reachable_prefixes for own in exports]


def _internet_exit_entries(index: InventoryIndex, interface: Interface) -> list[Entry]:
    """Only replies come in: to the proxy and to public Wi-Fi clients, never to a whole zone."""
    proxies = [a for h in index.inventory.hosts if h.role == "proxy"
               for a in index.host_addresses(h.name, interface.zone)]
    wifi = [p.prefix for p in index.inventory.prefixes if p.role == "public_wifi" and p.zone == interface.zone]
    entries = [Entry("permit", "tcp", ANY, a, option="established") for a in proxies]
    for net in wifi:
        entries += [Entry("permit", "tcp", ANY, net, option="established"),
                    Entry("permit", "udp", ANY, net, src_port="domain"),
                    Entry("permit", "icmp", ANY, net, option="echo-reply")]
    return entries

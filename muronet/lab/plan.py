"""What the digital twin is made of, computed from the inventory (no side effects).

Every routed device becomes a network namespace running FRR; each zone VRF on it becomes an extra
namespace that only that router's FRR sees under the VRF's name (FRR namespace VRFs: this kernel
has no Linux VRF). Every cable between two routed devices becomes a veth pair, and every
sub-interface riding it (``eth1.300``) a veth pair of its own inside the VRF namespaces. Every
management port hangs on one out-of-band bridge.

Every routed LAN (a department VLAN behind the core switches' SVIs, a facility LAN, public
Wi-Fi) becomes a segment: a namespace holding a bridge that stands for the access switches, the
gateways' ports, and an endpoint host (the bridge's own address) to test traffic from. VRRP
gateways get the macvlan FRR's vrrpd sends from. The far ends of the city's circuits (the
prefecture's LGWAN access point, the security cloud) are lab-only FRR peers that announce what the
circuit promises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPV4LENGTH, IPv4Address, IPv4Interface, IPv4Network

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.model import Circuit, Device, Interface, InterfaceRole
from muronet.platforms import get_platform

OOB_NAMESPACE = "lab-oob"
OOB_BRIDGE = "oob"
MAX_IFNAME = 15  # the kernel's limit on interface names


@dataclass(frozen=True)
class Port:
    namespace: str
    name: str


@dataclass(frozen=True)
class VethPair:
    a: Port
    b: Port


@dataclass(frozen=True)
class Router:
    name: str
    vrfs: tuple[str, ...]
    bfd: bool = False  # a session asks for BFD: the router runs bfdd

    def vrf_namespace(self, vrf: str) -> str:
        return f"{self.name}-{vrf}"

    @property
    def namespaces(self) -> tuple[str, ...]:
        return (self.name, *(self.vrf_namespace(v) for v in self.vrfs))


@dataclass(frozen=True)
class VrrpPort:
    """The macvlan FRR's vrrpd needs on a VRRP gateway's port (virtual MAC 00:00:5e:00:01:VRID)."""

    port: Port
    name: str
    vrid: int
    vip: IPv4Interface

    @property
    def mac(self) -> str:
        return f"00:00:5e:00:01:{self.vrid:02x}"


@dataclass(frozen=True)
class Segment:
    """A routed LAN: a bridge in its own namespace, the gateways' ports on it, and an endpoint
    host (the bridge's address) whose default route is the LAN's gateway."""

    namespace: str
    zone: str
    prefix: IPv4Network
    host: IPv4Interface
    gateway: IPv4Address
    gateway_ports: tuple[Port, ...]
    vrrp: tuple[VrrpPort, ...] = ()
    description: str = ""
    # The inventory's servers on this LAN (name, address): the twin answers for them, so that the
    # matrix reaches the systems the separation model places, not only a test host.
    servers: tuple[tuple[str, IPv4Interface], ...] = ()


@dataclass(frozen=True)
class CircuitPeer:
    """The far end of a circuit, run by the lab: an FRR router speaking eBGP to the city."""

    name: str
    circuit: Circuit
    zone: str
    link: VethPair  # a: the city's port, b: the peer's
    address: IPv4Interface  # the peer's end of the circuit
    services: tuple[IPv4Address, ...]  # one address per announced prefix, answering pings
    bfd: bool = False  # the city's session over the line asks for BFD

    @property
    def router(self) -> Router:
        return Router(self.name, (), self.bfd)


@dataclass
class LabPlan:
    routers: list[Router] = field(default_factory=list)
    links: list[VethPair] = field(default_factory=list)
    oob_ports: list[Port] = field(default_factory=list)  # router side; the other end joins the OOB bridge
    segments: list[Segment] = field(default_factory=list)
    peers: list[CircuitPeer] = field(default_factory=list)
    oob_host: IPv4Interface | None = None  # the OOB bridge answers as the automation host
    ntp_servers: list[IPv4Interface] = field(default_factory=list)  # and as the city's NTP servers

    @property
    def namespaces(self) -> list[str]:
        return [OOB_NAMESPACE, *(ns for r in self.routers for ns in r.namespaces),
                *(s.namespace for s in self.segments), *(p.name for p in self.peers)]


def is_routed(device: Device) -> bool:
    """Devices the twin runs as routers: every device of a platform the twin runs (FRR)."""
    return get_platform(device.platform).runs_in_twin


def namespace_of(index: InventoryIndex, router: Router, device: Device, interface: Interface) -> str:
    vrf = index.interface_vrf(device, interface)
    return router.vrf_namespace(vrf) if vrf else router.name


def build_plan(index: InventoryIndex, routed: Callable[[Device], bool] = is_routed, strict: bool = True) -> LabPlan:
    """The twin of the devices ``routed`` chooses (by default those of a platform the twin runs).
    ``strict``: a LAN with no free address for its test host is an error (False: it gets none)."""
    plan = LabPlan()
    routers: dict[str, Router] = {}
    for device in sorted(index.inventory.devices, key=lambda d: d.name):
        if not routed(device):
            continue
        vrfs = sorted({v for i in device.interfaces if i.zone and (v := index.interface_vrf(device, i))})
        bfd = any(n.bfd for n in (device.bgp.neighbors if device.bgp else []))
        routers[device.name] = router = Router(device.name, tuple(vrfs), bfd)
        plan.routers.append(router)
        for interface in device.interfaces:
            if len(interface.name) > MAX_IFNAME:
                raise ValueError(f"{device.name}:{interface.name} is longer than {MAX_IFNAME} characters")
            if interface.role == InterfaceRole.MANAGEMENT:
                plan.oob_ports.append(Port(namespace_of(index, router, device, interface), interface.name))
    for cable in index.inventory.cables:
        a_end, b_end = split_endpoint(cable.a), split_endpoint(cable.b)
        if a_end[0] not in routers or b_end[0] not in routers:
            continue  # ends on an access switch: part of the switched LAN, not a routed link
        plan.links.extend(_cable_links(index, routers, a_end, b_end))
    plan.segments = _segments(index, routers, strict)
    plan.oob_host = management_host(index)
    plan.ntp_servers = ntp_servers(index)
    plan.peers = [_circuit_peer(index, routers, c) for c in sorted(index.inventory.circuits, key=lambda c: c.cid)
                  if split_endpoint(c.termination)[0] in routers]
    return plan


def element_links(index: InventoryIndex, plan: LabPlan, element: str) -> list[VethPair]:
    """The twin's veth pairs that carry ``element``: a circuit (its id) or a cable (its label, or
    one of its ends ``DEVICE:PORT``), the physical pair first; ValueError when the twin has none."""
    if any(c.cid == element for c in index.inventory.circuits):
        pairs = [p.link for p in plan.peers if p.circuit.cid == element]
        if not pairs:
            raise ValueError(f"{element}: the twin does not run this circuit's router")
        return pairs
    routers = {r.name: r for r in plan.routers}
    for cable in index.inventory.cables:
        if element in (cable.label, cable.a, cable.b):
            a_end, b_end = split_endpoint(cable.a), split_endpoint(cable.b)
            if a_end[0] not in routers or b_end[0] not in routers:
                raise ValueError(f"{element}: an end of this cable is not a router of the twin (a switch's port)")
            return _cable_links(index, routers, a_end, b_end)
    raise ValueError(f"{element}: no circuit (its id) or cable (its label, or DEVICE:PORT) of the inventory")


def ntp_servers(index: InventoryIndex) -> list[IPv4Interface]:
    """The management addresses of the city's NTP servers (``city.services.ntp``)."""
    city = index.inventory.city
    names = set(city.services.ntp) if city else set()
    return [i.address for h in index.inventory.hosts if h.name in names for i in h.interfaces
            if i.zone == index.inventory.management_zone]


def management_host(index: InventoryIndex) -> IPv4Interface | None:
    """The automation host's management address (the twin's OOB bridge answers as it)."""
    for host in index.inventory.hosts:
        if host.role == "automation":
            for interface in host.interfaces:
                if interface.zone == index.inventory.management_zone:
                    return interface.address
    return None


def _on_a_link(index: InventoryIndex, device: Device, interface: Interface) -> bool:
    return (device.name, interface.parent or interface.name) in index.cable_peers


def _used_addresses(index: InventoryIndex) -> set[IPv4Address]:
    used = {i.address.ip for d in index.inventory.devices for i in d.interfaces if i.address}
    used |= {i.vrrp.vip for d in index.inventory.devices for i in d.interfaces if i.vrrp}
    return used | {i.address.ip for h in index.inventory.hosts for i in h.interfaces}


def endpoint_address(prefix: IPv4Network, used: set[IPv4Address]) -> IPv4Interface:
    """The highest free address of a LAN: where the twin puts its test host.

    >>> endpoint_address(IPv4Network("10.10.6.0/24"), {IPv4Address("10.10.6.254")})
    IPv4Interface('10.10.6.253/24')
    """
    for candidate in reversed(list(prefix.hosts())):
        if candidate not in used:
            return IPv4Interface(f"{candidate}/{prefix.prefixlen}")
    raise ValueError(f"{prefix} has no free address for the twin's endpoint host")


def _segments(index: InventoryIndex, routers: dict[str, Router], strict: bool = True) -> list[Segment]:
    """Routed LANs: addressed ports of routers that are neither loopback, management, circuit
    nor cable, grouped by subnet (two VRRP gateways share one)."""
    members: dict[IPv4Network, list[tuple[Device, Interface]]] = {}
    for name in sorted(routers):
        device = index.devices[name]
        for interface in device.interfaces:
            if (interface.address is None or interface.circuit or _on_a_link(index, device, interface)
                    or interface.role in (InterfaceRole.LOOPBACK, InterfaceRole.MANAGEMENT)):
                continue
            members.setdefault(interface.address.network, []).append((device, interface))
    used = _used_addresses(index)
    segments = []
    for prefix, ports in sorted(members.items()):
        first = ports[0][1]
        if not strict and all(a in used for a in prefix.hosts()):
            continue
        vips = {i.vrrp.vip for _, i in ports if i.vrrp}
        gateway = min(vips) if vips else first.address.ip  # type: ignore[union-attr]
        gateway_ports = tuple(Port(namespace_of(index, routers[d.name], d, i), i.name) for d, i in ports)
        # Named after its port: FRR's vrrpd confuses equal names in different VRFs of one router.
        vrrp = tuple(VrrpPort(port, f"vr-{port.name}"[:MAX_IFNAME], i.vrrp.vrid,
                              IPv4Interface(f"{i.vrrp.vip}/{prefix.prefixlen}"))
                     for port, (_, i) in zip(gateway_ports, ports, strict=True) if i.vrrp)
        servers = tuple((h.name, IPv4Interface(f"{i.address.ip}/{prefix.prefixlen}")) for h in index.inventory.hosts
                        for i in h.interfaces if i.address.ip in prefix)
        segments.append(Segment(f"lan-{prefix.network_address}", str(first.zone), prefix,
                                endpoint_address(prefix, used), gateway, gateway_ports, vrrp, first.description,
                                servers))
    return segments


def _circuit_peer(index: InventoryIndex, routers: dict[str, Router], circuit: Circuit) -> CircuitPeer:
    device_name, port_name = split_endpoint(circuit.termination)
    device, interface = index.devices[device_name], index.interfaces[split_endpoint(circuit.termination)]
    return circuit_peer(index, circuit, Port(namespace_of(index, routers[device_name], device, interface), port_name))


def circuit_peer(index: InventoryIndex, circuit: Circuit, city_port: Port) -> CircuitPeer:
    """The far end of a circuit as the inventory describes it, facing ``city_port``."""
    interface = index.interfaces[split_endpoint(circuit.termination)]
    assert interface.address is not None
    # one far end per line: the two lines of one far end (the Government Cloud's) are two peers
    name = f"peer-{circuit.kind.replace('_', '-')}" + (f"-{circuit.redundancy}" if circuit.redundancy else "")
    services = tuple(next(p.hosts()) if p.prefixlen < IPV4LENGTH else p.network_address
                     for p in circuit.reachable_prefixes if p.prefixlen > 0)
    city_side = index.devices[split_endpoint(circuit.termination)[0]].bgp
    bfd = any(n.bfd for n in (city_side.neighbors if city_side else []) if n.circuit == circuit.cid)
    return CircuitPeer(name, circuit, str(interface.zone), VethPair(city_port, Port(name, "eth0")),
                       IPv4Interface(f"{circuit.peer_address}/{interface.address.network.prefixlen}"),
                       services or (INTERNET_TEST_ADDRESS,), bfd)


INTERNET_TEST_ADDRESS = IPv4Address("198.51.100.1")  # TEST-NET-2 (RFC 5737): "the internet" inside the lab


def _cable_links(index: InventoryIndex, routers: dict[str, Router], a_end: tuple[str, str],
                 b_end: tuple[str, str]) -> list[VethPair]:
    """The physical port pair, then one pair per sub-interface the cable carries."""
    a_device, b_device = index.devices[a_end[0]], index.devices[b_end[0]]

    def port(device: Device, name: str) -> Port:
        interface = index.interfaces[(device.name, name)]
        return Port(namespace_of(index, routers[device.name], device, interface), name)

    pairs = [VethPair(port(a_device, a_end[1]), port(b_device, b_end[1]))]
    for sub in sorted((i for i in a_device.interfaces if i.parent == a_end[1]), key=lambda i: i.dot1q or 0):
        peer = f"{b_end[1]}.{sub.dot1q}"
        pairs.append(VethPair(port(a_device, sub.name), port(b_device, peer)))
    return pairs


def boot_config(index: InventoryIndex, device: Device) -> str:
    """What a device has out of the box: its name and its management address, nothing else."""
    mgmt = device.management
    vrf = index.interface_vrf(device, mgmt)
    return (f"hostname {device.name}\nservice integrated-vtysh-config\n!\n"
            f"interface {mgmt.name}{f' vrf {vrf}' if vrf else ''}\n ip address {mgmt.address}\nexit\n!\n")


def peer_config(index: InventoryIndex, peer: CircuitPeer, password: str) -> str:
    """The lab peer's whole FRR configuration: its end of the circuit, one answering address per
    prefix it announces, and eBGP to the city with the circuit's session password. A peer
    offering the default route (the security cloud) originates it towards the city."""
    device_name, port_name = split_endpoint(peer.circuit.termination)
    city_address = index.interfaces[(device_name, port_name)].address
    city = index.inventory.city
    assert city_address is not None and city is not None
    neighbor = city_address.ip
    default = any(p.prefixlen == 0 for p in peer.circuit.reachable_prefixes)
    announced = [p for p in peer.circuit.reachable_prefixes if p.prefixlen > 0]
    lines = [f"hostname {peer.name}", "service integrated-vtysh-config", "!",
             "interface eth0", f" ip address {peer.address}", "exit", "!", "interface lo",
             *(f" ip address {a}/32" for a in peer.services), "exit", "!",
             f"router bgp {peer.circuit.peer_asn}", f" bgp router-id {peer.address.ip}",
             " no bgp ebgp-requires-policy", f" neighbor {neighbor} remote-as {city.asn}",
             f" neighbor {neighbor} password {password}", f" neighbor {neighbor} ttl-security hops 1",
             *([f" neighbor {neighbor} bfd"] if peer.bfd else []),
             " address-family ipv4 unicast",
             *(f"  network {p}" for p in announced),
             *([f"  neighbor {neighbor} default-originate"] if default else []),
             " exit-address-family", "exit", "!",
             *(f"ip route {p} blackhole" for p in announced)]
    return "\n".join(lines) + "\n"


def peer_password_secret(index: InventoryIndex, peer: CircuitPeer) -> str:
    """Name of the secret the city's router uses for this circuit's BGP session."""
    device = index.devices[split_endpoint(peer.circuit.termination)[0]]
    assert device.bgp is not None
    return next(n.password_secret for n in device.bgp.neighbors if n.address == peer.circuit.peer_address)

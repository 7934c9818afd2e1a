"""What the digital twin is made of, computed from the inventory (no side effects).

Every routed device becomes a network namespace running FRR; each zone VRF on it becomes an extra
namespace that only that router's FRR sees under the VRF's name (FRR namespace VRFs: this kernel
has no Linux VRF). Every cable between two routed devices becomes a veth pair, and every
sub-interface riding it (``eth1.300``) a veth pair of its own inside the VRF namespaces. Every
management port hangs on one out-of-band bridge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.model import Device, Interface, InterfaceRole

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

    def vrf_namespace(self, vrf: str) -> str:
        return f"{self.name}-{vrf}"

    @property
    def namespaces(self) -> tuple[str, ...]:
        return (self.name, *(self.vrf_namespace(v) for v in self.vrfs))


@dataclass
class LabPlan:
    routers: list[Router] = field(default_factory=list)
    links: list[VethPair] = field(default_factory=list)
    oob_ports: list[Port] = field(default_factory=list)  # router side; the other end joins the OOB bridge

    @property
    def namespaces(self) -> list[str]:
        return [OOB_NAMESPACE, *(ns for r in self.routers for ns in r.namespaces)]


def is_routed(device: Device) -> bool:
    """Devices the twin runs as FRR routers: every device on platform frr."""
    return device.platform == "frr"


def namespace_of(index: InventoryIndex, router: Router, device: Device, interface: Interface) -> str:
    vrf = index.interface_vrf(device, interface)
    return router.vrf_namespace(vrf) if vrf else router.name


def build_plan(index: InventoryIndex) -> LabPlan:
    plan = LabPlan()
    routers: dict[str, Router] = {}
    for device in sorted(index.inventory.devices, key=lambda d: d.name):
        if not is_routed(device):
            continue
        vrfs = sorted({v for i in device.interfaces if i.zone and (v := index.interface_vrf(device, i))})
        routers[device.name] = router = Router(device.name, tuple(vrfs))
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
    return plan


def _cable_links(index: InventoryIndex, routers: dict[str, Router], a_end, b_end) -> list[VethPair]:
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

"""What a check sees of one device: its configuration tree, where each line is, and the city's
policy settings and zone map (from the inventory) when the device is the city's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from hier_config import HConfig

from muronet.inventory.index import InventoryIndex
from muronet.inventory.model import Device
from muronet.inventory.separation import SeparationModel

# One line of a configuration tree with its children: hier_config's ``HConfigChild`` (hier_config
# publishes no types, so to the checker it is Any; the name says what it is).
ConfigNode = Any


def line_index(text: str) -> dict[tuple[str, ...], int]:
    """1-based line of every configuration line, keyed by its path of parent lines (the first
    occurrence wins), so that findings point into the file the check read.

    >>> index = line_index("interface eth1\\n ip address 10.0.0.1/31\\n!\\nline vty\\n exec-timeout 5 0\\n")
    >>> index[("interface eth1", "ip address 10.0.0.1/31")], index[("line vty", "exec-timeout 5 0")]
    (2, 5)
    """
    index: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("!") or stripped in ("exit", "exit-vrf", "end"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, stripped))
        index.setdefault(tuple(text for _, text in stack), number)
    return index


@dataclass
class Settings:
    """The policy's parameters, from the inventory (``city``, ``zones``, management hosts)."""

    management: list[IPv4Network] = field(default_factory=list)
    syslog_servers: set[IPv4Address] = field(default_factory=set)
    aaa_servers: set[IPv4Address] = field(default_factory=set)
    ntp_servers: set[IPv4Address] = field(default_factory=set)
    snmp_managers: set[IPv4Address] = field(default_factory=set)
    banner: str = ""
    exec_timeout_min: int = 10
    parking_vlan: int | None = None  # where unused switch ports wait, shut down
    separation_model: SeparationModel | None = None  # None: configurations audited without an inventory

    @classmethod
    def from_inventory(cls, index: InventoryIndex) -> Settings:
        inventory = index.inventory
        management_zone = inventory.zones.get(inventory.management_zone or "")

        def hosts(role: str) -> set[IPv4Address]:
            return {i.address.ip for h in inventory.hosts if h.role == role for i in h.interfaces
                    if i.zone == inventory.management_zone}

        city = inventory.city
        return cls(management=list(management_zone.aggregates) if management_zone else [],
                   syslog_servers=hosts("syslog"), aaa_servers=hosts("aaa"), ntp_servers=hosts("ntp"),
                   snmp_managers=hosts("snmp_manager"), banner=city.banner if city else "",
                   exec_timeout_min=city.limits.exec_timeout_min if city else 10,
                   parking_vlan=city.parking_vlan if city else None,
                   separation_model=city.separation_model if city else None)


@dataclass
class DeviceAudit:
    """One device's configuration as the checks see it."""

    name: str
    platform: str
    tree: HConfig
    lines: dict[tuple[str, ...], int]
    settings: Settings
    index: InventoryIndex | None = None  # the zone map; None for a device not in the inventory
    device: Device | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # readings shared by the checks (muronet.policy.zonemap)

    @classmethod
    def of(cls, name: str, platform: str, tree: HConfig, lines: dict[tuple[str, ...], int], settings: Settings,
           index: InventoryIndex | None) -> DeviceAudit:
        """A parsed configuration as the checks see it; the zone map only for devices of the inventory."""
        device = index.devices.get(name) if index is not None else None
        return cls(name, platform, tree, lines, settings, index if device is not None else None, device)

    def top(self, prefix: str) -> list[Any]:
        """Top-level lines that start with ``prefix``: the checks' most frequent question, answered
        from one pass over the tree grouped by first word (hier_config's matching is much slower)."""
        groups = self.memo.get("_top")
        if groups is None:
            groups = self.memo["_top"] = defaultdict(list)
            for child in self.tree.children:
                groups[child.text.split(" ", 1)[0]].append(child)
        return [c for c in groups.get(prefix.split(" ", 1)[0], ()) if c.text.startswith(prefix)]

    def every_line(self) -> Iterator[tuple[str, int]]:
        """(text, line number) of every configuration line at any depth, from the line index
        (much cheaper than walking the tree)."""
        return ((path[-1], number) for path, number in self.lines.items())

    def first(self, prefix: str) -> Any | None:
        """The first top-level line that starts with ``prefix``, or None."""
        return next(iter(self.top(prefix)), None)

    def line(self, *path: str) -> int | None:
        return self.lines.get(tuple(path))

    def line_of(self, child: Any) -> int | None:
        """The line of a hier_config child (its path of texts)."""
        return self.lines.get(tuple(node.text for node in child.lineage()))

    @property
    def zoned(self) -> bool:
        return self.device is not None and self.index is not None

    def vrf_zone(self, vrf: str | None) -> str | None:
        """The zone routed by a VRF of this device (None: the default table)."""
        if not self.zoned:
            return None
        assert self.index is not None and self.device is not None
        if vrf is None:
            return self.device.global_zone
        return self.index.zone_of_vrf.get(vrf)

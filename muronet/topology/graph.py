"""A source-independent graph of the city network: sites, devices, cables, circuits and zones.

Built from NetBox (``muronet.topology.from_netbox``) or from the inventory (``muronet.topology.from_inventory``);
every view and format reads only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SiteNode:
    slug: str
    name_ja: str
    name_romaji: str
    kind: str
    latitude: float
    longitude: float
    devices: tuple[str, ...]


@dataclass(frozen=True)
class DeviceNode:
    name: str
    site: str
    role: str
    zones: tuple[str, ...] = ()  # zones (VRFs) it has interfaces in, management excluded
    gateway: bool = False  # an approved inter-zone gateway


@dataclass(frozen=True)
class Link:
    a_device: str
    a_port: str
    b_device: str
    b_port: str
    a_site: str
    b_site: str
    kind: str
    length_km: float | None
    ring: str | None
    label: str
    ident: str = ""  # the source's id (NetBox cable id), for tracing a drawn edge back


@dataclass(frozen=True)
class CircuitEdge:
    cid: str
    provider: str
    kind: str
    bandwidth_mbps: int
    site: str
    device: str
    far_end: str
    terminations: tuple[str, ...] = ()  # the source's termination ids, A side first
    cable: str = ""  # the source's id of the cable from the device to the A side


@dataclass(frozen=True)
class Loss:
    """What one element's failure cuts (``muronet analyze --n-1``), as the planners' page shows it."""

    lost: int  # flows lost
    sites: tuple[str, ...]  # the sites that lose a flow
    beyond: tuple[str, ...]  # those of them not the element's own site
    zones: tuple[str, ...]


@dataclass
class PhysicalGraph:
    sites: dict[str, SiteNode] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    circuits: list[CircuitEdge] = field(default_factory=list)
    devices: dict[str, DeviceNode] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # zone → its label
    source: str = "inventory"
    # the elements (device names, cable labels, circuit ids) whose single failure cuts something
    failures: dict[str, Loss] = field(default_factory=dict)

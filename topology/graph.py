"""A source-independent graph of the physical network: sites, devices, cables and circuits."""

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


@dataclass(frozen=True)
class CircuitEdge:
    cid: str
    provider: str
    kind: str
    bandwidth_mbps: int
    site: str
    device: str
    far_end: str


@dataclass
class PhysicalGraph:
    sites: dict[str, SiteNode] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    circuits: list[CircuitEdge] = field(default_factory=list)

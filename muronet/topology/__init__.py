"""Topology views of the city's networks: a plain graph built from a source of truth (NetBox, or
the inventory), drawn as SVG, PNG, draw.io, Mermaid and one offline page."""

from enum import StrEnum


class TopologySource(StrEnum):
    """Where the graph comes from: NetBox (the live source of truth) or the inventory."""

    NETBOX = "netbox"
    INVENTORY = "inventory"

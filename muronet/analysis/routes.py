"""A route as the model computes it, in the terms of FRR's ``show ip route json``."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from muronet.analysis.routers import Origin


@dataclass(frozen=True)
class NextHop:
    address: IPv4Address | None = None  # None: directly connected, or a blackhole
    interface: str | None = None
    table: str | None = None  # the table the next hop is in, when it is not the route's own
    blackhole: bool = False

    def __str__(self) -> str:
        if self.blackhole:
            return "blackhole"
        where = f"{self.address}" if self.address is not None else f"{self.interface} (connected)"
        return where + (f" in {self.table}" if self.table else "")


@dataclass(frozen=True)
class Route:
    prefix: IPv4Network
    protocol: str  # connected, static, ospf, bgp
    distance: int
    metric: int
    next_hops: frozenset[NextHop]
    origin: Origin | None = None  # the configuration line it comes from (None: an address on a port)
    installed: bool = True  # in the forwarding table (False: selected, but the device cannot install it)

    def comparable(self) -> tuple[str, int, tuple[str, ...]]:
        """What FRR's table shows of it: protocol, metric and next-hop addresses (with their table)."""
        hops = sorted({"blackhole" if h.blackhole else f"{h.address}" + (f"@{h.table}" if h.table else "")
                       for h in self.next_hops if h.blackhole or h.address is not None})
        return self.protocol, self.metric, tuple(hops)

    def __str__(self) -> str:
        hops = ", ".join(str(h) for h in sorted(self.next_hops, key=str))
        return f"{self.prefix} {self.protocol} via {hops}" + (f" ({self.origin})" if self.origin else "")


Table = dict[IPv4Network, Route]

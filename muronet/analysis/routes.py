"""A route as the model computes it, in the terms of FRR's ``show ip route json``, and a table of them."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any, Protocol

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



class LinkState(Protocol):
    """Where a table's OSPF routes come from, computed when asked (``muronet.analysis.ospf``)."""

    def route(self, node: tuple[str, str], prefix: IPv4Network) -> Route | None: ...

    def prefixes(self, node: tuple[str, str]) -> list[dict[Any, Any]]: ...

    def candidates(self, node: tuple[str, str], address: int) -> list[IPv4Network]: ...


class Rib:
    """One table: its own routes (connected, static, BGP), chosen by administrative distance, and
    its OSPF routes, asked of the link state when a prefix is looked up. Read it as a mapping:
    ``get(prefix)``, ``lookup(address)`` (the longest match), ``items()`` (every selected route)."""

    __slots__ = ("_by_length", "link_state", "node", "own")

    def __init__(self, node: tuple[str, str], own: dict[IPv4Network, Route], link_state: LinkState | None = None):
        self.node, self.own, self.link_state = node, own, link_state
        self._by_length: dict[tuple[int, int], IPv4Network] | None = None

    def get(self, prefix: IPv4Network) -> Route | None:
        own = self.own.get(prefix)
        if self.link_state is None or (own is not None and own.distance <= OSPF_DISTANCE):
            return own
        learned = self.link_state.route(self.node, prefix)
        return learned if learned is not None and (own is None or learned.distance < own.distance) else own

    def selected_own(self) -> list[tuple[IPv4Network, Route]]:
        """Its own routes that the table selects (an OSPF route beats a static of distance above 110)."""
        return [(p, r) for p, r in self.own.items() if r.distance <= OSPF_DISTANCE or self.get(p) is r]

    def lookup(self, address: IPv4Address, skip_default: bool = False, installed: bool = False) -> Route | None:
        """The longest match for ``address`` (``installed``: among the routes in the forwarding table)."""
        value = int(address)
        if self._by_length is None:
            self._by_length = {(int(p.network_address), p.prefixlen): p for p in self.own}
        candidates = [p for length in range(32, -1, -1)
                      if (p := self._by_length.get((value & _MASKS[length], length))) is not None]
        if self.link_state is not None:
            candidates = sorted({*candidates, *self.link_state.candidates(self.node, value)},
                                key=_longest_first)
        for prefix in candidates:
            if skip_default and prefix.prefixlen == 0:
                continue
            route = self.get(prefix)
            if route is not None and (route.installed or not installed):
                return route
        return None

    def keys(self) -> set[IPv4Network]:
        keys = set(self.own)
        for group in self.link_state.prefixes(self.node) if self.link_state is not None else ():
            keys |= {k for k in group if isinstance(k, IPv4Network)}
        return keys

    def items(self) -> list[tuple[IPv4Network, Route]]:
        """Every selected route, by prefix."""
        return [(p, r) for p in sorted(self.keys()) if (r := self.get(p)) is not None]


def _longest_first(network: IPv4Network) -> int:
    return -network.prefixlen


OSPF_DISTANCE = 110
_MASKS = [(0xFFFFFFFF << (32 - n)) & 0xFFFFFFFF for n in range(33)]

"""The regional fiber network: rings are paths between the aggregation routers, ring interfaces
use the ring's OSPF area, and every facility router reaches city hall over fiber."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.issues import Issue
from muronet.inventory.model import Cable, Role
from muronet.validation.references import Check


def check_rings(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    spans: dict[str, list[Cable]] = defaultdict(list)
    for cable in inv.cables:
        if cable.ring in inv.rings:
            spans[cable.ring].append(cable)
    for name, ring in inv.rings.items():
        where = inv.where(ring)
        members = spans.get(name, [])
        if not members:
            yield Issue(where, f"fiber ring {name} has no spans")
            continue
        degree: dict[str, int] = defaultdict(int)
        for cable in members:
            for end in (cable.a, cable.b):
                degree[split_endpoint(end)[0]] += 1
        ends = sorted(d for d, n in degree.items() if n == 1)
        heads = [d for d in ends if (dev := index.devices.get(d)) and dev.role == Role.AGGREGATION]
        # one path: two routers at its ends with one span each, every other with two, one span
        # fewer than routers
        is_path = sorted(degree.values()) == [1, 1, *[2] * (len(degree) - 2)] and len(members) == len(degree) - 1
        if not is_path or len(heads) != len(ends):
            yield Issue(where, f"fiber ring {name} is not one path between two aggregation routers "
                        f"(its ends: {', '.join(ends) or 'none'})")
        yield from _ring_areas(index, members, ring.ospf_area)


def _ring_areas(index: InventoryIndex, members: list[Cable], area: int) -> Iterator[Issue]:
    inv = index.inventory
    for cable in members:
        for end in (cable.a, cable.b):
            device_name, port = split_endpoint(end)
            device = index.devices.get(device_name)
            if device is None:
                continue
            for n, interface in enumerate(device.interfaces):
                if (interface.name == port or interface.parent == port) and interface.ospf \
                        and interface.ospf.area != area:
                    yield Issue(inv.where(device, "interfaces", n, "ospf", "area"),
                                f"{interface.name} rides ring {cable.ring} (OSPF area {area}) but is in area "
                                f"{interface.ospf.area}")


def check_facilities_reach_city_hall(index: InventoryIndex) -> Iterator[Issue]:
    """Breadth-first over all cables from the aggregation routers."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for cable in index.inventory.cables:
        a, b = split_endpoint(cable.a)[0], split_endpoint(cable.b)[0]
        neighbours[a].add(b)
        neighbours[b].add(a)
    reached = {d.name for d in index.inventory.devices if d.role == Role.AGGREGATION}
    queue = deque(reached)
    while queue:
        for peer in neighbours[queue.popleft()] - reached:
            reached.add(peer)
            queue.append(peer)
    if not reached:
        return
    for device in index.inventory.devices:
        if device.role == Role.FACILITY_EDGE and device.name not in reached:
            yield Issue(index.inventory.where(device, "name"),
                        f"{device.name} is not connected to city hall by any fiber")


CHECKS: tuple[Check, ...] = (check_rings, check_facilities_reach_city_hall)

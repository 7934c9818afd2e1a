"""The Government Cloud line as the inventory must describe it: two lines (a primary and a
secondary) from two different routers, each ending on a port that faces it, each an approved path
of the zone it serves, and each BGP session with BFD, accepting exactly the cloud's prefixes (no
default) and announcing only prefixes of that zone."""

from __future__ import annotations

from collections.abc import Iterator

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.inventory.issues import Issue
from muronet.inventory.model import BgpNeighbor, Circuit, Device, InterfaceRole
from muronet.validation.references import Check

GOVERNMENT_CLOUD = "government_cloud"


def check_government_cloud_lines(index: InventoryIndex) -> Iterator[Issue]:
    inv = index.inventory
    lines = [c for c in inv.circuits if c.kind == GOVERNMENT_CLOUD]
    for circuit in lines:
        yield from _line_issues(index, circuit)
    if not lines:
        return
    roles = sorted(c.redundancy for c in lines if c.redundancy)
    if roles != ["primary", "secondary"]:
        yield Issue(inv.where(lines[0], "kind"), "the Government Cloud needs two lines, one primary and one "
                    f"secondary (found {len(lines)}: {', '.join(str(c.redundancy) for c in lines)})")
    routers = {split_endpoint(c.termination)[0] for c in lines}
    if len(lines) > 1 and len(routers) < len(lines):
        yield Issue(inv.where(lines[-1], "termination"), "the Government Cloud lines end on one router: each "
                    "line needs a router of its own, so that losing one router keeps the other line")


def _line_issues(index: InventoryIndex, circuit: Circuit) -> Iterator[Issue]:
    inv = index.inventory
    if circuit.redundancy is None:
        yield Issue(inv.where(circuit, "cid"), f"{circuit.cid}: a Government Cloud line needs redundancy: "
                    "primary or secondary")
    name, port = split_endpoint(circuit.termination)
    interface = index.interfaces.get((name, port))
    device = index.devices.get(name)
    if interface is None or device is None:
        return  # the references check names the unknown termination
    if interface.role != InterfaceRole.GOVERNMENT_CLOUD_LINE:
        yield Issue(inv.where(circuit, "termination"), f"{circuit.termination} ends the Government Cloud line "
                    f"{circuit.cid} but its role is {interface.role}, not government_cloud_line")
    paths = [p for p in inv.approved_paths if p.kind == GOVERNMENT_CLOUD and p.circuit == circuit.cid]
    if not paths:
        yield Issue(inv.where(circuit, "cid"), f"{circuit.cid}: no approved path of kind government_cloud names "
                    "this line (zones.yaml approved_paths): which zone may use it is the policy's decision")
    elif interface.zone not in {z for p in paths for z in p.zones}:
        yield Issue(inv.where(paths[0], "zones"), f"{circuit.cid} ends in zone {interface.zone}, which its "
                    "approved path does not name")
    yield from _session_issues(index, device, circuit, str(interface.zone))


def _session_issues(index: InventoryIndex, device: Device, circuit: Circuit, zone: str) -> Iterator[Issue]:
    inv = index.inventory
    sessions = [(n, s) for n, s in enumerate(device.bgp.neighbors if device.bgp else []) if s.circuit == circuit.cid]
    if not sessions:
        yield Issue(inv.where(device, "name"), f"{device.name} ends the Government Cloud line {circuit.cid} "
                    "but has no BGP neighbor for it (bgp.neighbors, circuit)")
        return
    for n, session in sessions:
        yield from _session_policy(index, device, n, session, circuit, zone)


def _session_policy(index: InventoryIndex, device: Device, n: int, session: BgpNeighbor, circuit: Circuit,
                    zone: str) -> Iterator[Issue]:
    where = index.inventory.where(device, "bgp", "neighbors", n)
    if not session.bfd:
        yield Issue(where, f"the Government Cloud session {session.address} needs bfd: true (a failed line must "
                    "be seen in a second, so that the other line takes over)")
    if session.accept_default:
        yield Issue(where.child("accept_default"), "no default route is accepted from the Government Cloud")
    if set(session.import_prefixes) != set(circuit.reachable_prefixes):
        yield Issue(where.child("import_prefixes"), "the Government Cloud session must accept exactly the line's "
                    f"reachable prefixes ({', '.join(map(str, circuit.reachable_prefixes))})")
    aggregates = index.inventory.zones[zone].aggregates if zone in index.inventory.zones else []
    for prefix in session.export_prefixes:
        if not any(prefix.subnet_of(a) for a in aggregates):
            yield Issue(where.child("export_prefixes"), f"{prefix} is not in zone {zone}: only the zone's own "
                        "prefixes are announced to the Government Cloud")
    if not session.export_prefixes:
        yield Issue(where.child("export_prefixes"), "name the prefixes of the zone that use the Government Cloud")


CHECKS: tuple[Check, ...] = (check_government_cloud_lines,)

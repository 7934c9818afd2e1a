"""What the city's separation model (``city.separation_model``) asks of the inventory: the main
business terminals, the groupware and the business systems in the zones the model puts them, the
paths between the zones it approves (and none it does not), and what its INTERNET side needs.
The models themselves are data: :mod:`muronet.inventory.separation`."""

from __future__ import annotations

from collections.abc import Iterator

from muronet.inventory.index import InventoryIndex
from muronet.inventory.issues import Issue, Location
from muronet.inventory.loader import Inventory
from muronet.inventory.model import ApprovedPath
from muronet.inventory.separation import INTERNET, LGWAN, MODELS, ModelRules
from muronet.validation.references import Check

RADIUS_KEY = "radius_key"  # the shared secret of the 802.1X (RADIUS) servers


def _model(inv: Inventory) -> tuple[ModelRules, Location] | None:
    if inv.city is None:
        return None
    return MODELS[inv.city.separation_model], inv.where(inv.city, "separation_model")


def check_model_placement(index: InventoryIndex) -> Iterator[Issue]:
    """Groupware, business systems and LGWAN-dependent services in the zones the model says."""
    inv = index.inventory
    chosen = _model(inv)
    if chosen is None:
        return
    model, _ = chosen
    wanted = {"groupware": model.terminal_zone, "business_system": model.business_systems_zone,
              "lgwan_service": LGWAN}
    for host in inv.hosts:
        zone = wanted.get(host.role)
        for n, interface in enumerate(host.interfaces):
            if zone is not None and interface.zone != zone:
                yield Issue(inv.where(host, "interfaces", n, "zone"), f"{host.name} ({host.role.replace('_', ' ')}) "
                            f"is in zone {interface.zone}; the {model.name} model puts it in {zone}")
    yield from _terminal_issues(index, model)


def _terminal_issues(index: InventoryIndex, model: ModelRules) -> Iterator[Issue]:
    """A department whose terminals are only on the side the model does not put them."""
    inv = index.inventory
    terminal_lans = {(p.site, p.vlan) for p in inv.prefixes if p.role == "user" and p.vlan is not None}
    zones_of: dict[tuple[str, str], set[str]] = {}
    for vlan in inv.vlans:
        if vlan.department_ja and (vlan.site, vlan.id) in terminal_lans:
            zones_of.setdefault((vlan.site, vlan.department_ja), set()).add(vlan.zone)
    reported: set[tuple[str, str]] = set()
    for vlan in (v for v in inv.vlans if (v.site, v.id) in terminal_lans):
        department = (vlan.site, vlan.department_ja)
        zones = zones_of.get(department, set())
        if vlan.zone == model.other_zone and model.terminal_zone not in zones and department not in reported:
            reported.add(department)
            yield Issue(inv.where(vlan, "zone"), f"{vlan.department_ja} has terminals in {vlan.zone} ({vlan.name}) "
                        f"and none in {model.terminal_zone}: the {model.name} model puts the main business "
                        f"terminals in {model.terminal_zone}")


def check_model_paths(index: InventoryIndex) -> Iterator[Issue]:
    """The approved paths the model needs, and none it forbids."""
    inv = index.inventory
    chosen = _model(inv)
    if chosen is None:
        return
    model, where = chosen
    kinds = {p.kind for p in inv.approved_paths}
    if "sanitising_relay" not in kinds:
        yield Issue(where, "every separation model passes files between LGWAN and INTERNET only through a "
                    "sanitising relay: no approved path of kind sanitising_relay (zones.yaml approved_paths)")
    if model.screen_transfer_required and "screen_transfer" not in kinds:
        yield Issue(where, f"the {model.name} model reaches LGWAN's systems from the INTERNET zone by screen "
                    "transfer: no approved path of kind screen_transfer names the gateway, servers and ports")
    if model.local_breakout and "local_breakout" not in kinds:
        yield Issue(where, f"the {model.name} model breaks out to named cloud services: no approved path of kind "
                    "local_breakout names them (its flows' destinations)")
    for path in inv.approved_paths:
        if path.kind == "local_breakout" and not model.local_breakout:
            yield Issue(inv.where(path, "kind"), f"{path.name}: local breakout from LGWAN is the α′ model's; "
                        f"the city runs {model.name} (city.separation_model)", related=(where,))
        if path.kind == "screen_transfer":
            yield from _screen_transfer_issues(index, model, path)
    if model.authenticated_internet_terminals and inv.city is not None and RADIUS_KEY not in inv.city.secrets:
        yield Issue(inv.where(inv.city, "secrets"), f"the {model.name} model authenticates the INTERNET zone's "
                    f"terminals (802.1X): city.secrets needs {RADIUS_KEY}, the RADIUS servers' key")


def _screen_transfer_issues(index: InventoryIndex, model: ModelRules, path: ApprovedPath) -> Iterator[Issue]:
    """The terminals' zone reaches the gateway only; the gateway's other leg reaches named servers
    on named ports only."""
    inv = index.inventory
    near = model.screen_transfer_from
    far = INTERNET if near == LGWAN else LGWAN
    gateway = next((h for h in inv.hosts if h.name == path.via), None)
    if gateway is None:
        return  # the references check names the unknown host
    if gateway.role != "screen_transfer":
        yield Issue(inv.where(path, "via"), f"{path.via} is a {gateway.role} host, not a screen_transfer gateway")
    legs = {i.zone: i.address.ip for i in gateway.interfaces}
    servers = {i.address.ip: h for h in inv.hosts for i in h.interfaces if i.zone == far and h is not gateway}
    for n, flow in enumerate(path.flows):
        at = inv.where(path, "flows", n)
        single = flow.to.num_addresses == 1
        if flow.from_zone == near:
            if not single or flow.to.network_address != legs.get(near):
                yield Issue(at.child("to"), f"{path.name}: the {near} zone's terminals reach only the gateway "
                            f"({path.via}'s {near} address), never {flow.to} behind it")
        elif flow.from_zone == far:
            server = servers.get(flow.to.network_address) if single else None
            if server is None:
                yield Issue(at.child("to"), f"{path.name}: {flow.to} is not a named {far} server (one host's "
                            f"address, in hosts)")
            if not flow.ports:
                yield Issue(at, f"{path.name}: the screen transfer to {flow.to} names no ports")
        else:
            yield Issue(at.child("from_zone"), f"{path.name}: screen transfer in the {model.name} model goes from "
                        f"{near} to {far}, not from {flow.from_zone}")
    if not any(f.from_zone == near for f in path.flows):
        yield Issue(inv.where(path, "flows"), f"{path.name}: the {model.name} model's screen transfer starts in "
                    f"{near}; no flow from {near} to the gateway", related=(inv.where(gateway, "name"),))


CHECKS: tuple[Check, ...] = (check_model_placement, check_model_paths)

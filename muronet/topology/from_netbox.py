"""Build the graph from NetBox with one GraphQL query (``muronet topology --source netbox``).

The REST equivalent (``rest_graph``) is kept for the benchmark, which compares the two on the same
NetBox: it needs one paged list call per object type, and pages through every interface.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from muronet.netbox.connection import NetBoxTarget, api, graphql
from muronet.topology.graph import CircuitEdge, DeviceNode, Link, PhysicalGraph, SiteNode

QUERY = """
query Topology {
  site_list { id slug name latitude longitude custom_fields group { slug } }
  device_list { id name site { slug } role { slug } tags { slug } }
  interface_list(filters: {vrf: {name: {i_contains: ""}}}) { device { name } vrf { name } }
  vrf_list { name description tags { slug } }
  cable_list {
    id label type length status tags { slug }
    terminations { cable_end termination {
      __typename
      ... on InterfaceType { id name device { name site { slug } } }
      ... on CircuitTerminationType { id term_side circuit { cid } }
    } }
  }
  circuit_list {
    cid commit_rate type { slug } provider { slug name }
    terminations { id term_side termination {
      __typename
      ... on SiteType { slug }
      ... on ProviderNetworkType { name }
    } }
  }
}
"""


def graph_from_netbox(target: NetBoxTarget) -> PhysicalGraph:
    """The whole graph from one GraphQL request."""
    return build_graph(graphql(target, QUERY))


def build_graph(data: dict[str, Any]) -> PhysicalGraph:
    graph = PhysicalGraph(source="netbox")
    management = {v["name"] for v in data["vrf_list"] if any(t["slug"] == "management-zone" for t in v["tags"])}
    graph.zones = {v["name"]: v["description"] or v["name"] for v in data["vrf_list"] if v["name"] not in management}
    zones_of: dict[str, set[str]] = defaultdict(set)
    for interface in data["interface_list"]:
        if interface["vrf"] and interface["vrf"]["name"] not in management:
            zones_of[interface["device"]["name"]].add(interface["vrf"]["name"])
    devices_at: dict[str, list[str]] = defaultdict(list)
    for device in data["device_list"]:
        site = device["site"]["slug"]
        devices_at[site].append(device["name"])
        graph.devices[device["name"]] = DeviceNode(
            device["name"], site, device["role"]["slug"].replace("-", "_"), tuple(sorted(zones_of[device["name"]])),
            any(t["slug"] == "zone-gateway" for t in device["tags"]))
    for site in data["site_list"]:
        graph.sites[site["slug"]] = SiteNode(
            site["slug"], site["name"], (site["custom_fields"] or {}).get("name_romaji") or site["slug"],
            site["group"]["slug"].replace("-", "_") if site["group"] else "", float(site["latitude"] or 0),
            float(site["longitude"] or 0), tuple(sorted(devices_at[site["slug"]])))
    circuit_ports = _circuit_ports(data["cable_list"])
    for cable in data["cable_list"]:
        ends = {t["cable_end"]: t["termination"] for t in cable["terminations"]}
        a, b = ends.get("A"), ends.get("B")
        if not a or not b or a["__typename"] != "InterfaceType" or b["__typename"] != "InterfaceType":
            continue  # a cable to a circuit is drawn with its circuit
        ring = next((t["slug"].removeprefix("ring-") for t in cable["tags"] if t["slug"].startswith("ring-")), None)
        graph.links.append(Link(a["device"]["name"], a["name"], b["device"]["name"], b["name"],
                                a["device"]["site"]["slug"], b["device"]["site"]["slug"],
                                {"dac-passive": "dac"}.get(cable["type"] or "", cable["type"] or ""),
                                float(cable["length"]) if cable["length"] is not None else None, ring,
                                cable["label"], str(cable["id"])))
    for circuit in data["circuit_list"]:
        ends = {t["term_side"]: t for t in circuit["terminations"]}
        a, z = ends.get("A"), ends.get("Z")
        port = circuit_ports.get(a["id"]) if a else None
        graph.circuits.append(CircuitEdge(
            circuit["cid"], circuit["provider"]["slug"], circuit["type"]["slug"].replace("-", "_"),
            (circuit["commit_rate"] or 0) // 1000,
            a["termination"]["slug"] if a and a["termination"] else "", port[0] if port else "",
            z["termination"]["name"] if z and z["termination"] else "",
            tuple(str(t["id"]) for t in (a, z) if t), (str(port[1]) if port else "")))
    return graph


def _circuit_ports(cables: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Circuit termination id → (the device cabled to it, that cable's id)."""
    found = {}
    for cable in cables:
        ends = [t["termination"] for t in cable["terminations"] if t["termination"]]
        kinds = {e["__typename"]: e for e in ends}
        if "InterfaceType" in kinds and "CircuitTerminationType" in kinds:
            found[kinds["CircuitTerminationType"]["id"]] = (kinds["InterfaceType"]["device"]["name"], cable["id"])
    return found


def rest_graph(target: NetBoxTarget) -> PhysicalGraph:
    """The same graph from REST, one paged list call per object type (for the benchmark)."""
    nb = api(target)

    def listed(endpoint: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in endpoint.all(limit=1000)]

    interfaces = {i["id"]: i for i in listed(nb.dcim.interfaces)}
    terminations = {t["id"]: t for t in listed(nb.circuits.circuit_terminations)}
    devices, sites = listed(nb.dcim.devices), listed(nb.dcim.sites)
    site_of = {d["id"]: d["site"]["slug"] for d in devices}
    site_slug = {s["id"]: s["slug"] for s in sites}
    data: dict[str, Any] = {
        "site_list": sites,
        "device_list": devices,
        "interface_list": [{"device": i["device"], "vrf": i["vrf"]} for i in interfaces.values() if i["vrf"]],
        "vrf_list": listed(nb.ipam.vrfs),
        "cable_list": [{**c, "terminations": [
            {"cable_end": end, "termination": _rest_end(t, interfaces, terminations, site_of)}
            for end, key in (("A", "a_terminations"), ("B", "b_terminations")) for t in c[key]]}
            for c in listed(nb.dcim.cables)],
        "circuit_list": [{**c, "terminations": [
            {"id": str(t["id"]), "term_side": t["term_side"],
             "termination": {"slug": site_slug.get(t["termination_id"])} if t["termination_type"] == "dcim.site"
             else {"name": (t.get("termination") or {}).get("name")}}
            for t in terminations.values() if t["circuit"]["id"] == c["id"]]} for c in listed(nb.circuits.circuits)],
    }
    for cable in data["cable_list"]:  # GraphQL's shapes: ids as strings, choices as values
        cable["id"] = str(cable["id"])
        cable["type"] = cable["type"] if not isinstance(cable["type"], dict) else cable["type"]["value"]
    return build_graph(data)


def _rest_end(end: dict[str, Any], interfaces: dict[int, Any], terminations: dict[int, Any],
              site_of: dict[int, str]) -> dict[str, Any]:
    if end["object_type"] == "dcim.interface":
        interface = interfaces[end["object_id"]]
        device = interface["device"]
        return {"__typename": "InterfaceType", "id": str(interface["id"]), "name": interface["name"],
                "device": {"name": device["name"], "site": {"slug": site_of[device["id"]]}}}
    termination = terminations[end["object_id"]]
    return {"__typename": "CircuitTerminationType", "id": str(termination["id"]), "term_side": termination["term_side"],
            "circuit": {"cid": termination["circuit"]["cid"]}}

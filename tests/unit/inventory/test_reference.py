"""The repository's inventory describes the city the issues ask for, and Nornir reads it."""

from __future__ import annotations

from collections import defaultdict

import yaml
from nornir import InitNornir
from support import INVENTORY, REPO

from muronet.inventory.index import split_endpoint
from muronet.inventory.model import Role, SiteKind

ROUTED = {Role.CORE, Role.AGGREGATION, Role.FACILITY_EDGE, Role.LGWAN_ROUTER, Role.INTERNET_GATEWAY}


def test_city_hall_and_at_least_forty_facilities_each_with_an_edge_router(reference):
    facilities = [s for s in reference.sites if s.kind != SiteKind.CITY_HALL]
    assert len(facilities) >= 40
    assert sum(1 for s in reference.sites if s.kind == SiteKind.CITY_HALL) == 1
    edges = {d.site for d in reference.devices if d.role == Role.FACILITY_EDGE}
    assert edges == {s.slug for s in facilities}
    assert len({s.kind for s in facilities}) >= 8  # schools, library, hospital, fire stations, …
    for site in reference.sites:
        assert site.name_ja and site.name_romaji and site.address.startswith("室蘭市")


def test_whole_city_has_at_least_45_routed_devices_on_frr_and_switches_on_ios(reference):
    routed = [d for d in reference.devices if d.role in ROUTED]
    assert len(routed) >= 45
    assert {d.platform for d in routed} == {"frr"}
    assert {d.platform for d in reference.devices if d.role == Role.ACCESS_SWITCH} == {"cisco_ios"}
    assert sum(1 for d in reference.devices if d.role == Role.CORE) == 2


def test_every_fiber_ring_runs_from_agg1_to_agg2_through_its_facilities(reference):
    """Walk each ring's spans as a path: one end on each aggregation router, no branches."""
    spans = defaultdict(list)
    for cable in reference.cables:
        if cable.ring:
            assert cable.kind == "smf" and cable.length_km and cable.length_km > 0
            spans[cable.ring].append((split_endpoint(cable.a)[0], split_endpoint(cable.b)[0]))
    assert set(spans) == set(reference.rings)
    for ring, edges in spans.items():
        degree = defaultdict(int)
        for a, b in edges:
            degree[a] += 1
            degree[b] += 1
        ends = sorted(n for n, d in degree.items() if d == 1)
        assert ends == ["ch-agg1", "ch-agg2"], ring
        assert all(d <= 2 for d in degree.values()), ring
        assert len(edges) == len(degree) - 1  # a path, not a cycle plus strays


def test_lgwan_line_and_approved_paths_are_declared(reference, reference_index):
    (lgwan,) = [c for c in reference.circuits if c.kind == "lgwan_access"]
    assert lgwan.provider and lgwan.bandwidth_mbps > 0 and lgwan.reachable_prefixes
    router = reference_index.devices[split_endpoint(lgwan.termination)[0]]
    assert router.role == Role.LGWAN_ROUTER
    assert reference_index.device_zones(router) == {"LGWAN"}
    kinds = {p.kind for p in reference.approved_paths}
    assert {"sanitising_relay", "internet_exit"} <= kinds


def test_departments_have_a_vlan_per_zone_at_city_hall(reference):
    zones_per_department = defaultdict(set)
    for vlan in reference.vlans:
        if vlan.department_ja and not vlan.name.endswith("-SERVERS"):
            zones_per_department[vlan.department_ja].add(vlan.zone)
    assert len(zones_per_department) >= 18
    assert all({"LGWAN", "INTERNET"} <= z for z in zones_per_department.values())
    assert sum(1 for z in zones_per_department.values() if "MYNUMBER" in z) >= 5


def test_no_literal_secret_anywhere_in_the_inventory(reference):
    """Keys that name a secret hold a reference mapping ({env:…}/{vault:…}), never a text value;
    ``*_secret`` keys name one of those references."""
    suspicious = ("password", "secret", "key", "community", "token")
    references = set(reference.city.secrets)

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                name = str(k).lower()
                if name.endswith("_secret") and isinstance(v, str):
                    assert v in references, f"{path}.{k} names no secret reference"
                elif any(s in name for s in suspicious) and isinstance(v, str) and name != "key":
                    raise AssertionError(f"{path}.{k} holds a literal value")
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for n, v in enumerate(node):
                walk(v, f"{path}[{n}]")

    for file in INVENTORY.rglob("*.yaml"):
        walk(yaml.safe_load(file.read_text(encoding="utf-8")), file.name)


def test_nornir_reads_every_device_with_platform_address_port_groups_and_data(reference, monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("MURONET_USERNAME", "automation")
    monkeypatch.delenv("MURONET_PASSWORD", raising=False)
    nr = InitNornir(config_file="nornir.yaml")
    hosts = nr.inventory.hosts
    assert set(hosts) == {d.name for d in reference.devices}
    library = hosts["library-rt1"]
    assert (library.platform, library.hostname, library.port) == ("frr", "10.99.2.12", 22)
    groups = {g.name for g in library.groups}
    assert {"site:library", "role:facility_edge", "zone:REGIONAL", "zone:INTERNET", "kind:library"} <= groups
    assert library["site"]["name_ja"] == "室蘭市図書館"
    assert library.username == "automation" and library.password is None
    lgwan_zone = {h for h, host in hosts.items() if "zone:LGWAN" in {g.name for g in host.groups}}
    assert {"ch-core1", "ch-core2", "ch-lgwan-rt1"} <= lgwan_zone
    assert not any(h.endswith("-rt1") and h != "ch-lgwan-rt1" for h in lgwan_zone)
    # napalm talks FRR through our driver, netmiko through vtysh's IOS dialect
    assert library.get_connection_parameters("napalm").platform == "frr"
    assert library.get_connection_parameters("netmiko").platform == "cisco_ios"
    # each host owns its optional_args (nornir-napalm writes the port into it)
    args = [h.connection_options["napalm"].extras["optional_args"] for h in hosts.values()]
    assert len({id(a) for a in args}) == len(args)

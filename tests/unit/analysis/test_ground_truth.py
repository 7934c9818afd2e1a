"""The offline analysis against ground truth nobody here wrote (``tests/data/ground_truth``): Batfish's
published answers on its example network (every route of every router, the structures defined and
never used, the references undefined), the session states pybatfish's BGP notebook publishes on
the network's BGP variant, and the route tables FRR's own topotests expect. The model is run as a
user runs it: ``muronet analyze --from DIR`` in a folder with no inventory. Each answer is compared
whole: the model must give exactly what the ground truth says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import REPO, analyse_foreign

DATA = REPO / "tests" / "data"
EXAMPLE = DATA / "batfish_example"
EXAMPLE_BGP = DATA / "ground_truth" / "batfish_example_bgp"
TOPOTESTS = DATA / "ground_truth" / "frr_topotests"
ANSWERS = json.loads((DATA / "ground_truth" / "batfish_example" / "answers.json").read_text())
# Batfish's protocol names as the model's: an IOS BGP aggregate is BGP's discard route, OSPF's
# external and inter-area routes are OSPF routes
FAMILY = {"ibgp": "bgp", "aggregate": "bgp", "ospfE2": "ospf", "ospfE1": "ospf", "ospfIA": "ospf"}
KIND = {"bgp peer-group": "peer-group", "expanded community-list": "community-list",
        "standard community-list": "community-list", "ipv4 prefix-list": "prefix-list",
        "extended ipv4 access-list": "access-list", "standard ipv4 access-list": "access-list",
        "route-map": "route-map"}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict:
    code, document, stderr = analyse_foreign(EXAMPLE, tmp_path_factory.mktemp("example"))
    assert code in (0, 1) and "inventory folder not found" not in stderr, stderr
    return document


def model_routes(document: dict) -> set[tuple[str, str, str, str]]:
    routes = set()
    for router, tables in document["routes"].items():
        for route in tables.get("default", []):
            for hop in route["next_hops"]:
                hop = "discard" if hop == "blackhole" else \
                    f"interface {hop.removesuffix(' (connected)')}" if hop.endswith("(connected)") else hop
                routes.add((router, route["prefix"], route["protocol"], hop))
    return routes


def test_every_route_of_batfish_s_example_network_as_batfish_computes_it(example):
    """Batfish's example: three ASes of IOS routers, iBGP between loopbacks through route reflectors,
    peer groups, communities and local preference set by route-maps, an aggregate, multipath, OSPF
    with redistribution, IOS's local routes. Every route Batfish answers is compared by router,
    prefix, protocol and next hop."""
    truth = {(r["node"], r["network"], FAMILY.get(r["protocol"], r["protocol"]), r["next_hop"])
             for r in ANSWERS["routes"]}
    ours = model_routes(example)
    # every one, the second paths route reflectors send with ADD-PATH (``bgp additional-paths``) included
    assert ours == truth, (sorted(truth - ours), sorted(ours - truth))
    # iBGP between loopbacks carries AS 3's prefixes to AS 2's core, next hop the eBGP peer, resolved by OSPF
    assert ("as2core1", "3.0.1.0/24", "bgp", "10.23.21.3") in ours


def test_the_structures_batfish_finds_unused_and_undefined(example):
    unused_truth = {(s["node"], KIND[s["kind"]], s["name"]) for s in ANSWERS["structures"]
                    if s["referrers"] == 0 and s["kind"] in KIND}
    ours = {(f["device"], *f["message"].removesuffix(" is defined and never used").split(" ", 1))
            for f in example["findings"] if f["check"] == "unused-structure"}
    assert ours == unused_truth and any(kind == "peer-group" for _, kind, _ in ours)
    undefined_truth = {(u["node"], KIND[u["kind"]], u["name"]) for u in ANSWERS["undefined"]}
    ours_undefined = {(f["device"], *f["message"].split(": ", 1)[1].removesuffix(" is not defined").split(" ", 1))
                      for f in example["findings"] if f["check"] == "undefined-reference"}
    assert ours_undefined == undefined_truth


def test_bgp_sessions_as_pybatfish_publishes_them(tmp_path):
    """The BGP variant: a core whose loopback OSPF does not carry (so its loopback sessions never come
    up), a session without update-source that still comes up because the far end opens it, dynamic
    neighbours from a listen range, and sessions to peers that exist nowhere. The sessions the model
    reports down are exactly those pybatfish's notebook shows not established, each with its check."""
    truth = json.loads((EXAMPLE_BGP / "sessions.json").read_text())
    code, document, _ = analyse_foreign(EXAMPLE_BGP, tmp_path)
    assert code == 1
    down = {}
    for finding in document["findings"]:
        if finding["check"] == "bgp-session":
            address = finding["message"].split(" → ", 1)[1].split(":", 1)[0]
            down.setdefault((finding["device"], address), []).append(finding["message"])
    assert set(down) == {(s["node"], s["remote_ip"]) for s in truth["not_established"]}
    assert not {(s["node"], s["remote_ip"]) for s in truth["established_checked"]} & set(down)
    for said in down.values():
        assert all(m.endswith("]") or m.endswith("not checked") for m in said), said
    assert down[("as2border1", "2.1.2.1")] == [
        "BGP session as2border1 → 2.1.2.1: as2border1 has no route to 2.1.2.1 [reachability]"]
    assert any("[peer]" in m for m in down[("as1border1", "3.2.2.2")])


def test_another_network_s_folder_is_analysed_without_an_inventory(tmp_path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    done = subprocess.run([sys.executable, "-m", "muronet.cli", "analyze", "--from", str(EXAMPLE_BGP)], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "no inventory at inventory: cabling inferred from the subnets the configurations share" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("13 configurations analysed: ")


STATICS = """frr defaults traditional
hostname s1
interface eth1
 ip address 192.0.2.1/24
exit
ip route 198.51.100.0/24 192.0.2.254 255
ip route 203.0.113.0/24 203.0.113.1
ip route 10.9.0.0/16 NULL0
ip route 10.8.0.0/16 192.0.2.254
"""


def test_statics_as_the_platforms_install_them(tmp_path):
    """Distance 255 is never installed; a next hop that resolves only through the route itself is
    refused; a null interface in any case is a discard route."""
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "s1.cfg").write_text(STATICS)
    _, document, _ = analyse_foreign(folder, tmp_path)
    table = {r["prefix"]: r for r in document["routes"]["s1"]["default"]}
    assert "198.51.100.0/24" not in table and "203.0.113.0/24" not in table
    assert table["10.9.0.0/16"]["next_hops"] == ["blackhole"]
    assert table["10.8.0.0/16"]["next_hops"] == ["192.0.2.254"]


def _hops(hops: list[str]) -> tuple[str, ...]:
    return tuple(sorted(h for h in hops if not h.endswith("(connected)")))


def test_every_ospf_route_of_frr_s_topotest_ospf_gr_topo1(tmp_path):
    """Seven FRR routers in four areas, one an NSSA whose ASBR redistributes its connected networks
    (type 7, translated by its ABR into type 5 for the others): every OSPF route of every router,
    metric and next hops, as the topotest expects them."""
    folder = TOPOTESTS / "ospf_gr_topo1"
    code, document, stderr = analyse_foreign(folder, tmp_path)
    assert code == 0, stderr
    expected, model = {}, {}
    for path in sorted((folder / "expected").glob("*.json")):
        for prefix, entries in json.loads(path.read_text()).items():
            hops = tuple(sorted(h["ip"] for h in entries[0]["nexthops"]))
            expected[(path.stem, prefix)] = (entries[0]["metric"], hops)
        model.update({(path.stem, r["prefix"]): (r["metric"], _hops(r["next_hops"]))
                      for r in document["routes"][path.stem]["default"] if r["protocol"] == "ospf"})
    assert len(expected) == 84 and model == expected


def test_the_table_frr_s_topotest_bgp_features_expects(tmp_path):
    """OSPF by ``network`` statements, iBGP between loopbacks, eBGP with a default route sent, an
    OSPF route beside an iBGP one for the same prefix: r1's table, route by route, the one FRR selects."""
    folder = TOPOTESTS / "bgp_features"
    _, document, stderr = analyse_foreign(folder, tmp_path)
    selected = {}
    for prefix, entries in json.loads((folder / "expected" / "r1.json").read_text()).items():
        entry = next(e for e in entries if e.get("selected"))
        selected[prefix] = (entry["protocol"], tuple(sorted(h["ip"] for h in entry["nexthops"]
                                                            if h.get("ip") and not h.get("resolver"))))
    model = {r["prefix"]: (r["protocol"], _hops(r["next_hops"])) for r in document["routes"]["r1"]["default"]}
    assert len(selected) == 12 and model == selected, stderr
    # r5's ``neighbor 192.168.101.1 default-originate`` names a neighbour r5 never makes: no session of it
    assert not [f for f in document["findings"] if f["device"] == "r5" and f["check"] == "bgp-session"]

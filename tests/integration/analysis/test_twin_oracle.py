"""FRR itself as the oracle: networks designed here but not rendered by muronet
(``tests/data/twin_oracle``), run on real FRR 8.4 routers in network namespaces, and the offline
model of the same files (``muronet analyze --from DIR``, no inventory, as a user runs it on
another network's configurations) compared with them route by route and session by session.

``bgp_ospf``: iBGP between loopbacks to a route reflector (a peer group), next-hop-self on one
client and not on the other (its eBGP next hop resolved through OSPF), local preference set by a
community, an AS path prepended, MED compared with ``always-compare-med`` on one router only, an
aggregate with ``summary-only``, statics redistributed into BGP (next hop: the static's gateway)
and into OSPF (type 1, metric 50, through a route-map); OSPF with a stub area (``default-cost``),
a totally stubby area, an NSSA with an ASBR inside it (type 7, translated), an area range, a
reference bandwidth and a port ``bandwidth``; one iBGP session to a router without BGP, one eBGP
session between loopbacks over a static route (FRR's connected check accepts it).

FRR's topotests (``tests/data/ground_truth/frr_topotests``) run the same way: ``ospf_gr_topo1``
(four areas, an NSSA whose ASBR redistributes its connected networks) and ``bgp_features`` (OSPF by
``network`` statements, iBGP between loopbacks, eBGP with ``default-originate``, the per-daemon files
merged). ``tests/unit/analysis/test_ground_truth.py`` compares the first with the tables its topotest expects.

``confederation``: AS 100 of member ASes 65001 (two routers, iBGP between loopbacks), 65002 and
65003; local preference set in one member AS and carried into the next, a confederation segment
that does not count in the AS path's length, next hops kept across the confederation and resolved
through OSPF, the confederation's identifier as the AS outside it (a peer that names a member AS
instead is refused), RFC 8212 applied by FRR 8.4 to one confederation peering and lifted on the
others (``no bgp ebgp-requires-policy``), and an ``ip ospf area`` on a router that runs no
``router ospf`` (FRR forms no adjacency).

``virtual_link``: an area joined to the backbone only through another area (``area 1
virtual-link``), the transit path the cheaper of two.

``multipath``: eBGP multipath (``maximum-paths 2``) over two peers of one AS, iBGP multipath
(``maximum-paths ibgp 2``), OSPF equal-cost paths around a square, type-1 externals and a type-1
default route (``default-information originate always``); route-maps that add to the MED (``set
metric +10``), delete communities (``set comm-list … delete``) that another router's local
preference would otherwise follow, prepend the last AS (``last-as 2``) and set a third-party next
hop (``set ip next-hop``).

``local_as``: ``neighbor … local-as`` as a peer sees it (the AS it must name), prepended to what
comes in and before the real AS on what goes out, and with ``no-prepend replace-as`` neither; ties
broken by router id (``bgp bestpath compare-routerid``) so that each of those four decides a route.

``static_hops``: single-hop eBGP over static routes (found by a unit test of the model, judged
here): between loopbacks of neighbouring routers it comes up (FRR's connected check takes the
static route, and the packets' one hop suffices); to a peer behind another router it does not (the
check passes, but TTL 1 never reaches the peer: FRR stays in OpenSent), and with
``ebgp-multihop`` on one end only it still does not.
"""

from __future__ import annotations

import os
import time
from itertools import pairwise
from pathlib import Path

import pytest
from frr_network import frr_network, table_differences
from support import REPO, analyse_foreign

DATA = REPO / "tests" / "data"
# designed here, and FRR's own topotests (their configurations as they are)
FOLDERS = {p.name: p for parent in (DATA / "twin_oracle", DATA / "ground_truth" / "frr_topotests")
           for p in sorted(parent.iterdir()) if p.is_dir()}
NETWORKS = sorted(FOLDERS)


def model_tables(document: dict) -> dict[tuple[str, str], dict[str, tuple]]:
    """The model's tables in the terms of ``FrrNetwork.tables``."""
    return {(router, table): {r["prefix"]: (r["protocol"], r["metric"],
                                            tuple(sorted(h for h in r["next_hops"] if not h.endswith("(connected)"))))
                              for r in routes}
            for router, tables in document["routes"].items() for table, routes in tables.items()}


def converged(network, expected: dict, settle: float = 20, least: float = 8, timeout: float = 120) -> dict:
    """FRR's tables once they equal the model's (and ``least`` seconds have passed: a model
    without BGP routes equals the tables at boot, before a session could add one), or have stayed
    the same for ``settle`` seconds (FRR converges within seconds here: hellos of one second, BGP
    timers of one and three; a table that still differs then is a difference)."""
    start = time.monotonic()
    last, since, deadline = None, start, start + timeout
    while time.monotonic() < deadline:
        tables = network.tables()
        if tables == expected and time.monotonic() - start >= least:
            return tables
        if tables != last:
            last, since = tables, time.monotonic()
        elif time.monotonic() - since >= settle:
            return tables
        time.sleep(1)
    return last or {}


def settled_sessions(network, routers: list[str], settle: float = 5, least: float = 8, timeout: float = 60) -> dict:
    """Every router's BGP sessions once their states have stayed the same for ``settle`` seconds,
    and not before ``least`` seconds from now (a network whose model has no BGP route equals its
    tables at boot, before any session is up; with timers of one and three seconds, a session that
    can come up does within seconds)."""
    start = time.monotonic()
    last, since = None, start
    while True:
        now = time.monotonic()
        states = {router: network.bgp_sessions(router) for router in routers}
        if states != last:
            last, since = states, now
        settled = now - since >= settle and now - start >= least
        if settled or now - start >= timeout:
            return states
        time.sleep(1)


@pytest.fixture(scope="module", params=NETWORKS)
def oracle(request, tmp_path_factory):
    assert os.geteuid() == 0, "FRR runs in network namespaces: run as root (CI does)"
    folder = FOLDERS[request.param]
    configs = {path.stem: path.read_text() for path in sorted(folder.glob("*.cfg"))}
    code, document, stderr = analyse_foreign(folder, tmp_path_factory.mktemp("model"))
    assert code in (0, 1), stderr
    with frr_network(tmp_path_factory.mktemp("frr"), configs) as network:
        tables = converged(network, model_tables(document))
        sessions = settled_sessions(network, list(configs))
    return request.param, document, tables, sessions


def test_every_route_of_every_router_is_the_one_frr_selects(oracle):
    _, document, tables, _ = oracle
    model = model_tables(document)
    routers = {router for router, _ in tables}
    assert sum(len(t) for t in tables.values()) >= 3 * len(routers) >= 9  # FRR came up: every network has more
    assert table_differences(model, tables) == []


def test_the_sessions_reported_down_are_exactly_those_frr_does_not_establish(oracle):
    network, document, _, sessions = oracle

    def named(check: str) -> set[tuple[str, str]]:
        return {(f["device"], f["message"].split(" → ", 1)[1].split(":", 1)[0])
                for f in document["findings"] if f["check"] == check}

    down = named("bgp-session")
    not_established = {(router, address) for router, peers in sessions.items()
                       for address, (state, _) in peers.items() if state != "Established"}
    established = {(router, address) for router, peers in sessions.items()
                   for address, (state, _) in peers.items() if state == "Established"}
    assert established or not any(sessions.values())
    if network in ("bgp_ospf", "confederation"):  # designed with sessions that do not come up
        assert not_established
    # a session down at one end is down at both: FRR lists it on each router that configures it
    assert down == not_established
    # FRR 8.4 applies RFC 8212 to confederation peers: up, and nothing passes either way
    blocked = named("bgp-policy")
    assert all(sessions[router][address] == ("Established", 0) for router, address in blocked)
    assert blocked or network != "confederation"


def test_the_network_is_torn_down():
    """Nothing of an oracle network outlives its test: no namespace, no FRR of its name."""
    names = {p.stem for folder in FOLDERS.values() for p in folder.glob("*.cfg")}
    present = set(os.listdir("/var/run/netns")) if Path("/var/run/netns").exists() else set()
    assert not names & present
    running = []
    for process in Path("/proc").iterdir():
        if process.name.isdigit():
            try:
                words = (process / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            running += [w.decode() for before, w in pairwise(words) if before == b"-N"]
    assert not names & set(running)

"""The routing model's modules called directly (``muronet.analysis``: ``build_model`` over read
configurations), so that a failure names the part that broke: OSPF paths and costs, BGP best-path
selection with route policies, static routes, BGP transport. Small networks written here, in FRR
8.4's syntax; FRR itself judges larger ones in tests/integration/analysis/test_twin_oracle.py."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

from muronet.analysis import audits_of
from muronet.analysis.routing import RoutingModel, build_model
from muronet.inventory.index import InventoryIndex
from muronet.inventory.loader import Inventory
from muronet.policy.context import Settings


def _model(configs: dict[str, str]) -> RoutingModel:
    """The model of these configurations alone, as ``muronet analyze --from`` builds it (no
    inventory: links from the subnets they share)."""
    index = InventoryIndex(Inventory(root=Path("no-inventory")))
    audits = audits_of(configs, dict.fromkeys(configs, "frr"), Settings(), index)
    assert set(audits) == set(configs)
    return build_model(index, audits)


def _route(model: RoutingModel, router: str, prefix: str) -> tuple[str, int, set[str]]:
    route = model.table(router).get(IPv4Network(prefix))
    assert route is not None, f"{router} has no route to {prefix}"
    return route.protocol, route.metric, {str(h.address) for h in route.next_hops}


def _ospf_router(name: str, loopback: str, links: list[tuple[str, str, int]]) -> str:
    ports = "".join(f"interface {port}\n ip address {address}\n ip ospf area 0\n ip ospf cost {cost}\nexit\n"
                    for port, address, cost in links)
    return (f"frr version 8.4.4\nhostname {name}\n{ports}interface lo\n ip address {loopback}/32\n"
            f" ip ospf area 0\nexit\nrouter ospf\n ospf router-id {loopback}\nexit\n")


def test_ospf_takes_the_cheaper_of_two_paths_and_both_when_they_cost_the_same() -> None:
    square = {  # r1 - r2 - r4 costs 10 + 10; r1 - r3 - r4 costs 5 + 5; then r3's link made 15
        "r1": _ospf_router("r1", "10.0.0.1", [("eth1", "10.1.12.1/30", 10), ("eth2", "10.1.13.1/30", 5)]),
        "r2": _ospf_router("r2", "10.0.0.2", [("eth1", "10.1.12.2/30", 10), ("eth2", "10.1.24.1/30", 10)]),
        "r3": _ospf_router("r3", "10.0.0.3", [("eth1", "10.1.13.2/30", 5), ("eth2", "10.1.34.1/30", 5)]),
        "r4": _ospf_router("r4", "10.0.0.4", [("eth1", "10.1.24.2/30", 10), ("eth2", "10.1.34.2/30", 5)]),
    }
    assert _route(_model(square), "r1", "10.0.0.4/32") == ("ospf", 10, {"10.1.13.2"})
    square["r1"] = square["r1"].replace("ip ospf cost 5", "ip ospf cost 15")
    assert _route(_model(square), "r1", "10.0.0.4/32") == ("ospf", 20, {"10.1.12.2", "10.1.13.2"})


def _bgp_router(name: str, asn: int, port: str, address: str, peer: str, peer_as: int, extra: str = "") -> str:
    return (f"frr version 8.4.4\nhostname {name}\ninterface {port}\n ip address {address}\nexit\n"
            f"router bgp {asn}\n no bgp ebgp-requires-policy\n neighbor {peer} remote-as {peer_as}\n{extra}exit\n")


def test_local_preference_set_by_a_route_map_beats_a_shorter_as_path() -> None:
    origin = ("frr version 8.4.4\nhostname origin\ninterface eth1\n ip address 10.2.1.1/30\nexit\n"
              "interface eth2\n ip address 10.2.2.1/30\nexit\nip route 192.0.2.0/24 blackhole\n"
              "router bgp 65001\n no bgp ebgp-requires-policy\n neighbor 10.2.1.2 remote-as 65002\n"
              " neighbor 10.2.2.2 remote-as 65003\n address-family ipv4 unicast\n  network 192.0.2.0/24\n"
              "  neighbor 10.2.2.2 route-map PREPEND out\n exit-address-family\nexit\n"
              "route-map PREPEND permit 10\n set as-path prepend 65001 65001\nexit\n")
    middle = ("frr version 8.4.4\nhostname middle\ninterface eth1\n ip address 10.2.1.2/30\nexit\n"
              "interface eth2\n ip address 10.2.3.1/30\nexit\nrouter bgp 65002\n no bgp ebgp-requires-policy\n"
              " neighbor 10.2.1.1 remote-as 65001\n neighbor 10.2.3.2 remote-as 65004\nexit\n")
    other = ("frr version 8.4.4\nhostname other\ninterface eth1\n ip address 10.2.2.2/30\nexit\n"
             "interface eth2\n ip address 10.2.4.1/30\nexit\nrouter bgp 65003\n no bgp ebgp-requires-policy\n"
             " neighbor 10.2.2.1 remote-as 65001\n neighbor 10.2.4.2 remote-as 65004\nexit\n")
    edge = ("frr version 8.4.4\nhostname edge\ninterface eth1\n ip address 10.2.3.2/30\nexit\n"
            "interface eth2\n ip address 10.2.4.2/30\nexit\nrouter bgp 65004\n no bgp ebgp-requires-policy\n"
            " neighbor 10.2.3.1 remote-as 65002\n neighbor 10.2.4.1 remote-as 65003\n{policy}exit\n"
            "route-map PREFER permit 10\n set local-preference 200\nexit\n")
    plain = _model({"origin": origin, "middle": middle, "other": other, "edge": edge.format(policy="")})
    assert _route(plain, "edge", "192.0.2.0/24") == ("bgp", 0, {"10.2.3.1"})  # via 65002: the shorter AS path
    preferred = edge.format(policy=" address-family ipv4 unicast\n  neighbor 10.2.4.1 route-map PREFER in\n"
                                   " exit-address-family\n")
    model = _model({"origin": origin, "middle": middle, "other": other, "edge": preferred})
    assert _route(model, "edge", "192.0.2.0/24")[2] == {"10.2.4.1"}  # local preference first, AS path after


def test_a_static_route_of_distance_255_is_configured_and_never_installed() -> None:
    config = ("frr version 8.4.4\nhostname r1\ninterface eth1\n ip address 10.3.0.1/24\nexit\n"
              "ip route 198.51.100.0/24 10.3.0.9\nip route 203.0.113.0/24 10.3.0.9 255\n"
              "ip route 192.0.2.0/24 10.9.9.9\n")
    model = _model({"r1": config})
    assert _route(model, "r1", "198.51.100.0/24") == ("static", 0, {"10.3.0.9"})
    assert model.table("r1").get(IPv4Network("203.0.113.0/24")) is None  # distance 255
    assert model.table("r1").get(IPv4Network("192.0.2.0/24")) is None  # a next hop it cannot reach


def test_an_ebgp_peer_two_hops_away_needs_multihop() -> None:
    """r1 and r3 peer over r2, which only forwards (static routes both ways): a single-hop eBGP
    session cannot come up (TTL 1, and the peer on no connected subnet); with ebgp-multihop it does."""
    r1 = ("frr version 8.4.4\nhostname r1\ninterface eth1\n ip address 10.4.0.1/30\nexit\n"
          "ip route 10.4.1.0/30 10.4.0.2\nrouter bgp 65001\n neighbor 10.4.1.2 remote-as 65003\n{hop}exit\n")
    r2 = ("frr version 8.4.4\nhostname r2\ninterface eth1\n ip address 10.4.0.2/30\nexit\n"
          "interface eth2\n ip address 10.4.1.1/30\nexit\n")
    r3 = ("frr version 8.4.4\nhostname r3\ninterface eth1\n ip address 10.4.1.2/30\nexit\n"
          "ip route 10.4.0.0/30 10.4.1.1\nrouter bgp 65003\n neighbor 10.4.0.1 remote-as 65001\n"
          " neighbor 10.4.0.1 ebgp-multihop 2\nexit\n")
    single = _model({"r1": r1.format(hop=""), "r2": r2, "r3": r3})
    assert single.sessions == []
    assert single.down[("r1", "default", IPv4Address("10.4.1.2"))].check == "ebgp-multihop"
    multihop = _model({"r1": r1.format(hop=" neighbor 10.4.1.2 ebgp-multihop 2\n"), "r2": r2, "r3": r3})
    assert {(s.speaker[0], str(s.sending.address)) for s in multihop.sessions} == {("r1", "10.4.1.2"),
                                                                                  ("r3", "10.4.0.1")}

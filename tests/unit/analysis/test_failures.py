"""What survives a failure, offline (muronet analyze --fail / --n-1 / --n-2), judged against the
fiber plant itself: with OSPF on every span, a facility keeps city hall exactly when a path of
cables still joins its router to the aggregation routers. That walk over the inventory's cables is
computed here on its own, and every cable's and every router's failure must cut exactly the sites
it predicts."""

from __future__ import annotations

import json
from collections import deque

import pytest
from support import INVENTORY

from muronet.inventory.index import InventoryIndex, split_endpoint
from muronet.workflows.common import load

HALL = ("ch-agg1", "ch-agg2")


@pytest.fixture(scope="module")
def index() -> InventoryIndex:
    return InventoryIndex(load(INVENTORY))


def _facility_routers(index: InventoryIndex) -> dict[str, str]:
    """Routers on the fiber plant outside city hall, and their sites."""
    return {d.name: d.site for d in index.inventory.devices if d.site != "city-hall" and d.platform == "frr"}


def _cut_off(index: InventoryIndex, cables: set[int] = frozenset(), devices: set[str] = frozenset()) -> set[str]:
    """The facility sites no path of cables joins to city hall's aggregation routers any more."""
    links: dict[str, set[str]] = {}
    for n, cable in enumerate(index.inventory.cables):
        a, b = split_endpoint(cable.a)[0], split_endpoint(cable.b)[0]
        if n not in cables and a not in devices and b not in devices:
            links.setdefault(a, set()).add(b)
            links.setdefault(b, set()).add(a)
    seen, queue = set(HALL) - devices, deque(set(HALL) - devices)
    while queue:
        for far in links.get(queue.popleft(), ()):
            if far not in seen:
                seen.add(far)
                queue.append(far)
    return {site for router, site in _facility_routers(index).items() if router not in seen}


@pytest.fixture(scope="module")
def n_1(cli_module):
    done = cli_module("analyze", "--inventory", str(INVENTORY), "--n-1", "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


@pytest.fixture(scope="module")
def cli_module():
    from typer.testing import CliRunner

    from muronet.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _regional_sites(scenario: dict) -> set[str]:
    """The sites whose facility LAN (zone REGIONAL) loses city hall in a scenario."""
    return {site for flow in scenario["lost"] if flow["zone"] == "REGIONAL" for site in flow["sites"]}


def test_every_cables_loss_cuts_exactly_the_sites_the_fiber_plant_says(index, n_1):
    by_fail = {tuple(s["fail"]): s for s in n_1["scenarios"]}
    checked = 0
    for n, cable in enumerate(index.inventory.cables):
        name = cable.label or cable.a
        if (name,) not in by_fail:
            continue  # a cable to a switch: not a routed span
        assert _regional_sites(by_fail[(name,)]) == _cut_off(index, cables={n}), name
        checked += 1
    assert checked >= 45  # every span of the four rings, every spur, city hall's own links


def test_every_routers_loss_cuts_its_own_site_and_what_hangs_off_it(index, n_1):
    by_fail = {tuple(s["fail"]): s for s in n_1["scenarios"]}
    for router, site in _facility_routers(index).items():
        assert _regional_sites(by_fail[(router,)]) == _cut_off(index, devices={router}) | {site}, router
    for router in (*HALL, "ch-core1", "ch-core2"):  # city hall's pairs: nothing is lost with one of each
        assert by_fail[(router,)]["lost"] == [], router


def test_the_summary_names_the_single_points_of_failure_widest_first(n_1):
    summary = n_1["summary"]
    assert summary["scenarios"] == len(n_1["scenarios"]) and summary["cutting"] == len(summary["cuts"])
    cutting = {tuple(c["fail"]) for c in summary["cuts"]}
    assert {("LGWAN-HKD-0205-0001",), ("SC-HKD-0205-0001",), ("ch-lgwan-rt1",), ("ch-inet-rt1",)} <= cutting
    assert ("GC-HKD-0205-0001",) not in cutting and ("ch-gc-rt1",) not in cutting  # two lines, two routers
    lgwan = next(c for c in summary["cuts"] if c["fail"] == ["LGWAN-HKD-0205-0001"])
    assert lgwan["zones"] == ["LGWAN"] and lgwan["beyond"] == ["city-hall"]
    widest = [len(c["beyond"]) for c in summary["cuts"]]
    assert widest == sorted(widest, reverse=True)


def test_two_spans_of_one_ring_cut_the_facilities_between_them(index, cli_module):
    spans = {c.label: n for n, c in enumerate(index.inventory.cables)}
    done = cli_module("analyze", "--inventory", str(INVENTORY), "--fail", "FB-003", "--fail", "FB-007", "--json")
    [scenario] = json.loads(done.output)["scenarios"]
    expected = _cut_off(index, cables={spans["FB-003"], spans["FB-007"]})
    assert expected >= {"etomo-es", "aquarium", "michinoeki", "chikyumisaki-es", "telemetry-etomo"}
    assert scenario["fail"] == ["FB-003", "FB-007"] and _regional_sites(scenario) == expected
    one = cli_module("analyze", "--inventory", str(INVENTORY), "--fail", "FB-003", "--json")
    [alone] = json.loads(one.output)["scenarios"]
    assert alone["lost"] == [] and alone["moved"]  # a ring: the traffic goes the other way round


def test_n_2_tries_every_pair_of_spans_of_each_ring(index, cli_module):
    done = cli_module("analyze", "--inventory", str(INVENTORY), "--n-2", "--json")
    scenarios = json.loads(done.output)["scenarios"]
    rings: dict[str, int] = {}
    for cable in index.inventory.cables:
        if cable.ring:
            rings[cable.ring] = rings.get(cable.ring, 0) + 1
    assert len(scenarios) == sum(k * (k - 1) // 2 for k in rings.values())
    spans = {c.label: n for n, c in enumerate(index.inventory.cables)}
    for scenario in scenarios[::17]:
        assert _regional_sites(scenario) == _cut_off(index, cables={spans[s] for s in scenario["fail"]})


def test_a_line_lost_cuts_every_lan_of_its_zone_from_the_far_end_and_nothing_else(index, cli_module):
    done = cli_module("analyze", "--inventory", str(INVENTORY), "--fail", "LGWAN-HKD-0205-0001", "--json")
    [scenario] = json.loads(done.output)["scenarios"]
    line = next(c for c in index.inventory.circuits if c.cid == "LGWAN-HKD-0205-0001")
    lgwan_lans = {p.prefix for p in index.inventory.prefixes if p.zone == "LGWAN" and p.role in ("user", "server")}
    assert {f["zone"] for f in scenario["lost"]} == {"LGWAN"} and len(scenario["lost"]) == len(lgwan_lans)
    assert {f["target"].rsplit(" ", 1)[0] for f in scenario["lost"]} == {line.far_end_en}
    assert all(f["required"] for f in scenario["lost"])  # the policy requires the LGWAN line


@pytest.mark.parametrize(("args", "said"), [
    (("--fail", "FB-999"), "FB-999: no cable (label or DEVICE:PORT), device, site or circuit of the inventory"),
    (("--fail", "nowhere-rt9"), "nowhere-rt9: no cable"),
])
def test_an_unknown_element_is_a_clear_error(cli_module, args, said):
    done = cli_module("analyze", "--inventory", str(INVENTORY), *args)
    assert done.exit_code == 2 and said in done.output

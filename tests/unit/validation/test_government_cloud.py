"""The Government Cloud line in the inventory (inventory/government-cloud.yaml): what validation
requires of it, each mistake said at its file and line; how it renders on FRR and IOS; the
analysis' zone matrix with it; its view of the topology."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import INVENTORY, TEMPLATES, edit, line_containing

from muronet.inventory.secrets import MaskedSecrets
from muronet.render.engine import Renderer
from muronet.validation import load_and_validate
from muronet.workflows.common import load

GC = "government-cloud.yaml"


def _errors(inventory: Path) -> list[tuple[Path, int, str]]:
    issues = load_and_validate(inventory)[1]
    return [(Path(issue.location.file).resolve(), issue.line, issue.message) for issue in issues]


def test_the_reference_city_has_both_lines_and_validates() -> None:
    loaded, issues = load_and_validate(INVENTORY)
    assert issues == []
    lines = sorted((c.redundancy, c.termination.split(":")[0], c.provider) for c in loaded.circuits
                   if c.kind == "government_cloud")
    assert [(r, d) for r, d, _ in lines] == [("primary", "ch-gc-rt1"), ("secondary", "ch-gc-rt2")]
    assert len({p for _, _, p in lines}) == 2  # two carriers


@pytest.mark.parametrize(("old", "new", "said", "at"), [
    ("          bfd: true\n          import_prefixes: [10.226.0.0/20, 10.226.32.0/20]\n          export_prefixes: &",
     "          import_prefixes: [10.226.0.0/20, 10.226.32.0/20]\n          export_prefixes: &",
     "needs bfd: true", "- address: 10.10.254.1"),
    ("          import_prefixes: [10.226.0.0/20, 10.226.32.0/20]\n          export_prefixes: &",
     "          import_prefixes: [10.226.0.0/20]\n          export_prefixes: &",
     "must accept exactly the line's reachable prefixes", "import_prefixes: [10.226.0.0/20]"),
    ("[10.10.6.0/24, 10.10.7.0/24,", "[10.20.6.0/24, 10.10.7.0/24,",
     "10.20.6.0/24 is not in zone MYNUMBER", "export_prefixes: &mynumber_users"),
    ("    redundancy: secondary\n", "    redundancy: primary\n",
     "needs two lines, one primary and one secondary", "kind: government_cloud"),
    ("    circuit: GC-HKD-0205-0002\n    description: The secondary",
     "    description: The secondary",
     "GC-HKD-0205-0002: no approved path of kind government_cloud", "cid: GC-HKD-0205-0002"),
])
def test_each_mistake_is_said_at_its_line(inventory_copy: Path, old: str, new: str, said: str, at: str) -> None:
    edit(inventory_copy / GC, old, new)
    _said_at(inventory_copy, said, at)


def test_two_lines_on_one_router_are_refused(inventory_copy: Path) -> None:
    """The secondary moved to a second port of the primary's router (its old router keeps the port)."""
    edit(inventory_copy / GC, "    termination: ch-gc-rt2:eth3\n", "    termination: ch-gc-rt1:eth4\n")
    edit(inventory_copy / GC, "      - {name: mgmt0, role: management, zone: MGMT, address: 10.99.1.33/22",
         "      - {name: eth4, role: government_cloud_line, zone: MYNUMBER, address: 10.10.254.6/30, "
         "circuit: GC-HKD-0205-0002}\n      - {name: mgmt0, role: management, zone: MGMT, address: 10.99.1.33/22")
    edit(inventory_copy / GC, "      - {name: eth3, role: government_cloud_line, zone: MYNUMBER, address: "
         "10.10.254.6/30, circuit: GC-HKD-0205-0002,", "      - {name: eth3, role: interconnect, zone: MYNUMBER, "
         "address: 10.10.254.10/30,")
    edit(inventory_copy / GC, "          circuit: GC-HKD-0205-0002\n", "\n")
    edit(inventory_copy / GC, "        - address: 10.10.254.5", "        - address: 10.10.254.9")
    _said_at(inventory_copy, "end on one router", "termination: ch-gc-rt1:eth4")


def _said_at(inventory: Path, said: str, at: str) -> None:
    """Validation says ``said`` at the line of government-cloud.yaml holding ``at``."""
    errors = _errors(inventory)
    expected = ((inventory / GC).resolve(), line_containing(inventory / GC, at))
    assert any((path, line) == expected and said in message for path, line, message in errors), (expected, errors)


def test_both_lines_render_with_md5_bfd_the_exact_filters_and_the_primary_preferred() -> None:
    loaded = load(INVENTORY)
    renderer = Renderer(loaded, TEMPLATES, secrets=MaskedSecrets())
    routers = [loaded.device(name) for name in ("ch-gc-rt1", "ch-gc-rt2")]
    assert routers[0] is not None and routers[1] is not None
    primary, secondary = (renderer.render(router) for router in routers)
    for text, peer in ((primary, "10.10.254.1"), (secondary, "10.10.254.5")):
        assert f" neighbor {peer} password <secret:bgp_government_cloud>" in text
        assert f" neighbor {peer} bfd" in text and f"  neighbor {peer} maximum-prefix 50" in text
        imports = [line for line in text.splitlines() if line.startswith("ip prefix-list PL-GOV-CLOUD-IN")]
        assert [line.split(" permit ")[1] for line in imports] == ["10.226.0.0/20", "10.226.32.0/20"]  # exact, no le
        assert "0.0.0.0/0" not in text and "blackhole" not in text  # no default; LANs announced as they are
    assert " redistribute bgp metric 10 route-map" in primary and " redistribute bgp metric 100 route-map" in secondary
    assert "set as-path prepend" not in primary and " set as-path prepend 65021 65021" in secondary
    ios = renderer.render(routers[0].model_copy(update={"platform": "cisco_ios"}))
    assert " neighbor 10.10.254.1 fall-over bfd" in ios and " bfd interval 300 min_rx 300 multiplier 3" in ios
    assert "ip access-list extended GOV-CLOUD-LINE-IN" in ios and "eq 3784" in ios


def test_the_matrix_has_mynumber_reaching_the_cloud_and_nothing_else(cli) -> None:
    done = cli("analyze", "--inventory", str(INVENTORY), "--json", "--routes", "--limit", "ch-core1")
    document = json.loads(done.output)
    assert done.exit_code == 0 and document["reachability"]["ok"]
    table = {r["prefix"]: r for r in document["routes"]["ch-core1"]["MYNUMBER"]}
    assert table["10.226.0.0/20"]["next_hops"] == ["10.10.255.3"]  # ch-gc-rt1: the primary line
    assert "ch-gc-rt1" in table["10.226.0.0/20"]["from"]
    for zone in ("LGWAN", "INTERNET"):
        assert not any(r["prefix"].startswith("10.226.") for r in document["routes"]["ch-core1"][zone])


def test_the_topology_has_a_view_of_both_lines(cli, tmp_path: Path) -> None:
    done = cli("topology", "--source", "inventory", "--views", "government-cloud", "--format", "svg",
               "--out", str(tmp_path))
    assert done.exit_code == 0, done.output
    svg = (tmp_path / "government-cloud.svg").read_text().replace("&#45;", "-")
    for ident in ("circuit-GC-HKD-0205-0001", "circuit-GC-HKD-0205-0002", "device-ch-gc-rt1", "device-ch-gc-rt2",
                  "device-ch-core1", "device-ch-core2"):
        assert f'id="{ident}"' in svg, ident
    assert 'id="device-ch-lgwan-rt1"' not in svg


@pytest.mark.parametrize(("platform", "old", "new", "said"), [
    ("frr", " neighbor 10.10.254.1 bfd\n", "", "has no BFD"),
    ("cisco_ios", " neighbor 10.10.254.1 fall-over bfd\n", "", "has no BFD"),
    ("frr", " neighbor 10.10.254.1 password <secret:bgp_government_cloud>\n", "", "has no password"),
    ("cisco_ios", "  neighbor 10.10.254.1 maximum-prefix 50\n", "", "has no prefix limit"),
    ("frr", "permit 10.226.32.0/20\n",
     "permit 10.226.32.0/20\nip prefix-list PL-GOV-CLOUD-IN seq 30 permit 0.0.0.0/0\n",
     "0.0.0.0/0 (not a city zone) accepted from the Government Cloud"),
    ("cisco_ios", "permit 10.10.90.0/24\n",
     "permit 10.10.90.0/24\nip prefix-list PL-GOV-CLOUD-OUT seq 110 permit 10.20.0.0/16\n",
     "10.20.0.0/16 (LGWAN) announced to the Government Cloud"),
    ("frr", "\nrouter bgp", "\nip route 10.40.0.0/16 10.10.254.1\n!\nrouter bgp",
     "10.40.0.0/16 routed out of the Government Cloud line"),
])
def test_the_policy_finds_a_weakened_line(platform: str, old: str, new: str, said: str) -> None:
    from muronet.inventory.index import InventoryIndex
    from muronet.policy.context import Settings
    from muronet.policy.engine import FAIL, audit_device

    loaded = load(INVENTORY)
    router = loaded.device("ch-gc-rt1")
    assert router is not None
    text = Renderer(loaded, TEMPLATES).render(router.model_copy(update={"platform": platform}))
    index = InventoryIndex(loaded)

    def found(config: str) -> list[str]:
        results = audit_device("ch-gc-rt1", config, platform, Settings.from_inventory(index), index)
        return [r.message for r in results if r.rule == "SEC-ZONE-014" and r.status == FAIL]

    assert found(text) == []
    assert old in text, old
    weakened = found(text.replace(old, new, 1))
    assert any(said in message for message in weakened), weakened

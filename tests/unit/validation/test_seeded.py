"""Seeded mistakes: `muronet validate` points at the file and line of each, all in one run."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import ISSUE_LINE, edit, line_containing


@dataclass
class Mistake:
    name: str
    file: str  # relative to the inventory folder
    seed: Callable[[Path], str]  # edits the copy, returns the text of the line the error must name
    message: str


def _dup_ip(inv: Path) -> str:
    edit(inv / "facilities/library.yaml", "address: 10.40.112.1/24", "address: 10.40.113.1/24")
    return "address: 10.40.113.1/24"


def _overlap(inv: Path) -> str:
    line = "  - {prefix: 10.40.112.128/25, zone: INTERNET, role: public_wifi, site: library}"
    path = inv / "facilities/library.yaml"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    return "10.40.112.128/25"


def _outside_prefix(inv: Path) -> str:
    edit(inv / "facilities/aquarium.yaml", "address: 10.40.106.1/24", "address: 10.40.250.1/24")
    return "10.40.250.1/24"


def _wrong_mask(inv: Path) -> str:
    edit(inv / "facilities/michinoeki.yaml", "address: 10.40.107.1/24", "address: 10.40.107.1/25")
    return "10.40.107.1/25"


def _missing_cable_end(inv: Path) -> str:
    edit(inv / "fiber.yaml", "b: ferry-terminal-rt1:eth1,", "b: ferry-terminal-rt1:eth7,")
    return "ferry-terminal-rt1:eth7"


def _cable_end_twice(inv: Path) -> str:
    path = inv / "fiber.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "  - {a: ch-agg1:eth3, b: library-rt1:eth6, kind: smf, length_km: 1.0}\n", encoding="utf-8")
    return "b: library-rt1:eth6"


def _unknown_platform(inv: Path) -> str:
    edit(inv / "facilities/fire-bokoi.yaml", "platform: frr", "platform: junos")
    return "platform: junos"


def _duplicate_interface(inv: Path) -> str:
    edit(inv / "lgwan.yaml", "{name: eth2, role: interconnect", "{name: eth1, role: interconnect")
    return "address: 10.20.255.5/31"


def _vlan_twice(inv: Path) -> str:
    edit(inv / "city-hall/site.yaml", "{id: 203, name: LGW-SEISAKU", "{id: 201, name: LGW-SEISAKU")
    return "name: LGW-SEISAKU"


def _zone_vs_vlan(inv: Path) -> str:
    old = "{name: vlan201, role: user, zone: LGWAN"
    edit(inv / "city-hall/core.yaml", old, old.replace("LGWAN", "INTERNET"))
    return "{name: vlan201, role: user, zone: INTERNET"


def _unapproved_two_zones(inv: Path) -> str:
    edit(inv / "lgwan.yaml", '      - {name: mgmt0, role: management',
         '      - {name: eth4, role: interconnect, zone: INTERNET, address: 10.30.255.11/31}\n'
         '      - {name: mgmt0, role: management')
    return "  - name: ch-lgwan-rt1"


def _literal_secret(inv: Path) -> str:
    edit(inv / "city.yaml", "password: {env: MURONET_PASSWORD}", "password: hunter2hunter2")
    return "password: hunter2hunter2"


def _typo_field(inv: Path) -> str:
    edit(inv / "facilities/hospital.yaml", "    latitude:", "    lattitude:")
    return "lattitude:"


def _wrong_type(inv: Path) -> str:
    edit(inv / "facilities/hospital.yaml", "    facility_id: 1\n", "    facility_id: first\n")
    return "facility_id: first"


def _unknown_site(inv: Path) -> str:
    edit(inv / "facilities/kaiyo-es.yaml", "    site: kaiyo-es\n", "    site: kaiyo-jhs\n")
    return "site: kaiyo-jhs"


def _trunk_mismatch(inv: Path) -> str:
    edit(inv / "city-hall/core.yaml", "vlans: [201, 203, 301, 303]", "vlans: [201, 301, 303]")
    return "ch-acc-3f:TenGigabitEthernet1/1/1"


def _syntax_error(inv: Path) -> str:
    edit(inv / "facilities/bungakukan.yaml", "    kind: museum\n", "    kind: [museum\n")
    return "kind: [museum"


def _duplicate_key(inv: Path) -> str:
    edit(inv / "facilities/etomo-es.yaml", "    kind: school\n", "    kind: school\n    kind: library\n")
    return "kind: library"


def _ring_broken(inv: Path) -> str:
    edit(inv / "fiber.yaml", "ring: west, label: FB-010}", "ring: north, label: FB-010}")
    return "  west: {ospf_area: 1"


def _ring_area(inv: Path) -> str:
    old = "address: 10.40.1.17/31, ospf: {area: 1}"
    edit(inv / "facilities/hospital.yaml", old, old.replace("area: 1", "area: 3"))
    return "address: 10.40.1.17/31, ospf: {area: 3}"


def _disconnected(inv: Path) -> str:
    edit(inv / "fiber.yaml", "  - {a: fire-bokoi-rt1:eth5, b: welfare-bokoi-rt1:eth1", "  # - {a: fire-bokoi-rt1:eth5")
    return "  - name: welfare-bokoi-rt1"


MISTAKES = [
    Mistake("duplicate IP", "facilities/library.yaml", _dup_ip, "is already assigned to jyoho-kyoiku-rt1:eth3"),
    Mistake("overlap across zones", "facilities/library.yaml", _overlap, "zones must not share addresses"),
    Mistake("address outside plan", "facilities/aquarium.yaml", _outside_prefix, "not inside any declared prefix"),
    Mistake("address mask", "facilities/michinoeki.yaml", _wrong_mask, "mask /25, but its prefix is 10.40.107.0/24"),
    Mistake("missing cable end", "fiber.yaml", _missing_cable_end, "has no interface 'eth7'"),
    Mistake("cable end used twice", "fiber.yaml", _cable_end_twice, "is already used by another cable"),
    Mistake("duplicate interface", "lgwan.yaml", _duplicate_interface, "interface 'eth1' is defined twice"),
    Mistake("platform without a driver", "facilities/fire-bokoi.yaml", _unknown_platform,
            "no platform driver 'junos' (known: cisco_ios, frr)"),
    Mistake("VLAN id twice at a site", "city-hall/site.yaml", _vlan_twice, "VLAN id 201 is used twice"),
    Mistake("zone disagrees with VLAN", "city-hall/core.yaml", _zone_vs_vlan, "VLAN 201 (LGW-GYOSEI) is in zone LGWAN"),
    Mistake("device in two zones", "lgwan.yaml", _unapproved_two_zones, "is not an approved zone gateway"),
    Mistake("literal secret", "city.yaml", _literal_secret, "never a literal value"),
    Mistake("typo in a field", "facilities/hospital.yaml", _typo_field, "unknown field 'lattitude'"),
    Mistake("wrong type", "facilities/hospital.yaml", _wrong_type, "facility_id: Input should be a valid integer"),
    Mistake("unknown site", "facilities/kaiyo-es.yaml", _unknown_site, "unknown site 'kaiyo-jhs'"),
    Mistake("trunk lists differ", "city-hall/access.yaml", _trunk_mismatch, "allows VLANs"),
    Mistake("YAML syntax", "facilities/bungakukan.yaml", _syntax_error, "YAML syntax"),
    Mistake("duplicate key", "facilities/etomo-es.yaml", _duplicate_key, "duplicate key 'kind'"),
    Mistake("ring not a path", "fiber.yaml", _ring_broken, "fiber ring west is not one path"),
    Mistake("ring interface in another area", "facilities/hospital.yaml", _ring_area, "rides ring west (OSPF area 1)"),
    Mistake("facility cut off", "facilities/welfare-bokoi.yaml", _disconnected, "not connected to city hall"),
]


def _issues(output: str) -> list[tuple[Path, int, str]]:
    found = []
    for line in output.splitlines():
        match = ISSUE_LINE.match(line.split(" (see ")[0])
        if match:
            found.append((Path(match["file"]).resolve(), int(match["line"]), match["message"]))
    return found


def _expect(found, inv: Path, mistake: Mistake, needle: str) -> None:
    path = (inv / mistake.file).resolve()
    line = line_containing(path, needle)
    hits = [(p, n, m) for p, n, m in found if p == path and mistake.message in m]
    assert hits, f"{mistake.name}: no error mentioning {mistake.message!r} in {mistake.file}; got {found}"
    assert any(n == line for _, n, _ in hits), f"{mistake.name}: expected line {line}, got {hits}"


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_seeded_mistake_is_reported_at_its_file_and_line(mistake, inventory_copy, cli):
    needle = mistake.seed(inventory_copy)
    result = cli("validate", "--inventory", str(inventory_copy))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    _expect(_issues(result.output), inventory_copy, mistake, needle)


def test_all_seeded_mistakes_are_reported_in_one_run(inventory_copy, cli):
    # the syntax error hides the rest of its file, so it goes to a file no other mistake touches
    needles = {m.name: m.seed(inventory_copy) for m in MISTAKES}
    result = cli("validate", "--inventory", str(inventory_copy))
    assert result.exit_code == 1
    found = _issues(result.output)
    for mistake in MISTAKES:
        _expect(found, inventory_copy, mistake, needles[mistake.name])
    json_result = cli("validate", "--inventory", str(inventory_copy), "--json")
    document = json.loads(json_result.output)
    assert document["valid"] is False
    assert len(document["errors"]) == len(found)
    assert all({"file", "line", "message"} <= set(e) for e in document["errors"])


def test_repository_inventory_is_clean(cli):
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert "✓ inventory valid" in result.output


def test_missing_inventory_folder_is_a_clear_error(cli, tmp_path):
    result = cli("validate", "--inventory", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert _issues(result.output) == [] and "inventory folder not found" in result.output


def test_unknown_management_zone_is_reported_once_not_on_every_device(inventory_copy, cli):
    edit(inventory_copy / "zones.yaml", "management_zone: MGMT", "management_zone: MGNT")
    result = cli("validate", "--inventory", str(inventory_copy))
    assert result.exit_code == 1
    found = _issues(result.output)
    line = line_containing(inventory_copy / "zones.yaml", "management_zone: MGNT")
    assert [(p.name, n, m) for p, n, m in found] == [("zones.yaml", line, "management_zone 'MGNT' is not a zone")]

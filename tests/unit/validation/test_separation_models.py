"""The separation model as data (city.separation_model): what validation requires of each model,
said at the file and line of what is missing or misplaced; the β′ example (examples/beta-prime)
validated, rendered, audited and analysed under its own model; the policy's model-bound rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import INVENTORY, REPO, TEMPLATES, edit, line_containing

from muronet.inventory.index import InventoryIndex
from muronet.inventory.overlay import assemble
from muronet.inventory.secrets import MaskedSecrets
from muronet.policy.context import Settings
from muronet.policy.engine import FAIL, NOT_APPLICABLE, PASS, audit_device
from muronet.render.engine import Renderer
from muronet.validation import load_and_validate
from muronet.workflows.common import load

EXAMPLE = REPO / "examples" / "beta-prime" / "inventory"
CITY, HOSTS, ZONES = "city.yaml", "city-hall/hosts.yaml", "zones.yaml"


@pytest.fixture
def beta_prime(tmp_path: Path) -> Path:
    """The example assembled over the reference inventory, beside the templates."""
    changed = assemble(INVENTORY, EXAMPLE, tmp_path / "inventory")
    assert sorted(map(str, changed)) == [HOSTS, CITY, ZONES]
    (tmp_path / "templates").symlink_to(TEMPLATES)
    return tmp_path / "inventory"


def _said_at(inventory: Path, file: str, said: str, at: str) -> None:
    """Validation says ``said`` at the line of ``file`` holding ``at``."""
    errors = [(Path(i.location.file).resolve(), i.line, i.message) for i in load_and_validate(inventory)[1]]
    expected = ((inventory / file).resolve(), line_containing(inventory / file, at))
    assert any((path, line) == expected and said in message for path, line, message in errors), (expected, errors)


def _set_model(inventory: Path, model: str) -> None:
    text = (inventory / CITY).read_text()
    current = next(line for line in text.splitlines() if line.startswith("  separation_model: "))
    edit(inventory / CITY, current + "\n", f"  separation_model: {model}\n")


def test_the_reference_city_runs_alpha_and_the_example_beta_prime_both_valid(beta_prime: Path) -> None:
    reference, issues = load_and_validate(INVENTORY)
    assert issues == [] and reference.city is not None and reference.city.separation_model == "alpha"
    example, issues = load_and_validate(beta_prime)
    assert [i.format() for i in issues] == [] and example.city is not None
    assert example.city.separation_model == "beta_prime"
    zones = {h.name: {i.zone for i in h.interfaces} for h in example.hosts}
    assert zones["inet-groupware1"] == {"INTERNET"} and zones["ch-vdi1"] == {"INTERNET", "LGWAN"}


# What the move to β′ takes out of the reference city's files; everything else of them is kept, so
# a change to the reference (a new secret, a new host) that the example lacks fails here.
MOVED_OUT = {
    CITY: ["  separation_model: alpha"],
    HOSTS: ["  - {name: lg-groupware1,", "  - {name: lg-zaimu1,"],
    ZONES: [],
}


@pytest.mark.parametrize("file", sorted(MOVED_OUT))
def test_the_example_keeps_every_line_of_the_reference_but_what_the_move_takes_out(file: str) -> None:
    example = (EXAMPLE / file).read_text(encoding="utf-8").splitlines()
    removed = [line for line in (INVENTORY / file).read_text(encoding="utf-8").splitlines()
               if line not in example and not line.lstrip().startswith("#")]
    assert [next((m for m in MOVED_OUT[file] if line.startswith(m)), line) for line in removed] == MOVED_OUT[file]


@pytest.mark.parametrize(("model", "file", "said", "at"), [
    # the α city declared β′ without moving anything: the groupware, the secret, the screen transfer
    ("beta_prime", HOSTS, "lg-groupware1 (groupware) is in zone LGWAN; the β′ model puts it in INTERNET",
     "name: lg-groupware1"),
    ("beta_prime", HOSTS, "the β′ model puts it in INTERNET", "name: lg-zaimu1"),
    ("beta_prime", CITY, "city.secrets needs radius_key", "secrets:"),
    ("beta_prime", CITY, "no approved path of kind screen_transfer", "separation_model: beta_prime"),
    # β keeps the business systems in LGWAN, but moves the groupware
    ("beta", HOSTS, "the β model puts it in INTERNET", "name: lg-groupware1"),
    ("alpha_prime", CITY, "no approved path of kind local_breakout", "separation_model: alpha_prime"),
])
def test_a_model_the_inventory_does_not_follow_is_said_at_the_line(
        inventory_copy: Path, model: str, file: str, said: str, at: str) -> None:
    _set_model(inventory_copy, model)
    _said_at(inventory_copy, file, said, at)


def test_beta_keeps_business_systems_in_lgwan(inventory_copy: Path) -> None:
    _set_model(inventory_copy, "beta")
    messages = [i.message for i in load_and_validate(inventory_copy)[1]]
    assert not any("lg-zaimu1" in m for m in messages), messages


@pytest.mark.parametrize(("old", "new", "said", "at"), [
    ("      - {from_zone: INTERNET, to: 10.30.90.30/32,", "      - {from_zone: INTERNET, to: 10.20.90.21/32,",
     "the INTERNET zone's terminals reach only the gateway", "from_zone: INTERNET, to: 10.20.90.21/32"),
    ("      - {from_zone: LGWAN, to: 10.20.90.21/32, protocol: tcp, ports: [443]}",
     "      - {from_zone: LGWAN, to: 10.20.0.0/16, protocol: tcp, ports: [443]}",
     "10.20.0.0/16 is not a named LGWAN server", "to: 10.20.0.0/16"),
    ("      - {from_zone: LGWAN, to: 10.20.90.21/32, protocol: tcp, ports: [443]}",
     "      - {from_zone: LGWAN, to: 10.20.90.21/32, protocol: tcp}",
     "names no ports", "to: 10.20.90.21/32, protocol: tcp}"),
    ("      - {from_zone: INTERNET, to: 10.30.90.30/32, protocol: tcp, ports: [443]}\n", "",
     "no flow from INTERNET to the gateway", "    flows:"),
])
def test_a_screen_transfer_path_that_lets_more_through_is_refused(
        beta_prime: Path, old: str, new: str, said: str, at: str) -> None:
    edit(beta_prime / ZONES, old, new)
    file = beta_prime / ZONES
    errors = [(i.line, i.message) for i in load_and_validate(beta_prime)[1]
              if Path(i.location.file).resolve() == file.resolve()]
    lines = file.read_text().splitlines()
    path_starts = lines.index("  - name: screen-transfer")  # ``at``: the first such line of that path
    line = next(n for n, text in enumerate(lines[path_starts:], path_starts + 1) if at in text)
    assert any(found == line and said in message for found, message in errors), (line, errors)


def test_local_breakout_outside_alpha_prime_is_refused(inventory_copy: Path) -> None:
    edit(inventory_copy / ZONES, "  - name: security-cloud-exit\n", """  - name: cloud-breakout
    kind: local_breakout
    name_ja: ローカルブレイクアウト
    via: ch-inet-rt1
    zones: [LGWAN]
    flows: [{from_zone: LGWAN, to: 52.0.0.0/8, protocol: tcp, ports: [443]}]
  - name: security-cloud-exit
""")
    _said_at(inventory_copy, ZONES, "local breakout from LGWAN is the α′ model's; the city runs α",
             "kind: local_breakout")
    _set_model(inventory_copy, "alpha_prime")
    assert not any("local" in i.message for i in load_and_validate(inventory_copy)[1])


def test_every_model_needs_the_sanitising_relay(beta_prime: Path) -> None:
    text = (beta_prime / ZONES).read_text()
    start = text.index("  - name: sanitising-relay\n    kind: sanitising_relay")
    edit(beta_prime / ZONES, text[start:text.index("  - name: screen-transfer\n    kind")], "")
    _said_at(beta_prime, CITY, "only through a sanitising relay", "separation_model: beta_prime")


def test_beta_prime_renders_802_1x_on_internet_terminal_ports_only_and_routers_unchanged(beta_prime: Path) -> None:
    reference, example = load(INVENTORY), load(beta_prime)
    before, after = (Renderer(inv, TEMPLATES, secrets=MaskedSecrets()) for inv in (reference, example))
    for device in example.devices:
        old, new = before.render(reference.device(device.name)), after.render(device)  # type: ignore[arg-type]
        assert (old == new) == (device.role != "access_switch"), device.name
    switch = after.render(example.device("ch-acc-1f"))  # type: ignore[arg-type]
    ports = switch.split("\ninterface ")[1:]
    vlans = {v.id: v.zone for v in example.vlans if v.site == "city-hall"}
    authenticated = [p for p in ports if " authentication port-control auto" in p]
    access = [p for p in ports if " switchport access vlan " in p and "description UNUSED" not in p
              and "\n shutdown\n" not in p]
    assert authenticated and len(authenticated) < len(access)
    for port in access:
        vlan = int(port.split(" switchport access vlan ")[1].split()[0])
        assert (" dot1x pae authenticator" in port) == (vlans.get(vlan) == "INTERNET"), port.splitlines()[0]
    assert "dot1x system-auth-control" in switch and "key <secret:radius_key>" in switch


def _audit(inventory: Path, device: str, text: str) -> dict[str, list[str]]:
    loaded = load(inventory)
    index = InventoryIndex(loaded)
    results = audit_device(device, text, "cisco_ios", Settings.from_inventory(index), index)
    return {r.status: [*[x.message for x in results if x.rule == "SEC-ZONE-015" and x.status == r.status]]
            for r in results if r.rule == "SEC-ZONE-015"}


def test_the_beta_rule_is_na_in_alpha_and_judged_in_beta_prime(beta_prime: Path) -> None:
    alpha_switch = Renderer(load(INVENTORY), TEMPLATES, secrets=MaskedSecrets()).render(
        load(INVENTORY).device("ch-acc-1f"))  # type: ignore[arg-type]
    alpha = _audit(INVENTORY, "ch-acc-1f", alpha_switch)
    assert list(alpha) == [NOT_APPLICABLE] and "the city runs α" in alpha[NOT_APPLICABLE][0]
    example = load(beta_prime)
    switch = Renderer(example, TEMPLATES, secrets=MaskedSecrets()).render(example.device("ch-acc-1f"))  # type: ignore[arg-type]
    assert list(_audit(beta_prime, "ch-acc-1f", switch)) == [PASS]
    # the α switch under β′: every INTERNET-zone terminal port is unauthenticated
    failed = _audit(beta_prime, "ch-acc-1f", alpha_switch)[FAIL]
    assert "'dot1x system-auth-control' missing" in failed[0]
    assert any("an INTERNET-zone terminal port without 'authentication port-control auto'" in m for m in failed)


def test_the_example_audits_and_analyses_clean_under_its_model(beta_prime: Path, cli, tmp_path: Path) -> None:
    rendered = tmp_path / "rendered"
    assert cli("render", "--inventory", str(beta_prime), "--out", str(rendered)).exit_code == 0
    audit = cli("audit", "--inventory", str(beta_prime), "--from", str(rendered), "--out", str(tmp_path / "a"),
                "--json")
    assert audit.exit_code == 0, audit.output
    analysed = cli("analyze", "--inventory", str(beta_prime), "--json")
    document = json.loads(analysed.output)
    reach = document["reachability"]
    assert analysed.exit_code == 0 and reach["ok"] and reach["separation_model"].startswith("β′ (beta_prime)")
    # the groupware is where β′ puts it: reached from INTERNET, from nowhere else
    reference = json.loads(cli("analyze", "--inventory", str(INVENTORY), "--json").output)["reachability"]
    assert reach["matrix"]["INTERNET->INTERNET"]["probes"] > reference["matrix"]["INTERNET->INTERNET"]["probes"]
    assert reach["matrix"]["LGWAN->INTERNET"]["reached"] == 0

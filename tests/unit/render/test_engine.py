"""Rendering: a complete, hardened, deterministic configuration for every device on both platforms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from netutils.interface import interface_range_expansion
from nornir import InitNornir
from support import REPO, TEMPLATES, edit

from muronet.inventory.model import InterfaceRole, Role
from muronet.inventory.secrets import ResolvedSecrets
from muronet.platforms import get_platform
from muronet.render.engine import Renderer, RenderError
from muronet.tasks.render import render_intended

ROUTED_ROLES = [Role.CORE, Role.AGGREGATION, Role.FACILITY_EDGE, Role.LGWAN_ROUTER, Role.INTERNET_GATEWAY]


@pytest.fixture(scope="session")
def as_ios(reference, renderer):
    """Every routed device rendered after changing its one `platform` field to cisco_ios."""
    out = {}
    for device in reference.devices:
        if device.role in ROUTED_ROLES:
            out[device.name] = renderer.render(device.model_copy(update={"platform": "cisco_ios"}))
    return out


def _tree(platform: str, text: str):
    return get_platform(platform).parse(text)


def test_render_writes_one_config_per_device_and_second_run_changes_nothing(cli, inventory_copy, reference):
    out = inventory_copy.parent / "configs"
    first = cli("render", "--inventory", str(inventory_copy), "--out", str(out), "--json")
    assert first.exit_code == 0, first.output
    results = json.loads(first.output)["results"]
    assert {r["device"] for r in results} == {d.name for d in reference.devices}
    assert {r["status"] for r in results} == {"new"}
    assert sorted(p.stem for p in out.glob("*.cfg")) == sorted(d.name for d in reference.devices)
    second = json.loads(cli("render", "-i", str(inventory_copy), "-o", str(out), "--json").output)
    assert {r["status"] for r in second["results"]} == {"unchanged"}


def test_diff_shows_exactly_what_an_inventory_change_does(cli, inventory_copy):
    out = inventory_copy.parent / "configs"
    assert cli("render", "-i", str(inventory_copy), "-o", str(out)).exit_code == 0
    edit(inventory_copy / "facilities/library.yaml", '"室蘭市図書館 施設LAN"}', '"室蘭市図書館 施設LAN 2F"}')
    result = json.loads(cli("render", "-i", str(inventory_copy), "-o", str(out), "--diff", "--json").output)
    changed = [r for r in result["results"] if r["status"] != "unchanged"]
    assert [r["device"] for r in changed] == ["library-rt1"]
    diff_lines = [line for line in changed[0]["diff"].splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert diff_lines == ["- description 室蘭市図書館 施設LAN", "+ description 室蘭市図書館 施設LAN 2F"]
    text = cli("render", "-i", str(inventory_copy), "-o", str(out), "--diff").output
    assert "unchanged" in text  # the summary table, and no diff when nothing changed
    assert "+ description" not in text


def test_removed_device_config_is_removed_and_limit_touches_only_selected(cli, inventory_copy):
    out = inventory_copy.parent / "configs"
    cli("render", "-i", str(inventory_copy), "-o", str(out))
    (inventory_copy / "facilities/telemetry-etomo.yaml").unlink()
    edit(inventory_copy / "fiber.yaml", "  - {a: etomo-es-rt1:eth5, b: telemetry-etomo-rt1:eth1", "  # removed:")
    edit(inventory_copy / "facilities/etomo-es.yaml", "      - {name: eth5,", "      # {name: eth5,")
    limited = json.loads(cli("render", "-i", str(inventory_copy), "-o", str(out), "--limit", "role:core",
                             "--json").output)
    assert {r["device"] for r in limited["results"]} == {"ch-core1", "ch-core2"}
    assert (out / "telemetry-etomo-rt1.cfg").exists()
    full = json.loads(cli("render", "-i", str(inventory_copy), "-o", str(out), "--json").output)
    statuses = {r["device"]: r["status"] for r in full["results"]}
    assert statuses["telemetry-etomo-rt1"] == "removed" and statuses["etomo-es-rt1"] == "changed"
    assert not (out / "telemetry-etomo-rt1.cfg").exists()


def test_output_is_deterministic(reference):
    first = Renderer(reference, TEMPLATES)
    second = Renderer(reference, TEMPLATES)
    for device in reversed(reference.devices):
        assert first.render(device) == second.render(device)




def test_frr_configs_carry_zone_vrfs_routing_authentication_and_vty_limits(rendered, reference, reference_index):
    for device in reference.devices:
        if device.platform != "frr":
            continue
        tree = _tree("frr", rendered[device.name])
        assert tree.get_child(equals="log syslog informational"), device.name
        assert tree.get_child(startswith="banner") is None  # FRR cannot keep it: sshd shows it on the host
        vty = tree.get_child(equals="line vty")
        timeout = reference.city.limits.exec_timeout_min  # FRR's default of 10 minutes is never shown
        expected = {"access-class VTY-MGMT"} | ({f"exec-timeout {timeout} 0"} if timeout != 10 else set())
        assert {c.text for c in vty.children} == expected
        for interface in device.interfaces:
            if interface.address is None:
                continue
            vrf = reference_index.interface_vrf(device, interface)
            header = f"interface {interface.name}" + (f" vrf {vrf}" if vrf else "")
            node = tree.get_child(equals=header)
            assert node is not None, f"{device.name}: no '{header}'"
            texts = {c.text for c in node.children}
            assert f"ip address {interface.address}" in texts
            if interface.ospf and not interface.ospf.passive and interface.role != InterfaceRole.LOOPBACK:
                assert "ip ospf authentication message-digest" in texts, f"{device.name} {interface.name}"
                assert "ip ospf message-digest-key 1 md5 <secret:ospf_key>" in texts
        assert not list(tree.get_children(startswith="password")), "no vty passwords in frr.conf"


def test_ebgp_sessions_have_password_gtsm_policy_both_ways_and_prefix_limit(rendered, reference):
    for device in reference.devices:
        if device.bgp is None:
            continue
        for text, platform in ((rendered[device.name], device.platform),):
            bgp = _tree(platform, text).get_child(startswith="router bgp")
            lines = {c.text for c in bgp.children}
            family = {c.text for c in bgp.get_child(startswith="address-family").children}
            for neighbor in device.bgp.neighbors:
                a = str(neighbor.address)
                assert f"neighbor {a} password <secret:{neighbor.password_secret}>" in lines
                assert f"neighbor {a} ttl-security hops 1" in lines
                assert any(t.startswith(f"neighbor {a} route-map") and t.endswith(" in") for t in family)
                assert any(t.startswith(f"neighbor {a} route-map") and t.endswith(" out") for t in family)
                assert f"neighbor {a} maximum-prefix {neighbor.max_prefixes}" in family
            assert "no bgp ebgp-requires-policy" not in lines


def test_no_default_route_and_no_leak_towards_the_lgwan_zone(rendered):
    lgwan = rendered["ch-lgwan-rt1"]
    assert "0.0.0.0/0" not in lgwan and "default-information" not in lgwan
    assert "ip prefix-list PL-LGWAN-AP-OUT seq 10 permit 10.20.0.0/16\n" in lgwan
    # only the internet gateway originates a default, and only into the INTERNET zone's OSPF
    originators = [name for name, text in rendered.items() if "default-information originate" in text]
    assert originators == ["ch-inet-rt1"]


@pytest.mark.parametrize("role", ROUTED_ROLES, ids=str)
def test_every_routed_role_renders_for_cisco_ios_by_changing_one_field(role, reference, as_ios):
    devices = [d for d in reference.devices if d.role == role]
    assert devices
    for device in devices:
        text = as_ios[device.name]
        tree = _tree("cisco_ios", text)
        for interface in device.interfaces:
            name = get_platform("cisco_ios").interface_name(interface.name)
            assert tree.get_child(equals=f"interface {name}"), f"{device.name}: interface {name}"
        headers = [c.text for c in tree.get_children(startswith="interface ")]
        assert not [h for h in headers if h.split()[1].startswith(("eth", "lo", "mgmt", "vlan"))]
        _assert_ios_baseline(tree, device.name)
        for interface in device.interfaces:
            if interface.role in (InterfaceRole.LGWAN_ACCESS_LINE, InterfaceRole.INTERNET_EXIT):
                _assert_boundary_filter(tree, get_platform("cisco_ios").interface_name(interface.name))


def _assert_ios_baseline(tree, name: str) -> None:
    """The catalog's device-level baseline on IOS (AUTH, MGMT, SVC, SNMP, LOG, NTP, CP)."""
    for line in ("aaa new-model", "ip ssh version 2", "no ip http server", "no ip http secure-server",
                 "no service pad", "no cdp run", "no ip source-route", "no ip bootp server",
                 "login on-failure log", "login on-success log", "ntp authenticate", "ntp trusted-key 1",
                 "logging trap informational", "service password-encryption",
                 "aaa authentication login default group MURONET-TACACS local",
                 "aaa accounting commands 15 default start-stop group MURONET-TACACS",
                 "service timestamps log datetime msec localtime show-timezone",
                 "security passwords min-length 15"):
        assert tree.get_child(equals=line), f"{name}: missing '{line}'"
    assert not list(tree.get_children(startswith="snmp-server community")), name
    assert not list(tree.get_children(startswith="enable password")), name
    assert len(list(tree.get_children(startswith="logging host"))) >= 2
    assert len([c for c in list(tree.get_children(startswith="ntp server")) if c.text.endswith("key 1")]) >= 2
    assert len(list(tree.get_children(startswith="tacacs server"))) >= 2
    assert len(list(tree.get_children(startswith="username"))) == 1
    assert tree.get_child(startswith="snmp-server group MURONET v3 priv")
    assert tree.get_child(equals="control-plane").get_child(equals="service-policy input COPP")
    for vty in list(tree.get_children(startswith="line vty")):
        lines = {c.text for c in vty.children}
        assert {"transport input ssh", "exec-timeout 10 0"} <= lines, name
        assert any(t.startswith("access-class VTY-MGMT in") for t in lines)
    acl = tree.get_child(equals="ip access-list standard VTY-MGMT")
    assert acl.children[-1].text.endswith("deny any log")


def _assert_boundary_filter(tree, interface: str) -> None:
    node = tree.get_child(equals=f"interface {interface}")
    groups = [c.text for c in node.children if c.text.startswith("ip access-group")]
    assert len(groups) == 1 and groups[0].endswith(" in")
    acl = tree.get_child(equals=f"ip access-list extended {groups[0].split()[2]}")
    entries = [c.text for c in acl.children]
    assert entries[-1].endswith("deny ip any any log")
    assert not any("permit ip any any" in e for e in entries)
    assert {"no ip proxy-arp", "no ip redirects", "no ip unreachables"} <= {c.text for c in node.children}


def test_access_switch_ports_trunks_and_unused_ports(rendered, reference):
    for device in reference.devices:
        if device.role != Role.ACCESS_SWITCH:
            continue
        tree = _tree("cisco_ios", rendered[device.name])
        _assert_ios_baseline(tree, device.name)
        assert tree.get_child(equals="no vstack")
        declared = {i.name for i in device.interfaces}
        hardware = [p for spec in reference.device_types[device.device_type].ports
                    for p in interface_range_expansion(spec)]
        unused = [p for p in hardware if p not in declared and p != "GigabitEthernet0/0"]
        assert unused, device.name
        for port in unused:
            lines = {c.text for c in tree.get_child(equals=f"interface {port}").children}
            assert {"shutdown", "switchport access vlan 999", "spanning-tree bpduguard enable"} <= lines
        for interface in device.interfaces:
            lines = {c.text for c in tree.get_child(equals=f"interface {interface.name}").children}
            if interface.mode == "access":
                assert {f"switchport access vlan {interface.vlan}", "switchport mode access",
                        "spanning-tree bpduguard enable", "switchport port-security"} <= lines
            elif interface.mode == "trunk":
                allowed = next(t for t in lines if t.startswith("switchport trunk allowed vlan"))
                assert allowed != "switchport trunk allowed vlan all"
                assert {"switchport nonegotiate", "switchport trunk native vlan 998"} <= lines
        assert not list(tree.get_children(startswith="vrf definition LGWAN"))  # layer 2 only


def test_descriptions_name_the_cable_peer(rendered):
    assert "description 光ファイバー to kaiyo-es-rt1 [kaiyo-es-rt1:eth1 FB-012 2.52 km]" in rendered["library-rt1"]


def test_secrets_are_masked_by_default_and_resolved_only_on_request(reference, monkeypatch, tmp_path):
    values = {ref.env: f"s3cr3t-{name}" for name, ref in reference.city.secrets.items() if hasattr(ref, "env")}
    for variable, value in values.items():
        monkeypatch.setenv(variable, value)
    device = reference.device("ch-lgwan-rt1")
    masked = Renderer(reference, TEMPLATES).render(device)
    assert not any(v in masked for v in values.values())
    assert "<secret:bgp_lgwan>" in masked
    resolved = Renderer(reference, TEMPLATES, ResolvedSecrets(reference.city.secrets, reference.root)).render(device)
    assert "neighbor 10.224.255.1 password s3cr3t-bgp_lgwan" in resolved
    assert "<secret:" not in resolved


def test_vault_references_resolve_with_the_vault_password_file(reference, monkeypatch, tmp_path):
    from ansible.parsing.vault import VaultLib
    from ansible.parsing.vault import VaultSecret as AnsibleVaultSecret

    from muronet.inventory.model import VaultSecret

    password = tmp_path / "vault-pass"
    password.write_text("correct horse\n")
    vault = VaultLib([("default", AnsibleVaultSecret(b"correct horse"))])
    (tmp_path / "secrets.yml").write_bytes(vault.encrypt("ospf_key: from-the-vault\n"))
    monkeypatch.setenv("MURONET_VAULT_PASSWORD_FILE", str(password))
    refs = {name: VaultSecret(vault="secrets.yml", key="ospf_key") for name in reference.city.secrets}
    secrets = ResolvedSecrets(refs, tmp_path)
    text = Renderer(reference, TEMPLATES, secrets).render(reference.device("library-rt1"))
    assert "ip ospf message-digest-key 1 md5 from-the-vault" in text
    password.write_text("wrong\n")
    from muronet.inventory import secrets as secrets_module

    secrets_module._vault_data.cache_clear()
    with pytest.raises(RenderError, match="cannot decrypt vault file") as error:
        Renderer(reference, TEMPLATES, ResolvedSecrets(refs, tmp_path))
    assert "from-the-vault" not in str(error.value)


def test_missing_template_is_a_clear_error(reference, tmp_path):
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    (tmp_path / "templates/frr/lgwan_router.j2").unlink()
    with pytest.raises(RenderError, match=r"ch-lgwan-rt1: no template frr/lgwan_router\.j2"):
        Renderer(reference, tmp_path / "templates").render(reference.device("ch-lgwan-rt1"))


def test_unset_environment_secret_names_the_variable_not_a_value(reference, monkeypatch):
    for ref in reference.city.secrets.values():
        monkeypatch.setenv(ref.env, "value-that-must-not-show")
    monkeypatch.delenv("MURONET_OSPF_KEY")
    with pytest.raises(RenderError, match="MURONET_OSPF_KEY is not set") as error:
        Renderer(reference, TEMPLATES, ResolvedSecrets(reference.city.secrets, reference.root))
    assert "value-that-must-not-show" not in str(error.value)


def test_templates_live_beside_the_inventory(cli, inventory_copy):
    (inventory_copy.parent / "templates/frr/core.j2").write_text("{% extends 'frr/router.j2' %}\n! local\n")
    result = cli("render", "-i", str(inventory_copy), "-o", str(inventory_copy.parent / "o"), "-l", "ch-core1")
    assert result.exit_code == 0, result.output
    assert "vrrp" not in Path(inventory_copy.parent / "o/ch-core1.cfg").read_text()


def test_nornir_task_renders_each_host_as_the_renderer_does(reference, rendered, monkeypatch):
    monkeypatch.chdir(REPO)
    nr = InitNornir(config_file="nornir.yaml")
    renderer = Renderer(reference, TEMPLATES)
    result = nr.filter(filter_func=lambda h: h.name.startswith("ch-")).run(task=render_intended, renderer=renderer)
    assert not result.failed and len(result) == sum(d.site == "city-hall" for d in reference.devices) > 10
    for name, multi in result.items():
        assert multi[0].result == rendered[name]
    nr.inventory.hosts["ch-core1"].name = "not-in-inventory"
    failed = nr.filter(name="not-in-inventory").run(task=render_intended, renderer=renderer)
    assert failed.failed


def test_render_platform_option_writes_the_whole_city_for_cisco_ios(cli, tmp_path, reference):
    result = cli("render", "--platform", "cisco_ios", "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.cfg"))
    assert [f.stem for f in files] == sorted(d.name for d in reference.devices)
    for file in files:
        tree = _tree("cisco_ios", file.read_text())
        assert tree.get_child(equals="aaa new-model"), file.name
    unknown = cli("render", "--platform", "junos", "--out", str(tmp_path / "x"))
    assert unknown.exit_code == 2 and "no platform driver 'junos'" in unknown.output


def test_parallel_rendering_gives_the_serial_result_in_order(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from synthetic_city import write_city

    from muronet.inventory.loader import load_inventory
    from muronet.render.engine import PARALLEL_THRESHOLD

    count = write_city(tmp_path / "inventory", PARALLEL_THRESHOLD + 100)
    inventory, issues = load_inventory(tmp_path / "inventory")
    assert not issues and len(inventory.devices) == count
    renderer = Renderer(inventory, TEMPLATES)
    serial = list(renderer.render_many(inventory.devices, workers=1))
    parallel = list(renderer.render_many(inventory.devices, workers=2))
    assert parallel == serial
    ios = [d.model_copy(update={"platform": "cisco_ios"}) for d in inventory.devices]
    assert all("aaa new-model" in r.text for r in renderer.render_many(ios, workers=2))


def test_frr_vty_timeout_other_than_frr_default_is_rendered(reference):
    import copy

    stricter = copy.copy(reference)
    stricter.city = reference.city.model_copy(
        update={"limits": reference.city.limits.model_copy(update={"exec_timeout_min": 5})})
    text = Renderer(stricter, TEMPLATES).render(reference.device("library-rt1"))
    vty = _tree("frr", text).get_child(equals="line vty")
    assert {c.text for c in vty.children} == {"exec-timeout 5 0", "access-class VTY-MGMT"}


def test_an_ospf_key_longer_than_ospf_allows_is_refused_before_any_device_sees_it(reference, monkeypatch):
    from muronet.inventory.secrets import ResolvedSecrets
    from muronet.render.engine import Renderer, RenderError

    for ref in reference.city.secrets.values():
        monkeypatch.setenv(ref.env, "s3cret")
    monkeypatch.setenv("MURONET_OSPF_KEY", "x" * 17)  # FRR and IOS would cut it to 16 characters
    with pytest.raises(RenderError, match="ospf_key is 17 characters long; at most 16 fit"):
        Renderer(reference, TEMPLATES, ResolvedSecrets(reference.city.secrets, reference.root))

"""The command line as a user meets it: help, --json, --inventory, --limit and the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support import INVENTORY, REPO

from muronet.cli import app
from muronet.workflows.common import load


def _commands():
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_and_takes_inventory(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "--inventory" in result.output


def test_top_level_help_lists_commands(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in _commands():
        assert command in result.output


def test_validate_json_is_one_document_on_stdout(cli):
    result = cli("validate", "--json")
    document = json.loads(result.output)
    assert document["valid"] is True and document["errors"] == []
    assert document["summary"]["devices"] == len(load(INVENTORY).devices) > 50


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("ch-core*", {"ch-core1", "ch-core2"}),
        ("site:library,role:lgwan_router", {"library-rt1", "ch-lgwan-rt1"}),
        ("zone:MYNUMBER", {"ch-core1", "ch-core2", "ch-acc-1f", "ch-acc-2f", "ch-acc-5f", "ch-acc-srv", "ch-gc-rt1",
                           "ch-gc-rt2"}),
        ("kind:hospital", {"hospital-rt1"}),
    ],
)
def test_limit_selects_by_name_and_group(cli, tmp_path, limit, expected):
    result = cli("render", "--limit", limit, "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    assert {r["device"] for r in json.loads(result.output)["results"]} == expected


def test_limit_errors_are_clear(cli, tmp_path):
    unknown = cli("render", "--limit", "colour:blue", "--out", str(tmp_path))
    assert unknown.exit_code == 2 and "unknown group 'colour'" in unknown.output
    nothing = cli("render", "--limit", "no-such-device", "--out", str(tmp_path))
    assert nothing.exit_code == 2 and "matches no device" in nothing.output


def test_render_refuses_an_invalid_inventory(cli, inventory_copy, tmp_path):
    (inventory_copy / "facilities/library.yaml").write_text("sites: [oops\n")
    result = cli("render", "-i", str(inventory_copy), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "library.yaml:1: YAML syntax" in result.output
    assert not (tmp_path / "out").exists()


def test_installed_entry_point_runs_without_traceback(tmp_path):
    muronet = REPO / ".venv/bin/muronet"
    exe = [str(muronet)] if muronet.exists() else [sys.executable, "-m", "muronet.cli"]
    ok = subprocess.run([*exe, "validate"], cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "bad.yaml").write_text("devices: {a: [1, 2\n")
    bad = subprocess.run([*exe, "validate", "-i", str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stdout + bad.stderr
    assert "bad.yaml:1: YAML syntax" in bad.stdout


def test_ansible_vault_holds_every_secret_encrypted_and_names_a_missing_one(cli, tmp_path, monkeypatch):
    import yaml
    from ansible.parsing.vault import VaultLib, VaultSecret

    names = ["USERNAME", "PASSWORD", "ENABLE_SECRET", "LOCAL_ADMIN_SECRET", "TACACS_KEY", "SNMP_AUTH", "SNMP_PRIV",
             "NTP_KEY", "OSPF_KEY", "BGP_LGWAN", "BGP_SECURITY_CLOUD", "BGP_GOVERNMENT_CLOUD"]
    for name in names:
        monkeypatch.setenv(f"MURONET_{name}", f"v-{name.lower()}-9f")
    out, password = tmp_path / "vault.yml", tmp_path / "pw"
    result = cli("ansible-vault", "--out", str(out), "--password-file", str(password))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("$ANSIBLE_VAULT;1.1;AES256") and "v-ospf_key-9f" not in text + result.output
    assert password.stat().st_mode & 0o777 == 0o600 and out.stat().st_mode & 0o777 == 0o600
    vault = VaultLib([("default", VaultSecret(password.read_bytes().strip()))])
    data = yaml.safe_load(vault.decrypt(out.read_bytes()))
    assert data["vault_muronet_username"] == "v-username-9f"
    assert data["vault_muronet_secrets"]["bgp_lgwan"] == "v-bgp_lgwan-9f" and len(data["vault_muronet_secrets"]) == 10
    monkeypatch.delenv("MURONET_NTP_KEY")
    result = cli("ansible-vault", "--out", str(out), "--password-file", str(password))
    assert result.exit_code == 2 and "MURONET_NTP_KEY" in result.output

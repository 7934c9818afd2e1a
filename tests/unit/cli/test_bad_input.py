"""Bad input gets a clear message and exit 1 or 2, never an internal error: waivers, configurations
as FRR and IOS accept them, what `render --out` may delete, and a bounded fuzz of the commands that
read files (validate, audit --from, review --before/--after)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import INVENTORY, REPO
from typer.testing import CliRunner

from muronet.cli import app
from muronet.render.engine import Renderer


@pytest.fixture(scope="module")
def configs(reference):
    renderer = Renderer(reference, REPO / "templates")
    return {d.name: renderer.render(d) for d in reference.devices}


def _run(*args: str):
    """The command as a user runs it: any exception escaping is a failure of the test."""
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _audit_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "configs"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- waivers ---------------------------------------------------------------------------------------

WAIVER = ("waivers:\n  - device: library-*\n    rule: SEC-MGMT-004\n    reason: migration\n"
          "    approver: CISO\n    expires: {expires}\n")


@pytest.mark.parametrize(("text", "line", "message"), [
    (WAIVER.format(expires='"2027-13-45"'), 6, "expires: Input should be a valid date"),
    (WAIVER.format(expires="2027-13-45"), 6, "expires: Input should be a valid date"),
    (WAIVER.format(expires="2027-03-31").replace("    approver: CISO\n", ""), 2, "missing required field 'approver'"),
    (WAIVER.format(expires="2027-03-31").replace("SEC-MGMT-004", "SEC-MGMT-404"), 3, "no rule SEC-MGMT-404"),
    (WAIVER.format(expires="2027-03-31").replace("reason: migration", "reason: migration\n    extra: 1"), 5,
     "unknown field 'extra'"),
    ("waivers:\n  - device: library-*\n   rule: x\n", 2, "YAML syntax"),  # where the list went wrong
])
def test_a_waiver_that_does_not_read_stops_the_audit_at_its_line(text, line, message, configs, tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(text, encoding="utf-8")
    folder = _audit_folder(tmp_path, {"library-rt1.cfg": configs["library-rt1"]})
    result = _run("audit", "--from", str(folder), "--waivers", str(waivers), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert f"waivers.yaml:{line}: " in result.output and message in result.output, result.output
    assert not (tmp_path / "out").exists()  # nothing was reported as if the waivers were fine


def test_a_waivers_file_that_does_not_exist_is_an_error_not_no_waivers(configs, tmp_path):
    folder = _audit_folder(tmp_path, {"library-rt1.cfg": configs["library-rt1"]})
    result = _run("audit", "--from", str(folder), "--waivers", str(tmp_path / "typo.yaml"))
    assert result.exit_code == 2 and "typo.yaml: no such file" in result.output


def test_a_valid_waiver_file_waives(configs, tmp_path):
    planted = configs["library-rt1"].replace("line vty\n", "line vty\n exec-timeout 0 0\n")
    folder = _audit_folder(tmp_path, {"library-rt1.cfg": planted})
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVER.format(expires="2099-03-31"), encoding="utf-8")
    result = _run("audit", "--from", str(folder), "--waivers", str(waivers), "--out", str(tmp_path / "out"), "--json")
    doc = json.loads(result.stdout)
    assert [(f["rule"], f["status"]) for f in doc["findings"]] == [("SEC-MGMT-004", "waived")]
    assert result.exit_code == 0


# --- configurations as the devices accept them --------------------------------------------------------


def test_a_duplicate_section_and_no_hostname_are_read_as_frr_reads_them(configs, tmp_path):
    text = configs["library-rt1"].replace("hostname library-rt1\n", "")
    text += "line vty\n exec-timeout 0 0\nexit\n"  # line vty a second time, as people append to frr.conf
    folder = _audit_folder(tmp_path, {"library-rt1.cfg": text})
    result = _run("audit", "--from", str(folder), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 1, result.output  # readable, and the planted finding is high
    doc = json.loads(result.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["SEC-MGMT-004"]
    assert doc["findings"][0]["line"] == text.count("\n", 0, text.index("exec-timeout 0")) + 1


def test_a_link_or_a_huge_file_in_an_audited_folder_is_a_per_device_error(configs, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$not-for-the-report:19000:0:99999:7:::\n")
    folder = _audit_folder(tmp_path, {"library-rt1.cfg": configs["library-rt1"]})
    (folder / "planted.cfg").symlink_to(secret)
    with open(folder / "huge.cfg", "wb") as huge:
        huge.truncate(17 * 2**20)
    result = _run("audit", "--from", str(folder), "--out", str(tmp_path / "out"), "--json")
    doc = json.loads(result.stdout)
    errors = {f["device"]: f["message"] for f in doc["findings"] if f["status"] == "error"}
    assert "not a regular file" in errors["planted"] and "larger than 16 MiB" in errors["huge"]
    assert "not-for-the-report" not in (tmp_path / "out" / "report.html").read_text() + result.stdout


# --- render --out -------------------------------------------------------------------------------------


def test_render_prunes_its_own_stale_file_and_keeps_others(tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.cfg").write_text("an engineer's own file\n")
    assert _run("render", "--inventory", str(inventory), "--out", str(out)).exit_code == 0
    (out / "ghost-rt1.cfg").write_text("not written by muronet\n")
    manifest = json.loads((out / ".muronet-render.json").read_text())
    manifest.append("retired-rt1.cfg")  # a device muronet rendered before it left the inventory
    (out / ".muronet-render.json").write_text(json.dumps(manifest))
    (out / "retired-rt1.cfg").write_text("hostname retired-rt1\n")
    result = _run("render", "--inventory", str(inventory), "--out", str(out), "--json")
    removed = [r["device"] for r in json.loads(result.stdout)["results"] if r["status"] == "removed"]
    assert removed == ["retired-rt1"] and not (out / "retired-rt1.cfg").exists()
    assert (out / "notes.cfg").exists() and (out / "ghost-rt1.cfg").exists()


def test_render_replaces_a_planted_link_instead_of_writing_through_it(tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    out, victim = tmp_path / "out", tmp_path / "victim"
    out.mkdir()
    victim.write_text("precious\n")
    (out / "library-rt1.cfg").symlink_to(victim)
    assert _run("render", "--inventory", str(inventory), "--out", str(out), "--limit", "library-rt1").exit_code == 0
    assert victim.read_text() == "precious\n" and not (out / "library-rt1.cfg").is_symlink()


# --- fuzz: every reading command, on malformed, binary, huge and hostile files -----------------------------

HOSTILE_TEXT = st.one_of(
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.text(max_size=300),
    st.sampled_from([
        "hostname r1\nbanner motd ^C\nnever ends", "interface eth1\n" * 2000, "\ufeffhostname r1\n",
        "router bgp 1\n address-family ipv4\n  neighbor 10.0.0.1 activate\n exit-address-family\n",
        "hostname r1\n" + "x" * 200_000, "line vty\n exec-timeout 0 0\n" * 3, "\x00" * 64, "end\n",
        "interface Gi1/0/1\n switchport mode access\n!\ninterface Gi1/0/1\n shutdown\n",
        "hostname <script>alert(1)</script>\n", "!\n" * 500, "version 17.9\nbanner login %\n%\n",
    ]),
)
NAMES = st.sampled_from(["library-rt1", "ch-acc-1f", "vendor-box", "weird name", "日本語", "a" * 200])


def _written(folder: Path, files: dict[str, str | bytes]) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in files.items():
        path = folder / f"{name}.cfg"
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", errors="surrogateescape")
    return folder


def _clear_outcome(result) -> None:
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2:
        assert result.output.strip(), "exit 2 without a message"


FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(files=st.dictionaries(NAMES, HOSTILE_TEXT, min_size=1, max_size=3), binary=st.booleans())
def test_fuzz_audit_from_a_folder(files, binary, tmp_path):
    data = {n: t.encode("utf-8", "surrogateescape") + (b"\xff\xfe" if binary else b"") for n, t in files.items()}
    folder = _written(tmp_path / "fuzz-audit", data)
    _clear_outcome(_run("audit", "--from", str(folder), "--out", str(tmp_path / "fuzz-out")))


@FUZZ
@given(before=st.dictionaries(NAMES, HOSTILE_TEXT, max_size=2), after=st.dictionaries(NAMES, HOSTILE_TEXT, max_size=2))
def test_fuzz_review_of_two_folders(before, after, tmp_path):
    first = _written(tmp_path / "fuzz-before", before)
    second = _written(tmp_path / "fuzz-after", after)
    _clear_outcome(_run("review", "--before", str(first), "--after", str(second), "--out", str(tmp_path / "r")))


@FUZZ
@given(name=st.sampled_from(["city.yaml", "fiber.yaml", "facilities/library.yaml", "new.yaml"]),
       text=HOSTILE_TEXT, append=st.booleans())
def test_fuzz_validate_an_inventory_file(name, text, append, tmp_path):
    inventory = tmp_path / "fuzz-inventory"
    if not inventory.exists():
        shutil.copytree(INVENTORY, inventory)
    path = inventory / name
    original = path.read_bytes() if path.exists() else None
    try:
        path.write_bytes((original or b"") + text.encode("utf-8", "surrogateescape") if append
                         else text.encode("utf-8", "surrogateescape"))
        _clear_outcome(_run("validate", "--inventory", str(inventory)))
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


def test_a_vault_file_outside_the_inventory_is_refused(tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    city = inventory / "city.yaml"
    city.write_text(city.read_text().replace("{env: MURONET_PASSWORD}", "{vault: ../../../etc/shadow, key: root}"))
    result = _run("validate", "--inventory", str(inventory))
    assert result.exit_code == 1 and "city.yaml:" in result.output and "inside it" in result.output


def test_twin_endpoints_someone_else_could_write_are_not_trusted(tmp_path):
    """The twin's endpoints say where the login password goes: a file others can write could send it
    to a port of theirs, with host keys of theirs."""
    from muronet.validation.checked import InventoryError, twin_endpoints

    known = tmp_path / "known_hosts"
    known.write_text("")
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(json.dumps({"known_hosts": str(known), "hosts": {}}))
    assert twin_endpoints(endpoints)["hosts"] == {}
    for target in (endpoints, known):
        target.chmod(0o666)
        with pytest.raises(InventoryError, match="not to be trusted"):
            twin_endpoints(endpoints)
        target.chmod(0o644)


def test_a_failed_device_s_error_is_kept_whole_until_its_secrets_are_scrubbed():
    from types import SimpleNamespace

    from muronet.inventory.secrets import GivenSecrets
    from muronet.tasks.provision import _error

    secrets = GivenSecrets({"ospf_key": "k3y-at-the-cut"})
    message = "refused: " + "x" * 495 + f" ip ospf message-digest-key 1 md5 {secrets.get('ospf_key')}"
    text = _error(SimpleNamespace(exception=RuntimeError(message), result=None))
    assert "k3y" not in secrets.scrub(text) and "<secret:ospf_key>" in secrets.scrub(text)

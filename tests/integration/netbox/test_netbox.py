"""NetBox as the live source of truth, against a real local NetBox (PostgreSQL, Redis, gunicorn) that
this module starts in its own state folder and ports, and stops by PID at the end.

The first start on a machine installs NetBox (≈ 1 min); every start restores the migrated empty
database the package ships (``muronet/netbox/data``) in seconds.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from netbox_prewarm import NETBOX_PREWARM
from nornir import InitNornir

from muronet.netbox.connection import NetBoxError, NetBoxTarget, api
from muronet.netbox.desired import desired_state
from muronet.netbox.service import LocalNetBox, _pid_alive
from muronet.netbox.sync import SyncIncomplete, apply_plan, plan_sync, read_netbox
from muronet.topology.from_inventory import physical_graph
from muronet.topology.from_netbox import graph_from_netbox, rest_graph

TEST_ENV = {"MURONET_NETBOX_STATE": "/var/tmp/muronet-netbox-test", "MURONET_NETBOX_PORT": "8766",
            "MURONET_NETBOX_PG_PORT": "5434", "MURONET_NETBOX_REDIS_PORT": "6381"}


@pytest.fixture(scope="module")
def netbox():
    saved = {k: os.environ.get(k) for k in (*TEST_ENV, "MURONET_NETBOX_URL", "MURONET_NETBOX_TOKEN")}
    os.environ.update(TEST_ENV)
    os.environ.pop("MURONET_NETBOX_URL", None)
    os.environ.pop("MURONET_NETBOX_TOKEN", None)
    NETBOX_PREWARM.wait()  # NetBox's first install, started when the session began
    local = LocalNetBox()
    local.down(purge=True)  # a fresh database, whatever an interrupted run left
    local.up(progress=print)
    pids = dict(local.status()["running"])  # type: ignore[call-overload]
    yield local
    local.down(purge=True)
    assert not [name for name, pid in pids.items() if _pid_alive(pid)], "a NetBox process outlived netbox down"
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def synced(netbox):
    from typer.testing import CliRunner

    from muronet.cli import app

    result = CliRunner().invoke(app, ["netbox", "sync", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def nb(netbox):
    return api(NetBoxTarget.from_environment())


def test_status_names_every_running_process_and_the_api_answers(netbox, cli):
    result = cli("netbox", "status", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["running"]) == {"postgres", "redis", "gunicorn"}
    assert all(_pid_alive(pid) for pid in report["running"].values())
    assert report["api"] == "answering" and report["url"] == "http://127.0.0.1:8766"
    assert netbox.connection()[1] not in result.output  # the token itself is never printed


def test_the_shipped_database_dump_holds_every_migration_of_the_installed_netbox(netbox):
    """A new NetBox starts from the shipped dump without migrating: it must hold every migration
    NetBox's own plan has (else ``make netbox-schema`` was not run after a NetBox upgrade)."""
    from muronet.netbox.service import SHIPPED_DUMP

    assert netbox.restorable == SHIPPED_DUMP and netbox.status()["restores_from"] == str(SHIPPED_DUMP)
    plan = subprocess.run([str(netbox.venv / "bin" / "netbox"), "showmigrations", "--plan"], capture_output=True,
                          text=True, env={**os.environ, "NETBOX_ROOT": str(netbox.root)}, check=True).stdout
    planned = set(re.findall(r"^\[[ X]\]\s+(\S+)\.(\S+)$", plan, re.M))
    assert len(planned) > 300 and "[ ]" not in plan  # the running database, restored from a dump, is complete
    dump = gzip.decompress(SHIPPED_DUMP.read_bytes()).decode()
    rows = dump.split("COPY public.django_migrations (id, app, name, applied) FROM stdin;\n", 1)[1].split("\\.\n")[0]
    shipped = {tuple(row.split("\t")[1:3]) for row in rows.splitlines()}
    assert planned <= shipped, sorted(planned - shipped)[:5]
    for table in ("users_user", "users_token", "core_datasource", "extras_webhook"):  # nobody's login or secret
        assert re.search(rf"^COPY public\.{table} \(.*\) FROM stdin;\n\\\.\n", dump, re.M), table


def test_each_daemon_runs_as_its_own_user_in_a_folder_only_it_can_change(netbox):
    import pwd
    import socket
    import stat

    running = netbox.status()["running"]
    owners = {name: pwd.getpwuid(Path(f"/proc/{pid}").stat().st_uid).pw_name for name, pid in running.items()}
    assert owners["postgres"] == "postgres" and owners["redis"] == "redis"
    for folder, owner in ((netbox.state, "root"), (netbox.pg_state, "postgres"), (netbox.redis_state, "redis")):
        info = folder.stat()
        assert pwd.getpwuid(info.st_uid).pw_name == owner and stat.S_IMODE(info.st_mode) == 0o700, folder
    configuration = netbox.root / "conf" / "configuration.py"  # imported as root by gunicorn
    assert configuration.stat().st_uid == 0 and stat.S_IMODE(configuration.stat().st_mode) == 0o600
    with socket.create_connection(("127.0.0.1", netbox.redis_port), timeout=5) as redis:  # any local user could
        redis.sendall(b"CONFIG GET dir\r\n")
        assert redis.recv(200).startswith(b"-NOAUTH")
    for pid in running.values():  # no password in any process's arguments
        argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert not any(value.encode() in argv for value in json.loads(netbox.secrets_file.read_text()).values())


def test_a_netbox_state_folder_someone_else_owns_is_refused_before_anything_starts(tmp_path):
    from muronet.netbox.service import ServiceError

    base = Path(tempfile.mkdtemp(prefix="muronet-test-", dir="/var/tmp"))
    try:
        theirs = base / "netbox"
        theirs.mkdir()
        os.chown(theirs, 65534, 65534)  # nobody's
        (theirs / "root" / "conf").mkdir(parents=True)
        (theirs / "root" / "conf" / "configuration.py").write_text("import os; os.system('touch /tmp/pwned')\n")
        with pytest.raises(ServiceError, match="belongs to user nobody"):
            LocalNetBox(state=theirs, cache=tmp_path / "cache", http_port=8799, pg_port=5499,
                        redis_port=6399).up(progress=lambda message: None)
        assert not (base / "netbox-postgres").exists() and not (tmp_path / "cache").exists()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_first_sync_creates_everything_and_a_second_changes_nothing(synced, reference, cli):
    desired = desired_state(reference)
    creatable = sum(len(records) for kind, records in desired.items() if kind != "device-primary-ips")
    assert synced["counts"] == {"create": creatable, "update": len(desired["device-primary-ips"]), "delete": 0}
    assert synced["applied"] == creatable + len(desired["device-primary-ips"])
    again = cli("netbox", "sync", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["counts"] == {"create": 0, "update": 0, "delete": 0}


def test_netbox_holds_what_the_inventory_says(synced, nb, reference, reference_index):
    assert nb.dcim.devices.count() == len(reference.devices) + len(reference.hosts)
    site = next(s for s in reference.sites if s.slug == "library")
    held = nb.dcim.sites.get(slug="library")
    assert (held.name, held.custom_fields["name_romaji"]) == (site.name_ja, site.name_romaji)
    assert (round(held.latitude, 6), round(held.longitude, 6)) == (round(site.latitude, 6), round(site.longitude, 6))
    assert held.group.slug == site.kind.value.replace("_", "-")
    cable = next(c for c in reference.cables if c.label == "FB-012")
    held_cable = nb.dcim.cables.get(label="FB-012")
    assert (held_cable.type, held_cable.length, held_cable.length_unit.value) == ("smf", cable.length_km, "km")
    ends = {(t.object.device.name, t.object.name) for t in held_cable.a_terminations + held_cable.b_terminations}
    assert ends == {tuple(cable.a.split(":")), tuple(cable.b.split(":"))}
    router = reference_index.devices["ch-lgwan-rt1"]
    mgmt = next(i for i in router.interfaces if i.zone == reference.management_zone)
    assert nb.dcim.devices.get(name="ch-lgwan-rt1").primary_ip4.address == str(mgmt.address)
    line = nb.ipam.ip_addresses.get(address="10.224.255.2/30")
    assert (line.vrf.name, line.assigned_object.device.name, line.assigned_object.name) == ("LGWAN", "ch-lgwan-rt1",
                                                                                          "eth3")
    circuit = nb.circuits.circuits.get(cid="LGWAN-HKD-0205-0001")
    assert circuit.commit_rate == 100_000 and circuit.provider.slug == "ntt-east"
    sides = {t.term_side: t for t in nb.circuits.circuit_terminations.filter(circuit_id=circuit.id)}
    assert sides["A"].termination.slug == "city-hall"
    assert sides["Z"].termination.name == "北海道LGWANアクセスポイント（J-LIS）"


def test_dry_run_lists_the_changes_and_prune_deletes_only_what_the_sync_made(synced, nb, cli, inventory_copy):
    fiber = inventory_copy / "fiber.yaml"
    fiber.write_text(fiber.read_text().replace("length_km: 2.52, ring: central, label: FB-012",
                                               "length_km: 9.99, ring: central, label: FB-012"))
    hosts = inventory_copy / "city-hall" / "hosts.yaml"
    hosts.write_text("".join(line for line in hosts.read_text().splitlines(keepends=True)
                             if "reg-library1" not in line))
    manual = nb.dcim.devices.create(name="hand-made-1", device_type=nb.dcim.device_types.get(slug="generic-server").id,
                                    role=nb.dcim.device_roles.get(slug="server").id,
                                    site=nb.dcim.sites.get(slug="city-hall").id)
    try:
        dry = json.loads(cli("netbox", "sync", "-i", str(inventory_copy), "--dry-run", "--json").output)
        assert dry["counts"] == {"create": 0, "update": 1, "delete": 0}
        assert [(c["kind"], c["action"]) for c in dry["changes"]] == [("dcim.cables", "update")]
        assert dry["changes"][0]["fields"] == {"length": {"netbox": 2.52, "inventory": 9.99}}
        assert dry["not_in_inventory"] >= 4  # the host, its port, its address, and the hand-made device
        pruned = cli("netbox", "sync", "-i", str(inventory_copy), "--prune", "--json")
        assert pruned.exit_code == 0, pruned.output
        deleted = {(c["kind"], c["object"]) for c in json.loads(pruned.output)["changes"] if c["action"] == "delete"}
        assert deleted == {("dcim.devices", "reg-library1"), ("dcim.interfaces", "reg-library1 eth0"),
                           ("ipam.ip-addresses", "REGIONAL 10.40.10.11/24 dcim.interface reg-library1 eth0")}
        assert nb.dcim.devices.get(name="reg-library1") is None
        assert nb.dcim.devices.get(name="hand-made-1") is not None  # not the sync's: never pruned
        assert nb.dcim.cables.get(label="FB-012").length == 9.99
    finally:
        manual.delete()
        restored = cli("netbox", "sync", "--json")
        assert restored.exit_code == 0, restored.output
        assert json.loads(restored.output)["counts"] == {"create": 3, "update": 1, "delete": 0}


def test_a_refused_request_stops_the_sync_and_says_how_far_it_got(synced, nb, reference):
    desired = desired_state(reference)
    desired["dcim.sites"][("library",)]["time_zone"] = "Mars/Olympus_Mons"
    desired["dcim.sites"][("kaiyo-es",)]["description"] = "renamed"
    plan = plan_sync(desired, read_netbox(nb))
    assert plan.counts() == {"create": 0, "update": 2, "delete": 0}
    with pytest.raises(SyncIncomplete) as refused:
        apply_plan(nb, plan, desired, read_netbox(nb))
    assert "update dcim.sites" in str(refused.value) and "time_zone" in str(refused.value)
    assert "sync stopped after 0 of 2 changes" in str(refused.value)
    assert nb.dcim.sites.get(slug="kaiyo-es").description != "renamed"  # the failing bulk request left nothing


class _Unavailable(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_netbox_that_answers_503_is_retried_with_backoff_then_reported():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = NetBoxTarget(f"http://127.0.0.1:{server.server_port}", "nbt_x.y", retries=3, backoff_s=0.01)
        with pytest.raises(NetBoxError, match=r"HTTP 503 to read extras.tags \(after retries with backoff\)"):
            read_netbox(api(target))
        assert _Unavailable.hits == 4  # the request and three retries
    finally:
        server.shutdown()


def test_a_netbox_that_does_not_answer_is_a_clear_error_and_nothing_changes(cli, monkeypatch):
    monkeypatch.setenv("MURONET_NETBOX_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("MURONET_NETBOX_TOKEN", "nbt_x.y")
    monkeypatch.setattr(NetBoxTarget, "retries", 1)
    result = cli("netbox", "sync", "--dry-run")
    assert result.exit_code == 1
    assert "did not answer" in result.output and "nothing was changed" in result.output


def _ids(svg: str, prefix: str) -> list[str]:
    return re.findall(rf'<g id="{prefix}-(\d+)" class="(?:edge|node)(?: [^"]*)?"', svg)  # spof: a class more


def test_physical_view_draws_every_netbox_cable_and_circuit_termination_once(synced, nb, cli, tmp_path):
    result = cli("topology", "--source", "netbox", "--views", "physical", "--format", "svg,html", "--out",
                 str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    svg = html.unescape((tmp_path / "physical.svg").read_text(encoding="utf-8"))
    cables = sorted(str(c.id) for c in nb.dcim.cables.all())
    terminations = sorted(str(t.id) for t in nb.circuits.circuit_terminations.all())
    assert sorted(_ids(svg, "cable")) == cables
    assert sorted(_ids(svg, "termination")) == terminations
    # NetBox's own trace from the LGWAN router's line port: port → cable → the circuit's A side
    port = nb.dcim.interfaces.get(device="ch-lgwan-rt1", name="eth3")
    trace = requests.get(f"{nb.base_url}/dcim/interfaces/{port.id}/trace/",
                         headers={"Authorization": f"Bearer {nb.token}"}, timeout=30).json()
    near, cable, far = trace[0]
    drawn = next(c for c in graph_from_netbox(NetBoxTarget.from_environment()).circuits
                 if c.cid == "LGWAN-HKD-0205-0001")
    assert (drawn.device, drawn.cable, drawn.terminations[0]) == (near[0]["device"]["name"], str(cable["id"]),
                                                                  str(far[0]["id"]))
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "svgPanZoom(" in page and "北海道LGWANアクセスポイント" in page


def test_netbox_graph_matches_the_inventory_graph_and_rest_matches_graphql(synced, reference):
    target = NetBoxTarget.from_environment()
    from_netbox, from_inventory, from_rest = graph_from_netbox(target), physical_graph(reference), rest_graph(target)

    def links(graph):
        return sorted((lk.a_device, lk.a_port, lk.b_device, lk.b_port, lk.kind, lk.length_km, lk.ring, lk.label)
                      for lk in graph.links)

    def circuits(graph):
        return sorted((c.cid, c.provider, c.kind, c.bandwidth_mbps, c.site, c.device, c.far_end)
                      for c in graph.circuits)

    assert from_netbox.sites == from_inventory.sites
    assert from_netbox.devices == from_inventory.devices
    assert from_netbox.zones == from_inventory.zones
    assert links(from_netbox) == links(from_inventory)
    assert circuits(from_netbox) == circuits(from_inventory)
    assert from_rest.sites == from_netbox.sites and links(from_rest) == links(from_netbox)
    assert sorted(from_rest.circuits, key=str) == sorted(from_netbox.circuits, key=str)


def test_nornir_reads_its_inventory_from_netbox(synced, reference, reference_index):
    nr = InitNornir(inventory={"plugin": "MuronetNetBoxInventory"}, runner={"plugin": "serial"},
                    logging={"enabled": False})
    assert set(nr.inventory.hosts) == {d.name for d in reference.devices} | {h.name for h in reference.hosts}
    core = nr.inventory.hosts["ch-core1"]
    mgmt = next(i for i in reference_index.devices["ch-core1"].interfaces if i.zone == reference.management_zone)
    assert (core.platform, core.hostname) == ("frr", str(mgmt.address.ip))
    assert "site__city-hall" in {g.name for g in core.groups}



def test_ansible_reads_its_inventory_from_netbox_with_the_bundled_nb_inventory(synced, netbox, reference, tmp_path):
    from conftest import REPO

    url, token = netbox.connection()
    source = (REPO / "playbooks/inventory/netbox.nb_inventory.yml").read_text()
    config = tmp_path / "netbox.nb_inventory.yml"
    config.write_text(source.replace("http://127.0.0.1:8765", url))
    done = subprocess.run([str(REPO / ".venv/bin/ansible-inventory"), "-i", str(config), "--list"], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NETBOX_TOKEN": token,
                                                                   "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")})
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    hostvars = listed["_meta"]["hostvars"]
    assert set(hostvars) == {d.name for d in reference.devices}  # network devices only: no servers
    assert hostvars["library-rt1"]["ansible_network_os"] == "frr.frr.frr"
    # the variables the muronet.city actions use, as muronet's own inventory plugin sets them
    assert {k: hostvars["library-rt1"][k] for k in ("muronet_platform", "muronet_site", "muronet_role")} == {
        "muronet_platform": "frr", "muronet_site": "library", "muronet_role": "facility_edge"}
    assert hostvars["library-rt1"]["ansible_host"] == "10.99.2.12"
    assert "library-rt1" in listed["sites_library"]["hosts"] and "ch-core1" in listed["sites_city_hall"]["hosts"]
    assert token not in done.stdout + done.stderr

def test_zone_view_marks_a_device_joining_two_zones_without_approval(reference, tmp_path):
    from dataclasses import replace

    from muronet.topology.views import zones

    graph = physical_graph(reference)
    graph.devices["library-rt1"] = replace(graph.devices["library-rt1"], zones=("LGWAN", "REGIONAL"), gateway=False)
    source = zones(graph).source
    unapproved = re.findall(r'"group-facility_edge-LGWAN-REGIONAL-False" \[[^\]]*fillcolor="#ffcdd2"', source)
    assert unapproved and "library-rt1" in source
    assert "facility edge ×35\n" in source  # the others stay in their approved group

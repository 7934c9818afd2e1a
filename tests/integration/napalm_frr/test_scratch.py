"""FRR's renderings started ahead of their use (``napalm_frr.scratch.prepare``), on real scratch FRRs
(root: CI runs as root)."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support import REPO, host_ospf_restart_state

from muronet.processes import alive
from muronet.render.engine import Renderer
from napalm_frr import scratch
from napalm_frr.masking import tokenized
from napalm_frr.scratch import instance as instance_module
from napalm_frr.scratch import prepared

SECRET = "Prepared-Secret-7"


def test_prepared_renderings_are_used_once_each_and_equal_renderings_made_on_demand(reference, tmp_path,
                                                                                   monkeypatch):
    """``prepare`` renders each text once in the background; ``canonical`` then waits for that
    rendering (even when its turn has not come), and gets exactly what it would have rendered on
    demand: text, warnings, refusals, secrets back in place, vrrpd's lines kept. The on-disk cache
    is unwritable here, so nothing but the prepared renderings can serve."""
    renderer = Renderer(reference, REPO / "templates")
    texts = [renderer.render(d) for d in reference.devices if d.platform == "frr"][:6]
    texts += [(REPO / "tests/data/frr_corpus/01-abbreviated.conf").read_text(),
              f"router bgp 65000\n neighbor 10.0.0.2 remote-as 65001\n neighbor 10.0.0.2 password {SECRET}\n",
              "interface eth0\n ip address 10.0.0.1/24\n bogus line here\n",
              "interface eth1\n ip address 10.0.1.1/24\n vrrp 7 ip 10.0.1.254\n"]  # vrrpd's: only one instance has it
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(prepared, "CACHE", tmp_path / "on-demand")
    on_demand = [scratch.canonical(text) for text in texts]
    assert on_demand[-2].errors and SECRET in on_demand[-3].text and " vrrp 7 ip 10.0.1.254" in on_demand[-1].text
    monkeypatch.setattr(prepared, "CACHE", tmp_path / "file" / "cache")  # under a file: never written

    renders, lock, real = [], threading.Lock(), scratch.ScratchPool.render_on

    def counted(pool: scratch.ScratchPool, instance: scratch.Instance, text: str) -> scratch.Rendering:
        with lock:
            renders.append(text)
        return real(pool, instance, text)

    monkeypatch.setattr(scratch.ScratchPool, "render_on", counted)
    assert scratch.prepare(texts + texts) == len(texts)  # each text once
    taken_over = scratch.canonical(texts[-3])  # queued behind the longer ones: waited for
    concurrent.futures.wait(list(prepared._PREPARED.values()))
    assert not any(SECRET in f.result().text for f in prepared._PREPARED.values() if not f.cancelled())
    used = [taken_over if n == len(texts) - 3 else scratch.canonical(text) for n, text in enumerate(texts)]
    assert [(r.text, r.warnings, r.errors) for r in used] == [(r.text, r.warnings, r.errors) for r in on_demand]
    assert sorted(renders) == sorted(tokenized(text)[0] for text in texts)  # none twice, no secret
    assert not prepared._PREPARED
    assert len(renders) == len(texts) and scratch.canonical(texts[0]) == on_demand[0]  # used, then gone
    assert len(renders) == len(texts) + 1


def test_prepared_renderings_start_with_the_longest_text_each_instance_can_render():
    """The last rendering to start decides when all are done: each instance takes the longest text
    left that it can render; a text vrrpd must read waits for the instance that has vrrpd, which
    takes those first."""
    texts = ["router ospf\n", "interface e1\n vrrp 1\n", "router bgp 1\n neighbor x remote-as 2\n",
             "interface e2\n vrrp 2\n vrrp 2 ip 10.0.0.1\n", "interface e3\n"]
    jobs = prepared._Jobs((text, str(n), concurrent.futures.Future()) for n, text in enumerate(texts))
    taken = [jobs.next(full=False), jobs.next(full=True), jobs.next(full=True), jobs.next(full=False)]
    assert [job and job[0] for job in taken] == [texts[2], texts[3], texts[1], texts[4]]
    assert not jobs.only_vrrp_left() and len(jobs) == 1
    assert jobs.next(full=True)[0] == texts[0] and jobs.next(full=True) is None and not jobs


def test_what_was_prepared_but_not_started_is_dropped_by_shutdown(tmp_path, monkeypatch):
    monkeypatch.setattr(prepared, "CACHE", tmp_path / "cache")
    texts = [f"router bgp {65100 + n}\n" for n in range(9)]
    assert scratch.prepare(texts, at_once=1) == 9
    pending = list(prepared._PREPARED.values())
    scratch.shutdown()
    assert not prepared._PREPARED and sum(f.cancelled() for f in pending) >= 7  # one ran, perhaps two
    assert "router bgp 65108" in scratch.canonical(texts[-1]).text  # rendered on demand afterwards


def test_instances_booting_together_on_a_fresh_machine_all_start(tmp_path, monkeypatch):
    """On a fresh machine FRR's crash-log folder does not exist yet and every instance booting makes
    it if it is missing: here another process makes it just before each instance does, as the
    pool's own instances (and other pools') do when they boot at once. None may fail for that."""

    class Contested(type(tmp_path)):
        def mkdir(self, *args, **kwargs):
            if not os.path.exists(self):
                os.mkdir(self)  # made by someone else a moment earlier
            super().mkdir(*args, **kwargs)

    monkeypatch.setattr(instance_module, "CRASHLOG_DIR", Contested(tmp_path / "frr"))
    pool = scratch.ScratchPool(size=3)
    try:
        taken = [pool.take(full=False, timeout=120) for _ in range(3)]
        with_vrrpd = [i.daemons == scratch.DAEMONS for i in taken]
        assert sorted(with_vrrpd) == [False] * (3 - scratch.FULL) + [True] * scratch.FULL
    finally:
        pool.close()


def test_a_pool_whose_instances_cannot_start_says_why_without_waiting_out_its_timeout(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(instance_module, "CRASHLOG_DIR", tmp_path / "file" / "frr")  # under a file: cannot be made
    pool = scratch.ScratchPool(size=2)
    started = time.monotonic()
    try:
        with pytest.raises(scratch.ScratchError, match=r"no scratch FRR could start \(scr\d+-\d+: .*Not a directory"):
            pool.render("router bgp 65001\n", timeout=600)
        assert time.monotonic() - started < 300, "it waited for its timeout instead of saying why"
    finally:
        pool.close()


_SLOW_CLAIM = """
import sys, time
from napalm_frr import scratch

from napalm_frr.scratch import stale
written = stale.write_atomic
def slow(path, *args, **kwargs):  # a loaded machine, between making a pool's home and naming its owner
    if path.name == "owner.json":
        time.sleep(1.5)
    return written(path, *args, **kwargs)

stale.write_atomic = slow
pool = scratch.ScratchPool(size=2, full=1)
try:
    taken = [pool.take(full=False, timeout=120) for _ in range(2)]
    print(sum("router bgp 65001" in pool.render_on(i, "router bgp 65001\\n").text for i in taken))
finally:
    pool.close()
"""


def test_a_pool_starting_while_another_process_cleans_up_keeps_its_instances():
    """Every pool start removes what dead processes left: it must never take the home of a pool
    another process is making at that moment, however slowly, for a dead process's (that removed
    instances while they booted and left their daemons running, unseen)."""
    starting = subprocess.Popen([sys.executable, "-c", _SLOW_CLAIM], cwd=REPO, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cleanups = 0
    while starting.poll() is None:
        scratch.clean_stale()
        cleanups += 1
    out, err = starting.communicate()
    assert (starting.returncode, out.strip()) == (0, "2"), err[-2000:]
    assert cleanups > 20  # it cleaned up all along the start
    name = f"scr{starting.pid}-"
    assert not [n for n in instance_module.scratch_daemons() if n.startswith(name)]
    assert name not in Path("/proc/mounts").read_text()
    assert not list(scratch.ROOT.glob(f"*{starting.pid}*"))


def test_daemons_of_an_instance_removed_while_it_booted_are_stopped_by_the_next_cleanup(tmp_path):
    """An instance removed by anyone while its daemons were starting leaves daemons that have no
    PID files where its removal looks: the next cleanup finds them by their command lines and
    stops them, and no live pool's instance."""
    pool = scratch.ScratchPool(size=1, full=0)
    orphan = scratch.Instance(f"scr{os.getpid()}-{10**6}", tmp_path / "orphan", scratch.LEAN)
    try:
        kept = pool.take(full=False, timeout=120)
        orphan.home.mkdir()
        orphan.create()
        pids = orphan._pids()
        assert len(pids) == len(scratch.LEAN)
        orphan.shell.close()
        for point in (scratch.FRR_ETC / orphan.name, scratch.FRR_RUN / orphan.name):  # remove() without its stop()
            subprocess.run(["umount", str(point)], check=True)
            point.rmdir()
        subprocess.run(["ip", "netns", "del", orphan.name], check=True)
        shutil.rmtree(orphan.home)
        scratch.clean_stale()
        assert not [pid for pid in pids if alive(pid)]
        assert len(kept._pids()) == len(scratch.LEAN)
        assert "router ospf" in pool.render_on(kept, "router ospf\n").text
    finally:
        orphan.remove()
        pool.close()


def test_a_scratch_frr_keeps_ospfs_restart_state_to_itself():
    """ospfd reads and rewrites its graceful-restart file whenever an OSPF instance is made, at a
    path compiled into FRR: a scratch FRR's must be its own, not the host's (which another FRR, or
    a twin router, would then read as its own)."""
    before = host_ospf_restart_state()
    pool = scratch.ScratchPool(size=1, full=0)
    try:
        instance = pool.take(full=False, timeout=120)
        assert "router ospf" in pool.render_on(instance, "router ospf\n ospf router-id 10.0.0.1\n").text
        assert (instance.home / "frr-run" / "ospfd-gr.json").exists()
    finally:
        pool.close()
    assert host_ospf_restart_state() == before


def test_a_boot_racing_the_removal_of_its_instance_starts_nothing(monkeypatch):
    """A pool that closes while one of its threads reboots an instance (after a failed rendering):
    a boot that begins once the removal has unmounted the instance's path spaces would start
    daemons that write into the host's /var/run/frr, where no PID file of the instance is looked
    for (what CI once left: a bare /var/run/frr/scrP-N with zebra's, bgpd's, ospfd's files)."""
    pool = scratch.ScratchPool(size=1, full=0)
    boots: list[threading.Thread] = []
    outcome: list[str] = []
    run = instance_module.run

    def boot(instance: scratch.Instance) -> None:
        try:
            instance.boot()
            outcome.append("booted")
        except scratch.ScratchError as error:
            outcome.append(str(error))

    def boot_before_the_namespace_goes(*command: str, **options):
        if command[:3] == ("ip", "netns", "del") and not boots:  # the path spaces are unmounted by now
            boots.append(threading.Thread(target=boot, args=(instance,)))
            boots[0].start()
            boots[0].join(3)  # long enough for a boot that does not wait for the removal to start FRR
        return run(*command, **options)

    try:
        instance = pool.take(full=False, timeout=120)
        instance.stop()
        monkeypatch.setattr(instance_module, "run", boot_before_the_namespace_goes)
        instance.remove()
        boots[0].join(60)
        assert outcome == [f"the scratch FRR {instance.name} is removed"]
        assert instance.name not in instance_module.scratch_daemons()
        assert not (scratch.FRR_RUN / instance.name).exists()
    finally:
        monkeypatch.setattr(instance_module, "run", run)
        pool.close()


def test_cleanup_removes_the_bare_folders_a_dead_process_left_in_frrs_path_spaces():
    """A process killed between unmounting an instance's path spaces and removing their folders
    (or whose daemons wrote into one unmounted) leaves them in /etc/frr and /var/run/frr."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    name = f"scr{int(ended.stdout)}-0"
    folders = [scratch.FRR_ETC / name, scratch.FRR_RUN / name]
    for folder in folders:
        folder.mkdir()
        (folder / "zebra.pid").write_text("1\n")
    try:
        scratch.clean_stale()
        assert [folder for folder in folders if folder.exists()] == []
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

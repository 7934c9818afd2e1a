"""Two processes writing one backup repository at once (two nightly runs, a nightly run and a
playbook): each run's files and commit stay its own, and the repository stays whole. Real
processes, started together; the device lock of the twin is tested in tests/integration/test_provision.py."""

from __future__ import annotations

import multiprocessing
import subprocess
from pathlib import Path

from muronet.backup import store

ROUNDS = 4


def _writer(repo: str, who: str, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    start.wait()
    for round_ in range(ROUNDS):
        configs = {f"{who}-{n}": f"hostname {who}-{n}\n! round {round_}\nsnmp-server community c-{who}-{round_} RO\n"
                   for n in range(15)}
        store(Path(repo), configs, {})


def test_two_processes_storing_backups_at_once_keep_their_runs_apart_and_the_repository_whole(tmp_path):
    repo = tmp_path / "backups"
    context = multiprocessing.get_context("fork")
    start = context.Event()
    writers = [context.Process(target=_writer, args=(str(repo), who, start)) for who in ("night", "play")]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(120)
    assert [writer.exitcode for writer in writers] == [0, 0]  # no "index.lock exists", no failed commit

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout

    git("fsck", "--strict")
    commits = git("log", "--format=%H").split()
    assert len(commits) == 2 * ROUNDS  # every round of each changed every file: one commit each
    for commit in commits:
        files = git("show", "--name-only", "--format=", commit).split()
        assert len(files) == 15 and len({name.split("-")[0] for name in files}) == 1, files  # one writer's run
    assert git("status", "--porcelain") == ""
    for who in ("night", "play"):
        text = (repo / f"{who}-0.cfg").read_text()
        assert f"! round {ROUNDS - 1}" in text and f"c-{who}-" not in text  # the last round, masked

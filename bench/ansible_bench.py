"""The playbooks beside muronet's own commands (Nornir underneath), on the same twin and inventory.

    .venv/bin/python bench/ansible_bench.py [--state /var/tmp/muronet-bench-ansible] [--runs 3]

Measured as a user runs each (a subprocess, wall-clock; the median of ``--runs``), both with 20
devices in parallel (Nornir's 20 workers, Ansible's forks = 20 from ansible.cfg):

1. backup of every twin router: ``muronet backup --lab`` vs ``ansible-playbook playbooks/backup.yml``
   (the same repository, so both write the same files);
2. dry run of every router, with one router drifted so that there is a diff to show:
   ``muronet provision --lab`` vs ``ansible-playbook playbooks/provision.yml --check --diff``.

Credentials come
from build/lab.env (``scripts/lab-credentials.sh``) and the playbooks' vault (``make setup``) holds
the same. Results are printed and written to bench/results/ansible.json; the twin is taken down.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lab_bench import MURONET, REPO, credentials

PLAYBOOK = str(REPO / ".venv/bin/ansible-playbook")


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:3])}… failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def median_of(runs: int, command: list[str], env: dict[str, str]) -> float:
    return statistics.median(timed(command, env) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=Path("/var/tmp/muronet-bench-ansible"))
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    env = {**os.environ, **credentials(), "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
    state = options.state / "lab"
    options.state.mkdir(parents=True, exist_ok=True)
    options.state.chmod(0o755)
    inventory = options.state / "twin.muronet.yml"
    repo = options.state / "backups"
    try:
        timed([MURONET, "lab", "up", "--state", str(state)], env)
        timed([MURONET, "provision", "--lab", "--state", str(state), "--commit", "--no-diff"], env)
        inventory.write_text(f"plugin: muronet.city.inventory\ninventory_dir: {REPO / 'inventory'}\n"
                             f"endpoints_file: {state / 'ssh/endpoints.json'}\n")
        routers = len(json.loads((state / "ssh/endpoints.json").read_text())["hosts"])
        ansible = [PLAYBOOK, "-i", str(inventory)]
        results = {"routers": routers, "runs": options.runs}
        # a first backup creates the repository: the measured runs of both sides find it there
        timed([MURONET, "backup", "--lab", "--state", str(state), "--repo", str(repo)], env)
        results["backup"] = {
            "nornir": median_of(options.runs, [MURONET, "backup", "--lab", "--state", str(state), "--repo", str(repo)],
                                env),
            "ansible": median_of(options.runs, [*ansible, "playbooks/backup.yml", "-e", f"backup_repo={repo}"], env),
        }
        subprocess.run(["vtysh", "-N", "library-rt1", "-c", "configure terminal", "-c", "interface eth1",
                        "-c", "description drifted for the benchmark"], check=True, capture_output=True)
        results["dry_run"] = {
            "nornir": median_of(options.runs, [MURONET, "provision", "--lab", "--state", str(state), "--no-diff"],
                                env),
            "ansible": median_of(options.runs, [*ansible, "playbooks/provision.yml", "--check", "--diff"], env),
        }
    finally:
        subprocess.run([MURONET, "lab", "down", "--state", str(state)], cwd=REPO, env=env, capture_output=True)
        shutil.rmtree(options.state, ignore_errors=True)
    print(f"{routers} twin routers, median of {options.runs} runs, 20 in parallel on each side")
    print(f"{'':10} {'muronet (Nornir)':>18} {'Ansible':>12} {'ratio':>7}")
    for job in ("backup", "dry_run"):
        nornir, playbook = results[job]["nornir"], results[job]["ansible"]
        results[job]["ratio"] = round(playbook / nornir, 1)
        print(f"{job:10} {nornir:>16.1f} s {playbook:>10.1f} s {playbook / nornir:>6.1f}x")
    out = REPO / "bench/results/ansible.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

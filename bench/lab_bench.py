"""The twin benchmark: boot the whole city, provision it from scratch, side by side with FRR's own
``frr-reload.py`` (what an FRR operator scripts without muronet) on the same configurations.

    .venv/bin/python bench/lab_bench.py [--state /var/tmp/muronet-bench] [--workers 20] [--rounds 3]

Measured, each as the user runs it (``muronet`` in a subprocess, wall-clock):

1. ``muronet lab up`` of the whole city (routers, LAN segments, lab peers);
2. ``muronet provision --lab`` dry run against the unconfigured twin (every device has a diff),
   cold (every candidate rendered by the scratch FRR) and warm (renderings cached), and
   ``frr-reload.py --test`` of every router (20 in parallel, like muronet's workers);
3. ``muronet provision --lab --commit`` from scratch: push, verify, confirm;
4. a second dry run (zero changes);
5. a fresh twin provisioned by ``frr-reload.py --reload`` (20 in parallel), which neither verifies
   nor rolls back, then muronet's dry run on it to prove both reach the same configuration.

Steps 2, 3 and 5 vary by a fifth from run to run on a 2-core machine (both tools are CPU-bound
there: 250 FRR daemons share the cores), so the dry runs (cold and warm), the commit and
``frr-reload.py --reload`` are repeated ``--rounds`` times, each commit and reload on a freshly
booted twin, the two alternating; the ratios are of the medians, and every round's figure is kept.

Also: the per-device median of staging (login + diff) and commit, the SSH logins per device and
run (from the twin's sshd logs), the peak memory of the ``muronet`` process, and the twin's FRR
memory once provisioned. Credentials come from the
environment (``scripts/lab-credentials.sh`` fills missing ones). Results are printed and written to
bench/results/lab.json; the twin is taken down at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MURONET = str(REPO / ".venv/bin/muronet")
FRR_RELOAD = "/usr/lib/frr/frr-reload.py"


def credentials() -> dict[str, str]:
    text = subprocess.run([str(REPO / "scripts/lab-credentials.sh")], capture_output=True, text=True,
                          check=True).stdout
    pairs = (line.removeprefix("export ").split("=", 1) for line in text.splitlines() if line.startswith("export "))
    return {name: value.strip("'\"") for name, value in pairs}


def muronet(env: dict[str, str], *args: str) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([MURONET, *args], cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1) or not done.stdout.strip().startswith("{"):
        sys.exit(f"muronet {' '.join(args)} failed: {done.stderr or done.stdout}")
    return seconds, json.loads(done.stdout)


def frr_reload(configs: Path, routers: list[str], mode: str, workers: int) -> float:
    """``frr-reload.py --test|--reload`` for every router, ``workers`` at a time."""
    def one(router: str) -> int:
        return subprocess.run(["python3", FRR_RELOAD, f"--{mode}", "--pathspace", router, "--stdout",
                               str(configs / f"{router}.cfg")], capture_output=True, text=True).returncode

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        codes = list(pool.map(one, routers))
    seconds = time.perf_counter() - started
    if any(codes):
        print(f"  frr-reload --{mode}: {sum(1 for c in codes if c)} router(s) reported errors")
    return seconds


def render_resolved(env: dict[str, str], folder: Path) -> list[str]:
    """Every routed device's intended configuration with real secrets, for frr-reload."""
    code = ("import sys; from pathlib import Path; from muronet.workflows.common import intended_configs, load; "
            "inv = load(Path('inventory')); "
            "configs, _ = intended_configs(inv, None, [d.name for d in inv.devices if d.platform == 'frr']); "
            "[Path(sys.argv[1], name + '.cfg').write_text(text) for name, text in configs.items()]")
    subprocess.run([str(REPO / ".venv/bin/python"), "-c", code, str(folder)], cwd=REPO, env=env, check=True)
    return sorted(p.stem for p in folder.glob("*.cfg"))


def frr_memory_mib(state: Path) -> float:
    """Resident memory of every FRR daemon of the twin (by the PID files in its state folder)."""
    total = 0
    for pidfile in state.glob("routers/*/run/*.pid"):
        try:
            status = Path(f"/proc/{int(pidfile.read_text())}/status").read_text()
        except (OSError, ValueError):
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return total / 1024


def logins(state: Path) -> int:
    """Password logins the twin's sshd accepted so far."""
    return sum(log.read_text(errors="replace").count("Accepted password") for log in state.glob("ssh/sshd-*.log"))


def median_device(report: dict, phase: str) -> float | None:
    values = [d["seconds"][phase] for d in report["devices"] if phase in d["seconds"]]
    return round(statistics.median(values), 3) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", default="/var/tmp/muronet-bench")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="muronet-bench-canonical-"))  # from scratch: nothing rendered yet
    env = {**os.environ, **credentials(), "MURONET_LAB_STATE": args.state, "MURONET_CANONICAL_CACHE": str(cache)}
    state = Path(args.state)
    results: dict[str, object] = {"workers": args.workers}
    secret_dir = Path(tempfile.mkdtemp(prefix="muronet-bench-configs-"))  # 0700: configs carry secrets
    try:
        up_wall, up = muronet(env, "lab", "up", "--json")
        results["lab_up"] = {"wall_s": round(up_wall, 1), "routers": up["routers"], "segments": up["segments"],
                             "namespaces": up["namespaces"]}
        print(f"lab up: {up['routers']} routers, {up['namespaces']} namespaces in {up_wall:.1f} s")
        routers = render_resolved(env, secret_dir)
        workers = str(args.workers)
        before = logins(state)
        dry_walls, dry = [], {}
        for _ in range(args.rounds):  # each cold: nothing rendered yet
            shutil.rmtree(cache, ignore_errors=True)
            wall, dry = muronet(env, "provision", "--lab", "--json", "--workers", workers)
            dry_walls.append(wall)
        dry_logins = (logins(state) - before) / args.rounds
        dry_wall = statistics.median(dry_walls)
        warm_walls = [muronet(env, "provision", "--lab", "--json", "--workers", workers)[0]
                      for _ in range(args.rounds)]
        warm_wall = statistics.median(warm_walls)
        test_wall = frr_reload(secret_dir, routers, "test", args.workers)
        shutil.rmtree(cache, ignore_errors=True)  # the commit from scratch renders every candidate again
        before = logins(state)
        commit_wall, commit = muronet(env, "provision", "--lab", "--commit", "--json", "--workers", workers)
        commit_logins = logins(state) - before
        again_wall, again = muronet(env, "provision", "--lab", "--json", "--workers", workers)
        frr_mib = frr_memory_mib(state)
        # the alternative: a fresh twin, FRR's own reload script on every router; then the rounds
        muronet(env, "lab", "up", "--json")
        reload_walls = [frr_reload(secret_dir, routers, "reload", args.workers)]
        _, check = muronet(env, "provision", "--lab", "--json", "--workers", workers)
        commit_walls = [commit_wall]
        for _ in range(args.rounds - 1):
            for walls, run in ((commit_walls, lambda: muronet(env, "provision", "--lab", "--commit", "--json",
                                                              "--workers", workers)[0]),
                               (reload_walls, lambda: frr_reload(secret_dir, routers, "reload", args.workers))):
                muronet(env, "lab", "up", "--json")
                shutil.rmtree(cache, ignore_errors=True)
                walls.append(run())
        commit_median, reload_wall = statistics.median(commit_walls), statistics.median(reload_walls)
        results["muronet"] = {
            "dry_run_s": round(dry_wall, 1), "dry_run_rounds_s": [round(w, 1) for w in dry_walls],
            "dry_run_warm_s": round(warm_wall, 1),
            "dry_run_warm_rounds_s": [round(w, 1) for w in warm_walls],
            "would_change": dry["summary"]["would change"],
            "logins_per_device": {"dry_run": round(dry_logins / len(routers), 2),
                                  "commit": round(commit_logins / len(routers), 2)},
            "commit_s": round(commit_median, 1), "commit_rounds_s": [round(w, 1) for w in commit_walls],
            "commit_phases_s": commit["seconds"],
            "changed": commit["summary"]["changed"], "failed": commit["summary"]["failed"],
            "second_run_s": round(again_wall, 1), "second_run_unchanged": again["summary"]["unchanged"],
            "median_device_stage_s": median_device(dry, "stage"),
            "median_device_commit_s": median_device(commit, "commit"),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        }
        results["twin_frr_rss_mib"] = round(frr_mib, 1)
        results["frr_reload"] = {"test_s": round(test_wall, 1), "reload_s": round(reload_wall, 1),
                                 "reload_rounds_s": [round(w, 1) for w in reload_walls],
                                 "unchanged_after": check["summary"]["unchanged"]}
        results["ratios"] = {"dry_run_muronet_vs_frr_reload_test": round(dry_wall / test_wall, 2),
                             "dry_run_warm_muronet_vs_frr_reload_test": round(warm_wall / test_wall, 2),
                             "commit_muronet_vs_frr_reload": round(commit_median / reload_wall, 2),
                             "commit_rounds_muronet_vs_frr_reload": [round(c / r, 2) for c, r in
                                                                     zip(commit_walls, reload_walls, strict=True)]}
    finally:
        shutil.rmtree(secret_dir, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        subprocess.run([MURONET, "lab", "down"], cwd=REPO, env=env, capture_output=True)
    out = HERE / "results" / "lab.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""The offline analysis (``muronet analyze``): the reference city and a generated 1,000-device city
on one core, beside the twin's ``lab verify`` (what a team runs today to know whether the network
works: real packets, root, the twin booted and provisioned first).

    .venv/bin/python bench/analysis_bench.py [--devices 1000] [--twin]

Measured in this process on one core: parsing every configuration (what the audit also does) and
the analysis across devices (structures, filters, OSPF adjacencies on every cable, BGP sessions,
the routing model's tables of every router and VRF, and the zone reachability matrix from them),
each the median of three runs; the peak memory of the process. With ``--twin`` (root): ``muronet lab
up``, ``provision --lab --commit`` and ``lab verify`` of the reference city, wall-clock, in
subprocesses on every core, and the twin taken down. Results are printed and written to
bench/results/analysis.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from render_bench import timed  # noqa: E402
from synthetic_city import write_city  # noqa: E402

from muronet.analysis import audits_of, network_analysis  # noqa: E402
from muronet.inventory.index import InventoryIndex  # noqa: E402
from muronet.inventory.loader import load_inventory  # noqa: E402
from muronet.policy.context import Settings  # noqa: E402
from muronet.render.engine import Renderer  # noqa: E402

MURONET = str(REPO / ".venv/bin/muronet")


def analysed(inventory_dir: Path) -> dict:
    """Render the city (not timed: the input), then time parsing and the analysis."""
    inventory, issues = load_inventory(inventory_dir)
    assert not issues, issues[:3]
    index = InventoryIndex(inventory)
    renderer = Renderer(inventory, REPO / "templates")
    texts = {device.name: renderer.render(device) for device in inventory.devices}
    platforms = {device.name: device.platform for device in inventory.devices}
    settings = Settings.from_inventory(index)
    parse_s, _ = timed(lambda: audits_of(texts, platforms, settings, index), repeat=3)
    analyse_s, analysis = timed(lambda: network_analysis(index, audits_of(texts, platforms, settings, index)),
                                repeat=3)
    return {"devices": len(texts), "lines": sum(t.count("\n") for t in texts.values()),
            "parse_s": round(parse_s, 3), "parse_and_analyse_s": round(analyse_s, 3),
            "findings": len(analysis.findings), "tables": len(analysis.model.tables),
            "probes": len(analysis.probes),
            "matrix_ok": analysis.zone_matrix().ok}


def twin(env: dict[str, str]) -> dict:
    """The twin's answer to the same question, as a user gets it."""
    state = Path(tempfile.mkdtemp(prefix="muronet-analysis-bench-", dir="/var/tmp")) / "lab"
    seconds = {}
    try:
        steps = (("lab_up_s", ["lab", "up"]), ("provision_s", ["provision", "--lab", "--commit", "--no-diff"]),
                 ("lab_verify_s", ["lab", "verify"]))
        for step, args in steps:
            started = time.perf_counter()
            done = subprocess.run([MURONET, *args, "--state", str(state)], cwd=REPO, env=env, capture_output=True,
                                  text=True)
            seconds[step] = round(time.perf_counter() - started, 1)
            if done.returncode not in (0, 1):
                sys.exit(f"muronet {' '.join(args)} failed: {done.stderr or done.stdout}")
    finally:
        subprocess.run([MURONET, "lab", "down", "--state", str(state)], cwd=REPO, env=env, capture_output=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--twin", action="store_true", help="also time lab up, provision and lab verify (root)")
    options = parser.parse_args()
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})  # one core, as the target says
    results = {"reference": analysed(REPO / "inventory")}
    with tempfile.TemporaryDirectory() as work:
        city = Path(work) / "inventory"
        write_city(city, options.devices)
        results["generated"] = analysed(city)
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if options.twin:
        credentials = subprocess.run([str(REPO / "scripts/lab-credentials.sh")], capture_output=True, text=True,
                                     check=True).stdout
        pairs = (line.removeprefix("export ").split("=", 1) for line in credentials.splitlines()
                 if line.startswith("export "))
        os.sched_setaffinity(0, cores)  # the twin as a user runs it: every core
        results["twin"] = twin({**os.environ, **{name: value.strip("'\"") for name, value in pairs}})
        results["ratio_twin_verify_to_analysis"] = round(
            results["twin"]["lab_verify_s"] / results["reference"]["parse_and_analyse_s"], 1)
    print(json.dumps(results, indent=1))
    out = HERE / "results" / "analysis.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()

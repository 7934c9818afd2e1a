"""What survives a failure (``muronet analyze --n-1``): the reference city's every single failure on
one core, a generated 1,000-device city's, beside the twin answering one scenario with packets
(``lab fail`` + ``lab verify --fail`` + ``lab restore``: what a team would do without the model).

    .venv/bin/python bench/failures_bench.py [--devices 1000] [--twin]

Measured in this process on one core: the reference city's whole N-1 (every cable between two
routers, every router, every circuit: the routing model solved again per scenario and every flow,
each LAN to its zone's city-hall LAN and its zone's external lines, walked), as `muronet analyze
--n-1` runs it; of the generated city, the set-up and an even sample of its scenarios (``--sample``),
the whole estimated from them (its full N-1 is thousands of scenarios). With ``--twin`` (root):
one scenario on a provisioned twin of the reference city, wall-clock, in subprocesses. Results:
bench/results/failures.json.
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

from synthetic_city import write_city  # noqa: E402

from muronet.analysis.failures import FailureAnalysis, failure_probes, run_scenarios, single_elements  # noqa: E402
from muronet.analysis.forwarding import model_plan  # noqa: E402
from muronet.analysis.routing import model_inputs, solve  # noqa: E402
from muronet.workflows.analyze import read_configurations  # noqa: E402
from muronet.workflows.failures import FailureOptions, failure_scenarios  # noqa: E402

MURONET = str(REPO / ".venv/bin/muronet")
TWIN_SCENARIO = "FB-003"  # a span of the west ring


def n_1(inventory: Path) -> dict[str, object]:
    started = time.perf_counter()
    result = failure_scenarios(FailureOptions(inventory, n_1=True))
    seconds = time.perf_counter() - started
    cuts = result.cuts
    return {"scenarios": len(result.scenarios), "flows": result.flows, "seconds": round(seconds, 2),
            "per_scenario_ms": round(1000 * sum(s.seconds for s in result.scenarios) / len(result.scenarios), 1),
            "cutting": len(cuts), "beyond_own_site": sum(1 for c in cuts if c.beyond)}


def sampled_n_1(inventory: Path, sample: int) -> dict[str, object]:
    """A large city's N-1 from an even sample of its scenarios: the set-up (reading, the model with
    everything up) measured once, each sampled scenario measured, the whole estimated from them."""
    started = time.perf_counter()
    read = read_configurations(inventory, None)
    inputs = model_inputs(read.index, read.audits)
    plan = model_plan(read.index, solve(inputs))
    analysis = FailureAnalysis(read.index, inputs, plan, failure_probes(plan, read.index))
    setup = time.perf_counter() - started
    elements = single_elements(read.index, inputs)
    step = max(1, len(elements) // sample)
    chosen = elements[::step][:sample]
    started = time.perf_counter()
    scenarios = run_scenarios(analysis, [(e,) for e in chosen])
    per_scenario = (time.perf_counter() - started) / len(chosen)
    return {"devices": len(read.audits), "scenarios": len(elements), "sampled": len(chosen),
            "flows": len(analysis.probes), "setup_s": round(setup, 1), "per_scenario_s": round(per_scenario, 3),
            "estimated_n_1_s": round(setup + per_scenario * len(elements)),
            "sampled_cutting": sum(1 for s in scenarios if s.cuts)}


def twin(env: dict[str, str]) -> dict[str, float]:
    """One scenario on the twin, as a user gets it: boot and provision (not counted), then fail,
    verify against the model's prediction, restore."""
    state = Path(tempfile.mkdtemp(prefix="muronet-failures-bench-", dir="/var/tmp")) / "lab"

    def run(*args: str) -> float:
        started = time.perf_counter()
        done = subprocess.run([MURONET, *args, "--state", str(state)], cwd=REPO, env=env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            sys.exit(f"muronet {' '.join(args)} failed: {done.stderr or done.stdout}")
        return time.perf_counter() - started

    try:
        run("lab", "up")
        run("provision", "--lab", "--commit", "--no-diff")
        seconds = run("lab", "fail", TWIN_SCENARIO) + run("lab", "verify", "--fail", TWIN_SCENARIO)
        seconds += run("lab", "restore", TWIN_SCENARIO)
    finally:
        subprocess.run([MURONET, "lab", "down", "--state", str(state)], cwd=REPO, env=env, capture_output=True)
    return {"one_scenario_s": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--twin", action="store_true", help="also time one scenario on the twin (root)")
    parser.add_argument("--sample", type=int, default=60, help="scenarios of the generated city measured")
    options = parser.parse_args()
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})  # one core, as the target says
    results: dict[str, object] = {"reference": n_1(REPO / "inventory")}
    with tempfile.TemporaryDirectory() as work:
        city = Path(work) / "inventory"
        write_city(city, options.devices)
        (Path(work) / "templates").symlink_to(REPO / "templates")
        results["generated"] = sampled_n_1(city, options.sample)
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if options.twin:
        credentials = subprocess.run([str(REPO / "scripts/lab-credentials.sh")], capture_output=True, text=True,
                                     check=True).stdout
        pairs = (line.removeprefix("export ").split("=", 1) for line in credentials.splitlines()
                 if line.startswith("export "))
        os.sched_setaffinity(0, cores)
        results["twin"] = twin({**os.environ, **{name: value.strip("'\"") for name, value in pairs}})
        reference = results["reference"]
        assert isinstance(reference, dict)
        results["ratio_twin_scenario_to_model_scenario"] = round(
            1000 * results["twin"]["one_scenario_s"] / reference["per_scenario_ms"], 0)
    print(json.dumps(results, indent=1))
    out = HERE / "results" / "failures.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()

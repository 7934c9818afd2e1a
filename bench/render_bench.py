"""Rendering benchmark: muronet on a generated 10,000-device city, and Ansible's template module
rendering the same templates from the same contexts, side by side.

    .venv/bin/python bench/render_bench.py [--devices 10000] [--ansible-sample 200] [--forks 10]

Ansible renders about three hosts a second here, so it runs on a sample of the city (every
``N``-th device) and muronet renders that same sample too: the ratio compares like with like.
Both outputs are compared file by file, which proves the templates and contexts are the same.
Results are printed and written to bench/results/render.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic_city import write_city  # noqa: E402

from muronet.inventory.loader import load_inventory  # noqa: E402
from muronet.render.engine import Renderer, template_name  # noqa: E402
from muronet.render.writer import write_configs  # noqa: E402
from muronet.validation import validate  # noqa: E402

TEMPLATES = REPO / "templates"


def timed(function, repeat: int = 1):
    """(median seconds, last result)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run(devices: int, sample: int, forks: int, work: Path) -> dict:
    city = work / "inventory"
    count = write_city(city, devices)
    load_s, (inventory, issues) = timed(lambda: load_inventory(city))
    assert not issues, issues[:3]
    validate_s, problems = timed(lambda: validate(inventory))
    assert not problems, [p.format() for p in problems[:3]]
    renderer = Renderer(inventory, TEMPLATES)
    everything = sorted(inventory.devices, key=lambda d: d.name)
    out = work / "muronet"
    serial_s, _ = timed(lambda: list(renderer.render_many(everything, workers=1)), repeat=3)
    parallel_s, _ = timed(lambda: list(renderer.render_many(everything)), repeat=3)
    write_s, _ = timed(lambda: write_configs(renderer.render_many(everything), out, with_diff=False, prune=True))

    step = max(1, len(everything) // sample)
    chosen = everything[::step][:sample]
    sample_serial_s, _ = timed(lambda: list(renderer.render_many(chosen, workers=1)), repeat=5)
    ansible_s, ansible_dir = run_ansible(renderer, chosen, forks, work)
    mismatches = [d.name for d in chosen
                  if (ansible_dir / f"{d.name}.cfg").read_text().rstrip("\n")
                  != (out / f"{d.name}.cfg").read_text().rstrip("\n")]
    return {
        "devices": count,
        "cores": os.cpu_count(),
        "load_s": round(load_s, 2),
        "validate_s": round(validate_s, 2),
        "render_serial_s": round(serial_s, 2),
        "render_serial_per_s": round(count / serial_s),
        "render_parallel_s": round(parallel_s, 2),
        "render_parallel_per_s": round(count / parallel_s),
        "render_and_write_s": round(write_s, 2),
        "end_to_end_per_s": round(count / (load_s + validate_s + write_s)),
        "sample": len(chosen),
        "sample_muronet_s": round(sample_serial_s, 3),
        "sample_ansible_s": round(ansible_s, 1),
        "ansible_forks": forks,
        "ansible_per_s": round(len(chosen) / ansible_s, 2),
        "ratio_render_serial": round((ansible_s / len(chosen)) / (sample_serial_s / len(chosen))),
        "ratio_render_parallel_vs_ansible": round((ansible_s / len(chosen)) / (parallel_s / count)),
        "ansible_outputs_identical": not mismatches,
        "mismatched": mismatches[:5],
    }


def run_ansible(renderer: Renderer, chosen, forks: int, work: Path) -> tuple[float, Path]:
    """Host variables = muronet's render context; the playbook renders with the same templates."""
    hosts = {}
    for device in chosen:
        context = renderer.contexts.build(device)
        context["muronet_template"] = template_name(device)
        hosts[device.name] = context
    inventory = work / "ansible-inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}, ensure_ascii=False))
    out = work / "ansible"
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
               str(HERE / "ansible_render.yml"), "-f", str(forks), "-e", f"render_dir={out}"]
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ansible-playbook failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--ansible-sample", type=int, default=200)
    parser.add_argument("--forks", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="muronet-bench-") as work:
        result = run(args.devices, args.ansible_sample, args.forks, Path(work))
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "render.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"""
Rendering {result['devices']} devices on {result['cores']} cores
  load {result['load_s']} s, validate {result['validate_s']} s
  render, 1 process : {result['render_serial_s']} s = {result['render_serial_per_s']} devices/s
  render, {result['cores']} processes: {result['render_parallel_s']} s = {result['render_parallel_per_s']} devices/s
  render + write files: {result['render_and_write_s']} s; end to end (load+validate+render+write):
    {result['end_to_end_per_s']} devices/s
Same templates, same contexts, {result['sample']} devices (every n-th of the city):
  muronet (1 process): {result['sample_muronet_s']} s
  ansible-playbook template module, {result['ansible_forks']} forks: {result['sample_ansible_s']} s
    = {result['ansible_per_s']} devices/s
  ratio per device: muronet {result['ratio_render_serial']}x faster on one process,
    {result['ratio_render_parallel_vs_ansible']}x with all cores
  outputs identical: {result['ansible_outputs_identical']} {result['mismatched'] or ''}""")
    if not result["ansible_outputs_identical"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

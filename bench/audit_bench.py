"""Audit benchmark: the full rule pack over 1,000 realistic configurations (500–1,000 lines each),
side by side with ``netlint`` (PyPI) over the same files.

    .venv/bin/python bench/audit_bench.py [--configs 1000] [--netlint /var/tmp/netlint-venv/bin/netlint]

The configurations are the city's own, rendered: the six access switches (Cisco IOS, 445–835 lines),
the two core switches on FRR (≈ 600 lines) and rendered for Cisco IOS (≈ 1,100 lines), cycled and
copied to 1,000 files audited with the inventory's zone map (all 47 rules run), every tenth with
planted violations (a telnet vty, an SNMP community, a default route in the LGWAN zone) so the
checks do find things. netlint (installed into its own venv
by this script if missing) runs its IOS checks, a subset of ours; the ratio compares configs/s.
Results are printed and written to bench/results/audit.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from muronet.inventory.index import InventoryIndex  # noqa: E402
from muronet.platforms import detect_platform  # noqa: E402
from muronet.policy.context import Settings  # noqa: E402
from muronet.policy.engine import FAIL, audit_many  # noqa: E402
from muronet.render.engine import Renderer  # noqa: E402
from muronet.validation import load_and_validate  # noqa: E402

BASES = ("ch-acc-1f", "ch-acc-2f", "ch-acc-3f", "ch-acc-4f", "ch-acc-5f", "ch-acc-srv", "ch-core1", "ch-core2")


def write_configs(folder: Path, count: int) -> None:
    inventory, _ = load_and_validate(REPO / "inventory")
    renderer = Renderer(inventory, REPO / "templates")
    devices = {d.name: d for d in inventory.devices}
    texts = [(name, renderer.render(devices[name])) for name in BASES]
    texts += [(name, renderer.render(devices[name].model_copy(update={"platform": "cisco_ios"})))
              for name in ("ch-core1", "ch-core2")]
    for n in range(count):
        name, text = texts[n % len(texts)]
        if n % 10 == 0:  # planted violations
            text = text.replace(" transport input ssh", " transport input telnet ssh")
            text += ("snmp-server community public RO\n" if "switchport" in text
                     else "ip route 0.0.0.0/0 10.1.1.1 vrf LGWAN\n")
        (folder / f"{name}~{n:04d}.cfg").write_text(text)  # audited as the device it was rendered for


def run_muronet(files: list[Path], workers: int) -> tuple[float, int]:
    """What ``muronet audit --from`` does after loading the inventory: read the files, recognise
    their platform, run every rule (``audit_many``, on ``workers`` processes)."""
    inventory, _ = load_and_validate(REPO / "inventory")
    index = InventoryIndex(inventory)
    settings = Settings.from_inventory(index)
    started = time.perf_counter()
    texts = [(path.stem.split("~")[0], path.read_text()) for path in files]  # the zone map is the inventory's
    results = audit_many([(name, text, detect_platform(text)) for name, text in texts], settings, index, workers)
    return time.perf_counter() - started, sum(1 for r in results if r.status == FAIL)


def run_netlint(netlint: str, folder: Path) -> tuple[float, int]:
    """netlint's wall time and number of findings (its JSON goes to a file: it logs on stdout)."""
    output = folder.parent / "netlint.json"
    started = time.perf_counter()
    subprocess.run([netlint, str(folder), "--glob", "*.cfg", "--format", "json", "--exit-zero", "-o", str(output)],
                   capture_output=True, text=True)
    seconds = time.perf_counter() - started
    document = json.loads(output.read_text()) if output.exists() else {}
    found = sum(len(checks) for checks in document.values()) if isinstance(document, dict) else len(document)
    return seconds, found


def ensure_netlint(path: str) -> str:
    if not Path(path).exists():
        venv = Path(path).parent.parent
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "netlint==0.1.2"], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", type=int, default=1000)
    parser.add_argument("--netlint", default="/var/tmp/netlint-venv/bin/netlint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="muronet-audit-bench-") as tmp:
        folder = Path(tmp) / "configs"
        folder.mkdir()
        write_configs(folder, args.configs)
        files = sorted(folder.glob("*.cfg"))
        lines = sum(len(f.read_text().splitlines()) for f in files)
        one, found = run_muronet(files, 1)
        two, found_two = run_muronet(files, 2)
        assert found == found_two
        netlint_s, netlint_found = run_netlint(ensure_netlint(args.netlint), folder)
    results = {
        "configs": len(files), "lines": lines, "lines_per_config": round(lines / len(files)),
        "muronet": {"rules": 47, "one_process_s": round(one, 2), "configs_per_s_1": round(len(files) / one),
                    "two_processes_s": round(two, 2), "configs_per_s_2": round(len(files) / two),
                    "findings": found},
        "netlint": {"seconds": round(netlint_s, 2), "configs_per_s": round(len(files) / netlint_s),
                    "findings": netlint_found},
        "ratio_muronet_2_vs_netlint_speed": round(netlint_s / two, 2),
    }
    out = HERE / "results" / "audit.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

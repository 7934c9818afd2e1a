"""How fast a large audit report opens and sorts in Debian's Chromium (the pages' tests' browser).

    .venv/bin/python bench/pages_bench.py [--devices 1000] [--rounds 3]

A synthetic city of about ``--devices`` devices (bench/synthetic_city.py) is rendered, a finding
is planted on every device (its console session never times out), the audit workflow writes
its HTML report, and Chromium opens it: the time until the page is loaded (Navigation Timing), and
the time each sort of the full findings table takes (the click handler, timed in the page), medians
of ``--rounds``. Results in bench/results/pages.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from browser import chromium  # noqa: E402
from synthetic_city import write_city  # noqa: E402

from muronet.render.engine import Renderer  # noqa: E402
from muronet.workflows.audit import AuditOptions, audit  # noqa: E402
from muronet.workflows.common import load  # noqa: E402

SORT = """
const button = document.querySelector(arguments[0]);
const started = performance.now();
button.click();
return performance.now() - started;
"""


def report(folder: Path, devices: int) -> tuple[Path, int, int]:
    inventory = folder / "inventory"
    count = write_city(inventory, devices)
    (folder / "templates").symlink_to(HERE.parent / "templates")
    loaded = load(inventory)
    renderer = Renderer(loaded, folder / "templates")
    configs = folder / "configs"
    configs.mkdir()
    for rendered in renderer.render_many(loaded.devices):
        text = rendered.text.replace(" exec-timeout 10 0", " exec-timeout 0 0").replace(
            "line vty\n", "line vty\n exec-timeout 0 0\n")
        (configs / f"{rendered.device}.cfg").write_text(text, encoding="utf-8")
    result = audit(AuditOptions(inventory, source=configs, formats=("html",), out_dir=folder / "out"))
    return result.written["html"], count, len(result.report.findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="muronet-pages-") as tmp:
        page, devices, findings = report(Path(tmp), args.devices)
        size = page.stat().st_size
        loads, sorts = [], []
        with chromium() as browser:
            for _ in range(args.rounds):
                browser.get(page.as_uri())
                loads.append(browser.execute_script(
                    "const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime;"))
                for column in (1, 3, 5, 1):  # device, severity, line, device again (descending)
                    sorts.append(browser.execute_script(
                        SORT, f"#findings-table thead th:nth-child({column}) button"))
    results = {"devices": devices, "findings": findings, "page_mib": round(size / 2**20, 2),
               "open_ms_median": round(statistics.median(loads)), "open_ms": [round(v) for v in loads],
               "sort_ms_median": round(statistics.median(sorts)), "sort_ms_max": round(max(sorts))}
    out = HERE / "results" / "pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

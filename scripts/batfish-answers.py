#!/usr/bin/env python3
"""Extract Batfish's published answers on its example network into the compact JSON the ground-truth
tests read (tests/data/ground_truth/batfish_example/). Run with the path of a checkout of
https://github.com/batfish/batfish (Apache-2.0); the commit used is written beside the answers.

    scripts/batfish-answers.py /path/to/batfish
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "ground_truth" / "batfish_example"


def show(repo: Path, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True,
                          text=True).stdout


def next_hop(hop: dict) -> str:
    """Batfish's next hop, as one word: an address, ``discard``, or the interface of a connected route."""
    if hop["type"] == "ip":
        return hop["ip"]
    if hop["type"] == "interface":
        return hop.get("ip") or f"interface {hop['interface']}"
    return hop["type"]


def main(repo: Path) -> None:
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    rows = json.loads(show(repo, "tests/basic/routes.ref"))[0]["rows"]
    routes = sorted({(r["Node"]["name"], r["VRF"], r["Network"], r["Protocol"], next_hop(r["Next_Hop"]),
                      r["Metric"], r["Admin_Distance"]) for r in rows if not r["Node"]["name"].startswith("host")})
    init = json.loads(show(repo, "tests/basic/init.ref"))["answerElements"][1]
    defined = [(file.split("/")[-1].removesuffix(".cfg"), kind, name, data["definitionLines"], data["numReferrers"])
               for file, kinds in init["definedStructures"].items() if file.startswith("configs/")
               for kind, names in kinds.items() for name, data in names.items()]
    undefined = [(file.split("/")[-1].removesuffix(".cfg"), kind, name, usage, lines)
                 for file, kinds in init["undefinedReferences"].items() for kind, names in kinds.items()
                 for name, usages in names.items() for usage, lines in usages.items()]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "answers.json").write_text(json.dumps({
        "source": f"https://github.com/batfish/batfish tests/basic/routes.ref and tests/basic/init.ref at {commit}",
        "routes": [dict(zip(("node", "vrf", "network", "protocol", "next_hop", "metric", "distance"), r, strict=True))
                   for r in routes],
        "structures": [dict(zip(("node", "kind", "name", "lines", "referrers"), s, strict=True))
                       for s in sorted(defined)],
        "undefined": [dict(zip(("node", "kind", "name", "usage", "lines"), u, strict=True)) for u in sorted(undefined)],
    }, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

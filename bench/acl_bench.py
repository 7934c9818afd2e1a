"""A large filter: a 10,000-entry ACL on the LGWAN router (rendered for Cisco IOS) analysed for
unreachable lines and reviewed after one line of it changes, on one core; beside the quadratic
search every earlier line for each line did before (its figure is the "before" of the ratio).

    .venv/bin/python bench/acl_bench.py [--entries 10000] [--rounds 3]

The ACL is made of what big ACLs hold: host and subnet permits to many servers and ports, a few
port ranges, a final deny; every hundredth line repeats an earlier one (a shadowed line to find).
Results are printed and written to bench/results/acl.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from muronet.analysis import filters  # noqa: E402
from muronet.inventory.index import InventoryIndex  # noqa: E402
from muronet.policy import acl  # noqa: E402
from muronet.policy.context import DeviceAudit, Settings  # noqa: E402
from muronet.render.engine import Renderer  # noqa: E402
from muronet.review.engine import review_change  # noqa: E402
from muronet.validation import load_and_validate  # noqa: E402


def big_acl(entries: int) -> list[str]:
    lines = []
    for n in range(entries):
        if n and n % 100 == 0:
            lines.append(lines[n // 2])  # an earlier entry again
            continue
        host = f"10.{20 + n % 4}.{n // 250 % 256}.{n % 250 + 1}"
        if n % 7 == 0:
            lines.append(f"permit tcp 10.30.{n % 256}.0 0.0.0.255 host {host} range {1000 + n % 50} {2000 + n % 50}")
        else:
            lines.append(f"permit {'tcp' if n % 3 else 'udp'} any host {host} eq {1 + n % 9000}")
    lines.append("deny ip any any log")
    return [f" {10 * (n + 1)} {line}" for n, line in enumerate(lines)]


def quadratic_unreachable(audit: DeviceAudit) -> int:
    """The search before: every line against every earlier line of its ACL."""
    found = 0
    for lines in filters._acls(audit).values():
        seen: list[acl.Entry] = []
        for text, _ in lines:
            entry = acl.parse_entry(text)
            if entry is None:
                continue
            found += any(filters.covers(e, entry) for e in seen)
            seen.append(entry)
    return found


def cold() -> None:
    """Forget what earlier rounds read: each round reads the texts as a fresh process would."""
    from muronet.platforms import base
    from muronet.reading.grammar import grammar

    for name in ("cisco_ios", "frr"):
        grammar(name).lines.clear()
        grammar(name)._read.cache_clear()
    base._read.cache_clear()
    acl.parse_entry.cache_clear()


def timed(function, rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        cold()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    inventory, _ = load_and_validate(REPO / "inventory")
    index = InventoryIndex(inventory)
    device = inventory.device("ch-lgwan-rt1").model_copy(update={"platform": "cisco_ios"})
    base = Renderer(inventory, REPO / "templates").render(device)
    acl = big_acl(args.entries)
    before = base + "ip access-list extended BIG-FILTER\n" + "\n".join(acl) + "\n!\n"
    after = before.replace(acl[5000], acl[5000].replace("permit tcp", "permit ip").replace("permit udp", "permit ip"))
    settings = Settings.from_inventory(index)
    audit = DeviceAudit.of("ch-lgwan-rt1", "cisco_ios", *_parsed(before), settings, index)

    indexed_s, findings = timed(lambda: filters.unreachable_lines(audit), args.rounds)
    quadratic_s, count = timed(lambda: quadratic_unreachable(audit), 1)
    assert len(findings) == count, (len(findings), count)  # type: ignore[arg-type]
    platforms = {"ch-lgwan-rt1": "cisco_ios"}
    review_s, review = timed(lambda: review_change("bench", {"ch-lgwan-rt1": before}, {"ch-lgwan-rt1": after},
                                                   platforms, settings, index, index), args.rounds)
    results = {"entries": args.entries, "shadowed_lines": count, "unreachable_indexed_s": round(indexed_s, 3),
               "unreachable_quadratic_s": round(quadratic_s, 3), "speedup": round(quadratic_s / indexed_s, 1),
               "review_s": round(review_s, 3), "review_risk": review.risk}  # type: ignore[attr-defined]
    print(json.dumps(results, indent=1))
    out = HERE / "results" / "acl.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")


def _parsed(text: str):
    from muronet.platforms import get_platform
    from muronet.policy.context import line_index

    return get_platform("cisco_ios").parse(text), line_index(text)


if __name__ == "__main__":
    main()

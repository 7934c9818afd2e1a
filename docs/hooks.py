"""mkdocs hooks: the pages made from the repository's own data, so the site cannot drift from it.

A page asks for a piece with an HTML comment on a line of its own:

- ``<!-- policy-rules -->``: every rule of ``muronet/policy/rules.yaml``, by family;
- ``<!-- benchmark: NAME -->``: the published figures of ``bench/published/NAME.yaml``;
- ``<!-- include: PATH -->``: a Markdown file of the repository (the changelog).

A placeholder naming something that does not exist fails the build (``make docs`` is strict).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parent.parent
_PLACEHOLDER = re.compile(r"^<!-- (policy-rules|benchmark: (?P<bench>[a-z_]+)|include: (?P<path>\S+)) -->$", re.M)
_FAMILIES = {"ZONE": "Zone separation", "AUTH": "Authentication", "MGMT": "Management plane",
             "SVC": "Services", "SNMP": "SNMP", "LOG": "Logging", "NTP": "Time", "CP": "Control plane",
             "L2": "Switching"}


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return _PLACEHOLDER.sub(_expand, markdown)


def _expand(found: re.Match[str]) -> str:
    if found["bench"]:
        return benchmark_table(REPO / "bench" / "published" / f"{found['bench']}.yaml")
    if found["path"]:
        return (REPO / found["path"]).read_text(encoding="utf-8").split("\n", 1)[1]  # its own title dropped
    return policy_rules(REPO / "muronet" / "policy" / "rules.yaml")


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(columns: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def benchmark_table(path: Path) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for row in data["rows"]:
        if len(row) != len(data["columns"]):
            raise PluginError(f"{path}: row {row!r} has {len(row)} cells for {len(data['columns'])} columns")
    return (f"{_table(data['columns'], data['rows'])}\n\n"
            f"Measured {data['measured']} on {data['machine']}: `{data['command']}` "
            f"(data: `bench/published/{path.name}`).")


def policy_rules(path: Path) -> str:
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    parts = []
    for family in dict.fromkeys(rule["id"].split("-")[1] for rule in rules):
        rows = [[f"`{r['id']}`", r["severity"], f"{r['title_en']}<br>{r['title_ja']}", r["refs"],
                 _applies(r["platforms"].get("cisco_ios")), _applies(r["platforms"].get("frr"))]
                for r in rules if r["id"].split("-")[1] == family]
        parts.append(f"## {_FAMILIES.get(family, family)} ({family})\n\n"
                     + _table(["rule", "severity", "title", "sources", "Cisco IOS", "FRR"], rows))
    return "\n\n".join(parts)


def _applies(how: str | None) -> str:
    if how is None:
        return "not evaluated"
    return "checked" if how == "check" else how

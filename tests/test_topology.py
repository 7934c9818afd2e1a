"""The fiber map drawn from the inventory shows every site, every inter-site span and each circuit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from muronet.inventory.index import split_endpoint


def test_fiber_map_has_every_site_span_and_circuit_once(cli, tmp_path, reference, reference_index):
    out = tmp_path / "fiber.mmd"
    result = cli("topology", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["sites"] == len(reference.sites) and summary["links"] == len(reference.cables)
    text = Path(out).read_text(encoding="utf-8")
    assert text.startswith("flowchart LR\n")
    for site in reference.sites:
        assert len(re.findall(rf'^    s_{site.slug.replace("-", "_")}\["', text, re.M)) == 1, site.slug
    edges = re.findall(r'^    (s_\w+) ---\|"([^"]+)"\| (s_\w+)$', text, re.M)
    between_sites = [c for c in reference.cables
                     if reference_index.devices[split_endpoint(c.a)[0]].site
                     != reference_index.devices[split_endpoint(c.b)[0]].site]
    assert sorted(label.split()[0] for _, label, _ in edges) == sorted(c.label for c in between_sites)
    library = next(c for c in reference.cables if c.label == "FB-012")
    assert ("s_library", f"FB-012 {library.length_km} km", "s_kaiyo_es") in edges
    for circuit in reference.circuits:
        assert text.count(f'"{circuit.cid} {circuit.bandwidth_mbps} Mb/s"') == 1

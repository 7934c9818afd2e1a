"""The fiber map drawn from the inventory shows every site, every inter-site span and each circuit."""

from __future__ import annotations

import json
import re

from support import REPO

from muronet.inventory.index import split_endpoint


def test_fiber_map_has_every_site_span_and_circuit_once(cli, tmp_path, reference, reference_index):
    result = cli("topology", "--source", "inventory", "--format", "mermaid", "--views", "physical", "--out",
                 str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["sites"] == len(reference.sites) and summary["links"] == len(reference.cables)
    assert summary["files"] == [str(tmp_path / "fiber.mmd")]
    text = (tmp_path / "fiber.mmd").read_text(encoding="utf-8")
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


def test_the_fiber_map_in_the_repository_is_the_inventorys(cli, tmp_path):
    """topology/fiber.mmd is what the inventory draws now: a cabling change regenerates it (make topology)."""
    assert cli("topology", "--source", "inventory", "--format", "mermaid", "--views", "physical", "--out",
               str(tmp_path)).exit_code == 0
    assert (REPO / "topology" / "fiber.mmd").read_text(encoding="utf-8") == (tmp_path / "fiber.mmd").read_text(
        encoding="utf-8"), "topology/fiber.mmd is out of date: run make topology"


def test_unknown_view_or_format_is_a_clear_error(cli, tmp_path):
    result = cli("topology", "--source", "inventory", "--views", "physical,floorplan", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "'floorplan': views are physical, geographic, zones, lgwan, government-cloud, sites" in result.output


def test_geographic_view_places_sites_by_their_coordinates(reference):
    from muronet.topology.from_inventory import physical_graph
    from muronet.topology.views import _projection

    positions, _ = _projection(physical_graph(reference))
    by_slug = {s.slug: s for s in reference.sites}
    west = min(positions, key=lambda slug: positions[slug][0])
    north = max(positions, key=lambda slug: positions[slug][1])
    assert by_slug[west].longitude == min(s.longitude for s in reference.sites)
    assert by_slug[north].latitude == max(s.latitude for s in reference.sites)
    assert max(max(x, y) for x, y in positions.values()) == 18  # the longer side spans the page

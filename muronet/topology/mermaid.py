"""The fiber map as a Mermaid flowchart: one node per site, one edge per fiber span between sites
(labelled with its length), dashed edges for the provider circuits."""

from __future__ import annotations

import re

from muronet.display import visible
from muronet.topology.graph import PhysicalGraph

# What Mermaid reads in a label (quotes, brackets, its entity codes' "#", HTML's "<" and "&", the
# edge label's "|"): written as Mermaid's numeric entity codes, shown as the characters they are.
_UNSAFE = re.compile(r'["\[\]{}<>|#&;`]')
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


def _identifier(name: str) -> str:
    """``name`` in a Mermaid node id: letters, digits and ``_`` (``-`` as ``_``, anything else as its code).

    >>> _identifier("city-hall"), _identifier('x"]; click')
    ('city_hall', 'x_22__5d__3b__20_click')
    """
    return _NOT_ID.sub(lambda m: f"_{ord(m.group()):x}_", name).replace("-", "_")


def _node_id(slug: str) -> str:
    return "s_" + _identifier(slug)


def _text(value: str) -> str:
    """A label's text as Mermaid shows it and never reads it.

    >>> _text('a"] --> x[<b>#1')
    'a#34;#93; --#62; x#91;#60;b#62;#35;1'
    """
    return _UNSAFE.sub(lambda m: f"#{ord(m.group())};", visible(value))


def fiber_map(graph: PhysicalGraph) -> str:
    """Mermaid source; spans inside one site (city-hall patch cables) are left out.

    >>> from muronet.topology.graph import Link, PhysicalGraph, SiteNode
    >>> g = PhysicalGraph({"a": SiteNode("a", "甲", "Ko", "school", 0, 0, ("a-rt1",)),
    ...                    "b": SiteNode("b", "乙", "Otsu", "library", 0, 0, ("b-rt1",))},
    ...                   [Link("a-rt1", "eth1", "b-rt1", "eth1", "a", "b", "smf", 1.2, "west", "FB-1")])
    >>> print(fiber_map(g).splitlines()[-1])
        s_a ---|"FB-1 1.2 km"| s_b
    """
    lines = ["flowchart LR"]
    for site in graph.sites.values():
        lines.append(f'    {_node_id(site.slug)}["{_text(site.name_ja)}<br/>{_text(site.name_romaji)}"]')
    for circuit in graph.circuits:
        far = f"far_{_identifier(circuit.cid)}"
        lines.append(f'    {far}(["{_text(circuit.far_end)}"])')
        lines.append(f'    {_node_id(circuit.site)} -.-|"{_text(circuit.cid)} {circuit.bandwidth_mbps} Mb/s"| {far}')
    for link in graph.links:
        if link.a_site == link.b_site:
            continue
        length = f" {link.length_km} km" if link.length_km else ""
        lines.append(f'    {_node_id(link.a_site)} ---|"{_text(link.label)}{length}"| {_node_id(link.b_site)}')
    return "\n".join(lines) + "\n"

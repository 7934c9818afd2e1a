"""The diagrams, as Graphviz graphs built from a ``PhysicalGraph``.

- ``physical``: a schematic: city hall in the middle, each ring a circle of its routers, spurs
  outwards; every device with a cable, framed by its site; every cable once (``id="cable-N"``), every
  circuit with its two terminations (``id="termination-N"``) and the far end.
- ``geographic``: sites at their coordinates (for planners), fiber spans between sites by ring.
- ``zones``: the zones (VRFs) and the devices that join two or more of them; approved gateways in
  blue, anything else in red (red means "not approved" and nothing else in any view).
- ``lgwan``: the LGWAN zone's devices, their cables and the LGWAN access line to the prefecture.
- ``site``: one site's devices, its cables and the neighbours they reach.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import graphviz

from muronet.display import visible_lines
from muronet.topology.graph import CircuitEdge, DeviceNode, Link, PhysicalGraph

FONT = "IPAGothic"  # Debian's fonts-ipafont-gothic: Japanese glyphs in SVG and PNG
LGWAN_ZONE = "LGWAN"
RING_COLORS = {"west": "#1565c0", "central": "#2e7d32", "east": "#ef6c00", "north": "#6a1b9a"}
SPUR_COLOR = "#616161"  # a span on no ring (a spur to one facility)
CIRCUIT_COLOR = "#6d4c41"  # a provider's circuit, dashed: no ring's colour
ZONE_COLORS = {"MYNUMBER": "#4a148c", "LGWAN": "#e65100", "INTERNET": "#0d47a1", "REGIONAL": "#1b5e20"}
NOT_APPROVED = "#c62828"  # the one red of every view
APPROVED = "#1565c0"
KM_PER_DEGREE = 111.32  # of latitude (and of longitude times the cosine of the latitude)

NAMED_IN_GROUP = 3  # members a group's box names; the rest are counted
# a single point of failure (its loss cuts a site beyond its own): drawn doubled and thick, no new colour
SPOF_PENWIDTH = "5"


class Markup(str):
    """A label muronet itself writes as Graphviz's HTML-like markup (the legend); nothing else is."""


def _text(value: object) -> object:
    """Names and labels come from the inventory or from NetBox, which anyone with write access
    fills: they are text, never DOT escapes (``\\``) or HTML-like labels (``<…>``), and their
    control and bidirectional characters show as escapes."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return graphviz.escape(visible_lines(value))
    return value


def _node_id(name: str) -> str:
    """A node's DOT id: Graphviz reads ``a:b`` in an edge as node ``a``, port ``b``, so a name's
    colons (from NetBox: anyone may write one) become the look-alike ratio sign in the id.

    >>> _node_id("sw:1")
    'sw∶1'
    """
    return name.replace(":", "\u2236")


class _Graph(graphviz.Graph):
    """A Graphviz graph whose every name, label and attribute is escaped as text."""

    def node(self, name: str, label: str | None = None, _attributes: Any = None, **attrs: Any) -> None:
        if label is None and ":" in name:
            label = name  # the name, shown as it is; its node id has no port separator (``_node_id``)
        super().node(_text(_node_id(name)), _text(label), _attributes=_attributes,
                     **{k: _text(v) for k, v in attrs.items()})

    def edge(self, tail_name: str, head_name: str, label: str | None = None, _attributes: Any = None,
             **attrs: Any) -> None:
        super().edge(_text(_node_id(tail_name)), _text(_node_id(head_name)), _text(label), _attributes=_attributes,
                     **{k: _text(v) for k, v in attrs.items()})

    def attr(self, kw: str | None = None, _attributes: Any = None, **attrs: Any) -> None:
        super().attr(kw, _attributes=_attributes, **{k: _text(v) for k, v in attrs.items()})


def _graph(name: str, engine: str = "dot", **attrs: str) -> graphviz.Graph:
    graph = _Graph(name, engine=engine)
    graph.attr(fontname=FONT, fontsize="12", **attrs)
    graph.attr("node", fontname=FONT, fontsize="10")
    graph.attr("edge", fontname=FONT, fontsize="8")
    return graph


def _link_label(link: Link) -> str:
    length = f"\n{link.length_km:g} km" if link.length_km else ""
    return f"{link.label}{length}"


def _ring_color(ring: str | None) -> str:
    return RING_COLORS.get(ring or "", SPUR_COLOR)


def _legend(view: graphviz.Graph, rows: list[tuple[str, str, str]], pos: str | None = None) -> None:
    """A legend node: (colour, swatch, meaning) per row. The one HTML-like label muronet writes: its
    text is muronet's own, each piece escaped anyway."""
    cells = "".join(f'<TR><TD><FONT COLOR="{color}">{graphviz.escape(swatch)}</FONT></TD>'
                    f'<TD ALIGN="LEFT">{graphviz.escape(meaning)}</TD></TR>' for color, swatch, meaning in rows)
    view.node("legend", Markup(f'<<TABLE BORDER="0" CELLBORDER="0"><TR><TD COLSPAN="2"><B>凡例 legend</B></TD>'
                               f"</TR>{cells}</TABLE>>"), shape="box", color="#9e9e9e", id="legend",
              **({"pos": pos} if pos else {}))


def _cable_rows(graph: PhysicalGraph) -> list[tuple[str, str, str]]:
    rings = sorted({link.ring for link in graph.links if link.ring in RING_COLORS})
    rows = [(RING_COLORS[ring], "━━", f"fiber ring {ring}") for ring in rings]
    if any(link.ring not in RING_COLORS for link in graph.links):
        rows.append((SPUR_COLOR, "━━", "spur (no ring) / patch"))
    return [*rows, (CIRCUIT_COLOR, "┅┅", "provider circuit")]


def _circuit(graph: graphviz.Graph, circuit: CircuitEdge, device_node: str,
             at: tuple[float, float] | None = None) -> None:
    """Device —cable— A termination —circuit— Z termination (the far end); ``at``: where the A end
    is pinned (the Z end under it), for a view whose every position is given."""
    a_id, z_id = ((*circuit.terminations, "", ""))[:2]
    a_node, z_node = f"term-{circuit.cid}-A", f"term-{circuit.cid}-Z"
    a_pos = {"pos": f"{at[0]:.2f},{at[1]:.2f}!"} if at else {}
    z_pos = {"pos": f"{at[0]:.2f},{at[1] - 1.0:.2f}!"} if at else {}
    graph.node(a_node, f"{circuit.cid}\nA end: {circuit.device}", shape="cds", style="filled", fillcolor="#efebe9",
               id=f"termination-{a_id}" if a_id else a_node, **a_pos)
    graph.node(z_node, f"{circuit.far_end}\nZ end ({circuit.provider})", shape="doubleoctagon", style="filled",
               fillcolor="#d7ccc8", id=f"termination-{z_id}" if z_id else z_node, **z_pos)
    # the A end's box names the circuit: a label on this short edge would only crowd the site's names
    graph.edge(device_node, a_node, id=f"cable-{circuit.cable}" if circuit.cable else f"cable-{circuit.cid}",
               tooltip=f"{circuit.device} — {circuit.cid} A end")
    graph.edge(a_node, z_node, id=f"circuit-{circuit.cid}", style="dashed", penwidth="2", color=CIRCUIT_COLOR,
               **{"xlabel" if at else "label": f"{circuit.provider}\n{circuit.bandwidth_mbps} Mb/s"})


def _cabled(graph: PhysicalGraph) -> set[str]:
    return {d for link in graph.links for d in (link.a_device, link.b_device)} | {c.device for c in graph.circuits}


# The schematic: city hall in the middle, each ring a circle of its routers beside it (the span
# from city hall out, round the circle, and back), each spur outwards from its ring router.
RING_DIRECTION = {"west": 180.0, "central": 270.0, "east": 0.0, "north": 90.0}  # degrees, where each ring lies
HALL_COLUMNS, HALL_DX, HALL_DY = 4, 1.8, 0.9  # city hall's devices in a grid (inches)
RING_SPACING = 3.2  # inches between two routers along their ring
SPUR_LENGTH = 2.0  # inches from a ring router out to the facility hanging off it
CIRCUIT_DX, CIRCUIT_DY = 5.2, 2.4  # inches between two circuits' columns, rows (a far end's name is long)
BOX_WIDTH, BOX_HEIGHT = 3.4, 1.0  # inches a facility's frame takes, about: closer than both is a collision


def _schematic(graph: PhysicalGraph, cabled: set[str]) -> dict[str, tuple[float, float]]:
    """Pinned positions (inches) for the physical view: rings a planner can follow round."""
    hall = {d for s in graph.sites.values() if s.kind == "city_hall" for d in s.devices if d in cabled}
    at = {name: ((n % HALL_COLUMNS - (HALL_COLUMNS - 1) / 2) * HALL_DX, -(n // HALL_COLUMNS) * HALL_DY)
          for n, name in enumerate(sorted(hall))}
    rows = (len(hall) + HALL_COLUMNS - 1) // HALL_COLUMNS
    reach = max(HALL_COLUMNS * HALL_DX, rows * HALL_DY) / 2 + 1.5  # city hall's half size, and a margin
    rings = sorted({link.ring for link in graph.links if link.ring})
    centres: dict[str, tuple[float, float]] = {}
    for n, ring in enumerate(rings):
        members = _ring_order(graph, ring, hall)
        radius = max(2.5, (len(members) + 1) * RING_SPACING / (2 * math.pi))
        direction = math.radians(RING_DIRECTION.get(ring, 360.0 * n / len(rings)))
        centre = ((reach + radius) * math.cos(direction), (reach + radius) * math.sin(direction))
        centres[ring] = centre
        step = 2 * math.pi / (len(members) + 1)
        for i, name in enumerate(members):  # round from beside city hall, the gap facing it
            angle = direction + math.pi + step * (i + 1)
            at.setdefault(name, (centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)))
    on_ring = {d for link in graph.links if link.ring for d in (link.a_device, link.b_device)}
    for link in graph.links:  # spurs: away from city hall, turned aside from anything already there
        for near, far in ((link.a_device, link.b_device), (link.b_device, link.a_device)):
            if link.ring is None and near in on_ring and near in at and far not in at and far in cabled:
                at[far] = _free_spot(at, at[near])
    low = min((y for _, y in at.values()), default=0.0) - 4.5
    for n, name in enumerate(sorted(cabled - set(at))):  # on no ring, no spur, not at city hall: a row below
        at[name] = (n * RING_SPACING, low)
    return at


def _free_spot(at: dict[str, tuple[float, float]], near: tuple[float, float]) -> tuple[float, float]:
    """A spot ``SPUR_LENGTH`` from ``near``, as straight away from city hall as no other box allows."""
    away = math.atan2(near[1], near[0])
    spots = [(near[0] + SPUR_LENGTH * math.cos(away + turn), near[1] + SPUR_LENGTH * math.sin(away + turn))
             for turn in (0.0, 0.6, -0.6, 1.2, -1.2, 1.8, -1.8)]
    return next((s for s in spots if all(abs(s[0] - x) > BOX_WIDTH or abs(s[1] - y) > BOX_HEIGHT
                                         for x, y in at.values())), spots[0])


def _ring_order(graph: PhysicalGraph, ring: str, hall: set[str]) -> list[str]:
    """A ring's routers in the order its spans join them, from city hall's end round to its other."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for link in graph.links:
        if link.ring == ring:
            neighbours[link.a_device].append(link.b_device)
            neighbours[link.b_device].append(link.a_device)
    start = next((d for d in sorted(neighbours) if d in hall), min(neighbours, default=""))
    order: list[str] = []
    current, seen = start, {start}
    while True:
        following = [n for n in sorted(neighbours[current]) if n not in seen and n not in hall]
        if not following:
            return order
        current = following[0]
        seen.add(current)
        order.append(current)


def physical(graph: PhysicalGraph) -> graphviz.Graph:
    """Every cabled device by site, every cable and circuit exactly once, as a schematic: city hall
    in the middle, each ring a circle a planner can follow round, each spur outwards (neato, every
    position given: the same drawing every time)."""
    view = _graph("physical", engine="neato", label="物理構成図 Physical network (fiber, patch, circuits)",
                  labelloc="t", splines="line", overlap="true", outputorder="edgesfirst", forcelabels="false")
    cabled = _cabled(graph)
    at = _schematic(graph, cabled)
    for slug, (x, y, width, height) in _site_frames(graph, at).items():  # first: beneath their devices
        view.node(f"frame-{slug}", graph.sites[slug].name_ja, shape="box", style="rounded,filled",
                  fillcolor="#f5f5f5", color="#9e9e9e", labelloc="t", fontsize="12", fixedsize="true",
                  width=f"{width:.2f}", height=f"{height:.2f}", pos=f"{x:.2f},{y:.2f}!", id=f"site-{slug}",
                  **{"class": "cluster"})
    for device in sorted(at):
        spof = _single_point(graph, device)
        view.node(device, device, shape="box", style="rounded,filled", fillcolor="white", id=f"device-{device}",
                  width=f"{_device_width(device):.2f}", height=f"{DEVICE_HEIGHT}", fixedsize="true",
                  pos=f"{at[device][0]:.2f},{at[device][1]:.2f}!",
                  **({"peripheries": "2", "class": "spof"} if spof else {}))
    for link in graph.links:
        # a patch inside a site is named in its tooltip; a span's label sits beside its middle,
        # placed where no other label is (one that fits nowhere is left to the tooltip)
        between = link.a_site != link.b_site
        spof = _single_point(graph, link.label)
        view.edge(link.a_device, link.b_device, id=f"cable-{link.ident or link.label}",
                  **({"xlabel": _link_label(link)} if between else {}),
                  color=_ring_color(link.ring), penwidth=SPOF_PENWIDTH if spof else "2" if between else "1",
                  tooltip=f"{link.label}: {link.a_device}:{link.a_port} — {link.b_device}:{link.b_port}",
                  **({"class": "spof"} if spof else {}))
    left, top = min((x for x, _ in at.values()), default=0.0), max((y for _, y in at.values()), default=0.0)
    hall = {d for s in graph.sites.values() if s.kind == "city_hall" for d in s.devices if d in at}
    hall_corner = max((max(abs(at[d][0]), abs(at[d][1])) for d in hall), default=2.0) + 1.5
    for n, circuit in enumerate(graph.circuits):  # between the central and east rings, A end above Z end
        _circuit(view, circuit, circuit.device, (hall_corner + CIRCUIT_DX * (1 + n % 2),
                                                 -hall_corner - 2.0 - CIRCUIT_DY * (n // 2)))
    rows = _cable_rows(graph)
    if graph.failures:
        rows.append(("#212121", "▭▭ / ━━━", "二重枠・太線: 単一障害点 (its loss cuts another site)"))
    _legend(view, rows, f"{left - 1.0:.2f},{top + 1.5:.2f}!")
    return view


DEVICE_HEIGHT = 0.45  # inches
FRAME_MARGIN, FRAME_TITLE = 0.2, 0.35  # around a site's devices, and the band of its name (inches)


WIDE_FROM = 0x2E80  # CJK radicals onwards: characters a full em wide
POINTS_PER_INCH = 72


def _text_width(text: str, points: float) -> float:
    """Inches a label takes: a wide (CJK) character an em, any other about half of one.

    >>> round(_text_width("図書館 rt1", 12), 2)
    0.9
    """
    return sum(1.0 if ord(c) >= WIDE_FROM else 0.6 for c in text) * points / POINTS_PER_INCH


def _device_width(name: str) -> float:
    return _text_width(name, 10) + 0.3


def _site_frames(graph: PhysicalGraph, at: dict[str, tuple[float, float]]
                 ) -> dict[str, tuple[float, float, float, float]]:
    """Each site's frame (centre x, y, width, height) round its devices, with its name on top."""
    frames = {}
    for slug, site in graph.sites.items():
        members = [d for d in site.devices if d in at]
        if not members:
            continue
        x0 = min(at[d][0] - _device_width(d) / 2 for d in members) - FRAME_MARGIN
        x1 = max(at[d][0] + _device_width(d) / 2 for d in members) + FRAME_MARGIN
        y0 = min(at[d][1] for d in members) - DEVICE_HEIGHT / 2 - FRAME_MARGIN
        y1 = max(at[d][1] for d in members) + DEVICE_HEIGHT / 2 + FRAME_TITLE
        width = max(x1 - x0, _text_width(site.name_ja, 12) + 2 * FRAME_MARGIN)
        frames[slug] = ((x0 + x1) / 2, (y0 + y1) / 2, width, y1 - y0)
    return frames


def _single_point(graph: PhysicalGraph, element: str) -> bool:
    """Whether ``element``'s loss cuts a site beyond its own (a facility's own router cutting only
    itself is every single-homed facility: its panel says so, the drawing does not shout it)."""
    loss = graph.failures.get(element)
    return loss is not None and bool(loss.beyond)


def _projection(graph: PhysicalGraph, width_in: float = 18) -> tuple[dict[str, tuple[float, float]], float]:
    """Site positions in inches (neato's unit): longitude/latitude projected (equirectangular), scaled so
    the longer side is ``width_in``; and that scale, in inches per degree of latitude."""
    sites = [s for s in graph.sites.values() if s.latitude and s.longitude]
    if not sites:
        return {}, 1.0
    lat0 = sum(s.latitude for s in sites) / len(sites)
    xs = {s.slug: s.longitude * math.cos(math.radians(lat0)) for s in sites}
    ys = {s.slug: s.latitude for s in sites}
    span = max(max(xs.values()) - min(xs.values()), max(ys.values()) - min(ys.values())) or 1.0
    scale = width_in / span
    return {slug: ((xs[slug] - min(xs.values())) * scale, (ys[slug] - min(ys.values())) * scale) for slug in xs}, scale


def geographic(graph: PhysicalGraph) -> graphviz.Graph:
    """Sites where they are (north up), fiber spans coloured by ring, the circuits' far ends off the coast."""
    view = _graph("geographic", engine="neato", label="施設ネットワーク地図 Facility network map (sites at their "
                  "coordinates)", labelloc="t", outputorder="edgesfirst")
    positions, inches_per_degree = _projection(graph)
    for site in graph.sites.values():
        x, y = positions.get(site.slug, (0.0, 0.0))
        city_hall = site.kind == "city_hall"
        view.node(site.slug, "", xlabel=site.name_ja, shape="circle", width="0.3" if city_hall else "0.16",
                  style="filled", fillcolor="#0d47a1" if city_hall else "#37474f", pos=f"{x:.2f},{y:.2f}!",
                  id=f"site-{site.slug}", tooltip=f"{site.name_ja} ({site.name_romaji}): {', '.join(site.devices)}")
    seen: set[tuple[str, str]] = set()
    for link in graph.links:
        pair = (link.a_site, link.b_site)
        if link.a_site == link.b_site or pair in seen:
            continue
        seen.add(pair)
        view.edge(link.a_site, link.b_site, label=f"{link.length_km:g} km" if link.length_km else "",
                  color=_ring_color(link.ring), penwidth="2.5", id=f"span-{link.ident or link.label}")
    right = max((x for x, _ in positions.values()), default=0) + 2.5
    for n, circuit in enumerate(graph.circuits):
        far = f"far-{circuit.cid}"
        view.node(far, f"{circuit.far_end}\n{circuit.cid}", shape="box", style="filled,dashed", fillcolor="#efebe9",
                  pos=f"{right:.2f},{n * 1.6:.2f}!", id=far)
        view.edge(circuit.site, far, style="dashed", color=CIRCUIT_COLOR, penwidth="2",
                  label=f"{circuit.bandwidth_mbps} Mb/s", id=f"circuit-{circuit.cid}")
    _legend(view, [("#0d47a1", "●", "city hall"), ("#37474f", "●", "facility"), *_cable_rows(graph)],
            f"{right:.2f},-2.5!")
    if positions:
        _scale_and_north(view, positions, inches_per_degree, right)
    return view


def _scale_and_north(view: graphviz.Graph, positions: dict[str, tuple[float, float]], inches_per_degree: float,
                     right: float) -> None:
    """A scale bar of a round length under the map, and an arrow pointing north (the map is north up)."""
    km_per_inch = KM_PER_DEGREE / inches_per_degree
    length_km = next((km for km in (0.5, 1, 2, 5, 10, 20) if km / km_per_inch >= 1.0), 20)
    inches = length_km / km_per_inch
    for end, x in (("scale-a", 0.0), ("scale-b", inches)):
        view.node(end, "", shape="point", width="0.05", pos=f"{x:.2f},-1.0!", id=end)
    view.edge("scale-a", "scale-b", label=f"{length_km:g} km", penwidth="3", color="#212121", id="scale-bar",
              dir="both", arrowhead="tee", arrowtail="tee")
    top = max(y for _, y in positions.values())
    view.node("north", "N\n▲", shape="plaintext", fontsize="16", pos=f"{right:.2f},{top:.2f}!", id="north-arrow")


def zones(graph: PhysicalGraph) -> graphviz.Graph:
    """Zones and every device group that joins two or more of them (approved or not)."""
    view = _graph("zones", engine="dot", rankdir="LR", label="ゾーン構成 Zones and the only approved gateways between "
                  "them (red: not approved)", labelloc="t")
    for zone, label in graph.zones.items():
        view.node(f"zone-{zone}", f"{zone}\n{label}", shape="ellipse", style="filled,bold", id=f"zone-{zone}",
                  fillcolor="white", color=ZONE_COLORS.get(zone, "#616161"), penwidth="3")
    groups: dict[tuple[str, tuple[str, ...], bool], list[DeviceNode]] = defaultdict(list)
    for device in graph.devices.values():
        if len([z for z in device.zones if z in graph.zones]) > 1:  # a device between zones
            groups[(device.role, device.zones, device.gateway)].append(device)
    for (role, member_zones, approved), members in sorted(groups.items()):
        names = sorted(d.name for d in members)
        node = f"group-{role}-{'-'.join(member_zones)}-{approved}"
        shown = ", ".join(names[:NAMED_IN_GROUP]) + (
            f" … (+{len(names) - NAMED_IN_GROUP})" if len(names) > NAMED_IN_GROUP else "")
        view.node(node, f"{role.replace('_', ' ')} ×{len(names)}\n{shown}", shape="box", style="rounded,filled",
                  fillcolor="#e3f2fd" if approved else "#ffcdd2", color=APPROVED if approved else NOT_APPROVED,
                  id=node, tooltip=", ".join(names))
        for zone in member_zones:
            if zone in graph.zones:
                view.edge(node, f"zone-{zone}", color=ZONE_COLORS.get(zone, "#616161"),
                          style="solid" if approved else "dashed")
    _legend(view, [*((ZONE_COLORS.get(z, "#616161"), "◯", f"zone {z}") for z in graph.zones),
                   (APPROVED, "▭", "approved gateway (solid lines)"),
                   (NOT_APPROVED, "▭", "joins zones without approval (dashed lines)")])
    return view


def lgwan(graph: PhysicalGraph) -> graphviz.Graph:
    """The LGWAN zone: its devices, the cables between them and the access line to the prefecture."""
    view = _graph("lgwan", engine="dot", rankdir="LR", label="LGWAN接続構成 LGWAN zone and access line",
                  labelloc="t")
    members = {d.name for d in graph.devices.values() if LGWAN_ZONE in d.zones}
    circuits = [c for c in graph.circuits if c.kind == "lgwan_access"]
    members |= {c.device for c in circuits}
    touching = [link for link in graph.links if link.a_device in members or link.b_device in members]
    cabled = {end for link in touching for end in (link.a_device, link.b_device)} | {c.device for c in circuits}
    for name in sorted(members & cabled):
        device = graph.devices.get(name)
        view.node(name, f"{name}\n{device.role.replace('_', ' ') if device else ''}", shape="box",
                  style="rounded,filled", fillcolor="#fff3e0", id=f"device-{name}")
    with view.subgraph(name="cluster_hosts") as hosts:  # servers and relays: on the zone's LANs, not cabled
        hosts.attr(label="ゾーンのLAN上のホスト hosts on the zone's LANs (through the access switches)",
                   style="rounded,dashed", color="#9e9e9e", id="lgwan-hosts")
        for name in sorted(members - cabled):
            device = graph.devices.get(name)
            hosts.node(name, f"{name}\n{device.role.replace('_', ' ') if device else ''}", shape="box",
                       style="rounded,filled", fillcolor="#fff8e1", id=f"device-{name}")
    for link in touching:
        for end in (link.a_device, link.b_device):
            if end not in members:  # the neighbour outside the zone, so no member floats alone
                other = graph.devices.get(end)
                view.node(end, f"{end}\n{other.role.replace('_', ' ') if other else ''}", shape="box",
                          style="dashed", color="#9e9e9e", id=f"device-{end}")
        view.edge(link.a_device, link.b_device, label=f"{link.a_port} — {link.b_port}",
                  id=f"cable-{link.ident or link.label}",
                  style="solid" if link.a_device in members and link.b_device in members else "dashed")
    for circuit in circuits:
        _circuit(view, circuit, circuit.device)
    _legend(view, [("#e65100", "▭", "device in zone LGWAN"), ("#9e9e9e", "┄▭", "its neighbour in another zone"),
                   ("#212121", "━━", "cable (dashed: out of the zone)"), (CIRCUIT_COLOR, "┅┅", "LGWAN access line")])
    return view


def government_cloud(graph: PhysicalGraph) -> graphviz.Graph:
    """The Government Cloud line: its routers, the city-hall devices cabled to them, and each line
    (primary and secondary, from two routers) to the cloud's connection point: both paths drawn."""
    view = _graph("government-cloud", engine="dot", rankdir="LR", labelloc="t",
                  label="ガバメントクラウド接続構成 Government Cloud lines (MYNUMBER zone)")
    circuits = sorted((c for c in graph.circuits if c.kind == "government_cloud"), key=lambda c: c.cid)
    ends = {c.device for c in circuits}
    cables = [link for link in graph.links if link.a_device in ends or link.b_device in ends]
    for name in sorted(ends | {end for link in cables for end in (link.a_device, link.b_device)}):
        device = graph.devices.get(name)
        view.node(name, f"{name}\n{device.role.replace('_', ' ') if device else ''}", shape="box",
                  style="rounded,filled", fillcolor="#e3f2fd" if name in ends else "white", id=f"device-{name}")
    for link in cables:
        view.edge(link.a_device, link.b_device, label=f"{link.a_port} — {link.b_port}",
                  id=f"cable-{link.ident or link.label}")
    for circuit in circuits:
        _circuit(view, circuit, circuit.device)
    if not circuits:
        view.node("none", "ガバメントクラウド接続回線なし / no Government Cloud line in the inventory", shape="note")
    _legend(view, [("#1565c0", "▭", "Government Cloud router"), ("#212121", "━━", "cable"),
                   (CIRCUIT_COLOR, "┅┅", "Government Cloud line (one per router)")])
    return view


def site(graph: PhysicalGraph, slug: str) -> graphviz.Graph:
    """One site: its devices, every cable touching them, and the neighbours at the far ends."""
    where = graph.sites[slug]
    view = _graph(f"site-{slug}", engine="dot", rankdir="LR", labelloc="t",
                  label=f"{where.name_ja} ({where.name_romaji}) — {where.kind.replace('_', ' ')}")
    with view.subgraph(name=f"cluster_{slug}") as cluster:
        cluster.attr(label=where.name_ja, style="rounded,filled", fillcolor="#f5f5f5")
        for name in where.devices:
            device = graph.devices.get(name)
            cluster.node(name, f"{name}\n{device.role.replace('_', ' ') if device else ''}", shape="box",
                         style="rounded,filled", fillcolor="white")
    for link in graph.links:
        if slug not in (link.a_site, link.b_site):
            continue
        for end, end_site in ((link.a_device, link.a_site), (link.b_device, link.b_site)):
            if end_site != slug:
                other = graph.sites.get(end_site)
                view.node(end, f"{end}\n{other.name_ja if other else end_site}", shape="box", style="dashed",
                          color="#9e9e9e")
        view.edge(link.a_device, link.b_device, label=f"{link.a_port} — {link.b_port}\n{_link_label(link)}",
                  color=_ring_color(link.ring), id=f"cable-{link.ident or link.label}")
    for circuit in graph.circuits:
        if circuit.site == slug:
            _circuit(view, circuit, circuit.device)
    return view


VIEWS = {"physical": physical, "geographic": geographic, "zones": zones, "lgwan": lgwan,
         "government-cloud": government_cloud}

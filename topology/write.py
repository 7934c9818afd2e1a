"""Write the views in their formats: SVG and PNG (Graphviz), draw.io (Graphviz's layout as an mxGraph
file), Mermaid (the fiber map) and one offline HTML page (pan, zoom, search, click a site)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

import graphviz

from muronet.files import write_atomic
from topology import views
from topology.graph import PhysicalGraph
from topology.mermaid import fiber_map

FORMATS = ("svg", "png", "drawio", "mermaid", "html")
VENDOR = Path(__file__).resolve().parent / "vendor"


def write_all(graph: PhysicalGraph, folder: Path, formats: tuple[str, ...] = FORMATS,
              names: tuple[str, ...] = (*views.VIEWS, "sites")) -> list[Path]:
    """Every requested view in every requested format; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    svgs: dict[str, str] = {}
    for name in names:
        if name == "sites":
            (folder / "sites").mkdir(exist_ok=True)
            for slug in graph.sites:
                path = folder / "sites" / f"{slug}.svg"
                write_atomic(path, views.site(graph, slug).pipe(format="svg"))
                written.append(path)
            continue
        view = views.VIEWS[name](graph)
        if "svg" in formats or "html" in formats:
            svgs[name] = view.pipe(format="svg").decode()
        if "svg" in formats:
            written.append(_write(folder / f"{name}.svg", svgs[name]))
        if "png" in formats:
            path = folder / f"{name}.png"
            write_atomic(path, view.pipe(format="png"))
            written.append(path)
        if "drawio" in formats:
            written.append(_write(folder / f"{name}.drawio", drawio(view)))
    if "mermaid" in formats:
        written.append(_write(folder / "fiber.mmd", fiber_map(graph)))
    if "html" in formats:
        written.append(_write(folder / "index.html", page(graph, svgs)))
    return written


def _write(path: Path, text: str) -> Path:
    write_atomic(path, text)
    return path


def drawio(view: graphviz.Graph) -> str:
    """The view as a draw.io file, placed where Graphviz laid it out (clusters become containers)."""
    layout = json.loads(view.pipe(format="json"))
    height = float(layout["bb"].split(",")[3])
    cells = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>']
    for item in layout.get("objects", []):
        if "bb" in item:  # a cluster
            x0, y0, x1, y1 = map(float, item["bb"].split(","))
            cells.append(_vertex(f"c{item['_gvid']}", item.get("label", ""), x0, height - y1, x1 - x0, y1 - y0,
                                 "rounded=1;fillColor=#f5f5f5;strokeColor=#9e9e9e;verticalAlign=top;"))
    for item in layout.get("objects", []):
        if "pos" in item and "bb" not in item:
            x, y = map(float, item["pos"].split(","))
            w, h = float(item.get("width", 1)) * 72, float(item.get("height", 0.5)) * 72
            label = item.get("label", "") if item.get("label") not in ("\\N", "") else item.get("xlabel", item["name"])
            cells.append(_vertex(f"n{item['_gvid']}", label, x - w / 2, height - y - h / 2, w, h,
                                 f"rounded=1;whiteSpace=wrap;fillColor={item.get('fillcolor', '#ffffff')};"))
    for edge in layout.get("edges", []):
        style = "endArrow=none;" + ("dashed=1;" if edge.get("style") == "dashed" else "")
        style += f"strokeColor={edge.get('color', '#000000')};"
        cells.append(f'<mxCell id="e{edge["_gvid"]}" value={quoteattr(edge.get("label", ""))} style="{style}" '
                     f'edge="1" parent="1" source="n{edge["tail"]}" target="n{edge["head"]}">'
                     '<mxGeometry relative="1" as="geometry"/></mxCell>')
    body = "".join(cells)
    return (f'<mxfile host="muronet"><diagram name={quoteattr(view.name or "view")}><mxGraphModel><root>{body}'
            "</root></mxGraphModel></diagram></mxfile>\n")


def _vertex(ident: str, label: str, x: float, y: float, w: float, h: float, style: str) -> str:
    return (f'<mxCell id="{ident}" value={quoteattr(label.replace(chr(10), "<br>"))} style="{style}html=1;" '
            f'vertex="1" parent="1"><mxGeometry x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" '
            'as="geometry"/></mxCell>')


def _site_details(graph: PhysicalGraph) -> dict[str, dict[str, object]]:
    details: dict[str, dict[str, object]] = {}
    for slug, site in graph.sites.items():
        links = [f"{link.a_device}:{link.a_port} — {link.b_device}:{link.b_port} {link.label} "
                 f"{'' if link.length_km is None else f'{link.length_km:g} km'}".strip()
                 for link in graph.links if slug in (link.a_site, link.b_site)]
        links += [f"{c.device} ⇢ {c.cid} ({c.bandwidth_mbps} Mb/s) ⇢ {c.far_end}" for c in graph.circuits
                  if c.site == slug]
        details[slug] = {"name_ja": site.name_ja, "name_romaji": site.name_romaji, "kind": site.kind,
                         "devices": [f"{d} ({graph.devices[d].role})" if d in graph.devices else d
                                     for d in site.devices], "links": links}
    return details


_XML_DECLARATION = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def page(graph: PhysicalGraph, svgs: dict[str, str]) -> str:
    """One self-contained HTML page: no network access, the pan/zoom script inlined."""
    tabs = "".join(f'<button data-view="{name}">{name}</button>' for name in svgs)
    panes = "".join(f'<div class="pane" id="pane-{name}">{_XML_DECLARATION.sub("", svg)}</div>'
                    for name, svg in svgs.items())
    script = (VENDOR / "svg-pan-zoom.min.js").read_text(encoding="utf-8")
    # inside <script>: no "<" at all, so neither "</script>" nor "<!--" can end or bend it
    data = json.dumps(_site_details(graph), ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.format(source=html.escape(graph.source), tabs=tabs, panes=panes, script=script, data=data)


_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>室蘭市 ネットワーク構成図 Muroran network topology</title>
<style>
body {{ margin: 0; font-family: "IPAGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; }}
header {{ display: flex; gap: .5em; align-items: center; padding: .4em; background: #263238; color: white; }}
header button {{ padding: .3em .8em; }} header input {{ flex: 0 0 18em; padding: .3em; }}
main {{ display: flex; height: calc(100vh - 2.6em); }}
.pane {{ display: none; flex: 1; }} .pane.active {{ display: block; }} .pane svg {{ width: 100%; height: 100%; }}
aside {{ width: 24em; overflow: auto; padding: .6em; border-left: 1px solid #ccc; font-size: 90%; }}
.hit ellipse, .hit polygon, .hit path {{ stroke: #ffab00 !important; stroke-width: 6px !important; }}
</style></head><body>
<header><strong>室蘭市 ネットワーク構成図</strong> <small>(source: {source})</small> {tabs}
<input id="search" placeholder="search a site or device (日本語 / romaji)"></header>
<main>{panes}<aside id="details"><p>Click a site for its devices and links; type to search.</p></aside></main>
<script>{script}</script>
<script>
const SITES = {data};
const zoomers = {{}};
function show(view) {{
  document.querySelectorAll('.pane').forEach(p => p.classList.toggle('active', p.id === 'pane-' + view));
  if (!zoomers[view]) {{
    zoomers[view] = svgPanZoom('#pane-' + view + ' svg', {{controlIconsEnabled: true, fit: true, center: true}});
  }}
}}
function detail(slug) {{
  const s = SITES[slug]; if (!s) return;
  const esc = t => t.replace(/[&<>]/g, c => ({{'&': '&amp;', '<': '&lt;', '>': '&gt;'}})[c]);
  document.getElementById('details').innerHTML = '<h3>' + esc(s.name_ja) + '</h3><p>' + esc(s.name_romaji) +
    ' — ' + esc(s.kind) + '</p><h4>devices</h4><ul>' + s.devices.map(d => '<li>' + esc(d) + '</li>').join('') +
    '</ul><h4>links</h4><ul>' + s.links.map(l => '<li>' + esc(l) + '</li>').join('') + '</ul>';
}}
document.querySelectorAll('header button').forEach(b => b.onclick = () => show(b.dataset.view));
document.querySelectorAll('[id^="site-"]').forEach(g => {{
  g.style.cursor = 'pointer'; g.addEventListener('click', () => detail(g.id.slice(5)));
}});
document.getElementById('search').addEventListener('input', e => {{
  const q = e.target.value.trim().toLowerCase();
  const hits = Object.entries(SITES).filter(([slug, s]) => q && (slug + ' ' + s.name_ja + ' ' + s.name_romaji +
    ' ' + s.devices.join(' ')).toLowerCase().includes(q)).map(([slug]) => slug);
  document.querySelectorAll('[id^="site-"]').forEach(g => g.classList.toggle('hit', hits.includes(g.id.slice(5))));
  if (hits.length === 1) detail(hits[0]);
}});
show(document.querySelector('header button').dataset.view);
</script></body></html>
"""

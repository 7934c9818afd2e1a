"""Write the views in their formats: SVG and PNG (Graphviz), draw.io (Graphviz's layout as an mxGraph
file), Mermaid (the fiber map) and one offline HTML page (pan, zoom, search, click a site or device)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from pathlib import Path
from xml.sax.saxutils import quoteattr

import graphviz

from muronet.display import json_text, visible
from muronet.files import write_atomic
from muronet.topology import views
from muronet.topology.graph import Link, PhysicalGraph
from muronet.topology.mermaid import fiber_map

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
                write_atomic(path, views.site(graph, slug).pipe(format="svg", quiet=True))
                written.append(path)
            continue
        view = views.VIEWS[name](graph)
        if "svg" in formats or "html" in formats:
            svgs[name] = view.pipe(format="svg", quiet=True).decode()
        if "svg" in formats:
            written.append(_write(folder / f"{name}.svg", svgs[name]))
        if "png" in formats:
            path = folder / f"{name}.png"
            write_atomic(path, view.pipe(format="png", quiet=True))
            written.append(path)
        if "drawio" in formats:
            written.append(_write(folder / f"{name}.drawio", drawio(view)))
    if "mermaid" in formats:
        written.append(_write(folder / "fiber.mmd", fiber_map(graph)))
    if "html" in formats:
        written.append(_write(folder / "index.html", page(graph, svgs, diagrams="sites" in names)))
    return written


def _write(path: Path, text: str) -> Path:
    write_atomic(path, text)
    return path


def drawio(view: graphviz.Graph) -> str:
    """The view as a draw.io file, placed where Graphviz laid it out (clusters become containers)."""
    layout = json.loads(view.pipe(format="json", quiet=True))
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
        label = edge.get("label") or edge.get("xlabel", "")  # a span's name sits beside it (xlabel)
        cells.append(f'<mxCell id="e{edge["_gvid"]}" value={quoteattr(visible(label))} style="{style}" '
                     f'edge="1" parent="1" source="n{edge["tail"]}" target="n{edge["head"]}">'
                     '<mxGeometry relative="1" as="geometry"/></mxCell>')
    body = "".join(cells)
    return (f'<mxfile host="muronet"><diagram name={quoteattr(visible(view.name or "view"))}><mxGraphModel><root>{body}'
            "</root></mxGraphModel></diagram></mxfile>\n")


def _vertex(ident: str, label: str, x: float, y: float, w: float, h: float, style: str) -> str:
    """A box whose label draw.io reads as HTML (``html=1``, for its line breaks): the label's own
    text is escaped for HTML first, then the whole for the XML attribute, so a name is shown as
    written and never becomes an element of the diagram."""
    shown = "<br>".join(html.escape(visible(line)) for line in label.split("\n"))
    return (f'<mxCell id="{ident}" value={quoteattr(shown)} style="{style}html=1;" '
            f'vertex="1" parent="1"><mxGeometry x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" '
            'as="geometry"/></mxCell>')


def _link_text(link: Link) -> str:
    length = "" if link.length_km is None else f" {link.length_km:g} km"
    return f"{link.a_device}:{link.a_port} — {link.b_device}:{link.b_port} {link.label}{length}"


def _site_details(graph: PhysicalGraph, diagrams: bool) -> dict[str, dict[str, object]]:
    details: dict[str, dict[str, object]] = {}
    for slug, site in graph.sites.items():
        links = [_link_text(link) for link in graph.links if slug in (link.a_site, link.b_site)]
        links += [f"{c.device} ⇢ {c.cid} ({c.bandwidth_mbps} Mb/s) ⇢ {c.far_end}" for c in graph.circuits
                  if c.site == slug]
        details[slug] = {"name_ja": site.name_ja, "name_romaji": site.name_romaji, "kind": site.kind,
                         "devices": list(site.devices), "links": links,
                         "diagram": f"sites/{slug}.svg" if diagrams else ""}
    return details


def _device_details(graph: PhysicalGraph) -> dict[str, dict[str, object]]:
    return {name: {"site": device.site, "role": device.role, "zones": list(device.zones), "gateway": device.gateway,
                   "links": [_link_text(link) for link in graph.links if name in (link.a_device, link.b_device)]
                   + [f"{c.cid} ({c.provider}, {c.bandwidth_mbps} Mb/s) ⇢ {c.far_end}" for c in graph.circuits
                      if c.device == name]}
            for name, device in graph.devices.items()}


def _script_data(value: object) -> str:
    # inside <script>: no "<" at all, so neither "</script>" nor "<!--" can end or bend it
    return json_text(value, indent=None).replace("<", "\\u003c")


_XML_DECLARATION = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_TABS = {"physical": "物理 physical", "geographic": "地図 map", "zones": "ゾーン zones", "lgwan": "LGWAN",
         "government-cloud": "ガバメントクラウド Government Cloud"}


def page(graph: PhysicalGraph, svgs: dict[str, str], diagrams: bool = True) -> str:
    """One self-contained HTML page: no network access, the pan/zoom script inlined. ``diagrams``:
    the per-site diagrams are written beside it (``sites/<slug>.svg``), and the panel links them."""
    tabs = "".join(f'<button data-view="{name}" aria-pressed="false">{_TABS.get(name, name)}</button>'
                   for name in svgs)
    panes = "".join(f'<div class="pane" id="pane-{name}">{_XML_DECLARATION.sub("", svg)}</div>'
                    for name, svg in svgs.items())
    script = (VENDOR / "svg-pan-zoom.min.js").read_text(encoding="utf-8")
    cables = {link.ident or link.label: {"label": link.label, "text": _link_text(link)} for link in graph.links}
    return _PAGE.format(source=html.escape(visible(graph.source)), tabs=tabs, panes=panes, script=script,
                        sites=_script_data(_site_details(graph, diagrams)),
                        devices=_script_data(_device_details(graph)), zones=_script_data(graph.zones),
                        kana=_script_data(_KANA), cables=_script_data(cables),
                        failures=_script_data({k: asdict(v) for k, v in graph.failures.items()}),
                        failures_known=_script_data(bool(graph.failures)))


# Hiragana to Hepburn romaji, for a search typed in kana over the romaji names (katakana is folded
# into hiragana first; a small っ doubles the next consonant, ー is dropped).
_HIRAGANA = ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
             "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉゃゅょ")
_ROMAJI = ("a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu me mo "
           "ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po "
           "a i u e o ya yu yo")
_KANA = dict(zip(_HIRAGANA, _ROMAJI.split(), strict=True))

_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>室蘭市 ネットワーク構成図 Muroran network topology</title>
<style>
body {{ margin: 0; font-family: "IPAGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; }}
header {{ display: flex; gap: .5em; align-items: center; padding: .4em; background: #263238; color: white; }}
header button {{ padding: .3em .8em; }} header button[aria-pressed="true"] {{ background: #ffd54f; font-weight: bold; }}
header input {{ flex: 0 0 20em; padding: .3em; }}
button:focus-visible, input:focus-visible, a:focus-visible {{ outline: 3px solid #ffab00; outline-offset: 1px; }}
main {{ display: flex; height: calc(100vh - 2.6em); }}
.pane {{ display: none; flex: 1; }} .pane.active {{ display: block; }} .pane svg {{ width: 100%; height: 100%; }}
aside {{ width: 25em; overflow: auto; padding: .6em; border-left: 1px solid #ccc; font-size: 90%; }}
aside button.pick {{ display: block; width: 100%; text-align: left; margin: .15em 0; padding: .3em; cursor: pointer; }}
.hit > ellipse, .hit > polygon, .hit > path, .hit > a > ellipse, .hit > a > polygon, .hit > a > path
  {{ stroke: #ffab00 !important; stroke-width: 6px !important; }}
.pane g.node, .pane g.cluster, .pane g.edge[id^="cable-"] {{ cursor: pointer; }}
.pane g[tabindex]:focus-visible {{ outline: 3px solid #ffab00; }}
.notfound {{ color: #8b0d0d; font-weight: bold; }}
.legend {{ position: absolute; left: .5em; bottom: .5em; background: rgba(255, 255, 255, .94); border: 1px solid #999;
  padding: .2em; }} .legend summary {{ cursor: pointer; font-size: 85%; }} .legend svg {{ display: block; }}
.pane {{ position: relative; }} .pane g#legend {{ display: none; }}
</style></head><body>
<header><strong>室蘭市 ネットワーク構成図</strong> <small>(source: {source})</small> {tabs}
<input id="search" type="search" aria-label="search" placeholder="検索: 施設・機器 (漢字/かな/romaji/slug)"></header>
<main>{panes}<aside id="details" aria-live="polite"><p>施設・機器をクリック、または検索 /
Click a site or a device, or search (kanji, kana, romaji, slug, device name).</p></aside></main>
<script>{script}</script>
<script>
const SITES = {sites};
const DEVICES = {devices};
const ZONES = {zones};
const KANA = {kana};
const CABLES = {cables};
const FAILURES = {failures};  // element → what its single failure cuts (muronet analyze --n-1)
const FAILURES_KNOWN = {failures_known};
const zoomers = {{}};
let current = null;

function romaji(text) {{
  // kana (katakana folded into hiragana) to romaji; anything else stays as it is
  const hira = text.replace(/[\\u30a1-\\u30f6]/g, c => String.fromCharCode(c.charCodeAt(0) - 0x60));
  let out = "", double = false;
  for (let i = 0; i < hira.length; i++) {{
    const c = hira[i], next = hira[i + 1];
    if (c === "っ") {{ double = true; continue; }}
    if (c === "ー") continue;
    let r = KANA[c];
    if (r === undefined) {{ out += c; double = false; continue; }}
    if ("ゃゅょ".includes(next) && r.endsWith("i")) {{
      const y = KANA[next];
      r = (/^(shi|chi|ji)$/.test(r) ? r.slice(0, -1) + y.slice(1) : r.slice(0, -1) + y); i++;
    }}
    if (double) {{ r = (r.startsWith("ch") ? "t" : r[0]) + r; double = false; }}
    out += r;
  }}
  return out;
}}
const fold = text => romaji(text.normalize("NFKC").toLowerCase())
  .replace(/[^a-z0-9\\u3040-\\u30ff\\u3400-\\u9fff]/g, "");

function el(tag, text, attrs) {{
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  Object.entries(attrs || {{}}).forEach(([k, v]) => node.setAttribute(k, v));
  return node;
}}
function panel(title, sub, sections, link) {{
  const box = document.getElementById("details");
  box.replaceChildren(el("h3", title));
  if (sub) box.append(el("p", sub));
  if (link) {{
    const p = el("p");
    p.append(el("a", "この施設の構成図 / site diagram", {{href: link, target: "_blank", id: "site-diagram"}}));
    box.append(p);
  }}
  sections.forEach(([heading, items, onpick]) => {{
    if (!items.length) return;
    box.append(el("h4", heading));
    const list = el("ul");
    items.forEach(item => {{
      const li = el("li");
      if (onpick) {{
        const b = el("button", item, {{type: "button", class: "pick"}});
        b.onclick = () => onpick(item);
        li.append(b);
      }} else li.textContent = item;
      list.append(li);
    }});
    box.append(list);
  }});
}}
function lossOf(element) {{
  // what the element's single failure cuts, as a panel section (nothing when the analysis did not run)
  if (!FAILURES_KNOWN) return [];
  const f = FAILURES[element];
  if (!f) return [["故障したら / if it fails", ["何も失われない: 他の経路が残る / nothing is cut"]]];
  return [["故障したら通信を失う施設 / if it fails, these sites lose a flow (" + f.lost + " flows, " +
           f.zones.join(", ") + ")", f.sites, slug => pick("site", slug)]];
}}
function whatIf(slug) {{
  // the single failures that cut this site: its what-if list
  if (!FAILURES_KNOWN) return [];
  const found = Object.keys(FAILURES).filter(e => FAILURES[e].sites.includes(slug)).sort();
  return [["もしも / what if: この施設を切り離す単一障害 (" + found.length + ")", found.length ? found :
           ["なし: どの単一障害でも切れない / none: no single failure cuts it"],
           element => DEVICES[element] ? pick("device", element) : showCable(element)]];
}}
function showSite(slug) {{
  const s = SITES[slug]; if (!s) return;
  panel(s.name_ja, s.name_romaji + " — " + s.kind + " (" + slug + ")",
        [["機器 devices", s.devices, name => pick("device", name)], ["回線 links", s.links], ...whatIf(slug)],
        s.diagram);
}}
function showDevice(name) {{
  const d = DEVICES[name]; if (!d) return;
  const site = SITES[d.site];
  panel(name, d.role.replace(/_/g, " ") + " — " + (site ? site.name_ja + " (" + d.site + ")" : d.site) +
        (d.zones.length ? " — zones " + d.zones.join(", ") : "") + (d.gateway ? " — approved gateway" : ""),
        [...lossOf(name), ["回線 links", d.links], ["施設 site", site ? [d.site] : [], slug => pick("site", slug)]]);
}}
function showCable(key) {{
  const c = CABLES[key] || Object.values(CABLES).find(c => c.label === key); if (!c) return;
  panel("ケーブル " + c.label, c.text, lossOf(c.label));
}}
function showZone(zone) {{
  const members = Object.keys(DEVICES).filter(n => DEVICES[n].zones.includes(zone)).sort();
  panel("ゾーン " + zone, ZONES[zone] || "", [["機器 devices", members, name => pick("device", name)]]);
}}
function showNames(title, names) {{
  panel(title, "", [["機器 devices", names, name => pick("device", name)]]);
}}
function clicked(g) {{
  const id = g.id || "";
  if (id.startsWith("site-")) return showSite(id.slice(5));
  if (id.startsWith("device-")) return showDevice(id.slice(7));
  if (id.startsWith("zone-")) return showZone(id.slice(5));
  if (id.startsWith("cable-")) return showCable(id.slice(6));
  const tip = g.querySelector("a");
  const names = (tip && (tip.getAttribute("xlink:title") || tip.getAttribute("title")) || "").split(", ")
    .filter(n => n in DEVICES);
  if (names.length) return showNames(g.querySelector("text") ? g.querySelector("text").textContent : id, names);
  if (SITES[id]) return showSite(id);
  const title = g.querySelector("title");
  if (title && DEVICES[title.textContent]) return showDevice(title.textContent);
}}

function relabel(view) {{
  // labels keep a readable size on screen: a one-line label of a site (a site frame's title, a map
  // point's name) at least 12 px; other labels appear once they would be 7 px, at their own size
  // (their lines are placed by the layout: growing them would stack them on each other)
  const zoom = zoomers[view].getSizes().realZoom;
  document.querySelectorAll("#pane-" + view + " svg text").forEach(t => {{
    if (t.closest("#legend, .legend")) return;
    if (!t.dataset.base) t.dataset.base = parseFloat(t.getAttribute("font-size")) || 10;
    const base = +t.dataset.base, g = t.closest("g.cluster, g.node, g.edge");
    const site = g && g.id.startsWith("site-") && g.querySelectorAll("text").length === 1;
    if (site) {{ t.setAttribute("font-size", Math.max(base, 12 / zoom)); t.style.display = ""; return; }}
    t.style.display = base * zoom >= 7 ? "" : "none";
  }});
}}
function legend(view) {{
  // the view's legend at its own size in a corner, whatever the zoom (the drawn one stays in the SVG files)
  const drawn = document.querySelector("#pane-" + view + " g#legend");
  if (!drawn) return;
  drawn.style.display = "inline";
  const box = drawn.getBBox();
  drawn.style.display = "";
  const ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", [box.x, box.y, box.width, box.height].join(" "));
  svg.setAttribute("width", box.width);
  svg.setAttribute("height", box.height);
  const copy = drawn.cloneNode(true);
  copy.removeAttribute("id");
  copy.style.display = "inline";
  svg.append(copy);
  const holder = el("details", undefined, {{class: "legend", id: "legend-" + view, open: ""}});
  holder.append(el("summary", "凡例 legend"), svg);  // closed with a click when it covers the map
  document.getElementById("pane-" + view).append(holder);
}}
function show(view) {{
  current = view;
  document.querySelectorAll(".pane").forEach(p => p.classList.toggle("active", p.id === "pane-" + view));
  document.querySelectorAll("header button").forEach(b => b.setAttribute("aria-pressed", b.dataset.view === view));
  if (!zoomers[view]) {{
    zoomers[view] = svgPanZoom("#pane-" + view + " svg", {{controlIconsEnabled: true, fit: true, center: true,
      maxZoom: 40, onZoom: () => relabel(view)}});
    document.querySelectorAll("#pane-" + view + " g.node, #pane-" + view + " g.cluster, #pane-" + view +
                              " g.edge[id^='cable-']").forEach(g => {{
      g.addEventListener("click", event => {{ event.stopPropagation(); clicked(g); }});
      if (!/^(site|device|zone|group|cable)-/.test(g.id)) return;
      // the keyboard reaches every site, device, zone and group: Tab to it, Enter or Space opens it
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", g.querySelector("title") ? g.querySelector("title").textContent : g.id);
      g.addEventListener("keydown", event => {{
        if (event.key === "Enter" || event.key === " ") {{ event.preventDefault(); clicked(g); }}
      }});
    }});
    legend(view);
    if (view === "physical") openReadable(view);
  }}
  relabel(view);
  highlight();
}}
function openReadable(view) {{
  // the whole city fitted on a screen makes every name unreadable: the drawing opens at its own
  // size around city hall, where every box shows its name; the whole is a zoom out (or RESET) away
  const pz = zoomers[view], hall = document.querySelector("#pane-" + view + " [id='site-city-hall']");
  if (!hall || pz.getSizes().realZoom >= 1) return;
  pz.zoom(pz.getZoom() / pz.getSizes().realZoom);
  const svg = document.querySelector("#pane-" + view + " svg").getBoundingClientRect();
  const box = hall.getBoundingClientRect();
  // up and right of the middle: the legend keeps the lower left corner
  pz.panBy({{x: svg.left + svg.width * 0.62 - box.left - box.width / 2,
            y: svg.top + svg.height * 0.33 - box.top - box.height / 2}});
}}

let hits = [];
function elementFor(kind, key) {{
  // the drawn element of a site or device in the current view, else the site it is at, else a group naming it
  const pane = document.getElementById("pane-" + current);
  const own = pane.querySelector("[id='" + kind + "-" + CSS.escape(key) + "']");
  if (own) return own;
  if (kind === "device" && DEVICES[key]) {{
    const site = pane.querySelector("[id='site-" + CSS.escape(DEVICES[key].site) + "']");
    if (site) return site;
    return Array.from(pane.querySelectorAll("g.node")).find(g => {{
      const a = g.querySelector("a"); return a && (a.getAttribute("xlink:title") || "").split(", ").includes(key);
    }}) || null;
  }}
  return null;
}}
function highlight() {{
  document.querySelectorAll(".hit").forEach(g => g.classList.remove("hit"));
  if (!current) return;
  hits.forEach(([kind, key]) => {{ const g = elementFor(kind, key); if (g) g.classList.add("hit"); }});
}}
function zoomTo(g) {{
  // zoom about the element's centre, then pan it to the middle (both on the pan-zoom state: the
  // drawing itself follows on the next frame)
  const pz = zoomers[current], svg = document.querySelector("#pane-" + current + " svg").getBoundingClientRect();
  const box = g.getBoundingClientRect();
  const at = {{x: box.left + box.width / 2 - svg.left, y: box.top + box.height / 2 - svg.top}};
  const want = Math.min(svg.width / Math.max(box.width, 1), svg.height / Math.max(box.height, 1)) / 4;
  pz.zoomAtPointBy(Math.max(1, Math.min(want, 40 / pz.getZoom())), at);
  pz.panBy({{x: svg.width / 2 - at.x, y: svg.height / 2 - at.y}});
}}
function pick(kind, key) {{
  hits = [[kind, key]];
  highlight();
  const g = elementFor(kind, key);
  if (g) zoomTo(g);
  if (kind === "site") showSite(key); else showDevice(key);
}}
function search(query) {{
  const q = fold(query.trim());
  if (!q) {{ hits = []; highlight(); return; }}
  const found = [];
  Object.entries(SITES).forEach(([slug, s]) => {{
    if ([slug, s.name_ja, s.name_romaji].some(v => fold(v).includes(q))) found.push(["site", slug]);
  }});
  Object.keys(DEVICES).forEach(name => {{ if (fold(name).includes(q)) found.push(["device", name]); }});
  hits = found;
  highlight();
  if (!found.length) {{
    const box = document.getElementById("details");
    box.replaceChildren(el("p", "見つかりません / not found: " + query, {{class: "notfound", id: "notfound"}}));
    return;
  }}
  if (found.length === 1) return pick(...found[0]);
  const label = ([kind, key]) => kind === "site" ? "施設 " + SITES[key].name_ja + " (" + SITES[key].name_romaji + ")"
    : "機器 " + key + " (" + (SITES[DEVICES[key].site] || {{name_ja: DEVICES[key].site}}).name_ja + ")";
  const byLabel = new Map(found.map(hit => [label(hit), hit]));
  panel(found.length + " 件 hits for “" + query + "”", "", [["一致 hits", Array.from(byLabel.keys()),
        text => pick(...byLabel.get(text))]]);
}}
document.querySelectorAll("header button").forEach(b => b.onclick = () => show(b.dataset.view));
document.getElementById("search").addEventListener("input", e => search(e.target.value));
show(document.querySelector("header button").dataset.view);
</script></body></html>
"""

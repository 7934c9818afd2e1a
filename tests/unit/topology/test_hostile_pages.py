"""Every HTML page muronet writes escapes what it shows: hostile device names, file names,
configuration text and names from NetBox stay text (the audit report, the nightly report's parts,
the topology page), and Graphviz never reads them as DOT escapes or HTML-like labels."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from support import REPO
from typer.testing import CliRunner

from muronet.cli import app
from muronet.render.engine import Renderer
from muronet.topology.graph import CircuitEdge, DeviceNode, Link, PhysicalGraph, SiteNode
from muronet.topology.write import write_all

PAYLOAD = "<script>alert(2)</script>"
IMG = '"><img src=x onerror=alert(3)>'


class _Elements(HTMLParser):
    """Every element a browser would build, and the text of every script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _elements(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


def _no_injected_markup(page: str, own_scripts: int) -> None:
    parsed = _elements(page)
    assert not [t for t in parsed.tags if t[0] == "img"], "an <img> element came from the data"
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")], "an event handler attribute"
    assert len([t for t in parsed.tags if t[0] == "script"]) == own_scripts
    assert not any("alert(" in s for s in parsed.scripts if "const SITES" not in s)


def test_the_audit_report_shows_hostile_text_as_text(tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / f"{IMG}.cfg").write_text("hostname x\nline vty\n exec-timeout 0 0\n transport input telnet "
                                       f"{PAYLOAD}\nexit\n", encoding="utf-8")
    (folder / "ch-acc-1f.cfg").write_text(f"version 17.9\nhostname ch-acc-1f\nline vty 0 15\n transport input telnet "
                                          f"{PAYLOAD}\n!\nend\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["audit", "--from", str(folder), "--platform", "frr", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    _no_injected_markup(page, own_scripts=1)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the finding's line, shown as written
    assert "&#34;&gt;&lt;img src=x onerror=alert(3)&gt;" in page  # the file name, shown as written
    summary = MarkdownIt("commonmark").render((out / "summary.md").read_text(encoding="utf-8"))
    _no_injected_markup(summary, own_scripts=0)  # the Markdown summary, rendered as a CI page renders it
    assert "&gt;&lt;img src=x onerror=alert(3)&gt;" in summary  # the file name, as written


def _hostile_graph() -> PhysicalGraph:
    names = [f"sw{PAYLOAD}", f"<b>{IMG}</b>", "trailing\\", "dot\"quote"]
    sites = {f"s{n}": SiteNode(f"s{n}", f"図書館{IMG}", f"<{PAYLOAD}>", "library", 42.31 + n / 100, 140.97,
                               (names[n],)) for n in range(len(names))}
    devices = {name: DeviceNode(name, f"s{n}", "facility_edge", ("LGWAN", "REGIONAL"), False)
               for n, name in enumerate(names)}
    links = [Link(names[0], "eth1", names[1], f"eth2{PAYLOAD}", "s0", "s1", "smf", 1.5, "west", f"L-{IMG}", "1"),
             Link(names[2], "eth1", names[3], "eth1\\", "s2", "s3", "smf", 2.0, None, "<x>", "2")]
    circuits = [CircuitEdge(f"LG{PAYLOAD}", f"<{IMG}>", "lgwan_access", 100, "s0", names[0], f"far{PAYLOAD}")]
    return PhysicalGraph(sites, links, circuits, devices, {"LGWAN": f"LGWAN{PAYLOAD}", "REGIONAL": "<i>r</i>"},
                         f"netbox {PAYLOAD}")


def test_the_topology_page_and_diagrams_show_hostile_names_from_netbox_as_text(tmp_path):
    written = write_all(_hostile_graph(), tmp_path, ("svg", "html", "drawio"))
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    _no_injected_markup(page, own_scripts=2)
    data = re.search(r"const SITES = (.*);\n", page).group(1)
    assert "<" not in data and json.loads(data)["s0"]["name_ja"] == f"図書館{IMG}"  # intact, as data
    for svg in (p for p in written if p.suffix == ".svg"):
        text = svg.read_text(encoding="utf-8")
        assert PAYLOAD not in text and "<img" not in text, svg.name
    physical = (tmp_path / "physical.svg").read_text(encoding="utf-8")
    assert "sw&lt;script&gt;alert(2)&lt;/script&gt;" in physical  # drawn as the name it is
    assert "trailing\\" in physical  # a backslash is a character, not an escape


def test_rendered_reports_of_the_city_still_escape_nothing_they_should_not(reference):
    """The legend is the one HTML-like label muronet writes itself; it still draws as a table."""
    from muronet.topology.from_inventory import physical_graph
    from muronet.topology.views import geographic

    svg = geographic(physical_graph(reference)).pipe(format="svg").decode()
    assert "provider circuit" in svg and "ring west" in svg
    assert Renderer(reference, REPO / "templates")  # the city itself renders unchanged (see test_render)


def test_the_review_comment_shows_hostile_configuration_text_as_text(tmp_path):
    """A merge-request comment is Markdown rendered with HTML: a configuration line holding a fence,
    an image and a tag must stay text inside the review's code block and prose."""
    before, after = tmp_path / "before", tmp_path / "after"
    hostile = f"```\nalias exec x ` ![t](http://evil.example/t.png) {IMG} [go](http://evil.example/)"
    for folder, line in ((before, "!"), (after, hostile)):
        folder.mkdir()
        (folder / "ch-acc-1f.cfg").write_text(f"version 17.9\nhostname ch-acc-1f\n{line}\n!\nend\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["review", "--before", str(before), "--after", str(after), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    comment = (out / "review.md").read_text(encoding="utf-8")
    assert "evil.example" in comment  # the hostile line is in the comment...
    page = MarkdownIt("commonmark").render(comment)
    _no_injected_markup(page, own_scripts=0)  # ...and no element of it reaches the page
    assert not [t for t in _elements(page).tags if t[0] == "a"], "a link came from the data"
    assert "![t](http://evil.example/t.png)" in page  # shown as written, inside code

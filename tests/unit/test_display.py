"""What the reviewer sees cannot be forged by the input: hostile strings from file names (device
names), configuration lines and topology names go through every output format (the terminal, JSON,
review.md, SARIF, JUnit, the audit's HTML and Markdown, SVG, draw.io, the topology page, Mermaid), and
every result parses as its format and shows each hostile character as an escape, never as itself.
"""

from __future__ import annotations

import json
import os
import re
import string
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from support import REPO
from typer.testing import CliRunner

from muronet.cli import app
from muronet.display import HIDDEN, visible
from muronet.topology.graph import CircuitEdge, DeviceNode, Link, PhysicalGraph, SiteNode
from muronet.topology.mermaid import fiber_map
from muronet.topology.write import write_all

# What an attacker puts in a name or a line: terminal escapes (clear the screen, set the title, move
# the cursor), a carriage return that overwrites the line, bidirectional overrides and isolates,
# zero-width characters, markup of every format muronet writes, and an undecodable byte.
HOSTILE_PIECES = ["\x1b[2J", "\x1b]0;owned\x07", "\x1b[1A\x1b[2K", "\r", "\x9b31m", "\x00", "\x7f", "\x08",
                  "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028", "\U000e0041", "<script>alert(1)</script>",
                  '"><img src=x onerror=alert(2)>', "]]>", "<!--", "&amp;", "`", "```", "[x](http://e.example)",
                  "|", "#", "*", "\\", "{{", "%", "\udcff", "室蘭", "\u3000", "--"]
hostile = st.lists(st.sampled_from(HOSTILE_PIECES) | st.text(string.ascii_letters + "-_.", max_size=4),
                   min_size=1, max_size=6).map("".join)
_ALLOWED_CONTROLS = {"\n", "\t"}


def _shows_nothing_hidden(text: str, where: str) -> None:
    """No control, escape, bidirectional or separator character of the data reaches ``text`` raw."""
    raw = {c for c in HIDDEN.findall(text) if c not in _ALLOWED_CONTROLS}
    assert not raw, f"{where}: hidden characters shown raw: {sorted(map(repr, raw))}"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def _tags(page: str) -> list[str]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags


def _file_name(name: str) -> str:
    """A name as a file system takes it (no "/", no NUL); undecodable bytes stay as surrogates."""
    return name.replace("/", "_").replace("\x00", "_")[:100] or "x"


def _write_config(folder: Path, name: str, text: str) -> None:
    path = os.path.join(os.fsencode(folder), os.fsencode(_file_name(name) + ".cfg"))
    with open(path, "wb") as file:
        file.write(text.encode("utf-8", "surrogateescape"))


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _line(text: str) -> str:
    return text.replace("\n", " ").replace("\udcff", "?")  # a configuration is UTF-8: no undecodable byte


@SETTINGS
@given(name=hostile, line=hostile)
def test_the_audit_shows_hostile_names_and_lines_as_text_in_every_format(tmp_path_factory, name, line):
    folder, out = tmp_path_factory.mktemp("configs"), tmp_path_factory.mktemp("out")
    _write_config(folder, name, f"hostname x\nline vty\n exec-timeout 0 0\n transport input telnet {_line(line)}\n"
                  f" description {_line(line)}\nexit\n")
    result = CliRunner().invoke(app, ["audit", "--from", str(folder), "--platform", "frr", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    _shows_nothing_hidden(result.output, "terminal")
    for report in ("findings.json", "junit.xml", "summary.md", "report.html"):
        _shows_nothing_hidden((out / report).read_text(encoding="utf-8"), report)
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert findings["devices"] == [_file_name(name)]  # the data itself, unchanged, as JSON
    junit = ElementTree.parse(out / "junit.xml").getroot()
    assert [suite.get("name") for suite in junit] == [visible(_file_name(name))]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert _tags(page).count("script") == 1 and "img" not in _tags(page)
    summary = MarkdownIt("commonmark").render((out / "summary.md").read_text(encoding="utf-8"))
    assert not {"script", "img", "a"} & set(_tags(summary))


@SETTINGS
@given(name=hostile, line=hostile)
def test_the_review_shows_hostile_names_and_lines_as_text_in_every_format(tmp_path_factory, name, line):
    before, after, out = (tmp_path_factory.mktemp(n) for n in ("before", "after", "out"))
    base = "hostname x\nline vty\n transport input ssh\nexit\n"
    _write_config(before, name, base)
    _write_config(after, name, base.replace("ssh", f"telnet {_line(line)}") + f"ip route 0.0.0.0/0 {_line(line)}\n")
    result = CliRunner().invoke(app, ["review", "--before", str(before), "--after", str(after), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    _shows_nothing_hidden(result.output, "terminal")
    for report in ("review.json", "review.sarif", "review.md"):
        _shows_nothing_hidden((out / report).read_text(encoding="utf-8"), report)
    doc = json.loads((out / "review.json").read_text(encoding="utf-8"))
    assert [d["device"] for d in doc["devices"]] == [_file_name(name)]
    sarif = json.loads((out / "review.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    page = MarkdownIt("commonmark").render((out / "review.md").read_text(encoding="utf-8"))
    assert not {"script", "img", "a"} & set(_tags(page))
    headings = [h for h in (out / "review.md").read_text(encoding="utf-8").splitlines() if h.startswith("#")]
    ours = ("## Security review: ", "### Why", "### Across devices", "### Routes that", "### 🛑 ")
    assert all(h.startswith(ours) for h in headings), headings  # no heading came from the data
    assert sum(h.startswith("### 🛑 ") for h in headings) == 1  # the one device, named in its own heading
    json_result = CliRunner().invoke(app, ["review", "--before", str(before), "--after", str(after), "--out",
                                           str(out), "--json"], catch_exceptions=False)
    _shows_nothing_hidden(json_result.stdout, "--json")
    assert json.loads(json_result.stdout) == doc


def _graph(name: str) -> PhysicalGraph:
    sites = {"a": SiteNode("a", f"図書館{name}", name, "library", 42.31, 140.97, (f"r1{name}",)),
             "b": SiteNode("b", name, f"B{name}", "school", 42.32, 140.98, ("r2",))}
    devices = {f"r1{name}": DeviceNode(f"r1{name}", "a", "facility_edge", ("REGIONAL",), False),
               "r2": DeviceNode("r2", "b", "facility_edge", ("REGIONAL",), False)}
    links = [Link(f"r1{name}", f"eth1{name}", "r2", "eth1", "a", "b", "smf", 1.5, "west", f"FB{name}", "1")]
    circuits = [CircuitEdge(f"LG{name}", name, "lgwan_access", 100, "a", f"r1{name}", f"far{name}")]
    return PhysicalGraph(sites, links, circuits, devices, {"REGIONAL": name}, f"netbox {name}")


@SETTINGS
@given(name=hostile)
def test_the_topology_shows_hostile_names_as_text_in_every_format(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("topology")
    name = name.replace("\udcff", "?")  # NetBox and YAML hold text: no undecodable byte
    written = write_all(_graph(name), folder, ("svg", "drawio", "html", "mermaid"), names=("physical", "zones"))
    for path in written:
        text = path.read_text(encoding="utf-8")
        _shows_nothing_hidden(text, path.name)
        if path.suffix in (".svg", ".drawio"):
            root = ElementTree.fromstring(text.encode())  # well-formed XML
            if path.suffix == ".drawio":  # draw.io reads each label as HTML: it must hold no element
                labels = [cell.get("value", "") for cell in root.iter("mxCell") if "html=1" in cell.get("style", "")]
                assert labels
                assert not [t for label in labels for t in _tags(label) if t != "br"], labels
        if path.suffix == ".html":
            assert _tags(text).count("script") == 2 and "img" not in _tags(text)
    mermaid = fiber_map(_graph(name))
    for line in mermaid.splitlines()[1:]:  # each node and edge holds its label inside one pair of quotes
        assert line.count('"') == 2, line
        assert not re.search(r"<(?!br/>)", line), line


def test_the_hidden_characters_are_every_control_format_and_separator_character_of_this_python():
    import sys
    import unicodedata

    shown = {chr(c) for c in range(sys.maxunicode + 1)
             if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp", "Cs")}
    matched = {chr(c) for c in range(sys.maxunicode + 1) if HIDDEN.match(chr(c))}
    assert matched == shown


def test_validation_messages_show_hostile_values_as_text(inventory_copy, cli):
    city = inventory_copy / "city.yaml"
    city.write_text(city.read_text(encoding="utf-8") + '\n"bad\\e[2J\\u202e\\r": 1\n', encoding="utf-8")
    result = cli("validate", "--inventory", str(inventory_copy))
    assert result.exit_code == 1
    _shows_nothing_hidden(result.output, "validate")
    assert "bad\\x1b[2J" in result.output


def test_the_review_of_a_repository_change_shows_a_hostile_description_as_text(tmp_path, cli):
    import shutil
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(REPO / "inventory", repo / "inventory")
    shutil.copytree(REPO / "templates", repo / "templates")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "b"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    path = repo / "inventory" / "facilities" / "library.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('description: "光ファイバー to ch-agg1"', 'description: "to \\u202egnp.exe"'),
                    encoding="utf-8")
    result = cli("review", "--inventory", str(repo / "inventory"), "--git", "HEAD..", "--out", str(tmp_path / "o"))
    _shows_nothing_hidden(result.output, "review")
    _shows_nothing_hidden((tmp_path / "o" / "review.md").read_text(encoding="utf-8"), "review.md")

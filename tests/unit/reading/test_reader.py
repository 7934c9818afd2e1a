"""Configurations read as the devices read them (``muronet.reading``): the matcher's rules (FRR's
own, and IOS's stricter abbreviation rule), every configuration muronet writes and every public one
in tests/data read without a line left over, and FRR itself, in a scratch FRR, reading a corpus of
abbreviated, re-cased, unindented and refused lines exactly as the reader does."""

from __future__ import annotations

import pytest
from support import DATA, REPO

from muronet.platforms import get_platform
from muronet.reading import read
from muronet.reading.grammar import grammar
from muronet.reading.spec import AMBIGUOUS, Match, match, parse
from muronet.render.engine import Renderer


def _words(first, text: str, ios: bool = False):
    found = match(first, text.split(), case_folded=ios, exact_first=ios)
    return found if not isinstance(found, Match) else [t.text for t in found.tokens]


def test_abbreviations_typed_values_and_precedence_follow_frrs_matcher():
    first = [*parse("neighbor <A.B.C.D|WORD> password LINE", 0), *parse("neighbor <A.B.C.D|WORD> passive", 1),
             *parse("network A.B.C.D/M", 2)]
    assert _words(first, "nei 10.0.0.1 passw x") == ["neighbor", "A.B.C.D", "password", "LINE"]
    assert _words(first, "nei 10.0.0.1 pa x") == ["neighbor", "A.B.C.D", "password", "LINE"]  # passive ends there
    assert _words(first, "nei PEER passi") == ["neighbor", "WORD", "passive"]
    assert _words(first, "ne 10.0.0.0/8") == ["network", "A.B.C.D/M"]  # neighbor would want a word more
    assert _words(first, "network 10.0.0.0/33") is None  # a typed value takes only a valid value
    assert _words(first, "Neighbor 10.0.0.1 passive") is None  # FRR's keywords are lower case


def test_ios_takes_any_case_and_refuses_an_abbreviation_of_two_keywords():
    first = [*parse("transport input <ssh|telnet|all>", 0), *parse("terminal-type WORD", 1),
             *parse("ip route A.B.C.D", 2), *parse("ipv6 route WORD", 3), *parse("ip routing", 4)]
    assert _words(first, "TRANSP INP Telnet", ios=True) == ["transport", "input", "telnet"]
    assert _words(first, "t i telnet", ios=True) == AMBIGUOUS
    assert _words(first, "ip route 10.0.0.1", ios=True) == ["ip", "route", "A.B.C.D"]  # ip is ip, never ipv6
    assert _words(first, "ip rout 10.0.0.1", ios=True) == AMBIGUOUS  # route or routing


def test_every_configuration_muronet_renders_reads_as_written(reference):
    renderer = Renderer(reference, REPO / "templates")
    for platform in ("frr", "cisco_ios"):
        for device in reference.devices:
            if not (REPO / "templates" / platform / f"{device.role}.j2").exists():
                continue  # no FRR access switch
            text = renderer.render(device.model_copy(update={"platform": platform}))
            reading = get_platform(platform).read(text)
            assert reading.unread == [], (device.name, platform, reading.unread[:3])
            assert reading.canonical == [line.rstrip() for line in text.splitlines()], (device.name, platform)


@pytest.mark.parametrize("path", [*sorted((DATA / "batfish_example").glob("*.cfg")),
                                  DATA / "napalm_ios" / "csr1_show_startup_config.txt",
                                  DATA / "ios_recorded" / "show_running_config.txt"], ids=lambda p: p.name)
def test_public_ios_configurations_read_without_a_line_left_over(path):
    reading = read(path.read_text(encoding="utf-8"), "cisco_ios")
    assert reading.unread == []
    assert not any(" " * 4 in line.lstrip() for line in reading.canonical)


@pytest.mark.parametrize("path", sorted((DATA / "frr_corpus").glob("*.conf")), ids=lambda p: p.name)
def test_frr_corpus_reads_whole_hidden_commands_included(path):
    reading = read(path.read_text(encoding="utf-8"), "frr")
    # `passive-interface IF` under `router ospf` is one of FRR's hidden commands (vtysh does not list
    # it): the grammar has them from FRR's source (scripts/frr-hidden-commands.py)
    assert reading.unread == []


def test_frr_s_hidden_commands_are_read_in_their_node():
    """Old spellings FRR 8.4 still takes but never lists: the reader keeps them, and every line after
    them, in the node FRR reads them in (a grammar without them would read the rest at the top level)."""
    text = ("router ospf\n router-id 7.7.7.7\n redistribute connected\n!\nrouter bgp 65000\n"
            " neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 route-map IN in\n"
            " redistribute static route-map STATICS\n maximum-paths 4\n network 10.0.0.0/8\n")
    reading = read(text, "frr")
    assert reading.unread == []
    assert reading.nodes[1:3] == ["router-ospf"] * 2 and reading.nodes[5:10] == ["router-bgp"] * 5
    assert reading.effective[2] == " redistribute connected"


def test_nodes_follow_the_device_not_the_indentation():
    reading = read("interface eth1\nip ospf cost 5\nrouter ospf\nip ospf cost 5\nexit\nline vty\n"
                   "access-class X\n", "frr")
    assert reading.canonical == ["interface eth1", " ip ospf cost 5", "router ospf", " ip ospf cost 5", "exit",
                                 "line vty", " access-class X"]
    assert [u.text for u in reading.unread] == ["ip ospf cost 5"]  # not an ospfd command, nor the top level's
    assert reading.nodes[3] == "router-ospf"


def test_a_negation_takes_back_what_its_section_said_before():
    text = ("line vty 0 4\n access-class VTY in\n transport input ssh\n!\ninterface Tunnel1\n ip address 1.1.1.1 "
            "255.255.255.0\n!\nline vty 0 4\n no access-class VTY in\nno interface Tunnel1\n")
    effective = read(text, "cisco_ios").effective
    assert effective[1] == " !" and effective[2] == " transport input ssh"  # the same section, opened twice
    assert effective[4:6] == ["!", " !"]  # a section taken back whole
    assert effective[8:] == [" no access-class VTY in", "no interface Tunnel1"]


def _seconds(text: str, name: str) -> float:
    import time

    grammar(name).lines.clear()
    grammar(name)._read.cache_clear()
    started = time.perf_counter()
    read(text, name)
    return time.perf_counter() - started


@pytest.mark.parametrize("name", ["frr", "cisco_ios"])
def test_reading_time_grows_linearly_with_the_text(name):
    """No line, however long or hostile, costs more than its words (FRR's 256-word cap, one pass per
    word): twice the text takes about twice the time, and a megabyte of hostile lines (repeated
    keywords, a secret keyword, no valid command) or a single line of 400,000 words reads in seconds."""
    def hostile_lines(count: int) -> str:
        return "".join(f"{'  ' * (n % 9)}{'ip ' * 30}ospf message-digest-key 1 md5 {'x' * 200}{n}\n"
                       for n in range(count))

    one, two = _seconds(hostile_lines(2500), name), _seconds(hostile_lines(5000), name)
    assert two < 3 * one + 0.5, (one, two)
    assert two < 20  # 1 MB
    long_line = "neighbor " + " ".join(["a" * 40] * 100_000) + "\n"  # 4 MB
    assert _seconds(long_line, name) < 5


# --- FRR itself as the judge: a scratch FRR reads each of these as the reader says -----------------



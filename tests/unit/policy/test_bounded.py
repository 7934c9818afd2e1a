"""Bounded time on any input: the masking and every reader of a configuration (the grammar's reader,
the policy checks, the structures, the analysis) take time linear in what they read, whatever it
holds, proven on hostile text with a time bound; filter line reachability finds exactly what the
line-by-line search finds, without trying every earlier line (bench/acl_bench.py for the speed)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muronet.analysis.filters import covers, unreachable_lines
from muronet.masking import mask
from muronet.platforms import get_platform
from muronet.policy.acl import parse_entry as parse
from muronet.policy.context import DeviceAudit, Settings, line_index
from muronet.policy.engine import UNPARSEABLE, evaluate

# ACL entries from a small world, so that lines often cover one another
_HOSTS = st.sampled_from(["any", "host 10.0.0.1", "host 10.0.1.1", "10.0.0.0 0.0.0.255", "10.0.0.0 0.0.255.255",
                          "10.0.1.0 0.0.0.255", "10.0.0.0 0.255.255.255"])
_PORTS = st.sampled_from(["", " eq 22", " eq 80", " range 20 90", " lt 1024", " gt 1023", " neq 22"])
_ENTRY = st.builds(lambda action, protocol, source, sport, destination, dport, extra:
                   f"{action} {protocol} {source}{sport if protocol in ('tcp', 'udp') else ''} {destination}"
                   f"{dport if protocol in ('tcp', 'udp') else ''}{extra}",
                   st.sampled_from(["permit", "deny"]), st.sampled_from(["ip", "tcp", "udp", "icmp"]), _HOSTS, _PORTS,
                   _HOSTS, _PORTS, st.sampled_from(["", " log", " established"]))


def _first_covering_line_by_line(lines: list[str]) -> list[tuple[int, int]]:
    """The plain definition: each line, and the first earlier line that covers it."""
    found, seen = [], []
    for n, text in enumerate(lines):
        entry = parse(text)
        if entry is None:
            continue
        shadow = next((m for m, e in seen if covers(e, entry)), None)
        if shadow is not None:
            found.append((n, shadow))
        seen.append((n, entry))
    return found


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(_ENTRY, min_size=1, max_size=60))
def test_filter_line_reachability_finds_exactly_the_first_covering_line(entries, reference_index):
    lines = [f" {10 * (n + 1)} {entry}" for n, entry in enumerate(entries)]
    text = "ip access-list extended F\n" + "\n".join(lines) + "\n"
    audit = DeviceAudit.of("r", "cisco_ios", get_platform("cisco_ios").parse(text), line_index(text),
                           Settings.from_inventory(reference_index), None)
    expected = [(n + 2, lines[m].strip()) for n, m in _first_covering_line_by_line(lines)]
    found = [(f.line, f.message.split("never reached: '")[1].split("' before")[0]) for f in unreachable_lines(audit)]
    assert found == expected


# Hostile configuration text: secret keywords and their abbreviations in every case, keywords
# repeated, long words, runs of blanks and carriage returns, unindented and over-indented lines
_WORDS = st.sampled_from(["password", "PASS", "key", "KEY-STR", "secret", "community", "comm", "snmp-server",
                          "neighbor", "nei", "ip", "route", "vrf", "no", "line", "vty", "0", "7", "md5", "a" * 300,
                          "10.0.0.1", "255.255.255.0", "access-list", "permit", "any", "interface", "router", "bgp",
                          "ospf", "transport", "input", "telnet", "!", "^C", "banner", "motd", "{", "}", "|"])
_LINE = st.builds(lambda indent, words, end: " " * indent + " ".join(words) + end, st.integers(0, 12),
                  st.lists(_WORDS, min_size=1, max_size=40), st.sampled_from(["", "\r", "  ", "\t"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(_LINE, min_size=1, max_size=50))
def test_masking_and_every_reader_take_time_linear_in_hostile_text(lines, reference_index):
    """The same hostile lines, once and repeated 40 times: each reader's time grows at most in
    proportion (with a margin for noise), and 40 times the text stays within seconds."""
    once = "\n".join(lines) + "\n"
    for platform in ("frr", "cisco_ios"):
        small = _seconds(once, platform, reference_index)
        large = _seconds(once * 40, platform, reference_index)
        assert large < 40 * small * 3 + 1.5, (platform, small, large)


def _seconds(text: str, platform: str, index) -> float:
    from muronet.reading.grammar import grammar

    grammar(platform).lines.clear()
    grammar(platform)._read.cache_clear()
    started = time.perf_counter()
    masked = mask(text, b"k", platform)
    driver = get_platform(platform)
    reading = driver.read(masked)
    try:
        tree = driver.parse(reading.text())
    except UNPARSEABLE:  # a clean refusal (a banner never closed): the audit reports it as the device's error
        return time.perf_counter() - started
    audit = DeviceAudit.of("r", platform, tree, line_index(masked), Settings.from_inventory(index), None)
    evaluate(audit)
    unreachable_lines(audit)
    return time.perf_counter() - started

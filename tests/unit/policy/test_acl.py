"""One model of an ACL entry (muronet.policy.acl) for the policy's checks, the review and the
analysis: every form IOS and FRR write, ``any`` as 0.0.0.0/0, and a port match it cannot compare
read as such rather than dropping the line (a check must still see a permit it cannot compare)."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from muronet.policy.acl import ALL_PORTS, ANY, parse_entry


@pytest.mark.parametrize(("text", "action", "protocol", "source", "destination", "extended"), [
    ("10 permit tcp host 10.0.0.1 any eq 22", "permit", "tcp", "10.0.0.1/32", ANY, True),
    ("access-list VTY seq 5 permit 10.99.0.0/24", "permit", "ip", "10.99.0.0/24", ANY, False),
    ("access-list 10 permit 10.99.0.0 0.0.0.255", "permit", "ip", "10.99.0.0/24", ANY, False),
    ("50 deny ip any any log", "deny", "ip", ANY, ANY, True),
    ("permit ipv4 0.0.0.0 255.255.255.255 host 10.1.1.1", "permit", "ip", ANY, "10.1.1.1/32", True),
])
def test_every_form_reads_as_one_entry(text: str, action: str, protocol: str, source: object,
                                       destination: object, extended: bool) -> None:
    entry = parse_entry(text)
    assert entry is not None
    assert (entry.action, entry.protocol, entry.source, entry.destination, entry.extended) == (
        action, protocol, IPv4Network(source), IPv4Network(destination), extended)


def test_a_port_match_it_cannot_compare_keeps_the_line() -> None:
    named = parse_entry("20 permit tcp 192.0.2.0 0.0.0.255 any eq whois")
    other = parse_entry("30 permit tcp any neq 22 any")
    assert named is not None and named.destination_ports is None and named.source == IPv4Network("192.0.2.0/24")
    assert other is not None and other.source_ports is None and other.destination_ports == ALL_PORTS


def test_remarks_and_unreadable_lines_are_no_entry() -> None:
    assert parse_entry("10 remark the LGWAN line") is None
    assert parse_entry("permit tcp host") is None

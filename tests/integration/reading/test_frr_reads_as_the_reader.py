"""FRR itself, in a scratch FRR (root), reading a corpus of abbreviated, re-cased, unindented and
refused lines exactly as the reader (``muronet.reading``) does."""

from __future__ import annotations

from muronet.reading import read

FRR_CORPUS = """\
interface eth1
 desc to the library
 ip ospf auth message-digest
 ip ospf message-d 1 md5 k3y-one
 ip ospf cost 20
int eth2
ip ospf area 0
 ip ospf dead-int 4
router bgp 65021
 nei 10.0.0.1 remote-as 65000
 nei 10.0.0.1 pass s3cret-two
 neighbor 10.0.0.2 remote-as 65001
 neighbor 10.0.0.2 pa s3cret-three
 address-family ipv4 unicast
  nei 10.0.0.1 route-m RM-IN in
  nei 10.0.0.1 prefix-l PL-IN in
 exit-address-family
exit
router bgp 65021 vrf LGWAN
 address-family ipv4
  imp vrf INTERNET
router bgp 65021 vrf INTERNET
 address-family ipv4
  rt vpn both 65021:2
  imp vpn
  exp vpn
ip ro 10.30.0.0/16 10.30.255.3 nexthop-v INTERNET
line vty
 access-cl VTY-MGMT
 exec-t 5
ip pref PL-IN seq 5 perm 10.0.0.0/8 le 24
access-list VTY-MGMT seq 5 perm 10.99.0.0/24
route-map RM-IN permit 10
 match ip address prefix-l PL-IN
 set local-pref 200
Interface eth3
 transport input telnet
router bgp 65021
 neighbor 10.0.0.1 a
 neighbor 10.0.0.1 routemap RM-IN in
"""


def test_frr_itself_reads_every_line_as_the_reader_does():
    """Needs root (a scratch FRR is a namespace and a path space of its own): CI runs as root."""
    from napalm_frr import scratch

    reading = read(FRR_CORPUS, "frr")
    try:
        rendering = scratch.render(FRR_CORPUS)
    finally:
        scratch.shutdown()
    # what FRR's parser refuses (not what a daemon refuses of a line it read: a VPN export next to
    # an import, "Please unconfigure import vrf commands")
    refused = {error.line for error in rendering.errors
               if error.message.startswith(("% Unknown command", "% Ambiguous command", "% Command incomplete"))}
    assert refused == {u.line for u in reading.unread}, (rendering.errors, reading.unread)
    shown = [line.strip() for line in rendering.text.splitlines()]
    taken = [line.strip() for number, line in enumerate(reading.canonical, start=1)
             if number not in {e.line for e in rendering.errors} and line.strip()
             and not line.strip().startswith(("exit", "!"))]
    # FRR writes some defaults out (`exec-timeout 5 0`, `address-family ipv4 unicast`)
    missing = [line for line in taken if not any(s == line or s.startswith(line + " ") for s in shown)]
    assert taken and missing == [], rendering.text
    assert "neighbor 10.0.0.2 password s3cret-three" in shown  # `pa`: passive takes no word, so password
    assert {u.why for u in reading.unread} >= {"unknown"}

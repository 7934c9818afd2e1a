"""What a configuration defines and what it uses: route-maps, prefix-lists, ACLs, standard,
extended and large community lists, as-path lists, key chains, class and policy maps, BGP peer
groups (``neighbor NAME peer-group``; used by a member or a ``bgp listen range``), IOS's VRFs,
object groups, track objects, IP SLA operations, AAA server groups and their TACACS+/RADIUS
servers, time ranges, NAT pools, crypto maps, IPsec profiles and transform sets, ISAKMP profiles,
security zones and inspect class and policy maps, FRR's BFD profiles, and the interfaces that
routing processes and services name.

FRR and Cisco IOS write these alike (``route-map NAME permit 10``, ``ip prefix-list NAME …``,
``neighbor X route-map NAME in``); where they differ (FRR's ``bgp community-list`` and ``bgp
as-path access-list``, IOS's ``ip community-list``, ``ip as-path access-list`` and named ACL
blocks) both forms are read, so one reading serves both platforms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from muronet.policy.context import DeviceAudit
from muronet.policy.zonemap import per_device

ROUTE_MAP, PREFIX_LIST, ACCESS_LIST = "route-map", "prefix-list", "access-list"
COMMUNITY_LIST, AS_PATH, KEY_CHAIN, INTERFACE = "community-list", "as-path list", "key chain", "interface"
CLASS_MAP, POLICY_MAP, PEER_GROUP = "class-map", "policy-map", "peer-group"
EXTCOMMUNITY_LIST, LARGE_COMMUNITY_LIST = "extcommunity-list", "large-community-list"
VRF, OBJECT_GROUP, TRACK, IP_SLA, BFD_PROFILE = "vrf", "object-group", "track", "ip sla", "bfd profile"
AAA_GROUP, AAA_SERVER, TIME_RANGE, NAT_POOL = "aaa server group", "aaa server", "time-range", "nat pool"
CRYPTO_MAP, IPSEC_PROFILE, TRANSFORM_SET, ISAKMP_PROFILE = ("crypto map", "ipsec profile", "transform-set",
                                                            "isakmp profile")
ZONE = "security zone"
# kinds whose definitions nothing may leave unused (an interface needs no reference; an IP SLA
# operation is used by being scheduled, a VRF may hold only routes)
REFERENCED_KINDS = (ROUTE_MAP, PREFIX_LIST, ACCESS_LIST, COMMUNITY_LIST, EXTCOMMUNITY_LIST, LARGE_COMMUNITY_LIST,
                    AS_PATH, KEY_CHAIN, CLASS_MAP, POLICY_MAP, PEER_GROUP, OBJECT_GROUP, TRACK, BFD_PROFILE,
                    AAA_GROUP, AAA_SERVER, TIME_RANGE, NAT_POOL, CRYPTO_MAP, IPSEC_PROFILE, TRANSFORM_SET,
                    ISAKMP_PROFILE, ZONE)
_PEER_GROUP = re.compile(r"^neighbor (\S+) peer-group$")  # under ``router bgp``


@dataclass(frozen=True, order=True)
class Structure:
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Use:
    structure: Structure
    line: int | None  # where the configuration uses it
    text: str  # the using line, stripped


_DEFINITIONS = [  # top-level lines
    (re.compile(r"^route-map (\S+) (?:permit|deny)\b"), ROUTE_MAP),
    (re.compile(r"^ipv6 prefix-list (\S+) "), "ipv6 " + PREFIX_LIST),
    (re.compile(r"^ip prefix-list (\S+) "), PREFIX_LIST),
    (re.compile(r"^ip access-list (?:standard |extended )?(\S+)$"), ACCESS_LIST),
    (re.compile(r"^access-list (\S+) "), ACCESS_LIST),
    (re.compile(r"^ipv6 access-list (\S+)"), "ipv6 " + ACCESS_LIST),
    (re.compile(r"^(?:bgp|ip) community-list (?:standard |expanded )?(\S+) "), COMMUNITY_LIST),
    (re.compile(r"^(?:bgp|ip) extcommunity-list (?:standard |expanded )?(\S+) "), EXTCOMMUNITY_LIST),
    (re.compile(r"^(?:bgp|ip) large-community-list (?:standard |expanded )?(\S+) "), LARGE_COMMUNITY_LIST),
    (re.compile(r"^(?:vrf definition|ip vrf) (\S+)$"), VRF),  # IOS's (FRR's ``vrf X`` needs no reference)
    (re.compile(r"^object-group (?:network|service|ip address|ip port) (\S+)"), OBJECT_GROUP),
    (re.compile(r"^track (\d+) "), TRACK),
    (re.compile(r"^ip sla (\d+)$"), IP_SLA),
    (re.compile(r"^(?:bgp|ip) as-path access-list (\S+) "), AS_PATH),
    (re.compile(r"^key chain (\S+)$"), KEY_CHAIN),
    (re.compile(r"^class-map (?:type \S+ )?(?:match-any |match-all )?(\S+)$"), CLASS_MAP),
    (re.compile(r"^policy-map (?:type \S+ )?(\S+)$"), POLICY_MAP),
    (re.compile(r"^aaa group server (?:tacacs\+|radius|ldap) (\S+)$"), AAA_GROUP),
    (re.compile(r"^(?:tacacs|radius) server (\S+)$"), AAA_SERVER),
    (re.compile(r"^time-range (\S+)$"), TIME_RANGE),
    (re.compile(r"^ip nat pool (\S+) "), NAT_POOL),
    (re.compile(r"^crypto map (\S+) \d+"), CRYPTO_MAP),
    (re.compile(r"^crypto ipsec profile (\S+)$"), IPSEC_PROFILE),
    (re.compile(r"^crypto ipsec transform-set (\S+) "), TRANSFORM_SET),
    (re.compile(r"^crypto isakmp profile (\S+)$"), ISAKMP_PROFILE),
    (re.compile(r"^zone security (\S+)$"), ZONE),
    (re.compile(r"^interface (\S+)"), INTERFACE),
]
_USES = [  # lines at any depth; the first pattern that matches a line decides its kind
    (re.compile(r"\bmatch ip (?:address|next-hop) prefix-list (\S+)"), PREFIX_LIST),
    (re.compile(r"\bmatch ipv6 address prefix-list (\S+)"), "ipv6 " + PREFIX_LIST),
    (re.compile(r"\bmatch ip (?:address|next-hop) (?!prefix-list)(\S+)"), ACCESS_LIST),
    (re.compile(r"\bmatch community (\S+)"), COMMUNITY_LIST),
    (re.compile(r"\bmatch extcommunity (\S+)"), EXTCOMMUNITY_LIST),
    (re.compile(r"\bmatch large-community (\S+)"), LARGE_COMMUNITY_LIST),
    (re.compile(r"\bset extcomm-list (\S+) delete"), EXTCOMMUNITY_LIST),
    (re.compile(r"\bset large-comm-list (\S+) delete"), LARGE_COMMUNITY_LIST),
    (re.compile(r"\bset comm-list (\S+) delete"), COMMUNITY_LIST),
    (re.compile(r"\bmatch as-path (\S+)"), AS_PATH),
    (re.compile(r"^\s*match access-group (?:name )?(\S+)$"), ACCESS_LIST),
    (re.compile(r"^\s*class (?:type \S+ )?(?!class-default$)(\S+)$"), CLASS_MAP),
    (re.compile(r"^\s*service-policy (?:type \S+ )?(?:input |output )?(\S+)$"), POLICY_MAP),
    (re.compile(r"^\s*server name (\S+)$"), AAA_SERVER),
    (re.compile(r"^\s*crypto map (\S+)$"), CRYPTO_MAP),
    (re.compile(r"\btunnel protection ipsec profile (\S+)"), IPSEC_PROFILE),
    (re.compile(r"^\s*set isakmp-profile (\S+)$"), ISAKMP_PROFILE),
    (re.compile(r"^\s*zone-member security (\S+)$"), ZONE),
    (re.compile(r"^\s*call (\S+)$"), ROUTE_MAP),
    (re.compile(r"^\s*neighbor \S+ peer-group (\S+)$"), PEER_GROUP),
    (re.compile(r"^\s*bgp listen range \S+ peer-group (\S+)$"), PEER_GROUP),
    (re.compile(r"^\s*neighbor \S+ prefix-list (\S+) (?:in|out)\b"), PREFIX_LIST),
    (re.compile(r"^\s*neighbor \S+ filter-list (\S+) (?:in|out)\b"), AS_PATH),
    (re.compile(r"^\s*neighbor \S+ distribute-list (\S+) (?:in|out)\b"), ACCESS_LIST),
    (re.compile(r"^\s*distribute-list prefix (\S+) (?:in|out)\b"), PREFIX_LIST),
    (re.compile(r"^\s*distribute-list (?!prefix )(\S+) (?:in|out)\b"), ACCESS_LIST),
    (re.compile(r"^\s*(?!route-map |bgp route-map )\S.*? (?:route-map|unsuppress-map|advertise-map|attribute-map|"
                r"suppress-map) (\S+)"), ROUTE_MAP),
    (re.compile(r"^\s*ip access-group (\S+) (?:in|out)$"), ACCESS_LIST),
    (re.compile(r"^\s*(?:ip )?access-class (\S+)(?: in| out)?(?: vrf-also)?$"), ACCESS_LIST),
    (re.compile(r"^\s*ipv6 access-class (\S+)"), "ipv6 " + ACCESS_LIST),
    (re.compile(r"^snmp-server community \S+ (?:RO|RW|ro|rw) (?:ipv6 \S+ )?(\S+)$"), ACCESS_LIST),
    (re.compile(r"^snmp-server group \S+ v3 \S+(?: (?:read|write|notify) \S+)* access (\S+)"), ACCESS_LIST),
    (re.compile(r"^ntp access-group (?:peer|serve|serve-only|query-only) (\S+)"), ACCESS_LIST),
    (re.compile(r"\bkey-chain (\S+)"), KEY_CHAIN),
    (re.compile(r"^track \d+ ip sla (\d+)"), IP_SLA),
    (re.compile(r"^ip sla schedule (\d+)"), IP_SLA),
    (re.compile(r"\bbfd profile (\S+)$"), BFD_PROFILE),
    (re.compile(r"^\s*(?:no )?passive-interface (?!default$)(\S+)$"), INTERFACE),
    (re.compile(r"^\s*neighbor \S+ update-source ([A-Za-z]\S*)$"), INTERFACE),
    (re.compile(r"\bsource-interface (\S+)"), INTERFACE),
    (re.compile(r"^ntp source (\S+)$"), INTERFACE),
    (re.compile(r"^snmp-server trap-source (\S+)$"), INTERFACE),
]


# uses a line may hold beside the one ``_USES`` finds, each as often as it is written: IOS's VRFs,
# object groups (an ACL line's source and destination) and track objects
_ALSO_USES = [
    (re.compile(r"^\s*(?:ip )?vrf forwarding (\S+)"), VRF),
    (re.compile(r"^\s*(?:ip route|ip route static bfd|snmp-server host \S+|ntp server|logging host) vrf (\S+)"), VRF),
    (re.compile(r"^\s*address-family ipv4 (?:unicast )?vrf (\S+)$"), VRF),
    (re.compile(r"^router ospf \d+ vrf (\S+)"), VRF),
    (re.compile(r"\bobject-group (?!network |service |ip )(\S+)"), OBJECT_GROUP),
    (re.compile(r"(?:^ip route .*| (?:standby|vrrp) \d+) track (\d+)"), TRACK),
    (re.compile(r"^\s*(?:\d+ )?(?:permit|deny) .* time-range (\S+)"), TIME_RANGE),  # an ACL line's
    (re.compile(r"^ip nat (?:inside|outside) source .*?\bpool (\S+)"), NAT_POOL),
    (re.compile(r"^ip nat (?:inside|outside) source list (\S+)"), ACCESS_LIST),
    (re.compile(r"^zone-pair security \S+ source (?!self )(\S+)"), ZONE),  # ``self``: the router, built in
    (re.compile(r"^zone-pair security \S+ source \S+ destination (?!self$)(\S+)"), ZONE),
]
# ``aaa authentication|authorization|accounting … group NAME [group NAME]``: each group a line names
# (the built-in ``tacacs+``, ``radius`` and ``ldap`` aside); ``set transform-set A B``: each set
_AAA_LINE = re.compile(r"^aaa (?:authentication|authorization|accounting) ")
_AAA_GROUP_USE = re.compile(r"\bgroup (?!(?:tacacs\+|radius|ldap)(?:\s|$))(\S+)")
_TRANSFORM_SETS = re.compile(r"^\s*set transform-set ((?:\S+ ?)+)$")


def definitions(audit: DeviceAudit) -> dict[Structure, int | None]:
    """Every structure the configuration defines, with the line of its first definition."""
    found: dict[Structure, int | None] = {}
    for child in audit.tree.children:
        for pattern, kind in _DEFINITIONS:
            match = pattern.match(child.text)
            if match:
                found.setdefault(Structure(kind, match.group(1)), audit.line_of(child))
                break
    for process in audit.top("router bgp "):
        for child in [c for block in [process, *process.children] for c in block.children]:
            if (group := _PEER_GROUP.match(child.text)):
                found.setdefault(Structure(PEER_GROUP, group.group(1)), audit.line_of(child))
    for bfd in (b for b in audit.top("bfd") if b.text == "bfd"):  # FRR's ``bfd`` node: ``profile NAME``
        for child in bfd.children:
            if (profile := re.match(r"profile (\S+)$", child.text)):
                found.setdefault(Structure(BFD_PROFILE, profile.group(1)), audit.line_of(child))
    return found


# a line that uses a structure has one of these words: the patterns are tried on those lines only
_USE_WORDS = re.compile(r"route-map|prefix-list|match |call |filter-list|distribute-list|-map |access-group|"
                        r"access-class|snmp-server|ntp |key-chain|passive-interface|update-source|source|class |"
                        r"service-policy|comm-list|peer-group|vrf |object-group|track |ip sla |bfd profile |"
                        r"aaa |server name |crypto map |ipsec profile |isakmp-profile |transform-set |"
                        r"time-range |ip nat |zone")


def uses(audit: DeviceAudit) -> list[Use]:
    """Every use of a structure, in the order of the configuration."""
    found = []
    for text, line in sorted(audit.every_line(), key=lambda item: item[1]):
        if not _USE_WORDS.search(text):
            continue
        for pattern, kind in _USES:
            match = pattern.search(text)
            if match:
                found.append(Use(Structure(kind, match.group(1)), line, text.strip()))
                break
        found += [Use(Structure(kind, match.group(1)), line, text.strip())
                  for pattern, kind in _ALSO_USES for match in pattern.finditer(text)]
        if _AAA_LINE.match(text):
            found += [Use(Structure(AAA_GROUP, m.group(1)), line, text.strip()) for m in _AAA_GROUP_USE.finditer(text)]
        if (sets := _TRANSFORM_SETS.match(text)):
            found += [Use(Structure(TRANSFORM_SET, name), line, text.strip()) for name in sets.group(1).split()]
    return found


def undefined(audit: DeviceAudit) -> list[Use]:
    """Uses of structures the configuration does not define (an interface the device has but the
    configuration never names is not a configuration's to know: only FRR's and IOS's own show
    every interface they have, so an interface is undefined only if no line names it)."""
    defined, used = _read(audit)
    return [use for use in used if use.structure not in defined]


def unused(audit: DeviceAudit) -> list[tuple[Structure, int | None]]:
    """Structures defined and never used (interfaces aside: they need no reference)."""
    defined, used = _read(audit)
    names = {use.structure for use in used}
    return [(structure, line) for structure, line in sorted(defined.items(), key=lambda s: (s[1] or 0))
            if structure.kind in REFERENCED_KINDS and structure not in names]


@per_device
def _read(audit: DeviceAudit) -> tuple[dict[Structure, int | None], list[Use]]:
    return definitions(audit), uses(audit)

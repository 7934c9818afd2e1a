"""The abstract platform driver and its registry."""

from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar

from hier_config import HConfig, HConfigChild
from hier_config.constructors import _config_from_string_lines_end_of_banner_test as _banner_ends
from hier_config.constructors import _load_from_string_lines
from hier_config.platforms.driver_base import HConfigDriverBase

from muronet.masking import mask_diff
from muronet.reading import Reading, read

_REGISTRY: dict[str, type[Platform]] = {}
_DIFF_KEY = secrets.token_bytes(32)  # per process: a fingerprint in a report cannot be guessed offline

OspfNeighbors = dict[str, list[dict[str, str]]]  # VRF ("global": the default) → address, state, interface


@dataclass(frozen=True)
class SwitchPort:
    """What a switch port is doing, as the device says (not as its configuration says)."""

    mode: str  # administrative mode: "access", "trunk", or what else the device names
    access_vlan: int | None = None
    native_vlan: int | None = None
    trunk_vlans: frozenset[int] | None = None  # the VLANs a trunk carries now; None: all
    trunking: bool = False  # up and trunking now
    shutdown: bool = False  # administratively down
    port_security: bool | None = None  # None: not asked


class Platform(ABC):
    name: ClassVar[str]
    template_dir: ClassVar[str]  # folder under templates/
    netmiko_device_type: ClassVar[str]
    napalm_driver: ClassVar[str]
    napalm_optional_args: ClassVar[dict[str, Any]] = {}  # the NAPALM driver's settings for this platform
    ansible_network_os: ClassVar[str]  # network_cli's cliconf/terminal plugins for this platform
    ospf_neighbors_command: ClassVar[str]  # the device's own table of OSPF neighbours, for people to read
    # Does the configuration file carry the items the policy calls "host" items on this platform
    # (sshd, PAM, snmpd, firewall)? FRR keeps them on the Linux host, not in frr.conf.
    has_host_services: ClassVar[bool]
    # The first words of the platform's top-level configuration commands: a text whose lines mostly
    # start otherwise is not a configuration of this platform (prose, garbage, another vendor's).
    command_words: ClassVar[frozenset[str]]
    # The digital twin runs devices of this platform (FRR in network namespaces); others it cannot.
    runs_in_twin: ClassVar[bool] = False
    # The running configuration always shows its ``line vty`` blocks: no block means no vty at all
    # (on FRR an absent block means vtysh's defaults: unrestricted).
    shows_vty_lines: ClassVar[bool] = True
    # The idle timeout a console line has when its configuration names none (None: the policy
    # wants it written on the line).
    implicit_exec_timeout_min: ClassVar[int | None] = None
    # Interface ACLs are part of the device's configuration (on FRR the Linux host filters instead).
    filters_in_config: ClassVar[bool] = True
    # Lines only this platform's configurations have (``detect_platform`` reads a text by them, the
    # platforms of lower ``signature_order`` first); None: the platform is never guessed, only named.
    signature: ClassVar[re.Pattern[str] | None] = None
    signature_order: ClassVar[int] = 100
    # A route is matched against an access-list by its network address (a standard list's source)
    # and, in an extended list, its mask (the destination), as IOS does; else by the whole prefix
    # (FRR: inside the line's source, exactly it with ``exact-match``).
    acl_matches_route_by_address: ClassVar[bool] = False
    # The NAPALM driver's compare_config masks the secrets of its diff (napalm_frr does; NAPALM's own
    # drivers show them, so muronet masks them: muronet.masking.mask_diff).
    masks_diff_secrets: ClassVar[bool] = False
    # The ABR of an NSSA announces a default route into it unasked (FRR 8.4 does; IOS only for
    # ``no-summary``, else with ``default-information-originate``, a type-7 default).
    nssa_default_summary: ClassVar[bool] = False
    # An ABR's route table holds a discard route for each area range that covers a route (IOS's
    # ``discard-route internal``; FRR 8.4.4 keeps it in ospfd's own table: the twin's shows none).
    ospf_range_discard: ClassVar[bool] = True
    # A single-hop eBGP peer reached by a static route passes the connected check (FRR 8.4's zebra
    # accepts connected and static routes for it; IOS wants the peer on a connected subnet).
    ebgp_static_is_connected: ClassVar[bool] = False
    # ``ip ospf [N] area X`` on an interface runs OSPF without a ``router ospf`` block (IOS makes the
    # process; FRR 8.4 keeps the setting until a ``router ospf`` of the interface's VRF exists).
    ospf_area_starts_process: ClassVar[bool] = True
    # RFC 8212 (``ebgp_requires_policy``) applies to confederation peers, and no policy lets their
    # routes pass (FRR 8.4.4, the twin's; FRR 10.1 exempts confederations, commit fa2cc09d45).
    rfc8212_blocks_confederation: ClassVar[bool] = False
    # A ``network`` statement's route carries its IGP metric as MED (IOS; FRR 8.4 sends none).
    bgp_network_med_from_igp: ClassVar[bool] = True
    # The ADD-PATH capabilities a BGP process has unasked (IOS: none, ``bgp additional-paths send
    # receive`` gives them; FRR: both, a neighbour's ``addpath-tx-all-paths`` says where to send).
    bgp_add_paths: ClassVar[frozenset[str]] = frozenset()
    # An eBGP session exchanges no route without a policy in that direction (RFC 8212; FRR's default).
    ebgp_requires_policy: ClassVar[bool] = False
    # Whether BGP sends communities to a neighbour without ``send-community`` (IOS: no; FRR: yes).
    bgp_sends_communities: ClassVar[bool] = False
    # Whether the route table holds a /32 ``local`` route for each address of the router (IOS yes,
    # FRR 8 no).
    local_routes: ClassVar[bool] = True
    # The platform's command grammar (muronet/reading/grammars/<name>.txt): how its devices read a line
    grammar: ClassVar[str]

    @abstractmethod
    def interface_name(self, canonical: str) -> str:
        """Name of the inventory interface ``canonical`` on this platform.

        >>> get_platform("cisco_ios").interface_name("eth2.300")
        'GigabitEthernet0/0/2.300'
        """

    @abstractmethod
    def ospf_cost(self, interface: str, loopback: bool, bandwidth: int | None, reference: int | None) -> int:
        """The OSPF cost of a port whose configuration names none: from its ``bandwidth`` (as the
        platform's configuration writes it) and the process's ``auto-cost reference-bandwidth`` (Mbit/s),
        either None when not configured."""

    @abstractmethod
    def hconfig_driver(self) -> HConfigDriverBase:
        """hier_config driver that turns this platform's configuration text into a tree."""

    # --- reading a device's state (``device``: a connected NAPALM driver of this platform) --------
    # NAPALM's getters answer the rest (BGP, routes, VLANs, interfaces); these fill its gaps.

    def ospf_neighbors(self, device: Any) -> OspfNeighbors:
        """The device's OSPF neighbours per VRF: ``address``, ``state`` ("Full/DR"), ``interface``."""
        raise NotImplementedError(f"{self.name}: no OSPF neighbour reader")

    def switchports(self, device: Any, secured: Iterable[str] = ()) -> dict[str, SwitchPort]:
        """The device's switch ports by name; for the ports in ``secured``, port security too. A
        platform without switch ports has none."""
        return {}

    def prepare_candidates(self, configs: list[str]) -> None:
        """Hand the replace candidates to the platform's driver before any device is logged into
        (a driver that renders candidates on the automation host starts meanwhile). Most drivers
        need nothing."""
        return

    def masked_diff(self, diff: str) -> str:
        """The driver's ``compare_config`` with its secrets masked (a secret typed on the device by
        hand is known to no scrubber), unless the driver masks them itself.

        >>> get_platform("cisco_ios").masked_diff("+snmp-server community Pub1ic RO")[:35]
        '+snmp-server community <secret:sha-'
        """
        return diff if self.masks_diff_secrets else mask_diff(diff, _DIFF_KEY)

    def without_device_lines(self, running: str) -> str:
        """A running configuration without the lines the device adds of its own (none here)."""
        return running

    def read(self, text: str) -> Reading:
        r"""``text`` as the platform's devices read it: each line in its node, keywords written out,
        negations applied, the lines no node takes (``muronet.reading``).

        >>> reading = get_platform("cisco_ios").read("line vty 0 4\n Transp Inp telnet\n")
        >>> reading.canonical[1], reading.unread
        (' transport input telnet', [])
        """
        return _read(text, self.grammar)

    def reads_as_configuration(self, text: str) -> bool:
        """Whether most top-level lines of ``text`` start with one of the platform's commands.

        >>> frr = get_platform("frr")
        >>> frr.reads_as_configuration("interface eth1\\n ip address 10.0.0.1/31\\nexit\\n")
        True
        >>> frr.reads_as_configuration("lorem ipsum dolor sit amet\\n" * 20)
        False
        """
        words = [line.split(None, 1)[0] for line in text.splitlines()
                 if line.strip() and not line[0].isspace() and line[0] not in "!#"]
        known = sum(word in self.command_words for word in words)
        return known > 0 and 2 * known >= len(words)

    def shows_of_itself(self, node: HConfigChild) -> bool:
        """Whether a top-level node of a running configuration is the device's own (a version line,
        a namespace behind a VRF), not a command anyone configured (none here)."""
        return False

    def parse(self, text: str) -> HConfig:
        """Configuration text as a hier_config tree (comments and section ends dropped): what
        ``hier_config.get_hconfig`` builds, 2.5× faster (3.5 ms against 9 ms for 665 lines here;
        see ``_Parser``). The last few trees are kept: a review parses each side for its diff and
        again for the analysis across devices. A tree is read, never changed, by its readers.

        >>> tree = get_platform("frr").parse("interface eth1\\n ip address 10.0.0.1/31\\nexit\\n")
        >>> [c.text for c in tree.all_children()]
        ['interface eth1', 'ip address 10.0.0.1/31']
        """
        return _parsed(type(self), text)


@lru_cache(maxsize=8)  # a review's two sides and a few more; a text may be megabytes
def _parsed(platform: type[Platform], text: str) -> HConfig:
    parser = _parser(platform)
    for rule in parser.driver.rules.full_text_sub:
        text = re.sub(rule.search, rule.replace, text)
    config = _MergingConfig(parser.driver)
    _load_from_string_lines(config, _substitute(text, parser.substitutions, parser.candidates))
    for section in tuple(_sections(config)):
        if section.children[-1].text in parser.exit_texts:  # else the call below finds nothing
            section.delete_sectional_exit()
    for callback in parser.driver.rules.post_load_callbacks:
        callback(config)
    return config


@lru_cache(maxsize=8)
def _read(text: str, grammar: str) -> Reading:
    """A reading kept for the next reader of the same text (a review reads each side for its diff
    and again for the analysis across devices); readings are not changed by their readers."""
    return read(text, grammar)


class _Merging:
    """A section or line written twice adds to the first, as FRR and IOS read a configuration
    (hier_config refuses a repeated section)."""

    __slots__ = ()

    def add_child(self, text: str, *, return_if_present: bool = True, check_if_present: bool = True
                  ) -> HConfigChild:
        return super().add_child(text, return_if_present=return_if_present,  # type: ignore[misc]
                                 check_if_present=check_if_present)

    def instantiate_child(self, text: str) -> HConfigChild:
        return _MergingChild(self, text)


class _MergingConfig(_Merging, HConfig):
    __slots__ = ()


class _MergingChild(_Merging, HConfigChild):
    __slots__ = ()


@dataclass(frozen=True)
class _Parser:
    """A platform's hier_config driver prepared for ``Platform.parse``. hier_config spends most of
    its parse time on two things that give nothing on our configurations: trying every per-line
    substitution on every line (here one combined pattern first finds the few lines any of them can
    change) and asking every node, leaves included, for its section-ending line (here only the
    sections whose last line is one of the driver's exit texts ask)."""

    driver: HConfigDriverBase  # without its per-line substitutions, which parse applies itself
    substitutions: list[tuple[re.Pattern[str], str]]
    candidates: re.Pattern[str]
    exit_texts: frozenset[str]


@cache
def _parser(platform: type[Platform]) -> _Parser:
    driver = platform().hconfig_driver()
    rules = driver.rules.per_line_sub
    exit_texts = frozenset({"exit"} | {r.exit_text for r in driver.rules.sectional_exiting if r.exit_text})
    driver.rules = driver.rules.model_copy(update={"per_line_sub": []})
    return _Parser(driver, [(re.compile(r.search), r.replace) for r in rules],
                   re.compile("|".join(f"(?:{r.search})" for r in rules) or "(?!)"), exit_texts)


def _sections(config: HConfig) -> Iterator[HConfigChild]:
    """Every node of the tree that has children."""
    stack = list(config.children)
    while stack:
        node = stack.pop()
        if node.children:
            yield node
            stack.extend(node.children)


def _substitute(text: str, substitutions: list[tuple[re.Pattern[str], str]], candidates: re.Pattern[str]) -> str:
    """hier_config's per-line substitutions, applied where hier_config would: outside banners, on
    whitespace-normalised lines."""
    lines = []
    end_lines, in_banner = {"EOF", "%", "!"}, False
    end_contains: list[str] = []
    for line in text.splitlines():
        if in_banner:
            in_banner = not _banner_ends(line, frozenset(end_lines), end_contains)
        elif line.startswith("banner ") and line != "banner motd ##":
            in_banner, words = True, line.split()
            if words[2:]:  # ``banner motd DELIMITER…``
                delimiter = words[2]
                end_contains.append(delimiter)
                if delimiter.startswith('"'):
                    end_contains.append('"')
                end_lines |= {delimiter[:1], delimiter[:2]}
        else:
            indent = len(line) - len(line.lstrip())
            line = " " * indent + " ".join(line.split())
            if candidates.search(line):
                for pattern, replacement in substitutions:
                    line = pattern.sub(replacement, line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def register(cls: type[Platform]) -> type[Platform]:
    _REGISTRY[cls.name] = cls
    return cls


def get_platform(name: str) -> Platform:
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise KeyError(f"no platform driver {name!r} (known: {', '.join(platform_names())})") from None


def platform_names() -> list[str]:
    return sorted(_REGISTRY)


def detect_platform(text: str) -> str | None:
    """The platform a configuration text was written for, from lines only it has (each platform's
    ``signature``, by ``signature_order``).

    >>> detect_platform("frr version 8.4.4\\nhostname r1\\n")
    'frr'
    >>> detect_platform("version 17.9\\nhostname sw1\\ninterface GigabitEthernet1/0/1\\n switchport mode access\\n")
    'cisco_ios'
    >>> detect_platform("hostname rt1\\nlog commands\\ninterface eth-rt2\\n ip ospf area 1\\n")  # a topotest's
    'frr'
    """
    for platform in sorted(_REGISTRY.values(), key=lambda p: (p.signature_order, p.name)):
        if platform.signature is not None and platform.signature.search(text):
            return platform.name
    return None

#!/usr/bin/env python3
"""Append FRR's hidden configuration commands to muronet/reading/grammars/frr.txt.

    .venv/bin/python scripts/frr-hidden-commands.py FRR_GIT_DIR frr-8.4.4

``vtysh -c list`` (scripts/frr-grammar.py) does not print the commands FRR declares hidden
(``DEFUN_HIDDEN``, ``DEFPY_HIDDEN``, ``ALIAS_HIDDEN``): old spellings FRR still takes, such as
``router-id A.B.C.D`` under ``router ospf`` or IPv4 neighbour settings written directly under
``router bgp``. A configuration that uses one is read by FRR in its node; a grammar without it
would take the line as leaving the node, and read every line after it in the wrong place. This
script reads them from FRR's source at the tag of the FRR the grammar was listed from (a git
directory of https://github.com/FRRouting/frr, GPL-2.0-or-later; the commands are used as data),
with the nodes their ``install_element`` calls put them in, and appends them per node. Rerun it
after scripts/frr-grammar.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GRAMMAR = REPO / "muronet" / "reading" / "grammars" / "frr.txt"
MARK = "# --- hidden commands"
DAEMONS = ("lib", "zebra", "bgpd", "ospfd", "staticd", "vrrpd", "bfdd")
# FRR's node constants as the grammar names its nodes (configuration nodes only: not exec's)
NODES = {
    "CONFIG_NODE": "config", "INTERFACE_NODE": "interface", "LINK_PARAMS_NODE": "link-params", "VRF_NODE": "vrf",
    "BGP_NODE": "router-bgp", "BGP_IPV4_NODE": "bgp-ipv4-unicast", "BGP_IPV4M_NODE": "bgp-ipv4-multicast",
    "BGP_IPV4L_NODE": "bgp-ipv4-labeled-unicast", "BGP_VPNV4_NODE": "bgp-ipv4-vpn",
    "BGP_FLOWSPECV4_NODE": "bgp-ipv4-flowspec", "BGP_IPV6_NODE": "bgp-ipv6-unicast",
    "BGP_IPV6M_NODE": "bgp-ipv6-multicast", "BGP_IPV6L_NODE": "bgp-ipv6-labeled-unicast",
    "BGP_VPNV6_NODE": "bgp-ipv6-vpn", "BGP_FLOWSPECV6_NODE": "bgp-ipv6-flowspec", "BGP_EVPN_NODE": "bgp-l2vpn-evpn",
    "OSPF_NODE": "router-ospf", "OSPF6_NODE": "router-ospf6", "RMAP_NODE": "route-map", "VTY_NODE": "line-vty",
    "KEYCHAIN_NODE": "key-chain", "KEYCHAIN_KEY_NODE": "key", "BFD_NODE": "bfd", "BFD_PEER_NODE": "bfd-peer",
    "BFD_PROFILE_NODE": "bfd-profile",
}
_HIDDEN = re.compile(r"\b(?:DEFUN|DEFPY|ALIAS|DEFUN_YANG|DEFPY_YANG)_HIDDEN\s*\(\s*\w+\s*,\s*(\w+)\s*,")
_INSTALL = re.compile(r"install_element\s*\(\s*(\w+)\s*,\s*&(\w+)\s*\)")
# the syntax argument: string literals, and macros (a name, its arguments) up to the next comma
_PART = re.compile(r"\s*(?:\"((?:[^\"\\]|\\.)*)\"|(\w+(?:\s*\([^()]*\))?))")
# The macros hidden commands spell their syntax with, as Debian's FRR 8.4.4 build expands them (its
# visible commands, listed by vtysh, show the same expansions); a command with another is left out.
MACROS = {
    "FRR_IP_REDIST_STR_BGPD":
        "<kernel|connected|static|rip|ospf|isis|eigrp|nhrp|table|vnc|vnc-direct|babel|openfabric>",
    "CMD_RANGE_STR(1, MULTIPATH_NUM)": "(1-256)",
}


def _syntax(text: str, start: int) -> str | None:
    """The syntax argument that starts at ``start``, its literals joined and macros expanded."""
    spelled, position = "", start
    while (part := _PART.match(text, position)) is not None:
        if part.group(1) is not None:
            spelled += part.group(1)
        elif (macro := " ".join(part.group(2).split())) in MACROS:
            spelled += MACROS[macro]
        else:
            return None
        position = part.end()
    return spelled if text[position:].lstrip().startswith(",") else None


def sources(git_dir: str, tag: str) -> list[str]:
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", tag, *DAEMONS],
                           capture_output=True, text=True, check=True).stdout.split()
    return [subprocess.run(["git", "--git-dir", git_dir, "show", f"{tag}:{name}"], capture_output=True, text=True,
                           check=True).stdout for name in names if name.endswith(".c")]


def hidden_commands(texts: list[str]) -> dict[str, set[str]]:
    """Node → the hidden commands installed in it, in vtysh's syntax (DEFPY's ``$name`` dropped)."""
    syntax = {}
    for text in texts:
        for found in _HIDDEN.finditer(text):
            spelled = _syntax(text, found.end())
            if spelled is not None:
                syntax[found.group(1)] = " ".join(re.sub(r"\$\w+", "", spelled).split())
    nodes: dict[str, set[str]] = {}
    for text in texts:
        for node, command in _INSTALL.findall(text):
            if command in syntax and node in NODES:
                nodes.setdefault(NODES[node], set()).add(syntax[command])
    return nodes


def main() -> None:
    try:
        git_dir, tag = sys.argv[1:]
    except ValueError:
        raise SystemExit(__doc__) from None
    found = hidden_commands(sources(git_dir, tag))
    kept = GRAMMAR.read_text(encoding="utf-8").split(f"\n{MARK}")[0].rstrip("\n")
    out = [kept, "", f"{MARK} (FRR {tag}'s source, scripts/frr-hidden-commands.py): taken in their node, never",
           "# listed by vtysh; a node named twice is one node"]
    for node in sorted(found):
        out += ["", f"node {node}", *(f"  {command}" for command in sorted(found[node]))]
    GRAMMAR.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{GRAMMAR}: {sum(map(len, found.values()))} hidden commands in {len(found)} nodes")


if __name__ == "__main__":
    main()

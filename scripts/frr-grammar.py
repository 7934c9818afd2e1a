#!/usr/bin/env python3
"""Write FRR's command grammar, node by node, as FRR itself lists it: muronet/reading/grammars/frr.txt.

    sudo .venv/bin/python scripts/frr-grammar.py   # root: a scratch FRR of its own, every daemon running

A scratch FRR (napalm_frr.scratch) runs with every routing daemon of Debian's FRR but LDP's (whose
three processes the scratch's bookkeeping does not follow); in each configuration node, entered by
the commands below, ``vtysh -c list`` prints every command the node takes, in FRR's own command
syntax (``neighbor <A.B.C.D|X:X::X:X|WORD> password LINE``). The file keeps them per node, with
the commands that enter a child node marked ``-> NODE``. What the review and the masking read of
an FRR configuration follows from it (muronet.reading). Rerun it when the FRR version changes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from napalm_frr import scratch  # noqa: E402

DAEMONS = ("zebra", "bgpd", "ospfd", "ospf6d", "ripd", "ripngd", "isisd", "eigrpd", "bfdd", "pbrd", "pimd",
           "staticd", "vrrpd", "babeld")
# The keywords whose value is a secret in FRR's commands (``password LINE``, ``key-string LINE``,
# ``message-digest-key (1-255) md5 KEY``, ``area-password <clear|md5> WORD``, ``authentication string LINE``,
# ``hash-algo … key WORD``), and what may stand between
SECRET_WORDS = ("password", "key-string", "authentication-key", "message-digest-key", "area-password",
                "domain-password", "string", "key")
SECRET_SKIP = ("md5", "clear")
# node, parent, the commands that reach it from the configuration node, and how its parent's list
# writes the commands that enter it (their first words)
NODES = [
    ("config", None, [], []),
    ("interface", "config", ["interface eth0"], ["interface "]),
    ("link-params", "interface", ["interface eth0", "link-params"], ["link-params"]),
    ("vrf", "config", ["vrf X"], ["vrf "]),
    ("router-bgp", "config", ["router bgp 1"], ["router bgp"]),
    *((f"bgp-{family.replace(' ', '-')}", "router-bgp", ["router bgp 1", f"address-family {family}"],
       [f"address-family {family.replace(' unicast', ' [unicast]')}"])
      for family in ("ipv4 unicast", "ipv4 multicast", "ipv4 labeled-unicast", "ipv4 vpn", "ipv4 flowspec",
                     "ipv6 unicast", "ipv6 multicast", "ipv6 labeled-unicast", "ipv6 vpn", "ipv6 flowspec",
                     "l2vpn evpn")),
    ("router-ospf", "config", ["router ospf"], ["router ospf "]),
    ("router-ospf6", "config", ["router ospf6"], ["router ospf6"]),
    ("router-rip", "config", ["router rip"], ["router rip "]),
    ("router-ripng", "config", ["router ripng"], ["router ripng"]),
    ("router-isis", "config", ["router isis 1"], ["router isis"]),
    ("router-eigrp", "config", ["router eigrp 1"], ["router eigrp"]),
    ("router-babel", "config", ["router babel"], ["router babel"]),
    ("route-map", "config", ["route-map X permit 10"], ["route-map "]),
    ("line-vty", "config", ["line vty"], ["line vty"]),
    ("key-chain", "config", ["key chain X"], ["key chain "]),
    ("key", "key-chain", ["key chain X", "key 1"], ["key (0-2147483647)"]),
    ("bfd", "config", ["bfd"], ["bfd"]),
    ("bfd-peer", "bfd", ["bfd", "peer 10.0.0.1"], ["peer "]),
    ("bfd-profile", "bfd", ["bfd", "profile X"], ["profile "]),
    ("nexthop-group", "config", ["nexthop-group X"], ["nexthop-group "]),
    ("pbr-map", "config", ["pbr-map X seq 1"], ["pbr-map "]),
    ("segment-routing", "config", ["segment-routing"], ["segment-routing"]),
]


def listed(instance: scratch.Instance, enter: list[str]) -> list[str]:
    args = ["-c", "configure terminal"]
    for command in enter:
        args += ["-c", command]
    done = instance._vtysh(*args, "-c", "list")
    if done.returncode != 0:
        raise SystemExit(f"{enter}: {done.stderr or done.stdout}")
    return sorted({line.strip() for line in done.stdout.splitlines() if line.strip()})


def main() -> None:
    scratch.DAEMONS = DAEMONS  # the instance's bookkeeping counts every daemon it starts
    pool = scratch.ScratchPool(size=0)
    pool.start()
    instance = scratch.Instance(f"scr{os.getpid()}-1", pool._home / "1", DAEMONS)  # type: ignore[operator]
    instance.home.mkdir(mode=0o700)
    try:
        instance.create()
        version = instance._vtysh("-c", "show version").stdout.split(" (")[0].strip()
        out = [f"# {version}: its command grammar per configuration node, as `vtysh -c list` prints it in each",
               "# node (scripts/frr-grammar.py wrote this file; FRRouting is GPL-2.0-or-later, this is its",
               "# command table used as data). `node NAME < PARENT` opens a node; `-> NODE` marks a command",
               "# that enters NODE. A value after one of the secret words (numbers and md5/clear between) is",
               "# a secret.",
               f"option secret-words {' '.join(SECRET_WORDS)}",
               f"option secret-skip {' '.join(SECRET_SKIP)}"]
        for name, parent, enter, _ in NODES:
            out.append("")
            out.append(f"node {name} < {parent}" if parent else f"node {name}")
            children = [(child, starts) for child, p, _, starts in NODES if p == name]
            for command in listed(instance, enter):
                target = next((child for child, starts in children if command.startswith(tuple(starts))), None)
                out.append(f"  {command}" + (f" -> {target}" if target else ""))
        path = REPO / "muronet" / "reading" / "grammars" / "frr.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"wrote {path} ({len(out)} lines)")
    finally:
        instance.remove()
        pool.close()


if __name__ == "__main__":
    main()

"""Line-level changes between two FRR configurations, computed by FRR's own reload logic.

``frr-reload.py`` knows FRR's contexts, which lines replace which, and how each line is removed;
the driver ships it (``napalm_frr/vendor/frr_reload.py``, FRR 8.4.4's, pinned: see its README) and
runs it here, on the automation host, over two texts (the device's running configuration and the
candidate); a text the device did not render itself is first normalised by the local ``vtysh -m``.
Nothing here talks to a device.

Some lines belong to the device, not to the configuration: the version banner, the namespace
behind each VRF, the IPv6 forwarding state of a host without IPv6. A replace never removes them.
"""

from __future__ import annotations

import importlib
import logging
import re
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

VTYSH = "/usr/bin/vtysh"
_DRYRUN_ERROR = re.compile(r"^line (?P<n>\d+): (?P<message>% [^\[:]+)(\[\d+\])?: (?P<line>.*)$")
_HEADER = re.compile(r"^(Building configuration\.\.\.|Current configuration:|end)\s*$")


class ReloadError(RuntimeError):
    """FRR's reload logic failed on a pair of configurations; the message says how."""


@dataclass(frozen=True)
class Change:
    """One line to add or remove inside its contexts (``line`` None: the whole context)."""

    contexts: tuple[str, ...]
    line: str | None
    delete: bool

    def commands(self) -> list[str]:
        """The configuration-mode commands that make this change."""
        return [c.strip() for c in _frr_reload().lines_to_config(list(self.contexts), self.line, self.delete)]

    def shortened(self) -> Change | None:
        """The same removal with its last word dropped: FRR refuses some ``no`` forms with arguments
        (``no ip ospf authentication message-digest`` → ``no ip ospf authentication``); a free text
        goes whole (``no description TEXT`` → ``no description``).

        >>> Change(("interface eth3",), "description 施設 LAN (2F)", True).shortened().commands()
        ['interface eth3', 'no description']
        >>> Change(("interface eth3",), "ip ospf authentication message-digest", True).shortened().commands()
        ['interface eth3', 'no ip ospf authentication']
        >>> Change(("interface eth3",), "description", True).shortened() is None
        True
        """
        target = self.line if self.line is not None else self.contexts[-1]
        words = target.split()
        if not self.delete or len(words) <= 1:  # "no description" is as short as a removal gets
            return None
        shorter = words[0] if words[0] == "description" else " ".join(words[:-1])
        if self.line is not None:
            return Change(self.contexts, shorter, True)
        return Change((*self.contexts[:-1], shorter), None, True)


def _device_owned(change: Change) -> bool:
    head = change.contexts[0]
    if head.startswith(("frr version", "no ipv6 forwarding")):
        return True
    # A namespace VRF exists with its namespace; its "netns" line is the kernel's, not ours.
    return head.startswith("vrf ") and (change.line is None or change.line.startswith("netns "))


@cache
def _frr_reload() -> Any:
    """FRR's reload logic, vendored and pinned (``napalm_frr/vendor/``), its log in ours (the vendored
    script has no types: its classes are Any here)."""
    with warnings.catch_warnings():  # FRR 8.4's script has regexes Python 3.12 warns about
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        module: Any = importlib.import_module("napalm_frr.vendor.frr_reload")
    module.log = logging.getLogger("napalm_frr.frr_reload")  # the script sets its logger up in main()
    return module


def is_header(line: str) -> bool:
    """vtysh's lines around a configuration (``Building configuration...``, ``end``)."""
    return bool(_HEADER.match(line))


def clean(config: str) -> str:
    """A configuration as text without vtysh's header lines and trailing ``end``."""
    return "\n".join(line for line in config.splitlines() if not _HEADER.match(line)).strip() + "\n"


def contexts(config: str) -> set[tuple[str, ...]]:
    """The context keys of a configuration as FRR's reload logic reads it (``("router bgp 65021",
    "address-family ipv4 unicast")``, one-line contexts such as ``("ip prefix-list …",)``)."""
    return {tuple(keys) for keys in _load(config).contexts}


@cache
def _piped_vtysh() -> Any:
    """frr-reload's ``Vtysh``, fed through a pipe: a configuration with its secrets never touches a
    file, not even a private temporary one."""
    module = _frr_reload()

    class PipedVtysh(module.Vtysh):  # type: ignore[name-defined,misc]  # the vendored script's class (Any)
        def __init__(self, text: str) -> None:
            super().__init__(bindir=str(Path(VTYSH).parent))
            self.text = text

        def mark_file(self, filename: str, stdin: object = None) -> str:
            child = self._call(["-m", "-f", "/dev/stdin"], stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            stdout, stderr = child.communicate(self.text.encode("utf-8"))
            if child.returncode != 0:
                raise module.VtyshException(f"vtysh (mark file) exited with status {child.returncode}:\n"
                                            f"{stderr.decode(errors='replace')}")
            return str(stdout.decode("utf-8"))

    return PipedVtysh


@cache
def _rendered_vtysh() -> Any:
    """frr-reload's ``Vtysh`` for a text FRR itself rendered (``show running-config``): vtysh's
    marking would give it back as it is, so no vtysh runs."""
    class RenderedVtysh(_piped_vtysh()):  # type: ignore[misc]  # the vendored script's class (Any)
        def mark_file(self, filename: str, stdin: object = None) -> str:
            return str(self.text)

    return RenderedVtysh


def _load(text: str, rendered: bool = False) -> Any:
    module = _frr_reload()
    config = module.Config((_rendered_vtysh() if rendered else _piped_vtysh())(clean(text)))
    config.load_from_file("/dev/stdin")
    return config


# What closes a context in FRR's text: frr-reload sometimes keeps them as lines, which are not changes.
_ENDS = ("!", "exit", "exit-vrf", "exit-address-family", "end")
# frr-reload never removes these (it protects its own access); a replace must, or a vty password
# or an "exec-timeout 0 0" set by hand would outlive every provisioning run.
RELOAD_KEEPS = ("password", "enable password", "line vty")


def _kept_by_frr_reload(new: Any, old: Any) -> list[Change]:
    """Removals frr-reload leaves out: vty passwords, and lines of ``line vty`` (not the block)."""
    found = []
    for keys, context in old.contexts.items():
        if not keys[0].startswith(RELOAD_KEEPS):
            continue
        wanted = new.contexts.get(keys)
        if keys[0].startswith("line vty"):
            for line in context.lines:
                if line == "!" or (wanted is not None and line in wanted.lines):
                    continue
                # "no exec-timeout" does nothing in FRR 8.4: setting the default removes the line
                found.append(Change(tuple(keys), "exec-timeout 10 0", False) if line.startswith("exec-timeout")
                             else Change(tuple(keys), line, True))
        elif wanted is None:
            found.append(Change(tuple(keys), None, True))
    return found


def changes(running: str, candidate: str, replace: bool = True, rendered: bool = False) -> list[Change]:
    """What turns ``running`` into ``candidate``: removals first, then additions. A merge
    (``replace=False``) only adds. ``rendered``: both texts are FRR's own rendering (a running
    configuration, a canonical candidate), which FRR's reload logic reads without asking vtysh.

    >>> changes("hostname x\\n", "hostname x\\ninterface eth1\\nexit\\n", rendered=True)  # an empty header
    []
    >>> changes("hostname x\\n", "hostname x\\ninterface eth1\\n mtu 9000\\nexit\\n", rendered=True)[1:]
    [Change(contexts=('interface eth1',), line='mtu 9000', delete=False)]
    """
    module = _frr_reload()
    try:
        new, old = _load(candidate, rendered), _load(running, rendered)
        to_add, to_delete = module.compare_context_objects(new, old)
    except (LookupError, ValueError, TypeError, AttributeError, NameError, module.VtyshException) as error:
        raise ReloadError(f"FRR's reload logic failed on this change ({type(error).__name__}: {error})") from None
    removals = [Change(tuple(k), line, True) for k, line in to_delete if line not in _ENDS] if replace else []
    if replace:
        removals += _kept_by_frr_reload(new, old)
    empty = {k for k, context in new.contexts.items() if _empty_interface(tuple(k), context.lines)}
    additions = [Change(tuple(k), line, False) for k, line in to_add
                 if line not in _ENDS and not (line is None and k in empty)]
    return [c for c in removals + additions if not _device_owned(c)]


def _empty_interface(keys: tuple[str, ...], lines: list[str]) -> bool:
    """An interface header with nothing under it: FRR keeps an emptied interface's header (it
    cannot delete a physical interface) and its reload logic never removes one, so it means nothing
    in either direction."""
    return keys[0].startswith("interface ") and all(line in _ENDS for line in lines)


def syntax_errors(config: str) -> list[str]:
    """Lines FRR's parser refuses, checked by the local ``vtysh --dryrun`` (no daemon involved);
    each as ``line N: <line>: <vtysh's message>``, e.g. ``line 2: ip ospf frobnicate: % Unknown
    command`` (tests/integration/napalm_frr/test_reload.py: it needs FRR installed).
    """
    check = subprocess.run([VTYSH, "--dryrun", "--inputfile", "/dev/stdin"], input=clean(config),
                           capture_output=True, text=True)
    # vtysh's exit status reflects only the last line: read what it says about every line,
    # e.g. "line 2: % Unknown command[17]:  ip ospf frobnicate".
    problems = []
    for line in (check.stdout + check.stderr).splitlines():
        found = _DRYRUN_ERROR.match(line)
        if found:
            problems.append(f"line {found['n']}: {found['line'].strip()}: {found['message']}")
        elif "% " in line:
            problems.append(line.strip())
    return problems


def canonical(config: str, rendered: bool = False) -> str:
    """``config`` as a reviewer compares it: FRR's contexts in sorted order, each with its lines
    sorted, without vtysh's header and the device's own lines (version, VRF namespaces). Two
    configurations FRR treats alike read alike, so a diff shows only what changes."""
    parsed = _load(config, rendered)
    blocks, above = [], ()
    for keys, context in sorted(parsed.contexts.items()):
        keys = tuple(keys)
        lines = [line for line in context.lines if line not in _ENDS
                 and not _device_owned(Change(keys, line, False))]
        if not lines and (_device_owned(Change(keys, None, False)) or _empty_interface(keys, lines)):
            continue
        # a nested context (an address family) follows its parent's lines under the same header
        shared = len(keys) - 1 if len(keys) > 1 and above[:len(keys) - 1] == keys[:-1] else 0
        head = [" " * depth + key for depth, key in enumerate(keys) if depth >= shared]
        blocks.append("\n".join(head + sorted(" " * len(keys) + line.rstrip() for line in lines)))
        above = keys
    return "\n".join(blocks) + "\n"



# Configuration commands of FRR that enter a node of their own (the rest are one-line commands).
_NODES = ("interface ", "router ", "vrf ", "route-map ", "key chain ", "key ", "line ", "address-family ",
          "segment-routing", "mpls ", "bfd", "pbr-map ", "nexthop-group ", "rpki", "l2vpn ", "peer ", "profile ",
          "vni ", "srv6", "locators", "locator ", "affinity-map")


def script(changes: list[Change]) -> str:
    """The changes as a file for ``vtysh -f``, each from configuration mode's top and back to it
    (so that a line is never read in the context the one before it left).

    >>> print(script([Change(("interface eth1",), "description a", True),
    ...               Change(("ip route 1.0.0.0/8 2.2.2.2",), None, False)]), end="")
    interface eth1
     no description a
    exit
    ip route 1.0.0.0/8 2.2.2.2
    """
    lines: list[str] = []
    for change in changes:
        entered = len(change.contexts)
        if change.line is None and (change.delete or not change.contexts[-1].startswith(_NODES)):
            entered -= 1  # "no X" enters nothing, nor does a one-line command ("ip route …")
        lines += [" " * min(depth, 2) + command for depth, command in enumerate(change.commands())]
        lines += ["exit"] * entered
    return "\n".join(lines) + "\n"


_REFUSED = re.compile(r"^line (?P<n>\d+): (?P<message>.*?)(?:\[\d+\])?(?:: +(?P<line>.*))?$")
# FRR's note that one of its tasks ran long (vtysh's own, reading a big file on a busy host): of
# the host's load, never of a line; its time stamp would make two renderings differ
_SLOW_TASK = re.compile(r"\[EC \d+\] (?:STARVATION|CPU HOG|WALL CLOCK): task \S+ \(\w+\) ran for \d+ms")


def vtysh_report(output: str) -> tuple[dict[int, str], list[str]]:
    """What ``vtysh -f`` said (standard output and error together, in order): the lines it refused
    (line number → FRR's message) and what it said of the others (warnings). A refusal reported as
    "Failure to communicate" takes the daemon's own message, which vtysh printed just before it.

    >>> refused, said = vtysh_report("Please remove all ip ospf area x.x.x.x commands first.\\n"
    ...     "line 3: Failure to communicate[13] to ospfd, line:  network 10.0.0.0/8 area 1\\n"
    ...     "Graceful restart configuration changed, reset all peers to take effect\\n"
    ...     "r1# 2026/12/02 16:47:28 [PHJDC-499N2][EC 100663314] STARVATION: task vtysh_rl_read "
    ...     "(564a97ea2d80) ran for 11382ms (cpu time 125ms)\\n")
    >>> refused, said
    ({3: 'Please remove all ip ospf area x.x.x.x commands first.'}, \
['Graceful restart configuration changed, reset all peers to take effect'])
    """
    refused: dict[int, str] = {}
    said: list[str] = []
    for raw in output.splitlines():
        line = raw.strip()
        if _SLOW_TASK.search(line):
            continue
        found = _REFUSED.match(line)
        if found is None:
            if line:
                said.append(line)
            continue
        message = found["message"].strip()
        if message.startswith("Failure to communicate") and said:
            message = said.pop()
        refused.setdefault(int(found["n"]), message)
    return refused, said


@dataclass
class Outcome:
    """How converging a device onto a target ended: ``left`` empty means it runs the target."""

    left: list[Change] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # "command: FRR's message", for lines it refused
    warnings: list[str] = field(default_factory=list)  # what FRR said of lines it accepted
    passes: int = 0


def _shorten_undone(originals: list[Change], applied: dict[Change, Change], shorter: dict[Change, Change]) -> None:
    """A removal sent alone, taken and not done: its shorter form next."""
    for change in originals:
        if change.delete and change in applied and applied[change] is shorter.get(change, change):
            retry = applied[change].shortened()
            if retry is not None:
                shorter[change] = retry


def _one_at_a_time(apply: Callable[[str], str], originals: list[Change], todo: list[Change],
                   shorter: dict[Change, Change], outcome: Outcome) -> dict[Change, Change]:
    """Each change sent alone; a refused one tried next in its shorter form, or, with none, a
    refusal. What was sent for each change that FRR took."""
    applied = dict(zip(originals, todo, strict=True))
    for original, change in zip(originals, todo, strict=True):
        refused, said = vtysh_report(apply(script([change])))
        outcome.warnings += said
        if not refused:
            continue
        retry = change.shortened()
        if retry is None:
            outcome.refusals.append(f"{' / '.join(change.commands())}: {next(iter(refused.values()))}")
        else:
            shorter[original] = retry
            applied.pop(original)
    return applied


def converge(read: Callable[[], str], apply: Callable[[str], str], target: str, passes: int = 4,
             running: str | None = None) -> Outcome:
    """Bring a device running ``read()`` onto ``target`` (both FRR's own rendering): apply the line
    changes FRR's reload logic computes with ``apply`` (a ``vtysh -f`` text; it returns what vtysh
    said, refusals included), then read again, until nothing is left. The first pass sends every
    change at once; what is left after it goes one change at a time (FRR rejects a whole group of
    commands for one refusal), and a removal FRR refuses alone, or takes without doing it, is tried
    in its shorter form (``no description TEXT`` → ``no description``). A line refused alone in
    every form ends it. The last read is the judge; ``running``, when given, is what the device
    runs now (read by the caller), and spares the first read."""
    outcome = Outcome()
    shorter: dict[Change, Change] = {}
    applied: dict[Change, Change] = {}  # what the last one-at-a-time pass sent for each change
    for outcome.passes in range(1, passes + 1):
        current = running if outcome.passes == 1 and running is not None else read()
        originals = changes(current, target, rendered=True)
        if not originals:
            outcome.left = []
            return outcome
        _shorten_undone(originals, applied, shorter)
        todo = [shorter.get(c, c) for c in originals]
        if outcome.passes == 1:
            _, said = vtysh_report(apply(script(todo)))
            outcome.warnings += said
            continue
        applied = _one_at_a_time(apply, originals, todo, shorter, outcome)
        if outcome.refusals:
            break
    outcome.left = changes(read(), target, rendered=True)
    return outcome

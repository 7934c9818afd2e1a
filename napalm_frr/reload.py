"""Line-level changes between two FRR configurations, computed by FRR's own reload logic.

``frr-reload.py`` (Debian package ``frr-pythontools``) knows FRR's contexts, which lines replace
which, and how each line is removed; it runs here, on the automation host, over two texts (the
device's running configuration and the candidate), both normalised by the local ``vtysh -m``.
Nothing here talks to a device.

Some lines belong to the device, not to the configuration: the version banner, the namespace
behind each VRF, the IPv6 forwarding state of a host without IPv6. A replace never removes them.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import re
import subprocess
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

FRR_RELOAD = Path("/usr/lib/frr/frr-reload.py")
VTYSH = "/usr/bin/vtysh"
_DRYRUN_ERROR = re.compile(r"^line (?P<n>\d+): (?P<message>% [^\[:]+)(\[\d+\])?: (?P<line>.*)$")
_HEADER = re.compile(r"^(Building configuration\.\.\.|Current configuration:|end)\s*$")


class ReloadUnavailable(RuntimeError):
    """FRR's reload logic is not installed on this host."""


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
        (``no ip ospf authentication message-digest`` → ``no ip ospf authentication``).

        >>> Change(("interface eth3",), "description 施設 LAN", True).shortened().commands()
        ['interface eth3', 'no description 施設']
        >>> Change(("interface eth3",), "description", True).shortened() is None
        True
        """
        target = self.line if self.line is not None else self.contexts[-1]
        words = target.split()
        if not self.delete or len(words) <= 1:  # "no description" is as short as a removal gets
            return None
        shorter = " ".join(words[:-1])
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
def _frr_reload() -> ModuleType:
    if not FRR_RELOAD.exists():
        raise ReloadUnavailable(f"{FRR_RELOAD} not found: install Debian's frr-pythontools (make setup)")
    loader = importlib.machinery.SourceFileLoader("frr_reload", str(FRR_RELOAD))
    spec = importlib.util.spec_from_loader("frr_reload", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # FRR 8.4's script has regexes Python 3.12 warns about
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        loader.exec_module(module)
    module.log = logging.getLogger("napalm_frr.frr_reload")  # the script sets its logger up in main()
    return module


def clean(config: str) -> str:
    """A configuration as text without vtysh's header lines and trailing ``end``."""
    return "\n".join(line for line in config.splitlines() if not _HEADER.match(line)).strip() + "\n"


@cache
def _piped_vtysh() -> type:
    """frr-reload's ``Vtysh``, fed through a pipe: a configuration with its secrets never touches a
    file, not even a private temporary one."""
    module = _frr_reload()

    class PipedVtysh(module.Vtysh):  # type: ignore[name-defined,misc]
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
            return stdout.decode("utf-8")

    return PipedVtysh


def _load(text: str):
    module = _frr_reload()
    config = module.Config(_piped_vtysh()(clean(text)))
    config.load_from_file("/dev/stdin")
    return config


# frr-reload never removes these (it protects its own access); a replace must, or a vty password
# or an "exec-timeout 0 0" set by hand would outlive every provisioning run.
RELOAD_KEEPS = ("password", "enable password", "line vty")


def _kept_by_frr_reload(new, old) -> list[Change]:
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


def changes(running: str, candidate: str, replace: bool = True) -> list[Change]:
    """What turns ``running`` into ``candidate``: removals first, then additions. A merge
    (``replace=False``) only adds."""
    module = _frr_reload()
    new, old = _load(candidate), _load(running)
    to_add, to_delete = module.compare_context_objects(new, old)
    removals = [Change(tuple(k), line, True) for k, line in to_delete if line != "!"] if replace else []
    if replace:
        removals += _kept_by_frr_reload(new, old)
    additions = [Change(tuple(k), line, False) for k, line in to_add if line != "!"]
    return [c for c in removals + additions if not _device_owned(c)]


def syntax_errors(config: str) -> list[str]:
    """Lines FRR's parser refuses, checked by the local ``vtysh --dryrun`` (no daemon involved);
    each as ``line N: <line>: <vtysh's message>``.

    >>> syntax_errors("interface eth1\\n ip ospf frobnicate\\nexit\\n")
    ['line 2: ip ospf frobnicate: % Unknown command']
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


def canonical(config: str) -> str:
    """``config`` as a reviewer compares it: FRR's contexts in sorted order, each with its lines
    sorted, without vtysh's header and the device's own lines (version, VRF namespaces). Two
    configurations FRR treats alike read alike, so a diff shows only what changes."""
    parsed = _load(config)
    blocks = []
    for keys, context in sorted(parsed.contexts.items()):
        lines = [line for line in context.lines if line != "!"
                 and not _device_owned(Change(tuple(keys), line, False))]
        if _device_owned(Change(tuple(keys), None, False)) and not lines:
            continue
        head = [" " * depth + key for depth, key in enumerate(keys)]
        blocks.append("\n".join(head + sorted(" " * len(keys) + line for line in lines)))
    return "\n".join(blocks) + "\n"

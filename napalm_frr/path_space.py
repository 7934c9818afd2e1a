"""An FRR's own paths, in the mount namespace its boot makes (scratch FRRs and the twin's routers).

FRR 8.4 compiles in paths that ``-N NAME`` does not change: each daemon's log buffer in
``/var/tmp/frr/<daemon>.<pid>``, and ospfd's graceful-restart state in
``/var/run/frr/ospfd-gr.json``, which ospfd reads and rewrites whenever an OSPF instance is made.
Mounted over with the FRR's own folders, they are never the host's nor another FRR's. The boot
scripts are constant shell text: the paths and the name arrive as positional parameters (see
:func:`boot_parameters`), which the shell never parses.
"""

from __future__ import annotations

from pathlib import Path

# $2 its crash-log folder, $3 its name, $4 its /var/run/frr, $5 its run folder (FRR's path space
# at /var/run/frr/NAME, which the host sees through a bind mount of its own)
OWN_PATHS = ('mount --bind "$2" /var/tmp/frr && mount --bind "$4" /var/run/frr && '
             'mount --bind "$5" "/var/run/frr/$3" && hostname "$3"')


def boot_parameters(home: Path, name: str) -> list[str]:
    """The positional parameters of a boot script for the FRR named ``name`` whose folders are in
    ``home``: ``$1`` is its folder for ``/var/run/netns``.

    >>> boot_parameters(Path("/lab/r1"), "r1")[2:]
    ['r1', '/lab/r1/frr-run', '/lab/r1/run']
    """
    return [str(home / "netns"), str(home / "crashlog"), name, str(home / "frr-run"), str(home / "run")]


def own_folders(home: Path, name: str) -> list[Path]:
    """The folders FRR's daemons write to, user frr's: run, crash-log and /var/run/frr (with the
    run folder's mount point at ``name``)."""
    return [home / "run", home / "crashlog", home / "frr-run", home / "frr-run" / name]

"""Files and folders written safely, as a tool that runs as root and holds every device secret must.

- ``write_atomic``: a file is replaced whole (readers never see half of it), through a new file
  created exclusively beside it, so a symbolic link planted at the path is replaced, never followed;
  its mode is set before a byte is written.
- ``private_folder``: a state folder is created (mode 0700), or, if it exists, it must be
  a real folder owned by the invoking user and writable by nobody else, on a path nobody else can
  redirect (every parent owned by root or the user, and not writable by others unless sticky).
- ``mount_points``: where something is mounted, bind mounts included.

``write_atomic``, ``private_folder`` and ``mount_points`` are ``napalm_frr.host``'s (the driver needs them
too), handed on here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from napalm_frr.host import UnsafeFolder, check_parents, mount_points, owner_name, private_folder, write_atomic

__all__ = ["OutsideLink", "Refused", "UnsafeFolder", "mount_points", "private_folder", "refuse_outside_links",
           "trusted_file", "write_atomic"]


def trusted_file(path: Path) -> Path:
    """``path`` if it can be trusted as the invoking user's own (what it says is acted on: ports to
    send a password to, host keys to accept): a regular file owned by the user or root, writable by
    nobody else, in a folder nobody else can change. Raises :class:`UnsafeFolder` otherwise.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); (folder / "f").write_text("{}")
    2
    >>> trusted_file(folder / "f") == folder / "f"
    True
    >>> (folder / "f").chmod(0o666); trusted_file(folder / "f")
    Traceback (most recent call last):
    napalm_frr.host.UnsafeFolder: ... is writable by group or others (mode 666): muronet does not trust it
    """
    path = Path(os.path.abspath(path))
    check_parents(path.parent)
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFolder(f"{path} is not a regular file")
    if info.st_uid not in (0, os.geteuid()):
        raise UnsafeFolder(f"{path} belongs to {owner_name(info.st_uid)}: muronet does not trust it")
    if info.st_mode & 0o022:
        raise UnsafeFolder(f"{path} is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}): "
                           "muronet does not trust it")
    return path


class Refused(Exception):
    """Input muronet refuses to read at all (exit 2): the message starts with its path."""


class OutsideLink(Refused):
    """A symbolic link in the source of truth that leads outside its repository: muronet never
    follows one (a change could otherwise make a review or a rendering read any file of the host)."""


def refuse_outside_links(folder: Path, root: Path) -> None:
    """Raise :class:`OutsideLink` (``path: …``) for the first symbolic link under ``folder`` whose
    target, followed to its end, is not inside ``root``; links within ``root`` are fine.

    >>> import tempfile; root = Path(tempfile.mkdtemp()); (root / "inventory").mkdir()
    >>> (root / "inventory" / "ok.yaml").symlink_to("../README"); refuse_outside_links(root / "inventory", root)
    >>> (root / "inventory" / "x.yaml").symlink_to("/etc/passwd")
    >>> refuse_outside_links(root / "inventory", root)
    Traceback (most recent call last):
    muronet.files.OutsideLink: .../inventory/x.yaml: a symbolic link to /etc/passwd, outside the repository ...
    """
    inside = os.path.realpath(root)
    for top, folders, files in os.walk(folder, followlinks=False):
        for name in (*folders, *files):
            path = os.path.join(top, name)
            if os.path.islink(path) and not _within(os.path.realpath(path), inside):
                raise OutsideLink(f"{path}: a symbolic link to {os.readlink(path)}, outside the repository "
                                  f"{root} (muronet does not follow it)")


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")

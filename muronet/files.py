"""Files and folders written safely, as a tool that runs as root and holds every device secret must.

- ``write_atomic``: a file is replaced whole (readers never see half of it), through a new file
  created exclusively beside it, so a symbolic link planted at the path is replaced, never followed;
  its mode is set before a byte is written.
- ``private_folder``: a state folder is created by muronet (mode 0700), or, if it exists, it must be
  a real folder owned by the invoking user and writable by nobody else, on a path nobody else can
  redirect (every parent owned by root or the user, and not writable by others unless sticky).
- ``mount_points``: where something is mounted, bind mounts included.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path


class UnsafeFolder(RuntimeError):
    """A folder muronet will not use: the message says whose it is and why."""


def write_atomic(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` whole, replacing (not following) whatever is there.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> (folder / "target").write_text("kept"); (folder / "link").symlink_to(folder / "target")
    4
    >>> write_atomic(folder / "link", "new")
    >>> (folder / "target").read_text(), (folder / "link").is_symlink()
    ('kept', False)
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def private_folder(path: Path, owner: int | None = None, mode: int = 0o700, create: bool = True) -> Path:
    """``path`` as a folder only ``owner`` (default: the invoking user) can change; created with
    ``mode`` if missing (with ``create``). Returns the absolute path. Raises :class:`UnsafeFolder`
    otherwise, and FileNotFoundError for a missing folder that is not to be created."""
    owner = os.geteuid() if owner is None else owner
    path = Path(os.path.abspath(path))
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    _check_parents(path.parent)
    created = False
    if create:
        try:
            os.mkdir(path, mode)
            created = True
        except FileExistsError:
            pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFolder(f"{path} is a symbolic link; a state folder must be a real folder")
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeFolder(f"{path} exists and is not a folder")
    if created and info.st_uid != owner:
        os.chown(path, owner, -1)
        info = os.lstat(path)
    if info.st_uid != owner:
        raise UnsafeFolder(f"{path} belongs to {_user(info.st_uid)}, not to {_user(owner)}: muronet does not use "
                           "a state folder someone else made; remove it or choose another")
    if info.st_mode & 0o022:
        raise UnsafeFolder(f"{path} is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}); "
                           f"chmod go-w {path}, or remove it and let muronet create it")
    if created or stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)
    return path


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
    muronet.files.UnsafeFolder: ... is writable by group or others (mode 666): muronet does not trust it
    """
    path = Path(os.path.abspath(path))
    _check_parents(path.parent)
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFolder(f"{path} is not a regular file")
    if info.st_uid not in (0, os.geteuid()):
        raise UnsafeFolder(f"{path} belongs to {_user(info.st_uid)}: muronet does not trust it")
    if info.st_mode & 0o022:
        raise UnsafeFolder(f"{path} is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}): "
                           "muronet does not trust it")
    return path


def _check_parents(folder: Path) -> None:
    """No parent may let another user swap the path: each is owned by root or the invoking user,
    and writable by others only with the sticky bit (as /tmp and /var/tmp are)."""
    me = os.geteuid()
    for parent in [folder, *folder.parents]:
        try:
            info = os.stat(parent)
        except FileNotFoundError:
            continue
        writable_by_others = info.st_mode & 0o022
        if info.st_uid not in (0, me) or (writable_by_others and not info.st_mode & stat.S_ISVTX):
            raise UnsafeFolder(f"{parent} can be changed by {_user(info.st_uid)} or others (mode "
                               f"{stat.S_IMODE(info.st_mode):o}): a state folder below it is not safe")


def _user(uid: int) -> str:
    import pwd

    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"uid {uid}"


def mount_points() -> set[str]:
    """Every mount point of this mount namespace (a bind mount within one file system is one that
    ``os.path.ismount`` does not see).

    >>> "/proc" in mount_points()
    True
    """
    points = set()
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4]  # with spaces and the like as octal escapes
        points.add(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), point))
    return points


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

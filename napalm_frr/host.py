"""What the driver needs of the automation host's Linux, written once for it and for muronet
(``muronet.processes`` and ``muronet.files`` hand these on): processes named by PID and start time,
read from ``/proc``; files replaced whole; folders only their owner can change; mount points.

- ``write_atomic``: a file is replaced whole (readers never see half of it), through a new file
  created exclusively beside it, so a symbolic link planted at the path is replaced, never followed;
  its mode is set before a byte is written.
- ``private_folder``: a state folder is created (mode 0700), or, if it exists, it must be a real
  folder owned by the invoking user and writable by nobody else, on a path nobody else can redirect
  (every parent owned by root or the user, and not writable by others unless sticky).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import tempfile
import time
from collections.abc import Collection, Iterable
from pathlib import Path


def start_time(pid: int) -> int:
    """A process's start time in clock ticks since boot: with its PID, it names one process ever
    (a PID alone is reused once its process ends).

    >>> import os
    >>> start_time(os.getpid()) == start_time(os.getpid()) > 0
    True
    """
    return int(_stat(pid)[19])


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs: a zombie has ended, whoever reaps it and whenever (the
    container's init here reaps every two seconds).

    >>> import os
    >>> alive(os.getpid())
    True
    """
    try:
        state = _stat(pid)[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (which may hold spaces and ")")."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def each_process(file: str) -> dict[int, bytes]:
    """The file ``/proc/PID/<file>`` of every running process, by PID (a process that ends
    meanwhile is left out).

    >>> import os
    >>> each_process("stat")[os.getpid()].split()[0] == str(os.getpid()).encode()
    True
    """
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                found[int(entry)] = Path(f"/proc/{entry}/{file}").read_bytes()
            except OSError:
                continue
    return found


def command_lines() -> dict[int, list[str]]:
    """Every running process's command line, by PID (a kernel thread's is empty).

    >>> import os
    >>> "python" in command_lines()[os.getpid()][0]
    True
    """
    return {pid: [arg.decode(errors="replace") for arg in argv.split(b"\0")[:-1]]
            for pid, argv in each_process("cmdline").items()}


def wait_ended(pids: Iterable[int], timeout: float) -> bool:
    """Wait until every process of ``pids`` has ended, at most ``timeout`` seconds; whether they have."""
    left = list(pids)
    deadline = time.monotonic() + timeout
    while left := [pid for pid in left if alive(pid)]:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True


def terminate(pids: Collection[int], grace: float = 5.0) -> bool:
    """Stop ``pids`` (processes proven this program's: by PID file and start time, or by the
    account they run as): SIGTERM, and SIGKILL for any still running ``grace`` seconds later (at
    once with no grace); whether every one has ended, five seconds after the SIGKILL at most.

    >>> import subprocess; sleeper = subprocess.Popen(["sleep", "60"])
    >>> terminate([sleeper.pid], grace=1), sleeper.wait()
    (True, -15)
    """
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if sig == signal.SIGTERM and grace <= 0:
            continue
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        if wait_ended(pids, wait):
            return True
    return False


class UnsafeFolder(RuntimeError):
    """A folder that will not be used: the message says whose it is and why."""


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
    check_parents(path.parent)
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
        raise UnsafeFolder(f"{path} belongs to {owner_name(info.st_uid)}, not to {owner_name(owner)}: a state "
                           "folder someone else made is not used; remove it or choose another")
    if info.st_mode & 0o022:
        raise UnsafeFolder(f"{path} is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}); "
                           f"chmod go-w {path}, or remove it and let it be created anew")
    if created or stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)
    return path


def check_parents(folder: Path) -> None:
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
            raise UnsafeFolder(f"{parent} can be changed by {owner_name(info.st_uid)} or others (mode "
                               f"{stat.S_IMODE(info.st_mode):o}): a state folder below it is not safe")


def owner_name(uid: int) -> str:
    """``user NAME`` (or ``uid N`` for an unknown one), as messages name an owner."""
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

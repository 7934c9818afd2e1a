"""Processes of this machine: facts read from ``/proc``, and running a command to its end."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
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


def run(command: Sequence[str | Path], error: type[Exception] = RuntimeError, what: str = "",
        stdin: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``command`` (an argument list: no shell reads it) run to its end; its standard output. When
    it fails, ``error`` names it (``what``, or its first words), its exit status and the last
    lines it printed.

    >>> run(["echo", "hi"])
    'hi\\n'
    >>> run(["sh", "-c", "echo no >&2; exit 3"], what="the test")
    Traceback (most recent call last):
    ...
    RuntimeError: the test (exit 3): no
    """
    done = subprocess.run([str(part) for part in command], input=stdin, capture_output=True, encoding="utf-8",
                          errors="replace", env=None if env is None else dict(env), check=False)
    if done.returncode != 0:
        said = "\n".join((done.stderr.strip() or done.stdout.strip()).splitlines()[-15:])
        name = what or " ".join(str(part) for part in command[:4])
        raise error(f"{name} (exit {done.returncode}): {said}")
    return done.stdout


def git(repo: Path, *args: str, error: type[Exception] = RuntimeError) -> str:
    """``git -C repo ARGS`` run to its end (see :func:`run`); its standard output.

    >>> git(Path("/"), "--version").startswith("git version")
    True
    """
    return run(["git", "-C", repo, *args], error, what=f"git {' '.join(args)}")

"""Facts about processes of this machine, read from ``/proc``."""

from __future__ import annotations

from pathlib import Path


def start_time(pid: int) -> int:
    """A process's start time in clock ticks since boot: with its PID, it names one process ever
    (a PID alone is reused once its process ends).

    >>> import os
    >>> start_time(os.getpid()) == start_time(os.getpid()) > 0
    True
    """
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])

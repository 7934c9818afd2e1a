"""NetBox's first install started early, so that the tests before NetBox's own overlap it."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import ClassVar

from support import REPO


class NetBoxPrewarm:
    """NetBox's first install (its venv, a few minutes on a fresh machine under the tests' load)
    started in the background when the session begins, in a state folder and on ports of its own,
    so the tests before ``test_netbox.py`` (sent last) overlap it. It holds a lock while it runs
    (taken before it starts, so no waiter can come first); the NetBox fixture, in whichever worker
    runs it, waits on the lock."""

    STATE: ClassVar[dict[str, str]] = {
        "MURONET_NETBOX_STATE": "/var/tmp/muronet-netbox-prewarm", "MURONET_NETBOX_PORT": "8767",
        "MURONET_NETBOX_PG_PORT": "5435", "MURONET_NETBOX_REDIS_PORT": "6382"}
    LOCK = Path("/var/tmp/muronet-netbox-prewarm.lock")

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    def start(self) -> None:
        if os.geteuid() != 0 or self.process is not None:
            return
        self.log = Path(tempfile.mkdtemp(prefix="muronet-netbox-prewarm-")) / "prepare.log"
        env = {**os.environ, **self.STATE}
        lock = os.open(self.LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the child inherits it and holds it until it ends
            with open(self.log, "wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", "from muronet.netbox.service import LocalNetBox; LocalNetBox().prepare()"],
                    env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                    pass_fds=(lock,))
        finally:
            os.close(lock)

    def wait(self) -> None:
        """Until the install is done, from any process (a failed one is the fixture's to redo and report)."""
        if self.LOCK.exists():
            lock = os.open(self.LOCK, os.O_RDONLY)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
            finally:
                os.close(lock)

    def end(self) -> None:
        if self.process is not None:
            self.process.wait()
            shutil.rmtree(self.log.parent, ignore_errors=True)  # type: ignore[union-attr]
            self.process = None


NETBOX_PREWARM = NetBoxPrewarm()

"""This process's warm scratch FRRs (``ScratchPool``): a few instances, each emptied after use,
rendering from many threads, stopped when the process ends."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from napalm_frr.host import (
    private_folder,
)
from napalm_frr.scratch.instance import (
    DAEMONS,
    FULL,
    LEAN,
    POOL_SIZE,
    ROOT,
    Instance,
    Rendering,
    ScratchError,
    needs_vrrpd,
)
from napalm_frr.scratch.stale import claim, clean_stale

_NUMBERS = itertools.count()  # instance numbers of this process: two pools never share a name


class ScratchPool:
    """Warm scratch FRRs for this process, ``full`` of them with vrrpd (``needs_vrrpd``); ``render``
    is safe from many threads."""

    def __init__(self, size: int = POOL_SIZE, full: int = FULL) -> None:
        self.size, self.full = size, full
        self._all: list[Instance] = []
        self._lock = threading.RLock()
        self._idle: list[Instance] = []
        self._available = threading.Condition(self._lock)
        self._closed = False
        self._home: Path | None = None
        self._booting: list[threading.Thread] = []
        self._failure = "none has started yet"
        self.reboots = 0

    def start(self) -> None:
        """Begin booting the instances (in the background) if they are not started yet."""
        with self._lock:
            if self._home is not None:
                return
            if os.geteuid() != 0:
                raise ScratchError("rendering a configuration by FRR needs root (a namespace of its own)")
            if not shutil.which("vtysh"):
                raise ScratchError("vtysh not found: install Debian's frr (make setup)")
            private_folder(ROOT, mode=0o700)
            clean_stale()
            self._home = claim(ROOT / str(os.getpid()))
            atexit.register(self.close)
            for k in range(self.size):
                n = next(_NUMBERS)
                instance = Instance(f"scr{os.getpid()}-{n}", self._home / str(n), DAEMONS if k < self.full else LEAN)
                self._all.append(instance)  # booting counts as there: take() waits for it
                self._in_background(self._add, instance)

    def _add(self, instance: Instance) -> None:
        try:
            instance.home.mkdir(mode=0o700, exist_ok=True)
            instance.create()
        except Exception as error:  # said by take() to whoever waits for an instance, not lost in this thread
            self._lost(instance, error)
            return
        self.give_back(instance)

    def _lost(self, instance: Instance, error: Exception) -> None:
        instance.remove()
        with self._available:
            if instance in self._all:
                self._all.remove(instance)
            self._failure = f"{instance.name}: {error}"
            self._available.notify_all()

    def take(self, full: bool = True, timeout: float = 60) -> Instance:
        """An idle instance, with every daemon (``full``) or any; one without vrrpd first, since
        only those with it render every text."""
        if self._closed:  # a closed pool does not start again
            raise ScratchError("the scratch FRRs are stopped")
        self.start()
        deadline = time.monotonic() + timeout
        def usable(instance: Instance) -> bool:
            return not full or instance.daemons == DAEMONS

        with self._available:
            while not (fits := [i for i in self._idle if usable(i)]):
                if not any(usable(i) for i in self._all):  # none busy, none booting
                    raise ScratchError(f"no scratch FRR could start ({self._failure})")
                if (left := deadline - time.monotonic()) <= 0:
                    raise ScratchError(f"no scratch FRR became ready within {timeout:.0f} s")
                self._available.wait(left)
            instance = min(fits, key=lambda i: len(i.daemons))
            self._idle.remove(instance)
            return instance

    def give_back(self, instance: Instance) -> None:
        """``instance``, blank, is ready for the next rendering."""
        with self._available:
            self._idle.append(instance)
            self._available.notify_all()

    def render(self, text: str, timeout: float = 60) -> Rendering:
        return self.render_on(self.take(needs_vrrpd(text), timeout), text)

    def render_on(self, instance: Instance, text: str) -> Rendering:
        """``text`` rendered by ``instance`` (taken from this pool, with vrrpd if the text needs
        it). The instance is emptied for the next text in the background: the rendering is
        answered first."""
        try:
            rendering = instance.render(text)
            if rendering is None or not instance.healthy(rendering):
                # what FRR refuses is said by vtysh -f on a freshly booted FRR (a refusal is FRR's
                # only if a blank FRR refuses it too); a daemon that died while loading leaves a
                # rendering that is not FRR's whole answer
                self.reboots += 1
                instance.stop()
                instance.boot()
                rendering = instance.render_file(text)
                if not instance.healthy(rendering):
                    raise ScratchError(f"FRR's daemons stop while loading this configuration: {rendering.warnings}")
        except ScratchError:
            self._in_background(self._reboot, instance)
            raise
        self._in_background(self._recycle, instance, rendering.text)
        return rendering

    def _recycle(self, instance: Instance, rendered: str) -> None:
        if instance.empty(rendered) and instance.healthy(Rendering("")):
            self.give_back(instance)
        else:  # something the removals did not reach: start it blank again
            self.reboots += 1
            self._reboot(instance)

    def _in_background(self, work: Any, *args: Any) -> None:
        """``work`` in a thread that :meth:`close` waits for (it boots instances)."""
        thread = threading.Thread(target=work, args=args, daemon=True)
        with self._lock:
            self._booting = [*(t for t in self._booting if t.is_alive()), thread]
        thread.start()

    def _reboot(self, instance: Instance) -> None:
        instance.stop()
        try:
            instance.boot()
        except Exception as error:
            self._lost(instance, error)
            return
        if not self._closed:
            self.give_back(instance)

    def close(self) -> None:
        """Stop every instance by PID and remove what they made."""
        self._closed = True
        for thread in list(self._booting):  # an instance still booting would mount after the removal
            thread.join(timeout=60)
        with self._lock:
            instances, self._all = self._all, []
            home, self._home = self._home, None
        for instance in instances:
            instance.remove()
        if home is not None and not any(folder.is_dir() for folder in home.glob("*")):  # another pool's stay
            shutil.rmtree(home, ignore_errors=True)



_POOL: ScratchPool | None = None
_POOL_LOCK = threading.Lock()


def warm_pool() -> ScratchPool:
    """This process's warm scratch FRRs (started on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ScratchPool()
        return _POOL


def render(text: str) -> Rendering:
    """FRR's rendering of ``text`` by this process's warm scratch FRRs."""
    return warm_pool().render(text)


def stop() -> None:
    """Stop this process's warm scratch FRRs now (the next rendering starts them again)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()

"""Renderings kept and started ahead: each text's rendering cached on disk under the hash of its
secretless form (``napalm_frr.masking``), and :func:`prepare` rendering the texts an orchestrator
knows in advance, the longest first, while it logs into the devices."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import secrets
import threading
from collections.abc import Iterable
from concurrent.futures import CancelledError, Future
from functools import cache
from pathlib import Path

from napalm_frr.host import (
    UnsafeFolder,
    private_folder,
    write_atomic,
)
from napalm_frr.masking import placeholder, tokenized
from napalm_frr.scratch.instance import DAEMONS, POOL_SIZE, LineError, Rendering, ScratchError, needs_vrrpd, run
from napalm_frr.scratch.pool import render, stop, warm_pool

RENDERING = 2  # raise when the rendering changes: cached renderings of older ones are not used
CACHE = Path(os.environ.get("MURONET_CANONICAL_CACHE", str(Path.home() / ".cache" / "muronet" / "frr-canonical")))
_SHOWN_KEY = secrets.token_bytes(16)  # placeholders of secrets in messages: this process's own


@cache
def frr_version() -> str:
    return run("vtysh", "--version").stdout.strip()


def canonical(text: str) -> Rendering:
    """FRR's rendering of ``text``, from the cache when FRR rendered the same text before.

    The scratch FRR never sees a secret: every secret becomes a token of its length first, and
    comes back in FRR's text afterwards, so neither the scratch nor the cache holds one (messages
    show a secret as its placeholder). A text whose secrets FRR would transform (``service
    password-encryption``), or whose secrets cannot be found (no secret reader is registered:
    :mod:`napalm_frr.masking`), is rendered as it is, and not kept."""
    secretless = tokenized(text) if _keepable(text) else None
    keep = secretless is not None
    masked, tokens = secretless if secretless is not None else (text, {})
    key = _key(masked)
    with _PREPARED_LOCK:
        prepared = _PREPARED.pop(key, None)
    rendering = None
    if prepared is not None:  # waited for even before it starts: the instances render the longest first
        with contextlib.suppress(CancelledError):  # dropped by shutdown()
            rendering = prepared.result()
    if rendering is None:
        rendering = (_cached(key) if keep else None) or _rendered(masked, key, keep)

    def real(value: str) -> str:
        for token, secret in tokens.items():
            value = value.replace(token, secret)
        return value

    def shown(value: str) -> str:
        for token, secret in tokens.items():
            value = value.replace(token, placeholder(secret, _SHOWN_KEY))
        return value

    errors = [LineError(e.line, shown(e.text), shown(e.message)) for e in rendering.errors]
    return Rendering(real(rendering.text), errors, [shown(w) for w in rendering.warnings])


def _keepable(text: str) -> bool:
    """Whether ``text``'s secrets can be kept out of the scratch FRR and the cache: FRR would transform
    them under ``service password-encryption`` (the tokens would not come back)."""
    return "password-encryption" not in text


def _key(masked: str) -> str:
    return hashlib.sha256(f"{RENDERING}\n{frr_version()}\n{masked}".encode()).hexdigest()


def _rendered(masked: str, key: str, keep: bool) -> Rendering:
    return _kept(render(masked), key, keep)


def _kept(rendering: Rendering, key: str, keep: bool) -> Rendering:
    if keep and not rendering.errors:
        _keep(key, rendering)
    return rendering


# Renderings started ahead of their use (``prepare``), by cache key: tokenized texts, no secret.
_PREPARED: dict[str, Future[Rendering]] = {}
_PREPARED_LOCK = threading.Lock()

_Job = tuple[str, str, "Future[Rendering]"]  # masked text, cache key, its rendering to come


class _Jobs:
    """Renderings to start, the longest text first (the last one started decides when all are
    done), each text vrrpd must read kept for an instance that has it."""

    def __init__(self, jobs: Iterable[_Job]) -> None:
        self._lock = threading.Lock()
        ordered = sorted(jobs, key=lambda job: -len(job[0]))
        self._vrrp = [job for job in ordered if needs_vrrpd(job[0])]
        self._lean = [job for job in ordered if not needs_vrrpd(job[0])]

    def __len__(self) -> int:
        with self._lock:
            return len(self._vrrp) + len(self._lean)

    def only_vrrp_left(self) -> bool:
        with self._lock:
            return not self._lean

    def next(self, full: bool) -> _Job | None:
        """The next text for an instance with vrrpd (``full``) or without: vrrpd's first."""
        with self._lock:
            for jobs in ((self._vrrp, self._lean) if full else (self._lean,)):
                if jobs:
                    return jobs.pop(0)
            return None

    def fail(self, error: BaseException) -> None:
        with self._lock:
            jobs, self._vrrp, self._lean = [*self._vrrp, *self._lean], [], []
        for _, _, future in jobs:
            if future.set_running_or_notify_cancel():
                future.set_exception(error)


def prepare(texts: Iterable[str], at_once: int = POOL_SIZE) -> int:
    """Start FRR's rendering of every text not rendered yet, ``at_once`` at a time in the
    background, the longest first: :func:`canonical` of one of them then waits for it, so the
    scratch FRRs work while the caller does something else (logs in), in the order that ends
    soonest. Returns how many renderings it started.

    A text whose secrets FRR would transform is left to :func:`canonical` (it is not kept).
    When the cache holds fewer renderings than there are texts, some must be rendered: the
    scratch FRRs start booting first, since finding the texts' cache keys loads the secret reader
    (0.3 s of one core) and the boot fills the other."""
    texts = list(texts)
    if texts and _cached_count(len(texts)) < len(texts):
        warm_pool().start()
    found: list[_Job] = []
    for text in texts:
        secretless = tokenized(text) if _keepable(text) else None
        if secretless is None:  # rendered when asked for, and not kept
            continue
        masked = secretless[0]
        key = _key(masked)
        if _cached(key) is not None:
            continue
        with _PREPARED_LOCK:
            if key in _PREPARED:
                continue
            _PREPARED[key] = future = Future[Rendering]()
        found.append((masked, key, future))
    jobs = _Jobs(found)
    for _ in range(min(at_once, len(found))):  # daemon threads: a rendering nobody waits for ends with the process
        threading.Thread(target=_render_prepared, args=(jobs,), daemon=True).start()
    return len(found)


def _render_prepared(jobs: _Jobs) -> None:
    """Render jobs as instances come free: each instance takes the longest text it can render."""
    pool = warm_pool()
    while jobs:
        try:  # any instance while a text without vrrpd is left, else one with vrrpd
            instance = pool.take(full=jobs.only_vrrp_left())
        except ScratchError as error:
            jobs.fail(error)
            return
        job = jobs.next(full=instance.daemons == DAEMONS)
        if job is None or not job[2].set_running_or_notify_cancel():  # none for it, or dropped by shutdown()
            pool.give_back(instance)
            continue
        masked, key, future = job
        try:
            future.set_result(_kept(pool.render_on(instance, masked), key, keep=True))
        except BaseException as error:  # canonical() raises it where the text is used
            future.set_exception(error)


def _cached_count(enough: int) -> int:
    """How many renderings the cache holds, counted up to ``enough``."""
    try:
        with os.scandir(CACHE) as entries:
            return sum(1 for _ in itertools.islice(entries, enough))
    except OSError:
        return 0


def _cached(key: str) -> Rendering | None:
    try:
        data = json.loads((CACHE / key).read_text())
        return Rendering(data["text"], [], data["warnings"])
    except (OSError, ValueError, KeyError):
        return None


def _keep(key: str, rendering: Rendering) -> None:
    try:
        private_folder(CACHE)
        write_atomic(CACHE / key, json.dumps({"text": rendering.text, "warnings": rendering.warnings}), mode=0o600)
    except (OSError, UnsafeFolder):
        pass  # a cache that cannot be written only costs time




def shutdown() -> None:
    """Stop this process's scratch FRRs now (they also stop when the process ends); the next
    rendering starts them again. Renderings :func:`prepare` has not started yet are dropped."""
    with _PREPARED_LOCK:
        prepared = list(_PREPARED.values())
        _PREPARED.clear()
    for future in prepared:
        future.cancel()
    stop()

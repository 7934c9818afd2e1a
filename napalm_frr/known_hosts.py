"""The known-hosts lines of one host, for one login.

Paramiko parses every line of a known-hosts file at every connection (a key object per line), so
a run over N devices whose keys share one file parses N² keys: 2,500 for the twin's 50 routers,
a million for a 1,000-device city. Each login gets a file holding only the lines that can match
its host instead, cut once per file version: the lines that name it (paramiko compares names
exactly: no patterns), hashed lines whose hash is its name's, and ``@`` marker lines. Paramiko's
answer on that file is its answer on the whole one. Known-hosts files hold public keys only; the
cut files go to a folder of this process (mode 0700), removed when it ends.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from paramiko.hostkeys import HostKeys

_FOLDER: Path | None = None
_LOCK = threading.Lock()

SSH_PORT = 22  # a host on it is written bare, on any other as [host]:port
KEY_LINE_FIELDS = 3  # hosts, key type, key (a comment may follow)


def host_entry(host: str, port: int) -> str:
    """The name a known-hosts line gives a host at ``port``.

    >>> host_entry("127.0.0.1", 2201), host_entry("router.example", 22)
    ('[127.0.0.1]:2201', 'router.example')
    """
    return host if port == SSH_PORT else f"[{host}]:{port}"


def lines_for(text: str, entry: str) -> list[str]:
    """The lines of a known-hosts ``text`` that can match ``entry``.

    >>> hashed = HostKeys.hash_host("[127.0.0.1]:2201")
    >>> text = (f"[127.0.0.1]:2201 ssh-ed25519 AAAA1\\n[127.0.0.1]:2202 ssh-ed25519 AAAA2\\n"
    ...         f"{hashed} ssh-ed25519 AAAA3\\n")
    >>> [line.split()[-1] for line in lines_for(text, "[127.0.0.1]:2201")]
    ['AAAA1', 'AAAA3']
    """
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < KEY_LINE_FIELDS or line.lstrip().startswith("#"):
            continue
        names = fields[0]
        if names.startswith("@"):
            found.append(line)
        elif names.startswith("|1|"):
            salt = names.split("|")[2]
            if HostKeys.hash_host(entry, salt) == names:
                found.append(line)
        elif entry in names.split(","):
            found.append(line)
    return found


@lru_cache(maxsize=64)
def _read(path: str, version: tuple[int, int]) -> str:
    return Path(path).read_text(errors="replace")


def for_login(files: list[Path], host: str, port: int) -> Path:
    """A known-hosts file with the lines of ``files`` that can match ``host`` at ``port``."""
    entry = host_entry(host, port)
    lines: list[str] = []
    for path in files:
        if path.is_file():
            stat = path.stat()
            lines += lines_for(_read(str(path), (stat.st_mtime_ns, stat.st_size)), entry)
    text = "".join(f"{line}\n" for line in lines)
    cut = _folder() / hashlib.sha256(f"{entry}\n{text}".encode()).hexdigest()
    if not cut.exists():
        partial = cut.with_suffix(f".{threading.get_ident()}")
        partial.write_text(text)
        partial.replace(cut)
    return cut


def _folder() -> Path:
    global _FOLDER
    with _LOCK:
        if _FOLDER is None:
            _FOLDER = Path(tempfile.mkdtemp(prefix="muronet-known-hosts-"))
            atexit.register(shutil.rmtree, _FOLDER, True)
        return _FOLDER

"""Processes of this machine: facts read from ``/proc`` (``napalm_frr.host``'s, handed on here), and
running a command to its end."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from napalm_frr.host import alive, command_lines, each_process, start_time, terminate, wait_ended

__all__ = ["alive", "command_lines", "diff_files", "each_process", "git", "git_blobs", "run", "start_time",
           "terminate", "wait_ended"]


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


# Whatever the repository's, the user's or the system's configuration says, git runs no program
# of theirs for muronet: no file-system monitor, no hook, no external diff or text conversion, no
# pager, no credential prompt. (Filters of .gitattributes run only when a working tree file is
# read or written: the review reads revisions as raw blobs, never through them.)
_GIT_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "diff.external=",
             "-c", "core.pager=cat", "-c", "credential.helper=", "--no-pager")
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_EXTERNAL_DIFF": "",
            "GIT_PAGER": "cat"}


def git(repo: Path, *args: str, error: type[Exception] = RuntimeError, stdin: str | None = None) -> str:
    """``git -C repo ARGS`` run to its end (see :func:`run`) with every hook, monitor and external
    program of any git configuration off; its standard output.

    >>> git(Path("/"), "--version").startswith("git version")
    True
    """
    return run(["git", *_GIT_SAFE, "-C", repo, *args], error, what=f"git {' '.join(args)}", stdin=stdin,
               env=_git_environment())


def _git_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | _GIT_ENV


def git_blobs(repo: Path, names: Sequence[str], error: type[Exception] = RuntimeError) -> list[bytes]:
    """The raw contents of the objects ``names`` (blob ids) of ``repo``, in order, as git stores
    them: no filter, text conversion or line-ending rule of any ``.gitattributes`` applies.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = git(folder, "init", "-q"); blob = git(folder, "hash-object", "-w", "--stdin", stdin="hi\\n").strip()
    >>> git_blobs(folder, [blob])
    [b'hi\\n']
    """
    done = subprocess.run(["git", *_GIT_SAFE, "-C", str(repo), "cat-file", "--batch"], capture_output=True,
                          input="".join(f"{name}\n" for name in names).encode(), env=_git_environment(), check=False)
    if done.returncode != 0:
        raise error(f"git cat-file (exit {done.returncode}): {done.stderr.decode(errors='replace').strip()}")
    found, position, out = [], 0, done.stdout
    for name in names:
        header_end = out.index(b"\n", position)
        match out[position:header_end].split():
            case [_, _, size_field]:  # "<object> <type> <size>"
                size = int(size_field)
            case _:
                raise error(f"git cat-file: {name}: {out[position:header_end].decode(errors='replace')}")
        found.append(out[header_end + 1:header_end + 1 + size])
        position = header_end + 2 + size
    return found


def diff_files(before: Path, after: Path, error: type[Exception] = RuntimeError) -> str:
    """``git diff --no-index -U0`` of two plain files: git's line matching, with no configuration
    (system, user or repository: it runs outside any repository) and no external diff or text
    conversion; the patch ("" when they are equal).

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a").write_text("1\\n2\\n"), (folder / "b").write_text("1\\nzwei\\n")
    >>> [line for line in diff_files(folder / "a", folder / "b").splitlines() if line.startswith("@@")]
    ['@@ -2 +2 @@']
    """
    with tempfile.TemporaryDirectory(prefix="muronet-diff-") as neutral:
        environment = _git_environment() | {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                                            "GIT_CEILING_DIRECTORIES": str(Path(neutral).parent), "HOME": neutral}
        done = subprocess.run(["git", *_GIT_SAFE, "diff", "--no-index", "--no-ext-diff", "--no-textconv",
                               "--no-color", "-U0", "--", str(before), str(after)], cwd=neutral,
                              capture_output=True, encoding="utf-8", errors="replace", env=environment, check=False)
    if done.returncode not in (0, 1):  # 1: they differ
        raise error(f"git diff (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout

"""A real local NetBox for the project: NetBox from PyPI in its own Python 3.12 venv, PostgreSQL 15
and Redis from Debian, every daemon on 127.0.0.1 (``muronet netbox up|status|down``).

Each daemon keeps its files in a folder of its own that only it can change: the state folder is
root's (mode 0700: NetBox's ``configuration.py``, which gunicorn imports as root, the secrets, the
logs), PostgreSQL's cluster is user postgres's (``STATE-postgres``), Redis runs as user redis with a
password (``STATE-redis``: any local user can reach 127.0.0.1, and a Redis anyone can talk to writes
files wherever its user may). An existing folder someone else owns or can write to is refused.

A new database is restored from a dump of NetBox's migrated empty database: the one this package
ships for its NetBox version (``data/``, made by ``make netbox-schema``), or one the cache folder
keeps; only without either is it migrated (336 migrations, ≈ 6 min of Python CPU here) and the
result dumped into the cache. The venv lives in the cache too.
Secrets (database password, Django secret key, token pepper, the API token) are generated per state
folder and kept there, mode 600; none of them is ever in the cache, the repository or a log.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import requests

from muronet.files import UnsafeFolder, private_folder, write_atomic
from muronet.processes import alive, run, terminate

NETBOX_VERSION = "4.7.3"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SHIPPED_DUMP = Path(__file__).parent / "data" / f"netbox-{NETBOX_VERSION}-migrated.sql.gz"
Progress = Callable[[str], None]

MAX_PORT = 65535


class ServiceError(RuntimeError):
    """The local NetBox could not be started or stopped; the message says which step and why."""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) <= MAX_PORT:
        raise ServiceError(f"{name}={value!r} is not a TCP port")
    return int(value)


def find_python312() -> str:
    """Python 3.12 for NetBox's venv: ``MURONET_NETBOX_PYTHON``, then pyenv's, then ``PATH``."""
    candidates = [os.environ.get("MURONET_NETBOX_PYTHON", ""),
                  *sorted(glob.glob("/root/.pyenv/versions/3.12*/bin/python3.12"), reverse=True),
                  shutil.which("python3.12") or ""]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ServiceError("NetBox 4.7 needs Python 3.12: set MURONET_NETBOX_PYTHON to a python3.12")


@dataclass(frozen=True)
class LocalNetBox:
    """Where the local NetBox keeps its data (``state``) and what it reuses between states (``cache``)."""

    state: Path = field(default_factory=lambda: Path(os.environ.get("MURONET_NETBOX_STATE", "/var/tmp/muronet-netbox")))
    cache: Path = field(default_factory=lambda: Path(
        os.environ.get("MURONET_NETBOX_CACHE", Path.home() / ".cache" / "muronet" / "netbox")))
    http_port: int = field(default_factory=lambda: _env_int("MURONET_NETBOX_PORT", 8765))
    pg_port: int = field(default_factory=lambda: _env_int("MURONET_NETBOX_PG_PORT", 5433))
    redis_port: int = field(default_factory=lambda: _env_int("MURONET_NETBOX_REDIS_PORT", 6380))
    shipped: Path | None = SHIPPED_DUMP  # None: migrate (what ``make netbox-schema`` does)

    # --- where things are ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def venv(self) -> Path:
        return self.cache / f"venv-{NETBOX_VERSION}"

    @property
    def dump(self) -> Path:
        return self.cache / f"netbox-{NETBOX_VERSION}-migrated.sql.gz"

    @property
    def restorable(self) -> Path | None:
        """The dump a new database starts from, if there is one."""
        return next((d for d in (self.shipped, self.dump) if d is not None and d.exists()), None)

    @property
    def pg_state(self) -> Path:
        """PostgreSQL's folder (user postgres's): the cluster, its socket and its log."""
        return self.state.with_name(self.state.name + "-postgres")

    @property
    def pgdata(self) -> Path:
        return self.pg_state / "data"

    @property
    def redis_state(self) -> Path:
        """Redis's folder (user redis's): its configuration (with its password), PID file and log."""
        return self.state.with_name(self.state.name + "-redis")

    @property
    def run(self) -> Path:
        return self.state / "run"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def root(self) -> Path:
        """NETBOX_ROOT: NetBox reads conf/configuration.py from here."""
        return self.state / "root"

    def _env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "NETBOX_ROOT": str(self.root), **extra}

    @property
    def secrets_file(self) -> Path:
        return self.state / "secrets.json"

    @property
    def gunicorn_pid(self) -> Path:
        return self.run / "gunicorn.pid"

    @property
    def redis_pid(self) -> Path:
        return self.redis_state / "redis.pid"

    # --- up -----------------------------------------------------------------------------------
    def up(self, progress: Progress = print) -> dict[str, str]:
        """Start everything that is not running yet; returns ``{"url", "token"}``."""
        secret = self._database_up(progress)
        token = self._api_token(secret)
        self._gunicorn_up(token, progress)
        return {"url": self.url, "token": token}

    def prepare(self, progress: Progress = print) -> None:
        """What a first ``up`` spends its minutes on, done ahead (a CI job, a test session): NetBox
        installed in the cache and, unless a dump of it is shipped, its migrated database dumped
        there. Leaves nothing running and removes its state folder; later ``up``s in any state
        folder restore the dump."""
        if (self.venv / "bin" / "netbox").exists() and self.restorable:
            return
        try:
            self._database_up(progress)
        finally:
            self.down(purge=True)

    def _database_up(self, progress: Progress) -> dict[str, str]:
        """NetBox installed, PostgreSQL and Redis running, the database migrated; the secrets."""
        self._folders()
        secret = self._secrets()
        self._install(progress)
        self._postgres_up(secret, progress)
        self._redis_up(secret, progress)
        self._write_configuration(secret)
        self._database(secret, progress)
        return secret

    def _folders(self) -> None:
        """Each daemon's folder, created as its own or checked to be (see the module's docstring)."""
        try:
            private_folder(self.state)
            private_folder(self.pg_state, owner=pwd.getpwnam("postgres").pw_uid)
            private_folder(self.redis_state, owner=pwd.getpwnam("redis").pw_uid)
        except UnsafeFolder as error:
            raise ServiceError(str(error)) from None
        except KeyError as error:
            raise ServiceError(f"no system user {error}: install Debian's postgresql-15 and redis-server "
                               "(make setup)") from None
        for folder in (self.logs, self.run):
            folder.mkdir(mode=0o700, exist_ok=True)

    def _secrets(self) -> dict[str, str]:
        values = json.loads(self.secrets_file.read_text()) if self.secrets_file.exists() else {}
        fresh = {"db_password": secrets.token_urlsafe(24), "secret_key": secrets.token_urlsafe(60),
                 "pepper": secrets.token_urlsafe(60), "redis_password": secrets.token_urlsafe(24)}
        if not fresh.keys() <= values.keys():
            values = {**fresh, **values}
            write_atomic(self.secrets_file, json.dumps(values), mode=0o600)
        return values

    def _save_secret(self, secret: dict[str, str], **values: str) -> None:
        secret.update(values)
        write_atomic(self.secrets_file, json.dumps(secret), mode=0o600)

    def _install(self, progress: Progress) -> None:
        if (self.venv / "bin" / "gunicorn").exists() and (self.venv / "bin" / "netbox").exists():
            return
        progress(f"installing NetBox {NETBOX_VERSION} and gunicorn into {self.venv} (≈ 1 min, once)")
        self.cache.mkdir(parents=True, exist_ok=True)
        _run([find_python312(), "-m", "venv", str(self.venv)], "create NetBox's venv")
        _run([str(self.venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
              f"netbox=={NETBOX_VERSION}", "gunicorn"], "install NetBox from PyPI")

    def _postgres_up(self, secret: dict[str, str], progress: Progress) -> None:
        fresh = not (self.pgdata / "PG_VERSION").exists()
        if fresh:
            progress(f"creating a PostgreSQL 15 cluster in {self.pgdata}")
            shutil.rmtree(self.pgdata, ignore_errors=True)  # what a failed initdb left
            _run(_as_postgres(PG_BIN / "initdb", "-D", self.pgdata, "-U", "postgres", "--auth-local=peer",
                              "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"), "initdb")
        if _pid_alive(_postmaster_pid(self.pgdata)):
            return
        progress(f"starting PostgreSQL on 127.0.0.1:{self.pg_port}")
        log = self.pg_state / "postgres.log"
        options = f"-p {self.pg_port} -k {self.pg_state} -c listen_addresses=127.0.0.1"
        _run(_as_postgres(PG_BIN / "pg_ctl", "-D", self.pgdata, "-l", log, "-w", "-o", options, "start"),
             f"start PostgreSQL (log: {log})")
        if fresh:
            password = secret["db_password"].replace("'", "''")
            self._psql_as_postgres(f"CREATE ROLE netbox LOGIN PASSWORD '{password}'")

    def _psql_as_postgres(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as PostgreSQL's superuser; the SQL goes through a pipe, never the command line
        (``ps`` shows every process's arguments to every user)."""
        return _run(_as_postgres(PG_BIN / "psql", "-h", self.pg_state, "-p", str(self.pg_port), "-d", database,
                                 "-v", "ON_ERROR_STOP=1", "-At", "-f", "-"), "psql", input=sql).strip()

    def _redis_pid(self) -> int | None:
        """Redis's PID, if its PID file (which user redis writes) names this Redis: user redis's
        redis-server on our port."""
        pid = _read_pid(self.redis_pid)
        if not _pid_alive(pid):
            return None
        try:
            owner = Path(f"/proc/{pid}").stat().st_uid
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        ours = owner == pwd.getpwnam("redis").pw_uid and b"redis-server" in argv
        return pid if ours and f":{self.redis_port}".encode() in argv else None

    def _redis_up(self, secret: dict[str, str], progress: Progress) -> None:
        if self._redis_pid():
            return
        progress(f"starting Redis (user redis) on 127.0.0.1:{self.redis_port}")
        config = self.redis_state / "redis.conf"
        write_atomic(config, "\n".join([
            f"port {self.redis_port}", "bind 127.0.0.1", "protected-mode yes",
            f"requirepass {secret['redis_password']}",
            'save ""', "appendonly no", "daemonize yes", f"pidfile {self.redis_pid}",
            f"logfile {self.redis_state / 'redis.log'}", f"dir {self.redis_state}", ""]), mode=0o600)
        shutil.chown(config, "redis", "redis")
        _run(["runuser", "-u", "redis", "--", "redis-server", str(config)], "start Redis")
        _wait(lambda: self._redis_pid() is not None, 10, f"Redis did not start (log: {self.redis_state / 'redis.log'})")

    def _write_configuration(self, secret: dict[str, str]) -> None:
        conf = self.root / "conf"
        conf.mkdir(mode=0o700, parents=True, exist_ok=True)
        redis = {"HOST": "127.0.0.1", "PORT": self.redis_port, "USERNAME": "", "PASSWORD": secret["redis_password"],
                 "SSL": False}
        text = f"""# Written by `muronet netbox up`; regenerated on every start.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "NAME": "netbox", "USER": "netbox",
    "PASSWORD": {secret['db_password']!r}, "HOST": "127.0.0.1", "PORT": {self.pg_port}, "CONN_MAX_AGE": 300}}}}
REDIS = {{"tasks": {{**{redis!r}, "DATABASE": 0}}, "caching": {{**{redis!r}, "DATABASE": 1}}}}
SECRET_KEY = {secret['secret_key']!r}
API_TOKEN_PEPPERS = {{1: {secret['pepper']!r}}}
CENSUS_REPORTING_ENABLED = False
RELEASE_CHECK_URL = None
ISOLATED_DEPLOYMENT = True
TIME_ZONE = "Asia/Tokyo"
MAX_PAGE_SIZE = 5000
"""
        write_atomic(conf / "configuration.py", text, mode=0o600)  # imported as root: root's alone

    def _database(self, secret: dict[str, str], progress: Progress) -> None:
        if self._psql_as_postgres("SELECT 1 FROM pg_database WHERE datname = 'netbox'") == "1":
            return
        self._psql_as_postgres("CREATE DATABASE netbox OWNER netbox ENCODING 'UTF8'")
        pg_env = {**os.environ, "PGPASSWORD": secret["db_password"]}
        connect = ["-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "netbox", "-d", "netbox"]
        if dump := self.restorable:
            progress(f"restoring the migrated NetBox {NETBOX_VERSION} database from {dump}")
            _run([str(PG_BIN / "psql"), *connect, "-q", "-v", "ON_ERROR_STOP=1"], "restore the database dump",
                 env=pg_env, input=gzip.decompress(dump.read_bytes()).decode())
            return
        progress(f"migrating a new NetBox {NETBOX_VERSION} database: ≈ 5–6 min, once "
                 f"(later starts restore the dump kept in {self.cache})")
        self._migrate(progress)
        dumped = _run([str(PG_BIN / "pg_dump"), *connect, "--no-owner", "--no-privileges"], "dump the database",
                      env=pg_env)
        self.cache.mkdir(parents=True, exist_ok=True)
        partial = self.dump.with_suffix(".partial")
        partial.write_bytes(gzip.compress(dumped.encode()))
        partial.replace(self.dump)  # a dump is complete or absent, never half-written

    def _migrate(self, progress: Progress) -> None:
        netbox = str(self.venv / "bin" / "netbox")
        total = _run([netbox, "showmigrations", "--plan"], "list NetBox's migrations", env=self._env()).count("[ ]")
        env = self._env(PYTHONUNBUFFERED="1")
        command = [netbox, "migrate", "--no-input"]
        applied, started = 0, time.monotonic()
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
            assert proc.stdout is not None
            tail: list[str] = []
            for line in proc.stdout:
                tail = [*tail[-20:], line]
                if line.lstrip().startswith("Applying "):
                    applied += 1
                    if applied % 40 == 0 or applied == total:
                        progress(f"  migrations applied: {applied}/{total} ({time.monotonic() - started:.0f} s)")
        if proc.returncode != 0:
            raise ServiceError("NetBox's migrate failed:\n" + "".join(tail))

    def _api_token(self, secret: dict[str, str]) -> str:
        """The project's API token: kept while the database keeps it, created (with its user) otherwise."""
        script = (
            "import os\n"
            "from users.models import Token, User\n"
            "user, _ = User.objects.get_or_create(username='muronet', defaults={'is_superuser': True})\n"
            "key = os.environ.get('MURONET_TOKEN_KEY', '')\n"
            "if key and Token.objects.filter(key=key, user=user).exists():\n"
            "    print('KEEP')\n"
            "else:\n"
            "    token = Token(user=user, version=2, description='muronet sync and topology')\n"
            "    token.full_clean()\n"
            "    token.save()\n"
            "    print(f'NEW nbt_{token.key}.{token.token}')\n"
        )
        env = self._env(MURONET_TOKEN_KEY=secret.get("token", "nbt_.").removeprefix("nbt_").split(".")[0])
        output = _run([str(self.venv / "bin" / "netbox"), "shell", "--no-imports", "-c", script],
                      "create the API token", env=env).strip().splitlines()[-1]
        if output.startswith("NEW "):
            self._save_secret(secret, token=output.removeprefix("NEW "))
        return secret["token"]

    def _gunicorn_up(self, token: str, progress: Progress) -> None:
        if not _pid_alive(_read_pid(self.gunicorn_pid)):
            progress(f"starting NetBox (gunicorn, 3 workers) on {self.url}")
            _run([str(self.venv / "bin" / "gunicorn"), "--daemon", "--pid", str(self.gunicorn_pid),
                  "--bind", f"127.0.0.1:{self.http_port}", "--workers", "3", "--timeout", "300",
                  "--error-logfile", str(self.logs / "gunicorn.log"), "--capture-output", "netbox.wsgi"],
                 "start gunicorn", env=self._env())
        _wait(lambda: self._answers(token), 120,
              f"NetBox did not answer on {self.url} within 120 s (log: {self.logs / 'gunicorn.log'})")

    def _answers(self, token: str) -> bool:
        try:
            return requests.get(f"{self.url}/api/status/", headers={"Authorization": f"Bearer {token}"},
                                timeout=5).status_code == HTTPStatus.OK
        except requests.RequestException:
            return False

    # --- status and down ----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """What runs, by PID, and whether the API answers with the project's token."""
        secret = json.loads(self.secrets_file.read_text()) if self.secrets_file.exists() else {}
        processes = {"postgres": _postmaster_pid(self.pgdata), "redis": self._redis_pid(),
                     "gunicorn": _read_pid(self.gunicorn_pid)}
        running = {name: pid for name, pid in processes.items() if _pid_alive(pid)}
        answers = bool(secret.get("token")) and "gunicorn" in running and self._answers(secret["token"])
        restorable = self.restorable
        return {"url": self.url, "state": str(self.state), "netbox_version": NETBOX_VERSION,
                "running": running, "api": "answering" if answers else "down",
                "restores_from": str(restorable) if restorable else None}

    def down(self, purge: bool = False) -> list[str]:
        """Stop gunicorn, Redis and PostgreSQL by their PIDs; with ``purge``, delete the state folder."""
        stopped = []
        for name, pid in (("gunicorn", _read_pid(self.gunicorn_pid) if self.state.is_dir() else None),
                          ("redis", self._redis_pid())):
            if pid is not None and alive(pid):
                terminate([pid], grace=20)
                stopped.append(f"{name} ({pid})")
        self.gunicorn_pid.unlink(missing_ok=True)
        pid = _postmaster_pid(self.pgdata)
        if _pid_alive(pid):
            _run(_as_postgres(PG_BIN / "pg_ctl", "-D", self.pgdata, "-m", "fast", "-w", "stop"), "stop PostgreSQL")
            _wait(lambda: not _pid_alive(pid), 20, f"PostgreSQL ({pid}) did not stop")
            stopped.append(f"postgres ({pid})")
        if purge:
            for folder in (self.state, self.pg_state, self.redis_state):
                if folder.is_dir() and not folder.is_symlink():
                    shutil.rmtree(folder)
        return stopped

    def connection(self) -> tuple[str, str]:
        """URL and token of the running local NetBox."""
        if not self.secrets_file.exists():
            raise ServiceError(f"no local NetBox in {self.state}: run `muronet netbox up`")
        token = json.loads(self.secrets_file.read_text()).get("token")
        if not token:
            raise ServiceError(f"the local NetBox in {self.state} has no API token yet: run `muronet netbox up`")
        return self.url, token


def make_shipped_dump(progress: Progress = print) -> Path:
    """Migrate a new database, in a state and cache folder of its own with the installed venv, and
    ship its dump (``SHIPPED_DUMP``): what ``make netbox-schema`` runs after NETBOX_VERSION changes."""
    installed = LocalNetBox()
    installed._install(progress)
    with tempfile.TemporaryDirectory(prefix="muronet-netbox-schema-", dir="/var/tmp") as folder:
        os.chmod(folder, 0o755)  # PostgreSQL's folder inside is user postgres's
        cache = Path(folder) / "cache"
        cache.mkdir()
        (cache / installed.venv.name).symlink_to(installed.venv)
        fresh = LocalNetBox(state=Path(folder) / "state", cache=cache, http_port=8798, pg_port=5448,
                            redis_port=6398, shipped=None)
        fresh.prepare(progress)
        SHIPPED_DUMP.parent.mkdir(exist_ok=True)
        shutil.copyfile(fresh.dump, SHIPPED_DUMP)
    return SHIPPED_DUMP


def _as_postgres(*command: object) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *map(str, command)]


def _run(command: list[str], what: str, env: dict[str, str] | None = None, input: str | None = None) -> str:
    return run(command, ServiceError, what=f"{what} failed", stdin=input, env=env)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _postmaster_pid(pgdata: Path) -> int | None:
    return _read_pid(pgdata / "postmaster.pid")


def _pid_alive(pid: int | None) -> bool:
    """Is the process running? A zombie (exited, not yet reaped by init) is not."""
    return pid is not None and alive(pid)


def _wait(ready: Callable[[], bool], timeout: float, message: str | None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.25)
    if message:
        raise ServiceError(message)
    return False

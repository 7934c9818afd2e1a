"""Push a device's intended configuration: diff first, a rollback point kept until confirmed.

``push`` renders the device's intended configuration with the secrets Ansible holds (its vault
variables), loads it as a replace candidate and returns the diff; outside check mode it also pushes
it, without saving. Before anything changes, the running configuration is kept as the device's
rollback point. ``confirm`` saves the device's configuration and drops the point; ``roll_back``
brings the device back to the point and saves. Points are encrypted (Ansible Vault, with the run's
vault secret): a running configuration holds secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from muronet.ansible.drivers import AnsibleDevice
from muronet.files import write_atomic
from muronet.inventory.secrets import GivenSecrets
from muronet.platforms import Platform
from muronet.render.engine import Renderer, default_templates_dir
from muronet.validation.checked import shared_index
from napalm_frr.frr import RestoreError


@dataclass(frozen=True)
class RollbackPoints:
    """One encrypted file per device with a pushed, not yet confirmed change."""

    folder: Path
    encrypt: Callable[[str], bytes]
    decrypt: Callable[[bytes], str]

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.vault"

    def has(self, name: str) -> bool:
        return self._path(name).exists()

    def keep(self, name: str, running: str) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(self._path(name), self.encrypt(running), mode=0o600)

    def read(self, name: str) -> str:
        return self.decrypt(self._path(name).read_bytes())

    def drop(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


def intended(inventory_dir: Path, name: str, secrets: dict[str, str]) -> tuple[str, GivenSecrets]:
    """The device's intended configuration with real secrets, and the secrets (to scrub output)."""
    index = shared_index(inventory_dir)
    given = GivenSecrets(secrets)
    renderer = Renderer(index.inventory, default_templates_dir(inventory_dir), given)
    return renderer.render(index.devices[name]), given


def push(driver: AnsibleDevice, platform: Platform, name: str, candidate: str, secrets: GivenSecrets,
         points: RollbackPoints, check_mode: bool) -> tuple[bool, str]:
    """(changed, the diff from the running configuration to ``candidate``, secrets masked).
    Outside check mode the candidate is pushed, unsaved; a refused line restores the device and
    raises. A push that an earlier run left unconfirmed counts as a change: it still needs to be
    verified and confirmed (or rolled back)."""
    driver.load_replace_candidate(config=candidate)
    diff = secrets.scrub(platform.masked_diff(driver.compare_config()))
    if not diff or check_mode:
        driver.discard_config()
        return bool(diff) or (points.has(name) and not check_mode), diff
    earlier = points.has(name)  # an earlier unconfirmed push keeps the older, confirmed point
    try:
        driver.push_unconfirmed(before_push=None if earlier else lambda running: points.keep(name, running))
    except RestoreError:
        raise  # the point stays: state=rolled_back can still bring the device back
    except Exception:
        if not earlier:
            points.drop(name)  # the device is as it was
        raise
    return True, diff


def confirm(driver: AnsibleDevice, name: str, points: RollbackPoints) -> bool:
    """Save a pushed change; False when nothing was waiting for confirmation."""
    if not points.has(name):
        return False
    driver.confirm()
    points.drop(name)
    return True


def roll_back(driver: AnsibleDevice, name: str, points: RollbackPoints) -> bool:
    """Back to the configuration before the pushed change, saved; False when nothing was pushed."""
    if not points.has(name):
        return False
    driver.restore(points.read(name))
    points.drop(name)
    return True

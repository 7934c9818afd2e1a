"""Resolve secret references at run time; never store or print their values.

Two sources, as documented in docs/guides/engineer.md ("Secrets"):

- ``{env: NAME}``: the environment variable ``NAME``;
- ``{vault: FILE, key: KEY}``: key ``KEY`` of an Ansible Vault encrypted YAML file (``FILE``
  relative to the inventory folder), decrypted with the password in the file named by
  ``MURONET_VAULT_PASSWORD_FILE`` (the same file ``ansible-playbook --vault-password-file`` takes).

Rendering uses a :class:`SecretSource`: :class:`MaskedSecrets` (the default: every value is a
visible placeholder, safe for files, diffs and reviews) or :class:`ResolvedSecrets` (real values,
for pushing to devices only).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from muronet.inventory.model import EnvSecret, SecretRef, VaultSecret
from muronet.masking import reference

VAULT_PASSWORD_FILE_ENV = "MURONET_VAULT_PASSWORD_FILE"


class SecretError(Exception):
    """A reference could not be resolved; the message names the reference, never a value."""


class SecretSource(Protocol):
    def get(self, name: str) -> str: ...


def mask(name: str) -> str:
    """Placeholder that stands for a secret in rendered text.

    >>> mask("ospf_key")
    '<secret:ospf_key>'
    """
    return reference(name)


class MaskedSecrets:
    """Every secret rendered as ``<secret:NAME>``: the configuration shows which secret is used."""

    def get(self, name: str) -> str:
        return mask(name)


# Secrets a protocol limits in length: OSPF MD5 keys (RFC 2328: 16 octets), TCP-MD5 passwords.
MAX_LENGTH = {"ospf_key": 16, "bgp_lgwan": 80, "bgp_security_cloud": 80, "bgp_government_cloud": 80}


class ResolvedSecrets:
    def __init__(self, refs: dict[str, SecretRef], inventory_root: Path) -> None:
        self._refs = refs
        self._root = inventory_root
        self._cache: dict[str, str] = {}

    def _lookup(self, name: str) -> str:
        if name not in self._refs:
            raise SecretError(f"no secret reference named {name!r} in city.secrets")
        return resolve(self._refs[name], self._root)

    def get(self, name: str) -> str:
        if name not in self._cache:
            value = self._lookup(name)
            if not value or "?" in value or any(char.isspace() or not char.isprintable() for char in value):
                # a device reads a space as the end of the secret, a line break as the next command,
                # and a CLI answers "?" with help
                raise SecretError(f"secret {name} holds whitespace, '?' or a control character (or is empty)")
            limit = MAX_LENGTH.get(name)
            if limit is not None and len(value) > limit:
                # devices cut longer keys silently: the two ends would disagree
                raise SecretError(f"secret {name} is {len(value)} characters long; at most {limit} fit")
            self._cache[name] = value
        return self._cache[name]

    def values(self) -> list[str]:
        """Values resolved so far, so that callers can scrub them from any text they show."""
        return list(self._cache.values())

    def scrub(self, text: str) -> str:
        """``text`` with every secret resolved so far replaced by its ``<secret:NAME>`` mask.

        >>> secrets = ResolvedSecrets({"k": EnvSecret(env="HOME")}, Path("."))
        >>> secrets.scrub(f"key {secrets.get('k')}")
        'key <secret:k>'
        """
        for name, value in sorted(self._cache.items(), key=lambda item: -len(item[1])):
            if value:
                text = text.replace(value, mask(name))
        return text

    def scrub_data(self, data: Any) -> Any:
        """``data`` (a report: mappings, lists, text) with :meth:`scrub` applied to every text in it,
        before it is serialised: a secret holding ``"`` or ``\\`` is found as written, not as JSON
        escapes it.

        >>> secrets = GivenSecrets({"bgp_lgwan": 'q"u\\\\ote'})
        >>> secrets.scrub_data({"diff": [f"password {secrets.get('bgp_lgwan')}"]})
        {'diff': ['password <secret:bgp_lgwan>']}
        """
        if isinstance(data, str):
            return self.scrub(data)
        if isinstance(data, dict):
            return {self.scrub_data(key): self.scrub_data(value) for key, value in data.items()}
        if isinstance(data, list | tuple):
            return [self.scrub_data(item) for item in data]
        return data


class GivenSecrets(ResolvedSecrets):
    """Secrets handed over by a caller that resolved them itself (Ansible: from its vault
    variables), with the same length checks and scrubbing.

    >>> secrets = GivenSecrets({"ospf_key": "k3y"})
    >>> secrets.scrub(f"md5 {secrets.get('ospf_key')}")
    'md5 <secret:ospf_key>'
    >>> secrets.get("tacacs_key")
    Traceback (most recent call last):
    muronet.inventory.secrets.SecretError: secret tacacs_key was not given
    """

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__({}, Path("."))
        self._given = {name: str(value) for name, value in values.items()}

    def _lookup(self, name: str) -> str:
        if not self._given.get(name):
            raise SecretError(f"secret {name} was not given")
        return self._given[name]


def resolve(ref: SecretRef, inventory_root: Path) -> str:
    if isinstance(ref, EnvSecret):
        value = os.environ.get(ref.env)
        if not value:
            raise SecretError(f"environment variable {ref.env} is not set")
        return value
    assert isinstance(ref, VaultSecret)
    data = _vault_data(str((inventory_root / ref.vault).resolve()))
    if ref.key not in data:
        raise SecretError(f"vault file {ref.vault} has no key {ref.key!r}")
    return str(data[ref.key])


@cache
def _vault_data(path: str) -> dict[str, object]:
    password_file = os.environ.get(VAULT_PASSWORD_FILE_ENV)
    if not password_file:
        raise SecretError(f"{VAULT_PASSWORD_FILE_ENV} is not set (needed for vault file {path})")
    # Imported here: ansible-core is large and only vault references need it.
    from ansible.errors import AnsibleError
    from ansible.parsing.vault import VaultLib
    from ansible.parsing.vault import VaultSecret as AnsibleVaultSecret

    try:
        password = Path(password_file).read_bytes().strip()
        ciphertext = Path(path).read_bytes()
        plaintext = VaultLib([("default", AnsibleVaultSecret(password))]).decrypt(ciphertext)
    except OSError as error:
        raise SecretError(f"cannot read {error.filename}: {error.strerror}") from None
    except AnsibleError as error:
        raise SecretError(f"cannot decrypt vault file {path}: {error.message}") from None
    try:
        data = yaml.safe_load(plaintext)
    except yaml.YAMLError as error:  # its message quotes the decrypted text: only the line number is said
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SecretError(f"vault file {path}: its decrypted content is not YAML{where}") from None
    if not isinstance(data, dict):
        raise SecretError(f"vault file {path} must hold a mapping of keys")
    return data

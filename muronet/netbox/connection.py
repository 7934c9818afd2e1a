"""The connection to a NetBox: the project's local one, or an existing one named by the environment.

``MURONET_NETBOX_URL`` and ``MURONET_NETBOX_TOKEN`` name an existing NetBox; TLS certificates are
verified (``MURONET_NETBOX_CA_BUNDLE`` adds a private CA). Without them, the local NetBox started by
``muronet netbox up`` is used. Every request has a timeout; connection failures and 429/502/503/504
answers are retried with exponential backoff (urllib3's ``Retry``), then reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pynetbox
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from muronet.netbox.service import LocalNetBox, ServiceError

# (connect, read): a bulk write is applied in one transaction that can outlast a minute on a busy
# NetBox, and a POST that timed out cannot be retried (it may have been applied); the local
# gunicorn answers or ends a request within 300 s
TIMEOUT_S = (15.0, 300.0)


class NetBoxError(RuntimeError):
    """NetBox could not be reached or refused a request; the message says which and why."""


@dataclass(frozen=True)
class NetBoxTarget:
    url: str
    token: str
    verify: bool | str = True  # True, or a CA bundle's path
    retries: int = 4
    backoff_s: float = 0.5

    @classmethod
    def from_environment(cls) -> NetBoxTarget:
        url, token = os.environ.get("MURONET_NETBOX_URL", ""), os.environ.get("MURONET_NETBOX_TOKEN", "")
        if url and not token:
            raise NetBoxError("MURONET_NETBOX_URL is set but MURONET_NETBOX_TOKEN is not")
        if url:
            return cls(url.rstrip("/"), token, os.environ.get("MURONET_NETBOX_CA_BUNDLE") or True)
        try:
            url, token = LocalNetBox().connection()
        except ServiceError as error:
            raise NetBoxError(f"{error} (or set MURONET_NETBOX_URL and MURONET_NETBOX_TOKEN)") from error
        return cls(url, token)

    @classmethod
    def configured(cls) -> bool:
        """Is there a NetBox to talk to (named by the environment, or a local one set up)?"""
        return bool(os.environ.get("MURONET_NETBOX_URL")) or LocalNetBox().secrets_file.exists()


class _TimeoutAdapter(HTTPAdapter):
    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["timeout"] = kwargs.get("timeout") or TIMEOUT_S
        return super().send(request, **kwargs)


def session(target: NetBoxTarget) -> requests.Session:
    """A requests session with the timeout, the retries and the TLS verification of ``target``.

    POSTs are retried only when the connection could not be made (the request never reached NetBox),
    so a bulk create is never sent twice.
    """
    retry = Retry(total=target.retries, connect=target.retries, read=target.retries, status=target.retries,
                  backoff_factor=target.backoff_s, status_forcelist=(429, 502, 503, 504),
                  allowed_methods=frozenset({"GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}),
                  raise_on_status=False)
    http = requests.Session()
    http.verify = target.verify
    adapter = _TimeoutAdapter(max_retries=retry, pool_maxsize=8)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def api(target: NetBoxTarget) -> pynetbox.api:
    nb = pynetbox.api(target.url, token=target.token)
    nb.http_session = session(target)
    return nb


def graphql(target: NetBoxTarget, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One GraphQL request; NetBox's errors become a ``NetBoxError``."""
    headers = {"Authorization": authorization(target.token), "Accept": "application/json"}
    try:
        response = session(target).post(f"{target.url}/graphql/", json={"query": query, "variables": variables or {}},
                                        headers=headers)
    except requests.RequestException as error:
        raise NetBoxError(f"NetBox at {target.url} did not answer: {error}") from error
    if response.status_code != HTTPStatus.OK:
        raise NetBoxError(f"NetBox at {target.url} answered {response.status_code} to a GraphQL query: "
                          f"{response.text[:300]}")
    body = response.json()
    if body.get("errors"):
        raise NetBoxError(f"NetBox's GraphQL API refused the query: {body['errors'][0].get('message')}")
    data: dict[str, Any] = body["data"]
    return data


def authorization(token: str) -> str:
    """NetBox 4.5+ v2 tokens (``nbt_…``) are bearer tokens; older 40-character ones are ``Token``."""
    return f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"

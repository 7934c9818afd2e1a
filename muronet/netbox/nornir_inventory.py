"""Nornir's inventory read from NetBox (registered as ``MuronetNetBoxInventory``).

nornir_netbox's ``NetBoxInventory2``, which sends every token as ``Token …``; NetBox 4.5+ v2 tokens
(``nbt_…``, what ``muronet netbox up`` creates) must be sent as ``Bearer …``. Without ``nb_url`` and
``nb_token`` it reads the NetBox that ``MURONET_NETBOX_URL``/``_TOKEN`` or the local NetBox name.
"""

from __future__ import annotations

from typing import Any

from nornir_netbox.plugins.inventory.netbox import NetBoxInventory2

from muronet.netbox.connection import NetBoxTarget, authorization


class MuronetNetBoxInventory(NetBoxInventory2):
    def __init__(self, nb_url: str | None = None, nb_token: str | None = None, **kwargs: Any) -> None:
        if not nb_url or not nb_token:
            target = NetBoxTarget.from_environment()
            nb_url, nb_token = target.url, target.token
            kwargs.setdefault("ssl_verify", target.verify)
        kwargs.setdefault("use_platform_slug", True)  # platforms are named by slug: frr, cisco_ios
        super().__init__(nb_url=nb_url, nb_token=nb_token, **kwargs)
        self.session.headers["Authorization"] = authorization(nb_token)

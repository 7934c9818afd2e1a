"""The abstract platform driver and its registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from hier_config import HConfig, get_hconfig
from hier_config.platforms.driver_base import HConfigDriverBase

_REGISTRY: dict[str, type[Platform]] = {}


class Platform(ABC):
    name: ClassVar[str]
    template_dir: ClassVar[str]  # folder under templates/
    netmiko_device_type: ClassVar[str]
    napalm_driver: ClassVar[str]
    # Does the configuration file carry the items the policy calls "host" items on this platform
    # (sshd, PAM, snmpd, firewall)? FRR keeps them on the Linux host, not in frr.conf.
    has_host_services: ClassVar[bool]

    @abstractmethod
    def interface_name(self, canonical: str) -> str:
        """Name of the inventory interface ``canonical`` on this platform.

        >>> get_platform("cisco_ios").interface_name("eth2.300")
        'GigabitEthernet0/0/2.300'
        """

    @abstractmethod
    def hconfig_driver(self) -> HConfigDriverBase:
        """hier_config driver that turns this platform's configuration text into a tree."""

    def without_device_lines(self, running: str) -> str:
        """A running configuration without the lines the device adds of its own (none here)."""
        return running

    def parse(self, text: str) -> HConfig:
        """Configuration text as a hier_config tree (comments and section ends dropped)."""
        return get_hconfig(self.hconfig_driver(), text)


def register(cls: type[Platform]) -> type[Platform]:
    _REGISTRY[cls.name] = cls
    return cls


def get_platform(name: str) -> Platform:
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise KeyError(f"no platform driver {name!r} (known: {', '.join(platform_names())})") from None


def platform_names() -> list[str]:
    return sorted(_REGISTRY)

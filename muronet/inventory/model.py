"""Typed model of the city's source of truth.

Every class mirrors one kind of entry in the YAML files under ``inventory/``. The model checks what a
single entry can check on its own (types, ranges, required fields, enumerations); whatever needs
several entries at once (references, the IP plan, zone rules) lives in :mod:`muronet.validation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from enum import StrEnum
from functools import cached_property
from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from muronet.inventory.ipfast import Address as IPv4Address
from muronet.inventory.ipfast import Interface as IPv4Interface
from muronet.inventory.ipfast import Network as IPv4Network
from muronet.inventory.separation import SeparationModel
from muronet.inventory.text import banner_problem, character_problem, config_text_problem
from muronet.platforms import platform_names

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")]
Hostname = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,40}[a-z0-9]$")]
ZoneName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")]
VrfName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9_-]{1,15}$")]
SecretName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
VlanId = Annotated[int, Field(ge=1, le=4094)]
Asn = Annotated[int, Field(ge=1, le=4294967295)]
Port = Annotated[int, Field(ge=1, le=65535)]
# "device:interface", e.g. "ch-core1:eth2"
Endpoint = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]:\S+$")]
# Interface names as the device's platform spells them. Routed devices use Linux-style names
# (eth1, eth1.300, vlan201, lo, mgmt0) so the digital twin can run them verbatim.
InterfaceName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9/.:-]{0,40}$")]
# A hardware model's ports in netutils' range syntax, e.g. "GigabitEthernet1/0/[1-24]".
PortRange = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9/.:,\[\]-]{0,60}$")]
CircuitId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{3,40}$")]
DeviceTypeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,40}$")]


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    def check(value: str) -> str:
        found = problem(value)
        if found is not None:
            raise ValueError(found)
        return value
    return check


# Text printed inside a device command (descriptions, the SNMP location): one line a CLI types as is.
ConfigText = Annotated[str, AfterValidator(_checked(config_text_problem)),
                       AfterValidator(lambda value: re.sub(" {2,}", " ", value))]  # as the devices keep it
# The login banner: several lines, none of which can end the banner.
BannerText = Annotated[str, StringConstraints(min_length=20), AfterValidator(_checked(banner_problem))]


_SUB_INTERFACE = re.compile(r".*\.(\d{1,4})")


class Strict(BaseModel):
    """Base for every inventory entry: unknown keys are errors, so typos never pass silently, and
    no text anywhere holds a line break or control character (only ``MULTILINE`` fields may break
    lines), whichever field a template prints today or tomorrow."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)
    MULTILINE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        multiline = info.field_name in cls.MULTILINE
        for text in _texts(value):
            problem = character_problem(text, allow_newline=multiline)
            if problem is not None:
                raise ValueError(problem)
        return value


def _texts(value: Any) -> Iterator[str]:
    """The strings of a field's value (not of nested entries: they check their own)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)


class SiteKind(StrEnum):
    CITY_HALL = "city_hall"
    SCHOOL = "school"
    LIBRARY = "library"
    HOSPITAL = "hospital"
    FIRE_STATION = "fire_station"
    BRANCH_OFFICE = "branch_office"
    COMMUNITY_CENTER = "community_center"
    PORT_OFFICE = "port_office"
    SPORTS_FACILITY = "sports_facility"
    MUSEUM = "museum"
    WELFARE_CENTER = "welfare_center"
    HEALTH_CENTER = "health_center"
    EDUCATION_CENTER = "education_center"
    RECYCLING_PLAZA = "recycling_plaza"
    TELEMETRY_STATION = "telemetry_station"
    TOURISM = "tourism"


class Role(StrEnum):
    CORE = "core"
    ACCESS_SWITCH = "access_switch"
    AGGREGATION = "aggregation"
    FACILITY_EDGE = "facility_edge"
    LGWAN_ROUTER = "lgwan_router"
    INTERNET_GATEWAY = "internet_gateway"
    GOVERNMENT_CLOUD_ROUTER = "government_cloud_router"


class InterfaceRole(StrEnum):
    """What the port faces; the policy uses it to find boundary and external interfaces."""

    FIBER = "fiber"  # regional fiber link between two of the city's routers
    INTERCONNECT = "interconnect"  # link between two city-hall devices
    USER = "user"  # access port or SVI where staff terminals sit
    SERVER = "server"
    FACILITY_LAN = "facility_lan"
    PUBLIC_WIFI = "public_wifi"
    LGWAN_ACCESS_LINE = "lgwan_access_line"
    INTERNET_EXIT = "internet_exit"
    GOVERNMENT_CLOUD_LINE = "government_cloud_line"
    MANAGEMENT = "management"
    LOOPBACK = "loopback"
    UPLINK = "uplink"  # access-switch trunk towards the core


# --- secrets ---------------------------------------------------------------------------------


class EnvSecret(Strict):
    """A secret read from an environment variable at run time."""

    env: Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$")]


def _inside_inventory(value: str) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError("a vault file is named relative to the inventory folder, inside it")
    return value


def _registered_platform(value: str) -> str:
    """A platform is a registered driver (``muronet.platforms``): a new one is a driver, not an edit here."""
    if value not in platform_names():
        raise ValueError(f"no platform driver {value!r} (known: {', '.join(platform_names())})")
    return value


PlatformName = Annotated[str, AfterValidator(_registered_platform)]


class VaultSecret(Strict):
    """A secret read from a key of an Ansible Vault encrypted YAML file at run time."""

    vault: Annotated[str, AfterValidator(_inside_inventory)]
    key: str


def _secret_kind(value: object) -> str | None:
    if isinstance(value, dict):
        return "EnvSecret" if "env" in value else "VaultSecret"
    if isinstance(value, EnvSecret):
        return "EnvSecret"
    if isinstance(value, VaultSecret):
        return "VaultSecret"
    return None


def _no_literal_secret(value: object) -> object:
    if not isinstance(value, dict | EnvSecret | VaultSecret):
        raise ValueError(
            "a secret must be a reference ({env: VARIABLE} or {vault: FILE, key: KEY}), "
            "never a literal value"
        )
    return value


SecretRef = Annotated[
    Annotated[EnvSecret, Tag("EnvSecret")] | Annotated[VaultSecret, Tag("VaultSecret")],
    Discriminator(_secret_kind),
    BeforeValidator(_no_literal_secret),
]


# --- city-wide settings ----------------------------------------------------------------------


class Services(Strict):
    """Management services by host name (see ``hosts``); the policy requires two of most."""

    aaa: list[Hostname] = Field(min_length=2)
    syslog: list[Hostname] = Field(min_length=2)
    ntp: list[Hostname] = Field(min_length=2)
    snmp_managers: list[Hostname] = Field(min_length=1)
    automation: list[Hostname] = Field(min_length=1)


class Limits(Strict):
    exec_timeout_min: Annotated[int, Field(ge=1, le=10)] = 10
    min_password_len: Annotated[int, Field(ge=8, le=64)] = 15
    login_attempts: Annotated[int, Field(ge=1, le=3)] = 3
    login_block_seconds: Annotated[int, Field(ge=60)] = 900


class OspfDesign(Strict):
    process_ids: dict[ZoneName, Annotated[int, Field(ge=1, le=65535)]]
    hello_interval: Annotated[int, Field(ge=1, le=65535)] = 1
    dead_interval: Annotated[int, Field(ge=2, le=65535)] = 4
    reference_bandwidth_mbps: Annotated[int, Field(ge=1)] = 100000

    @model_validator(mode="after")
    def _dead_after_hello(self) -> OspfDesign:
        if self.dead_interval <= self.hello_interval:
            raise ValueError("dead_interval must be longer than hello_interval")
        return self


class Credentials(Strict):
    username: SecretRef
    password: SecretRef


# Secrets every rendered configuration refers to, by the name used in ``city.secrets``.
REQUIRED_SECRETS = (
    "enable_secret",  # hash (IOS type 9) of the enable secret
    "local_admin_secret",  # hash of the one local emergency account
    "tacacs_key",
    "snmp_auth",
    "snmp_priv",
    "ntp_key",
    "ospf_key",
)


class City(Strict):
    MULTILINE = frozenset({"banner"})

    name_ja: str
    name_en: str
    domain: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+$")]
    timezone: Literal["JST"] = "JST"
    asn: Asn
    banner: BannerText
    services: Services
    limits: Limits = Limits()
    ospf: OspfDesign
    credentials: Credentials
    secrets: dict[SecretName, SecretRef]
    parking_vlan: VlanId
    native_vlan: VlanId
    # The guideline's separation model the network follows (muronet/inventory/separation.py).
    separation_model: SeparationModel = SeparationModel.ALPHA


# --- zones -----------------------------------------------------------------------------------


class Zone(Strict):
    name_ja: str
    name_en: str
    vrf: VrfName
    aggregates: list[IPv4Network] = Field(min_length=1)
    description: str = ""


class ZoneGateway(Strict):
    """Devices approved to carry several zones. ``vrf``: each zone in its own VRF, never routed
    between; ``vlan``: layer 2 only, each VLAN in one zone; ``relay``: a host that terminates
    both zones and passes only sanitised data."""

    name: Slug
    roles: list[Role] = Field(default_factory=list)
    devices: list[Hostname] = Field(default_factory=list)
    hosts: list[Hostname] = Field(default_factory=list)
    zones: list[ZoneName] = Field(min_length=2)
    separation: Literal["vrf", "vlan", "relay"]
    reason: str

    @model_validator(mode="after")
    def _names_something(self) -> ZoneGateway:
        if not (self.roles or self.devices or self.hosts):
            raise ValueError("a zone gateway must name roles, devices or hosts")
        return self


class Flow(Strict):
    from_zone: ZoneName
    to: IPv4Network
    protocol: Literal["tcp", "udp", "icmp"]
    ports: list[Port] = Field(default_factory=list)


class ApprovedPath(Strict):
    """One of the only ways between zones or out of the city (三層分離の例外経路)."""

    name: Slug
    # local_breakout: the α' model's LGWAN-zone breakout to approved cloud services (its flows' ``to``);
    # government_cloud: the MYNUMBER zone's closed line to the Government Cloud;
    # screen_transfer: β/β′'s way from the INTERNET zone's terminals to named LGWAN systems
    kind: Literal["sanitising_relay", "internet_exit", "lgwan_access", "local_breakout", "government_cloud",
                  "screen_transfer"]
    name_ja: str
    via: Hostname  # the host or device that carries the path
    zones: list[ZoneName] = Field(min_length=1)
    circuit: CircuitId | None = None
    flows: list[Flow] = Field(default_factory=list)
    description: str = ""


class ZonesFile(Strict):
    zones: dict[ZoneName, Zone]
    management_zone: ZoneName
    zone_gateways: list[ZoneGateway] = Field(default_factory=list)
    approved_paths: list[ApprovedPath] = Field(default_factory=list)


# --- sites, hosts, device types --------------------------------------------------------------


class Site(Strict):
    slug: Slug
    facility_id: Annotated[int, Field(ge=0, le=65535)]
    name_ja: str = Field(min_length=1)
    name_romaji: ConfigText = Field(min_length=1)
    kind: SiteKind
    address: ConfigText = Field(min_length=1)
    latitude: Annotated[float, Field(ge=42.2, le=42.5)]  # Muroran lies inside these bounds
    longitude: Annotated[float, Field(ge=140.8, le=141.2)]
    district: str = ""
    description: str = ""


class HostInterface(Strict):
    zone: ZoneName
    address: IPv4Interface
    description: str = ""


class Host(Strict):
    """A server the network serves (AAA, syslog, relay, …): not configured by this project."""

    name: Hostname
    site: Slug
    # groupware, business_system, lgwan_service: where the separation model puts them (validated);
    # screen_transfer: the β/β′ gateway through which the INTERNET zone uses LGWAN's systems
    role: Literal[
        "aaa", "syslog", "ntp", "snmp_manager", "automation", "sanitising_relay", "server", "proxy",
        "groupware", "business_system", "lgwan_service", "screen_transfer",
    ]
    description: str = ""
    interfaces: list[HostInterface] = Field(min_length=1)


class DeviceType(Strict):
    manufacturer: str
    model: str
    # Port names of the model (netutils range syntax, e.g. "GigabitEthernet1/0/[1-24]").
    ports: list[PortRange] = Field(default_factory=list)


# --- devices ---------------------------------------------------------------------------------


class OspfInterface(Strict):
    area: Annotated[int, Field(ge=0, le=4294967295)]
    passive: bool = False
    cost: Annotated[int, Field(ge=1, le=65535)] | None = None


class Vrrp(Strict):
    vrid: Annotated[int, Field(ge=1, le=255)]
    vip: IPv4Address
    priority: Annotated[int, Field(ge=1, le=254)] = 100


class Interface(Strict):
    name: InterfaceName
    description: ConfigText = ""
    role: InterfaceRole | None = None
    zone: ZoneName | None = None
    vrf: VrfName | None = None  # only to state it explicitly: derived from the zone otherwise
    mode: Literal["routed", "access", "trunk"] = "routed"
    address: IPv4Interface | None = None
    vlan: VlanId | None = None  # access VLAN of a port, or the VLAN an SVI routes
    vlans: list[VlanId] = Field(default_factory=list)  # allowed VLANs of a trunk
    native_vlan: VlanId | None = None
    ospf: OspfInterface | None = None
    vrrp: Vrrp | None = None
    circuit: CircuitId | None = None  # id of the circuit terminating on this port
    shutdown: bool = False

    @model_validator(mode="after")
    def _mode_fields(self) -> Interface:
        if self.mode == "trunk":
            if not self.vlans:
                raise ValueError("a trunk must list its allowed VLANs (never all VLANs)")
            if self.native_vlan is None:
                raise ValueError("a trunk must set a native VLAN")
            if self.address is not None:
                raise ValueError("a trunk carries no IP address")
        if self.mode == "access":
            if self.vlan is None:
                raise ValueError("an access port needs its VLAN")
            if self.address is not None:
                raise ValueError("an access port carries no IP address")
        if self.mode != "trunk" and (self.vlans or self.native_vlan is not None):
            raise ValueError("vlans and native_vlan belong to trunks only")
        if self.vrrp is not None and self.address is None:
            raise ValueError("VRRP needs an interface address")
        return self

    @cached_property
    def parent(self) -> str | None:
        """Parent of a sub-interface (``eth1`` for ``eth1.300``)."""
        return self.name.rsplit(".", 1)[0] if self.dot1q is not None else None

    @cached_property
    def dot1q(self) -> int | None:
        """802.1Q tag of a sub-interface, from its name (``eth1.300`` -> 300)."""
        match = _SUB_INTERFACE.fullmatch(self.name)
        return int(match.group(1)) if match else None


class BgpNeighbor(Strict):
    address: IPv4Address
    remote_as: Asn
    description: ConfigText
    zone: ZoneName
    password_secret: SecretName  # name of a reference in city.secrets
    import_prefixes: list[IPv4Network] = []  # what we accept, exact or longer (le 32)
    accept_default: bool = False
    export_prefixes: list[IPv4Network] = []
    max_prefixes: Annotated[int, Field(ge=1)]
    circuit: CircuitId | None = None
    bfd: bool = False  # BFD on the session: a failed line is seen in a second, not at the hold timer


class Bgp(Strict):
    neighbors: list[BgpNeighbor] = Field(min_length=1)
    redistribute_into_ospf: bool = True


class Device(Strict):
    name: Hostname
    site: Slug
    role: Role
    platform: PlatformName
    device_type: DeviceTypeName
    global_zone: ZoneName | None = None  # the zone routed in the default VRF, if any
    router_id: IPv4Address | None = None
    description: ConfigText = ""
    interfaces: list[Interface] = Field(min_length=1)
    bgp: Bgp | None = None
    tags: list[Slug] = Field(default_factory=list)

    @field_validator("interfaces")
    @classmethod
    def _one_management_interface(cls, value: list[Interface]) -> list[Interface]:
        if sum(1 for i in value if i.role == InterfaceRole.MANAGEMENT) != 1:
            raise ValueError("a device needs exactly one interface with role: management")
        return value

    @property
    def management(self) -> Interface:
        return next(i for i in self.interfaces if i.role == InterfaceRole.MANAGEMENT)


# --- links and circuits ----------------------------------------------------------------------


class Ring(Strict):
    name_ja: str
    ospf_area: Annotated[int, Field(ge=1, le=4294967295)]
    description: str = ""


class Cable(Strict):
    a: Endpoint
    b: Endpoint
    kind: Literal["smf", "mmf", "cat6", "dac"]
    length_km: Annotated[float, Field(gt=0, le=200)] | None = None
    ring: Slug | None = None  # the fiber ring this span belongs to; spurs have none
    label: ConfigText = ""

    @model_validator(mode="after")
    def _fiber_has_length(self) -> Cable:
        if self.kind in ("smf", "mmf") and self.length_km is None:
            raise ValueError("a fiber cable needs length_km")
        if self.a == self.b:
            raise ValueError("a cable cannot connect a port to itself")
        return self


class Provider(Strict):
    slug: Slug
    name_ja: str
    name_en: str


class Circuit(Strict):
    cid: CircuitId
    provider: Slug
    kind: Literal["lgwan_access", "security_cloud", "government_cloud"]
    # of two lines to one far end (the Government Cloud's): which carries the traffic while both work
    redundancy: Literal["primary", "secondary"] | None = None
    bandwidth_mbps: Annotated[int, Field(ge=1)]
    termination: Endpoint
    far_end_ja: str
    far_end_en: str
    peer_address: IPv4Address
    peer_asn: Asn
    reachable_prefixes: list[IPv4Network] = Field(min_length=1)


# --- IP plan ---------------------------------------------------------------------------------


class Vlan(Strict):
    id: VlanId
    name: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,31}$")]
    site: Slug
    zone: ZoneName
    department_ja: str = ""
    description: str = ""


class Prefix(Strict):
    prefix: IPv4Network
    zone: ZoneName
    role: Literal[
        "user", "server", "loopback", "p2p", "public_wifi", "facility_lan", "management", "external"
    ]
    site: Slug | None = None
    vlan: VlanId | None = None
    description: str = ""

"""Which NetBox objects the sync manages, in dependency order, and how each field is compared.

Records are kept in a *natural* form on both sides (desired and read back): a reference to another
object holds that object's natural key (a device's name, an interface's ``(device, name)``), never a
NetBox id, so a dry run compares the inventory with NetBox without creating anything, and ids are
looked up only when writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Key = tuple[Any, ...]
Record = dict[str, Any]
MANAGED_TAG = "muronet"  # every object the sync creates carries it; --prune deletes only those


@dataclass(frozen=True)
class Ref:
    """A field naming one object of ``kind`` (written as its id)."""

    kind: str


@dataclass(frozen=True)
class RefList:
    """A field naming several objects of ``kind`` (written as a list of ids), compared as a set."""

    kind: str


@dataclass(frozen=True)
class Generic:
    """A generic relation, written as ``type_field`` + ``id_field``; natural form ``(object_type, key)``."""

    type_field: str
    id_field: str
    kinds: dict[str, str]  # NetBox object type → kind name


@dataclass(frozen=True)
class Terminations:
    """A cable end: a list of ``{object_type, object_id}``; natural form a sorted tuple of ``(type, key)``."""

    kinds: dict[str, str]


FieldSpec = Ref | RefList | Generic | Terminations | None


@dataclass(frozen=True)
class Kind:
    name: str  # unique; usually the endpoint itself
    endpoint: str  # "app.endpoint" as pynetbox names it: nb.dcim.sites
    key_fields: tuple[str, ...]
    fields: dict[str, FieldSpec]
    tagged: bool = True  # carries tags (and so the managed tag)
    update_only: bool = False  # a second pass over another kind's objects (devices' primary IPs)

    def key(self, record: Record) -> Key:
        return tuple(record[f] for f in self.key_fields)


_TERMINATION_KINDS = {"dcim.interface": "dcim.interfaces",
                      "circuits.circuittermination": "circuits.circuit-terminations"}
_TAGS = RefList("extras.tags")

KINDS: tuple[Kind, ...] = (
    Kind("extras.tags", "extras.tags", ("slug",), {"name": None, "slug": None, "color": None, "description": None},
         tagged=False),
    Kind("extras.custom-fields", "extras.custom_fields", ("name",),
         {"name": None, "label": None, "type": None, "object_types": None, "description": None}, tagged=False),
    Kind("dcim.regions", "dcim.regions", ("slug",),
         {"name": None, "slug": None, "parent": Ref("dcim.regions"), "description": None, "tags": _TAGS}),
    Kind("dcim.site-groups", "dcim.site_groups", ("slug",),
         {"name": None, "slug": None, "description": None, "tags": _TAGS}),
    Kind("dcim.sites", "dcim.sites", ("slug",),
         {"name": None, "slug": None, "status": None, "region": Ref("dcim.regions"), "group": Ref("dcim.site-groups"),
          "facility": None, "physical_address": None, "latitude": None, "longitude": None, "time_zone": None,
          "description": None, "custom_fields": None, "tags": _TAGS}),
    Kind("dcim.manufacturers", "dcim.manufacturers", ("slug",), {"name": None, "slug": None, "tags": _TAGS}),
    Kind("dcim.device-types", "dcim.device_types", ("slug",),
         {"manufacturer": Ref("dcim.manufacturers"), "model": None, "slug": None, "u_height": None,
          "tags": _TAGS}),
    Kind("dcim.device-roles", "dcim.device_roles", ("slug",),
         {"name": None, "slug": None, "color": None, "description": None, "tags": _TAGS}),
    Kind("dcim.platforms", "dcim.platforms", ("slug",),
         {"name": None, "slug": None, "manufacturer": Ref("dcim.manufacturers"), "description": None,
          "tags": _TAGS}),
    Kind("ipam.vrfs", "ipam.vrfs", ("name",),
         {"name": None, "description": None, "enforce_unique": None, "tags": _TAGS}),
    Kind("ipam.roles", "ipam.roles", ("slug",), {"name": None, "slug": None, "tags": _TAGS}),
    Kind("dcim.devices", "dcim.devices", ("name",),
         {"name": None, "device_type": Ref("dcim.device-types"), "role": Ref("dcim.device-roles"),
          "site": Ref("dcim.sites"), "platform": Ref("dcim.platforms"), "status": None, "description": None,
          "tags": _TAGS}),
    Kind("ipam.vlans", "ipam.vlans", ("site", "vid"),
         {"site": Ref("dcim.sites"), "vid": None, "name": None, "status": None, "description": None,
          "tags": _TAGS}),
    Kind("dcim.interfaces", "dcim.interfaces", ("device", "name"),
         {"device": Ref("dcim.devices"), "name": None, "type": None, "enabled": None, "description": None,
          "parent": Ref("dcim.interfaces"), "vrf": Ref("ipam.vrfs"), "mode": None,
          "untagged_vlan": Ref("ipam.vlans"), "tagged_vlans": RefList("ipam.vlans"), "tags": _TAGS}),
    Kind("ipam.prefixes", "ipam.prefixes", ("vrf", "prefix"),
         {"prefix": None, "vrf": Ref("ipam.vrfs"), "status": None, "role": Ref("ipam.roles"),
          "scope": Generic("scope_type", "scope_id", {"dcim.site": "dcim.sites"}), "vlan": Ref("ipam.vlans"),
          "description": None, "tags": _TAGS}),
    Kind("ipam.ip-addresses", "ipam.ip_addresses", ("vrf", "address", "assigned"),
         {"address": None, "vrf": Ref("ipam.vrfs"), "status": None, "role": None, "description": None,
          "assigned": Generic("assigned_object_type", "assigned_object_id", {"dcim.interface": "dcim.interfaces"}),
          "tags": _TAGS}),
    Kind("device-primary-ips", "dcim.devices", ("name",),
         {"name": None, "primary_ip4": Ref("ipam.ip-addresses")}, tagged=False, update_only=True),
    Kind("circuits.providers", "circuits.providers", ("slug",),
         {"name": None, "slug": None, "description": None, "tags": _TAGS}),
    Kind("circuits.provider-networks", "circuits.provider_networks", ("name",),
         {"name": None, "provider": Ref("circuits.providers"), "description": None, "tags": _TAGS}),
    Kind("circuits.circuit-types", "circuits.circuit_types", ("slug",),
         {"name": None, "slug": None, "description": None, "tags": _TAGS}),
    Kind("circuits.circuits", "circuits.circuits", ("cid",),
         {"cid": None, "provider": Ref("circuits.providers"), "type": Ref("circuits.circuit-types"), "status": None,
          "commit_rate": None, "description": None, "tags": _TAGS}),
    Kind("circuits.circuit-terminations", "circuits.circuit_terminations", ("circuit", "term_side"),
         {"circuit": Ref("circuits.circuits"), "term_side": None, "port_speed": None, "description": None,
          "termination": Generic("termination_type", "termination_id",
                                 {"dcim.site": "dcim.sites", "circuits.providernetwork": "circuits.provider-networks"}),
          "tags": _TAGS}),
    Kind("dcim.cables", "dcim.cables", ("a_terminations", "b_terminations"),
         {"a_terminations": Terminations(_TERMINATION_KINDS), "b_terminations": Terminations(_TERMINATION_KINDS),
          "type": None, "status": None, "length": None, "length_unit": None, "label": None, "tags": _TAGS}),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}

"""Sync the inventory into NetBox: read what NetBox holds, plan the creates/updates/deletes, apply them
with NetBox's bulk API, kind by kind in dependency order.

A second sync plans nothing. Objects NetBox holds that the inventory no longer names are deleted
only with ``prune`` and only if they carry the managed tag. NetBox applies each bulk request in one
transaction, so a failure stops the sync between two requests; the error says how far it got, and
the next sync (idempotent) finishes the job.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import pynetbox
import requests

from muronet.netbox.connection import NetBoxError
from muronet.netbox.desired import Desired
from muronet.netbox.schema import KINDS, MANAGED_TAG, Generic, Key, Kind, Record, Ref, RefList, Terminations

Action = Literal["create", "update", "delete"]
BATCH = 100  # objects per bulk request
PARALLEL = 3  # bulk requests in flight (the local NetBox runs 3 gunicorn workers)


@dataclass(frozen=True)
class Change:
    kind: str
    action: Action
    key: Key
    fields: dict[str, tuple[Any, Any]]  # field → (in NetBox, wanted)

    @property
    def label(self) -> str:
        """The object as a person names it: ``ch-core1 eth1``, ``10.10.0.0/16 (MYNUMBER)``."""
        return " ".join(_flat(self.key))

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "action": self.action, "object": self.label,
                "fields": {name: {"netbox": _jsonable(now), "inventory": _jsonable(want)}
                           for name, (now, want) in self.fields.items()}}


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unmanaged: int = 0  # objects in NetBox the inventory does not name (deleted with prune, if ours)

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for c in self.changes if c.action == action) for action in ("create", "update", "delete")}

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "not_in_inventory": self.unmanaged,
                "changes": [c.as_dict() for c in self.changes]}


@dataclass
class NetBoxState:
    """What NetBox holds of every managed kind, in natural form, with each object's id."""

    records: dict[str, dict[Key, Record]] = field(default_factory=dict)
    ids: dict[str, dict[Key, int]] = field(default_factory=dict)


class SyncIncomplete(NetBoxError):
    """NetBox refused or dropped a request part way; ``applied`` changes were made before it."""

    def __init__(self, message: str, applied: int, total: int) -> None:
        super().__init__(f"{message}\nsync stopped after {applied} of {total} changes; NetBox rolled back the "
                         f"failing request, nothing of it is half-written. Run the sync again to finish.")
        self.applied, self.total = applied, total


# --- reading ----------------------------------------------------------------------------------

def _endpoint(nb: pynetbox.api, kind: Kind) -> Any:
    app, name = kind.endpoint.split(".")
    return getattr(getattr(nb, app), name)


def read_netbox(nb: pynetbox.api) -> NetBoxState:
    """Every object of every managed kind, read with one paged list call per endpoint."""
    state = NetBoxState()
    id_to_key: dict[str, dict[int, Key]] = {}
    raw_by_endpoint: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        if kind.endpoint not in raw_by_endpoint:
            raw_by_endpoint[kind.endpoint] = _call(_read_all, _endpoint(nb, kind), f"read {kind.endpoint}")
        raws = raw_by_endpoint[kind.endpoint]
        # keys first (an interface's parent is an interface: every key must be known before fields)
        keys = [kind.key({f: _natural(kind.fields[f], raw.get(f), raw, id_to_key) for f in kind.key_fields})
                for raw in raws]
        if not kind.update_only:
            id_to_key[kind.name] = {raw["id"]: key for raw, key in zip(raws, keys, strict=True)}
        state.ids[kind.name] = {key: raw["id"] for raw, key in zip(raws, keys, strict=True)}
        state.records[kind.name] = {
            key: {f: _natural(spec, raw.get(f), raw, id_to_key) for f, spec in kind.fields.items()}
            for raw, key in zip(raws, keys, strict=True)}
    return state


def _read_all(endpoint: Any) -> list[dict[str, Any]]:
    return [dict(record) for record in endpoint.all(limit=1000)]


def _natural(spec: Any, value: Any, raw: dict[str, Any], id_to_key: dict[str, dict[int, Key]]) -> Any:
    """A value read from NetBox's REST API in natural form (references as natural keys)."""
    if isinstance(spec, Ref):
        return None if value is None else id_to_key.get(spec.kind, {}).get(value["id"], ("#", value["id"]))
    if isinstance(spec, RefList):
        return tuple(sorted(id_to_key.get(spec.kind, {}).get(v["id"], ("#", v["id"])) for v in value or ()))
    if isinstance(spec, Generic):
        object_type, object_id = raw.get(spec.type_field), raw.get(spec.id_field)
        if object_type is None or object_id is None:
            return None
        return object_type, id_to_key.get(spec.kinds.get(object_type, ""), {}).get(object_id, ("#", object_id))
    if isinstance(spec, Terminations):
        return tuple(sorted((t["object_type"], id_to_key.get(spec.kinds.get(t["object_type"], ""), {})
                             .get(t["object_id"], ("#", t["object_id"]))) for t in value or ()))
    if isinstance(value, dict) and "value" in value and "label" in value:
        return value["value"]  # a choice field
    if isinstance(value, list):
        return tuple(sorted(value))
    return value


# --- planning ---------------------------------------------------------------------------------

def _same(now: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(now, dict) and all(now.get(k) == v for k, v in want.items())
    if isinstance(want, float) or isinstance(now, float):
        return now is not None and want is not None and math.isclose(float(now), float(want), abs_tol=1e-6)
    return bool(now == want)


def plan_sync(desired: Desired, netbox: NetBoxState, prune: bool = False) -> Plan:
    """The changes that make NetBox hold exactly what the inventory says."""
    plan = Plan()
    for kind in KINDS:
        wanted, held = desired.get(kind.name, {}), netbox.records.get(kind.name, {})
        for key, record in wanted.items():
            if key not in held:
                if not kind.update_only:
                    plan.changes.append(Change(kind.name, "create", key, {f: (None, v) for f, v in record.items()}))
                else:  # devices created in this sync get their primary IP in the same pass
                    plan.changes.append(Change(kind.name, "update", key, {f: (None, v) for f, v in record.items()
                                                                          if f not in kind.key_fields}))
                continue
            differences = {f: (held[key].get(f), v) for f, v in record.items() if not _same(held[key].get(f), v)}
            if differences:
                plan.changes.append(Change(kind.name, "update", key, differences))
        if kind.update_only:
            continue
        extra = [key for key in held if key not in wanted]
        plan.unmanaged += len(extra)
        if prune and kind.tagged:
            plan.changes.extend(Change(kind.name, "delete", key, {}) for key in extra
                                if (MANAGED_TAG,) in (held[key].get("tags") or ()))
    return plan


# --- applying ---------------------------------------------------------------------------------

def _to_api(kind: Kind, record: Record, ids: dict[str, dict[Key, int]]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for name, value in record.items():
        spec = kind.fields[name]
        if isinstance(spec, Ref):
            payload[name] = None if value is None else ids[spec.kind][value]
        elif isinstance(spec, RefList):
            payload[name] = [ids[spec.kind][v] for v in value]
        elif isinstance(spec, Generic):
            payload[spec.type_field] = value[0] if value else None
            payload[spec.id_field] = ids[spec.kinds[value[0]]][value[1]] if value else None
        elif isinstance(spec, Terminations):
            payload[name] = [{"object_type": t, "object_id": ids[spec.kinds[t]][k]} for t, k in value]
        else:
            payload[name] = list(value) if isinstance(value, tuple) else value
    return payload


def _self_refs(kind: Kind, record: Record) -> list[Key]:
    return [v for f, v in record.items() if isinstance(ref := kind.fields[f], Ref) and ref.kind == kind.name and v]


@dataclass
class _Tally:
    applied: int = 0


def apply_plan(nb: pynetbox.api, plan: Plan, desired: Desired, netbox: NetBoxState,
               progress: Callable[[str], None] = lambda _: None) -> int:
    """Make the planned changes with bulk requests; returns how many were applied."""
    ids = {kind: dict(found) for kind, found in netbox.ids.items()}
    by_kind: dict[tuple[str, str], list[Change]] = {}
    for change in plan.changes:
        by_kind.setdefault((change.kind, change.action), []).append(change)
    tally = _Tally()
    try:
        for kind in KINDS:
            _create(_endpoint(nb, kind), kind, by_kind.get((kind.name, "create"), []), desired, ids, tally)
            _update(_endpoint(nb, kind), kind, by_kind.get((kind.name, "update"), []), ids, tally)
            if tally.applied:
                progress(f"  {kind.name}: {tally.applied}/{len(plan.changes)}")
        for kind in reversed(KINDS):
            for batch in _batches(by_kind.get((kind.name, "delete"), [])):
                _call(_endpoint(nb, kind).delete, [ids[kind.name][c.key] for c in batch], f"delete {kind.name}", batch)
                tally.applied += len(batch)
    except NetBoxError as error:
        raise SyncIncomplete(str(error), tally.applied, len(plan.changes)) from error
    return tally.applied


def _create(endpoint: Any, kind: Kind, changes: list[Change], desired: Desired, ids: dict[str, dict[Key, int]],
            tally: _Tally) -> None:
    """Bulk creates, in waves: a child waits for its parent of the same kind (a sub-interface)."""
    pending = changes
    while pending:
        ready = [c for c in pending if all(r in ids[kind.name] for r in _self_refs(kind, desired[kind.name][c.key]))]
        if not ready:
            raise NetBoxError(f"{kind.name}: {pending[0].label} refers to an object that does not exist")
        batches = list(_batches(ready))
        payloads = [[_to_api(kind, desired[kind.name][c.key], ids) for c in batch] for batch in batches]
        # NetBox spends ≈ 70 ms of server CPU per object; parallel requests keep its workers busy
        with ThreadPoolExecutor(PARALLEL) as pool:
            results = pool.map(lambda job: _call(endpoint.create, job[1], f"create {kind.name}", job[0]),
                               zip(batches, payloads, strict=True))
            for batch, made in zip(batches, results, strict=True):
                ids[kind.name].update({c.key: obj.id for c, obj in zip(batch, made, strict=True)})
                tally.applied += len(batch)
        pending = [c for c in pending if c not in ready]


def _update(endpoint: Any, kind: Kind, changes: list[Change], ids: dict[str, dict[Key, int]], tally: _Tally) -> None:
    """Bulk updates of the changed fields only (an update-only kind shares its objects' ids)."""
    own_ids = ids[kind.name] if not kind.update_only else {**ids.get("dcim.devices", {}), **ids[kind.name]}
    batches = list(_batches(changes))
    rows = [[{"id": own_ids[c.key], **_to_api(kind, {f: want for f, (_, want) in c.fields.items()}, ids)}
             for c in batch] for batch in batches]
    with ThreadPoolExecutor(PARALLEL) as pool:
        for batch, _ in zip(batches, pool.map(lambda r: _call(endpoint.update, r, f"update {kind.name}"), rows),
                            strict=True):
            tally.applied += len(batch)


def _batches(changes: list[Change]) -> Iterator[list[Change]]:
    for start in range(0, len(changes), BATCH):
        yield changes[start:start + BATCH]


def _call(request: Callable[[Any], Any], argument: Any, what: str, batch: Iterable[Change] = ()) -> Any:
    """One API request; pynetbox's and requests' errors become a ``NetBoxError`` naming the objects."""
    try:
        return request(argument)
    except pynetbox.RequestError as error:
        names = ", ".join(c.label for c in list(batch)[:3])
        status = error.req.status_code
        retried = " (after retries with backoff)" if status in (429, 502, 503, 504) else ""
        raise NetBoxError(f"NetBox answered HTTP {status} to {what}{f' ({names}…)' if names else ''}{retried}: "
                          f"{_reason(error)}") from error
    except requests.RequestException as error:
        raise NetBoxError(f"NetBox did not answer ({what}), after retries with backoff: {error}") from error


def _reason(error: pynetbox.RequestError) -> str:
    detail = error.error
    if isinstance(detail, list):
        detail = next((d for d in detail if d), detail)
    return str(detail)[:500]


def _flat(value: Any) -> Iterator[str]:
    if isinstance(value, tuple):
        for part in value:
            yield from _flat(part)
    elif value is not None:
        yield str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return " ".join(_flat(value)) if value and not isinstance(value[0], tuple) else [_jsonable(v) for v in value]
    return value

"""NetBox benchmark, on a real local NetBox of its own (state /var/tmp/muronet-netbox-bench, ports
8767/5435/6382, stopped and deleted at the end):

1. the sync of the reference city into an empty NetBox, then a second sync (which changes nothing);
2. a NetBox holding a generated city of 1,000 devices with their sites and fiber cables; the graph
   read with one GraphQL query (what ``muronet topology`` does) beside REST read the way a script
   would: paged lists per object type, and one request per device and per cable.

    .venv/bin/python bench/netbox_bench.py [--devices 1000]

Results are printed and written to bench/results/netbox.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from synthetic_city import write_city  # noqa: E402

from muronet.netbox.connection import NetBoxTarget, api, session  # noqa: E402
from muronet.netbox.desired import Desired, desired_state  # noqa: E402
from muronet.netbox.service import LocalNetBox  # noqa: E402
from muronet.netbox.sync import apply_plan, plan_sync, read_netbox  # noqa: E402
from muronet.topology.from_netbox import graph_from_netbox, rest_graph  # noqa: E402
from muronet.validation import load_and_validate  # noqa: E402

# What a physical topology needs; the rest of a generated city (addresses, VLANs…) is not read by it.
TOPOLOGY_KINDS = ("extras.tags", "extras.custom-fields", "dcim.regions", "dcim.site-groups", "dcim.sites",
                  "dcim.manufacturers", "dcim.device-types", "dcim.device-roles", "dcim.platforms", "ipam.vrfs",
                  "dcim.devices", "dcim.interfaces", "dcim.cables", "circuits.providers",
                  "circuits.provider-networks", "circuits.circuit-types", "circuits.circuits",
                  "circuits.circuit-terminations")


def sync(nb, desired: Desired) -> tuple[float, int]:
    started = time.perf_counter()
    plan = plan_sync(desired, read_netbox(nb))
    applied = apply_plan(nb, plan, desired, read_netbox(nb))
    return time.perf_counter() - started, applied


def cabled_only(desired: Desired) -> Desired:
    """The topology's objects: every interface that carries a cable (and its parent), no addressing."""
    cabled = {end[1] for cable in desired["dcim.cables"].values()
              for end in (*cable["a_terminations"], *cable["b_terminations"]) if end[0] == "dcim.interface"}
    kept = {kind: dict(records) for kind, records in desired.items() if kind in TOPOLOGY_KINDS}
    kept["dcim.interfaces"] = {key: {**record, "vrf": None, "untagged_vlan": None, "tagged_vlans": (), "mode": None}
                               for key, record in desired["dcim.interfaces"].items() if key in cabled}
    return kept


def per_object_rest(target: NetBoxTarget) -> int:
    """A script's way: list the devices and cables, then one request per device (its interfaces) and one per
    cable (its ends). Returns the number of requests."""
    http, headers = session(target), {"Authorization": f"Bearer {target.token}"}

    def get(path: str) -> dict:
        response = http.get(f"{target.url}/api/{path}", headers=headers)
        response.raise_for_status()
        return response.json()

    requests = 0
    for listing in ("dcim/devices/?limit=1000", "dcim/cables/?limit=1000"):
        page: str | None = listing
        while page:
            body = get(page)
            requests += 1
            for item in body["results"]:
                get(f"dcim/interfaces/?device_id={item['id']}" if "device" in listing else f"dcim/cables/{item['id']}/")
                requests += 1
            page = body["next"].split("/api/", 1)[1] if body["next"] else None
    return requests


def timed(function, runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    args = parser.parse_args()
    local = LocalNetBox(state=Path("/var/tmp/muronet-netbox-bench"), http_port=8767, pg_port=5435, redis_port=6382)
    local.down(purge=True)
    results: dict[str, object] = {}
    try:
        started = time.perf_counter()
        url, token = local.up(progress=print).values()
        results["netbox_up_s"] = round(time.perf_counter() - started, 1)
        target = NetBoxTarget(url, token)
        nb = api(target)
        reference, _ = load_and_validate(REPO / "inventory")
        seconds, applied = sync(nb, desired_state(reference))
        again, unchanged = sync(nb, desired_state(reference))
        results["reference_city"] = {"objects": applied, "first_sync_s": round(seconds, 1),
                                     "objects_per_s": round(applied / seconds, 1),
                                     "second_sync_s": round(again, 1), "second_sync_changes": unchanged}
        print(f"reference city: {applied} objects in {seconds:.1f} s; second sync {again:.1f} s, {unchanged} changes")

        local.down(purge=True)  # an empty NetBox for the large city
        url, token = local.up(progress=print).values()
        target = NetBoxTarget(url, token)
        nb = api(target)
        with tempfile.TemporaryDirectory() as folder:
            count = write_city(Path(folder) / "inventory", args.devices)
            large, issues = load_and_validate(Path(folder) / "inventory")
            assert not issues, issues[:3]
        seconds, applied = sync(nb, cabled_only(desired_state(large)))
        print(f"{count}-device city (topology objects only): {applied} objects in {seconds:.1f} s")
        graph = graph_from_netbox(target)
        graphql_s = timed(lambda: graph_from_netbox(target))
        rest_s = timed(lambda: rest_graph(target))
        started = time.perf_counter()
        requests_made = per_object_rest(target)
        per_object_s = time.perf_counter() - started
        results["large_city"] = {
            "devices": nb.dcim.devices.count(), "cables": nb.dcim.cables.count(), "sites": len(graph.sites),
            "sync_objects": applied, "sync_s": round(seconds, 1),
            "graphql_s": round(graphql_s, 2), "rest_paged_lists_s": round(rest_s, 2),
            "rest_per_object_s": round(per_object_s, 1), "rest_per_object_requests": requests_made,
            "ratio_rest_paged_vs_graphql": round(rest_s / graphql_s, 1),
            "ratio_rest_per_object_vs_graphql": round(per_object_s / graphql_s, 1)}
        print(json.dumps(results["large_city"], indent=1))
    finally:
        local.down(purge=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "netbox.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()

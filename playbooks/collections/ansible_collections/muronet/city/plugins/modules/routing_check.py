"""Documentation of the muronet.city.routing_check action (plugins/action/routing_check.py)."""

DOCUMENTATION = r"""
module: routing_check
short_description: Verify a device's routing state against what the inventory implies
description:
  - Polls until every OSPF neighbour the inventory implies is Full, every BGP session is up and every
    zone prefix is routed in its VRF, or C(settle) seconds have passed; fails with the problems then.
options:
  settle: {description: Seconds to wait for the state., type: float, default: 90}
  poll: {description: Seconds between two readings., type: float, default: 2}
"""

"""NAPALM driver for FRRouting (``platform: frr``; NAPALM loads ``napalm_<name>`` modules)."""

from napalm_frr.frr import FrrDriver

__all__ = ["FrrDriver"]

"""Code napalm_frr ships from other projects, pinned, each with its source and licence (README.md)."""

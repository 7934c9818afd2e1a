"""Topology views of the city's networks, built from a source of truth into a plain graph and
written in diagram formats. Today: the physical fiber map from the inventory, as Mermaid."""

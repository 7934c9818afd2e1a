"""Nornir tasks of the project: each takes a Nornir ``Task`` and returns a ``Result``."""

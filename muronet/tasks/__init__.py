"""Nornir tasks of muronet: each takes a Nornir ``Task`` and returns a ``Result``.

``nornir_tasks`` (the repository's folder) names them for scripts."""

"""Nornir tasks for scripts run from this repository (Nornir's convention: a ``nornir_tasks``
folder of task functions). Each takes a Nornir ``Task`` and returns a ``Result``; they are
muronet's own tasks (:mod:`muronet.tasks`), named here so a script can write::

    from nornir_tasks import render_intended, running_config
    nr.run(task=render_intended, renderer=renderer)

This folder is not installed: ``pip install .`` puts only ``muronet`` and ``napalm_frr`` on the path.
"""

from muronet.tasks.collect import running_config
from muronet.tasks.provision import commit, rollback, stage, verify_and_confirm
from muronet.tasks.render import render_intended

__all__ = ["commit", "render_intended", "rollback", "running_config", "stage", "verify_and_confirm"]

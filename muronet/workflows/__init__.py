"""muronet's workflows as an API: provision, review, audit, backup, nightly, the twin, NetBox and the
topology, each a function that takes typed options and returns a typed result (data, not prints).

The CLI (:mod:`muronet.cli`) parses options and presents these results; tests and benchmarks call
the same functions. A failure the user must act on is a :class:`WorkflowError` with its exit code
(an invalid inventory: :class:`InvalidInventory`, with every issue).
"""

from muronet.workflows.errors import InvalidInventory, WorkflowError

__all__ = ["InvalidInventory", "WorkflowError"]

"""The ``muronet`` command line (Typer + rich): it parses options, calls the workflows
(:mod:`muronet.workflows`) and presents their results. One module per command group.

Every command takes ``--inventory DIR``; commands whose output is data take ``--json`` and then
print one JSON document on stdout and nothing else there.
"""

from __future__ import annotations

import os
import sys

from muronet.cli import audit, changes, config, lab, netbox  # noqa: F401  (each registers its commands)
from muronet.cli.common import app, err

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: no Python traceback reaches the user unless MURONET_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("muronet: interrupted", markup=False)
        sys.exit(130)
    except Exception as error:  # last line of defence; tests exercise the commands directly
        if os.environ.get("MURONET_DEBUG"):
            raise
        err.print(f"muronet: internal error: {type(error).__name__}: {error} "
                  "(set MURONET_DEBUG=1 for the traceback)", markup=False)
        sys.exit(70)

"""``python -m muronet.cli``: the ``muronet`` command."""

from muronet.cli import main

main()

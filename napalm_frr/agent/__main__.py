"""``python3 -m napalm_frr.agent``: serve an FRR host as its device agent, or print its login program.

    python3 -m napalm_frr.agent serve --user netops [--socket /run/napalm-frr/agent.sock]
    python3 -m napalm_frr.agent login-program [--socket /run/napalm-frr/agent.sock] > /usr/local/lib/napalm-frr/login
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import sys
from pathlib import Path

from napalm_frr.agent.login import login_program
from napalm_frr.agent.routers import FrrHost
from napalm_frr.agent.service import Agent

SOCKET = Path("/run/napalm-frr/agent.sock")
STATE = Path("/var/lib/napalm-frr")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m napalm_frr.agent", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="answer the device agent protocol for this FRR host (as root)")
    serve.add_argument("--user", action="append", required=True,
                       help="the management account the driver logs in as (repeat for more)")
    serve.add_argument("--socket", type=Path, default=SOCKET, help=f"the agent's Unix socket (default {SOCKET})")
    serve.add_argument("--group", help="the group that may open the socket (default: the first user's)")
    serve.add_argument("--state", type=Path, default=STATE,
                       help=f"root's folder for the pending commit and the log (default {STATE})")
    serve.add_argument("--restart", default="/usr/lib/frr/frrinit.sh restart",
                       help="the command that starts FRR again, from /etc/frr/frr.conf (words, no shell)")
    serve.add_argument("--etc", type=Path, default=Path("/etc/frr"), help=argparse.SUPPRESS)
    serve.add_argument("--run", type=Path, default=Path("/var/run/frr"), help=argparse.SUPPRESS)
    program = commands.add_parser("login-program", help="print the login program for the management account")
    program.add_argument("--socket", type=Path, default=SOCKET, help=f"the agent's Unix socket (default {SOCKET})")
    return parser


def _serve(args: argparse.Namespace) -> int:
    if os.geteuid() != 0:
        print("napalm-frr agent: run as root (it reverts and saves FRR's configuration)", file=sys.stderr)
        return 2
    try:
        accounts = [pwd.getpwnam(user) for user in args.user]
        group = grp.getgrnam(args.group).gr_gid if args.group else accounts[0].pw_gid
    except KeyError as error:
        print(f"napalm-frr agent: no such user or group {error}", file=sys.stderr)
        return 2
    for folder, mode in ((args.state, 0o700), (args.socket.parent, 0o755)):
        folder.mkdir(mode=mode, parents=True, exist_ok=True)
    host = FrrHost(args.state, restart=tuple(args.restart.split()), etc=args.etc, run=args.run)
    agent = Agent({"": host}, args.state / "agent.log", {account.pw_uid for account in accounts})
    agent.resume()
    agent.serve(args.socket, group)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "login-program":
        sys.stdout.write(login_program(args.socket))
        return 0
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())

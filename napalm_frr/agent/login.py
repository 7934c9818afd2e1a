'''The login program: the management account's only program (its login shell), which turns an SSH
session into the router's CLI and its device commands into requests to the agent.

On an FRR host it opens the host's vtysh; on a host of many routers (a ``ports`` file beside it,
``ROUTER PORT`` lines: the muronet twin) the router that the SSH port leads to, ``vtysh -N
ROUTER``. It runs at every login and device command: no site packages, and for the agent's
commands only the C halves of json and socket (the modules themselves would double its start).'''

from __future__ import annotations

from pathlib import Path

_PROGRAM = r'''#!/usr/bin/python3 -IS
# The login program of napalm-frr's device agent (napalm_frr/agent/login.py): this account's only
# program. It opens the router's CLI and hands the device commands to the agent.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOCKET = @SOCKET@
AGENT = ("commit-confirm", "lock", "ping", "traceroute")
SHOWN = (["show", "agent", "protocol"], ["show", "system", "status"], ["show", "lldp", "neighbors"],
         ["show", "interfaces", "counters"], ["show", "arp"], ["show", "ntp"])


def refuse(message):
    sys.stderr.write("napalm-frr: " + message + "\n")
    sys.exit(1)


def agent(router, words, data):
    code, out, err = ask(router, words, data)
    sys.stdout.buffer.write(out)
    sys.stderr.buffer.write(err)
    sys.exit(code)


def ask(router, words, data):
    # one JSON line to the agent (json's own string encoder); the answer: "CODE OUT ERR" (the byte
    # lengths), a newline, then the output and the errors
    import _json
    import _socket

    quoted = _json.encode_basestring_ascii
    request = '{"router": %s, "words": [%s], "input": %s}\n' % (quoted(router), ", ".join(map(quoted, words)),
                                                               quoted(data))
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(SOCKET)
        connection.sendall(request.encode())
        answer = bytearray()
        while chunk := connection.recv(65536):
            answer += chunk
    finally:
        connection.close()
    head, _, body = bytes(answer).partition(b"\n")
    fields = head.split()
    if len(fields) != 3 or not all(field.isdigit() for field in fields):
        refuse("the device agent gave no answer")
    code, out, err = (int(field) for field in fields)
    return code, body[:out], body[out:out + err]


def routed():
    """The router this session leads to, and its vtysh: the host's own, or on a host of many
    routers the one its SSH port leads to."""
    args = sys.argv[1:]
    if len(args) != 2 or args[0] != "-c":
        refuse("this account only opens a router's CLI")
    if not os.path.exists(os.path.join(HERE, "ports")):
        return "", ["vtysh"], "/etc/frr/frr.conf"
    router = args[1]
    if not router or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in router):
        refuse("no such router")
    connection = os.environ.get("SSH_CONNECTION", "").split()
    if len(connection) != 4 or connection[2] != "127.0.0.1":
        refuse("log in through the management port")
    with open(os.path.join(HERE, "ports")) as listing:
        ports = dict(line.split() for line in listing if line.strip())
    if ports.get(router) != connection[3]:
        refuse("this port does not lead to " + router)
    return router, ["vtysh", "-N", router], "/etc/frr/" + router + "/frr.conf"


router, vtysh, saved = routed()
os.environ["VTYSH_HISTFILE"] = "/dev/null"
command = os.environ.get("SSH_ORIGINAL_COMMAND", "")
words = command.split()
if command == "show startup-config":  # FRR 8.4's vtysh cannot show the saved configuration
    os.execv("/bin/cat", ["cat", saved])
if words[:2] == ["apply", "configuration"] and len(words) <= 3:  # what vtysh says of the lines, in order
    code, _, err = ask(router, ["lock", "check", *words[2:]], "")
    if code:  # another owner holds the device's lock
        sys.stderr.buffer.write(err)
        sys.exit(code)
    os.dup2(1, 2)
    os.execv("/usr/bin/vtysh", [*vtysh, "-f", "/dev/stdin"])
if words[:1] and words[0] in AGENT or words in SHOWN:
    agent(router, words, sys.stdin.read() if words[:2] == ["commit-confirm", "arm"] else "")
if command:
    os.execv("/usr/bin/vtysh", [*vtysh, "-c", command])
# Automation asks for an 80-column terminal (Ansible's network_cli); readline would wrap the echo
# of a longer line and garble it. A wide terminal keeps every echo on one line.
if sys.stdin.isatty():  # what `stty cols 1000` does, without starting it
    import fcntl
    import struct
    import termios

    rows = struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, bytes(8)))[0]
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 1000, 0, 0))
os.execv("/usr/bin/vtysh", vtysh)
'''


def login_program(socket: Path) -> str:
    """The login program's text, speaking to the agent on ``socket``.

    >>> "SOCKET = '/run/napalm-frr/agent.sock'" in login_program(Path("/run/napalm-frr/agent.sock"))
    True
    """
    return _PROGRAM.replace("@SOCKET@", repr(str(socket)))

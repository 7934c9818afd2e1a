"""SEC-AUTH: accounts, AAA and how secrets are stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

from muronet.policy.context import DeviceAudit
from muronet.policy.registry import MAX_LOGIN_ATTEMPTS, MIN_PASSWORD_LENGTH, REDUNDANT_SERVERS, Violation, check

_USER_PASSWORD = re.compile(r"username \S+ .*password ")
_USER_MD5 = re.compile(r"username \S+ .*secret 5 ")
_WEAK = re.compile(r"\b(password|key) [07] ")


@check("SEC-AUTH-004", "cisco_ios")
def ios_secrets_hashed(audit: DeviceAudit) -> Iterator[Violation]:
    if not audit.first("enable secret"):
        yield Violation("no enable secret")
    for text, line in audit.every_line():
        if "password" not in text and "secret 5" not in text and "key" not in text:
            continue
        if text.startswith("enable password"):
            yield Violation("enable password (reversible) instead of enable secret", line)
        elif _USER_PASSWORD.match(text):
            yield Violation(f"local user with a reversible password: {text.split()[1]}", line)
        elif _USER_MD5.match(text):
            yield Violation(f"local user {text.split()[1]} hashed with MD5 (type 5): use type 8 or 9", line)
        elif _WEAK.search(text) and not text.startswith("username"):
            yield Violation("cleartext or type 7 secret: " + re.sub(r"([07]) \S+", r"\1 <removed>", text), line)


@check("SEC-AUTH-004", "frr")
def frr_no_cleartext_passwords(audit: DeviceAudit) -> Iterator[Violation]:
    for child in [*audit.top("password "), *audit.top("enable password ")]:
        kind = "enable" if child.text.startswith("enable") else "vty"
        yield Violation(f"cleartext {kind} password in frr.conf", audit.line_of(child))


@check("SEC-AUTH-001", "cisco_ios")
def ios_central_aaa(audit: DeviceAudit) -> Iterator[Violation]:
    if not audit.tree.get_child(equals="aaa new-model"):
        yield Violation("aaa new-model missing")
    login = audit.first("aaa authentication login default")
    if login is None:
        yield Violation("no aaa authentication login default")
    elif not re.match(r"aaa authentication login default group \S+( local)?$", login.text):
        yield Violation(f"login must try an AAA group first, local only as fallback: {login.text}",
                        audit.line_of(login))


@check("SEC-AUTH-005", "cisco_ios")
def ios_one_local_account(audit: DeviceAudit) -> Iterator[Violation]:
    users = list(audit.top("username "))
    if len(users) > 1:
        yield Violation(f"{len(users)} local accounts; one emergency account only", audit.line_of(users[1]))


@check("SEC-AUTH-002", "cisco_ios")
def ios_two_aaa_servers(audit: DeviceAudit) -> Iterator[Violation]:
    servers = []
    allowed = {str(a) for a in audit.settings.aaa_servers}
    for server in [*audit.top("tacacs server "), *audit.top("radius server ")]:
        address = server.get_child(startswith="address ipv4 ")
        if address is None:
            continue
        servers.append(address.text.split()[2])  # address ipv4 A [auth-port N acct-port N]
        if allowed and servers[-1] not in allowed:
            yield Violation(f"{server.text}: {servers[-1]} is not a city AAA server", audit.line_of(address))
    if len(servers) < REDUNDANT_SERVERS:
        yield Violation(f"{len(servers)} AAA server(s); at least {REDUNDANT_SERVERS}")


@check("SEC-AUTH-003", "cisco_ios")
def ios_accounting(audit: DeviceAudit) -> Iterator[Violation]:
    for needed in ("aaa accounting commands 15 default start-stop group",
                   "aaa accounting exec default start-stop group"):
        if audit.first(needed) is None:
            yield Violation(f"missing '{needed} …'")


@check("SEC-AUTH-006", "cisco_ios")
def ios_brute_force_protection(audit: DeviceAudit) -> Iterator[Violation]:
    block = audit.first("login block-for ")
    attempts = re.search(r"attempts (\d+)", block.text) if block else None
    if attempts is None or int(attempts.group(1)) > MAX_LOGIN_ATTEMPTS:
        yield Violation(f"login block-for … attempts ≤ {MAX_LOGIN_ATTEMPTS} missing",
                        audit.line_of(block) if block else None)
    length = audit.first("security passwords min-length ")
    if length is None or int(length.text.split()[-1]) < MIN_PASSWORD_LENGTH:
        yield Violation(f"security passwords min-length below {MIN_PASSWORD_LENGTH}",
                        audit.line_of(length) if length else None)



"""SEC-AUTH: accounts, AAA and how secrets are stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policy.context import DeviceAudit
from policy.registry import Violation, check


@check("SEC-AUTH-004", "cisco_ios")
def ios_secrets_hashed(audit: DeviceAudit) -> Iterator[Violation]:
    if not audit.tree.get_child(startswith="enable secret"):
        yield Violation("no enable secret")
    for child in audit.tree.all_children():
        text = child.text
        if re.match(r"enable password", text):
            yield Violation("enable password (reversible) instead of enable secret", audit.line_of(child))
        elif re.match(r"username \S+ .*password ", text):
            yield Violation(f"local user with a reversible password: {text.split()[1]}", audit.line_of(child))
        elif re.match(r"username \S+ .*secret 5 ", text):
            yield Violation(f"local user {text.split()[1]} hashed with MD5 (type 5): use type 8 or 9",
                            audit.line_of(child))
        elif re.search(r"\b(password|key) [07] ", text) and not text.startswith("username"):
            yield Violation("cleartext or type 7 secret: " + re.sub(r"([07]) \S+", r"\1 <removed>", text),
                            audit.line_of(child))


@check("SEC-AUTH-004", "frr")
def frr_no_cleartext_passwords(audit: DeviceAudit) -> Iterator[Violation]:
    for child in audit.tree.get_children(re_search=r"^(enable )?password "):
        kind = "enable" if child.text.startswith("enable") else "vty"
        yield Violation(f"cleartext {kind} password in frr.conf", audit.line_of(child))


@check("SEC-AUTH-001", "cisco_ios")
def ios_central_aaa(audit: DeviceAudit) -> Iterator[Violation]:
    if not audit.tree.get_child(equals="aaa new-model"):
        yield Violation("aaa new-model missing")
    login = audit.tree.get_child(startswith="aaa authentication login default")
    if login is None:
        yield Violation("no aaa authentication login default")
    elif not re.match(r"aaa authentication login default group \S+( local)?$", login.text):
        yield Violation(f"login must try an AAA group first, local only as fallback: {login.text}",
                        audit.line_of(login))


@check("SEC-AUTH-005", "cisco_ios")
def ios_one_local_account(audit: DeviceAudit) -> Iterator[Violation]:
    users = audit.tree.get_children(startswith="username ")
    users = list(users)
    if len(users) > 1:
        yield Violation(f"{len(users)} local accounts; one emergency account only", audit.line_of(users[1]))

"""Masking covers every secret form of Cisco IOS (what NAPALM's filters, Oxidized's IOS model and
netutils' examples mask, and more) and of FRR, in one placeholder format, and keeps what the audit
reads (a community's access and ACL, an SNMPv3 host's user, the type digit of a hash)."""

from __future__ import annotations

import pytest
from napalm.base.constants import CISCO_SANITIZE_FILTERS
from napalm.base.helpers import sanitize_config
from support import DATA as TESTS_DATA

from muronet.masking import PLACEHOLDER, mask, secrets_in

SALT = b"test-salt"
DATA = TESTS_DATA / "napalm_ios"

# (line as the device shows it, the secrets in it, what must still be there after masking)
FORMS = [
    # Cisco IOS: Oxidized's IOS model
    ("snmp-server community s3cr3t-c0mm RO 10", ["s3cr3t-c0mm"], "snmp-server community <secret:sha-* RO 10"),
    ("snmp-server host 10.0.0.9 vrf MGMT version 2c c0mmunity", ["c0mmunity"], "version 2c <secret:sha-"),
    ("snmp-server host 10.0.0.9 informs version 2c c0mmunity udp-port 162", ["c0mmunity"], " udp-port 162"),
    ("snmp-server host 10.0.0.9 c0mmunity", ["c0mmunity"], "snmp-server host 10.0.0.9 <secret:sha-"),
    ("username admin privilege 15 secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
     ["$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM"], "secret 9 <secret:sha-"),
    ("username admin password 7 0822455D0A16", ["0822455D0A16"], "password 7 <secret:sha-"),
    ("enable secret 9 $9$abcdefghijklmn$opqrstuvwxyz", ["$9$abcdefghijklmn$opqrstuvwxyz"], "enable secret 9 <secret"),
    ("enable password 7 0822455D0A16", ["0822455D0A16"], "enable password 7 <secret:sha-"),
    (" password 7 0822455D0A16", ["0822455D0A16"], " password 7 <secret"),
    (" wpa-psk ascii 0 wifi-passphrase", ["wifi-passphrase"], "wpa-psk ascii 0 <secret"),
    ("tacacs-server key 7 0822455D0A16", ["0822455D0A16"], "tacacs-server key 7 <secret"),
    ("crypto isakmp key 1sakmp-k3y address 203.0.113.9", ["1sakmp-k3y"], " address 203.0.113.9"),
    # NAPALM's filters beyond Oxidized's
    (" ip ospf message-digest-key 1 md5 7 0822455D0A16", ["0822455D0A16"], "md5 7 <secret"),
    (" ip ospf authentication-key 0spf-k3y", ["0spf-k3y"], "authentication-key <secret"),
    (" neighbor 10.224.255.1 password 7 0822455D0A16", ["0822455D0A16"], "password 7 <secret"),
    (" vrrp 1 authentication text vrrp-k3y", ["vrrp-k3y"], "authentication text <secret"),
    (" standby 1 authentication md5 key-string hsrp-k3y timeout 30", ["hsrp-k3y"], " timeout 30"),
    ("  key-string chain-k3y", ["chain-k3y"], "key-string <secret"),
    (" ppp chap password 0 ppp-k3y", ["ppp-k3y"], "chap password 0 <secret"),
    # forms none of them masks
    ("snmp-server user muronet-snmp MURONET v3 auth sha auth-k3y priv aes 256 priv-k3y", ["auth-k3y", "priv-k3y"],
     " priv aes 256 <secret"),
    ("snmp-server user ops MURONET v3 auth sha auth-only-k3y", ["auth-only-k3y"], "auth sha <secret"),
    ("ntp authentication-key 1 hmac-sha2-256 ntp-k3y 7", ["ntp-k3y"], "hmac-sha2-256 <secret"),
    (" pre-shared-key local 0 psk-local", ["psk-local"], "pre-shared-key local 0 <secret"),
    (" pre-shared-key address 203.0.113.9 key psk-peer", ["psk-peer"], " key <secret"),
    (" server-key 7 0822455D0A16", ["0822455D0A16"], "server-key 7 <secret"),
    ("radius-server key 7 0822455D0A16", ["0822455D0A16"], "radius-server key 7 <secret"),
    # FRR: vtysh, ospfd, ospf6d, bgpd, isisd, ripd, key chains
    ("password zebra", ["zebra"], "password <secret"),
    ("enable password zebra", ["zebra"], "enable password <secret"),
    (" ip ospf message-digest-key 1 md5 0spf-md5", ["0spf-md5"], "md5 <secret"),
    (" area 0.0.0.1 virtual-link 10.0.0.1 message-digest-key 1 md5 vl-k3y", ["vl-k3y"], "md5 <secret"),
    (" ipv6 ospf6 authentication key-id 1 hash-algo hmac-sha-256 key ospf6-k3y", ["ospf6-k3y"], " key <secret"),
    (" neighbor 10.224.255.1 password bgp-k3y", ["bgp-k3y"], "password <secret"),
    (" neighbor LGWAN password bgp-k3y", ["bgp-k3y"], "password <secret"),
    (" area-password md5 isis-area-k3y authenticate snp validate", ["isis-area-k3y"], " authenticate snp"),
    (" domain-password clear isis-domain-k3y", ["isis-domain-k3y"], "clear <secret"),
    (" isis password md5 isis-if-k3y", ["isis-if-k3y"], "md5 <secret"),
    (" ip rip authentication string rip-k3y", ["rip-k3y"], "string <secret"),
    ("  key-string frr-chain-k3y", ["frr-chain-k3y"], "key-string <secret"),
]


@pytest.mark.parametrize(("line", "secrets", "kept"), FORMS, ids=[f[0][:40] for f in FORMS])
def test_every_secret_form_is_masked_and_what_the_audit_reads_is_kept(line, secrets, kept):
    masked = mask(line + "\n", SALT)
    for secret in secrets:
        assert secret not in masked, masked
    head, _, tail = kept.partition("*")
    assert head in masked and tail in masked, masked
    assert len(PLACEHOLDER.findall(masked)) == len(secrets)
    assert mask(masked, SALT) == masked  # masking twice changes nothing
    assert sorted(secrets_in(line)) == sorted(secrets)


def test_a_removal_holds_its_secret_too():
    assert "zebra" not in mask("no password zebra\n", SALT)
    assert "bgp-k3y" not in mask(" no neighbor 10.0.0.1 password bgp-k3y\n", SALT)


def test_a_key_inside_a_tacacs_server_block_is_masked_but_a_key_chain_id_is_not():
    text = ("tacacs server AAA1\n address ipv4 10.99.0.11\n key 7 0822455D0A16\n!\n"
            "key chain OSPF\n key 1\n  key-string x\n")
    masked = mask(text, SALT)
    assert "0822455D0A16" not in masked and " key 1\n" in masked and "key-string <secret:sha-" in masked


def test_equal_secrets_give_equal_placeholders_and_a_salt_changes_them():
    one, two = mask("password a1\nenable password a1\n", SALT).splitlines()
    assert one.split()[-1] == two.split()[-1]
    assert mask("password a1\n", SALT) != mask("password a1\n", b"other")
    assert mask("password a1\n", SALT) != mask("password a2\n", SALT)


def test_a_real_ios_configuration_masks_at_least_what_napalm_masks():
    """NAPALM's recorded CSR1000V configuration: every line NAPALM's own sanitising changes, ours
    masks too, and more (NAPALM leaves `enable password cisco` in clear)."""
    raw = (DATA / "csr1_show_startup_config.txt").read_text()
    theirs = sanitize_config(raw, CISCO_SANITIZE_FILTERS)
    ours = mask(raw, SALT)
    for raw_line, their_line, our_line in zip(raw.splitlines(), theirs.splitlines(), ours.splitlines(), strict=True):
        if raw_line != their_line:
            assert our_line != raw_line and "<secret:sha-" in our_line, raw_line
    assert "enable password <secret:sha-" in ours and "password 0 <secret:sha-" in ours
    assert "password cisco" not in ours and "password 0 cisco" not in ours


def test_secrets_are_scrubbed_from_the_data_before_it_is_serialised():
    """A secret holding a quote or a backslash is written by JSON as an escape: scrubbing the JSON
    text would miss it, scrubbing the data does not."""
    import json

    from muronet.inventory.secrets import GivenSecrets

    secrets = GivenSecrets({"bgp_lgwan": 'k"e\\y9'})
    report = {"devices": [{"diff": f"+ neighbor 10.224.255.1 password {secrets.get('bgp_lgwan')}",
                           "detail": [f"refused: password {secrets.get('bgp_lgwan')}"]}]}
    assert 'k\\"e\\\\y9' in secrets.scrub(json.dumps(report))  # what the old way left in the report
    shown = json.dumps(secrets.scrub_data(report))
    assert "e\\\\y9" not in shown and 'k"e' not in shown and shown.count("<secret:bgp_lgwan>") == 2




def test_the_netbox_database_password_goes_to_psql_through_a_pipe(monkeypatch):
    from muronet.netbox import service

    calls = []
    monkeypatch.setattr(service, "_run", lambda command, what, env=None, input=None: calls.append((command, input))
                        or "")
    service.LocalNetBox()._psql_as_postgres("CREATE ROLE netbox LOGIN PASSWORD 'pw-in-ps?'")
    (command, sql), = calls
    assert not any("pw-in-ps" in part for part in command) and "pw-in-ps" in sql

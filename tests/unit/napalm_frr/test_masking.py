"""The driver's optional secret reader (napalm_frr.masking): with muronet's reader registered, every
FRR secret becomes a keyed placeholder or a token; with none, NAPALM's own filters mask what is shown
and the scratch FRR gets no tokens (so nothing is cached)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from napalm_frr import masking

CONFIG = """router bgp 65001
 neighbor 10.0.0.1 remote-as 65002
 neighbor 10.0.0.1 password s3cret-bgp
exit
interface eth1
 ip ospf message-digest-key 1 md5 s3cret-ospf
exit
"""


@pytest.fixture
def no_reader(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(masking, "reader", lambda: None)
    yield


def test_muronet_registers_its_frr_reader_as_an_entry_point() -> None:
    read = masking.reader()
    assert read is not None and read.__module__ == "muronet.masking"
    assert [CONFIG[start:end] for start, end in read(CONFIG)] == ["s3cret-bgp", "s3cret-ospf"]


def test_with_the_reader_secrets_are_keyed_placeholders_and_tokens_of_their_length() -> None:
    shown = masking.sanitize(CONFIG, b"key")
    assert "s3cret" not in shown and shown.count("<secret:sha-") == 2
    assert masking.sanitize(CONFIG.replace("s3cret-bgp", "other-bgp"), b"key") != shown  # a changed key shows
    secretless = masking.tokenized(CONFIG)
    assert secretless is not None
    text, tokens = secretless
    assert "s3cret" not in text and len(text) == len(CONFIG) and sorted(tokens.values()) == ["s3cret-bgp",
                                                                                           "s3cret-ospf"]
    for token, secret in tokens.items():
        text = text.replace(token, secret)
    assert text == CONFIG  # the tokens give every secret back


def test_without_a_reader_napalm_s_filters_mask_what_is_shown_and_nothing_is_tokenized(no_reader: None) -> None:
    shown = masking.sanitize(CONFIG, b"key")
    assert "s3cret" not in shown and shown.count("<removed>") == 2
    assert masking.tokenized(CONFIG) is None

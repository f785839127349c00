"""Signed keysets through the installed wheel: a pinned signer's JWS is
accepted and seals to its primary key; a substituted, unsigned, expired or
rolled-back keyset is refused, with its own error class, before anything is
sealed. The JWS are made by an independent signer (``cryptography``)."""

import json
import time

import pytest

import enseal
from conftest import Signer

CONTEXT = b"patients/8812/ssn"


def keyset_json() -> tuple:
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    return key, enseal.Keyset.from_public_key(key.public_key).to_json()


def test_a_pinned_signers_keyset_verifies_and_seals_to_its_primary(signer):
    key, document = keyset_json()
    jws = signer.sign(document, version=7)
    pins = enseal.SignerPins.from_jwks(signer.pins())
    assert len(pins) == 1 and pins.kids == [signer.kid]
    verified = enseal.Keyset.from_signed(jws, pins)
    assert (verified.version, verified.expires, verified.signer) == (7, 4_000_000_000, signer.kid)
    assert verified.keyset.primary_kid == key.kid
    # What was signed cannot be changed through the object handed out.
    other = enseal.KeyPair.generate(enseal.Suite.X25519)
    handed_out = verified.keyset
    handed_out.add(other.public_key)
    handed_out.promote(other.kid)
    assert verified.keyset.primary_kid == key.kid and len(verified.keyset) == 1
    sealer = enseal.Sealer.from_signed_keyset(jws, pins, min_version=7)
    sealed = sealer.seal("123-45-6789", CONTEXT)
    assert enseal.Opener([key]).open(sealed, CONTEXT) == b"123-45-6789"


def test_signer_rotation_two_pins_each_verify(signer):
    new = Signer()
    _, document = keyset_json()
    pins = enseal.SignerPins.from_jwks(signer.pins(new))
    assert enseal.Keyset.from_signed(signer.sign(document), pins).signer == signer.kid
    assert enseal.Keyset.from_signed(new.sign(document), pins).signer == new.kid


def test_each_refusal_has_its_own_error_and_nothing_is_sealed(signer):
    _, document = keyset_json()
    pins = enseal.SignerPins.from_jwks(signer.pins())
    attacker = Signer()
    cases = [
        (document, enseal.KeysetUnsignedError),  # the plain keyset, as a substituting CDN serves it
        (attacker.sign(document), enseal.KeysetBadSignatureError),  # signed, but not by a pinned key
        # The attacker's signature under the pinned signer's kid.
        (attacker.sign(document, header={"alg": "EdDSA", "typ": "enseal-keyset+jws", "kid": signer.kid}),
         enseal.KeysetBadSignatureError),
        (signer.sign(document, header={"alg": "none", "typ": "enseal-keyset+jws", "kid": signer.kid}),
         enseal.KeysetBadSignatureError),
        (signer.sign(document, iat=1_000, exp=2_000), enseal.KeysetExpiredError),
    ]
    for jws, error in cases:
        with pytest.raises(error):
            enseal.Keyset.from_signed(jws, pins)
        with pytest.raises(error):
            enseal.Sealer.from_signed_keyset(jws, pins)
    with pytest.raises(enseal.KeysetRollbackError) as rolled:
        enseal.Sealer.from_signed_keyset(signer.sign(document, version=3), pins, min_version=4)
    assert rolled.value.code == 306 and "3" in str(rolled.value)
    # A flipped byte of a valid signature.
    head, body, sig = signer.sign(document).split(".")
    flipped = ("A" if sig[5] != "A" else "B")
    with pytest.raises(enseal.KeysetBadSignatureError):
        enseal.Keyset.from_signed(".".join([head, body, sig[:5] + flipped + sig[6:]]), pins)


def test_bad_pins_are_refused_clearly(signer):
    with pytest.raises(enseal.InvalidKeysetError):
        enseal.SignerPins.from_jwks('{"keys": []}')
    private = dict(signer.public_jwk, d="A" * 43)
    with pytest.raises(enseal.EnsealError):
        enseal.SignerPins.from_jwks(json.dumps({"keys": [private]}))
    with pytest.raises(TypeError):
        enseal.Keyset.from_signed("x.y.z", signer.pins())  # a str where SignerPins belongs
    with pytest.raises(TypeError):
        enseal.SignerPins()


def test_the_expiry_is_checked_against_now(signer):
    _, document = keyset_json()
    pins = enseal.SignerPins.from_jwks(signer.pins())
    now = int(time.time())
    assert enseal.Keyset.from_signed(signer.sign(document, iat=now - 10, exp=now + 3600), pins).version == 1
    with pytest.raises(enseal.KeysetExpiredError):
        enseal.Keyset.from_signed(signer.sign(document, iat=now - 7200, exp=now - 3600), pins)

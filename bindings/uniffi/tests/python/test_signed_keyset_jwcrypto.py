"""Signed keysets in the installed wheel, signed by jwcrypto (an independent JOSE library): SignerPins, Keyset.from_signed and
Sealer.from_signed_keyset, each refusal with its exception and code. The
documents are signed by jwcrypto (an independent JOSE library) with keys made
here; the wheel can only verify, as clients do."""

import json
import time

import pytest
from jwcrypto import jwk, jws

import enseal

TYP = "enseal-keyset+jws"


def sign(key, payload, header=None):
    token = jws.JWS(json.dumps(payload).encode())
    header = header or {"alg": "EdDSA", "typ": TYP, "kid": key.thumbprint()}
    token.add_signature(key, alg=None, protected=json.dumps(header))
    return token.serialize(compact=True)


def pins_of(*keys):
    return enseal.SignerPins.from_jwks(json.dumps({"keys": [json.loads(k.export_public()) for k in keys]}))


@pytest.fixture()
def setup():
    service = enseal.KeyPair.generate(enseal.Suite.X25519)
    keyset = enseal.Keyset.from_public_key(service.public_key)
    signer = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    now = int(time.time())
    payload = {"typ": "enseal-keyset", "version": 3, "iat": now, "exp": now + 600, "keyset": json.loads(keyset.to_json())}
    return service, keyset, signer, payload


def test_verify_then_seal(setup):
    service, keyset, signer, payload = setup
    pins = pins_of(signer)
    assert len(pins) == 1 and pins.kids == [signer.thumbprint()]
    document = sign(signer, payload)

    verified = enseal.Keyset.from_signed(document, pins, min_version=3)
    assert isinstance(verified, enseal.VerifiedKeyset)
    assert (verified.version, verified.expires, verified.signer) == (3, payload["exp"], signer.thumbprint())
    assert isinstance(verified.keyset, enseal.Keyset)
    assert verified.keyset.primary_kid == keyset.primary_kid == service.kid
    assert verified.keyset.to_json() == keyset.to_json()

    sealer = enseal.Sealer.from_signed_keyset(document, pins)
    sealed = sealer.seal("123-45-6789", "patients/1/ssn")
    assert enseal.Opener([service]).open(sealed, "patients/1/ssn") == b"123-45-6789"


def test_a_rotating_signer_verifies_under_either_pin(setup):
    _, _, old, payload = setup
    new = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    both = pins_of(old, new)
    assert len(both) == 2
    assert enseal.Keyset.from_signed(sign(old, payload), both).signer == old.thumbprint()
    assert enseal.Keyset.from_signed(sign(new, payload), both).signer == new.thumbprint()
    with pytest.raises(enseal.KeysetBadSignatureError):
        enseal.Keyset.from_signed(sign(old, payload), pins_of(new))


def test_each_refusal_has_its_error(setup):
    _, keyset, signer, payload = setup
    pins = pins_of(signer)
    stranger = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    now = payload["iat"]
    cases = [
        (keyset.to_json(), None, enseal.KeysetUnsignedError, 303),
        (sign(stranger, payload), None, enseal.KeysetBadSignatureError, 304),
        (sign(signer, payload, {"alg": "EdDSA", "typ": TYP, "kid": signer.thumbprint(),
                                "jwk": json.loads(signer.export_public())}), None, enseal.KeysetBadSignatureError, 304),
        (sign(signer, {**payload, "iat": now - 100, "exp": now - 10}), None, enseal.KeysetExpiredError, 305),
        (sign(signer, payload), 4, enseal.KeysetRollbackError, 306),
        (sign(signer, {**payload, "keyset": {"primary": "x"}}), None, enseal.InvalidKeysetError, 301),
    ]
    for document, min_version, error, code in cases:
        with pytest.raises(error) as caught:
            enseal.Keyset.from_signed(document, pins, min_version=min_version)
        assert caught.value.code == code
        with pytest.raises(error):
            enseal.Sealer.from_signed_keyset(document, pins, min_version=min_version)


def test_pins_are_public_keys_only():
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    with pytest.raises(enseal.InvalidKeysetError):
        enseal.SignerPins.from_jwks(json.dumps({"keys": [json.loads(key.export_private())]}))
    with pytest.raises(enseal.InvalidKeysetError):
        enseal.SignerPins.from_jwks('{"keys": []}')
    with pytest.raises(enseal.InvalidKeyError):
        enseal.SignerPins.from_jwks('{"keys": [{"kty": "OKP", "crv": "X25519", "x": "AAAA"}]}')
    with pytest.raises(TypeError):
        enseal.SignerPins()
    with pytest.raises(TypeError):
        enseal.Keyset.from_signed("a.b.c", '{"keys": []}')

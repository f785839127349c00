"""Fields sealed by the Python package open with independent code following only
docs/FORMAT.md: pyhpke (an HPKE library) + cryptography's AES-GCM for X25519 and
P-256, and the repository's from-scratch reference opener (cryptography's ML-KEM
plus a written-out X-Wing combiner) for all three suites. Fields sealed by the
Rust core (the shared vectors) open here, in test_vectors.py."""

import importlib.util
import pathlib

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

import enseal

ROOT = pathlib.Path(__file__).resolve().parents[4]
CONTEXT = b"patients/8812/ssn"


def _reference():
    spec = importlib.util.spec_from_file_location("reference", ROOT / "tests/reference/open_with_python.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "suite,kem_id,n_enc",
    [(enseal.Suite.X25519, KEMId.DHKEM_X25519_HKDF_SHA256, 32), (enseal.Suite.P256, KEMId.DHKEM_P256_HKDF_SHA256, 65)],
)
def test_pyhpke_opens_what_enseal_sealed(suite, kem_id, n_enc):
    key = enseal.KeyPair.generate(suite)
    sealed = enseal.Sealer(key.public_key).seal_binary("123-45-6789", CONTEXT)
    # docs/FORMAT.md §4: version || kem_id || kid || enc || counter || ciphertext || tag
    assert sealed[0] == 1 and int.from_bytes(sealed[1:3], "big") == kem_id.value
    enc, counter = sealed[11 : 11 + n_enc], int.from_bytes(sealed[11 + n_enc : 19 + n_enc], "big")
    hpke = CipherSuite.new(kem_id, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
    context = hpke.create_recipient_context(enc, hpke.kem.deserialize_private_key(key.private_bytes()), info=b"enseal/v1")
    secret = context.export(b"enseal/v1 field", 44)
    nonce = bytes(a ^ b for a, b in zip(secret[32:], counter.to_bytes(12, "big")))
    header = sealed[: 19 + n_enc]
    assert AESGCM(secret[:32]).decrypt(nonce, sealed[19 + n_enc :], header + CONTEXT) == b"123-45-6789"


def test_reference_opener_opens_every_suite():
    reference = _reference()
    for suite, kem_id in [(enseal.Suite.X25519, 0x20), (enseal.Suite.P256, 0x10), (enseal.Suite.X_WING, 0x647A)]:
        key = enseal.KeyPair.generate(suite)
        text = enseal.Sealer(key.public_key).seal("F32.1", CONTEXT)
        keys = {(kem_id, bytes.fromhex(enseal_kid_hex(key))): key.private_bytes()}
        assert reference.open_sealed(reference.decode_text(text), CONTEXT, keys) == b"F32.1"


def enseal_kid_hex(key):
    import base64

    return base64.urlsafe_b64decode(key.kid + "=").hex()

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]


@pytest.fixture(scope="session")
def kat():
    return json.loads((ROOT / "tests/vectors/enseal-v1.json").read_text())


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """An Ed25519 signer written with ``cryptography`` alone: an independent
    JWS implementation (RFC 7515 compact, RFC 8037 EdDSA, RFC 7638 kid) that
    enseal's verifier must accept, and that can break the rules on purpose."""

    def __init__(self) -> None:
        import hashlib

        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self.key = Ed25519PrivateKey.generate()
        x = _b64(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
        self.kid = _b64(hashlib.sha256(canonical.encode()).digest())
        self.public_jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid}

    def pins(self, *others: "Signer") -> str:
        return json.dumps({"keys": [self.public_jwk, *(o.public_jwk for o in others)]})

    def sign(self, keyset_json: str, *, version: int = 1, iat: int = 1_700_000_000,
             exp: int = 4_000_000_000, header: object = None) -> str:
        header = header or {"alg": "EdDSA", "typ": "enseal-keyset+jws", "kid": self.kid}
        payload = {"typ": "enseal-keyset", "version": version, "iat": iat, "exp": exp,
                   "keyset": json.loads(keyset_json)}
        signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
        return signing_input + "." + _b64(self.key.sign(signing_input.encode()))


@pytest.fixture()
def signer() -> Signer:
    return Signer()

"""Signed keysets (docs/FORMAT.md §10) against an independent JOSE library:
jwcrypto verifies the JWS the `enseal` CLI signs, computes the same RFC 7638
kid and reads back the payload; a JWS jwcrypto signs with its own Ed25519 key
verifies in `enseal keyset verify`. The CLI binary is the one `cargo xtask
python-test` builds (ENSEAL_CLI); every key is generated here."""

import json
import os
import pathlib
import subprocess
import time

import pytest
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

ROOT = pathlib.Path(__file__).resolve().parents[4]
HEADER_TYP = "enseal-keyset+jws"


@pytest.fixture(scope="module")
def cli():
    path = pathlib.Path(os.environ.get("ENSEAL_CLI", ROOT / "target/debug/enseal"))
    if not path.is_file():
        pytest.fail(f"the enseal CLI is not built at {path}: run `cargo build -p enseal-cli` (xtask does)")
    return path


def jwcrypto_verify(text, key):
    """The payload of a compact JWS that verifies under `key` with EdDSA; raises otherwise."""
    token = jws.JWS()
    token.allowed_algs = ["EdDSA"]
    token.deserialize(text, key=key)
    return token


def run(cli, cwd, *args, ok=True):
    out = subprocess.run([str(cli), *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def fields(stdout):
    return dict(line.split(": ", 1) for line in stdout.strip().splitlines())


@pytest.fixture()
def keyset(cli, tmp_path):
    """A keyset file with one fresh X25519 key, made by the CLI."""
    run(cli, tmp_path, "key", "generate", "--suite", "x25519", "--out", "k1.jwk", "--insecure-plaintext-key")
    run(cli, tmp_path, "keyset", "init", "--key", "k1.jwk", "--insecure-plaintext-key", "--out", "keyset.json")
    return json.loads((tmp_path / "keyset.json").read_text())


def test_jwcrypto_verifies_what_the_cli_signs(cli, tmp_path, keyset):
    kid = run(
        cli, tmp_path, "signer", "generate", "--out", "signer.jwk", "--public-out", "signer.pub.jwk",
        "--insecure-plaintext-key",
    ).stdout.strip()
    signed = run(
        cli, tmp_path, "keyset", "sign", "--signer", "signer.jwk", "--insecure-plaintext-key",
        "--version", "4", "--expires", "1d", "keyset.json", "--out", "keyset.jws",
    )
    assert fields(signed.stdout)["version"] == "4"
    text = (tmp_path / "keyset.jws").read_text().strip()

    public = jwk.JWK.from_json((tmp_path / "signer.pub.jwk").read_text())
    assert public.thumbprint() == kid  # RFC 7638, computed by jwcrypto
    token = jwcrypto_verify(text, public)  # raises unless the signature verifies
    assert token.jose_header == {"alg": "EdDSA", "typ": HEADER_TYP, "kid": kid}

    payload = json.loads(token.payload)
    assert payload["typ"] == "enseal-keyset"
    assert payload["version"] == 4
    now = int(time.time())
    assert abs(payload["iat"] - now) <= 60
    assert payload["exp"] - payload["iat"] == 86_400
    assert payload["keyset"] == keyset

    # The check is real: under another key, and with one byte changed, jwcrypto refuses.
    stranger = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    with pytest.raises(JWException):
        jwcrypto_verify(text, stranger)
    head, body, sig = text.split(".")
    flipped = f"{head}.{body}.{'B' if sig[0] == 'A' else 'A'}{sig[1:]}"
    with pytest.raises(JWException):
        jwcrypto_verify(flipped, public)


def jwcrypto_sign(key, payload, header):
    token = jws.JWS(json.dumps(payload).encode())
    token.add_signature(key, alg=None, protected=json.dumps(header))
    return token.serialize(compact=True)


def test_the_cli_verifies_what_jwcrypto_signs(cli, tmp_path, keyset):
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    (tmp_path / "pins.json").write_text(json.dumps({"keys": [json.loads(key.export_public())]}))
    now = int(time.time())
    payload = {"typ": "enseal-keyset", "version": 2, "iat": now, "exp": now + 3600, "keyset": keyset}
    header = {"alg": "EdDSA", "typ": HEADER_TYP, "kid": key.thumbprint()}
    (tmp_path / "keyset.jws").write_text(jwcrypto_sign(key, payload, header))

    out = run(cli, tmp_path, "keyset", "verify", "--signers", "pins.json", "--min-version", "2", "keyset.jws")
    got = fields(out.stdout)
    assert got["version"] == "2"
    assert got["signer"] == key.thumbprint()
    assert got["primary"] == keyset["primary"]

    # jwcrypto's private JWK is an enseal signer file as it is.
    (tmp_path / "jwcrypto.jwk").write_text(key.export_private())
    ours = run(cli, tmp_path, "signer", "public", "jwcrypto.jwk", "--insecure-plaintext-key").stdout
    assert json.loads(ours)["x"] == json.loads(key.export_public())["x"]
    assert json.loads(ours)["kid"] == key.thumbprint()

    # Refusals, each with its code, all signed by jwcrypto.
    stranger = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    cases = {
        "stranger.jws": (jwcrypto_sign(stranger, payload, {**header, "kid": stranger.thumbprint()}), "KEYSET_BAD_SIGNATURE"),
        "impostor.jws": (jwcrypto_sign(stranger, payload, header), "KEYSET_BAD_SIGNATURE"),
        "no-typ.jws": (jwcrypto_sign(key, payload, {"alg": "EdDSA", "kid": key.thumbprint()}), "KEYSET_BAD_SIGNATURE"),
        "jwk.jws": (jwcrypto_sign(key, payload, {**header, "jwk": json.loads(key.export_public())}), "KEYSET_BAD_SIGNATURE"),
        "expired.jws": (jwcrypto_sign(key, {**payload, "iat": now - 7200, "exp": now - 3600}, header), "KEYSET_EXPIRED"),
        "old.jws": (jwcrypto_sign(key, {**payload, "version": 1}, header), "KEYSET_ROLLBACK"),
        "not-a-keyset.jws": (jwcrypto_sign(key, {**payload, "keyset": {"primary": "x"}}, header), "INVALID_KEYSET"),
    }
    for name, (text, code) in cases.items():
        (tmp_path / name).write_text(text)
        out = run(cli, tmp_path, "keyset", "verify", "--signers", "pins.json", "--min-version", "2", name, ok=False)
        assert out.returncode == 1, (name, out.stdout)
        assert out.stderr.startswith("enseal: error: ") and f"[{code}]" in out.stderr, (name, out.stderr)


def test_jwcrypto_accepts_the_rfc8037_vector_enseal_checks():
    vector = json.loads((ROOT / "tests/vectors/upstream/jose/rfc8037-ed25519.json").read_text())
    public = jwk.JWK(**vector["public_jwk"])
    assert public.thumbprint() == vector["thumbprint"]
    token = jwcrypto_verify(vector["jws"], public)
    assert token.payload.decode() == vector["payload"]

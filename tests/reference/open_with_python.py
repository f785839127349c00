"""An independent opener for enseal sealed fields, written from docs/FORMAT.md alone.

It uses only Python's standard library and the `cryptography` package (X25519, P-256 ECDH,
ML-KEM-768, AES-256-GCM); HPKE's DHKEM, key schedule and exporter (RFC 9180 §4.1, §5.1, §5.3) and
X-Wing's combiner (draft-connolly-cfrg-xwing-kem) are written out here. It opens every positive case
of tests/vectors/enseal-v1.json and rejects every negative one, which shows the format is standard
HPKE plus AES-GCM and that FORMAT.md is enough to implement it.

Usage: python open_with_python.py tests/vectors/enseal-v1.json
"""

import base64
import hashlib
import hmac
import json
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KDF_ID, AEAD_ID = 1, 2
SUITES = {0x0020: ("X25519", 32), 0x0010: ("P-256", 65), 0x647A: ("X-Wing", 1120)}
PREFIX = "enseal1."


def i2osp(n: int, w: int) -> bytes:
    return n.to_bytes(w, "big")


def extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()


def expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out, i = out + t, i + 1
    return out[:length]


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return extract(salt, b"HPKE-v1" + suite_id + label + ikm)


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return expand(prk, i2osp(length, 2) + b"HPKE-v1" + suite_id + label + info, length)


def dhkem_shared_secret(kem_id: int, dh: bytes, enc: bytes, pk_r: bytes) -> bytes:
    suite_id = b"KEM" + i2osp(kem_id, 2)
    eae_prk = labeled_extract(suite_id, b"", b"eae_prk", dh)
    return labeled_expand(suite_id, eae_prk, b"shared_secret", enc + pk_r, 32)


def xwing_decapsulate(seed: bytes, ct: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import mlkem

    expanded = hashlib.shake_256(seed).digest(96)
    sk_m = mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[0:64])
    sk_x = x25519.X25519PrivateKey.from_private_bytes(expanded[64:96])
    pk_x = sk_x.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ct_m, ct_x = ct[:1088], ct[1088:]
    ss_m = sk_m.decapsulate(ct_m)
    try:
        ss_x = sk_x.exchange(x25519.X25519PublicKey.from_public_bytes(ct_x))
    except ValueError:
        # FORMAT.md §1: X-Wing decapsulation never fails. `cryptography` refuses an all-zero
        # X25519 output (a low-order ct_x); X-Wing uses it as it is.
        ss_x = b"\0" * 32
    return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + b"\\.//^\\").digest()


def shared_secret(kem_id: int, sk: bytes, enc: bytes) -> bytes:
    if kem_id == 0x0020:
        key = x25519.X25519PrivateKey.from_private_bytes(sk)
        dh = key.exchange(x25519.X25519PublicKey.from_public_bytes(enc))  # rejects all-zero output
        pk_r = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return dhkem_shared_secret(kem_id, dh, enc, pk_r)
    if kem_id == 0x0010:
        if enc[0] != 0x04:  # FORMAT.md §1: only the uncompressed form
            raise ValueError("not an uncompressed SEC1 point")
        key = ec.derive_private_key(int.from_bytes(sk, "big"), ec.SECP256R1())
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), enc)
        dh = key.exchange(ec.ECDH(), peer)
        pk_r = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return dhkem_shared_secret(kem_id, dh, enc, pk_r)
    return xwing_decapsulate(sk, enc)


def export_session(kem_id: int, ss: bytes) -> bytes:
    suite_id = b"HPKE" + i2osp(kem_id, 2) + i2osp(KDF_ID, 2) + i2osp(AEAD_ID, 2)
    psk_id_hash = labeled_extract(suite_id, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(suite_id, b"", b"info_hash", b"enseal/v1")
    context = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(suite_id, ss, b"secret", b"")
    exporter_secret = labeled_expand(suite_id, secret, b"exp", context, 32)
    return labeled_expand(suite_id, exporter_secret, b"sec", b"enseal/v1 field", 44)


def kid_of(kem_id: int, pk: bytes) -> bytes:
    return hashlib.sha256(b"enseal/v1 kid" + i2osp(kem_id, 2) + pk).digest()[:8]


def decode_text(text: str) -> bytes:
    if not text.startswith(PREFIX):
        raise ValueError("BAD_PREFIX")
    body = text[len(PREFIX):]
    if len(body) % 4 == 1 or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in body):
        raise ValueError("BAD_ENCODING")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != body:
        raise ValueError("BAD_ENCODING")  # non-zero unused bits
    return raw


def open_sealed(sealed: bytes, context: bytes, keys: dict) -> bytes:
    if len(sealed) < 1:
        raise ValueError("TRUNCATED")
    if sealed[0] != 1:
        raise ValueError("UNSUPPORTED_VERSION")
    if len(sealed) < 3:
        raise ValueError("TRUNCATED")
    kem_id = int.from_bytes(sealed[1:3], "big")
    if kem_id not in SUITES:
        raise ValueError("UNSUPPORTED_SUITE")
    n_enc = SUITES[kem_id][1]
    header_len = 19 + n_enc
    if len(sealed) > header_len + (1 << 26) + 16:
        raise ValueError("TOO_LARGE")
    if len(sealed) < header_len + 16:
        raise ValueError("TRUNCATED")
    kid, enc = sealed[3:11], sealed[11 : 11 + n_enc]
    counter = int.from_bytes(sealed[11 + n_enc : header_len], "big")
    if (kem_id, kid) not in keys:
        raise ValueError("UNKNOWN_KEY")
    try:
        secret = export_session(kem_id, shared_secret(kem_id, keys[(kem_id, kid)], enc))
    except ValueError:
        raise ValueError("DECRYPT_FAILED")
    key, base_nonce = secret[:32], secret[32:]
    nonce = bytes(a ^ b for a, b in zip(base_nonce, i2osp(counter, 12)))
    header = sealed[:header_len]
    try:
        return AESGCM(key).decrypt(nonce, sealed[header_len:], header + context)
    except InvalidTag:
        raise ValueError("DECRYPT_FAILED")


def main(path: str) -> int:
    kat = json.load(open(path))
    keys = {}
    for s in kat["suites"]:
        pk = bytes.fromhex(s["public_key"])
        assert kid_of(s["kem_id"], pk).hex() == s["kid_hex"], "kid formula"
        keys[(s["kem_id"], bytes.fromhex(s["kid_hex"]))] = bytes.fromhex(s["private_key"])
    passed = failed = 0
    for s in kat["suites"]:
        for case in s["positive"]:
            ctx, want = bytes.fromhex(case["context_hex"]), bytes.fromhex(case["plaintext_hex"])
            try:
                ok = open_sealed(bytes.fromhex(case["sealed_hex"]), ctx, keys) == want
                ok &= open_sealed(decode_text(case["sealed_text"]), ctx, keys) == want
                why = "wrong plaintext"
            except ValueError as e:
                ok, why = False, str(e)
            passed, failed = passed + ok, failed + (not ok)
            if not ok:
                print(f"FAIL {s['suite']} {case['name']}: {why}")
    for case in kat["negative"]:
        try:
            sealed = decode_text(case["sealed_text"]) if "sealed_text" in case else bytes.fromhex(case["sealed_hex"])
            open_sealed(sealed, bytes.fromhex(case["context_hex"]), keys)
            got = "OPENED"
        except ValueError as e:
            got = str(e)
        ok = got == case["error"]
        passed, failed = passed + ok, failed + (not ok)
        if not ok:
            print(f"FAIL {case['name']}: expected {case['error']}, got {got}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors/enseal-v1.json"))

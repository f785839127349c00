"""Per-field seal and open rates of the enseal wheel from Python, next to what
Python users do without it, in one run. A benchmark, not a test.

    cargo xtask python-test            # builds target/wheels/enseal-*.whl
    python -m venv /tmp/b && /tmp/b/bin/pip install target/wheels/enseal-*.whl \
        -r bindings/uniffi/bench/requirements.txt
    /tmp/b/bin/python bindings/uniffi/bench/bench_python.py

Prints a Markdown table (fields per second, best of 5 timed loops).
"""

import os
import platform
import time

import enseal

SIZES = [("64 B", 64), ("1 KiB", 1024), ("64 KiB", 65536)]
CONTEXT = b"patients/8812/ssn"


def rate(fn, n):
    best = float("inf")
    fn(max(1, n // 10))
    for _ in range(5):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def enseal_rows(value, n):
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    sealed = sealer.seal(value, CONTEXT)
    values, contexts = [value] * n, [CONTEXT] * n
    column = sealer.seal_batch(values, contexts)

    def seal_one(k):
        for _ in range(k):
            sealer.seal(value, CONTEXT)

    def open_one(k):
        for _ in range(k):
            opener.open(sealed, CONTEXT)

    def seal_batch(k):
        sealer.seal_batch(values[:k], contexts[:k])

    def open_batch(k):
        opener.open_batch(column[:k], contexts[:k])

    def seal_column(k):
        sealer.seal_batch(values[:k], CONTEXT)

    def open_column(k):
        opener.open_batch(column[:k], CONTEXT)

    return [
        ("enseal seal, one call per field", rate(seal_one, n)),
        ("enseal open, one call per field", rate(open_one, n)),
        ("enseal seal_batch (batch)", rate(seal_batch, n)),
        ("enseal open_batch (batch)", rate(open_batch, n)),
        ("enseal seal_batch, one context for the column", rate(seal_column, n)),
        ("enseal open_batch, one context for the column", rate(open_column, n)),
    ]


def reference_rows(value, n):
    rows = []
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes, nonce = AESGCM(AESGCM.generate_key(256)), os.urandom(12)
    rows.append(("cryptography AESGCM raw encrypt (no envelope)", rate(lambda k: [aes.encrypt(nonce, value, CONTEXT) for _ in range(k)], n)))
    try:
        from pyhpke import AEADId, CipherSuite, KDFId, KEMId

        suite = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
        pk = suite.kem.derive_key_pair(os.urandom(32)).public_key
        def hpke_per_field(k):
            for _ in range(k):
                _enc, sender = suite.create_sender_context(pk, info=b"enseal/v1")
                sender.seal(value, aad=CONTEXT)

        rows.append(("pyhpke, one HPKE context per field", rate(hpke_per_field, max(1, n // 50))))
    except ImportError:
        pass
    try:
        from nacl.public import PrivateKey, SealedBox

        box = SealedBox(PrivateKey.generate().public_key)
        rows.append(("pynacl sealed box per field", rate(lambda k: [box.encrypt(value) for _ in range(k)], max(1, n // 20))))
    except ImportError:
        pass
    try:
        import tink
        from tink import hybrid

        hybrid.register()
        handle = tink.new_keyset_handle(hybrid.hybrid_key_templates.DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM)
        enc = handle.public_keyset_handle().primitive(hybrid.HybridEncrypt)
        rows.append(("tink hybrid (HPKE) per field", rate(lambda k: [enc.encrypt(value, CONTEXT) for _ in range(k)], max(1, n // 50))))
    except ImportError:
        pass
    return rows


def main():
    print(f"Python {platform.python_version()}, {platform.machine()}, enseal AES backend: {enseal.aes_backend()}\n")
    print("| size | approach | fields/s |")
    print("|---|---|---|")
    for label, size in SIZES:
        value = os.urandom(size)
        n = 20000 if size <= 1024 else 2000
        for name, r in enseal_rows(value, n) + reference_rows(value, n):
            print(f"| {label} | {name} | {r:,.0f} |")


if __name__ == "__main__":
    main()

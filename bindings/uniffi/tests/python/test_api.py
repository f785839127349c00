"""The Python surface: native types, documents, batches, errors, threads."""

import concurrent.futures
import json

import pytest

import enseal


@pytest.fixture(params=[enseal.Suite.X25519, enseal.Suite.P256, enseal.Suite.X_WING])
def key(request):
    return enseal.KeyPair.generate(request.param)


def test_round_trip_str_and_bytes(key):
    sealer = enseal.Sealer(key.public_key())
    opener = enseal.Opener([key])
    text = sealer.seal_text("123-45-6789", "patients/8812/ssn")
    assert text.startswith("enseal1.") and enseal.is_sealed(text)
    assert opener.open(text, "patients/8812/ssn") == b"123-45-6789"
    assert opener.open_str(text, b"patients/8812/ssn") == "123-45-6789"
    binary = sealer.seal(b"\x00\xff", bytearray(b"ctx"))
    assert isinstance(binary, bytes)
    assert opener.open(binary, "ctx") == b"\x00\xff"
    with pytest.raises(enseal.EnsealError.DecryptFailed) as err:
        opener.open(text, "patients/8813/ssn")
    assert err.value.code == 201
    assert "123-45-6789" not in str(err.value)


def test_json_documents_keep_types():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    record = {"name": "Ada", "ssn": "123-45-6789", "visits": [{"dx": "F32.1", "copay": 25.5, "urgent": True, "notes": None}]}
    sealed = enseal.Sealer(key.public_key()).seal_json(record, ["/ssn", "/visits/*/dx", "/visits/*/copay", "/visits/*/urgent"], "patient-8812")
    assert "123-45-6789" not in json.dumps(sealed) and sealed["name"] == "Ada"
    fields = ["/ssn", "/visits/*/dx", "/visits/*/copay", "/visits/*/urgent"]
    assert enseal.Opener([key]).open_json(sealed, fields, "patient-8812") == record
    assert enseal.Opener([key]).open_json_all(sealed, "patient-8812") == record
    with pytest.raises(enseal.EnsealError.DecryptFailed):
        enseal.Opener([key]).open_json(sealed, fields, "patient-8813")
    with pytest.raises(enseal.EnsealError.PathNotFound) as err:
        enseal.Sealer(key.public_key()).seal_json(record, ["/visits/*/missing"])
    assert err.value.code == 402 and "/visits/0/missing" in err.value.detail
    with pytest.raises(enseal.EnsealError.AlreadySealed):
        enseal.Sealer(key.public_key()).seal_json(sealed, ["/ssn"])


def test_json_numbers_come_back_exactly_and_nan_is_refused():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key()), enseal.Opener([key])
    # A 23-digit account number would lose digits through a float.
    record = {"acct": 12345678901234567890123, "rate": 0.1, "big": -(2**70)}
    sealed = sealer.seal_json(record, ["/acct", "/rate", "/big"], "r")
    assert "12345678901234567890123" not in json.dumps(sealed)
    assert opener.open_json(sealed, ["/acct", "/rate", "/big"], "r") == record
    with pytest.raises(enseal.EnsealError.InvalidJson):
        sealer.seal_json({"x": float("nan")}, ["/x"])


def test_batches_and_threads():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key(), field_limit=7), enseal.Opener([key])
    values = [f"{i:09d}" for i in range(1000)]
    contexts = [f"rows/{i}/ssn" for i in range(1000)]
    sealed = sealer.seal_many(values, contexts)
    assert opener.open_many(sealed, contexts) == [v.encode() for v in values]
    with pytest.raises(enseal.EnsealError.InvalidArgument):
        sealer.seal_many(values, contexts[1:])
    # One context for a whole column, bytes values, empty batches, all-or-nothing opening.
    column = sealer.seal_many([b"\x00\xff", b"", "é"], "patients.ssn")
    assert opener.open_many(column, b"patients.ssn") == [b"\x00\xff", b"", "é".encode()]
    assert sealer.seal_many([], "c") == [] and opener.open_many([], "c") == []
    with pytest.raises(enseal.EnsealError.DecryptFailed):
        opener.open_many(column, "patients.dob")
    with pytest.raises(enseal.EnsealError.BadPrefix):
        opener.open_many(column[:1] + ["not sealed"], "patients.ssn")
    with pytest.raises(enseal.EnsealError.InvalidArgument):
        opener.open_many(column, ["a", "b"])
    with pytest.raises(enseal.EnsealError.BadEncoding):
        opener.open_many([column[0] + "\n" + column[1], column[2]], ["a", "b"])
    # Any iterable column; each value a bytes-like object or str.
    generated = sealer.seal_many((bytes([i]) for i in range(3)), iter(["a", bytearray(b"b"), memoryview(b"c")]))
    assert opener.open_many(tuple(generated), ["a", "b", "c"]) == [b"\x00", b"\x01", b"\x02"]
    # Large values, sealed and opened without holding the GIL, from several threads.
    big = [bytes([i]) * (64 * 1024 + i) for i in range(16)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: opener.open(sealer.seal(big[i], "c"), "c"), range(16)))
        assert results == big
        results = list(pool.map(lambda i: opener.open(sealer.seal_text(str(i), "c"), "c"), range(400)))
    assert results == [str(i).encode() for i in range(400)]


def test_wrong_types_are_type_errors_not_bytes():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key()), enseal.Opener([key])
    # bytes(5) would be five zero bytes: an int is refused, never sealed.
    for bad in (5, None, 1.5, ["a"], {"a": 1}):
        with pytest.raises(TypeError, match="value must be bytes"):
            sealer.seal(bad, "c")
        with pytest.raises(TypeError, match="context must be bytes"):
            sealer.seal_text("v", bad)
    with pytest.raises(TypeError, match="not a single str"):
        sealer.seal_many("123-45-6789", "c")  # a str is not a column of characters
    with pytest.raises(TypeError, match="must be str"):
        opener.open_many([sealer.seal(b"v", "c")], "c")
    with pytest.raises(TypeError):
        sealer.seal_many([b"a", 7], "c")
    with pytest.raises(enseal.EnsealError.BadEncoding):
        opener.open("enseal1.\u00e9", "c")


def test_hot_path_tokens_are_claimed_once():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    native = enseal._native.Sealer(key.public_key())
    token = native.hot_path_token()
    hot = enseal._hot.Sealer(token)
    assert isinstance(hot.seal(b"v", b"c"), bytes)
    for forged in (token, token + 1_000_000, 0):
        with pytest.raises(ValueError, match="hot-path token"):
            enseal._hot.Sealer(forged)
    opener_token = enseal._native.Opener(enseal.Keyring()).hot_path_token()
    with pytest.raises(ValueError, match="opener"):
        enseal._hot.Sealer(opener_token)


def test_keys_keysets_and_errors():
    old, new = enseal.KeyPair.generate(enseal.Suite.X25519), enseal.KeyPair.generate(enseal.Suite.X_WING)
    old_value = enseal.Sealer(old.public_key()).seal_text("old", "c")
    public = json.loads(new.public_key().to_jwk())
    doc = {"primary": new.kid(), "keys": [dict(public, suite="X-Wing", created=1_700_000_000)]}
    keyset = enseal.Keyset.from_json(json.dumps(doc))
    assert keyset.primary_kid() == new.kid()
    new_value = enseal.Sealer(keyset).seal_text("new", "c")
    ring = enseal.Keyring.from_jwks(json.dumps({"keys": [json.loads(old.to_jwk()), json.loads(new.to_jwk())]}))
    opener = enseal.Opener(ring)
    assert opener.open(old_value, "c") == b"old" and opener.open(new_value, "c") == b"new"
    with pytest.raises(enseal.EnsealError.UnknownKey):
        enseal.Opener([old]).open(new_value, "c")
    with pytest.raises(enseal.EnsealError.InvalidKeyset):
        enseal.Keyset.from_json("{}")
    with pytest.raises(enseal.EnsealError.InvalidKey) as err:
        enseal.KeyPair.from_jwk('{"kty": "RSA"}')
    assert err.value.code == 300
    with pytest.raises(enseal.EnsealError.BadPrefix):
        opener.open("hello", "c")
    backend = enseal.aes_backend()
    assert backend.name in ("ring", "aes-gcm")


def test_every_error_class_exists_with_its_code():
    names = ["InvalidArgument", "RandomnessUnavailable", "Internal", "BadPrefix", "BadEncoding", "Truncated",
             "TooLarge", "UnsupportedVersion", "UnsupportedSuite", "UnknownKey", "DecryptFailed", "InvalidKey",
             "InvalidKeyset", "KeyExpired", "InvalidJson", "InvalidPointer", "PathNotFound", "AlreadySealed",
             "NotSealed"]
    for name in names:
        cls = getattr(enseal.EnsealError, name)
        assert issubclass(cls, enseal.EnsealError) and issubclass(cls, Exception)

"""The Python surface: native types, documents, batches, errors, threads."""

import concurrent.futures
import copy
import json
import pickle

import pytest

import enseal


@pytest.fixture(params=[enseal.Suite.X25519, enseal.Suite.P256, enseal.Suite.X_WING])
def key(request):
    return enseal.KeyPair.generate(request.param)


def test_round_trip_str_and_bytes(key):
    sealer = enseal.Sealer(key.public_key)
    opener = enseal.Opener([key])
    text = sealer.seal("123-45-6789", "patients/8812/ssn")
    assert isinstance(text, str) and text.startswith("enseal1.") and enseal.is_sealed(text)
    assert opener.open(text, "patients/8812/ssn") == b"123-45-6789"
    assert opener.open_string(text, b"patients/8812/ssn") == "123-45-6789"
    binary = sealer.seal_binary(b"\x00\xff", bytearray(b"ctx"))
    assert isinstance(binary, bytes)
    assert opener.open_binary(binary, "ctx") == b"\x00\xff"
    assert opener.open_binary(memoryview(binary), b"ctx") == b"\x00\xff"
    with pytest.raises(enseal.DecryptFailedError) as err:
        opener.open(text, "patients/8813/ssn")
    assert err.value.code == 201 and err.value.name == "DECRYPT_FAILED" and err.value.index is None
    assert "123-45-6789" not in str(err.value)
    assert str(err.value).startswith("decryption failed") and str(err.value).endswith(" [DECRYPT_FAILED, enseal error 201]")
    with pytest.raises(enseal.InvalidArgumentError, match="not UTF-8"):
        opener.open_string(sealer.seal(b"\xff\xfe", "c"), "c")
    with pytest.raises(TypeError, match="open_binary"):
        opener.open(binary, "ctx")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="binary form"):
        opener.open_binary(text, "ctx")  # type: ignore[arg-type]


def test_json_documents_keep_types():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    record = {"name": "Ada", "ssn": "123-45-6789", "visits": [{"dx": "F32.1", "copay": 25.5, "urgent": True, "notes": None}]}
    sealed = enseal.Sealer(key.public_key).seal_json(record, ["/ssn", "/visits/*/dx", "/visits/*/copay", "/visits/*/urgent"], "patient-8812")
    assert "123-45-6789" not in json.dumps(sealed) and sealed["name"] == "Ada"
    fields = ["/ssn", "/visits/*/dx", "/visits/*/copay", "/visits/*/urgent"]
    assert enseal.Opener([key]).open_json(sealed, fields, "patient-8812") == record
    assert enseal.Opener([key]).open_json_all(sealed, "patient-8812") == record
    with pytest.raises(enseal.DecryptFailedError):
        enseal.Opener([key]).open_json(sealed, fields, "patient-8813")
    with pytest.raises(enseal.PathNotFoundError) as err:
        enseal.Sealer(key.public_key).seal_json(record, ["/visits/*/missing"])
    assert err.value.code == 402 and "/visits/0/missing" in err.value.detail
    with pytest.raises(enseal.AlreadySealedError):
        enseal.Sealer(key.public_key).seal_json(sealed, ["/ssn"])


def test_json_numbers_come_back_exactly_and_nan_is_refused():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    # A 23-digit account number would lose digits through a float.
    record = {"acct": 12345678901234567890123, "rate": 0.1, "big": -(2**70)}
    sealed = sealer.seal_json(record, ["/acct", "/rate", "/big"], "r")
    assert "12345678901234567890123" not in json.dumps(sealed)
    assert opener.open_json(sealed, ["/acct", "/rate", "/big"], "r") == record
    with pytest.raises(enseal.InvalidJsonError):
        sealer.seal_json({"x": float("nan")}, ["/x"])


def test_batches_and_threads():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key, field_limit=7), enseal.Opener([key])
    values = [f"{i:09d}" for i in range(1000)]
    contexts = [f"rows/{i}/ssn" for i in range(1000)]
    sealed = sealer.seal_batch(values, contexts)
    assert opener.open_batch(sealed, contexts) == [v.encode() for v in values]
    with pytest.raises(enseal.InvalidArgumentError):
        sealer.seal_batch(values, contexts[1:])
    # One context for a whole column, bytes values, empty batches, all-or-nothing opening.
    column = sealer.seal_batch([b"\x00\xff", b"", "é"], "patients.ssn")
    assert opener.open_batch(column, b"patients.ssn") == [b"\x00\xff", b"", "é".encode()]
    assert sealer.seal_batch([], "c") == [] and opener.open_batch([], "c") == []
    with pytest.raises(enseal.DecryptFailedError):
        opener.open_batch(column, "patients.dob")
    with pytest.raises(enseal.BadPrefixError):
        opener.open_batch(column[:1] + ["not sealed"], "patients.ssn")
    with pytest.raises(enseal.InvalidArgumentError):
        opener.open_batch(column, ["a", "b"])
    with pytest.raises(enseal.BadEncodingError):
        opener.open_batch([column[0] + "\n" + column[1], column[2]], ["a", "b"])
    # Any iterable column; each value a bytes-like object or str.
    generated = sealer.seal_batch((bytes([i]) for i in range(3)), iter(["a", bytearray(b"b"), memoryview(b"c")]))
    assert opener.open_batch(tuple(generated), ["a", "b", "c"]) == [b"\x00", b"\x01", b"\x02"]
    # Large values, sealed and opened without holding the GIL, from several threads.
    big = [bytes([i]) * (64 * 1024 + i) for i in range(16)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: opener.open_binary(sealer.seal_binary(big[i], "c"), "c"), range(16)))
        assert results == big
        results = list(pool.map(lambda i: opener.open(sealer.seal(str(i), "c"), "c"), range(400)))
    assert results == [str(i).encode() for i in range(400)]


def test_wrong_types_are_type_errors_not_bytes():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    # bytes(5) would be five zero bytes: an int is refused, never sealed.
    for bad in (5, None, 1.5, ["a"], {"a": 1}):
        with pytest.raises(TypeError, match="value must be bytes"):
            sealer.seal(bad, "c")
        with pytest.raises(TypeError, match="context must be bytes"):
            sealer.seal_binary("v", bad)
    with pytest.raises(TypeError, match="not a single str"):
        sealer.seal_batch("123-45-6789", "c")  # a str is not a column of characters
    with pytest.raises(TypeError, match="must be str"):
        opener.open_batch([sealer.seal_binary(b"v", "c")], "c")
    with pytest.raises(TypeError):
        sealer.seal_batch([b"a", 7], "c")
    with pytest.raises(enseal.BadEncodingError):
        opener.open("enseal1.\u00e9", "c")


def test_hot_path_tokens_are_claimed_once():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    native = enseal._native.Sealer(key.public_key._inner)
    token = native.hot_path_token()
    hot = enseal._hot.Sealer(token)
    assert isinstance(hot.seal_binary(b"v", b"c"), bytes)
    for forged in (token, token + 1_000_000, 0):
        with pytest.raises(ValueError, match="hot-path token"):
            enseal._hot.Sealer(forged)
    opener_token = enseal._native.Opener(enseal._native.Keyring()).hot_path_token()
    with pytest.raises(ValueError, match="opener"):
        enseal._hot.Sealer(opener_token)


def test_keys_keysets_and_errors():
    old, new = enseal.KeyPair.generate(enseal.Suite.X25519), enseal.KeyPair.generate(enseal.Suite.X_WING)
    old_value = enseal.Sealer(old.public_key).seal("old", "c")
    public = json.loads(new.public_key.to_jwk())
    doc = {"primary": new.kid, "keys": [dict(public, suite="X-Wing", created=1_700_000_000)]}
    keyset = enseal.Keyset.from_json(json.dumps(doc))
    assert keyset.primary_kid == new.kid and len(keyset) == 1
    new_value = enseal.Sealer.from_keyset(keyset).seal("new", "c")
    ring = enseal.Keyring.from_jwks(json.dumps({"keys": [json.loads(old.to_jwk()), json.loads(new.to_jwk())]}))
    opener = enseal.Opener(ring)
    assert opener.open(old_value, "c") == b"old" and opener.open(new_value, "c") == b"new"
    with pytest.raises(enseal.UnknownKeyError):
        enseal.Opener([old]).open(new_value, "c")
    with pytest.raises(enseal.InvalidKeysetError):
        enseal.Keyset.from_json("{}")
    with pytest.raises(enseal.InvalidKeyError) as err:
        enseal.KeyPair.from_jwk('{"kty": "RSA"}')
    assert err.value.code == 300
    with pytest.raises(enseal.BadPrefixError):
        opener.open("hello", "c")
    backend = enseal.aes_backend()
    assert backend.name in ("ring", "aes-gcm")


def test_every_error_class_is_top_level_with_its_code_and_name():
    # The Rust test tests/error_lists.rs holds this list to core's ErrorCode::ALL.
    # ColumnTypeError is not a code of its own: an INVALID_ARGUMENT that is also a TypeError.
    classes = [getattr(enseal, n) for n in enseal.__all__ if n.endswith("Error") and n not in ("EnsealError", "ColumnTypeError")]
    assert len(classes) == 27
    assert issubclass(enseal.ColumnTypeError, enseal.InvalidArgumentError) and issubclass(enseal.ColumnTypeError, TypeError)
    assert enseal.ColumnTypeError.code == 1
    codes = {cls.code for cls in classes}
    assert len(codes) == 27 and 4 in codes and 5 in codes and 202 in codes and 306 in codes and 405 in codes
    for cls in classes:
        assert issubclass(cls, enseal.EnsealError) and issubclass(cls, Exception)
        words = cls.name.split("_")
        assert cls.__name__ == "".join(w.capitalize() for w in words) + "Error"
        assert cls.__module__ == "enseal._errors" and cls.__doc__
        e = cls("what went wrong")
        assert str(e) == f"what went wrong [{cls.name}, enseal error {cls.code}]"
        assert e.detail == "what went wrong" and e.index is None


def test_errors_from_uniffi_and_from_the_hot_path_are_the_same_classes():
    key = enseal.KeyPair.generate()
    opener = enseal.Opener([key])
    sealed = enseal.Sealer(key.public_key).seal("v", "c")
    raised = []
    for attempt in (
        lambda: opener.open(sealed, "other"),  # hot path
        lambda: opener.open_json({"a": sealed}, ["/a"], "r"),  # uniffi
        lambda: opener.open(enseal.Sealed.parse(sealed), "x"),  # hot path, Sealed
    ):
        with pytest.raises(enseal.EnsealError) as err:
            attempt()
        raised.append(type(err.value))
    assert raised == [enseal.DecryptFailedError] * 3
    # Errors only uniffi raises: keys and documents.
    with pytest.raises(enseal.InvalidKeyError) as err:
        enseal.PublicKey.from_bytes(enseal.Suite.P256, b"\x04")
    assert err.value.code == 300 and err.value.name == "INVALID_KEY"
    assert not isinstance(err.value, enseal._native.EnsealError)


def test_batch_errors_name_the_index_and_keep_the_code():
    key = enseal.KeyPair.generate()
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    column = sealer.seal_batch([f"{i}" for i in range(100)], "col")
    column[17] = sealer.seal("17", "other column")
    with pytest.raises(enseal.DecryptFailedError) as err:
        opener.open_batch(column, "col")
    assert err.value.index == 17 and "17" in err.value.detail and err.value.code == 201
    column[17] = "not sealed"
    with pytest.raises(enseal.BadPrefixError) as err:
        opener.open_batch(column, "col")
    assert err.value.index == 17
    with pytest.raises(enseal.InvalidArgumentError) as err:
        sealer.seal_batch(["a", "b"], ["c", "d", "e"])
    assert err.value.index is None


def test_sealed_tells_its_key_and_session_without_a_private_key():
    key = enseal.KeyPair.generate(enseal.Suite.P256)
    sealer = enseal.Sealer(key.public_key)
    text = sealer.seal("123-45-6789", "c")
    second = sealer.seal_binary(b"x" * 100, "c")
    sealed = enseal.Sealed.parse(text)
    assert sealed.kid == key.kid and sealed.suite == enseal.Suite.P256 and sealed.version == 1
    assert sealed.counter == 0 and sealed.plaintext_len == 11
    assert sealed.text_len == len(text) and sealed.to_text() == text == str(sealed)
    assert sealed.binary_len == len(sealed.to_binary()) == len(bytes(sealed))
    other = enseal.Sealed.from_binary(second)
    assert other.session_id == sealed.session_id and len(sealed.session_id) == 22
    assert other.counter == 1 and other.plaintext_len == 100 and other.to_binary() == second
    assert enseal.Sealed.parse(sealed.to_text()) == sealed and hash(enseal.Sealed.parse(text)) == hash(sealed)
    assert "123-45-6789" not in repr(sealed) and key.kid in repr(sealed)
    opener = enseal.Opener([key])
    assert opener.open(sealed, "c") == b"123-45-6789" and opener.open_string(sealed, "c") == "123-45-6789"
    assert opener.open(other, "c") == b"x" * 100
    assert copy.copy(sealed) is sealed and pickle.loads(pickle.dumps(sealed)) == sealed
    for bad, error in (("hello", enseal.BadPrefixError), ("enseal1.AAAA", enseal.UnsupportedVersionError),
                       ("enseal1.!", enseal.BadEncodingError)):
        with pytest.raises(error):
            enseal.Sealed.parse(bad)
    with pytest.raises(enseal.TruncatedError):
        enseal.Sealed.from_binary(second[:40])
    with pytest.raises(TypeError):
        enseal.Sealed.parse(second)  # type: ignore[arg-type]


def test_keysets_are_built_rotated_and_sealed_to_their_new_primary():
    first, second = enseal.KeyPair.generate(), enseal.KeyPair.generate(enseal.Suite.X_WING)
    keyset = enseal.Keyset.from_public_key(first.public_key, created=1_700_000_000)
    assert len(keyset) == 1 and keyset.primary_kid == first.kid
    keyset.add(second.public_key, not_after=4_000_000_000)
    assert len(keyset) == 2 and keyset.primary_kid == first.kid
    keyset.promote(second.kid)
    assert keyset.primary_kid == second.kid
    entries = keyset.entries
    assert [e.kid for e in entries] == [first.kid, second.kid]
    assert entries[0].created == 1_700_000_000 and entries[0].not_after is None
    assert entries[1].not_after == 4_000_000_000 and entries[1].suite == enseal.Suite.X_WING
    assert entries[1].created > 1_700_000_000  # now
    assert entries[1].public_key.to_bytes() == second.public_key.to_bytes()
    # Through its document, as a client fetches it: the sealer seals to the new primary.
    fetched = enseal.Keyset.from_json(keyset.to_json())
    assert fetched.primary_kid == second.kid and len(fetched) == 2
    sealed = enseal.Sealer.from_keyset(fetched).seal("v", "c")
    assert enseal.Sealed.parse(sealed).kid == second.kid
    assert enseal.Opener([second]).open(sealed, "c") == b"v"
    with pytest.raises(enseal.InvalidKeysetError):
        keyset.retire(second.kid)  # the primary
    keyset.retire(first.kid)
    assert [e.kid for e in keyset.entries] == [second.kid]
    with pytest.raises(enseal.InvalidKeysetError):
        keyset.add(second.public_key)  # already there
    with pytest.raises(enseal.EnsealError):
        keyset.promote(first.kid)  # retired
    with pytest.raises(enseal.EnsealError):
        keyset.promote("not a kid")
    assert copy.copy(keyset) is not keyset and copy.deepcopy(keyset).to_json() == keyset.to_json()


def test_check_sealed_accepts_a_value_sealed_to_a_current_key_of_the_keyset_only():
    primary, old, outside = (enseal.KeyPair.generate() for _ in range(3))
    keyset = enseal.Keyset.from_public_key(primary.public_key)
    keyset.add(old.public_key, created=1_600_000_000, not_after=1_700_000_000)
    sealed = enseal.Sealer(primary.public_key).seal("123-45-6789", "ssn")
    checked = keyset.check_sealed(sealed)
    assert isinstance(checked, enseal.Sealed)
    assert checked.kid == primary.kid and checked.to_text() == sealed
    refused = [
        (enseal.Sealer(old.public_key).seal("123-45-6789", "ssn"), enseal.KeyExpiredError),
        (enseal.Sealer(outside.public_key).seal("123-45-6789", "ssn"), enseal.UnknownKeyError),
        ("123-45-6789", enseal.BadPrefixError),
        (sealed[:32], enseal.TruncatedError),  # 18 bytes: short of a header
    ]
    for text, error in refused:
        with pytest.raises(error) as caught:
            keyset.check_sealed(text)
        assert "123-45-6789" not in str(caught.value)
    with pytest.raises(TypeError):
        keyset.check_sealed(sealed.encode())  # type: ignore[arg-type]
    keyset.retire(old.kid)
    with pytest.raises(enseal.UnknownKeyError):
        keyset.check_sealed(refused[0][0])


def test_keyrings_count_and_ignore_a_key_added_twice():
    key = enseal.KeyPair.generate()
    ring = enseal.Keyring()
    assert len(ring) == 0 and ring.add(key) and not ring.add(enseal.KeyPair.from_jwk(key.to_jwk()))
    assert len(ring) == 1 and ring.kids == [key.kid]


def test_module_facts():
    assert enseal.__version__ == "0.1.0"
    assert enseal.json_context("/ssn", "r") == enseal.json_context("/ssn", record_id="r") != enseal.json_context("/ssn")
    assert isinstance(enseal.json_context("/ssn"), bytes)
    backend = enseal.aes_backend()
    assert backend.name in ("ring", "aes-gcm") and isinstance(backend.hardware_accelerated, bool)
    with pytest.raises(TypeError, match="has no constructor"):
        enseal.KeyPair()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="key must be an enseal.KeyPair, not PublicKey"):
        enseal.Keyring().add(enseal.KeyPair.generate().public_key)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keyset must be an enseal.Keyset"):
        enseal.Sealer.from_keyset("{}")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="key must be an enseal.PublicKey"):
        enseal.Keyset.from_public_key(enseal.KeyPair.generate())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="from_keyset"):
        enseal.Sealer(enseal.Keyset.from_public_key(enseal.KeyPair.generate().public_key))  # type: ignore[arg-type]

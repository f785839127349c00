"""The security review's fixes, through the installed wheel: fork safety,
keys that expire while in use, padded JSON values, opening by pointers,
strict pointers, low-order keys, and keysets that must stay public."""

import json
import os
import time

import pytest

import enseal


def session_of(sealed: bytes) -> str:
    return enseal.Sealed.from_binary(sealed).session_id


def counter_of(sealed: bytes) -> int:
    return enseal.Sealed.from_binary(sealed).counter


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_never_reuses_the_parents_session():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer = enseal.Sealer(key.public_key)
    before = sealer.seal_binary(b"before the fork", "ctx")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: seal with the inherited sealer, report, leave at once
        os.close(read_end)
        try:
            os.write(write_end, sealer.seal_binary(b"child value", "ctx"))
            code = 0
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_end)
    parent = sealer.seal_binary(b"parent value", "ctx")
    child = b""
    while chunk := os.read(read_end, 4096):
        child += chunk
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # Parent and child sealed under different sessions: different enc, no shared nonce.
    assert session_of(parent) == session_of(before) and counter_of(parent) == 1
    assert session_of(child) != session_of(before) and counter_of(child) == 0
    opener = enseal.Opener([key])
    assert opener.open_binary(parent, "ctx") == b"parent value"
    assert opener.open_binary(child, "ctx") == b"child value"
    # The text and batch paths of the child's sealer share its fresh session.
    sealer.rekey()
    assert session_of(sealer.seal_binary(b"v", "ctx")) not in (session_of(before), session_of(child))


def keyset_expiring_in(seconds: int):
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    now = int(time.time())
    public = json.loads(key.public_key.to_jwk())
    doc = {"primary": key.kid, "keys": [dict(public, suite="X25519", created=now - 10, not_after=now + seconds)]}
    return key, enseal.Keyset.from_json(json.dumps(doc)), now + seconds


def test_a_live_sealer_stops_when_its_key_expires():
    key, keyset, not_after = keyset_expiring_in(1)
    sealer = enseal.Sealer.from_keyset(keyset)
    assert sealer.not_after == not_after
    sealed = sealer.seal("in time", "c")
    assert enseal.Opener([key]).open(sealed, "c") == b"in time"
    time.sleep(max(0.0, not_after + 1.2 - time.time()))
    for attempt in (
        lambda: sealer.seal("late", "c"),
        lambda: sealer.seal_binary(b"late", "c"),
        lambda: sealer.seal_batch(["a", "b"], "c"),
        lambda: sealer.seal_json({"a": 1}, ["/a"]),
        sealer.rekey,
        lambda: enseal.Sealer.from_keyset(keyset),
    ):
        with pytest.raises(enseal.KeyExpiredError) as err:
            attempt()
        assert err.value.code == 302 and key.kid in err.value.detail
    assert enseal.Sealer(key.public_key).not_after is None


def test_booleans_and_short_values_seal_to_one_length():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])

    def sealed_len(value, **kw):
        doc = sealer.seal_json({"hiv": value}, ["/hiv"], **kw)
        assert opener.open_json(doc, ["/hiv"]) == {"hiv": value}
        return len(doc["hiv"])

    assert sealed_len(True) == sealed_len(False) == sealed_len(None) == sealed_len("123-45-6789")
    assert sealed_len(True, pad_to=0) + 1 == sealed_len(False, pad_to=0)
    assert sealed_len("Ada", pad_to=64) == sealed_len("Augusta Ada King, Countess of Lovelace", pad_to=64)
    with pytest.raises(enseal.InvalidArgumentError):
        sealer.seal_json({"a": 1}, ["/a"], pad_to=70_000)


def test_servers_open_exactly_the_pointers_they_name():
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    sealed = sealer.seal_json({"ssn": "123-45-6789", "notes": "hi"}, ["/ssn"], "r")
    # A client plants a sealed object in a clear field, and a clear value carrying the prefix.
    planted = dict(sealed, notes=sealer.seal_json({"notes": {"admin": True}}, ["/notes"], "r")["notes"], memo="enseal1.hello")
    opened = opener.open_json(planted, ["/ssn"], "r")
    assert opened["ssn"] == "123-45-6789"
    assert opened["notes"] == planted["notes"] and opened["memo"] == "enseal1.hello"
    with pytest.raises(enseal.BadEncodingError):
        opener.open_json_all(planted, "r")
    with pytest.raises(enseal.NotSealedError) as err:
        opener.open_json(dict(sealed, ssn="123-45-6789"), ["/ssn"], "r")
    assert err.value.code == 404 and "/ssn" in err.value.detail and "123-45-6789" not in str(err.value)
    with pytest.raises(TypeError):
        opener.open_json(sealed, "/ssn", "r")
    # Sealing refuses a clear string that already carries the prefix.
    with pytest.raises(enseal.AlreadySealedError) as err:
        sealer.seal_json({"ssn": "1", "memo": "enseal1.hello"}, ["/ssn"])
    assert "/memo" in err.value.detail


def test_wildcards_on_objects_and_overlapping_pointers_are_refused():
    sealer = enseal.Sealer(enseal.KeyPair.generate(enseal.Suite.X25519).public_key)
    for pointers in (["/o/*"], ["/o", "/o/i"], ["/a/*", "/a/0"]):
        with pytest.raises(enseal.InvalidPointerError):
            sealer.seal_json({"o": {"i": 1}, "a": [1]}, pointers)


def test_low_order_keys_null_members_and_private_keysets_are_refused():
    with pytest.raises(enseal.InvalidKeyError):
        enseal.PublicKey.from_bytes(enseal.Suite.X25519, bytes(32))
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    public = json.loads(key.public_key.to_jwk())
    with pytest.raises(enseal.InvalidKeyError) as err:
        enseal.PublicKey.from_jwk(json.dumps(dict(public, d=None)))
    assert '"d"' in err.value.detail
    private = json.loads(key.to_jwk())
    doc = {"primary": key.kid, "keys": [dict(private, suite="X25519", created=1)]}
    with pytest.raises(enseal.InvalidKeysetError) as err:
        enseal.Keyset.from_json(json.dumps(doc))
    assert "private" in err.value.detail and private["d"] not in str(err.value)

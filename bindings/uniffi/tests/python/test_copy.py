"""copy, deepcopy and pickle of every enseal object.

A generated uniffi class keeps its Rust object's handle as a plain int
attribute: the default copy machinery would give two Python objects one handle,
each freeing it (a use-after-free of objects holding private keys). Copies must
be usable on their own, and pickling must be refused with a TypeError.
"""

import copy
import copyreg
import gc
import json
import pickle
import os
import subprocess
import sys
import tempfile
import textwrap

import pytest

import enseal
from enseal import _native

CONTEXT = b"patients/8812/ssn"
# RFC 8037's published test public key, as a signer pin set.
PINS = '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'
PIN_KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.fixture(scope="module")
def world():
    """One live object of every class, and a check that each still works."""
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    public = key.public_key
    keyset = enseal.Keyset.from_public_key(public, created=1_700_000_000)
    ring = enseal.Keyring()
    ring.add(key)
    sealed = enseal.Sealer(public).seal("123-45-6789", CONTEXT)
    opener = enseal.Opener([key])
    logs = tempfile.mkdtemp()
    paths = iter(os.path.join(logs, f"{n}.jsonl") for n in range(1_000_000))

    def opens(value):
        return opener.open(value, CONTEXT) == b"123-45-6789"

    checks = {
        enseal.KeyPair: lambda k: enseal.Opener([k]).open(sealed, CONTEXT) == b"123-45-6789"
        and k.to_jwk() == key.to_jwk(),
        enseal.PublicKey: lambda p: opens(enseal.Sealer(p).seal("123-45-6789", CONTEXT)) and p.kid == key.kid,
        enseal.Keyset: lambda s: opens(enseal.Sealer.from_keyset(s).seal("123-45-6789", CONTEXT)),
        enseal.Keyring: lambda r: enseal.Opener(r).open(sealed, CONTEXT) == b"123-45-6789",
        enseal.Sealer: lambda s: opens(s.seal("123-45-6789", CONTEXT)),
        enseal.Opener: lambda o: o.open(sealed, CONTEXT) == b"123-45-6789",
        _native.KeyPair: lambda k: k.to_jwk() == key.to_jwk(),
        _native.PublicKey: lambda p: p.kid() == key.kid,
        _native.Keyset: lambda s: s.primary_kid() == key.kid,
        _native.Keyring: lambda r: r.kids() == [key.kid],
        _native.Sealer: lambda s: opens(s.seal(b"123-45-6789", CONTEXT)),
        _native.Opener: lambda o: o.open(sealed, CONTEXT) == b"123-45-6789",
        _native.Sealed: lambda s: s.to_text() == sealed,
        enseal.ContextTemplate: lambda t: str(t) == "p/{id}{pointer}" and t.fields == ["id"],
        _native.ContextTemplate: lambda t: t.fields() == ["id"],
        enseal.AuditLog: lambda log: log.flush() is None,
        _native.AuditLog: lambda log: log.flush() is None,
        enseal.SignerPins: lambda p: p.kids == [PIN_KID],
        _native.SignerPins: lambda p: p.kids() == [PIN_KID],
    }
    makers = {
        enseal.KeyPair: lambda: enseal.KeyPair.from_jwk(key.to_jwk()),
        enseal.PublicKey: lambda: key.public_key,
        enseal.Keyset: lambda: enseal.Keyset.from_json(keyset.to_json()),
        enseal.Keyring: lambda: enseal.Keyring.from_jwks(ring.to_jwks()),
        enseal.Sealer: lambda: enseal.Sealer(public),
        enseal.Opener: lambda: enseal.Opener([key]),
        _native.KeyPair: lambda: _native.KeyPair.from_jwk(key.to_jwk()),
        _native.PublicKey: lambda: public._inner,
        _native.Keyset: lambda: _native.Keyset.from_json(keyset.to_json()),
        _native.Keyring: lambda: _native.Keyring.from_jwks(ring.to_jwks()),
        _native.Sealer: lambda: _native.Sealer(public._inner),
        _native.Opener: lambda: _native.Opener(ring._inner),
        _native.Sealed: lambda: _native.Sealed.parse(sealed),
        enseal.ContextTemplate: lambda: enseal.ContextTemplate.parse("p/{id}{pointer}"),
        _native.ContextTemplate: lambda: _native.ContextTemplate.parse("p/{id}{pointer}"),
        enseal.AuditLog: lambda: enseal.AuditLog.open(next(paths)),
        _native.AuditLog: lambda: _native.AuditLog.open(next(paths)),
        enseal.SignerPins: lambda: enseal.SignerPins.from_jwks(PINS),
        _native.SignerPins: lambda: _native.SignerPins.from_jwks(PINS),
    }
    return makers, checks


CLASSES = [enseal.KeyPair, enseal.PublicKey, enseal.Keyset, enseal.Keyring, enseal.Sealer, enseal.Opener,
           _native.KeyPair, _native.PublicKey, _native.Keyset, _native.Keyring, _native.Sealer, _native.Opener,
           _native.Sealed, enseal.ContextTemplate, _native.ContextTemplate, enseal.AuditLog, _native.AuditLog,
           enseal.SignerPins, _native.SignerPins]
IDS = [f"{c.__module__.replace('enseal.', '')}.{c.__name__}" for c in CLASSES]
MUTABLE = (enseal.Keyring, enseal.Keyset, _native.Keyring, _native.Keyset)


def test_every_generated_object_class_is_covered():
    # A class added to the bindings later must get the same treatment.
    generated = {obj for obj in vars(_native).values()
                 if isinstance(obj, type) and hasattr(obj, "_uniffi_clone_handle")}
    assert generated == {_native.KeyPair, _native.PublicKey, _native.Keyset, _native.Keyring,
                         _native.Sealer, _native.Opener, _native.Sealed, _native.ContextTemplate,
                         _native.AuditLog, _native.SignerPins}
    assert generated <= set(CLASSES)


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copies_work_after_the_original_is_gone(world, cls, how):
    makers, checks = world
    original = makers[cls]()
    copied = how(original)
    nested = how({"a": [original], "b": (original,)})
    assert isinstance(copied, cls) and checks[cls](copied) and checks[cls](original)
    del original
    gc.collect()
    assert checks[cls](copied)
    assert checks[cls](nested["a"][0]) and checks[cls](nested["b"][0])
    del copied
    gc.collect()
    assert checks[cls](nested["a"][0])


def test_a_copied_keyring_is_independent(world):
    ring = enseal.Keyring()
    first, second = (enseal.KeyPair.generate(enseal.Suite.X25519) for _ in range(2))
    ring.add(first)
    shallow, deep = copy.copy(ring), copy.deepcopy(ring)
    assert shallow is not ring and deep is not ring
    shallow.add(second)
    assert sorted(shallow.kids) == sorted([first.kid, second.kid])
    assert ring.kids == [first.kid] and deep.kids == [first.kid]


def test_a_copied_keyset_is_independent(world):
    first, second = (enseal.KeyPair.generate(enseal.Suite.X25519) for _ in range(2))
    keyset = enseal.Keyset.from_public_key(first.public_key)
    shallow, deep = copy.copy(keyset), copy.deepcopy(keyset)
    shallow.add(second.public_key)
    assert len(shallow) == 2 and len(keyset) == 1 and len(deep) == 1


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_pickling_is_refused_with_every_protocol(world, cls):
    makers, checks = world
    obj = makers[cls]()
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(obj, protocol=protocol)
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps([{"nested": obj}], protocol=protocol)
        # The paths under pickle: the object's own reduce, object's default
        # reduce called directly, and copyreg's helper for protocols 0 and 1.
        with pytest.raises(TypeError, match="cannot be pickled"):
            obj.__reduce_ex__(protocol)
        with pytest.raises(TypeError, match="cannot be pickled"):
            object.__reduce_ex__(obj, protocol)
    with pytest.raises(TypeError, match="cannot be pickled"):
        obj.__reduce__()
    with pytest.raises(TypeError, match="cannot be pickled"):
        copyreg._reduce_ex(obj, 0)
    with pytest.raises(TypeError, match="cannot be pickled"):
        obj.__setstate__({"_handle": 1})
    assert checks[cls](obj)


def test_pickle_messages_name_the_explicit_export(world):
    makers, _ = world
    expected = {
        enseal.KeyPair: "enseal.KeyPair cannot be pickled: a private key must not be serialized by accident; "
                        "export it explicitly with to_jwk()",
        enseal.PublicKey: "enseal.PublicKey cannot be pickled: export it explicitly with to_jwk()",
        enseal.Keyset: "enseal.Keyset cannot be pickled: export it explicitly with to_json()",
        enseal.Keyring: "enseal.Keyring cannot be pickled: private keys must not be serialized by accident; "
                        "export them explicitly with to_jwks()",
        enseal.Sealer: "enseal.Sealer cannot be pickled: it has no serialized form; keep its recipient "
                       "(PublicKey.to_jwk() or Keyset.to_json())",
        enseal.Opener: "enseal.Opener cannot be pickled: private keys must not be serialized by accident; "
                       "keep its keys (Keyring.to_jwks()",
        _native.Sealer: "enseal._native.Sealer cannot be pickled",
        _native.Opener: "enseal._native.Opener cannot be pickled",
        _native.Sealed: "enseal._native.Sealed cannot be pickled: use enseal.Sealed",
    }
    for cls, start in expected.items():
        with pytest.raises(TypeError) as err:
            pickle.dumps(makers[cls]())
        assert str(err.value).startswith(start)
        # Each named export exists on the class it names.
        for method in ("to_jwk", "private_bytes", "to_bytes", "to_json", "to_jwks"):
            if f" {method}()" in str(err.value) or f"({method}()" in str(err.value):
                assert hasattr(cls, method)


def test_the_hot_path_objects_are_shared_and_not_pickled(world):
    makers, checks = world
    sealer, opener = makers[enseal.Sealer](), makers[enseal.Opener]()
    for hot in (sealer._hot, opener._hot):
        assert copy.copy(hot) is hot and copy.deepcopy(hot) is hot
        for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
            with pytest.raises(TypeError, match="cannot be pickled"):
                pickle.dumps(hot, protocol=protocol)
    assert checks[enseal.Sealer](sealer) and checks[enseal.Opener](opener)


def test_a_failed_deepcopy_frees_nothing(world):
    # Before the fix, deepcopy(Sealer) copied the wrapper's _inner (a second
    # owner of its handle) and then failed on _hot, dropping one reference.
    makers, checks = world
    sealer = makers[enseal.Sealer]()
    with pytest.raises(TypeError):
        pickle.dumps(sealer)
    for _ in range(100):
        copy.deepcopy(sealer)
        copy.deepcopy(sealer._inner)
    gc.collect()
    assert checks[enseal.Sealer](sealer) and checks[_native.Sealer](sealer._inner)


def test_stress_copy_deepcopy_del_over_every_class(world):
    makers, checks = world
    objects = {cls: makers[cls]() for cls in CLASSES}
    for cycle in range(10_000):
        for cls, obj in objects.items():
            a, b = copy.copy(obj), copy.deepcopy(obj)
            c = copy.deepcopy([a, (b,)])
            if cycle % 1000 == 0:
                assert checks[cls](c[0]) and checks[cls](c[1][0])
            del a, b, c
        if cycle % 2500 == 0:
            gc.collect()
    gc.collect()
    for cls, obj in objects.items():
        assert checks[cls](obj)


REGRESSION = textwrap.dedent("""
    import copy, gc, sys, enseal
    # Two Python owners of one Rust handle free it twice: each copy is checked
    # after the original (and then the other copies) were deleted and collected.
    for _ in range(200):
        key = enseal.KeyPair.generate(enseal.Suite.X25519)
        jwk = key.to_jwk()
        shallow, deep = copy.copy(key), copy.deepcopy(key)
        del key
        gc.collect()
        assert deep.to_jwk() == jwk and shallow.to_jwk() == jwk
        sealer = enseal.Sealer(deep.public_key)
        twin = copy.copy(sealer._inner)
        del sealer
        gc.collect()
        assert len(twin.seal_binary(b"v", b"c")) > 0
        del shallow, deep, twin
        gc.collect()
    print("survived")
""")


def test_regression_copies_of_a_key_pair_do_not_double_free():
    # In a child process: a double free may crash the interpreter outright.
    run = subprocess.run([sys.executable, "-c", REGRESSION], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "survived", (run.returncode, run.stderr[-2000:])

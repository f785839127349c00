"""enseal: client-side field-level encryption.

Seal sensitive fields (SSNs, diagnoses, card numbers) to a recipient's public key
before the data leaves the client; only the holder of the private key opens them.
HPKE (RFC 9180) encapsulates a session key, AES-256-GCM seals each field. The
format is specified in docs/FORMAT.md of the enseal repository.

    >>> import enseal
    >>> service = enseal.KeyPair.generate(enseal.Suite.X25519)
    >>> sealer = enseal.Sealer(service.public_key())
    >>> sealed = sealer.seal_text("123-45-6789", "patients/8812/ssn")
    >>> enseal.Opener([service]).open(sealed, "patients/8812/ssn")
    b'123-45-6789'

This module is a thin layer over the generated bindings (``enseal._native``):
it accepts ``str`` wherever bytes are natural (encoded as UTF-8), takes and
returns ``dict``/``list`` JSON documents, and re-exports the error classes.
Sealing and opening go through ``enseal._hot``, CPython entry points in the
same native library that skip the generated layer's per-call cost.
Every error is an ``EnsealError`` subclass (``EnsealError.DecryptFailed``, ...)
with ``code`` (the stable number shared by every enseal binding) and ``detail``.
"""

from __future__ import annotations

import json as _json
from typing import Any, Iterable, List, Optional, Union

from . import _native
from ._native import (
    AesBackend,
    EnsealError,
    KeyPair,
    Keyring,
    Keyset,
    PublicKey,
    Suite,
    aes_backend,
    is_sealed,
)


def _load_hot() -> Any:
    # The hot path is compiled into the library the generated bindings load
    # (enseal/_native/lib*enseal_uniffi.*). Importing that same file as an
    # extension module gives the already loaded library, whose objects it shares.
    import glob
    import importlib.machinery
    import importlib.util
    import os
    import sys

    (path,) = glob.glob(os.path.join(os.path.dirname(_native.__file__), "*enseal_uniffi.*"))
    loader = importlib.machinery.ExtensionFileLoader(f"{__name__}._hot", path)
    spec = importlib.util.spec_from_file_location(loader.name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    loader.exec_module(module)
    sys.modules[loader.name] = module
    return module


_hot = _load_hot()


# Copying and pickling. A generated class keeps its Rust object's handle as a
# plain int attribute, so the default machinery (``copy``, ``pickle`` and
# ``copyreg`` all copy ``__dict__``) would make two Python owners of one handle,
# each freeing it: a use-after-free of objects that hold private keys. Copies
# therefore share the object, which is immutable from Python and thread-safe,
# except a ``Keyring`` (keys can be added), which is cloned in Rust. Pickling is
# refused: it would write a pointer, or private keys nobody meant to export.


def _same(self: Any) -> Any:
    return self


def _same_deep(self: Any, memo: Any) -> Any:
    return self


def _keyring_copy(self: Any, memo: Any = None) -> Any:
    return self.copy()


def _refuse_pickling(cls: type, name: str, reason: str) -> None:
    message = f"{name} cannot be pickled: {reason}"

    def refuse(self: Any, *args: Any) -> Any:
        raise TypeError(message)

    # __reduce_ex__/__reduce__ are what pickle and copyreg call (every protocol);
    # __getstate__/__setstate__ close object.__reduce_ex__ called directly and
    # copyreg._reduce_ex, and refuse a state crafted by hand.
    for method in ("__reduce_ex__", "__reduce__", "__getstate__", "__setstate__"):
        setattr(cls, method, refuse)


def _guard(cls: type, name: str, reason: str) -> None:
    if cls is Keyring:
        cls.__copy__ = _keyring_copy  # type: ignore[attr-defined]
        cls.__deepcopy__ = _keyring_copy  # type: ignore[attr-defined]
    else:
        cls.__copy__ = _same  # type: ignore[attr-defined]
        cls.__deepcopy__ = _same_deep  # type: ignore[attr-defined]
    _refuse_pickling(cls, name, reason)


_PRIVATE_KEY = "a private key must not be serialized by accident; export it explicitly with {}"
_NO_PICKLE = {
    "KeyPair": _PRIVATE_KEY.format("to_jwk() (or private_bytes())"),
    "PublicKey": "export it explicitly with to_jwk() (or to_bytes())",
    "Keyset": "export it explicitly with to_json()",
    "Keyring": "private keys must not be serialized by accident; export them explicitly with to_jwks()",
    "Sealer": "it has no serialized form; keep its recipient (PublicKey.to_jwk() or Keyset.to_json()) "
    "and make a new Sealer from it",
    "Opener": "private keys must not be serialized by accident; keep its keys (Keyring.to_jwks() or "
    "KeyPair.to_jwk()) and make a new Opener from them",
}

for _name, _reason in _NO_PICKLE.items():
    _cls = getattr(_native, _name)
    _public = _name not in ("Sealer", "Opener")  # enseal.Sealer/Opener wrap these
    _guard(_cls, f"enseal.{_name}" if _public else f"enseal._native.{_name}", _reason)
del _name, _reason, _cls, _public

__all__ = [
    "AesBackend",
    "EnsealError",
    "KeyPair",
    "Keyring",
    "Keyset",
    "Opener",
    "PublicKey",
    "Sealer",
    "Suite",
    "aes_backend",
    "is_sealed",
    "json_context",
]

BytesLike = Union[bytes, bytearray, memoryview, str]
"""Bytes, or text that is encoded as UTF-8."""


def json_context(pointer: str, record_id: Optional[str] = None) -> bytes:
    """The context a JSON document value at ``pointer`` of ``record_id`` is sealed with."""
    return _native.json_context(pointer, record_id)


class Sealer:
    """Seals fields to one recipient. Cheap per field; safe to share between threads."""

    def __init__(self, recipient: Union[PublicKey, Keyset], *, field_limit: Optional[int] = None) -> None:
        """``recipient`` is a public key, or a keyset (its primary key is used).

        ``field_limit`` (1 to 2**32) bounds the fields per session before a
        fresh encapsulation; the default is 2**32.
        """
        if isinstance(recipient, Keyset):
            if field_limit is not None:
                raise TypeError("field_limit applies to a public key, not a keyset")
            self._inner = _native.Sealer.from_keyset(recipient)
        elif field_limit is None:
            self._inner = _native.Sealer(recipient)
        else:
            self._inner = _native.Sealer.with_field_limit(recipient, field_limit)
        self._hot = _hot.Sealer(self._inner.hot_path_token())

    def seal(self, value: BytesLike, context: BytesLike) -> bytes:
        """The binary sealed field (for bytes columns)."""
        return self._hot.seal(value, context)

    def seal_text(self, value: BytesLike, context: BytesLike) -> str:
        """The text form, ``enseal1.`` + base64url (for JSON and text columns)."""
        return self._hot.seal_text(value, context)

    def seal_many(
        self, values: Iterable[BytesLike], contexts: Union[BytesLike, Iterable[BytesLike]]
    ) -> List[str]:
        """Seals a whole column in one call (text form). All or nothing.

        ``contexts`` is one context per value, or a single ``str``/``bytes`` for all of them.
        """
        return self._hot.seal_many(values, contexts)

    def seal_json(
        self,
        document: Any,
        pointers: Iterable[str],
        record_id: Optional[str] = None,
        *,
        pad_to: int = 16,
    ) -> Any:
        """A copy of ``document`` (dict/list) with the values at the JSON Pointers sealed.

        ``*`` in a pointer stands for every element of an array. Each value's
        JSON text is padded with spaces to a multiple of ``pad_to`` bytes
        (0: none), so that ``True`` and ``False`` seal to the same length.
        """
        if isinstance(pointers, str):
            raise TypeError("pointers must be a list of JSON Pointers, not one string")
        sealed = self._inner.seal_json_padded(_json.dumps(document), list(pointers), record_id, pad_to)
        return _json.loads(sealed)

    def rekey(self) -> None:
        """Starts a fresh session now.

        Call it after the process was restored from a snapshot (VM clone,
        Lambda SnapStart, CRaC). A ``fork()`` (``multiprocessing``, gunicorn
        ``--preload``, Celery prefork) needs nothing: a child seals with a
        session of its own.
        """
        self._inner.rekey()

    @property
    def not_after(self) -> Optional[int]:
        """For a sealer built from a keyset: its key's ``not_after`` (Unix seconds), else None."""
        return self._inner.not_after()


class Opener:
    """Opens sealed fields with private keys. Safe to share between threads."""

    def __init__(self, keys: Union[Keyring, Iterable[KeyPair]]) -> None:
        """``keys`` is a keyring or key pairs; old keys keep opening old data."""
        if isinstance(keys, Keyring):
            ring = keys
        else:
            ring = Keyring()
            for key in keys:
                ring.add(key)
        self._inner = _native.Opener(ring)
        self._hot = _hot.Opener(self._inner.hot_path_token())

    def open(self, sealed: Union[bytes, bytearray, str], context: BytesLike) -> bytes:
        """Opens a sealed field, binary (bytes) or text (str), sealed with ``context``."""
        return self._hot.open(sealed, context)

    def open_str(self, sealed: Union[bytes, bytearray, str], context: BytesLike) -> str:
        """As :meth:`open`, decoding the plaintext as UTF-8."""
        return self._hot.open(sealed, context).decode("utf-8")

    def open_many(
        self, sealed: Iterable[str], contexts: Union[BytesLike, Iterable[BytesLike]]
    ) -> List[bytes]:
        """Opens a whole column (text form) in one call. All or nothing.

        ``contexts`` is one context per value, or a single ``str``/``bytes`` for all of them.
        """
        return self._hot.open_many(sealed, contexts)

    def open_json(self, document: Any, pointers: Iterable[str], record_id: Optional[str] = None) -> Any:
        """A copy of ``document`` with the values at the JSON Pointers opened, each with its JSON type.

        Exactly those values: one that is not a sealed string raises
        ``EnsealError.NotSealed``, and strings elsewhere stay as they are. The
        way for servers: the server, not the document, decides what is opened.
        """
        if isinstance(pointers, str):
            raise TypeError("pointers must be a list of JSON Pointers, not one string")
        return _json.loads(self._inner.open_json(_json.dumps(document), list(pointers), record_id))

    def open_json_all(self, document: Any, record_id: Optional[str] = None) -> Any:
        """A copy of ``document`` with every string that starts with ``enseal1.`` opened."""
        return _json.loads(self._inner.open_json_all(_json.dumps(document), record_id))


_guard(Sealer, "enseal.Sealer", _NO_PICKLE["Sealer"])
_guard(Opener, "enseal.Opener", _NO_PICKLE["Opener"])

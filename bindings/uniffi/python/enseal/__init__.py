"""enseal: client-side field-level encryption.

Seal sensitive fields (SSNs, diagnoses, card numbers) to a recipient's public key
before the data leaves the client; only the holder of the private key opens them.
HPKE (RFC 9180) encapsulates a session key, AES-256-GCM seals each field. The
format is specified in docs/FORMAT.md of the enseal repository.

    >>> import enseal
    >>> service = enseal.KeyPair.generate(enseal.Suite.X25519)
    >>> sealed = enseal.Sealer(service.public_key).seal("123-45-6789", "patients/8812/ssn")
    >>> enseal.Opener([service]).open(sealed, "patients/8812/ssn")
    b'123-45-6789'
    >>> enseal.Sealed.parse(sealed).kid == service.kid
    True

``str`` is accepted wherever bytes are natural (encoded as UTF-8), as are
``bytearray`` and ``memoryview``; JSON documents are ``dict``/``list``. Every
error is an :class:`EnsealError` subclass (``enseal.DecryptFailedError``, ...)
with ``code`` (the stable number shared by every enseal binding), ``name``
(``"DECRYPT_FAILED"``) and ``detail``.

The classes below are thin: each holds a native object and converts types.
Which native layer a call reaches is decided in one place, ``enseal._loader``
(its docstring, and bindings/uniffi/README.md, explain the two). The types are
in ``__init__.pyi``.
"""

from __future__ import annotations

import dataclasses
import json as _json
import os
from typing import Any, Callable, Dict, Generic, Iterable, List, Mapping, Optional, Tuple, TypeVar, Union

from ._errors import *  # noqa: F403  (one class per code, listed in _errors.__all__)
from ._errors import __all__ as _error_names
from ._errors import _note_callback_failure
from ._loader import hot as _hot
from ._loader import native as _native
from ._loader import translated as _translated
from . import _columns

AesBackend = _native.AesBackend
Suite = _native.Suite
Sealed = _hot.Sealed

__version__: str = _native.library_version()

__all__ = [
    "AesBackend",
    "AuditEvent",
    "AuditLog",
    "AuditProblem",
    "AuditReport",
    "ContextTemplate",
    "KeyPair",
    "Keyring",
    "Keyset",
    "KeysetEntry",
    "Opener",
    "PublicKey",
    "Resealed",
    "ResealedRecord",
    "Sealed",
    "Sealer",
    "SessionLimits",
    "SignerPins",
    "Suite",
    "VerifiedKeyset",
    "__version__",
    "aes_backend",
    "is_sealed",
    "json_context",
    "verify_audit_log",
    *_error_names,
]

BytesLike = Union[bytes, bytearray, memoryview, str]


def _wrap(cls: Any, inner: Any) -> Any:
    obj = object.__new__(cls)
    obj._inner = inner
    return obj


def _inner(obj: Any, cls: type, what: str) -> Any:
    if not isinstance(obj, cls):
        raise TypeError(f"{what} must be an enseal.{cls.__name__}, not {type(obj).__name__}")
    return obj._inner


def _no_constructor(name: str, instead: str) -> Any:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"enseal.{name} has no constructor: use {instead}")

    return __init__


def _pointer_list(pointers: Iterable[str]) -> List[str]:
    if isinstance(pointers, str):
        raise TypeError("pointers must be a list of JSON Pointers, not one string")
    return list(pointers)


def is_sealed(text: str) -> bool:
    """True when ``text`` is a well-formed sealed value (no key needed)."""
    return bool(_native.is_sealed(text))


def json_context(pointer: str, record_id: Optional[str] = None) -> bytes:
    """The context a JSON document value at ``pointer`` of ``record_id`` is sealed with."""
    return bytes(_native.json_context(pointer, record_id))


def aes_backend() -> AesBackend:
    """Which AES-256-GCM implementation runs, and whether it uses the CPU's AES instructions."""
    return _native.aes_backend()


_Record = Union[str, Dict[str, Any]]
_T = TypeVar("_T")


def _record_text(record: Any) -> Tuple[str, bool]:
    """A record as JSON text, and whether it came as text (then it goes back as text)."""
    if isinstance(record, str):
        return record, True
    if isinstance(record, dict):
        return _json.dumps(record), False
    raise TypeError(f"record must be JSON text (str) or a dict, not {type(record).__name__}")


def _record_out(text: str, as_text: bool) -> Any:
    return str(text) if as_text else _json.loads(text)


def _context_bytes(context: Any) -> bytes:
    if isinstance(context, str):
        return context.encode()
    if isinstance(context, (bytes, bytearray, memoryview)):
        return bytes(context)
    raise TypeError(f"context must be bytes, bytearray, memoryview or str, not {type(context).__name__}")


def _seconds(value: Optional[int]) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_session_age must be whole seconds (int), not {type(value).__name__}")
    if value < 0:
        raise InvalidArgumentError("session maximum age must be a whole number of seconds, at least one")  # noqa: F405
    return value


class ContextTemplate:
    """A parsed context template (docs/FORMAT.md §7.1), e.g. ``patients/{id}{pointer}``:
    the context of each value of a record, from the record's own fields.
    ``str(template)`` and ``template.template`` give its text."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("ContextTemplate", "ContextTemplate.parse()")

    @staticmethod
    @_translated
    def parse(template: str) -> ContextTemplate:
        """Parses ``template``; a malformed one raises ``InvalidTemplateError``."""
        if not isinstance(template, str):
            raise TypeError(f"template must be a str, not {type(template).__name__}")
        return _wrap(ContextTemplate, _native.ContextTemplate.parse(template))

    @_translated
    def render(self, pointer: str, fields: Mapping[str, str]) -> bytes:
        """The context of the value at ``pointer``, each field's text from ``fields``
        (keyed as the template writes the field: ``id``, ``/patient/id``)."""
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
            raise TypeError("fields must map str to str (a field's text, e.g. '8812')")
        return bytes(self._inner.render(pointer, dict(fields)))

    @_translated
    def render_json(self, record: _Record, pointer: str) -> bytes:
        """The context of the value at ``pointer`` of ``record`` (JSON text or a dict)."""
        text, _ = _record_text(record)
        return bytes(self._inner.render_json(text, pointer))

    @property
    def template(self) -> str:
        """The template as written."""
        return str(self._inner)

    @property
    def fields(self) -> List[str]:
        """The record fields it reads, as written, in order."""
        return [str(f) for f in self._inner.fields()]

    @property
    def has_pointer(self) -> bool:
        """Whether it has ``{pointer}`` (each value of a record gets its own context)."""
        return bool(self._inner.has_pointer())

    def __str__(self) -> str:
        return str(self._inner)

    def __repr__(self) -> str:
        return f"enseal.ContextTemplate({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ContextTemplate) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


@dataclasses.dataclass(frozen=True)
class SessionLimits:
    """When a sealer starts a fresh session: after ``max_fields`` fields or once
    the session is ``max_age`` seconds old."""

    max_fields: int
    max_age: int


@dataclasses.dataclass(frozen=True)
class Resealed:
    """What :meth:`Opener.reseal` did: the value to store, and whether it was already current."""

    text: str
    already_current: bool


@dataclasses.dataclass(frozen=True)
class ResealedRecord(Generic[_T]):
    """A record after :meth:`Opener.reseal_record`: the record (in the form it
    was given), values re-sealed, values already current."""

    json: _T
    resealed: int
    already_current: int


@dataclasses.dataclass(frozen=True)
class AuditEvent:
    """One audited operation: never the plaintext, never key material."""

    time: int
    operation: str
    error: Optional[str]
    kid: Optional[str]
    suite: Optional[Suite]
    session_id: Optional[str]
    context: Optional[bytes]
    actor: str


class _CallbackSink(_native.AuditSink):  # type: ignore[misc]
    """A Python callable as the native ``AuditSink``. Whatever it raises becomes
    the native error, so the open fails closed (AUDIT_FAILED) instead of an
    exception escaping into Rust."""

    def __init__(self, callback: Callable[[AuditEvent], object]) -> None:
        self._callback = callback

    def record(self, event: Any) -> bool:
        # True acknowledges the event; anything that escapes this method
        # (an exception in uniffi's own glue) leaves Rust a zeroed False.
        try:
            self._callback(
                AuditEvent(
                    int(event.time),
                    str(event.operation),
                    event.error,
                    event.kid,
                    event.suite,
                    event.session_id,
                    None if event.context is None else bytes(event.context),
                    str(event.actor),
                )
            )
        except BaseException as e:  # noqa: BLE001  (fail closed on anything, KeyboardInterrupt too)
            _note_callback_failure(e)
            raise _native.EnsealError.AuditFailed(5, f"the audit callback raised {type(e).__name__}") from e
        return True


class AuditLog:
    """A tamper-evident JSON-lines audit file (each line hash-chained to the previous; docs/AUDIT.md)."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("AuditLog", "AuditLog.open()")

    @classmethod
    @_translated
    def open(cls, path: Union[str, "os.PathLike[str]"]) -> AuditLog:
        """Opens (or creates) the log at ``path`` to append to; an existing log
        with a broken chain is refused (``InvalidArgumentError`` naming the line)."""
        return _wrap(cls, _native.AuditLog.open(os.fspath(path)))

    @_translated
    def flush(self) -> None:
        """Waits until every event recorded so far is written and synced to disk."""
        self._inner.flush()


@dataclasses.dataclass(frozen=True)
class AuditProblem:
    """The first line that breaks an audit log's chain."""

    line: int
    reason: str


@dataclasses.dataclass(frozen=True)
class AuditReport:
    """What :func:`verify_audit_log` found; counts over the intact lines."""

    intact: bool
    events: int
    failures: int
    per_actor: Dict[str, int]
    per_kid: Dict[str, int]
    last_hash: str
    problem: Optional[AuditProblem]


@_translated
def verify_audit_log(path: Union[str, "os.PathLike[str]"]) -> AuditReport:
    """Checks the hash chain of the audit log at ``path``; counts per actor and key id."""
    r = _native.verify_audit_log(os.fspath(path))
    problem = None if r.problem is None else AuditProblem(int(r.problem.line), str(r.problem.reason))
    return AuditReport(
        bool(r.intact),
        int(r.events),
        int(r.failures),
        {str(k): int(v) for k, v in r.per_actor.items()},
        {str(k): int(v) for k, v in r.per_kid.items()},
        str(r.last_hash),
        problem,
    )


class PublicKey:
    """A recipient public key: what sealers seal to."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("PublicKey", "PublicKey.from_jwk() or PublicKey.from_bytes()")

    @classmethod
    @_translated
    def from_jwk(cls, jwk: str) -> PublicKey:
        """A public key from a JWK (of a private JWK only the public part is kept)."""
        return _wrap(cls, _native.PublicKey.from_jwk(jwk))

    @classmethod
    @_translated
    def from_bytes(cls, suite: Suite, public_key: bytes) -> PublicKey:
        """A public key from its serialization."""
        return _wrap(cls, _native.PublicKey.from_bytes(suite, bytes(public_key)))

    def to_jwk(self) -> str:
        """The public JWK."""
        return str(self._inner.to_jwk())

    def to_bytes(self) -> bytes:
        """The serialized public key."""
        return bytes(self._inner.to_bytes())

    @property
    def kid(self) -> str:
        """The key id (11 characters of base64url)."""
        return str(self._inner.kid())

    @property
    def suite(self) -> Suite:
        """The suite."""
        return self._inner.suite()

    def __repr__(self) -> str:
        return f"enseal.PublicKey(kid={self.kid!r}, suite={self.suite.name})"


class KeyPair:
    """A recipient key pair. The private key is wiped when the object is freed."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("KeyPair", "KeyPair.generate(), KeyPair.from_jwk() or KeyPair.from_private_bytes()")

    @classmethod
    @_translated
    def generate(cls, suite: Suite = Suite.X25519) -> KeyPair:
        """A fresh random key pair of ``suite``."""
        return _wrap(cls, _native.KeyPair.generate(suite))

    @classmethod
    @_translated
    def from_jwk(cls, jwk: str) -> KeyPair:
        """A key pair from a private JWK."""
        return _wrap(cls, _native.KeyPair.from_jwk(jwk))

    @classmethod
    @_translated
    def from_private_bytes(cls, suite: Suite, private_key: bytes) -> KeyPair:
        """A key pair from a serialized private key (32 bytes; the seed for X-Wing)."""
        return _wrap(cls, _native.KeyPair.from_private_bytes(suite, bytes(private_key)))

    @property
    def public_key(self) -> PublicKey:
        """The public half, to give to sealers."""
        return _wrap(PublicKey, self._inner.public_key())

    def to_jwk(self) -> str:
        """The private key as a JWK. Secret."""
        return str(self._inner.to_jwk())

    def private_bytes(self) -> bytes:
        """The serialized private key. Secret."""
        return bytes(self._inner.private_bytes())

    @property
    def kid(self) -> str:
        """The key id."""
        return str(self._inner.kid())

    @property
    def suite(self) -> Suite:
        """The suite."""
        return self._inner.suite()

    def __repr__(self) -> str:
        return f"enseal.KeyPair(kid={self.kid!r}, suite={self.suite.name})"


@dataclasses.dataclass(frozen=True)
class KeysetEntry:
    """One key of a keyset."""

    public_key: PublicKey
    kid: str
    suite: Suite
    created: int
    not_after: Optional[int]


class Keyset:
    """A public keyset document: what clients fetch, and what a key owner rotates."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("Keyset", "Keyset.from_public_key() or Keyset.from_json()")

    @classmethod
    @_translated
    def from_public_key(
        cls, key: PublicKey, *, created: Optional[int] = None, not_after: Optional[int] = None
    ) -> Keyset:
        """A keyset of one key, its primary (``created`` defaults to now; Unix seconds)."""
        return _wrap(cls, _native.Keyset.from_public_key(_inner(key, PublicKey, "key"), created, not_after))

    @classmethod
    @_translated
    def from_json(cls, json: str) -> Keyset:
        """Parses and validates a keyset document."""
        return _wrap(cls, _native.Keyset.from_json(json))

    def to_json(self) -> str:
        """The keyset document."""
        return str(self._inner.to_json())

    @_translated
    def add(self, key: PublicKey, *, created: Optional[int] = None, not_after: Optional[int] = None) -> None:
        """Adds a key, not primary (``created`` defaults to now; Unix seconds)."""
        self._inner.add(_inner(key, PublicKey, "key"), created, not_after)

    @_translated
    def promote(self, kid: str) -> None:
        """Makes the key ``kid`` the primary: the one new sealers seal to."""
        self._inner.promote(kid)

    @_translated
    def retire(self, kid: str) -> None:
        """Removes the key ``kid``; the primary cannot be retired (``InvalidKeysetError``)."""
        self._inner.retire(kid)

    @_translated
    def check_sealed(self, text: str) -> Sealed:
        """Checks that ``text`` is sealed to a key of this keyset that is not
        past its ``not_after``, and returns it parsed: what a service that
        stores sealed fields, and holds no private key, checks before it
        accepts one. ``BadPrefixError`` for a clear value (and the other parse
        errors), then ``UnknownKeyError``, then ``KeyExpiredError``. Only
        opening checks the tag."""
        # The check is core's (through uniffi); the value it returns is
        # uniffi's Sealed, which is not ``enseal.Sealed`` (the CPython
        # module's class), so the text is parsed once more, about a
        # microsecond.
        self._inner.check_sealed(text)
        return Sealed.parse(text)

    @property
    def primary_kid(self) -> str:
        """The key id of the primary key."""
        return str(self._inner.primary_kid())

    @property
    def entries(self) -> List[KeysetEntry]:
        """Every key, in document order."""
        return [
            KeysetEntry(_wrap(PublicKey, e.public_key), e.kid, e.suite, e.created, e.not_after)
            for e in self._inner.entries()
        ]

    def __len__(self) -> int:
        return int(self._inner.len())

    def __repr__(self) -> str:
        return f"enseal.Keyset(primary_kid={self.primary_kid!r}, keys={len(self)})"

    @classmethod
    @_translated
    def from_signed(cls, jws: str, pins: SignerPins, *, min_version: Optional[int] = None) -> VerifiedKeyset:
        """Verifies a signed keyset (a JWS, docs/FORMAT.md §10) against ``pins``.
        ``min_version`` is the highest version accepted before, when you keep
        it: a lower one is ``KeysetRollbackError``. Unsigned, wrongly signed
        and expired keysets are ``KeysetUnsignedError``,
        ``KeysetBadSignatureError`` and ``KeysetExpiredError``."""
        return _wrap(VerifiedKeyset, _native.VerifiedKeyset.from_signed(jws, _inner(pins, SignerPins, "pins"), min_version))


class SignerPins:
    """The signer public keys (Ed25519 JWKs) trusted to sign the keyset."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("SignerPins", "SignerPins.from_jwks()")

    @classmethod
    @_translated
    def from_jwks(cls, jwks: str) -> SignerPins:
        """The pins from a JWK set ``{"keys": [public OKP Ed25519 JWKs]}``."""
        return _wrap(cls, _native.SignerPins.from_jwks(jwks))

    @property
    def kids(self) -> List[str]:
        """The pinned signers' key ids (RFC 7638 thumbprints)."""
        return [str(k) for k in self._inner.kids()]

    def __len__(self) -> int:
        return int(self._inner.len())

    def __repr__(self) -> str:
        return f"enseal.SignerPins(kids={self.kids!r})"


class VerifiedKeyset:
    """A keyset whose signature verified under a pinned signer."""

    __slots__ = ("_inner",)
    __init__ = _no_constructor("VerifiedKeyset", "Keyset.from_signed()")

    @property
    def keyset(self) -> Keyset:
        """The keyset the signer signed."""
        return _wrap(Keyset, self._inner.keyset())

    @property
    def version(self) -> int:
        """The signed version: keep the highest accepted, pass it as ``min_version``."""
        return int(self._inner.version())

    @property
    def expires(self) -> int:
        """The signed expiry, Unix seconds."""
        return int(self._inner.expires())

    @property
    def signer(self) -> str:
        """The key id of the pinned signer that signed it."""
        return str(self._inner.signer())

    def __repr__(self) -> str:
        return f"enseal.VerifiedKeyset(version={self.version}, expires={self.expires}, signer={self.signer!r})"


class Keyring:
    """Private keys by key id, for opening."""

    __slots__ = ("_inner",)

    def __init__(self) -> None:
        """An empty keyring."""
        self._inner = _native.Keyring()

    @classmethod
    @_translated
    def from_jwks(cls, json: str) -> Keyring:
        """A keyring from a private JWK set ``{"keys": [...]}``."""
        return _wrap(cls, _native.Keyring.from_jwks(json))

    def add(self, key: KeyPair) -> bool:
        """Adds a key pair: True when added, False when that key was already there."""
        return bool(self._inner.add(_inner(key, KeyPair, "key")))

    @_translated
    def add_custody(self, uri: str) -> bool:
        """Adds the private key ``uri`` names, held outside the process: a
        ``pkcs11:`` URI (RFC 7512), a ``wrapped:`` key file or an ``awskms:``
        key (docs/CUSTODY.md). The backend is reached once now, and once per
        session when opening. An unreachable backend is ``KeyUnavailableError``,
        a malformed URI ``InvalidArgumentError``. False when that key was
        already there."""
        if not isinstance(uri, str):
            raise TypeError(f"uri must be a str, not {type(uri).__name__}")
        return bool(self._inner.add_custody(uri))

    @property
    def kids(self) -> List[str]:
        """The key ids."""
        return [str(k) for k in self._inner.kids()]

    def to_jwks(self) -> str:
        """The private JWK set. Secret."""
        return str(self._inner.to_jwks())

    def copy(self) -> Keyring:
        """An independent copy: keys added to either one later are not in the other."""
        return _wrap(Keyring, self._inner.copy())

    def __len__(self) -> int:
        return int(self._inner.len())

    def __repr__(self) -> str:
        return f"enseal.Keyring(keys={len(self)})"


class Sealer:
    """Seals fields to one recipient. Cheap per field; safe to share between threads."""

    __slots__ = ("_inner", "_hot")

    @_translated
    def __init__(
        self, recipient: PublicKey, *, field_limit: Optional[int] = None, max_session_age: Optional[int] = None
    ) -> None:
        """``field_limit`` (1 to 2**32) bounds the fields per session before a
        fresh encapsulation; the default is 2**32. ``max_session_age`` (whole
        seconds, at least 1) bounds a session's age; the default is one hour."""
        if not isinstance(recipient, PublicKey):
            raise TypeError(
                f"recipient must be an enseal.PublicKey, not {type(recipient).__name__}"
                + (" (use Sealer.from_keyset)" if isinstance(recipient, Keyset) else "")
            )
        if field_limit is None:
            self._start(_native.Sealer(recipient._inner, _seconds(max_session_age)))
        else:
            self._start(_native.Sealer.with_field_limit(recipient._inner, field_limit, _seconds(max_session_age)))

    @classmethod
    @_translated
    def from_keyset(cls, keyset: Keyset, *, max_session_age: Optional[int] = None) -> Sealer:
        """A sealer for the keyset's primary key (refused past its not-after date);
        ``max_session_age`` as for :class:`Sealer`."""
        sealer: Sealer = object.__new__(cls)
        sealer._start(_native.Sealer.from_keyset(_inner(keyset, Keyset, "keyset"), _seconds(max_session_age)))
        return sealer

    @classmethod
    @_translated
    def from_signed_keyset(
        cls, jws: str, pins: SignerPins, *, min_version: Optional[int] = None, max_session_age: Optional[int] = None
    ) -> Sealer:
        """A sealer for the primary key of a signed keyset that verifies under
        ``pins`` (as :meth:`Keyset.from_signed`); nothing is sealed otherwise."""
        sealer: Sealer = object.__new__(cls)
        sealer._start(
            _native.Sealer.from_signed_keyset(
                jws, _inner(pins, SignerPins, "pins"), min_version, _seconds(max_session_age)
            )
        )
        return sealer

    def _start(self, inner: Any) -> None:
        self._inner = inner
        self._hot = _hot.Sealer(inner.hot_path_token())

    def seal(self, value: BytesLike, context: BytesLike) -> str:
        """The text form, ``enseal1.`` + base64url (for JSON and text columns)."""
        return self._hot.seal(value, context)

    def seal_binary(self, value: BytesLike, context: BytesLike) -> bytes:
        """The binary form (for bytes columns and files)."""
        return self._hot.seal_binary(value, context)

    def seal_batch(self, values: Iterable[BytesLike], contexts: Union[BytesLike, Iterable[BytesLike]]) -> List[str]:
        """Seals a whole column in one call (text form). All or nothing; an error
        names the failing value (``e.index``).

        ``contexts`` is one context per value, or a single ``str``/``bytes`` for all.
        """
        return self._hot.seal_batch(values, contexts)

    def seal_column(self, column: Any, context: BytesLike, *, binary: bool = False, threads: Optional[int] = None) -> Any:
        """Seals a whole Arrow column, every value with ``context``, without a
        Python object per value and without the GIL, across ``threads`` cores
        (default: ``ENSEAL_THREADS``, or every core the process may use).

        ``column``: a string or binary column (pyarrow ``Array``/``ChunkedArray``,
        Polars or pandas ``Series``, or any ``__arrow_c_array__`` /
        ``__arrow_c_stream__`` object); returned as the same kind, of text forms
        (``binary=True``: binary forms), with the same chunks. A null stays
        null (nothing to seal); another type is a ``ColumnTypeError``
        (a ``TypeError``). All or nothing; an error names the row (``e.index``,
        counted across chunks). One context for every value means rows of
        the column could be swapped unnoticed: to bind each value to its row,
        use :meth:`seal_table` with a template.
        """
        out = _hot.seal_column(self._hot, _columns.column_in(column), context, binary, _columns.threads(threads))
        return _columns.column_out(out, column)

    def seal_table(
        self,
        table: Any,
        columns: Mapping[str, Union[str, ContextTemplate]],
        *,
        binary: bool = False,
        pad_to: int = 16,
        threads: Optional[int] = None,
    ) -> Any:
        """The table with each column named in ``columns`` sealed, every value
        with the context its template renders from the row's other columns
        (``{"ssn": "patients/{patient_id}{pointer}"}``: ``{pointer}`` is the
        column's ``/ssn``).

        A row is a record (docs/FORMAT.md §7.1): each sealed value is a
        string, sealed as its JSON text padded to a multiple of ``pad_to``
        bytes, exactly as :meth:`seal_record` and the CLI seal a CSV cell, so
        each opens what the other sealed. A template reads string, integer
        and boolean columns; a null there fails the row (``InvalidTemplateError``)
        unless the value sealed is null. Each template needs ``{pointer}``
        (a row's other values could otherwise be swapped with it). ``pad_to``
        is at most 65536. ``table``: a pyarrow ``Table``/``RecordBatch``, a
        Polars or pandas ``DataFrame``, or any ``__arrow_c_stream__`` object;
        returned as the same kind.
        """
        out = _hot.seal_table(
            self._hot, _columns.table_in(table), _columns.columns_of(columns), binary, pad_to, _columns.threads(threads)
        )
        return _columns.table_out(out, table)

    @_translated
    def seal_json(self, document: Any, pointers: Iterable[str], record_id: Optional[str] = None, *, pad_to: int = 16) -> Any:
        """A copy of ``document`` (dict/list) with the values at the JSON Pointers sealed.

        ``*`` in a pointer stands for every element of an array. Each value's
        JSON text is padded with spaces to a multiple of ``pad_to`` bytes
        (0: none), so that ``True`` and ``False`` seal to the same length.
        """
        sealed = self._inner.seal_json(_json.dumps(document), _pointer_list(pointers), record_id, pad_to)
        return _json.loads(sealed)

    @_translated
    def rekey(self) -> None:
        """Starts a fresh session now.

        Call it after the process was restored from a snapshot (VM clone,
        Lambda SnapStart, CRaC). A ``fork()`` needs nothing: a child seals
        with a session of its own.
        """
        self._inner.rekey()

    @property
    def not_after(self) -> Optional[int]:
        """For a sealer built from a keyset: its key's ``not_after`` (Unix seconds), else None."""
        return self._inner.not_after()

    @property
    def limits(self) -> SessionLimits:
        """When this sealer starts a fresh session (fields, and age in seconds)."""
        limits = self._inner.limits()
        return SessionLimits(int(limits.max_fields), int(limits.max_age))

    @_translated
    def seal_record(
        self, record: _Record, pointers: Iterable[str], template: ContextTemplate, *, pad_to: int = 16
    ) -> Any:
        """The record with the values at the JSON Pointers sealed, each with the
        context ``template`` renders from the record's own fields.

        ``record`` is JSON text (``str``, returned as ``str``: the way to keep a
        number's text, which a template field renders as written) or a ``dict``
        (returned as a ``dict``). Values are padded as in :meth:`seal_json`.
        """
        text, as_text = _record_text(record)
        sealed = self._inner.seal_record(
            text, _pointer_list(pointers), _inner(template, ContextTemplate, "template"), pad_to
        )
        return _record_out(sealed, as_text)


class Opener:
    """Opens sealed fields with private keys. Safe to share between threads."""

    __slots__ = ("_inner", "_hot", "_audit")

    def __init__(
        self,
        keys: Union[Keyring, Iterable[KeyPair]],
        *,
        audit: Union[AuditLog, Callable[[AuditEvent], object], None] = None,
        actor: Optional[str] = None,
    ) -> None:
        """``keys`` is a keyring or key pairs; old keys keep opening old data.

        With ``audit`` (an :class:`AuditLog`, or a callable that receives each
        :class:`AuditEvent`) every open, failed open and decapsulation is
        recorded as ``actor``, before the open returns. A callable that raises
        makes the open fail (``InternalError``) and no plaintext is returned.
        """
        if isinstance(keys, Keyring):
            ring = keys
        else:
            ring = Keyring()
            for key in keys:
                ring.add(key)
        if (audit is None) != (actor is None):
            raise TypeError("Opener: audit= and actor= go together (an audited open names who opened)")
        if audit is None:
            self._inner = _native.Opener(ring._inner)
        elif not isinstance(actor, str):
            raise TypeError(f"actor must be a str, not {type(actor).__name__}")
        elif isinstance(audit, AuditLog):
            self._inner = _native.Opener.with_audit_log(ring._inner, audit._inner, actor)
        elif callable(audit):
            self._inner = _native.Opener.with_audit(ring._inner, _CallbackSink(audit), actor)
        else:
            raise TypeError(f"audit must be an enseal.AuditLog or a callable, not {type(audit).__name__}")
        self._audit = audit
        self._hot = _hot.Opener(self._inner.hot_path_token())

    def open(self, sealed: Union[str, Sealed], context: BytesLike) -> bytes:
        """Opens the text form (or a :class:`Sealed`) sealed with ``context``."""
        return self._hot.open(sealed, context)

    def open_string(self, sealed: Union[str, Sealed], context: BytesLike) -> str:
        """As :meth:`open`, decoded as UTF-8 (``InvalidArgumentError`` if it is not)."""
        return self._hot.open_string(sealed, context)

    def open_binary(self, sealed: Union[bytes, bytearray, memoryview], context: BytesLike) -> bytes:
        """Opens the binary form."""
        return self._hot.open_binary(sealed, context)

    def open_batch(self, sealed: Iterable[str], contexts: Union[BytesLike, Iterable[BytesLike]]) -> List[bytes]:
        """Opens a whole column (text form) in one call. All or nothing; an error
        names the failing value (``e.index``)."""
        return self._hot.open_batch(sealed, contexts)

    def open_column(self, column: Any, context: BytesLike, *, text: bool = False, threads: Optional[int] = None) -> Any:
        """Opens a whole Arrow column sealed with ``context`` (a string column of
        text forms or a binary column of binary forms), as :meth:`Sealer.seal_column`
        seals it: a binary column of plaintexts, or with ``text=True`` a string
        column (a value that is not UTF-8 fails its row). Fields of many
        sessions are opened across ``threads`` cores. All or nothing: on an
        error nothing is returned and plaintext opened so far (all chunks) is
        wiped. The returned column is plaintext in Arrow memory, which
        Arrow frees without wiping.
        """
        out = _hot.open_column(self._hot, _columns.column_in(column), context, text, _columns.threads(threads))
        return _columns.column_out(out, column)

    def open_table(
        self, table: Any, columns: Mapping[str, Union[str, ContextTemplate]], *, threads: Optional[int] = None
    ) -> Any:
        """The table with each column named in ``columns`` opened with the
        contexts its template renders, into strings: what :meth:`Sealer.seal_table`,
        :meth:`Sealer.seal_record` or the CLI sealed (a JSON string's contents;
        a number or boolean as written)."""
        out = _hot.open_table(self._hot, _columns.table_in(table), _columns.columns_of(columns), _columns.threads(threads))
        return _columns.table_out(out, table)

    @_translated
    def open_json(self, document: Any, pointers: Iterable[str], record_id: Optional[str] = None) -> Any:
        """A copy of ``document`` with the values at the JSON Pointers opened, each with its JSON type.

        Exactly those values: one that is not a sealed string raises
        ``NotSealedError``, and strings elsewhere stay as they are. The way for
        servers: the server, not the document, decides what is opened.
        """
        return _json.loads(self._inner.open_json(_json.dumps(document), _pointer_list(pointers), record_id))

    @_translated
    def open_json_all(self, document: Any, record_id: Optional[str] = None) -> Any:
        """A copy of ``document`` with every string that starts with ``enseal1.`` opened."""
        return _json.loads(self._inner.open_json_all(_json.dumps(document), record_id))

    @_translated
    def open_record(self, record: _Record, pointers: Iterable[str], template: ContextTemplate) -> Any:
        """The record (``str`` or ``dict``, returned in the same form) with exactly
        the values at the JSON Pointers opened, sealed by :meth:`Sealer.seal_record`."""
        text, as_text = _record_text(record)
        opened = self._inner.open_record(text, _pointer_list(pointers), _inner(template, ContextTemplate, "template"))
        return _record_out(opened, as_text)

    @_translated
    def open_record_all(self, record: _Record, template: ContextTemplate) -> Any:
        """The record with every sealed string opened, with ``template``'s contexts."""
        text, as_text = _record_text(record)
        return _record_out(self._inner.open_record_all(text, _inner(template, ContextTemplate, "template")), as_text)

    @_translated
    def reseal(self, value: Union[str, Sealed], context: BytesLike, to: Sealer) -> Resealed:
        """Re-seals ``value`` (sealed with ``context``) to ``to``'s key, with the
        same context. A value already on that key is left as it is, decided from
        its key id without opening it (``already_current``); one whose key is not
        in this opener's keyring raises ``UnknownKeyError``."""
        text = value.to_text() if isinstance(value, Sealed) else value
        if not isinstance(text, str):
            raise TypeError(f"value must be str (the text form) or an enseal.Sealed, not {type(value).__name__}")
        resealed = self._inner.reseal(text, _context_bytes(context), _inner(to, Sealer, "to"))
        return Resealed(str(resealed.text), bool(resealed.already_current))

    @_translated
    def reseal_record(
        self, record: _Record, pointers: Iterable[str], template: ContextTemplate, to: Sealer
    ) -> ResealedRecord[Any]:
        """Re-seals to ``to`` the values at the JSON Pointers of ``record`` (sealed
        with ``template``), leaving those already on its key. All or nothing."""
        text, as_text = _record_text(record)
        done = self._inner.reseal_record(
            text, _pointer_list(pointers), _inner(template, ContextTemplate, "template"), _inner(to, Sealer, "to")
        )
        return ResealedRecord(_record_out(done.json, as_text), int(done.resealed), int(done.already_current))

    @_translated
    def reseal_record_all(self, record: _Record, template: ContextTemplate, to: Sealer) -> ResealedRecord[Any]:
        """As :meth:`reseal_record`, for every sealed string of the record."""
        text, as_text = _record_text(record)
        done = self._inner.reseal_record_all(text, _inner(template, ContextTemplate, "template"), _inner(to, Sealer, "to"))
        return ResealedRecord(_record_out(done.json, as_text), int(done.resealed), int(done.already_current))


# Copying and pickling. A generated class keeps its Rust object's handle as a
# plain int attribute, so the default machinery (``copy``, ``pickle`` and
# ``copyreg`` all copy ``__dict__``) would make two Python owners of one handle,
# each freeing it: a use-after-free of objects that hold private keys. Copies
# therefore share the object, which is immutable from Python and thread-safe,
# except a ``Keyring`` or ``Keyset`` (keys can be added), which is cloned.
# Pickling is refused: it would write a pointer, or private keys nobody meant
# to export. (``Sealed`` is not secret: it pickles as its text form.)


def _same(self: Any, memo: Any = None) -> Any:
    return self


def _clone(self: Any, memo: Any = None) -> Any:
    if isinstance(self, Keyring):
        return self.copy()
    if isinstance(self, Keyset):
        return Keyset.from_json(self.to_json())
    if isinstance(self, _native.Keyring):
        return self.copy()
    return _native.Keyset.from_json(self.to_json())


def _guard(cls: Any, name: str, reason: str) -> None:
    mutable = cls in (Keyring, Keyset, _native.Keyring, _native.Keyset)
    cls.__copy__ = _clone if mutable else _same
    cls.__deepcopy__ = _clone if mutable else _same
    message = f"{name} cannot be pickled: {reason}"

    def refuse(self: Any, *args: Any) -> Any:
        raise TypeError(message)

    # __reduce_ex__/__reduce__ are what pickle and copyreg call (every protocol);
    # __getstate__/__setstate__ close object.__reduce_ex__ called directly and
    # copyreg._reduce_ex, and refuse a state crafted by hand.
    for method in ("__reduce_ex__", "__reduce__", "__getstate__", "__setstate__"):
        setattr(cls, method, refuse)


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
    "Sealed": "use enseal.Sealed (it pickles as its text form)",
    "ContextTemplate": "keep its text (str(template)) and parse it again",
    "AuditLog": "it is an open file with a writer thread; open the log again by its path",
    "SignerPins": "keep the pinned JWK set and parse it again",
    "VerifiedKeyset": "keep the signed keyset (the JWS) and verify it again",
}

for _name, _reason in _NO_PICKLE.items():
    _guard(getattr(_native, _name), f"enseal._native.{_name}", _reason)
    if _name != "Sealed":
        _guard(globals()[_name], f"enseal.{_name}", _reason)
del _name, _reason

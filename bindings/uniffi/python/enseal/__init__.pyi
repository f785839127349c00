"""Types of the enseal package: every public name, as users import it.

This file is what `mypy --strict` checks consumers against and what
`cargo xtask parity` compares with docs/API.md, so it lists exactly the public
API: nothing private, nothing missing.
"""

import enum
import os
from typing import Any, Callable, ClassVar, Dict, Generic, Iterable, List, Literal, Mapping, Optional, TypeVar, Union, overload

_BytesLike = Union[bytes, bytearray, memoryview, str]
_Binary = Union[bytes, bytearray, memoryview]
_Json = Dict[str, Any]
_Path = Union[str, os.PathLike[str]]
_T = TypeVar("_T")
# An Arrow column or table: a pyarrow, Polars or pandas object comes back as its own kind.
_C = TypeVar("_C")

__version__: str

class Suite(enum.Enum):
    """A KEM suite: the kind of recipient key."""

    X25519 = 0
    P256 = 1
    X_WING = 2

class AesBackend:
    """Which AES-256-GCM implementation runs."""

    name: str
    hardware_accelerated: bool

def aes_backend() -> AesBackend: ...
def is_sealed(text: str) -> bool: ...
def json_context(pointer: str, record_id: Optional[str] = None) -> bytes: ...
def verify_audit_log(path: _Path) -> AuditReport: ...

class ContextTemplate:
    """A parsed context template (docs/FORMAT.md §7.1); ``str(t)`` is its text."""

    @staticmethod
    def parse(template: str) -> ContextTemplate: ...
    def render(self, pointer: str, fields: Mapping[str, str]) -> bytes: ...
    def render_json(self, record: Union[str, _Json], pointer: str) -> bytes: ...
    @property
    def template(self) -> str: ...
    @property
    def fields(self) -> List[str]: ...
    @property
    def has_pointer(self) -> bool: ...

class SessionLimits:
    """When a sealer starts a fresh session (a record; max_age in seconds)."""

    @property
    def max_fields(self) -> int: ...
    @property
    def max_age(self) -> int: ...

class Resealed:
    """What Opener.reseal did (a record)."""

    @property
    def text(self) -> str: ...
    @property
    def already_current(self) -> bool: ...

class ResealedRecord(Generic[_T]):
    """A record after Opener.reseal_record (a record): json in the form it was given."""

    @property
    def json(self) -> _T: ...
    @property
    def resealed(self) -> int: ...
    @property
    def already_current(self) -> int: ...

class AuditEvent:
    """One audited operation (a record): never the plaintext, never key material."""

    @property
    def time(self) -> int: ...
    @property
    def operation(self) -> str: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def kid(self) -> Optional[str]: ...
    @property
    def suite(self) -> Optional[Suite]: ...
    @property
    def session_id(self) -> Optional[str]: ...
    @property
    def context(self) -> Optional[bytes]: ...
    @property
    def actor(self) -> str: ...

class AuditLog:
    """A tamper-evident, hash-chained JSON-lines audit file."""

    @classmethod
    def open(cls, path: _Path) -> AuditLog: ...
    def flush(self) -> None: ...

class AuditProblem:
    """The first line that breaks an audit log's chain (a record)."""

    @property
    def line(self) -> int: ...
    @property
    def reason(self) -> str: ...

class AuditReport:
    """What verify_audit_log found (a record)."""

    @property
    def intact(self) -> bool: ...
    @property
    def events(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def per_actor(self) -> Dict[str, int]: ...
    @property
    def per_kid(self) -> Dict[str, int]: ...
    @property
    def last_hash(self) -> str: ...
    @property
    def problem(self) -> Optional[AuditProblem]: ...

class PublicKey:
    @classmethod
    def from_jwk(cls, jwk: str) -> PublicKey: ...
    @classmethod
    def from_bytes(cls, suite: Suite, public_key: _Binary) -> PublicKey: ...
    def to_jwk(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    @property
    def kid(self) -> str: ...
    @property
    def suite(self) -> Suite: ...

class KeyPair:
    @classmethod
    def generate(cls, suite: Suite = ...) -> KeyPair: ...
    @classmethod
    def from_jwk(cls, jwk: str) -> KeyPair: ...
    @classmethod
    def from_private_bytes(cls, suite: Suite, private_key: _Binary) -> KeyPair: ...
    @property
    def public_key(self) -> PublicKey: ...
    def to_jwk(self) -> str: ...
    def private_bytes(self) -> bytes: ...
    @property
    def kid(self) -> str: ...
    @property
    def suite(self) -> Suite: ...

class KeysetEntry:
    """One key of a keyset (a record)."""

    @property
    def public_key(self) -> PublicKey: ...
    @property
    def kid(self) -> str: ...
    @property
    def suite(self) -> Suite: ...
    @property
    def created(self) -> int: ...
    @property
    def not_after(self) -> Optional[int]: ...

class Keyset:
    @classmethod
    def from_public_key(cls, key: PublicKey, *, created: Optional[int] = None, not_after: Optional[int] = None) -> Keyset: ...
    @classmethod
    def from_json(cls, json: str) -> Keyset: ...
    def to_json(self) -> str: ...
    def add(self, key: PublicKey, *, created: Optional[int] = None, not_after: Optional[int] = None) -> None: ...
    def promote(self, kid: str) -> None: ...
    def retire(self, kid: str) -> None: ...
    def check_sealed(self, text: str) -> Sealed: ...
    @property
    def primary_kid(self) -> str: ...
    @property
    def entries(self) -> List[KeysetEntry]: ...
    def __len__(self) -> int: ...
    @classmethod
    def from_signed(cls, jws: str, pins: SignerPins, *, min_version: Optional[int] = None) -> VerifiedKeyset: ...

class SignerPins:
    """The signer public keys (Ed25519 JWKs) trusted to sign the keyset."""

    @classmethod
    def from_jwks(cls, jwks: str) -> SignerPins: ...
    @property
    def kids(self) -> List[str]: ...
    def __len__(self) -> int: ...

class VerifiedKeyset:
    """A keyset whose signature verified under a pinned signer."""

    @property
    def keyset(self) -> Keyset: ...
    @property
    def version(self) -> int: ...
    @property
    def expires(self) -> int: ...
    @property
    def signer(self) -> str: ...

class Keyring:
    def __init__(self) -> None: ...
    @classmethod
    def from_jwks(cls, json: str) -> Keyring: ...
    def add(self, key: KeyPair) -> bool: ...
    def add_custody(self, uri: str) -> bool: ...
    @property
    def kids(self) -> List[str]: ...
    def __len__(self) -> int: ...
    def to_jwks(self) -> str: ...
    def copy(self) -> Keyring: ...

class Sealed:
    """A sealed value, parsed and validated, read without a key."""

    @staticmethod
    def parse(text: str) -> Sealed: ...
    @staticmethod
    def from_binary(binary: _Binary) -> Sealed: ...
    @property
    def version(self) -> int: ...
    @property
    def suite(self) -> Suite: ...
    @property
    def kid(self) -> str: ...
    @property
    def session_id(self) -> str: ...
    @property
    def counter(self) -> int: ...
    @property
    def plaintext_len(self) -> int: ...
    @property
    def binary_len(self) -> int: ...
    @property
    def text_len(self) -> int: ...
    def to_text(self) -> str: ...
    def to_binary(self) -> bytes: ...

class Sealer:
    def __init__(self, recipient: PublicKey, *, field_limit: Optional[int] = None, max_session_age: Optional[int] = None) -> None: ...
    @classmethod
    def from_keyset(cls, keyset: Keyset, *, max_session_age: Optional[int] = None) -> Sealer: ...
    @classmethod
    def from_signed_keyset(
        cls, jws: str, pins: SignerPins, *, min_version: Optional[int] = None, max_session_age: Optional[int] = None
    ) -> Sealer: ...
    def seal(self, value: _BytesLike, context: _BytesLike) -> str: ...
    def seal_binary(self, value: _BytesLike, context: _BytesLike) -> bytes: ...
    def seal_batch(self, values: Iterable[_BytesLike], contexts: Union[_BytesLike, Iterable[_BytesLike]]) -> List[str]: ...
    def seal_column(self, column: _C, context: _BytesLike, *, binary: bool = False, threads: Optional[int] = None) -> _C: ...
    def seal_table(self, table: _C, columns: Mapping[str, Union[str, ContextTemplate]], *, binary: bool = False, pad_to: int = 16, threads: Optional[int] = None) -> _C: ...
    def seal_json(self, document: Any, pointers: Iterable[str], record_id: Optional[str] = None, *, pad_to: int = 16) -> Any: ...
    @overload
    def seal_record(self, record: str, pointers: Iterable[str], template: ContextTemplate, *, pad_to: int = 16) -> str: ...
    @overload
    def seal_record(self, record: _Json, pointers: Iterable[str], template: ContextTemplate, *, pad_to: int = 16) -> _Json: ...
    def rekey(self) -> None: ...
    @property
    def not_after(self) -> Optional[int]: ...
    @property
    def limits(self) -> SessionLimits: ...

class Opener:
    @overload
    def __init__(self, keys: Union[Keyring, Iterable[KeyPair]]) -> None: ...
    @overload
    def __init__(self, keys: Union[Keyring, Iterable[KeyPair]], *, audit: Union[AuditLog, Callable[[AuditEvent], object]], actor: str) -> None: ...
    def open(self, sealed: Union[str, Sealed], context: _BytesLike) -> bytes: ...
    def open_string(self, sealed: Union[str, Sealed], context: _BytesLike) -> str: ...
    def open_binary(self, sealed: _Binary, context: _BytesLike) -> bytes: ...
    def open_batch(self, sealed: Iterable[str], contexts: Union[_BytesLike, Iterable[_BytesLike]]) -> List[bytes]: ...
    def open_column(self, column: _C, context: _BytesLike, *, text: bool = False, threads: Optional[int] = None) -> _C: ...
    def open_table(self, table: _C, columns: Mapping[str, Union[str, ContextTemplate]], *, threads: Optional[int] = None) -> _C: ...
    def open_json(self, document: Any, pointers: Iterable[str], record_id: Optional[str] = None) -> Any: ...
    def open_json_all(self, document: Any, record_id: Optional[str] = None) -> Any: ...
    @overload
    def open_record(self, record: str, pointers: Iterable[str], template: ContextTemplate) -> str: ...
    @overload
    def open_record(self, record: _Json, pointers: Iterable[str], template: ContextTemplate) -> _Json: ...
    @overload
    def open_record_all(self, record: str, template: ContextTemplate) -> str: ...
    @overload
    def open_record_all(self, record: _Json, template: ContextTemplate) -> _Json: ...
    def reseal(self, value: Union[str, Sealed], context: _BytesLike, to: Sealer) -> Resealed: ...
    @overload
    def reseal_record(self, record: str, pointers: Iterable[str], template: ContextTemplate, to: Sealer) -> ResealedRecord[str]: ...
    @overload
    def reseal_record(self, record: _Json, pointers: Iterable[str], template: ContextTemplate, to: Sealer) -> ResealedRecord[_Json]: ...
    @overload
    def reseal_record_all(self, record: str, template: ContextTemplate, to: Sealer) -> ResealedRecord[str]: ...
    @overload
    def reseal_record_all(self, record: _Json, template: ContextTemplate, to: Sealer) -> ResealedRecord[_Json]: ...

class EnsealError(Exception):
    """An enseal failure; one subclass per stable code."""

    code: ClassVar[int]
    name: ClassVar[str]
    detail: str
    index: Optional[int]
    def __init__(self, detail: str, *, index: Optional[int] = None) -> None: ...

class InvalidArgumentError(EnsealError):
    """An argument is out of range or otherwise unusable."""

    code: ClassVar[Literal[1]]
    name: ClassVar[Literal["INVALID_ARGUMENT"]]

class RandomnessUnavailableError(EnsealError):
    """The platform gave no randomness; nothing was sealed."""

    code: ClassVar[Literal[2]]
    name: ClassVar[Literal["RANDOMNESS_UNAVAILABLE"]]

class InternalError(EnsealError):
    """A bug in enseal or a binding (for example a caught panic)."""

    code: ClassVar[Literal[3]]
    name: ClassVar[Literal["INTERNAL"]]

class BufferTooSmallError(EnsealError):
    """A caller-supplied output buffer is too short for the result."""

    code: ClassVar[Literal[4]]
    name: ClassVar[Literal["BUFFER_TOO_SMALL"]]

class AuditFailedError(EnsealError):
    """An audit event could not be recorded, so the open failed closed."""

    code: ClassVar[Literal[5]]
    name: ClassVar[Literal["AUDIT_FAILED"]]

class BadPrefixError(EnsealError):
    """Text does not start with the enseal prefix "enseal1."."""

    code: ClassVar[Literal[100]]
    name: ClassVar[Literal["BAD_PREFIX"]]

class BadEncodingError(EnsealError):
    """Text after the prefix is not canonical unpadded base64url."""

    code: ClassVar[Literal[101]]
    name: ClassVar[Literal["BAD_ENCODING"]]

class TruncatedError(EnsealError):
    """The sealed value is shorter than its header and tag."""

    code: ClassVar[Literal[102]]
    name: ClassVar[Literal["TRUNCATED"]]

class TooLargeError(EnsealError):
    """The value is larger than enseal accepts (64 MiB of plaintext)."""

    code: ClassVar[Literal[103]]
    name: ClassVar[Literal["TOO_LARGE"]]

class UnsupportedVersionError(EnsealError):
    """The version byte is not one this build reads."""

    code: ClassVar[Literal[104]]
    name: ClassVar[Literal["UNSUPPORTED_VERSION"]]

class UnsupportedSuiteError(EnsealError):
    """The KEM id names no suite this build knows."""

    code: ClassVar[Literal[105]]
    name: ClassVar[Literal["UNSUPPORTED_SUITE"]]

class UnknownKeyError(EnsealError):
    """No private key with the sealed value's key id is in the keyring."""

    code: ClassVar[Literal[200]]
    name: ClassVar[Literal["UNKNOWN_KEY"]]

class DecryptFailedError(EnsealError):
    """Decryption failed: wrong key, wrong context or altered data."""

    code: ClassVar[Literal[201]]
    name: ClassVar[Literal["DECRYPT_FAILED"]]

class KeyUnavailableError(EnsealError):
    """The HSM or KMS holding the private key is unavailable; nothing was opened, retry later."""

    code: ClassVar[Literal[202]]
    name: ClassVar[Literal["KEY_UNAVAILABLE"]]

class InvalidKeyError(EnsealError):
    """Key material or a JWK is invalid."""

    code: ClassVar[Literal[300]]
    name: ClassVar[Literal["INVALID_KEY"]]

class InvalidKeysetError(EnsealError):
    """A keyset or keyring document, or a change to it, is invalid."""

    code: ClassVar[Literal[301]]
    name: ClassVar[Literal["INVALID_KEYSET"]]

class KeyExpiredError(EnsealError):
    """The keyset's primary key is past its not-after date."""

    code: ClassVar[Literal[302]]
    name: ClassVar[Literal["KEY_EXPIRED"]]

class KeysetUnsignedError(EnsealError):
    """A keyset is not a signed JWS, and signers are pinned."""

    code: ClassVar[Literal[303]]
    name: ClassVar[Literal["KEYSET_UNSIGNED"]]

class KeysetBadSignatureError(EnsealError):
    """A signed keyset's signature does not verify under a pinned signer key."""

    code: ClassVar[Literal[304]]
    name: ClassVar[Literal["KEYSET_BAD_SIGNATURE"]]

class KeysetExpiredError(EnsealError):
    """A signed keyset is past its expiry."""

    code: ClassVar[Literal[305]]
    name: ClassVar[Literal["KEYSET_EXPIRED"]]

class KeysetRollbackError(EnsealError):
    """A signed keyset's version is lower than one already accepted."""

    code: ClassVar[Literal[306]]
    name: ClassVar[Literal["KEYSET_ROLLBACK"]]

class InvalidJsonError(EnsealError):
    """A document is not valid JSON, or an opened value holds no JSON."""

    code: ClassVar[Literal[400]]
    name: ClassVar[Literal["INVALID_JSON"]]

class InvalidPointerError(EnsealError):
    """A JSON Pointer is not RFC 6901 syntax, uses * on an object, or overlaps another."""

    code: ClassVar[Literal[401]]
    name: ClassVar[Literal["INVALID_POINTER"]]

class PathNotFoundError(EnsealError):
    """A JSON Pointer names a location the document does not have."""

    code: ClassVar[Literal[402]]
    name: ClassVar[Literal["PATH_NOT_FOUND"]]

class AlreadySealedError(EnsealError):
    """The value at a JSON Pointer is already sealed, or a clear string starts with the prefix."""

    code: ClassVar[Literal[403]]
    name: ClassVar[Literal["ALREADY_SEALED"]]

class NotSealedError(EnsealError):
    """The value at a JSON Pointer to open is not a sealed string."""

    code: ClassVar[Literal[404]]
    name: ClassVar[Literal["NOT_SEALED"]]

class InvalidTemplateError(EnsealError):
    """A context template is malformed, or a record lacks a field it names."""

    code: ClassVar[Literal[405]]
    name: ClassVar[Literal["INVALID_TEMPLATE"]]

class ColumnTypeError(InvalidArgumentError, TypeError):
    """A column's Arrow type cannot be sealed, opened or read by a template."""

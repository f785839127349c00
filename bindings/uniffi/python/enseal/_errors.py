"""The exception classes of enseal: ``EnsealError`` and one subclass per stable code.

Both native layers raise these (the hot path through :func:`_error`, uniffi's
generated errors through :func:`_from_native` in ``enseal._loader``). The list
is core's ``ErrorCode::ALL``: a Rust test (``bindings/uniffi/tests/error_lists.rs``)
holds the classes below and ``__init__.pyi`` to it, name, number and summary,
in both directions, so a new code cannot be forgotten here.
"""

from __future__ import annotations

import threading
from typing import ClassVar, Dict, Optional, Type

__all__ = ["EnsealError"]


class EnsealError(Exception):
    """An enseal failure. ``code`` is its stable number (the same in every enseal
    binding), ``name`` its stable name (``"DECRYPT_FAILED"``), ``detail`` what went
    wrong (never a secret) and, for a batch call, ``index`` the failing value."""

    code: ClassVar[int]
    name: ClassVar[str]

    def __init__(self, detail: str, *, index: Optional[int] = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.index = index

    def __str__(self) -> str:
        return f"{self.detail} [{self.name}, enseal error {self.code}]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class InvalidArgumentError(EnsealError):
    """An argument is out of range or otherwise unusable."""

    code = 1
    name = "INVALID_ARGUMENT"


class RandomnessUnavailableError(EnsealError):
    """The platform gave no randomness; nothing was sealed."""

    code = 2
    name = "RANDOMNESS_UNAVAILABLE"


class InternalError(EnsealError):
    """A bug in enseal or a binding (for example a caught panic)."""

    code = 3
    name = "INTERNAL"


class BufferTooSmallError(EnsealError):
    """A caller-supplied output buffer is too short for the result."""

    code = 4
    name = "BUFFER_TOO_SMALL"


class AuditFailedError(EnsealError):
    """An audit event could not be recorded, so the open failed closed."""

    code = 5
    name = "AUDIT_FAILED"


class BadPrefixError(EnsealError):
    """Text does not start with the enseal prefix "enseal1."."""

    code = 100
    name = "BAD_PREFIX"


class BadEncodingError(EnsealError):
    """Text after the prefix is not canonical unpadded base64url."""

    code = 101
    name = "BAD_ENCODING"


class TruncatedError(EnsealError):
    """The sealed value is shorter than its header and tag."""

    code = 102
    name = "TRUNCATED"


class TooLargeError(EnsealError):
    """The value is larger than enseal accepts (64 MiB of plaintext)."""

    code = 103
    name = "TOO_LARGE"


class UnsupportedVersionError(EnsealError):
    """The version byte is not one this build reads."""

    code = 104
    name = "UNSUPPORTED_VERSION"


class UnsupportedSuiteError(EnsealError):
    """The KEM id names no suite this build knows."""

    code = 105
    name = "UNSUPPORTED_SUITE"


class UnknownKeyError(EnsealError):
    """No private key with the sealed value's key id is in the keyring."""

    code = 200
    name = "UNKNOWN_KEY"


class DecryptFailedError(EnsealError):
    """Decryption failed: wrong key, wrong context or altered data."""

    code = 201
    name = "DECRYPT_FAILED"


class KeyUnavailableError(EnsealError):
    """The HSM or KMS holding the private key is unavailable; nothing was opened, retry later."""

    code = 202
    name = "KEY_UNAVAILABLE"


class InvalidKeyError(EnsealError):
    """Key material or a JWK is invalid."""

    code = 300
    name = "INVALID_KEY"


class InvalidKeysetError(EnsealError):
    """A keyset or keyring document, or a change to it, is invalid."""

    code = 301
    name = "INVALID_KEYSET"


class KeyExpiredError(EnsealError):
    """The keyset's primary key is past its not-after date."""

    code = 302
    name = "KEY_EXPIRED"


class KeysetUnsignedError(EnsealError):
    """A keyset is not a signed JWS, and signers are pinned."""

    code = 303
    name = "KEYSET_UNSIGNED"


class KeysetBadSignatureError(EnsealError):
    """A signed keyset's signature does not verify under a pinned signer key."""

    code = 304
    name = "KEYSET_BAD_SIGNATURE"


class KeysetExpiredError(EnsealError):
    """A signed keyset is past its expiry."""

    code = 305
    name = "KEYSET_EXPIRED"


class KeysetRollbackError(EnsealError):
    """A signed keyset's version is lower than one already accepted."""

    code = 306
    name = "KEYSET_ROLLBACK"


class InvalidJsonError(EnsealError):
    """A document is not valid JSON, or an opened value holds no JSON."""

    code = 400
    name = "INVALID_JSON"


class InvalidPointerError(EnsealError):
    """A JSON Pointer is not RFC 6901 syntax, uses * on an object, or overlaps another."""

    code = 401
    name = "INVALID_POINTER"


class PathNotFoundError(EnsealError):
    """A JSON Pointer names a location the document does not have."""

    code = 402
    name = "PATH_NOT_FOUND"


class AlreadySealedError(EnsealError):
    """The value at a JSON Pointer is already sealed, or a clear string starts with the prefix."""

    code = 403
    name = "ALREADY_SEALED"


class NotSealedError(EnsealError):
    """The value at a JSON Pointer to open is not a sealed string."""

    code = 404
    name = "NOT_SEALED"


class InvalidTemplateError(EnsealError):
    """A context template is malformed, or a record lacks a field it names."""

    code = 405
    name = "INVALID_TEMPLATE"


_BY_CODE: Dict[int, Type[EnsealError]] = {cls.code: cls for cls in EnsealError.__subclasses__()}
__all__ += [cls.__name__ for cls in _BY_CODE.values()]


class ColumnTypeError(InvalidArgumentError, TypeError):
    """A column's Arrow type cannot be sealed, opened or read by a template
    (an integer column to seal, a float column in a template). An
    ``INVALID_ARGUMENT``, and a ``TypeError`` as Python code expects."""


__all__ += ["ColumnTypeError"]


# What an audit callback raised, in the thread whose open it failed: core's
# error carries a fixed message, so the Python exception is chained here as
# the ``__cause__`` of the ``AuditFailedError`` the open raises.
_callback_failure = threading.local()


def _note_callback_failure(exception: BaseException) -> None:
    _callback_failure.exception = exception


def _error(code: int, detail: str, index: Optional[int] = None, column_type: bool = False) -> EnsealError:
    """The exception for a code from either native layer (an unknown one is INTERNAL)."""
    kind = ColumnTypeError if column_type and code == InvalidArgumentError.code else _BY_CODE.get(code, InternalError)
    error = kind(detail, index=index)
    cause = getattr(_callback_failure, "exception", None)
    if cause is not None:
        _callback_failure.exception = None
        if code == AuditFailedError.code:
            error.__cause__ = cause
    return error

"""A consumer of every export of enseal, checked by `mypy --strict` against the
installed wheel's stubs (and run, so that it is also true at run time)."""

from __future__ import annotations

import importlib
import os
import tempfile
from typing import Any, Dict, List, Optional

import enseal
from enseal import (
    AesBackend,
    AuditEvent,
    AuditLog,
    AuditProblem,
    AuditReport,
    ContextTemplate,
    Resealed,
    ResealedRecord,
    SessionLimits,
    DecryptFailedError,
    EnsealError,
    KeyPair,
    Keyring,
    Keyset,
    KeysetEntry,
    Opener,
    PublicKey,
    Sealed,
    Sealer,
    SignerPins,
    Suite,
    VerifiedKeyset,
)

version: str = enseal.__version__
key: KeyPair = KeyPair.generate()
p256: KeyPair = KeyPair.generate(Suite.P256)
again: KeyPair = KeyPair.from_jwk(key.to_jwk())
raw: KeyPair = KeyPair.from_private_bytes(Suite.X25519, key.private_bytes())
public: PublicKey = key.public_key
assert PublicKey.from_jwk(public.to_jwk()).kid == PublicKey.from_bytes(public.suite, public.to_bytes()).kid
kid: str = key.kid
suite: Suite = key.suite

keyset: Keyset = Keyset.from_public_key(public, created=1_700_000_000, not_after=None)
keyset.add(p256.public_key, not_after=4_000_000_000)
keyset.promote(p256.kid)
keyset.retire(key.kid)
entries: List[KeysetEntry] = keyset.entries
first: KeysetEntry = entries[0]
entry_key: PublicKey = first.public_key
entry_kid: str = first.kid
entry_suite: Suite = first.suite
created: int = first.created
until: Optional[int] = first.not_after
count: int = len(keyset)
primary: str = keyset.primary_kid
checked: Sealed = keyset.check_sealed(Sealer(p256.public_key).seal("v", "c"))
assert checked.kid == p256.kid
document: str = Keyset.from_json(keyset.to_json()).to_json()


def verify_signed(jws: str, pins_jwks: str, accepted: Optional[int]) -> Sealer:
    """Signed keysets: typed only (a JWS needs a signer, which the tests have)."""
    pins: SignerPins = SignerPins.from_jwks(pins_jwks)
    pinned: List[str] = pins.kids
    assert len(pins) == len(pinned)
    verified: VerifiedKeyset = Keyset.from_signed(jws, pins, min_version=accepted)
    signed_version: int = verified.version
    signed_expiry: int = verified.expires
    signed_by: str = verified.signer
    assert signed_version >= 1 and signed_expiry > 0 and signed_by
    verified.keyset.primary_kid.encode()
    return Sealer.from_signed_keyset(jws, pins, min_version=signed_version, max_session_age=600)

ring: Keyring = Keyring()
added: bool = ring.add(key)
ring.add(p256)
kids: List[str] = ring.kids
copied: Keyring = Keyring.from_jwks(ring.to_jwks()).copy()
keys: int = len(copied)

sealer: Sealer = Sealer(public)
limited: Sealer = Sealer(public, field_limit=1000)
rotating: Sealer = Sealer.from_keyset(keyset)
text: str = sealer.seal("123-45-6789", "patients/8812/ssn")
binary: bytes = limited.seal_binary(b"\x00", bytearray(b"ctx"))
column: List[str] = sealer.seal_batch(["a", b"b", memoryview(b"c")], "col")
record: Any = sealer.seal_json({"ssn": "123-45-6789"}, ["/ssn"], "r", pad_to=64)
sealer.rekey()
not_after: Optional[int] = rotating.not_after

opener: Opener = Opener([key, p256])
opener = Opener(ring)
opened: bytes = opener.open(text, "patients/8812/ssn")
as_text: str = opener.open_string(text, b"patients/8812/ssn")
from_binary: bytes = opener.open_binary(binary, "ctx")
values: List[bytes] = opener.open_batch(column, "col")
clear: Any = opener.open_json(record, ["/ssn"], "r")
everything: Any = opener.open_json_all(record, record_id="r")

# Arrow columns (pyarrow is imported untyped: the stubs promise the caller's own kind back).
pa: Any = importlib.import_module("pyarrow")
sealed_column: Any = sealer.seal_column(pa.array(["a", None]), "col", threads=2)
opened_column: Any = opener.open_column(sealed_column, "col", text=True)
sealed_table: Any = sealer.seal_table(pa.table({"id": [1], "ssn": ["x"]}), {"ssn": "p/{id}{pointer}"}, pad_to=32)
opened_table: Any = opener.open_table(sealed_table, {"ssn": ContextTemplate.parse("p/{id}{pointer}")})
assert opened_table.column("ssn").to_pylist() == ["x"]
column_type: type[enseal.InvalidArgumentError] = enseal.ColumnTypeError

sealed: Sealed = Sealed.parse(text)
assert sealed.kid == key.kid
parsed: Sealed = Sealed.from_binary(sealed.to_binary())
facts: List[int] = [sealed.version, sealed.counter, sealed.plaintext_len, sealed.binary_len, sealed.text_len]
session: str = sealed.session_id
sealed_suite: Suite = parsed.suite
round_trip: str = parsed.to_text()
assert opener.open(sealed, "patients/8812/ssn") == opener.open_string(sealed, "patients/8812/ssn").encode()

sealed_ok: bool = enseal.is_sealed(text)
context: bytes = enseal.json_context("/ssn", "r")
backend: AesBackend = enseal.aes_backend()
name: str = backend.name
fast: bool = backend.hardware_accelerated

try:
    opener.open(text, "another context")
except DecryptFailedError as e:
    code: int = e.code
    stable: str = e.name
    detail: str = e.detail
    index: Optional[int] = e.index
    assert (code, stable) == (201, "DECRYPT_FAILED")
except EnsealError:
    raise

template: ContextTemplate = ContextTemplate.parse("patients/{id}{pointer}")
template_text: str = str(template)
same_text: str = template.template
template_fields: List[str] = template.fields
per_value: bool = template.has_pointer
rendered: bytes = template.render("/ssn", {"id": "8812"})
from_json: bytes = template.render_json('{"id":8812}', "/ssn")
from_dict: bytes = template.render_json({"id": 8812}, "/ssn")
record_text: str = sealer.seal_record('{"id":8812,"ssn":"1"}', ["/ssn"], template)
record_dict: Dict[str, Any] = sealer.seal_record({"id": 8812, "ssn": "1"}, ["/ssn"], template, pad_to=0)
opened_record: str = opener.open_record(record_text, ["/ssn"], template)
opened_dict: Dict[str, Any] = opener.open_record_all(record_dict, template)
timed: Sealer = Sealer(public, max_session_age=600)
timed_limited: Sealer = Sealer(public, field_limit=10, max_session_age=60)
timed_keyset: Sealer = Sealer.from_keyset(keyset, max_session_age=60)
limits: SessionLimits = timed.limits
max_fields: int = limits.max_fields
max_age: int = limits.max_age
resealed: Resealed = opener.reseal(text, "patients/8812/ssn", timed)
new_text: str = resealed.text
was_current: bool = resealed.already_current
moved: ResealedRecord[str] = opener.reseal_record(record_text, ["/ssn"], template, timed)
moved_json: str = moved.json
counts: List[int] = [moved.resealed, moved.already_current]
moved_all: ResealedRecord[Dict[str, Any]] = opener.reseal_record_all(record_dict, template, timed)
moved_doc: Dict[str, Any] = moved_all.json

seen: List[AuditEvent] = []


def keep(event: AuditEvent) -> None:
    fields: List[Any] = [event.time, event.operation, event.error, event.kid, event.suite,
                         event.session_id, event.context, event.actor]
    assert len(fields) == 8
    seen.append(event)


audited: Opener = Opener([key], audit=keep, actor="consumer")
audited.open(sealer.seal("v", "c"), "c")
with tempfile.TemporaryDirectory() as scratch:
    log_path = os.path.join(scratch, "audit.jsonl")
    log: AuditLog = AuditLog.open(log_path)
    Opener(ring, audit=log, actor="consumer").open(sealer.seal("v", "c"), "c")
    log.flush()
    report: AuditReport = enseal.verify_audit_log(log_path)
    intact: bool = report.intact
    per_actor: Dict[str, int] = report.per_actor
    per_kid: Dict[str, int] = report.per_kid
    tallies: List[int] = [report.events, report.failures]
    last: str = report.last_hash
    problem: Optional[AuditProblem] = report.problem
    assert intact and problem is None and per_actor == {"consumer": 2} and len(per_kid) == 1
    if problem is not None:
        line: int = problem.line
        reason: str = problem.reason
assert [e.operation for e in seen] == ["decapsulate", "open"]

try:
    ContextTemplate.parse("p/{id")
except enseal.InvalidTemplateError as bad:
    assert (bad.code, bad.name) == (405, "INVALID_TEMPLATE")

# Signed keysets: RFC 8037's published test public key as the pin (clients only verify).
pins: SignerPins = SignerPins.from_jwks(
    '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'
)
pinned: List[str] = pins.kids
assert len(pins) == 1 and pinned == ["kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"]
try:
    verified: VerifiedKeyset = Keyset.from_signed(keyset.to_json(), pins, min_version=1)
    signed_keyset: Keyset = verified.keyset
    signed_meta: tuple[int, int, str] = (verified.version, verified.expires, verified.signer)
    raise AssertionError("a plain keyset verified")
except enseal.KeysetUnsignedError as unsigned:
    assert unsigned.code == 303
try:
    Sealer.from_signed_keyset(keyset.to_json(), pins)
    raise AssertionError("a plain keyset made a sealer")
except enseal.KeysetUnsignedError:
    pass

errors: List[type[EnsealError]] = [
    enseal.InvalidArgumentError, enseal.RandomnessUnavailableError, enseal.InternalError,
    enseal.BufferTooSmallError, enseal.AuditFailedError, enseal.BadPrefixError, enseal.BadEncodingError, enseal.TruncatedError,
    enseal.TooLargeError, enseal.UnsupportedVersionError, enseal.UnsupportedSuiteError,
    enseal.UnknownKeyError, enseal.DecryptFailedError, enseal.KeyUnavailableError, enseal.InvalidKeyError, enseal.InvalidKeysetError,
    enseal.KeyExpiredError, enseal.KeysetUnsignedError, enseal.KeysetBadSignatureError,
    enseal.KeysetExpiredError, enseal.KeysetRollbackError, enseal.InvalidJsonError, enseal.InvalidPointerError, enseal.PathNotFoundError,
    enseal.AlreadySealedError, enseal.NotSealedError, enseal.InvalidTemplateError,
]
assert len(errors) == 27
print("consumer OK")

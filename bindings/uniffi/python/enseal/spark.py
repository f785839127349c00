"""PySpark: seal and open named columns of a DataFrame on the executors.

Both run through ``DataFrame.mapInArrow``: each task gets its rows as Arrow
record batches and hands them to :meth:`enseal.Sealer.seal_table` /
:meth:`enseal.Opener.open_table` (no Python object per value), so the JVM and
the Python worker exchange Arrow and nothing else.

What reaches the executors:

- for sealing, the **public** keyset (its JSON, or a signed keyset and the
  signer pins that verify it): never a private key;
- for opening, a **key location**, resolved on each executor: a ``pkcs11:``,
  ``wrapped:`` or ``awskms:`` URI (the key stays in the HSM or KMS), or
  ``file:PATH`` of a private JWK set readable there (a mounted secret, in
  plaintext: the CLI's passphrase-encrypted key files are not read here).
  The key itself never goes through Spark.

Each task seals in a session of its own. Spark runs tasks in parallel, so each
task uses ``threads=1`` by default; raise it for few, large partitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Optional, Union

from . import ContextTemplate, Keyring, Keyset, Opener, Sealer, SignerPins

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

__all__ = ["seal_columns", "open_columns"]


def _templates(df: "DataFrame", columns: Mapping[str, Union[str, ContextTemplate]]) -> dict[str, str]:
    """The templates as text, checked on the driver: parsed, and every column
    they name present (a task would otherwise fail on an executor)."""
    out = {}
    names = df.schema.names
    for name, template in columns.items():
        text = template.template if isinstance(template, ContextTemplate) else template
        parsed = ContextTemplate.parse(text)
        missing = [f for f in [name, *parsed.fields] if f not in names]
        if missing:
            raise ValueError(f"the DataFrame has no column {missing[0]!r} (it has {names})")
        out[name] = text
    return out


def _schema(df: "DataFrame", columns: Mapping[str, str], binary: bool) -> Any:
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    kind = BinaryType() if binary else StringType()
    return StructType(
        [StructField(f.name, kind, f.nullable) if f.name in columns else f for f in df.schema.fields]
    )


def seal_columns(
    df: "DataFrame",
    keyset: Union[Keyset, str, None] = None,
    columns: Optional[Mapping[str, Union[str, ContextTemplate]]] = None,
    *,
    signed_keyset: Optional[str] = None,
    signers: Optional[str] = None,
    min_version: Optional[int] = None,
    binary: bool = False,
    pad_to: int = 16,
    threads: int = 1,
) -> "DataFrame":
    """``df`` with each column of ``columns`` (``{"ssn": "patients/{patient_id}{pointer}"}``)
    sealed to the keyset's primary key, on the executors.

    ``keyset`` is an :class:`enseal.Keyset` or its JSON; or pass
    ``signed_keyset`` (the JWS) and ``signers`` (the pinned signers' JWK set),
    verified again on every executor. Each row is a record: values are sealed
    as ``Sealer.seal_table`` and the CLI seal them (JSON text padded to
    ``pad_to``), so the CLI opens them and Spark opens the CLI's. Sealed
    columns become strings of text forms (``binary=True``: binary forms); a
    null stays null.
    """
    if columns is None:
        raise TypeError("seal_columns needs columns={name: template}")
    templates = _templates(df, columns)
    if (keyset is None) == (signed_keyset is None):
        raise TypeError("pass exactly one of keyset= or signed_keyset= (with signers=)")
    make: Callable[[], Sealer]
    if keyset is not None:
        text = keyset.to_json() if isinstance(keyset, Keyset) else keyset
        Sealer.from_keyset(Keyset.from_json(text))  # fails on the driver, not in a task

        def make() -> Sealer:
            return Sealer.from_keyset(Keyset.from_json(text))
    else:
        if signers is None:
            raise TypeError("signed_keyset= needs signers= (the JWK set of pinned signers)")
        jws, pins = signed_keyset, signers
        Sealer.from_signed_keyset(jws, SignerPins.from_jwks(pins), min_version=min_version)

        def make() -> Sealer:
            return Sealer.from_signed_keyset(jws, SignerPins.from_jwks(pins), min_version=min_version)

    def seal(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        sealer = make()
        for batch in batches:
            yield sealer.seal_table(batch, templates, binary=binary, pad_to=pad_to, threads=threads)

    return df.mapInArrow(seal, _schema(df, templates, binary))


def _keyring(keys: str) -> Keyring:
    """The keyring of the locations, on an executor: ``file:PATH`` is a
    private JWK set (at most one); anything else is a key URI, which core
    checks (``Keyring.add_custody``)."""
    locations = [part.strip() for part in keys.split(",")]
    files = [loc[len("file:") :] for loc in locations if loc.startswith("file:")]
    if len(files) > 1:
        raise ValueError("keys= names more than one file: put the keys in one private JWK set")
    ring = Keyring()
    if files:
        with open(files[0], encoding="utf-8") as f:
            ring = Keyring.from_jwks(f.read())
    for location in locations:
        if not location.startswith("file:"):
            ring.add_custody(location)
    return ring


def open_columns(
    df: "DataFrame",
    keys: str,
    columns: Mapping[str, Union[str, ContextTemplate]],
    *,
    threads: int = 1,
) -> "DataFrame":
    """``df`` with each column of ``columns`` opened on the executors, with the
    contexts its template renders (as :func:`seal_columns` sealed it).

    ``keys`` names where each executor finds the private keys: a key URI
    (``pkcs11:``, ``wrapped:``, ``awskms:``) or ``file:PATH`` of a private JWK
    set; several, comma-separated, are merged (at most one file). Opened columns are strings:
    what :func:`seal_columns`, ``Sealer.seal_table`` or the CLI sealed.
    """
    if not isinstance(keys, str):
        raise TypeError("keys must be a key location (str): the private key itself never goes through Spark")
    templates = _templates(df, columns)

    def open_(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        opener = Opener(_keyring(keys))
        for batch in batches:
            yield opener.open_table(batch, templates, threads=threads)

    return df.mapInArrow(open_, _schema(df, templates, False))

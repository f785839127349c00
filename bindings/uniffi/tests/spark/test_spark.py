"""enseal.spark on PySpark in local mode (local[2], no network), through the
installed wheel: a million rows sealed on the executors and opened back
equal; values sealed in Spark open in Rust (the CLI) and the CLI's open in Spark.

The CLI is $ENSEAL_CLI; keys are generated per run, never stored in the repo.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import enseal
import enseal.spark

TEMPLATE = "clinics/{site}/patients/{patient_id}{pointer}"
COLUMNS = {"ssn": TEMPLATE, "diagnosis": TEMPLATE}
CLI = os.environ.get("ENSEAL_CLI", "enseal")


@pytest.fixture(scope="module")
def spark():
    # Executors run this interpreter (the venv with the wheel), not python3 from PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("enseal-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    directory = tmp_path_factory.mktemp("keys")
    private = directory / "private.jwks"
    private.write_text(json.dumps({"keys": [json.loads(key.to_jwk())]}))
    private.chmod(0o600)
    keyset = enseal.Keyset.from_public_key(key.public_key)
    (directory / "keyset.json").write_text(keyset.to_json())
    return key, keyset, private


def intake(spark, rows: int, partitions: int = 8):
    return spark.range(rows, numPartitions=partitions).select(
        (F.col("id") + 8800).alias("patient_id"),
        F.concat(F.lit("site"), (F.col("id") % 3).cast("string")).alias("site"),
        F.when(F.col("id") % 97 == 5, F.lit(None)).otherwise(
            F.format_string("%03d-%02d-%04d", F.col("id") % 1000, F.col("id") % 100, F.col("id") % 10000)
        ).alias("ssn"),
        F.concat(F.lit("dx-"), F.col("id").cast("string")).alias("diagnosis"),
    )


def test_a_million_rows_seal_on_the_executors_and_open_back_equal(spark, key):
    _, keyset, private = key
    df = intake(spark, 1_000_000)
    sealed = enseal.spark.seal_columns(df, keyset, COLUMNS)
    assert [f.dataType.simpleString() for f in sealed.schema.fields] == ["bigint", "string", "string", "string"]
    sealed = sealed.cache()
    assert sealed.count() == 1_000_000
    # Sealed on the executors: every non-null value is a sealed string, nulls stay null.
    summary = sealed.select(
        F.sum(F.col("ssn").startswith("enseal1.").cast("int")).alias("sealed_ssn"),
        F.sum(F.col("ssn").isNull().cast("int")).alias("null_ssn"),
        F.sum(F.col("diagnosis").startswith("enseal1.").cast("int")).alias("sealed_dx"),
    ).first()
    nulls = df.filter(F.col("ssn").isNull()).count()
    assert nulls > 0 and summary.null_ssn == nulls
    assert summary.sealed_ssn == 1_000_000 - nulls and summary.sealed_dx == 1_000_000
    opened = enseal.spark.open_columns(sealed, f"file:{private}", COLUMNS)
    mismatched = (
        df.alias("a")
        .join(opened.alias("b"), "patient_id", "full_outer")
        .filter(
            ~F.col("a.ssn").eqNullSafe(F.col("b.ssn"))
            | ~F.col("a.diagnosis").eqNullSafe(F.col("b.diagnosis"))
            | ~F.col("a.site").eqNullSafe(F.col("b.site"))
        )
        .count()
    )
    assert mismatched == 0
    sealed.unpersist()


def test_sealed_in_spark_opens_in_the_cli_and_the_cli_s_seal_opens_in_spark(spark, key, tmp_path):
    _, keyset, private = key
    df = intake(spark, 2000, partitions=3)
    sealed = enseal.spark.seal_columns(df, keyset, COLUMNS).toPandas()
    sealed_csv = tmp_path / "sealed.csv"
    sealed.astype({"patient_id": "string"}).to_csv(sealed_csv, index=False, na_rep="")
    # The CLI (Rust) opens what Spark sealed. CSV has no null: rows without an SSN are left out.
    with_ssn = tmp_path / "with_ssn.csv"
    rows = [r for r in csv.DictReader(sealed_csv.open()) if r["ssn"]]
    with with_ssn.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    opened_csv = tmp_path / "opened.csv"
    subprocess.run(
        [CLI, "open", "--quiet", "--key", str(private), "--insecure-plaintext-key", "--context", TEMPLATE,
         "--column", "ssn", "--column", "diagnosis", "--out", str(opened_csv), str(with_ssn)],
        check=True,
    )
    clear = {int(r.patient_id): (r.ssn, r.diagnosis) for r in df.collect()}
    opened = list(csv.DictReader(opened_csv.open()))
    assert len(opened) == len(rows) > 1900
    for r in opened:
        assert (r["ssn"], r["diagnosis"]) == clear[int(r["patient_id"])]
    # The reverse: the CLI seals a CSV, Spark opens it on the executors.
    plain_csv, cli_sealed = tmp_path / "plain.csv", tmp_path / "cli_sealed.csv"
    with plain_csv.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "site", "ssn", "diagnosis"])
        for pid, (ssn, dx) in sorted(clear.items()):
            if ssn is not None:
                w.writerow([pid, f"site{(pid - 8800) % 3}", ssn, dx])
    subprocess.run(
        [CLI, "seal", "--quiet", "--keyset", str(private.parent / "keyset.json"), "--context", TEMPLATE,
         "--column", "ssn", "--column", "diagnosis", "--out", str(cli_sealed), str(plain_csv)],
        check=True,
    )
    from_cli = spark.read.option("header", True).csv(str(cli_sealed))
    assert from_cli.filter(~F.col("ssn").startswith("enseal1.")).count() == 0
    back = enseal.spark.open_columns(from_cli, f"file:{private}", COLUMNS).collect()
    assert len(back) == len(opened)
    for r in back:
        assert (r.ssn, r.diagnosis) == clear[int(r.patient_id)]


def test_a_signed_keyset_is_verified_on_the_executors(spark, key, tmp_path):
    _, keyset, private = key
    # The CLI signs (the signer key is generated here, for this run only).
    signer, pins, jws = tmp_path / "signer.jwk", tmp_path / "pins.json", tmp_path / "keyset.jws"
    plain = ["--insecure-plaintext-key"]
    subprocess.run([CLI, "signer", "generate", "--out", str(signer), *plain], check=True, capture_output=True)
    subprocess.run([CLI, "signer", "public", "--set", "--out", str(pins), *plain, str(signer)], check=True)
    subprocess.run(
        [CLI, "keyset", "sign", "--signer", str(signer), "--version", "3", "--expires", "30d",
         "--out", str(jws), *plain, str(private.parent / "keyset.json")],
        check=True,
    )
    df = intake(spark, 5000, partitions=2)
    sealed = enseal.spark.seal_columns(df, signed_keyset=jws.read_text(), signers=pins.read_text(), columns=COLUMNS)
    back = enseal.spark.open_columns(sealed, f"file:{private}", COLUMNS)
    assert back.exceptAll(df).count() == 0 and df.exceptAll(back).count() == 0
    # Below the accepted version: refused on the driver, before any task runs.
    with pytest.raises(enseal.KeysetRollbackError):
        enseal.spark.seal_columns(df, signed_keyset=jws.read_text(), signers=pins.read_text(), columns=COLUMNS, min_version=4)


def test_executors_open_through_a_key_in_an_hsm(spark):
    # The test command made a SoftHSM2 token with a P-256 key generated inside
    # it; the executors get its pkcs11: URI (the PIN by file), never the key.
    uri, public = os.environ["ENSEAL_SPARK_PKCS11_KEY"], os.environ["ENSEAL_SPARK_PKCS11_PUBLIC"]
    keyset = enseal.Keyset.from_public_key(enseal.PublicKey.from_jwk(Path(public).read_text()))
    df = intake(spark, 20_000, partitions=4)
    sealed = enseal.spark.seal_columns(df, keyset, COLUMNS).cache()
    assert sealed.filter(F.col("diagnosis").startswith("enseal1.")).count() == 20_000
    back = enseal.spark.open_columns(sealed, uri, COLUMNS)
    assert back.exceptAll(df).count() == 0 and df.exceptAll(back).count() == 0
    # Not the token's key: the sealed values do not open with another key.
    other = enseal.KeyPair.generate(enseal.Suite.P256)
    with pytest.raises(Exception, match="UNKNOWN_KEY"):
        enseal.spark.open_columns(sealed, f"file:{_jwks_file(other)}", COLUMNS).collect()
    sealed.unpersist()


def _jwks_file(key: enseal.KeyPair) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "other.jwks"
    path.write_text(json.dumps({"keys": [json.loads(key.to_jwk())]}))
    return path


def test_bad_input_fails_on_the_driver_or_names_the_row(spark, key):
    _, keyset, private = key
    df = intake(spark, 10, partitions=1)
    with pytest.raises(ValueError, match="no column 'mrn'"):
        enseal.spark.seal_columns(df, keyset, {"mrn": TEMPLATE})
    with pytest.raises(ValueError, match="no column 'clinic'"):
        enseal.spark.seal_columns(df, keyset, {"ssn": "{clinic}{pointer}"})
    with pytest.raises(enseal.InvalidTemplateError):
        enseal.spark.seal_columns(df, keyset, {"ssn": "clinics/{site"})
    with pytest.raises(TypeError, match="private key itself never goes through Spark"):
        enseal.spark.open_columns(df, key[0], COLUMNS)  # type: ignore[arg-type]
    # A clear value where a sealed one belongs fails the task with enseal's error, naming the row.
    with pytest.raises(Exception, match=r"batch value 0: value at /ssn: .*BAD_PREFIX"):
        enseal.spark.open_columns(df, f"file:{private}", COLUMNS).collect()

"""enseal.spark against Spark's built-in aes_encrypt (AES-GCM), one Spark
session, one DataFrame, the same two columns (docs/PERFORMANCE.md, "Spark").

    python bench_spark.py [ROWS]

local[2] on this machine; each job ends in a `noop` write, so every row is
computed and nothing is stored. aes_encrypt needs its key inside the job (a
symmetric key in the query plan); enseal seals to a public key. The
comparison is for speed only. Keys are generated per run. Best of 3.
"""

from __future__ import annotations

import os
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import enseal
import enseal.spark

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
TEMPLATE = "clinics/{site}/patients/{patient_id}{pointer}"


def timed(df) -> float:
    start = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def main() -> None:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]").appName("enseal-bench")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.range(ROWS, numPartitions=8).select(
        (F.col("id") + 8800).alias("patient_id"),
        F.concat(F.lit("site"), (F.col("id") % 3).cast("string")).alias("site"),
        F.format_string("%03d-%02d-%04d", F.col("id") % 1000, F.col("id") % 100, F.col("id") % 10000).alias("ssn"),
        F.concat(F.lit("diagnosis code and note "), F.col("id").cast("string")).alias("diagnosis"),
    ).cache()
    df.count()
    key = enseal.KeyPair.generate(enseal.Suite.X25519)
    keyset = enseal.Keyset.from_public_key(key.public_key)
    aes_key = os.urandom(32).hex()
    aes = df.select(
        "patient_id", "site",
        F.expr(f"aes_encrypt(ssn, unhex('{aes_key}'), 'GCM')").alias("ssn"),
        F.expr(f"aes_encrypt(diagnosis, unhex('{aes_key}'), 'GCM')").alias("diagnosis"),
    )
    sealed = enseal.spark.seal_columns(df, keyset, {"ssn": TEMPLATE, "diagnosis": TEMPLATE})
    sealed_binary = enseal.spark.seal_columns(df, keyset, {"ssn": TEMPLATE, "diagnosis": TEMPLATE}, binary=True)
    passthrough = df.select("*")
    timed(aes), timed(sealed)  # warm-up: JIT, Python workers
    best = {"aes_encrypt (GCM)": 1e9, "enseal seal_columns (text)": 1e9, "enseal seal_columns (binary)": 1e9, "no encryption (scan only)": 1e9}
    for _ in range(3):
        best["aes_encrypt (GCM)"] = min(best["aes_encrypt (GCM)"], timed(aes))
        best["enseal seal_columns (text)"] = min(best["enseal seal_columns (text)"], timed(sealed))
        best["enseal seal_columns (binary)"] = min(best["enseal seal_columns (binary)"], timed(sealed_binary))
        best["no encryption (scan only)"] = min(best["no encryption (scan only)"], timed(passthrough))
    print(f"Spark {spark.version} local[2], {ROWS} rows, two columns, best of 3; rows/s")
    for name, seconds in best.items():
        print(f"{name:<32} {ROWS / seconds:>12.0f}")
    ratio = best["aes_encrypt (GCM)"] / best["enseal seal_columns (text)"]
    print(f"enseal (text) / aes_encrypt: {ratio:.2f}x  target >= 1.0x: {'met' if ratio >= 1.0 else 'missed'}")
    spark.stop()


if __name__ == "__main__":
    main()

"""Arrow columns through the installed wheel: pyarrow, Polars and pandas in,
the same kind out; every sealed value checked with the per-value API."""

from __future__ import annotations

import os

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import enseal


@pytest.fixture(scope="module", params=[enseal.Suite.X25519, enseal.Suite.P256])
def keys(request: pytest.FixtureRequest) -> tuple[enseal.Sealer, enseal.Opener]:
    key = enseal.KeyPair.generate(request.param)
    return enseal.Sealer(key.public_key), enseal.Opener([key])


def ssns(n: int) -> list[str | None]:
    return [None if i % 7 == 3 else f"{i % 1000:03}-{i % 100:02}-{i:04}" for i in range(n)]


def test_a_pyarrow_column_seals_to_text_forms_each_opening_alone(keys):
    sealer, opener = keys
    column = pa.array(ssns(5000))
    sealed = sealer.seal_column(column, "patients/ssn")
    assert isinstance(sealed, pa.Array) and sealed.type == pa.string() and len(sealed) == 5000
    for value, clear in zip(sealed.to_pylist(), column.to_pylist()):
        if clear is None:
            assert value is None
        else:
            assert enseal.is_sealed(value)
            assert opener.open_string(value, "patients/ssn") == clear
    assert opener.open_column(sealed, "patients/ssn", text=True).equals(column)
    opened = opener.open_column(sealed, "patients/ssn")
    assert opened.type == pa.binary()
    assert opened.to_pylist()[:3] == [v.encode() for v in column.to_pylist()[:3]]


def test_binary_forms_large_types_and_a_chunked_array_keep_their_chunks(keys):
    sealer, opener = keys
    chunked = pa.chunked_array([pa.array(["a", None, ""], pa.large_string()), pa.array([], pa.large_string()), pa.array(["ü"] * 5000, pa.large_string())])
    sealed = sealer.seal_column(chunked, b"c", binary=True, threads=2)
    assert isinstance(sealed, pa.ChunkedArray)
    assert [len(c) for c in sealed.chunks] == [3, 0, 5000]
    assert sealed.type == pa.large_binary()
    assert sealed[1].as_py() is None and sealed[2].as_py() is not None  # "" is a value
    assert opener.open_column(sealed, b"c", text=True).equals(chunked)
    assert opener.open_binary(sealed[0].as_py(), b"c") == b"a"


def test_an_empty_column_and_an_all_null_column(keys):
    sealer, opener = keys
    for empty in (pa.array([], pa.string()), pa.chunked_array([], pa.string())):
        sealed = sealer.seal_column(empty, "c")
        assert len(sealed) == 0 and sealed.type == pa.string()
        assert len(opener.open_column(sealed, "c")) == 0
    nulls = pa.array([None, None], pa.string())
    assert sealer.seal_column(nulls, "c").null_count == 2


def test_a_column_of_another_type_is_a_type_error_naming_it(keys):
    sealer, opener = keys
    with pytest.raises(TypeError) as raised:
        sealer.seal_column(pa.array([1, 2, 3]), "c")
    assert isinstance(raised.value, enseal.ColumnTypeError)
    assert isinstance(raised.value, enseal.InvalidArgumentError)
    assert "is Int64; expected a string or binary column" in str(raised.value)
    with pytest.raises(enseal.ColumnTypeError):
        opener.open_column(pa.array([1.5]), "c")
    with pytest.raises(TypeError, match="must be an Arrow array"):
        sealer.seal_column(["a", "b"], "c")
    with pytest.raises(ValueError, match="threads must be a positive int"):
        sealer.seal_column(pa.array(["a"]), "c", threads=0)


def test_a_failing_row_fails_the_call_naming_the_row(keys):
    sealer, opener = keys
    sealed = sealer.seal_column(pa.array(ssns(6000)), "c").to_pylist()
    sealed[4321] = sealed[4321][:-3]
    with pytest.raises(enseal.EnsealError) as raised:
        opener.open_column(pa.array(sealed), "c", threads=2)
    assert raised.value.index == 4321
    assert "value at /" in raised.value.detail
    with pytest.raises(enseal.DecryptFailedError):
        opener.open_column(sealer.seal_column(pa.array(["x"]), "c"), "other context")


def intake(n: int) -> pa.Table:
    return pa.table(
        {
            "patient_id": pa.array(range(8800, 8800 + n), pa.int64()),
            "site": [f"site{i % 3}" for i in range(n)],
            "ssn": ssns(n),
            "diagnosis": [f"dx-{i}" for i in range(n)],
        }
    )


TEMPLATE = "clinics/{site}/patients/{patient_id}{pointer}"


def test_a_table_seals_with_per_row_contexts_the_record_rule(keys):
    sealer, opener = keys
    table = intake(3000)
    sealed = sealer.seal_table(table, {"ssn": TEMPLATE, "diagnosis": enseal.ContextTemplate.parse(TEMPLATE)})
    assert isinstance(sealed, pa.Table) and sealed.schema.names == table.schema.names
    assert sealed["patient_id"].equals(table["patient_id"])
    # Row 5 is a record: the template rendered from row 5, and the value's
    # JSON text padded to 16, so the record API opens it.
    template = enseal.ContextTemplate.parse(TEMPLATE)
    context = template.render_json('{"site": "site2", "patient_id": 8805}', "/ssn")
    assert opener.open_string(sealed["ssn"][5].as_py(), context) == '"005-05-0005"   '
    record = {"site": "site2", "patient_id": 8805, "ssn": sealed["ssn"][5].as_py()}
    assert opener.open_record(record, ["/ssn"], template)["ssn"] == "005-05-0005"
    by_record = sealer.seal_record({"site": "site0", "patient_id": 1, "ssn": "x", "diagnosis": "y"}, ["/ssn", "/diagnosis"], template)
    one = pa.table({"patient_id": [1], "site": ["site0"], "ssn": [by_record["ssn"]], "diagnosis": [by_record["diagnosis"]]})
    assert opener.open_table(one, {"ssn": TEMPLATE, "diagnosis": TEMPLATE}).to_pylist()[0]["ssn"] == "x"
    with pytest.raises(enseal.ColumnTypeError, match="a table's values are sealed as a record's"):
        sealer.seal_table(pa.table({"site": ["s"], "b": [b"x"]}), {"b": "{site}{pointer}"})
    assert opener.open_table(sealed, {"ssn": TEMPLATE, "diagnosis": TEMPLATE}).equals(table)
    batch = table.to_batches()[0]
    assert isinstance(sealer.seal_table(batch, {"ssn": TEMPLATE}), pa.RecordBatch)


def test_a_null_context_column_fails_its_row(keys):
    sealer, _ = keys
    table = pa.table({"patient_id": pa.array([1, None, 3]), "ssn": ["a", "b", "c"]})
    with pytest.raises(enseal.InvalidTemplateError) as raised:
        sealer.seal_table(table, {"ssn": "p/{patient_id}{pointer}"})
    assert raised.value.index == 1
    assert "field {patient_id} is null" in raised.value.detail
    # Its value null too: nothing to seal, no context needed.
    table = pa.table({"patient_id": pa.array([1, None, 3]), "ssn": ["a", None, "c"]})
    assert sealer.seal_table(table, {"ssn": "p/{patient_id}{pointer}"})["ssn"].null_count == 1
    with pytest.raises(enseal.InvalidTemplateError, match="has no \\{pointer\\}"):
        sealer.seal_table(intake(3), {"ssn": "p/{patient_id}", "diagnosis": "p/{patient_id}/dx"})
    with pytest.raises(enseal.ColumnTypeError, match="\"x\" is Float64"):
        sealer.seal_table(pa.table({"x": [1.5], "v": ["a"]}), {"v": "p/{x}{pointer}"})


def test_polars_series_and_dataframes_come_back_as_polars(keys):
    sealer, opener = keys
    frame = pl.from_arrow(intake(2500))
    sealed = sealer.seal_column(frame["ssn"], "patients/ssn")
    assert isinstance(sealed, pl.Series) and sealed.name == "ssn" and sealed.dtype == pl.String
    assert sealed.null_count() == frame["ssn"].null_count()
    assert opener.open_column(sealed, "patients/ssn", text=True).equals(frame["ssn"])
    table = sealer.seal_table(frame, {"ssn": TEMPLATE, "diagnosis": TEMPLATE})
    assert isinstance(table, pl.DataFrame)
    assert opener.open_table(table, {"ssn": TEMPLATE, "diagnosis": TEMPLATE}).equals(frame)


def test_the_polars_namespace_runs_in_expressions(keys):
    sealer, opener = keys
    import enseal.polars  # noqa: F401  (registers pl.col(...).enseal)

    frame = pl.from_arrow(intake(3000))
    sealed = frame.with_columns(
        pl.col("ssn").enseal.seal(sealer, context="patients/ssn"),
        pl.col("diagnosis").enseal.seal(sealer, template=TEMPLATE),
    )
    assert sealed["ssn"].str.starts_with("enseal1.").all()
    assert sealed["patient_id"].equals(frame["patient_id"])
    back = sealed.lazy().with_columns(
        pl.col("ssn").enseal.open(opener, context="patients/ssn", text=True),
        pl.col("diagnosis").enseal.open(opener, template=TEMPLATE, text=True),
    ).collect()
    assert back.equals(frame)
    # With a template, row 7 is a record: it opens with row 7's fields.
    record = {"site": "site1", "patient_id": 8807, "diagnosis": sealed["diagnosis"][7]}
    assert opener.open_record(record, ["/diagnosis"], enseal.ContextTemplate.parse(TEMPLATE))["diagnosis"] == "dx-7"


def test_pandas_series_and_dataframes_come_back_as_pandas(keys):
    sealer, opener = keys
    frame = intake(2000).to_pandas()
    frame.index = range(100, 2100)
    sealed = sealer.seal_column(frame["ssn"], "c")
    assert isinstance(sealed, pd.Series) and sealed.name == "ssn" and list(sealed.index) == list(frame.index)
    assert sealed.isna().equals(frame["ssn"].isna())
    opened = opener.open_column(sealed, "c", text=True)
    assert opened.fillna("-").tolist() == frame["ssn"].fillna("-").tolist()
    table = sealer.seal_table(frame, {"ssn": TEMPLATE})
    assert isinstance(table, pd.DataFrame)
    back = opener.open_table(table, {"ssn": TEMPLATE})
    assert back["ssn"].fillna("-").tolist() == frame["ssn"].fillna("-").tolist()


def test_the_thread_count_comes_from_enseal_threads(keys):
    import subprocess
    import sys

    code = "import enseal, enseal._loader as l; print(l.hot.column_threads())"
    run = lambda env: subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    assert run({"ENSEAL_THREADS": "3"}).stdout.strip() == "3"
    failed = run({"ENSEAL_THREADS": "lots"})
    assert failed.returncode != 0 and "ENSEAL_THREADS must be a positive integer" in failed.stderr


def test_rows_are_numbered_across_chunks_and_a_bad_pad_is_refused(keys):
    sealer, opener = keys
    chunked = pa.chunked_array([pa.array(ssns(10)), pa.array(ssns(10))])
    sealed = sealer.seal_column(chunked, "c").to_pylist()
    sealed[14] = sealed[14][:-2]
    with pytest.raises(enseal.EnsealError) as raised:
        opener.open_column(pa.chunked_array([pa.array(sealed[:10]), pa.array(sealed[10:])]), "c")
    assert raised.value.index == 14
    with pytest.raises(enseal.InvalidArgumentError, match="at most 65536"):
        sealer.seal_table(intake(3), {"ssn": TEMPLATE}, pad_to=2**40)
    with pytest.raises(enseal.InvalidTemplateError, match="has no \\{pointer\\}"):
        sealer.seal_table(intake(3), {"ssn": "p/{patient_id}"})


def test_empty_and_all_missing_pandas_columns(keys):
    sealer, opener = keys
    for series in (pd.Series([], dtype=object, name="ssn"), pd.Series([None, None], name="ssn")):
        sealed = sealer.seal_column(series, "c")
        assert isinstance(sealed, pd.Series) and len(sealed) == len(series) and sealed.isna().all()
        assert opener.open_column(sealed, "c", text=True).isna().all()

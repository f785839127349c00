"""Arrow columns in and out, in the caller's own library.

The native layer (``enseal._hot.seal_column`` and friends, over the Arrow C
data interface) takes any object that speaks the Arrow PyCapsule protocol
(``__arrow_c_array__`` / ``__arrow_c_stream__``: pyarrow, Polars, DuckDB,
nanoarrow, arro3) and returns one. This module only translates types: a
pyarrow, Polars or pandas object comes back as the same kind of object;
anything else gets the Arrow object itself. Nothing here looks at values.
"""

from __future__ import annotations

from typing import Any, Callable, Optional


def _library(obj: Any) -> str:
    return type(obj).__module__.partition(".")[0]


def _has_arrow(obj: Any, *protocols: str) -> bool:
    return any(hasattr(obj, p) for p in protocols)


def column_in(column: Any) -> Any:
    """An object the native layer reads as a column."""
    library = _library(column)
    if library == "pandas":
        import pyarrow as pa

        return pa.chunked_array([pa.Array.from_pandas(column)])
    if _has_arrow(column, "__arrow_c_stream__", "__arrow_c_array__"):
        return column
    raise TypeError(
        f"column must be an Arrow array or chunked array (pyarrow, Polars, pandas, or any object "
        f"with __arrow_c_array__ / __arrow_c_stream__), not {type(column).__name__}"
    )


def column_out(result: Any, like: Any) -> Any:
    """``result`` (a chunked array) as the kind of object ``like`` is."""
    library = _library(like)
    if library == "pyarrow":
        import pyarrow as pa

        chunked = pa.chunked_array(result)
        if isinstance(like, pa.Array):
            return chunked.combine_chunks()
        return chunked
    if library == "polars":
        import polars as pl

        return pl.Series(like.name, result)
    if library == "pandas":
        import pandas as pd
        import pyarrow as pa

        values = pa.chunked_array(result).to_pandas()
        return pd.Series(values.array, index=like.index, name=like.name)
    return result


def table_in(table: Any) -> Any:
    """An object the native layer reads as a table (a stream of record batches)."""
    library = _library(table)
    if library == "pandas":
        import pyarrow as pa

        return pa.Table.from_pandas(table)
    if _has_arrow(table, "__arrow_c_stream__", "__arrow_c_array__"):
        return table
    raise TypeError(
        f"table must be an Arrow table or record batch (pyarrow, Polars, pandas, or any object "
        f"with __arrow_c_stream__ / __arrow_c_array__), not {type(table).__name__}"
    )


def table_out(result: Any, like: Any) -> Any:
    """``result`` (a table) as the kind of object ``like`` is."""
    library = _library(like)
    if library == "pyarrow":
        import pyarrow as pa

        table = pa.table(result)
        if isinstance(like, pa.RecordBatch):
            return table.combine_chunks().to_batches()[0] if table.num_rows else pa.RecordBatch.from_pylist([], schema=table.schema)
        return table
    if library == "polars":
        import polars as pl

        return pl.DataFrame(result)
    if library == "pandas":
        import pyarrow as pa

        return pa.table(result).to_pandas()
    return result


def threads(count: Optional[int]) -> int:
    """The native layer's thread count: 0 is the default (``ENSEAL_THREADS``, or every core)."""
    if count is None:
        return 0
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"threads must be a positive int or None, not {count!r}")
    return count


def columns_of(columns: Any) -> "dict[str, str]":
    """``{column: context template}``; a template is text (``"patients/{id}{pointer}"``)."""
    if not hasattr(columns, "items"):
        raise TypeError(f"columns must be a mapping of column name to template, not {type(columns).__name__}")
    out = {}
    for name, template in columns.items():
        if not isinstance(name, str):
            raise TypeError(f"a column name must be str, not {type(name).__name__}")
        text = getattr(template, "template", template)
        if not isinstance(text, str):
            raise TypeError(f"the template of column {name!r} must be str or ContextTemplate, not {type(template).__name__}")
        out[name] = text
    return out


Converter = Callable[[Any, Any], Any]

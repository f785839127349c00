"""Polars: ``pl.col("ssn").enseal.seal(sealer, context=...)`` in expressions.

Importing this module registers the ``enseal`` expression namespace. Each
call runs on the column's Arrow data through :meth:`enseal.Sealer.seal_column`
/ :meth:`enseal.Sealer.seal_table` (no Python object per value, the GIL
released, every core used), as a Polars ``map_batches`` marked elementwise,
so Polars may run it batch by batch in its streaming engine. Why not a
compiled Polars plugin: docs/PERFORMANCE.md, "Polars".

A template reads other columns of the row (``template="patients/{patient_id}{pointer}"``,
``{pointer}`` being ``/`` + this column's name), exactly as ``seal_table`` does.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import polars as pl

from . import ContextTemplate, Opener, Sealer, _columns

__all__ = ["EnsealExpr"]


def _context_or_template(
    context: Union[str, bytes, None], template: Union[str, ContextTemplate, None]
) -> tuple[Union[str, bytes, None], Optional[ContextTemplate]]:
    if (context is None) == (template is None):
        raise TypeError("pass exactly one of context= (one for the column) or template= (one per row)")
    if template is None:
        return context, None
    if isinstance(template, str):
        template = ContextTemplate.parse(template)
    if not isinstance(template, ContextTemplate):
        raise TypeError(f"template must be str or enseal.ContextTemplate, not {type(template).__name__}")
    return None, template


@pl.api.register_expr_namespace("enseal")
class EnsealExpr:
    """The ``enseal`` namespace of a Polars expression."""

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def _apply(
        self,
        column_op: Any,
        table_op: Any,
        context: Union[str, bytes, None],
        template: Union[str, ContextTemplate, None],
        dtype: Any,
        table_keywords: tuple[str, ...],
        **options: Any,
    ) -> pl.Expr:
        context, parsed = _context_or_template(context, template)
        if parsed is None:
            return self._expr.map_batches(
                lambda s: column_op(s, context, **options), return_dtype=dtype, is_elementwise=True
            )
        text = parsed.template

        table_options = {k: v for k, v in options.items() if k in table_keywords}

        def over_rows(series: Sequence[pl.Series]) -> pl.Series:
            name = series[0].name
            frame = pl.DataFrame(list(series))
            return table_op(frame, {name: text}, **table_options)[name]

        # Each column once (a template may name one twice); `{pointer}` is
        # the input column's name, so open under the name it was sealed as.
        fields = [pl.col(f) for f in dict.fromkeys(parsed.fields)]
        return pl.map_batches([self._expr, *fields], over_rows, return_dtype=dtype, is_elementwise=True)

    def seal(
        self,
        sealer: Sealer,
        *,
        context: Union[str, bytes, None] = None,
        template: Union[str, ContextTemplate, None] = None,
        binary: bool = False,
        threads: Optional[int] = None,
    ) -> pl.Expr:
        """The column sealed (text forms, or ``binary=True`` binary forms): with
        ``context=`` each value's bytes, as :meth:`enseal.Sealer.seal_column`;
        with ``template=`` as a record's value, as :meth:`enseal.Sealer.seal_table`."""
        if not isinstance(sealer, Sealer):
            raise TypeError(f"sealer must be an enseal.Sealer, not {type(sealer).__name__}")
        return self._apply(
            sealer.seal_column, sealer.seal_table, context, template,
            pl.Binary if binary else pl.String, ("binary", "pad_to", "threads"),
            binary=binary, threads=_columns.threads(threads) or None,
        )

    def open(
        self,
        opener: Opener,
        *,
        context: Union[str, bytes, None] = None,
        template: Union[str, ContextTemplate, None] = None,
        text: bool = False,
        threads: Optional[int] = None,
    ) -> pl.Expr:
        """The column opened: with ``context=``, what ``seal(context=...)`` sealed
        (binary, or ``text=True`` strings); with ``template=``, what
        ``seal(template=...)``, ``seal_table`` or the CLI sealed, as strings."""
        if not isinstance(opener, Opener):
            raise TypeError(f"opener must be an enseal.Opener, not {type(opener).__name__}")
        return self._apply(
            opener.open_column, opener.open_table, context, template,
            pl.String if text or template is not None else pl.Binary, ("threads",),
            text=text, threads=_columns.threads(threads) or None,
        )

"""Chinese names for comparison: toneless pinyin, computed column-wise.

Clerks mix up homophones (丽/莉, 明/铭): two spellings of one name usually share their pinyin.
pypinyin is asked once per distinct *character* (a few thousand), and names are mapped through
that table as lists of characters in polars, so a column of ten million names costs no Python
call per name.
"""

from __future__ import annotations

import polars as pl
from pypinyin import Style, lazy_pinyin


def _table(chars: list[str]) -> dict[str, str]:
    return {c: (lazy_pinyin(c, style=Style.NORMAL) or [c])[0] for c in chars}


def pinyin(names: pl.Series) -> pl.Series:
    """Toneless pinyin of each name, syllables separated by spaces ('li hua')."""
    chars = names.fill_null("").str.split("").explode().unique().drop_nulls()
    table = _table([c for c in chars.to_list() if c])
    return (
        names.fill_null("")
        .str.split("")
        .list.eval(pl.element().replace_strict(table, default=pl.element()))
        .list.join(" ")
        .alias(f"{names.name}_py")
    )


def with_pinyin(frame: pl.DataFrame, column: str = "name") -> pl.DataFrame:
    return frame.with_columns(pinyin(frame[column]).alias(f"{column}_py"))

"""Reading the Arrow inputs of a job (taxonomy.arrow, point_features.arrow) defensively: a file
that is missing or not Arrow, a column missing or of the wrong type, nulls where none may be,
all reported as InvalidInput naming the file, the column and the first rows. Shared by the
jobs that read point features (labor_trainer.career, labor_baselines.logit)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from .errors import InvalidInput

MAX_EXAMPLES = 5


def read_arrow(path: str, what: str) -> pa.Table:
    """An Arrow IPC file (the project writes the file format; a stream is read too)."""
    try:
        with pa.memory_map(path) as src:
            try:
                return ipc.open_file(src).read_all()
            except pa.ArrowInvalid:
                src.seek(0)
                return ipc.open_stream(src).read_all()
    except FileNotFoundError:
        raise InvalidInput(f"{what}: file not found: {path}") from None
    except (pa.ArrowInvalid, OSError) as e:
        raise InvalidInput(f"{what}: {path}: not an Arrow IPC file ({e})") from None


def _kind_ok(t: pa.DataType, kind: str) -> bool:
    kind = kind.rstrip("?")
    if pa.types.is_dictionary(t):
        t = t.value_type
    if kind == "string":
        return pa.types.is_string(t) or pa.types.is_large_string(t)
    if kind == "int":
        return pa.types.is_integer(t)
    if kind == "number":
        return pa.types.is_integer(t) or pa.types.is_floating(t)
    if kind == "list<string>":
        return (pa.types.is_list(t) or pa.types.is_large_list(t)) and _kind_ok(t.value_type, "string")
    raise AssertionError(kind)


def check_columns(table: pa.Table, expected: dict, path: str, problems: list[str]) -> None:
    """Column -> kind (string, int, number, list<string>; a trailing '?' allows nulls)."""
    for col, kind in expected.items():
        if col not in table.column_names:
            problems.append(f"{path}: column '{col}' missing (expected {kind.rstrip('?')}); found columns "
                            f"{', '.join(table.column_names)}")
            continue
        c = table.column(col)
        if not _kind_ok(c.type, kind):
            problems.append(f"{path}: column '{col}' has type {c.type}, expected {kind.rstrip('?')}")
        elif not kind.endswith("?") and c.null_count:
            first = pc.index(pc.is_null(c), True).as_py()
            problems.append(f"{path}: column '{col}' has {c.null_count} null value(s); first at row {first + 1}")


def examples(mask: np.ndarray, values, path: str, col: str, what: str) -> str:
    """A problem line naming how many rows of `col` are `what`, and the first few."""
    rows = np.flatnonzero(mask)
    shown = ", ".join(f"row {r + 1} {values[r]!r}" for r in rows[:MAX_EXAMPLES])
    return f"{path}: column '{col}': {len(rows)} row(s) {what}; first: {shown}"

"""The Arrow tables of lib/lm/arrow-form.ts: requests (request_id utf8, context utf8) in,
results (request_id utf8, candidate_index int32, logprob float64; requests in input order,
candidates in order) out. Files are Arrow IPC files, written to a temporary name and renamed."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import pyarrow as pa

from .errors import InvalidData

RESULTS_SCHEMA = pa.schema([
    pa.field("request_id", pa.utf8(), nullable=False),
    pa.field("candidate_index", pa.int32(), nullable=False),
    pa.field("logprob", pa.float64(), nullable=False),
])


def read_table(path: str) -> pa.Table:
    try:
        with pa.memory_map(str(path), "r") as source:
            try:
                return pa.ipc.open_file(source).read_all()
            except pa.ArrowInvalid:
                source.seek(0)
                return pa.ipc.open_stream(source).read_all()
    except (OSError, pa.ArrowInvalid) as e:
        raise InvalidData(f"{path}: not a readable Arrow IPC file: {e}") from e


def read_requests(path: str) -> list[tuple[str, str]]:
    """(request_id, context) rows; every problem reported at once (first 10)."""
    table = read_table(path)
    names = table.schema.names
    missing = [c for c in ("request_id", "context") if c not in names]
    if missing:
        raise InvalidData(f"{path}: not a scoring requests table",
                          [f"column '{c}' missing (found: {', '.join(names) or 'none'})" for c in missing])
    ids = table.column("request_id").to_pylist()
    contexts = table.column("context").to_pylist()
    problems, seen, rows = [], {}, []
    for i, (rid, ctx) in enumerate(zip(ids, contexts)):
        if rid is None:
            problems.append(f"row {i}: request_id is null")
        if not isinstance(ctx, str):
            problems.append(f"row {i}: context is {'null' if ctx is None else type(ctx).__name__}, expected a string")
        key = str(rid)
        if key in seen:
            problems.append(f"row {i}: request_id '{key}' repeats row {seen[key]}")
        seen[key] = i
        rows.append((key, ctx))
    if problems:
        raise InvalidData(f"{path}: {len(problems)} problem(s)", problems[:10])
    return rows


def write_results(path: str, request_ids: Sequence[str], logprobs: Sequence[Sequence[float]]) -> None:
    ids, cand, lp = [], [], []
    for rid, row in zip(request_ids, logprobs):
        n = len(row)
        ids += [rid] * n
        cand += range(n)
        lp += [float(x) for x in row]
    table = pa.table({"request_id": pa.array(ids, pa.utf8()), "candidate_index": pa.array(cand, pa.int32()),
                      "logprob": pa.array(lp, pa.float64())}, schema=RESULTS_SCHEMA)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, RESULTS_SCHEMA) as writer:
            writer.write_table(table)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def read_candidates(path: str) -> list[str]:
    """Titles from a JSON array of strings, or a CSV with a `title` column (a taxonomy file)."""
    import csv
    import json

    p = Path(path)
    if not p.is_file():
        raise InvalidData(f"candidates file not found: {p}")
    if p.suffix == ".json":
        try:
            titles = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InvalidData(f"{p}: not valid JSON: {e}") from e
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            raise InvalidData(f"{p}: expected a JSON array of strings")
        return titles
    if p.suffix == ".csv":
        with p.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if "title" not in (reader.fieldnames or []):
                raise InvalidData(f"{p}: expected a 'title' column (found: {', '.join(reader.fieldnames or []) or 'none'})")
            return [r["title"] for r in reader]
    raise InvalidData(f"{p}: candidates must be a .json array of titles or a .csv with a 'title' column")

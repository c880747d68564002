"""Score one evaluation shard batch by batch, for the evaluate step's torch backend.

    PYTHONPATH=scorer:trainer .venv/bin/python -m labor_scorer.shard --model DIR --requests requests.arrow \\
        --candidates titles.json --out-dir DIR --batch-size N [--start-batch K] [--device cpu|cuda] \\
        [--dtype fp32|bf16] [--memory-budget-mb MB] [--threads N]

The requests table is the shard's (lib/lm/arrow-form.ts); batch b is rows [b*N, (b+1)*N) and its
results table is written atomically to DIR/batch-<b, 6 digits>.arrow. Batches before --start-batch
were finished by an earlier attempt and are skipped, so a retried shard resumes after them.
stdout carries one JSON line per event, for the worker's heartbeat:
    {"event": "loaded", "batches": B}
    {"event": "batch", "batch": b, "batches": B, "results": PATH, "truncated": T}
    {"event": "done", "scorer": {...}, "stats": {...}, "seconds": S}
Exit codes as labor_scorer.score: 0 done, 2 invalid input, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from .arrow_io import read_candidates, read_requests, write_results
from .errors import InvalidConfig, ScorerError
from .tree_scorer import TreeScorer, load_model_folder, set_threads


def batch_results_path(out_dir: str, b: int) -> Path:
    return Path(out_dir) / f"batch-{b:06d}.arrow"


def emit(event: dict) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m labor_scorer.shard", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--requests", required=True)
    p.add_argument("--candidates", required=True)
    p.add_argument("--out-dir", required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--start-batch", type=int, default=0)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--memory-budget-mb", type=float)
    p.add_argument("--threads", type=int)
    return p


def run(a: argparse.Namespace) -> dict:
    if a.batch_size < 1 or a.start_batch < 0:
        raise InvalidConfig(f"--batch-size must be >= 1 and --start-batch >= 0, got {a.batch_size} and {a.start_batch}")
    set_threads(a.threads)
    candidates = read_candidates(a.candidates)
    rows = read_requests(a.requests)
    batches = math.ceil(len(rows) / a.batch_size)
    model, tokenizer = load_model_folder(a.model, a.device, a.dtype)
    scorer = TreeScorer(model, tokenizer, candidates, memory_budget_mb=a.memory_budget_mb)
    emit({"event": "loaded", "batches": batches})
    start = time.perf_counter()
    for b in range(a.start_batch, batches):
        part = rows[b * a.batch_size:(b + 1) * a.batch_size]
        before = scorer.stats.truncated_contexts
        scores = [scorer.score_ids(scorer.context_ids(ctx, f"{a.requests} row {b * a.batch_size + i} (request '{rid}')"))
                  for i, (rid, ctx) in enumerate(part)]
        out = batch_results_path(a.out_dir, b)
        write_results(str(out), [r for r, _ in part], [s.tolist() for s in scores])
        emit({"event": "batch", "batch": b, "batches": batches, "results": str(out),
              "truncated": scorer.stats.truncated_contexts - before})
    summary = {"event": "done", "scorer": scorer.describe(), "stats": vars(scorer.stats),
               "seconds": time.perf_counter() - start}
    emit(summary)
    return summary


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    try:
        run(a)
    except ScorerError as e:
        print(f"{e.type}: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())

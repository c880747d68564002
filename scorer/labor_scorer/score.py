"""Score a requests table with the torch backend and write the results table.

    PYTHONPATH=scorer:trainer .venv/bin/python -m labor_scorer.score --model DIR --requests requests.arrow \\
        --candidates titles.json|taxonomy.csv --out results.arrow [--device cpu|cuda] [--dtype fp32|bf16] \\
        [--header-lines auto|N] [--memory-budget-mb MB] [--max-chunk-tokens N] [--threads N]

The model folder needs config.json, the tokenizer files and HF weights (model.safetensors, as the
trainer writes). Prints one JSON line (the scorer's description and statistics). Exit codes:
0 done, 2 invalid input (model, data, options; the message names what and where), 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from .arrow_io import read_candidates, read_requests, write_results
from .errors import ScorerError
from .tree_scorer import TreeScorer, default_dtype, load_model_folder, set_threads


def header_lines_arg(v: str):
    if v == "auto":
        return v
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a non-negative integer, got {v!r}")
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a non-negative integer, got {v!r}")
    return n


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m labor_scorer.score", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--requests", required=True)
    p.add_argument("--candidates", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--dtype", choices=["fp32", "bf16"], help="default: bf16 on cuda, fp32 on cpu")
    p.add_argument("--header-lines", type=header_lines_arg, default="auto")
    p.add_argument("--memory-budget-mb", type=float)
    p.add_argument("--max-chunk-tokens", type=int)
    p.add_argument("--threads", type=int)
    return p


def run(a: argparse.Namespace) -> dict:
    set_threads(a.threads)
    candidates = read_candidates(a.candidates)
    rows = read_requests(a.requests)
    model, tokenizer = load_model_folder(a.model, a.device, a.dtype or default_dtype(a.device))
    scorer = TreeScorer(model, tokenizer, candidates, header_lines=a.header_lines,
                        memory_budget_mb=a.memory_budget_mb, max_chunk_tokens=a.max_chunk_tokens)
    start = time.perf_counter()
    scores = [scorer.score_ids(scorer.context_ids(ctx, f"{a.requests} row {i} (request '{rid}')"))
              for i, (rid, ctx) in enumerate(rows)]
    elapsed = time.perf_counter() - start
    write_results(a.out, [r for r, _ in rows], [s.tolist() for s in scores])
    return {**scorer.describe(), "stats": vars(scorer.stats), "requests": len(rows),
            "seconds": elapsed, "out": a.out}


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    try:
        summary = run(a)
    except ScorerError as e:
        print(f"{e.type}: {e}", file=sys.stderr)
        return e.exit_code
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

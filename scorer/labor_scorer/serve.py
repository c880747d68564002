"""Score requests tables one after another with one loaded model, for callers that score many
small batches (the analyze step's whole-career simulation, lib/lm/torch-scorer.ts).

    PYTHONPATH=scorer:trainer .venv/bin/python -m labor_scorer.serve --model DIR --candidates titles.json \\
        [--device cpu|cuda] [--dtype fp32|bf16] [--header-lines auto|N] [--memory-budget-mb MB] \\
        [--max-chunk-tokens N] [--threads N]

Protocol: JSON lines. stdin carries requests, stdout answers, one line each, in order; stdout
carries nothing else (anything else the process prints goes to stderr).
    started:  {"event": "ready", "scorer": {...}}           (model loaded, candidates checked)
    request:  {"requests": PATH, "out": PATH}               (the caller writes PATH first; an "id" is echoed)
    answer:   {"ok": true, "results": PATH, "requests": N, "truncated": T, "seconds": S, "stats": {...}}
    or:       {"ok": false, "error": {"type": "InvalidData", "message": "..."}}
The requests and results files are the tables of lib/lm/arrow-form.ts (arrow_io.py); results are
written atomically. A bad request (unreadable table, bad line) is answered with an error and the
process stays usable. End of stdin: exit 0. A startup failure (bad model folder or candidates):
"Type: message" on stderr and exit 2. Any other exception is a crash: traceback on stderr, exit 1.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TextIO

from .arrow_io import read_candidates, read_requests, write_results
from .errors import InvalidData, ScorerError
from .score import header_lines_arg
from .tree_scorer import TreeScorer, default_dtype, load_model_folder, set_threads


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m labor_scorer.serve", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--candidates", required=True)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--dtype", choices=["fp32", "bf16"], help="default: bf16 on cuda, fp32 on cpu")
    p.add_argument("--header-lines", type=header_lines_arg, default="auto")
    p.add_argument("--memory-budget-mb", type=float)
    p.add_argument("--max-chunk-tokens", type=int)
    p.add_argument("--threads", type=int)
    return p


def protocol_stdout() -> TextIO:
    """The real stdout for answers only; fd 1 becomes stderr so stray prints (transformers,
    C libraries) cannot corrupt the protocol."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return out


def parse_request(line: str, n: int) -> dict:
    try:
        req = json.loads(line)
    except json.JSONDecodeError as e:
        raise InvalidData(f"request line {n}: not JSON ({e}): {line[:200]!r}") from e
    if not isinstance(req, dict):
        raise InvalidData(f"request line {n}: expected a JSON object, found {type(req).__name__}")
    bad = [k for k in ("requests", "out") if not isinstance(req.get(k), str) or not req.get(k)]
    if bad:
        raise InvalidData(f"request line {n}: expected string fields 'requests' and 'out' (paths); "
                          f"missing or not a string: {', '.join(bad)}")
    return req


def answer(scorer: TreeScorer, req: dict) -> dict:
    rows = read_requests(req["requests"])
    before = scorer.stats.truncated_contexts
    start = time.perf_counter()
    scores = [scorer.score_ids(scorer.context_ids(ctx, f"{req['requests']} row {i} (request '{rid}')"))
              for i, (rid, ctx) in enumerate(rows)]
    write_results(req["out"], [r for r, _ in rows], [s.tolist() for s in scores])
    return {"ok": True, "results": req["out"], "requests": len(rows), "truncated": scorer.stats.truncated_contexts - before,
            "seconds": time.perf_counter() - start, "stats": vars(scorer.stats)}


def serve(scorer: TreeScorer, lines: TextIO, out: TextIO) -> None:
    def send(msg: dict) -> None:
        out.write(json.dumps(msg) + "\n")
        out.flush()

    send({"event": "ready", "scorer": scorer.describe()})
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        req: dict = {}
        try:
            req = parse_request(line, n)
            msg = answer(scorer, req)
        except ScorerError as e:
            msg = {"ok": False, "error": {"type": e.type, "message": str(e)}}
        if "id" in req:
            msg["id"] = req["id"]
        send(msg)


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    out = protocol_stdout()
    try:
        set_threads(a.threads)
        candidates = read_candidates(a.candidates)
        model, tokenizer = load_model_folder(a.model, a.device, a.dtype or default_dtype(a.device))
        scorer = TreeScorer(model, tokenizer, candidates, header_lines=a.header_lines,
                            memory_budget_mb=a.memory_budget_mb, max_chunk_tokens=a.max_chunk_tokens)
    except ScorerError as e:
        print(f"{e.type}: {e}", file=sys.stderr)
        return e.exit_code
    serve(scorer, sys.stdin, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the torch scoring backend on a random-weight Llama.

    PYTHONPATH=scorer .venv/bin/python -m labor_scorer.bench --device cpu|cuda --shape tiny|7b --contexts N \\
        [--context-tokens 256] [--titles CSV] [--tokenizer DIR] [--naive-sample K] [--peak-tflops T] [--dtype fp32|bf16]

Shapes: `tiny` (2 layers, hidden 64; for CPUs) and `7b` (Llama-2-7B: 32 layers, hidden 4096,
intermediate 11008, vocabulary 32000). Candidates: the titles of --titles (default: the Census
2010 list in data/taxonomy). Tokenizer: --tokenizer DIR (a folder with tokenizer.json, e.g. the
real Llama-2 vocabulary written by test/lm/sp-fixtures.ts llamaVocabTokenizer()), else a
Llama-2-style SentencePiece BPE trained here on resume lines of the titles (a smaller vocabulary
than Llama-2's, so more trie tokens per point: see `trie` in the output).

The last line is one JSON object: s_per_point, tokens_per_s (tokens fed per second),
flop_floor_s_per_point (2 x parameters x tokens that must be fed per point [context + inner trie
nodes], at the device's peak: --peak-tflops, else a table of GPUs, else a measured fp32 matmul on
CPU), ratio_to_flop_floor, naive_s_per_point (a full pass per candidate, timed on
--naive-sample candidates of one point and scaled to all candidates: naive_sampled_candidates
says how many), max_abs_logprob_diff (tree vs naive on that sample, same dtype),
bf16_vs_fp32_max_abs_diff (bf16 runs: tree in bf16 vs fp32 on one point), peak_mem_mb.
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

from .errors import ScorerError
from .tree_scorer import DTYPES, TreeScorer, default_dtype, naive_scores, resolve_device, set_threads

REPO = Path(__file__).resolve().parents[2]
SHAPES = {
    "tiny": dict(hidden_size=64, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=1024, max_position_embeddings=1024),
    "7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
               num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096),
}
# Dense bf16 peak FLOP/s by device name (no sparsity).
GPU_PEAK = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10": 125e12}
EDUCATION = ["less than high school", "high school diploma", "some college", "bachelor's degree", "graduate degree"]


def read_titles(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [r["title"] for r in csv.DictReader(f)]


def contexts(titles: list[str], encode, n: int, tokens: int, seed: int) -> list[str]:
    """Resume-shaped contexts of about `tokens` tokens, ending at a prediction point."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        year = rng.randint(1960, 1990)
        text = ("Synthetic career record\nGender: female, race/ethnicity: White, region: South\n"
                f"Birth year: {year - 20}\nOccupation by year (education in parentheses):\n")
        while True:
            line = f"{year} ({rng.choice(EDUCATION)}):"
            if len(encode(text + line)) >= tokens - 12:
                out.append(text + line)
                break
            text += f"{line} {rng.choice(titles)}\n"
            year += 1
    return out


def peak_flops(device: torch.device, given_tflops: float | None) -> tuple[float, str]:
    if given_tflops:
        return given_tflops * 1e12, "--peak-tflops"
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        for key, flops in GPU_PEAK.items():
            if key in name:
                return flops, f"table ({name})"
        raise SystemExit(f"unknown GPU {name!r}: pass --peak-tflops")
    a = torch.randn(1024, 1024)
    a @ a
    start, reps = time.perf_counter(), 20
    for _ in range(reps):
        a @ a
    return 2 * 1024**3 * reps / (time.perf_counter() - start), "measured fp32 matmul"


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m labor_scorer.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--shape", choices=list(SHAPES), default="tiny")
    p.add_argument("--contexts", type=int, default=4)
    p.add_argument("--context-tokens", type=int, default=256)
    p.add_argument("--titles", default=str(REPO / "data/taxonomy/census2010.csv"))
    p.add_argument("--tokenizer")
    p.add_argument("--naive-sample", type=int, default=16)
    p.add_argument("--peak-tflops", type=float)
    p.add_argument("--dtype", choices=list(DTYPES))
    p.add_argument("--threads", type=int)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    set_threads(a.threads)
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig

    from .llama_style import build_llama_style_tokenizer
    from .tokenize import encoder_of

    device = resolve_device(a.device)
    dtype = a.dtype or default_dtype(a.device)
    titles = read_titles(Path(a.titles))
    with tempfile.TemporaryDirectory(prefix="bench-tokenizer-") as tmp:
        tok_dir = a.tokenizer or tmp
        if not a.tokenizer:
            build_llama_style_tokenizer(tmp, titles, 1024)
        tokenizer = AutoTokenizer.from_pretrained(tok_dir, local_files_only=True)
    shape = dict(SHAPES[a.shape])
    shape["vocab_size"] = max(shape["vocab_size"], len(tokenizer))
    config = LlamaConfig(**shape, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False)
    torch.manual_seed(a.seed)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=DTYPES[dtype], attn_implementation="sdpa").eval()
    params = sum(x.numel() for x in model.parameters())
    scorer = TreeScorer(model, tokenizer, titles)
    texts = contexts(titles, encoder_of(tokenizer), a.contexts + 1, a.context_tokens, a.seed)
    ids = [scorer.context_ids(t, f"context {i}") for i, t in enumerate(texts)]
    scorer.score_ids(ids[0])  # warm-up
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    runs0 = scorer.stats.tokens_run
    sync(device)
    start = time.perf_counter()
    scores = [scorer.score_ids(x) for x in ids[1:]]
    sync(device)
    elapsed = time.perf_counter() - start
    s_per_point = elapsed / a.contexts
    fed = (scorer.stats.tokens_run - runs0) / a.contexts
    inner = int(scorer.trie.inner.numel()) - 1
    needed = sum(len(x) for x in ids[1:]) / a.contexts + inner
    peak, peak_source = peak_flops(device, a.peak_tflops)
    floor = 2 * params * needed / peak
    # Naive reference on a sample of one point's candidates.
    k = min(a.naive_sample, len(titles))
    sample = list(range(0, len(titles), max(1, len(titles) // k)))[:k]
    sync(device)
    start = time.perf_counter()
    naive = naive_scores(model, ids[1], [scorer.ids[c] for c in sample])
    sync(device)
    naive_per_point = (time.perf_counter() - start) / len(sample) * len(titles)
    diff = (scores[0][sample] - naive).abs().max().item()
    result = {
        "backend": "torch", "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "dtype": dtype, "shape": a.shape, "parameters": params, "points": a.contexts, "candidates": len(titles),
        "context_tokens_mean": sum(len(x) for x in ids[1:]) / a.contexts,
        "trie": scorer.describe()["trie"], "chunks": len(scorer.chunks), "tokens_fed_per_point": fed,
        "tokens_needed_per_point": needed, "peak_flops": peak, "peak_flops_source": peak_source,
        "s_per_point": s_per_point, "tokens_per_s": fed / s_per_point,
        "flop_floor_s_per_point": floor, "ratio_to_flop_floor": s_per_point / floor,
        "naive_s_per_point": naive_per_point, "naive_sampled_candidates": len(sample),
        "max_abs_logprob_diff": diff,
    }
    if dtype == "bf16":
        ref = copy.deepcopy(model).float()
        ref_scorer = TreeScorer(ref, tokenizer, titles, memory_budget_mb=scorer.memory_budget_bytes / 2**20 / 2)
        result["bf16_vs_fp32_max_abs_diff"] = (scores[0] - ref_scorer.score_ids(ids[1])).abs().max().item()
        del ref, ref_scorer
    result["peak_mem_mb"] = (torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda"
                             else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ScorerError as e:  # bad input (no GPU, unknown tokenizer folder): the message, not a traceback
        print(f"{e.type}: {e}", file=sys.stderr)
        sys.exit(e.exit_code)

"""A randomly initialised causal LM in the project's model folder layout, for tests and benchmarks.

    python -m labor_trainer.random_model --out DIR --layers 2 --hidden 64 --heads 4 \
        [--kv-heads K] [--intermediate I] [--max-positions P] [--vocab-size V] \
        [--texts-file F | --titles-csv CSV] [--seed S] [--arch llama|gpt2] [--init-range R] [--plain]

Trains a byte-level BPE tokenizer (labor_trainer.tokenizer) on resume-like texts: the titles of
`--titles-csv` (a taxonomy CSV with a `title` column) written as `YEAR (EDUCATION): TITLE` lines
under a demographic header (the shape of the `resume` v1 text template), or the texts of
`--texts-file` (texts separated by blank lines), or a small built-in set of titles. `--vocab-size` is the model's vocabulary; the tokenizer learns at most
that many tokens (fewer when the texts allow no more merges), the rest are unused rows.
The weights depend only on `--seed` and the shape. Prints the export check as JSON and writes
it to DIR/random_model.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
from pathlib import Path

import torch

from .onnx_export import export_model
from .tokenizer import train_bpe_tokenizer

EDUCATION = ["less than high school", "high school diploma", "some college", "bachelor's degree", "graduate degree"]
SPECIAL_TITLES = ["Unemployed", "Not in labor force", "In education"]
BUILTIN_TITLES = ["Cook", "Cooks", "Chief executives", "Cashiers", "Registered nurses", "Software developers",
                  "Janitors and building cleaners", "Retail salespersons", "Truck drivers", "Teachers"]


def read_titles(path: str) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "title" not in rows[0]:
        raise SystemExit(f"{path}: expected a CSV with a 'title' column")
    return [r["title"].strip() for r in rows if r["title"].strip()]


def resume_texts(titles: list[str], n: int, seed: int) -> list[str]:
    """Texts in the shape of the `resume` v1 template (lib/text/templates.ts): a demographic
    header, then one "YEAR (EDUCATION): TITLE" line per year, then "<END>"; every title is used."""
    rng = random.Random(seed)
    pool = titles + SPECIAL_TITLES
    order = pool * 2
    rng.shuffle(order)
    texts = []
    i = 0
    while len(texts) < n or i < len(order):
        year = rng.randint(1970, 2010)
        lines = [
            f"{rng.choice(['PSID', 'NLSY79', 'NLSY97', 'Synthetic'])} career record",
            f"Gender: {rng.choice(['female', 'male'])}, race/ethnicity: {rng.choice(['White', 'Black', 'Hispanic', 'Other'])}, "
            f"region: {rng.choice(['Northeast', 'Midwest', 'South', 'West'])}",
            f"Birth year: {year - rng.randint(18, 40)}",
            "Occupation by year (education in parentheses):",
        ]
        for _ in range(rng.randint(3, 12)):
            title = order[i] if i < len(order) else rng.choice(pool)
            i += 1
            lines.append(f"{year} ({rng.choice(EDUCATION)}): {title}")
            year += rng.choice([1, 1, 2])
        texts.append("\n".join(lines) + "\n<END>\n")
    return texts


def build_config(arch: str, *, layers: int, hidden: int, heads: int, kv_heads: int, intermediate: int,
                 max_positions: int, vocab_size: int, special_id: int, init_range: float | None):
    from transformers import GPT2Config, LlamaConfig

    extra = {"initializer_range": init_range} if init_range else {}
    if arch == "llama":
        return LlamaConfig(
            vocab_size=vocab_size, hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
            num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=max_positions,
            bos_token_id=special_id, eos_token_id=special_id, pad_token_id=special_id, tie_word_embeddings=False,
            **extra,
        )
    if arch == "gpt2":
        if kv_heads != heads:
            raise SystemExit("--kv-heads: GPT-2 has no grouped key/value heads")
        return GPT2Config(
            vocab_size=vocab_size, n_embd=hidden, n_inner=intermediate, n_layer=layers, n_head=heads,
            n_positions=max_positions, bos_token_id=special_id, eos_token_id=special_id, **extra,
        )
    raise SystemExit(f"--arch must be llama or gpt2, got {arch!r}")


def build_random_model(out: str, *, layers: int, hidden: int, heads: int, kv_heads: int | None = None,
                       intermediate: int | None = None, max_positions: int = 512, vocab_size: int = 1024,
                       texts: list[str] | None = None, titles: list[str] | None = None, seed: int = 0,
                       arch: str = "llama", init_range: float | None = None, plain: bool = False) -> dict:
    if texts is None:
        texts = resume_texts(titles or BUILTIN_TITLES, 200, seed)
    with tempfile.TemporaryDirectory(prefix="labor-tokenizer-") as tok_dir:
        tokenizer = train_bpe_tokenizer(texts, vocab_size, tok_dir, model_max_length=max_positions)
        config = build_config(
            arch, layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads or heads,
            intermediate=intermediate or 4 * hidden, max_positions=max_positions, vocab_size=vocab_size,
            special_id=tokenizer.convert_tokens_to_ids(tokenizer.eos_token), init_range=init_range,
        )
        from transformers import AutoModelForCausalLM

        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        check = [t[:400] for t in texts[:3]]
        result = export_model(model, tokenizer, out, check, tokenizer_dir=tok_dir, plain=plain)
    result.update({
        "arch": arch, "layers": layers, "hidden": hidden, "heads": heads, "seed": seed,
        "tokenizer_vocab_size": len(tokenizer), "parameters": sum(p.numel() for p in model.parameters()),
    })
    Path(out, "random_model.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m labor_trainer.random_model", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--heads", type=int, required=True)
    p.add_argument("--kv-heads", type=int)
    p.add_argument("--intermediate", type=int)
    p.add_argument("--max-positions", type=int, default=512)
    p.add_argument("--vocab-size", type=int, default=1024)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--texts-file")
    src.add_argument("--titles-csv")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--arch", choices=["llama", "gpt2"], default="llama")
    p.add_argument("--init-range", type=float, help="std of the initial weights (default: the config's, 0.02)")
    p.add_argument("--plain", action="store_true",
                   help="export without the logsumexp output and tree attention masks (like other exporters)")
    a = p.parse_args(argv)
    texts = titles = None
    if a.texts_file:
        raw = Path(a.texts_file).read_text(encoding="utf-8")
        texts = [t.strip("\n") + "\n" for t in raw.split("\n\n") if t.strip()]
        if not texts:
            raise SystemExit(f"{a.texts_file}: no texts")
    elif a.titles_csv:
        titles = read_titles(a.titles_csv)
    result = build_random_model(
        a.out, layers=a.layers, hidden=a.hidden, heads=a.heads, kv_heads=a.kv_heads, intermediate=a.intermediate,
        max_positions=a.max_positions, vocab_size=a.vocab_size, texts=texts, titles=titles, seed=a.seed,
        arch=a.arch, init_range=a.init_range, plain=a.plain,
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

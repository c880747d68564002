"""Test fixture: a small random-weight Llama with a Llama-2-style SentencePiece tokenizer, in
the project's model folder layout (config.json, model.safetensors, tokenizer.json,
tokenizer_config.json, onnx/model.onnx), for the tokenisation and backend-equality tests.

    PYTHONPATH=trainer:scorer .venv/bin/python scorer/tests/sp_model.py --out DIR \\
        --titles-csv data/taxonomy/default.csv [--reference-titles-csv CSV] [--layers 2 ...]

The tokenizer is trained on resume-like lines of `--titles-csv` (labor_scorer.llama_style).
`sp_reference.json` holds, for each title of `--reference-titles-csv`, a text with that title's
line inside a context and the ids SentencePiece itself gives it: the reference the tokenizer.json
(Python and @huggingface/transformers) is tested against. ONNX export and its check:
labor_trainer.onnx_export (used as is).
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path

REFERENCE_CONTEXT = ("Synthetic career record\nGender: female, race/ethnicity: White, region: South\nBirth year: 1960\n"
                     "Occupation by year (education in parentheses):\n1990 (high school diploma): Cooks\n1991 (some college):")


def read_titles(path: str) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [r["title"].strip() for r in csv.DictReader(f) if r["title"].strip()]


def build(out: str, titles: list[str], reference_titles: list[str], *, layers: int, hidden: int, heads: int,
          kv_heads: int, vocab_size: int, max_positions: int, seed: int, init_range: float) -> dict:
    import sentencepiece as spm
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig

    from labor_scorer.llama_style import build_llama_style_tokenizer
    from labor_trainer.onnx_export import export_model

    out_dir = Path(out)
    with tempfile.TemporaryDirectory(prefix="sp-tokenizer-") as tok_dir:
        build_llama_style_tokenizer(tok_dir, titles, vocab_size, model_max_length=max_positions, seed=seed)
        sp = spm.SentencePieceProcessor(model_file=str(Path(tok_dir, "tokenizer.model")))
        tokenizer = AutoTokenizer.from_pretrained(tok_dir, local_files_only=True)
        config = LlamaConfig(
            vocab_size=vocab_size, hidden_size=hidden, intermediate_size=4 * hidden, num_hidden_layers=layers,
            num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=max_positions,
            bos_token_id=1, eos_token_id=2, tie_word_embeddings=False, initializer_range=init_range,
        )
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        check = [REFERENCE_CONTEXT + f" {t}\n" for t in (reference_titles or titles)[:3]]
        result = export_model(model, tokenizer, out, check, tokenizer_dir=tok_dir)
        model.save_pretrained(out)  # model.safetensors for the torch backend
        texts = [REFERENCE_CONTEXT + f" {t}\n1992 (some college):" for t in reference_titles]
        reference = {"context": REFERENCE_CONTEXT, "titles": reference_titles, "texts": texts,
                     "ids": [sp.encode(t) for t in texts], "bos": sp.bos_id()}
        (out_dir / "sp_reference.json").write_text(json.dumps(reference) + "\n", encoding="utf-8")
        shutil.copyfile(Path(tok_dir, "tokenizer.model"), out_dir / "tokenizer.model")
    result.update({"tokenizer": "sentencepiece-bpe", "vocab_size": vocab_size, "layers": layers, "hidden": hidden})
    (out_dir / "random_model.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--titles-csv", required=True)
    p.add_argument("--reference-titles-csv")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--vocab-size", type=int, default=1024)
    p.add_argument("--max-positions", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-range", type=float, default=0.3)
    a = p.parse_args(argv)
    ref = read_titles(a.reference_titles_csv) if a.reference_titles_csv else []
    result = build(a.out, read_titles(a.titles_csv), ref, layers=a.layers, hidden=a.hidden, heads=a.heads,
                   kv_heads=a.kv_heads, vocab_size=a.vocab_size, max_positions=a.max_positions, seed=a.seed,
                   init_range=a.init_range)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

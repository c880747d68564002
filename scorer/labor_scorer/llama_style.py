"""Llama-2-style SentencePiece tokenizers made here, for tests and benchmarks (no hub needed).

`train_sentencepiece` trains a BPE model with Llama-2's settings (byte fallback, dummy prefix,
digits split, identity normalisation, whitespace kept); `write_llama_tokenizer` writes
tokenizer.json and tokenizer_config.json in the layout of Llama-2's own files (normalizer
Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, BPE with byte fallback, BOS added by the
post-processor), from a vocabulary in id order and merges in priority order. The same writer
serves a SentencePiece model made here and the real Llama vocabulary (test/lm/llama-vocab.ts).
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Iterable, Sequence

SPECIAL = ("<unk>", "<s>", "</s>")


def train_sentencepiece(lines: Iterable[str], vocab_size: int) -> bytes:
    """A serialized SentencePiece BPE model trained on `lines` (one sentence each, no "\\n")."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)), model_writer=buf, model_type="bpe", vocab_size=vocab_size,
        byte_fallback=True, add_dummy_prefix=True, split_digits=True, normalization_rule_name="identity",
        remove_extra_whitespaces=False, character_coverage=1.0, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        allow_whitespace_only_pieces=True, max_sentencepiece_length=16, num_threads=1, minloglevel=2,
    )
    return buf.getvalue()


def sentencepiece_vocab_merges(model_bytes: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """Vocabulary in id order and BPE merges in priority order, as transformers converts them."""
    import tempfile

    from transformers.convert_slow_tokenizer import SentencePieceExtractor

    with tempfile.NamedTemporaryFile(suffix=".model") as f:
        f.write(model_bytes)
        f.flush()
        kwargs = SentencePieceExtractor(f.name).extract(None)
    vocab = sorted(kwargs["vocab"].items(), key=lambda kv: kv[1])
    if [i for _, i in vocab] != list(range(len(vocab))):
        raise ValueError("SentencePiece vocabulary ids are not 0..n-1")
    return [t for t, _ in vocab], [tuple(m) for m in kwargs["merges"]]


def tokenizer_json(vocab: Sequence[str], merges: Sequence[tuple[str, str]]) -> dict:
    if list(vocab[:3]) != list(SPECIAL):
        raise ValueError(f"expected {SPECIAL} as ids 0-2, found {list(vocab[:3])}")
    special = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for i, t in enumerate(SPECIAL)]
    bos = {"SpecialToken": {"id": "<s>", "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
        ]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<s>", "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}},
        },
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]},
        "model": {
            "type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
            "vocab": {t: i for i, t in enumerate(vocab)},
            "merges": [list(m) for m in merges],
        },
    }


def tokenizer_config(model_max_length: int) -> dict:
    """As Llama-2's tokenizer_config.json, minus the chat template. The fast tokenizer class:
    transformers then takes tokenizer.json as written (see tests/test_llama_style.py)."""
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": None,
        "clean_up_tokenization_spaces": False,
        "legacy": True,
        "model_max_length": model_max_length,
    }


def write_llama_tokenizer(out_dir: str, vocab: Sequence[str], merges: Sequence[tuple[str, str]],
                          model_max_length: int = 4096) -> None:
    os.makedirs(out_dir, exist_ok=True)
    Path(out_dir, "tokenizer.json").write_text(json.dumps(tokenizer_json(vocab, merges), ensure_ascii=False), encoding="utf-8")
    Path(out_dir, "tokenizer_config.json").write_text(json.dumps(tokenizer_config(model_max_length), indent=2) + "\n", encoding="utf-8")


def resume_lines(titles: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """Lines of resume-like texts (lib/text/templates.ts `resume` v1 shape) using every title."""
    import random

    rng = random.Random(seed)
    education = ["less than high school", "high school diploma", "some college", "bachelor's degree", "graduate degree"]
    pool = list(titles) + ["Unemployed", "Not in labor force", "In education"]
    lines = ["Occupation by year (education in parentheses):", "<END>"]
    for i in range(max(n, 2 * len(pool))):
        year = rng.randint(1970, 2010)
        title = pool[i % len(pool)] if i < 2 * len(pool) else rng.choice(pool)
        lines.append(f"{year} ({rng.choice(education)}): {title}")
        if i % 10 == 0:
            lines.append(f"Gender: {rng.choice(['female', 'male'])}, race/ethnicity: "
                         f"{rng.choice(['White', 'Black', 'Hispanic', 'Other'])}, region: "
                         f"{rng.choice(['Northeast', 'Midwest', 'South', 'West'])}")
            lines.append(f"Birth year: {year - rng.randint(18, 40)}")
    return lines


def build_llama_style_tokenizer(out_dir: str, titles: Sequence[str], vocab_size: int = 1024,
                                model_max_length: int = 4096, seed: int = 0) -> None:
    """Trains a SentencePiece BPE on resume-like lines from `titles`, writes the tokenizer files
    (and the SentencePiece model as tokenizer.model, the reference the files are tested against)."""
    model = train_sentencepiece(resume_lines(titles, 2000, seed), vocab_size)
    vocab, merges = sentencepiece_vocab_merges(model)
    write_llama_tokenizer(out_dir, vocab, merges, model_max_length)
    Path(out_dir, "tokenizer.model").write_bytes(model)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m labor_scorer.llama_style",
                                description="Write Llama-2-style tokenizer files from a vocabulary and merges.")
    p.add_argument("--vocab-merges", required=True,
                   help='JSON file {"vocab": [token by id], "merges": [["a", "b"] or "a b", ...]} in priority order')
    p.add_argument("--out", required=True)
    p.add_argument("--model-max-length", type=int, default=4096)
    a = p.parse_args(argv)
    data = json.loads(Path(a.vocab_merges).read_text(encoding="utf-8"))
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in data["merges"]]
    write_llama_tokenizer(a.out, data["vocab"], merges, a.model_max_length)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

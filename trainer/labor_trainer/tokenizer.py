"""Byte-level BPE tokenizer trained from texts, saved in the folder layout that both
transformers (Python) and @huggingface/transformers (JS) load from a local path.

Scheme (kept simple so scoring is exact):
- One special token, ``<|endoftext|>`` (id 0), used as bos, eos, pad and unk.
- No normalizer: the text is tokenized exactly as written.
- Byte-level pre-tokenizer (GPT-2 regex), ``add_prefix_space=False``: a leading space is
  never invented, so tokens(context) + tokens(" " + title + "\\n") equals
  tokens(context + " " + title + "\\n") whenever the context ends where a pre-token ends
  (e.g. after "YEAR (EDUCATION):", since the space always starts the next pre-token).
- The post-processor adds no tokens: encode(text) never adds BOS or EOS. The trainer appends
  EOS to each training text itself.
"""
from __future__ import annotations

import json
import os
from typing import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from . import ENDOFTEXT

TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


def build_bpe_tokenizer(texts: Iterable[str], vocab_size: int) -> Tokenizer:
    """Trains the raw `tokenizers.Tokenizer` (no files written)."""
    base = len(pre_tokenizers.ByteLevel.alphabet()) + 1  # 256 bytes + <|endoftext|>
    if vocab_size < base:
        raise ValueError(f"vocab_size must be at least {base} (256 bytes + {ENDOFTEXT}); got {vocab_size}")
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    # trim_offsets=False keeps offsets byte-exact; ByteLevel post-processing adds no tokens.
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=True)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=[ENDOFTEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def tokenizer_config(model_max_length: int | None = None) -> dict:
    """tokenizer_config.json contents understood by transformers 5 and transformers.js 4."""
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": ENDOFTEXT,
        "eos_token": ENDOFTEXT,
        "pad_token": ENDOFTEXT,
        "unk_token": ENDOFTEXT,
        "add_bos_token": False,
        "add_eos_token": False,
        "add_prefix_space": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": int(model_max_length) if model_max_length else 1_000_000_000,
    }


def wrap(tok: Tokenizer, model_max_length: int | None = None) -> PreTrainedTokenizerFast:
    cfg = tokenizer_config(model_max_length)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=cfg["bos_token"],
        eos_token=cfg["eos_token"],
        pad_token=cfg["pad_token"],
        unk_token=cfg["unk_token"],
        clean_up_tokenization_spaces=False,
        model_max_length=cfg["model_max_length"],
    )


def save_tokenizer_files(tok: Tokenizer, out_dir: str, model_max_length: int | None = None) -> None:
    """Writes tokenizer.json and tokenizer_config.json (ours, not save_pretrained's, so the
    files are the same whatever transformers version runs)."""
    os.makedirs(out_dir, exist_ok=True)
    tok.save(os.path.join(out_dir, TOKENIZER_FILE))
    with open(os.path.join(out_dir, TOKENIZER_CONFIG_FILE), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config(model_max_length), f, indent=2)
        f.write("\n")


def train_bpe_tokenizer(
    texts: Iterable[str], vocab_size: int, out_dir: str, model_max_length: int | None = None
) -> PreTrainedTokenizerFast:
    """Trains a byte-level BPE on `texts`, saves tokenizer.json + tokenizer_config.json in
    `out_dir`, and returns the tokenizer loaded back from that folder."""
    tok = build_bpe_tokenizer(texts, vocab_size)
    save_tokenizer_files(tok, out_dir, model_max_length)
    return load_tokenizer(out_dir)


def load_tokenizer(folder: str) -> PreTrainedTokenizerFast:
    """Loads a tokenizer saved by `train_bpe_tokenizer` (or any tokenizer.json folder)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder, local_files_only=True)

"""texts.arrow reading (one file, or several pooled) and tokenisation into training sequences."""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.ipc as ipc

from .errors import InvalidInput

COLUMNS = ("person_id", "split", "text")
SPLITS = ("train", "valid", "test")


def read_table(path: str, key: str = "spec.texts") -> pa.Table:
    """Reads an Arrow IPC file (the project's format) or, failing that, an IPC stream; errors
    start with `key`, the spec key that named the file."""
    try:
        with pa.memory_map(path, "r") as src:
            return ipc.open_file(src).read_all()
    except FileNotFoundError:
        raise InvalidInput(f"{key}: file not found: {path}")
    except IsADirectoryError:
        raise InvalidInput(f"{key}: expected an Arrow file, found a folder: {path}")
    except pa.ArrowInvalid:
        try:
            with pa.memory_map(path, "r") as src:
                return ipc.open_stream(src).read_all()
        except pa.ArrowInvalid as e:
            raise InvalidInput(f"{key}: {path} is not an Arrow IPC file: {e}")


def _is_string(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def read_texts(path: str, key: str = "spec.texts") -> dict[str, list[str]]:
    """Returns {"train": [...], "valid": [...]} in file order; checks the texts contract
    (columns person_id, split, text; split in train|valid|test; no null text)."""
    table = read_table(path, key)
    problems: list[str] = []
    names = table.column_names
    for c in COLUMNS:
        if c not in names:
            problems.append(f"column '{c}' is missing (found columns: {', '.join(names) or 'none'})")
        elif not _is_string(table.schema.field(c).type):
            problems.append(f"column '{c}': expected utf8 strings, found {table.schema.field(c).type}")
    if problems:
        raise InvalidInput(f"{key}: {path} does not follow the texts.arrow contract", problems)
    splits = table.column("split").cast(pa.string()).to_pylist()
    texts = table.column("text").cast(pa.string()).to_pylist()
    bad = {}
    for i, s in enumerate(splits):
        if s not in SPLITS:
            bad.setdefault(repr(s), i)
    for s, i in list(bad.items())[:5]:
        problems.append(f"row {i}: split {s} is not one of train, valid, test ({len(bad)} distinct bad value(s))")
    nulls = [i for i, t in enumerate(texts) if t is None]
    if nulls:
        problems.append(f"{len(nulls)} row(s) with null text, first at row {nulls[0]}")
    if problems:
        raise InvalidInput(f"{key}: {path} does not follow the texts.arrow contract", problems)
    out: dict[str, list[str]] = {"train": [], "valid": []}
    for s, t in zip(splits, texts):
        if s in out and t:
            out[s].append(t)
    return out


def texts_inputs(texts: str | list[str]) -> list[tuple[str, str]]:
    """(spec key, path) of each texts file: `spec.texts` for one path, `spec.texts[i]` in a list."""
    if isinstance(texts, str):
        return [("spec.texts", texts)]
    return [(f"spec.texts[{i}]", p) for i, p in enumerate(texts)]


def read_pooled_texts(texts: str | list[str]) -> tuple[dict[str, list[str]], list[dict], list[str]]:
    """Reads every texts file and pools train with train, valid with valid, in the spec's order.
    Returns the pooled texts, per file {"texts", "train_texts", "valid_texts"}, and the problems
    of every file (each naming its spec key and path; a file without training texts is one)."""
    pooled: dict[str, list[str]] = {"train": [], "valid": []}
    counts: list[dict] = []
    problems: list[str] = []
    for key, path in texts_inputs(texts):
        try:
            one = read_texts(path, key)
        except InvalidInput as e:
            problems.append(e.message)
            continue
        if not one["train"]:
            problems.append(f"{key}: {path} has no rows with split 'train' and non-empty text (empty training set)")
        for split in pooled:
            pooled[split].extend(one[split])
        counts.append({"texts": path, "train_texts": len(one["train"]), "valid_texts": len(one["valid"])})
    return pooled, counts, problems


@dataclass
class Encoded:
    sequences: list[list[int]]  # each at most max_seq_len tokens
    n_texts: int
    n_split: int  # texts longer than max_seq_len, cut into several sequences
    n_tokens: int


def encode_texts(tokenizer, texts: list[str], max_seq_len: int) -> Encoded:
    """tokens(text) + [eos] per text, with the tokenizer's own special-token behaviour (our
    BPE adds nothing; a Llama tokenizer adds BOS, as it will when the scorer encodes a context).
    Texts longer than max_seq_len are cut into consecutive windows (nothing is dropped)."""
    eos = tokenizer.eos_token_id
    ids = tokenizer(texts, add_special_tokens=True, verbose=False)["input_ids"] if texts else []
    seqs: list[list[int]] = []
    n_split = n_tokens = 0
    for t in ids:
        t = list(t)
        if not t or t[-1] != eos:
            t.append(eos)
        n_tokens += len(t)
        if len(t) <= max_seq_len:
            seqs.append(t)
        else:
            n_split += 1
            for i in range(0, len(t), max_seq_len):
                chunk = t[i : i + max_seq_len]
                if len(chunk) >= 2:  # a 1-token window has nothing to predict
                    seqs.append(chunk)
    return Encoded(seqs, len(ids), n_split, n_tokens)

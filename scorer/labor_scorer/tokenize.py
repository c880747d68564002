"""The tokenisation rule of lib/lm/tokenize.ts, for the torch backend (read that file's comment
for why it holds). A candidate's ids are the tail of encode(context + " " + title + "\\n") after
encode(context), derived after BOUNDARY_CONTEXTS[0] and checked for every candidate after every
boundary context and before every following text; each scored context is checked against the
first candidate. Keep the constants equal to the TypeScript ones.
"""
from __future__ import annotations

import json
from typing import Callable, Sequence

from .errors import InvalidData, InvalidModel

Encode = Callable[[str], list[int]]

BOUNDARY_CONTEXTS = (
    "1990 (high school diploma):",
    "Occupation by year (education in parentheses):\n1990 (some college): Cooks\n1991 (bachelor's degree):",
    "Birth year: 1960\n1990: Cashiers\n1991:",
)
FOLLOWING_TEXTS = ("", "1992 (some college):", "<END>\n")


def continuation_text(title: str) -> str:
    return f" {title}\n"


def encoder_of(tokenizer) -> Encode:
    return lambda text: list(tokenizer.encode(text, add_special_tokens=False))


def special_prefix(tokenizer) -> list[int]:
    """Ids the tokenizer puts before a text (e.g. [BOS]), found by encoding a probe."""
    plain = list(tokenizer.encode("a", add_special_tokens=False))
    full = list(tokenizer.encode("a", add_special_tokens=True))
    for start in range(len(full) - len(plain) + 1):
        if full[start:start + len(plain)] == plain:
            return full[:start]
    return []


def _show(ids: Sequence[int]) -> str:
    return "[" + ", ".join(str(i) for i in ids) + "]"


def joint_tail(encode: Encode, context: str, continuation: str, context_ids: list[int] | None = None) -> list[int] | None:
    ctx = encode(context) if context_ids is None else context_ids
    joint = encode(context + continuation)
    return joint[len(ctx):] if joint[:len(ctx)] == ctx else None


def candidate_ids(encode: Encode, titles: Sequence[str]) -> tuple[list[list[int]], int]:
    """(ids per candidate, joint encodings checked). InvalidData for titles with no tokens,
    InvalidModel when the ids depend on the context or the following text."""
    if not titles:
        raise InvalidData("no candidates to score (the candidate list is empty)")
    first = BOUNDARY_CONTEXTS[0]
    first_ids = encode(first)
    ids: list[list[int]] = []
    broken: list[str] = []
    for i, t in enumerate(titles):
        tail = joint_tail(encode, first, continuation_text(t), first_ids)
        if tail is None:
            text = first + continuation_text(t)
            broken.append(f"candidate {i} '{t}': {json.dumps(text)} encodes to {_show(encode(text))}, "
                          f"which does not start with the context's {_show(first_ids)}")
        ids.append(tail or [])
    if broken:
        raise InvalidModel("the tokenizer merges across the end of the context, so candidates cannot be scored "
                           f"apart from it ({len(broken)} candidate(s))", broken[:10])
    empty = [f"candidate {i} '{t}'" for i, t in enumerate(titles) if not ids[i]]
    if empty:
        raise InvalidData(f"{len(empty)} candidate title(s) tokenize to nothing (expected at least one token)", empty[:10])
    checked = 0
    for context in BOUNDARY_CONTEXTS:
        context_ids = encode(context)
        for following in FOLLOWING_TEXTS:
            for i, t in enumerate(titles):
                checked += 1
                expected = context_ids + ids[i]
                joint = encode(context + continuation_text(t) + following)
                if joint[:len(expected)] != expected:
                    before = f" and before {json.dumps(following)}" if following else ""
                    broken.append(f"candidate {i} '{t}' after {json.dumps(context)}{before}: "
                                  f"joint encoding {_show(joint)}, context ids + candidate ids {_show(expected)}")
    if broken:
        raise InvalidModel(f"candidate ids depend on the context or the following text for this tokenizer "
                           f"({len(broken)} case(s)); the scorer would not score what the model was trained on", broken[:10])
    return ids, checked


def check_boundary(encode: Encode, context: str, context_ids: list[int], continuation: str,
                   candidate: list[int], where: str) -> None:
    joint = encode(context + continuation)
    expected = context_ids + candidate
    if joint != expected:
        k = max(0, len(context_ids) - 3)
        raise InvalidData(
            f"{where}: the context does not end where a continuation starts a new token (contexts end with "
            f"\"YEAR (EDUCATION):\" or \"YEAR:\"): {json.dumps(context[-40:])} + {json.dumps(continuation)} encodes to "
            f"...{_show(joint[k:])}, expected ...{_show(expected[k:])}")

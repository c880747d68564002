"""Context truncation, line for line the policy of lib/lm/truncation.ts (read it there): keep
the header lines and the most recent year lines so that context + the longest continuation fits
the model; as a last resort keep the context's last max_tokens tokens."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence, Union

HeaderLines = Union[int, str]  # a count, or "auto"
YEAR_LINE = re.compile(r"^\d{4}\b")


@dataclass
class Truncated:
    ids: list[int]
    text: str
    truncated: bool
    dropped_lines: int
    dropped_tokens: int


def split_lines(text: str) -> list[str]:
    return [line for line in re.split(r"(?<=\n)", text) if line]


def header_line_count(lines: Sequence[str], header_lines: HeaderLines) -> int:
    if header_lines != "auto":
        return min(max(0, int(header_lines)), len(lines))
    for i, line in enumerate(lines):
        if YEAR_LINE.match(line):
            return i
    return 0


def truncate_context(text: str, encode: Callable[[str], list[int]], prefix: Sequence[int], max_tokens: int,
                     header_lines: HeaderLines = "auto") -> Truncated:
    full = [*prefix, *encode(text)]
    if len(full) <= max_tokens:
        return Truncated(full, text, False, 0, 0)
    lines = split_lines(text)
    n_header = header_line_count(lines, header_lines)
    header, body = lines[:n_header], lines[n_header:]
    counts = [len(encode(line)) for line in body]
    used = len(prefix) + sum(len(encode(line)) for line in header) + (counts[-1] if counts else 0)
    first = max(len(body) - 1, 0)
    while first > 0 and used + counts[first - 1] <= max_tokens:
        first -= 1
        used += counts[first]
    while first < len(body):
        kept = "".join(header) + "".join(body[first:])
        ids = [*prefix, *encode(kept)]
        if len(ids) <= max_tokens:
            return Truncated(ids, kept, True, first, 0)
        if first == len(body) - 1 or not body:
            break
        first += 1
    room = max(max_tokens - len(prefix), 1)
    tail = full[len(prefix):][-room:]
    ids = [*prefix, *tail][-max_tokens:]
    return Truncated(ids, text, True, 0, len(full) - len(ids))

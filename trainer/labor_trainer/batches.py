"""Micro-batch tensors from token sequences: padded (one sequence per row) or packed (several
sequences per row of max_seq_len tokens, none crossing a row, best fit decreasing).

A packed row restarts position_ids at 0 for every sequence and the model gets no 2-D
attention_mask: transformers (masking_utils.find_packed_sequence_indices) then reads the
sequence boundaries from the position_ids and builds a block-diagonal causal mask for SDPA and
eager attention (flash-attention uses the same position_ids as variable-length boundaries), so
no token attends across texts. Padding at the end of a row is a segment of its own that no
loss target touches. Both layouts give the same per-text losses (tests/test_packing.py)."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import torch


@dataclass
class Batch:
    ids: torch.Tensor  # [rows, width]
    attention_mask: torch.Tensor | None  # padded layout only
    position_ids: torch.Tensor | None  # packed layout only
    text: torch.Tensor  # [rows, width] index of the sequence in the batch each token belongs to, -1 = padding
    targets: torch.Tensor  # [rows, width - 1] bool: token i+1 is a real token of the same text as token i
    n_tokens: int  # real tokens
    n_targets: int  # sum over sequences of (length - 1)

    def to(self, device: torch.device) -> "Batch":
        def move(t):
            return None if t is None else t.to(device, non_blocking=True)

        return Batch(move(self.ids), move(self.attention_mask), move(self.position_ids), move(self.text),
                     move(self.targets), self.n_tokens, self.n_targets)


def pack_rows(lengths: list[int], capacity: int) -> list[list[int]]:
    """Best fit decreasing: indices of `lengths` grouped into rows of at most `capacity` tokens.
    Deterministic (ties keep index order); each length must be <= capacity."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    rows: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (space left, row number), sorted
    for i in order:
        n = lengths[i]
        if n > capacity:
            raise ValueError(f"sequence {i} has {n} tokens, more than a row's {capacity}")
        k = bisect.bisect_left(free, (n, -1))
        if k < len(free):
            left, r = free.pop(k)
        else:
            left, r = capacity, len(rows)
            rows.append([])
        rows[r].append(i)
        if left - n > 0:
            bisect.insort(free, (left - n, r))
    return rows


def _finish(ids, attention_mask, position_ids, text) -> Batch:
    same = text[:, 1:] == text[:, :-1]
    targets = same & (text[:, 1:] >= 0)
    return Batch(ids, attention_mask, position_ids, text, targets, int((text >= 0).sum()), int(targets.sum()))


def padded_batch(seqs: list[list[int]], pad_id: int) -> Batch:
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    text = torch.full((len(seqs), width), -1, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        text[i, : len(s)] = i
    return _finish(ids, (text >= 0).long(), None, text)


def packed_batch(seqs: list[list[int]], pad_id: int, capacity: int) -> Batch:
    rows = pack_rows([len(s) for s in seqs], capacity)
    width = max(sum(len(seqs[j]) for j in row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    text = torch.full((len(rows), width), -1, dtype=torch.long)
    pos = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        at = 0
        for j in row:
            n = len(seqs[j])
            ids[r, at : at + n] = torch.tensor(seqs[j], dtype=torch.long)
            text[r, at : at + n] = j
            pos[r, at : at + n] = torch.arange(n)
            at += n
        pos[r, at:] = torch.arange(width - at)  # padding: its own segment, never a target
    return _finish(ids, None, pos, text)

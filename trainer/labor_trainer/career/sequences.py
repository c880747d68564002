"""Careers as sequences, and their tensors. Each prediction point is one position: its input is
the state before it (prev_state) plus its own year's covariates (the year being predicted, its
education, the gap since the last observation) and the person's static covariates; its target
is true_state. So position j's output, which sees positions 0..j, is the distribution of the
next state given the whole history and the next year's covariates (CAREER's formulation).
A person's sequence is prev_state of their first point, then true_state of each point in year
order; sequences longer than max_len are cut into windows (see `train_windows`,
`predict_windows`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InvalidInput
from .data import Points, Taxonomy
from .spec import SPLITS

OTHER = "(other)"  # index 0 of every covariate: levels never seen in training; its embedding is 0
COVARIATES = ("year", "education", "gap", "gender", "race", "region", "birth_cohort")
MAX_GAP = 5  # gaps above this share one level
COHORT_YEARS = 5  # birth-year buckets; birth_year 0 (unknown) is its own bucket


def covariate_values(p: Points) -> dict[str, list[str]]:
    """Each covariate of each row, as the strings its vocabulary is built from."""
    return {
        "year": [str(y) for y in p.year.tolist()],
        "education": p.education,
        "gap": [str(min(g, MAX_GAP)) for g in p.gap.tolist()],
        "gender": p.gender,
        "race": p.race,
        "region": p.region,
        "birth_cohort": ["unknown" if b == 0 else str(b // COHORT_YEARS * COHORT_YEARS) for b in p.birth_year.tolist()],
    }


def build_vocab(sources: list[tuple[Points, np.ndarray]]) -> dict[str, list[str]]:
    """Levels of each covariate seen in the training rows of `sources`, sorted, after OTHER."""
    vocab = {}
    for c in COVARIATES:
        seen: set[str] = set()
        for p, rows in sources:
            values = covariate_values(p)[c]
            seen.update(values[r] for r in rows.tolist())
        vocab[c] = [OTHER, *sorted(seen - {OTHER})]
    return vocab


@dataclass
class Encoded:
    """Per-row model inputs of one Points file, and its persons' sequences."""

    state: torch.Tensor  # [n] input state (prev_state)
    kind: torch.Tensor  # [n] kind index of the input state
    cov: torch.Tensor  # [n, len(COVARIATES)] covariate levels
    target: torch.Tensor  # [n] true_state
    weight: torch.Tensor  # [n] float32 loss weight
    sequences: list[np.ndarray]  # per person: row indices in year order
    seq_split: np.ndarray  # per sequence: split index


def encode(p: Points, tax: Taxonomy, vocab: dict[str, list[str]], use_weights: bool) -> Encoded:
    kind_index = {k: i for i, k in enumerate(tax.kind_levels)}
    state_kind = np.array([kind_index[k] for k in tax.kinds], dtype=np.int64)
    values = covariate_values(p)
    cov = np.zeros((p.n, len(COVARIATES)), dtype=np.int64)
    for j, c in enumerate(COVARIATES):
        lookup = {v: i for i, v in enumerate(vocab[c])}
        cov[:, j] = [lookup.get(v, 0) for v in values[c]]
    sequences, seq_split = person_sequences(p)
    weight = p.weight if use_weights else np.ones(p.n)
    return Encoded(state=torch.from_numpy(p.prev), kind=torch.from_numpy(state_kind[p.prev]),
                   cov=torch.from_numpy(cov), target=torch.from_numpy(p.y),
                   weight=torch.from_numpy(weight.astype(np.float32)), sequences=sequences, seq_split=seq_split)


def person_sequences(p: Points) -> tuple[list[np.ndarray], np.ndarray]:
    """Each person's rows in year order (persons in order of first appearance), checked: one
    split per person, distinct years, and each point's prev_state is the previous point's
    true_state."""
    groups: dict[str, list[int]] = {}
    for r, pid in enumerate(p.person_id):
        groups.setdefault(pid, []).append(r)
    problems: list[str] = []
    sequences, splits = [], []
    for pid, rows in groups.items():
        rows_a = np.array(rows, dtype=np.int64)
        rows_a = rows_a[np.argsort(p.year[rows_a], kind="stable")]
        s = set(p.split[rows_a].tolist())
        if len(s) > 1:
            problems.append(f"person '{pid}': points in several splits ({', '.join(SPLITS[i] for i in sorted(s))}); "
                            f"a person belongs to one split")
        years = p.year[rows_a]
        if (np.diff(years) == 0).any():
            y = int(years[np.flatnonzero(np.diff(years) == 0)[0]])
            problems.append(f"person '{pid}': two points in year {y}")
        bad = np.flatnonzero(p.prev[rows_a[1:]] != p.y[rows_a[:-1]])
        if len(bad):
            r = int(rows_a[bad[0] + 1])
            problems.append(f"person '{pid}': row {r + 1} (year {int(p.year[r])}) has prev_state different from "
                            f"the true_state of the person's previous point (row {int(rows_a[bad[0]]) + 1})")
        sequences.append(rows_a)
        splits.append(int(p.split[rows_a[0]]))
        if len(problems) >= 20:
            break
    if problems:
        raise InvalidInput(f"{p.path}: the points do not form careers", problems)
    return sequences, np.array(splits, dtype=np.int8)


@dataclass(frozen=True)
class Window:
    rows: np.ndarray  # consecutive rows of one sequence
    first: int  # positions before this one are context only (no loss, no prediction)


def train_windows(sequences: list[np.ndarray], max_len: int) -> list[Window]:
    """Consecutive non-overlapping windows of max_len positions, each position trained once."""
    return [Window(s[i:i + max_len], 0) for s in sequences for i in range(0, len(s), max_len)]


def predict_windows(sequences: list[np.ndarray], max_len: int) -> list[Window]:
    """One window per sequence up to max_len positions; beyond it, each further position is the
    last of a window of the max_len positions ending there (so every point sees max_len - 1
    earlier positions)."""
    out = []
    for s in sequences:
        out.append(Window(s[:max_len], 0))
        out.extend(Window(s[j - max_len + 1:j + 1], max_len - 1) for j in range(max_len, len(s)))
    return out


@dataclass
class Batch:
    state: torch.Tensor  # [B, T]
    kind: torch.Tensor
    cov: torch.Tensor  # [B, T, C]
    target: torch.Tensor  # [B, T]
    weight: torch.Tensor  # [B, T]; 0 at padding and context-only positions
    rows: torch.Tensor  # [B, T] row index, -1 where nothing is predicted

    def to(self, device) -> "Batch":
        return Batch(*(t.to(device) for t in (self.state, self.kind, self.cov, self.target, self.weight, self.rows)))


def collate(enc: Encoded, windows: list[Window]) -> Batch:
    """Windows padded at the right (causal attention never looks at the padding)."""
    T = max(len(w.rows) for w in windows)
    rows = torch.full((len(windows), T), -1, dtype=torch.long)
    for i, w in enumerate(windows):
        rows[i, w.first:len(w.rows)] = torch.from_numpy(w.rows[w.first:])
    idx = torch.zeros((len(windows), T), dtype=torch.long)
    for i, w in enumerate(windows):
        idx[i, :len(w.rows)] = torch.from_numpy(w.rows)
    live = rows >= 0
    return Batch(state=enc.state[idx], kind=enc.kind[idx], cov=enc.cov[idx], target=enc.target[idx],
                 weight=torch.where(live, enc.weight[idx], torch.zeros(())), rows=rows)

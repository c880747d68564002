"""Reads and checks the logit's inputs (point_features.arrow and taxonomy.arrow, the contracts
of lib/artifacts/contracts.ts) and turns them into index arrays: one integer per point for each
categorical covariate, a small dense block of numeric covariates, and the (point, candidate)
pairs of the candidate-specific terms. Nothing here is [points x states]: the model builds that
per chunk."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labor_trainer.arrow_inputs import MAX_EXAMPLES, check_columns, examples, read_arrow

from .errors import InvalidInput
from .spec import SPLITS

# Column -> kind; '?' marks columns that may hold nulls.
FEATURE_COLUMNS = {
    "person_id": "string", "split": "string", "year": "int", "true_state": "string", "prev_state": "string",
    "prev2_state": "string?", "tenure": "int", "years_since_first": "int", "gap": "int", "education": "string",
    "education_changed": "int", "age": "int", "gender": "string", "race": "string", "region": "string",
    "birth_year": "int", "last_occupation_before_spell": "string?", "held_codes": "list<string>", "weight": "number",
}
TAXONOMY_COLUMNS = {"code": "string", "title": "string", "kind": "string"}
# State-specific categorical covariates (one coefficient row per level and state).
CATEGORICAL = ("prev_state", "prev2_state", "year", "education", "race", "gender", "region")
# State-specific numeric covariates (one coefficient per state).
NUMERIC = ("log_tenure", "years_since_first", "gap_dummy", "education_changed", "birth_year")
NONE_LEVEL = "(none)"


def _strings(table: pa.Table, col: str) -> pa.ChunkedArray:
    c = table.column(col)
    if pa.types.is_dictionary(c.type):
        c = c.cast(c.type.value_type)
    return c.cast(pa.string())


def _ints(table: pa.Table, col: str) -> np.ndarray:
    return table.column(col).to_numpy().astype(np.int64)


@dataclass
class Taxonomy:
    codes: list[str]
    titles: list[str]
    kinds: list[str]
    groups: list[str | None]

    @property
    def size(self) -> int:
        return len(self.codes)


def read_taxonomy(path: str, group_map: dict | None) -> Taxonomy:
    t = read_arrow(path, "taxonomy")
    problems: list[str] = []
    check_columns(t, TAXONOMY_COLUMNS, path, problems)
    if problems:
        raise InvalidInput(f"{path}: invalid taxonomy table", problems)
    codes = _strings(t, "code").to_pylist()
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})[:MAX_EXAMPLES]
        problems.append(f"{path}: duplicate code(s) {dup}")
    if not codes:
        problems.append(f"{path}: no states")
    groups: list[str | None] = [None] * len(codes)
    if "group" in t.column_names:  # an optional column of the taxonomy table
        groups = _strings(t, "group").to_pylist()
    if group_map is not None:
        index = {c: i for i, c in enumerate(codes)}
        unknown = [c for c in group_map if c not in index]
        if unknown:
            problems.append(f"spec.json groups: {len(unknown)} code(s) not in the taxonomy {path}; first: "
                            f"{unknown[:MAX_EXAMPLES]}")
        for c, g in group_map.items():
            if c in index:
                groups[index[c]] = g
    if problems:
        raise InvalidInput(f"{path}: invalid taxonomy table", problems)
    return Taxonomy(codes, _strings(t, "title").to_pylist(), _strings(t, "kind").to_pylist(), groups)


@dataclass
class Design:
    """Index-based covariates of n points over K states (numpy; model.py moves them to torch)."""

    n: int
    K: int
    person_id: list
    split: np.ndarray  # int8 index into SPLITS
    year: np.ndarray
    y: np.ndarray  # true state index
    prev: np.ndarray  # previous state index
    weight: np.ndarray
    categorical: dict  # name -> int64 [n] level index
    numeric: np.ndarray  # float32 [n, len(NUMERIC)]
    log_tenure: np.ndarray
    gap_m1: np.ndarray  # years skipped since the last observation (gap - 1)
    age_std: np.ndarray
    last_occ: np.ndarray  # state index or -1
    held_rows: np.ndarray  # (row, state) pairs: states held earlier, the previous one excluded
    held_cols: np.ndarray
    group_prev: np.ndarray  # group index of the previous state, or n_groups (none)
    meta: dict = field(default_factory=dict)  # levels, standardisation, group names

    def subset(self, rows: np.ndarray) -> "Design":
        """The points `rows` (sorted), with held pairs renumbered."""
        pos = np.full(self.n, -1, dtype=np.int64)
        pos[rows] = np.arange(len(rows))
        keep = pos[self.held_rows] >= 0
        take = lambda a: a[rows]  # noqa: E731
        return Design(
            n=len(rows), K=self.K, person_id=[self.person_id[r] for r in rows], split=take(self.split),
            year=take(self.year), y=take(self.y), prev=take(self.prev), weight=take(self.weight),
            categorical={k: take(v) for k, v in self.categorical.items()}, numeric=take(self.numeric),
            log_tenure=take(self.log_tenure), gap_m1=take(self.gap_m1), age_std=take(self.age_std),
            last_occ=take(self.last_occ), held_rows=pos[self.held_rows[keep]], held_cols=self.held_cols[keep],
            group_prev=take(self.group_prev), meta=self.meta,
        )


def _state_index(col: pa.ChunkedArray, codes: pa.Array) -> np.ndarray:
    """Taxonomy index of each value; -1 for null, -2 for a code not in the taxonomy."""
    idx = pc.index_in(col, value_set=codes)
    out = idx.fill_null(-2).to_numpy().astype(np.int64)
    out[col.is_null().to_numpy(zero_copy_only=False)] = -1
    return out


def _levels(col: pa.ChunkedArray, none: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Integer levels of a column (sorted distinct values); nulls get the level `none`."""
    values = col.cast(pa.string()) if not pa.types.is_string(col.type) else col
    if none is not None:
        values = values.fill_null(none)
    levels = sorted(set(pc.unique(values).to_pylist()))
    idx = pc.index_in(values, value_set=pa.array(levels, pa.string())).to_numpy().astype(np.int64)
    return idx, levels


def _standardise(x: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, dict]:
    mean = float(x[train].mean()) if train.any() else 0.0
    sd = float(x[train].std()) if train.any() else 1.0
    sd = sd if sd > 0 else 1.0
    return ((x - mean) / sd).astype(np.float32), {"mean": mean, "sd": sd}


def read_design(features_path: str, tax: Taxonomy, use_weights: bool) -> Design:
    t = read_arrow(features_path, "point features")
    problems: list[str] = []
    check_columns(t, FEATURE_COLUMNS, features_path, problems)
    if problems:
        raise InvalidInput(f"{features_path}: invalid point_features table", problems)
    n, K = t.num_rows, tax.size
    codes = pa.array(tax.codes, pa.string())

    split_col = _strings(t, "split")
    split = pc.index_in(split_col, value_set=pa.array(SPLITS)).fill_null(-1).to_numpy().astype(np.int64)
    if (split < 0).any():
        problems.append(examples(split < 0, split_col.to_pylist(), features_path, "split",
                                  f"not one of {'|'.join(SPLITS)}"))
    states = {}
    for col in ("true_state", "prev_state", "prev2_state", "last_occupation_before_spell"):
        s = _strings(t, col)
        states[col] = _state_index(s, codes)
        if (states[col] == -2).any():
            problems.append(examples(states[col] == -2, s.to_pylist(), features_path, col, "not in the taxonomy"))
    held = t.column("held_codes").combine_chunks()
    if pa.types.is_large_list(held.type):
        held = held.cast(pa.list_(pa.string()))
    held_lengths = pc.list_value_length(held).fill_null(0).to_numpy().astype(np.int64)
    held_flat = pc.list_flatten(held).cast(pa.string())
    held_idx = _state_index(held_flat, codes)
    if (held_idx < 0).any():
        bad = held_flat.filter(pa.array(held_idx < 0)).to_pylist()[:MAX_EXAMPLES]
        problems.append(f"{features_path}: column 'held_codes': {(held_idx < 0).sum()} value(s) not in the "
                        f"taxonomy (or null); first: {bad}")
    tenure, gap = _ints(t, "tenure"), _ints(t, "gap")
    for name, v in (("tenure", tenure), ("gap", gap)):
        if (v < 1).any():
            problems.append(examples(v < 1, v, features_path, name, "below 1"))
    weight = t.column("weight").to_numpy().astype(np.float64)
    bad_w = ~np.isfinite(weight) | (weight < 0)
    if bad_w.any():
        problems.append(examples(bad_w, weight, features_path, "weight", "not a finite number >= 0"))
    if problems:
        raise InvalidInput(f"{features_path}: invalid point_features table ({n} rows)", problems)
    if not (split == 0).any():
        raise InvalidInput(f"{features_path}: no point of split 'train' (found splits "
                           f"{sorted(set(split_col.to_pylist()))}); the logit needs training points")

    train = split == 0
    categorical, levels = {}, {}
    categorical["prev_state"], levels["prev_state"] = states["prev_state"], list(tax.codes)
    prev2 = states["prev2_state"].copy()
    prev2[prev2 < 0] = K  # no state two back: its own level
    categorical["prev2_state"], levels["prev2_state"] = prev2, [*tax.codes, NONE_LEVEL]
    for col in ("year", "education", "race", "gender", "region"):
        categorical[col], levels[col] = _levels(t.column(col))

    years_since_first, s_ysf = _standardise(_ints(t, "years_since_first").astype(np.float64), train)
    birth_year, s_by = _standardise(_ints(t, "birth_year").astype(np.float64), train)
    age_std, s_age = _standardise(_ints(t, "age").astype(np.float64), train)
    log_tenure = np.log(tenure).astype(np.float32)
    numeric = np.stack([log_tenure, years_since_first, (gap > 1).astype(np.float32),
                        (_ints(t, "education_changed") != 0).astype(np.float32), birth_year], axis=1)

    prev = states["prev_state"]
    rows = np.repeat(np.arange(n, dtype=np.int64), held_lengths)
    keep = held_idx != prev[rows]
    pairs = np.unique(rows[keep] * K + held_idx[keep])  # distinct and sorted by row

    group_names = sorted({g for g in tax.groups if g is not None})
    gid = {g: i for i, g in enumerate(group_names)}
    state_group = np.array([gid[g] if g is not None else len(group_names) for g in tax.groups], dtype=np.int64)

    return Design(
        n=n, K=K, person_id=_strings(t, "person_id").to_pylist(), split=split.astype(np.int8),
        year=_ints(t, "year"), y=states["true_state"], prev=prev,
        weight=(weight if use_weights else np.ones(n)).astype(np.float32),
        categorical=categorical, numeric=numeric.astype(np.float32), log_tenure=log_tenure,
        gap_m1=(gap - 1).astype(np.float32), age_std=age_std, last_occ=states["last_occupation_before_spell"],
        held_rows=pairs // K, held_cols=pairs % K, group_prev=state_group[prev],
        meta={"levels": levels, "standardisation": {"years_since_first": s_ysf, "birth_year": s_by, "age": s_age},
              "group_names": group_names, "state_group": state_group},
    )


def log_prior(d: Design, rows: np.ndarray) -> np.ndarray:
    """log of the (weighted, add-0.5) marginal of the true states over `rows`: the logit's offset,
    so a state never seen in training keeps a small probability instead of minus infinity."""
    counts = np.bincount(d.y[rows], weights=d.weight[rows], minlength=d.K) + 0.5
    return np.log(counts / counts.sum()).astype(np.float32)

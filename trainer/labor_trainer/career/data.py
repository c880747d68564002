"""Reads and checks the inputs (taxonomy.arrow and point_features.arrow, the contracts of
lib/artifacts/contracts.ts) into per-row arrays. Only the columns the model uses are read;
every problem of a file is reported at once, naming the file, column and first rows."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..arrow_inputs import MAX_EXAMPLES, check_columns, examples, read_arrow
from ..errors import InvalidInput
from .spec import SPLITS

TAXONOMY_COLUMNS = {"code": "string", "title": "string", "kind": "string"}
FEATURE_COLUMNS = {
    "person_id": "string", "split": "string", "year": "int", "true_state": "string", "prev_state": "string",
    "gap": "int", "education": "string", "gender": "string", "race": "string", "region": "string",
    "birth_year": "int", "weight": "number",
}


def _strings(table: pa.Table, col: str) -> list[str]:
    c = table.column(col)
    if pa.types.is_dictionary(c.type):
        c = c.cast(c.type.value_type)
    return c.cast(pa.string()).to_pylist()


@dataclass
class Taxonomy:
    codes: list[str]
    kinds: list[str]

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def kind_levels(self) -> list[str]:
        return sorted(set(self.kinds))


def read_taxonomy(path: str) -> Taxonomy:
    t = read_arrow(path, "taxonomy")
    problems: list[str] = []
    check_columns(t, TAXONOMY_COLUMNS, path, problems)
    if not problems:
        codes = _strings(t, "code")
        if not codes:
            problems.append(f"{path}: no states")
        dup = sorted({c for c in codes if codes.count(c) > 1}) if len(set(codes)) != len(codes) else []
        if dup:
            problems.append(f"{path}: duplicate code(s) {dup[:MAX_EXAMPLES]}")
    if problems:
        raise InvalidInput(f"{path}: invalid taxonomy table", problems)
    return Taxonomy(codes, _strings(t, "kind"))


@dataclass
class Points:
    """The rows of one point_features file, in file order."""

    path: str
    person_id: list[str]
    split: np.ndarray  # int8 index into SPLITS
    year: np.ndarray
    y: np.ndarray  # taxonomy index of true_state
    prev: np.ndarray  # taxonomy index of prev_state
    gap: np.ndarray
    education: list[str]
    gender: list[str]
    race: list[str]
    region: list[str]
    birth_year: np.ndarray
    weight: np.ndarray  # float64

    @property
    def n(self) -> int:
        return len(self.person_id)

    def rows_of(self, splits) -> np.ndarray:
        return np.flatnonzero(np.isin(self.split, [SPLITS.index(s) for s in splits]))


def read_points(path: str, tax: Taxonomy, what: str) -> Points:
    t = read_arrow(path, what)
    problems: list[str] = []
    check_columns(t, FEATURE_COLUMNS, path, problems)
    if problems:
        raise InvalidInput(f"{path}: invalid point_features table", problems)
    index = {c: i for i, c in enumerate(tax.codes)}
    split_col = _strings(t, "split")
    split = np.array([SPLITS.index(s) if s in SPLITS else -1 for s in split_col], dtype=np.int8)
    if (split < 0).any():
        problems.append(examples(split < 0, split_col, path, "split", f"not one of {'|'.join(SPLITS)}"))
    states = {}
    for col in ("true_state", "prev_state"):
        values = _strings(t, col)
        states[col] = np.array([index.get(v, -1) for v in values], dtype=np.int64)
        if (states[col] < 0).any():
            problems.append(examples(states[col] < 0, values, path, col, "not in the taxonomy"))
    ints = {c: t.column(c).to_numpy().astype(np.int64) for c in ("year", "gap", "birth_year")}
    if (ints["gap"] < 1).any():
        problems.append(examples(ints["gap"] < 1, ints["gap"], path, "gap", "below 1"))
    weight = t.column("weight").to_numpy().astype(np.float64)
    bad_w = ~np.isfinite(weight) | (weight < 0)
    if bad_w.any():
        problems.append(examples(bad_w, weight, path, "weight", "not a finite number >= 0"))
    if problems:
        raise InvalidInput(f"{path}: invalid point_features table ({t.num_rows} rows)", problems)
    return Points(path=path, person_id=_strings(t, "person_id"), split=split, year=ints["year"],
                  y=states["true_state"], prev=states["prev_state"], gap=ints["gap"],
                  education=_strings(t, "education"), gender=_strings(t, "gender"), race=_strings(t, "race"),
                  region=_strings(t, "region"), birth_year=ints["birth_year"], weight=weight)

"""Careers from a known first-order Markov chain over the states, written as the point_features
and taxonomy contract tables (the columns the CAREER-style job reads, plus `age`), with the true
transition matrix so a test can compute the oracle's log-loss."""
from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

SPECIAL = [("unemployed", "unemployed"), ("not_in_labor_force", "not_in_labor_force"),
           ("in_education", "in_education")]
EDUCATION = ["less than high school", "high school diploma", "some college", "bachelor's degree"]


def codes(n_occupations: int) -> list[str]:
    return [f"{i:04d}" for i in range(n_occupations)] + [c for c, _ in SPECIAL]


def transition_matrix(K: int, seed: int, stay: float = 2.0, spread: float = 1.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    u = rng.normal(0.0, spread, (K, K)) + stay * np.eye(K)
    e = np.exp(u - u.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def simulate(n_persons: int, P: np.ndarray, seed: int = 0, mean_points: int = 6, prefix: str = "p") -> pa.Table:
    """point_features rows of n_persons careers drawn from transition matrix P (70/20/10 split)."""
    rng = np.random.default_rng(seed)
    K = P.shape[0]
    cs = codes(K - len(SPECIAL))
    stationary = np.linalg.matrix_power(P, 200)[0]
    cols: dict[str, list] = {k: [] for k in ("person_id", "split", "year", "true_state", "prev_state", "gap",
                                             "education", "age", "gender", "race", "region", "birth_year", "weight")}
    for p in range(n_persons):
        split = "train" if p % 10 < 7 else "valid" if p % 10 < 9 else "test"
        birth = int(rng.integers(1950, 1981))
        gender, race, region = rng.choice(["female", "male"]), rng.choice(["A", "B", "C"]), rng.choice(["N", "S", "W"])
        weight = float(rng.uniform(0.5, 2.0))
        year, edu = int(rng.integers(1985, 1995)), int(rng.integers(0, 3))
        state = int(rng.choice(K, p=stationary))
        for _ in range(1 + int(rng.poisson(mean_points - 1))):
            gap = 2 if rng.random() < 0.3 else 1
            year += gap
            edu = min(edu + 1, len(EDUCATION) - 1) if rng.random() < 0.1 else edu
            new = int(rng.choice(K, p=P[state]))
            for k, v in (("person_id", f"{prefix}{p}"), ("split", split), ("year", year), ("true_state", cs[new]),
                         ("prev_state", cs[state]), ("gap", gap), ("education", EDUCATION[edu]),
                         ("age", year - birth), ("gender", str(gender)), ("race", str(race)),
                         ("region", str(region)), ("birth_year", birth), ("weight", weight)):
                cols[k].append(v)
            state = new
    s, i32 = pa.string(), pa.int32()
    types = {"year": i32, "gap": i32, "age": i32, "birth_year": i32, "weight": pa.float64()}
    return pa.table({k: pa.array(v, types.get(k, s)) for k, v in cols.items()})


def taxonomy_table(n_occupations: int) -> pa.Table:
    rows = [(c, f"Occupation {c}", "occupation") for c in codes(n_occupations)[:n_occupations]]
    rows += [(c, c.replace("_", " ").capitalize(), kind) for c, kind in SPECIAL]
    return pa.table({"code": [r[0] for r in rows], "title": [r[1] for r in rows], "kind": [r[2] for r in rows]})


def oracle_nll(table: pa.Table, P: np.ndarray, split: str, weighted: bool = True) -> float:
    cs = codes(P.shape[0] - len(SPECIAL))
    ix = {c: i for i, c in enumerate(cs)}
    d = table.filter(pa.compute.equal(table.column("split"), split)).to_pydict()
    nll = np.array([-np.log(P[ix[a], ix[b]]) for a, b in zip(d["prev_state"], d["true_state"])])
    w = np.array(d["weight"]) if weighted else np.ones(len(nll))
    return float((nll * w).sum() / w.sum())


def marginal_nll(table: pa.Table, split: str) -> float:
    """Log-loss on `split` of the weighted empirical marginal of the train split's true states
    (add-0.5)."""
    d = table.to_pydict()
    states = sorted(set(d["true_state"]) | set(d["prev_state"]))
    counts = {s: 0.5 for s in states}
    for s, y, w in zip(d["split"], d["true_state"], d["weight"]):
        if s == "train":
            counts[y] += w
    total = sum(counts.values())
    pairs = [(y, w) for s, y, w in zip(d["split"], d["true_state"], d["weight"]) if s == split]
    return float(sum(-np.log(counts[y] / total) * w for y, w in pairs) / sum(w for _, w in pairs))


def write_arrow(path: str, table: pa.Table) -> str:
    with ipc.new_file(path, table.schema) as w:
        w.write_table(table)
    return path


def write_job(job_dir, spec: dict) -> str:
    os.makedirs(job_dir, exist_ok=True)
    with open(os.path.join(job_dir, "spec.json"), "w") as f:
        json.dump(spec, f)
    return str(job_dir)

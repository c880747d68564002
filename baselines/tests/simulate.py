"""Careers simulated from a known conditional logit, written as the point_features and taxonomy
contract tables (the columns lib/features/point-features.ts writes; features are computed here
by the same definitions). Used by the tests and the benchmark."""
from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

SPECIAL = [("unemployed", "Unemployed", "unemployed"), ("not_in_labor_force", "Not in labor force", "not_in_labor_force"),
           ("in_education", "In education", "in_education")]
NONEMPLOYMENT = {"unemployed", "not_in_labor_force", "in_education"}
EDUCATION = ["less than high school", "high school diploma", "some college", "bachelor's degree"]
# The planted candidate-specific effects (model.py's names); state-specific effects are zero.
PLANTED = {"stay": 0.5, "stay_x_log_tenure": 1.0, "stay_x_gap": -0.8, "stay_x_age": 0.0,
           "return_to_last_occupation": 1.0, "held_before": 1.5}


def taxonomy(n_occupations: int):
    rows = [(f"{i:04d}", f"Occupation {i}", "occupation") for i in range(n_occupations)] + SPECIAL
    return [r[0] for r in rows], rows


def simulate(n_persons: int, n_occupations: int = 8, seed: int = 0, effects: dict = PLANTED,
             mean_points: int = 7, groups: dict | None = None) -> tuple[pa.Table, pa.Table]:
    """(point_features, taxonomy) tables for n_persons simulated careers. With `groups` (code ->
    group), moves within the previous state's group get effects["same_group"]."""
    rng = np.random.default_rng(seed)
    codes, tax_rows = taxonomy(n_occupations)
    K = len(codes)
    special = np.array([c in NONEMPLOYMENT for c in codes])
    base = rng.normal(0.0, 0.7, K) - 1.0 * special
    cols: dict[str, list] = {k: [] for k in (
        "person_id", "split", "year", "true_state", "prev_state", "prev2_state", "tenure", "years_since_first", "gap",
        "education", "education_prev", "education_changed", "age", "gender", "race", "region", "birth_year",
        "last_occupation_before_spell", "held_codes", "weight")}
    for p in range(n_persons):
        split = "train" if p % 10 < 7 else "valid" if p % 10 < 9 else "test"
        birth = int(rng.integers(1950, 1981))
        gender, race, region = rng.choice(["female", "male"]), rng.choice(["A", "B", "C"]), rng.choice(["N", "S", "W"])
        weight = float(rng.uniform(0.5, 2.0))
        year = int(rng.integers(1985, 1995))
        edu = int(rng.integers(0, 3))
        state = int(rng.choice(K, p=_softmax(base)))
        first_year, tenure, last_occ = year, 1, None
        history = [state]
        prev2 = None
        for _ in range(max(1, int(rng.poisson(mean_points)))):
            gap = 2 if rng.random() < 0.35 else 1
            new_year = year + gap
            new_edu = min(edu + 1, len(EDUCATION) - 1) if rng.random() < 0.1 else edu
            age = new_year - birth
            u = base.copy()
            held = list(dict.fromkeys(history))
            for k in held:
                if k != state:
                    u[k] += effects["held_before"]
            in_spell = codes[state] in NONEMPLOYMENT
            if in_spell and last_occ is not None:
                u[last_occ] += effects["return_to_last_occupation"]
            if groups and codes[state] in groups:
                for k, c in enumerate(codes):
                    if k != state and groups.get(c) == groups[codes[state]]:
                        u[k] += effects["same_group"]
            u[state] += (effects["stay"] + effects["stay_x_log_tenure"] * np.log(tenure)
                         + effects["stay_x_gap"] * (gap - 1) + effects["stay_x_age"] * (age - 45) / 10)
            new_state = int(rng.choice(K, p=_softmax(u)))
            cols["person_id"].append(f"p{p}")
            cols["split"].append(split)
            cols["year"].append(new_year)
            cols["true_state"].append(codes[new_state])
            cols["prev_state"].append(codes[state])
            cols["prev2_state"].append(codes[prev2] if prev2 is not None else None)
            cols["tenure"].append(tenure)
            cols["years_since_first"].append(new_year - first_year)
            cols["gap"].append(gap)
            cols["education"].append(EDUCATION[new_edu])
            cols["education_prev"].append(EDUCATION[edu])
            cols["education_changed"].append(int(new_edu != edu))
            cols["age"].append(age)
            cols["gender"].append(str(gender))
            cols["race"].append(str(race))
            cols["region"].append(str(region))
            cols["birth_year"].append(birth)
            cols["last_occupation_before_spell"].append(codes[last_occ] if in_spell and last_occ is not None else None)
            cols["held_codes"].append([codes[k] for k in held])
            cols["weight"].append(weight)
            # Fold the new observation into the history.
            if not in_spell:
                last_occ = state
            tenure = tenure + 1 if new_state == state else 1
            prev2, state, year, edu = state, new_state, new_year, new_edu
            history.append(state)
    return features_table(cols), taxonomy_table(tax_rows)


def _softmax(u: np.ndarray) -> np.ndarray:
    e = np.exp(u - u.max())
    return e / e.sum()


def features_table(cols: dict) -> pa.Table:
    s, i32 = pa.string(), pa.int32()
    types = {"year": i32, "tenure": i32, "years_since_first": i32, "gap": i32, "education_changed": i32, "age": i32,
             "birth_year": i32, "held_codes": pa.list_(pa.field("item", s, nullable=False)), "weight": pa.float64()}
    return pa.table({k: pa.array(v, types.get(k, s)) for k, v in cols.items()})


def taxonomy_table(rows) -> pa.Table:
    return pa.table({"code": [r[0] for r in rows], "title": [r[1] for r in rows], "kind": [r[2] for r in rows]})


def write_arrow(path: str, table: pa.Table) -> str:
    with ipc.new_file(path, table.schema) as w:
        w.write_table(table)
    return path


def write_inputs(folder: str, features: pa.Table, tax: pa.Table) -> tuple[str, str]:
    os.makedirs(folder, exist_ok=True)
    return (write_arrow(os.path.join(folder, "point_features.arrow"), features),
            write_arrow(os.path.join(folder, "taxonomy.arrow"), tax))


def write_job(job_dir: str, spec: dict) -> str:
    os.makedirs(job_dir, exist_ok=True)
    with open(os.path.join(job_dir, "spec.json"), "w") as f:
        json.dump(spec, f)
    return str(job_dir)

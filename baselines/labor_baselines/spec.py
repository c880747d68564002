"""spec.json of a logit job: parsing, defaults and checks of the keys themselves (the input
files are checked in data.py). Unknown keys are rejected with a "did you mean"; every problem
is reported at once."""
from __future__ import annotations

import copy
import difflib
import json
import math
import os
from typing import Any

from .errors import InvalidInput

SPLITS = ("train", "valid", "test")

DEFAULTS: dict[str, Any] = {
    "features": None,  # required: point_features.arrow
    "taxonomy": None,  # required: taxonomy.arrow
    "penalties": [1e-1, 1e-2, 1e-3, 1e-4],
    "max_iter": 200,
    "history_size": 20,
    "tolerance": 1e-6,
    "chunk_size": 16384,
    "use_weights": True,
    "groups": None,
    "predict_splits": ["test"],
    "threads": None,
}
REQUIRED = ("features", "taxonomy")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def resolve_spec(raw: Any, job_dir: str | None = None) -> dict:
    """Merges defaults into the raw spec, checks every key, resolves paths against job_dir."""
    where = "spec.json"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: expected a JSON object, found {type(raw).__name__}")
    p: list[str] = []
    for k in raw:
        if k not in DEFAULTS:
            near = difflib.get_close_matches(str(k), list(DEFAULTS), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            p.append(f"{k}: unknown key{hint}; allowed keys: {', '.join(DEFAULTS)}")
    spec = copy.deepcopy(DEFAULTS)
    spec.update({k: v for k, v in raw.items() if k in DEFAULTS})

    for k in REQUIRED:
        v = spec[k]
        if not isinstance(v, str) or not v:
            p.append(f"{k}: required, expected a file path, found {json.dumps(v)}")
        elif job_dir and not os.path.isabs(v):
            spec[k] = os.path.normpath(os.path.join(job_dir, v))
    pen = spec["penalties"]
    if not isinstance(pen, list) or not pen or not all(_is_num(x) and x >= 0 for x in pen):
        p.append(f"penalties: expected a non-empty list of numbers >= 0, found {json.dumps(pen)}")
    elif len(set(pen)) != len(pen):
        p.append(f"penalties: values must be distinct, found {json.dumps(pen)}")
    for k, lo in (("max_iter", 1), ("history_size", 1), ("chunk_size", 1)):
        if not _is_int(spec[k]) or spec[k] < lo:
            p.append(f"{k}: expected an integer >= {lo}, found {json.dumps(spec[k])}")
    if not _is_num(spec["tolerance"]) or spec["tolerance"] <= 0:
        p.append(f"tolerance: expected a number > 0, found {json.dumps(spec['tolerance'])}")
    if not isinstance(spec["use_weights"], bool):
        p.append(f"use_weights: expected true or false, found {json.dumps(spec['use_weights'])}")
    g = spec["groups"]
    if g is not None and not (isinstance(g, dict) and all(isinstance(v, str) and v for v in g.values())):
        p.append(f"groups: expected null or an object mapping state codes to group names (non-empty strings), "
                 f"found {json.dumps(g)[:200]}")
    ps = spec["predict_splits"]
    if not isinstance(ps, list) or not ps or not all(s in SPLITS for s in ps) or len(set(ps)) != len(ps):
        p.append(f"predict_splits: expected a non-empty list of distinct splits from {', '.join(SPLITS)}, found {json.dumps(ps)}")
    t = spec["threads"]
    if t is not None and (not _is_int(t) or t < 1):
        p.append(f"threads: expected an integer >= 1 or null, found {json.dumps(t)}")
    if p:
        raise InvalidInput(f"{where}: {len(p)} problem(s)", p)
    if spec["groups"] is not None:
        spec["groups"] = dict(sorted(spec["groups"].items()))
    return spec


def load_spec(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: spec.json not found (the job folder must hold spec.json)") from None
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{path}: not valid JSON: {e}") from None
    try:
        return resolve_spec(raw, os.path.dirname(os.path.abspath(path)))
    except InvalidInput as e:
        raise InvalidInput(f"{path}: {e.message}") from None

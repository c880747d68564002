"""spec.json of a CAREER-style job: defaults and checks of the keys themselves (the input files
are checked in data.py). Unknown keys are rejected with a "did you mean"; every problem is
reported at once (the trainer's spec helpers)."""
from __future__ import annotations

import copy
import json
import os
from typing import Any

from ..errors import InvalidInput
from ..spec import _check_enum, _check_int, _is_num, _Problems

SPLITS = ("train", "valid", "test")
DEVICES = ("cpu", "cuda")

DEFAULTS: dict[str, Any] = {
    "features": None,  # required: point_features.arrow of the population to fit and predict
    "taxonomy": None,  # required: taxonomy.arrow (states, in the order of every distribution)
    "pretrain_features": None,  # another point_features.arrow (e.g. the resume panel), or null
    "pretrain_splits": ["train", "valid", "test"],  # its points used for pretraining
    "layers": 2,
    "hidden": 64,
    "heads": 4,
    "dropout": 0.1,
    "max_len": 64,  # positions per sequence; longer careers are cut into windows
    "epochs": 10,  # fine-tuning passes over the `features` train sequences
    "pretrain_epochs": 3,  # used only with pretrain_features
    "batch_size": 32,  # sequences (persons' windows) per step
    "learning_rate": 1e-3,
    "pretrain_learning_rate": None,  # null: learning_rate
    "weight_decay": 0.01,
    "warmup_steps": 20,  # per phase, then cosine decay to 0 at the phase's last step
    "eval_every": 100,  # steps between validation log-losses (and at each phase end)
    "early_stopping_patience": None,  # fine-tuning evaluations without a new best before stopping
    "checkpoint_every": 100,  # steps between checkpoints (and at each phase end, and on SIGTERM)
    "use_weights": True,  # weight each point's log-loss by its `weight` column
    "seed": 0,
    "threads": None,
    "predict_splits": ["valid", "test"],
    "device": "cpu",
}
REQUIRED = ("features", "taxonomy")
PATHS = ("features", "taxonomy", "pretrain_features")


def _splits(p: _Problems, key: str, v) -> None:
    if not isinstance(v, list) or not v or not all(s in SPLITS for s in v) or len(set(v)) != len(v):
        p.append(f"{key}: expected a non-empty list of distinct splits from {', '.join(SPLITS)}, found {json.dumps(v)}")


def _number(p: _Problems, key: str, v, lo: float, hi: float, lo_open: bool, hi_open: bool, nullable=False) -> None:
    if v is None and nullable:
        return
    ok = _is_num(v) and (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok:
        rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        p.append(f"{key}: expected a number in {rng}{' or null' if nullable else ''}, found {json.dumps(v)}")


def resolve_spec(raw: Any, job_dir: str | None = None) -> dict:
    """The spec with defaults filled in and paths resolved against job_dir, or InvalidInput
    listing every problem."""
    if not isinstance(raw, dict):
        raise InvalidInput("spec.json: expected a JSON object at the top level", [f"found {type(raw).__name__}"])
    p = _Problems()
    p.unknown("spec.", [k for k in raw if k not in DEFAULTS], list(DEFAULTS))
    spec = copy.deepcopy(DEFAULTS)
    spec.update({k: v for k, v in raw.items() if k in DEFAULTS})
    for k in PATHS:
        v = spec[k]
        if v is None and k not in REQUIRED:
            continue
        if not isinstance(v, str) or not v:
            p.append(f"spec.{k}: {'required, ' if k in REQUIRED else ''}expected a file path"
                     f"{'' if k in REQUIRED else ' or null'}, found {json.dumps(v)}")
        else:
            spec[k] = os.path.abspath(os.path.join(job_dir or os.getcwd(), v))
    _splits(p, "spec.pretrain_splits", spec["pretrain_splits"])
    _splits(p, "spec.predict_splits", spec["predict_splits"])
    for k, lo in (("layers", 1), ("hidden", 2), ("heads", 1), ("max_len", 2), ("epochs", 0), ("pretrain_epochs", 0),
                  ("batch_size", 1), ("warmup_steps", 0), ("eval_every", 1), ("checkpoint_every", 1), ("seed", 0)):
        _check_int(p, f"spec.{k}", spec[k], lo)
    _check_int(p, "spec.early_stopping_patience", spec["early_stopping_patience"], 1, nullable=True)
    _check_int(p, "spec.threads", spec["threads"], 1, nullable=True)
    h, nh = spec["hidden"], spec["heads"]
    if isinstance(h, int) and isinstance(nh, int) and nh >= 1 and h % nh:
        p.append(f"spec.hidden: must be divisible by heads ({nh}), found {h}")
    _number(p, "spec.dropout", spec["dropout"], 0, 1, False, True)
    _number(p, "spec.learning_rate", spec["learning_rate"], 0, 1, True, True)
    _number(p, "spec.pretrain_learning_rate", spec["pretrain_learning_rate"], 0, 1, True, True, nullable=True)
    _number(p, "spec.weight_decay", spec["weight_decay"], 0, 1, False, False)
    if not isinstance(spec["use_weights"], bool):
        p.append(f"spec.use_weights: expected true or false, found {json.dumps(spec['use_weights'])}")
    _check_enum(p, "spec.device", spec["device"], DEVICES)
    if spec["epochs"] == 0 and not (spec["pretrain_features"] and spec["pretrain_epochs"]):
        p.append("spec.epochs: 0 fine-tuning epochs needs pretrain_features and pretrain_epochs >= 1 "
                 "(the model would never be trained)")
    if p:
        raise InvalidInput(f"spec.json: {len(p)} problem(s)", p)
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

"""spec.json: parsing, defaults and validation of the keys themselves (file and model
checks live in validate.py). Unknown keys are rejected, every problem is reported at once."""
from __future__ import annotations

import copy
import difflib
import json
import os
from typing import Any

from .errors import InvalidInput

DECAYS = ("cosine", "linear", "constant")
METHODS = ("full", "lora")
PRECISIONS = ("fp32", "bf16", "fp16")
DEVICES = ("cpu", "cuda")
EXPORTS = ("onnx", "none")
ARCHITECTURES = ("llama",)

DEFAULTS: dict[str, Any] = {
    "texts": None,  # required: a path to texts.arrow, or a list of them (pooled in order)
    "base": None,  # required: {"path": ...} or {"init": {...}}
    "method": "full",
    # merge: store the merged weights, not the adapters alone (model_folder.py)
    "lora": {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": ["q_proj", "v_proj"], "merge": False},
    "epochs": 1,
    "max_steps": None,
    "learning_rate": 1e-3,
    "schedule": {"warmup_steps": 0, "decay": "cosine"},
    "batch_size": 8,
    "grad_accum": 1,
    "max_seq_len": 256,
    "packing": True,  # a batch's sequences share rows of max_seq_len tokens (batch_size still counts sequences)
    "gradient_checkpointing": False,
    "seed": 0,
    "eval_every": 50,
    "early_stopping_patience": None,
    "precision": "fp32",
    "device": "cpu",
    "checkpoint_every": 50,
    "threads": None,
    "export": "onnx",  # "none": HF weights and tokenizer only (a torch scorer reads them; no ONNX graph)
}
INIT_DEFAULTS: dict[str, Any] = {
    "architecture": "llama",
    "layers": 2,
    "hidden": 64,
    "heads": 4,
    "intermediate": None,  # default 4 * hidden
    "vocab_size": 1024,
    "max_positions": 512,
}
REQUIRED = ("texts", "base")


class _Problems(list):
    def unknown(self, where: str, keys, allowed) -> None:
        for k in keys:
            near = difflib.get_close_matches(str(k), list(allowed), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            self.append(f"{where}{k}: unknown key{hint}; allowed keys: {', '.join(allowed)}")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def _check_int(p: _Problems, key: str, v, lo: int, nullable=False) -> None:
    if v is None and nullable:
        return
    if not _is_int(v) or v < lo:
        null = " or null" if nullable else ""
        p.append(f"{key}: expected an integer >= {lo}{null}, found {json.dumps(v)}")


def _check_enum(p: _Problems, key: str, v, options) -> None:
    if v not in options:
        p.append(f"{key}: expected one of {', '.join(repr(o) for o in options)}, found {json.dumps(v)}")


def resolve_spec(raw: Any, job_dir: str | None = None) -> dict:
    """Returns the spec with defaults filled in, or raises InvalidInput listing every problem."""
    p = _Problems()
    if not isinstance(raw, dict):
        raise InvalidInput("spec.json: expected a JSON object at the top level", [f"found {type(raw).__name__}"])
    p.unknown("spec.", [k for k in raw if k not in DEFAULTS], list(DEFAULTS))
    for k in REQUIRED:
        if raw.get(k) is None:
            p.append(f"spec.{k}: required key is missing")
    spec = copy.deepcopy(DEFAULTS)
    for k, v in raw.items():
        if k in DEFAULTS and k not in ("lora", "schedule", "base"):
            spec[k] = v

    # texts: one path, or a list of paths whose texts are pooled in order
    t = raw.get("texts")
    if t is not None:
        here = job_dir or os.getcwd()
        if isinstance(t, str) and t:
            spec["texts"] = os.path.abspath(os.path.join(here, t))
        elif isinstance(t, list) and t and all(isinstance(x, str) and x for x in t):
            spec["texts"] = [os.path.abspath(os.path.join(here, x)) for x in t]
            for i, x in enumerate(spec["texts"]):
                if spec["texts"].index(x) != i:
                    p.append(f"spec.texts[{i}]: {x} is also spec.texts[{spec['texts'].index(x)}]; list each file once")
        else:
            p.append(f"spec.texts: expected a path to texts.arrow or a non-empty list of such paths, found {json.dumps(t)}")

    # base
    b = raw.get("base")
    if b is not None:
        if not isinstance(b, dict):
            p.append(f"spec.base: expected {{\"path\": ...}} or {{\"init\": {{...}}}}, found {json.dumps(b)}")
        else:
            p.unknown("spec.base.", [k for k in b if k not in ("path", "init")], ["path", "init"])
            has_path, has_init = b.get("path") is not None, b.get("init") is not None
            if has_path == has_init:
                p.append("spec.base: give exactly one of 'path' (a Hugging Face model folder) or 'init' (a small config)")
            elif has_path:
                bp = b["path"]
                if not isinstance(bp, str) or not bp:
                    p.append(f"spec.base.path: expected a folder path, found {json.dumps(bp)}")
                else:
                    spec["base"] = {"path": os.path.abspath(os.path.join(job_dir or os.getcwd(), bp))}
            else:
                spec["base"] = {"init": _resolve_init(p, b["init"])}

    # method and lora
    _check_enum(p, "spec.method", spec["method"], METHODS)
    lo = raw.get("lora")
    if lo is not None:
        if not isinstance(lo, dict):
            p.append(f"spec.lora: expected an object, found {json.dumps(lo)}")
        else:
            allowed = list(DEFAULTS["lora"])
            p.unknown("spec.lora.", [k for k in lo if k not in allowed], allowed)
            spec["lora"].update({k: v for k, v in lo.items() if k in allowed})
    L = spec["lora"]
    _check_int(p, "spec.lora.r", L["r"], 1)
    if not _is_num(L["alpha"]) or L["alpha"] <= 0:
        p.append(f"spec.lora.alpha: expected a number > 0, found {json.dumps(L['alpha'])}")
    if not _is_num(L["dropout"]) or not (0 <= L["dropout"] < 1):
        p.append(f"spec.lora.dropout: expected a number in [0, 1), found {json.dumps(L['dropout'])}")
    tm = L["target_modules"]
    if not isinstance(tm, list) or not tm or not all(isinstance(x, str) and x for x in tm):
        p.append(f"spec.lora.target_modules: expected a non-empty list of module names, found {json.dumps(tm)}")
    if not isinstance(L["merge"], bool):
        p.append(f"spec.lora.merge: expected true or false, found {json.dumps(L['merge'])}")

    # schedule
    s = raw.get("schedule")
    if s is not None:
        if not isinstance(s, dict):
            p.append(f"spec.schedule: expected an object, found {json.dumps(s)}")
        else:
            allowed = list(DEFAULTS["schedule"])
            p.unknown("spec.schedule.", [k for k in s if k not in allowed], allowed)
            spec["schedule"].update({k: v for k, v in s.items() if k in allowed})
    _check_int(p, "spec.schedule.warmup_steps", spec["schedule"]["warmup_steps"], 0)
    _check_enum(p, "spec.schedule.decay", spec["schedule"]["decay"], DECAYS)

    # scalars
    _check_int(p, "spec.epochs", spec["epochs"], 1)
    _check_int(p, "spec.max_steps", spec["max_steps"], 1, nullable=True)
    lr = spec["learning_rate"]
    if not _is_num(lr) or not (0 < lr < 1):
        p.append(f"spec.learning_rate: expected a number in (0, 1), found {json.dumps(lr)}")
    _check_int(p, "spec.batch_size", spec["batch_size"], 1)
    _check_int(p, "spec.grad_accum", spec["grad_accum"], 1)
    _check_int(p, "spec.max_seq_len", spec["max_seq_len"], 2)
    _check_int(p, "spec.seed", spec["seed"], 0)
    _check_int(p, "spec.eval_every", spec["eval_every"], 1, nullable=True)
    _check_int(p, "spec.early_stopping_patience", spec["early_stopping_patience"], 1, nullable=True)
    for k in ("packing", "gradient_checkpointing"):
        if not isinstance(spec[k], bool):
            p.append(f"spec.{k}: expected true or false, found {json.dumps(spec[k])}")
    _check_enum(p, "spec.precision", spec["precision"], PRECISIONS)
    _check_enum(p, "spec.device", spec["device"], DEVICES)
    _check_int(p, "spec.checkpoint_every", spec["checkpoint_every"], 1, nullable=True)
    _check_int(p, "spec.threads", spec["threads"], 1, nullable=True)
    _check_enum(p, "spec.export", spec["export"], EXPORTS)
    if spec["device"] == "cpu" and spec["precision"] == "fp16":
        p.append("spec.precision: 'fp16' needs device 'cuda' (on CPU use 'bf16' or 'fp32')")

    if p:
        raise InvalidInput(f"spec.json: {len(p)} problem(s)", p)
    return spec


def _resolve_init(p: _Problems, init) -> dict | None:
    if not isinstance(init, dict):
        p.append(f"spec.base.init: expected an object, found {json.dumps(init)}")
        return None
    p.unknown("spec.base.init.", [k for k in init if k not in INIT_DEFAULTS], list(INIT_DEFAULTS))
    out = dict(INIT_DEFAULTS)
    out.update({k: v for k, v in init.items() if k in INIT_DEFAULTS})
    if out["intermediate"] is None and _is_int(out["hidden"]):
        out["intermediate"] = 4 * out["hidden"]
    _check_enum(p, "spec.base.init.architecture", out["architecture"], ARCHITECTURES)
    for k, lo in (("layers", 1), ("hidden", 2), ("heads", 1), ("intermediate", 1), ("vocab_size", 258), ("max_positions", 2)):
        _check_int(p, f"spec.base.init.{k}", out[k], lo)
    if _is_int(out["hidden"]) and _is_int(out["heads"]) and out["heads"] >= 1:
        if out["hidden"] % out["heads"] or (out["hidden"] // out["heads"]) % 2:
            p.append(
                f"spec.base.init: hidden ({out['hidden']}) must be divisible by heads ({out['heads']}) "
                "into an even head size (rotary embeddings)"
            )
    return out


def load_spec(path: str) -> dict:
    if not os.path.exists(path):
        raise InvalidInput(f"spec.json not found: {path}")
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{path}: not valid JSON: {e}")
    return resolve_spec(raw, job_dir=os.path.dirname(os.path.abspath(path)))

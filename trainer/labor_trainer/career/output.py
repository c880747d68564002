"""output/ (distributions.arrow, model.pt) and metrics.json of a finished fit. output/ is
written to a temporary folder and swapped in whole."""
from __future__ import annotations

import math
import os
import resource

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import torch

from ..jobdir import replace_dir
from .data import Points, Taxonomy
from .infer import window_log_probs
from .sequences import Encoded, predict_windows
from .spec import SPLITS

MODEL = "career"
VERSION = 1


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def predict(model, pts: Points, enc: Encoded, splits: list[str], max_len: int, device, progress) -> dict:
    """Per split: (rows in file order, probabilities [rows, K] as float32)."""
    out = {}
    for s in splits:
        seqs = [q for q, sp in zip(enc.sequences, enc.seq_split) if sp == SPLITS.index(s)]
        rows = pts.rows_of([s])
        pos = np.full(pts.n, -1, dtype=np.int64)
        pos[rows] = np.arange(len(rows))
        probs = np.zeros((len(rows), int(model.head.out_features)), dtype=np.float32)
        for r, logp in window_log_probs(model, enc, predict_windows(seqs, max_len), device, progress):
            probs[pos[r.numpy()]] = torch.exp(logp).numpy()
        out[s] = (rows, probs)
    return out


def weighted_nll(pts: Points, rows: np.ndarray, probs: np.ndarray, use_weights: bool) -> float | None:
    """Of the written (float32) probabilities, as the evaluation will read them."""
    if not len(rows):
        return None
    w = pts.weight[rows] if use_weights else np.ones(len(rows))
    p_true = probs[np.arange(len(rows)), pts.y[rows]].astype(np.float64)
    return float(-(np.log(np.maximum(p_true, 1e-45)) * w).sum() / w.sum()) if w.sum() > 0 else None


def write_output(job, pts: Points, tax: Taxonomy, parts: dict, model_file: dict) -> None:
    K = tax.size
    tmp = job.output + f".tmp-{os.getpid()}"
    os.makedirs(tmp, exist_ok=True)
    order = list(parts)
    n = sum(len(parts[s][0]) for s in order)
    flat = np.concatenate([parts[s][1].reshape(-1) for s in order]) if order else np.zeros(0, np.float32)
    all_rows = np.concatenate([parts[s][0] for s in order]).astype(np.int64) if order else np.zeros(0, np.int64)
    table = pa.table({
        "person_id": pa.array([pts.person_id[r] for r in all_rows], pa.string()),
        "split": pa.array([s for s in order for _ in range(len(parts[s][0]))], pa.string()),
        "year": pa.array(pts.year[all_rows].astype(np.int32), pa.int32()),
        "true_state": pa.array([tax.codes[k] for k in pts.y[all_rows]], pa.string()),
        "probs": pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * K),
                                          pa.array(flat.astype(np.float32), pa.float32())),
    })
    with ipc.new_file(os.path.join(tmp, "distributions.arrow"), table.schema) as w:
        w.write_table(table)
    torch.save(model_file, os.path.join(tmp, "model.pt"))
    replace_dir(tmp, job.output)


def metrics(key: str, spec: dict, st: dict, parts: dict, pts: Points, n_params: int, n_states: int,
            total_steps: int) -> dict:
    val = st["best_val"]
    predicted = {s: weighted_nll(pts, rows, probs, spec["use_weights"]) for s, (rows, probs) in parts.items()}
    return {
        "model": MODEL, "version": VERSION, "fit_key": key, "weighted": spec["use_weights"],
        "val_nll": val, "val_perplexity": math.exp(val) if val is not None else None, "best_step": st["best_step"],
        "predicted_nll": predicted,
        "predicted_perplexity": {s: math.exp(v) if v is not None else None for s, v in predicted.items()},
        "steps": st["step"], "total_steps": total_steps, "stopped_early": st["stopped_early"],
        "phases": st["phases"], "evaluations": st["evaluations"],
        "n_points": {s: int((pts.split == i).sum()) for i, s in enumerate(SPLITS)},
        "n_states": n_states, "n_params": n_params, "device": spec["device"],
        "fit_s": st["fit_s"], "cpu_s": cpu_s(), "peak_rss_mb": peak_rss_mb(),
    }

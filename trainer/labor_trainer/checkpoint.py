"""Checkpoints: checkpoints/ (latest, everything needed to resume) and best/ (weights of the
best validation step). Each is written to a temporary folder, then swapped in, so a kill at
any moment leaves the previous complete one."""
from __future__ import annotations

import json
import os
import random
import shutil

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .jobdir import replace_dir, utc_now, write_json_atomic

WEIGHTS = "trainable.safetensors"
STATE = "state.json"


def rng_state() -> dict:
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        "python": random.getstate(),
        "numpy": np.random.get_state(),
    }


def set_rng_state(s: dict) -> None:
    torch.set_rng_state(s["torch"])
    if s.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])
    random.setstate(s["python"])
    np.random.set_state(s["numpy"])


def _fresh(tmp: str) -> None:
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)


def save_checkpoint(folder: str, weights: dict, state: dict, optimizer, scheduler, scaler) -> None:
    tmp = folder + ".tmp"
    _fresh(tmp)
    save_file(weights, os.path.join(tmp, WEIGHTS))
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
         "scaler": scaler.state_dict(), "rng": rng_state()},
        os.path.join(tmp, "trainer_state.pt"),
    )
    write_json_atomic(os.path.join(tmp, STATE), state)
    replace_dir(tmp, folder)


def load_checkpoint(folder: str, device: str) -> tuple[dict, dict, dict]:
    """Returns (weights, state, trainer_state) or raises FileNotFoundError."""
    with open(os.path.join(folder, STATE), encoding="utf-8") as f:
        state = json.load(f)
    weights = load_file(os.path.join(folder, WEIGHTS))
    ts = torch.load(os.path.join(folder, "trainer_state.pt"), map_location=device, weights_only=False)
    return weights, state, ts


def has_checkpoint(folder: str) -> bool:
    return all(os.path.exists(os.path.join(folder, f)) for f in (STATE, WEIGHTS, "trainer_state.pt"))


def save_best(folder: str, weights: dict, state: dict) -> None:
    tmp = folder + ".tmp"
    _fresh(tmp)
    save_file(weights, os.path.join(tmp, WEIGHTS))
    write_json_atomic(os.path.join(tmp, STATE), state)
    replace_dir(tmp, folder)


def load_best(folder: str) -> tuple[dict, dict]:
    with open(os.path.join(folder, STATE), encoding="utf-8") as f:
        state = json.load(f)
    return load_file(os.path.join(folder, WEIGHTS)), state


# ---- a trainer's checkpoints (labor_trainer.loop.Trainer) -------------------------------------
def save_latest(tr) -> None:
    from .modeling import trainable_state

    state = {**tr.state, "spec_hash": tr.spec_hash, "texts_sha256": tr.texts_sha,
             "total_steps": tr.total_steps, "saved_at": utc_now()}
    save_checkpoint(tr.job.checkpoints, trainable_state(tr.model), state, tr.optimizer, tr.scheduler, tr.scaler)


def save_best_of(tr) -> None:
    from .modeling import trainable_state

    save_best(tr.job.best, trainable_state(tr.model),
              {"step": tr.state["step"], "val_loss": tr.state["val_loss"], "method": tr.spec["method"],
               "spec_hash": tr.spec_hash, "saved_at": utc_now()})


def resume(tr) -> None:
    """Loads checkpoints/ into a set-up trainer, if there is one; refuses one of another job."""
    from .errors import InvalidInput
    from .modeling import load_trainable_state

    if not has_checkpoint(tr.job.checkpoints):
        return
    weights, state, ts = load_checkpoint(tr.job.checkpoints, str(tr.device))
    if state.get("spec_hash") != tr.spec_hash or state.get("texts_sha256") != tr.texts_sha:
        texts = "the texts file" if isinstance(tr.spec["texts"], str) else "the texts files"  # one, or several pooled
        what = "spec.json" if state.get("spec_hash") != tr.spec_hash else texts
        raise InvalidInput(f"{tr.job.checkpoints} was written for a different job ({what} changed since); "
                           f"delete {tr.job.checkpoints} and {tr.job.best} to start over, or restore {what}")
    load_trainable_state(tr.model, weights)
    tr.optimizer.load_state_dict(ts["optimizer"])
    tr.scheduler.load_state_dict(ts["scheduler"])
    tr.scaler.load_state_dict(ts["scaler"])
    set_rng_state(ts["rng"])
    for k in tr.state:
        if k in state:
            tr.state[k] = state[k]
    tr.run_start_step = tr.state["step"]
    tr.status.update(step=tr.state["step"], epoch=round(tr.state["step"] / tr.steps_per_epoch, 4),
                     val_loss=tr.state["val_loss"], best_val_loss=tr.state["best_val_loss"])
    tr.log(f"resumed from checkpoint at step {tr.state['step']} (epoch {tr.state['epoch']}, "
           f"batch {tr.state['batch_in_epoch']}){' - training already finished' if tr.state['done'] else ''}")

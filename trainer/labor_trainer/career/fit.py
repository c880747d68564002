"""Training: the phases (pretraining on another population, then fine-tuning), each with a
fresh AdamW, linear warmup and cosine decay; validation log-loss on `features` valid points
every eval_every steps and at each phase end; the best fine-tuning weights kept; checkpoints
every checkpoint_every steps, at phase ends and when asked to stop."""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from ..errors import TrainingFailed
from . import checkpoint
from .infer import mean_nll
from .sequences import Encoded, Window, collate

GRAD_CLIP = 1.0
LOG_EVERY_S = 10.0  # at most one progress line per this many seconds in the log


@dataclass
class Phase:
    name: str  # "pretrain" | "finetune"
    enc: Encoded
    windows: list[Window]
    epochs: int
    learning_rate: float
    batch_size: int

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.windows) / self.batch_size)

    @property
    def total(self) -> int:
        return self.epochs * self.steps_per_epoch


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warmup over `warmup` steps, then cosine decay to 0 at the phase's last step."""
    if step < warmup:
        return (step + 1) / (warmup + 1)
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


class Fitter:
    def __init__(self, spec: dict, key: str, job, log, status, stops, model, phases: list[Phase],
                 valid: tuple[Encoded, list[Window]], device: torch.device):
        self.spec, self.key, self.job, self.log, self.status, self.stops = spec, key, job, log, status, stops
        self.model, self.phases, self.valid, self.device = model, phases, valid, device
        self.total_steps = sum(p.total for p in phases)
        self.st = {"phase": 0, "phase_step": 0, "step": 0, "loss": None, "val_loss": None, "best_val": None,
                   "best_step": None, "since_best": 0, "stopped_early": False, "evaluations": [], "phases": [],
                   "fit_s": 0.0}
        self.best_weights = None
        self.optimizer = None
        self._orders: dict = {}

    # ---- checkpoints ---------------------------------------------------------------------------
    def resume(self) -> None:
        ck = checkpoint.load(self.job.checkpoints, self.key)
        if ck is None:
            return
        self.model.load_state_dict(ck["model"])
        self.st = ck["state"]
        self.best_weights = ck["best_weights"]
        if ck["optimizer"] is not None:
            self._new_optimizer().load_state_dict(ck["optimizer"])
        checkpoint.set_rng_state(ck["rng"])
        done = self.st["phase"] >= len(self.phases)
        self.log(f"resumed from checkpoint at step {self.st['step']}/{self.total_steps}"
                 f"{' - training already finished' if done else ''}")

    def save(self) -> None:
        now = time.monotonic()
        self.st["fit_s"] += now - self._mark
        self._mark = now
        self.status.update(step=self.st["step"], loss=self.st["loss"])  # written first: never behind the checkpoint
        checkpoint.save(self.job.checkpoints, {
            "fit_key": self.key, "state": self.st, "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict() if self.optimizer is not None else None,
            "best_weights": self.best_weights})

    def _new_optimizer(self) -> torch.optim.Optimizer:
        ph = self.phases[self.st["phase"]]
        self.optimizer = torch.optim.AdamW(self.model.param_groups(self.spec["weight_decay"]), lr=ph.learning_rate)
        return self.optimizer

    # ---- training ------------------------------------------------------------------------------
    def run(self) -> None:
        self._mark = time.monotonic()
        self._last_log = 0.0
        self.status.update(total_steps=self.total_steps, step=self.st["step"], loss=self.st["loss"],
                           val_loss=self.st["val_loss"], best_val_loss=self.st["best_val"])
        while self.st["phase"] < len(self.phases):
            ph = self.phases[self.st["phase"]]
            if self.optimizer is None:
                self._new_optimizer()
            if self.st["phase_step"] == 0:
                self.log(f"phase {ph.name}: {ph.epochs} epoch(s) x {ph.steps_per_epoch} steps over "
                         f"{len(ph.windows)} sequences, learning rate {ph.learning_rate:g}")
            self._run_phase(ph)

    def _order(self, phase: int, epoch: int, n: int) -> np.ndarray:
        """The windows' order in an epoch: a function of (seed, phase, epoch), so a resumed run
        sees the same batches."""
        k = (phase, epoch)
        if k not in self._orders:
            self._orders = {k: np.random.default_rng([self.spec["seed"], phase, epoch]).permutation(n)}
        return self._orders[k]

    def _run_phase(self, ph: Phase) -> None:
        st, spec = self.st, self.spec
        last = st["phase"] == len(self.phases) - 1
        while True:
            epoch, b = divmod(st["phase_step"], ph.steps_per_epoch)
            order = self._order(st["phase"], epoch, len(ph.windows))
            idx = order[b * ph.batch_size:(b + 1) * ph.batch_size]
            factor = lr_factor(st["phase_step"], ph.total, spec["warmup_steps"])
            st["loss"] = self._step(ph, [ph.windows[i] for i in idx], ph.learning_rate * factor)
            st["phase_step"] += 1
            st["step"] += 1
            end = st["phase_step"] == ph.total
            self.status.update(force=False, phase=_phase_status(ph.name), step=st["step"], loss=st["loss"],
                               epoch=round(st["phase_step"] / ph.steps_per_epoch, 4))
            if st["phase_step"] % spec["eval_every"] == 0 or end:
                self._evaluate(ph.name, last)
            if end or st["stopped_early"]:
                st["phases"].append({"name": ph.name, "steps": st["phase_step"], "epochs": ph.epochs,
                                     "sequences": len(ph.windows), "last_loss": st["loss"],
                                     "val_nll_end": st["val_loss"]})
                self.log(f"phase {ph.name} finished at step {st['step']}{' (stopped early)' if st['stopped_early'] else ''}"
                         f": loss {st['loss']:.4f}, val_nll {st['val_loss']:.4f}")
                st["phase"] += 1
                st["phase_step"] = 0
                self.optimizer = None
                self.save()
                self._check_stop(saved=True)
                return
            if st["phase_step"] % spec["checkpoint_every"] == 0:
                self.save()
            self._check_stop()
            now = time.monotonic()
            if now - self._last_log >= LOG_EVERY_S:
                self._last_log = now
                self.log(f"step {st['step']}/{self.total_steps} ({ph.name}) loss {st['loss']:.4f}")

    def _step(self, ph: Phase, windows: list[Window], lr: float) -> float:
        self.model.train()
        b = collate(ph.enc, windows).to(self.device)
        logits = self.model(b.state, b.kind, b.cov)
        nll = F.cross_entropy(logits.flatten(0, 1).float(), b.target.flatten(), reduction="none")
        w = b.weight.flatten()
        loss = (nll * w).sum() / w.sum().clamp_min(1e-12)
        if not torch.isfinite(loss):
            raise TrainingFailed(f"non-finite training loss at step {self.st['step'] + 1}; lower learning_rate")
        for g in self.optimizer.param_groups:
            g["lr"] = lr
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), GRAD_CLIP)
        self.optimizer.step()
        return float(loss.detach())

    def _evaluate(self, phase: str, candidate: bool) -> None:
        """Validation log-loss; in the last phase a new best is kept (and counts for patience)."""
        st = self.st
        enc, windows = self.valid
        val = mean_nll(self.model, enc, windows, self.device, progress=lambda: self.status.update(force=False))
        st["val_loss"] = val
        st["evaluations"].append({"phase": phase, "step": st["step"], "val_nll": val})
        if candidate:
            if st["best_val"] is None or val < st["best_val"]:
                st["best_val"], st["best_step"], st["since_best"] = val, st["step"], 0
                self.best_weights = copy.deepcopy(self.model.state_dict())
            else:
                st["since_best"] += 1
                patience = self.spec["early_stopping_patience"]
                st["stopped_early"] = patience is not None and st["since_best"] >= patience
        self.status.update(val_loss=val, best_val_loss=st["best_val"])
        self.log(f"step {st['step']}/{self.total_steps} ({phase}) loss {st['loss']:.4f} val_nll {val:.4f}"
                 f"{' (best)' if candidate and st['best_step'] == st['step'] else ''}")

    def _check_stop(self, saved: bool = False) -> None:
        """A signal or cancel request seen between steps: save, then stop (the caller exits)."""
        stop = self.stops.check()
        if stop is not None:
            if not saved:
                self.save()
            raise stop


def _phase_status(name: str) -> str:
    return {"pretrain": "pretraining", "finetune": "finetuning"}[name]

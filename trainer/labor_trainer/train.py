"""The training job: ``python -m labor_trainer.train --job-dir DIR [--dry-run]``.

Reads DIR/spec.json, trains, keeps DIR/checkpoints/ (latest, for resuming) and DIR/best/
(best validation loss), exports DIR/output/ (HF weights + ONNX model folder) and writes
DIR/metrics.json. DIR/status.json is rewritten atomically as training goes; on failure
DIR/error.json says why. Exit codes: 0 done, 2 invalid input, 1 any other failure.
Rerunning with the same --job-dir resumes from DIR/checkpoints/ (or does nothing if done).
See trainer/README.md for the full contract.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import shutil
import signal
import sys
import time
import traceback

from .errors import InvalidInput, Internal, JobDirBusy, OutOfMemory, TrainerError, TrainingFailed
from .jobdir import JobDir, Logger, utc_now, write_json_atomic
from .spec import load_spec

LOG_EVERY = 10  # steps between train.log lines
STATUS_EVERY_S = 1.0  # status.json is rewritten at most this often while training
GRAD_CLIP = 1.0
EXPORT_TOLERANCE = 1e-3
CHECK_TEXTS = 3


def spec_hash(spec: dict) -> str:
    # threads changes speed, not results; everything else must match to resume.
    keep = {k: v for k, v in spec.items() if k not in ("threads",)}
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


class Status:
    """status.json, rewritten atomically; fields are the job provider's contract."""

    def __init__(self, path: str, total_steps: int | None = None):
        self.path = path
        self.fields = {
            "state": "running", "phase": "starting", "step": 0, "total_steps": total_steps, "epoch": 0.0,
            "loss": None, "val_loss": None, "best_val_loss": None, "tokens_per_s": None, "eta_s": None,
            "pid": os.getpid(), "updated_at": utc_now(),
        }
        self._last = 0.0

    def update(self, force: bool = True, **kw) -> None:
        self.fields.update(kw)
        now = time.monotonic()
        if not force and now - self._last < STATUS_EVERY_S:
            return
        self._last = now
        self.fields["updated_at"] = utc_now()
        write_json_atomic(self.path, self.fields)


class Trainer:
    def __init__(self, spec: dict, job: JobDir, log: Logger, status: Status, inputs):
        import torch

        self.torch = torch
        self.spec, self.job, self.log, self.status, self.inp = spec, job, log, status, inputs
        self.device = torch.device(spec["device"])
        self.amp_dtype = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[spec["precision"]]
        self.stop_signal: int | None = None
        self.run_start = time.monotonic()
        self.run_start_step = 0

    # ---- setup -------------------------------------------------------------------------------
    def setup(self) -> None:
        torch, spec = self.torch, self.spec
        from .data import encode_texts
        from .modeling import apply_lora, build_init_model, count_params, llama_config, load_base_model

        self.status.update(phase="tokenizing")
        if "path" in spec["base"]:
            self.tokenizer = self.inp.tokenizer
            self.tokenizer_dir = spec["base"]["path"]
        else:
            self.tokenizer_dir = self.job.tokenizer
            self.tokenizer = self._init_tokenizer()
        t0 = time.monotonic()
        self.train_data = encode_texts(self.tokenizer, self.inp.texts["train"], spec["max_seq_len"])
        self.valid_data = encode_texts(self.tokenizer, self.inp.texts["valid"], spec["max_seq_len"])
        self.log(f"tokenized {self.train_data.n_texts} train texts ({self.train_data.n_tokens} tokens, "
                 f"{len(self.train_data.sequences)} sequences, {self.train_data.n_split} longer than "
                 f"max_seq_len={spec['max_seq_len']} cut into windows) and {self.valid_data.n_texts} valid texts "
                 f"({self.valid_data.n_tokens} tokens) in {time.monotonic() - t0:.1f}s")

        self.status.update(phase="loading model")
        if "path" in spec["base"]:
            frozen_dtype = torch.float32
            if spec["method"] == "lora" and self.amp_dtype is not None:
                frozen_dtype = self.amp_dtype  # frozen base in half precision; adapters stay fp32
            model = load_base_model(spec["base"]["path"], frozen_dtype)
            if len(self.tokenizer) > model.get_input_embeddings().weight.shape[0]:
                raise InvalidInput(f"spec.base.path: the tokenizer has {len(self.tokenizer)} tokens but the model's "
                                   f"embedding has {model.get_input_embeddings().weight.shape[0]} rows")
        else:
            config = llama_config(spec["base"]["init"], len(self.tokenizer), self.tokenizer.eos_token_id)
            model = build_init_model(config, spec["seed"])
        if spec["method"] == "lora":
            model = apply_lora(model, spec["lora"], spec["seed"])
        self.model = model.to(self.device)
        self.model.train()
        total, trainable = count_params(self.model)
        self.params_total, self.params_trainable = total, trainable
        self.log(f"model: {self.inp.architecture}, {total:,} parameters, {trainable:,} trainable "
                 f"({spec['method']}), device {spec['device']}, precision {spec['precision']}")

        n_batches = math.ceil(len(self.train_data.sequences) / spec["batch_size"])
        self.n_batches = n_batches
        self.steps_per_epoch = math.ceil(n_batches / spec["grad_accum"])
        self.total_steps = spec["max_steps"] or spec["epochs"] * self.steps_per_epoch
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(self.params, lr=spec["learning_rate"], weight_decay=0.0)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=spec["precision"] == "fp16")
        self.state = {
            "step": 0, "epoch": 0, "batch_in_epoch": 0, "val_loss_initial": None, "val_loss": None,
            "best_val_loss": None, "best_step": None, "evals_without_improvement": 0, "stopped_early": False,
            "recent_losses": [], "train_tokens": 0, "train_time_s": 0.0, "done": False,
        }
        self.status.update(total_steps=self.total_steps)

    def _init_tokenizer(self):
        from .tokenizer import load_tokenizer, train_bpe_tokenizer

        folder = self.job.tokenizer
        if os.path.exists(os.path.join(folder, "tokenizer.json")):
            self.log(f"reusing tokenizer in {folder}")
            return load_tokenizer(folder)
        init = self.spec["base"]["init"]
        t0 = time.monotonic()
        tmp = folder + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tok = train_bpe_tokenizer(self.inp.texts["train"], init["vocab_size"], tmp, init["max_positions"])
        os.replace(tmp, folder)
        self.log(f"trained byte-level BPE tokenizer: {len(tok)} tokens (asked {init['vocab_size']}) "
                 f"in {time.monotonic() - t0:.1f}s")
        return load_tokenizer(folder)

    def _lr_factor(self, s: int) -> float:
        warm = self.spec["schedule"]["warmup_steps"]
        if s < warm:
            return (s + 1) / warm
        decay = self.spec["schedule"]["decay"]
        if decay == "constant":
            return 1.0
        progress = min(1.0, (s - warm) / max(1, self.total_steps - warm))
        return 0.5 * (1 + math.cos(math.pi * progress)) if decay == "cosine" else 1.0 - progress

    # ---- checkpoints -------------------------------------------------------------------------
    def ckpt_state(self) -> dict:
        return {**self.state, "spec_hash": self.spec_hash, "texts_sha256": self.texts_sha,
                "total_steps": self.total_steps, "saved_at": utc_now()}

    def save_checkpoint(self) -> None:
        from .checkpoint import save_checkpoint
        from .modeling import trainable_state

        save_checkpoint(self.job.checkpoints, trainable_state(self.model), self.ckpt_state(),
                        self.optimizer, self.scheduler, self.scaler)

    def save_best(self) -> None:
        from .checkpoint import save_best
        from .modeling import trainable_state

        save_best(self.job.best, trainable_state(self.model),
                  {"step": self.state["step"], "val_loss": self.state["val_loss"], "method": self.spec["method"],
                   "spec_hash": self.spec_hash, "saved_at": utc_now()})

    def maybe_resume(self) -> None:
        from .checkpoint import has_checkpoint, load_checkpoint, set_rng_state
        from .modeling import load_trainable_state

        if not has_checkpoint(self.job.checkpoints):
            return
        weights, state, ts = load_checkpoint(self.job.checkpoints, str(self.device))
        if state.get("spec_hash") != self.spec_hash or state.get("texts_sha256") != self.texts_sha:
            what = "spec.json" if state.get("spec_hash") != self.spec_hash else "the texts file"
            raise InvalidInput(f"{self.job.checkpoints} was written for a different job ({what} changed since); "
                               f"delete {self.job.checkpoints} and {self.job.best} to start over, or restore {what}")
        load_trainable_state(self.model, weights)
        self.optimizer.load_state_dict(ts["optimizer"])
        self.scheduler.load_state_dict(ts["scheduler"])
        self.scaler.load_state_dict(ts["scaler"])
        set_rng_state(ts["rng"])
        for k in self.state:
            if k in state:
                self.state[k] = state[k]
        self.run_start_step = self.state["step"]
        self.status.update(step=self.state["step"], epoch=round(self.state["step"] / self.steps_per_epoch, 4),
                           val_loss=self.state["val_loss"], best_val_loss=self.state["best_val_loss"])
        self.log(f"resumed from checkpoint at step {self.state['step']} (epoch {self.state['epoch']}, "
                 f"batch {self.state['batch_in_epoch']}){' - training already finished' if self.state['done'] else ''}")

    # ---- training ----------------------------------------------------------------------------
    def epoch_order(self, epoch: int) -> list[int]:
        torch = self.torch
        g = torch.Generator().manual_seed(self.spec["seed"] * 1_000_003 + epoch)
        return torch.randperm(len(self.train_data.sequences), generator=g).tolist()

    def collate(self, seqs: list[list[int]]):
        torch = self.torch
        width = max(len(s) for s in seqs)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
            mask[i, : len(s)] = 1
        return ids.to(self.device), mask.to(self.device)

    def loss_sum(self, ids, mask):
        """Summed next-token cross-entropy over real (unpadded) target tokens, in fp32."""
        torch = self.torch
        with torch.autocast(self.device.type, dtype=self.amp_dtype or torch.float32,
                            enabled=self.amp_dtype is not None):
            logits = self.model(input_ids=ids, attention_mask=mask, use_cache=False).logits
        logits = logits[:, :-1].float()
        target = ids[:, 1:]
        weight = mask[:, 1:].float()
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                               reduction="none")
        return (ce * weight.reshape(-1)).sum(), int(weight.sum().item())

    def evaluate(self) -> float | None:
        torch = self.torch
        seqs = self.valid_data.sequences
        if not seqs:
            return None
        self.status.update(phase="evaluating")
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))  # less padding
        bs = self.spec["batch_size"]
        total, n = 0.0, 0
        self.model.eval()
        with torch.no_grad():
            for i in range(0, len(order), bs):
                ids, mask = self.collate([seqs[j] for j in order[i : i + bs]])
                s, k = self.loss_sum(ids, mask)
                total += float(s)
                n += k
        self.model.train()
        self.status.update(phase="training")
        val = total / max(1, n)
        if not math.isfinite(val):
            raise TrainingFailed(f"validation loss is {val} at step {self.state['step']}; the model diverged "
                                 f"(learning_rate {self.spec['learning_rate']}, precision {self.spec['precision']})")
        return val

    def on_eval(self) -> None:
        st = self.state
        val = self.evaluate()
        if val is None:
            return
        st["val_loss"] = val
        improved = st["best_val_loss"] is None or val < st["best_val_loss"]
        if improved:
            st["best_val_loss"], st["best_step"], st["evals_without_improvement"] = val, st["step"], 0
            self.save_best()
        else:
            st["evals_without_improvement"] += 1
        self.log(f"step {st['step']}/{self.total_steps} val_loss {val:.4f} (best {st['best_val_loss']:.4f} at step "
                 f"{st['best_step']}){' saved best' if improved else ''}")
        pat = self.spec["early_stopping_patience"]
        if pat and st["evals_without_improvement"] >= pat:
            st["stopped_early"] = True
            self.log(f"early stopping: no improvement in {pat} evaluation(s)")
        self.status.update(val_loss=val, best_val_loss=st["best_val_loss"])

    def train(self) -> None:
        torch, spec, st = self.torch, self.spec, self.state
        if st["done"]:
            return
        if st["step"] == 0 and st["val_loss_initial"] is None:
            st["val_loss_initial"] = self.evaluate()
            if st["val_loss_initial"] is not None:
                self.log(f"initial val_loss {st['val_loss_initial']:.4f}")
                self.status.update(val_loss=st["val_loss_initial"])
        self.run_start, self.run_start_step = time.monotonic(), st["step"]
        self.log(f"training: {self.total_steps} steps ({self.steps_per_epoch} per epoch, batch {spec['batch_size']} "
                 f"x grad_accum {spec['grad_accum']}), lr {spec['learning_rate']:g} {spec['schedule']['decay']} "
                 f"warmup {spec['schedule']['warmup_steps']}")
        self.status.update(phase="training")
        seqs = self.train_data.sequences
        bs, ga = spec["batch_size"], spec["grad_accum"]
        eval_every, ckpt_every = spec["eval_every"], spec["checkpoint_every"]
        last_eval_step = -1
        while st["step"] < self.total_steps and not st["stopped_early"]:
            order = self.epoch_order(st["epoch"])
            batches = [order[i : i + bs] for i in range(0, len(order), bs)]
            while st["batch_in_epoch"] < len(batches):
                t0 = time.monotonic()
                group = batches[st["batch_in_epoch"] : st["batch_in_epoch"] + ga]
                n_target = sum(len(seqs[j]) - 1 for b in group for j in b)
                self.optimizer.zero_grad(set_to_none=True)
                loss_total, tokens = 0.0, 0
                for b in group:
                    ids, mask = self.collate([seqs[j] for j in b])
                    s, k = self.loss_sum(ids, mask)
                    if not torch.isfinite(s):
                        raise TrainingFailed(
                            f"training loss is {float(s.detach())} at step {st['step'] + 1} (epoch {st['epoch']}); the model "
                            f"diverged: lower learning_rate (now {spec['learning_rate']:g}), add warmup, or use "
                            f"precision fp32 (now {spec['precision']})")
                    self.scaler.scale(s / n_target).backward()
                    loss_total += float(s.detach())
                    tokens += int(mask.sum().item())
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.params, GRAD_CLIP)
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self.scheduler.step()
                if self.device.type == "cuda":
                    torch.cuda.synchronize()
                st["step"] += 1
                st["batch_in_epoch"] += len(group)
                if st["batch_in_epoch"] >= len(batches):
                    st["epoch"] += 1
                    st["batch_in_epoch"] = 0
                st["train_tokens"] += tokens
                st["train_time_s"] += time.monotonic() - t0
                loss = loss_total / n_target
                st["recent_losses"] = (st["recent_losses"] + [loss])[-50:]
                self._report(loss)

                last_step = st["step"] >= self.total_steps
                epoch_end = st["batch_in_epoch"] == 0
                if (eval_every and st["step"] % eval_every == 0) or (not eval_every and epoch_end) or last_step:
                    self.on_eval()
                    last_eval_step = st["step"]
                if last_step or st["stopped_early"]:
                    break
                if ckpt_every and st["step"] % ckpt_every == 0:
                    self.save_checkpoint()
                    self.log(f"checkpoint saved at step {st['step']}")
                if self.stop_signal is not None:
                    self.save_checkpoint()
                    name = signal.Signals(self.stop_signal).name
                    raise TrainingFailed(f"interrupted by {name} at step {st['step']}; checkpoint saved, rerun with "
                                         f"the same --job-dir to resume")
            else:
                continue
            break
        if last_eval_step != st["step"] and st["step"] > 0:
            self.on_eval()
        if st["best_step"] is None:  # no validation set: the final weights are the best we know
            st["best_step"] = st["step"]
            self.save_best()
        st["done"] = True
        self.save_checkpoint()
        self.log(f"training finished at step {st['step']}{' (early stop)' if st['stopped_early'] else ''}; "
                 f"best val_loss {st['best_val_loss']} at step {st['best_step']}")

    def _report(self, loss: float) -> None:
        st = self.state
        tps = st["train_tokens"] / st["train_time_s"] if st["train_time_s"] > 0 else None
        done_here = st["step"] - self.run_start_step
        eta = (time.monotonic() - self.run_start) / done_here * (self.total_steps - st["step"]) if done_here else None
        self.status.update(force=False, step=st["step"], epoch=round(st["step"] / self.steps_per_epoch, 4), loss=loss,
                           tokens_per_s=tps, eta_s=eta)
        if st["step"] % LOG_EVERY == 0 or st["step"] == 1:
            lr = self.scheduler.get_last_lr()[0]
            self.log(f"step {st['step']}/{self.total_steps} epoch {st['step'] / self.steps_per_epoch:.2f} "
                     f"loss {loss:.4f} lr {lr:.3g} tokens/s {tps or 0:.0f} eta {eta or 0:.0f}s")

    # ---- export ------------------------------------------------------------------------------
    def export(self) -> dict:
        from .checkpoint import load_best
        from .jobdir import replace_dir
        from .modeling import count_params, load_trainable_state

        self.status.update(phase="exporting")
        weights, best = load_best(self.job.best)
        load_trainable_state(self.model, weights)
        model = self.model
        if self.spec["method"] == "lora":
            model = model.merge_and_unload()
        model = model.to("cpu").float().eval()
        self.exported_params = count_params(model)[0]
        check = (self.inp.texts["valid"] or self.inp.texts["train"])[:CHECK_TEXTS]
        tmp = self.job.output + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        t0 = time.monotonic()
        # HF weights too, so the output can be the base of another fine-tune (foundation -> survey).
        model.save_pretrained(tmp)
        try:
            from .onnx_export import export_model
        except ImportError as e:
            raise Internal(f"the ONNX exporter (labor_trainer/onnx_export.py) cannot be imported: {e}")
        try:
            result = export_model(model, self.tokenizer, tmp, check, tokenizer_dir=self.tokenizer_dir)
        except Exception as e:
            raise Internal(f"ONNX export failed: {type(e).__name__}: {e}") from e
        diff = float(result["max_abs_diff"])
        if not diff < EXPORT_TOLERANCE:
            raise Internal(f"ONNX export check failed: max |onnx - torch| = {diff:.3g} >= {EXPORT_TOLERANCE:g}")
        replace_dir(tmp, self.job.output)
        self.log(f"exported best checkpoint (step {best['step']}) to {self.job.output} in "
                 f"{time.monotonic() - t0:.1f}s; max |onnx - torch| = {diff:.2e}")
        return result

    def metrics(self, export: dict) -> dict:
        st = self.state
        torch = self.torch
        recent = st["recent_losses"][-LOG_EVERY:]
        m = {
            "train_loss": sum(recent) / len(recent) if recent else None,
            "val_loss_initial": st["val_loss_initial"],
            "best_val_loss": st["best_val_loss"],
            "steps": st["step"],
            "tokens_per_s": st["train_tokens"] / st["train_time_s"] if st["train_time_s"] > 0 else None,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "export_max_abs_diff": export["max_abs_diff"],
            "device": self.spec["device"],
            "params": self.exported_params,
            # extras
            "device_name": (torch.cuda.get_device_name(self.device) if self.device.type == "cuda"
                            else f"cpu x{torch.get_num_threads()} threads"),
            "trainable_params": self.params_trainable,
            "best_step": st["best_step"],
            "total_steps": self.total_steps,
            "stopped_early": st["stopped_early"],
            "final_val_loss": st["val_loss"],
            "train_tokens": st["train_tokens"],
            "train_time_s": round(st["train_time_s"], 3),
            "method": self.spec["method"],
            "precision": self.spec["precision"],
            "peak_gpu_mem_mb": (torch.cuda.max_memory_allocated() / 2**20) if self.device.type == "cuda" else None,
            "export": export,
        }
        return m


def _configure_torch(spec: dict) -> None:
    if spec["device"] == "cuda":
        # cuBLAS needs this, set before CUDA initialises, to be deterministic.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import numpy as np
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # train.log and stderr stay line-oriented
    if spec["threads"]:
        torch.set_num_threads(spec["threads"])
    torch.use_deterministic_algorithms(True, warn_only=spec["device"] == "cuda")
    torch.backends.cudnn.benchmark = False
    random.seed(spec["seed"])
    np.random.seed(spec["seed"])
    torch.manual_seed(spec["seed"])


def _already_done(job: JobDir, h: str) -> bool:
    try:
        with open(os.path.join(job.checkpoints, "state.json"), encoding="utf-8") as f:
            st = json.load(f)
        return (st.get("done") and st.get("spec_hash") == h and os.path.exists(job.metrics)
                and os.path.exists(os.path.join(job.output, "onnx", "model.onnx")))
    except (OSError, ValueError):
        return False


def run_job(job_dir: str, echo: bool = True, trainer_hook=None) -> int:
    """Runs (or resumes) the job in `job_dir`; returns the exit code. The caller holds the lock."""
    job = JobDir(os.path.abspath(job_dir))
    log = Logger(job.log, echo=echo)
    status = Status(job.status)
    if os.path.exists(job.error):
        os.unlink(job.error)
    trainer = None
    try:
        status.update(phase="validating")
        spec = load_spec(job.spec)
        h = spec_hash(spec)
        if _already_done(job, h):
            log("job already finished (checkpoints/state.json done, output/ and metrics.json present); nothing to do")
            with open(job.metrics, encoding="utf-8") as f:
                m = json.load(f)
            status.update(state="succeeded", phase="done", step=m.get("steps"), total_steps=m.get("total_steps"),
                          best_val_loss=m.get("best_val_loss"), eta_s=0)
            return 0
        log(f"job {job.root} pid {os.getpid()}: spec {json.dumps(spec, sort_keys=True)}")
        _configure_torch(spec)
        from .validate import check_inputs

        inputs = check_inputs(spec)
        trainer = Trainer(spec, job, log, status, inputs)
        trainer.spec_hash = h
        trainer.texts_sha = file_sha256(spec["texts"])
        if trainer_hook:
            trainer_hook(trainer)
        trainer.setup()
        trainer.maybe_resume()
        trainer.train()
        export = trainer.export()
        metrics = trainer.metrics(export)
        write_json_atomic(job.metrics, metrics)
        st = trainer.state
        status.update(state="succeeded", phase="done", step=st["step"], best_val_loss=st["best_val_loss"],
                      val_loss=st["val_loss"], eta_s=0, tokens_per_s=metrics["tokens_per_s"])
        log(f"succeeded: {json.dumps({k: metrics[k] for k in ('train_loss', 'val_loss_initial', 'best_val_loss', 'steps', 'tokens_per_s', 'peak_rss_mb', 'export_max_abs_diff')})}")
        return 0
    except BaseException as e:  # noqa: BLE001 - every failure must leave error.json behind
        err = _classify(e)
        log(f"failed: {err.type}: {err.message}")
        if not isinstance(e, TrainerError) or isinstance(e, Internal):
            log(traceback.format_exc().rstrip())
        write_json_atomic(job.error, {"type": err.type, "message": err.message})
        status.update(state="failed", phase="failed")
        if isinstance(e, KeyboardInterrupt):
            raise
        return err.exit_code


def _classify(e: BaseException) -> TrainerError:
    if isinstance(e, TrainerError):
        return e
    try:
        import torch

        if isinstance(e, torch.OutOfMemoryError):
            return OutOfMemory(f"out of GPU memory: {str(e).splitlines()[0]}; lower batch_size (raise grad_accum "
                               f"to keep the effective batch) or max_seq_len, or use method lora / precision bf16")
    except ImportError:
        pass
    if isinstance(e, MemoryError):
        return OutOfMemory("out of host memory (MemoryError); lower batch_size or max_seq_len")
    if isinstance(e, KeyboardInterrupt):
        return TrainingFailed("interrupted (KeyboardInterrupt)")
    return Internal(f"{type(e).__name__}: {e}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m labor_trainer.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--job-dir", required=True, help="folder holding spec.json; outputs are written there")
    ap.add_argument("--dry-run", action="store_true", help="validate spec.json and its inputs, print the resolved "
                                                            "config as JSON, write nothing")
    args = ap.parse_args(argv)
    job = JobDir(os.path.abspath(args.job_dir))
    if args.dry_run:
        from .validate import check_inputs, describe, dumps

        try:
            spec = load_spec(job.spec)
            print(dumps(describe(spec, check_inputs(spec))))
            return 0
        except InvalidInput as e:
            print(f"InvalidInput: {e.message}", file=sys.stderr)
            return 2
    if not os.path.isdir(job.root):
        print(f"InvalidInput: --job-dir {job.root} is not a folder", file=sys.stderr)
        return 2
    try:
        lock = job.acquire_lock()  # noqa: F841 - held until exit
    except JobDirBusy as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    holder = {}

    def on_signal(signum, frame):  # finish the step, checkpoint, exit (Slurm sends SIGTERM first)
        t = holder.get("trainer")
        if t is None or t.stop_signal is not None:
            raise KeyboardInterrupt
        t.stop_signal = signum

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return run_job(job.root, trainer_hook=lambda t: holder.__setitem__("trainer", t))
    except KeyboardInterrupt:
        return 1
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


if __name__ == "__main__":
    sys.exit(main())

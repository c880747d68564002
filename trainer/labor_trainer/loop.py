"""The training loop: tokenize, build or load the model, train with periodic validation,
checkpoints (labor_trainer.checkpoint) and early stopping, and stop cleanly between steps when
asked (labor_trainer.stop). Micro-batches are packed or padded (labor_trainer.batches); bf16
and fp16 run under autocast with fp32 master weights (fp16 with a gradient scaler, CUDA only).
bench_train.py times `step` itself, so the benchmark measures this code."""
from __future__ import annotations

import math
import os
import shutil
import time

import torch

from . import checkpoint
from .batches import Batch, packed_batch, padded_batch
from .data import encode_texts
from .errors import InvalidInput, TrainingFailed
from .jobdir import JobDir, Logger
from .modeling import (apply_lora, build_init_model, count_params, enable_gradient_checkpointing, llama_config,
                       load_base_model)
from .status import Status
from .stop import StopRequests

LOG_EVERY = 10  # steps between train.log lines
GRAD_CLIP = 1.0


def target_nll(model, batch: Batch, amp_dtype: torch.dtype | None) -> torch.Tensor:
    """Next-token negative log-likelihood of every target of `batch` (a real token following a
    token of the same text), row-major, in fp32; under autocast when amp_dtype is set."""
    device_type = batch.ids.device.type
    with torch.autocast(device_type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None):
        logits = model(input_ids=batch.ids, attention_mask=batch.attention_mask, position_ids=batch.position_ids,
                       use_cache=False).logits
    logits = logits[:, :-1][batch.targets].float()  # only real targets: padding costs no fp32 copy
    return torch.nn.functional.cross_entropy(logits, batch.ids[:, 1:][batch.targets], reduction="none")


class Trainer:
    def __init__(self, spec: dict, job: JobDir, log: Logger, status: Status, inputs, stops: StopRequests,
                 spec_hash: str, texts_sha: str):
        self.spec, self.job, self.log, self.status, self.inp, self.stops = spec, job, log, status, inputs, stops
        self.spec_hash, self.texts_sha = spec_hash, texts_sha  # checkpoints must match both to resume
        self.device = torch.device(spec["device"])
        self.amp_dtype = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[spec["precision"]]
        self.run_start = time.monotonic()
        self.run_start_step = 0

    # ---- setup -------------------------------------------------------------------------------
    def setup(self) -> None:
        spec = self.spec
        self.status.update(phase="tokenizing")
        with self.status.keepalive():  # tokenizing and loading a large model report no steps
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
            model = self._base_model()
        if spec["gradient_checkpointing"]:
            enable_gradient_checkpointing(model)
        if spec["method"] == "lora":
            model = apply_lora(model, spec["lora"], spec["seed"])
        self.model = model.to(self.device)
        self.model.train()
        total, trainable = count_params(self.model)
        self.params_total, self.params_trainable = total, trainable
        self.log(f"model: {self.inp.architecture}, {total:,} parameters, {trainable:,} trainable "
                 f"({spec['method']}), device {spec['device']}, precision {spec['precision']}, attention "
                 f"{self.model.config._attn_implementation}, packing {spec['packing']}, gradient checkpointing "
                 f"{spec['gradient_checkpointing']}")

        n_batches = math.ceil(len(self.train_data.sequences) / spec["batch_size"])
        self.n_batches = n_batches
        self.steps_per_epoch = math.ceil(n_batches / spec["grad_accum"])
        self.total_steps = spec["max_steps"] or spec["epochs"] * self.steps_per_epoch
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        # fused: one kernel for all parameters on CUDA (the foreach default elsewhere)
        self.optimizer = torch.optim.AdamW(self.params, lr=spec["learning_rate"], weight_decay=0.0,
                                           fused=True if self.device.type == "cuda" else None)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=spec["precision"] == "fp16")
        self.state = {
            "step": 0, "epoch": 0, "batch_in_epoch": 0, "val_loss_initial": None, "val_loss": None,
            "best_val_loss": None, "best_step": None, "evals_without_improvement": 0, "stopped_early": False,
            "recent_losses": [], "train_tokens": 0, "train_time_s": 0.0, "done": False,
        }
        self.status.update(total_steps=self.total_steps)

    def _base_model(self):
        spec = self.spec
        if "init" in spec["base"]:
            config = llama_config(spec["base"]["init"], len(self.tokenizer), self.tokenizer.eos_token_id)
            return build_init_model(config, spec["seed"])
        frozen_dtype = torch.float32
        if spec["method"] == "lora" and self.amp_dtype is not None:
            frozen_dtype = self.amp_dtype  # frozen base in half precision; adapters stay fp32
        model = load_base_model(spec["base"]["path"], frozen_dtype)
        rows = model.get_input_embeddings().weight.shape[0]
        if len(self.tokenizer) > rows:
            raise InvalidInput(f"spec.base.path: the tokenizer has {len(self.tokenizer)} tokens but the model's "
                               f"embedding has {rows} rows")
        return model

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

    # ---- batches and loss --------------------------------------------------------------------
    def epoch_order(self, epoch: int) -> list[int]:
        g = torch.Generator().manual_seed(self.spec["seed"] * 1_000_003 + epoch)
        return torch.randperm(len(self.train_data.sequences), generator=g).tolist()

    def epoch_batches(self, epoch: int) -> list[list[int]]:
        order = self.epoch_order(epoch)
        bs = self.spec["batch_size"]
        return [order[i : i + bs] for i in range(0, len(order), bs)]

    def collate(self, seqs: list[list[int]]) -> Batch:
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        if self.spec["packing"]:
            batch = packed_batch(seqs, pad, self.spec["max_seq_len"])
        else:
            batch = padded_batch(seqs, pad)
        return batch.to(self.device)

    def loss_sum(self, batch: Batch):
        """Summed next-token cross-entropy over the batch's targets, and their count."""
        return target_nll(self.model, batch, self.amp_dtype).sum(), batch.n_targets

    # ---- validation --------------------------------------------------------------------------
    def evaluate(self) -> float | None:
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
                s, k = self.loss_sum(self.collate([seqs[j] for j in order[i : i + bs]]))
                total += float(s)
                n += k
                self.status.update(force=False)  # a long evaluation is progress too
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
            checkpoint.save_best_of(self)
        else:
            st["evals_without_improvement"] += 1
        self.log(f"step {st['step']}/{self.total_steps} val_loss {val:.4f} (best {st['best_val_loss']:.4f} at step "
                 f"{st['best_step']}){' saved best' if improved else ''}")
        pat = self.spec["early_stopping_patience"]
        if pat and st["evals_without_improvement"] >= pat:
            st["stopped_early"] = True
            self.log(f"early stopping: no improvement in {pat} evaluation(s)")
        self.status.update(val_loss=val, best_val_loss=st["best_val_loss"])

    # ---- training ----------------------------------------------------------------------------
    def train(self) -> None:
        spec, st = self.spec, self.state
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
        eval_every, ckpt_every = spec["eval_every"], spec["checkpoint_every"]
        last_eval_step = -1
        while st["step"] < self.total_steps and not st["stopped_early"]:
            batches = self.epoch_batches(st["epoch"])
            while st["batch_in_epoch"] < len(batches):
                self._stop_if_asked()
                self.step(batches)
                last_step = st["step"] >= self.total_steps
                epoch_end = st["batch_in_epoch"] == 0
                if (eval_every and st["step"] % eval_every == 0) or (not eval_every and epoch_end) or last_step:
                    self.on_eval()
                    last_eval_step = st["step"]
                if last_step or st["stopped_early"]:
                    break
                if ckpt_every and st["step"] % ckpt_every == 0:
                    checkpoint.save_latest(self)
                    self.log(f"checkpoint saved at step {st['step']}")
            else:
                continue
            break
        if last_eval_step != st["step"] and st["step"] > 0:
            self.on_eval()
        if st["best_step"] is None:  # no validation set: the final weights are the best we know
            st["best_step"] = st["step"]
            checkpoint.save_best_of(self)
        st["done"] = True
        checkpoint.save_latest(self)
        self.log(f"training finished at step {st['step']}{' (early stop)' if st['stopped_early'] else ''}; "
                 f"best val_loss {st['best_val_loss']} at step {st['best_step']}")

    def _stop_if_asked(self) -> None:
        """Between steps: a signal or a cancel request saves a checkpoint here and stops the job."""
        stop = self.stops.check()
        if stop is None:
            return
        checkpoint.save_latest(self)
        self.log(f"checkpoint saved at step {self.state['step']}; stopping: {stop.message}")
        raise stop

    def step(self, batches: list[list[int]]) -> None:
        """One optimizer step over the next grad_accum micro-batches of `batches` (an epoch's,
        from epoch_batches); advances state (step, epoch, batch_in_epoch, tokens, time)."""
        spec, st, seqs = self.spec, self.state, self.train_data.sequences
        t0 = time.monotonic()
        group = batches[st["batch_in_epoch"] : st["batch_in_epoch"] + spec["grad_accum"]]
        n_target = sum(len(seqs[j]) - 1 for b in group for j in b)
        self.optimizer.zero_grad(set_to_none=True)
        loss_total, tokens = torch.zeros((), device=self.device), 0
        for b in group:
            batch = self.collate([seqs[j] for j in b])
            s, _ = self.loss_sum(batch)
            self.scaler.scale(s / n_target).backward()
            loss_total += s.detach()
            tokens += batch.n_tokens
        loss_total = float(loss_total)  # one device sync per step, before the weights change
        if not math.isfinite(loss_total):
            raise TrainingFailed(
                f"training loss is {loss_total} at step {st['step'] + 1} (epoch {st['epoch']}); the model "
                f"diverged: lower learning_rate (now {spec['learning_rate']:g}), add warmup, or use "
                f"precision fp32 (now {spec['precision']})")
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
